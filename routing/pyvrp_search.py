"""The PyVRP search (0.14): stop criterion, initial penalties, parameters and the iterated
local search itself, for data built by :mod:`routing.pyvrp_model`."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from routing.problem import Problem
from routing.pyvrp_model import ModelMapping

__all__ = [
    "INFEASIBLE_COST",
    "ProgressFn",
    "SearchStop",
    "StopFlag",
    "carry_over",
    "initial_penalties",
    "one_trip_short",
    "run_ils",
    "search_params",
]

#: What ``CostEvaluator.cost`` returns for an infeasible solution (PyVRP: the largest cost).
INFEASIBLE_COST = float(np.iinfo(np.int64).max) / 2

ProgressFn = Callable[[float, float], None]
StopFlag = Callable[[], bool] | threading.Event


class SearchStop:
    """PyVRP stopping criterion: time limit, iteration cap, an external stop flag, and (for
    the all-required search) patience: give up when no feasible solution has been found by
    ``patience_s`` seconds or ``patience_iterations`` iterations (``None``: no patience)."""

    def __init__(
        self,
        time_limit_s: float,
        max_iterations: int | None,
        flag: StopFlag | None,
        patience_s: float | None = None,
        patience_iterations: int | None = None,
    ):
        self.start = time.perf_counter()
        self.deadline = self.start + max(0.0, time_limit_s)
        self.max_iterations = max_iterations
        self.iterations = 0
        self.flag = flag
        self.interrupted = False
        self.patience_s = patience_s
        self.patience_iterations = patience_iterations
        self.gave_up = False

    def _flagged(self) -> bool:
        if self.flag is None:
            return False
        if isinstance(self.flag, threading.Event):
            return self.flag.is_set()
        return bool(self.flag())

    def _impatient(self, best_cost: float) -> bool:
        # PyVRP's cost of an infeasible solution is the largest cost value; the search's
        # best stays infeasible until a feasible solution is found.
        if best_cost < INFEASIBLE_COST:
            return False
        if self.patience_iterations is not None:
            return self.iterations > self.patience_iterations
        return self.patience_s is not None and time.perf_counter() - self.start >= self.patience_s

    def __call__(self, best_cost: float) -> bool:
        self.iterations += 1
        if self._flagged():
            self.interrupted = True
            return True
        if self.max_iterations is not None and self.iterations > self.max_iterations:
            return True
        if self._impatient(best_cost):
            self.gave_up = True
            return True
        return time.perf_counter() >= self.deadline


def initial_penalties(
    data: Any, sentinel: tuple[int, int] | None = None
) -> tuple[list[float], float, float]:
    """Penalties per unit of excess load (per dimension), time warp and excess distance
    that make one unit of violation cost about one average arc (an arc usable in some
    profile: shorter than ``sentinel`` = (metres, seconds), default ``Problem.UNREACHABLE``).

    ``pyvrp.solve`` starts every penalty at the midpoint of [min, max] (50,000 × our rate),
    far above what is needed; the penalty manager then lowers it by 10 % every 500
    iterations, which takes tens of thousands of iterations — most of a short budget on a
    shared CPU. Measured at 10 s under heavy load, before money was divided by its common
    divisor: CMT11X 3.5 % → 0.0 % gap, CMT5X 3.5 % → 1.2 %, SCA8-2 0.76 % → 0.0 %.
    No longer the default (issue 16): with money in the coarsest exact unit, the midpoint
    start is as good on the benchmark sets (each start won about half of 14 runs) and better
    on the Suichang day (¥9,311 against ¥9,344 on seed 2023, ¥9,548 against ¥9,646 on 2024,
    12 s, side by side: the low arc-cost penalties let the search wander infeasible and it
    made 30 % fewer iterations), and it is exactly what plain PyVRP does.
    """
    clients = data.clients()
    locs = [c.location for c in clients]
    sub = np.ix_(locs, locs)
    unr_m, unr_s = (Problem.UNREACHABLE, Problem.UNREACHABLE) if sentinel is None else sentinel
    # Profile 0 alone may block most arcs (villages tied to other depots): take every
    # profile's usable arcs.
    ds = [data.distance_matrix(p)[sub].astype(float) for p in range(data.num_profiles)]
    ts = [data.duration_matrix(p)[sub].astype(float) for p in range(data.num_profiles)]
    masks = [(d < unr_m) & (t < unr_s) for d, t in zip(ds, ts, strict=True)]
    for m in masks:
        np.fill_diagonal(m, False)
    d = np.concatenate([x[m] for x, m in zip(ds, masks, strict=True)])
    t = np.concatenate([x[m] for x, m in zip(ts, masks, strict=True)])
    if not d.size:
        return [1.0] * data.num_load_dimensions, 1.0, 1.0
    vts = data.vehicle_types()
    per_d = max(v.unit_distance_cost for v in vts)
    per_t = max(v.unit_duration_cost for v in vts)
    avg = max(1.0, float(np.mean(per_d * d + per_t * t)))
    loads = [
        avg / max(1.0, float(np.mean([max(c.delivery[k], c.pickup[k]) for c in clients])))
        for k in range(data.num_load_dimensions)
    ]
    return loads, avg / max(1.0, float(np.mean(t))), avg / max(1.0, float(np.mean(d)))


def run_ils(
    data: Any,
    stop: Any,
    seed: int,
    params: Any,
    start: Any = None,
    penalties: str = "arcs",
    max_prize: int = 0,
    sentinel: tuple[int, int] | None = None,
) -> Any:
    """``pyvrp.solve`` (0.14) with :func:`initial_penalties` (``penalties="arcs"``) or
    PyVRP's own midpoint ones (``"midpoint"``); ``start``: a ``pyvrp.Solution`` of ``data``
    to start from instead of a random one. ``max_prize``: the largest client prize, a floor
    for every initial penalty (the penalty manager clips it to ``params``' bounds, which
    :func:`search_params` keeps below overflow). ``sentinel``: the unreachable arcs' (metres,
    seconds) in ``data`` (:func:`routing.pyvrp_model.reachable_matrices`)."""
    from pyvrp import IteratedLocalSearch, PenaltyManager, RandomNumberGenerator, Solution
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours

    rng = RandomNumberGenerator(seed=seed)
    neighbours = compute_neighbours(data, params.neighbourhood)
    ls = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
    for op in params.operators:
        if op.supports(data):
            ls.add_operator(op(data))
    loads, warp, dist = (
        initial_penalties(data, sentinel)
        if penalties == "arcs"
        else params.penalty.midpoint_penalties(data)
    )
    # Prize-collecting search: one unit of violation must cost more than any prize, or
    # PyVRP keeps every village on overloaded, late rounds and never turns feasible
    # (measured on the Double-11 day: 175 of 201 villages unserved after 20 s).
    floor = float(max_prize)
    initial = ([max(x, floor) for x in loads], max(warp, floor), max(dist, floor))
    pm = PenaltyManager(initial, params.penalty)
    if start is None:
        start = Solution.make_random(data, rng)
        if one_trip_short(data):
            start = with_reloads(start, data)
    first = start
    init = ls(first, pm.max_cost_evaluator(), exhaustive=True)
    algo = IteratedLocalSearch(data, pm, ls, init, params.ils)
    with warnings.catch_warnings():
        # PyVRP warns when a penalty sits at its bound while solutions stay infeasible: on
        # days that cannot be served whole that is expected, and handled here (patience,
        # then prizes; the unserved villages get their reasons), not a console message.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return algo.run(stop, False, False, params.display_interval)


def one_trip_short(data: Any) -> bool:
    """Whether one trip per van cannot carry the day: in some load dimension the deliveries
    (or the pickups) exceed what every van carries at once, so second trips are not a
    saving but a need. Only then does the search start from :func:`with_reloads`; otherwise
    from PyVRP's own random start, as plain PyVRP (issue 16: on the tea-harvest day, whose
    fleet carries the day in one trip, the release-ordered start ended at ¥9,247 on seed
    2024, where plain PyVRP reached ¥9,189 three times out of three)."""
    vts = data.vehicle_types()
    if not any(vt.reload_depots for vt in vts):
        return False
    clients = data.clients()
    for k in range(data.num_load_dimensions):
        room = sum(vt.num_available * vt.capacity[k] for vt in vts)
        need = max(sum(c.delivery[k] for c in clients), sum(c.pickup[k] for c in clients))
        if need > room:
            return True
    return False


def with_reloads(solution: Any, data: Any) -> Any:
    """``solution`` with each route's clients in release order (then window close) and a
    reload at the depot inserted wherever the next client would overload the van (vehicle
    types with ``reload_depots``; up to ``max_reloads``): the random start split into trips
    by capacity, later waves on later trips. Why: PyVRP's random start has no reloads,
    and where one trip per van cannot carry the day its search often never inserts one
    (measured: 2 of 3 seeds ended infeasible on the two-village case of
    ``tests/routing/test_trips.py`` after 2,000 iterations; with this start seeds 1–12 all
    find the optimum). Used only then (:func:`one_trip_short`)."""
    from pyvrp import Activity, ActivityType, Route, Solution

    vts = data.vehicle_types()
    if not any(vt.reload_depots for vt in vts):
        return solution
    clients = data.clients()
    routes = []
    for r in solution.routes():
        vt = vts[r.vehicle_type()]
        # Earliest release (then earliest window close) first: later waves on later trips.
        visits = sorted(
            (a.idx for a in r.schedule() if a.is_client()),
            key=lambda c: (clients[c].release_time, clients[c].tw_late),
        )
        if not vt.reload_depots:
            routes.append(r)
            continue
        acts: list[Any] = []
        dims = range(len(vt.capacity))
        # A trip's peak load: the larger of its start (all deliveries) and every point after
        # (deliveries left + pickups so far); adding a client raises every earlier point by
        # its delivery and ends on all the trip's pickups.
        peak, picked, reloads = [0 for _ in dims], [0 for _ in dims], 0
        for c in visits:
            cl = clients[c]
            grown = [max(peak[k] + cl.delivery[k], picked[k] + cl.pickup[k]) for k in dims]
            if any(grown[k] > vt.capacity[k] for k in dims) and acts and reloads < vt.max_reloads:
                acts.append(Activity(ActivityType.DEPOT, vt.reload_depots[0]))
                reloads += 1
                peak, picked = [0 for _ in dims], [0 for _ in dims]
                grown = [max(cl.delivery[k], cl.pickup[k]) for k in dims]
            acts.append(Activity(ActivityType.CLIENT, c))
            peak = grown
            picked = [picked[k] + cl.pickup[k] for k in dims]
        routes.append(Route(data, acts, r.vehicle_type()))
    return Solution(data, routes)


def carry_over(best: Any, data: Any) -> Any:
    """The required search's (infeasible) best as a solution of the prize-collecting data,
    which has the same clients, depots and vehicle types in the same order."""
    from pyvrp import Activity, Route, Solution

    # Every visit between the start and the end depot: clients and reloads (second trips).
    routes = [
        Route(data, [Activity(a.type, a.idx) for a in r.schedule()[1:-1]], r.vehicle_type())
        for r in best.routes()
    ]
    return Solution(data, [r for r in routes if r.num_clients() > 0])


def search_params(mapping: ModelMapping, progress: ProgressFn | None, t0: float) -> Any:
    """PyVRP's default search parameters and ``progress`` called on each new feasible best.

    Penalty bounds: with every village required (``mapping.max_prize == 0``) PyVRP's own
    defaults, so the search is plain PyVRP's (issue 16: bounds scaled by the largest
    per-unit rate, 17 on the Suichang day, gave ¥9,423 mean over seeds 2023–2026 at 12 s
    against ¥9,325 with the defaults, worse on 3 of 4 seeds). With prizes, the bounds are
    scaled by that rate and leave room above the largest prize (:func:`run_ils`). Either
    way no penalty may let a penalised cost overflow PyVRP's int64 costs
    (``mapping.penalty_limit``)."""
    from pyvrp import IteratedLocalSearchParams, PenaltyParams, SolveParams
    from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks

    class _Callbacks(IteratedLocalSearchCallbacks):
        def on_best(self, best: Any) -> None:
            if progress is not None and best.is_feasible():
                units = best.distance_cost() + best.duration_cost() + best.fixed_vehicle_cost()
                progress(time.perf_counter() - t0, units / mapping.units_per_yuan)

    default = PenaltyParams()
    scale = 1.0 if mapping.max_prize == 0 else mapping.penalty_scale
    high = max(default.max_penalty * scale, 10.0 * mapping.max_prize)
    high = min(high, mapping.penalty_limit)
    return SolveParams(
        ils=IteratedLocalSearchParams(callbacks=_Callbacks()),
        penalty=PenaltyParams(min_penalty=min(default.min_penalty * scale, high), max_penalty=high),
    )
