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
from dataclasses import dataclass, replace

import numpy as np

from gongpei.county.build import County
from gongpei.day.demand import DayDemand
from gongpei.scenario.loading import Scenario
from routing import Depot, Problem, VehicleType, Village
from routing.split import split_large

__all__ = [
    "POST_BRAND",
    "VISIT_SEP",
    "StopDemand",
    "brand_problems",
    "brand_stops",
    "codelivery_problem",
    "split_by_share",
    "station_problem",
    "township_drop_problems",
    "vehicle_types",
    "village_code",
    "with_later_visits",
]

#: The brand whose carriers drive the co-delivery rounds (and serve villages in the status quo).
POST_BRAND = "ChinaPost"
HUB = "hub"


#: Separator between a village code and a later wave's name in a later visit's stop id
#: (``"331123103201+midday"``), as ``routing.split.PART_SEP`` separates a split drop's part.
VISIT_SEP = "+"


@dataclass(frozen=True, slots=True)
class StopDemand:
    """What one stop needs today: parcels/litres out and back, and when it is ready.

    ``visit``: "" for the village's (first) visit; a later same-day wave's name for the
    separate visit that brings that wave's parcels (``same_day_within_km``, a second trip),
    whose stop id is ``code + VISIT_SEP + visit``."""

    code: str
    deliver: int
    pickup: int
    pickup_litres: int
    release_s: int
    deliver_litres: int | None = None  # from the sorter's parcel sizes; None: per-parcel mean
    visit: str = ""

    @property
    def stop_id(self) -> str:
        """The routing village id: the village code, or ``code+wave`` for a later visit."""
        return f"{self.code}{VISIT_SEP}{self.visit}" if self.visit else self.code


def village_code(stop_id: str) -> str:
    """The village code of a routing stop id: a split drop (``code#k``) or a later visit
    (``code+wave``, also split: ``code+wave#k``) belongs to its village."""
    from routing.split import village_of

    return village_of(stop_id).split(VISIT_SEP, 1)[0]


def is_later_visit(stop_id: str) -> bool:
    """Whether a routing stop id is a later wave's visit (``code+wave``)."""
    return VISIT_SEP in stop_id


def with_later_visits(
    stops: Sequence[StopDemand], visits: Sequence[StopDemand]
) -> list[StopDemand]:
    """The problem's stops: each village's first visit without the parcels its later
    visits bring (a first visit left with nothing to deliver or collect is dropped), then
    the later visits, in code order."""
    later: dict[str, list[StopDemand]] = {}
    for v in visits:
        later.setdefault(v.code, []).append(v)
    out: list[StopDemand] = []
    for s in stops:
        mine = later.get(s.code, [])
        deliver = s.deliver - sum(v.deliver for v in mine)
        litres = s.deliver_litres
        if litres is not None:
            litres = max(0, litres - sum(v.deliver_litres or 0 for v in mine))
        if deliver < 0:
            raise ValueError(f"village {s.code}: later visits bring more parcels than it has")
        if deliver or s.pickup:
            out.append(replace(s, deliver=deliver, deliver_litres=litres))
    return out + sorted(visits, key=lambda v: (v.code, v.visit))


def vehicle_types(
    scenario: Scenario, *, depot_ids: Mapping[str, str] | None = None
) -> tuple[VehicleType, ...]:
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
                max_trips=van.max_trips,
                reload_s=round(van.reload_min * 60),
            )
        )
    return tuple(out)


def _village(
    scenario: Scenario, stop: StopDemand, *, depot: str | None = None, town: str | None = None
) -> Village:
    """One stop as a routing village: the one place ``[routing]``'s promise and drop
    penalty become problem data (see :mod:`gongpei.day.promise`); ``town``: the stop's
    township code (its own promise, ``routing.promised_by_towns``)."""
    from gongpei.day.promise import promise_terms

    r = scenario.model.routing
    d = scenario.model.demand
    handled = stop.deliver + stop.pickup
    close, due, late_per_h, penalty = promise_terms(r, stop.deliver, stop.pickup, town)
    if stop.visit:
        # A later wave's visit: promised_by is the morning parcels' promise; the wave's own
        # parcels are ready in the afternoon, so they are due by the station's close only.
        close, due, late_per_h = r.station_close, None, 0.0
    return Village(
        id=stop.stop_id,
        location=stop.code,
        delivery=(stop.deliver, delivery_litres(stop, d.litres_per_parcel)),
        pickup=(stop.pickup, stop.pickup_litres),
        service_s=round(r.service_fixed_s + r.service_per_parcel_s * handled),
        window=(r.station_open, close),
        release_s=stop.release_s,
        depot=depot,
        due_s=due,
        late_cost_per_h=late_per_h,
        drop_penalty=penalty,
    )


def delivery_litres(stop: StopDemand, litres_per_parcel: float) -> int:
    """The stop's delivery litres: its parcels' own sizes when the sorter drew them
    (``sorter.parcel_sizes = "cartons"``), else ``litres_per_parcel`` each."""
    if stop.deliver_litres is not None:
        return stop.deliver_litres
    return round(stop.deliver * litres_per_parcel)


