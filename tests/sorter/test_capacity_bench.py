"""``benchmarks/sorter_capacity.py`` on a tiny sweep: the rows the issue asks for, and curves
that follow the offered load below capacity and flatten at it above."""

from __future__ import annotations

import json

import pytest


def test_quick_sweep_writes_rows_and_a_plot(load_benchmark, tmp_path, capsys):
    bench = load_benchmark("sorter_capacity")
    out, png = tmp_path / "rows.json", tmp_path / "curves.png"
    rows = bench.main(["--quick", "--json", str(out), "--plot", str(png)])
    assert json.loads(out.read_text()) == rows
    assert png.stat().st_size > 10_000
    keys = {"kind", "stations", "staff", "offered_per_h", "throughput_per_h", "capacity_per_h"}
    assert {r["kind"] for r in rows} == {"loop", "linear", "manual"}
    for kind in ("loop", "linear", "manual"):
        low, high = (r for r in rows if r["kind"] == kind)
        assert keys <= set(low)
        # half the capacity offered: all of it comes out; 1.5x: flat near the capacity
        assert low["throughput_per_h"] == pytest.approx(low["offered_per_h"], rel=0.05)
        assert high["throughput_per_h"] == pytest.approx(high["capacity_per_h"], rel=0.05)
        assert high["knee"] and not low["knee"]
    text = capsys.readouterr().out
    assert "throughput/h" in text and "knee" in text
