"""Parcel sizes: the postal carton classes, so a van's volume (litres) can bind.

shared/PARAMETERS.md: parcels fit the postal 9-/7-/5-/3-/1-号 cartons (2.8 / 4.8 / 9.4 / 24.4 /
56.9 L, sourced); median about 5 L, mean about 10 L. The class SHARES are an estimate
(status E): 32 / 26 / 24 / 13 / 5 % puts the median in the 7-号 class (4.8 L) and the mean at
10.4 L. Sweep them before trusting a volume-bound result.

Sizes are drawn by :func:`draw_size_classes` from a generator of their own, so switching
sizes on or changing the mix never shifts the no-read, exception or fault draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .line import LineError


@dataclass(frozen=True, slots=True)
class SizeClass:
    """One carton class: ``litres`` per parcel and its ``share`` of the parcels."""

    name: str
    litres: float
    share: float


@dataclass(frozen=True)
class ParcelMix:
    """The size classes of a day's parcels (shares are normalised to sum 1)."""

    classes: tuple[SizeClass, ...]

    def __post_init__(self) -> None:
        if not self.classes:
            raise LineError("ParcelMix.classes: need at least one size class")
        names = set()
        for k, c in enumerate(self.classes):
            if c.name in names:
                raise LineError(f"ParcelMix.classes[{k}].name = {c.name!r}: duplicate")
            names.add(c.name)
            if not (math.isfinite(c.litres) and c.litres > 0):
                raise LineError(f"ParcelMix.classes[{k}].litres = {c.litres!r}: must be > 0")
            if not (math.isfinite(c.share) and c.share >= 0):
                raise LineError(f"ParcelMix.classes[{k}].share = {c.share!r}: must be >= 0")
        if sum(c.share for c in self.classes) <= 0:
            raise LineError("ParcelMix.classes: shares must have a positive sum")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.classes)

    @property
    def litres(self) -> np.ndarray:
        return np.array([c.litres for c in self.classes], dtype=float)

    @property
    def shares(self) -> np.ndarray:
        s = np.array([c.share for c in self.classes], dtype=float)
        return s / s.sum()

    def mean_litres(self) -> float:
        return float(self.shares @ self.litres)


#: The postal cartons (litres sourced; shares an estimate, see the module docstring).
CARTONS = ParcelMix(
    (
        SizeClass("9号", 2.8, 0.32),
        SizeClass("7号", 4.8, 0.26),
        SizeClass("5号", 9.4, 0.24),
        SizeClass("3号", 24.4, 0.13),
        SizeClass("1号", 56.9, 0.05),
    )
)


def size_stream(seed: int | np.random.SeedSequence) -> np.random.Generator:
    """The sizes' own generator for a run ``seed`` (independent of the run's main stream).

    Built from the seed's entropy and spawn key with an extra key word, without spawning
    from (and so mutating) a caller's SeedSequence.
    """
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.default_rng(
        np.random.SeedSequence(entropy=ss.entropy, spawn_key=(*ss.spawn_key, 0x5123))
    )


def draw_size_classes(n: int, mix: ParcelMix, rng: np.random.Generator) -> np.ndarray:
    """``n`` size-class indices into ``mix.classes`` (int8), i.i.d. by the class shares."""
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    cum = np.cumsum(mix.shares).astype(np.float32)
    cum[-1] = 1.0  # float32 draws are < 1, so the last class closes the range
    return np.searchsorted(cum, rng.random(n, dtype=np.float32), side="right").astype(np.int8)
