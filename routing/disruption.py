"""Faults during the day — a van breaks down, a road closes — and re-planning what remains.

A plan is made in the morning; at ``at_s`` something happens. :func:`fleet_state` says
where every van is at that moment, what it has done and what it carries;
:func:`replan` builds the *residual problem* (what is left, from where the vans are now)
and solves it, then joins the result to what was already done into a complete day.

Rules (each one a choice, stated so a planner can check it):

* **Committed stops.** A van that is serving a village, or driving towards it, at ``at_s``
  finishes that stop as planned (the arc in progress is driven as planned, even if a road
  on it closes at ``at_s``). Its *position* is that village, free at the stop's departure.
* **On board stays on board.** A running van keeps the parcels it loaded at the hub, so the
  villages still ahead of it can only be served by that van: in the residual problem each
  running van gets its own start depot (``"@" + vehicle``, at its position, ready at its free
  time), those villages are tied to it, and its capacity is reduced by the pickups already
  on board (they ride to the hub). A residual capacity of 0 is raised to 1 (the
  :class:`VehicleType` contract), i.e. at most one unit of slack.
* **Duty.** A van's day still ends by ``min(shift_end, first departure + max_duration)``;
  distance already driven counts against ``max_distance_m``; its fixed cost is already paid.
* **Broken-down van.** Stops it reached (arrival ≤ breakdown) are done; it serves nothing
  after. Parcels still on it are brought back to its depot by a rescue: they are there at
  breakdown + ``recovery_delay_s`` (default 90 min) + the drive from its last location,
  and become villages *released* at that time for vans that start at the depot.
* **Spare vans.** Vans never used, vans not yet departed (their parcels are unloaded and
  re-planned) and vans back at the depot with shift left (a *second round*, named
  ``vehicle + "/2"`` in the complete day) start from their depot.
* **Several events** are taken in time order: at each event time the day so far (the
  plan, or the previous re-plan) is re-planned from the state then. A broken van stays
  broken; parcels brought back to the depot (by a rescue, or on a van that could not
  deliver them) keep that later release time. Road closures act through
  ``problem_after`` (matrices with the closed roads removed, computed by the caller): arcs
  that became impossible show up as ``unreachable``; a van cut off from its depot stops
  where it is (``plan.meta["stranded"]``).
* **At most two rounds** a van a day (a second round is planned only from a first).
* **Keep, then repair** (``policy="keep"``, the default): rounds that are still feasible are
  kept unchanged (drivers already on the road are not re-routed for a small gain); only the
  orphaned villages are re-planned, with the spare vans and the vans whose round broke. If
  that leaves a planned village undelivered, the whole residual problem is also solved and
  used when it delivers more of them. ``policy="full"`` re-solves everything that remains.

Every village of the problem ends exactly once in the complete day: done, served by a
residual round, or unserved with a reason (diagnosed on the residual problem).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from routing.check import check, route_cost
from routing.diagnose import diagnose
from routing.plan import Plan, Route, Stop, Unserved
from routing.problem import Depot, Problem, ProblemError, VehicleType, Village

__all__ = [
    "RECOVERY_DELAY_S",
    "DisruptionError",
    "FleetState",
    "Replan",
    "ReplanStage",
    "RoadClosure",
    "VanBreakdown",
    "VanState",
    "VillageChange",
    "fleet_names",
    "fleet_state",
    "replan",
    "timed_route",
]

#: Seconds from a breakdown until a rescue vehicle has taken the parcels off the van.
RECOVERY_DELAY_S = 90 * 60
POLICIES = ("keep", "full")


class DisruptionError(ValueError):
    """An event or a plan does not fit the problem; the message names the id and value."""


@dataclass(frozen=True, slots=True)
class VanBreakdown:
    """Van ``vehicle`` (e.g. ``"van#3"``) stops for the day at clock second ``at_s``."""

    vehicle: str
    at_s: int

    def __post_init__(self) -> None:
        _check_time("VanBreakdown", self.at_s)


@dataclass(frozen=True, slots=True)
class RoadClosure:
    """Road-graph ``edges`` (node pairs) close at ``at_s``. Routing sees a closure only
    through the new matrices passed as ``problem_after``; the edges are kept for reports."""

    edges: tuple[tuple[str, str], ...]
    at_s: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "edges", tuple((str(a), str(b)) for a, b in self.edges))
        _check_time("RoadClosure", self.at_s)
        if not self.edges:
            raise DisruptionError("RoadClosure.edges: at least one edge")


Event = VanBreakdown | RoadClosure


def _check_time(owner: str, t: Any) -> None:
    if isinstance(t, bool) or not isinstance(t, int) or t < 0:
        raise DisruptionError(f"{owner}.at_s = {t!r}: must be an integer >= 0 (clock seconds)")


@dataclass(frozen=True, slots=True)
class VanState:
    """One van at the re-planning moment.

    ``status``: ``"idle"`` (never left, or not yet: at its start depot), ``"on_round"``,
    ``"returning"`` (all stops done, driving home), ``"back"`` (at its end depot) or
    ``"broken"``. ``location`` is where it is (or is committed to reach) at ``free_s``.
    ``on_board`` are villages whose parcels it carries and has not delivered; ``load`` is
    what is on board at ``free_s`` per dimension (their deliveries + pickups collected),
    ``pickups_on_board`` the part that goes back to the depot. ``round`` is 2 on a
    second round, whose van served ``earlier`` on its first; ``depart_s`` (start of
    duty) and ``distance_m`` then count from the first round.
    """

    vehicle: str
    vehicle_type: str
    status: str
    location: str
    free_s: int
    done: tuple[str, ...]
    on_board: tuple[str, ...]
    load: tuple[int, ...]
    pickups_on_board: tuple[int, ...]
    depart_s: int | None
    distance_m: int
    round: int = 1
    earlier: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FleetState:
    """Every van of the problem's fleet at ``at_s`` (vehicles in type order, then number)."""

    at_s: int
    vans: tuple[VanState, ...]

    def van(self, vehicle: str) -> VanState:
        for v in self.vans:
            if v.vehicle == vehicle:
                return v
        raise KeyError(vehicle)

    @property
    def done(self) -> tuple[str, ...]:
        return tuple(vid for v in self.vans for vid in (*v.earlier, *v.done))


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
    events: tuple[Event, ...]
    changes: tuple[VillageChange, ...]
    policy_used: str
    violations: tuple[str, ...]
    stages: tuple[ReplanStage, ...] = ()

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


