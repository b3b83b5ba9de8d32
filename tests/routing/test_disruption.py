"""Breakdowns, road closures and re-planning on a tiny hand-checkable problem.

Hub at 0; east villages E1, E2, E3 at 3, 4, 5 km; west villages W1, W2 at -3, -4 km.
10 m/s, so 1 km = 100 s; every stop takes 60 s; each village delivers 3 and picks up 2.
Three vans of capacity 20 from 08:00: van#0 runs E1-E2-E3, van#1 runs W1-W2, van#2 is
spare. van#0: leaves 08:00, E1 08:05-08:06, E2 08:07:40-08:08:40, E3 08:10:20-08:11:20,
back 08:19:40.
"""

from __future__ import annotations

import dataclasses
import importlib
import json

import numpy as np
import pytest

from routing.check import check
from routing.disruption import (
    RECOVERY_DELAY_S,
    DisruptionError,
    RoadClosure,
    VanBreakdown,
    fleet_state,
    replan,
    timed_route,
)
from routing.plan import Plan
from routing.plan_io import PlanFormatError, plan_from_dict, plan_to_dict
from routing.problem import Depot, Problem, VehicleType, Village
from routing.settings import SolveSettings

T0 = 8 * 3600
#: The residual solves of these tests: a 1 s budget.
FAST = SolveSettings(time_limit_s=1)


@pytest.fixture(scope="session")
def _problem(euclid_problem):  # type: ignore[no-untyped-def]
    def _problem(spares: int = 1) -> Problem:
        points = {"HUB": (0.0, 0.0)} | {
            "E1": (3000.0, 0.0), "E2": (4000.0, 0.0), "E3": (5000.0, 0.0),
            "W1": (-3000.0, 0.0), "W2": (-4000.0, 0.0),
        }  # fmt: skip
        villages = [Village(v, v, (3,), (2,), service_s=60) for v in ("E1", "E2", "E3", "W1", "W2")]
        van = VehicleType("van", 2 + spares, (20,), "HUB", fixed_cost=100.0, cost_per_km=1.0,
                          shift_start_s=T0, shift_end_s=T0 + 4 * 3600)  # fmt: skip
        return euclid_problem(f"disrupt{spares}", points, [Depot("HUB", "HUB")], villages, [van])

    return _problem


def _plan(problem: Problem) -> Plan:
    vt = problem.vehicle_types[0]
    routes = [
        timed_route(problem, vt, ("E1", "E2", "E3"), T0, "van#0"),
        timed_route(problem, vt, ("W1", "W2"), T0, "van#1"),
    ]
    assert all(r is not None for r in routes)
    plan = Plan(tuple(routes), cost=sum(r.cost for r in routes))  # type: ignore[union-attr]
    assert check(plan, problem) == []
    return plan


def _covered_once(problem: Problem, plan: Plan) -> None:
    served = [v for r in plan.routes for v in r.villages]
    unserved = [u.village for u in plan.unserved]
    assert sorted(served + unserved) == sorted(v.id for v in problem.villages)


def test_fleet_state_positions_and_loads(_problem) -> None:
    p = _problem()
    plan = _plan(p)
    before = fleet_state(plan, p, T0 - 60)
    assert before.van("van#0").status == "idle" and before.van("van#0").on_board == ()
    mid = fleet_state(plan, p, T0 + 400)  # van#0 left E1 at +360, drives to E2 (committed)
    v0 = mid.van("van#0")
    assert v0.status == "on_round"
    assert v0.done == ("E1", "E2") and v0.on_board == ("E3",)
    assert v0.location == "E2" and v0.free_s == T0 + 520
    assert v0.load == (3 + 2 + 2,) and v0.pickups_on_board == (4,)
    assert v0.distance_m == 4000
    assert mid.van("van#2").status == "idle"
    late = fleet_state(plan, p, T0 + 700)  # van#0 on its way home
    assert late.van("van#0").status == "returning" and late.van("van#0").free_s == T0 + 1180
    broken = fleet_state(plan, p, T0 + 700, broken={"van#0": T0 + 400})
    b = broken.van("van#0")
    assert b.status == "broken" and b.done == ("E1",) and b.on_board == ("E2", "E3")
    assert b.location == "E1" and b.free_s == T0 + 400


def test_no_event_keeps_the_plan(_problem) -> None:
    p = _problem()
    plan = _plan(p)
    r = replan(p, plan, [], at_s=T0 + 400, settings=FAST.replace(seed=1))
    assert r.changes == ()
    assert r.plan.routes == plan.routes
    assert r.violations == ()
    assert check(r.residual_plan, r.residual_problem) == []


