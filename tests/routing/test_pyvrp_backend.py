"""PyVRP backend on the hand-checkable fixtures; every plan is verified by the checker."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable

import numpy as np
import pytest

from routing.check import check
from routing.plan import Plan
from routing.problem import Depot, Problem, VehicleType, Village
from routing.pyvrp_backend import solve_pyvrp


def solve(problem: Problem, seed: int = 0, iters: int = 300) -> Plan:
    plan = solve_pyvrp(problem, time_limit_s=10.0, seed=seed, max_iterations=iters)
    assert check(plan, problem) == []
    return plan


def test_feasible_fixtures_serve_everything(feasible_build: Callable[[], Problem]) -> None:
    problem = feasible_build()
    plan = solve(problem)
    assert plan.status == "feasible"
    assert plan.unserved == ()
    assert sorted(plan.served) == sorted(v.id for v in problem.villages)
    assert plan.backend == "pyvrp"


def test_load_at_every_point_forces_the_long_order(overload_problem) -> None:
    plan = solve(overload_problem())
    (route,) = plan.routes
    assert route.villages == ("B", "A")  # A first would carry 16 > 10
    assert route.load_start == (8,)
    assert [s.load_after for s in route.stops] == [(0,), (8,)]
    assert plan.cost == pytest.approx(30.0)


def test_two_dimensions_respect_both_capacities(two_dimension_problem) -> None:
    problem = two_dimension_problem()
    plan = solve(problem)
    cap = problem.vehicle_type("van").capacity
    for r in plan.routes:
        for load in (r.load_start, *(s.load_after for s in r.stops)):
            assert all(x <= c for x, c in zip(load, cap, strict=True))


def test_two_small_vans_beat_the_big_one(six_village_problem) -> None:
    plan = solve(six_village_problem())
    assert sorted(r.vehicle_type for r in plan.routes) == ["small", "small"]
    assert {frozenset(r.villages) for r in plan.routes} == {
        frozenset({"E1", "E2", "E3"}),
        frozenset({"W1", "W2", "W3"}),
    }


def test_time_windows_and_release(windows_problem) -> None:
    problem = windows_problem()
    plan = solve(problem)
    route = plan.route_of("R")
    assert route is not None and route.depart_s >= 9 * 3600
    w = next(s for r in plan.routes for s in r.stops if s.village == "W")
    assert 9 * 3600 + 1800 <= w.start_s <= 9 * 3600 + 2400


def test_release_means_leaving_the_depot(euclid_problem) -> None:
    """PyVRP's release time is the depot-leave rule: released at 1000 s, 100 s away, window
    closing at 1050 → unservable (it would be servable if release meant arrival)."""
    points = {"HUB": (0.0, 0.0), "A": (1000.0, 0.0), "B": (0.0, 1000.0)}
    villages = [
        Village("A", "A", (1,), (0,), release_s=1000, window=(0, 1050)),
        Village("B", "B", (1,), (0,), release_s=1000, window=(0, 1150)),
    ]
    van = VehicleType("van", 2, (5,), "HUB", cost_per_km=1.0)
    problem = euclid_problem("release", points, [Depot("HUB", "HUB")], villages, [van])
    plan = solve(problem)
    assert plan.served == ("B",)
    assert plan.routes[0].depart_s == 1000
    assert [(u.village, u.reason) for u in plan.unserved] == [("A", "release_too_late")]


def test_two_depots(two_depot_problem) -> None:
    problem = two_depot_problem()
    plan = solve(problem)
    ts = [r for r in plan.routes if r.start_depot == "TS"]
    assert len(ts) == 1 and "T3" in ts[0].villages
    assert ts[0].depart_s >= 9 * 3600
    assert {r.start_depot for r in plan.routes if {"H1", "H2", "H3"} & set(r.villages)} == {"HUB"}


def test_depot_tied_village_is_never_served_from_elsewhere(two_depot_problem) -> None:
    """Only the hub has vans left for T3's cluster: T3 (tied to the station) must be
    reported unserved, never driven from the hub."""
    base = two_depot_problem()
    hub_only = VehicleType("hubvan", 3, (20,), "HUB", fixed_cost=20.0, cost_per_km=1.0)
    tsvan = dataclasses.replace(base.vehicle_type("tsvan"), shift_end_s=9 * 3600)
    problem = base.replace(vehicle_types=(hub_only, tsvan))
    plan = solve(problem)
    assert "T3" not in plan.served
    assert {"T1", "T2", "H1"} <= set(plan.served)
    assert [u.village for u in plan.unserved] == ["T3"]


def test_overconstrained_villages_are_unserved_with_reasons(
    expected_reasons, overconstrained_problem
) -> None:
    plan = solve(overconstrained_problem())
    reasons = {u.village: u.reason for u in plan.unserved}
    assert plan.status == "partial"
    for vid, reason in expected_reasons.items():
        assert reasons[vid] == reason
    assert {"OK1", "OK2"} <= set(plan.served) or "SPARE" in plan.served
    assert sum(r in ("fleet_size",) for r in reasons.values()) == 1


def test_money_is_recomputed_in_yuan(euclid_problem) -> None:
    """Hourly cost only (30 yuan/h): 2 km at 10 m/s = 200 s → 1.6667 yuan; PyVRP's integer
    objective cannot distort the plan's cost."""
    points = {"HUB": (0.0, 0.0), "A": (1000.0, 0.0)}
    van = VehicleType("van", 1, (5,), "HUB", cost_per_h=30.0, fixed_cost=1.25)
    problem = euclid_problem(
        "money", points, [Depot("HUB", "HUB")], [Village("A", "A", (1,), (1,))], [van]
    )
    plan = solve(problem)
    assert plan.cost == pytest.approx(1.25 + 200 / 3600 * 30.0)


