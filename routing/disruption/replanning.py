"""Re-planning the rest of the day after disruptions (the rules: :mod:`routing.disruption`).

:func:`replan` takes the disruptions in time order; at each moment it takes the fleet's
state (:mod:`~routing.disruption.fleet`), builds the residual problem
(:mod:`~routing.disruption.residual`), keeps the rounds that still work and solves the rest
with the caller's :class:`~routing.settings.SolveSettings`, then joins the result to what
was already done (:mod:`~routing.disruption.compose`).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from routing.callbacks import StopFn
from routing.check import check
from routing.clock import hhmm
from routing.diagnose import diagnose
from routing.disruption.compose import complete_day
from routing.disruption.events import (
    Disruption,
    DisruptionError,
    RoadClosure,
    VanBreakdown,
    is_disruption,
)
from routing.disruption.fleet import FleetState, as_rounds, fleet_state
from routing.disruption.residual import (
    RECOVERY_DELAY_S,
    ResidualInfo,
    residual_problem,
    without_unused_depots,
)
from routing.evaluate import RouteEvaluator
from routing.plan import Plan, Route, Unserved
from routing.problem import Problem, VehicleType
from routing.settings import SolveSettings

__all__ = [
    "POLICIES",
    "REPLAN_SETTINGS",
    "Replan",
    "ReplanStage",
    "VillageChange",
    "replan",
    "timed_route",
]

POLICIES = ("keep", "full")
#: Solver settings of a re-plan when the caller gives none: a 5 s budget.
REPLAN_SETTINGS = SolveSettings(time_limit_s=5.0)
#: With a wall-clock budget and ``policy="keep"``, the share of a re-planning moment's
#: budget the repair gets; a full re-solve, if the repair loses villages, gets what is left,
#: so each moment stays within ``time_limit_s`` (the repair and the full re-solve each got
#: the whole budget before: a 12 s re-plan took 24 s of search).
REPAIR_SHARE = 0.5
#: The shortest full re-solve started after a repair (seconds).
MIN_FULL_S = 0.5


@dataclass(frozen=True, slots=True)
class VillageChange:
    """A village before and after re-planning (``None``: not served). ``reason``/``detail``
    say why it is unserved after."""

    village: str
    before_vehicle: str | None
    before_arrival_s: int | None
    after_vehicle: str | None
    after_arrival_s: int | None
    reason: str = ""
    detail: str = ""

    @property
    def kind(self) -> str:
        """``unserved``, ``newly_served``, ``moved`` (other van) or ``retimed``."""
        if self.after_vehicle is None:
            return "unserved"
        if self.before_vehicle is None:
            return "newly_served"
        if self.after_vehicle != self.before_vehicle:
            return "moved"
        return "retimed"


@dataclass(frozen=True, eq=False)
class Replan:
    """The outcome of :func:`replan`.

    ``plan`` is the complete day (done stops as they were + the new rounds; a broken van's
    round ends at the breakdown); ``residual_plan`` solves ``residual_problem`` and passes
    :func:`routing.check.check` on it (``violations`` lists anything it does not).
    ``changes`` has one entry per village whose van or arrival time changed, or that
    became unserved/served.
    """

    plan: Plan
    residual_problem: Problem
    residual_plan: Plan
    state: FleetState
    at_s: int
    events: tuple[Disruption, ...]
    changes: tuple[VillageChange, ...]
    policy_used: str
    violations: tuple[str, ...]
    stages: tuple[ReplanStage, ...] = ()
    interrupted: bool = False  # a stop request cut a search short (its best plan is used)

    @property
    def affected(self) -> tuple[str, ...]:
        return tuple(c.village for c in self.changes)

    @property
    def unserved(self) -> tuple[Unserved, ...]:
        return self.plan.unserved

    def summary(self) -> dict[str, Any]:
        kinds: dict[str, int] = {}
        for c in self.changes:
            kinds[c.kind] = kinds.get(c.kind, 0) + 1
        return {
            "at_s": self.at_s,
            "policy": self.policy_used,
            "affected": len(self.changes),
            "by_kind": dict(sorted(kinds.items())),
            "unserved": [{"village": u.village, "reason": u.reason} for u in self.unserved],
            "distance_km": round(self.plan.distance_m / 1000, 3),
            "cost": round(self.plan.cost, 2),
            "violations": len(self.violations),
        }


@dataclass(frozen=True, eq=False)
class ReplanStage:
    """One re-planning moment: the residual problem then, its plan, and the policy used."""

    at_s: int
    residual_problem: Problem
    residual_plan: Plan
    policy_used: str


def replan(
    problem: Problem,
    plan: Plan,
    events: Iterable[Disruption],
    *,
    settings: SolveSettings | None = None,
    problem_after: Problem | Mapping[int, Problem] | None = None,
    at_s: int | None = None,
    policy: str = "keep",
    recovery_delay_s: int = RECOVERY_DELAY_S,
    stop: StopFn | None = None,
) -> Replan:
    """Re-plan the rest of the day after ``events`` (see the module docstring).

    Disruptions are taken in time order: at each distinct event time the day so far (the plan,
    or the previous re-plan) is re-planned from the state then. ``problem_after``: the
    problem with the travel matrices after the road closures (only matrices are used) —
    one problem for all closures (used from the first closure on), or a mapping
    closure time → problem with every closure up to that time. ``at_s``: an extra
    re-planning moment (e.g. with no event: "what if we re-planned now").

    ``settings`` is used whole for every residual solve (default :data:`REPLAN_SETTINGS`),
    except that with a wall-clock budget (not ``deterministic``) ``time_limit_s`` is the
    budget of each re-planning moment: under ``policy="keep"`` the repair gets
    :data:`REPAIR_SHARE` of it and a full re-solve what is left.

    ``stop`` (a callable or ``threading.Event``, e.g. a first Ctrl-C) ends the running
    search with its best plan so far and skips the full re-solves not yet started; every
    moment is still re-planned, so the day stays whole.
    """
    settings = REPLAN_SETTINGS if settings is None else settings
    # Second trips: a van's trip 1 is its "/2" round, and the residual vans make one round
    # each (a van back at its depot gets its second round by the rule above).
    plan = as_rounds(plan)
    problem = problem.one_trip()
    if problem_after is not None:
        problem_after = (
            problem_after.one_trip()
            if isinstance(problem_after, Problem)
            else {t: p.one_trip() for t, p in problem_after.items()}
        )
    events = tuple(sorted(events, key=lambda e: e.at_s if is_disruption(e) else -1))
    for e in events:
        if not is_disruption(e):
            raise DisruptionError(f"event {e!r}: expected VanBreakdown or RoadClosure")
    if policy not in POLICIES:
        raise DisruptionError(f"policy = {policy!r}: expected one of {POLICIES}")
    reopen = {e.until_s for e in events if isinstance(e, RoadClosure) and e.until_s is not None}
    times = sorted({e.at_s for e in events} | reopen | ({at_s} if at_s is not None else set()))
    if not times:
        raise DisruptionError("replan: no event and no at_s: nothing says when to re-plan")
    matrices_at = _matrices(problem, problem_after, events)
    planned = set(plan.served)

    def lost(p: Plan) -> int:
        return sum(1 for u in p.unserved if u.village in planned)

    current, driven_on = plan, problem
    broken: dict[str, int] = {}
    stranded_at: dict[str, int] = {}  # van cut off from its depot → when it stopped
    aboard: dict[str, tuple[str, ...]] = {}  # cut-off van → villages whose parcels it holds
    stuck: dict[str, tuple[str, int | None]] = {}
    stages: list[ReplanStage] = []
    violations: list[str] = []
    state = FleetState(times[0], ())
    for now in times:
        for e in events:
            if isinstance(e, VanBreakdown) and e.at_s == now:
                broken[e.vehicle] = min(e.at_s, broken.get(e.vehicle, e.at_s))
        base = matrices_at(now)
        state = _revive(
            # a cut-off van is taken as of just before it stopped: at its last stop (its
            # round has no way home yet), not back at the depot
            fleet_state(
                current,
                driven_on,
                now,
                broken={**{v: t - 1 for v, t in stranded_at.items()}, **broken},
            ),
            problem,
            base,
            stranded_at,
            aboard,
            now,
        )
        for van in state.vans:  # a revived van delivers what it still carries
            if van.vehicle in aboard and van.status == "on_round":
                for vid in aboard.pop(van.vehicle):
                    stuck.pop(vid, None)
        residual, info = residual_problem(
            problem, base, current, state, now, recovery_delay_s, stuck
        )
        candidates: list[tuple[str, Plan]] = []
        started = time.perf_counter()
        shared = not settings.deterministic and policy == "keep"
        if policy == "keep":
            repair = (
                settings.replace(time_limit_s=REPAIR_SHARE * settings.time_limit_s)
                if shared
                else settings
            )
            candidates.append(("keep", _keep_and_repair(residual, info, repair, stop)))
        if policy == "full" or (lost(candidates[0][1]) > 0 and not _stopped(stop)):
            left = settings.time_limit_s - (time.perf_counter() - started)
            rest = settings.replace(time_limit_s=max(MIN_FULL_S, left)) if shared else settings
            full = _solve_all(residual, rest, stop)
            if policy == "full" or lost(full) < lost(candidates[0][1]):
                candidates.append(("full", full))
        used, rplan = candidates[-1]
        rplan = _with_reasons(rplan, residual, info)
        found = [f"{hhmm(now)}: {v}" for v in check(rplan, residual)]
        violations += found
        rplan = dataclasses.replace(rplan, meta={**rplan.meta, "policy": used,
                                                 "violations": found})  # fmt: skip
        so_far = tuple(e for e in events if e.at_s <= now)
        current, stranded, came_back = complete_day(
            problem, base, current, state, rplan, info, now, so_far
        )
        # release floors stay; "where the parcels are" only explains the still unserved
        missing = {u.village for u in rplan.unserved}
        stuck = {
            vid: (where if vid in missing else "", ready)
            for vid, (where, ready) in {**info.stuck, **came_back}.items()
        }
        for veh in [v for v in stranded_at if v not in stranded]:
            if state.van(veh).status != "broken":
                del stranded_at[veh]  # on its way again (a road reopened)
        for veh, t in stranded.items():
            stranded_at.setdefault(veh, t)
            held = [v for v in state.van(veh).on_board if v in missing]
            aboard[veh] = (*aboard.get(veh, ()), *held)
        driven_on = _driven(base, driven_on)
        stages.append(ReplanStage(now, residual, rplan, used))
    changes = _changes(problem, plan, current)
    last = stages[-1]
    return Replan(
        plan=current,
        residual_problem=last.residual_problem,
        residual_plan=last.residual_plan,
        state=state,
        at_s=last.at_s,
        events=events,
        changes=changes,
        policy_used=last.policy_used,
        violations=tuple(violations),
        stages=tuple(stages),
        interrupted=_stopped(stop),
    )


def _matrices(
    problem: Problem, after: Problem | Mapping[int, Problem] | None, events: tuple[Disruption, ...]
) -> Any:
    """time → the problem whose matrices hold then."""
    if after is None:
        return lambda t: problem
    table = dict(after) if isinstance(after, Mapping) else None
    if table is None:
        assert isinstance(after, Problem)
        closures = [e for e in events if isinstance(e, RoadClosure)]
        first = min((e.at_s for e in closures), default=0)
        table = {first: after}
        if closures and all(e.until_s is not None for e in closures):
            table[max(e.until_s or 0 for e in closures)] = problem  # every road open again
    for t, p in table.items():
        if p.locations != problem.locations:
            raise DisruptionError(f"problem_after[{t}]: locations differ from the problem's")

    def at(t: int) -> Problem:
        keys = [k for k in table if k <= t]
        return table[max(keys)] if keys else problem

    return at


def _driven(base: Problem, before: Problem) -> Problem:
    """The matrices that measure what the vans drove: ``base`` (in force from now on), except
    where ``base`` is cut by a closure — a leg across a closed road was driven before it
    closed, on ``before``'s roads."""
    import numpy as np

    cut = (base.distance_m >= Problem.UNREACHABLE) | (base.duration_s >= Problem.UNREACHABLE)
    if not cut.any():
        return base
    return base.replace(
        distance_m=np.where(cut, before.distance_m, base.distance_m),
        duration_s=np.where(cut, before.duration_s, base.duration_s),
    )