def test_breakdown_mid_round_spare_van_serves_the_stuck_villages(_problem) -> None:
    p = _problem(spares=1)
    plan = _plan(p)
    at = T0 + 400
    r = replan(p, plan, [VanBreakdown("van#0", at)], settings=FAST.replace(seed=1))
    assert check(r.residual_plan, r.residual_problem) == []
    _covered_once(p, r.plan)
    # done stops unchanged; van#0's round ends at the breakdown
    v0 = next(x for x in r.plan.routes if x.vehicle == "van#0")
    assert v0.stops == plan.routes[0].stops[:1] and v0.return_s == at
    # E2, E3 come back to the hub: breakdown + 90 min + 300 s from E1
    ready = at + RECOVERY_DELAY_S + 300
    assert r.residual_problem.village("E2").release_s == ready
    spare = next(x for x in r.plan.routes if x.vehicle == "van#2")
    assert set(spare.villages) == {"E2", "E3"} and spare.depart_s >= ready
    assert set(r.affected) == {"E2", "E3"}
    assert {c.kind for c in r.changes} == {"moved"}
    # the west round is untouched
    assert next(x for x in r.plan.routes if x.vehicle == "van#1") == plan.routes[1]


def test_breakdown_without_spare_lists_villages_with_a_reason(_problem) -> None:
    p = _problem(spares=0)
    plan = _plan(p)
    r = replan(p, plan, [VanBreakdown("van#0", T0 + 400)], settings=FAST.replace(seed=1))
    _covered_once(p, r.plan)
    assert {u.village for u in r.unserved} == {"E2", "E3"}
    for u in r.unserved:
        assert u.reason == "fleet_size" and "broken-down van#0" in u.detail
    assert check(r.residual_plan, r.residual_problem) == []


def test_on_board_villages_stay_with_their_van(_problem) -> None:
    p = _problem()
    plan = _plan(p)
    r = replan(
        p, plan, [VanBreakdown("van#1", T0 + 400)], settings=FAST.replace(seed=1), policy="full"
    )
    assert r.residual_problem.village("E3").depot == "@van#0"
    assert r.residual_problem.vehicle_type("van#0").capacity == (20 - 4,)
    assert r.residual_problem.depot("@van#0").ready_s == T0 + 520
    v0 = next(x for x in r.plan.routes if x.vehicle == "van#0")
    assert v0.villages == ("E1", "E2", "E3")
    assert check(r.residual_plan, r.residual_problem) == []


def _closed(p: Problem, *, cut: str | None = None, detour: float = 1.0) -> Problem:
    """Matrices after a closure: the road to ``cut`` gone, or east arcs ``detour`` times longer."""
    dist = p.distance_m.copy()
    dur = p.duration_s.copy()
    east = [p.index(x) for x in ("E1", "E2", "E3")]
    if cut is not None:
        k = p.index(cut)
        for arr in (dist, dur):
            arr[k, :] = Problem.UNREACHABLE
            arr[:, k] = Problem.UNREACHABLE
            arr[k, k] = 0
    else:
        for i in east:
            for j in range(len(p.locations)):
                if i != j:
                    for arr in (dist, dur):
                        arr[i, j] = arr[j, i] = int(arr[i, j] * detour)
    return p.replace(distance_m=dist, duration_s=dur)


def test_closure_reroutes_with_a_longer_distance(_problem) -> None:
    p = _problem()
    plan = _plan(p)
    after = _closed(p, detour=1.5)
    ev = RoadClosure((("E1", "E2"),), T0 + 400)
    r = replan(p, plan, [ev], problem_after=after, settings=FAST.replace(seed=1))
    _covered_once(p, r.plan)
    assert r.unserved == ()
    v0 = next(x for x in r.plan.routes if x.vehicle == "van#0")
    assert v0.distance_m > plan.routes[0].distance_m
    assert v0.stops[:2] == plan.routes[0].stops[:2]  # committed stops as they were
    assert "E3" in r.affected and "E1" not in r.affected
    assert check(r.residual_plan, r.residual_problem) == []


def test_closure_cutting_a_village_marks_it_unreachable(_problem) -> None:
    p = _problem()
    plan = _plan(p)
    after = _closed(p, cut="W2")
    r = replan(p, plan, [RoadClosure((("W1", "W2"),), T0 + 60)], problem_after=after,
               settings=FAST.replace(seed=1))  # fmt: skip
    _covered_once(p, r.plan)
    assert [(u.village, u.reason) for u in r.unserved] == [("W2", "unreachable")]
    assert check(r.residual_plan, r.residual_problem) == []


def test_replan_is_deterministic(_problem) -> None:
    p = _problem()
    plan = _plan(p)
    ev = [VanBreakdown("van#0", T0 + 400)]
    a = replan(p, plan, ev, settings=FAST.replace(seed=3, deterministic=True))
    b = replan(p, plan, ev, settings=FAST.replace(seed=3, deterministic=True))
    assert a.plan == b.plan and a.changes == b.changes


