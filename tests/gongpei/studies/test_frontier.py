"""``gongpei frontier``: fleet sizes and promised times against cost and service."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from gongpei.cli.commands import main
from gongpei.studies.frontier import FrontierError, parse_vans, scaled_counts

GOOD = Path(__file__).parents[2] / "data" / "good.toml"


def test_parse_vans_and_scaling() -> None:
    assert parse_vans("5..8") == [5, 6, 7, 8] and parse_vans("5,12") == [5, 12]
    with pytest.raises(FrontierError, match="--vans 'x'"):
        parse_vans("x")
    assert scaled_counts([17, 12], 29) == [17, 12]
    assert scaled_counts([17, 12], 5) == [3, 2]
    assert sum(scaled_counts([17, 12], 40)) == 40
    assert scaled_counts([30], 7) == [7]


def test_frontier_writes_csv_and_plot_and_marks_the_own_point(tmp_path: Path) -> None:
    out = tmp_path / "f"
    res = CliRunner().invoke(
        main, ["frontier", str(GOOD), "--vans", "5,30", "--time-limit", "1", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader((out / "frontier.csv").open(encoding="utf-8")))
    assert [r["vans"] for r in rows] == ["5", "30"]
    assert [r["own"] for r in rows] == ["False", "True"]  # good.toml has 30 vans
    assert int(rows[0]["unserved"]) > int(rows[1]["unserved"]) == 0
    assert int(rows[0]["on_time_villages"]) < int(rows[1]["on_time_villages"])
    assert (out / "frontier.png").read_bytes()[:4] == b"\x89PNG"
    assert "← this scenario" in res.output


def test_frontier_needs_vans_or_promise() -> None:
    res = CliRunner().invoke(main, ["frontier", str(GOOD)])
    assert res.exit_code == 2 and "--vans" in res.output