def _problem(
    scenario: Scenario,
    county: County,
    name: str,
    stops: Sequence[StopDemand],
    *,
    types: tuple[VehicleType, ...] | None = None,
) -> Problem:
    # The depot has its own location id: the hub is also a village (上江村) with a stop.
    # A village with a later visit has two stops at one location.
    codes = list(dict.fromkeys(s.code for s in stops))
    dist, time = county.matrices([county.hub, *codes])
    # A township-drop seat stop's code is its township's code.
    town_of = {v.code: v.town_code for v in county.villages}
    problem = Problem(
        locations=(HUB, *codes),
        distance_m=dist,
        duration_s=time,
        depots=(Depot(HUB, HUB),),
        villages=tuple(_village(scenario, s, town=town_of.get(s.code, s.code)) for s in stops),
        vehicle_types=types or vehicle_types(scenario),
        dimensions=("parcels", "litres"),
        name=name,
    )
    # A village bigger than every van becomes van-sized drops "code#1", "code#2", ...
    # (routing.split; a festival day's largest villages) instead of being rejected.
    return split_large(problem)[0]


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


def brand_stops(
    scenario: Scenario,
    stops: Sequence[StopDemand],
    by_brand: Mapping[str, Mapping[str, int]],
) -> dict[str, list[StopDemand]]:
    """Each brand's own stops: its parcels bagged for the village and its share of the
    village's pickups (split by brand share in whole parcels). Brands with nothing to do
    are left out.

    ``by_brand[village][brand]`` counts the brand's parcels bagged for the village.
    """
    shares = scenario.model.brands.shares
    pick = {s.code: split_by_share(s.pickup, shares) for s in stops}
    litres = {s.code: split_by_share(s.pickup_litres, shares) for s in stops}
    out: dict[str, list[StopDemand]] = {}
    for brand in shares:
        mine = []
        for s in stops:
            deliver = int(by_brand.get(s.code, {}).get(brand, 0))
            if deliver or pick[s.code][brand]:
                own = None
                if s.deliver_litres is not None and s.deliver:
                    own = round(s.deliver_litres * deliver / s.deliver)
                mine.append(
                    StopDemand(
                        s.code,
                        deliver,
                        pick[s.code][brand],
                        litres[s.code][brand],
                        s.release_s,
                        own,
                    )
                )
        if mine:
            out[brand] = mine
    return out


def brand_problems(
    scenario: Scenario,
    county: County,
    stops: Sequence[StopDemand],
    by_brand: Mapping[str, Mapping[str, int]],
) -> dict[str, Problem]:
    """One problem per brand: every brand drives its own rounds to its villages."""
    return {
        brand: _problem(scenario, county, f"{scenario.name}:{brand}", mine)
        for brand, mine in brand_stops(scenario, stops, by_brand).items()
    }


def township_drop_problems(
    scenario: Scenario,
    county: County,
    stops: Sequence[StopDemand],
    by_brand: Mapping[str, Mapping[str, int]],
) -> dict[str, Problem]:
    """Private brands to the township seats only; the post to the villages with its parcels.

    A seat stop carries the brand's parcels for all the township's villages (and collects its
    share of their pickups, brought there by villagers); its graph node is the township seat.
    """
    town_of = {v.code: v.town_code for v in county.villages}
    out: dict[str, Problem] = {}
    for brand, mine in brand_stops(scenario, stops, by_brand).items():
        if brand == POST_BRAND:
            out[brand] = _problem(scenario, county, f"{scenario.name}:{brand}", mine)
            continue
        per_town: dict[str, list[int]] = {}
        for s in mine:
            acc = per_town.setdefault(town_of[s.code], [0, 0, 0, 0])
            acc[0] += s.deliver
            acc[1] += s.pickup
            acc[2] += s.pickup_litres
            acc[3] = max(acc[3], s.release_s)
        seat_stops = [
            StopDemand(town, a[0], a[1], a[2], a[3]) for town, a in sorted(per_town.items())
        ]
        out[brand] = _problem(scenario, county, f"{scenario.name}:{brand}@township", seat_stops)
    return out


def stops_from_day(
    county: County,
    demand: DayDemand,
    bagged: Mapping[str, int],
    ready_s: Mapping[str, float],
    litres: Mapping[str, float] | None = None,
) -> list[StopDemand]:
    """The rural villages with something to deliver or collect today, in code order.

    ``litres``: village -> litres of its bagged parcels (``SortResult.village_litres``, when
    the sorter drew carton sizes), so a van's volume can bind; ``None``: the mean per parcel.
    """
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
                deliver_litres=None if litres is None else round(litres.get(v.code, 0.0)),
            )
        )
    return out


# --- county–town–village: township transfer stations ---------------------------------------
@dataclass(frozen=True, slots=True)
class TrunkRun:
    """Hub → township transfer station and back by the trunk truck, once a day."""

    station: str  # township code
    parcels: int
    trips: int
    distance_m: int  # both ways, all trips
    depart_s: int
    arrive_s: int
    cost: float
    co2_kg: float
    transfer_s: int = 0  # unloading at the station: its vans can be loaded from arrive + this
    loading_start_s: int | None = None  # at a hub dock (None: not loaded at the docks yet)
    dock: int | None = None  # 0-based hub dock it was loaded at


