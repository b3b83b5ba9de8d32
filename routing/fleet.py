"""Fewest vans first: a fleet-minimisation phase before the cost search.

Why it exists: the cost objective weighs a van only by its fixed cost, and a local search
that starts from many short rounds rarely empties a whole round, even when a van's fixed
cost dwarfs all distances. On the Solomon VRPTW set under the hierarchical objective
(fewest vehicles, then distance; ``benchmarks/routing_vrptw.py``) the cost search alone at
20 s ended up to three vehicles above the best known (RC101: 17 against 14), while PyVRP's
own fleet minimisation (``pyvrp.minimise_fleet``) reached the best known count on R101,
RC101, R112, RC201 and R201 within 10 s each.

:func:`minimise_fleet` is that algorithm, generalised to several vehicle types and run on
the engine's own PyVRP model (:func:`routing.pyvrp_model.build_data`, every servable
village required): start from the whole fleet; solve until the first feasible solution;
shrink each type to the vans that solution used; then take one van away and solve again
(PyVRP searches the infeasible space with penalties, so a tight fleet is found by pushing
load and lateness out, not by construction; with one vehicle type the vans carry no fixed
cost in these searches, only their number is limited); stop at the capacity lower bound, when a
fleet finds no feasible solution within the time left, or when the time is up. With several
types the van taken away is one of the used type with the highest fixed cost (ties: the
smaller capacity, then the name), one try per step: a simple rule, not a search over fleet
mixes. The rounds of the smallest feasible fleet come back as a :class:`~routing.plan.Plan`
(timed by :class:`~routing.evaluate.RouteEvaluator`), so the caller always has a plan with
that fleet even if its cost search on the reduced fleet finds none.

A soft promise is a deadline here where a van alone can keep it
(:func:`routing.deadline.promise_as_deadline`, as in the PyVRP backend). The phase does not
apply — and says why in :attr:`FleetResult.skipped` — when the fleet cannot carry every
servable village (then some village is dropped anyway and "fewer vans" means "more
dropped"), or no feasible solution with the whole fleet is found in the time.

The time split is :func:`routing.solve.solve`'s (``FLEET_SHARE`` of the search budget for
this phase, the rest for the cost search on the reduced fleet); ``auto`` runs this phase
with two seeds side by side, one per core, and keeps the smaller fleet.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import queue
import signal
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from routing.callbacks import StopFn
from routing.plan import Plan
from routing.problem import Problem, VehicleType

__all__ = [
    "FLEET_SHARE",
    "OBJECTIVES",
    "FleetResult",
    "FleetStep",
    "fewest_vans",
    "fleet_lower_bound",
    "minimise_fleet",
]

#: Share of the search budget the fleet phase gets under ``objective="fewest_vans"``; the
#: cost search on the reduced fleet gets the rest. The phase nearly always uses its whole
#: share: its last step is the fleet that finds no feasible solution in the time left.
FLEET_SHARE = 0.5
#: What :func:`routing.solve.solve` minimises: ``"cost"`` (yuan: rounds, late cost, drop
#: penalties) or ``"fewest_vans"`` (first the number of vans, then cost: :func:`fewest_vans`).
OBJECTIVES = ("cost", "fewest_vans")
#: The cost search after the fleet phase gets at least this many seconds.
MIN_SEARCH_S = 0.5


@dataclass(frozen=True, slots=True)
class FleetStep:
    """One try: ``counts`` vans per type (problem order), whether a feasible solution was
    found, the vans that solution used, and the seconds it took."""

    counts: tuple[int, ...]
    feasible: bool
    used: int
    seconds: float


@dataclass(frozen=True)
class FleetResult:
    """The smallest fleet found. ``counts`` maps each vehicle type to its vans (the
    problem's own counts when nothing smaller was found); ``plan`` holds rounds that serve
    every servable village with that fleet (``None`` when none was found); ``skipped``
    says why the phase did not apply (``""`` when it ran). ``lower_bound`` is the capacity
    bound; ``steps`` the tries in order."""

    counts: dict[str, int]
    plan: Plan | None
    lower_bound: int
    steps: tuple[FleetStep, ...] = ()
    skipped: str = ""
    seconds: float = 0.0
    seed: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def vans(self) -> int:
        """Vans in the smallest fleet found."""
        return sum(self.counts.values())

    def problem(self, problem: Problem) -> Problem:
        """``problem`` with each vehicle type's count set to this fleet."""
        return with_counts(problem, [self.counts[t.name] for t in problem.vehicle_types])

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary for ``plan.meta["fleet"]``."""
        return {
            "vans": self.vans,
            "counts": dict(self.counts),
            "lower_bound": self.lower_bound,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "seed": self.seed,
            "steps": [
                {
                    "vans": sum(s.counts),
                    "feasible": s.feasible,
                    "used": s.used,
                    "seconds": round(s.seconds, 3),
                }
                for s in self.steps
            ],
        }


def with_counts(problem: Problem, counts: Sequence[int]) -> Problem:
    """``problem`` with vehicle type ``k`` limited to ``counts[k]`` vans."""
    types = tuple(
        dataclasses.replace(t, count=int(c))
        for t, c in zip(problem.vehicle_types, counts, strict=True)
    )
    return problem.replace(vehicle_types=types)


def fleet_lower_bound(problem: Problem, villages: Sequence[str] | None = None) -> int:
    """Fewest vans whose capacities (largest first) hold the deliveries, and the pickups, of
    ``villages`` (default: all) in every dimension, one trip each: a bound no plan beats."""
    chosen = set(villages) if villages is not None else None
    vs = [v for v in problem.villages if chosen is None or v.id in chosen]
    bound = 0
    for k in range(len(problem.dimensions)):
        need = max(sum(v.delivery[k] for v in vs), sum(v.pickup[k] for v in vs))
        caps = sorted(
            (t.capacity[k] for t in problem.vehicle_types for _ in range(t.count)), reverse=True
        )
        room, n = 0, 0
        while room < need and n < len(caps):
            room += caps[n]
            n += 1
        bound = max(bound, n)
    return bound


def minimise_fleet(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int = 0,
    stop: StopFn | None = None,
    max_iterations: int | None = None,
) -> FleetResult:
    """The smallest fleet that serves every servable village of ``problem`` (module
    docstring), within ``time_limit_s`` (and, when given, ``max_iterations`` PyVRP iterations
    per try, which makes the result depend on ``seed`` only)."""
    from routing.deadline import promise_as_deadline, restore
    from routing.pyvrp_model import build_data, fleet_can_carry, hopeless_villages

    t0 = time.perf_counter()
    original = problem
    counts0 = {t.name: t.count for t in problem.vehicle_types}
    if not problem.villages:
        return FleetResult(
            {t.name: 0 for t in problem.vehicle_types}, None, 0, skipped="no villages", seed=seed
        )
    problem = promise_as_deadline(problem)
    hopeless = hopeless_villages(problem)
    kept = [v for v in problem.villages if v.id not in hopeless]
    bound = fleet_lower_bound(problem, [v.id for v in kept])

    def skipped(why: str) -> FleetResult:
        return FleetResult(
            counts0, None, bound, skipped=why, seconds=time.perf_counter() - t0, seed=seed
        )

    if not kept:
        return skipped("no village can be served")
    if not fleet_can_carry(problem, kept):
        return skipped("the fleet cannot carry every village: some are dropped anyway")

    data, mapping = build_data(problem, True, hopeless)
    counts = [t.count for t in problem.vehicle_types]
    steps: list[FleetStep] = []
    best_solution: Any = None
    best_counts = list(counts)
    deadline = t0 + time_limit_s
    while True:
        left = deadline - time.perf_counter()
        if left <= 0 or _stopped(stop):
            break
        t_step = time.perf_counter()
        solution = _first_feasible(data, counts, mapping, left, seed, stop, max_iterations)
        feasible = solution is not None and solution.is_feasible()
        # A try that ran to the deadline or was stopped without success ends the phase.
        used = solution.num_routes() if feasible else 0
        steps.append(FleetStep(tuple(counts), feasible, used, time.perf_counter() - t_step))
        if not feasible:
            break
        best_solution = solution
        best_counts = _used_per_type(solution, len(counts))
        if sum(best_counts) <= bound:
            break
        smaller = _one_fewer(problem.vehicle_types, best_counts)
        if smaller is None:
            break
        counts = smaller
    seconds = time.perf_counter() - t0
    if best_solution is None:
        return dataclasses.replace(
            skipped("no feasible solution with the whole fleet in the time"), steps=tuple(steps)
        )
    plan = _plan(problem, best_solution, mapping)
    if problem is not original:
        plan = restore(plan, original)
    fleet = {t.name: c for t, c in zip(problem.vehicle_types, best_counts, strict=True)}
    return FleetResult(fleet, plan, bound, tuple(steps), "", seconds, seed)


def _stopped(stop: StopFn | None) -> bool:
    if stop is None:
        return False
    if isinstance(stop, threading.Event):
        return stop.is_set()
    return bool(stop())


def _first_feasible(
    data: Any,
    counts: Sequence[int],
    mapping: Any,
    time_limit_s: float,
    seed: int,
    stop: StopFn | None,
    max_iterations: int | None,
) -> Any:
    """PyVRP's search on ``data`` with ``counts`` vans per type, until its first feasible
    solution, the time limit, ``max_iterations`` or a stop; returns its best solution."""
    import pyvrp
    from pyvrp.PenaltyManager import PenaltyBoundWarning
    from pyvrp.stop import FirstFeasible, MaxIterations, MaxRuntime, MultipleCriteria

    from routing.pyvrp_search import search_params

    # With one vehicle type, vans are counted here, not priced: a fixed cost far above the
    # penalty bounds (the hierarchical Solomon objective's 10,000 a vehicle) makes an
    # overloaded round cheaper than a second van, and the search never turns feasible (a
    # 4-customer instance did not). With several types the fixed costs stay: they say which
    # vans the first feasible solution should use.
    single = data.num_vehicle_types == 1
    types = [
        vt.replace(num_available=int(c), fixed_cost=0 if single else vt.fixed_cost)
        for vt, c in zip(data.vehicle_types(), counts, strict=True)
    ]
    trial = data.replace(vehicle_types=types)
    criteria: list[Any] = [FirstFeasible(), MaxRuntime(max(time_limit_s, 0.0))]
    if max_iterations is not None:
        criteria.append(MaxIterations(max_iterations))
    if stop is not None:
        criteria.append(lambda _cost: _stopped(stop))
    params = search_params(mapping, None, time.perf_counter())
    with warnings.catch_warnings():
        # A fleet too small for any feasible solution drives the penalties to their bound:
        # expected here, it is how the phase learns that the fleet is too small.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(
            trial,
            stop=MultipleCriteria(criteria),
            seed=seed,
            collect_stats=False,
            display=False,
            params=params,
        )
    return result.best


def _used_per_type(solution: Any, n_types: int) -> list[int]:
    used = [0] * n_types
    for r in solution.routes():
        used[r.vehicle_type()] += 1
    return used


def _one_fewer(types: Sequence[VehicleType], counts: Sequence[int]) -> list[int] | None:
    """``counts`` less one van of the used type with the highest fixed cost (ties: smaller
    capacity, then name); ``None`` when no van is used."""
    used = [k for k, c in enumerate(counts) if c > 0]
    if not used:
        return None
    k = min(used, key=lambda j: (-types[j].fixed_cost, types[j].capacity, types[j].name))
    out = list(counts)
    out[k] -= 1
    return out


def _plan(problem: Problem, solution: Any, mapping: Any) -> Plan:
    """The rounds of a feasible PyVRP ``solution`` as a plan, timed by the evaluator."""
    from routing.diagnose import diagnose
    from routing.evaluate import RouteEvaluator

    ev = RouteEvaluator(problem)
    per_type: dict[int, int] = {}
    raw = []
    for r in solution.routes():
        ids = [mapping.village_ids[a.idx] for a in r.schedule() if a.is_client()]
        raw.append((r.vehicle_type(), ids))
    raw.sort()
    routes = []
    for ti, ids in raw:
        name = mapping.type_names[ti]
        k_type = ev.type_index(name)
        k = per_type.get(k_type, 0)
        per_type[k_type] = k + 1
        seq = ev.village_indices(ids)
        routes.append(ev.route(f"{name}#{k}", k_type, seq, ev.evaluate(k_type, seq)))
    served = {v for r in routes for v in r.villages}
    missing = [v.id for v in problem.villages if v.id not in served]
    unserved = tuple(diagnose(problem, missing)) if missing else ()
    return Plan(
        routes=tuple(routes),
        unserved=unserved,
        cost=sum(r.cost for r in routes),
        backend="pyvrp",
        status="partial" if unserved else "feasible",
        meta={"phase": "fleet"},
    )


# -- the whole objective: fleet phase, then the cost search (routing.solve) -------------
def _fleet_child(problem: Problem, budget: float, search: Any, out: Any) -> None:
    """Child process: the fleet phase with ``seed + 1``, its result sent back over ``out``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        out.put(
            minimise_fleet(
                problem,
                time_limit_s=budget,
                seed=(search.seed + 1) % 2**32,
                max_iterations=search.max_iterations,
            )
        )
    except BaseException as exc:  # report, never hang the parent
        out.put(f"{type(exc).__name__}: {exc}")


def _fleet_phase(problem: Problem, backend: str, search: Any, budget: float) -> FleetResult:
    """:func:`routing.fleet.minimise_fleet` on ``budget`` seconds; in ``auto`` (outside
    daemonic processes) a second one with ``seed + 1`` runs on the other core, and the smaller
    fleet wins (ties: the cheaper rounds, then this call's seed)."""
    if backend != "auto" or mp.current_process().daemon:
        return minimise_fleet(
            problem,
            time_limit_s=budget,
            seed=search.seed,
            stop=search.stop,
            max_iterations=search.max_iterations,
        )
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    out = ctx.Queue()
    child = ctx.Process(target=_fleet_child, args=(problem, budget, search, out), daemon=True)
    child.start()
    mine = minimise_fleet(
        problem,
        time_limit_s=budget,
        seed=search.seed,
        stop=search.stop,
        max_iterations=search.max_iterations,
    )
    try:
        other = out.get(timeout=budget + 30.0)
    except queue.Empty:
        other = "the second fleet search did not answer in time"
    child.join(timeout=5.0)
    if child.is_alive():
        child.terminate()
        child.join()
    results = [mine] + ([] if isinstance(other, str) else [other])

    def key(r: Any) -> tuple[bool, int, float]:
        return (r.plan is None, r.vans, r.plan.cost if r.plan is not None else 0.0)

    best = min(results, key=key)
    best.meta["seeds"] = {str(r.seed): r.vans for r in results}
    if isinstance(other, str):
        best.meta["second_search"] = other
    return best


def fewest_vans(
    problem: Problem,
    backend: str,
    search: Any,
    solve_on: Callable[[Problem, str, Any], Plan],
    checked: Callable[[Plan, Problem], Plan],
) -> Plan:
    """``routing.solve.solve(objective="fewest_vans")``: the fleet phase on ``FLEET_SHARE``
    of ``search.time_limit_s``, then ``solve_on(reduced problem, backend, search for the
    rest)``; the plan with fewer unserved villages, then fewer vans, then the lower
    objective wins (the search's on ties). ``checked`` attaches the checker's verdict.
    Handed in by :mod:`routing.solve`, so this module never imports it."""
    from routing.deadline import plan_objective

    t0 = time.perf_counter()
    fleet = _fleet_phase(problem, backend, search, FLEET_SHARE * search.time_limit_s)
    left = search.time_limit_s - (time.perf_counter() - t0)
    rest = dataclasses.replace(search, time_limit_s=max(left, MIN_SEARCH_S))
    plans: list[tuple[str, Plan]] = []
    if _stopped(search.stop) and fleet.plan is not None:
        pass  # stopped during the fleet phase: keep its rounds
    else:
        plans.append(("search", solve_on(fleet.problem(problem), backend, rest)))
    if fleet.plan is not None:
        plans.append(("fleet", checked(fleet.plan, problem)))

    def key(item: tuple[str, Plan]) -> tuple[bool, int, int, float]:
        p = item[1]
        return (p.status == "invalid", len(p.unserved), len(p.routes), plan_objective(p, problem))

    chosen_name, chosen = min(plans, key=key)  # stable: the search wins ties
    chosen = checked(chosen, problem)  # against the whole fleet's problem
    meta = dict(chosen.meta)
    meta["fleet"] = {
        **fleet.summary(),
        "share": FLEET_SHARE,
        "chosen": chosen_name,
        **fleet.meta,
        **({"search": _brief(p)} if (p := dict(plans).get("search")) is not None else {}),
    }
    return dataclasses.replace(chosen, meta=meta)


def _brief(plan: Plan) -> dict[str, Any]:
    return {
        "status": plan.status,
        "cost": round(plan.cost, 4),
        "unserved": len(plan.unserved),
        "vans": len(plan.routes),
    }
