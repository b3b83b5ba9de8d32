"""Diagnosis of unserved villages and the route evaluator behind it."""

from __future__ import annotations

import pytest

from routing.diagnose import REASONS, RouteEvaluator, diagnose
from routing.problem import Depot, VehicleType


@pytest.fixture(scope="module")
def over(overconstrained_problem):
    return overconstrained_problem()


def test_each_failure_mode_gets_its_reason(over, expected_reason):
    village, reason = expected_reason
    (u,) = diagnose(over, [village])
    assert u.village == village
    assert u.reason == reason
    assert u.detail  # says which type and which numbers


@pytest.mark.parametrize("village", ["OK1", "OK2", "SPARE"])
def test_feasible_alone_is_fleet_size(over, village):
    (u,) = diagnose(over, [village])
    assert u.reason == "fleet_size"


def test_release_vs_window_distinction(over):
    """LATE_REL would make its window if released at shift start: the release binds.
    Without the late release the same village is servable."""
    (u,) = diagnose(over, ["LATE_REL"])
    assert u.reason == "release_too_late"
    early = over.replace(
        villages=tuple(
            v if v.id != "LATE_REL" else type(v)(**{**_fields(v), "release_s": 0})
            for v in over.villages
        )
    )
    assert diagnose(early, ["LATE_REL"])[0].reason == "fleet_size"


def _fields(v):
    return {name: getattr(v, name) for name in v.__slots__}


def test_closest_vehicle_type_gives_the_reason(over):
    """A second type with room for HEAVY but a shift too short for it: the reason comes
    from the type that passes more checks (capacity passes, shift fails)."""
    big = VehicleType("truck", 1, (20,), "HUB", shift_start_s=8 * 3600, shift_end_s=8 * 3600 + 100)
    p = over.replace(vehicle_types=(*over.vehicle_types, big))
    (u,) = diagnose(p, ["HEAVY"])
    assert u.reason == "shift_length"
    assert "truck" in u.detail


def test_village_tied_to_a_depot_without_vans(two_depot_problem):
    p = two_depot_problem()
    only_hub = p.replace(vehicle_types=(p.vehicle_types[0],))
    (u,) = diagnose(only_hub, ["T3"])
    assert u.reason == "fleet_size"
    assert "TS" in u.detail


def test_reasons_are_the_plan_vocabulary():
    from routing.check import REASONS as CHECK_REASONS

    assert set(REASONS) <= set(CHECK_REASONS)


def test_evaluator_postpones_departure_to_cut_waiting(windows_problem):
    """W opens at 09:30 and is 4 km (400 s) out: leaving at 08:00 means waiting. The
    evaluator leaves as late as still reaches W at its opening: 09:30 - 400 s."""
    p = windows_problem()
    ev = RouteEvaluator(p)
    w = [v.id for v in p.villages].index("W")
    rt = ev.evaluate(0, [w])
    assert rt.feasible
    assert rt.starts == (9 * 3600 + 1800,)
    assert rt.arrivals == rt.starts  # no waiting
    assert rt.depart_s == 9 * 3600 + 1800 - 400
    assert rt.return_s == rt.depart_s + 400 + 60 + 400


def test_evaluator_release_sets_departure(windows_problem):
    p = windows_problem()
    ev = RouteEvaluator(p)
    r = [v.id for v in p.villages].index("R")
    rt = ev.evaluate(0, [r])
    assert rt.depart_s == 9 * 3600


def test_evaluator_load_at_every_point(overload_problem):
    p = overload_problem()
    ev = RouteEvaluator(p)
    a, b = 0, 1  # A picks up 8, B delivers 8; capacity 10
    bad = ev.evaluate(0, [a, b])
    assert not bad.feasible and bad.reason == "capacity"
    good = ev.evaluate(0, [b, a])
    assert good.feasible
    assert good.load_start == (8,)
    assert good.loads_after == ((0,), (8,))
    assert good.distance_m == 30000


def test_evaluator_depot_ready(two_depot_problem):
    p = two_depot_problem()
    ev = RouteEvaluator(p)
    t1 = [v.id for v in p.villages].index("T1")
    rt = ev.evaluate(1, [t1])  # tsvan from TS, ready 09:00
    assert rt.depart_s == 9 * 3600


def test_diagnose_keeps_input_order_and_ids(line_problem):
    p = line_problem(3).replace(depots=(Depot("HUB", "HUB"),))
    out = diagnose(p, ["V3", "V1"])
    assert [u.village for u in out] == ["V3", "V1"]
    assert [u.reason for u in out] == ["fleet_size", "fleet_size"]
