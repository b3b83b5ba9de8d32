"""Issue 17 in scenarios: ``sorter.zones`` / ``sorter.scanners``, shared chutes with their
secondary sort, split chutes (``sorter.split_chutes_above``, several chutes in ``chute_map``)
reach the loop, and split chutes stop the urban units driving recirculation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sorter
from gongpei.day.pipeline import sort_day
from gongpei.day.ready import same_day_ready
from gongpei.scenario.loading import load_scenario
from gongpei.scenario.messages import ScenarioError

ROOT = Path(__file__).resolve().parents[3]
SUICHANG = ROOT / "scenarios" / "suichang.toml"
GOOD = Path(__file__).parents[2] / "data" / "good.toml"


def _urban_share(sd) -> tuple[int, int]:
    """(recirculations, of which by parcels for the non-rural units) of a sorted day."""
    kinds = {v.code: v.kind for v in sd.county.villages}
    rural = np.array([kinds[v] == "村" for v in sd.sort.village_ids])[sd.sort.village]
    rc = sd.sort.recirculations
    return int(rc.sum()), int(rc[~rural].sum())


@pytest.fixture(scope="module")
def default_day():
    return sort_day(load_scenario(SUICHANG))


def test_split_chutes_stop_the_urban_units_driving_recirculation(check_conservation, default_day):
    total, urban = _urban_share(default_day)
    assert total > 500 and urban / total > 0.9  # the 97 %
    sc = load_scenario(SUICHANG).with_overrides({"sorter.split_chutes_above": 400.0})
    split = sort_day(sc)
    check_conservation(split.sort)
    line = split.line
    assert len(line.village_chutes) > len(default_day.line.village_chutes)
    assert line.chute_groups and all(len(g) >= 2 for g in line.chute_groups)
    total2, urban2 = _urban_share(split)
    assert total2 < total / 10 and urban2 < urban / 10
    assert split.sort.outcome_counts()["bagged"] == default_day.sort.outcome_counts()["bagged"]


def test_shared_chutes_go_through_the_secondary_sort(check_conservation, default_day):
    sc = load_scenario(SUICHANG).with_overrides(
        {"sorter.chutes": 150, "sorter.secondary_sort_staff": 3}
    )
    day = sort_day(sc)
    res = day.sort
    check_conservation(res)
    assert len(day.line.village_chutes) == 150 and day.line.secondary_sort_staff == 3
    sec = res.queues["secondary"]
    assert sec["parcel"].size > 0 and res.queue_busy("secondary").max() <= 3
    shared = np.bincount([res.chute_ids.index(c) for c in res.assignment.values()]) > 1
    assert np.all(shared[res.chute[sec["parcel"]]])
    # the rounds' release times wait for the secondary sort
    waves = [(w.name, float(w.cutoff)) for w in sc.model.brands.waves]
    ready, _ = same_day_ready(res, waves, 1e9)
    by_bag, _ = same_day_ready(
        sorter.SortResult(**{**res.__dict__, "ready_s": np.zeros(0), "_cache": {}}), waves, 1e9
    )
    later = [v for v in ready if ready[v] > by_bag[v]]
    assert later and all(ready[v] >= by_bag[v] for v in ready)


def test_chute_map_lists_several_chutes_for_a_village(check_conservation):
    sc = load_scenario(GOOD).with_overrides(
        {"sorter.chute_map": [{"village": "331123001217", "chute": [5, 9]}]}
    )
    day = sort_day(sc)
    assert day.line.chute_groups == (("C006", "C010"),)
    assert day.sort.village_chutes["331123001217"] == ("C006", "C010")
    check_conservation(day.sort)


def test_zone_scanners_reach_the_line(check_conservation):
    sc = load_scenario(GOOD).with_overrides(
        {
            "sorter.zones": 2,
            "sorter.scanners": "per_zone",
            "sorter.induction.stations": 4,
            "sorter.induction.operators": 5,
        }
    )
    day = sort_day(sc)
    line = day.line
    assert line.scanners == "per_zone" and len(line.zones) == 2
    # the 600-carrier loop's long return leaves zone 2's carriers less to reuse than 4/3
    single = sorter.capacity_per_h(line.replace(scanners="single"))
    assert single == pytest.approx(line.carriers_per_h)
    assert sorter.capacity_per_h(line) > 1.05 * single
    check_conservation(day.sort)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"sorter.zones": 5}, r"sorter\.zones = 5: more zones than the 3 stations"),
        (
            {"sorter.zones": 2, "sorter.induction.positions_m": [0.0, 1.0, 2.0]},
            r"stations are placed by zone",
        ),
        (
            {"sorter.chute_map": [{"village": "331123001217", "chute": [5, 5]}]},
            r"sorter\.chute_map\[0\]\.chute = \[5, 5\]: list two or more distinct chutes",
        ),
        ({"sorter.split_chutes_above": -1.0}, r"sorter\.split_chutes_above = -1.0: must be >= 0"),
    ],
)
def test_bad_zone_and_chute_settings(overrides, match):
    with pytest.raises(ScenarioError, match=match):
        load_scenario(GOOD).with_overrides(overrides)
