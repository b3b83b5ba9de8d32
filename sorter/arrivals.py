"""Inbound trucks: which parcels arrive when, for which village, on which brand's truck.

Parcels are column arrays per truck (village codes into ``Arrivals.villages``, oversize flags),
never Python objects, so a million-parcel day costs a few megabytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .line import LineError


@dataclass(frozen=True, slots=True)
class Wave:
    """A linehaul wave: trucks arrive in ``[start_s, end_s]``; ``share`` of each village's daily
    parcels travel in it; chutes are swept (bagged) at ``cutoff_s``."""

    name: str
    start_s: float
    end_s: float
    share: float
    cutoff_s: float


@dataclass(frozen=True, eq=False)
class Truck:
    """One inbound truck. ``village`` holds, per parcel in unloading order, an int code into
    ``Arrivals.villages`` or a village id (converted to codes by ``Arrivals``); ``oversize``
    flags non-conveyable parcels; ``wave`` indexes ``Arrivals.waves``."""

    id: str
    brand: str
    arrival_s: float
    village: np.ndarray
    oversize: np.ndarray | None = None
    wave: int = 0

    def __post_init__(self) -> None:
        v = np.asarray(self.village)
        if v.ndim != 1:
            raise LineError(f"Truck {self.id!r}.village: must be a 1-D array")
        if v.size and np.issubdtype(v.dtype, np.integer):
            v = v.astype(np.int32, copy=False)
        elif v.size and v.dtype.kind in "USO":
            v = v.astype(str)  # village ids; Arrivals turns them into codes
        elif v.size:
            raise LineError(f"Truck {self.id!r}.village: need int codes or village ids")
        else:
            v = v.astype(np.int32)
        object.__setattr__(self, "village", v)
        if self.oversize is None:
            object.__setattr__(self, "oversize", np.zeros(v.size, dtype=bool))
        else:
            o = np.asarray(self.oversize, dtype=bool)
            if o.shape != v.shape:
                raise LineError(f"Truck {self.id!r}.oversize: shape {o.shape} != {v.shape}")
            object.__setattr__(self, "oversize", o)
        if not np.isfinite(self.arrival_s) or self.arrival_s < 0:
            raise LineError(f"Truck {self.id!r}.arrival_s = {self.arrival_s!r}: must be >= 0")

    @property
    def parcels(self) -> int:
        return int(self.village.size)


@dataclass(frozen=True, eq=False)
class Arrivals:
    """All inbound trucks of a day plus the village id table their codes index."""

    trucks: tuple[Truck, ...]
    villages: tuple[str, ...]
    waves: tuple[Wave, ...] = field(default=())

    def __post_init__(self) -> None:
        if len(set(self.villages)) != len(self.villages):
            raise LineError("Arrivals.villages: duplicate village ids")
        code = {v: k for k, v in enumerate(self.villages)}
        trucks = []
        for t in self.trucks:
            if t.village.dtype.kind == "U":
                uniq, inv = np.unique(t.village, return_inverse=True)
                missing = [u for u in uniq.tolist() if u not in code]
                if missing:
                    raise LineError(f"Truck {t.id!r}.village: unknown village {missing[0]!r}")
                codes = np.array([code[u] for u in uniq.tolist()], dtype=np.int32)[inv]
                t = Truck(t.id, t.brand, t.arrival_s, codes, t.oversize, t.wave)
            trucks.append(t)
        object.__setattr__(self, "trucks", tuple(trucks))
        ids = [t.id for t in self.trucks]
        if len(set(ids)) != len(ids):
            raise LineError("Arrivals.trucks: duplicate truck ids")
        n = len(self.villages)
        for t in self.trucks:
            if t.village.size and (t.village.min() < 0 or t.village.max() >= n):
                raise LineError(f"Truck {t.id!r}.village: code outside 0..{n - 1}")
            if self.waves and not (0 <= t.wave < len(self.waves)):
                raise LineError(f"Truck {t.id!r}.wave = {t.wave}: no such wave")

    @property
    def parcels(self) -> int:
        return sum(t.parcels for t in self.trucks)

    def village_counts(self) -> dict[str, int]:
        """Parcels per village over all trucks."""
        counts = np.zeros(len(self.villages), dtype=np.int64)
        for t in self.trucks:
            counts += np.bincount(t.village, minlength=len(self.villages))
        return {v: int(c) for v, c in zip(self.villages, counts, strict=True)}


def generate_arrivals(
    rng_or_seed: np.random.Generator | int,
    *,
    village_parcels: Mapping[str, int],
    brand_shares: Mapping[str, float],
    waves: Sequence[Wave],
    oversize_share: float = 0.06,
    stagger: bool = True,
) -> Arrivals:
    """Trucks for one day with EXACT per-village counts.

    Each village's count is split over waves (multinomial by ``Wave.share``) and then over
    brands (multinomial by ``brand_shares``), so per-village totals are exact and only the
    split is random. Each brand has one truck per wave; with ``stagger`` the brands arrive
    evenly spaced over the wave window in the order given (else at random times inside it).
    Parcels within a truck are shuffled (unloading order). ``oversize_share`` of the parcels
    (Bernoulli) are flagged non-conveyable.
    """
    rng = np.random.default_rng(rng_or_seed)
    if not waves:
        raise LineError("generate_arrivals: waves must not be empty")
    villages = tuple(village_parcels)
    counts = np.array([village_parcels[v] for v in villages], dtype=np.int64)
    if (counts < 0).any():
        bad = villages[int(np.argmin(counts))]
        raise LineError(f"village_parcels[{bad!r}] = {village_parcels[bad]}: must be >= 0")
    brands = tuple(brand_shares)
    bshare = np.array([brand_shares[b] for b in brands], dtype=float)
    wshare = np.array([w.share for w in waves], dtype=float)
    for name, arr in (("brand_shares", bshare), ("waves.share", wshare)):
        if arr.size == 0 or (arr < 0).any() or arr.sum() <= 0:
            raise LineError(f"generate_arrivals: {name} must be >= 0 with a positive sum")
    if not 0 <= oversize_share < 1:
        raise LineError(f"generate_arrivals: oversize_share = {oversize_share}: not in [0, 1)")
    bshare = bshare / bshare.sum()
    wshare = wshare / wshare.sum()
    # village x wave x brand counts, exact per village
    per_wave = np.stack([rng.multinomial(c, wshare) for c in counts])  # V x W
    trucks: list[Truck] = []
    codes = np.arange(len(villages), dtype=np.int32)
    for wi, w in enumerate(waves):
        split = np.stack([rng.multinomial(c, bshare) for c in per_wave[:, wi]])  # V x B
        nb = len(brands)
        for bi, b in enumerate(brands):
            vill = np.repeat(codes, split[:, bi])
            rng.shuffle(vill)
            if stagger:
                t = w.start_s + (w.end_s - w.start_s) * (bi / max(nb - 1, 1))
            else:
                t = float(rng.uniform(w.start_s, w.end_s))
            over = rng.random(vill.size) < oversize_share
            trucks.append(Truck(f"{w.name}-{b}", b, float(t), vill, over, wave=wi))
    trucks.sort(key=lambda tr: (tr.arrival_s, tr.id))
    return Arrivals(tuple(trucks), villages, tuple(waves))
