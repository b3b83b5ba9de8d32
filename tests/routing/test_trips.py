"""Second trips: a van reloads at the hub and goes out again (issue 15, point 4).

The hand-checkable case (``two_villages``): hub at 0, A 3 km east, B 3 km west (300 s each
way at 10 m/s), 120 s of service each; one van of 10 parcels, so A (8 out, 2 back) and B
(7 out, 3 back) cannot share a trip. B is released at 3,000 s (a later wave), A's window
closes at 2,500 s, the van reloads in 600 s. So the only plan with one van: trip 0 to A,
trip 1 to B leaving at B's release, 3,000 s, back 3,720 s. Trip 0 leaves as late as it can
and still be reloaded by then: back by 2,400 s, so it leaves at 1,680 s. Costs (¥100 a
van, ¥1/km, ¥36/h): trip 0 = 100 + 6 + 720 s = ¥113.2; trip 1 = 6 km + the 1,320 s since
trip 0 came back = ¥19.2; the van: ¥132.4 = 100 + 12 km + its 2,040 s of duty.
"""

from __future__ import annotations

import dataclasses

import pytest

from routing import solve
from routing.check import check
from routing.evaluate import RouteEvaluator
from routing.plan import Plan, Route
from routing.plan_io import plan_from_dict, plan_to_dict
from routing.problem import Problem, ProblemError, VehicleType
from routing.pyvrp_backend import solve_pyvrp


def kinds(plan: Plan, problem: Problem) -> set[str]:
    return {v.kind for v in check(plan, problem)}


@pytest.fixture(scope="module")
def solved(two_villages) -> Plan:
    return solve_pyvrp(two_villages(), time_limit_s=30.0, seed=1, max_iterations=300)


def test_one_van_two_trips_by_hand(two_villages, solved: Plan) -> None:
    problem = two_villages()
    assert check(solved, problem) == []
    assert solved.unserved == ()
    a, b = solved.routes
    assert (a.vehicle, a.trip, a.villages) == ("van#0", 0, ("A",))
    assert (b.vehicle, b.trip, b.villages) == ("van#0", 1, ("B",))
    assert (a.depart_s, a.return_s) == (1680, 2400)
    assert (b.depart_s, b.return_s) == (3000, 3720)
    assert a.load_start == (8,) and a.stops[0].load_after == (2,)
    assert b.load_start == (7,) and b.stops[0].load_after == (3,)
    assert a.cost == pytest.approx(113.2) and b.cost == pytest.approx(19.2)
    assert solved.cost == pytest.approx(132.4)  # the fixed cost once
    assert solved.summary()["vans_used"] == 1 and solved.summary()["second_trips"] == 1


def test_evaluator_times_the_trips_as_pyvrp_does(two_villages, solved: Plan) -> None:
    routes, reason, _ = RouteEvaluator(two_villages()).van("van#0", "van", [["A"], ["B"]])
    assert reason == ""
    assert routes == solved.routes


def test_checker_rejects_tampered_trips(two_villages, solved: Plan) -> None:
    problem = two_villages()
    a, b = solved.routes
    ev = RouteEvaluator(problem)

    def plan(*routes: Route) -> Plan:
        return dataclasses.replace(solved, routes=routes, cost=sum(r.cost for r in routes))

    def moved(r: Route, depart: int, since: int | None) -> Route:
        k = ev.type_index("van")
        times = ev.evaluate(k, ev.village_indices(r.villages), depart_s=depart, postpone=False)
        return ev.route(r.vehicle, k, ev.village_indices(r.villages), times, trip=r.trip,
                        since_s=since)  # fmt: skip

    # Overlapping trips: trip 0 still out when trip 1 leaves.
    late_a = moved(a, 2800, None)  # back at 3,520 (A served at 3,100: its window too)
    assert "trip_overlap" in kinds(plan(late_a, moved(b, 3000, late_a.return_s)), problem)
    # Missing reload time: back at 2,800, out again at 3,000.
    a2 = moved(a, 2080, None)
    assert kinds(plan(a2, moved(b, 3000, a2.return_s)), problem) == {"reload"}
    # Overload in trip 2: B's delivery grows to 11 parcels against a capacity of 10.
    heavy = problem.replace(
        villages=(problem.villages[0], dataclasses.replace(problem.villages[1], delivery=(11,)))
    )
    assert "capacity" in kinds(solved, heavy)
    # The shift over all trips: each trip is short, the duty (2,040 s) is not.
    assert kinds(solved, two_villages(max_duration_s=2000)) == {"max_duration"}
    assert kinds(solved, two_villages(shift_end_s=3700)) == {"shift_end"}
    # The van's range is over both trips (12 km).
    assert kinds(solved, two_villages(max_distance_m=11_000)) == {"max_distance"}
    # The fixed cost counted twice.
    twice = dataclasses.replace(b, cost=b.cost + 100.0)
    assert "route_cost" in kinds(plan(a, twice), problem)
    # A trip numbered out of order, a trip more than allowed.
    assert "max_trips" in kinds(plan(a, dataclasses.replace(b, trip=2)), problem)
    assert kinds(solved, two_villages(max_trips=1)) == {"max_trips"}
    # Release per trip: trip 1 leaving before B's release.
    early = dataclasses.replace(
        b,
        depart_s=2900,
        return_s=3620,
        stops=(dataclasses.replace(b.stops[0], arrival_s=3200, start_s=3200, departure_s=3320),),
        cost=19.2,  # 6 km + 1,320 s since trip 0 is back at 2,300
    )
    assert kinds(plan(moved(a, 1580, None), early), problem) == {"release"}


