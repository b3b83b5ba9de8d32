"""Plans: what a solver returns, in user ids only (no solver indices)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["UNSERVED_REASONS", "Plan", "Route", "Stop", "Unserved"]

#: Every reason a plan may give for an unserved village, in diagnosis order (earlier
#: reasons win; :mod:`routing.diagnose`), then ``interrupted`` (a stopped search).
UNSERVED_REASONS = (
    "unreachable",
    "capacity",
    "release_too_late",
    "time_window",
    "shift_length",
    "distance_limit",
    "fleet_size",
    "interrupted",
)


@dataclass(frozen=True, slots=True)
class Stop:
    """One village on a round. Times are clock seconds; ``load_after`` per dimension is the
    van's load when it leaves the stop (delivery removed, pickup added)."""

    village: str
    arrival_s: int
    start_s: int
    departure_s: int
    load_after: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Route:
    """One van's round: leaves ``start_depot`` at ``depart_s`` carrying ``load_start``
    (the sum of its stops' deliveries) and is back at ``end_depot`` at ``return_s``.

    ``cost`` is what the round costs to drive (fixed + km + hours); ``late_cost`` is the
    yuan charged for stops served after their promised time (soft promise,
    :meth:`routing.problem.Village.late_cost`), kept apart so the operating cost stays the
    cost of the vans.

    ``trip`` numbers a van's trips (0, 1, …; :attr:`routing.problem.VehicleType.max_trips`):
    each trip is its own Route with the same ``vehicle``; trip 0 carries the van's fixed
    cost, a later trip's ``cost`` counts its km and the hours since the previous trip's
    return (:meth:`routing.problem.VehicleType.trip_cost`)."""

    vehicle: str  # e.g. "van-B#3": vehicle type name and a 0-based number within the type
    vehicle_type: str
    start_depot: str
    end_depot: str
    depart_s: int
    return_s: int
    stops: tuple[Stop, ...]
    load_start: tuple[int, ...]
    distance_m: int
    cost: float
    late_cost: float = 0.0
    trip: int = 0

    @property
    def duration_s(self) -> int:
        return self.return_s - self.depart_s

    @property
    def villages(self) -> tuple[str, ...]:
        return tuple(s.village for s in self.stops)


@dataclass(frozen=True, slots=True)
class Unserved:
    """A village the plan does not serve, with the binding reason found by diagnosis.

    ``reason`` is one of :data:`UNSERVED_REASONS`: ``capacity``, ``time_window``,
    ``shift_length``, ``release_too_late``, ``unreachable``, ``distance_limit``,
    ``fleet_size`` (every constraint alone can be met, but not with the vans available),
    ``interrupted`` (the search was stopped before placing it).
    """

    village: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Plan:
    """The rounds for a day. ``cost`` in yuan: fixed + per-km + per-hour of used vans."""

    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...] = ()
    cost: float = 0.0
    backend: str = ""
    status: str = "feasible"  # "feasible", "partial" (unserved villages), "interrupted", ...
    wall_s: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def distance_m(self) -> int:
        return sum(r.distance_m for r in self.routes)

    @property
    def duration_s(self) -> int:
        return sum(r.duration_s for r in self.routes)

    @property
    def late_cost(self) -> float:
        """Yuan charged for late stops (soft promise), over every round."""
        return sum(r.late_cost for r in self.routes)

    @property
    def served(self) -> tuple[str, ...]:
        return tuple(v for r in self.routes for v in r.villages)

    def vans(self) -> dict[str, tuple[Route, ...]]:
        """Van name → its trips in trip order (one entry per van; a van without second
        trips has one)."""
        out: dict[str, list[Route]] = {}
        for r in self.routes:
            out.setdefault(r.vehicle, []).append(r)
        return {v: tuple(sorted(rs, key=lambda r: r.trip)) for v, rs in out.items()}

    def route_of(self, village: str) -> Route | None:
        for r in self.routes:
            if village in r.villages:
                return r
        return None

    def summary(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "status": self.status,
            "routes": len(self.routes),
            "vans_used": len({r.vehicle for r in self.routes}),
            "trips": len(self.routes),
            "second_trips": sum(1 for r in self.routes if r.trip > 0),
            "distance_km": round(self.distance_m / 1000, 3),
            "duration_h": round(self.duration_s / 3600, 3),
            "villages_served": len(self.served),
            "villages_unserved": [
                {"village": u.village, "reason": u.reason} for u in self.unserved
            ],
            "cost": round(self.cost, 2),
            "late_cost": round(self.late_cost, 2),
            "wall_s": round(self.wall_s, 3),
        }
