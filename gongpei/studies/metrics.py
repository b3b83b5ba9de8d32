"""What one run of a study measures: the metrics of a sorting day and of a whole day.

Each metric is a plain float in a dict, so rows pickle and go straight into a DataFrame.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

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
)


#: Extra metrics of a whole day (``what="day"``): the rounds and the co-delivery saving
#: against every brand driving alone (absent when the scenario has no such baseline).
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
    """
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
    }


def day_metrics(day: DayResult) -> dict[str, float]:
    """Headline numbers of a whole day: the sorter's, the rounds' and the saving."""
    out: dict[str, float] = sort_metrics(day.sort, day.scenario)
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
    for key in ("distance_pct", "cost_pct", "van_hours_pct"):
        out[f"saving_{key}"] = float(saving[key]) if key in saving else math.nan
    return out
