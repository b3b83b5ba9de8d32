"""PyVRP 0.14 backend: :class:`routing.Problem` in, :class:`routing.Plan` out.

The whole mapping to PyVRP lives here; solver indices never leave this module.

Mapping (each line is something :func:`routing.check.check` re-verifies on the result):

* **Locations.** One PyVRP location per depot and one per village (a copy of its row and
  column of the matrices), so villages sharing a place can still be told apart per profile.
* **Loads.** ``Client(delivery=..., pickup=...)`` is PyVRP's native simultaneous delivery
  and pickup; its load check (load ≤ capacity at every point of the route, per dimension)
  is the VRPSPD rule.
* **Times.** Client ``tw_early``/``tw_late`` = the village window on the service *start*;
  ``service_duration`` = ``service_s``. Vehicle ``tw_early`` = max(shift start, start
  depot ``ready_s``), ``tw_late`` = shift end (return by), ``shift_duration`` =
  ``max_duration_s``, ``max_distance`` = ``max_distance_m``.
* **Release times.** PyVRP's ``Client.release_time`` means "the trip that visits this
  client cannot leave the depot before it" — the same depot-leave rule as
  :class:`routing.Village`, so it maps one to one (checked by a test: a late release makes a
  window unreachable).
* **Depot-tied villages** (``Village.depot``): one routing profile per start depot in which
  the arcs to and from villages tied to another depot cost ``Problem.UNREACHABLE`` in
  distance and time; such a visit always breaks the shift, so PyVRP never keeps it.
* **Unreachable arcs** (≥ ``Problem.UNREACHABLE`` in either matrix, and the depot-tied
  profiles' blocked arcs) are passed as a *finite sentinel*, not as ``Problem.UNREACHABLE``:
  a duration one second longer than any finite arc and any shift end (so the travel time
  alone breaks every shift and a feasible PyVRP solution cannot use one) and a distance one
  metre longer than any finite arc. Why (issue 13): PyVRP's costs are 64-bit integers and
  the prize-collecting search's penalty per second of time warp is at least the largest
  prize (~10⁹ units on a residual Suichang day); with 10⁹ s per unreachable arc a random
  start had ~10¹¹ s of warp, its penalised cost wrapped past 2⁶³ (negative), and the local
  search — which only stops when no move improves — cycled on wrapped costs for ever,
  inside one PyVRP call that no iteration limit or stop flag reaches. The sentinel keeps the
  same feasible set; the penalty bounds are also clamped so that the worst penalised cost
  of any solution stays below 2⁶² (:func:`_penalty_limit`).
* **Money.** PyVRP needs integer costs. Every amount is first exact in 1/3600 fen
  (``MONEY_UNITS_PER_YUAN = 360_000``: a per-hour rate with whole fen is exact per second
  (``cost_per_h · 100`` per s), a per-km rate with whole fen is exact per metre
  (``cost_per_km · 360`` per m), fixed costs are ``fixed · 360_000``), then every amount is
  divided by their greatest common divisor, so the objective is in the coarsest unit that
  keeps them all exact: on the benchmark sets that is one unit per distance unit, exactly the
  scale PyVRP's default penalties are tuned for, and on the Suichang day (fixed ¥310 / ¥330,
  ¥0.85 / ¥0.35 per km) 1/20,000 yuan. PyVRP's penalty bounds are multiplied by the largest
  per-unit rate left (1 on the benchmark sets) so the penalty-to-cost balance matches
  PyVRP's defaults; the initial penalties are set from average arc costs rather than
  PyVRP's midpoint (see :func:`_initial_penalties`).
* **Required first, prizes only when needed.** When the fleet can carry the day (the
  capacity screen of :func:`fleet_can_carry`), every servable village is a *required*
  client, as a user of PyVRP would model it. Measured at 5 s on CMT5X (seeds 1 and 2, the
  engine and plain PyVRP side by side): optional clients with one uniform prize halved
  PyVRP's iterations per second (the prize-collecting search weighs dropping every client)
  and gave 1.36 % and 2.61 % gaps, required clients 0.51 % and 0.41 %. If that search has
  no feasible solution after ``REQUIRED_PATIENCE`` of its budget (of its iterations in a
  work-bounded run), or the capacity screen fails, the rest of the budget goes to a
  prize-collecting search in which every village is ``required=False`` with a prize weighed
  by its parcels, ``P · (1 + parcels / mean parcels)``, where ``P`` (10 × the worst fixed +
  out-and-back cost of any village on its own van) exceeds the cost of serving any one
  village: PyVRP serves every village it can and, when it must drop some, drops those that
  leave fewer parcels behind. That search starts from the required search's best solution.
  Dropped villages are explained by :func:`routing.diagnose.diagnose`. Villages that no
  round can serve (diagnosis of the single-stop round fails a hard rule) are not given to
  PyVRP at all; they are reported unserved with that reason. Limit: with a short fleet
  PyVRP may also drop a servable village whose insertion would cost more than its prize (a
  huge detour); diagnosis then says ``fleet_size``.

* **The soft promise.** PyVRP 0.14 has no soft time windows. A village with a soft promise
  (``due_s``, ``late_cost_per_h``) gets a window closing at ``due_s`` when a van serving it
  alone can make that time, otherwise its own window (:mod:`routing.deadline`): PyVRP plans
  on-time rounds wherever possible and pays in vans and km, not lateness; the plan's late
  costs are then recomputed on the original problem. ``auto`` compares it with OR-Tools'
  true soft plan on cost + late cost + drop penalties and keeps the lower.
* **Weighed drops.** A village with its own ``drop_penalty`` gets the uniform prize ×
  (1 + penalty / the largest penalty): never below the uniform prize, up to twice it.

``Plan.cost`` is recomputed in yuan with :func:`routing.check.route_cost` from the route's
integer distance and duty, never taken from PyVRP's scaled objective. Stop times come from
PyVRP's own schedule (arrival = start − wait), so the checker independently confirms them.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from routing.check import route_cost
from routing.plan import Plan, Route, Stop, Unserved
from routing.problem import Problem, VehicleType, Village

__all__ = ["MONEY_UNITS_PER_YUAN", "REQUIRED_PATIENCE", "fleet_can_carry", "solve_pyvrp"]

#: PyVRP objective units per yuan: 1/3600 fen (see module docstring).
MONEY_UNITS_PER_YUAN = 360_000
_PER_METRE = MONEY_UNITS_PER_YUAN // 1000  # units per metre for 1 yuan/km
_PER_SECOND = MONEY_UNITS_PER_YUAN // 3600  # units per second for 1 yuan/h
#: Share of the budget (time, or iterations in a work-bounded run) the all-required search
#: may spend without a feasible solution before the prize-collecting search takes over.
REQUIRED_PATIENCE = 0.3
#: Where the penalty manager starts: average arc costs (ours) or PyVRP's midpoint.
INITIAL_PENALTIES = ("arcs", "midpoint")
#: What ``CostEvaluator.cost`` returns for an infeasible solution (PyVRP: the largest cost).
_INFEASIBLE_COST = float(np.iinfo(np.int64).max) / 2
#: The sentinel distance/duration of an unreachable arc never exceeds this (module docstring).
UNREACHABLE_SENTINEL_CAP = Problem.UNREACHABLE
#: No penalised cost of any solution may exceed this (PyVRP's costs are int64: 2⁶³ − 1).
COST_CEILING = float(2**62)

ProgressFn = Callable[[float, float], None]
StopFlag = Callable[[], bool] | threading.Event


@dataclass
class _Mapping:
    """What is needed to translate a PyVRP solution back to user ids."""

    problem: Problem
    village_ids: list[str]  # PyVRP client index -> village id
    type_names: list[str]  # PyVRP vehicle type index -> vehicle type name
    hopeless: dict[str, Unserved] = field(default_factory=dict)  # not given to PyVRP
    prize: int = 0  # the base prize P (0: every client required)
    penalty_scale: float = 1.0
    units_per_yuan: float = MONEY_UNITS_PER_YUAN  # after the common divisor
    max_prize: int = 0  # the largest client prize (0: every client required)
    sentinel: tuple[int, int] = (UNREACHABLE_SENTINEL_CAP, UNREACHABLE_SENTINEL_CAP)  # (m, s)
    penalty_limit: float = float("inf")  # no penalty above this can overflow a cost


def _units(yuan: float, per_yuan: int) -> int:
    return round(yuan * per_yuan)


def _hopeless(problem: Problem) -> dict[str, Unserved]:
    """Villages no round can serve, with their reason: not given to PyVRP at all.

    :func:`routing.diagnose.diagnose` tests the single-stop round on every allowed type;
    if even that breaks a hard rule (capacity, window, release, shift, distance, no road),
    no longer round can serve the village (triangle inequality on the matrices, as for
    shortest-path matrices). Villages it finds servable alone come back as ``fleet_size``.
    PyVRP also rejects a release after the window closes, which is such a case.
    """
    from routing.diagnose import diagnose

    out: dict[str, Unserved] = {}
    for u in diagnose(problem, [v.id for v in problem.villages]):
        v = problem.village(u.village)
        allowed = [t for t in problem.vehicle_types if v.depot in (None, t.start_depot)]
        if u.reason != "fleet_size" or not allowed or v.release_s > v.window[1]:
            out[u.village] = u
    return out


def fleet_can_carry(problem: Problem, villages: Sequence[Village] | None = None) -> bool:
    """Whether the vans could carry the villages' (default: all) deliveries and pickups, per
    dimension, one trip each: a capacity screen, not a proof of feasibility. If not, some
    village must be dropped, so the search starts with prizes (module docstring)."""
    villages = problem.villages if villages is None else villages
    for k in range(len(problem.dimensions)):
        room = sum(t.count * t.capacity[k] for t in problem.vehicle_types)
        if sum(v.delivery[k] for v in villages) > room or sum(v.pickup[k] for v in villages) > room:
            return False
    return True


def _build(
    problem: Problem, required: bool, hopeless: dict[str, Unserved] | None = None
) -> tuple[Any, _Mapping]:
    """PyVRP data for ``problem``: every kept village required, or all optional with prizes
    weighed by parcels (module docstring). ``hopeless``: from :func:`_hopeless`, if known."""
    import math

    import pyvrp

    depots = problem.depots
    hopeless = _hopeless(problem) if hopeless is None else hopeless
    kept = [v for v in problem.villages if v.id not in hopeless]
    rows = [problem.index(d.location) for d in depots] + [problem.index(v.location) for v in kept]
    dist, dur, (unr_m, unr_s) = _reachable_matrices(
        problem.distance_m[np.ix_(rows, rows)],
        problem.duration_s[np.ix_(rows, rows)],
        max((t.shift_end_s for t in problem.vehicle_types), default=0),
    )
    nd = len(depots)
    depot_index = {d.id: k for k, d in enumerate(depots)}

    # Profiles: one per start depot when some villages are tied to a depot.
    tied = [(k, v.depot) for k, v in enumerate(kept) if v.depot is not None]
    profile_of: dict[str, int] = {}
    dists: list[Any] = [dist]
    durs: list[Any] = [dur]
    if tied:
        for p, start in enumerate(sorted({t.start_depot for t in problem.vehicle_types})):
            pd, pt = dist.copy(), dur.copy()
            for k, home in tied:
                if home != start:
                    i = nd + k
                    for m, unr in ((pd, unr_m), (pt, unr_s)):
                        m[i, :] = unr
                        m[:, i] = unr
                        m[i, i] = 0
            profile_of[start] = p
            if p == 0:
                dists, durs = [pd], [pt]
            else:
                dists.append(pd)
                durs.append(pt)

    # The base prize: 10 x the worst cost of serving any village on its own van.
    worst = 0.0
    for t in problem.vehicle_types:
        a = problem.depot(t.start_depot).location
        b = problem.depot(t.return_depot).location
        for v in kept:
            d = problem.distance(a, v.location) + problem.distance(v.location, b)
            s = problem.duration(a, v.location) + problem.duration(v.location, b) + v.service_s
            if max(d, s) < Problem.UNREACHABLE:
                worst = max(worst, route_cost(t, d, s))
    money = [
        (
            _units(t.fixed_cost, MONEY_UNITS_PER_YUAN),
            _units(t.cost_per_km, _PER_METRE),
            _units(t.cost_per_h, _PER_SECOND),
        )
        for t in problem.vehicle_types
    ]
    base = _units(10 * worst + 1.0, MONEY_UNITS_PER_YUAN)
    unit = max(1, math.gcd(*(x for m in money for x in m), 0 if required else base))
    prize = 0 if required else max(base // unit, 1)
    parcels = [sum(v.delivery) + sum(v.pickup) for v in kept]
    mean = max(1.0, float(np.mean(parcels))) if parcels else 1.0

    locations = [pyvrp.Location(x=0.0, y=0.0, name=d.location) for d in depots]
    locations += [pyvrp.Location(x=0.0, y=0.0, name=v.location) for v in kept]
    p_depots = [pyvrp.Depot(location=k, name=d.id) for k, d in enumerate(depots)]
    clients = [
        pyvrp.Client(
            location=nd + k,
            delivery=list(v.delivery),
            pickup=list(v.pickup),
            service_duration=v.service_s,
            tw_early=v.window[0],
            tw_late=v.window[1],
            release_time=v.release_s,
            prize=0 if required else round(prize * (1.0 + parcels[k] / mean)),
            required=required,
            name=v.id,
        )
        for k, v in enumerate(kept)
    ]
    vtypes = []
    rate = 1
    for t, (fixed, per_m, per_s) in zip(problem.vehicle_types, money, strict=True):
        rate = max(rate, per_m // unit, per_s // unit)
        early = max(t.shift_start_s, problem.depot(t.start_depot).ready_s)
        vtypes.append(
            pyvrp.VehicleType(
                num_available=t.count,
                capacity=list(t.capacity),
                start_depot=depot_index[t.start_depot],
                end_depot=depot_index[t.return_depot],
                fixed_cost=fixed // unit,
                tw_early=early,
                tw_late=max(t.shift_end_s, early),
                shift_duration=t.max_duration_s,
                max_distance=t.max_distance_m,
                unit_distance_cost=per_m // unit,
                unit_duration_cost=per_s // unit,
                profile=profile_of.get(t.start_depot, 0),
                name=t.name,
            )
        )
    data = pyvrp.ProblemData(locations, clients, p_depots, vtypes, dists, durs)
    mapping = _Mapping(
        problem=problem,
        village_ids=[v.id for v in kept],
        type_names=[t.name for t in problem.vehicle_types],
        hopeless=hopeless,
        prize=prize,
        penalty_scale=float(rate),
        units_per_yuan=MONEY_UNITS_PER_YUAN / unit,
        max_prize=max((c.prize for c in clients), default=0),
        sentinel=(unr_m, unr_s),
        penalty_limit=_penalty_limit(data, (unr_m, unr_s)),
    )
    return data, mapping


def _reachable_matrices(
    dist: np.ndarray, dur: np.ndarray, latest_s: int
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """``dist``/``dur`` with every unreachable arc (≥ ``Problem.UNREACHABLE`` in either)
    replaced by the finite sentinel (module docstring), zero diagonals, and the sentinel
    ``(metres, seconds)``: one more than any finite arc, and for the duration one more than
    ``latest_s`` (the latest shift end) too, so an arc that long breaks every shift."""
    unr = Problem.UNREACHABLE
    dist = np.array(dist, dtype=np.int64)
    dur = np.array(dur, dtype=np.int64)
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    cut = (dist >= unr) | (dur >= unr)
    ok = ~cut
    unr_m = min(unr, int(dist[ok].max(initial=0)) + 1)
    unr_s = min(unr, max(int(dur[ok].max(initial=0)), int(latest_s)) + 1)
    dist[cut] = unr_m
    dur[cut] = unr_s
    return dist, dur, (unr_m, unr_s)


def _penalty_limit(data: Any, sentinel: tuple[int, int]) -> float:
    """The largest penalty (per unit of excess load, time warp or excess distance) at which
    no solution's penalised cost can exceed :data:`COST_CEILING`.

    A solution has at most ``n + R`` arcs (``n`` clients, ``R`` routes ≤ vehicles), each
    at most the sentinel, so its time warp is below ``(n + 2R) · sentinel_s`` plus the
    service times (a route starts no later than the latest shift end, which the sentinel
    exceeds), its excess distance below ``(n + R) · sentinel_m``, and its excess load below
    the total demand per dimension; its cost is below those arcs' distance and duration
    costs, the fixed costs and the prizes. Far above any bound PyVRP's defaults reach on
    real days; it only binds when the matrices themselves are near overflow."""
    clients = data.clients()
    vts = data.vehicle_types()
    n = len(clients)
    routes = min(n, sum(v.num_available for v in vts))
    unr_m, unr_s = sentinel
    warp = (n + 2 * routes) * float(unr_s) + sum(float(c.service_duration) for c in clients)
    excess = (n + routes) * float(unr_m)
    load = sum(
        float(sum(c.delivery[k] for c in clients) + sum(c.pickup[k] for c in clients))
        for k in range(data.num_load_dimensions)
    )
    per_m = max((float(v.unit_distance_cost) for v in vts), default=0.0)
    per_s = max((float(v.unit_duration_cost) for v in vts), default=0.0)
    fixed = max((float(v.fixed_cost) for v in vts), default=0.0)
    cost = (
        (n + routes) * unr_m * per_m
        + (n + 2 * routes) * unr_s * per_s
        + routes * fixed
        + sum(float(c.prize) for c in clients)
    )
    room = COST_CEILING - cost
    if room <= 0:
        return 1.0
    return max(1.0, room / max(1.0, warp + excess + load))


class _Stop:
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
        if best_cost < _INFEASIBLE_COST:
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


def _initial_penalties(
    data: Any, sentinel: tuple[int, int] | None = None
) -> tuple[list[float], float, float]:
    """Penalties per unit of excess load (per dimension), time warp and excess distance
    that make one unit of violation cost about one average arc (an arc usable in some
    profile: shorter than ``sentinel`` = (metres, seconds), default ``Problem.UNREACHABLE``).

    ``pyvrp.solve`` starts every penalty at the midpoint of [min, max] (50,000 × our rate),
    far above what is needed; the penalty manager then lowers it by 10 % every 500
    iterations, which takes tens of thousands of iterations — most of a short budget on a
    shared CPU. Measured at 10 s: CMT11X 3.5 % → 0.0 % gap, CMT5X 3.5 % → 1.2 %, SCA8-2
    0.76 % → 0.0 %. (Older PyVRP versions started from similar averages.)
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


