"""The promise in the plan and drops weighed by what they leave behind (issue 15).

Hand-checkable instances on a line (10 m/s roads, see ``routing_fixtures``): the soft
promise changes the rounds where lateness costs more than a van; a hard promise leaves a
village no van can reach in time unserved with the reason that binds; weighed drops leave
the fewest parcels behind. Every plan goes through the independent checker.
"""

from __future__ import annotations

import dataclasses

import pytest

from routing import solve
from routing.check import check
from routing.lateness import lateness
from routing.problem import Depot, Problem, ProblemError, VehicleType, Village

BACKENDS = ["ortools", "pyvrp", "auto"]


@pytest.fixture(scope="session")
def two_way(euclid_problem, speed_mps):  # type: ignore[no-untyped-def]
    def two_way(due: int | None, late_per_h: float) -> Problem:
        """A 5 km east, B 5 km west of the hub (500 s each way), both promised by ``due``.

        One van for both: 20 km and one fixed cost (30 yuan); the second village is reached at
        1500 s. Two vans: 20 km and two fixed costs (40 yuan), both reached at 500 s."""
        assert speed_mps == 10
        points = {"HUB": (0.0, 0.0), "A": (5000.0, 0.0), "B": (-5000.0, 0.0)}
        villages = [
            Village(v, v, (1,), (0,), due_s=due, late_cost_per_h=late_per_h) for v in ("A", "B")
        ]
        van = VehicleType("van", 2, (10,), "HUB", fixed_cost=10.0, cost_per_km=1.0)
        return euclid_problem("promise", points, [Depot("HUB", "HUB")], villages, [van])

    return two_way


@pytest.mark.parametrize("backend", BACKENDS)
def test_report_uses_one_van_soft_pays_for_a_second(two_way, backend: str) -> None:
    report = solve(two_way(None, 0.0), backend, time_limit_s=1.0)
    assert check(report, two_way(None, 0.0)) == []
    assert len(report.routes) == 1 and report.cost == pytest.approx(30.0)
    # The same round under a soft promise by 600 s at 360 yuan/h: 900 s late = 90 yuan.
    soft_problem = two_way(600, 360.0)
    assert lateness(report, soft_problem).late_cost == pytest.approx(90.0)
    soft = solve(soft_problem, backend, time_limit_s=1.0)
    assert check(soft, soft_problem) == []
    assert len(soft.routes) == 2 and soft.cost == pytest.approx(40.0)
    assert soft.late_cost == 0.0 and lateness(soft, soft_problem).late_villages == ()


@pytest.mark.parametrize("backend", BACKENDS)
def test_soft_promise_cheaper_than_a_van_stays_late(two_way, backend: str) -> None:
    """At 36 yuan/h the 900 s of lateness cost 9 yuan, less than a second van (10).

    PyVRP has no soft windows: it keeps each promise a van alone can keep as a deadline
    (routing.deadline), so it pays for the second van (40 yuan against 39); ``auto``
    compares both on cost + late cost and keeps OR-Tools' plan."""
    problem = two_way(600, 36.0)
    plan = solve(problem, backend, time_limit_s=1.0)
    assert check(plan, problem) == []
    if backend == "pyvrp":
        assert len(plan.routes) == 2 and plan.late_cost == 0.0
        assert plan.cost + plan.late_cost == pytest.approx(40.0)  # the deadline's price: ¥1
        return
    assert len(plan.routes) == 1
    assert plan.late_cost == pytest.approx(9.0)
    assert plan.summary()["late_cost"] == pytest.approx(9.0)


