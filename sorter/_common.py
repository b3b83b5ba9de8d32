"""Pieces the linear and manual simulators share with each other (not with the loop engine,
which keeps its own copies so that it can be reworked independently).

* :func:`unload_times`: unloading as a deterministic FIFO server over the trucks in arrival
  order, the same arithmetic as ``sorter.engine`` (so all kinds see the same parcels at the
  same times for the same arrivals and unload settings);
* :func:`resolve_layout_assignment`: ``{village: chute id}`` from a policy or a mapping for any
  layout that has ``village_chutes`` (and, for the policies, ``length_m``,
  ``scanner_position_m`` and ``induction``);
* :class:`At`: a SimPy event at an exact absolute time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from heapq import heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL

from .arrivals import Arrivals, Truck
from .assignment import ChuteAssignment, VillageInfo
from .line import Chute, LineError


class At(simpy.Event):
    """An already-triggered event processed at the absolute time ``when`` (never earlier than
    now). Scheduling ``now + (when - now)`` would let two events meant for one instant differ
    in the last bit; pushing the absolute time keeps their order by creation."""

    def __init__(self, env: simpy.Environment, when: float, value: Any = None) -> None:
        self.env = env
        self.callbacks: list[Any] = []
        self._value = value
        self._ok = True
        now = env._now
        heappush(env._queue, (when if when > now else now, NORMAL, next(env._eid), self))


@dataclass(frozen=True, eq=False)
class Unloaded:
    """The day's parcels in unloading order, as column arrays."""

    trucks: tuple[Truck, ...]
    village: np.ndarray  # int32 code into Arrivals.villages
    oversize: np.ndarray  # bool
    truck: np.ndarray  # int32 index into trucks
    wave: np.ndarray  # int16 index into Arrivals.waves
    available_s: np.ndarray  # time the parcel is off the truck and can be sorted

    @property
    def parcels(self) -> int:
        return int(self.village.size)


def unload_times(arrivals: Arrivals, ports: int, rate_per_h: float) -> Unloaded:
    """Trucks unloaded in (arrival, id) order at ``ports * rate_per_h`` parcels/h together; a
    truck waits for the previous one. ``rate_per_h = inf`` makes unloading instantaneous."""
    trucks = tuple(sorted(arrivals.trucks, key=lambda t: (t.arrival_s, t.id)))
    sizes = np.array([t.parcels for t in trucks], dtype=np.int64)
    n = int(sizes.sum())
    if n:
        village = np.concatenate([t.village for t in trucks]).astype(np.int32)
        oversize = np.concatenate([np.asarray(t.oversize, dtype=bool) for t in trucks])
    else:
        village, oversize = np.zeros(0, np.int32), np.zeros(0, bool)
    truck_of = np.repeat(np.arange(len(trucks), dtype=np.int32), sizes)
    wave_of = np.repeat(np.array([t.wave for t in trucks], dtype=np.int16), sizes)
    rate_s = ports * rate_per_h / 3600.0
    avail = np.empty(n)
    free = 0.0
    pos = 0
    for t, k in zip(trucks, sizes, strict=True):
        k = int(k)
        if math.isinf(rate_s):
            avail[pos : pos + k] = t.arrival_s
        else:
            start = max(t.arrival_s, free)
            avail[pos : pos + k] = start + np.arange(1, k + 1) / rate_s
            free = start + k / rate_s
        pos += k
    return Unloaded(trucks, village, oversize, truck_of, wave_of, avail)


def resolve_layout_assignment(
    assignment: ChuteAssignment | Mapping[str, str],
    layout: Any,
    arrivals: Arrivals,
    village_info: Sequence[VillageInfo] | None,
    what: str,
) -> dict[str, str]:
    """``{village: village chute id}``; every arrival village must map to a village chute of
    ``layout``. Policies get ``village_info`` (default: arrival counts as volumes).

    The shipped policies read only ``village_chutes``, ``length_m``, ``scanner_position_m`` and
    ``induction`` of the line, which the linear and manual layouts provide with the same
    meaning (distance along the belt or walking distance from the sort table), so they work
    for every kind of line unchanged.
    """
    if isinstance(assignment, Mapping):
        mapping = dict(assignment)
    elif hasattr(assignment, "assign"):
        if village_info is None:
            counts = arrivals.village_counts()
            village_info = [VillageInfo(v, "", float(counts[v]), None) for v in arrivals.villages]
        mapping = dict(assignment.assign(village_info, layout))
    else:
        raise LineError(f"assignment = {assignment!r}: need a ChuteAssignment or a mapping")
    chutes: tuple[Chute, ...] = layout.village_chutes
    ids = {c.id for c in chutes}
    for v in arrivals.villages:
        if v not in mapping:
            raise LineError(f"assignment: village {v!r} has no {what}")
        if mapping[v] not in ids:
            raise LineError(f"assignment[{v!r}] = {mapping[v]!r}: not a village {what}")
    return mapping


def check_run_args(horizon_s: float | None) -> None:
    if horizon_s is not None and not horizon_s > 0:
        raise LineError(f"horizon_s = {horizon_s!r}: must be > 0")
