"""A township's own, firm promise (``routing.promised_by_towns``): the rule that keeps the
county seat's villages before noon, pinned on a hand-checkable case."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongpei.day.promise import (
    FIRM_LATE_SHARE,
    promise_terms,
    promised_for,
    service_summary,
    village_promises,
)
from gongpei.day.results import VillageOutcome
from gongpei.scenario.loading import load_scenario
from routing.check import check
from routing.problem import Depot, VehicleType, Village
from routing.solve import solve

GOOD = Path(__file__).parents[1] / "data" / "good.toml"
SEAT = "331123001"  # 妙高街道
NOON, TWO = 12 * 3600, 14 * 3600


def _routing(**overrides: object):  # type: ignore[no-untyped-def]
    base = {"routing.promise": "soft", "routing.promised_by": "14:00"}
    return load_scenario(GOOD).with_overrides({**base, **overrides}).model.routing


def test_promise_terms_of_a_town_with_its_own_promise() -> None:
    r = _routing(**{"routing.promised_by_towns": {SEAT: "12:00"}})
    assert promised_for(r, SEAT) == NOON and promised_for(r, "331123102") == TWO
    assert promised_for(r, None) == TWO
    close, due, per_h, _ = promise_terms(r, 20, 3, SEAT)
    assert due == NOON and per_h == pytest.approx(FIRM_LATE_SHARE * 1000.0 * 20)
    close2, due2, per_h2, _ = promise_terms(r, 20, 3, "331123102")
    assert due2 == TWO and per_h2 == pytest.approx(2.0 * 20) and close == close2
    hard = _routing(**{"routing.promise": "hard", "routing.promised_by_towns": {SEAT: "12:00"}})
    assert promise_terms(hard, 20, 3, SEAT)[0] == NOON
    assert promise_terms(hard, 20, 3, "331123102")[0] == TWO


@pytest.fixture(scope="session")
def _day(euclid_problem):  # type: ignore[no-untyped-def]
    def _day(town_promise: bool):  # type: ignore[no-untyped-def]
        """The hub at 0; N, a county-seat village 1 km east (20 parcels); F, 30 km west, must be
        started by 10:51:40 and takes 4,000 s. A van leaves at 10:00; 1 km takes 100 s.

        One van can serve both only as hub → F (10:50) → N (12:48): N first reaches F at 10:53:20,
        too late. Under the general promise (14:00) N at 12:48 is on time and costs nothing, so
        one van does it (a second costs ¥310). With N's township promised by 12:00, firm, N
        at 12:48 costs ¥100 × 20 parcels × 0.8 h = ¥1,600 > ¥310: a second van serves N at
        10:01:40."""
        extra = {"routing.promised_by_towns": {SEAT: "12:00"}} if town_promise else {}
        r = _routing(**extra)
        close, due, per_h, penalty = promise_terms(r, 20, 0, SEAT)
        near = Village(id="N", location="N", delivery=(20,), pickup=(0,), window=(0, close),
                       due_s=due, late_cost_per_h=per_h, drop_penalty=penalty)  # fmt: skip
        far = Village(id="F", location="F", delivery=(5,), pickup=(0,), window=(0, 39_100),
                      service_s=4000)  # fmt: skip
        van = VehicleType(name="van", count=2, capacity=(100,), start_depot="hub", fixed_cost=310.0,
                          cost_per_km=1.0, shift_start_s=36_000, shift_end_s=60_000)  # fmt: skip
        return euclid_problem(
            f"seat_{town_promise}",
            {"hub": (0, 0), "N": (1000, 0), "F": (-30_000, 0)},
            [Depot("hub", "hub")],
            [near, far],
            (van,),
        )

    return _day


def _arrival(plan, village: str) -> int:  # type: ignore[no-untyped-def]
    return next(s.arrival_s for r in plan.routes for s in r.stops if s.village == village)


@pytest.mark.parametrize("backend", ["ortools", "pyvrp"])
def test_the_general_promise_lets_the_seat_village_slip_past_noon(_day, backend: str) -> None:
    p = _day(town_promise=False)
    plan = solve(p, backend, time_limit_s=2.0, seed=1)
    assert not check(plan, p) and len(plan.routes) == 1
    assert _arrival(plan, "N") == 36_000 + 3000 + 4000 + 3100 > NOON


@pytest.mark.parametrize("backend", ["ortools", "pyvrp", "auto"])
def test_a_firm_town_promise_keeps_it_before_noon(_day, backend: str) -> None:
    p = _day(town_promise=True)
    plan = solve(p, backend, time_limit_s=2.0, seed=1)
    assert not check(plan, p) and len(plan.routes) == 2 and not plan.unserved
    assert _arrival(plan, "N") <= NOON and plan.late_cost == 0


def _outcome(code: str, arrival: int) -> VillageOutcome:
    return VillageOutcome(
        code=code, name=code, township="t", rural=True, parcels_by_brand={}, sorted_parcels=10,
        not_bagged=0, ready_s=0.0, pickup_parcels=0, pickup_litres=0, vehicle="van#0",
        arrival_s=arrival, status="served", reason="", light="green",
    )  # fmt: skip


def test_service_summary_counts_each_village_against_its_own_promise() -> None:
    r = _routing(**{"routing.promised_by_towns": {SEAT: "12:00"}})
    own = village_promises(r, {"331123001201": SEAT, "331123102201": "331123102"})
    assert own == {"331123001201": NOON}
    vs = [_outcome("331123001201", NOON + 360), _outcome("331123102201", NOON + 360)]
    s = service_summary(vs, TWO, own)
    assert s["on_time_villages"] == 1 and s["late_villages"] == 1
    assert s["late_parcel_h"] == pytest.approx(10 * 0.1)
    assert service_summary(vs, TWO)["late_villages"] == 0
