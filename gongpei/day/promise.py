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

``promised_by_towns`` gives some townships an earlier, firm promise (the county seat's
villages by noon): :func:`promised_for` is the time that holds for a stop, and under the soft
promise a late parcel-hour there costs ``FIRM_LATE_SHARE`` of the drop penalty per parcel.
Why firm: at ¥2 a parcel-hour a 20-parcel village six minutes late costs ¥4, less than a
kilometre of detour, so the solver trades such a promise away (the default day had a county-
seat village reached at 12:06 with the general promise at 14:00, so nothing asked for noon).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gongpei.day.results import VillageOutcome
    from gongpei.scenario.schema_routing import Routing

__all__ = [
    "FIRM_LATE_SHARE",
    "LATE_REASONS",
    "LateReason",
    "late_reason",
    "promise_terms",
    "promised_for",
    "service_summary",
    "village_promises",
]

#: Why a served village is late, in the order they are tested (the first that holds wins).
LATE_REASONS = ("drive_time", "release_too_late", "fleet_and_shift")
#: Share of ``drop_penalty_per_parcel`` that a parcel-hour late costs under a township's own
#: promise (``promised_by_towns``, soft): ¥100 at the default ¥1000, so an hour late weighs
#: about a third of a van-day per parcel and the promise holds wherever a van can keep it,
#: while serving late still beats dropping unless a stop is ten hours late (no shift is).
FIRM_LATE_SHARE = 0.1


def promised_for(routing: Routing, town: str | None) -> int:
    """The promised time of a stop in township ``town`` (a 9-digit code; ``None``: unknown):
    the township's own (``promised_by_towns``) or ``promised_by``."""
    if town is not None and town in routing.promised_by_towns:
        return int(routing.promised_by_towns[town])
    return int(routing.promised_by)


def village_promises(routing: Routing, town_of: dict[str, str]) -> dict[str, int]:
    """``village code → promised time`` for the villages (``town_of``: code → township code)
    whose township has its own promise; every other village's is ``promised_by``."""
    own = routing.promised_by_towns
    return {code: int(own[town]) for code, town in town_of.items() if town in own}


def promise_terms(
    routing: Routing, deliver: int, pickup: int, town: str | None = None
) -> tuple[int, int | None, float, float]:
    """``(window close, due_s, late_cost_per_h, drop_penalty)`` of a stop in township
    ``town`` delivering ``deliver`` parcels and collecting ``pickup``.

    Lateness is charged on the parcels delivered (a pickup collected late is not late for
    anyone); the drop penalty on everything left behind, at least one parcel's worth. A
    township with its own promise (:func:`promised_for`) is charged the firm rate
    (``FIRM_LATE_SHARE`` of the drop penalty per parcel-hour) under the soft promise.
    """
    r = routing
    promised = promised_for(r, town)
    firm = town is not None and town in r.promised_by_towns
    close = r.station_close
    due: int | None = None
    late_per_h = 0.0
    if r.promise == "hard":
        close = min(r.station_close, max(r.station_open, promised))
    elif r.promise == "soft" and deliver > 0:
        due = promised
        rate = FIRM_LATE_SHARE * r.drop_penalty_per_parcel if firm else r.late_cost_per_parcel_h
        late_per_h = rate * deliver
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


def service_summary(
    villages: Iterable[VillageOutcome],
    promised_s: int,
    own: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The service a plan gives: on-time villages and parcels, the lights that matter,
    late parcel-hours (parcels delivered × hours after the promised time) and pickups
    collected — what compare and sweep show beside km and cost. ``own``: village code →
    its own promised time (:func:`village_promises`), for villages not promised by
    ``promised_s``."""
    own = own or {}
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
        by = own.get(v.code, promised_s)
        if v.arrival_s <= by:
            on_time += 1
            on_time_parcels += v.sorted_parcels
        else:
            late += 1
            late_parcels += v.sorted_parcels
            late_ph += v.sorted_parcels * (v.arrival_s - by) / 3600
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