# -- fleet state ------------------------------------------------------------------------
def fleet_names(problem: Problem) -> tuple[str, ...]:
    """Every van's name, ``type#k`` as the backends number them."""
    return tuple(f"{t.name}#{k}" for t in problem.vehicle_types for k in range(t.count))


def fleet_state(
    plan: Plan, problem: Problem, at_s: int, *, broken: Mapping[str, int] | None = None
) -> FleetState:
    """Where each van is at ``at_s`` (see the module docstring for the rules).

    ``broken`` maps a vehicle to its breakdown time: that van's state is taken at that
    time, and it does nothing afterwards. ``plan`` may be a re-planned day, where a van's
    second round is named ``vehicle + "/2"``; distances driven are measured on
    ``problem``'s matrices.
    """
    broken = dict(broken or {})
    names = fleet_names(problem)
    routes = {r.vehicle: r for r in plan.routes}
    unknown = sorted(set(routes) - set(names) - {f"{n}/2" for n in names})
    if unknown:
        raise DisruptionError(f"plan round of {unknown[0]!r}: no such van in the problem")
    for veh in broken:
        if veh not in names:
            raise DisruptionError(
                f"breakdown of {veh!r}: no such van (fleet: {_fleet_hint(names)})"
            )
    villages = {v.id: v for v in problem.villages}
    dims = len(problem.dimensions)
    zero = (0,) * dims
    out = []
    for t in problem.vehicle_types:
        depot_loc = problem.depot(t.start_depot).location
        end_loc = problem.depot(t.return_depot).location
        for k in range(t.count):
            veh = f"{t.name}#{k}"
            when = broken.get(veh, at_s)
            r, first, rnd = routes.get(veh), None, 1
            second = routes.get(f"{veh}/2")
            if r is not None and second is not None and when >= second.depart_s:
                r, first, rnd = second, r, 2
            if r is None or when < r.depart_s:
                status = "broken" if veh in broken else "idle"
                out.append(
                    VanState(veh, t.name, status, depot_loc, max(when, at_s), (), (), zero,
                             zero, None, 0)
                )  # fmt: skip
                continue
            stops = r.stops
            last_dep = stops[-1].departure_s if stops else r.depart_s
            if veh in broken:
                n_done = sum(1 for s in stops if s.arrival_s <= when)
                status, free = "broken", when
                loc = villages[stops[n_done - 1].village].location if n_done else depot_loc
            elif when >= r.return_s or last_dep <= when:
                n_done = len(stops)
                status = "back" if when >= r.return_s else "returning"
                loc, free = end_loc, r.return_s
            else:
                n_done = next(i for i, s in enumerate(stops) if s.departure_s > when) + 1
                status = "on_round"
                loc = villages[stops[n_done - 1].village].location
                free = stops[n_done - 1].departure_s
            done = tuple(s.village for s in stops[:n_done])
            ahead = tuple(s.village for s in stops[n_done:])
            pick = tuple(sum(villages[v].pickup[d] for v in done) for d in range(dims))
            deliv = tuple(sum(villages[v].delivery[d] for v in ahead) for d in range(dims))
            path = [depot_loc] + [villages[v].location for v in done]
            if status in ("back", "returning"):
                path.append(end_loc)
            driven = sum(problem.distance(a, b) for a, b in itertools.pairwise(path))
            out.append(
                VanState(
                    vehicle=veh,
                    vehicle_type=t.name,
                    status=status,
                    location=loc,
                    free_s=free,
                    done=done,
                    on_board=ahead,
                    load=tuple(a + b for a, b in zip(deliv, pick, strict=True)),
                    pickups_on_board=pick if status in ("on_round", "broken") else zero,
                    depart_s=r.depart_s if first is None else first.depart_s,
                    distance_m=driven + (0 if first is None else first.distance_m),
                    round=rnd,
                    earlier=() if first is None else first.villages,
                )
            )
    return FleetState(at_s, tuple(out))


