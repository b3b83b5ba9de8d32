"""Why a village is unserved: diagnosis by recomputation, usable by every backend.

A solver that drops a village only says "it was cheaper to pay the penalty". Planners need
the *binding* reason, so :func:`diagnose` tests, for each unserved village, the simplest
round that could serve it — a single-stop round ``depot → village → depot`` on every
vehicle type allowed there — against each constraint in a fixed order:

1. ``unreachable``      no road to or from the village (matrix ≥ ``Problem.UNREACHABLE``);
2. ``capacity``         its delivery or pickup exceeds every allowed van's capacity;
3. ``release_too_late`` / ``time_window``  the window closes before the van can arrive
   (``release_too_late`` when it would have made it had the chute been ready earlier);
4. ``shift_length``     the round cannot be back by shift end or exceeds max duration;
5. ``distance_limit``   the round is longer than the van's maximum distance;
6. ``fleet_size``       the single-stop round is feasible: the village fits alone, but
   the plan did not fit it together with the others on the vans available. Diagnosis
   cannot prove that no plan would (that is the routing problem itself): with a very
   short search budget a longer search may still place it; the detail says so.

With several vehicle types the reason reported is from the type that passes the most
checks (the "closest" type); ``detail`` names the type and the numbers. Adding stops to a
round only adds load, distance and time on metric matrices (shortest-path matrices are
metric), so a failure of the single-stop round is a failure of every round.

:class:`RouteEvaluator` is the same recomputation for a whole round; the OR-Tools adapter
uses it to turn solver sequences into :class:`~routing.plan.Route` objects and its
construction heuristic uses it as the feasibility test.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from routing.plan import Unserved
from routing.problem import Problem, VehicleType

__all__ = ["REASONS", "RouteEvaluator", "RouteTimes", "diagnose", "route_cost"]

#: Diagnosis order; earlier reasons win.
REASONS = (
    "unreachable",
    "capacity",
    "release_too_late",
    "time_window",
    "shift_length",
    "distance_limit",
    "fleet_size",
)
_RANK = {r: k for k, r in enumerate(REASONS)}
_HORIZON_SLACK = 2**62


def route_cost(vtype: VehicleType, distance_m: int, duration_s: int) -> float:
    """Yuan for one used van (:meth:`routing.problem.VehicleType.round_cost`)."""
    return vtype.round_cost(distance_m, duration_s)


@dataclass(frozen=True, slots=True)
class RouteTimes:
    """A round recomputed from its sequence. ``reason`` is ``""`` when feasible, else the
    first violated constraint (a :data:`REASONS` value) and ``detail`` says where."""

    feasible: bool
    reason: str
    detail: str
    depart_s: int
    return_s: int
    arrivals: tuple[int, ...]
    starts: tuple[int, ...]
    departures: tuple[int, ...]
    load_start: tuple[int, ...]
    loads_after: tuple[tuple[int, ...], ...]
    distance_m: int
    cost: float


class RouteEvaluator:
    """Recompute times, loads and distance of rounds of ``problem``.

    Villages are addressed by their position in ``problem.villages`` and vehicle types by
    their position in ``problem.vehicle_types`` (problem order, not solver indices).
    Departure is the earliest allowed (shift start, depot ready, releases of the round's
    villages), then postponed as far as it shortens the duty without returning later —
    so the van does not wait at a village when it could have left the depot later.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._dist = problem.distance_m.tolist()
        self._dur = problem.duration_s.tolist()
        self._vloc = [problem.index(v.location) for v in problem.villages]
        self._deliv = [v.delivery for v in problem.villages]
        self._pick = [v.pickup for v in problem.villages]
        self._serv = [v.service_s for v in problem.villages]
        self._open = [v.window[0] for v in problem.villages]
        self._close = [v.window[1] for v in problem.villages]
        self._rel = [v.release_s for v in problem.villages]
        depots = {d.id: d for d in problem.depots}
        self._tstart = [
            problem.index(depots[t.start_depot].location) for t in problem.vehicle_types
        ]
        self._tend = [problem.index(depots[t.return_depot].location) for t in problem.vehicle_types]
        self._tready = [
            max(t.shift_start_s, depots[t.start_depot].ready_s) for t in problem.vehicle_types
        ]
        self._dims = len(problem.dimensions)

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
            slack = min(slack, self._close[i] - start + wait_total)
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

    def evaluate(self, type_index: int, seq: Sequence[int], *, full: bool = True) -> RouteTimes:
        """Recompute the round of a van of type ``type_index`` visiting ``seq`` in order.

        With ``full=False`` only feasibility is established (faster; the tuples are empty).
        """
        t = self.problem.vehicle_types[type_index]
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
                detail = f"leaves with {load[k]} {self.problem.dimensions[k]} > {cap[k]}"
        if not reason:
            for i in seq:
                d, p = self._deliv[i], self._pick[i]
                for k in range(dims):
                    load[k] += p[k] - d[k]
                    if load[k] > cap[k] and not reason:
                        reason = "capacity"
                        detail = (
                            f"{load[k]} {self.problem.dimensions[k]} on board after "
                            f"{self.problem.villages[i].id} > {cap[k]}"
                        )
                if full:
                    loads_after.append(tuple(load))
        # Distance and reachability.
        prev = self._tstart[type_index]
        distance = 0
        for i in seq:
            loc = self._vloc[i]
            if dist[prev][loc] >= unreach or dur[prev][loc] >= unreach:
                return self._fail("unreachable", f"no road to {self.problem.villages[i].id}")
            distance += dist[prev][loc]
            prev = loc
        end = self._tend[type_index]
        if dist[prev][end] >= unreach or dur[prev][end] >= unreach:
            return self._fail("unreachable", f"no road back to {t.return_depot}")
        distance += dist[prev][end]
        # Times: earliest departure, forward pass, then postpone departure to cut waiting.
        earliest = self._tready[type_index]
        release = max((self._rel[i] for i in seq), default=0)
        depart = max(earliest, release)
        starts, waits = self._forward(type_index, seq, depart)
        if not reason:
            for pos, i in enumerate(seq):
                if starts[pos] > self._close[i]:
                    vid = self.problem.villages[i].id
                    late_by = starts[pos] - self._close[i]
                    if release > earliest:
                        no_rel, _ = self._forward(type_index, seq, earliest)
                        if all(no_rel[q] <= self._close[j] for q, j in enumerate(seq)):
                            reason = "release_too_late"
                            detail = (
                                f"released at {_hhmm(release)}, {vid} starts at "
                                f"{_hhmm(starts[pos])} after its window closes "
                                f"({_hhmm(self._close[i])})"
                            )
                            break
                    reason = "time_window"
                    detail = (
                        f"{vid} starts at {_hhmm(starts[pos])}, {late_by} s after its window "
                        f"closes ({_hhmm(self._close[i])})"
                    )
                    break
        if not reason and seq:
            # Postpone by delta <= total waiting and within every later window.
            delta = sum(waits)
            cum_wait = 0
            for pos, i in enumerate(seq):
                cum_wait += waits[pos]
                delta = min(delta, self._close[i] - starts[pos] + cum_wait)
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
                detail = f"back at {_hhmm(ret)} after shift end {_hhmm(t.shift_end_s)}"
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
            cost=route_cost(t, distance, ret - depart) if seq else 0.0,
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

    def _fail(self, reason: str, detail: str) -> RouteTimes:
        return RouteTimes(False, reason, detail, 0, 0, (), (), (), (), (), 0, 0.0)


