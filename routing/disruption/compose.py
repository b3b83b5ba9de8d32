"""The complete day after a re-plan: done stops as they were, then each van's new round."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from routing.clock import hhmm
from routing.disruption.events import Disruption, disruption_dict
from routing.disruption.fleet import FleetState, VanState
from routing.disruption.residual import ResidualInfo
from routing.plan import Plan, Route, Stop, Unserved
from routing.problem import Problem

__all__ = ["complete_day"]


def complete_day(
    problem: Problem,
    base: Problem,
    plan: Plan,
    state: FleetState,
    rplan: Plan,
    info: ResidualInfo,
    now: int,
    events: tuple[Disruption, ...],
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
                        cost=t.round_cost(dist, van.free_s - orig.depart_s),
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
            if res.end_depot == f"@{van.vehicle}":
                # cut off from its depot: the round goes on on this side of the closure and
                # ends at its last stop (the leg back to where it was is not driven)
                ret, dist = van.free_s, van.distance_m - first_m
                if res.stops:
                    last = problem.village(res.stops[-1].village).location
                    ret = res.stops[-1].departure_s
                    dist += res.distance_m - base.distance(last, van.location)
                stranded[van.vehicle] = ret
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
                cost=t.round_cost(dist, ret - orig.depart_s),
            )
        )
    notes = []
    for u in rplan.unserved:
        if u.village in came_back:
            where, back = came_back[u.village]
            when = f" at {hhmm(back)}" if back is not None else ""
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
            "events": [disruption_dict(e) for e in events],
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