def _fleet_hint(names: Sequence[str]) -> str:
    return ", ".join(names) if len(names) <= 6 else f"{names[0]} … {names[-1]}"


# -- re-planning ------------------------------------------------------------------------
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
    events: Iterable[Event],
    *,
    problem_after: Problem | Mapping[int, Problem] | None = None,
    at_s: int | None = None,
    backend: str = "ortools",
    time_limit_s: float = 5.0,
    seed: int = 0,
    deterministic: bool = False,
    policy: str = "keep",
    recovery_delay_s: int = RECOVERY_DELAY_S,
) -> Replan:
    """Re-plan the rest of the day after ``events`` (see the module docstring).

    Events are taken in time order: at each distinct event time the day so far (the plan,
    or the previous re-plan) is re-planned from the state then. ``problem_after``: the
    problem with the travel matrices after the road closures (only matrices are used) —
    one problem for all closures (used from the first closure on), or a mapping
    closure time → problem with every closure up to that time. ``at_s``: an extra
    re-planning moment (e.g. with no event: "what if we re-planned now"). ``backend``,
    ``time_limit_s``, ``seed`` and ``deterministic`` go to :func:`routing.solve.solve` for
    each residual solve.
    """
    from routing.solve import solve

    events = tuple(sorted(events, key=lambda e: e.at_s if _is_event(e) else -1))
    for e in events:
        if not _is_event(e):
            raise DisruptionError(f"event {e!r}: expected VanBreakdown or RoadClosure")
    if policy not in POLICIES:
        raise DisruptionError(f"policy = {policy!r}: expected one of {POLICIES}")
    times = sorted({e.at_s for e in events} | ({at_s} if at_s is not None else set()))
    if not times:
        raise DisruptionError("replan: no event and no at_s: nothing says when to re-plan")
    matrices_at = _matrices(problem, problem_after, events)
    kwargs: dict[str, Any] = {
        "backend": backend,
        "time_limit_s": time_limit_s,
        "seed": seed,
        "deterministic": deterministic,
    }
    planned = set(plan.served)

    def lost(p: Plan) -> int:
        return sum(1 for u in p.unserved if u.village in planned)

    current, driven_on = plan, problem
    broken: dict[str, int] = {}
    stuck: dict[str, tuple[str, int | None]] = {}
    stages: list[ReplanStage] = []
    violations: list[str] = []
    state = FleetState(times[0], ())
    for now in times:
        for e in events:
            if isinstance(e, VanBreakdown) and e.at_s == now:
                broken[e.vehicle] = min(e.at_s, broken.get(e.vehicle, e.at_s))
        base = matrices_at(now)
        state = fleet_state(current, driven_on, now, broken=broken)
        residual, info = _residual(problem, base, current, state, now, recovery_delay_s, stuck)
        candidates: list[tuple[str, Plan]] = []
        if policy == "keep":
            candidates.append(("keep", _keep_and_repair(residual, info, solve, kwargs)))
        if policy == "full" or lost(candidates[0][1]) > 0:
            full = _solve_all(residual, solve, kwargs)
            if policy == "full" or lost(full) < lost(candidates[0][1]):
                candidates.append(("full", full))
        used, rplan = candidates[-1]
        rplan = _with_reasons(rplan, residual, info)
        found = [f"{_hhmm(now)}: {v}" for v in check(rplan, residual)]
        violations += found
        rplan = dataclasses.replace(rplan, meta={**rplan.meta, "policy": used,
                                                 "violations": found})  # fmt: skip
        so_far = tuple(e for e in events if e.at_s <= now)
        current, stranded, came_back = _compose(
            problem, base, current, state, rplan, info, now, so_far
        )
        # release floors stay; "where the parcels are" only explains the still unserved
        missing = {u.village for u in rplan.unserved}
        stuck = {
            vid: (where if vid in missing else "", ready)
            for vid, (where, ready) in {**info.stuck, **came_back}.items()
        }
        for veh, t in stranded.items():
            broken.setdefault(veh, t)
        driven_on = base
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
    )


