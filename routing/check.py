"""Independent plan checker: recompute everything a plan claims from its stop sequences.

Why it exists: solvers model the problem through their own encodings (scaled money,
penalty terms, optional visits, slack variables). A mapping mistake there gives plans that
look fine and are not. This module therefore imports no solver and no backend; it takes
only the village order of each round plus the departure time and rebuilds loads, times,
distances and costs from :class:`routing.Problem`, then compares them with what the plan
recorded and with every limit.

It stays independent of :class:`routing.evaluate.RouteEvaluator` (the round evaluator the
backends, the readers, diagnosis and re-planning share) on purpose: the same timing rules
are written here a second time, so a mistake in the evaluator shows up as a violation
instead of being repeated by the tool meant to catch it. The tests compare the two on
random plans.

Timing model (the contract every backend must follow): a round leaves its start depot at
``depart_s``; ``arrival = previous departure + travel``; ``start = max(arrival, window
open)``; ``departure = start + service_s``; ``return = last departure + travel to the end
depot``. Duty (for max duration and the hourly cost) is ``return_s - depart_s``.
Release times: a round may not leave before the latest ``release_s`` of its villages, nor
before its depot's ``ready_s`` or the van's ``shift_start_s``.

Second trips (:attr:`routing.problem.VehicleType.max_trips`): the rounds of one van are
its trips, numbered 0, 1, … in ``Route.trip``; each trip is checked as a round (its loads
against capacity at every point, its releases against its own departure), then the van:
no more trips than ``max_trips``, each trip leaving at least ``reload_s`` after the
previous one is back, the duty from the first departure to the last return within
``max_duration_s``, the km of all its trips within ``max_distance_m`` (the van's range),
and the fixed cost counted once (a later trip's cost is its km and
the hours since the previous return). Vans are counted per type for the fleet size.

The promise: a stop whose service starts after the village's ``due_s`` is late by the
difference; its late cost is ``late_cost_per_h`` × hours late, summed per round and
compared with the round's recorded ``late_cost`` (the checker computes it here from the
start times it rebuilt, not with :meth:`routing.problem.Village.late_cost`).
:func:`routing.lateness.lateness` gives the recomputed lateness of a whole plan for reports.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from routing.plan import UNSERVED_REASONS, Plan, Route
from routing.problem import Problem, VehicleType

__all__ = [
    "COST_TOLERANCE",
    "KINDS",
    "REASONS",
    "PlanError",
    "Violation",
    "check",
    "check_loading",
    "check_or_raise",
    "route_cost",
]

#: Yuan: a recorded cost may differ from the recomputed one by at most this much.
COST_TOLERANCE = 0.01

#: Unserved reasons a plan may give (see :class:`routing.plan.Unserved`).
REASONS = frozenset(UNSERVED_REASONS)

#: Every violation kind the checker reports, with what it means.
KINDS = {
    "capacity": "load above capacity in some dimension at some point of a round",
    "negative_load": "a recorded load is negative",
    "load_mismatch": "recorded load differs from the recomputed one",
    "time_mismatch": "recorded arrival/start/departure/return differs from the recomputed one",
    "time_window": "service starts after the village's window closes",
    "release": "round leaves before the latest release time of its villages",
    "loading": "round leaves before its villages' last ready time plus its loading time",
    "depot_ready": "round leaves before its depot is ready",
    "shift_start": "round leaves before the van's shift starts",
    "shift_end": "round returns after the van's shift ends",
    "max_duration": "a van's duty (first departure to last return) above its type's maximum",
    "max_distance": "a van's distance (over all its trips) above its type's maximum",
    "distance_mismatch": "recorded distance differs from the recomputed one",
    "route_cost": "recorded route cost differs from the recomputed one by more than 0.01",
    "late_cost": "recorded late cost (soft promise) differs from the recomputed one",
    "plan_cost": "plan cost differs from the sum of recomputed route costs",
    "duplicate_visit": "a village is served more than once",
    "unknown_village": "a stop or unserved entry names no village of the problem",
    "missing_village": "a village is neither served nor listed unserved",
    "served_and_unserved": "a village is served and also listed unserved (or listed twice)",
    "bad_reason": "an unserved entry gives a reason outside routing.check.REASONS",
    "fleet_size": "more vans of a vehicle type than that type has",
    "duplicate_vehicle": "two rounds share a vehicle name and a trip number",
    "max_trips": "a van makes more trips than its type's max_trips, or trips are not 0, 1, …",
    "trip_overlap": "a van's trip leaves before its previous trip is back",
    "reload": "a van's trip leaves less than its type's reload_s after the previous return",
    "mixed_vehicle": "the trips of one van name different vehicle types",
    "unknown_vehicle_type": "a round names no vehicle type of the problem",
    "depot_mismatch": "a round's start/end depot is not its vehicle type's",
    "wrong_depot": "a village tied to one depot is served from another",
    "unreachable": "a round uses an arc marked unreachable (>= Problem.UNREACHABLE)",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule. ``vehicle`` / ``village`` are user ids ("" when not applicable)."""

    kind: str
    vehicle: str = ""
    village: str = ""
    detail: str = ""

    def __str__(self) -> str:
        where = " ".join(x for x in (self.vehicle, self.village) if x)
        return f"{self.kind}[{where}]: {self.detail}" if where else f"{self.kind}: {self.detail}"


