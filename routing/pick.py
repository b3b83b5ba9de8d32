"""Which plan a portfolio keeps: every run's plan checked by the independent checker, then
the valid one with the fewest unserved villages, then the lowest cost (:func:`choose_plan`),
and the brief of each run that goes into ``plan.meta["portfolio"]``."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from routing.plan import Plan
from routing.problem import Problem

if TYPE_CHECKING:
    from routing.solve import _Search


def checked_plan(plan: Plan, problem: Problem) -> Plan:
    """Attach the independent checker's verdict; an invalid plan says so in its status."""
    from routing.check import check

    violations = check(plan, problem)
    meta = dict(plan.meta)
    meta["violations"] = [str(v) for v in violations]
    status = "invalid" if violations else plan.status
    return dataclasses.replace(plan, meta=meta, status=status)


def is_deterministic(plan: Plan, solution_limit: int | None, max_iterations: int | None) -> bool:
    if plan.status == "interrupted":
        return False
    if plan.backend == "ortools":
        stopped_by = plan.meta.get("stopped_by")
        return stopped_by in ("search_complete", "local_optimum") or (
            solution_limit is not None and stopped_by == "solution_limit"
        )
    if plan.backend == "pyvrp":
        if max_iterations is None:
            return False
        iterations = plan.meta.get("iterations")
        return iterations is not None and iterations >= max_iterations
    return False


#: Why a portfolio run did not run (``plan.meta["portfolio"][name]["skipped"]``).
SKIPPED = {
    "ortools": "not needed: the fleet can carry the day and PyVRP returned a plan",
}


def choose_plan(
    problem: Problem, runs: dict[str, Plan | str | None], mode: str, search: _Search
) -> Plan:
    """Check every plan; keep the valid one with fewest unserved, then lowest cost.

    ``runs`` maps a run's name to its plan, an error message, or ``None`` (not run); its
    order breaks ties. OR-Tools runs whenever a PyVRP run fails, so there is a plan."""
    outcome: dict[str, Any] = {"mode": mode}
    candidates: list[tuple[str, Plan]] = []
    for name, result in runs.items():
        if isinstance(result, Plan):
            checked = checked_plan(result, problem)
            candidates.append((name, checked))
            outcome[name] = brief(checked)
        elif result is None:
            outcome[name] = {"skipped": SKIPPED.get(name, "no time left or stopped before it")}
        else:
            outcome[name] = {"error": result}

    if not candidates:
        raise RuntimeError(f"auto: no backend returned a plan: {outcome}")
    from routing.deadline import plan_objective

    def key(item: tuple[str, Plan]) -> tuple[bool, float]:
        # cost + late cost + each unserved village's drop penalty (routing.deadline)
        p = item[1]
        return (p.status == "invalid", plan_objective(p, problem))

    chosen_name, chosen = min(candidates, key=key)  # min is stable: earlier runs win ties
    meta = dict(chosen.meta)
    meta["portfolio"] = outcome
    meta["chosen"] = chosen_name
    # A run left out for lack of time depends on the clock; OR-Tools left out as not
    # needed (the only way it is ``None``) does not.
    timed_out = [n for n, r in runs.items() if r is None and n != "ortools"]
    errors = [n for n, r in runs.items() if isinstance(r, str)]
    meta["deterministic"] = (
        not timed_out
        and not errors
        and all(
            is_deterministic(p, search.solution_limit, search.max_iterations) for _, p in candidates
        )
    )
    return dataclasses.replace(chosen, meta=meta)


def brief(plan: Plan) -> dict[str, Any]:
    return {
        "status": plan.status,
        "cost": round(plan.cost, 4),
        "unserved": len(plan.unserved),
        "violations": len(plan.meta.get("violations", [])),
        "wall_s": round(plan.wall_s, 3),
    }