def allowed_types(problem: Problem, village_index: int) -> list[int]:
    """Vehicle types (positions) that may serve a village: those starting at its depot."""
    v = problem.villages[village_index]
    return [
        k
        for k, t in enumerate(problem.vehicle_types)
        if v.depot is None or t.start_depot == v.depot
    ]


def diagnose(
    problem: Problem, village_ids: Iterable[str], evaluator: RouteEvaluator | None = None
) -> tuple[Unserved, ...]:
    """The binding reason each of ``village_ids`` is unserved (see the module docstring).

    Pure: depends only on the problem, not on the plan or the backend that produced it.
    """
    ev = evaluator if evaluator is not None else RouteEvaluator(problem)
    pos = {v.id: k for k, v in enumerate(problem.villages)}
    out: list[Unserved] = []
    for vid in village_ids:
        i = pos[vid]
        types = allowed_types(problem, i)
        if not types:
            out.append(
                Unserved(
                    vid,
                    "fleet_size",
                    f"no vehicle type starts at its depot {problem.villages[i].depot!r}",
                )
            )
            continue
        best: tuple[int, str, str] | None = None
        for k in types:
            rt = ev.evaluate(k, [i])
            name = problem.vehicle_types[k].name
            if rt.feasible:
                best = (
                    len(REASONS),
                    "fleet_size",
                    f"a {name} round serving it alone is feasible; it was not fitted with "
                    "the others on the vans available (more vans or a longer search may)",
                )
                break
            rank = _RANK[rt.reason]
            if best is None or rank > best[0]:
                best = (rank, rt.reason, f"{name}: {rt.detail}")
        assert best is not None
        out.append(Unserved(vid, best[1], best[2]))
    return tuple(out)


def _hhmm(t: int) -> str:
    day, rest = divmod(int(t), 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    txt = f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")
    return txt if day == 0 else f"day{day}+{txt}"
