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
growing; (4) if a round still breaks a limit after those solves, the plan is *repaired*:
from each such round the village whose removal lets it keep its limits at the least cost
in parcels is left unserved (reason: the limit, e.g. ``shift_length``, with the loading in
the detail), and the vans are loaded and re-timed again, until every round keeps its
limits. Step 4 always ends (each step leaves at least one village out), so the plan handed
on is always consistent with its loading: no round leaves before its van is loaded. (It
was needed on days whose rounds all leave in the afternoon, a second wave with ``rounds =
"same_day"``: with the 16:30 shift end close, a re-solve moves the rounds, the docks queue
them differently and another round then comes back a few minutes late; the plan used to be
returned un-re-timed, leaving before its vans were loaded.)

The plan is reported with the day problem; the checker runs it on the loading-aware
problem, and :func:`routing.check.check_loading` verifies independently that no round
leaves before its last ready time plus its loading time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import sorter
from routing import Plan, Problem
from routing.clock import hhmm
from routing.evaluate import RouteEvaluator
from routing.plan import Route, Unserved
from routing.round_times import RouteTimes

__all__ = [
    "LoadedPlan",
    "StationLoading",
    "TrunkToLoad",
    "departure_rounds",
    "load_plan",
    "load_plan_with",
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
    (release = loading departure), the loading, whether rounds had to be re-solved, and
    the villages left out because their round could not keep its limits after loading
    (``dropped``, in the order they were left out; each is in ``plan.unserved``)."""

    plan: Plan
    problem: Problem
    loading: sorter.Loading
    resolved: bool
    dropped: tuple[str, ...] = ()


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


def _retimed(plan: Plan, problem: Problem) -> tuple[list[Route], dict[int, RouteTimes]]:
    """The plan's rounds re-timed on ``problem``, and the rounds (by position) that then
    break a limit, with their times (their slot in the first list is the old round)."""
    ev = RouteEvaluator(problem)
    broken: dict[int, RouteTimes] = {}
    routes = list(plan.routes)  # a broken van's rounds stay as they were
    index = {id(r): i for i, r in enumerate(plan.routes)}
    for vehicle, trips in plan.vans().items():  # a van's trips one after the other
        where = [index[id(r)] for r in trips]
        v = ev.van_times(vehicle, trips[0].vehicle_type, [r.villages for r in trips])
        if v.broken_trip is None:
            for i, r in zip(where, v.routes, strict=True):
                routes[i] = r
            continue
        log.info("round of %s breaks %s after loading: %s", vehicle, v.reason, v.detail)
        # The trip to repair: the first that breaks a limit of its own, else the last (the
        # van's duty over all its trips, or their km, is what breaks).
        times = v.times[v.broken_trip]
        if times.feasible:
            times = replace(times, feasible=False, reason=v.reason, detail=v.detail)
        broken[where[v.broken_trip]] = times
    return routes, broken


def retime(plan: Plan, problem: Problem) -> Plan | None:
    """The plan's rounds, same vans and village order, re-timed on ``problem`` (a van's
    trips one after the other); ``None`` when a round then breaks a limit (so the caller
    re-solves or repairs)."""
    routes, broken = _retimed(plan, problem)
    if broken:
        return None
    cost = sum(r.cost for r in routes)
    meta = dict(plan.meta) | {"retimed_for_loading": True}
    return replace(plan, routes=tuple(routes), cost=cost, meta=meta)


def _drop_one(
    route: Route,
    times: RouteTimes,
    ev: RouteEvaluator,
    loaded: sorter.LoadedRound,
    rate_per_h: float,
) -> tuple[Route | None, Unserved]:
    """``route`` without the village whose removal lets the round keep its limits at the
    least cost in parcels (ties: the earliest return, then the earliest stop); ``None``
    when it was the round's only village. The village becomes unserved with the limit the
    whole round broke as its reason.

    Each candidate is timed on ``ev.problem`` leaving when its smaller load would be
    loaded, the dock schedule otherwise unchanged: ``loaded.start_s`` plus the remaining
    parcels at the dock crew's rate, an upper bound on its next loading departure (the
    loading start cannot move later when the round's cages are ready earlier)."""
    k = ev.type_index(route.vehicle_type)
    seq = ev.village_indices(route.villages)
    villages = ev.problem.villages
    rate = loaded.loaders * rate_per_h
    best: tuple[tuple[bool, int, int, int], list[int], RouteTimes] | None = None
    for p in range(len(seq)):
        rest = seq[:p] + seq[p + 1 :]
        n = sum(villages[i].delivery[0] for i in rest)
        t = ev.evaluate(k, rest, depart_s=math.ceil(loaded.start_s + n * 3600.0 / rate))
        v = villages[seq[p]]
        key = (not t.feasible, sum(v.delivery) + sum(v.pickup), t.return_s, p)
        if best is None or key < best[0]:
            best = (key, rest, t)
    assert best is not None
    (_, _, _, p), rest, t = best
    detail = (
        f"left out after loading (its van loaded {hhmm(round(loaded.start_s))}-"
        f"{hhmm(round(loaded.departure_s))} at dock {loaded.dock + 1}): {times.detail}"
    )
    gone = Unserved(route.villages[p], times.reason, detail)
    # A later trip keeps its number (the next re-timing, per van, recosts it from the
    # previous return); a trip left empty is removed, and the van's later trips renumbered.
    kept = ev.route(route.vehicle, k, rest, t, trip=route.trip) if rest else None
    return kept, gone