def _is_event(e: Any) -> bool:
    return isinstance(e, VanBreakdown | RoadClosure)


def _matrices(
    problem: Problem, after: Problem | Mapping[int, Problem] | None, events: tuple[Event, ...]
) -> Any:
    """time → the problem whose matrices hold then."""
    if after is None:
        return lambda t: problem
    table = dict(after) if isinstance(after, Mapping) else None
    if table is None:
        assert isinstance(after, Problem)
        first = min((e.at_s for e in events if isinstance(e, RoadClosure)), default=0)
        table = {first: after}
    for t, p in table.items():
        if p.locations != problem.locations:
            raise DisruptionError(f"problem_after[{t}]: locations differ from the problem's")

    def at(t: int) -> Problem:
        keys = [k for k in table if k <= t]
        return table[max(keys)] if keys else problem

    return at


@dataclass(frozen=True)
class _Info:
    """Bookkeeping for a residual problem: residual type name → van, and kept rounds."""

    van_of_type: dict[str, str]  # residual vehicle type → original vehicle
    second_round: set[str]  # residual types that are a van's second round
    kept: dict[str, tuple[str, ...]]  # residual type → village sequence to try to keep
    keep_depart: dict[str, int]  # residual type → departure that reproduces the plan
    stuck: dict[str, tuple[str, int | None]]  # village → (where its parcels are, at depot at)
    offset: dict[str, tuple[int, ...]]  # running van → load not in the residual model


