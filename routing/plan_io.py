"""Plans to and from plain JSON-ready dicts, exactly.

Why: a day's plan is computed in the morning (``gongpei run``) and re-planned later when a
van breaks down or a road closes (``gongpei replan``), in another process; the saved plan
must come back identical — same ids, the same integer times and loads, the same float costs
(``json`` writes floats with ``repr``, which round-trips exactly).

Format (``"format": "routing.plan/1"``)::

    {"format": ..., "backend", "status", "cost", "wall_s", "meta": {...},
     "routes": [{"vehicle", "vehicle_type", "start_depot", "end_depot", "depart_s",
                 "return_s", "load_start": [..], "distance_m", "cost", "late_cost",
                 "trip" (0, 1, …: a van's trips; 0 when absent, as in older files),
                 "stops": [{"village", "arrival_s", "start_s", "departure_s",
                            "load_after": [..]}]}],
     "unserved": [{"village", "reason", "detail"}]}

``meta`` is informational: it is written with JSON types (tuples become lists, numpy
scalars plain numbers, anything else its ``str``) and is not part of plan equality.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from routing.plan import Plan, Route, Stop, Unserved

__all__ = ["FORMAT", "PlanFormatError", "plan_from_dict", "plan_to_dict"]

FORMAT = "routing.plan/1"


class PlanFormatError(ValueError):
    """A saved plan cannot be read; the message names the field path and the value."""


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """``plan`` as a dict of JSON types (see the module docstring for the layout)."""
    return {
        "format": FORMAT,
        "backend": plan.backend,
        "status": plan.status,
        "cost": float(plan.cost),
        "wall_s": float(plan.wall_s),
        "routes": [_route_to_dict(r) for r in plan.routes],
        "unserved": [
            {"village": u.village, "reason": u.reason, "detail": u.detail} for u in plan.unserved
        ],
        "meta": _jsonable(plan.meta),
    }


def _route_to_dict(r: Route) -> dict[str, Any]:
    return {
        "vehicle": r.vehicle,
        "vehicle_type": r.vehicle_type,
        "start_depot": r.start_depot,
        "end_depot": r.end_depot,
        "depart_s": int(r.depart_s),
        "return_s": int(r.return_s),
        "load_start": [int(x) for x in r.load_start],
        "distance_m": int(r.distance_m),
        "cost": float(r.cost),
        "late_cost": float(r.late_cost),
        "trip": int(r.trip),
        "stops": [
            {
                "village": s.village,
                "arrival_s": int(s.arrival_s),
                "start_s": int(s.start_s),
                "departure_s": int(s.departure_s),
                "load_after": [int(x) for x in s.load_after],
            }
            for s in r.stops
        ],
    }


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if x is None or isinstance(x, bool | str):
        return x
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x)
    item = getattr(x, "item", None)  # numpy scalars
    if callable(item):
        try:
            return _jsonable(item())
        except (TypeError, ValueError):
            pass
    return str(x)


def plan_from_dict(d: Mapping[str, Any]) -> Plan:
    """The :class:`Plan` that :func:`plan_to_dict` wrote (raises :class:`PlanFormatError`)."""
    r = _Reader(d, "plan")
    fmt = r.get("format", str)
    if fmt != FORMAT:
        raise PlanFormatError(f"plan.format = {fmt!r}: expected {FORMAT!r}")
    routes = tuple(_route_from(_Reader(x, f"plan.routes[{k}]")) for k, x in r.items("routes"))
    unserved = tuple(
        Unserved(u.get("village", str), u.get("reason", str), u.get("detail", str))
        for u in (_Reader(x, f"plan.unserved[{k}]") for k, x in r.items("unserved"))
    )
    meta = d.get("meta", {})
    if not isinstance(meta, Mapping):
        raise PlanFormatError(f"plan.meta = {meta!r}: must be an object")
    return Plan(
        routes=routes,
        unserved=unserved,
        cost=r.get("cost", float),
        backend=r.get("backend", str),
        status=r.get("status", str),
        wall_s=r.get("wall_s", float),
        meta=dict(meta),
    )


def _route_from(r: _Reader) -> Route:
    stops = []
    for k, x in r.items("stops"):
        s = _Reader(x, f"{r.where}.stops[{k}]")
        stops.append(
            Stop(
                village=s.get("village", str),
                arrival_s=s.get("arrival_s", int),
                start_s=s.get("start_s", int),
                departure_s=s.get("departure_s", int),
                load_after=s.ints("load_after"),
            )
        )
    return Route(
        vehicle=r.get("vehicle", str),
        vehicle_type=r.get("vehicle_type", str),
        start_depot=r.get("start_depot", str),
        end_depot=r.get("end_depot", str),
        depart_s=r.get("depart_s", int),
        return_s=r.get("return_s", int),
        stops=tuple(stops),
        load_start=r.ints("load_start"),
        distance_m=r.get("distance_m", int),
        cost=r.get("cost", float),
        late_cost=r.get("late_cost", float) if "late_cost" in r.d else 0.0,
        trip=r.get("trip", int) if "trip" in r.d else 0,
    )


class _Reader:
    """Typed field access that names the path of a bad field."""

    def __init__(self, d: Any, where: str) -> None:
        if not isinstance(d, Mapping):
            raise PlanFormatError(f"{where} = {d!r}: must be an object")
        self.d, self.where = d, where

    def get(self, key: str, kind: type) -> Any:
        if key not in self.d:
            raise PlanFormatError(f"{self.where}.{key}: missing")
        v = self.d[key]
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            return float(v)
        if isinstance(v, bool) or not isinstance(v, kind):
            raise PlanFormatError(f"{self.where}.{key} = {v!r}: must be {kind.__name__}")
        return v

    def items(self, key: str) -> list[tuple[int, Any]]:
        v = self.get(key, list)
        return list(enumerate(v))

    def ints(self, key: str) -> tuple[int, ...]:
        v = self.get(key, list)
        for k, x in enumerate(v):
            if isinstance(x, bool) or not isinstance(x, int):
                raise PlanFormatError(f"{self.where}.{key}[{k}] = {x!r}: must be int")
        return tuple(v)
