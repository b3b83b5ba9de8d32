"""Solving a day's routing problems with the scenario's solver settings.

The one place where ``[routing]`` becomes solver arguments, for the day's rounds and for the
baselines alike.
"""

from __future__ import annotations

from typing import Any

from gongpei.day.progress import Progress
from gongpei.scenario.loading import Scenario
from routing import Plan, Problem
from routing.solve import solve


def solve_many(
    problems: dict[str, Problem], scenario: Scenario, *, progress: Progress, label: str
) -> dict[str, Plan]:
    """Solve independent problems (the baselines) with the scenario's baseline budget.

    Each uses one core with one backend (``auto`` → PyVRP), ``routing.processes`` at a time.
    Seeds are fixed per problem, so the result does not depend on the order of completion.
    """
    r = scenario.model.routing
    backend = "pyvrp" if r.backend == "auto" else r.backend  # one core per baseline solve
    kwargs = {
        "backend": backend,
        "time_limit_s": r.baseline_time_limit_s,
        "seed": scenario.seed,
        "deterministic": r.deterministic,
        "solution_limit": r.solution_limit,
        "max_iterations": r.max_iterations,
    }
    names = sorted(problems)
    if not names:
        return {}
    from concurrent.futures import ProcessPoolExecutor

    bar = None
    if progress.enabled:
        from tqdm import tqdm

        bar = tqdm(total=len(names), desc=label, unit="brand", leave=False)
    plans: dict[str, Plan] = {}
    try:
        if len(names) == 1 or r.processes == 1:
            for n in names:
                plans[n] = solve(problems[n], **kwargs)  # type: ignore[arg-type]
                if bar is not None:
                    bar.update(1)
        else:
            with ProcessPoolExecutor(max_workers=min(r.processes, len(names))) as pool:
                futures = {n: pool.submit(_solve_kw, problems[n], kwargs) for n in names}
                for n in names:
                    plans[n] = futures[n].result()
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return plans


def main_backend(scenario: Scenario) -> str:
    """The backend for the day's rounds: ``auto`` needs two processes, else PyVRP alone."""
    r = scenario.model.routing
    return "pyvrp" if r.backend == "auto" and r.processes < 2 else r.backend


def _solve_kw(problem: Problem, kwargs: dict[str, Any]) -> Plan:
    return solve(problem, **kwargs)
