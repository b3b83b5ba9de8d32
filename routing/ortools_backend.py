"""OR-Tools adapter: the one module where OR-Tools node and solver indices live.

Public entry point: :func:`solve_ortools`. Everything that goes in is a
:class:`~routing.problem.Problem` and everything that comes out is a
:class:`~routing.plan.Plan` in user ids; node numbers and routing indices never leave.

Modelling decisions (why, not just what):

* **Load at every point (VRPSPD).** Two independent capacity dimensions (deliveries ≤ Q,
  pickups ≤ Q) accept rounds that overload the van mid-round. Per load dimension we use
  ``deliv_d`` (transit = delivery of the node, start 0; its cumul at the end is the round's
  total delivery) and ``load_d`` (transit = pickup − delivery, start cumul free), linked by
  ``load_d(start) == deliv_d(end)``: the van leaves with exactly its deliveries and
  ``load_d ≤ capacity`` holds at every node of the round.
* **Integers only.** Matrices and vectors are registered natively (``RegisterTransitMatrix``,
  ``RegisterUnaryTransitVector``; several times faster than Python callbacks). Money is
  scaled to integer **micro-yuan** (``COST_SCALE`` = 10⁶ per yuan): fen would round a
  1.5 yuan/km rate to 0.15 fen per metre → 0, and an hourly rate to fen per second.
* **Costs per vehicle type**: arc cost = cost_per_km·distance, span cost = cost_per_h·duty,
  ``SetFixedCostOfVehicle`` for the fixed cost.
* **Time**: one dimension, transit = service at the from-node + driving time; cumul at a
  village is the service start (inside the window); the vehicle start cumul is ≥ shift
  start and depot ``ready_s``, the end ≤ shift end, the span ≤ max duration.
* **Release times**: a zero-transit, zero-slack dimension ``release`` is constant along a
  round and bounded below by each visited village's release, so it equals at least the
  latest release on the round; one constraint per vehicle ties the departure to it
  (``time(start) ≥ release(start)``). The local-search filters see the release bounds.
* **Optional villages**: each village is a disjunction with a penalty far above any round
  cost, so an over-constrained day still returns a plan; dropped villages are explained by
  :func:`routing.diagnose.diagnose`. Villages that cannot be served even alone never enter
  the model.
* **First solution**: OR-Tools' insertion heuristics leave villages out on tight fleets
  (``tight_fleet_problem`` in the tests: 5 of 6 served) and are slow on long days (5 s
  for the 201-village test county day, which our savings construction serves fully in
  0.06 s), so :func:`construct_routes` (Clarke–Wright savings and best-fit decreasing
  insertion, both with the full feasibility check of
  :class:`~routing.diagnose.RouteEvaluator`) builds the start, handed to the search with
  ``ReadAssignmentFromRoutes``; OR-Tools' parallel cheapest insertion is tried as well only
  when ours leaves villages out. OR-Tools does not check its time limit inside its own
  first-solution phase; ours checks the stop flag between insertions.
* **Search**: guided local search. OR-Tools has no random seed for routing; ``seed`` only
  breaks ties in the construction's insertion order. With a wall-clock limit the number of
  search steps — hence the result — can vary run to run; pass ``solution_limit`` for a
  deterministic search (same inputs + seed ⇒ same plan).
* **Stop times in the plan** are recomputed by :class:`~routing.diagnose.RouteEvaluator`
  from the solver's sequence: earliest feasible departure, postponed as long as that only
  removes waiting — the van leaves as late as useful.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from routing.diagnose import RouteEvaluator, allowed_types, diagnose
from routing.plan import Plan, Route, Stop, Unserved
from routing.problem import HORIZON, Problem

__all__ = ["COST_SCALE", "ProgressFn", "StopFn", "construct_routes", "solve_ortools"]

#: Integer cost units per yuan inside the OR-Tools model (micro-yuan).
COST_SCALE = 1_000_000
#: Penalty for leaving a village unserved, in yuan (far above any realistic round cost).
UNSERVED_PENALTY_YUAN = 1_000_000.0
_BIG = 10**9

ProgressFn = Callable[[float, float], None]
StopFn = Callable[[], bool] | threading.Event


@dataclass(frozen=True, slots=True)
class _Vehicle:
    name: str
    type_index: int


def _vehicles(problem: Problem) -> list[_Vehicle]:
    return [
        _Vehicle(f"{t.name}#{c}", k)
        for k, t in enumerate(problem.vehicle_types)
        for c in range(t.count)
    ]


class _StopFlag:
    """Stop requests from the caller (callable or Event) or from Ctrl-C (SIGINT)."""

    def __init__(self, stop: StopFn | None) -> None:
        self._stop = stop
        self.sigint = False

    def __call__(self) -> bool:
        if self.sigint:
            return True
        if self._stop is None:
            return False
        if isinstance(self._stop, threading.Event):
            return self._stop.is_set()
        return bool(self._stop())

    @contextlib.contextmanager
    def catching_sigint(self) -> Iterator[None]:
        """Turn Ctrl-C into a stop request while solving (main thread only), so the best
        plan so far is returned instead of being lost with a traceback."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, frame: Any) -> None:
            self.sigint = True

        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


