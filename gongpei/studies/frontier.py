"""The cost–service frontier: what each extra van (or a later promise) buys in punctuality.

Why: a planner choosing a fleet needs more than the cheapest plan — the question is "what
does a sixth van buy?". :func:`frontier` sorts the day once, then re-solves the same day's
rounds for each fleet size (or each promised time) with the scenario's own solver settings
and measures cost, km and service: on-time villages and parcels, late parcel-hours and
unserved villages. Fleet sizes scale every van type in proportion to the scenario's
counts (largest remainder, at least one van of a type that has one).

Rows are plain dicts (``FRONTIER_COLUMNS``) for ``frontier.csv``; :func:`plot_frontier`
draws them and marks the plan's own point: the row with ``own = True`` (the scenario's own
fleet and promise, always present: :func:`frontier` adds it when the fleet sizes asked for
leave it out), or a plan of a run measured by :func:`plan_point` (``gongpei run
--frontier frontier.csv`` marks the run's own plan on a frontier computed before, since a
frontier costs one full solve per point and is not cheap to compute inside a run).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gongpei.errors import FrontierError
from gongpei.studies.frontier_points import (
    FRONTIER_COLUMNS,
    PLAN_LABEL,
    _measure,
    plan_point,
    plot_frontier,
    read_frontier_csv,
)

if TYPE_CHECKING:
    from gongpei.scenario.loading import Scenario
    from routing.callbacks import StopFn

__all__ = [
    "FRONTIER_COLUMNS",
    "PLAN_LABEL",
    "FrontierError",
    "frontier",
    "parse_vans",
    "plan_point",
    "plot_frontier",
    "read_frontier_csv",
    "scaled_counts",
]


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


def frontier(
    scenario: Scenario,
    *,
    vans: Sequence[int] | None = None,
    promises: Sequence[int] | None = None,
    stop: StopFn | None = None,
) -> list[dict[str, Any]]:
    """One row per fleet size in ``vans`` (or per promised time in ``promises``, seconds),
    the rest of the day as in ``scenario``; the day is sorted once. Rounds are solved with
    the scenario's solver settings (:func:`gongpei.day.solving.solver_settings`). The
    scenario's own point (its fleet and promise, ``own = True``) is always a row: when the
    points asked for leave it out, it is solved too and put in order.

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
    if (own_vans, r.promised_by) not in points:
        points.append((own_vans, r.promised_by))
        points.sort()
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
