"""What each village got: served or not, when, with which status light and why.

The status-light rules (white, blue, green, yellow, red) and the plan's CO₂ live here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import sorter
from gongpei.county.build import County
from gongpei.day.problems import (
    StopDemand,
)
from gongpei.day.results import StatusLight, VillageOutcome
from gongpei.scenario.loading import Scenario
from routing import Plan


def plan_co2_kg(plan: Plan, scenario: Scenario) -> float:
    """Tailpipe CO₂ of a plan from each van type's kg/km."""
    per_km = {v.name: v.co2_kg_per_km for v in scenario.model.fleet.vans}
    # station vans are named "<type>@<township>"
    return sum(
        r.distance_m / 1000 * per_km.get(r.vehicle_type.split("@")[0], 0.0) for r in plan.routes
    )


def village_outcomes(
    scenario: Scenario,
    county: County,
    demand: Any,
    sort: sorter.SortResult,
    stops: list[StopDemand],
    plan: Plan,
    ready: dict[str, float],
    by_brand: dict[str, dict[str, int]],
) -> tuple[VillageOutcome, ...]:
    promised = scenario.model.routing.promised_by
    from routing.split import village_of

    # A split village (van-sized drops "code#k") is reached when its last drop is.
    arrival: dict[str, tuple[str, int]] = {}
    for route in plan.routes:
        for s in route.stops:
            code = village_of(s.village)
            if code not in arrival or s.arrival_s > arrival[code][1]:
                arrival[code] = (route.vehicle, s.arrival_s)
    unserved = {village_of(u.village): u for u in plan.unserved}
    on_rounds = {s.code for s in stops}
    dem = demand.by_code()
    sorted_in = sort.village_sorted
    counts = np.bincount(sort.village, minlength=len(sort.village_ids))
    arrived = dict(zip(sort.village_ids, counts.tolist(), strict=True))
    out = []
    for v in county.villages:
        d = dem[v.code]
        bagged = int(sorted_in.get(v.code, 0))
        stuck = int(arrived.get(v.code, 0)) - bagged
        veh, arr = arrival.get(v.code, (None, None))
        if v.kind in county.excluded_kinds:
            status, light, reason = "urban", StatusLight.WHITE, ""
        elif v.code not in on_rounds:
            status, light, reason = "no_parcels", StatusLight.WHITE, ""
        elif v.code in unserved:
            u = unserved[v.code]
            status, light, reason = "unserved", StatusLight.YELLOW, u.reason
        else:
            status, reason = "served", ""
            assert arr is not None
            if stuck > 0:
                light = StatusLight.YELLOW
                reason = f"{stuck} parcel(s) not bagged (exception/overflow/still on the line)"
            elif arr <= promised - 3600:
                light = StatusLight.BLUE
            elif arr <= promised:
                light = StatusLight.GREEN
            else:
                light = StatusLight.RED
                reason = _late_reason(scenario, county, v.code, ready.get(v.code))
        out.append(
            VillageOutcome(
                code=v.code,
                name=v.name,
                township=v.town_name,
                rural=v.kind not in county.excluded_kinds,
                parcels_by_brand=dict(sorted(by_brand.get(v.code, {}).items())),
                sorted_parcels=bagged,
                not_bagged=stuck,
                ready_s=ready.get(v.code),
                pickup_parcels=d.pickup_parcels,
                pickup_litres=d.pickup_litres,
                vehicle=veh,
                arrival_s=arr,
                status=status,
                reason=reason,
                light=light,
            )
        )
    return tuple(out)


def _late_reason(scenario: Scenario, county: County, code: str, ready_s: float | None) -> str:
    """``reason: detail`` of a village served after the promised time
    (:func:`gongpei.day.promise.late_reason`; the drive from the hub, the earliest shift)."""
    from gongpei.day.promise import late_reason

    r = scenario.model.routing
    _, dur = county.matrices([county.hub, code])
    why = late_reason(
        code,
        promised_s=r.promised_by,
        ready_s=0 if ready_s is None else int(ready_s),
        shift_start_s=min(van.shift_start for van in scenario.model.fleet.vans),
        drive_s=int(dur[0, 1]),
        window_open_s=r.station_open,
    )
    return f"{why.reason}: {why.detail}"