def _home_depot(problem: Problem, plan: Plan, v: Village) -> str:
    """The depot from which a village's parcels leave when they are at a depot."""
    if v.depot is not None:
        return v.depot
    if len(problem.depots) == 1:
        return problem.depots[0].id
    r = plan.route_of(v.id)
    if r is not None:
        return r.start_depot
    return min(problem.depots, key=lambda d: (problem.duration(d.location, v.location), d.id)).id


def _residual(
    problem: Problem,
    base: Problem,
    plan: Plan,
    state: FleetState,
    now: int,
    delay: int,
    stuck: Mapping[str, tuple[str, int | None]],
) -> tuple[Problem, _Info]:
    types = {t.name: t for t in problem.vehicle_types}
    routes = {r.vehicle: r for r in plan.routes}
    done = set(state.done)
    depots = list(problem.depots)
    vtypes: list[VehicleType] = []
    info = _Info({}, set(), {}, {}, dict(stuck), {})
    tied: dict[str, str] = {}  # village → residual depot of the running van carrying it
    for van in state.vans:
        t = types[van.vehicle_type]
        day_end = t.shift_end_s
        if van.depart_s is not None:
            day_end = min(day_end, van.depart_s + t.max_duration_s)
        left_m = max(0, t.max_distance_m - van.distance_m)
        if van.status == "broken":
            back = problem.depot(t.return_depot)
            trip = base.duration(van.location, back.location)
            ready = None if trip >= Problem.UNREACHABLE else van.free_s + delay + trip
            for vid in van.on_board:
                info.stuck[vid] = (f"parcels on broken-down {van.vehicle}", ready)
            continue
        if van.status == "on_round":
            dep_id = f"@{van.vehicle}"
            depots.append(Depot(dep_id, van.location, van.free_s))
            cap = tuple(
                max(1, c - p) for c, p in zip(t.capacity, van.pickups_on_board, strict=True)
            )
            end = max(day_end, van.free_s)
            vtypes.append(
                dataclasses.replace(
                    t,
                    name=van.vehicle,
                    count=1,
                    capacity=cap,
                    start_depot=dep_id,
                    end_depot=t.return_depot,
                    fixed_cost=0.0,
                    shift_start_s=van.free_s,
                    shift_end_s=end,
                    max_duration_s=end - van.free_s,
                    max_distance_m=left_m,
                )
            )
            for vid in van.on_board:
                tied[vid] = dep_id
            info.van_of_type[van.vehicle] = van.vehicle
            info.kept[van.vehicle] = van.on_board
            info.keep_depart[van.vehicle] = van.free_s
            info.offset[van.vehicle] = van.pickups_on_board
            continue
        if van.status in ("returning", "back"):
            start = max(van.free_s, now, t.shift_start_s)
            if van.round > 1 or start >= day_end:  # at most two rounds a day
                continue
            name = f"{van.vehicle}/2"
            vtypes.append(
                dataclasses.replace(
                    t,
                    name=name,
                    count=1,
                    fixed_cost=0.0,
                    shift_start_s=start,
                    shift_end_s=day_end,
                    max_duration_s=day_end - start,
                    max_distance_m=left_m,
                )
            )
            info.van_of_type[name] = van.vehicle
            info.second_round.add(name)
            planned = routes.get(name)  # a second round planned earlier, not yet started
            if planned is not None:
                info.kept[name] = planned.villages
                info.keep_depart[name] = planned.depart_s
            continue
        # idle: never used, or not yet left (its parcels are unloaded and re-planned)
        start = max(now, t.shift_start_s)
        if start > t.shift_end_s:
            continue
        vtypes.append(dataclasses.replace(t, name=van.vehicle, count=1, shift_start_s=start))
        info.van_of_type[van.vehicle] = van.vehicle
        r = routes.get(van.vehicle)
        if r is not None:
            info.kept[van.vehicle] = r.villages
            info.keep_depart[van.vehicle] = r.depart_s
    if not vtypes:  # nobody can drive any more: a van with an empty shift keeps the
        # residual problem well formed, and every open village is diagnosed as unserved
        t = problem.vehicle_types[0]
        end = max(now, t.shift_end_s)
        vtypes.append(
            dataclasses.replace(
                t,
                name=f"{t.name}#none",
                count=1,
                shift_start_s=end,
                shift_end_s=end,
                max_duration_s=0,
            )
        )
    rvillages = []
    for v in problem.villages:
        if v.id in done:
            continue
        if v.id in tied:
            rvillages.append(dataclasses.replace(v, depot=tied[v.id]))
            continue
        home = _home_depot(problem, plan, v)
        release = v.release_s
        if v.id in info.stuck:
            ready = info.stuck[v.id][1]
            release = max(release, v.window[1] + 1 if ready is None else ready)
        rvillages.append(dataclasses.replace(v, depot=home, release_s=release))
    used = {t.start_depot for t in vtypes} | {t.return_depot for t in vtypes}
    used |= {v.depot for v in rvillages if v.depot is not None}
    depots = [d for d in depots if d.id in used]
    try:
        residual = Problem(
            locations=base.locations,
            distance_m=base.distance_m,
            duration_s=base.duration_s,
            depots=tuple(depots),
            villages=tuple(rvillages),
            vehicle_types=tuple(vtypes),
            dimensions=problem.dimensions,
            name=f"{problem.name}:replan@{_hhmm(now)}",
        )
    except ProblemError as exc:  # a bug here, not bad input: say where it came from
        raise DisruptionError(f"residual problem: {exc}") from exc
    return residual, info


