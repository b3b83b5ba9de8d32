"""OR-Tools backend on tiny hand-checked problems (see tests/routing_fixtures.py)."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from routing.check import check
from routing.ortools_backend import construct_routes, solve_ortools
from routing.plan import Plan
from routing.problem import Problem, VehicleType

# Small searches: a solution limit keeps them fast and deterministic.
FAST = {"time_limit_s": 5.0, "solution_limit": 300}


def recompute_loads(plan: Plan, problem: Problem) -> None:
    """Our own load recomputation: leave with all deliveries, each stop removes its
    delivery and adds its pickup, capacity holds at every point, and the plan agrees."""
    for r in plan.routes:
        cap = problem.vehicle_type(r.vehicle_type).capacity
        villages = [problem.village(v) for v in r.villages]
        load = [sum(v.delivery[d] for v in villages) for d in range(len(cap))]
        assert tuple(load) == r.load_start
        assert all(x <= c for x, c in zip(load, cap, strict=True)), (r.vehicle, load)
        for stop, v in zip(r.stops, villages, strict=True):
            load = [x - dv + pv for x, dv, pv in zip(load, v.delivery, v.pickup, strict=True)]
            assert tuple(load) == stop.load_after
            assert all(0 <= x <= c for x, c in zip(load, cap, strict=True)), (r.vehicle, load)


def assert_valid(plan: Plan, problem: Problem) -> None:
    assert check(plan, problem) == []
    recompute_loads(plan, problem)
    for r in plan.routes:
        for s in r.stops:
            v = problem.village(s.village)
            assert s.start_s == max(s.arrival_s, v.window[0])
            assert v.window[0] <= s.start_s <= v.window[1]
            assert s.departure_s == s.start_s + v.service_s


def test_feasible_fixtures_serve_everything_and_pass_the_checker(feasible_build):
    problem = feasible_build()
    plan = solve_ortools(problem, **FAST)
    assert plan.status == "feasible"
    assert plan.unserved == ()
    assert sorted(plan.served) == sorted(v.id for v in problem.villages)
    assert_valid(plan, problem)


def test_line_known_optimum(line_problem):
    problem = line_problem(4)
    plan = solve_ortools(problem, **FAST)
    assert plan.distance_m == 8000
    assert plan.cost == pytest.approx(8.0)
    (route,) = plan.routes
    assert route.villages in (("V1", "V2", "V3", "V4"), ("V4", "V3", "V2", "V1"))
    assert route.vehicle == "van#0"


def test_load_at_every_point_rejects_the_cheap_overloading_order(overload_problem):
    """A→B (3 km) overloads the van after A; only B→A (30 km) is feasible."""
    problem = overload_problem()
    plan = solve_ortools(problem, **FAST)
    (route,) = plan.routes
    assert route.villages == ("B", "A")
    assert route.load_start == (8,)
    assert [s.load_after for s in route.stops] == [(0,), (8,)]
    assert plan.cost == pytest.approx(30.0)


def test_two_dimensions_each_respected(two_dimension_problem):
    problem = two_dimension_problem()
    plan = solve_ortools(problem, **FAST)
    assert_valid(plan, problem)


def test_two_vehicle_types_with_fixed_costs(six_village_problem):
    """Two small vans (50 yuan fixed) beat the big one (200 yuan): 2·11,074 m + 100."""
    problem = six_village_problem()
    plan = solve_ortools(problem, **FAST)
    assert sorted(r.vehicle for r in plan.routes) == ["small#0", "small#1"]
    assert plan.distance_m == 22148
    assert plan.cost == pytest.approx(122.148)
    assert {frozenset(r.villages) for r in plan.routes} == {
        frozenset({"E1", "E2", "E3"}),
        frozenset({"W1", "W2", "W3"}),
    }


def test_release_and_window_respected(windows_problem):
    problem = windows_problem()
    plan = solve_ortools(problem, **FAST)
    assert_valid(plan, problem)
    (route,) = plan.routes
    assert route.depart_s >= 9 * 3600  # R released at 09:00
    w = next(s for s in route.stops if s.village == "W")
    assert 9 * 3600 + 1800 <= w.start_s <= 9 * 3600 + 2400


def test_release_forces_a_separate_round(windows_problem):
    """With R released at 15:00 and a shift ending 16:00, serving everything on one van
    from 15:00 is still possible; with two vans the early villages need not wait: the van
    carrying R leaves at/after 15:00, the other earlier."""
    p = windows_problem()
    villages = tuple(
        v
        if v.id != "R"
        else type(v)(v.id, v.location, v.delivery, v.pickup, 60, v.window, 15 * 3600)
        for v in p.villages
    )
    van = VehicleType(
        "van",
        2,
        (40,),
        "HUB",
        cost_per_km=1.0,
        cost_per_h=30.0,
        shift_start_s=8 * 3600,
        shift_end_s=16 * 3600,
    )
    problem = p.replace(villages=villages, vehicle_types=(van,))
    plan = solve_ortools(problem, **FAST)
    assert_valid(plan, problem)
    r_route = plan.route_of("R")
    assert r_route is not None and r_route.depart_s >= 15 * 3600
    w_route = plan.route_of("W")
    assert w_route is not None and w_route is not r_route  # W closes 09:40


def test_shift_limit_splits_or_drops(line_problem):
    """Max duty 600 s: V1..V3 (600 s) fit one round, V4 alone needs 800 s."""
    p = line_problem(4)
    van = VehicleType("van", 3, (100,), "HUB", cost_per_km=1.0, max_duration_s=600)
    problem = p.replace(vehicle_types=(van,))
    plan = solve_ortools(problem, **FAST)
    assert_valid(plan, problem)
    assert all(r.duration_s <= 600 for r in plan.routes)
    assert [(u.village, u.reason) for u in plan.unserved] == [("V4", "shift_length")]
    assert plan.status == "partial"


def test_two_depots_and_depot_ready_time(two_depot_problem):
    problem = two_depot_problem()
    plan = solve_ortools(problem, **FAST)
    assert_valid(plan, problem)
    by_village = {v: r for r in plan.routes for v in r.villages}
    assert by_village["T3"].start_depot == "TS"
    for r in plan.routes:
        if r.start_depot == "TS":
            assert r.depart_s >= 9 * 3600
    assert {r.vehicle_type for r in plan.routes} == {"hubvan", "tsvan"}


def test_overconstrained_returns_a_plan_with_reasons(expected_reasons, overconstrained_problem):
    problem = overconstrained_problem()
    plan = solve_ortools(problem, **FAST)
    assert_valid(plan, problem)
    assert plan.status == "partial"
    reasons = {u.village: u.reason for u in plan.unserved}
    for vid, reason in expected_reasons.items():
        assert reasons[vid] == reason
    extra = set(reasons) - set(expected_reasons)
    assert len(extra) == 1 and extra <= {"OK1", "OK2", "SPARE"}
    assert reasons[extra.pop()] == "fleet_size"
    assert len(plan.served) == 2


def test_tight_fleet_first_solution(tight_fleet_problem):
    """OR-Tools' own first solution leaves one large village out; ours serves all six."""
    problem = tight_fleet_problem()
    own = construct_routes(problem)
    assert sorted(v for seq in own for v in seq) == list(range(6))
    ortools_first = solve_ortools(
        problem, time_limit_s=5.0, solution_limit=1, first_solution="ortools"
    )
    assert len(ortools_first.unserved) == 1  # documents why the construction exists
    plan = solve_ortools(problem, time_limit_s=5.0, solution_limit=1)
    assert plan.unserved == ()
    assert plan.meta["first_solution_used"] == "construct"
    assert plan.cost == pytest.approx(60.106)


