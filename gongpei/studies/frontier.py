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

if TYPE_CHECKING:
    from gongpei.scenario.loading import Scenario
    from routing import Plan, Problem

__all__ = [
    "FRONTIER_COLUMNS",
    "FrontierError",
    "frontier",
    "parse_vans",
    "plan_point",
    "plot_frontier",
    "read_frontier_csv",
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


def plan_point(problem: Problem, plan: Plan, promised_s: int) -> dict[str, Any]:
    """The point of one plan on the frontier: the fleet (``vans``, the problem's vans, as
    on the frontier's axis of fleet sizes), the vans it uses (``vans_used``) and the
    frontier's measures (cost, km, on-time villages and parcels, late parcel-hours,
    unserved) against ``promised_s``."""
    return {
        "vans": problem.num_vehicles,
        "vans_used": len({r.vehicle for r in plan.routes}),
        **_measure(problem, plan, promised_s),
    }


_INT_COLUMNS = frozenset(
    {"vans", "on_time_villages", "on_time_parcels", "unserved", "unserved_parcels"}
)
_FLOAT_COLUMNS = frozenset({"cost", "late_cost", "km", "late_parcel_h"})


def read_frontier_csv(path: Any) -> list[dict[str, Any]]:
    """The rows of a ``frontier.csv`` written by ``gongpei frontier``, with their types
    back (integers, floats, ``own`` as a bool); a missing column or a bad number names the
    file, the row and the value."""
    import csv
    from pathlib import Path

    path = Path(path)
    rows: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in FRONTIER_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise FrontierError(f"{path}: no column {', '.join(missing)}: not a frontier.csv")
            for n, raw in enumerate(reader, start=2):
                row: dict[str, Any] = dict(raw)
                for col in FRONTIER_COLUMNS:
                    value = raw[col]
                    try:
                        if col in _INT_COLUMNS:
                            row[col] = int(value)
                        elif col in _FLOAT_COLUMNS:
                            row[col] = float(value)
                    except (TypeError, ValueError):
                        raise FrontierError(
                            f"{path}: row {n}: {col} = {value!r}: expected a number"
                        ) from None
                row["own"] = raw["own"] == "True"
                rows.append(row)
    except OSError as exc:
        raise FrontierError(f"{path}: cannot read the frontier: {exc.strerror}") from None
    if not rows:
        raise FrontierError(f"{path}: no rows")
    return rows


def frontier(
    scenario: Scenario,
    *,
    vans: Sequence[int] | None = None,
    promises: Sequence[int] | None = None,
) -> list[dict[str, Any]]:
    """One row per fleet size in ``vans`` (or per promised time in ``promises``, seconds),
    the rest of the day as in ``scenario``; the day is sorted once. Rounds are solved with
    the scenario's solver settings (:func:`gongpei.day.solving.solver_settings`). The
    scenario's own point (its fleet and promise, ``own = True``) is always a row: when the
    points asked for leave it out, it is solved too and put in order."""
    from gongpei.day.pipeline import day_problem
    from gongpei.day.problems import codelivery_problem, station_problem
    from gongpei.day.solving import solver_settings
    from gongpei.scenario.clock import format_clock

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
        plan = settings.solve(problem)
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


#: Legend label of the plan's own point (:func:`plot_frontier`); tests find the marker by it.
PLAN_LABEL = "this plan"


def plot_frontier(
    rows: Sequence[dict[str, Any]],
    ax: Any = None,
    *,
    by: str = "vans",
    plan: dict[str, Any] | None = None,
) -> None:
    """Cost against late parcel-hours, one point per row labelled by ``by``, and the plan's
    own point as a red star labelled with its vans, cost and on-time villages: ``plan``
    (:func:`plan_point` of a run's plan) when given, else the row with ``own = True``. With
    ``plan`` given, the frontier's own row is ringed as well (the same fleet, solved again).
    Draws on ``ax`` (default: the current axes) and returns nothing."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.gca()
    xs = [row["cost"] for row in rows]
    ys = [row["late_parcel_h"] for row in rows]
    ax.plot(xs, ys, "-o", color="#1f77b4", lw=1, ms=4, label="frontier")
    for row, x, y in zip(rows, xs, ys, strict=True):
        ax.annotate(str(row[by]), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
        if plan is not None and row.get("own"):
            ax.plot(
                [x], [y], "o", ms=12, mfc="none", mec="#7f7f7f", mew=1.5,
                label="the scenario's fleet on the frontier",
            )  # fmt: skip
    point = plan if plan is not None else next((row for row in rows if row.get("own")), None)
    if point is not None:
        x, y = point["cost"], point["late_parcel_h"]
        text = (
            f"{PLAN_LABEL}: {point['vans']} vans, ¥{point['cost']:,.0f}, "
            f"{point['on_time_villages']} villages on time"
        )
        ax.plot([x], [y], "*", ms=15, color="#d62728", mec="black", mew=0.6, label=PLAN_LABEL)
        ax.annotate(
            text, (x, y), textcoords="offset points", xytext=(8, -14), fontsize=8,
            color="#d62728",
        )  # fmt: skip
    ax.set_xlabel("cost of the rounds, ¥ a day")
    ax.set_ylabel("late parcel-hours (after the promised time)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
