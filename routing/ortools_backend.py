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
* **Optional villages**: each village is a disjunction with its own penalty
  (:attr:`routing.problem.Village.penalty`: by default far above any round cost; the
  application weighs it by the parcels and pickups left behind), so an over-constrained day
  still returns a plan and a short fleet leaves the fewest parcels behind; dropped villages
  are explained by :func:`routing.diagnose.diagnose`. Villages that cannot be served even
  alone never enter the model.
* **The promise (soft)**: ``SetCumulVarSoftUpperBound(due_s, late_cost_per_h / 3600)``
  on the time cumul (the service start), in micro-yuan per second, so lateness is part of
  the objective; a hard promise is a window closing at the promised time.
* **First solution**: OR-Tools' insertion heuristics leave villages out on tight fleets
  (``tight_fleet_problem`` in the tests: 5 of 6 served) and are slow on long days (5 s
  for the 201-village test county day, which our savings construction serves fully in
  0.06 s), so :func:`routing.construct.construct_routes` (Clarke–Wright savings and
  best-fit decreasing insertion, both with the full feasibility check of
  :class:`~routing.evaluate.RouteEvaluator`) builds the start, handed to the search with
  ``ReadAssignmentFromRoutes``; OR-Tools' parallel cheapest insertion is tried as well only
  when ours leaves villages out. OR-Tools does not check its time limit inside its own
  first-solution phase; ours checks the stop flag between insertions.
* **Search**: guided local search. OR-Tools has no random seed for routing; ``seed`` only
  breaks ties in the construction's insertion order. With a wall-clock limit the number of
  search steps — hence the result — can vary run to run; pass ``solution_limit`` for a
  deterministic search (same inputs + seed ⇒ same plan).
* **Stop times in the plan** are recomputed by :class:`~routing.evaluate.RouteEvaluator`
  from the solver's sequence: earliest feasible departure, postponed as long as that only
  removes waiting — the van leaves as late as useful.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from routing.callbacks import ProgressFn, StopFlag, StopFn
from routing.construct import construct_routes, score, vans
from routing.diagnose import allowed_types, diagnose
from routing.evaluate import RouteEvaluator
from routing.plan import Plan, Route, Unserved
from routing.problem import DEFAULT_DROP_PENALTY, HORIZON, Problem

# ProgressFn, StopFn (routing.callbacks) and construct_routes (routing.construct) are
# re-exported for the imports that name them here.
__all__ = ["COST_SCALE", "ProgressFn", "StopFn", "construct_routes", "solve_ortools"]

#: Integer cost units per yuan inside the OR-Tools model (micro-yuan).
COST_SCALE = 1_000_000
#: Penalty for leaving a village unserved when it gives none, in yuan (far above any
#: realistic round cost); each village's own is :attr:`routing.problem.Village.penalty`.
UNSERVED_PENALTY_YUAN = DEFAULT_DROP_PENALTY
_BIG = 10**9


# -- the OR-Tools model ----------------------------------------------------------------------
class _Model:
    """Builds the routing model; holds the node ↔ village mapping (never exported)."""

    def __init__(self, problem: Problem, villages: Sequence[int]) -> None:
        from ortools.constraint_solver import pywrapcp

        self.problem = problem
        self.vehicles = vans(problem)
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
            if v.due_s is not None and v.late_cost_per_h > 0 and v.due_s < v.window[1]:
                # Soft promise: micro-yuan per second of service start after due_s.
                per_s = max(1, round(v.late_cost_per_h * COST_SCALE / 3600))
                time.SetCumulVarSoftUpperBound(manager.NodeToIndex(node), v.due_s, per_s)
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

        # Optional villages (each with its own drop penalty); depot restrictions.
        self.penalty = {
            node: round(problem.villages[i].penalty * COST_SCALE)
            for node, i in self.node_village.items()
        }
        for node, i in self.node_village.items():
            index = manager.NodeToIndex(node)
            routing.AddDisjunction([index], self.penalty[node])
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
    One trip per van: a problem whose vans may make second trips (``max_trips`` > 1) is
    rejected with a ``ValueError`` rather than silently planned on one trip.

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
    multi = [t for t in problem.vehicle_types if t.max_trips > 1]
    if multi:
        raise ValueError(
            f"vehicle type {multi[0].name!r}.max_trips = {multi[0].max_trips}: the OR-Tools "
            "backend plans one trip per van; solve second trips with 'pyvrp' or 'auto' (which "
            "runs OR-Tools on one trip per van as its safety net), or "
            "problem.one_trip() for one trip per van"
        )
    t0 = time.perf_counter()
    flag = StopFlag(stop)
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
            village_penalty = [
                (model.manager.NodeToIndex(n), model.penalty[n]) for n in model.node_village
            ]

            def on_solution() -> None:
                try:
                    count[0] += 1
                    cost = routing.CostVar().Value()
                    if cost < best[0]:
                        best[0] = cost
                        if progress is not None:
                            dropped = sum(
                                pen
                                for ix, pen in village_penalty
                                if routing.NextVar(ix).Value() == ix
                            )
                            progress(time.perf_counter() - t0, (cost - dropped) / COST_SCALE)
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
            scores = {k: score(problem, ev, seqs) for k, seqs in starts.items()}
            meta["first_solutions"] = {
                k: {"served": sum(map(len, starts[k])), "cost": round(sc[1], 4)}
                for k, sc in scores.items()
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
        sequences = [[] for _ in vans(problem)]
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
    routes: list[Route] = []
    disagreements: list[str] = []
    dropped: set[int] = set()
    for veh, seq in zip(vans(problem), sequences, strict=True):
        if not seq:
            continue
        rt = ev.evaluate(veh.type_index, seq)
        if not rt.feasible:
            disagreements.append(f"{veh.name}: {rt.reason}: {rt.detail}")
            if rt.reason == "unreachable":  # no road: cannot be reported as served
                dropped.update(seq)
                continue
        routes.append(ev.route(veh.name, veh.type_index, seq, rt))
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