# -- construction ---------------------------------------------------------------------------
def construct_routes(
    problem: Problem,
    villages: Sequence[int] | None = None,
    *,
    seed: int = 0,
    evaluator: RouteEvaluator | None = None,
    stop: Callable[[], bool] | None = None,
    max_tries: int = 60,
) -> list[list[int]]:
    """A first solution that respects load at every point, windows, releases and limits.

    Two constructions, the better one returned (more villages served, then cheaper):

    * **savings** (Clarke–Wright, parallel): per vehicle type, most vans first, merge the
      rounds with the largest saving whose merged round stays feasible; the rounds are given
      to that type's vans, largest first; villages left over are inserted as below.
      Geographically coherent rounds, good when the fleet is loose.
    * **best-fit decreasing insertion**: villages in decreasing order of their largest load
      fraction (ties: narrower window first, then a seeded random key), each at the
      cheapest position over all vans (a fresh van is charged its fixed cost) whose
      recomputed round stays feasible. Packs tight fleets (bin-packing-like days).

    At most ``max_tries`` cheapest positions (plus a fresh van of each type) are tried per
    inserted village. Returns one village sequence (problem village positions) per vehicle,
    in the order of ``"{type}#{k}"`` expansion; villages that fit nowhere are left out.
    """
    c = _Construction(problem, evaluator, seed, stop, max_tries)
    todo = list(range(len(problem.villages))) if villages is None else list(villages)
    by_savings = c.insert(c.savings(todo), todo)
    by_insertion = c.insert([[] for _ in c.vehicles], todo)
    return min(by_savings, by_insertion, key=lambda r: _score(problem, c.ev, r))


