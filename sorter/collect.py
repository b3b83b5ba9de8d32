"""After the run: the hand-sorted oversize parcels, the hand sort of shared chutes' bags by
village, and the engine's raw logs turned into the :class:`SortResult` column arrays.

Oversize parcels never touch the loop, so hand sorting is computed here without events: a
FIFO queue of ``Line.manual_staff`` people, ``manual_sort_s`` a parcel (unlimited people,
the original model, when ``manual_staff`` is None). The secondary sort of a shared chute's
bags comes after bagging and never holds up the loop, so it is computed here too.
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


def shared_chutes(
    arrivals: Arrivals,
    mapping: dict[str, str],
    groups: dict[str, tuple[str, ...]],
    day: Day,
) -> list[int]:
    """Indices of the village chutes that today's villages share (two or more)."""
    index = {c.id: k for k, c in enumerate(day.chutes)}
    users = np.zeros(len(index), dtype=np.int64)
    for v in arrivals.villages:
        for c in groups.get(v, (mapping[v],)):
            users[index[c]] += 1
    return [k for k, n in enumerate(users.tolist()) if n > 1 and day.is_village[k]]


def secondary_sort(
    line: Line, shared: list[int], target: np.ndarray, entry: np.ndarray, bag: np.ndarray,
    bag_log: np.ndarray,
) -> dict[str, np.ndarray]:  # fmt: skip
    """The hand sort of shared chutes' bags by village: parcel, joined (bag tied), start and
    end of its own sorting.

    A bag joins the queue when it is tied (the bagging log's end time, first tied first
    taken); each of ``secondary_sort_staff`` people takes the next bag when free and sorts
    its parcels in the order they entered the chute, ``3600 / secondary_sort_rate_per_h``
    seconds each, so parcel ``k`` of a bag started at ``t`` is out at ``t + (k + 1) h``.
    """
    h = 3600.0 / line.secondary_sort_rate_per_h
    rows = bag_log[np.isin(bag_log[:, 0].astype(np.int64), shared)] if shared else bag_log[:0]
    # the parcels of each (chute, tie time), in the order they entered the chute
    sel = np.flatnonzero(np.isin(target, shared) & np.isfinite(bag))
    sel = sel[np.lexsort((entry[sel], bag[sel], target[sel]))]
    cut = np.flatnonzero((np.diff(target[sel]) != 0) | (np.diff(bag[sel]) != 0)) + 1
    by_bag = {(int(target[g[0]]), float(bag[g[0]])): g for g in np.split(sel, cut) if g.size}
    empty_ids = np.zeros(0, dtype=np.int64)
    parcels = [by_bag.get((int(c), end), empty_ids) for c, _start, end, _n in rows.tolist()]
    sizes = np.array([p.size for p in parcels], dtype=float)
    start, _ = fifo_servers(rows[:, 2], sizes * h, line.secondary_sort_staff)
    if not parcels:
        empty = np.zeros(0)
        return {"parcel": np.zeros(0, np.int32), "arrived_s": empty, "start_s": empty,
                "end_s": empty}  # fmt: skip
    ids = np.concatenate(parcels).astype(np.int32)
    offset = np.concatenate([np.arange(p.size) for p in parcels]) * h
    t0 = np.repeat(start, sizes.astype(np.int64)) + offset
    return {
        "parcel": ids,
        "arrived_s": np.repeat(rows[:, 2], sizes.astype(np.int64)),
        "start_s": t0,
        "end_s": t0 + h,
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
    bag_log = np.array(raw["bag_log"], dtype=float).reshape(-1, 4)
    ready = np.zeros(0)
    shared = (
        shared_chutes(arrivals, mapping, raw["groups"], day) if line.secondary_sort_staff else []
    )
    if shared:
        sec = queues["secondary"] = secondary_sort(line, shared, target, entry, bag, bag_log)
        if horizon_s is None and sec["end_s"].size:
            end_t = max(end_t, float(sec["end_s"].max()))
        ready = bag.copy()
        late = sec["end_s"] > end_t
        ready[sec["parcel"]] = np.where(late, np.nan, sec["end_s"])
        outcome[sec["parcel"][late]] = IN_SYSTEM
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
        bag_log=bag_log,
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
        ready_s=ready,
        chute_groups=dict(raw["groups"]),
    )