def _run_ils(
    data: Any,
    stop: Any,
    seed: int,
    params: Any,
    start: Any = None,
    penalties: str = "arcs",
    max_prize: int = 0,
    sentinel: tuple[int, int] | None = None,
) -> Any:
    """``pyvrp.solve`` (0.14) with :func:`_initial_penalties` (``penalties="arcs"``) or
    PyVRP's own midpoint ones (``"midpoint"``); ``start``: a ``pyvrp.Solution`` of ``data``
    to start from instead of a random one. ``max_prize``: the largest client prize, a floor
    for every initial penalty (the penalty manager clips it to ``params``' bounds, which
    :func:`_params` keeps below overflow). ``sentinel``: the unreachable arcs' (metres,
    seconds) in ``data`` (:func:`_reachable_matrices`)."""
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
        _initial_penalties(data, sentinel)
        if penalties == "arcs"
        else params.penalty.midpoint_penalties(data)
    )
    # Prize-collecting search: one unit of violation must cost more than any prize, or
    # PyVRP keeps every village on overloaded, late rounds and never turns feasible
    # (measured on the Double-11 day: 175 of 201 villages unserved after 20 s).
    floor = float(max_prize)
    initial = ([max(x, floor) for x in loads], max(warp, floor), max(dist, floor))
    pm = PenaltyManager(initial, params.penalty)
    first = Solution.make_random(data, rng) if start is None else start
    init = ls(first, pm.max_cost_evaluator(), exhaustive=True)
    algo = IteratedLocalSearch(data, pm, ls, init, params.ils)
    with warnings.catch_warnings():
        # PyVRP warns when a penalty sits at its bound while solutions stay infeasible: on
        # days that cannot be served whole that is expected, and handled here (patience,
        # then prizes; the unserved villages get their reasons), not a console message.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return algo.run(stop, False, False, params.display_interval)


