"""The soft promise for a backend without soft time windows (PyVRP 0.14), and the one
objective every plan is compared on.

PyVRP 0.14 has hard time windows only. Its side of the soft promise is therefore a
*deadline where one can be kept*: :func:`promise_as_deadline` closes the window of each
village with a soft promise at its ``due_s`` when a van serving it alone can still make
that time (otherwise the village keeps its own window, and is simply late); PyVRP then
plans on-time rounds wherever that is possible, paying in vans and km instead of lateness.
:func:`restore` puts the plan back on the original problem: each round's ``late_cost`` is
recomputed from its stop times (:meth:`routing.problem.Village.late_cost`) and unserved
villages are re-diagnosed there. What the deadline costs against a true soft objective is
measured on the default day by comparing with OR-Tools' soft plan (the portfolio keeps the
plan with the lower :func:`plan_objective`).
"""

from __future__ import annotations

import dataclasses

from routing.plan import Plan
from routing.problem import Problem

__all__ = ["plan_objective", "promise_as_deadline", "restore"]


def plan_objective(plan: Plan, problem: Problem) -> float:
    """Yuan a solver minimises: the rounds' cost, their late cost (soft promise) and the
    drop penalty of every unserved village (:attr:`routing.problem.Village.penalty`)."""
    penalty = 0.0
    for u in plan.unserved:
        try:
            penalty += problem.village(u.village).penalty
        except KeyError:
            penalty += max((v.penalty for v in problem.villages), default=0.0)
    return plan.cost + plan.late_cost + penalty


def promise_as_deadline(problem: Problem) -> Problem:
    """``problem`` with every soft promise that a van alone can keep turned into a window
    closing at ``due_s`` (unchanged when there is no soft promise)."""
    from routing.evaluate import RouteEvaluator

    soft = [
        k
        for k, v in enumerate(problem.villages)
        if v.late_cost_per_h > 0 and v.due_s is not None and v.due_s < v.window[1]
    ]
    if not soft:
        return problem
    tight = list(problem.villages)
    for k in soft:
        v = tight[k]
        assert v.due_s is not None
        tight[k] = dataclasses.replace(v, window=(v.window[0], max(v.window[0], v.due_s)))
    trial = problem.replace(villages=tuple(tight))
    ev = RouteEvaluator(trial)
    out = list(problem.villages)
    for k in soft:
        types = [
            j
            for j, t in enumerate(problem.vehicle_types)
            if out[k].depot is None or t.start_depot == out[k].depot
        ]
        if any(ev.evaluate(j, [k], full=False).feasible for j in types):
            out[k] = tight[k]
    if all(a is b for a, b in zip(out, problem.villages, strict=True)):
        return problem  # no promise can be kept as a deadline: the same object
    return problem.replace(villages=tuple(out))


def restore(plan: Plan, problem: Problem) -> Plan:
    """A plan made on :func:`promise_as_deadline`'s problem, put back on ``problem``:
    late costs recomputed per round, unserved villages re-diagnosed."""
    from routing.diagnose import diagnose

    villages = {v.id: v for v in problem.villages}
    routes = tuple(
        dataclasses.replace(
            r, late_cost=sum(villages[s.village].late_cost(s.start_s) for s in r.stops)
        )
        for r in plan.routes
    )
    unserved = tuple(
        u if u.reason in ("fleet_size", "interrupted") else d
        for u, d in zip(
            plan.unserved, diagnose(problem, [u.village for u in plan.unserved]), strict=True
        )
    )
    meta = dict(plan.meta)
    meta["soft_promise"] = "hard deadline where a van alone can keep it (PyVRP)"
    return dataclasses.replace(plan, routes=routes, unserved=unserved, meta=meta)
