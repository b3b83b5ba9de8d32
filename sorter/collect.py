"""After the run: the hand-sorted oversize parcels, and the engine's raw logs turned into the
:class:`SortResult` column arrays.

Oversize parcels never touch the loop, so hand sorting is computed here without events: a
FIFO queue of ``Line.manual_staff`` people, ``manual_sort_s`` a parcel (unlimited people,
the original model, when ``manual_staff`` is None).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from .arrivals import Arrivals
from .line import Line
from .prepare import Day
from .result import OUTCOMES, SortResult
from .servers import fifo_servers

IN_SYSTEM, BAGGED, NO_READ = (OUTCOMES.index(k) for k in ("in_system", "bagged", "no_read"))


def _np(a: array | bytearray, dtype: Any) -> np.ndarray:
    return np.frombuffer(a, dtype=dtype).copy()


def hand_sort(line: Line, day: Day) -> dict[str, np.ndarray]:
    """The manual-sorting queue: parcel, joined (unloaded), start and end of hand sorting."""
    man_idx = np.flatnonzero(day.manual)
    t_arr = day.avail[man_idx]
    if line.manual_staff is None:
        t_start = t_arr
    else:
        order = np.argsort(t_arr, kind="stable")
        t_start = np.empty_like(t_arr)
        t_start[order] = fifo_servers(t_arr[order], line.manual_sort_s, line.manual_staff)[0]
    return {
        "parcel": man_idx.astype(np.int32),
        "arrived_s": t_arr,
        "start_s": t_start,
        "end_s": t_start + line.manual_sort_s,
    }


def collect(
    line: Line,
    arrivals: Arrivals,
    mapping: dict[str, str],
    bagging: str,
    day: Day,
    end_t: float,
    horizon_s: float | None,
    progress: Callable[[float], None] | None,
    raw: dict[str, Any],
) -> SortResult:
    """The :class:`SortResult` of a finished run from the engine's ``raw`` state."""
    outcome = _np(raw["outcome"], np.int8)
    entry = _np(raw["entry_s"], np.float64)
    bag = _np(raw["bag_s"], np.float64)
    target = _np(raw["target"], np.int32)
    recirculations = _np(raw["recirc"], np.int32)
    if raw["rc_before"] is not None:
        recirculations += np.frombuffer(raw["rc_before"], dtype=np.int32)
    service = {"keying": line.keying_delay_s, "reinduct": line.reinduct_s}
    queues = {
        name: {
            "parcel": _np(p, np.int32),
            "arrived_s": _np(a, np.float64),
            "start_s": _np(s, np.float64),
            "end_s": np.frombuffer(s, dtype=np.float64) + service[name],
        }
        for name, (p, a, s) in raw["queues"].items()
    }
    manual = queues["manual"] = hand_sort(line, day)
    man_idx, tm = manual["parcel"], manual["end_s"]
    if man_idx.size:
        if horizon_s is None:
            end_t = max(end_t, float(tm.max()))
        done = tm <= end_t
        outcome[man_idx[done]] = BAGGED
        bag[man_idx[done]] = tm[done]
        entry[man_idx[done]] = tm[done]
        target[man_idx] = day.MAN
    if progress is not None:
        progress(1.0)
    vp, vs, va, vst, vpl = raw["visits"]
    u = day.unloading
    trucks = day.trucks
    clock = day.clock
    return SortResult(
        line=line,
        village_ids=tuple(arrivals.villages),
        chute_ids=tuple(c.id for c in day.chutes),
        chute_kinds=tuple(c.kind for c in day.chutes),
        station_names=tuple(s.name for s in line.induction),
        truck_ids=tuple(t.id for t in trucks),
        truck_brands=tuple(t.brand for t in trucks),
        truck_arrival_s=np.array([t.arrival_s for t in trucks]),
        wave_names=tuple(w.name for w in arrivals.waves) or ("day",),
        assignment=mapping,
        village=day.vill,
        truck=day.truck_of,
        wave=day.wave_of,
        oversize=day.oversize,
        available_s=day.avail,
        induct_s=_np(raw["induct_s"], np.float64),
        station=_np(raw["station"], np.int16),
        recirculations=recirculations,
        outcome=outcome,
        chute=np.where(np.isnan(entry) & (outcome == IN_SYSTEM), -1, target).astype(np.int32),
        entry_s=entry,
        bag_s=bag,
        no_read=np.frombuffer(raw["keyed"], dtype=np.uint8).astype(bool) | (outcome == NO_READ),
        refusals=np.array(raw["refusals"], dtype=np.int64),
        bag_log=np.array(raw["bag_log"], dtype=float).reshape(-1, 4),
        visits={
            "parcel": _np(vp, np.int32),
            "station": _np(vs, np.int16),
            "arrived_s": _np(va, np.float64),
            "start_s": _np(vst, np.float64),
            "placed_s": _np(vpl, np.float64),
        },
        max_fill=np.array(raw["max_fill"], dtype=np.int64),
        capacity=np.array([min(k, 2**31 - 1) for k in day.cap], dtype=np.int64),
        t_end=end_t,
        stoppages=tuple(
            (w, d) for w, d in zip(clock.wall_start, clock.down, strict=True) if w <= end_t
        ),
        bagging=bagging,
        size_class=day.size_class,
        size_class_names=day.mix.names,
        size_class_litres=day.mix.litres,
        reinducted=_np(raw["reinducted"], np.uint8),
        truck_dock=u.dock,
        truck_unload_start_s=u.start_s,
        truck_unload_end_s=u.end_s,
        queues=queues,
    )
