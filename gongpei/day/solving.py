"""Solving a day's routing problems with the scenario's solver settings.

The one place where ``[routing]`` becomes solver settings: :func:`solver_settings` builds a
frozen :class:`DaySolverSettings` from a scenario, and every caller — the day's rounds, the
baselines, ``gongpei replan``, sweeps and province runs — takes its
:class:`routing.SolveSettings` from it, so no field can be dropped on the way.

Rules applied here and nowhere else:

* ``backend = "auto"`` runs two searches side by side, so it needs two processes; with
  ``routing.processes = 1`` (sweep and province workers, one core each) it is PyVRP alone.
* Fair baselines (``baseline_time_limit_s`` unset, the default): each baseline problem (one
  brand or township) is solved with the rounds' own settings — backend, budget and cores —
  one problem at a time, so co-delivery is not compared with a shorter search.
* A fixed ``baseline_time_limit_s`` (quick looks): each baseline solve uses one core, so
  ``auto`` is PyVRP there; baselines run ``routing.processes`` at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gongpei.day.progress import Progress
from routing import Plan, Problem, SolveSettings

if TYPE_CHECKING:
    from gongpei.scenario.loading import Scenario

__all__ = ["DaySolverSettings", "solve_many", "solver_settings"]

#: The budget of one pass of the sort <-> rounds loop (it only needs the departure order).
LOOP_PASS_S = 2.0
#: The shortest per-problem budget a shared baseline budget gives (small brand problems).
MIN_BASELINE_S = 1.0


@dataclass(frozen=True)
class DaySolverSettings:
    """How a scenario day is solved: the rounds, the baselines, and how many at a time."""

    rounds: SolveSettings
    baseline: SolveSettings
    processes: int
    #: The fair rule (``routing.baseline_time_limit_s`` unset): a baseline *as a whole* gets
    #: the plan's wall budget and cores — its problems (one per brand or township) share
    #: ``rounds.time_limit_s × processes`` core-seconds, each on one core, ``processes`` at a
    #: time. Set, every baseline problem gets ``baseline.time_limit_s`` on one core.
    share_budget: bool = False

    @property
    def loop(self) -> SolveSettings:
        """The sort <-> rounds loop's passes and the loading re-solves: one core and a short
        budget (:data:`LOOP_PASS_S` at most), because they only need the departure order."""
        return self.baseline.replace(time_limit_s=min(LOOP_PASS_S, self.rounds.time_limit_s))

    def baseline_for(self, problems: int) -> SolveSettings:
        """The settings of each of a baseline's ``problems``."""
        if not self.share_budget or problems == 0:
            return self.baseline
        rounds_of_problems = math.ceil(problems / max(1, self.processes))
        return self.baseline.replace(
            time_limit_s=max(MIN_BASELINE_S, self.rounds.time_limit_s / rounds_of_problems)
        )

    def budgets(self) -> dict[str, dict[str, object]]:
        """The solver budgets of the plan and of every baseline problem, for summary.json."""

        def one(s: SolveSettings, cores: int) -> dict[str, object]:
            return {"backend": s.backend, "time_limit_s": s.time_limit_s, "cores": cores}

        rounds_cores = self.processes if self.rounds.backend == "auto" else 1
        out: dict[str, dict[str, object]] = {
            "plan": one(self.rounds, rounds_cores),
            "baseline_per_problem": one(self.baseline, 1),
        }
        if self.share_budget:
            out["baseline_whole"] = {
                "rule": "each baseline as a whole: the plan's wall budget and cores",
                "time_limit_s": self.rounds.time_limit_s,
                "cores": self.processes,
            }
        return out


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
    rounds = SolveSettings(
        backend=single_core if r.processes < 2 else r.backend,
        time_limit_s=r.time_limit_s,
        **common,  # type: ignore[arg-type]
    )
    fair = r.baseline_time_limit_s is None
    return DaySolverSettings(
        rounds=rounds,
        baseline=SolveSettings(
            backend=single_core,
            time_limit_s=r.time_limit_s
            if r.baseline_time_limit_s is None
            else r.baseline_time_limit_s,
            **common,  # type: ignore[arg-type]
        ),
        processes=r.processes,
        share_budget=fair,
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