def _drop_for_loading(
    plan: Plan, problem: Problem, broken: Mapping[int, RouteTimes], loading: sorter.Loading
) -> tuple[Plan, tuple[str, ...]]:
    """``plan`` (valid on ``problem``) with one village left out of each round in
    ``broken`` (see :func:`_drop_one`); a round left with no village is removed."""
    ev = RouteEvaluator(problem)
    by_name = loading.by_name()
    names = round_names(plan)
    routes: list[Route] = []
    gone: list[Unserved] = []
    for i, r in enumerate(plan.routes):
        if i not in broken:
            routes.append(r)
            continue
        kept, u = _drop_one(r, broken[i], ev, by_name[names[i]], loading.load_rate_per_h)
        log.info("left %s out of the round of %s: %s", u.village, r.vehicle, u.detail)
        gone.append(u)
        if kept is not None:
            routes.append(kept)
    # Trips numbered 0, 1, … per van again (a removed empty trip leaves no gap).
    seen: dict[str, int] = {}
    for k, r in enumerate(routes):
        n = seen.get(r.vehicle, 0)
        seen[r.vehicle] = n + 1
        if r.trip != n:
            routes[k] = replace(r, trip=n)
    status = "partial" if plan.status == "feasible" else plan.status
    repaired = replace(
        plan,
        routes=tuple(routes),
        unserved=plan.unserved + tuple(gone),
        cost=sum(r.cost for r in routes),
        status=status,
    )
    return repaired, tuple(u.village for u in gone)


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
    """Load the plan's vans at the hub's docks and re-time the rounds so each leaves after
    its loading (:func:`load_plan_with` with :func:`load_rounds`)."""

    def load(p: Plan) -> sorter.Loading:
        return load_rounds(
            p,
            ready_s,
            parcels,
            litres,
            docks=docks,
            loaders=loaders,
            load_rate_per_h=load_rate_per_h,
            cage_parcels=cage_parcels,
        )

    return load_plan_with(plan, problem, load, resolve, max_solves=max_solves)


def load_plan_with(
    plan: Plan,
    problem: Problem,
    load: Callable[[Plan], sorter.Loading],
    resolve: Callable[[Problem], Plan],
    *,
    max_solves: int = 2,
) -> LoadedPlan:
    """Load the plan's vans (``load``: plan -> its :class:`sorter.Loading`, one row per
    round named as :func:`round_names`) and re-time the rounds so each leaves after its
    loading (see the module docstring for the rule).

    When a re-timed round breaks a limit, the rounds are solved again (``resolve``) on the
    loading-aware problem, whose release times only ever grow, and loaded again, at most
    ``max_solves`` times; if a round still breaks a limit, villages are left out of the
    rounds that break one (one per round and step, each listed unserved with the reason)
    until every round keeps its limits. The returned plan is always valid on the returned
    problem as far as loading goes: every round leaves at or after its loading departure.
    """
    current, base, solves = plan, problem, 0
    dropped: tuple[str, ...] = ()
    while True:
        loading = load(current)
        lp = loading_problem(base, current, loading)
        routes, broken = _retimed(current, lp)
        if not broken:
            meta = dict(current.meta) | {"retimed_for_loading": True}
            if dropped:
                meta["left_out_after_loading"] = list(dropped)
            timed = replace(
                current, routes=tuple(routes), cost=sum(r.cost for r in routes), meta=meta
            )
            return LoadedPlan(timed, lp, loading, solves > 0, dropped)
        if solves < max_solves:
            log.info("re-solving the rounds with release = loading departure")
            current, base, solves = resolve(lp), lp, solves + 1
            continue
        log.warning(
            "%d round(s) still break a limit after loading: leaving villages out", len(broken)
        )
        current, gone = _drop_for_loading(current, base, broken, loading)
        dropped += gone


# ------------------------------------------------------------------- transfer stations
@dataclass(frozen=True, slots=True)
class TrunkToLoad:
    """A station's trunk truck to load at the hub: the station's depot id, the villages
    whose cages it carries, its drive to the station and the unloading there (seconds)."""

    station: str
    villages: tuple[str, ...]
    drive_s: int
    transfer_s: int


