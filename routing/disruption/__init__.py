"""Disruptions during the day — a van breaks down, a road closes — and re-planning the rest.

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
* **Second trips** (``Route.trip``): a plan's trip 1 of a van is taken as that van's
  ``"/2"`` round (a trip not yet started is re-planned with the rest, one started goes on
  as planned); the residual vans make one round each. A third trip is refused.
* **Several events** are taken in time order: at each event time the day so far (the
  plan, or the previous re-plan) is re-planned from the state then. A broken van stays
  broken; parcels brought back to the depot (by a rescue, or on a van that could not
  deliver them) keep that later release time. Road closures act through
  ``problem_after`` (matrices with the closed roads removed, computed by the caller): arcs
  that became impossible show up as ``unreachable``.
* **Cut off by a closure.** A running van whose way home is closed goes on with its round
  on its side of the closure (its residual round ends where the closure caught it, and in
  the complete day at its last stop: ``plan.meta["stranded"]``); the parcels it carries for
  the other side stay on board. A closure may reopen (``RoadClosure.until_s``): that is a
  re-planning moment too (``problem_after`` then holds the matrices with the road open), and
  a cut-off van goes on from its last stop, delivers what it still carries and comes home.
  Distances already driven are measured on the roads open when they were driven.
* **At most two rounds** a van a day (a second round is planned only from a first).
* **Keep, then repair** (``policy="keep"``, the default): rounds that are still feasible are
  kept unchanged (drivers already on the road are not re-routed for a small gain); only the
  orphaned villages are re-planned, with the spare vans and the vans whose round broke. If
  that leaves a planned village undelivered, the whole residual problem is also solved and
  used when it delivers more of them. ``policy="full"`` re-solves everything that remains.

Every village of the problem ends exactly once in the complete day: done, served by a
residual round, or unserved with a reason (diagnosed on the residual problem).

The package follows the re-plan: :mod:`~routing.disruption.events` (what can happen),
:mod:`~routing.disruption.fleet` (where the vans are at a moment),
:mod:`~routing.disruption.residual` (the problem that is left),
:mod:`~routing.disruption.replanning` (keep, repair, solve) and
:mod:`~routing.disruption.compose` (the complete day). The public names are re-exported
here.
"""

from routing.disruption.events import (
    Disruption,
    DisruptionError,
    RoadClosure,
    VanBreakdown,
)
from routing.disruption.fleet import FleetState, VanState, fleet_names, fleet_state
from routing.disruption.replanning import (
    POLICIES,
    REPLAN_SETTINGS,
    Replan,
    ReplanStage,
    VillageChange,
    replan,
    timed_route,
)
from routing.disruption.residual import RECOVERY_DELAY_S

__all__ = [
    "POLICIES",
    "RECOVERY_DELAY_S",
    "REPLAN_SETTINGS",
    "Disruption",
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
