"""sorter.kind in gongpei: every [sorter.linear], [sorter.manual] and [economics] field reaches
the engine, a kind's faults are rejected by validate, each kind's scenario runs, and the
sorting cost shows in summary.json, the report, compare and the sweep metrics."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import sorter
from gongpei.cli import main
from gongpei.day.inputs import prepare_day
from gongpei.day.line_inputs import (
    build_economics,
    build_layout,
    cutoff_bagging_round_s,
)
from gongpei.day.pipeline import run_pipeline, sort_day
from gongpei.report.compare import compare_summaries
from gongpei.scenario.loading import Scenario, load_scenario
from gongpei.scenario.messages import ScenarioError
from gongpei.scenario.schema_sorter import EconomicsTable, LinearTable, ManualTable
from gongpei.studies.metrics import sort_metrics

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"
UNITS = 214

#: [sorter.linear] field → (a non-default value, the LinearLine attribute it must set, or a
#: check on the layout for the geometry fields)
LINEAR_FIELDS: dict[str, tuple[Any, Any]] = {
    "speed_mps": (2.0, "speed_mps"),
    "parcel_length_m": (0.6, "parcel_length_m"),
    "min_gap_m": (0.3, "min_gap_m"),
    "diverter_cycle_s": (1.1, "diverter_cycle_s"),
    "reinduct_staff": (5, "reinduct_staff"),
    "reinduct_rate_per_h": (450.0, "reinduct_rate_per_h"),
    "chute_spacing_m": (
        2.0,
        lambda ln: ln.village_chutes[2].position_m - ln.village_chutes[0].position_m,
    ),
    "two_sided": (
        False,
        lambda ln: ln.village_chutes[1].position_m != ln.village_chutes[0].position_m,
    ),
    "induction_spacing_m": (
        5.0,
        lambda ln: ln.induction[1].position_m - ln.induction[0].position_m,
    ),
}

MANUAL_FIELDS: dict[str, tuple[Any, Any]] = {
    "sorters": (33, "sorters"),
    "rate_per_h": (250.0, "rate_per_h"),
    "reach_m": (3.0, "reach_m"),
    "walk_speed_mps": (0.8, "walk_speed_mps"),
    "cage_capacity": (90, "cage_capacity"),
    "cage_swap_s": (45.0, "cage_swap_s"),
    "oversize_factor": (2.0, "oversize_factor"),
    # geometry: the nearest village cage stands one row away
    "row_spacing_m": (4.0, lambda ln: min(c.position_m for c in ln.village_chutes)),
    "cages_per_row": (7, lambda ln: _row_sizes(ln)),
    "cage_pitch_m": (1.7, lambda ln: sorted(c.position_m for c in ln.village_chutes)[1:3]),
}


def _row_sizes(line: sorter.ManualLine) -> int:
    """Cages at the first row's distance band: the row's cage count."""
    d0 = min(c.position_m for c in line.village_chutes)
    return sum(1 for c in line.village_chutes if c.position_m < d0 + 0.5 * 20)


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario(None)


def _kind(base: Scenario, kind: str, **more: Any) -> Scenario:
    return base.with_overrides({"sorter.kind": kind, **more})


def test_tables_cover_every_field() -> None:
    assert set(LINEAR_FIELDS) == set(LinearTable.model_fields)
    assert set(MANUAL_FIELDS) == set(ManualTable.model_fields)


def test_default_kind_is_the_loop_and_unchanged(base: Scenario) -> None:
    from gongpei.day.line_inputs import build_line

    assert base.model.sorter.kind == "loop"
    assert build_layout(base, UNITS) == build_line(base, UNITS)
    line = build_layout(base, UNITS)
    assert isinstance(line, sorter.Line)
    s = base.model.sorter
    # the rule the ready times used before kinds existed
    assert cutoff_bagging_round_s(line) == math.ceil(UNITS / s.bagging_operators) * s.bag_time_s


@pytest.mark.parametrize("field", sorted(LINEAR_FIELDS))
def test_every_linear_field_reaches_the_line(base: Scenario, field: str) -> None:
    value, target = LINEAR_FIELDS[field]
    before = build_layout(_kind(base, "linear"), UNITS)
    after = build_layout(_kind(base, "linear", **{f"sorter.linear.{field}": value}), UNITS)
    assert isinstance(after, sorter.LinearLine)
    if isinstance(target, str):
        assert getattr(after, target) == value
        assert getattr(before, target) != value
    else:
        assert target(after) != target(before)
        if isinstance(value, float) and field != "two_sided":
            assert target(after) == pytest.approx(value)


@pytest.mark.parametrize("field", sorted(MANUAL_FIELDS))
def test_every_manual_field_reaches_the_cages(base: Scenario, field: str) -> None:
    value, target = MANUAL_FIELDS[field]
    before = build_layout(_kind(base, "manual"), UNITS)
    after = build_layout(_kind(base, "manual", **{f"sorter.manual.{field}": value}), UNITS)
    assert isinstance(after, sorter.ManualLine)
    if isinstance(target, str):
        assert getattr(after, target) == value
        assert getattr(before, target) != value
    else:
        assert target(after) != target(before)


def test_sorter_table_reaches_the_other_kinds(base: Scenario) -> None:
    sc = _kind(
        base,
        "linear",
        **{
            "sorter.chutes": 230,
            "sorter.chute_capacity": 55,
            "sorter.bagging_operators": 9,
            "sorter.bag_time_s": 75.0,
            "sorter.induction.stations": 4,
            "sorter.induction.rate_per_h": 1500.0,
            "sorter.no_read_prob": 0.02,
            "sorter.unload_ports": 6,
        },
    )
    ln = build_layout(sc, UNITS)
    assert isinstance(ln, sorter.LinearLine)
    assert len(ln.village_chutes) == 230 and ln.chute_capacity == 55
    assert (ln.bagging_operators, ln.bag_time_s) == (9, 75.0)
    assert [st.rate_per_h for st in ln.induction] == [1500.0] * 4
    assert (ln.no_read_prob, ln.unload_ports) == (0.02, 6)
    assert cutoff_bagging_round_s(ln) == math.ceil(230 / 9) * 75.0
    man = build_layout(_kind(base, "manual", **{"sorter.exception_prob": 0.01}), UNITS)
    assert isinstance(man, sorter.ManualLine)
    assert man.exception_prob == 0.01 and len(man.village_chutes) == UNITS
    assert cutoff_bagging_round_s(man) == 0.0  # a cage closes as it stands


@pytest.mark.parametrize("kind", ["loop", "linear", "manual"])
def test_economics_default_to_the_kind_and_every_field_reaches(base: Scenario, kind: str) -> None:
    assert build_economics(_kind(base, kind)) == sorter.DEFAULT_ECONOMICS[kind]
    changes = {
        "capex_yuan": 123456.0,
        "depreciation_years": 7.0,
        "upkeep_share_per_year": 0.07,
        "power_kw": 11.0,
        "yuan_per_kwh": 1.1,
        "working_days_per_year": 300,
        "wage_per_h": 30.0,
        "overhead_staff": 4,
    }
    assert set(changes) | {"staffing"} == set(EconomicsTable.model_fields)
    econ = build_economics(_kind(base, kind, **{f"economics.{k}": v for k, v in changes.items()}))
    for k, v in changes.items():
        assert getattr(econ, k) == v, k
    assert econ.kind == kind


def test_staffing_mode_reaches_the_cost(base: Scenario) -> None:
    from gongpei.day.sorting_cost import day_sorting_cost

    sd = sort_day(base)
    span = day_sorting_cost(base, sd.sort)
    waves = day_sorting_cost(base.with_overrides({"economics.staffing": "waves"}), sd.sort)
    assert waves.staff_hours < span.staff_hours
    assert span == sorter.sort_cost(sd.sort, sorter.DEFAULT_ECONOMICS["loop"], staffing="span")


@pytest.mark.parametrize(
    "event",
    [
        {"kind": "line_stoppage", "mtbf_h": 2.0, "mttr_min": 5.0},
        {"kind": "station_unstaffed", "station": 0, "start": "05:00", "end": "06:00"},
        {"kind": "chute_jam", "village": "331123001217", "start": "05:00", "end": "06:00"},
        {"kind": "scanner_outage", "start": "05:00", "end": "06:00"},
    ],
    ids=lambda e: e["kind"],
)
@pytest.mark.parametrize("kind", ["linear", "manual"])
def test_line_faults_on_another_kind_are_one_line(
    base: Scenario, kind: str, event: dict[str, Any]
) -> None:
    with pytest.raises(ScenarioError) as info:
        base.with_overrides({"sorter.kind": kind, "events": [event]})
    (line,) = info.value.lines
    assert f'events[0].kind = "{event["kind"]}"' in line
    assert f'not with sorter.kind = "{kind}"' in line
    # the same event on the loop is modelled
    loop = base.with_overrides({"events": [event]})
    assert len(prepare_day(loop).faults) == 1


def test_festival_and_harvest_events_suit_every_kind(base: Scenario) -> None:
    sc = base.with_overrides(
        {"sorter.kind": "manual", "events": [{"kind": "festival", "volume_multiplier": 1.2}]}
    )
    assert prepare_day(sc).faults == ()


@pytest.mark.parametrize("kind", ["linear", "manual"])
def test_loop_station_positions_on_another_kind_are_one_line(base: Scenario, kind: str) -> None:
    sc = _kind(base, kind, **{"sorter.induction.positions_m": [0.0, 10.0, 20.0]})
    with pytest.raises(ScenarioError) as info:
        prepare_day(sc)
    (line,) = info.value.lines
    assert "sorter.induction.positions_m = [0.0, 10.0, 20.0]" in line
    assert f'not with sorter.kind = "{kind}"' in line


def test_validate_rejects_a_fault_on_a_linear_line(tmp_path: Path) -> None:
    f = tmp_path / "x.toml"
    f.write_text(
        f'[scenario]\nname = "x"\nextends = "{SCENARIOS / "suichang-linear.toml"}"\n\n'
        '[[events]]\nkind = "line_stoppage"\nmtbf_h = 3.0\nmttr_min = 4.0\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(f)])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "modelled on a loop only" in lines[0], result.output


def test_spread_modules_is_a_registered_policy() -> None:
    assert sorter.ASSIGNMENTS["spread_modules"] is sorter.SpreadModules
    from sorter.assignment import SpreadModules

    assert SpreadModules is sorter.SpreadModules


def test_no_source_file_over_500_lines() -> None:
    root = Path(__file__).resolve().parents[3] / "sorter"
    for name in ("linear.py", "linear_line.py", "manual.py", "kinds.py", "economics.py"):
        n = len((root / name).read_text(encoding="utf-8").splitlines())
        assert n <= 500, (name, n)


def test_sort_metrics_carry_cost_and_reinductions(base: Scenario) -> None:
    sc = _kind(base, "linear")
    sd = sort_day(sc)
    m = sort_metrics(sd.sort, sc)
    visits = sd.sort.visits["parcel"]
    assert m["reinductions"] == len(visits) - len(set(visits.tolist())) > 0
    cost = sorter.sort_cost(sd.sort, sorter.DEFAULT_ECONOMICS["linear"])
    assert m["sorting_yuan_per_parcel"] == pytest.approx(cost.yuan_per_parcel)
    assert m["sorting_staff_hours"] == pytest.approx(cost.staff_hours)
    assert m["sorting_headcount"] == cost.headcount
    assert 0.0 <= m["chutes_ready_by_first_departure"] <= 1.0


@pytest.mark.parametrize("kind", ["loop", "manual"])
def test_parcels_after_cutoff_is_what_the_rounds_leave_for_tomorrow(
    base: Scenario, kind: str
) -> None:
    from gongpei.day.pipeline import day_problem

    sc = _kind(base, kind)  # 20 sorters at the cages cannot clear the morning wave by 08:30
    dp = day_problem(sc)
    m = sort_metrics(dp.sorted.sort, sc)
    assert m["parcels_after_cutoff"] == sum(dp.late.values())
    assert (m["parcels_after_cutoff"] > 1000) == (kind == "manual")


# ---- a scenario per kind, run end to end with a short budget ----------------------------
SHORT = {
    "routing.time_limit_s": 1.0,
    "routing.baselines": [],
    "output.plots": False,
    "output.parcels_csv": False,
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], str]]:
    out: dict[str, tuple[dict[str, Any], str]] = {}
    for kind, file in [
        ("loop", "suichang.toml"),
        ("linear", "suichang-linear.toml"),
        ("manual", "suichang-manual.toml"),
    ]:
        sc = load_scenario(SCENARIOS / file).with_overrides(SHORT)
        d = tmp_path_factory.mktemp(kind)
        run_pipeline(sc, d)
        out[kind] = (
            json.loads((d / "summary.json").read_text(encoding="utf-8")),
            (d / "report.html").read_text(encoding="utf-8"),
        )
    return out


@pytest.mark.parametrize("kind", ["loop", "linear", "manual"])
def test_each_kind_scenario_runs_and_prices_its_day(
    runs: dict[str, tuple[dict[str, Any], str]], kind: str
) -> None:
    s, html = runs[kind]
    sc = s["sorting_cost"]
    assert sc["kind"] == kind == sc["layout"]["kind"]
    assert sc["parcels"] == s["parcels"]["total"] > 10_000
    parts = (
        sc["capex_per_day_yuan"] + sc["upkeep_per_day_yuan"] + sc["wages_yuan"] + sc["power_yuan"]
    )
    assert parts == pytest.approx(sc["total_yuan"], abs=0.03)
    assert sc["yuan_per_parcel"] == pytest.approx(sc["total_yuan"] / sc["parcels"], abs=1e-4)
    # staffed_h is rounded to 0.001 h
    tol = sc["headcount"] * 0.0005 + 0.001
    assert sc["staff_hours"] == pytest.approx(sc["headcount"] * sc["staffed_h"], abs=tol)
    econ = sorter.DEFAULT_ECONOMICS[kind]
    assert sc["economics"]["capex_yuan"] == econ.capex_yuan
    assert s["routing"]["checker_violations"] == 0
    assert 'id="sorting-cost"' in html and 'id="card-sorting-cost"' in html
    assert f"sorting cost per parcel ({kind} line)" in html


def test_kind_scenarios_carry_their_settings(runs: dict[str, tuple[dict[str, Any], str]]) -> None:
    lin = runs["linear"][0]["sorting_cost"]
    assert lin["layout"]["speed_mps"] == 1.5 and lin["staff"]["reinduction"] == 2
    man = runs["manual"][0]["sorting_cost"]
    assert man["staff"]["sorting"] == 40 and man["layout"]["cage_capacity"] == 120
    # cages cost less to buy, people more to pay
    loop = runs["loop"][0]["sorting_cost"]
    assert man["capex_per_day_yuan"] < lin["capex_per_day_yuan"] < loop["capex_per_day_yuan"]
    assert man["wages_yuan"] > loop["wages_yuan"]


def test_compare_shows_the_sorting_cost(runs: dict[str, tuple[dict[str, Any], str]]) -> None:
    kinds = ["loop", "linear", "manual"]
    table = compare_summaries([runs[k][0] for k in kinds], kinds)
    rows = {ln.split("  ")[0].strip(): ln for ln in table.splitlines()}
    assert "sorting ¥/parcel" in rows and "kind of line" in rows
    for k in kinds:
        assert k in rows["kind of line"]
        assert f"{runs[k][0]['sorting_cost']['yuan_per_parcel']:.3f}" in rows["sorting ¥/parcel"]
    # an older summary without the block leaves the rows out
    old = {k: v for k, v in runs["loop"][0].items() if k != "sorting_cost"}
    assert "sorting ¥/parcel" not in compare_summaries([old], ["old"])


def test_compare_layouts_quick_on_a_tiny_grid(load_benchmark, tmp_path: Path, capsys: Any) -> None:

    bench = load_benchmark("compare_layouts")
    out = tmp_path / "c.json"
    args = ["--quick", "-r", "2", "--days", "normal", "--layouts", "loop-3", "manual-20"]
    assert bench.main([*args, "--time-limit", "0.5", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "loop-3" in printed and "manual-20" in printed and "¥/parcel" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["runs"]) == 4 and len(data["rows"]) == 2
    for row in data["rows"] + data["runs"]:
        assert row["kind"] in ("loop", "manual")
        assert row["cost_per_parcel"] > 0
        assert row["staff"] > 0
    rows = {r["layout"]: r for r in data["rows"]}
    assert rows["manual-20"]["stations"] == 20
    lo, hi = rows["loop-3"]["cost_per_parcel_ci"]
    assert lo <= rows["loop-3"]["cost_per_parcel"] <= hi
    # the people-only line is slower: its chutes are ready later than the loop's
    assert rows["manual-20"]["same_day_ready_s"] > rows["loop-3"]["same_day_ready_s"]
