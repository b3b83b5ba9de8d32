"""The one round evaluator: times, loads, distance and cost of a village sequence.

Every part of ``routing`` that turns a sequence of villages into a timed round uses
:class:`RouteEvaluator`: the OR-Tools adapter (solver sequences → :class:`~routing.plan.Route`
objects, and the feasibility test of its construction heuristic), diagnosis (why a
village cannot be served), the benchmark readers (external tours → plans) and re-planning
(rounds that are kept as they were). The independent checker :mod:`routing.check` does
*not* use it, on purpose: it recomputes everything itself, so a mistake here shows up as a
checker violation instead of being repeated there.

Timing model (the checker's contract): the round leaves its start depot at the departure;
``arrival = previous departure + travel``; ``start = max(arrival, window open)``;
``departure = start + service_s``; ``return = last departure + travel to the end depot``;
duty = return − departure. The departure is the earliest allowed — the van's shift start,
the depot's ``ready_s``, the latest ``release_s`` of the round's villages and an optional
earliest departure given by the caller — and, with ``postpone=True``, then moved later as
far as that only removes waiting at villages and makes no soft-promise stop start after
its ``due_s`` (the van leaves as late as useful, back at the same time).

Second trips: :meth:`RouteEvaluator.van` times a van's trips one after the other, each
leaving no earlier than the previous return + the type's ``reload_s``; the duty limit
holds over all of them, the fixed cost is counted on the first trip only.

Loads (simultaneous delivery and pickup): the van leaves with all the round's deliveries;
each stop removes its delivery and adds its pickup; capacity holds at every point.
Cost: :meth:`routing.problem.VehicleType.round_cost` (the one formula); lateness:
:meth:`routing.problem.Village.late_cost` summed over the stops (``late_cost``).

A round that breaks a limit is still timed (so a plan built from it shows the checker what
is wrong); ``reason`` names the first broken limit in diagnosis order (a
:data:`routing.diagnose.REASONS` value), ``unreachable`` before all others.
"""

from __future__ import annotations

from collections.abc import Sequence

from routing.clock import hhmm
from routing.plan import Route, Stop
from routing.problem import Problem
from routing.round_times import RouteTimes, VanTimes

__all__ = [
    "RouteEvaluator",
]

_HORIZON_SLACK = 2**62