def test_same_seed_same_plan(six_village_problem) -> None:
    problem = six_village_problem()
    a = solve(problem, seed=7, iters=200)
    b = solve(problem, seed=7, iters=200)
    assert a.routes == b.routes and a.cost == b.cost


def test_progress_and_stop(six_village_problem) -> None:
    calls: list[tuple[float, float]] = []
    problem = six_village_problem()
    plan = solve_pyvrp(
        problem,
        time_limit_s=10.0,
        seed=1,
        max_iterations=300,
        progress=lambda t, c: calls.append((t, c)),
    )
    assert calls and calls[-1][1] == pytest.approx(plan.cost)
    assert all(t2 >= t1 for (t1, _), (t2, _) in itertools.pairwise(calls))

    flag = threading.Event()
    flag.set()
    stopped = solve_pyvrp(problem, time_limit_s=60.0, seed=1, stop=flag)
    assert stopped.meta["interrupted"] is True
    assert stopped.wall_s < 5.0
    assert check(stopped, problem) == []


def test_empty_problem() -> None:
    problem = line_problem_without_villages()
    plan = solve_pyvrp(problem, time_limit_s=1.0, seed=0)
    assert plan.routes == () and plan.cost == 0.0 and check(plan, problem) == []


def line_problem_without_villages() -> Problem:
    van = VehicleType("van", 1, (5,), "HUB")
    return Problem(
        locations=("HUB",),
        distance_m=np.zeros((1, 1), dtype=np.int64),
        duration_s=np.zeros((1, 1), dtype=np.int64),
        depots=(Depot("HUB", "HUB"),),
        villages=(),
        vehicle_types=(van,),
    )


@pytest.fixture(scope="session")
def _one_van_two_far_villages(euclid_problem):  # type: ignore[no-untyped-def]
    def _one_van_two_far_villages() -> Problem:
        """One van for an hour; A (1 parcel) and B (5 parcels) 12 km out in opposite directions
        (1,200 s each way at 10 m/s): each fits the shift alone, both do not, and the capacity
        screen passes — the day is over-constrained by time only."""
        points = {"HUB": (0.0, 0.0), "A": (-12000.0, 0.0), "B": (12000.0, 0.0)}
        van = VehicleType("van", 1, (10,), "HUB", cost_per_km=1.0, shift_end_s=3600)
        villages = [Village("A", "A", (1,), (0,)), Village("B", "B", (5,), (0,))]
        return euclid_problem("far", points, [Depot("HUB", "HUB")], villages, [van])

    return _one_van_two_far_villages


def test_required_clients_when_the_fleet_can_carry_the_day(six_village_problem) -> None:
    """Issue 16: every village required (PyVRP's fast path) unless it cannot be done."""
    plan = solve(six_village_problem())
    assert plan.meta["phases"] == ["required"]
    assert plan.meta["prize_yuan"] == 0


def test_prizes_take_over_when_no_round_serves_everyone_and_weigh_parcels(
    _one_van_two_far_villages,
) -> None:
    """The required search finds nothing feasible by REQUIRED_PATIENCE of its iterations;
    the prize-collecting search serves B, which leaves more parcels behind if dropped."""
    problem = _one_van_two_far_villages()
    plan = solve(problem, iters=300)
    assert plan.meta["phases"] == ["required", "prizes"]
    assert plan.served == ("B",)
    assert [(u.village, u.reason) for u in plan.unserved] == [("A", "fleet_size")]
    assert plan.meta["iterations"] <= 300
    again = solve(problem, iters=300)
    assert again.routes == plan.routes  # work-bounded: the switch point is deterministic


def test_over_capacity_day_starts_with_prizes(overconstrained_problem) -> None:
    plan = solve(overconstrained_problem())
    assert plan.meta["phases"] == ["prizes"]


def test_money_unit_is_one_per_distance_unit_on_benchmark_instances() -> None:
    """The common divisor makes Dethloff's 0.1 yuan/km (36 units of 1/3600 fen a metre) one
    objective unit a metre, the scale PyVRP's default penalties are tuned for."""
    from pathlib import Path

    from routing.pyvrp_model import MONEY_UNITS_PER_YUAN
    from routing.pyvrp_model import build_data as _build
    from routing.readers import read_instance

    inst = read_instance(Path(__file__).parents[1] / "data" / "vrpspd" / "SCA3-0.vrpspd")
    data, mapping = _build(inst.problem, True)
    assert data.vehicle_type(0).unit_distance_cost == 1
    assert mapping.units_per_yuan == MONEY_UNITS_PER_YUAN / 36
    assert mapping.penalty_scale == 1.0
