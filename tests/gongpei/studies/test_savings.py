"""Savings only on equal service, in the studies too (issue 13).

``gongpei run`` states a saving only when the baseline serves the same villages and parcels
(``equal_service``); the sweep metrics, the province table and the week's province must not
read the number past that flag either: no saving (NaN / ``None``) and the reason beside it.
The days are real (the small test scenario); only the baseline's service is varied, as
``tests/test_report.py`` does, so each case is exact.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from gongpei.day.results import BaselineResult, DayResult, Service
from gongpei.scenario.loading import Scenario, load_scenario

DATA = Path(__file__).parents[2] / "data"
FAST = {
    "routing.backend": "pyvrp",
    "routing.deterministic": True,
    "routing.max_iterations": 200,
    "routing.baselines": [],
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(DATA / "good.toml").with_overrides(FAST)


@pytest.fixture(scope="module")
def day(scenario: Scenario) -> DayResult:
    from gongpei.day.pipeline import run_day

    return run_day(scenario)


def _with_brands(day: DayResult, *, equal: bool) -> DayResult:
    """``day`` with a brands-alone baseline at twice its km and cost, serving the same
    parcels (``equal``) or 500 parcels more."""
    ours = day.service
    service = ours if equal else Service(ours.delivered + 500, ours.collected, 0, 0, ours.villages)
    km, cost = day.plan.distance_m / 1000, day.plan.cost
    b = BaselineResult("brands_alone", 2 * km, 100.0, 60, 2 * cost, 9e3, service=service)
    return dataclasses.replace(day, baselines={"brands_alone": b})


# ------------------------------------------------------------------------------ sweep
def test_day_metrics_give_no_saving_on_unequal_service(day: DayResult) -> None:
    from gongpei.studies.metrics import DAY_METRICS, day_metrics

    fair = day_metrics(_with_brands(day, equal=True))
    assert fair["saving_distance_pct"] == pytest.approx(50.0, abs=0.01)
    assert fair["saving_cost_pct"] == pytest.approx(50.0, abs=0.01)
    assert fair["saving_equal_service"] == 1.0 and fair["saving_note"] == ""

    unequal = day_metrics(_with_brands(day, equal=False))
    for key in ("saving_distance_pct", "saving_cost_pct", "saving_van_hours_pct"):
        assert math.isnan(unequal[key]), key
    assert unequal["saving_equal_service"] == 0.0
    assert unequal["saving_note"].startswith("no saving claimed: unequal service")
    assert (
        f"every brand alone delivers {day.service.delivered + 500} parcels"
        in (unequal["saving_note"])
    )
    assert "saving_equal_service" in DAY_METRICS

    none = day_metrics(day)  # no baseline at all: no saving, nothing to explain
    assert math.isnan(none["saving_cost_pct"]) and math.isnan(none["saving_equal_service"])
    assert none["saving_note"] == ""


def test_sweep_statistics_leave_unequal_runs_out_and_say_so(day: DayResult) -> None:
    from gongpei.studies.metrics import day_metrics
    from gongpei.studies.statistics import aggregate

    fair = day_metrics(_with_brands(day, equal=True))
    unequal = day_metrics(_with_brands(day, equal=False))
    head = {"scenario": "s", "sorter.chute_capacity": 40}
    rows = [
        {**head, "replication": 0, "seed": 1, **fair},
        {**head, "replication": 1, "seed": 2, **unequal},
    ]
    (agg,) = aggregate(rows)  # the note does not split the grid point
    assert agg["n"] == 2
    assert agg["saving_cost_pct"] == pytest.approx(fair["saving_cost_pct"])  # the fair run only
    assert agg["saving_equal_service"] == pytest.approx(0.5)
    assert agg["saving_note"].startswith("1 of 2 runs on unequal service (no saving)")
    (all_fair,) = aggregate([rows[0], {**rows[0], "replication": 1, "seed": 2}])
    assert all_fair["saving_note"] == ""
    (all_unequal,) = aggregate([rows[1], {**rows[1], "replication": 0, "seed": 1}])
    assert math.isnan(all_unequal["saving_cost_pct"])


def test_sweep_command_prints_the_reason(
    day: DayResult, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The real ``gongpei sweep --what day``, its days replaced by the unequal one."""
    from click.testing import CliRunner

    from gongpei.cli import main

    monkeypatch.setattr(
        "gongpei.day.pipeline.run_day", lambda sc, **kw: _with_brands(day, equal=False)
    )
    out = tmp_path / "sweep"
    r = CliRunner().invoke(
        main,
        ["sweep", str(DATA / "good.toml"), "--what", "day", "-r", "2", "--out", str(out),
         "--quiet"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "2 of 2 runs on unequal service (no saving): no saving claimed" in r.output
    import json

    runs = json.loads((out / "runs.json").read_text("utf-8"))
    assert all(row["saving_cost_pct"] is None for row in runs)  # NaN is written as null
    assert all(row["saving_note"].startswith("no saving claimed") for row in runs)


# --------------------------------------------------------------------------- province
def test_province_row_has_no_saving_on_unequal_service(
    scenario: Scenario, day: DayResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gongpei.studies.province import ProvinceTable, run_county

    monkeypatch.setattr(
        "gongpei.day.pipeline.run_day", lambda sc, **kw: _with_brands(day, equal=False)
    )
    row = run_county(scenario)
    assert row.error == ""
    assert row.saving_pct is None and row.cost_saving_pct is None
    assert row.saving_note.startswith("no saving claimed: unequal service")
    assert row.value("saving_pct") is None  # nothing to colour the map with
    table = ProvinceTable((row,), "serial", 1.0)
    assert "unequal service" in table.text() and row.saving_note in table.text()
    assert "saving_note" in table.csv_text().splitlines()[0]

    monkeypatch.setattr(
        "gongpei.day.pipeline.run_day", lambda sc, **kw: _with_brands(day, equal=True)
    )
    fair = run_county(scenario)
    assert fair.saving_pct == pytest.approx(50.0, abs=0.01) and fair.saving_note == ""


# ------------------------------------------------------------------------------- week
@pytest.fixture(scope="module")
def week():  # type: ignore[no-untyped-def]
    from gongpei.week.results import run_week

    return run_week(load_scenario(DATA / "week" / "week.toml"))


def _left_behind(week, parcels: int):  # type: ignore[no-untyped-def]
    """``week`` with ``parcels`` more of the chosen variant's parcels left behind."""
    from gongpei.week.backlog import WaitingParcels
    from gongpei.week.results import WeekResult

    chosen = week.plan.chosen
    extra = WaitingParcels(chosen.days[0].stops[0].code, 0, parcels, "unserved", 6)
    chosen = dataclasses.replace(chosen, waiting=(*chosen.waiting, extra))
    return WeekResult(dataclasses.replace(week.plan, chosen=chosen))


def test_week_saving_only_when_the_same_parcels_are_delivered(week) -> None:  # type: ignore[no-untyped-def]
    c = week.comparison()
    assert c["daily"]["left_behind"] == c["chosen"]["left_behind"]
    assert c["equal_service"] is True and c["unequal_service_note"] == ""
    assert "% cheaper" in week.headline()

    worse = _left_behind(week, 40)
    c = worse.comparison()
    assert c["equal_service"] is False
    assert c["unequal_service_note"] == (
        f"no saving claimed: unequal service (daily leaves {c['daily']['left_behind']} parcels "
        f"behind, the chosen patterns {c['chosen']['left_behind']})"
    )
    assert "% cheaper" not in worse.headline() and "no saving claimed" in worse.headline()


def test_week_province_row_and_totals(week, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from gongpei.week.province import ProvinceWeek, run_county_week

    sc = week.scenario
    monkeypatch.setattr("gongpei.week.results.run_week", lambda s: week)
    fair = run_county_week(sc)
    assert fair.saving_pct is not None and fair.saving_note == ""
    monkeypatch.setattr("gongpei.week.results.run_week", lambda s: _left_behind(week, 40))
    unequal = run_county_week(sc)
    assert unequal.error == "" and unequal.saving_pct is None
    assert unequal.saving_note.startswith("no saving claimed: unequal service")

    both = ProvinceWeek((fair, dataclasses.replace(unequal, code="X")), "serial", 1.0)
    t = both.totals()
    assert t["saving_counties"] == 1
    assert t["saving_pct"] == pytest.approx(  # the equal county alone
        100 * (fair.daily_cost - fair.chosen_cost) / fair.daily_cost, abs=0.01
    )
    text = both.text()
    assert "unequal" in text and unequal.saving_note in text
    assert "in the 1 counties with equal service" in text
    only_unequal = ProvinceWeek((unequal,), "serial", 1.0)
    assert only_unequal.totals()["saving_pct"] is None
    assert "no saving claimed: unequal service" in only_unequal.text().splitlines()[-1]
