"""From a sorted day to routing problems: the co-delivery rounds and the baselines.

The one place where scenario tables meet :mod:`routing` objects.

* **Co-delivery** (:func:`codelivery_problem`): one stop per rural village with parcels to
  deliver or collect; the delivery is every brand's parcels bagged in its chute, the pickup
  its outgoing parcels and produce; two load dimensions (parcels, litres); the round cannot
  leave before the village's chute is ready (same-day waves; next-day waves were ready the
  evening before).
* **Every brand alone** (:func:`brand_problems`): each brand plans its own rounds, on the same
  roads and the same kind of vans, to the villages that have its parcels, collecting its share
  of the outgoing parcels.
* **Township drop** (:func:`township_drop_problems`): the status quo ante — private brands
  drive to the township seats only (villagers fetch their parcels there); the post serves the
  villages with its own parcels.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gongpei.county import County
from gongpei.demand import DayDemand
from gongpei.scenario import Scenario
from routing import Depot, Problem, VehicleType, Village

__all__ = [
    "POST_BRAND",
    "StopDemand",
    "brand_problems",
    "codelivery_problem",
    "split_by_share",
    "township_drop_problems",
    "vehicle_types",
]

#: The brand whose carriers drive the co-delivery rounds (and serve villages in the status quo).
POST_BRAND = "ChinaPost"
HUB = "hub"


@dataclass(frozen=True, slots=True)
class StopDemand:
    """What one stop needs today: parcels/litres out and back, and when it is ready."""

    code: str
    deliver: int
    pickup: int
    pickup_litres: int
    release_s: int


def vehicle_types(scenario: Scenario, *, depot_ids: Mapping[str, str] | None = None) -> tuple[
    VehicleType, ...
]:
    """The scenario's vans as routing vehicle types (``depot`` 'hub' or a station)."""
    out = []
    depot_ids = depot_ids or {}
    for van in scenario.model.fleet.vans:
        depot = HUB if van.depot == "hub" else depot_ids.get(van.depot, van.depot)
        out.append(
            VehicleType(
                name=van.name,
                count=van.count,
                capacity=(van.capacity_parcels, van.capacity_litres),
                start_depot=depot,
                end_depot=depot,
                fixed_cost=van.fixed_cost,
                cost_per_km=van.cost_per_km,
                cost_per_h=van.cost_per_h,
                shift_start_s=van.shift_start,
                shift_end_s=van.shift_end,
                max_duration_s=round(van.max_duration_h * 3600),
                max_distance_m=round(van.max_km * 1000),
            )
        )
    return tuple(out)


def _village(scenario: Scenario, stop: StopDemand, *, depot: str | None = None) -> Village:
    r = scenario.model.routing
    d = scenario.model.demand
    handled = stop.deliver + stop.pickup
    return Village(
        id=stop.code,
        location=stop.code,
        delivery=(stop.deliver, round(stop.deliver * d.litres_per_parcel)),
        pickup=(stop.pickup, stop.pickup_litres),
        service_s=round(r.service_fixed_s + r.service_per_parcel_s * handled),
        window=(r.station_open, r.station_close),
        release_s=stop.release_s,
        depot=depot,
    )


def _problem(
    scenario: Scenario,
    county: County,
    name: str,
    stops: Sequence[StopDemand],
    *,
    types: tuple[VehicleType, ...] | None = None,
) -> Problem:
    # The depot has its own location id: the hub is also a village (上江村) with a stop.
    dist, time = county.matrices([county.hub] + [s.code for s in stops])
    return Problem(
        locations=(HUB, *(s.code for s in stops)),
        distance_m=dist,
        duration_s=time,
        depots=(Depot(HUB, HUB),),
        villages=tuple(_village(scenario, s) for s in stops),
        vehicle_types=types or vehicle_types(scenario),
        dimensions=("parcels", "litres"),
        name=name,
    )


def codelivery_problem(scenario: Scenario, county: County, stops: Sequence[StopDemand]) -> Problem:
    """All brands' parcels in one round per van, pickups on the same stops."""
    return _problem(scenario, county, f"{scenario.name}:codelivery", stops)


