"""PyVRP 0.14 backend: :class:`routing.Problem` in, :class:`routing.Plan` out.

How the problem maps to PyVRP (locations, loads, times, releases, money units, required
clients first and prizes only when needed, the soft promise) is told in
:mod:`routing.pyvrp_model`; the search settings in :mod:`routing.pyvrp_search`. This module
runs the phases and translates PyVRP's best solution back. ``Plan.cost`` is recomputed in
yuan with :func:`routing.check.route_cost` from each route's integer distance and duty, never
taken from PyVRP's scaled objective. Stop times come from PyVRP's own schedule (arrival =
start − wait), so the checker independently confirms them.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from routing.plan import Plan, Route, Stop, Unserved
from routing.problem import Problem, VehicleType
from routing.pyvrp_model import (
    MONEY_UNITS_PER_YUAN,
    ModelMapping,
    build_data,
    fleet_can_carry,
    hopeless_villages,
)
from routing.pyvrp_search import (
    ProgressFn,
    SearchStop,
    StopFlag,
    carry_over,
    run_ils,
    search_params,
)

__all__ = [
    "INITIAL_PENALTIES",
    "MONEY_UNITS_PER_YUAN",
    "REQUIRED_PATIENCE",
    "fleet_can_carry",
    "solve_pyvrp",
]

#: Share of the budget (time, or iterations in a work-bounded run) the all-required search
#: may spend without a feasible solution before the prize-collecting search takes over.
REQUIRED_PATIENCE = 0.3
#: Where the penalty manager starts: PyVRP's midpoint (the default, as plain PyVRP) or
#: average arc costs (:func:`routing.pyvrp_search.initial_penalties`).
INITIAL_PENALTIES = ("midpoint", "arcs")


def solve_pyvrp(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int,
    progress: ProgressFn | None = None,
    stop: StopFlag | None = None,
    max_iterations: int | None = None,
    initial_penalties: str = "midpoint",
) -> Plan:
    """Solve ``problem`` with PyVRP's iterated local search.

    ``progress(elapsed_s, best_cost_yuan)`` is called on every new best solution found
    (PyVRP's ``on_best`` callback) and once at the end with the returned plan's cost.
    ``stop`` (a ``threading.Event`` or a callable returning True) ends the search early;
    the best plan so far is returned with ``meta["interrupted"] = True``.
    ``max_iterations`` caps the number of search iterations; with a generous
    ``time_limit_s`` this makes the result depend only on ``seed`` (deterministic).
    ``initial_penalties``: ``"midpoint"`` (PyVRP's own start, the default) or ``"arcs"``
    (:func:`routing.pyvrp_search.initial_penalties`).

    ``time_limit_s`` bounds the search, as PyVRP's ``MaxRuntime`` does: building the model
    before it (deadlines, the hopeless screen, the data) and the plan after it are not
    counted (issue 16: the plain-PyVRP peer gets its ``MaxRuntime`` on the search alone,
    and with every village required this search *is* plain PyVRP's, so it must get as
    long). With a required search that gives up, the prize search gets what is left of it.
    """
    if initial_penalties not in INITIAL_PENALTIES:
        raise ValueError(
            f"initial_penalties = {initial_penalties!r}: expected one of {INITIAL_PENALTIES}"
        )
    t0 = time.perf_counter()
    if not problem.villages:
        return Plan(routes=(), cost=0.0, backend="pyvrp", wall_s=time.perf_counter() - t0)
    from routing.deadline import promise_as_deadline, restore

    original = problem
    problem = promise_as_deadline(problem)  # no soft windows in PyVRP 0.14: routing.deadline
    if problem is not original:
        plan = solve_pyvrp(
            problem,
            time_limit_s=time_limit_s,
            seed=seed,
            progress=progress,
            stop=stop,
            max_iterations=max_iterations,
            initial_penalties=initial_penalties,
        )
        return restore(plan, original)
    hopeless = hopeless_villages(problem)
    kept = [v for v in problem.villages if v.id not in hopeless]
    required = fleet_can_carry(problem, kept)
    data, mapping = build_data(problem, required, hopeless)
    budget = time_limit_s
    searching = time.perf_counter()
    criterion = SearchStop(
        budget,
        max_iterations,
        stop,
        patience_s=REQUIRED_PATIENCE * budget if required else None,
        patience_iterations=(
            round(REQUIRED_PATIENCE * max_iterations)
            if required and max_iterations is not None
            else None
        ),
    )
    phases = ["required" if required else "prizes"]
    best, feasible, iterations = None, True, 0
    if mapping.village_ids:
        params = search_params(mapping, progress, t0)
        result = run_ils(
            data,
            criterion,
            seed,
            params,
            None,
            initial_penalties,
            mapping.max_prize,
            mapping.sentinel,
        )
        best, iterations = result.best, result.num_iterations
        if criterion.gave_up:
            # No feasible solution serves every village in time: the rest of the budget
            # goes to the prize-collecting search, from where the first one stopped.
            data, mapping = build_data(problem, False, hopeless)
            left = None if max_iterations is None else max(0, max_iterations - iterations)
            criterion = SearchStop(budget - (time.perf_counter() - searching), left, stop)
            phases.append("prizes")
            params = search_params(mapping, progress, t0)
            start = carry_over(best, data)
            result = run_ils(
                data,
                criterion,
                seed,
                params,
                start,
                initial_penalties,
                mapping.max_prize,
                mapping.sentinel,
            )
            best, iterations = result.best, iterations + result.num_iterations
        feasible = best.is_feasible()

    meta: dict[str, Any] = {
        "pyvrp_version": _pyvrp_version(),
        "seed": seed,
        "iterations": iterations,
        "interrupted": criterion.interrupted,
        "phases": phases,
        "initial_penalties": initial_penalties,
        "money_units_per_yuan": mapping.units_per_yuan,
        "prize_yuan": mapping.prize / mapping.units_per_yuan,
        "release_semantics": "pyvrp Client.release_time = earliest depot departure of the trip",
    }
    if mapping.hopeless:
        meta["not_given_to_pyvrp"] = list(mapping.hopeless)

    # PyVRP's best is infeasible only when the budget ran out (or a stop came) before any
    # feasible solution (all-optional villages make the empty solution feasible, but the
    # search starts from a full one). Keep its feasible rounds; the others' villages are reported
    # "interrupted" — nothing is dropped silently.
    interrupted: set[str] = set()
    routes: list[Route] = []
    if best is not None:
        ok = [r for r in best.routes() if r.is_feasible()]
        for r in best.routes():
            if not r.is_feasible():
                interrupted.update(
                    mapping.village_ids[a.idx] for a in r.schedule() if a.is_client()
                )
        routes = _routes(ok, mapping)
    if not feasible:
        meta["pyvrp_infeasible_best"] = True
    served = {v for r in routes for v in r.villages}
    missing = [
        v.id
        for v in problem.villages
        if v.id not in served and v.id not in interrupted and v.id not in mapping.hopeless
    ]
    by_id: dict[str, Unserved] = dict(mapping.hopeless)
    if missing:
        from routing.diagnose import diagnose

        by_id.update((u.village, u) for u in diagnose(problem, missing))
    for vid in interrupted:
        by_id[vid] = Unserved(
            vid, "interrupted", "PyVRP had no feasible round for it when the time ran out"
        )
    unserved = tuple(by_id[v.id] for v in problem.villages if v.id in by_id)
    status = "interrupted" if interrupted else "partial" if unserved else "feasible"
    plan = Plan(
        routes=tuple(routes),
        unserved=unserved,
        cost=sum(r.cost for r in routes),
        backend="pyvrp",
        status=status,
        wall_s=time.perf_counter() - t0,
        meta=meta,
    )
    if progress is not None:
        progress(plan.wall_s, plan.cost)
    return plan


def _pyvrp_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pyvrp")
    except PackageNotFoundError:  # pragma: no cover - an unusual install
        return "unknown"


def _routes(pyvrp_routes: list[Any], mapping: ModelMapping) -> list[Route]:
    problem = mapping.problem
    raw: list[tuple[int, int, tuple[str, ...], Any]] = []
    for r in pyvrp_routes:
        visits = tuple(mapping.village_ids[a.idx] for a in r.schedule() if a.is_client())
        raw.append((r.vehicle_type(), r.start_time(), visits, r))
    # A canonical order (type, departure, villages) so equal solutions give equal plans.
    raw.sort(key=lambda x: (x[0], x[1], x[2]))
    counters: dict[int, int] = {}
    routes: list[Route] = []
    for ti, _, _, r in raw:
        k = counters.get(ti, 0)
        counters[ti] = k + 1
        routes.extend(_trips(r, problem.vehicle_type(mapping.type_names[ti]), k, mapping))
    return routes


def _trips(r: Any, vt: VehicleType, k: int, mapping: ModelMapping) -> list[Route]:
    """One PyVRP route (one van) as its trips: the schedule split at its depot visits
    (start, reloads, end); a trip leaves when its depot service ends and is back when it
    reaches the next depot (``start - wait``). Empty trips are left out."""
    problem = mapping.problem
    dims = len(problem.dimensions)
    sched = list(r.schedule())
    legs: list[tuple[int, list[Any], int]] = []  # (departure, client visits, return)
    depart, clients = int(sched[0].end_time), []
    for a in sched[1:]:
        if a.is_client():
            clients.append(a)
            continue
        back = int(a.start_time - a.wait_duration)
        if clients:
            legs.append((depart, clients, back))
        depart, clients = int(a.end_time), []
    # A van making trips starts and ends them at one depot (VehicleType checks it).
    start_loc = problem.depot(vt.start_depot).location
    end_loc = problem.depot(vt.return_depot).location
    out: list[Route] = []
    prev_return: int | None = None
    for trip, (dep, visits, ret) in enumerate(legs):
        vs = [problem.village(mapping.village_ids[a.idx]) for a in visits]
        load = [sum(v.delivery[d] for v in vs) for d in range(dims)]
        load_start = tuple(load)
        stops = []
        for a, v in zip(visits, vs, strict=True):
            load = [x - d + p for x, d, p in zip(load, v.delivery, v.pickup, strict=True)]
            stops.append(
                Stop(
                    village=v.id,
                    arrival_s=int(a.start_time - a.wait_duration),
                    start_s=int(a.start_time),
                    departure_s=int(a.end_time),
                    load_after=tuple(load),
                )
            )
        # The trip's own distance from the problem's matrix (PyVRP's is the whole route).
        path = [start_loc, *(v.location for v in vs), end_loc]
        distance = sum(problem.distance(a, b) for a, b in itertools.pairwise(path))
        since = dep if prev_return is None else prev_return
        out.append(
            Route(
                vehicle=f"{vt.name}#{k}",
                vehicle_type=vt.name,
                start_depot=vt.start_depot,
                end_depot=vt.return_depot,
                depart_s=dep,
                return_s=ret,
                stops=tuple(stops),
                load_start=load_start,
                distance_m=distance,
                cost=vt.trip_cost(trip, distance, ret - since),
                trip=trip,
                # the soft promise's late cost on this problem: when no promise could be kept
                # as a deadline, promise_as_deadline returns the problem itself and restore()
                # (which recomputes it) is not called, so it is counted here (the checker
                # compares it)
                late_cost=sum(v.late_cost(s.start_s) for v, s in zip(vs, stops, strict=True)),
            )
        )
        prev_return = ret
    return out
