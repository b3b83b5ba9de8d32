"""Line to van: the sort <-> rounds loop, and loading the vans at the docks.

Two couplings between the line and the rounds live here.

**Bagging in departure order** (``sorter.bagging = "by_departure"``). The bagging crew works
the chutes of the first vans to leave first, but the departure order only exists once the
rounds are planned, and the rounds depend on the ready times. So the day alternates
(:func:`sorter.departure_loop`): pass 1 sorts with ``wave_end`` bagging, plans the rounds
from its ready times and reads the rounds' departure order; pass k sorts again with the
crew taking chutes in that order, until the order stops changing or
``sorter.departure_passes`` passes. Each pass is logged (logger ``gongpei.day.departures``)
and kept in :class:`LoopPass` records. The loop's plans are made with the scenario's
*loop* solver settings (``solver_settings(scenario).loop``: one core, a short
budget), because they only need the order; the day's rounds are then solved once
with the full budget on the last sort. Same scenario and seed: same passes.

**Loading at the docks** (``[loading]``). Bags go to the village's cage as they are tied; a
round's van is loaded at a dock by the dock's loaders (:func:`sorter.load_vans`)::

    departure = max(last ready of the round's villages, dock free) + parcels / (crew x rate)

The rule that makes the plan consistent with it: a served village's release time is its
round's loading departure (``release_s = ceil(departure)``), and every round is re-timed
on that problem with the routing evaluator, so it leaves when its van is loaded (or later,
when a window says so). In practice, in three steps: (1) the day's rounds are solved
(full budget) on the releases the loop's last plan would get at the docks, so the search
already allows for loading; (2) the solved rounds are loaded and re-timed; (3) only if a
re-timed round then breaks a limit (its shift, a window) are the rounds solved again on the
loading-aware problem, with the rounds' own settings, at most twice, release times only
growing. The plan is reported with the day problem; the checker runs it on the
loading-aware problem, and :func:`routing.check.check_loading` verifies independently that
no round leaves before its last ready time plus its loading time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import sorter
from routing import Plan, Problem
from routing.evaluate import RouteEvaluator
from routing.plan import Route

__all__ = [
    "LoadedPlan",
    "departure_rounds",
    "load_plan",
    "loading_problem",
    "retime",
    "round_names",
]

log = logging.getLogger("gongpei.day.departures")


def round_names(plan: Plan) -> list[str]:
    """Round ids in plan order (``R01`` …), as in ``routes.csv``."""
    return [f"R{k + 1:02d}" for k in range(len(plan.routes))]


def departure_rounds(plan: Plan) -> list[tuple[float, tuple[str, ...]]]:
    """``(planned departure, villages)`` per round: what the bagging crew's order comes from."""
    return [(float(r.depart_s), r.villages) for r in plan.routes]


@dataclass(frozen=True, eq=False)
class LoadedPlan:
    """The rounds made consistent with loading: the plan, the problem it is valid on
    (release = loading departure), the loading, and whether rounds had to be re-solved."""

    plan: Plan
    problem: Problem
    loading: sorter.Loading
    resolved: bool


def load_rounds(
    plan: Plan,
    ready_s: Mapping[str, float],
    parcels: Mapping[str, int],
    litres: Mapping[str, float] | None,
    *,
    docks: int,
    loaders: int,
    load_rate_per_h: float,
    cage_parcels: int,
) -> sorter.Loading:
    """:func:`sorter.load_vans` on the plan's rounds, in their planned departure order."""
    rounds = [
        sorter.RoundToLoad(name, r.villages, float(r.depart_s))
        for name, r in zip(round_names(plan), plan.routes, strict=True)
    ]
    return sorter.load_vans(
        rounds,
        {v: t for v, t in ready_s.items()},
        parcels,
        docks=docks,
        loaders=loaders,
        load_rate_per_h=load_rate_per_h,
        litres=litres,
        cage_parcels=cage_parcels,
    )


def loading_problem(problem: Problem, plan: Plan, loading: sorter.Loading) -> Problem:
    """``problem`` with each served village released at its round's loading departure
    (never earlier than its own release)."""
    depart = loading.departure_s
    release: dict[str, int] = {}
    for name, r in zip(round_names(plan), plan.routes, strict=True):
        for v in r.villages:
            release[v] = math.ceil(depart[name])
    villages = tuple(
        replace(v, release_s=max(v.release_s, release[v.id])) if v.id in release else v
        for v in problem.villages
    )
    return problem.replace(villages=villages)


def retime(plan: Plan, problem: Problem) -> Plan | None:
    """The plan's rounds, same vans and village order, re-timed on ``problem``; ``None``
    when a round then breaks a limit (so the caller re-solves)."""
    ev = RouteEvaluator(problem)
    routes: list[Route] = []
    for vehicle, trips in plan.vans().items():  # a van's trips one after the other
        timed, reason, detail = ev.van(vehicle, trips[0].vehicle_type, [r.villages for r in trips])
        if reason:
            log.info("round of %s breaks %s after loading: %s", vehicle, reason, detail)
            return None
        routes.extend(timed)
    cost = sum(r.cost for r in routes)
    meta = dict(plan.meta) | {"retimed_for_loading": True}
    return replace(plan, routes=tuple(routes), cost=cost, meta=meta)


def load_plan(
    plan: Plan,
    problem: Problem,
    ready_s: Mapping[str, float],
    parcels: Mapping[str, int],
    litres: Mapping[str, float] | None,
    resolve: Callable[[Problem], Plan],
    *,
    docks: int,
    loaders: int,
    load_rate_per_h: float,
    cage_parcels: int,
    max_solves: int = 2,
) -> LoadedPlan:
    """Load the plan's vans and re-time the rounds so each leaves after its loading (see
    the module docstring for the rule).

    When a re-timed round breaks a limit, the rounds are solved again (``resolve``) on the
    loading-aware problem, whose release times only ever grow, and loaded again, at most
    ``max_solves`` times; if none re-times cleanly the last plan is returned on its own
    problem, and the checker reports what it breaks (never hidden).
    """
    kw = {
        "docks": docks,
        "loaders": loaders,
        "load_rate_per_h": load_rate_per_h,
        "cage_parcels": cage_parcels,
    }
    current, base, solves = plan, problem, 0
    while True:
        loading = load_rounds(current, ready_s, parcels, litres, **kw)  # type: ignore[arg-type]
        lp = loading_problem(base, current, loading)
        timed = retime(current, lp)
        if timed is not None:
            return LoadedPlan(timed, lp, loading, solves > 0)
        if solves >= max_solves:
            log.warning("rounds still break a limit after loading; the checker lists them")
            return LoadedPlan(current, base, loading, True)
        log.info("re-solving the rounds with release = loading departure")
        current, base, solves = resolve(lp), lp, solves + 1


def served_parcels(problem: Problem) -> dict[str, int]:
    """Village -> parcels it receives (the first load dimension)."""
    return {v.id: int(v.delivery[0]) for v in problem.villages}
