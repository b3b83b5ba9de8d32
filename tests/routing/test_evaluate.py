"""The one round evaluator (routing.evaluate): a hand-checked round, and agreement with the
independent checker on random plans."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from routing.check import check
from routing.evaluate import RouteEvaluator
from routing.plan import Plan
from routing.problem import Depot, Problem, VehicleType, Village


@pytest.fixture(scope="session")
def _round_problem(euclid_problem):  # type: ignore[no-untyped-def]
    def _round_problem(capacity: int = 6) -> Problem:
        """Hub at 0; P at 1 km (delivers 2, picks up 1, 60 s, any time); Q at 3 km (delivers 3,
        picks up 5, 120 s, window 1000–2000 s). 10 m/s. Van: fixed ¥10, ¥1/km, ¥36/h."""
        points = {"HUB": (0.0, 0.0), "P": (1000.0, 0.0), "Q": (3000.0, 0.0)}
        villages = [
            Village("P", "P", (2,), (1,), service_s=60, window=(0, 10_000)),
            Village("Q", "Q", (3,), (5,), service_s=120, window=(1000, 2000)),
        ]
        van = VehicleType(
            "van", 1, (capacity,), "HUB", fixed_cost=10.0, cost_per_km=1.0, cost_per_h=36.0
        )
        return euclid_problem("evaluate", points, [Depot("HUB", "HUB")], villages, [van])

    return _round_problem


def test_hand_checked_round_without_postponing(_round_problem) -> None:
    """Leaves at 0: P 100–160; Q arrives 360, waits 640 s to 1000, leaves 1120; back 1420.
    6 km; duty 1420 s; ¥10 + ¥6 + 1420/3600·¥36 = ¥30.20. Load 5 → 4 → 6."""
    ev = RouteEvaluator(_round_problem())
    rt = ev.round("van", ["P", "Q"], postpone=False)
    assert rt.feasible and rt.reason == ""
    assert (rt.depart_s, rt.return_s, rt.duration_s) == (0, 1420, 1420)
    assert rt.arrivals == (100, 360)
    assert rt.starts == (100, 1000)
    assert rt.waits == (0, 640)
    assert rt.services == (60, 120)
    assert rt.departures == (160, 1120)
    assert rt.load_start == (5,)
    assert rt.loads_after == ((4,), (6,))
    assert rt.distance_m == 6000
    assert rt.cost == pytest.approx(30.2)


def test_postponing_cuts_the_wait_and_the_hourly_cost(_round_problem) -> None:
    """The 640 s wait at Q moves to the depot: leaves 640, P 740–800, Q 1000–1120, back
    1420; duty 780 s, ¥10 + ¥6 + ¥7.80 = ¥23.80."""
    ev = RouteEvaluator(_round_problem())
    rt = ev.round("van", ["P", "Q"])
    assert (rt.depart_s, rt.return_s) == (640, 1420)
    assert rt.arrivals == (740, 1000) and rt.waits == (0, 0)
    assert rt.cost == pytest.approx(23.8)
    route = ev.route("van#0", 0, ev.village_indices(["P", "Q"]), rt)
    assert route.villages == ("P", "Q") and route.cost == pytest.approx(23.8)
    assert [s.load_after for s in route.stops] == [(4,), (6,)]
    assert check(Plan((route,), cost=route.cost), _round_problem()) == []


def test_earliest_departure_and_broken_limits_are_timed_and_named(_round_problem) -> None:
    ev = RouteEvaluator(_round_problem())
    late = ev.round("van", ["P", "Q"], depart_s=700, postpone=False)
    assert (late.depart_s, late.arrivals, late.return_s) == (700, (800, 1060), 1480)
    too_late = ev.round("van", ["P", "Q"], depart_s=2000, postpone=False)
    assert not too_late.feasible and too_late.reason == "time_window"
    assert too_late.starts == (2100, 2360)  # still timed, for the checker to see
    small = RouteEvaluator(_round_problem(capacity=5)).round("van", ["P", "Q"])
    assert small.reason == "capacity" and small.detail == "6 parcels on board after Q > 5"
    assert small.loads_after == ((4,), (6,))
    empty = ev.round("van", [])
    assert empty.feasible and empty.cost == 0.0 and empty.distance_m == 0
    with pytest.raises(KeyError, match="'X'"):
        ev.round("van", ["X"])
    with pytest.raises(KeyError, match="'lorry'"):
        ev.round("lorry", ["P"])


# -- agreement with the checker on random plans -------------------------------------------
_FEASIBILITY_KINDS = {
    "capacity",
    "time_window",
    "release",
    "depot_ready",
    "shift_start",
    "shift_end",
    "max_duration",
    "max_distance",
    "unreachable",
}
_MISMATCH_KINDS = {"time_mismatch", "load_mismatch", "distance_mismatch", "route_cost"}


@st.composite
def _random_plans(
    draw: st.DrawFn, euclid_problem: Callable[..., Problem]
) -> tuple[Problem, list[list[int]], bool, int | None]:
    n = draw(st.integers(1, 7))
    dims = draw(st.integers(1, 2))
    xy = draw(st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=n + 1,
                       max_size=n + 1))  # fmt: skip
    points = {("HUB" if k == 0 else f"V{k}"): (500.0 * x, 500.0 * y) for k, (x, y) in enumerate(xy)}
    villages = []
    for k in range(1, n + 1):
        opens = draw(st.integers(0, 4000))
        villages.append(
            Village(
                f"V{k}",
                f"V{k}",
                tuple(draw(st.integers(0, 4)) for _ in range(dims)),
                tuple(draw(st.integers(0, 4)) for _ in range(dims)),
                service_s=draw(st.integers(0, 300)),
                window=(opens, opens + draw(st.integers(1000, 20_000))),
                release_s=draw(st.integers(0, 3000)),
            )
        )
    order = draw(st.permutations(list(range(n))))
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=n - 1)) if n > 1 else [])
    bounds = [0, *cuts, n]
    sequences = [list(order[a:b]) for a, b in itertools.pairwise(bounds)]
    shift_start = draw(st.integers(0, 2000))
    van = VehicleType(
        "van",
        len(sequences),
        tuple(draw(st.integers(8, 30)) for _ in range(dims)),
        "HUB",
        fixed_cost=draw(st.floats(0, 50, allow_nan=False)),
        cost_per_km=draw(st.floats(0, 5, allow_nan=False)),
        cost_per_h=draw(st.floats(0, 80, allow_nan=False)),
        shift_start_s=shift_start,
        shift_end_s=shift_start + draw(st.integers(5000, 60_000)),
        max_duration_s=draw(st.integers(5000, 60_000)),
        max_distance_m=draw(st.integers(0, 120_000)),
    )
    depot = Depot("HUB", "HUB", ready_s=draw(st.integers(0, 2000)))
    problem = euclid_problem(
        "evaluate-random",
        points,
        [depot],
        villages,
        [van],
        dimensions=tuple(f"d{k}" for k in range(dims)),
        unreachable=[f"V{n}"] if n > 1 and draw(st.integers(0, 4)) == 4 else [],
    )
    postpone = draw(st.booleans())
    depart = draw(st.one_of(st.none(), st.integers(0, 6000)))
    return problem, sequences, postpone, depart


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_evaluator_and_checker_agree_on_random_plans(euclid_problem, data: st.DataObject) -> None:
    """The checker recomputes every round itself: it must find the evaluator's times, loads,
    distances and costs exact, and a limit broken exactly when the evaluator says so."""
    case = data.draw(_random_plans(euclid_problem))
    problem, sequences, postpone, depart = case
    ev = RouteEvaluator(problem)
    routes, feasible = [], {}
    for k, seq in enumerate(sequences):
        rt = ev.evaluate(0, seq, postpone=postpone, depart_s=depart)
        assert ev.evaluate(0, seq, full=False, postpone=postpone, depart_s=depart).feasible == (
            rt.feasible
        )
        if postpone and depart is None:
            assert ev.feasible(0, seq) == rt.feasible
        event(f"feasible={rt.feasible} reason={rt.reason}")
        route = ev.route(f"van#{k}", 0, seq, rt)
        routes.append(route)
        feasible[route.vehicle] = rt.feasible
    plan = Plan(tuple(routes), cost=sum(r.cost for r in routes))
    found = check(plan, problem)
    assert not [v for v in found if v.kind in _MISMATCH_KINDS], found
    for vehicle, ok in feasible.items():
        broken = {v.kind for v in found if v.vehicle == vehicle} & _FEASIBILITY_KINDS
        assert ok == (not broken), (vehicle, broken)
