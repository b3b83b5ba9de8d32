"""Scenario files: the default and a good file load; every bad file gives its one line."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from gongpei.scenario.loading import apply_overrides, load_scenario
from gongpei.scenario.messages import ScenarioError

DATA = Path(__file__).parents[2] / "data"
BAD = sorted((DATA / "bad").glob("*.toml"))


def expected_line(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", errors="replace")
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


def test_default_scenario_loads() -> None:
    sc = load_scenario()
    assert sc.name == "suichang"
    assert sc.model.sorter.induction.stations == 3
    assert sc.model.brands.waves[0].start == 5 * 3600


def test_shipped_copy_matches_embedded_default() -> None:
    """scenarios/suichang.toml is what `gongpei run` uses when given no file."""
    shipped = (Path(__file__).parents[3] / "scenarios" / "suichang.toml").read_text("utf-8")
    embedded = (
        Path(__file__).parents[3] / "gongpei" / "county" / "data" / "suichang.toml"
    ).read_text("utf-8")
    assert shipped == embedded


def test_good_file_loads() -> None:
    sc = load_scenario(DATA / "good.toml")
    assert sc.name == "test-good"
    assert sc.seed == 7


def test_corpus_is_large_enough() -> None:
    assert len(BAD) >= 30


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_file_gives_one_clear_line(path: Path) -> None:
    """Through the one validation path (load, then everything run checks before simulating):
    some faults need the county built (a road file, the loop's length) to be seen."""
    from gongpei.day.inputs import prepare_day

    with pytest.raises(ScenarioError) as info:
        prepare_day(load_scenario(path))
    lines = info.value.lines
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(f"{path}: "), line
    assert expected_line(path) in line, line
    assert "Traceback" not in line


def test_several_faults_give_one_line_each(tmp_path: Path) -> None:
    text = (DATA / "good.toml").read_text("utf-8")
    text = text.replace("capacity_parcels = 300", "capacity_parcels = -1")
    text = text.replace("chute_capacity = 40", "chute_capacity = 0")
    f = tmp_path / "two.toml"
    f.write_text(text, "utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    assert len(info.value.lines) == 2


def test_overrides_by_field_path() -> None:
    sc = load_scenario(DATA / "good.toml")
    changed = sc.with_overrides(
        {"sorter.chute_capacity": 30, "fleet.vans[0].count": 5, "brands.shares.ZTO": 0.5}
    )
    assert changed.model.sorter.chute_capacity == 30
    assert changed.model.fleet.vans[0].count == 5
    assert changed.model.brands.shares["ZTO"] == 0.5
    assert sc.model.sorter.chute_capacity == 40  # the original is untouched


def test_override_with_bad_value_names_the_field() -> None:
    sc = load_scenario(DATA / "good.toml")
    with pytest.raises(ScenarioError, match=r"sorter\.chute_capacity = -3: must be > 0"):
        sc.with_overrides({"sorter.chute_capacity": -3})


def test_apply_overrides_rejects_paths_through_values() -> None:
    with pytest.raises(ScenarioError, match="no such field"):
        apply_overrides({"a": 1}, {"a.b": 2})


def test_scenario_pickles() -> None:
    sc = load_scenario(DATA / "good.toml")
    again = pickle.loads(pickle.dumps(sc))
    assert again.fingerprint == sc.fingerprint


def test_schema_is_json_schema() -> None:
    from gongpei.scenario.schema import ScenarioModel

    doc = ScenarioModel.model_json_schema()
    assert doc["additionalProperties"] is False
    assert "fleet" in doc["required"]
    json.dumps(doc)


def test_event_scenarios_extend_the_default() -> None:
    scenarios = Path(__file__).parents[3] / "scenarios"
    tea = load_scenario(scenarios / "suichang-tea-harvest.toml")
    base = load_scenario(scenarios / "suichang.toml")
    assert tea.model.scenario.extends is None  # merged away
    assert tea.model.sorter == base.model.sorter
    assert tea.model.events[0].kind == "harvest_peak"
    d11 = load_scenario(scenarios / "suichang-double11.toml")
    assert d11.model.demand.village_max == 160
    assert d11.model.demand.village_parcels == base.model.demand.village_parcels


def test_extends_cycle_and_missing_base(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[scenario]\nname = "a"\nextends = "b.toml"\n', "utf-8")
    (tmp_path / "b.toml").write_text('[scenario]\nname = "b"\nextends = "a.toml"\n', "utf-8")
    with pytest.raises(ScenarioError, match="a cycle"):
        load_scenario(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('[scenario]\nname = "c"\nextends = "none.toml"\n', "utf-8")
    with pytest.raises(ScenarioError, match=r'scenario.extends = "none.toml": no such'):
        load_scenario(tmp_path / "c.toml")


def test_extends_keeps_relative_data_paths_of_the_base(tmp_path: Path) -> None:
    base = (DATA / "good.toml").read_text("utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "base.toml").write_text(base, "utf-8")
    (tmp_path / "top.toml").write_text(
        '[scenario]\nname = "top"\nextends = "sub/base.toml"\n\n[sorter]\nchute_capacity = 30\n',
        "utf-8",
    )
    sc = load_scenario(tmp_path / "top.toml")
    assert sc.model.sorter.chute_capacity == 30
    assert sc.model.fleet.vans[0].name == "van"
