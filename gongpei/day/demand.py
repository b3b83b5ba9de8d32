"""Parcels per village for one day: inbound (all brands) and outgoing (pickups, produce).

Two layers, so replications mean something:

* the **expected** demand of each village is structural (who lives where, who sells tea): it
  is drawn once from ``county.placement_seed`` — lognormal with the scenario's CV, clipped,
  township-seat villages ×``seat_multiplier``, scaled so the rural total is
  ``demand.village_parcels``; urban units share ``demand.urban_parcels``;
* the **day** draws Poisson counts around those expectations from the run seed, and applies
  the scenario's events (festival volume, harvest pickup peaks).

Volume figures follow ../shared/PARAMETERS.md (village-bound 8,000/day, CV 1.0, 5–300 clip,
seat ×3, pickups 8 % of inbound, harvest ×4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gongpei.county.build import County
from gongpei.scenario.schema import Demand, ScenarioModel
from gongpei.scenario.schema_events import FestivalEvent, HarvestPeakEvent

__all__ = ["DayDemand", "VillageDemand", "day_demand", "expected_demand"]

#: Seed-stream tags, so the structural and the daily draws never share random numbers.
_STRUCTURE, _DAY = 0x5EED_0001, 0x5EED_0002


@dataclass(frozen=True, slots=True)
class VillageDemand:
    """One village-level unit's day. ``rural`` units are served by the co-delivery rounds."""

    code: str
    inbound: int
    pickup_parcels: int
    pickup_litres: int
    rural: bool


@dataclass(frozen=True)
class DayDemand:
    villages: tuple[VillageDemand, ...]

    @property
    def inbound_total(self) -> int:
        return sum(v.inbound for v in self.villages)

    def inbound(self) -> dict[str, int]:
        return {v.code: v.inbound for v in self.villages}

    def by_code(self) -> dict[str, VillageDemand]:
        return {v.code: v for v in self.villages}


def expected_demand(
    codes: Sequence[str],
    rural: Sequence[bool],
    at_seat: Sequence[bool],
    demand: Demand,
    seed: int,
) -> np.ndarray:
    """Expected inbound parcels per unit (floats), structural: depends on ``seed`` only."""
    rng = np.random.default_rng([seed, _STRUCTURE])
    n = len(codes)
    rural_mask = np.asarray(rural, dtype=bool)
    seat_mask = np.asarray(at_seat, dtype=bool)
    out = np.zeros(n)
    if rural_mask.any():
        cv = demand.village_cv
        sigma = np.sqrt(np.log1p(cv * cv))
        raw = rng.lognormal(mean=-sigma * sigma / 2, sigma=sigma, size=n)  # mean 1
        raw = np.where(seat_mask, raw * demand.seat_multiplier, raw)
        w = np.where(rural_mask, raw, 0.0)
        # Scale to the county total, then clip; re-scale the unclipped ones so the total holds.
        target = float(demand.village_parcels)
        vals = w / w.sum() * target
        for _ in range(20):
            clipped = np.clip(vals, demand.village_min, demand.village_max)
            free = rural_mask & (clipped > demand.village_min) & (clipped < demand.village_max)
            gap = target - clipped[rural_mask].sum()
            if abs(gap) < 1e-6 or not free.any():
                vals = clipped
                break
            vals = clipped.copy()
            vals[free] *= 1 + gap / clipped[free].sum()
        out[rural_mask] = vals[rural_mask]
    urban = ~rural_mask
    if urban.any() and demand.urban_parcels:
        u = rng.lognormal(mean=0.0, sigma=0.3, size=int(urban.sum()))
        out[urban] = u / u.sum() * demand.urban_parcels
    return out


def day_demand(
    codes: Sequence[str],
    expected: np.ndarray,
    rural: Sequence[bool],
    model: ScenarioModel,
    seed: int,
    *,
    max_inbound: int | None = None,
) -> DayDemand:
    """The day's counts: Poisson around ``expected``, with the scenario's events applied.

    ``max_inbound`` caps a rural village's inbound (the largest van), so a single stop always
    fits in one van; the cap is applied to the draw, never to the validated expectation.
    """
    rng = np.random.default_rng([seed, _DAY])
    d = model.demand
    volume = float(
        np.prod([e.volume_multiplier for e in model.events if isinstance(e, FestivalEvent)])
    )
    peaks: dict[str, float] = {}
    for e in model.events:
        if isinstance(e, HarvestPeakEvent):
            for code in e.villages:
                peaks[code] = peaks.get(code, 1.0) * e.pickup_multiplier
    lam = np.asarray(expected, dtype=float) * volume
    inbound = rng.poisson(lam)
    if max_inbound is not None:  # rural stops only: urban units are not on the van rounds
        inbound = np.where(np.asarray(rural, dtype=bool), np.minimum(inbound, max_inbound), inbound)
    out: list[VillageDemand] = []
    for k, code in enumerate(codes):
        is_rural = bool(rural[k])
        base_pick = lam[k] / volume * d.pickup_share if is_rural else 0.0
        produce = base_pick * (peaks.get(code, 1.0) - 1.0)
        normal = int(rng.poisson(base_pick)) if is_rural else 0
        extra = int(rng.poisson(produce)) if produce > 0 else 0
        litres = normal * d.litres_per_parcel + extra * d.produce_litres_per_parcel
        out.append(
            VillageDemand(
                code=code,
                inbound=int(inbound[k]),
                pickup_parcels=normal + extra,
                pickup_litres=round(litres),
                rural=is_rural,
            )
        )
    return DayDemand(tuple(out))


def inbound_litres(parcels: int, demand: Demand) -> int:
    """Volume of ``parcels`` inbound parcels at the scenario's mean parcel volume (litres)."""
    return round(parcels * demand.litres_per_parcel)


def seat_villages(county: County) -> set[str]:
    """Villages nearest their township seat: the seat villages that get ×seat_multiplier."""
    from gongpei.county.geography import haversine_m

    out = set()
    for t in county.towns:
        best = min(
            (v for v in county.rural if v.town_code == t.code),
            key=lambda v: haversine_m(t.lon, t.lat, *county.positions[v.code]),
            default=None,
        )
        if best is not None:
            out.add(best.code)
    return out
