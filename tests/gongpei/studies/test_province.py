"""Province runs: the same table serially and on a Dask LocalCluster; table, map and CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner

from gongpei.cli.county import province
from gongpei.county.template import new_scenario_text
from gongpei.scenario.loading import load_scenario_text
from gongpei.scenario.paths import builtin_path
from gongpei.studies.province import (
    CountyRow,
    ProvinceTable,
    plot_province,
    run_scenarios,
    write_province,
)

matplotlib.use("Agg")

TINY = {
    "routing.time_limit_s": 30,  # a safety cap only: deterministic runs stop on work
    "routing.deterministic": True,
    "routing.backend": "pyvrp",
    "routing.baselines": ["brands_alone"],
    "routing.baseline_time_limit_s": 30,
    "output.plots": False,
    "output.html": False,
}


def tiny(code: str, towns: int, tmp: Path):
    """County ``code`` cut to the village-level units of its first ``towns`` townships (and
    the hub's): a real county scenario small enough for a test."""
    text = new_scenario_text(code)
    src = (builtin_path("zhejiang26") / code / "villages.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(src)))
    keep_towns = sorted({r["town_code"] for r in rows})[:towns]
    hub = text.split('hub_village = "')[1][:12]
    keep = [r for r in rows if r["town_code"] in keep_towns or r["code"] == hub]
    out = tmp / f"villages_{code}.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(keep)
    text = text.replace(f'"gongpei:zhejiang26/{code}/villages.csv"', f'"{out.name}"')
    return load_scenario_text(text, f"<tiny {code}>", tmp).with_overrides(TINY)


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("tiny")
    return [tiny("331125", 1, tmp), tiny("330822", 1, tmp)]  # 云和, 常山


@pytest.fixture(scope="module")
def serial(scenarios) -> ProvinceTable:
    return run_scenarios(scenarios, workers=1)


def test_serial_and_dask_give_the_same_table(scenarios, serial: ProvinceTable) -> None:
    parallel = run_scenarios(scenarios, workers=2)
    assert parallel.mode == "local:2" and serial.mode == "serial"
    assert parallel.comparable() == serial.comparable()
    assert [r.code for r in serial.rows] == ["331125", "330822"]  # in the order given
    for r in serial.rows:
        assert not r.error, r.error
        assert r.parcels > 0 and r.rounds > 0 and r.vans > 0 and r.km > 0
        assert r.saving_pct is not None and 0 < r.saving_pct < 100  # brands_alone ran


def test_table_text_and_csv(serial: ProvinceTable, tmp_path: Path) -> None:
    text = serial.text()
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["code", "county", "parcels"]
    assert lines[-2].startswith("total") and "2 counties" in lines[-2]
    t = serial.totals()
    assert t["parcels"] == sum(r.parcels for r in serial.rows)
    files = write_province(serial, tmp_path, metric="km")
    got = list(csv.DictReader(io.StringIO(files[0].read_text("utf-8"))))
    assert [g["code"] for g in got] == ["331125", "330822"]
    assert int(got[0]["parcels"]) == serial.rows[0].parcels
    assert files[2].stat().st_size > 10_000  # a real PNG map


def test_a_cut_off_hub_or_a_failing_county_is_a_row_not_a_crash(
    scenarios, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gongpei.county.build import build_county

    county = build_county(scenarios[0])
    closed = [[county.hub, n] for n in county.graph.neighbors(county.hub)]
    cut = run_scenarios([scenarios[0].with_overrides({"roads.closed": closed})], workers=1)
    row = cut.rows[0]
    assert not row.error and row.unserved == row.villages - 1  # all but the hub's own stop

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("solver exploded\nsecond line")

    monkeypatch.setattr("gongpei.day.pipeline.run_day", boom)
    table = run_scenarios(scenarios, workers=1)
    assert [r.error for r in table.rows] == ["RuntimeError: solver exploded"] * 2
    assert table.totals()["failed"] == 2
    assert "FAILED: RuntimeError: solver exploded" in table.text()


def test_plot_province_draws_outlines_and_rejects_unknown_metrics() -> None:
    import matplotlib.pyplot as plt

    rows = tuple(
        CountyRow(c, n, s, 100, 10, 2, 2, km, 10.0, 0, 50.0, 40.0, 1.0)
        for c, n, s, km in [
            ("331125", "云和县", "yunhe", 10.0),
            ("331123", "遂昌县", "suichang", 20.0),
        ]
    )
    table = ProvinceTable(rows, "serial", 2.0)
    fig, ax = plt.subplots()
    try:
        assert plot_province(table, "km", ax=ax) is None
        assert len(ax.patches) >= 2
        with pytest.raises(ValueError, match="metric"):
            plot_province(table, "nonsense", ax=ax)
    finally:
        plt.close(fig)


def test_cli_rejects_bad_input_in_one_line() -> None:
    runner = CliRunner()
    res = runner.invoke(province, ["--counties", "Atlantis", "--workers", "1"])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    res = runner.invoke(province, ["--metric", "nonsense"])
    assert res.exit_code == 2 and "--metric" in res.output


def test_cli_runs_the_province_and_writes_table_and_map(
    serial: ProvinceTable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def fake_run_province(codes, **kwargs):  # the wiring, not the days (tested above)
        seen.update(codes=codes, **kwargs)
        return serial

    monkeypatch.setattr("gongpei.studies.province.run_province", fake_run_province)
    res = CliRunner().invoke(
        province,
        ["--counties", "云和,changshan", "--workers", "1", "--time-limit", "2",
         "--deterministic", "--out", str(tmp_path), "--metric", "km", "--quiet"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert seen["codes"] == ["331125", "330822"] and seen["workers"] == 1
    assert seen["overrides"]["routing.time_limit_s"] == 2  # type: ignore[index]
    assert seen["overrides"]["routing.deterministic"] is True  # type: ignore[index]
    assert (tmp_path / "province.csv").is_file() and (tmp_path / "province_km.png").is_file()
    assert "total" in res.output


def test_a_running_scheduler_by_address(scenarios, serial: ProvinceTable) -> None:
    from dask.distributed import LocalCluster

    one = scenarios[0].with_overrides({"routing.baselines": []})
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        table = run_scenarios([one], scheduler=cluster.scheduler_address)
    assert table.mode == cluster.scheduler_address
    expected = run_scenarios([one], workers=1)
    assert table.comparable() == expected.comparable()
