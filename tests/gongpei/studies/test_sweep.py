"""Layout studies: seeds, grids, intervals, sweeps (serial and on Dask), the plot, the CLI."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from gongpei.scenario.loading import load_scenario
from gongpei.scenario.messages import ScenarioError
from gongpei.studies.metrics import SORT_METRICS
from gongpei.studies.statistics import aggregate, mean_ci, t_quantile
from gongpei.studies.sweep import (
    grid_points,
    parse_grid,
    replicate,
    replication_seeds,
    sweep,
    write_rows,
)
from gongpei.studies.sweep_plot import plot_sweep

DATA = Path(__file__).parents[2] / "data"
SMALL = {"demand.village_parcels": 2000, "demand.urban_parcels": 1000}


@pytest.fixture(scope="session")
def small():
    """tests/data/good.toml cut to ≈3,000 parcels: a sorting day in a fraction of a second."""
    return load_scenario(DATA / "good.toml").with_overrides(SMALL)


@pytest.fixture(scope="session")
def capacity_rows(small):
    """2 chute capacities × 2 replications, run serially (shared by several tests)."""
    return sweep(small, {"sorter.chute_capacity": [30, 60]}, replications=2)


# ---- seeds -----------------------------------------------------------------------------------
def test_replication_seeds_are_spawned_from_the_root():
    seeds = replication_seeds(2023, 4)
    children = np.random.SeedSequence(2023).spawn(4)
    assert seeds == [int(c.generate_state(1)[0]) for c in children]
    assert len(set(seeds)) == 4
    assert replication_seeds(2023, 4) == seeds
    assert replication_seeds(2024, 4) != seeds
    # the first seeds do not change when more replications are asked for
    assert replication_seeds(2023, 6)[:4] == seeds


def test_replication_seeds_need_one_replication():
    with pytest.raises(ValueError, match="replications"):
        replication_seeds(1, 0)


# ---- statistics ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.7062), (2, 4.3027), (4, 2.7764), (9, 2.2622), (30, 2.0423), (120, 1.9799)],
)
def test_t_quantile_matches_the_printed_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)
    assert t_quantile(0.025, df) == pytest.approx(-expected, abs=1e-4)


def test_t_quantile_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df in (1, 2, 3, 5, 8, 13, 21, 50, 200):
        for p in (0.6, 0.9, 0.95, 0.975, 0.995):
            assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-8)


def test_mean_ci_by_hand():
    # mean 2, sd 1, n 3: half width t(0.975, 2) / sqrt(3) = 4.3027 / 1.7321 = 2.4841
    mean, lo, hi = mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert (lo, hi) == pytest.approx((2 - 2.48414, 2 + 2.48414), abs=1e-4)
    m1, lo1, hi1 = mean_ci([5.0])
    assert m1 == 5.0 and math.isnan(lo1) and math.isnan(hi1)
    assert mean_ci([4.0, 4.0, 4.0]) == (4.0, 4.0, 4.0)
    assert mean_ci([1.0, math.nan, 3.0])[0] == 2.0


def test_aggregate_groups_by_grid_values():
    rows = [
        {"scenario": "s", "x": x, "replication": r, "seed": r, "overflow": x + r}
        for x in (1, 2)
        for r in range(3)
    ]
    agg = aggregate(rows)
    assert [a["x"] for a in agg] == [1, 2]
    assert all(a["n"] == 3 and a["scenario"] == "s" for a in agg)
    assert agg[0]["overflow"] == 2.0 and agg[1]["overflow"] == 3.0
    lo, hi = agg[0]["overflow_ci"]
    assert lo < 2.0 < hi
    assert agg[0]["overflow_sd"] == pytest.approx(1.0)
    assert "seed" not in agg[0] and "replication" not in agg[0]


# ---- grids -----------------------------------------------------------------------------------
def test_parse_grid():
    grid = parse_grid(
        ["sorter.chute_capacity=[30, 45, 60]", 'sorter.assignment=["by_round","random"]']
    )
    assert grid == {
        "sorter.chute_capacity": [30, 45, 60],
        "sorter.assignment": ["by_round", "random"],
    }
    assert len(grid_points(grid)) == 6
    assert grid_points(grid)[1] == {"sorter.chute_capacity": 30, "sorter.assignment": "random"}
    assert grid_points({}) == [{}]


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("sorter.chute_capacity", "expected FIELD.PATH=[value, ...]"),
        ("=[1]", "expected FIELD.PATH"),
        ("sorter.assignment=[by_round]", "quote strings"),
        ("sorter.chute_capacity=[30,", "not a JSON list"),
        ("sorter.chute_capacity=30", "non-empty JSON list"),
        ("sorter.chute_capacity=[]", "non-empty JSON list"),
    ],
)
def test_parse_grid_rejects_with_one_line(spec, needle):
    with pytest.raises(ScenarioError) as info:
        parse_grid([spec])
    assert len(info.value.lines) == 1
    assert needle in info.value.lines[0]


def test_parse_grid_rejects_a_field_given_twice():
    with pytest.raises(ScenarioError, match="given twice"):
        parse_grid(["sorter.chute_capacity=[30]", "sorter.chute_capacity=[40]"])


def test_sweep_reports_every_bad_value_before_running(small):
    grid = {"sorter.chute_capacity": [30, -2], "sorter.assignment": ["by_round", "zigzag"]}
    with pytest.raises(ScenarioError) as info:
        sweep(small, grid, replications=1)
    lines = info.value.lines
    assert len(lines) == 2
    assert "sorter.chute_capacity = -2" in lines[0]
    assert 'sorter.assignment = "zigzag"' in lines[1]


# ---- sweeps ----------------------------------------------------------------------------------
def test_sweep_rows_are_tidy(small, capacity_rows):
    rows = capacity_rows
    assert [(r["sorter.chute_capacity"], r["replication"]) for r in rows] == [
        (30, 0),
        (30, 1),
        (60, 0),
        (60, 1),
    ]
    seeds = replication_seeds(small.seed, 2)
    # common random numbers: replication r has the same seed at every grid point
    assert [r["seed"] for r in rows] == seeds + seeds
    for r in rows:
        assert r["scenario"] == "test-good"
        assert set(SORT_METRICS) <= set(r)
        assert (
            r["parcels"]
            == r["bagged"] + r["no_read"] + r["exception"] + r["overflow"] + (r["in_system"])
        )
    # same seed → same trucks and parcels whatever the chute capacity
    assert rows[0]["parcels"] == rows[2]["parcels"]
    assert rows[0]["parcels"] != rows[1]["parcels"]
    # smaller chutes refuse more often
    assert rows[0]["recirculation_rate"] > rows[2]["recirculation_rate"]
    assert pickle.loads(pickle.dumps(rows)) == rows
    json.dumps(rows)  # plain values only


def test_sweep_is_deterministic(small, capacity_rows):
    again = sweep(small, {"sorter.chute_capacity": [30, 60]}, replications=2)
    assert again == capacity_rows


def test_replicate_and_labels(small):
    calls = []
    rows = replicate(small, 2, root_seed=11, progress=lambda d, t: calls.append((d, t)))
    assert [r["seed"] for r in rows] == replication_seeds(11, 2)
    assert calls == [(1, 2), (2, 2)]
    labelled = sweep(
        small,
        {"sorter.assignment": ["random"]},
        replications=1,
        labels={"sorter.assignment": "assignment"},
    )
    assert labelled[0]["assignment"] == "random"
    assert "sorter.assignment" not in labelled[0]


def test_replicate_a_whole_day(small):
    """``what="day"`` adds the rounds' numbers to the sorter's (good.toml has no baseline,
    so the saving is NaN and left out of the interval)."""
    from gongpei.studies.metrics import DAY_METRICS

    day = small.with_overrides({"routing.time_limit_s": 1})
    rows = replicate(day, 1, what="day")
    assert set(SORT_METRICS) | set(DAY_METRICS) <= set(rows[0])
    assert rows[0]["routes"] >= 1 and rows[0]["distance_km"] > 0
    assert math.isnan(rows[0]["saving_cost_pct"])
    sort_only = replicate(small, 1)
    assert rows[0]["parcels"] == sort_only[0]["parcels"]  # same seed, same sorting day


def test_scenarios_pickle_for_workers(small):
    point = small.with_overrides({"sorter.chute_capacity": 30}).with_seed(5)
    back = pickle.loads(pickle.dumps(point))
    assert back.model == point.model and back.seed == 5


@pytest.mark.slow
def test_dask_local_cluster_gives_the_serial_rows(small, capacity_rows):
    rows = sweep(small, {"sorter.chute_capacity": [30, 60]}, replications=2, workers=2)
    assert rows == capacity_rows


# ---- output ----------------------------------------------------------------------------------
def test_write_rows_csv_and_json(tmp_path, capacity_rows):
    agg = aggregate(capacity_rows)
    agg[0]["overflow_ci"] = [math.nan, math.nan]
    js = json.loads(write_rows(agg, tmp_path / "s.json").read_text())
    assert js[0]["overflow_ci"] == [None, None]
    assert js[1]["sorter.chute_capacity"] == 60
    lo, hi = js[1]["throughput_per_h_ci"]
    assert lo <= js[1]["throughput_per_h"] <= hi
    text = write_rows(agg, tmp_path / "s.csv").read_text().splitlines()
    header = text[0].split(",")
    assert "throughput_per_h_ci_lo" in header and "throughput_per_h_ci_hi" in header
    assert len(text) == 3
    with pytest.raises(ValueError, match=r"csv or \.json"):
        write_rows(agg, tmp_path / "s.txt")


def test_plot_sweep_draws_one_series_per_hue(capacity_rows):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    rows = [dict(r, layout=name) for r in capacity_rows for name in ("a", "b")]
    assert (
        plot_sweep(rows, x="sorter.chute_capacity", y="recirculation_rate", hue="layout", ax=ax)
        is None
    )
    assert len(ax.containers) == 2
    assert ax.get_legend() is not None
    fig2, ax2 = plt.subplots()
    plot_sweep(rows, x="layout", y="throughput_per_h", ax=ax2)
    assert [t.get_text() for t in ax2.get_xticklabels()] == ["a", "b"]
    plt.close(fig)
    plt.close(fig2)


# ---- CLI -------------------------------------------------------------------------------------
def test_cli_sweep_writes_rows_summary_and_plot(tmp_path):
    from click.testing import CliRunner

    from gongpei.cli.sweep import sweep as command

    out = tmp_path / "sw"
    result = CliRunner().invoke(
        command,
        [
            str(DATA / "good.toml"),
            "--grid",
            'sorter.assignment=["by_round","random"]',
            "--set",
            "demand.village_parcels=2000",
            "--set",
            "demand.urban_parcels=1000",
            "-r",
            "2",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "by_round" in result.output and "95% CI" in result.output
    runs = json.loads((out / "runs.json").read_text())
    assert len(runs) == 4
    summary = json.loads((out / "summary.json").read_text())
    assert [s["sorter.assignment"] for s in summary] == ["by_round", "random"]
    assert all(r["parcels"] < 3500 for r in runs)  # the --set overrides applied
    assert (out / "runs.csv").is_file() and (out / "summary.csv").is_file()
    assert (out / "sweep.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("grid", "needle"),
    [
        ("sorter.assignment=[by_round]", "quote strings"),
        ("sorter.chute_capacity=[30,-2]", "sorter.chute_capacity = -2: must be > 0"),
        ("sorter.chute_capacty=[30]", "sorter.chute_capacty = 30: unknown key"),
        ("--set=sorter.assignment=random", 'quote strings: "random"'),
        ("--set=sorter.chute_capacity=0", "sorter.chute_capacity = 0: must be > 0"),
    ],
)
def test_cli_sweep_bad_grid_is_one_line_and_exit_2(grid, needle):
    from click.testing import CliRunner

    from gongpei.cli.sweep import sweep as command

    args = [grid] if grid.startswith("--set=") else ["--grid", grid]
    result = CliRunner().invoke(command, [str(DATA / "good.toml"), *args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]


# ---- the layout benchmark's days -------------------------------------------------------------
def test_compare_layouts_festival_day_validates(load_benchmark):

    days = load_benchmark("compare_layouts").days()
    normal, festival = days["normal"], days["festival"]
    assert [e.kind for e in festival.model.events] == ["festival"]
    assert festival.model.events[0].volume_multiplier == 2.5
    big = festival.model.demand.village_max * 2.5
    assert all(v.capacity_parcels >= big for v in festival.model.fleet.vans)
    # without bigger vans the festival day now runs: its largest villages are split into
    # van-sized drops (routing.split); only a village bigger than the whole fleet is rejected
    # (tests/data/bad/delivery_larger_than_van.toml covers the rejection)
    normal.with_overrides({"events": [{"kind": "festival", "volume_multiplier": 2.5}]})