def test_one_trip_per_van_needs_a_second_van(two_villages) -> None:
    one = solve_pyvrp(two_villages(max_trips=1), time_limit_s=30.0, seed=1, max_iterations=300)
    assert [u.village for u in one.unserved] == ["B"] or [u.village for u in one.unserved] == ["A"]
    problem = two_villages(max_trips=1)
    two_vans = problem.replace(
        vehicle_types=(dataclasses.replace(problem.vehicle_types[0], count=2),)
    )
    plan = solve_pyvrp(two_vans, time_limit_s=30.0, seed=1, max_iterations=300)
    assert check(plan, two_vans) == [] and not plan.unserved
    assert {r.vehicle for r in plan.routes} == {"van#0", "van#1"}
    assert {r.trip for r in plan.routes} == {0}
    assert plan.cost > 132.4 + 90  # a second fixed cost


def test_plan_json_round_trips_trips(solved: Plan) -> None:
    back = plan_from_dict(plan_to_dict(solved))
    assert back == solved and [r.trip for r in back.routes] == [0, 1]
    old = plan_to_dict(solved)
    for r in old["routes"]:
        del r["trip"]  # a file written before trips: every round is a trip 0
    assert [r.trip for r in plan_from_dict(old).routes] == [0, 0]


def test_backends_and_portfolio_on_trips(two_villages) -> None:
    problem = two_villages()
    with pytest.raises(ValueError, match=r"max_trips = 2.*OR-Tools"):
        solve(problem, "ortools", time_limit_s=1.0)
    plan = solve(problem, "auto", time_limit_s=2.0, seed=1)
    assert plan.status == "feasible" and plan.meta["violations"] == []
    assert plan.cost == pytest.approx(132.4)
    # OR-Tools, where auto runs it, plans one trip per van: a valid plan, said so.
    ortools = plan.meta["portfolio"]["ortools"]
    assert "skipped" in ortools or ortools["violations"] == 0


def test_max_trips_one_is_todays_model(two_villages) -> None:
    """With max_trips = 1 the reload time is not modelled at all: the same PyVRP data and
    the same plan as a problem without the fields."""
    from routing.pyvrp_model import build_data

    base = two_villages(max_trips=1, reload_s=0)
    with_reload = two_villages(max_trips=1, reload_s=1800)
    d1, _ = build_data(base, True)
    d2, _ = build_data(with_reload, True)
    assert [c.release_time for c in d1.clients()] == [c.release_time for c in d2.clients()]
    assert d1.depots() == d2.depots() and d1.vehicle_types() == d2.vehicle_types()
    p1 = solve_pyvrp(base, time_limit_s=30.0, seed=3, max_iterations=200)
    p2 = solve_pyvrp(with_reload, time_limit_s=30.0, seed=3, max_iterations=200)
    assert p1.routes == p2.routes and p1.cost == p2.cost


def test_vehicle_type_validates_trip_fields() -> None:
    with pytest.raises(ProblemError, match=r"max_trips = 0"):
        VehicleType("v", 1, (10,), "HUB", max_trips=0)
    with pytest.raises(ProblemError, match=r"reload_s = -1"):
        VehicleType("v", 1, (10,), "HUB", reload_s=-1)
    with pytest.raises(ProblemError, match=r"end_depot must be the same"):
        VehicleType("v", 1, (10,), "HUB", end_depot="TS", max_trips=2)


def test_replan_takes_a_second_trip_as_the_vans_second_round(two_villages, solved: Plan) -> None:
    from routing.disruption import VanBreakdown, replan
    from routing.settings import SolveSettings

    settings = SolveSettings(backend="pyvrp", time_limit_s=30.0, max_iterations=200)
    problem = two_villages()
    # Re-planned at 2,450 s (van back from trip 0): trip 1 is not started, B is re-planned
    # on the van's second round.
    again = replan(problem, solved, [], at_s=2450, settings=settings)
    assert set(again.plan.served) == {"A", "B"}
    assert {r.vehicle for r in again.plan.routes} == {"van#0", "van#0/2"}
    assert again.violations == ()
    # At 2,000 s the van is still out: the residual gives a running van no second round
    # (re-planning's rule), so B waits for a free van and, with none, is unserved: no crash.
    out = replan(problem, solved, [], at_s=2000, settings=settings)
    assert [(u.village, u.reason) for u in out.plan.unserved] == [("B", "fleet_size")]
    # The van breaks down at 3,100 s on trip 1 (on its way to B): B is not reached.
    broken = replan(problem, solved, [VanBreakdown("van#0", 3100)], settings=settings)
    assert "B" not in broken.plan.served and "A" in broken.plan.served