class RouteEvaluator:
    """Recompute times, loads and distance of rounds of ``problem``.

    The index methods (:meth:`feasible`, :meth:`evaluate`) address villages by their
    position in ``problem.villages`` and vehicle types by their position in
    ``problem.vehicle_types`` (problem order, not solver indices): the solver adapters call
    them thousands of times. :meth:`round` and :meth:`route` take user ids.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._dist = problem.distance_m.tolist()
        self._dur = problem.duration_s.tolist()
        self._vpos = {v.id: k for k, v in enumerate(problem.villages)}
        self._tpos = {t.name: k for k, t in enumerate(problem.vehicle_types)}
        self._vloc = [problem.index(v.location) for v in problem.villages]
        self._deliv = [v.delivery for v in problem.villages]
        self._pick = [v.pickup for v in problem.villages]
        self._serv = [v.service_s for v in problem.villages]
        self._open = [v.window[0] for v in problem.villages]
        self._close = [v.window[1] for v in problem.villages]
        self._rel = [v.release_s for v in problem.villages]
        # Postponing the departure must not make a soft-promise stop late: it is bounded
        # by the due time as by the window's close (a stop already late stays as it is).
        self._due = [v.due_s if v.late_cost_per_h > 0 else None for v in problem.villages]
        depots = {d.id: d for d in problem.depots}
        self._tstart = [
            problem.index(depots[t.start_depot].location) for t in problem.vehicle_types
        ]
        self._tend = [problem.index(depots[t.return_depot].location) for t in problem.vehicle_types]
        self._tready = [
            max(t.shift_start_s, depots[t.start_depot].ready_s) for t in problem.vehicle_types
        ]
        self._dims = len(problem.dimensions)

    # -- user ids -------------------------------------------------------------------------
    def type_index(self, vehicle_type: str) -> int:
        """Position of the vehicle type named ``vehicle_type`` in ``problem.vehicle_types``."""
        try:
            return self._tpos[vehicle_type]
        except KeyError:
            raise KeyError(f"vehicle type {vehicle_type!r}: not in the problem") from None

    def village_indices(self, villages: Sequence[str]) -> list[int]:
        """Positions of village ids in ``problem.villages``."""
        try:
            return [self._vpos[v] for v in villages]
        except KeyError as exc:
            raise KeyError(f"village {exc.args[0]!r}: not in the problem") from None

    def round(
        self,
        vehicle_type: str,
        villages: Sequence[str],
        *,
        depart_s: int | None = None,
        postpone: bool = True,
    ) -> RouteTimes:
        """:meth:`evaluate` with user ids: a ``vehicle_type`` van visiting ``villages``."""
        return self.evaluate(
            self.type_index(vehicle_type),
            self.village_indices(villages),
            depart_s=depart_s,
            postpone=postpone,
        )

    def route(
        self,
        vehicle: str,
        type_index: int,
        seq: Sequence[int],
        times: RouteTimes,
        *,
        trip: int = 0,
        since_s: int | None = None,
    ) -> Route:
        """The :class:`~routing.plan.Route` of van ``vehicle`` for ``times`` (as returned by
        :meth:`evaluate` for ``type_index`` and ``seq`` with ``full=True``). For a later
        trip (``trip`` > 0) ``since_s`` is the previous trip's return: the trip's cost is
        :meth:`~routing.problem.VehicleType.trip_cost` (no fixed cost, hours since then)."""
        t = self.problem.vehicle_types[type_index]
        villages = self.problem.villages
        stops = tuple(
            Stop(
                village=villages[i].id,
                arrival_s=times.arrivals[p],
                start_s=times.starts[p],
                departure_s=times.departures[p],
                load_after=times.loads_after[p],
            )
            for p, i in enumerate(seq)
        )
        return Route(
            vehicle=vehicle,
            vehicle_type=t.name,
            start_depot=t.start_depot,
            end_depot=t.return_depot,
            depart_s=times.depart_s,
            return_s=times.return_s,
            stops=stops,
            load_start=times.load_start,
            distance_m=times.distance_m,
            cost=t.trip_cost(
                trip,
                times.distance_m,
                times.return_s - (times.depart_s if since_s is None else since_s),
            ),
            late_cost=times.late_cost,
            trip=trip,
        )

    def van(
        self,
        vehicle: str,
        vehicle_type: str,
        trips: Sequence[Sequence[str]],
        *,
        depart_s: Sequence[int | None] | None = None,
        postpone: bool = True,
    ) -> tuple[tuple[Route, ...], str, str]:
        """One van's trips timed one after the other: ``(routes, reason, detail)`` of
        :meth:`van_times`."""
        v = self.van_times(vehicle, vehicle_type, trips, depart_s=depart_s, postpone=postpone)
        return v.routes, v.reason, v.detail

    def van_times(
        self,
        vehicle: str,
        vehicle_type: str,
        trips: Sequence[Sequence[str]],
        *,
        depart_s: Sequence[int | None] | None = None,
        postpone: bool = True,
    ) -> VanTimes:
        """One van's trips (village ids per trip, in order) timed one after the other, with
        the reason ``""`` when every trip and the van's duty are feasible, and the trip that
        breaks a limit (the first that breaks one of its own, else the last).

        Trip k+1 leaves no earlier than trip k's return + the type's ``reload_s`` (and its
        own releases, and ``depart_s[k+1]`` when given: a kept trip keeps its planned
        departure). Postponing a departure only removes waiting, so it never moves a return;
        with ``postpone`` and an hourly cost, an earlier trip also leaves later when it would
        otherwise wait at the depot for the next trip's release (if its windows allow and no
        stop gets later than promised), so the paid duty is short.
        The duty over all trips (first departure to last return) must be within
        ``max_duration_s`` (reason ``shift_length``) and their km within ``max_distance_m``
        (``distance_limit``); more trips than ``max_trips`` is
        reason ``fleet_size``. Costs follow :meth:`~routing.problem.VehicleType.trip_cost`.
        """
        k_type = self.type_index(vehicle_type)
        t = self.problem.vehicle_types[k_type]
        seqs = [self.village_indices(v) for v in trips]
        timed: list[RouteTimes] = []
        prev_return: int | None = None
        for k, seq in enumerate(seqs):
            earliest = None if depart_s is None else depart_s[k]
            if prev_return is not None:
                after = prev_return + t.reload_s
                earliest = after if earliest is None else max(earliest, after)
            timed.append(self.evaluate(k_type, seq, depart_s=earliest, postpone=postpone))
            prev_return = timed[-1].return_s
        if postpone and t.cost_per_h > 0:
            # Backward: an earlier trip that would wait at the depot for the next one's
            # release leaves later instead (when its windows allow and no stop becomes
            # later than promised), so the paid duty is short.
            for k in range(len(timed) - 2, -1, -1):
                slack = timed[k + 1].depart_s - t.reload_s - timed[k].return_s
                if slack > 0 and timed[k].feasible:
                    later = self.evaluate(
                        k_type, seqs[k], depart_s=timed[k].depart_s + slack, postpone=True
                    )
                    if (
                        later.feasible
                        and later.return_s <= timed[k + 1].depart_s - t.reload_s
                        and later.late_cost <= timed[k].late_cost
                    ):
                        timed[k] = later
        routes: list[Route] = []
        reason, detail = "", ""
        broken: int | None = None
        prev_return = None
        for k, (seq, times) in enumerate(zip(seqs, timed, strict=True)):
            if not times.feasible and not reason:
                reason, detail = times.reason, f"trip {k}: {times.detail}"
                broken = k
            routes.append(self.route(vehicle, k_type, seq, times, trip=k, since_s=prev_return))
            prev_return = times.return_s
        if routes and not reason:
            duty = routes[-1].return_s - routes[0].depart_s
            if len(routes) > t.max_trips:
                reason = "fleet_size"
                detail = f"{len(routes)} trips > max_trips {t.max_trips}"
            elif duty > t.max_duration_s:
                reason = "shift_length"
                detail = (
                    f"duty over {len(routes)} trips {duty} s > max_duration_s {t.max_duration_s}"
                )
            elif sum(r.distance_m for r in routes) > t.max_distance_m:
                reason = "distance_limit"
                detail = (
                    f"{sum(r.distance_m for r in routes)} m over {len(routes)} trips "
                    f"> max_distance_m {t.max_distance_m}"
                )
            if reason:
                broken = len(routes) - 1
        return VanTimes(tuple(routes), tuple(timed), reason, detail, broken)

    # -- problem positions ----------------------------------------------------------------
    def feasible(self, type_index: int, seq: Sequence[int]) -> bool:
        """``evaluate(type_index, seq).feasible``, computed lean (no details, early exit):
        the construction heuristic calls it thousands of times."""
        t = self.problem.vehicle_types[type_index]
        cap, dims = t.capacity, self._dims
        deliv, pick = self._deliv, self._pick
        load = [sum(deliv[i][k] for i in seq) for k in range(dims)]
        if any(load[k] > cap[k] for k in range(dims)):
            return False
        for i in seq:
            d, p = deliv[i], pick[i]
            for k in range(dims):
                load[k] += p[k] - d[k]
                if load[k] > cap[k]:
                    return False
        dist, dur, unreach = self._dist, self._dur, Problem.UNREACHABLE
        depart = max(self._tready[type_index], max((self._rel[i] for i in seq), default=0))
        prev = self._tstart[type_index]
        clock = depart
        distance = 0
        wait_total = 0
        slack = _HORIZON_SLACK  # how far departure can move later without breaking a window
        for i in seq:
            loc = self._vloc[i]
            if dist[prev][loc] >= unreach or dur[prev][loc] >= unreach:
                return False
            distance += dist[prev][loc]
            arrive = clock + dur[prev][loc]
            start = arrive if arrive > self._open[i] else self._open[i]
            if start > self._close[i]:
                return False
            wait_total += start - arrive
            bound = self._close[i]
            due = self._due[i]
            if due is not None:
                bound = min(bound, max(due, start))
            slack = min(slack, bound - start + wait_total)
            clock = start + self._serv[i]
            prev = loc
        end = self._tend[type_index]
        if dist[prev][end] >= unreach or dur[prev][end] >= unreach:
            return False
        distance += dist[prev][end]
        ret = clock + dur[prev][end]
        if seq:
            depart += max(0, min(wait_total, slack))
        return (
            ret <= t.shift_end_s
            and ret - depart <= t.max_duration_s
            and (distance <= t.max_distance_m)
        )

    def evaluate(
        self,
        type_index: int,
        seq: Sequence[int],
        *,
        full: bool = True,
        depart_s: int | None = None,
        postpone: bool = True,
    ) -> RouteTimes:
        """Recompute the round of a van of type ``type_index`` visiting ``seq`` in order.

        ``depart_s``: an earliest departure on top of the problem's own (a kept round keeps
        its planned departure). ``postpone=False`` leaves at the earliest allowed moment
        instead of cutting waiting. With ``full=False`` only feasibility is established
        (faster; the per-stop tuples are empty).
        """
        problem = self.problem
        t = problem.vehicle_types[type_index]
        dist, dur, dims = self._dist, self._dur, self._dims
        unreach = Problem.UNREACHABLE
        cap = t.capacity
        # Loads: leave with all deliveries; each stop removes its delivery, adds its pickup.
        load = [0] * dims
        for i in seq:
            d = self._deliv[i]
            for k in range(dims):
                load[k] += d[k]
        load_start = tuple(load)
        loads_after: list[tuple[int, ...]] = []
        reason, detail = "", ""
        for k in range(dims):
            if load[k] > cap[k]:
                reason = "capacity"
                detail = f"leaves with {load[k]} {problem.dimensions[k]} > {cap[k]}"
        for i in seq if full or not reason else ():  # loads after each stop: when wanted
            d, p = self._deliv[i], self._pick[i]
            for k in range(dims):
                load[k] += p[k] - d[k]
                if load[k] > cap[k] and not reason:
                    reason = "capacity"
                    detail = (
                        f"{load[k]} {problem.dimensions[k]} on board after "
                        f"{problem.villages[i].id} > {cap[k]}"
                    )
            if full:
                loads_after.append(tuple(load))
        # Distance and reachability: a missing road outranks every other reason.
        prev = self._tstart[type_index]
        distance = 0
        no_road = ""
        for i in seq:
            loc = self._vloc[i]
            if not no_road and (dist[prev][loc] >= unreach or dur[prev][loc] >= unreach):
                no_road = f"no road to {problem.villages[i].id}"
            distance += dist[prev][loc]
            prev = loc
        end = self._tend[type_index]
        if not no_road and (dist[prev][end] >= unreach or dur[prev][end] >= unreach):
            no_road = f"no road back to {t.return_depot}"
        distance += dist[prev][end]
        if no_road:
            reason, detail = "unreachable", no_road
        # Times: earliest departure, forward pass, then postpone departure to cut waiting.
        earliest = self._tready[type_index]
        if depart_s is not None:
            earliest = max(earliest, depart_s)
        release = max((self._rel[i] for i in seq), default=0)
        depart = max(earliest, release)
        starts, waits = self._forward(type_index, seq, depart)
        if not reason:
            for pos, i in enumerate(seq):
                if starts[pos] > self._close[i]:
                    vid = problem.villages[i].id
                    late_by = starts[pos] - self._close[i]
                    if release > earliest:
                        no_rel, _ = self._forward(type_index, seq, earliest)
                        if all(no_rel[q] <= self._close[j] for q, j in enumerate(seq)):
                            reason = "release_too_late"
                            detail = (
                                f"released at {hhmm(release, exact=True)}, {vid} starts at "
                                f"{hhmm(starts[pos], exact=True)} after its window closes "
                                f"({hhmm(self._close[i], exact=True)})"
                            )
                            break
                    reason = "time_window"
                    detail = (
                        f"{vid} starts at {hhmm(starts[pos], exact=True)}, {late_by} s after "
                        f"its window closes ({hhmm(self._close[i], exact=True)})"
                    )
                    break
        if postpone and not reason and seq:
            # Postpone by delta <= total waiting and within every later window.
            delta = sum(waits)
            cum_wait = 0
            for pos, i in enumerate(seq):
                cum_wait += waits[pos]
                bound = self._close[i]
                due = self._due[i]
                if due is not None:
                    bound = min(bound, max(due, starts[pos]))
                delta = min(delta, bound - starts[pos] + cum_wait)
            if delta > 0:
                depart += delta
                starts, waits = self._forward(type_index, seq, depart)
        last_loc = self._tstart[type_index]
        last_dep = depart
        arrivals: list[int] = []
        departures: list[int] = []
        for pos, i in enumerate(seq):
            loc = self._vloc[i]
            arrivals.append(last_dep + dur[last_loc][loc])
            last_dep = starts[pos] + self._serv[i]
            departures.append(last_dep)
            last_loc = loc
        ret = last_dep + dur[last_loc][end]
        if not reason:
            if ret > t.shift_end_s:
                reason = "shift_length"
                detail = (
                    f"back at {hhmm(ret, exact=True)} after shift end "
                    f"{hhmm(t.shift_end_s, exact=True)}"
                )
            elif ret - depart > t.max_duration_s:
                reason = "shift_length"
                detail = f"duty {ret - depart} s > max_duration_s {t.max_duration_s}"
            elif distance > t.max_distance_m:
                reason = "distance_limit"
                detail = f"{distance} m > max_distance_m {t.max_distance_m}"
        if not full:
            return RouteTimes(
                not reason, reason, detail, depart, ret, (), (), (), load_start, (), distance, 0.0
            )
        return RouteTimes(
            feasible=not reason,
            reason=reason,
            detail=detail,
            depart_s=depart,
            return_s=ret,
            arrivals=tuple(arrivals),
            starts=tuple(starts),
            departures=tuple(departures),
            load_start=load_start,
            loads_after=tuple(loads_after),
            distance_m=distance,
            cost=t.round_cost(distance, ret - depart) if seq else 0.0,
            late_cost=sum(problem.villages[i].late_cost(starts[p]) for p, i in enumerate(seq)),
        )

    def _forward(
        self, type_index: int, seq: Sequence[int], depart: int
    ) -> tuple[list[int], list[int]]:
        dur = self._dur
        prev = self._tstart[type_index]
        clock = depart
        starts: list[int] = []
        waits: list[int] = []
        for i in seq:
            loc = self._vloc[i]
            arrive = clock + dur[prev][loc]
            start = max(arrive, self._open[i])
            starts.append(start)
            waits.append(start - arrive)
            clock = start + self._serv[i]
            prev = loc
        return starts, waits