class _Construction:
    """Shared data of the construction heuristics (problem village positions only)."""

    def __init__(
        self,
        problem: Problem,
        evaluator: RouteEvaluator | None,
        seed: int,
        stop: Callable[[], bool] | None,
        max_tries: int,
    ) -> None:
        self.problem = problem
        self.ev = evaluator if evaluator is not None else RouteEvaluator(problem)
        self.vehicles = _vehicles(problem)
        self.stop = stop
        self.max_tries = max_tries
        types = problem.vehicle_types
        self.tiebreak = np.random.default_rng(seed).random(len(problem.villages))
        self.dist = problem.distance_m.tolist()
        self.dur = problem.duration_s.tolist()
        self.vloc = [problem.index(v.location) for v in problem.villages]
        self.tstart = [problem.index(problem.depot(t.start_depot).location) for t in types]
        self.tend = [problem.index(problem.depot(t.return_depot).location) for t in types]
        self.allowed = [set(allowed_types(problem, i)) for i in range(len(problem.villages))]

    def _stopped(self) -> bool:
        return self.stop is not None and self.stop()

    def savings(self, todo: Sequence[int]) -> list[list[int]]:
        """Clarke–Wright rounds per vehicle type, assigned to that type's vans."""
        problem, ev = self.problem, self.ev
        routes: list[list[int]] = [[] for _ in self.vehicles]
        placed: set[int] = set()
        order = sorted(
            range(len(problem.vehicle_types)), key=lambda k: -problem.vehicle_types[k].count
        )
        for ti in order:
            t = problem.vehicle_types[ti]
            cand = [
                i
                for i in todo
                if i not in placed and ti in self.allowed[i] and ev.feasible(ti, [i])
            ]
            if not cand or self._stopped():
                continue
            loc = np.array([self.vloc[i] for i in cand])
            per_m, per_s = t.cost_per_km / 1000.0, t.cost_per_h / 3600.0
            if per_m == 0 and per_s == 0:
                per_m = 1.0
            cost = per_m * problem.distance_m.astype(float) + per_s * problem.duration_s.astype(
                float
            )
            back = cost[loc, self.tend[ti]]  # i → end depot
            out = cost[self.tstart[ti], loc]  # start depot → j
            saving = back[:, None] + out[None, :] - cost[np.ix_(loc, loc)]
            np.fill_diagonal(saving, -np.inf)
            flat = np.argsort(-saving, axis=None, kind="stable")
            n = len(cand)
            route_of = {i: [i] for i in cand}
            for f in flat:
                a, b = divmod(int(f), n)
                if saving[a, b] <= 0:
                    break
                i, j = cand[a], cand[b]
                ra, rb = route_of[i], route_of[j]
                if ra is rb or ra[-1] != i or rb[0] != j:
                    continue
                merged = ra + rb
                if ev.feasible(ti, merged):
                    for v in merged:
                        route_of[v] = merged
            rounds = {id(r): r for r in route_of.values()}.values()
            ranked = sorted(rounds, key=lambda r: (-len(r), r))
            vans = [k for k, veh in enumerate(self.vehicles) if veh.type_index == ti]
            for k, r in zip(vans, ranked, strict=False):
                routes[k] = list(r)
                placed.update(r)
        return routes

    def insert(self, routes: list[list[int]], todo: Sequence[int]) -> list[list[int]]:
        """Best-fit decreasing insertion of the villages of ``todo`` not yet on a round."""
        problem, ev, types = self.problem, self.ev, self.problem.vehicle_types
        dist, dur, vloc = self.dist, self.dur, self.vloc
        routes = [list(r) for r in routes]
        on_round = {i for r in routes for i in r}
        dims = range(len(problem.dimensions))
        max_cap = [max(t.capacity[d] for t in types) for d in dims]

        def difficulty(i: int) -> tuple[float, int, float]:
            v = problem.villages[i]
            frac = max(max(v.delivery[d], v.pickup[d]) / max_cap[d] for d in dims)
            return (-frac, v.window[1] - v.window[0], float(self.tiebreak[i]))

        for i in sorted((i for i in todo if i not in on_round), key=difficulty):
            if self._stopped():
                break
            cands: list[tuple[float, int, int]] = []
            empty_seen: set[int] = set()
            loc = vloc[i]
            serv = problem.villages[i].service_s
            for k, veh in enumerate(self.vehicles):
                ti = veh.type_index
                if ti not in self.allowed[i]:
                    continue
                t = types[ti]
                seq = routes[k]
                if not seq:
                    if ti in empty_seen:
                        continue
                    empty_seen.add(ti)
                per_m = t.cost_per_km / 1000.0
                per_s = t.cost_per_h / 3600.0
                prev = self.tstart[ti]
                for p in range(len(seq) + 1):
                    nxt = vloc[seq[p]] if p < len(seq) else self.tend[ti]
                    dd = dist[prev][loc] + dist[loc][nxt] - dist[prev][nxt]
                    dt = dur[prev][loc] + dur[loc][nxt] - dur[prev][nxt] + serv
                    cost = per_m * dd + per_s * dt + (t.fixed_cost if not seq else 0.0)
                    cands.append((cost, k, p))
                    prev = nxt
            cands.sort()
            # The cheapest positions, then (never cut) a fresh van of each type.
            limit = self.max_tries
            tries = cands[:limit] + [c for c in cands[limit:] if not routes[c[1]]]
            for _, k, p in tries:
                trial = [*routes[k][:p], i, *routes[k][p:]]
                if ev.feasible(self.vehicles[k].type_index, trial):
                    routes[k] = trial
                    break
        return routes