def _revive(
    state: FleetState,
    problem: Problem,
    base: Problem,
    stranded_at: Mapping[str, int],
    aboard: Mapping[str, tuple[str, ...]],
    now: int,
) -> FleetState:
    """Vans a closure cut off from their depot stay where they stopped (their state is taken
    as of that moment); once the way home is open again (a closure reopened), each goes on
    from there as a running van, free at ``now`` at the earliest, with the parcels it still
    carries (``aboard``: villages it could not reach while cut off)."""
    types = {t.name: t for t in problem.vehicle_types}
    villages = {v.id: v for v in problem.villages}
    vans = []
    for van in state.vans:
        if van.vehicle in stranded_at and van.status == "broken":
            home = problem.depot(types[van.vehicle_type].return_depot).location
            if base.duration(van.location, home) < Problem.UNREACHABLE:
                held = tuple(v for v in aboard.get(van.vehicle, ()) if v not in van.on_board)
                extra = [villages[v].delivery for v in held]
                load = tuple(a + sum(x[d] for x in extra) for d, a in enumerate(van.load))
                van = dataclasses.replace(
                    van,
                    status="on_round",
                    free_s=max(van.free_s, now),
                    on_board=(*van.on_board, *held),
                    load=load,
                )
        vans.append(van)
    return dataclasses.replace(state, vans=tuple(vans))


