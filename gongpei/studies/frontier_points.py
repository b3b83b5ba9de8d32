"""The points of the cost–service frontier: how a plan is measured on it, ``frontier.csv``
read back, and the plot with the plan's own point starred.

Kept apart from :mod:`gongpei.studies.frontier` (which solves the day once per point and so
imports the day pipeline) so that the report's figures can draw a frontier without
importing the pipeline that imports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gongpei.errors import FrontierError

if TYPE_CHECKING:
    from routing import Plan, Problem

__all__ = [
    "FRONTIER_COLUMNS",
    "PLAN_LABEL",
    "plan_point",
    "plot_frontier",
    "read_frontier_csv",
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
