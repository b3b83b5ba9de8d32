"""Standing rounds: the same village order on every service day, so drivers know their round.

The order comes from a freely optimised week (the chosen patterns' plans): the rounds of its
busiest day (most villages), then, for villages not on that day, the rounds of the other
days in turn, one after the other: the standing order of the whole county. Each day the
villages served that day are driven in that order, a van taking them until the next one
no longer fits (load, shift, windows), then the next van — so every village keeps its
place in the order and its neighbours before and after, whatever the day. A village that
fits no van alone is left unserved with the evaluator's reason. The day's plan passes the
independent checker like any other; its cost against free re-optimisation is what a fixed
round costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gongpei.scenario.loading import Scenario
from routing import Plan, Problem
from routing.evaluate import RouteEvaluator
from routing.plan import Route, Unserved

if TYPE_CHECKING:
    from gongpei.week.plan import RoundsFn, Variant

__all__ = ["standing_order", "standing_plan", "standing_rounds"]


def standing_order(plans: Sequence[Plan]) -> list[tuple[str, tuple[str, ...]]]:
    """(vehicle type, villages in order) of each standing round, from a week's plans."""
    if not plans:
        return []
    busiest = max(range(len(plans)), key=lambda k: (len(plans[k].served), -k))
    order = [busiest, *(k for k in range(len(plans)) if k != busiest)]
    seen: set[str] = set()
    out: list[tuple[str, tuple[str, ...]]] = []
    for k in order:
        for r in plans[k].routes:
            fresh = tuple(v for v in r.villages if v not in seen)
            if fresh:
                out.append((r.vehicle_type, fresh))
                seen.update(fresh)
    return out


def standing_plan(problem: Problem, rounds: Sequence[tuple[str, Sequence[str]]]) -> Plan:
    """The day's plan that drives ``rounds`` (standing order) over ``problem``'s villages."""
    ev = RouteEvaluator(problem)
    today = {v.id for v in problem.villages}
    types = [t.name for t in problem.vehicle_types]
    free = {t.name: t.count for t in problem.vehicle_types}
    used = {t.name: 0 for t in problem.vehicle_types}
    routes: list[Route] = []
    unserved: list[Unserved] = []

    def van(preferred: str) -> str | None:
        for name in [preferred, *types] if preferred in free else types:
            if free[name] > used[name]:
                return name
        return None

    def close(tname: str, seq: list[int]) -> None:
        k = ev.type_index(tname)
        times = ev.evaluate(k, seq)
        routes.append(ev.route(f"{tname}#{used[tname]}", k, seq, times))
        used[tname] += 1

    chains = [(t, [v for v in vs if v in today]) for t, vs in rounds]
    rest = sorted(today - {v for _, vs in rounds for v in vs})
    if rest:  # villages no standing round knows (new this day): one more round, code order
        chains.append((types[0], rest))
    seq: list[int] = []
    current: str | None = None
    for tname, villages in chains:
        for code in villages:
            i = ev.village_indices([code])[0]
            if current is not None and ev.feasible(ev.type_index(current), [*seq, i]):
                seq.append(i)
                continue
            if seq and current is not None:
                close(current, seq)
                seq = []
            current = van(tname)
            if current is not None and ev.feasible(ev.type_index(current), [i]):
                seq = [i]
            else:
                why = ev.evaluate(ev.type_index(current), [i]).reason if current else ""
                unserved.append(Unserved(code, why or "fleet_size", "fits no van alone"))
    if seq and current is not None:
        close(current, seq)
    return Plan(
        routes=tuple(routes),
        unserved=tuple(unserved),
        cost=sum(r.cost for r in routes),
        backend="standing",
        status="partial" if unserved else "feasible",
    )


def standing_rounds(free_week: Variant) -> RoundsFn:
    """A ``rounds`` function for :func:`gongpei.week.plan.run_variant` that drives the
    standing order of ``free_week`` (a :class:`~gongpei.week.plan.Variant`)."""
    order = standing_order([d.plan for d in free_week.days])

    def rounds(d: int, sc: Scenario, problem: Problem) -> Plan:
        return standing_plan(problem, order)

    return rounds
