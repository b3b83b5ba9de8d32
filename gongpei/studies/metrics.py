"""What one run of a study measures: the metrics of a sorting day and of a whole day.

Each metric is a plain float in a dict, so rows pickle and go straight into a DataFrame.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from gongpei.scenario.loading import Scenario

#: Metrics of a sorting day (``what="sort"``), in display order. Times in seconds after
#: midnight (``*_ready_s``) or seconds (``makespan_s``, waits); counts in parcels.
SORT_METRICS: tuple[str, ...] = (
    "throughput_per_h",
    "peak_throughput_per_h",
    "recirculation_rate",
    "last_chute_ready_s",
    "same_day_ready_s",
    "makespan_s",
    "mean_induction_wait_s",
    "parcels",
    "bagged",
    "no_read",
    "exception",
    "overflow",
    "in_system",
    "bags",
    "reinductions",
    "chutes_ready_by_first_departure",
    "parcels_after_cutoff",
    "sorting_headcount",
    "sorting_staff_hours",
    "sorting_total_yuan",
    "sorting_yuan_per_parcel",
)


#: Extra metrics of a whole day (``what="day"``): the rounds and the co-delivery saving
#: against every brand driving alone (NaN when the scenario has no such baseline, and NaN
#: when the baseline does not serve the same villages and parcels: ``saving_equal_service``
#: is then 0 and the row's ``saving_note`` says why; 1 when the saving is like for like);
#: ``villages_on_time``: served villages whose round arrives by the promised time (blue or
#: green light).
DAY_METRICS: tuple[str, ...] = (
    "routes",
    "vans_used",
    "distance_km",
    "cost",
    "co2_kg",
    "villages_served",
    "villages_unserved",
    "on_time_villages",
    "red",
    "yellow",
    "late_parcel_h",
    "pickups_collected",
    "saving_distance_pct",
    "saving_cost_pct",
    "saving_van_hours_pct",
    "saving_equal_service",
    "median_rural_ready_s",
    "first_departure_s",
    "last_departure_s",
    "on_time_villages",
    "late_villages",
)


if TYPE_CHECKING:
    from gongpei.day.results import DayResult
    from sorter import SortResult


# ---- one run ---------------------------------------------------------------------------------
def sort_metrics(sort: SortResult, scenario: Scenario) -> dict[str, float]:
    """Headline numbers of a sorting day (see :data:`SORT_METRICS`).

    ``throughput_per_h`` averages over the whole day, idle hours between waves included;
    ``peak_throughput_per_h`` is the busiest clock hour, what the layout can sustain.
    ``same_day_ready_s`` is the last village ready time counting only the waves whose parcels
    go on today's rounds: the time the last van can leave, which the layout should bring
    forward. ``last_chute_ready_s`` counts every wave.

    ``reinductions`` counts inductions beyond each parcel's first (rejects and recirculation
    overflow carried back, keyed no-reads); ``chutes_ready_by_first_departure`` is the share
    of villages with same-day parcels whose chute is ready when the first round can leave:
    the later of the earliest van shift start and the end of the last same-day wave's
    cut-off bagging round (:func:`gongpei.day.line_inputs.cutoff_bagging_round_s`; the rounds
    do not wait for bags later than that); ``parcels_after_cutoff`` are the same-day parcels
    bagged after that round, which wait for tomorrow's (``summary.json`` ``sorter.
    bagged_after_cutoff``). ``sorting_*`` price the day with ``[economics]``
    (:mod:`gongpei.day.sorting_cost`).
    """
    from gongpei.day.sorting_cost import day_sorting_cost

    s = sort.summary()
    p = s["parcels"]
    same_day = {w.name for w in scenario.model.brands.waves if w.rounds == "same_day"}
    ready = [
        t
        for wave, by_village in sort.village_ready_by_wave.items()
        if wave in same_day
        for t in by_village.values()
    ]
    _, per_hour = sort.throughput_per_hour()
    first_departure = _first_departure_s(sort, scenario)
    cost = day_sorting_cost(scenario, sort)
    return {
        "throughput_per_h": float(s["throughput_per_h"]),
        "peak_throughput_per_h": float(per_hour.max()) if len(per_hour) else 0.0,
        "recirculation_rate": float(s["recirculation_rate"]),
        "last_chute_ready_s": float(s["last_chute_ready_s"]),
        "same_day_ready_s": float(max(ready)) if ready else math.nan,
        "makespan_s": float(s["makespan_s"]),
        "mean_induction_wait_s": float(s["mean_induction_wait_s"]),
        "parcels": int(p["total"]),
        "bagged": int(p["bagged"]),
        "no_read": int(p["no_read"]),
        "exception": int(p["exception"]),
        "overflow": int(p["overflow"]),
        "in_system": int(p["in_system"]),
        "bags": int(s["bags"]),
        "reinductions": _reinductions(sort),
        "chutes_ready_by_first_departure": (
            sum(t <= first_departure for t in ready) / len(ready) if ready else math.nan
        ),
        "parcels_after_cutoff": _after_cutoff(sort, scenario),
        "sorting_headcount": int(cost.headcount),
        "sorting_staff_hours": float(cost.staff_hours),
        "sorting_total_yuan": float(cost.total_yuan),
        "sorting_yuan_per_parcel": float(cost.yuan_per_parcel),
    }


def _first_departure_s(sort: SortResult, scenario: Scenario) -> float:
    from gongpei.day.line_inputs import cutoff_bagging_round_s

    m = scenario.model
    cutoffs = [w.cutoff for w in m.brands.waves if w.rounds == "same_day"]
    start = float(min(v.shift_start for v in m.fleet.vans))
    if not cutoffs:
        return start
    return max(start, max(cutoffs) + cutoff_bagging_round_s(sort.line))


def _after_cutoff(sort: SortResult, scenario: Scenario) -> int:
    from gongpei.day.line_inputs import cutoff_bagging_round_s
    from gongpei.day.ready import same_day_ready

    waves = [(w.name, w.cutoff) for w in scenario.model.brands.waves if w.rounds == "same_day"]
    _, late = same_day_ready(sort, waves, cutoff_bagging_round_s(sort.line))
    return sum(late.values())


def _reinductions(sort: SortResult) -> int:
    """Inductions beyond each parcel's first one."""
    parcels = sort.visits["parcel"]
    return int(parcels.size - np.unique(parcels).size)


