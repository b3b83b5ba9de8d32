"""What re-timing a round or a van gives back (:class:`routing.evaluate.RouteEvaluator`):
the times, loads, distance and cost of each round, and of a van's trips together."""

from __future__ import annotations

from dataclasses import dataclass

from routing.plan import Route


@dataclass(frozen=True, slots=True)
class RouteTimes:
    """A round recomputed from its sequence. ``reason`` is ``""`` when feasible, else the
    first violated constraint and ``detail`` says where.

    Per stop (in sequence order): ``arrivals``, ``starts`` (service start) and
    ``departures``; ``loads_after`` is the load leaving each stop, ``load_start`` the load
    leaving the depot. ``cost`` is 0 for an empty sequence (no van is used);
    ``late_cost`` is the yuan of the stops that start after their promised ``due_s``.
    """

    feasible: bool
    reason: str
    detail: str
    depart_s: int
    return_s: int
    arrivals: tuple[int, ...]
    starts: tuple[int, ...]
    departures: tuple[int, ...]
    load_start: tuple[int, ...]
    loads_after: tuple[tuple[int, ...], ...]
    distance_m: int
    cost: float
    late_cost: float = 0.0

    @property
    def duration_s(self) -> int:
        """Duty: from leaving the start depot to being back at the end depot."""
        return self.return_s - self.depart_s

    @property
    def waits(self) -> tuple[int, ...]:
        """Seconds waited at each stop for its window to open."""
        return tuple(s - a for a, s in zip(self.arrivals, self.starts, strict=True))

    @property
    def services(self) -> tuple[int, ...]:
        """Seconds spent serving each stop."""
        return tuple(d - s for s, d in zip(self.starts, self.departures, strict=True))


@dataclass(frozen=True, slots=True)
class VanTimes:
    """One van's trips re-timed (:meth:`RouteEvaluator.van_times`): a route and its times
    per trip; ``reason``/``detail`` of the first limit broken (``""``: none), and
    ``broken_trip``, the trip to change to keep it (``None`` when feasible)."""

    routes: tuple[Route, ...]
    times: tuple[RouteTimes, ...]
    reason: str
    detail: str
    broken_trip: int | None
