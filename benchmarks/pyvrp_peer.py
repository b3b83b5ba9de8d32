"""The plain-PyVRP peer: a :class:`routing.Problem` solved with PyVRP as a user would call it.

Used by ``routing_vrpspd.py`` and ``routing_day.py`` so that every table shows gongpei's
engine beside the library it wraps, solved on the same machine in the same run.

"As a user would": every village a *required* client; ``pyvrp.solve`` with its default
:class:`pyvrp.SolveParams` (midpoint initial penalties, default penalty bounds), a
``MaxRuntime`` stop on the search alone (model building is not counted against the peer,
which favours the peer), and the same windows, release times, shifts, durations and
distance limits as the problem. Money, as a careful user would scale it: amounts in
``PEER_UNITS_PER_YUAN`` (1/1000 fen, the smallest decimal unit in which a rate of whole fen
per km is an integer per metre), then divided by their greatest common divisor, the
coarsest unit that keeps them exact. On the benchmark sets that is one cost unit per
distance unit of the matrix, as in PyVRP's own benchmarks. (Without that division PyVRP's
default penalty bounds are too small against fixed costs: on a test day with ¥50 vans,
plain PyVRP at 1/100,000 yuan never left an overloaded van in 4,000 iterations.)

Second trips (``VehicleType.max_trips`` > 1), as PyVRP 0.14 offers them: the van's start
depot as its reload depot, ``max_reloads = max_trips - 1``, and the reload as the depots'
``service_duration``. PyVRP takes that service at the start of every trip and applies a
release time to its start, so, as in the engine (:mod:`routing.pyvrp_model`), releases and
earliest starts move ``R`` (the longest reload) earlier and shifts grow by ``R``; without this
the peer could not use the second trips the problem allows, and would lose for want of a
model, not of search.

The soft promise (a due time with a late cost per hour): PyVRP 0.14 has no soft windows, so
the peer closes a village's window at its due time wherever a van alone can make it, the
conversion the engine makes (:func:`routing.deadline.promise_as_deadline`), and its late
cost is counted on the original problem. Left soft, plain PyVRP plans as if there were no
promise (on the default day: ¥191,763 of late cost beside ¥8,865 of rounds).

The returned :class:`routing.Plan` is built from PyVRP's own schedule, so the independent
checker verifies the peer exactly as it verifies the engine.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from routing.plan import Plan, Unserved
from routing.problem import Problem
from routing.pyvrp_model import reload_time

#: Money units per yuan for problems with fixed or per-hour costs (see module docstring).
PEER_UNITS_PER_YUAN = 100_000


def plain_data(problem: Problem) -> Any:
    """``pyvrp.ProblemData`` for ``problem``: required clients, user-style money units."""
    import pyvrp

    if any(v.depot is not None for v in problem.villages):
        raise ValueError(
            "problem.villages[*].depot: the plain-PyVRP peer does not model depot-tied villages"
        )
    unr = Problem.UNREACHABLE
    rows = [problem.index(d.location) for d in problem.depots]
    rows += [problem.index(v.location) for v in problem.villages]
    dist = np.minimum(problem.distance_m[np.ix_(rows, rows)], unr)
    dur = np.minimum(problem.duration_s[np.ix_(rows, rows)], unr)
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    nd = len(problem.depots)
    depot_index = {d.id: k for k, d in enumerate(problem.depots)}
    reload = reload_time(problem)
    locations = [pyvrp.Location(x=0.0, y=0.0) for _ in rows]
    depots = [
        pyvrp.Depot(location=k, service_duration=reload, name=d.id)
        for k, d in enumerate(problem.depots)
    ]
    clients = [
        pyvrp.Client(
            location=nd + k,
            delivery=list(v.delivery),
            pickup=list(v.pickup),
            service_duration=v.service_s,
            tw_early=v.window[0],
            tw_late=v.window[1],
            release_time=max(0, v.release_s - reload),
            required=True,
            name=v.id,
        )
        for k, v in enumerate(problem.villages)
    ]
    amounts = [
        (
            round(t.fixed_cost * PEER_UNITS_PER_YUAN),
            round(t.cost_per_km * PEER_UNITS_PER_YUAN / 1000),
            round(t.cost_per_h * PEER_UNITS_PER_YUAN / 3600),
        )
        for t in problem.vehicle_types
    ]
    unit = max(1, math.gcd(*(x for a in amounts for x in a)))
    vtypes = []
    for t, (fixed, per_m, per_s) in zip(problem.vehicle_types, amounts, strict=True):
        early = max(t.shift_start_s, problem.depot(t.start_depot).ready_s)
        money = {
            "fixed_cost": max(0, fixed - reload * per_s) // unit,
            "unit_distance_cost": per_m // unit,
            "unit_duration_cost": per_s // unit,
        }
        vtypes.append(
            pyvrp.VehicleType(
                num_available=t.count,
                capacity=list(t.capacity),
                start_depot=depot_index[t.start_depot],
                end_depot=depot_index[t.return_depot],
                tw_early=max(0, early - reload),
                tw_late=max(t.shift_end_s, early),
                shift_duration=t.max_duration_s + reload,
                max_distance=t.max_distance_m,
                reload_depots=[depot_index[t.start_depot]] if t.max_trips > 1 else [],
                max_reloads=t.max_trips - 1,
                name=t.name,
                **money,
            )
        )
    return pyvrp.ProblemData(locations, clients, depots, vtypes, [dist], [dur])


def solve_plain(problem: Problem, time_limit_s: float, seed: int) -> Plan:
    """Solve ``problem`` with plain ``pyvrp.solve`` for ``time_limit_s`` of search.

    An infeasible best solution (PyVRP found none that serves every required client in
    time) comes back with status ``"infeasible"`` and every village unserved."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    from routing.deadline import promise_as_deadline, restore
    from routing.pyvrp_backend import _routes
    from routing.pyvrp_model import ModelMapping as _Mapping

    t0 = time.perf_counter()
    original, problem = problem, promise_as_deadline(problem)
    data = plain_data(problem)
    result = pyvrp.solve(data, MaxRuntime(time_limit_s), seed=seed, collect_stats=False)
    mapping = _Mapping(
        problem=problem,
        village_ids=[v.id for v in problem.villages],
        type_names=[t.name for t in problem.vehicle_types],
        reload_s=reload_time(problem),
    )
    meta = {"seed": seed, "iterations": result.num_iterations}
    if not result.best.is_feasible():
        unserved = tuple(
            Unserved(v.id, "interrupted", "peer: no feasible solution") for v in problem.villages
        )
        return Plan(
            routes=(),
            unserved=unserved,
            backend="pyvrp-plain",
            status="infeasible",
            wall_s=time.perf_counter() - t0,
            meta=meta,
        )
    routes = _routes(list(result.best.routes()), mapping)
    plan = Plan(
        routes=tuple(routes),
        cost=sum(r.cost for r in routes),
        backend="pyvrp-plain",
        wall_s=time.perf_counter() - t0,
        meta=meta,
    )
    return plan if problem is original else restore(plan, original)


def _child(fn: Callable[[], Plan], out: Any, k: int) -> None:
    import dataclasses
    import resource

    try:
        plan = fn()
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
        out.put((k, dataclasses.replace(plan, meta={**plan.meta, "cpu_s": round(cpu, 3)})))
    except BaseException as exc:  # report, never hang the parent
        out.put((k, f"{type(exc).__name__}: {exc}"))


def side_by_side(jobs: list[Callable[[], Plan]]) -> list[Plan]:
    """Run ``jobs`` at the same time, one process each (forked, so closures are fine), and
    return their plans in order: noise on a shared machine hits them alike. Each plan's
    ``meta["cpu_s"]`` is the CPU time its process (and its children) got."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(job, out, k)) for k, job in enumerate(jobs)]
    for p in procs:
        p.start()
    got: dict[int, Plan | str] = {}
    for _ in jobs:
        k, result = out.get()
        got[k] = result
    for p in procs:
        p.join()
    for k, result in got.items():
        if not isinstance(result, Plan):
            raise RuntimeError(f"side-by-side job {k} failed: {result}")
    return [got[k] for k in range(len(jobs))]  # type: ignore[misc]
