"""Conventions shared by every output writer (CSV, GeoJSON, PNG, HTML): the status-light and
round colours, clock times, numbers that survive JSON, round ids and the road-graph node of a
problem location.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gongpei.day.results import DayResult
    from routing import Problem


# ---------------------------------------------------------------------------- helpers
def finite(x: Any) -> Any:
    """JSON has no NaN/Infinity: non-finite floats become ``null`` (recursively); numpy
    scalars become Python numbers."""
    if hasattr(x, "dtype") and hasattr(x, "item") and getattr(x, "ndim", 1) == 0:
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [finite(v) for v in x]
    return x


def dump_json(obj: Any, indent: int | None = 2) -> str:
    text = json.dumps(
        finite(obj), sort_keys=True, indent=indent, ensure_ascii=False, allow_nan=False
    )
    return text + "\n"


def clock(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return ""
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def num(x: Any, digits: int = 3) -> str:
    """A CSV cell: integers as is, floats rounded, NaN/None empty."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, int):
        return str(x)
    f = float(x)
    if not math.isfinite(f):
        return ""
    if f == int(f) and abs(f) < 2**53:
        return str(int(f))
    return repr(round(f, digits))


def round_ids(day: DayResult) -> list[str]:
    """``R01``, ``R02`` … for the plan's routes, in plan order (vehicles may drive several)."""
    return [f"R{k + 1:02d}" for k in range(len(day.plan.routes))]


def village_round(day: DayResult) -> dict[str, str]:
    out = {}
    for rid, route in zip(round_ids(day), day.plan.routes, strict=True):
        for v in route.villages:
            out[v] = rid
    return out


def brands(day: DayResult) -> list[str]:
    """Brands in scenario order, then any others found in the results (sorted)."""
    order = list(day.scenario.model.brands.shares)
    seen = {b for v in day.villages for b in v.parcels_by_brand}
    return order + sorted(seen - set(order))


def depot_location(problem: Problem, depot_id: str) -> str:
    return problem.depot(depot_id).location


def graph_node(day: DayResult, location: str) -> str:
    """The road-graph node of a problem location. Villages and township seats are graph
    nodes already; the hub depot has its own location id (``"hub"``) because the hub
    village is also a stop, so it maps to the county's hub node."""
    if location in day.county.graph:
        return location
    hub_ids = {d.location for d in day.problem.depots if d.id == "hub"} | {"hub"}
    if location in hub_ids:
        return day.county.hub
    town = station_town(day, location)
    if town is not None:
        return town
    raise KeyError(f"problem location {location!r} is not a road-graph node")


def station_town(day: DayResult, location: str) -> str | None:
    """The township code of a transfer-station location (``st:<town>``, which sits at the
    township seat's graph node), or ``None`` if ``location`` is not a station."""
    from gongpei.day.problems import station_id

    for town in day.scenario.model.county.transfer_stations:
        if station_id(town) == location and town in day.county.graph:
            return town
    return None


#: The county cockpit's status lights (fill colours) — one convention in PNG, HTML and GeoJSON.
LIGHT_COLOURS: dict[str, str] = {
    "white": "#ffffff",
    "blue": "#1f6fd1",
    "green": "#2ca02c",
    "yellow": "#f2c200",
    "red": "#d62728",
}


LIGHT_LABELS: dict[str, str] = {
    "white": "not started (no parcels today / not on the rounds)",
    "blue": "ahead of time (≥ 1 h before the promised time)",
    "green": "on time",
    "yellow": "exception: unserved, or parcels not bagged (reason per village)",
    "red": "late (after the promised time; reason per village)",
}


#: Round colours (matplotlib's tab20 order), cycled when there are more rounds.
ROUND_COLOURS: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip


def round_colour(k: int) -> str:
    """The colour of the ``k``-th round (0-based), the same on the map and in GeoJSON."""
    return ROUND_COLOURS[k % len(ROUND_COLOURS)]


def town_promises(towns: Iterable[Any], promised: Mapping[str, int]) -> str:
    """``" (妙高街道 and 云峰街道 by 12:00)"`` for ``routing.promised_by_towns`` (township
    code → time; ``towns``: objects with ``code`` and ``name``), earliest time first."""
    if not promised:
        return ""
    names = {t.code: t.name for t in towns}
    by_time: dict[int, list[str]] = {}
    for code, t in promised.items():
        by_time.setdefault(int(t), []).append(names.get(code, code))
    parts = [f"{' and '.join(n)} by {clock(t)}" for t, n in sorted(by_time.items())]
    return " (" + "; ".join(parts) + ")"