class PlanError(ValueError):
    """A plan failed the checker; ``violations`` lists every broken rule."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        shown = "\n  ".join(str(v) for v in violations[:20])
        more = f"\n  ... and {len(violations) - 20} more" if len(violations) > 20 else ""
        super().__init__(f"plan has {len(violations)} violation(s):\n  {shown}{more}")


def route_cost(vtype: VehicleType, distance_m: int, duration_s: int) -> float:
    """Yuan for one round: :meth:`routing.problem.VehicleType.round_cost`, the one cost
    formula. The only wrapper left (the PyVRP adapter imports it from here); new code
    calls ``vtype.round_cost`` directly."""
    return vtype.round_cost(distance_m, duration_s)


def check_or_raise(plan: Plan, problem: Problem) -> None:
    """Raise :class:`PlanError` listing every violation, if there is any."""
    violations = check(plan, problem)
    if violations:
        raise PlanError(violations)


def check(plan: Plan, problem: Problem) -> list[Violation]:
    """Every rule ``plan`` breaks on ``problem`` (empty list: the plan is valid)."""
    out: list[Violation] = []
    villages = {v.id: v for v in problem.villages}
    types = {t.name: t for t in problem.vehicle_types}

    # -- fleet: vans and their trips ------------------------------------------------------
    vans: dict[str, list[Route]] = {}
    for r in plan.routes:
        vans.setdefault(r.vehicle, []).append(r)
    trips_of = {name: sorted(rs, key=lambda r: r.trip) for name, rs in vans.items()}
    for name, rs in trips_of.items():
        numbers = Counter(r.trip for r in rs)
        for k, n in sorted(numbers.items()):
            if n > 1:
                out.append(
                    Violation("duplicate_vehicle", name, detail=f"{n} rounds are its trip {k}")
                )
        if sorted(numbers) != list(range(len(numbers))):
            out.append(
                Violation("max_trips", name, detail=f"trips numbered {sorted(numbers)}, not 0, 1…")
            )
        kinds = sorted({r.vehicle_type for r in rs})
        if len(kinds) > 1:
            out.append(Violation("mixed_vehicle", name, detail=f"trips of types {kinds}"))
        vt = types.get(rs[0].vehicle_type)
        if vt is not None and len(numbers) > vt.max_trips:
            out.append(
                Violation(
                    "max_trips",
                    name,
                    detail=f"{len(numbers)} trips, type {vt.name!r} allows {vt.max_trips}",
                )
            )
    per_type = Counter(rs[0].vehicle_type for rs in trips_of.values())
    for tname, n in per_type.items():
        if tname in types and n > types[tname].count:
            out.append(
                Violation(
                    "fleet_size",
                    detail=f"{n} vans of type {tname!r} used, only {types[tname].count} vans",
                )
            )

    # -- rounds (each trip), and each van's duty over all its trips --------------------------
    total = 0.0
    for name, rs in trips_of.items():
        prev: Route | None = None
        first_depart: int | None = None
        last_return = driven = 0
        for route in rs:
            vt = types.get(route.vehicle_type)
            if vt is None:
                out.append(
                    Violation(
                        "unknown_vehicle_type", route.vehicle, detail=repr(route.vehicle_type)
                    )
                )
                continue
            since = None
            if prev is not None:
                since = prev.return_s
                gap = route.depart_s - prev.return_s
                if gap < 0:
                    out.append(
                        Violation(
                            "trip_overlap",
                            name,
                            detail=f"trip {route.trip} leaves {route.depart_s} before trip "
                            f"{prev.trip} is back at {prev.return_s}",
                        )
                    )
                elif gap < vt.reload_s:
                    out.append(
                        Violation(
                            "reload",
                            name,
                            detail=f"trip {route.trip} leaves {gap} s after trip {prev.trip} "
                            f"is back, reload_s = {vt.reload_s}",
                        )
                    )
            result = _check_route(route, vt, problem, villages, out, since)
            if result is not None:
                cost, dep, ret, dist = result
                total += cost
                driven += dist
                first_depart = dep if first_depart is None else first_depart
                last_return = ret
            prev = route
        vt = types.get(rs[0].vehicle_type)
        if vt is not None and first_depart is not None:
            duty = last_return - first_depart
            if duty > vt.max_duration_s:
                over = f" over {len(rs)} trips" if len(rs) > 1 else ""
                out.append(
                    Violation(
                        "max_duration", name, detail=f"duty{over} {duty} s > {vt.max_duration_s} s"
                    )
                )
            if driven > vt.max_distance_m:
                over = f" over {len(rs)} trips" if len(rs) > 1 else ""
                out.append(
                    Violation(
                        "max_distance", name, detail=f"{driven} m{over} > {vt.max_distance_m} m"
                    )
                )

    # -- coverage -----------------------------------------------------------------------
    served = Counter(v for r in plan.routes for v in r.villages)
    for vid, n in served.items():
        if n > 1:
            out.append(Violation("duplicate_visit", village=vid, detail=f"served {n} times"))
    unserved = Counter(u.village for u in plan.unserved)
    for u in plan.unserved:
        if u.village not in villages:
            out.append(Violation("unknown_village", village=u.village, detail="in unserved"))
        if u.reason not in REASONS:
            out.append(Violation("bad_reason", village=u.village, detail=repr(u.reason)))
    for vid, n in unserved.items():
        if n > 1 or vid in served:
            out.append(
                Violation(
                    "served_and_unserved",
                    village=vid,
                    detail=f"served {served.get(vid, 0)} times, listed unserved {n} times",
                )
            )
    for vid in villages:
        if vid not in served and vid not in unserved:
            out.append(Violation("missing_village", village=vid, detail="not served, not listed"))

    # -- plan cost ----------------------------------------------------------------------
    tol = max(COST_TOLERANCE, 0.005 * len(plan.routes))
    if abs(plan.cost - total) > tol:
        out.append(
            Violation("plan_cost", detail=f"recorded {plan.cost:.4f}, recomputed {total:.4f} yuan")
        )
    return out


def _check_route(
    route: Route,
    vt: VehicleType,
    problem: Problem,
    villages: dict,
    out: list[Violation],
    since: int | None = None,
) -> tuple[float, int, int, int] | None:
    """Check one round (one trip of a van); return its recomputed cost, departure, return
    and distance (None if it cannot be recomputed). ``since``: the previous trip's return (a
    later trip's hours are counted from it, :meth:`VehicleType.trip_cost`)."""
    veh = route.vehicle
    dims = len(problem.dimensions)
    depot_ids = {d.id for d in problem.depots}
    if route.start_depot != vt.start_depot or route.end_depot != vt.return_depot:
        out.append(
            Violation(
                "depot_mismatch",
                veh,
                detail=f"round {route.start_depot}->{route.end_depot}, type {vt.name!r} "
                f"{vt.start_depot}->{vt.return_depot}",
            )
        )
    if route.start_depot not in depot_ids or route.end_depot not in depot_ids:
        return None
    unknown = [s.village for s in route.stops if s.village not in villages]
    for vid in unknown:
        out.append(Violation("unknown_village", veh, vid, "stop names no village"))
    if unknown:
        return None
    vs = [villages[s.village] for s in route.stops]
    start_depot = problem.depot(route.start_depot)
    end_depot = problem.depot(route.end_depot)

    # Departure rules.
    dep = route.depart_s
    if dep < vt.shift_start_s:
        out.append(Violation("shift_start", veh, detail=f"leaves {dep} < {vt.shift_start_s}"))
    if dep < start_depot.ready_s:
        out.append(
            Violation(
                "depot_ready", veh, detail=f"leaves {dep} < depot ready {start_depot.ready_s}"
            )
        )
    for v in vs:
        if dep < v.release_s:
            out.append(Violation("release", veh, v.id, f"leaves {dep} < release {v.release_s}"))
        if v.depot is not None and v.depot != route.start_depot:
            out.append(
                Violation(
                    "wrong_depot", veh, v.id, f"tied to {v.depot}, served from {route.start_depot}"
                )
            )

    # Loads.
    load = [sum(v.delivery[d] for v in vs) for d in range(dims)]
    if tuple(route.load_start) != tuple(load):
        out.append(
            Violation("load_mismatch", veh, detail=f"load_start {route.load_start} != {load}")
        )
    if any(x < 0 for x in route.load_start):
        out.append(Violation("negative_load", veh, detail=f"load_start {route.load_start}"))
    _capacity(load, vt, veh, "", "leaving the depot", out)
    for stop, v in zip(route.stops, vs, strict=True):
        load = [a - d + p for a, d, p in zip(load, v.delivery, v.pickup, strict=True)]
        if any(x < 0 for x in stop.load_after):
            out.append(Violation("negative_load", veh, v.id, f"load_after {stop.load_after}"))
        if tuple(stop.load_after) != tuple(load):
            out.append(
                Violation("load_mismatch", veh, v.id, f"load_after {stop.load_after} != {load}")
            )
        _capacity(load, vt, veh, v.id, "after the stop", out)

    # Times and distance.
    late = 0.0
    t, prev, dist = dep, start_depot.location, 0
    for stop, v in zip(route.stops, vs, strict=True):
        dist += _arc(problem, prev, v.location, veh, v.id, out)
        arrival = t + problem.duration(prev, v.location)
        start = max(arrival, v.window[0])
        t = start + v.service_s
        got = (stop.arrival_s, stop.start_s, stop.departure_s)
        if got != (arrival, start, t):
            out.append(
                Violation(
                    "time_mismatch",
                    veh,
                    v.id,
                    f"arrival/start/departure {got} != recomputed {(arrival, start, t)}",
                )
            )
        if start > v.window[1]:
            out.append(
                Violation("time_window", veh, v.id, f"starts {start} > closes {v.window[1]}")
            )
        if v.due_s is not None and start > v.due_s:
            late += v.late_cost_per_h * (start - v.due_s) / 3600.0
        prev = v.location
    dist += _arc(problem, prev, end_depot.location, veh, "", out)
    ret = t + problem.duration(prev, end_depot.location)
    if route.return_s != ret:
        out.append(Violation("time_mismatch", veh, detail=f"return_s {route.return_s} != {ret}"))
    if ret > vt.shift_end_s:
        out.append(Violation("shift_end", veh, detail=f"returns {ret} > {vt.shift_end_s}"))
    duty = ret - dep if since is None else ret - since
    if route.distance_m != dist:
        out.append(
            Violation("distance_mismatch", veh, detail=f"recorded {route.distance_m} != {dist}")
        )
    cost = vt.trip_cost(route.trip, dist, duty)
    if abs(route.cost - cost) > COST_TOLERANCE:
        out.append(
            Violation(
                "route_cost",
                veh,
                detail=f"trip {route.trip}: recorded {route.cost:.4f} != {cost:.4f} yuan",
            )
        )
    if abs(route.late_cost - late) > COST_TOLERANCE:
        out.append(
            Violation("late_cost", veh, detail=f"recorded {route.late_cost:.4f} != {late:.4f} yuan")
        )
    return cost, dep, ret, dist