def test_deterministic_with_solution_limit(six_village_problem):
    problem = six_village_problem()
    a = solve_ortools(problem, time_limit_s=30.0, solution_limit=200, seed=3)
    b = solve_ortools(problem, time_limit_s=30.0, solution_limit=200, seed=3)
    assert a.routes == b.routes and a.unserved == b.unserved and a.cost == b.cost
    assert a.meta["stopped_by"] == "solution_limit"


def test_progress_called_on_improvements(six_village_problem):
    calls: list[tuple[float, float]] = []
    problem = six_village_problem()
    plan = solve_ortools(problem, progress=lambda t, c: calls.append((t, c)), **FAST)
    assert calls
    times = [t for t, _ in calls]
    assert times == sorted(times)
    assert calls[-1][1] == pytest.approx(plan.cost, abs=0.01)


def test_stop_before_start_returns_empty_interrupted_plan(six_village_problem):
    problem = six_village_problem()
    ev = threading.Event()
    ev.set()
    plan = solve_ortools(problem, stop=ev, **FAST)
    assert plan.status == "interrupted"
    assert plan.routes == ()
    assert {u.reason for u in plan.unserved} == {"interrupted"}
    assert check(plan, problem) == []


def test_stop_during_search_returns_best_so_far(six_village_problem):
    problem = six_village_problem()
    seen: list[float] = []
    plan = solve_ortools(
        problem,
        time_limit_s=30.0,
        progress=lambda t, c: seen.append(c),
        stop=lambda: len(seen) >= 1,
    )
    assert plan.status == "interrupted"
    assert plan.wall_s < 10
    assert plan.routes  # the first solution found is kept
    assert check(plan, problem) == []