def _carry_over(best: Any, data: Any) -> Any:
    """The required search's (infeasible) best as a solution of the prize-collecting data,
    which has the same clients, depots and vehicle types in the same order."""
    from pyvrp import Route, Solution

    routes = [
        Route(data, [a.idx for a in r.schedule() if a.is_client()], r.vehicle_type())
        for r in best.routes()
    ]
    return Solution(data, [r for r in routes if len(r) > 0])


def _params(mapping: _Mapping, progress: ProgressFn | None, t0: float) -> Any:
    """PyVRP's default search parameters, penalty bounds scaled to our money unit
    (module docstring), and ``progress`` called on each new feasible best."""
    from pyvrp import IteratedLocalSearchParams, PenaltyParams, SolveParams
    from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks

    class _Callbacks(IteratedLocalSearchCallbacks):
        def on_best(self, best: Any) -> None:
            if progress is not None and best.is_feasible():
                units = best.distance_cost() + best.duration_cost() + best.fixed_vehicle_cost()
                progress(time.perf_counter() - t0, units / mapping.units_per_yuan)

    default = PenaltyParams()
    # With prizes, the bound must leave room above the largest prize (_run_ils); and no
    # penalty may let a penalised cost overflow PyVRP's int64 costs (_penalty_limit).
    high = max(default.max_penalty * mapping.penalty_scale, 10.0 * mapping.max_prize)
    high = min(high, mapping.penalty_limit)
    return SolveParams(
        ils=IteratedLocalSearchParams(callbacks=_Callbacks()),
        penalty=PenaltyParams(
            min_penalty=min(default.min_penalty * mapping.penalty_scale, high), max_penalty=high
        ),
    )