def timed_route(
    problem: Problem,
    vt: VehicleType,
    seq: Sequence[str],
    depart: int,
    vehicle: str | None = None,
    *,
    evaluator: RouteEvaluator | None = None,
) -> Route | None:
    """The round of a ``vt`` van visiting ``seq`` in order, leaving at ``depart`` or as soon
    after as allowed, timed by :class:`routing.evaluate.RouteEvaluator` without postponing
    (a kept round keeps its times); ``None`` if it breaks any limit. ``vt`` is one of
    ``problem``'s vehicle types; ``vehicle`` defaults to ``vt.name + "#0"``. Pass
    ``evaluator`` (built on ``problem``) when timing many rounds of one problem."""
    ev = evaluator if evaluator is not None else RouteEvaluator(problem)
    k = ev.type_index(vt.name)
    if problem.vehicle_types[k] != vt:
        raise DisruptionError(f"timed_route: vehicle type {vt.name!r} differs from the problem's")
    idx = ev.village_indices(seq)
    times = ev.evaluate(k, idx, depart_s=depart, postpone=False)
    if not times.feasible:
        return None
    return ev.route(vehicle if vehicle is not None else f"{vt.name}#0", k, idx, times)


def _stopped(stop: StopFn | None) -> bool:
    if stop is None:
        return False
    return stop.is_set() if isinstance(stop, threading.Event) else bool(stop())