def timed_route(
    problem: Problem, vt: VehicleType, seq: Sequence[str], depart: int, vehicle: str | None = None
) -> Route | None:
    """The round of a ``vt`` van visiting ``seq`` in order, leaving at ``depart`` or as soon
    after as allowed, timed by the checker's rules (no postponing: a kept round keeps its
    times); ``None`` if it breaks any limit. ``vehicle`` defaults to ``vt.name + "#0"``."""
    vs = [problem.village(v) for v in seq]
    depot = problem.depot(vt.start_depot)
    end = problem.depot(vt.return_depot)
    dep = max([depart, vt.shift_start_s, depot.ready_s] + [v.release_s for v in vs])
    dims = len(problem.dimensions)
    load = [sum(v.delivery[d] for v in vs) for d in range(dims)]
    load_start = tuple(load)
    if any(x > c for x, c in zip(load, vt.capacity, strict=True)):
        return None
    t, prev, dist = dep, depot.location, 0
    stops = []
    for v in vs:
        d = problem.distance(prev, v.location)
        if d >= Problem.UNREACHABLE or problem.duration(prev, v.location) >= Problem.UNREACHABLE:
            return None
        dist += d
        arrival = t + problem.duration(prev, v.location)
        start = max(arrival, v.window[0])
        if start > v.window[1]:
            return None
        t = start + v.service_s
        load = [a - b + c for a, b, c in zip(load, v.delivery, v.pickup, strict=True)]
        if any(x > c for x, c in zip(load, vt.capacity, strict=True)):
            return None
        stops.append(Stop(v.id, arrival, start, t, tuple(load)))
        prev = v.location
    back = problem.distance(prev, end.location)
    if back >= Problem.UNREACHABLE or problem.duration(prev, end.location) >= Problem.UNREACHABLE:
        return None
    dist += back
    ret = t + problem.duration(prev, end.location)
    if ret > vt.shift_end_s or ret - dep > vt.max_duration_s or dist > vt.max_distance_m:
        return None
    return Route(
        vehicle=vehicle if vehicle is not None else f"{vt.name}#0",
        vehicle_type=vt.name,
        start_depot=vt.start_depot,
        end_depot=vt.return_depot,
        depart_s=dep,
        return_s=ret,
        stops=tuple(stops),
        load_start=load_start,
        distance_m=dist,
        cost=route_cost(vt, dist, ret - dep),
    )


