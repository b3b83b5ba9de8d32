"""The promise in the plan: ``[routing] promised_by`` as problem data, and why a village is late.

Why this module: the promised time used to colour the villages only, after the rounds were
planned; no solver saw it, so the default day had villages of the county seat reached at
14:38, the ninth stop of a round. ``routing.promise`` says what the rounds do with it:

* ``"report"`` — nothing (the old behaviour): the light turns red after the promised time;
* ``"soft"`` — every parcel delivered after the promised time costs
  ``late_cost_per_parcel_h`` yuan per hour late, in the solver's objective (OR-Tools: a soft
  upper bound on the service start; see :mod:`routing.ortools_backend`);
* ``"hard"`` — the promise is a deadline: the village's window closes at the promised time,
  and a village no van can reach by then is unserved with the binding reason
  (``release_too_late``: its chute is ready too late; ``time_window``: too far from the hub).

:func:`promise_terms` is the one place these settings become :class:`routing.Village`
fields (with the drop penalty weighed by the parcels left behind); :func:`late_reason` says,
for a village served late, which of the chute's ready time, the drive from the hub or the
fleet and its shifts binds; :func:`service_summary` counts the service a plan gives (on-time
villages, lights, late parcel-hours, pickups) for the summary, compare and sweep.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gongpei.day.results import VillageOutcome
    from gongpei.scenario.schema import Routing

__all__ = ["LATE_REASONS", "LateReason", "late_reason", "promise_terms", "service_summary"]

#: Why a served village is late, in the order they are tested (the first that holds wins).
LATE_REASONS = ("drive_time", "release_too_late", "fleet_and_shift")


def promise_terms(
    routing: Routing, deliver: int, pickup: int
) -> tuple[int, int | None, float, float]:
    """``(window close, due_s, late_cost_per_h, drop_penalty)`` of a stop delivering
    ``deliver`` parcels and collecting ``pickup``.

    Lateness is charged on the parcels delivered (a pickup collected late is not late for
    anyone); the drop penalty on everything left behind, at least one parcel's worth.
    """
    r = routing
    close = r.station_close
    due: int | None = None
    late_per_h = 0.0
    if r.promise == "hard":
        close = min(r.station_close, max(r.station_open, r.promised_by))
    elif r.promise == "soft" and deliver > 0:
        due = r.promised_by
        late_per_h = r.late_cost_per_parcel_h * deliver
        if late_per_h == 0:
            due = None
    penalty = r.drop_penalty_per_parcel * max(1, deliver + pickup)
    return close, due, late_per_h, penalty


@dataclass(frozen=True, slots=True)
class LateReason:
    """Why village ``code`` is reached after the promised time.

    ``reason`` is one of :data:`LATE_REASONS`: ``drive_time`` (a van leaving the hub at its
    shift start, straight there, still arrives late), ``release_too_late`` (it would be on
    time but the chute is ready too late), ``fleet_and_shift`` (a direct van would be on
    time: the vans and their shifts went to other villages first).
    """

    code: str
    reason: str
    detail: str


def late_reason(
    code: str,
    *,
    promised_s: int,
    ready_s: int,
    shift_start_s: int,
    drive_s: int,
    window_open_s: int,
) -> LateReason:
    """The binding reason a served village is late (see :class:`LateReason`)."""
    from gongpei.scenario.clock import format_clock as c

    at_start = max(shift_start_s + drive_s, window_open_s)
    if at_start > promised_s:
        return LateReason(
            code,
            "drive_time",
            f"{drive_s / 60:.0f} min from the hub: a van leaving at {c(shift_start_s)} "
            f"arrives {c(at_start)}, after {c(promised_s)}",
        )
    direct = max(max(shift_start_s, ready_s) + drive_s, window_open_s)
    if direct > promised_s:
        return LateReason(
            code,
            "release_too_late",
            f"chute ready {c(ready_s)}; with {drive_s / 60:.0f} min from the hub a van "
            f"arrives {c(direct)} at the earliest, after {c(promised_s)}",
        )
    return LateReason(
        code,
        "fleet_and_shift",
        f"a van straight from the hub would arrive {c(direct)}; the vans and their shifts "
        "went to other villages first (more vans or a later promise would help)",
    )


def service_summary(villages: Iterable[VillageOutcome], promised_s: int) -> dict[str, Any]:
    """The service a plan gives: on-time villages and parcels, the lights that matter,
    late parcel-hours (parcels delivered × hours after the promised time) and pickups
    collected — what compare and sweep show beside km and cost."""
    on_time = late = 0
    on_time_parcels = late_parcels = 0
    late_ph = 0.0
    pickups = 0
    red = yellow = unserved = 0
    for v in villages:
        if not v.rural:
            continue
        red += v.light == "red"
        yellow += v.light == "yellow"
        if v.status == "unserved":
            unserved += 1
            continue
        if v.status != "served" or v.arrival_s is None:
            continue
        pickups += v.pickup_parcels
        if v.arrival_s <= promised_s:
            on_time += 1
            on_time_parcels += v.sorted_parcels
        else:
            late += 1
            late_parcels += v.sorted_parcels
            late_ph += v.sorted_parcels * (v.arrival_s - promised_s) / 3600
    return {
        "on_time_villages": on_time,
        "late_villages": late,
        "unserved_villages": unserved,
        "on_time_parcels": on_time_parcels,
        "late_parcels": late_parcels,
        "late_parcel_h": round(late_ph, 2),
        "red": red,
        "yellow": yellow,
        "pickups_collected": pickups,
    }
