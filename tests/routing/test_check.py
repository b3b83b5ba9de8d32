"""The independent checker: a hand-computed valid plan passes; each rule broken alone is
reported under its own kind; random small problems solved by PyVRP pass."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.check import (
    KINDS,
    PlanError,
    Violation,
    check,
    check_loading,
    check_or_raise,
    route_cost,
)
from routing.plan import Plan, Route, Stop, Unserved
from routing.problem import Depot, Problem, VehicleType, Village
from routing.readers import plan_from_sequences


@pytest.fixture(scope="session")
def make_problem(euclid_problem):  # type: ignore[no-untyped-def]
    def make_problem(**van_changes: object) -> Problem:
        """Hub and a township station (ready 1000 s) 2 km north; 10 m/s roads.

        ``A`` (1 km east, service 60, window ≤ 5000), ``B`` (2 km east, service 60, released
        500), ``C`` (1 km north, tied to the station), ``U`` (no road to it)."""
        points = {
            "HUB": (0.0, 0.0),
            "TSL": (0.0, 2000.0),
            "A": (1000.0, 0.0),
            "B": (2000.0, 0.0),
            "C": (0.0, 1000.0),
            "U": (-500.0, 0.0),
        }
        villages = [
            Village("A", "A", (2,), (1,), service_s=60, window=(0, 5000)),
            Village("B", "B", (3,), (4,), service_s=60, release_s=500),
            Village("C", "C", (1,), (0,), depot="TS"),
            Village("U", "U", (1,), (0,)),
        ]
        van = VehicleType(
            "van",
            2,
            (10,),
            "HUB",
            fixed_cost=10.0,
            cost_per_km=1.0,
            cost_per_h=36.0,
            shift_end_s=100_000,
            max_duration_s=10_000,
            max_distance_m=50_000,
        )
        van = dataclasses.replace(van, **van_changes)  # type: ignore[arg-type]
        tsvan = VehicleType("tsvan", 1, (10,), "TS", fixed_cost=5.0, cost_per_km=1.0)
        depots = [Depot("HUB", "HUB"), Depot("TS", "TSL", ready_s=1000)]
        return euclid_problem("checker", points, depots, villages, [van, tsvan], unreachable=["U"])

    return make_problem


VAN = Route(
    vehicle="van#0",
    vehicle_type="van",
    start_depot="HUB",
    end_depot="HUB",
    depart_s=500,
    return_s=1020,
    stops=(Stop("A", 600, 600, 660, (4,)), Stop("B", 760, 760, 820, (5,))),
    load_start=(5,),
    distance_m=4000,
    cost=19.2,  # 10 fixed + 4 km + 520 s at 36 yuan/h
)
TSVAN = Route(
    vehicle="tsvan#0",
    vehicle_type="tsvan",
    start_depot="TS",
    end_depot="TS",
    depart_s=1000,
    return_s=1200,
    stops=(Stop("C", 1100, 1100, 1100, (0,)),),
    load_start=(1,),
    distance_m=2000,
    cost=7.0,
)
VALID = Plan(routes=(VAN, TSVAN), unserved=(Unserved("U", "unreachable"),), cost=26.2)


def with_routes(*routes: Route, plan: Plan = VALID, recost: bool = True) -> Plan:
    cost = sum(r.cost for r in routes) if recost else plan.cost
    return dataclasses.replace(plan, routes=tuple(routes), cost=cost)


def shifted(route: Route, dt: int) -> Route:
    stops = tuple(
        dataclasses.replace(
            s, arrival_s=s.arrival_s + dt, start_s=s.start_s + dt, departure_s=s.departure_s + dt
        )
        for s in route.stops
    )
    return dataclasses.replace(
        route, depart_s=route.depart_s + dt, return_s=route.return_s + dt, stops=stops
    )


def stop_changed(route: Route, k: int, **changes: object) -> Route:
    stops = list(route.stops)
    stops[k] = dataclasses.replace(stops[k], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(route, stops=tuple(stops))


@pytest.fixture(scope="session")
def kinds(make_problem):  # type: ignore[no-untyped-def]
    def kinds(plan: Plan, problem: Problem | None = None) -> set[str]:
        return {v.kind for v in check(plan, problem or make_problem())}

    return kinds


def test_valid_plan_passes(make_problem) -> None:
    assert check(VALID, make_problem()) == []
    check_or_raise(VALID, make_problem())


def test_hand_plan_matches_plan_from_sequences(make_problem) -> None:
    problem = make_problem()
    built = plan_from_sequences(problem, [["A", "B"]], vehicle_type="van")
    assert built.routes[0] == dataclasses.replace(VAN, cost=built.routes[0].cost)
    assert built.routes[0].cost == pytest.approx(VAN.cost)
    assert route_cost(problem.vehicle_type("van"), 4000, 520) == pytest.approx(19.2)


def _dup_visit(problem: Problem) -> Plan:
    extra = plan_from_sequences(problem, [["A"]], vehicle_type="van").routes[0]
    return with_routes(VAN, TSVAN, dataclasses.replace(extra, vehicle="van#1"))


def _wrong_depot(problem: Problem) -> Plan:
    via_hub = plan_from_sequences(problem, [["A", "B", "C"]], vehicle_type="van")
    return dataclasses.replace(via_hub, unserved=VALID.unserved)


def _unreachable(problem: Problem) -> Plan:
    to_u = plan_from_sequences(problem, [["U"]], vehicle_type="van").routes[0]
    return Plan(
        routes=(VAN, TSVAN, dataclasses.replace(to_u, vehicle="van#1")),
        cost=VAN.cost + TSVAN.cost + to_u.cost,
    )


def trip_plan(depart_b: int = 1060, numbers: tuple[int, int] = (0, 1)) -> Plan:
    """van#0 takes B on trip 0 (leaves 500 at its release, back 960) and A on trip 1
    (leaves ``depart_b``: 1060 = back + a 100 s reload); costs by hand at 1 yuan/km and
    36 yuan/h: 10 + 4 + 4.6 = 18.6, then 2 km + the hours since 960."""
    b = Route("van#0", "van", "HUB", "HUB", 500, 960, (Stop("B", 700, 700, 760, (4,)),), (3,),
              4000, 18.6, trip=numbers[0])  # fmt: skip
    t = depart_b
    stop_a = Stop("A", t + 100, t + 100, t + 160, (1,))
    a = Route("van#0", "van", "HUB", "HUB", t, t + 260, (stop_a,), (2,), 2000,
              2.0 + (t + 260 - 960) / 100, trip=numbers[1])  # fmt: skip
    return with_routes(b, a, TSVAN)


def _second_tsvan(problem: Problem) -> Plan:
    empty = Route("tsvan#1", "tsvan", "TS", "TS", 1000, 1000, (), (0,), 0, 5.0)
    return with_routes(VAN, TSVAN, empty)


# (expected kind, bad plan, problem changes or None); each case breaks one rule.
CASES: list[tuple[str, Callable[[Problem], Plan], dict[str, object] | None, bool]] = [
    ("capacity", lambda problem: VALID, {"capacity": (4,)}, True),
    (
        "negative_load",
        lambda problem: with_routes(stop_changed(VAN, 0, load_after=(-1,)), TSVAN),
        None,
        False,
    ),
    (
        "load_mismatch",
        lambda problem: with_routes(dataclasses.replace(VAN, load_start=(6,)), TSVAN),
        None,
        True,
    ),
    (
        "time_mismatch",
        lambda problem: with_routes(stop_changed(VAN, 0, arrival_s=601), TSVAN),
        None,
        True,
    ),
    (
        "time_mismatch",
        lambda problem: with_routes(dataclasses.replace(VAN, return_s=1021), TSVAN),
        None,
        True,
    ),
    ("time_window", lambda problem: VALID, {"window": None}, True),
    ("late_cost", lambda problem: VALID, {"due": None}, True),
    (
        "release",
        lambda problem: with_routes(dataclasses.replace(shifted(VAN, -100), cost=VAN.cost), TSVAN),
        None,
        True,
    ),
    ("depot_ready", lambda problem: with_routes(VAN, shifted(TSVAN, -100)), None, True),
    ("shift_start", lambda problem: VALID, {"shift_start_s": 600}, True),
    ("shift_end", lambda problem: VALID, {"shift_end_s": 1000}, True),
    ("max_duration", lambda problem: VALID, {"max_duration_s": 500}, True),
    ("max_distance", lambda problem: VALID, {"max_distance_m": 3999}, True),
    (
        "distance_mismatch",
        lambda problem: with_routes(dataclasses.replace(VAN, distance_m=4001), TSVAN),
        None,
        True,
    ),
    (
        "route_cost",
        lambda problem: with_routes(dataclasses.replace(VAN, cost=19.3), TSVAN, recost=False),
        None,
        True,
    ),
    ("plan_cost", lambda problem: dataclasses.replace(VALID, cost=26.3), None, True),
    ("duplicate_visit", _dup_visit, None, False),
    (
        "unknown_village",
        lambda problem: with_routes(stop_changed(VAN, 1, village="ZZ"), TSVAN),
        None,
        False,
    ),
    ("missing_village", lambda problem: dataclasses.replace(VALID, unserved=()), None, True),
    (
        "served_and_unserved",
        lambda problem: dataclasses.replace(
            VALID, unserved=(*VALID.unserved, Unserved("A", "capacity"))
        ),
        None,
        True,
    ),
    (
        "bad_reason",
        lambda problem: dataclasses.replace(VALID, unserved=(Unserved("U", "because"),)),
        None,
        True,
    ),
    ("fleet_size", _second_tsvan, None, True),
    (  # two "trip 0" of one van, of two types (also mixed_vehicle)
        "duplicate_vehicle",
        lambda problem: with_routes(VAN, dataclasses.replace(TSVAN, vehicle="van#0")),
        None,
        False,
    ),
    # Second trips (tests/test_trips.py has the hand-computed plans): each rule alone.
    ("max_trips", lambda problem: trip_plan(), None, True),
    ("max_trips", lambda problem: trip_plan(numbers=(0, 2)), {"max_trips": 3}, True),
    (
        "trip_overlap",
        lambda problem: trip_plan(depart_b=900),
        {"max_trips": 2, "reload_s": 100},
        True,
    ),
    ("reload", lambda problem: trip_plan(depart_b=1000), {"max_trips": 2, "reload_s": 100}, True),
    (
        "mixed_vehicle",
        lambda problem: with_routes(
            VAN, dataclasses.replace(TSVAN, vehicle="van#0", trip=1, depart_s=1100, return_s=1300)
        ),
        {"max_trips": 2},
        False,
    ),
    (
        "unknown_vehicle_type",
        lambda problem: with_routes(VAN, dataclasses.replace(TSVAN, vehicle_type="truck")),
        None,
        False,
    ),
    (
        "depot_mismatch",
        lambda problem: with_routes(VAN, dataclasses.replace(TSVAN, end_depot="HUB")),
        None,
        False,
    ),
    ("wrong_depot", _wrong_depot, None, False),
    ("unreachable", _unreachable, None, False),
]


@pytest.mark.parametrize(
    ("kind", "make_plan", "changes", "alone"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_each_violation_kind(
    kinds,
    make_problem,
    kind: str,
    make_plan: Callable[[Problem], Plan],
    changes: dict[str, object] | None,
    alone: bool,
) -> None:
    problem = make_problem()
    if changes is not None:
        if "window" in changes:  # A's window closes before the van gets there
            villages = tuple(
                dataclasses.replace(v, window=(0, 500)) if v.id == "A" else v
                for v in problem.villages
            )
            problem = problem.replace(villages=villages)
        elif "due" in changes:  # B promised by 700 s, served at 760: 60 s late, not recorded
            villages = tuple(
                dataclasses.replace(v, due_s=700, late_cost_per_h=36.0) if v.id == "B" else v
                for v in problem.villages
            )
            problem = problem.replace(villages=villages)
        else:
            problem = make_problem(**changes)
    found = kinds(make_plan(problem), problem)
    assert kind in found
    if alone:  # the case breaks exactly this rule and nothing else
        assert found == {kind}


def test_every_kind_has_a_case() -> None:
    # "loading" is reported by check_loading (it needs the sorter's ready times)
    assert {c[0] for c in CASES} | {"loading"} == set(KINDS)


def test_check_loading_recomputes_ready_plus_loading(make_problem) -> None:
    """VAN leaves at 500 with A and B (2 + 3 parcels): at 3,600 parcels/h (1 a second)
    it may leave from the last ready time + 5 s."""
    problem = make_problem()
    assert check_loading(VALID, problem, {"A": 400.0, "B": 495.0}, 3600.0) == []
    bad = check_loading(VALID, problem, {"A": 400.0, "B": 496.0}, 3600.0)
    assert [(v.kind, v.vehicle) for v in bad] == [("loading", "van#0")]
    assert "5 parcels" in bad[0].detail
    assert check_loading(VALID, problem, {}, 3600.0) == []  # nothing ready: nothing held


def test_late_cost_recomputed_by_the_checker(make_problem) -> None:
    """B promised by 700 s at 36 yuan/h, served at 760 s: 0.6 yuan, recorded ⇒ valid."""
    problem = make_problem()
    villages = tuple(
        dataclasses.replace(v, due_s=700, late_cost_per_h=36.0) if v.id == "B" else v
        for v in problem.villages
    )
    problem = problem.replace(villages=villages)
    plan = with_routes(dataclasses.replace(VAN, late_cost=0.6), TSVAN)
    assert check(plan, problem) == []
    assert plan.late_cost == pytest.approx(0.6)
    built = plan_from_sequences(problem, [["A", "B"]], vehicle_type="van")
    assert built.routes[0].late_cost == pytest.approx(0.6)  # the evaluator agrees


def test_check_or_raise_lists_violations(make_problem) -> None:
    with pytest.raises(PlanError) as err:
        check_or_raise(dataclasses.replace(VALID, cost=0.0), make_problem())
    assert err.value.violations == [
        Violation("plan_cost", detail="recorded 0.0000, recomputed 26.2000 yuan")
    ]
    assert "plan_cost" in str(err.value)


# -- random problems solved by PyVRP pass the checker ------------------------------------


@st.composite
def small_problems(draw: st.DrawFn, euclid_problem: Callable[..., Problem]) -> Problem:
    n = draw(st.integers(1, 7))
    dims = draw(st.sampled_from([("parcels",), ("parcels", "litres")]))
    nd = len(dims)
    two_depots = draw(st.booleans())
    coord = st.integers(-5000, 5000).map(float)
    points = {"HUB": (0.0, 0.0)}
    depots = [Depot("HUB", "HUB")]
    if two_depots:
        points["TSL"] = (draw(coord), draw(coord))
        depots.append(Depot("TS", "TSL", ready_s=draw(st.integers(0, 3600))))
    villages = []
    for k in range(n):
        vid = f"V{k}"
        points[vid] = (draw(coord), draw(coord))
        open_s = draw(st.integers(0, 3000))
        villages.append(
            Village(
                vid,
                vid,
                tuple(draw(st.integers(0, 8)) for _ in range(nd)),
                tuple(draw(st.integers(0, 8)) for _ in range(nd)),
                service_s=draw(st.integers(0, 300)),
                window=(open_s, open_s + draw(st.integers(0, 20_000))),
                release_s=draw(st.integers(0, 2000)),
                depot=draw(st.sampled_from([None, "TS"])) if two_depots else None,
            )
        )
    types = [
        VehicleType(
            "van",
            draw(st.integers(1, 3)),
            tuple(draw(st.integers(5, 20)) for _ in range(nd)),
            "HUB",
            fixed_cost=draw(st.sampled_from([0.0, 20.0])),
            cost_per_km=1.2,
            cost_per_h=draw(st.sampled_from([0.0, 30.0])),
            max_duration_s=draw(st.integers(1800, 20_000)),
            max_distance_m=draw(st.integers(10_000, 60_000)),
        )
    ]
    if two_depots:
        types.append(
            VehicleType(
                "tsvan",
                1,
                (15,) * nd,
                "TS",
                cost_per_km=1.0,
                end_depot=draw(st.sampled_from(["TS", "HUB"])),
            )
        )
    return euclid_problem("random", points, depots, villages, types, dimensions=dims)


STATUSES: list[str] = []


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 3))
def test_pyvrp_plans_on_random_problems_pass(
    euclid_problem, data: st.DataObject, seed: int
) -> None:
    problem = data.draw(small_problems(euclid_problem))
    from routing.pyvrp_backend import solve_pyvrp

    plan = solve_pyvrp(problem, time_limit_s=5.0, seed=seed, max_iterations=200)
    assert check(plan, problem) == []
    assert plan.status in ("feasible", "partial", "interrupted")
    assert (plan.status == "feasible") == (not plan.unserved)
    STATUSES.append(plan.status)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 3))
def test_ortools_plans_on_random_problems_pass(
    euclid_problem, data: st.DataObject, seed: int
) -> None:
    """The same invariant through helper B's entry point and the OR-Tools backend."""
    problem = data.draw(small_problems(euclid_problem))
    from routing.solve import solve

    plan = solve(
        problem,
        backend="ortools",
        time_limit_s=5.0,
        seed=seed,
        deterministic=True,
        solution_limit=50,
    )
    assert check(plan, problem) == []
    assert (plan.status == "feasible") == (not plan.unserved)
