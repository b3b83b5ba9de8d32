"""The promise and weighed drops on a county day (the small test scenario): the scenario
fields reach the routing problem in one place, a short fleet leaves fewer parcels behind
than with one penalty per village, the shortfall and the service blocks say so."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gongpei.day.pipeline import day_problem
from gongpei.day.promise import late_reason, promise_terms, service_summary
from gongpei.day.results import VillageOutcome
from gongpei.day.shortfall import shortfall, shortfall_text
from gongpei.scenario.loading import load_scenario
from gongpei.scenario.messages import ScenarioError
from routing import solve
from routing.check import check

GOOD = Path(__file__).parents[2] / "data" / "good.toml"


def routing_table(**changes: object):  # type: ignore[no-untyped-def]
    overrides = {f"routing.{k}": v for k, v in changes.items()}
    return load_scenario(GOOD).with_overrides(overrides).model.routing


def test_promise_terms_per_mode() -> None:
    soft = routing_table(promise="soft", late_cost_per_parcel_h=2.0, drop_penalty_per_parcel=500.0)
    assert promise_terms(soft, 30, 4) == (20 * 3600, 14 * 3600, 60.0, 17_000.0)
    assert promise_terms(soft, 0, 5)[1:3] == (None, 0.0)  # nothing to deliver: never late
    hard = routing_table(promise="hard", promised_by="12:00")
    assert promise_terms(hard, 30, 4)[:3] == (12 * 3600, None, 0.0)
    report = routing_table(promise="report")
    assert promise_terms(report, 30, 4)[:3] == (20 * 3600, None, 0.0)
    assert promise_terms(report, 0, 0)[3] == 1000.0  # at least one parcel's worth


def test_bad_promise_is_rejected_with_its_field() -> None:
    with pytest.raises(ScenarioError, match="promise"):
        routing_table(promise="sometimes")
    with pytest.raises(ScenarioError, match="late_cost_per_parcel_h"):
        routing_table(late_cost_per_parcel_h=-1)


def test_late_reasons() -> None:
    kw = {"promised_s": 14 * 3600, "shift_start_s": 7 * 3600 + 1800, "window_open_s": 8 * 3600}
    far = late_reason("x", ready_s=8 * 3600, drive_s=7 * 3600, **kw)
    assert far.reason == "drive_time" and "420 min from the hub" in far.detail
    ready = late_reason("x", ready_s=13 * 3600, drive_s=3600 + 60, **kw)
    assert ready.reason == "release_too_late" and "chute ready 13:00" in ready.detail
    fleet = late_reason("x", ready_s=8 * 3600, drive_s=1800, **kw)
    assert fleet.reason == "fleet_and_shift"


def outcome(code: str, arrival: int | None, parcels: int, status: str = "served") -> VillageOutcome:
    return VillageOutcome(
        code,
        code,
        "t",
        True,
        {},
        parcels,
        0,
        0.0,
        2,
        20,
        "v" if arrival else None,
        arrival,
        status,
        "",
        "red" if arrival and arrival > 14 * 3600 else "green",
    )


def test_service_summary_counts_late_parcel_hours() -> None:
    s = service_summary(
        [
            outcome("a", 13 * 3600, 10),
            outcome("b", 15 * 3600 + 1800, 20),
            outcome("c", None, 5, "unserved"),
        ],
        14 * 3600,
    )
    assert s["on_time_villages"] == 1 and s["late_villages"] == 1 and s["unserved_villages"] == 1
    assert s["late_parcel_h"] == 30.0 and s["late_parcels"] == 20 and s["red"] == 1
    assert s["pickups_collected"] == 4


@pytest.fixture(scope="module")
def five_vans():  # type: ignore[no-untyped-def]
    sc = load_scenario(GOOD).with_overrides(
        {
            "fleet.vans": [
                {"name": "van", "count": 5, "capacity_parcels": 300, "capacity_litres": 4000}
            ],
            "routing.promise": "report",
        }
    )
    return day_problem(sc).problem


def test_five_van_day_leaves_fewer_parcels_behind(five_vans) -> None:  # type: ignore[no-untyped-def]
    """Today's rule (one penalty per village) against penalties weighed by parcels, on
    the test county's 5-van day; OR-Tools, work-bounded so the result is reproducible."""
    weighed = five_vans
    uniform = weighed.replace(
        villages=tuple(dataclasses.replace(v, drop_penalty=None) for v in weighed.villages)
    )
    kw = {"time_limit_s": 60.0, "deterministic": True, "solution_limit": 30}
    p_uniform = solve(uniform, "ortools", **kw)
    p_weighed = solve(weighed, "ortools", **kw)
    assert check(p_uniform, uniform) == [] and check(p_weighed, weighed) == []
    behind_u = shortfall(uniform, p_uniform)["left_behind"]
    behind_w = shortfall(weighed, p_weighed)["left_behind"]
    total = lambda s: s["parcels_delivery"] + s["parcels_pickup"]  # noqa: E731
    assert total(behind_w) < total(behind_u)
    assert behind_w["villages"] > behind_u["villages"]  # fewer parcels, more villages left
    s = shortfall(weighed, p_weighed)
    assert s["parcels"]["fleet_capacity"] == 1500 and s["parcels"]["short"] > 0
    assert "1,500 of fleet capacity" in shortfall_text(s)
