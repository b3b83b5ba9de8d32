"""The plan's own point on the cost–service frontier: in ``gongpei frontier``'s plot (always
present, even when the fleet sizes asked for leave it out) and in a run's report
(``gongpei run --frontier frontier.csv``). The marked point's data is tested, not pixels."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gongpei.cli.commands import main
from gongpei.errors import FrontierError
from gongpei.studies.frontier import (
    FRONTIER_COLUMNS,
    PLAN_LABEL,
    plan_point,
    plot_frontier,
    read_frontier_csv,
)

GOOD = Path(__file__).parents[2] / "data" / "good.toml"


def _rows() -> list[dict[str, Any]]:
    base = {"promised_by": "14:00", "promise": "soft", "late_cost": 0.0, "km": 100.0}
    return [
        {**base, "vans": 5, "cost": 1000.0, "late_parcel_h": 80.0, "on_time_villages": 40,
         "on_time_parcels": 900, "unserved": 30, "unserved_parcels": 700, "own": False},
        {**base, "vans": 8, "cost": 1500.0, "late_parcel_h": 20.0, "on_time_villages": 90,
         "on_time_parcels": 2000, "unserved": 0, "unserved_parcels": 0, "own": True},
        {**base, "vans": 12, "cost": 2100.0, "late_parcel_h": 0.0, "on_time_villages": 120,
         "on_time_parcels": 2400, "unserved": 0, "unserved_parcels": 0, "own": False},
    ]  # fmt: skip


def _marked(ax: Any) -> list[Any]:
    return [ln for ln in ax.get_lines() if ln.get_label() == PLAN_LABEL]


def _axes() -> Any:
    from matplotlib.figure import Figure

    return Figure().add_subplot()


def test_plot_marks_the_own_row_when_no_plan_is_given() -> None:
    ax = _axes()
    plot_frontier(_rows(), ax)
    (star,) = _marked(ax)
    assert list(star.get_xdata()) == [1500.0] and list(star.get_ydata()) == [20.0]
    texts = [t.get_text() for t in ax.texts]
    assert f"{PLAN_LABEL}: 8 vans, ¥1,500, 90 villages on time" in texts


def test_plot_marks_a_given_plan_and_rings_the_frontier_own_row() -> None:
    ax = _axes()
    plan = {"vans": 8, "cost": 1432.5, "late_parcel_h": 11.0, "on_time_villages": 97}
    plot_frontier(_rows(), ax, plan=plan)
    (star,) = _marked(ax)
    assert list(star.get_xdata()) == [1432.5] and list(star.get_ydata()) == [11.0]
    assert f"{PLAN_LABEL}: 8 vans, ¥1,432, 97 villages on time" in [t.get_text() for t in ax.texts]
    ring = [ln for ln in ax.get_lines() if ln.get_label().startswith("the scenario's fleet")]
    assert len(ring) == 1 and list(ring[0].get_xdata()) == [1500.0]


def test_plot_without_an_own_point_marks_nothing() -> None:
    ax = _axes()
    plot_frontier([{**r, "own": False} for r in _rows()], ax)
    assert _marked(ax) == []


def test_read_frontier_csv_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "frontier.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(FRONTIER_COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(_rows())
    assert read_frontier_csv(path) == _rows()
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text(encoding="utf-8").replace("1500.0", "lots"), encoding="utf-8")
    with pytest.raises(FrontierError, match=r"row 3: cost = 'lots'"):
        read_frontier_csv(bad)
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FrontierError, match="no column vans"):
        read_frontier_csv(tmp_path / "other.csv")


def test_frontier_adds_the_scenario_own_fleet_when_left_out(tmp_path: Path) -> None:
    """good.toml has 30 vans: asked for 5 only, the frontier still holds the own point."""
    out = tmp_path / "f"
    res = CliRunner().invoke(
        main, ["frontier", str(GOOD), "--vans", "5", "--time-limit", "1", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    rows = read_frontier_csv(out / "frontier.csv")
    assert [(r["vans"], r["own"]) for r in rows] == [(5, False), (30, True)]
    assert "← this scenario" in res.output


def test_run_report_marks_the_plan_on_a_given_frontier(tmp_path: Path) -> None:
    """The run's own plan (not the frontier's re-solve) is the starred point of the report's
    frontier figure, and the figure is in report.html."""
    from matplotlib.figure import Figure

    from gongpei.day.pipeline import run_day
    from gongpei.report import files as report
    from gongpei.report.figures import frontier_plan_point
    from gongpei.scenario.loading import load_scenario

    sc = load_scenario(GOOD).with_overrides(
        {"routing.time_limit_s": 1.0, "routing.deterministic": False}
    )
    day = run_day(sc)
    point = frontier_plan_point(day)
    assert point == plan_point(day.problem, day.plan, int(sc.model.routing.promised_by))
    assert point["vans"] == day.problem.num_vehicles == 30
    assert point["vans_used"] == len(day.plan.routes)
    assert point["cost"] == round(day.plan.cost, 2)
    served = sum(len(r.stops) for r in day.plan.routes)
    assert 0 < point["on_time_villages"] <= served

    ax = Figure().add_subplot()
    plot_frontier(_rows(), ax, plan=point)
    (star,) = _marked(ax)
    assert list(star.get_xdata()) == [point["cost"]]
    assert list(star.get_ydata()) == [point["late_parcel_h"]]

    files = report.write_outputs(day, tmp_path / "with", frontier=_rows())
    assert files["frontier.png"].read_bytes()[:4] == b"\x89PNG"
    assert "the star is this plan" in files["report.html"].read_text(encoding="utf-8")
    # Without a frontier the figure is not drawn, and a stale one is removed.
    again = report.write_outputs(day, tmp_path / "with")
    assert "frontier.png" not in again and not (tmp_path / "with" / "frontier.png").exists()


def test_run_rejects_a_bad_frontier_file_before_running(tmp_path: Path) -> None:
    bad = tmp_path / "f.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["run", str(GOOD), "--frontier", str(bad), "--quiet"])
    assert res.exit_code == 2 and "no column vans" in res.output
