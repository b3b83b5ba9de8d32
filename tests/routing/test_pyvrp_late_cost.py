"""PyVRP plans carry the soft promise's late cost even when no promise can be kept.

Found while re-planning a Suichang closure that reopens at 13:00 (issue 13): the vans left at
13:00 for villages promised by 14:00 that no van could reach in time, so
:func:`routing.deadline.promise_as_deadline` changed nothing, :func:`routing.deadline.restore`
was not called, and the PyVRP rounds recorded a late cost of 0 — the checker then marked
the plan invalid (``late_cost: recorded 0.0000 != 562.9606 yuan``).
"""

from __future__ import annotations

from routing.check import check
from routing.problem import Depot, VehicleType, Village
from routing.solve import solve


def test_late_cost_when_no_promise_can_be_kept(euclid_problem) -> None:
    # 10 km out (1,000 s) and due 500 s after the van may leave: late whatever the round.
    points = {"HUB": (0.0, 0.0), "A": (10_000.0, 0.0), "B": (10_000.0, 1_000.0)}
    villages = [
        Village(vid, vid, (1,), (0,), service_s=60, due_s=500, late_cost_per_h=36.0)
        for vid in ("A", "B")
    ]
    van = VehicleType("van", 1, (10,), "hub", shift_start_s=0, shift_end_s=10_000)
    problem = euclid_problem("late", points, [Depot("hub", "HUB")], villages, [van])
    plan = solve(problem, "pyvrp", time_limit_s=5.0, seed=1, deterministic=True, max_iterations=50)
    assert plan.status == "feasible" and check(plan, problem) == []
    (route,) = plan.routes
    expected = sum(36.0 * (s.start_s - 500) / 3600 for s in route.stops)
    assert route.late_cost > 0 and abs(route.late_cost - expected) < 1e-9