@pytest.mark.parametrize(
    "events, message",
    [
        ([VanBreakdown("van#9", T0)], "van#9"),
        ([], "no event"),
    ],
)
def test_bad_events_name_the_fault(_problem, events: list, message: str) -> None:
    p = _problem()
    with pytest.raises(DisruptionError, match=message):
        replan(p, _plan(p), events, settings=FAST)


def test_event_validation() -> None:
    with pytest.raises(DisruptionError, match="at_s"):
        VanBreakdown("van#0", -5)
    with pytest.raises(DisruptionError, match="edge"):
        RoadClosure((), 0)


def test_plan_json_round_trip_is_exact(_problem) -> None:
    p = _problem()
    plan = dataclasses.replace(_plan(p), meta={"a": (1, 2), "n": np.int64(3)}, cost=1 / 3)
    back = plan_from_dict(json.loads(json.dumps(plan_to_dict(plan))))
    assert back == plan
    assert back.routes == plan.routes and back.cost == plan.cost
    assert back.meta == {"a": [1, 2], "n": 3}


def test_plan_json_errors_name_the_field(_problem) -> None:
    d = plan_to_dict(_plan(_problem()))
    d["routes"][1]["stops"][0]["arrival_s"] = "soon"
    with pytest.raises(PlanFormatError, match=r"plan\.routes\[1\]\.stops\[0\]\.arrival_s"):
        plan_from_dict(d)
    with pytest.raises(PlanFormatError, match="format"):
        plan_from_dict({"format": "other"})


def test_events_after_the_day_change_nothing(_problem) -> None:
    p = _problem(spares=0)
    plan = _plan(p)
    late = T0 + 5 * 3600  # after every shift
    r = replan(p, plan, [VanBreakdown("van#0", late)], settings=FAST)
    assert r.changes == () and r.plan.routes == plan.routes
    assert check(r.residual_plan, r.residual_problem) == []


def test_later_moment_uses_a_van_back_at_the_hub_for_a_second_round(_problem) -> None:
    p = _problem(spares=0)
    plan = _plan(p)  # van#1 is back from the west at 08:15:20
    r = replan(p, plan, [VanBreakdown("van#0", T0 + 400)], at_s=T0 + 1000, settings=FAST)
    assert [s.at_s for s in r.stages] == [T0 + 400, T0 + 1000]
    _covered_once(p, r.plan)
    assert r.unserved == ()
    second = next(x for x in r.plan.routes if x.vehicle == "van#1/2")
    assert set(second.villages) == {"E2", "E3"}
    assert second.depart_s >= T0 + 400 + RECOVERY_DELAY_S + 300  # the release carried over
    assert next(x for x in r.plan.routes if x.vehicle == "van#1") == plan.routes[1]
    assert r.violations == ()


def test_events_are_replanned_in_time_order(_problem) -> None:
    p = _problem(spares=1)
    plan = _plan(p)
    ready = T0 + 400 + RECOVERY_DELAY_S + 300  # the spare leaves with E2, E3
    cut = ready + 430  # the spare is at E2 (arrives +400, leaves +460); E3 is cut off
    events = [RoadClosure((("E2", "E3"),), cut), VanBreakdown("van#0", T0 + 400)]
    r = replan(p, plan, events, problem_after={cut: _closed(p, cut="E3")}, settings=FAST)
    assert [s.at_s for s in r.stages] == [T0 + 400, cut]
    _covered_once(p, r.plan)
    spare = next(x for x in r.plan.routes if x.vehicle == "van#2")
    assert spare.villages == ("E2",)
    (u,) = r.unserved
    assert u.village == "E3" and u.reason == "unreachable"
    assert "came back on van#2" in u.detail
    assert r.violations == ()


def test_every_solver_setting_reaches_each_residual_solve(
    _problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """replan hands its SolveSettings on whole: nothing (solution_limit, max_iterations, ...)
    is dropped between the caller and routing.solve.solve, for both policies."""
    solve_module = importlib.import_module("routing.solve")
    real, calls = solve_module.solve, []

    def recording(problem: Problem, **kwargs: object) -> Plan:
        calls.append(kwargs)
        return real(problem, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(solve_module, "solve", recording)
    odd = SolveSettings(
        backend="ortools", time_limit_s=2.5, seed=9, deterministic=True, solution_limit=30,
        max_iterations=40,
    )  # fmt: skip
    p = _problem(spares=1)
    for policy in ("keep", "full"):
        calls.clear()
        r = replan(p, _plan(p), [VanBreakdown("van#0", T0 + 400)], settings=odd, policy=policy)
        assert calls, policy  # at least one residual solve
        expected = {**dataclasses.asdict(odd), "progress": None, "stop": None}
        assert all(c == expected for c in calls), (policy, calls)
        assert r.violations == ()


def test_disruption_is_the_routing_name() -> None:
    import routing.disruption as D

    assert not hasattr(D, "Event")
    assert isinstance(VanBreakdown("van#0", 0), D.Disruption)
    assert isinstance(RoadClosure((("a", "b"),), 0), D.Disruption)