def _keep_and_repair(residual: Problem, info: _Info, solve: Any, kwargs: dict[str, Any]) -> Plan:
    kept: list[Route] = []
    for tname, seq in info.kept.items():
        if not seq:
            continue
        r = timed_route(residual, residual.vehicle_type(tname), seq, info.keep_depart[tname])
        if r is not None:
            kept.append(r)
    used_types = {r.vehicle_type for r in kept}
    kept_villages = {v for r in kept for v in r.villages}
    open_villages = tuple(v for v in residual.villages if v.id not in kept_villages)
    free_types = tuple(t for t in residual.vehicle_types if t.name not in used_types)
    routes, unserved, backend = list(kept), [], "kept"
    meta: dict[str, Any] = {"kept_rounds": len(kept)}
    if open_villages and free_types:
        sub = _pruned(residual.replace(villages=open_villages, vehicle_types=free_types))
        sp = solve(sub, **kwargs)
        routes += list(sp.routes)
        unserved = list(sp.unserved)
        backend = sp.backend
        meta["repair"] = {"status": sp.status, "villages": len(open_villages)}
    else:
        unserved = [Unserved(v.id, "fleet_size") for v in open_villages]
    return _plan(routes, unserved, backend, meta)


def _pruned(problem: Problem) -> Problem:
    """Without depots no van starts or ends at and no village is tied to (solver adapters
    need not handle unused depots)."""
    used = {t.start_depot for t in problem.vehicle_types}
    used |= {t.return_depot for t in problem.vehicle_types}
    used |= {v.depot for v in problem.villages if v.depot is not None}
    return problem.replace(depots=tuple(d for d in problem.depots if d.id in used))


def _solve_all(residual: Problem, solve: Any, kwargs: dict[str, Any]) -> Plan:
    if not residual.villages:
        return _plan([], [], "none", {})
    sp = solve(residual, **kwargs)
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


def _with_reasons(rplan: Plan, residual: Problem, info: _Info) -> Plan:
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
                    u.village, u.reason, f"{where}, at the depot at {_hhmm(ready)}; {u.detail}"
                )
        out.append(u)
    return dataclasses.replace(rplan, unserved=tuple(out))


