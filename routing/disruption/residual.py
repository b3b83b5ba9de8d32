"""The residual problem: what is left of the day, from where the vans are now.

Running vans start from their position (a depot ``"@" + vehicle``) and carry the villages
still on board; spare vans and second rounds start from their depot; parcels on a
broken-down van come back to the depot after a rescue. The rules are stated in
:mod:`routing.disruption`; :class:`ResidualInfo` maps the residual problem back to the day.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from routing.clock import hhmm
from routing.disruption.events import DisruptionError
from routing.disruption.fleet import FleetState
from routing.plan import Plan
from routing.problem import Depot, Problem, ProblemError, VehicleType, Village

__all__ = [
    "RECOVERY_DELAY_S",
    "ResidualInfo",
    "home_depot",
    "residual_problem",
    "without_unused_depots",
]

#: Seconds from a breakdown until a rescue vehicle has taken the parcels off the van.
RECOVERY_DELAY_S = 90 * 60


@dataclass(frozen=True)
class ResidualInfo:
    """Bookkeeping for a residual problem: residual type name → van, and kept rounds."""

    van_of_type: dict[str, str]  # residual vehicle type → original vehicle
    second_round: set[str]  # residual types that are a van's second round
    kept: dict[str, tuple[str, ...]]  # residual type → village sequence to try to keep
    keep_depart: dict[str, int]  # residual type → departure that reproduces the plan
    stuck: dict[str, tuple[str, int | None]]  # village → (where its parcels are, at depot at)
    offset: dict[str, tuple[int, ...]]  # running van → load not in the residual model


def home_depot(problem: Problem, plan: Plan, v: Village) -> str:
    """The depot from which a village's parcels leave when they are at a depot."""
    if v.depot is not None:
        return v.depot
    if len(problem.depots) == 1:
        return problem.depots[0].id
    r = plan.route_of(v.id)
    if r is not None:
        return r.start_depot
    return min(problem.depots, key=lambda d: (problem.duration(d.location, v.location), d.id)).id


def residual_problem(
    problem: Problem,
    base: Problem,
    plan: Plan,
    state: FleetState,
    now: int,
    delay: int,
    stuck: Mapping[str, tuple[str, int | None]],
) -> tuple[Problem, ResidualInfo]:
    """What is left of ``plan``'s day at ``now``, from the fleet ``state`` then.

    ``base`` holds the travel matrices in force at ``now`` (after closures); ``delay`` is
    the rescue delay of a broken-down van's parcels; ``stuck`` the villages whose parcels
    were already brought back (→ where they were, when they are at the depot). One
    residual vehicle type per van that can still drive, named after the van (``"/2"``
    for a second round); the :class:`ResidualInfo` maps them back.
    """
    types = {t.name: t for t in problem.vehicle_types}
    routes = {r.vehicle: r for r in plan.routes}
    done = set(state.done)
    depots = list(problem.depots)
    vtypes: list[VehicleType] = []
    info = ResidualInfo({}, set(), {}, {}, dict(stuck), {})
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
            home = problem.depot(t.return_depot).location
            # cut off from its depot by a closure: it goes on with its round on this side
            # and ends the day where the closure caught it (see compose: at its last stop)
            end_id = (
                dep_id
                if base.duration(van.location, home) >= Problem.UNREACHABLE
                else t.return_depot
            )
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
                    end_depot=end_id,
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
        home = home_depot(problem, plan, v)
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
            name=f"{problem.name}:replan@{hhmm(now)}",
        )
    except ProblemError as exc:  # a bug here, not bad input: say where it came from
        raise DisruptionError(f"residual problem: {exc}") from exc
    return residual, info


def without_unused_depots(problem: Problem) -> Problem:
    """Without depots no van starts or ends at and no village is tied to (solver adapters
    need not handle unused depots)."""
    used = {t.start_depot for t in problem.vehicle_types}
    used |= {t.return_depot for t in problem.vehicle_types}
    used |= {v.depot for v in problem.villages if v.depot is not None}
    return problem.replace(depots=tuple(d for d in problem.depots if d.id in used))