def _capacity(
    load: list[int], vt: VehicleType, veh: str, vid: str, where: str, out: list[Violation]
) -> None:
    for d, (x, cap) in enumerate(zip(load, vt.capacity, strict=True)):
        if x > cap:
            out.append(Violation("capacity", veh, vid, f"dimension {d}: load {x} > {cap} {where}"))


def _arc(problem: Problem, a: str, b: str, veh: str, vid: str, out: list[Violation]) -> int:
    d, t = problem.distance(a, b), problem.duration(a, b)
    if d >= Problem.UNREACHABLE or t >= Problem.UNREACHABLE:
        out.append(Violation("unreachable", veh, vid, f"no road {a} -> {b}"))
    return d


def check_loading(
    plan: Plan,
    problem: Problem,
    ready_s: Mapping[str, float],
    rate_per_h: float | Mapping[str, float],
) -> list[Violation]:
    """Rounds that leave before they can have been loaded.

    A round's van is loaded once its villages' cages are complete, so it cannot leave before
    ``max(ready_s of its villages) + parcels * 3600 / rate_per_h``, where ``parcels`` is the
    sum of the round's deliveries in the problem's first load dimension (recomputed here,
    not read from the plan) and ``rate_per_h`` the loading rate of the fastest dock's crew
    (loaders x parcels/h each): a lower bound whatever dock the round took. ``ready_s`` is
    per village: when its cages are complete where its van is loaded (the sorter's ready
    times at the hub; the trunk's arrival plus unloading at a transfer station); a village
    without one holds nothing up. ``rate_per_h`` may be a mapping from start depot id to
    that depot's fastest crew (a hub and its transfer stations have their own crews).
    """
    rates = rate_per_h if isinstance(rate_per_h, Mapping) else None
    for where, rate in (rates or {"": rate_per_h}).items():  # type: ignore[dict-item]
        if not (isinstance(rate, int | float) and math.isfinite(rate) and rate > 0):
            at = f"[{where!r}]" if rates is not None else ""
            raise ValueError(f"check_loading: rate_per_h{at} = {rate!r}: must be a number > 0")
    villages = {v.id: v for v in problem.villages}
    out: list[Violation] = []
    for route in plan.routes:
        known = [villages[v] for v in route.villages if v in villages]
        if not known:
            continue
        if rates is None:
            rate = float(rate_per_h)  # type: ignore[arg-type]
        elif route.start_depot in rates:
            rate = float(rates[route.start_depot])
        else:
            raise ValueError(
                f"check_loading: rate_per_h has no rate for depot {route.start_depot!r} "
                f"(round of {route.vehicle})"
            )
        parcels = sum(v.delivery[0] for v in known)
        ready = max((ready_s[v.id] for v in known if v.id in ready_s), default=-math.inf)
        if not math.isfinite(ready):
            continue
        earliest = ready + parcels * 3600.0 / rate
        if route.depart_s + 1e-6 < earliest:
            out.append(
                Violation(
                    "loading",
                    route.vehicle,
                    detail=f"leaves {route.depart_s} < last ready {ready:.0f} + loading "
                    f"{parcels} parcels at {rate:g}/h = {earliest:.0f}",
                )
            )
    return out
