"""Every ``[routing]`` field reaches the solver, in every command that solves.

``routing.solve.solve`` is wrapped to record the keyword arguments of each call (the real
solver still runs, on a tiny work-bounded budget); each command must pass the scenario's
settings whole: backend (after the one ``auto`` rule), budget, seed, determinism and both
work bounds.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from gongpei.day.pipeline import run_day
from gongpei.day.solving import solver_settings
from gongpei.scenario.loading import load_scenario
from gongpei.studies.province import run_scenarios
from gongpei.studies.replan import replan_day
from gongpei.studies.sweep import sweep
from routing.disruption import VanBreakdown

GOOD = Path(__file__).parents[2] / "data" / "good.toml"
#: Unusual values, so a default that slips in instead is seen.
ODD = {
    "scenario.seed": 4242,
    "routing.backend": "ortools",
    "routing.time_limit_s": 7.5,
    "routing.baseline_time_limit_s": 3.25,
    "routing.deterministic": True,
    "routing.solution_limit": 17,
    "routing.max_iterations": 33,
    "routing.processes": 1,
    "routing.baselines": ["brands_alone"],
    "demand.village_parcels": 600,
    "sorter.bagging": "wave_end",  # one sort, no sort <-> rounds loop (tested on its own)
}
FIELDS = ("backend", "time_limit_s", "seed", "deterministic", "solution_limit", "max_iterations")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    module = importlib.import_module(
        "routing.solve"
    )  # the module (``routing.solve`` is the function)
    real = module.solve

    def recording(problem: Any, **kwargs: Any) -> Any:
        seen.append({k: kwargs.get(k) for k in FIELDS})
        return real(problem, **kwargs)

    monkeypatch.setattr(module, "solve", recording)
    return seen


def _expected(seed: int = 4242, time_limit_s: float = 7.5, backend: str = "ortools") -> dict:
    return {
        "backend": backend,
        "time_limit_s": time_limit_s,
        "seed": seed,
        "deterministic": True,
        "solution_limit": 17,
        "max_iterations": 33,
    }


def test_run_passes_every_field_to_rounds_and_baselines(calls: list[dict[str, Any]]) -> None:
    run_day(load_scenario(GOOD).with_overrides(ODD))
    assert calls[0] == _expected()  # the day's rounds
    assert len(calls) > 1  # one solve per brand
    assert all(c == _expected(time_limit_s=3.25) for c in calls[1:])


def test_departure_loop_solves_with_the_baseline_settings(calls: list[dict[str, Any]]) -> None:
    """With ``by_departure`` each pass of the sort <-> rounds loop plans its rounds with
    the loop settings (one core, a 2 s budget at most); then the day's rounds as usual, and
    a re-solve after loading (only if a re-timed round broke a limit) with the rounds'."""
    sc = load_scenario(GOOD).with_overrides(
        {**ODD, "routing.baselines": [], "sorter.bagging": "by_departure"}
    )
    day = run_day(sc)
    loop = len(day.passes)
    assert loop >= 1
    assert calls[:loop] == [_expected(time_limit_s=2.0)] * loop
    assert all(c == _expected() for c in calls[loop:])


def test_replan_passes_every_field(calls: list[dict[str, Any]]) -> None:
    sc = load_scenario(GOOD).with_overrides({**ODD, "routing.baselines": []})
    day = run_day(sc)
    calls.clear()
    first = day.plan.routes[0]
    replan_day(sc, day.plan, [VanBreakdown(first.vehicle, first.stops[0].arrival_s + 60)])
    assert calls and all(c == _expected() for c in calls)


def test_sweep_of_whole_days_passes_every_field(calls: list[dict[str, Any]]) -> None:
    sc = load_scenario(GOOD).with_overrides({**ODD, "routing.baselines": []})
    rows = sweep(sc, {}, replications=1, what="day", root_seed=5)
    assert len(calls) == 1
    assert calls[0] == _expected(seed=rows[0]["seed"])


def test_province_run_passes_every_field(calls: list[dict[str, Any]]) -> None:
    sc = load_scenario(GOOD).with_overrides({**ODD, "routing.baselines": []})
    run_scenarios([sc], workers=1)
    assert calls == [_expected()]


@pytest.mark.parametrize(
    ("backend", "processes", "rounds", "baseline"),
    [
        ("auto", 2, "auto", "pyvrp"),
        ("auto", 1, "pyvrp", "pyvrp"),
        ("ortools", 1, "ortools", "ortools"),
        ("pyvrp", 2, "pyvrp", "pyvrp"),
    ],
)
def test_auto_needs_two_processes(backend: str, processes: int, rounds: str, baseline: str) -> None:
    sc = load_scenario(GOOD).with_overrides(
        {
            "routing.backend": backend,
            "routing.processes": processes,
            "routing.baseline_time_limit_s": 1.5,  # a fixed, single-core baseline budget
        }
    )
    s = solver_settings(sc)
    assert (s.rounds.backend, s.baseline.backend, s.processes) == (rounds, baseline, processes)
    assert not s.share_budget
    assert s.budgets()["baseline_per_problem"] == {
        "backend": baseline,
        "time_limit_s": 1.5,
        "cores": 1,
    }


@pytest.mark.parametrize(("backend", "processes"), [("auto", 2), ("auto", 1), ("ortools", 2)])
def test_fair_baselines_get_the_plans_budget_and_cores(backend: str, processes: int) -> None:
    """Unset ``baseline_time_limit_s`` (the default): a baseline as a whole gets the plan's
    wall budget and cores; its problems share them, each on one core, ``processes`` at a
    time, and the budgets say so."""
    sc = load_scenario(GOOD).with_overrides(
        {"routing.backend": backend, "routing.processes": processes, "routing.time_limit_s": 4.0}
    )
    assert sc.model.routing.baseline_time_limit_s is None
    s = solver_settings(sc)
    assert s.share_budget
    nine = s.baseline_for(9)
    batches = -(-9 // processes)
    assert nine.time_limit_s == max(1.0, 4.0 / batches)
    assert nine.time_limit_s * batches <= 4.0 + 1e-9 or nine.time_limit_s == 1.0
    assert s.baseline_for(1).time_limit_s == 4.0
    b = s.budgets()
    assert b["plan"]["time_limit_s"] == 4.0
    assert b["baseline_whole"] == {
        "rule": "each baseline as a whole: the plan's wall budget and cores",
        "time_limit_s": 4.0,
        "cores": processes,
    }
    assert b["plan"]["cores"] == (processes if s.rounds.backend == "auto" else 1)
