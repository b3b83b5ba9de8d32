"""Solving a day's routing problems with the scenario's solver settings.

The one place where ``[routing]`` becomes solver settings: :func:`solver_settings` builds a
frozen :class:`DaySolverSettings` from a scenario, and every caller — the day's rounds, the
baselines, ``gongpei replan``, sweeps and province runs — takes its
:class:`routing.SolveSettings` from it, so no field can be dropped on the way.

Rules applied here and nowhere else:

* ``backend = "auto"`` runs two searches side by side, so it needs two processes; with
  ``routing.processes = 1`` (sweep and province workers, one core each) it is PyVRP alone.
* A baseline solve (one problem per brand or township) uses one core, so ``auto`` is PyVRP
  there too; baselines run ``routing.processes`` at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gongpei.day.progress import Progress
from routing import Plan, Problem, SolveSettings

if TYPE_CHECKING:
    from gongpei.scenario.loading import Scenario

__all__ = ["DaySolverSettings", "solve_many", "solver_settings"]


@dataclass(frozen=True)
class DaySolverSettings:
    """How a scenario day is solved: the rounds, the baselines, and how many at a time."""

    rounds: SolveSettings
    baseline: SolveSettings
    processes: int


def solver_settings(scenario: Scenario) -> DaySolverSettings:
    """The scenario's ``[routing]`` table (and its seed) as solver settings."""
    r = scenario.model.routing
    common = {
        "seed": scenario.seed,
        "deterministic": r.deterministic,
        "solution_limit": r.solution_limit,
        "max_iterations": r.max_iterations,
    }
    single_core = "pyvrp" if r.backend == "auto" else r.backend
    return DaySolverSettings(
        rounds=SolveSettings(
            backend=single_core if r.processes < 2 else r.backend,
            time_limit_s=r.time_limit_s,
            **common,  # type: ignore[arg-type]
        ),
        baseline=SolveSettings(
            backend=single_core,
            time_limit_s=r.baseline_time_limit_s,
            **common,  # type: ignore[arg-type]
        ),
        processes=r.processes,
    )


def solve_many(
    problems: dict[str, Problem],
    settings: SolveSettings,
    processes: int,
    *,
    progress: Progress,
    label: str,
) -> dict[str, Plan]:
    """Solve independent problems (the baselines), ``processes`` at a time, each on one core.

    Seeds are fixed per problem, so the result does not depend on the order of completion.
    """
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
        if len(names) == 1 or processes == 1:
            for n in names:
                plans[n] = settings.solve(problems[n])
                if bar is not None:
                    bar.update(1)
        else:
            with ProcessPoolExecutor(max_workers=min(processes, len(names))) as pool:
                futures = {n: pool.submit(settings.solve, problems[n]) for n in names}
                for n in names:
                    plans[n] = futures[n].result()
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return plans
