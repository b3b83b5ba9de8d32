"""Sorter faults as scenario events: the day still accounts for every parcel."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongpei.day.pipeline import sort_day
from gongpei.scenario.loading import load_scenario

GOOD = Path(__file__).parents[2] / "data" / "good.toml"
FAULTS = [
    {"kind": "line_stoppage", "mtbf_h": 1.0, "mttr_min": 10.0},
    {"kind": "station_unstaffed", "station": 0, "start": "05:00", "end": "07:00"},
    {"kind": "chute_jam", "village": "331123001218", "start": "05:30", "end": "08:00"},
    {"kind": "scanner_outage", "start": "06:00", "end": "06:20"},
]


@pytest.fixture(scope="module")
def normal() -> dict:
    return sort_day(load_scenario(GOOD)).sort.summary()


@pytest.mark.parametrize("event", FAULTS, ids=lambda e: e["kind"])
def test_fault_event_conserves_parcels(event: dict, normal: dict) -> None:
    sc = load_scenario(GOOD).with_overrides({"events": [event]})
    s = sort_day(sc).sort.summary()
    p = s["parcels"]
    states = ("bagged", "no_read", "exception", "overflow", "in_system")
    assert p["total"] == sum(p[k] for k in states) == normal["parcels"]["total"]


def test_all_faults_together_slow_the_line(normal: dict) -> None:
    sc = load_scenario(GOOD).with_overrides({"events": FAULTS})
    sort = sort_day(sc).sort
    s = sort.summary()
    p = s["parcels"]
    assert p["total"] == sum(
        p[k] for k in ("bagged", "no_read", "exception", "overflow", "in_system")
    )
    # a stopped loop, an unstaffed station and a blind scanner cost the morning wave time
    # (chutes are bagged when their wave is complete, so the faults show in its last one)
    first = sc.model.brands.waves[0].name
    calm = sort_day(load_scenario(GOOD)).sort
    assert max(sort.village_ready_by_wave[first].values()) > max(
        calm.village_ready_by_wave[first].values()
    )
    assert s["recirculation_rate"] != normal["recirculation_rate"]
