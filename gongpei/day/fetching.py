"""What villagers spend fetching parcels from the township in the status quo (township drop).

Why: in the status quo the private brands stop at the township seat and villagers fetch
their parcels there; the couriers' km look cheap because the last leg is paid by the
villagers. Counting only van costs flatters township drop. This module estimates that leg —
trips, km, hours and yuan — from the same road graph, so the headline saving against the
status quo includes it, marked as an estimate.

Every number here is an estimate (E); none is published for Suichang:

* ``PARCELS_PER_TRIP`` = 2: a household fetches its own parcels and a neighbour's;
* a trip is there and back by road, on an e-bike or motorbike at ``SPEED_FACTOR`` × the
  van's travel time (slower on village roads), plus ``WAIT_MIN`` at the township station;
* ``COST_PER_KM`` = ¥0.3 (e-bike/motorbike energy and wear), ``TIME_VALUE_PER_H`` = ¥20
  (rural working time: Zhejiang rural disposable income ≈ ¥40k a year over 2,000 h).

The county's own figure (a 2022 interview with its postal company): co-delivery saves
villagers at least ¥18 M a year and private couriers ¥6 M; :func:`annual_comparison` puts
the model's figures beside those.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from gongpei.county.build import County
from gongpei.day.problems import POST_BRAND, StopDemand

__all__ = [
    "COST_PER_KM",
    "PARCELS_PER_TRIP",
    "REPORTED_COURIERS_YUAN_PER_YEAR",
    "REPORTED_VILLAGERS_YUAN_PER_YEAR",
    "annual_comparison",
    "villagers_fetching",
]

PARCELS_PER_TRIP = 2.0  # E
SPEED_FACTOR = 1.3  # E: × van travel time
WAIT_MIN = 5.0  # E: at the township station
COST_PER_KM = 0.3  # E: yuan, e-bike / motorbike
TIME_VALUE_PER_H = 20.0  # E: yuan per hour of rural working time
DAYS_PER_YEAR = 365  # delivery every day (PARAMETERS.md: 6–7 days a week)
#: Reported for Suichang (2022 interview with the county's postal company), yuan a year.
REPORTED_VILLAGERS_YUAN_PER_YEAR = 18_000_000
REPORTED_COURIERS_YUAN_PER_YEAR = 6_000_000


def villagers_fetching(
    county: County,
    stops: Sequence[StopDemand],
    by_brand: Mapping[str, Mapping[str, int]],
) -> dict[str, Any]:
    """Trips, km, hours and yuan villagers spend a day fetching the private brands' parcels
    from their township seat (the post still delivers its own to the village)."""
    town_of = {v.code: v.town_code for v in county.villages}
    per_town: dict[str, list[tuple[str, int]]] = {}
    for s in stops:
        private = sum(n for b, n in by_brand.get(s.code, {}).items() if b != POST_BRAND)
        if private > 0:
            per_town.setdefault(town_of[s.code], []).append((s.code, private))
    trips = 0
    km = 0.0
    hours = 0.0
    parcels = 0
    for town, villages in sorted(per_town.items()):
        dist, dur = county.matrices([town, *(c for c, _ in villages)])
        for k, (_, n) in enumerate(villages, start=1):
            t = math.ceil(n / PARCELS_PER_TRIP)
            trips += t
            parcels += n
            km += t * (int(dist[0, k]) + int(dist[k, 0])) / 1000
            hours += t * ((int(dur[0, k]) + int(dur[k, 0])) * SPEED_FACTOR / 3600 + WAIT_MIN / 60)
    cost = km * COST_PER_KM + hours * TIME_VALUE_PER_H
    return {
        "estimate": True,
        "parcels": parcels,
        "trips": trips,
        "km": round(km, 1),
        "hours": round(hours, 1),
        "cost": round(cost, 2),
        "assumptions": {
            "parcels_per_trip": PARCELS_PER_TRIP,
            "speed_factor_vs_van": SPEED_FACTOR,
            "wait_min": WAIT_MIN,
            "cost_per_km": COST_PER_KM,
            "time_value_per_h": TIME_VALUE_PER_H,
        },
    }


def annual_comparison(courier_saving_per_day: float, villagers_per_day: float) -> dict[str, Any]:
    """The model's yearly savings beside the ones reported for Suichang."""
    return {
        "days_per_year": DAYS_PER_YEAR,
        "couriers_model": round(courier_saving_per_day * DAYS_PER_YEAR),
        "couriers_reported": REPORTED_COURIERS_YUAN_PER_YEAR,
        "villagers_model": round(villagers_per_day * DAYS_PER_YEAR),
        "villagers_reported": REPORTED_VILLAGERS_YUAN_PER_YEAR,
        "estimate": True,
        "note": "model: couriers = township-drop van cost minus co-delivery van cost; "
        "villagers = their fetching trips to the township, at the assumed time value. "
        "The report's figures come from an interview (2022) and count what the model does "
        "not (staff, station rent, the whole county incl. urban parcels).",
    }