def test_ctrl_c_returns_best_so_far(tight_fleet_problem):
    """SIGINT during the search ends it; the plan so far comes back, no traceback."""
    problem = tight_fleet_problem()
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        plan = solve_ortools(problem, time_limit_s=20.0)
    finally:
        timer.cancel()
    assert plan.status == "interrupted"
    assert plan.wall_s < 10
    assert plan.unserved == ()
    assert check(plan, problem) == []


def test_exception_in_progress_propagates(line_problem):
    problem = line_problem(3)

    def boom(t: float, c: float) -> None:
        raise RuntimeError("progress bar broke")

    with pytest.raises(RuntimeError, match="progress bar broke"):
        solve_ortools(problem, progress=boom, **FAST)


def test_money_scaling_keeps_fractional_rates(line_problem):
    """1.5 yuan/km and 7.3 yuan/h survive the integer scaling (fen per metre would not)."""
    p = line_problem(2)
    van = VehicleType("van", 1, (100,), "HUB", cost_per_km=1.5, cost_per_h=7.3)
    problem = p.replace(vehicle_types=(van,))
    plan = solve_ortools(problem, **FAST)
    assert plan.cost == pytest.approx(1.5 * 4 + 7.3 * 400 / 3600)
    assert plan.meta["objective"] == pytest.approx(plan.cost, rel=1e-4)


def test_round_ending_at_another_depot(two_depot_problem):
    """A one-way van from the hub to the station: its round ends at TS."""
    p = two_depot_problem()
    oneway = VehicleType("oneway", 1, (20,), "HUB", end_depot="TS", fixed_cost=5.0, cost_per_km=1.0)
    problem = p.replace(vehicle_types=(oneway, p.vehicle_types[1]))
    plan = solve_ortools(problem, **FAST)
    assert_valid(plan, problem)
    assert plan.unserved == ()
    (r,) = [r for r in plan.routes if r.vehicle == "oneway#0"]
    assert (r.start_depot, r.end_depot) == ("HUB", "TS")
    assert plan.cost == pytest.approx(55.546, abs=0.01)


def test_savings_construction_finds_the_cluster_rounds(six_village_problem):
    """On the two-cluster day the construction alone already gives the optimum."""
    problem = six_village_problem()
    routes = construct_routes(problem)
    ids = [v.id for v in problem.villages]
    rounds = {frozenset(ids[i] for i in r) for r in routes if r}
    assert rounds == {frozenset({"E1", "E2", "E3"}), frozenset({"W1", "W2", "W3"})}
    assert routes[2] == []  # the expensive big van stays home
