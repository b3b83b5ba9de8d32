"""Fewest vans first (routing.fleet and ``solve(objective="fewest_vans")``) on a
hand-checkable case where the cost objective wants two vans and one is enough."""

from __future__ import annotations

import pytest

from routing.check import check
from routing.fleet import fleet_lower_bound, minimise_fleet
from routing.problem import Depot, Problem, VehicleType, Village
from routing.settings import SettingsError, SolveSettings
from routing.solve import solve


@pytest.fixture(scope="session")
def _two_windows(euclid_problem):  # type: ignore[no-untyped-def]
    def _two_windows(types: tuple[VehicleType, ...] | None = None) -> Problem:
        """A 1 km east of the hub, served by 200 s; B 1 km west, not before 3,600 s; 1 km takes
        100 s. One van: leave at 100 (A at 200, its last moment), B at 400, wait to 3,600,
        back at 3,700 — 4 km and 3,600 s, ¥4 + ¥36 = ¥40 at ¥1/km and ¥36/h. Two vans: A out
        and back in 200 s (¥2 + ¥2), B leaving at 3,500 (¥2 + ¥2): ¥8. So the cost objective
        uses two vans, fewest vans one (the capacity bound is one van: 2 parcels in a van of
        10)."""
        van = VehicleType(name="van", count=3, capacity=(10,), start_depot="hub", cost_per_km=1.0,
                          cost_per_h=36.0)  # fmt: skip
        return euclid_problem(
            "two_windows",
            {"hub": (0, 0), "A": (1000, 0), "B": (-1000, 0)},
            [Depot("hub", "hub")],
            [
                Village(id="A", location="A", delivery=(1,), pickup=(0,), window=(0, 200)),
                Village(id="B", location="B", delivery=(1,), pickup=(0,), window=(3600, 20_000)),
            ],
            types or (van,),
        )

    return _two_windows


def test_the_case_is_what_its_docstring_says(_two_windows) -> None:
    p = _two_windows()
    plan = solve(p, "pyvrp", time_limit_s=2.0, seed=1)
    assert plan.status == "feasible" and len(plan.routes) == 2
    assert plan.cost == pytest.approx(8.0)
    assert fleet_lower_bound(p) == 1


@pytest.mark.parametrize("backend", ["pyvrp", "ortools", "auto"])
def test_fewest_vans_uses_one_van_on_every_backend(_two_windows, backend: str) -> None:
    p = _two_windows()
    plan = solve(p, backend, time_limit_s=2.0, seed=1, objective="fewest_vans")
    assert plan.status == "feasible" and not check(plan, p)
    assert len(plan.routes) == 1 and plan.routes[0].villages == ("A", "B")
    assert plan.cost == pytest.approx(40.0)
    fleet = plan.meta["fleet"]
    assert fleet["vans"] == 1 and fleet["lower_bound"] == 1 and fleet["skipped"] == ""
    assert fleet["steps"][0]["feasible"] and fleet["chosen"] in ("search", "fleet")


def test_minimise_fleet_result(_two_windows) -> None:
    p = _two_windows()
    r = minimise_fleet(p, time_limit_s=2.0, seed=3)
    assert r.vans == 1 and r.counts == {"van": 1} and r.plan is not None
    assert not check(r.plan, p) and len(r.plan.routes) == 1
    assert r.problem(p).vehicle_types[0].count == 1
    # It stops at the capacity bound: no try with zero vans.
    assert all(sum(s.counts) >= 1 for s in r.steps) and r.steps[-1].feasible


def test_several_types_take_away_the_dearest_van_first(_two_windows) -> None:
    big = VehicleType(name="big", count=1, capacity=(10,), start_depot="hub", fixed_cost=300.0,
                      cost_per_km=1.0, cost_per_h=36.0)  # fmt: skip
    small = VehicleType(name="small", count=1, capacity=(10,), start_depot="hub",
                        fixed_cost=100.0, cost_per_km=1.0, cost_per_h=36.0)  # fmt: skip
    p = _two_windows((big, small))
    r = minimise_fleet(p, time_limit_s=2.0, seed=0)
    assert r.counts == {"big": 0, "small": 1}
    assert r.plan is not None and [x.vehicle_type for x in r.plan.routes] == ["small"]


def test_work_bounded_fleet_phase_is_reproducible(_two_windows) -> None:
    p = _two_windows()
    a = minimise_fleet(p, time_limit_s=60.0, seed=5, max_iterations=200)
    b = minimise_fleet(p, time_limit_s=60.0, seed=5, max_iterations=200)
    assert a.counts == b.counts and a.plan is not None and b.plan is not None
    assert a.plan.routes == b.plan.routes


def test_skipped_when_the_fleet_cannot_carry_everything(_two_windows) -> None:
    van = VehicleType(name="van", count=1, capacity=(1,), start_depot="hub", cost_per_km=1.0)
    p = _two_windows((van,))
    r = minimise_fleet(p, time_limit_s=1.0)
    assert r.plan is None and r.counts == {"van": 1} and "cannot carry" in r.skipped
    plan = solve(p, "pyvrp", time_limit_s=1.0, objective="fewest_vans")
    assert len(plan.unserved) == 1 and "cannot carry" in plan.meta["fleet"]["skipped"]


def test_objective_is_validated_and_reaches_solve(_two_windows) -> None:
    with pytest.raises(SettingsError, match=r"SolveSettings\.objective = 'vans'"):
        SolveSettings(objective="vans")
    with pytest.raises(ValueError, match="objective = 'vans'"):
        solve(_two_windows(), objective="vans")
    plan = SolveSettings(backend="pyvrp", time_limit_s=2.0, objective="fewest_vans").solve(
        _two_windows()
    )
    assert len(plan.routes) == 1 and plan.meta["fleet"]["vans"] == 1
