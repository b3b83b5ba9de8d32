"""`gongpei run` end to end on the default scenario, as a planner runs it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from gongpei.day.pipeline import day_problem
from gongpei.scenario.loading import load_scenario
from routing.check import check
from routing.plan_io import plan_from_dict

SCENARIO = Path(__file__).parents[2] / "data" / "e2e.toml"
FILES = (
    "summary.json",
    "parcels.csv",
    "chutes.csv",
    "villages.csv",
    "routes.csv",
    "routes.geojson",
    "plan.json",
    "report.html",
    "throughput.png",
    "chute_fill.png",
    "rounds_map.png",
)


def _run(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gongpei.cli", "run", str(SCENARIO), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("e2e")
    a, b = base / "a", base / "b"
    for out in (a, b):
        done = _run(out)
        assert done.returncode == 0, done.stderr
        assert "co-delivery saves" in done.stdout
    return a, b


def test_every_file_is_written(runs: tuple[Path, Path]) -> None:
    a, _ = runs
    for name in FILES:
        assert (a / name).is_file(), name
        assert (a / name).stat().st_size > 0, name


def test_parcels_are_conserved(runs: tuple[Path, Path]) -> None:
    a, _ = runs
    s = json.loads((a / "summary.json").read_text("utf-8"))
    p = s["parcels"]
    assert p["total"] == sum(
        p[k] for k in ("bagged", "no_read", "exception", "overflow", "in_system")
    )
    with (a / "parcels.csv").open(encoding="utf-8") as f:
        outcomes = Counter(row["outcome"] for row in csv.DictReader(f))
    assert sum(outcomes.values()) == p["total"]
    assert outcomes["bagged"] == p["bagged"]
    assert 16_000 <= p["total"] <= 33_000  # the published-estimate band for the county


def test_every_served_village_is_in_exactly_one_round(runs: tuple[Path, Path]) -> None:
    a, _ = runs
    s = json.loads((a / "summary.json").read_text("utf-8"))
    plan = plan_from_dict(json.loads((a / "plan.json").read_text("utf-8")))
    visits = Counter(v for r in plan.routes for v in r.villages)
    assert all(n == 1 for n in visits.values())
    unserved = {u["village"] for u in s["routing"]["villages_unserved"]}
    assert not unserved & set(visits)
    assert len(visits) == s["routing"]["villages_served"]
    with (a / "villages.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 214
    reached = {r["code"] for r in rows if r["status"] in ("served", "partly_served")}
    assert reached == set(visits)
    # served means delivered: every parcel that arrived for the village was on its round
    for r in rows:
        if r["status"] == "served":
            assert r["not_bagged"] == "0" and int(r["delivered"]) == int(r["sorted_parcels"])
        if r["status"] == "partly_served":
            assert int(r["not_bagged"]) > 0 and r["light"] == "yellow"
            assert "not bagged" in r["reason"]
        if r["light"] in ("yellow", "red"):
            assert r["reason"], r
    assert s["villages"]["served"] == sum(r["status"] == "served" for r in rows)
    assert s["villages"]["parcels"]["delivered"] == sum(int(r["delivered"]) for r in rows)


def test_the_plan_passes_the_independent_checker(runs: tuple[Path, Path]) -> None:
    a, _ = runs
    plan = plan_from_dict(json.loads((a / "plan.json").read_text("utf-8")))
    problem = day_problem(load_scenario(SCENARIO)).problem
    assert check(plan, problem) == []
    s = json.loads((a / "summary.json").read_text("utf-8"))
    assert s["routing"]["checker_violations"] == 0
    assert s["codelivery_saving"]["distance_pct"] > 0


def test_same_seed_and_deterministic_budget_give_identical_summaries(
    runs: tuple[Path, Path],
) -> None:
    a, b = runs
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
    # plan.json also records the solver's wall time (a measurement): compare the plans.
    plans = [plan_from_dict(json.loads((d / "plan.json").read_text("utf-8"))) for d in (a, b)]
    assert plans[0].routes == plans[1].routes
    assert plans[0].unserved == plans[1].unserved
    assert plans[0].cost == plans[1].cost