def day_metrics(day: DayResult) -> dict[str, Any]:
    """Headline numbers of a whole day: the sorter's, the rounds' and the saving (floats),
    and :data:`SAVING_NOTE` (text: why there is no saving, or ``""``)."""
    out: dict[str, Any] = dict(sort_metrics(day.sort, day.scenario))
    s = day.summary()
    r = s["routing"]
    for key in ("routes", "vans_used", "distance_km", "cost", "co2_kg"):
        if key in r:
            out[key] = float(r[key])
    out["villages_served"] = int(s["villages"]["served"])
    out["villages_unserved"] = int(s["villages"]["unserved"])
    service = s.get("service") or {}  # the service beside km and cost (issue 15)
    for key in ("on_time_villages", "red", "yellow", "late_parcel_h", "pickups_collected"):
        out[key] = float(service[key]) if key in service else math.nan
    saving = s.get("codelivery_saving") or {}
    note = unequal_service_note(saving)
    for key in ("distance_pct", "cost_pct", "van_hours_pct"):
        # a saving on unequal service is not a saving (issue 13): no number, the note says why
        out[f"saving_{key}"] = float(saving[key]) if key in saving and not note else math.nan
    out["saving_equal_service"] = math.nan if not saving else float(not note)
    # The line in the rounds: when the rural chutes are ready, when vans leave (after
    # loading), and how many villages get their parcels by the promise (lights blue/green).
    ltv = s["line_to_van"]
    for key in ("median_rural_ready_s", "first_departure_s", "last_departure_s"):
        out[key] = math.nan if ltv[key] is None else float(ltv[key])
    lights = s["villages"]["lights"]
    out["on_time_villages"] = int(lights.get("blue", 0) + lights.get("green", 0))
    out["late_villages"] = int(lights.get("red", 0))
    out[SAVING_NOTE] = note
    return out


#: The row column (not a metric) that says why a day's saving is not reported.
SAVING_NOTE = "saving_note"


def unequal_service_note(saving: dict[str, Any]) -> str:
    """Why ``saving`` (a summary's ``codelivery_saving`` block) is no saving: ``""`` when it
    is like for like (``equal_service``) or absent, else one line with both sides' service,
    as ``gongpei run``'s headline words it."""
    if not saving or saving.get("equal_service", True):
        return ""
    service = saving.get("service") or {}
    ours, theirs = service.get("codelivery") or {}, service.get("baseline") or {}

    def side(d: dict[str, Any]) -> str:
        delivered, left = d.get("parcels_delivered", "?"), d.get("unserved_stops", "?")
        return f"delivers {delivered} parcels, leaves {left} stops"

    return (
        "no saving claimed: unequal service (co-delivery "
        + side(ours)
        + "; every brand alone "
        + (side(theirs) if theirs else "no service record")
        + ")"
    )
