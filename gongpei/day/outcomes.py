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
from gongpei.scenario.clock import format_clock
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
    """One outcome per village-level unit: what arrived for it, what was bagged, what its
    round delivered, and the status light with the reason for every light but blue/green.

    "Served" means delivered: a village is ``served`` only when its round reached it and
    every parcel that arrived for it was bagged and on the van. A village the round reached
    with parcels left on the line is ``partly_served``; one whose parcels arrived but none
    was bagged is ``not_sorted`` (a jammed chute, say), never "no parcels". Both are yellow
    and carry the count and the cause (the sorter outcome of each missing parcel).
    """

    from gongpei.day.problems import is_later_visit, village_code
    from gongpei.day.promise import promised_for

    # A split village (van-sized drops "code#k") is reached when its last drop is. A later
    # wave's own visit ("code+wave", a second trip) is not what the promise is about: the
    # village's light and arrival are those of its first visit (summary: later_visits).
    arrival: dict[str, tuple[str, int]] = {}
    for route in plan.routes:
        for s in route.stops:
            if is_later_visit(s.village):
                continue
            code = village_code(s.village)
            if code not in arrival or s.arrival_s > arrival[code][1]:
                arrival[code] = (route.vehicle, s.arrival_s)
    unserved = {village_code(u.village): u for u in plan.unserved if not is_later_visit(u.village)}
    on_rounds = {s.code: s for s in stops}
    dem = demand.by_code()
    sorted_in = sort.village_sorted
    n_v = len(sort.village_ids)
    arrived_counts = np.bincount(sort.village, minlength=n_v)
    arrived = dict(zip(sort.village_ids, arrived_counts.tolist(), strict=True))
    missing = _missing_by_outcome(sort)
    out = []
    for v in county.villages:
        d = dem[v.code]
        bagged = int(sorted_in.get(v.code, 0))
        stuck = int(arrived.get(v.code, 0)) - bagged
        veh, arr = arrival.get(v.code, (None, None))
        delivered = 0
        why_missing = _why_missing(stuck, missing.get(v.code, {}))
        if v.kind in county.excluded_kinds:
            status, light, reason = "urban", StatusLight.WHITE, ""
        elif v.code not in on_rounds:
            if stuck > 0:
                status, light = "not_sorted", StatusLight.YELLOW
                reason = f"none of {stuck} parcel(s) bagged: {why_missing}"
            else:
                status, light, reason = "no_parcels", StatusLight.WHITE, ""
        elif v.code in unserved:
            u = unserved[v.code]
            status, light = "unserved", StatusLight.YELLOW
            reason = u.reason
            if bagged:
                reason += f"; {bagged} bagged parcel(s) not loaded"
            if stuck > 0:
                reason += f"; {stuck} parcel(s) not bagged: {why_missing}"
        else:
            assert arr is not None
            delivered = on_rounds[v.code].deliver
            if stuck > 0:
                status, light = "partly_served", StatusLight.YELLOW
                reason = (
                    f"{delivered} of {delivered + stuck} parcel(s) delivered; "
                    f"{stuck} not bagged: {why_missing}"
                )
            else:
                status, reason = "served", ""
                promised = promised_for(scenario.model.routing, v.town_code)
                if arr <= promised - 3600:
                    light = StatusLight.BLUE
                elif arr <= promised:
                    light = StatusLight.GREEN
                else:
                    light = StatusLight.RED
                    reason = (
                        f"arrives {format_clock(arr)}, after the promised "
                        f"{format_clock(promised)}; "
                        + _late_reason(scenario, county, v.code, ready.get(v.code), promised)
                    )
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
                delivered=delivered,
            )
        )
    return tuple(out)


def _missing_by_outcome(sort: sorter.SortResult) -> dict[str, dict[str, int]]:
    """Village → sorter outcome → parcels that did not end bagged."""
    bagged = sorter.OUTCOMES.index("bagged")
    out: dict[str, dict[str, int]] = {}
    n_v = len(sort.village_ids)
    for k, name in enumerate(sorter.OUTCOMES):
        if k == bagged:
            continue
        counts = np.bincount(sort.village[sort.outcome == k], minlength=n_v)
        for j in np.flatnonzero(counts).tolist():
            out.setdefault(sort.village_ids[j], {})[name] = int(counts[j])
    return out


_OUTCOME_WORDS = {
    "in_system": "still on the line at the horizon",
    "no_read": "no-read, not keyed",
    "exception": "exception chute",
    "overflow": "overflow (chute full or jammed)",
}


def _why_missing(stuck: int, by_outcome: dict[str, int]) -> str:
    if stuck <= 0:
        return ""
    parts = [f"{n} {_OUTCOME_WORDS.get(k, k)}" for k, n in sorted(by_outcome.items())]
    return ", ".join(parts) or f"{stuck} not bagged"


def _late_reason(
    scenario: Scenario, county: County, code: str, ready_s: float | None, promised_s: int
) -> str:
    """``reason: detail`` of a village served after its promised time ``promised_s``
    (:func:`gongpei.day.promise.late_reason`; the drive from the hub, the earliest shift)."""
    from gongpei.day.promise import late_reason

    r = scenario.model.routing
    _, dur = county.matrices([county.hub, code])
    why = late_reason(
        code,
        promised_s=promised_s,
        ready_s=0 if ready_s is None else int(ready_s),
        shift_start_s=min(van.shift_start for van in scenario.model.fleet.vans),
        drive_s=int(dur[0, 1]),
        window_open_s=r.station_open,
    )
    return f"{why.reason}: {why.detail}"
