"""The cost–service frontier: what each extra van (or a later promise) buys in punctuality.

Why: a planner choosing a fleet needs more than the cheapest plan — the question is "what
does a sixth van buy?". :func:`frontier` sorts the day once, then re-solves the same day's
rounds for each fleet size (or each promised time) with the scenario's own solver settings
and measures cost, km and service: on-time villages and parcels, late parcel-hours and
unserved villages. Fleet sizes scale every van type in proportion to the scenario's
counts (largest remainder, at least one van of a type that has one).

Rows are plain dicts (``FRONTIER_COLUMNS``) for ``frontier.csv``; :func:`plot_frontier`
draws them, marking the scenario's own point.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gongpei.errors import FrontierError

if TYPE_CHECKING:
    from gongpei.scenario.loading import Scenario
    from routing import Plan, Problem
    from routing.callbacks import StopFn

__all__ = [
    "FRONTIER_COLUMNS",
    "FrontierError",
    "frontier",
    "parse_vans",
    "plot_frontier",
    "scaled_counts",
]

FRONTIER_COLUMNS = (
    "vans",
    "promised_by",
    "promise",
    "cost",
    "late_cost",
    "km",
    "on_time_villages",
    "on_time_parcels",
    "late_parcel_h",
    "unserved",
    "unserved_parcels",
    "own",
)


def parse_vans(text: str) -> list[int]:
    """``"5..9"`` → [5, 6, 7, 8, 9]; ``"5,8,12"`` → [5, 8, 12]."""
    try:
        if ".." in text:
            a, b = (int(x) for x in text.split("..", 1))
            values = list(range(a, b + 1))
        else:
            values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise FrontierError(f"--vans {text!r}: expected A..B or a list like 5,8,12") from None
    if not values or min(values) < 1 or len(values) > 60:
        raise FrontierError(f"--vans {text!r}: 1 to 60 fleet sizes, each >= 1")
    return values


def scaled_counts(counts: Sequence[int], total: int) -> list[int]:
    """``counts`` scaled to sum to ``total`` (largest remainder; ties to the first type);
    a type keeps at least one van while ``total`` allows."""
    base_total = sum(counts)
    exact = [c * total / base_total for c in counts]
    out = [max(1, math.floor(x)) if total >= len(counts) else math.floor(x) for x in exact]
    while sum(out) > total:
        k = max(range(len(out)), key=lambda i: (out[i] - exact[i], -i))
        out[k] -= 1
    order = sorted(range(len(out)), key=lambda i: (-(exact[i] - out[i]), i))
    k = 0
    while sum(out) < total:
        out[order[k % len(order)]] += 1
        k += 1
    return out


def _measure(problem: Problem, plan: Plan, promised_s: int) -> dict[str, Any]:
    villages = {v.id: v for v in problem.villages}
    on_time = on_parcels = 0
    late_ph = 0.0
    for r in plan.routes:
        for s in r.stops:
            parcels = villages[s.village].delivery[0]
            if s.arrival_s <= promised_s:
                on_time += 1
                on_parcels += parcels
            else:
                late_ph += parcels * (s.arrival_s - promised_s) / 3600
    return {
        "cost": round(plan.cost, 2),
        "late_cost": round(plan.late_cost, 2),
        "km": round(plan.distance_m / 1000, 1),
        "on_time_villages": on_time,
        "on_time_parcels": on_parcels,
        "late_parcel_h": round(late_ph, 2),
        "unserved": len(plan.unserved),
        "unserved_parcels": sum(villages[u.village].delivery[0] for u in plan.unserved),
    }


def frontier(
    scenario: Scenario,
    *,
    vans: Sequence[int] | None = None,
    promises: Sequence[int] | None = None,
    stop: StopFn | None = None,
) -> list[dict[str, Any]]:
    """One row per fleet size in ``vans`` (or per promised time in ``promises``, seconds),
    the rest of the day as in ``scenario``; the day is sorted once. Rounds are solved with
    the scenario's solver settings (:func:`gongpei.day.solving.solver_settings`).

    ``stop`` (default: an enclosing :func:`routing.callbacks.stopping` block, e.g. a first
    Ctrl-C): no point starts after it, and the point it cut short is left out (its search
    did not run its budget), so the rows are the points done: fewer rows, a partial
    frontier."""
    from gongpei.day.pipeline import day_problem
    from gongpei.day.problems import codelivery_problem, station_problem
    from gongpei.day.solving import solver_settings
    from gongpei.scenario.clock import format_clock
    from routing.callbacks import stop_requested

    if (vans is None) == (promises is None):
        raise FrontierError("give either fleet sizes (--vans) or promised times (--promise)")
    dp = day_problem(scenario)
    settings = solver_settings(scenario).rounds
    r = scenario.model.routing
    own_vans = dp.problem.num_vehicles
    rows: list[dict[str, Any]] = []
    points: list[tuple[int, int]] = (
        [(n, r.promised_by) for n in vans]
        if vans is not None
        else [(own_vans, p) for p in promises or ()]
    )
    for n, promised in points:
        if stop_requested(stop):
            break
        sc = scenario.with_overrides({"routing.promised_by": format_clock(promised)})
        if scenario.model.county.use_transfer_stations:
            problem = station_problem(sc, dp.sorted.county, dp.stops)[0]
        else:
            problem = codelivery_problem(sc, dp.sorted.county, dp.stops)
        counts = scaled_counts([t.count for t in problem.vehicle_types], n)
        types = tuple(
            dataclasses.replace(t, count=c)
            for t, c in zip(problem.vehicle_types, counts, strict=True)
            if c > 0
        )
        problem = problem.replace(vehicle_types=types)
        plan = settings.solve(problem, stop=stop)
        if stop_requested(stop):
            break  # cut short: not a point of the frontier
        rows.append(
            {
                "vans": n,
                "promised_by": format_clock(promised),
                "promise": r.promise,
                **_measure(problem, plan, promised),
                "own": n == own_vans and promised == r.promised_by,
            }
        )
    return rows


def plot_frontier(rows: Sequence[dict[str, Any]], ax: Any = None, *, by: str = "vans") -> None:
    """Cost against late parcel-hours, one point per row labelled by ``by``; the scenario's
    own point (``own``) is ringed."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.gca()
    xs = [row["cost"] for row in rows]
    ys = [row["late_parcel_h"] for row in rows]
    ax.plot(xs, ys, "-o", color="#1f77b4", lw=1, ms=4)
    for row, x, y in zip(rows, xs, ys, strict=True):
        ax.annotate(str(row[by]), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
        if row.get("own"):
            ax.plot([x], [y], "o", ms=12, mfc="none", mec="#d62728", mew=2, label="this plan")
    ax.set_xlabel("cost of the rounds, ¥ a day")
    ax.set_ylabel("late parcel-hours (after the promised time)")
    ax.grid(True, alpha=0.3)
    if any(row.get("own") for row in rows):
        ax.legend(loc="upper right")