def _keep_and_repair(
    residual: Problem, info: ResidualInfo, settings: SolveSettings, stop: StopFn | None = None
) -> Plan:
    kept: list[Route] = []
    ev = RouteEvaluator(residual)
    for tname, seq in info.kept.items():
        if not seq:
            continue
        r = timed_route(
            residual, residual.vehicle_type(tname), seq, info.keep_depart[tname], evaluator=ev
        )
        if r is not None:
            kept.append(r)
    used_types = {r.vehicle_type for r in kept}
    kept_villages = {v for r in kept for v in r.villages}
    open_villages = tuple(v for v in residual.villages if v.id not in kept_villages)
    free_types = tuple(t for t in residual.vehicle_types if t.name not in used_types)
    routes, unserved, backend = list(kept), [], "kept"
    meta: dict[str, Any] = {"kept_rounds": len(kept)}
    if open_villages and free_types:
        sub = without_unused_depots(
            residual.replace(villages=open_villages, vehicle_types=free_types)
        )
        sp = settings.solve(sub, stop=stop)
        routes += list(sp.routes)
        unserved = list(sp.unserved)
        backend = sp.backend
        meta["repair"] = {"status": sp.status, "villages": len(open_villages)}
    else:
        unserved = [Unserved(v.id, "fleet_size") for v in open_villages]
    return _plan(routes, unserved, backend, meta)


def _solve_all(residual: Problem, settings: SolveSettings, stop: StopFn | None = None) -> Plan:
    if not residual.villages:
        return _plan([], [], "none", {})
    sp = settings.solve(residual, stop=stop)
    return _plan(list(sp.routes), list(sp.unserved), sp.backend, {"full": sp.status})


def _plan(routes: list[Route], unserved: list[Unserved], backend: str, meta: dict) -> Plan:
    order = {r.vehicle: k for k, r in enumerate(routes)}
    routes = sorted(routes, key=lambda r: (r.vehicle_type, order[r.vehicle]))
    return Plan(
        routes=tuple(routes),
        unserved=tuple(unserved),
        cost=sum(r.cost for r in routes),
        backend=backend,
        status="partial" if unserved else "feasible",
        meta=meta,
    )


def _with_reasons(rplan: Plan, residual: Problem, info: ResidualInfo) -> Plan:
    """Re-diagnose the unserved villages on the whole residual problem, naming stuck parcels."""
    ids = [u.village for u in rplan.unserved]
    out = []
    for u in diagnose(residual, ids):
        if u.detail.startswith("no vehicle type starts at its depot"):
            u = Unserved(u.village, u.reason, f"no van free at {residual.village(u.village).depot}")
        where, ready = info.stuck.get(u.village, ("", 0))
        if where:
            if ready is None:
                u = Unserved(u.village, "unreachable", f"{where}: cannot be brought to the depot")
            else:
                u = Unserved(
                    u.village, u.reason, f"{where}, at the depot at {hhmm(ready)}; {u.detail}"
                )
        out.append(u)
    return dataclasses.replace(rplan, unserved=tuple(out))


def _changes(problem: Problem, before: Plan, after: Plan) -> tuple[VillageChange, ...]:
    def visits(p: Plan) -> dict[str, tuple[str, int]]:
        return {s.village: (r.vehicle, s.arrival_s) for r in p.routes for s in r.stops}

    b, a = visits(before), visits(after)
    why = {u.village: u for u in after.unserved}
    out = []
    for v in problem.villages:
        bv, ba = b.get(v.id, (None, None))
        av, aa = a.get(v.id, (None, None))
        if (bv, ba) == (av, aa):
            continue
        u = why.get(v.id)
        out.append(
            VillageChange(v.id, bv, ba, av, aa, u.reason if u else "", u.detail if u else "")
        )
    return tuple(out)
