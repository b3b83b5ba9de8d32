"""Lateness of a whole plan, recomputed from the stops' service starts and each village's
promise (``due_s``), for reports: parcels and parcel-hours late, the late cost."""

from __future__ import annotations

from dataclasses import dataclass

from routing.plan import Plan
from routing.problem import Problem


@dataclass(frozen=True, slots=True)
class Lateness:
    """A plan's lateness against the villages' promised times, recomputed from its stops.

    ``late_villages`` served after ``due_s``; ``late_s`` the seconds late summed over them;
    ``late_cost`` their yuan (soft promise); ``on_time`` served villages with no ``due_s``
    or served by it."""

    on_time: int
    late_villages: tuple[str, ...]
    late_s: int
    late_cost: float


def lateness(plan: Plan, problem: Problem) -> Lateness:
    """Lateness of ``plan`` from its recorded start times (run :func:`check` first to know
    they are right)."""
    villages = {v.id: v for v in problem.villages}
    on_time, late_s, cost = 0, 0, 0.0
    late: list[str] = []
    for route in plan.routes:
        for s in route.stops:
            v = villages.get(s.village)
            if v is None or v.due_s is None or s.start_s <= v.due_s:
                on_time += v is not None
                continue
            late.append(v.id)
            late_s += s.start_s - v.due_s
            cost += v.late_cost_per_h * (s.start_s - v.due_s) / 3600.0
    return Lateness(on_time, tuple(late), late_s, cost)
