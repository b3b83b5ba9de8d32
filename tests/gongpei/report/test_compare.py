"""Side-by-side comparison of finished runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gongpei.report.compare import compare_summaries, load_summary


def _summary(km: float, cost: float, *, township: bool = False) -> dict[str, Any]:
    s: dict[str, Any] = {
        "scenario": "x",
        "parcels": {"total": 31000, "bagged": 30950},
        "sorter": {
            "throughput_per_h": 9876.5,
            "last_chute_ready_s": 8 * 3600 + 35 * 60 + 20,
            "recirculation_rate": 0.0125,
        },
        "routing": {
            "routes": 24,
            "vans_used": 22,
            "distance_km": km,
            "cost": cost,
            "co2_kg": 510.0,
            "villages_served": 199,
            "villages_unserved": [{"village": "331123104231", "reason": "fleet_size"}],
        },
        "codelivery_saving": {"distance_pct": 41.25, "cost_pct": 37.5},
    }
    if township:
        saving = {"distance_pct": 12.0, "cost_pct": 9.0}
        s["other_baselines"] = {"township_drop": {"saving": saving}}
    return s


def _row(table: str, label: str) -> list[str]:
    for line in table.splitlines():
        if line.startswith(label + "  "):
            return line[len(label) :].split()
    raise AssertionError(f"no row {label!r} in\n{table}")


def test_table_puts_runs_side_by_side() -> None:
    table = compare_summaries(
        [_summary(1234.5, 8000.0), _summary(999.94, 7000.0, township=True)],
        ["baseline", "遂昌-4站"],
    )
    lines = table.splitlines()
    assert lines[0].split() == ["baseline", "遂昌-4站"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert _row(table, "km") == ["1,234.5", "999.9"]
    assert _row(table, "cost ¥") == ["8,000", "7,000"]
    assert _row(table, "last chute ready") == ["08:35", "08:35"]
    assert _row(table, "recirculation") == ["1.25", "%", "1.25", "%"]
    assert _row(table, "unserved") == ["1", "1"]
    assert _row(table, "saving km vs brands") == ["41.2", "%", "41.2", "%"]
    # a metric only one run has: shown for it, a dash for the other
    assert _row(table, "saving km vs township drop") == ["—", "12.0", "%"]


def test_columns_are_right_aligned_even_with_chinese_names() -> None:
    table = compare_summaries([_summary(1.0, 2.0), _summary(10000.0, 2.0)], ["甲", "b"])
    import unicodedata

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    widths = {width(line) for line in table.splitlines()}
    assert len(widths) == 1, table  # every row ends at the same column


def test_optional_rows_left_out_when_no_run_has_them() -> None:
    table = compare_summaries([_summary(1.0, 2.0)], ["a"])
    assert "township drop" not in table
    s = _summary(1.0, 2.0)
    del s["codelivery_saving"]
    table = compare_summaries([s], ["a"])
    assert _row(table, "saving km vs brands") == ["—"]


def test_names_must_match_summaries() -> None:
    with pytest.raises(ValueError, match="2 summaries but 1 names"):
        compare_summaries([_summary(1, 1), _summary(1, 1)], ["a"])


def test_load_summary_from_folder_or_file(tmp_path: Path) -> None:
    s = _summary(5.0, 6.0)
    (tmp_path / "summary.json").write_text(json.dumps(s, ensure_ascii=False), encoding="utf-8")
    assert load_summary(tmp_path) == s
    assert load_summary(tmp_path / "summary.json") == s
    assert load_summary(str(tmp_path)) == s


def test_load_summary_errors_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no summary\.json"):
        load_summary(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_summary(tmp_path / "nope")
    bad = tmp_path / "summary.json"
    bad.write_text("{half", encoding="utf-8")
    with pytest.raises(ValueError, match="not a JSON summary"):
        load_summary(tmp_path)
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="top level is list"):
        load_summary(bad)


def test_unequal_service_is_not_shown_as_a_saving() -> None:
    fair, unequal = _summary(1000.0, 8000.0), _summary(1000.0, 8000.0)
    unequal["codelivery_saving"] = {"distance_pct": 92.1, "cost_pct": 80.0, "equal_service": False}
    unequal["villages"] = {"served": 19}
    table = compare_summaries([fair, unequal], ["fair", "one-van"])
    assert _row(table, "saving km vs brands") == ["41.2", "%", "unequal", "service"]
    assert _row(table, "villages served") == ["199", "19"]  # delivered, else the plan's visits


def test_service_beside_km_and_cost_tea_harvest_against_a_normal_day() -> None:
    """A tea-harvest day collects more and turns villages red: compare shows both."""
    normal, harvest = _summary(1000.0, 8000.0), _summary(1100.0, 8600.0)
    normal["service"] = {
        "on_time_villages": 199, "red": 0, "yellow": 1, "late_parcel_h": 0.0,
        "pickups_collected": 640,
    }  # fmt: skip
    harvest["service"] = {
        "on_time_villages": 193, "red": 6, "yellow": 1, "late_parcel_h": 41.25,
        "pickups_collected": 2315,
    }  # fmt: skip
    table = compare_summaries([normal, harvest], ["normal", "tea"])
    assert _row(table, "pickups collected") == ["640", "2,315"]
    assert _row(table, "red villages") == ["0", "6"]
    assert _row(table, "on-time villages") == ["199", "193"]
    assert _row(table, "late parcel-hours") == ["0.0", "41.2"]
    assert "red villages" not in compare_summaries([_summary(1.0, 2.0)], ["old"])