# -- the OR-Tools model ----------------------------------------------------------------------
class _Model:
    """Builds the routing model; holds the node ↔ village mapping (never exported)."""

    def __init__(self, problem: Problem, villages: Sequence[int]) -> None:
        from ortools.constraint_solver import pywrapcp

        self.problem = problem
        self.vehicles = _vehicles(problem)
        depot_pos = {d.id: k for k, d in enumerate(problem.depots)}
        nd = len(problem.depots)
        self.node_village = {nd + j: i for j, i in enumerate(villages)}
        self.village_node = {i: n for n, i in self.node_village.items()}
        loc_of_node = [problem.index(d.location) for d in problem.depots] + [
            problem.index(problem.villages[i].location) for i in villages
        ]
        types = problem.vehicle_types
        starts = [depot_pos[types[v.type_index].start_depot] for v in self.vehicles]
        ends = [depot_pos[types[v.type_index].return_depot] for v in self.vehicles]
        n_nodes = len(loc_of_node)
        self.manager = pywrapcp.RoutingIndexManager(n_nodes, len(self.vehicles), starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        routing, manager = self.routing, self.manager
        ix = np.ix_(loc_of_node, loc_of_node)
        dist = np.minimum(problem.distance_m[ix], _BIG)
        service = np.array(
            [0] * nd + [problem.villages[i].service_s for i in villages], dtype=np.int64
        )
        travel = np.minimum(problem.duration_s[ix], _BIG) + service[:, None]
        np.fill_diagonal(travel, 0)

        # Arc costs per distinct per-km rate (micro-yuan per metre), fixed costs.
        arc_cb: dict[int, int] = {}
        for k, veh in enumerate(self.vehicles):
            t = types[veh.type_index]
            per_m = round(t.cost_per_km * COST_SCALE / 1000)
            if per_m not in arc_cb:
                arc_cb[per_m] = routing.RegisterTransitMatrix((dist * per_m).tolist())
            routing.SetArcCostEvaluatorOfVehicle(arc_cb[per_m], k)
            routing.SetFixedCostOfVehicle(round(t.fixed_cost * COST_SCALE), k)

        # Time.
        horizon = max(
            [HORIZON]
            + [t.shift_end_s for t in types]
            + [v.window[1] for v in problem.villages]
            + [v.release_s for v in problem.villages]
        )
        time_cb = routing.RegisterTransitMatrix(travel.tolist())
        routing.AddDimension(time_cb, horizon, horizon, False, "time")
        self.time = time = routing.GetDimensionOrDie("time")
        for node, i in self.node_village.items():
            v = problem.villages[i]
            time.CumulVar(manager.NodeToIndex(node)).SetRange(v.window[0], v.window[1])
        for k, veh in enumerate(self.vehicles):
            t = types[veh.type_index]
            ready = max(t.shift_start_s, problem.depot(t.start_depot).ready_s)
            time.CumulVar(routing.Start(k)).SetRange(ready, t.shift_end_s)
            time.CumulVar(routing.End(k)).SetRange(ready, t.shift_end_s)
            if t.max_duration_s < horizon:
                time.SetSpanUpperBoundForVehicle(t.max_duration_s, k)
            per_s = round(t.cost_per_h * COST_SCALE / 3600)
            if per_s:
                time.SetSpanCostCoefficientForVehicle(per_s, k)

        # Release times: a dimension constant along each round, ≥ each visited release.
        earliest = min(max(t.shift_start_s, problem.depot(t.start_depot).ready_s) for t in types)
        if any(problem.villages[i].release_s > earliest for i in villages):
            zero = routing.RegisterUnaryTransitVector([0] * n_nodes)
            routing.AddDimension(zero, 0, horizon, False, "release")
            rel = routing.GetDimensionOrDie("release")
            for node, i in self.node_village.items():
                rel.CumulVar(manager.NodeToIndex(node)).SetMin(problem.villages[i].release_s)
            solver = routing.solver()
            for k in range(len(self.vehicles)):
                solver.Add(time.CumulVar(routing.Start(k)) >= rel.CumulVar(routing.Start(k)))

        # Load at every point, per load dimension.
        for d, dname in enumerate(problem.dimensions):
            deliv = [0] * nd + [problem.villages[i].delivery[d] for i in villages]
            net = [0] * nd + [
                problem.villages[i].pickup[d] - problem.villages[i].delivery[d] for i in villages
            ]
            caps = [types[v.type_index].capacity[d] for v in self.vehicles]
            deliv_cb = routing.RegisterUnaryTransitVector(deliv)
            net_cb = routing.RegisterUnaryTransitVector(net)
            routing.AddDimensionWithVehicleCapacity(deliv_cb, 0, caps, True, f"deliv_{dname}")
            routing.AddDimensionWithVehicleCapacity(net_cb, 0, caps, False, f"load_{dname}")
            dd = routing.GetDimensionOrDie(f"deliv_{dname}")
            ld = routing.GetDimensionOrDie(f"load_{dname}")
            solver = routing.solver()
            for k in range(len(self.vehicles)):
                solver.Add(ld.CumulVar(routing.Start(k)) == dd.CumulVar(routing.End(k)))

        # Distance limits.
        if any(t.max_distance_m < _BIG for t in types):
            dist_cb = routing.RegisterTransitMatrix(dist.tolist())
            caps = [min(types[v.type_index].max_distance_m, _BIG) for v in self.vehicles]
            routing.AddDimensionWithVehicleCapacity(dist_cb, 0, caps, True, "distance")

        # Optional villages; depot restrictions.
        penalty = round(UNSERVED_PENALTY_YUAN * COST_SCALE)
        for node, i in self.node_village.items():
            index = manager.NodeToIndex(node)
            routing.AddDisjunction([index], penalty)
            ok = set(allowed_types(problem, i))
            if len(ok) < len(types):
                # SetAllowedVehiclesForIndex's Python binding rejects lists in 9.15;
                # restricting the vehicle variable's domain is equivalent (-1: unperformed).
                routing.VehicleVar(index).SetValues(
                    [-1] + [k for k, v in enumerate(self.vehicles) if v.type_index in ok]
                )

    def routes_to_indices(self, routes: Sequence[Sequence[int]]) -> list[list[int]]:
        return [[self.manager.NodeToIndex(self.village_node[i]) for i in seq] for seq in routes]

    def sequences(self, assignment: Any) -> list[list[int]]:
        """Village positions per vehicle from a solver assignment."""
        out: list[list[int]] = []
        routing, manager = self.routing, self.manager
        for k in range(len(self.vehicles)):
            seq: list[int] = []
            index = assignment.Value(routing.NextVar(routing.Start(k)))
            while not routing.IsEnd(index):
                seq.append(self.node_village[manager.IndexToNode(index)])
                index = assignment.Value(routing.NextVar(index))
            out.append(seq)
        return out


def _search_parameters(
    time_limit_s: float, solution_limit: int | None, log_search: bool, *, descent: bool = False
) -> Any:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    # Guided local search never ends by itself; greedy descent stops at a local optimum,
    # so a work-bounded (deterministic) search always terminates.
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
        if descent
        else routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    if solution_limit is not None:
        params.solution_limit = int(solution_limit)
    params.log_search = log_search
    return params


# -- entry point ------------------------------------------------------------------------------
def solve_ortools(
    problem: Problem,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    progress: ProgressFn | None = None,
    stop: StopFn | None = None,
    solution_limit: int | None = None,
    first_solution: str = "best",
    log_search: bool = False,
    descent: bool = False,
) -> Plan:
    """Solve ``problem`` with OR-Tools routing (guided local search; ``descent=True``:
    greedy descent, which ends by itself at a local optimum — the deterministic mode).

    ``time_limit_s`` bounds the search (wall clock); ``solution_limit`` additionally bounds
    it by the number of solutions OR-Tools accepts — use it (with a generous time limit) for
    reproducible results. ``progress(elapsed_s, cost_yuan)`` is called on every improving
    solution; ``cost_yuan`` is its cost without the unserved penalties, so it can rise when
    the search places one more village.
    ``stop`` (a callable returning True, or a ``threading.Event``) and Ctrl-C end the search
    early: the best plan so far is returned with status ``"interrupted"``.
    ``first_solution``: ``"construct"`` (our savings / insertion), ``"ortools"`` (OR-Tools'
    parallel cheapest insertion) or ``"best"`` (default: ours, and OR-Tools' too when ours
    leaves villages out; the search starts from the one serving more, then the cheaper).
    """
    if first_solution not in ("best", "construct", "ortools"):
        raise ValueError(f"first_solution = {first_solution!r}: 'best', 'construct' or 'ortools'")
    t0 = time.perf_counter()
    flag = _StopFlag(stop)
    ev = RouteEvaluator(problem)
    ids = [v.id for v in problem.villages]
    alone = {u.village: u for u in diagnose(problem, ids, ev)}
    model_villages = [i for i, vid in enumerate(ids) if alone[vid].reason == "fleet_size"]
    meta: dict[str, Any] = {
        "seed": seed,
        "time_limit_s": time_limit_s,
        "solution_limit": solution_limit,
        "first_solution": first_solution,
        "cost_unit": "micro-yuan",
        "excluded_before_search": len(ids) - len(model_villages),
    }
    error: list[BaseException] = []
    with flag.catching_sigint():
        initial: list[list[int]] | None = None
        if first_solution in ("construct", "best"):
            initial = construct_routes(problem, model_villages, seed=seed, evaluator=ev, stop=flag)
            meta["construct_served"] = sum(len(r) for r in initial)
            meta["construct_s"] = round(time.perf_counter() - t0, 3)
        sequences = initial
        status_name = "NOT_RUN"
        if not flag():
            model = _Model(problem, model_villages)
            routing = model.routing
            remaining = max(0.05, time_limit_s - (time.perf_counter() - t0))
            params = _search_parameters(remaining, solution_limit, log_search, descent=descent)
            best = [float("inf")]
            count = [0]
            penalty = round(UNSERVED_PENALTY_YUAN * COST_SCALE)
            village_indices = [model.manager.NodeToIndex(n) for n in model.node_village]

            def on_solution() -> None:
                try:
                    count[0] += 1
                    cost = routing.CostVar().Value()
                    if cost < best[0]:
                        best[0] = cost
                        if progress is not None:
                            dropped = sum(
                                1 for ix in village_indices if routing.NextVar(ix).Value() == ix
                            )
                            progress(
                                time.perf_counter() - t0, (cost - dropped * penalty) / COST_SCALE
                            )
                    if flag():
                        routing.solver().FinishCurrentSearch()
                except BaseException as exc:  # never let an exception unwind through C++
                    if not isinstance(exc, KeyboardInterrupt):
                        error.append(exc)  # re-raised once the solver has returned
                    flag.sigint = True
                    routing.solver().FinishCurrentSearch()

            routing.AddAtSolutionCallback(on_solution)
            routing.CloseModelWithParameters(params)
            starts: dict[str, list[list[int]]] = {}
            if initial is not None:
                starts["construct"] = initial
            unplaced = initial is None or sum(map(len, initial)) < len(model_villages)
            if not flag() and (
                first_solution == "ortools" or (first_solution == "best" and unplaced)
            ):
                first_only = _search_parameters(remaining, 1, False)
                t_first = time.perf_counter()
                found = routing.SolveWithParameters(first_only)
                meta["ortools_first_s"] = round(time.perf_counter() - t_first, 3)
                if found is not None:
                    starts["ortools"] = model.sequences(found)
            scores = {k: _score(problem, ev, seqs) for k, seqs in starts.items()}
            meta["first_solutions"] = {
                k: {"served": -sc[0], "cost": round(sc[1], 4)} for k, sc in scores.items()
            }
            solution = None
            for name in sorted(scores, key=lambda k: scores[k]):
                if flag():
                    break
                start = routing.ReadAssignmentFromRoutes(
                    model.routes_to_indices(starts[name]), True
                )
                if start is None:
                    meta[f"{name}_rejected"] = True
                    continue
                meta["first_solution_used"] = name
                sequences = starts[name]
                count[0] = 0  # solution_limit counts the search from this start
                params.time_limit.FromMilliseconds(
                    max(1, round(1000 * (time_limit_s - (time.perf_counter() - t0))))
                )
                solution = routing.SolveFromAssignmentWithParameters(start, params)
                break
            if solution is None and not flag() and not starts:
                solution = routing.SolveWithParameters(params)
            from ortools.constraint_solver import routing_enums_pb2

            status_name = routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
            meta["solutions"] = count[0]
            if solution is not None:
                sequences = model.sequences(solution)
                meta["objective"] = solution.ObjectiveValue() / COST_SCALE
        meta["search_status"] = status_name
    if error:
        raise error[0]
    if sequences is None:
        sequences = [[] for _ in _vehicles(problem)]
    interrupted = flag()
    if interrupted:
        meta["stopped_by"] = "stop"
    elif meta["search_status"] == "ROUTING_OPTIMAL":
        meta["stopped_by"] = "search_complete"
    elif solution_limit is not None and meta.get("solutions", 0) >= solution_limit:
        meta["stopped_by"] = "solution_limit"
    elif descent and time.perf_counter() - t0 < 0.99 * time_limit_s:
        meta["stopped_by"] = "local_optimum"  # greedy descent found no improving move
    else:
        meta["stopped_by"] = "time_limit"
    return _plan(problem, ev, sequences, alone, interrupted, meta, time.perf_counter() - t0)


def _score(
    problem: Problem, ev: RouteEvaluator, sequences: Sequence[Sequence[int]]
) -> tuple[int, float]:
    """(−villages served, cost in yuan) of a set of sequences: smaller is better."""
    served, cost = 0, 0.0
    for veh, seq in zip(_vehicles(problem), sequences, strict=True):
        if seq:
            served += len(seq)
            cost += ev.evaluate(veh.type_index, seq).cost
    return (-served, cost)


def _plan(
    problem: Problem,
    ev: RouteEvaluator,
    sequences: Sequence[Sequence[int]],
    alone: dict[str, Unserved],
    interrupted: bool,
    meta: dict[str, Any],
    wall_s: float,
) -> Plan:
    """Turn village sequences per vehicle into a Plan (times recomputed, user ids only)."""
    types = problem.vehicle_types
    routes: list[Route] = []
    disagreements: list[str] = []
    dropped: set[int] = set()
    for veh, seq in zip(_vehicles(problem), sequences, strict=True):
        if not seq:
            continue
        t = types[veh.type_index]
        rt = ev.evaluate(veh.type_index, seq)
        if not rt.feasible:
            disagreements.append(f"{veh.name}: {rt.reason}: {rt.detail}")
            if not rt.arrivals:  # no times at all (no road): cannot be reported as served
                dropped.update(seq)
                continue
        stops = tuple(
            Stop(
                village=problem.villages[i].id,
                arrival_s=rt.arrivals[p],
                start_s=rt.starts[p],
                departure_s=rt.departures[p],
                load_after=rt.loads_after[p],
            )
            for p, i in enumerate(seq)
        )
        routes.append(
            Route(
                vehicle=veh.name,
                vehicle_type=t.name,
                start_depot=t.start_depot,
                end_depot=t.return_depot,
                depart_s=rt.depart_s,
                return_s=rt.return_s,
                stops=stops,
                load_start=rt.load_start,
                distance_m=rt.distance_m,
                cost=rt.cost,
            )
        )
    served = {i for seq in sequences for i in seq} - dropped
    unserved: list[Unserved] = []
    for i, v in enumerate(problem.villages):
        if i in served:
            continue
        u = alone[v.id]
        if interrupted and u.reason == "fleet_size":
            u = Unserved(v.id, "interrupted", "the search was stopped before placing it")
        unserved.append(u)
    if disagreements:
        meta["evaluator_disagreements"] = disagreements
    status = "interrupted" if interrupted else ("partial" if unserved else "feasible")
    return Plan(
        routes=tuple(routes),
        unserved=tuple(unserved),
        cost=sum(r.cost for r in routes),
        backend="ortools",
        status=status,
        wall_s=wall_s,
        meta=meta,
    )
