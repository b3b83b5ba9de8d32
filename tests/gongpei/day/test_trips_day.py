"""Second trips in a scenario day (issue 15, point 4): the midday wave served the same day
on its own visits to the villages near the hub, on second trips, end to end on the small
test county (``tests/data/good.toml``); every new field validated with its path and value."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from gongpei.day.pipeline import run_day, run_pipeline
from gongpei.day.problems import VISIT_SEP, StopDemand, village_code, with_later_visits
from gongpei.scenario.loading import Scenario, load_scenario
from gongpei.scenario.messages import ScenarioError
from routing.check import check
from routing.plan_io import plan_from_dict

GOOD = Path(__file__).parents[2] / "data" / "good.toml"
SECOND_TRIPS = {
    "fleet.vans[0].max_trips": 2,
    "fleet.vans[0].reload_min": 30.0,
    "brands.waves[1].rounds": "same_day",
    "brands.waves[1].same_day_within_km": 15.0,
    "routing.backend": "pyvrp",
    "routing.time_limit_s": 3.0,
}


def scenario(**changes: Any) -> Scenario:
    return load_scenario(GOOD).with_overrides(changes)


@pytest.fixture(scope="module")
def day_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    out = tmp_path_factory.mktemp("trips")
    day = run_pipeline(load_scenario(GOOD).with_overrides(SECOND_TRIPS), out)
    return day, out


def test_midday_wave_goes_out_on_second_trips(day_out: tuple[Any, Path]) -> None:
    day, out = day_out
    assert day.violations == ()
    later = [v for v in day.problem.villages if VISIT_SEP in v.id]
    assert later, "villages within 15 km get a midday visit"
    hub_km = {v.code: v for v in day.county.villages}
    assert all(village_code(v.id) in hub_km for v in later)
    # Each later visit is released when the midday wave's chutes are ready (after 12:30),
    # and carries no pickups; its village's first visit keeps the morning release.
    first = {v.id: v for v in day.problem.villages if VISIT_SEP not in v.id}
    for v in later:
        assert v.release_s > 12 * 3600 + 1800 and v.pickup == (0, 0)
        code = village_code(v.id)
        if code in first:
            assert first[code].release_s < v.release_s
    lv = day.summary()["routing"]["later_visits"]
    assert lv["visits"] == len(later) and lv["served"] >= 1
    assert lv["parcels"] == sum(v.delivery[0] for v in later)
    trips = [r for r in day.plan.routes if r.trip > 0]
    assert trips, "some van goes out again"
    vans = day.plan.vans()
    for r in trips:  # the van's earlier trip is back, and reloaded, before it leaves
        before = vans[r.vehicle][r.trip - 1]
        assert r.depart_s >= before.return_s + 30 * 60
    # Fixed cost once per van: the plan costs one fixed cost per van used.
    fixed = sum(310.0 for _ in vans)
    assert day.plan.cost >= fixed and sum(r.cost for r in trips) < 310.0 * len(trips)
    # routes.csv numbers the trips; plan.json keeps them.
    with (out / "routes.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {row["trip"] for row in rows} >= {"0", "1"}
    saved = plan_from_dict(json.loads((out / "plan.json").read_text(encoding="utf-8")))
    assert [r.trip for r in saved.routes] == [r.trip for r in day.plan.routes]
    assert check(saved, day.problem) == []
    # The village lights follow the first visit (the promise is the morning's).
    by_code = {v.code: v for v in day.villages}
    for v in later:
        outcome = by_code[village_code(v.id)]
        assert outcome.arrival_s is None or outcome.arrival_s < 24 * 3600


def test_same_day_wave_without_within_km_is_one_visit() -> None:
    """Today's rule is kept: a later same-day wave with no distance only delays each
    village's single release (no second visit)."""
    sc = scenario(**{"brands.waves[1].rounds": "same_day"})
    from gongpei.day.pipeline import day_problem

    dp = day_problem(sc)
    assert dp.visits == ()
    assert not any(VISIT_SEP in v.id for v in dp.problem.villages)


def test_max_trips_one_gives_the_same_day() -> None:
    """max_trips = 1 (with any reload time) is today's model: the same deterministic day."""
    base = {
        "routing.backend": "pyvrp",
        "routing.deterministic": True,
        "routing.max_iterations": 60,
    }
    a = run_day(scenario(**base))
    b = run_day(scenario(**base, **{"fleet.vans[0].max_trips": 1, "fleet.vans[0].reload_min": 45}))
    assert a.plan.routes == b.plan.routes
    assert a.summary() == b.summary()
    assert all(r.trip == 0 for r in a.plan.routes)


def test_with_later_visits_moves_parcels_to_the_later_stop() -> None:
    stops = [StopDemand("A", 10, 2, 20, 100, 90), StopDemand("B", 3, 0, 0, 100, 30)]
    visits = [StopDemand("A", 4, 0, 0, 5000, 40, visit="midday"),
              StopDemand("B", 3, 0, 0, 5000, 30, visit="midday")]  # fmt: skip
    got = with_later_visits(stops, visits)
    assert [(s.stop_id, s.deliver, s.deliver_litres, s.release_s) for s in got] == [
        ("A", 6, 50, 100),
        ("A+midday", 4, 40, 5000),
        ("B+midday", 3, 30, 5000),  # B's first visit has nothing left: dropped
    ]
    assert village_code("A+midday#2") == "A" and village_code("A#1") == "A"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"fleet.vans[0].max_trips": 2, "routing.backend": "ortools"},
            r'routing\.backend = "ortools".*fleet\.vans\[0\]\.max_trips = 2',
        ),
        ({"fleet.vans[0].max_trips": 0}, r"fleet\.vans\[0\]\.max_trips = 0"),
        ({"fleet.vans[0].max_trips": 5}, r"fleet\.vans\[0\]\.max_trips = 5"),
        ({"fleet.vans[0].reload_min": -1}, r"fleet\.vans\[0\]\.reload_min = -1"),
        (
            {"brands.waves[1].same_day_within_km": 15.0},
            r'brands\.waves\[1\]\.same_day_within_km = 15\.0: needs rounds = "same_day"',
        ),
        (
            {"brands.waves[1].same_day_within_km": 0},
            r"brands\.waves\[1\]\.same_day_within_km = 0",
        ),
        (
            {"brands.waves[0].same_day_within_km": 15.0, "brands.waves[1].rounds": "same_day"},
            r"brands\.waves\[0\]\.same_day_within_km = 15\.0: the wave's cut-off 08:30 must be "
            r"after",
        ),
        (
            {"brands.waves[0].same_day_within_km": 15.0},
            r"brands\.waves\[0\]\.same_day_within_km = 15\.0: a wave on its own later visit",
        ),
        (
            {
                "brands.waves[1].rounds": "same_day",
                "brands.waves[1].same_day_within_km": 15.0,
                "county.use_transfer_stations": True,
            },
            r"same_day_within_km = 15\.0: not with county\.use_transfer_stations",
        ),
    ],
)
def test_bad_trip_fields_name_the_field_and_value(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as info:
        scenario(**changes)
    assert str(GOOD.name) in str(info.value)