def _compose(
    problem: Problem,
    base: Problem,
    plan: Plan,
    state: FleetState,
    rplan: Plan,
    info: _Info,
    now: int,
    events: tuple[Event, ...],
) -> tuple[Plan, dict[str, int], dict[str, tuple[str, int | None]]]:
    """The complete day: done stops as they were, then each van's residual round.

    Also returns the vans cut off from their depot by a closure (→ time they stopped) and
    the villages whose parcels stay on a van that is not serving them (→ where they are,
    when they are back at the depot or ``None``).
    """
    types = {t.name: t for t in problem.vehicle_types}
    routes = {r.vehicle: r for r in plan.routes}
    res_of: dict[str, Route] = {}
    second: dict[str, Route] = {}
    for r in rplan.routes:
        van_name = info.van_of_type[r.vehicle_type]
        (second if r.vehicle_type in info.second_round else res_of)[van_name] = r
    villages = {v.id: v for v in problem.villages}
    unserved = {u.village for u in rplan.unserved}
    out: list[Route] = []
    stranded: dict[str, int] = {}
    came_back: dict[str, tuple[str, int | None]] = {}
    for van in state.vans:
        t = types[van.vehicle_type]
        res = res_of.get(van.vehicle)
        if van.status == "idle":
            if res is not None:
                out.append(dataclasses.replace(res, vehicle=van.vehicle, vehicle_type=t.name))
            continue
        if van.depart_s is None:  # broke down before leaving: no round
            continue
        name = van.vehicle if van.round == 1 else f"{van.vehicle}/2"
        if van.round == 2:
            out.append(routes[van.vehicle])
            t = dataclasses.replace(t, fixed_cost=0.0)  # paid on the first round
        orig = routes[name]
        first_m = van.distance_m - _round_distance(van, routes)
        n = len(van.done)
        if van.status == "broken":
            if n == len(orig.stops) and orig.return_s <= van.free_s:
                out.append(orig)
            else:
                dist = van.distance_m - first_m
                out.append(
                    dataclasses.replace(
                        orig,
                        stops=orig.stops[:n],
                        return_s=van.free_s,
                        distance_m=dist,
                        cost=route_cost(t, dist, van.free_s - orig.depart_s),
                    )
                )
            continue
        if van.status in ("back", "returning"):
            out.append(orig)
            r2 = second.get(van.vehicle)
            if r2 is not None:
                out.append(dataclasses.replace(r2, vehicle=f"{van.vehicle}/2", vehicle_type=t.name))
            continue
        # on round: done stops, then the residual round (or straight home)
        off = list(info.offset.get(van.vehicle, (0,) * len(problem.dimensions)))
        new_stops: tuple[Stop, ...] = ()
        if res is not None:
            served = set(res.villages)
            for vid in van.on_board:
                if vid not in served:  # undelivered parcels stay on the van
                    off = [a + b for a, b in zip(off, villages[vid].delivery, strict=True)]
            new_stops = tuple(
                dataclasses.replace(
                    s, load_after=tuple(a + b for a, b in zip(s.load_after, off, strict=True))
                )
                for s in res.stops
            )
            ret, dist = res.return_s, van.distance_m - first_m + res.distance_m
        else:
            home = problem.depot(t.return_depot).location
            trip = base.duration(van.location, home)
            if trip >= Problem.UNREACHABLE:  # cut off by a closure: the round ends there
                stranded[van.vehicle] = van.free_s
                ret, dist = van.free_s, van.distance_m - first_m
            else:
                ret = van.free_s + trip
                dist = van.distance_m - first_m + base.distance(van.location, home)
        for vid in van.on_board:
            if vid in unserved:
                came_back[vid] = (
                    (f"parcels on {van.vehicle}, cut off by a road closure", None)
                    if van.vehicle in stranded
                    else (f"parcels came back on {van.vehicle}", ret)
                )
        out.append(
            dataclasses.replace(
                orig,
                stops=orig.stops[:n] + new_stops,
                return_s=ret,
                distance_m=dist,
                cost=route_cost(t, dist, ret - orig.depart_s),
            )
        )
    notes = []
    for u in rplan.unserved:
        if u.village in came_back:
            where, back = came_back[u.village]
            when = f" at {_hhmm(back)}" if back is not None else ""
            u = Unserved(u.village, u.reason, f"{where}{when}; {u.detail}")
        notes.append(u)
    day = Plan(
        routes=tuple(out),
        unserved=tuple(notes),
        cost=sum(r.cost for r in out),
        backend=rplan.backend,
        status="partial" if rplan.unserved else "feasible",
        meta={
            "replanned_at_s": now,
            "events": [_event_dict(e) for e in events],
            "policy": rplan.meta.get("policy"),
            "residual_violations": rplan.meta.get("violations", []),
            "stranded": sorted(stranded),
        },
    )
    return day, stranded, came_back


def _round_distance(van: VanState, routes: Mapping[str, Route]) -> int:
    """The part of ``van.distance_m`` driven on its current round."""
    if van.round == 1:
        return van.distance_m
    return van.distance_m - routes[van.vehicle].distance_m


def _event_dict(e: Event) -> dict[str, Any]:
    if isinstance(e, VanBreakdown):
        return {"kind": "breakdown", "vehicle": e.vehicle, "at_s": e.at_s}
    return {"kind": "closure", "edges": [list(x) for x in e.edges], "at_s": e.at_s}


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


def _hhmm(t: int) -> str:
    h, rest = divmod(int(t), 3600)
    return f"{h:02d}:{rest // 60:02d}"
