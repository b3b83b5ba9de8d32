"""`gongpei new-scenario`: every county's file validates, the rules and awkward rows hold,
and small counties run end to end."""

from __future__ import annotations

import csv
import io
import math
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from gongpei.cli.county import new_scenario
from gongpei.county.catalogue import UnknownCountyError, find_county, list_counties, plan_sizes
from gongpei.county.packaging import package_zhejiang26
from gongpei.county.template import new_scenario_text
from gongpei.scenario.loading import load_scenario, load_scenario_text
from gongpei.scenario.paths import builtin_path

DATA = builtin_path("zhejiang26")
SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "zhejiang26"
FAST = {"routing.time_limit_s": 1, "routing.baselines": [], "output.plots": False,
        "output.html": False}  # fmt: skip


def rows(code: str, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((DATA / code / name).read_text("utf-8"))))


def load(code: str, **kw: str):
    return load_scenario_text(new_scenario_text(code, **kw), f"<{code}>", Path.cwd())


def test_26_counties_all_generate_valid_scenarios() -> None:
    counties = list_counties()
    assert len(counties) == 26 and len({c.code for c in counties}) == 26
    for c in counties:
        sc = load(c.code)
        m = sc.model
        assert m.county.code == c.code
        villages = rows(c.code, "villages.csv")
        cun = sum(r["kind"] == "村" for r in villages)
        assert m.demand.village_parcels == 40 * cun
        assert m.demand.urban_parcels == 300 * (len(villages) - cun)
        vans = sum(v.count for v in m.fleet.vans)
        assert vans == math.ceil(math.ceil(40 * cun / 250) * 1.2)
        assert m.sorter.chutes == 0
        assert m.roads.network == ("corridors" if c.code == "331123" else "generic")
        assert m.county.hub_village in {r["code"] for r in villages}


def test_file_is_commented_toml_with_stated_rules() -> None:
    text = new_scenario_text("330824")
    assert tomllib.loads(text)["county"]["code"] == "330824"
    for rule in ("40 ×", "300 ×", "+ 20 % spare", "Hub rule:", "one chute per village-level"):
        assert rule in text
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 10


@pytest.mark.parametrize("query", ["330824", "开化县", "开化", "kaihua", " Kaihua "])
def test_find_county_by_code_name_or_pinyin(query: str) -> None:
    assert find_county(query).code == "330824"


def test_find_county_short_names_of_other_suffixes() -> None:
    assert find_county("景宁").code == "331127"
    assert find_county("龙泉").code == "331181"
    assert find_county("chunan").code == "330127"
    with pytest.raises(UnknownCountyError):
        find_county("杭州")


def test_suichang_keeps_its_corridors_and_hub() -> None:
    m = load("遂昌").model
    assert m.roads.links == "gongpei:suichang/roads.csv"
    assert m.county.hub_village == "331123001217"


def test_hub_rules() -> None:
    # 开化: the seat township 华埠镇's lowest-coded 村.
    cun = sorted(r["code"] for r in rows("330824", "villages.csv")
                 if r["town_code"] == "330824115" and r["nbs_kind"] == "村")  # fmt: skip
    assert plan_sizes(find_county("330824")).hub == cun[0]
    # 莲都: the seat 万象街道 has no 村, so another township's 村 takes the hub.
    info = find_county("331102")
    sz = plan_sizes(info)
    assert not sz.hub.startswith(info.seat_code) and "has no 村" in sz.hub_rule
    # a planner's hub, and a wrong one
    assert load("331102", hub="331102001207").model.county.hub_village == "331102001207"
    with pytest.raises(UnknownCountyError, match="--hub"):
        new_scenario_text("331102", hub="331123001217")


def test_awkward_rows_are_placed_or_left_out_by_rule() -> None:
    # 平阳 开发区 (no coordinate): left out with its placeholder unit, and said so.
    pingyang = rows("330326", "towns.csv")
    assert "330326401" not in {r["code"] for r in pingyang}
    assert not any(r["town_code"] == "330326401" for r in rows("330326", "villages.csv"))
    assert "开发区 330326401" in new_scenario_text("330326")
    # 类似乡级单位 with a point: kept as 乡, the NBS kind kept alongside.
    yongjia = {r["code"]: r for r in rows("330324", "towns.csv")}
    assert yongjia["330324401"]["kind"] == "乡"
    assert yongjia["330324401"]["nbs_kind"] == "类似乡级单位"
    # 生活区: on the rounds like a 村.
    xianju = [r for r in rows("331024", "villages.csv") if r["nbs_kind"] == "生活区"]
    assert len(xianju) == 8 and all(r["kind"] == "村" for r in xianju)
    assert "生活区" in new_scenario_text("331024")
    # 开化's seat point moved into the county town.
    huabu = next(r for r in rows("330824", "towns.csv") if r["code"] == "330824115")
    assert (huabu["lat"], huabu["lon"]) == ("29.13972", "118.40978")
    assert huabu["coord_source"].startswith("derived:")


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the research folder shared/data")
def test_packaged_data_is_the_copy_step_of_the_research_files(tmp_path: Path) -> None:
    package_zhejiang26(SHARED, tmp_path)
    for f in sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()):
        assert (tmp_path / f).read_bytes() == (DATA / f).read_bytes(), f


def test_cli_prints_writes_and_rejects(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(new_scenario, ["--county", "云和"])
    assert res.exit_code == 0 and 'network = "generic"' in res.output
    out = tmp_path / "yunhe.toml"
    res = runner.invoke(new_scenario, ["--county", "331125", "--out", str(out)])
    assert res.exit_code == 0
    assert load_scenario(out).model.county.code == "331125"
    res = runner.invoke(new_scenario, ["--county", "Atlantis"])
    assert res.exit_code == 2
    assert len(res.output.strip().splitlines()) == 1 and "Atlantis" in res.output
    res = runner.invoke(new_scenario, ["--county", "331125", "--hub", "1"])
    assert res.exit_code == 2 and "--hub" in res.output
    res = runner.invoke(new_scenario, ["--list"])
    assert res.exit_code == 0 and len(res.output.splitlines()) == 26


@pytest.mark.parametrize("code", ["331125", "331102"])  # the smallest; 莲都's hub fallback
def test_small_counties_run_end_to_end(code: str) -> None:
    from gongpei.day.pipeline import run_day

    day = run_day(load(code).with_overrides(FAST))
    s = day.summary()
    assert s["parcels"]["total"] > 0
    assert s["routing"]["checker_violations"] == 0
    assert s["routing"]["routes"] > 0
