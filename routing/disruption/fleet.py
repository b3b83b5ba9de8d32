"""Where the vans are at a moment of the day: what each has done and what it carries.

The rules (committed stops, broken-down vans, second rounds) are stated in
:mod:`routing.disruption`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from routing.construct import vans
from routing.disruption.events import DisruptionError
from routing.plan import Plan
from routing.problem import Problem

__all__ = ["FleetState", "VanState", "as_rounds", "fleet_names", "fleet_state"]


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


def as_rounds(plan: Plan) -> Plan:
    """A plan with second trips (``Route.trip`` 1) in re-planning's own terms: a van's
    second round named ``vehicle + "/2"`` (trip 0). Re-planning handles a van's first two
    rounds; a third trip is refused (:class:`DisruptionError`). Plans without trips are
    returned as they are."""
    import dataclasses

    if all(r.trip == 0 for r in plan.routes):
        return plan
    third = next((r for r in plan.routes if r.trip > 1), None)
    if third is not None:
        raise DisruptionError(
            f"van {third.vehicle!r} makes trip {third.trip}: re-planning handles a van's "
            "first two trips (max_trips <= 2)"
        )
    routes = tuple(
        dataclasses.replace(r, vehicle=f"{r.vehicle}/2", trip=0) if r.trip == 1 else r
        for r in plan.routes
    )
    return dataclasses.replace(plan, routes=routes)


def fleet_names(problem: Problem) -> tuple[str, ...]:
    """Every van's name, ``type#k`` as the backends number them."""
    return tuple(v.name for v in vans(problem))


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
    plan = as_rounds(plan)  # second trips: the van's "/2" round
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