def split_by_share(total: int, shares: Mapping[str, float]) -> dict[str, int]:
    """``total`` split over ``shares`` in whole parcels (largest remainder, ties by name)."""
    names = sorted(shares)
    weights = np.array([shares[n] for n in names], dtype=float)
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(int)
    rest = total - int(base.sum())
    order = sorted(range(len(names)), key=lambda i: (-(exact[i] - base[i]), names[i]))
    for i in order[:rest]:
        base[i] += 1
    return {n: int(b) for n, b in zip(names, base, strict=True)}


def brand_problems(
    scenario: Scenario,
    county: County,
    stops: Sequence[StopDemand],
    by_brand: Mapping[str, Mapping[str, int]],
) -> dict[str, Problem]:
    """One problem per brand: its own parcels and its share of each village's pickups.

    ``by_brand[village][brand]`` counts the brand's parcels bagged for the village.
    """
    shares = scenario.model.brands.shares
    out: dict[str, Problem] = {}
    pick_split = {s.code: split_by_share(s.pickup, shares) for s in stops}
    litre_split = {s.code: split_by_share(s.pickup_litres, shares) for s in stops}
    for brand in shares:
        mine = []
        for s in stops:
            deliver = int(by_brand.get(s.code, {}).get(brand, 0))
            pickup = pick_split[s.code][brand]
            if deliver or pickup:
                mine.append(
                    StopDemand(s.code, deliver, pickup, litre_split[s.code][brand], s.release_s)
                )
        if mine:
            out[brand] = _problem(scenario, county, f"{scenario.name}:{brand}", mine)
    return out


def township_drop_problems(
    scenario: Scenario,
    county: County,
    stops: Sequence[StopDemand],
    by_brand: Mapping[str, Mapping[str, int]],
) -> dict[str, Problem]:
    """Private brands to the township seats only; the post to the villages with its parcels.

    A seat stop carries the brand's parcels for all the township's villages (and collects its
    share of their pickups, brought there by villagers). The seat is the township's first
    village in code order with the seat's position: its graph node is the township seat code.
    """
    shares = scenario.model.brands.shares
    town_of = {v.code: v.town_code for v in county.villages}
    out: dict[str, Problem] = {}
    for brand in shares:
        if brand == POST_BRAND:
            continue
        per_town: dict[str, list[int]] = {}
        for s in stops:
            deliver = int(by_brand.get(s.code, {}).get(brand, 0))
            pick = split_by_share(s.pickup, shares)[brand]
            litres = split_by_share(s.pickup_litres, shares)[brand]
            acc = per_town.setdefault(town_of[s.code], [0, 0, 0, 0])
            acc[0] += deliver
            acc[1] += pick
            acc[2] += litres
            acc[3] = max(acc[3], s.release_s)
        seat_stops = [
            StopDemand(town, a[0], a[1], a[2], a[3])
            for town, a in sorted(per_town.items())
            if a[0] or a[1]
        ]
        if seat_stops:
            out[brand] = _problem(scenario, county, f"{scenario.name}:{brand}@township", seat_stops)
    post = brand_problems(scenario, county, stops, by_brand).get(POST_BRAND)
    if post is not None:
        out[POST_BRAND] = post
    return out


def stops_from_day(
    county: County,
    demand: DayDemand,
    bagged: Mapping[str, int],
    ready_s: Mapping[str, float],
) -> list[StopDemand]:
    """The rural villages with something to deliver or collect today, in code order."""
    by_code = demand.by_code()
    out = []
    for v in county.rural:
        d = by_code[v.code]
        deliver = int(bagged.get(v.code, 0))
        if deliver == 0 and d.pickup_parcels == 0:
            continue
        release = ready_s.get(v.code)
        out.append(
            StopDemand(
                code=v.code,
                deliver=deliver,
                pickup=d.pickup_parcels,
                pickup_litres=d.pickup_litres,
                release_s=0 if release is None else math.ceil(release),
            )
        )
    return out
