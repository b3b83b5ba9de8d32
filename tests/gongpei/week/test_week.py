"""A week, not a day: patterns, the parcel ledger, the periodic heuristic, ``gongpei week``.

The small week (tests/data/week/week.toml) is 17 Suichang villages with a deterministic
OR-Tools budget, so the whole week (three variants and standing rounds) runs in seconds.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from gongpei.cli.commands import main
from gongpei.scenario.loading import load_scenario
from gongpei.scenario.messages import ScenarioError
from gongpei.scenario.schema_week import WEEKDAYS, WeekTable
from gongpei.week.backlog import Backlog, VillageWeek
from gongpei.week.days import day_scenario, day_seed
from gongpei.week.patterns import allowed_patterns, calendar_days, daily, max_wait, pattern_names
from gongpei.week.plan import full_solve, plan_week
from gongpei.week.results import WeekResult, run_week
from gongpei.week.standing import standing_order, standing_plan
from routing.check import check

DATA = Path(__file__).parents[2] / "data"
WEEK = DATA / "week" / "week.toml"


@pytest.fixture(scope="module")
def week_scenario():
    return load_scenario(WEEK)


@pytest.fixture(scope="module")
def week_result(week_scenario) -> WeekResult:
    return run_week(week_scenario)


# --- patterns -------------------------------------------------------------------------------
def test_waits_of_the_builtin_patterns() -> None:
    w = WeekTable()
    cal = calendar_days(w)
    pos = {d: k for k, d in enumerate(WEEKDAYS)}

    def pat(*days: str) -> tuple[int, ...]:
        return tuple(pos[d] for d in days)

    assert max_wait(daily(w), cal) == 0
    assert max_wait(pat("mon", "tue", "wed", "thu", "fri", "sat"), cal) == 1  # Sun → Mon
    assert max_wait(pat("mon", "tue", "wed", "thu", "fri"), cal) == 2  # Sat → Mon
    assert max_wait(pat("mon", "wed", "fri"), cal) == 2
    assert max_wait(pat("mon", "thu"), cal) == 3
    assert pattern_names(pat("mon", "wed", "fri"), w) == "mon/wed/fri"
    assert pattern_names(daily(w), w) == "daily"


def test_patterns_follow_the_planned_days() -> None:
    w = WeekTable(days=["mon", "tue", "wed", "thu", "fri"])
    pats = allowed_patterns(w, [7, 5, 3, 2])
    assert pats[0] == (0, 1, 2, 3, 4)  # 7 and 5 visits over five planned days: every day
    # tue/thu/sat and wed/sat name the closed Saturday: dropped
    assert pats == [(0, 1, 2, 3, 4), (0, 2, 4), (0, 3), (1, 4)]
    cal = calendar_days(w)
    assert max_wait((0, 2, 4), cal) == 1  # Tue → Wed, Thu → Fri; Friday's are served Friday
    assert max_wait((0, 3), cal) == 3  # Fri → Mon next week: the weekend counts


def test_day_seeds_are_fixed_and_distinct() -> None:
    seeds = [day_seed(7, d) for d in WEEKDAYS]
    assert seeds == [day_seed(7, d) for d in WEEKDAYS]
    assert len(set(seeds)) == 7
    assert seeds != [day_seed(8, d) for d in WEEKDAYS]


# --- the ledger, on random small weeks --------------------------------------------------------
@st.composite
def small_weeks(draw):
    n_days = draw(st.integers(1, 7))
    days = sorted(draw(st.lists(st.integers(0, 6), min_size=n_days, max_size=n_days, unique=True)))
    n_vill = draw(st.integers(1, 4))
    villages, patterns = [], {}
    for k in range(n_vill):
        counts = st.lists(st.integers(0, 60), min_size=len(days), max_size=len(days))
        parcels = tuple(draw(counts))
        pickup = tuple(draw(counts))
        code = f"v{k}"
        villages.append(
            VillageWeek(
                code,
                parcels,
                tuple(3600 * 9 for _ in days),
                pickup,
                tuple(10 * p for p in pickup),
            )
        )
        pat = draw(st.lists(st.integers(0, len(days) - 1), min_size=1, unique=True))
        patterns[code] = tuple(sorted(pat))
    capacity = draw(st.integers(20, 200))
    fails = draw(
        st.lists(
            st.sets(st.sampled_from([v.code for v in villages])),
            min_size=len(days),
            max_size=len(days),
        )
    )
    carry = draw(st.sampled_from(["steady", "empty"]))
    return days, villages, patterns, capacity, fails, carry


@settings(max_examples=150, deadline=None)
@given(small_weeks())
def test_parcels_are_conserved_day_by_day(week) -> None:
    days, villages, patterns, capacity, fails, carry = week
    bl = Backlog(
        villages,
        patterns,
        days,
        capacity=(capacity, capacity * 10),
        litres_per_parcel=10.0,
        carry_in=carry,
    )
    for d in range(len(days)):
        stops = bl.stops()
        for s in stops:
            assert 0 <= s.deliver <= capacity and s.pickup <= capacity  # one van per visit
            assert d in patterns[s.code]
        served = [s.code for s in stops if s.code not in fails[d]]
        bl.commit(served, {c: "fleet_size" for c in fails[d]})
    # per village and day: waiting at the start + arrived = delivered + waiting at the end
    for e in bl.ledger:
        assert e.waiting_start + e.arrived == e.delivered + e.waiting_end
        assert min(e.waiting_start, e.delivered, e.waiting_end) >= 0
    # the ledger chains from day to day
    by_village: dict[str, list] = {}
    for e in bl.ledger:
        by_village.setdefault(e.village, []).append(e)
    for rows in by_village.values():
        for a, b in itertools.pairwise(rows):
            assert a.waiting_end == b.waiting_start
    # the week: carried in + sorted = delivered + waiting, every waiting parcel has a reason
    arrived = sum(sum(v.parcels) for v in villages)
    delivered = sum(x.parcels for x in bl.deliveries)
    waiting = bl.waiting()
    assert bl.carried_in + arrived == delivered + sum(w.parcels for w in waiting)
    assert all(w.reason for w in waiting)
    assert all(x.wait_days >= 0 for x in bl.deliveries)
    if carry == "empty":
        assert bl.carried_in == 0


@settings(max_examples=80, deadline=None)
@given(small_weeks())
def test_served_every_time_nothing_waits_longer_than_its_pattern(week) -> None:
    days, villages, patterns, _, _, _ = week
    bl = Backlog(villages, patterns, days, capacity=(10**6, 10**7), litres_per_parcel=10.0)
    for _ in days:
        bl.commit([s.code for s in bl.stops()], {})
    for x in bl.deliveries:
        assert x.wait_days <= max_wait(patterns[x.village], days)
    # a repeating week leaves for the next one exactly what it found
    assert sum(w.parcels for w in bl.waiting()) == bl.carried_in
    assert all(w.reason == "next_week" for w in bl.waiting())


# --- the day scenarios -----------------------------------------------------------------------
def test_a_day_of_the_week_is_the_scenario_with_that_days_volume_events_and_seed(
    week_scenario,
) -> None:
    mon = day_scenario(week_scenario, "mon")
    tue = day_scenario(week_scenario, "tue")
    wed = day_scenario(week_scenario, "wed")
    assert mon.seed == day_seed(week_scenario.seed, "mon") != tue.seed
    assert [e.kind for e in mon.model.events] == ["festival"]
    assert mon.model.events[0].volume_multiplier == 1.4
    assert [e.kind for e in tue.model.events] == ["harvest_peak"]  # tea collected on Tuesdays
    assert tue.model.events[0].villages == ["331123205210"]
    assert [e.kind for e in wed.model.events] == ["line_stoppage"]


def test_a_day_that_cannot_be_run_names_its_day() -> None:
    # A village bigger than a van is split since the promise issue; one bigger than the whole
    # fleet still cannot be run.
    sc = load_scenario(DATA / "good.toml").with_overrides(
        {"week.volume": {"fri": 6.0}, "fleet.vans[0].count": 5}
    )
    with pytest.raises(ScenarioError) as exc:
        day_scenario(sc, "fri")
    assert exc.value.lines[0].startswith(f"{sc.source}: week day fri: ")
    assert "whole fleet" in exc.value.lines[0]


def test_a_day_scenario_without_week_stays_valid() -> None:
    sc = load_scenario(DATA / "good.toml")
    assert sc.model.week == WeekTable()
    assert sc.model.week.service == "daily"


# --- the week -------------------------------------------------------------------------------
def test_week_json_holds_what_the_issue_asks(week_result) -> None:
    doc = week_result.summary()
    assert [d["day"] for d in doc["days"]] == list(WEEKDAYS)
    for d in doc["days"]:
        assert {"day", "parcels", "vans", "km", "cost", "on_time_villages"} <= set(d)
    for v in doc["villages"]:
        assert {"code", "pattern", "visits", "mean_wait_days", "max_wait_days"} <= set(v)
    assert {"total", "delivered", "waiting", "late"} <= set(doc["parcels"])
    for name in ("daily", "chosen", "produce_daily_others_3x", "standing_rounds"):
        assert {"cost", "km", "van_days"} <= set(doc["comparison"][name])
    json.dumps(doc)  # plain JSON


def test_every_parcel_delivered_in_time_or_listed(week_result, week_scenario) -> None:
    limit = week_scenario.model.week.max_wait_days
    par = week_result.parcels()
    assert par["carried_in"] + par["total"] == par["delivered"] + par["waiting"]
    assert par["late"] == 0
    assert all(d.wait_days <= limit for d in week_result.chosen.deliveries)
    listed = sum(e["parcels"] for e in par["exceptions"])
    assert listed == par["waiting"]  # everything still waiting is listed, with a reason
    assert all(e["reason"] for e in par["exceptions"])
    for e in week_result.chosen.ledger:
        assert e.waiting_start + e.arrived == e.delivered + e.waiting_end


def test_the_chosen_patterns_cost_no_more_than_daily(week_result) -> None:
    p = week_result.plan
    assert p.chosen.cost <= p.daily.cost
    assert any(len(pat) < 7 for pat in p.chosen.patterns.values())  # auto did choose
    assert p.daily.wait_stats() == (0.0, 0)
    for variant in (p.daily, p.chosen, p.rule, p.standing):
        assert variant is not None
        for day in variant.days:
            assert day.violations == 0
            assert check(day.plan, day.problem) == []


def test_patterns_keep_the_limits(week_result, week_scenario) -> None:
    w = week_scenario.model.week
    cal = calendar_days(w)
    tea = "331123205210"
    pat = week_result.chosen.patterns[tea]
    assert {1, 4} <= set(pat)  # served on its produce days (Tue, Fri)
    for pat in week_result.chosen.patterns.values():
        assert max_wait(pat, cal) <= w.max_wait_days
    assert max(d["hub_staged_max_village"] for d in week_result.days()) <= w.hub_cage_parcels
    # the reference rule: produce villages daily, the others 3 times a week
    rule = week_result.plan.rule.patterns
    assert rule[tea] == daily(w)
    # (the Huangshayao seat village is too big for one van after two days: daily there)
    assert all(len(p) == 3 or p == daily(w) for p in rule.values())
    assert sum(len(p) == 3 for p in rule.values()) == len(rule) - 2


def test_standing_rounds_keep_one_order(week_result) -> None:
    standing = week_result.plan.standing
    assert standing is not None
    master = standing_order([d.plan for d in week_result.chosen.days])
    position = {v: k for k, v in enumerate(v for _, vs in master for v in vs)}
    assert len(position) == len(week_result.chosen.patterns)  # every village has its place
    orders = [[v for r in d.plan.routes for v in r.villages] for d in standing.days]
    for order in orders:  # every day visits its villages in the one standing order
        assert [position[v] for v in order] == sorted(position[v] for v in order)
    assert standing.cost >= 0 and len(standing.days) == 7
    assert "standing_vs_free" in week_result.comparison()


def test_standing_plan_leaves_a_village_that_fits_no_van(week_result) -> None:
    day = week_result.chosen.days[0]
    order = [(r.vehicle_type, r.villages) for r in day.plan.routes]
    plan = standing_plan(day.problem, order)
    assert check(plan, day.problem) == []
    assert set(plan.served) == {v.id for v in day.problem.villages}


def test_the_week_is_deterministic(week_scenario, week_result) -> None:
    again = run_week(week_scenario)
    assert again.summary() == week_result.summary()


def test_daily_service_is_todays_rule(week_scenario) -> None:
    sc = week_scenario.with_overrides({"week.service": "daily", "week.standing_rounds": False})
    res = run_week(sc)
    assert all(p == daily(sc.model.week) for p in res.chosen.patterns.values())
    assert res.chosen.cost == res.plan.daily.cost
    assert res.parcels()["waiting"] == 0 and res.plan.standing is None
    assert res.chosen.wait_stats() == (0.0, 0)


def test_a_dearer_search_falls_back_to_daily(week_scenario) -> None:
    """If the searched patterns cost more in full solves, auto villages are served daily."""

    def rounds(d, sc, problem):  # a solve that makes any day with fewer stops dearer
        from dataclasses import replace

        plan = full_solve(d, sc, problem)
        short = len(problem.villages) < 17
        return replace(plan, cost=plan.cost + (5000.0 if short else 0.0))

    sc = week_scenario.with_overrides({"week.standing_rounds": False, "week.search_moves": 3})
    wp = plan_week(sc, rounds=rounds)
    assert wp.chosen.cost <= wp.daily.cost
    assert wp.chosen.note.startswith("the searched patterns cost more")
    assert all(len(p) == 7 for p in wp.chosen.patterns.values())


def test_small_cages_rule_out_long_gaps(week_scenario) -> None:
    sc = week_scenario.with_overrides({"week.hub_cage_parcels": 1, "week.search_moves": 0})
    from gongpei.week.choice import service_options
    from gongpei.week.days import sort_week

    opts = service_options(sc, sort_week(sc))
    for o in opts.values():
        assert o.candidates == (daily(sc.model.week),)
        assert any("hub_cage_parcels" in why for _, why in o.excluded)


# --- the command ----------------------------------------------------------------------------
def test_gongpei_week_writes_its_files(tmp_path) -> None:
    out = tmp_path / "w"
    res = CliRunner().invoke(
        main,
        ["week", str(WEEK), "--out", str(out), "--quiet", "--no-standing"],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    assert "van-days" in res.output
    doc = json.loads((out / "week.json").read_text())
    assert "standing_rounds" not in doc["comparison"]
    assert (out / "week.html").read_text().count("<table>") >= 4


def test_gongpei_week_plots(tmp_path, week_result) -> None:
    from gongpei.week.report import PLOT_FILES, write_week

    files = write_week(week_result, tmp_path, plots=True)
    for name in PLOT_FILES:
        assert files[name].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_functions_draw_on_given_axes(week_result) -> None:
    from matplotlib.figure import Figure

    from gongpei.week.report import plot_cages, plot_day_costs

    doc = week_result.summary()
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    plot_day_costs(doc, ax=ax1)
    plot_cages(doc, ax=ax2)
    assert len(ax1.patches) == 7 and len(ax2.lines) == 2


def test_gongpei_week_reports_a_bad_file() -> None:
    res = CliRunner().invoke(main, ["week", str(DATA / "bad" / "week_days_out_of_order.toml")])
    assert res.exit_code == 2
    assert "week.days" in res.output


# --- a week in every county -----------------------------------------------------------------
def test_a_county_week_row_and_the_province_table(tmp_path, week_scenario) -> None:
    from gongpei.week.province import ProvinceWeek, run_county_week, write_province_week

    sc = week_scenario.with_overrides({"week.standing_rounds": False, "week.search_moves": 5})
    row = run_county_week(sc)
    assert not row.error and row.villages == 17
    assert row.chosen_cost <= row.daily_cost and row.late == 0
    broken = run_county_week(
        sc.with_overrides({"week.volume": {"mon": 20.0}, "fleet.vans[0].count": 1})
    )
    assert "week day mon" in broken.error  # a county that fails is a row, not a crash
    table = ProvinceWeek((row, broken), "serial", 1.0)
    assert table.totals()["failed"] == 1
    assert "FAILED" in table.text()
    files = write_province_week(table, tmp_path)
    doc = json.loads(files[1].read_text())
    assert doc["totals"]["chosen_cost"] == row.chosen_cost
    assert files[0].read_text().count("\n") == 3


def test_province_week_flag_runs_weeks(monkeypatch, tmp_path) -> None:
    import gongpei.week.province as pw

    seen = {}

    def fake(codes, **kw):
        seen.update(codes=codes, **kw)
        return pw.ProvinceWeek((), "serial", 0.0)

    monkeypatch.setattr(pw, "run_province_week", fake)
    res = CliRunner().invoke(
        main,
        ["province", "--week", "--counties", "331125", "--workers", "1", "--time-limit", "1",
         "--out", str(tmp_path), "--quiet"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert seen["codes"] == ["331125"] and seen["overrides"]["routing.time_limit_s"] == 1
    assert (tmp_path / "province_week.json").exists()


def test_week_benchmark_writes_its_row(load_benchmark, tmp_path, capsys) -> None:

    bench = load_benchmark("week")
    out = tmp_path / "week.json"
    assert bench.main([str(WEEK), "--search-moves", "5", "--json", str(out)]) == 0
    row = json.loads(out.read_text())
    assert row["villages"] == 17 and row["days"] == 7 and row["missed"] == []
    assert row["comparison"]["chosen"]["cost"] <= row["comparison"]["daily"]["cost"]
    assert row["cpu_s"] > 0 and "chosen" in capsys.readouterr().out
    row["wall_s"] = 10_000.0
    assert bench.verdicts(row) == ["wall 10000.0 s > 600.0 s"]