class StationLoading:
    """Loading in county-town-village mode (``county.use_transfer_stations``), as a real
    centre does it: the cages of a station's villages go on the station's trunk truck at a
    hub dock; the trunk drives to the station and is unloaded there; the station's vans are
    then loaded at the station by its own crew. Rounds from the hub are loaded at the hub's
    docks as in direct mode, in one queue with the trunks::

        trunk departure   = max(last ready of its villages, hub dock free) + cages x cage_load_s
        at the station    = trunk departure + drive + transfer
        station round     = max(at the station, station dock free) + parcels / (crew x rate)

    Trunks queue at the hub docks by their earliest departure (their last ready time), the
    rounds by their planned departure. Called with a plan it returns the rounds' loading
    (hub and station rounds, ``site`` "" at the hub or the station's depot id); the last
    call's trunk loadings are kept in :attr:`trunks` and the time each station's cages are
    there in :attr:`at_station`.
    """

    def __init__(
        self,
        trunks: Sequence[TrunkToLoad],
        ready_s: Mapping[str, float],
        parcels: Mapping[str, int],
        litres: Mapping[str, float] | None,
        *,
        docks: int,
        loaders: int,
        station_docks: int,
        station_loaders: int,
        load_rate_per_h: float,
        cage_parcels: int,
        cage_load_s: float,
    ) -> None:
        self._trunks = tuple(trunks)
        self._ready, self._parcels, self._litres = ready_s, parcels, litres
        self._hub = (docks, loaders)
        self._station = (station_docks, station_loaders)
        self._rate, self._cage, self._cage_s = load_rate_per_h, cage_parcels, cage_load_s
        self.trunks: dict[str, sorter.LoadedRound] = {}
        self.at_station: dict[str, float] = {}

    def trunk_name(self, station: str) -> str:
        return f"trunk:{station}"

    def cages(self, villages: Sequence[str]) -> int:
        return sum(math.ceil(int(self._parcels.get(v, 0)) / self._cage) for v in villages)

    def __call__(self, plan: Plan) -> sorter.Loading:
        names = round_names(plan)
        stations = {t.station for t in self._trunks}
        at_hub = [
            sorter.RoundToLoad(name, r.villages, float(r.depart_s))
            for name, r in zip(names, plan.routes, strict=True)
            if r.start_depot not in stations
        ]
        for t in self._trunks:
            ready = max((self._ready[v] for v in t.villages if v in self._ready), default=0.0)
            load_s = self.cages(t.villages) * self._cage_s
            at_hub.append(
                sorter.RoundToLoad(self.trunk_name(t.station), t.villages, ready, 0.0, load_s)
            )
        hub = self._load(at_hub, self._ready, *self._hub, "")
        loaded = hub.by_name()
        self.trunks = {t.station: loaded[self.trunk_name(t.station)] for t in self._trunks}
        self.at_station = {
            t.station: self.trunks[t.station].departure_s + t.drive_s + t.transfer_s
            for t in self._trunks
        }
        rounds = [r for r in hub.rounds if not r.name.startswith("trunk:")]
        for t in self._trunks:
            mine = [
                sorter.RoundToLoad(name, r.villages, float(r.depart_s), self.at_station[t.station])
                for name, r in zip(names, plan.routes, strict=True)
                if r.start_depot == t.station
            ]
            if mine:
                rounds.extend(self._load(mine, {}, *self._station, t.station).rounds)
        order = {n: k for k, n in enumerate(names)}
        rounds.sort(key=lambda r: (r.departure_s, order[r.name]))
        return sorter.Loading(tuple(rounds), hub.docks, hub.loaders, hub.load_rate_per_h)

    def _load(
        self,
        rounds: Sequence[sorter.RoundToLoad],
        ready_s: Mapping[str, float],
        docks: int,
        loaders: int,
        site: str,
    ) -> sorter.Loading:
        return sorter.load_vans(
            rounds,
            ready_s,
            self._parcels,
            docks=docks,
            loaders=loaders,
            load_rate_per_h=self._rate,
            litres=self._litres,
            cage_parcels=self._cage,
            site=site,
        )

    def ready_at_site(self, problem: Problem) -> dict[str, float]:
        """Village -> when its cages are complete where its van is loaded: the sorter's
        ready time at the hub, the trunk's arrival plus unloading at a station (for
        :func:`routing.check.check_loading`)."""
        out = dict(self._ready)
        for v in problem.villages:
            if v.depot in self.at_station:
                out[v.id] = self.at_station[v.depot]
        return out


def served_parcels(problem: Problem) -> dict[str, int]:
    """Village -> parcels it receives (the first load dimension)."""
    return {v.id: int(v.delivery[0]) for v in problem.villages}