def test_late_cost_needs_a_due_time() -> None:
    with pytest.raises(ProblemError, match=r"late_cost_per_h = 5.0: needs a due_s"):
        Village("A", "A", (1,), (0,), late_cost_per_h=5.0)
    with pytest.raises(ProblemError, match=r"drop_penalty = -1"):
        Village("A", "A", (1,), (0,), drop_penalty=-1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hard_promise_names_the_binding_reason(euclid_problem, backend: str) -> None:
    """Promised by 600 s as a deadline (window close): C is 1000 s away (no van can make
    it: time_window); D is 300 s away but its chute is ready at 400 s (release_too_late);
    A makes it."""
    points = {"HUB": (0.0, 0.0), "A": (2000.0, 0.0), "C": (-10000.0, 0.0), "D": (0.0, 3000.0)}
    villages = [
        Village("A", "A", (1,), (0,), window=(0, 600)),
        Village("C", "C", (1,), (0,), window=(0, 600)),
        Village("D", "D", (1,), (0,), window=(0, 600), release_s=400),
    ]
    van = VehicleType("van", 3, (10,), "HUB", fixed_cost=1.0, cost_per_km=1.0)
    problem = euclid_problem("hard", points, [Depot("HUB", "HUB")], villages, [van])
    plan = solve(problem, backend, time_limit_s=1.0)
    assert check(plan, problem) == []
    assert plan.served == ("A",)
    reasons = {u.village: u.reason for u in plan.unserved}
    assert reasons == {"C": "time_window", "D": "release_too_late"}


@pytest.fixture(scope="session")
def short_fleet(euclid_problem):  # type: ignore[no-untyped-def]
    def short_fleet(weighed: bool) -> Problem:
        """One van of 10 parcels: A (10 parcels, 4 km) or B, C, D (3 each, 1 km): not both."""
        points = {
            "HUB": (0.0, 0.0),
            "A": (4000.0, 0.0),
            "B": (0.0, 1000.0),
            "C": (0.0, -1000.0),
            "D": (-1000.0, 0.0),
        }
        size = {"A": 10, "B": 3, "C": 3, "D": 3}
        villages = [
            Village(v, v, (n,), (0,), drop_penalty=1000.0 * n if weighed else None)
            for v, n in size.items()
        ]
        van = VehicleType("van", 1, (10,), "HUB", fixed_cost=10.0, cost_per_km=1.0)
        return euclid_problem("short", points, [Depot("HUB", "HUB")], villages, [van])

    return short_fleet


def left_behind(plan, problem: Problem) -> int:  # type: ignore[no-untyped-def]
    return sum(problem.village(u.village).delivery[0] for u in plan.unserved)


@pytest.mark.parametrize("backend", ["ortools", "auto"])
def test_weighed_drops_leave_the_fewest_parcels(short_fleet, backend: str) -> None:
    """PyVRP's prizes are weighed only between 1× and 2× (larger prizes stall its search,
    see routing.pyvrp_backend), so here it still serves B, C, D; ``auto`` compares the
    plans on the exact penalties and keeps OR-Tools' (A served, 9 parcels left)."""
    uniform, weighed = short_fleet(False), short_fleet(True)
    p_uniform = solve(uniform, backend, time_limit_s=1.0)
    p_weighed = solve(weighed, backend, time_limit_s=1.0)
    assert check(p_uniform, uniform) == [] and check(p_weighed, weighed) == []
    assert sorted(p_uniform.served) == ["B", "C", "D"]  # the most villages: 10 parcels left
    assert p_weighed.served == ("A",)  # the most parcels: 9 left
    assert left_behind(p_weighed, weighed) == 9 < left_behind(p_uniform, uniform) == 10
    assert {u.reason for u in p_weighed.unserved} == {"fleet_size"}


def test_postponing_never_makes_a_promised_stop_late(euclid_problem) -> None:
    """A's window opens at 2000 s (the van waits); B is first, promised by 700 s. Leaving
    later to cut the wait would make B late, so the van leaves at 0 with a soft promise."""
    points = {"HUB": (0.0, 0.0), "B": (5000.0, 0.0), "A": (6000.0, 0.0)}
    villages = [
        Village("B", "B", (1,), (0,), due_s=700, late_cost_per_h=36.0),
        Village("A", "A", (1,), (0,), window=(2000, 9000)),
    ]
    van = VehicleType("van", 1, (10,), "HUB")
    problem = euclid_problem("postpone", points, [Depot("HUB", "HUB")], villages, [van])
    from routing.evaluate import RouteEvaluator

    rt = RouteEvaluator(problem).round("van", ["B", "A"])
    assert rt.starts[0] == 700 and rt.late_cost == 0.0  # postponed by 200 s, not by 1400
    no_promise = problem.replace(
        villages=(dataclasses.replace(villages[0], due_s=None, late_cost_per_h=0.0), villages[1])
    )
    assert RouteEvaluator(no_promise).round("van", ["B", "A"]).starts[0] == 1900


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_village_bigger_than_a_van_is_split_into_van_sized_drops(
    euclid_problem, backend: str
) -> None:
    """X needs 25 parcels and collects 4 with vans of 10: three drops 9 + 8 + 8 (pickups
    2 + 1 + 1), served on three vans, each within capacity; the checker agrees."""
    from routing.split import split_large, village_of

    points = {"HUB": (0.0, 0.0), "X": (3000.0, 0.0), "Y": (0.0, 2000.0)}
    villages = [
        Village("X", "X", (25,), (4,), service_s=300, late_cost_per_h=30.0, due_s=9000,
                drop_penalty=2900.0),
        Village("Y", "Y", (2,), (0,)),
    ]  # fmt: skip
    van = VehicleType("van", 4, (10,), "HUB", fixed_cost=10.0, cost_per_km=1.0)
    problem = euclid_problem("split", points, [Depot("HUB", "HUB")], villages, [van])
    split, which = split_large(problem)
    assert which == {"X"}
    parts = [v for v in split.villages if village_of(v.id, which) == "X"]
    assert [v.id for v in parts] == ["X#1", "X#2", "X#3"]
    assert [v.delivery for v in parts] == [(9,), (8,), (8,)]
    assert [v.pickup for v in parts] == [(2,), (1,), (1,)]
    assert sum(v.service_s for v in parts) == 300
    assert sum(v.late_cost_per_h for v in parts) == pytest.approx(30.0)
    assert sum(v.penalty for v in parts) == pytest.approx(2900.0)
    assert split.village("Y") == problem.village("Y")
    plan = solve(split, backend, time_limit_s=1.0)
    assert check(plan, split) == [] and not plan.unserved
    assert sorted(village_of(s, which) for s in plan.served) == ["X", "X", "X", "Y"]
    unsplit = solve(problem, backend, time_limit_s=1.0)
    assert [u.reason for u in unsplit.unserved] == ["capacity"]  # what happened before
    assert split_large(split)[1] == frozenset()  # nothing left to split