def station_id(town_code: str) -> str:
    return f"st:{town_code}"


def station_problem(
    scenario: Scenario, county: County, stops: Sequence[StopDemand]
) -> tuple[Problem, tuple[TrunkRun, ...]]:
    """Rounds from township transfer stations, fed by a trunk run from the hub.

    Rules (stated, so a planner can argue with them):

    * a village is served from its own township's station when the township has one
      (``county.transfer_stations``), otherwise from the hub;
    * the trunk truck is loaded at a hub dock once the last chute of the station's villages
      is ready, a roll cage (``loading.cage_parcels``) at a time in
      ``fleet.trunk.cage_load_s`` each, drives at ``fleet.trunk.speed_factor`` × van
      times, and is unloaded at the station in ``transfer_min``; the station's vans can
      leave once that is done (more trips if the parcels exceed its capacity). Here the
      trunk waits for no dock; :class:`gongpei.day.departures.StationLoading` then loads
      the day at the hub's docks (trunks and hub rounds in one queue) and the station
      vans at the stations, and the rounds are re-timed on that;
    * vans: van types whose ``depot`` names a station stay as given; otherwise each station
      takes ceil(its parcels / 80 % of a van) + 1 vans from the hub's van types, in the order
      of ``[[fleet.vans]]``; the rest stay at the hub.
    """
    m = scenario.model
    trunk = m.fleet.trunk
    stations = list(dict.fromkeys(m.county.transfer_stations))
    town_of = {v.code: v.town_code for v in county.villages}
    depot_of = {
        s.code: station_id(town_of[s.code]) if town_of[s.code] in stations else HUB for s in stops
    }
    served = [t for t in stations if any(d == station_id(t) for d in depot_of.values())]

    nodes = [county.hub, *served, *(s.code for s in stops)]
    dist, time = county.matrices(nodes)
    locations = (HUB, *(station_id(t) for t in served), *(s.code for s in stops))

    runs: list[TrunkRun] = []
    depots = [Depot(HUB, HUB)]
    for k, town in enumerate(served, start=1):
        mine = [s for s in stops if depot_of[s.code] == station_id(town)]
        parcels = sum(s.deliver for s in mine)
        trips = max(1, math.ceil(parcels / trunk.capacity_parcels))
        cages = sum(math.ceil(s.deliver / m.loading.cage_parcels) for s in mine)
        depart = max((s.release_s for s in mine), default=0) + round(cages * trunk.cage_load_s)
        arrive = depart + round(int(time[0, k]) * trunk.speed_factor)
        km2 = 2 * int(dist[0, k]) * trips
        runs.append(
            TrunkRun(
                station=town,
                parcels=parcels,
                trips=trips,
                distance_m=km2,
                depart_s=depart,
                arrive_s=arrive,
                cost=trips * trunk.fixed_cost + km2 / 1000 * trunk.cost_per_km,
                co2_kg=km2 / 1000 * trunk.co2_kg_per_km,
                transfer_s=round(trunk.transfer_min * 60),
            )
        )
        depots.append(
            Depot(station_id(town), station_id(town), ready_s=arrive + runs[-1].transfer_s)
        )

    types = _station_fleet(scenario, stops, depot_of, served)
    villages = tuple(
        _village(scenario, s, depot=depot_of[s.code], town=town_of[s.code]) for s in stops
    )
    problem = Problem(
        locations=locations,
        distance_m=dist,
        duration_s=time,
        depots=tuple(depots),
        villages=villages,
        vehicle_types=types,
        dimensions=("parcels", "litres"),
        name=f"{scenario.name}:stations",
    )
    return split_large(problem)[0], tuple(runs)


def _station_fleet(
    scenario: Scenario,
    stops: Sequence[StopDemand],
    depot_of: Mapping[str, str],
    served: Sequence[str],
) -> tuple[VehicleType, ...]:
    base = vehicle_types(scenario, depot_ids={t: station_id(t) for t in served})
    explicit = {t.start_depot for t in base if t.start_depot != HUB}
    pool = {t.name: t.count for t in base if t.start_depot == HUB}
    out: list[VehicleType] = [t for t in base if t.start_depot != HUB]
    for town in served:
        sid = station_id(town)
        if sid in explicit:
            continue
        parcels = sum(s.deliver for s in stops if depot_of[s.code] == sid)
        for t in base:
            if t.start_depot != HUB or pool[t.name] == 0:
                continue
            need = math.ceil(parcels / (0.8 * t.capacity[0])) + 1
            take = min(need, pool[t.name])
            pool[t.name] -= take
            out.append(
                replace(t, name=f"{t.name}@{town}", count=take, start_depot=sid, end_depot=sid)
            )
            break
    out.extend(
        replace(t, count=pool[t.name]) for t in base if t.start_depot == HUB and pool[t.name] > 0
    )
    return tuple(out)