def solve_pyvrp(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int,
    progress: ProgressFn | None = None,
    stop: StopFlag | None = None,
    max_iterations: int | None = None,
    initial_penalties: str = "arcs",
) -> Plan:
    """Solve ``problem`` with PyVRP's iterated local search.

    ``progress(elapsed_s, best_cost_yuan)`` is called on every new best solution found
    (PyVRP's ``on_best`` callback) and once at the end with the returned plan's cost.
    ``stop`` (a ``threading.Event`` or a callable returning True) ends the search early;
    the best plan so far is returned with ``meta["interrupted"] = True``.
    ``max_iterations`` caps the number of search iterations; with a generous
    ``time_limit_s`` this makes the result depend only on ``seed`` (deterministic).
    ``initial_penalties``: ``"arcs"`` (:func:`_initial_penalties`, the default) or
    ``"midpoint"`` (PyVRP's own start); ``auto`` runs one of each on its two cores.
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
            time_limit_s=max(0.0, time_limit_s - (time.perf_counter() - t0)),
            seed=seed,
            progress=progress,
            stop=stop,
            max_iterations=max_iterations,
            initial_penalties=initial_penalties,
        )
        return restore(plan, original)
    hopeless = _hopeless(problem)
    kept = [v for v in problem.villages if v.id not in hopeless]
    required = fleet_can_carry(problem, kept)
    data, mapping = _build(problem, required, hopeless)
    budget = time_limit_s - (time.perf_counter() - t0)
    criterion = _Stop(
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
        params = _params(mapping, progress, t0)
        result = _run_ils(
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
            data, mapping = _build(problem, False, hopeless)
            left = None if max_iterations is None else max(0, max_iterations - iterations)
            criterion = _Stop(time_limit_s - (time.perf_counter() - t0), left, stop)
            phases.append("prizes")
            params = _params(mapping, progress, t0)
            start = _carry_over(best, data)
            result = _run_ils(
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


def _routes(pyvrp_routes: list[Any], mapping: _Mapping) -> list[Route]:
    problem = mapping.problem
    raw: list[tuple[int, int, tuple[str, ...], Any]] = []
    for r in pyvrp_routes:
        visits = tuple(mapping.village_ids[a.idx] for a in r.schedule() if a.is_client())
        raw.append((r.vehicle_type(), r.start_time(), visits, r))
    # A canonical order (type, departure, villages) so equal solutions give equal plans.
    raw.sort(key=lambda x: (x[0], x[1], x[2]))
    counters: dict[int, int] = {}
    routes = []
    for ti, _, _, r in raw:
        k = counters.get(ti, 0)
        counters[ti] = k + 1
        routes.append(_route(r, problem.vehicle_type(mapping.type_names[ti]), k, mapping))
    return routes


def _route(r: Any, vt: VehicleType, k: int, mapping: _Mapping) -> Route:
    problem = mapping.problem
    stops = []
    sched = list(r.schedule())
    clients = [a for a in sched if a.is_client()]
    vs = [problem.village(mapping.village_ids[a.idx]) for a in clients]
    load = [sum(v.delivery[d] for v in vs) for d in range(len(problem.dimensions))]
    load_start = tuple(load)
    for a, v in zip(clients, vs, strict=True):
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
    depart, ret = int(r.start_time()), int(r.end_time())
    distance = int(r.distance())
    return Route(
        vehicle=f"{vt.name}#{k}",
        vehicle_type=vt.name,
        start_depot=vt.start_depot,
        end_depot=vt.return_depot,
        depart_s=depart,
        return_s=ret,
        stops=tuple(stops),
        load_start=load_start,
        distance_m=distance,
        cost=route_cost(vt, distance, ret - depart),
        # the soft promise's late cost on this problem: when no promise could be kept as a
        # deadline, promise_as_deadline returns the problem itself and restore() (which
        # recomputes it) is not called, so it is counted here (the checker compares it)
        late_cost=sum(v.late_cost(s.start_s) for v, s in zip(vs, stops, strict=True)),
    )
