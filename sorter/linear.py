"""A linear swing-wheel (摆轮) sorting line: one straight pass, a reject chute at the end.

The real object: induction stations at the head of a straight belt moving at ``speed_mps``;
each places a parcel into the next free *belt slot* (parcel length + minimum gap), a scanner
reads it, and it passes every chute once. At its chute a swing-wheel module turns it out. A
parcel whose chute is full or being bagged, or whose module is still swinging back from the
previous parcel (``diverter_cycle_s``), rides to the end of the belt into the reject chute;
re-induction staff carry it back to induction. No-reads also end in a chute at the end of the
belt, are keyed by hand and re-inducted. There is no recirculation: every miss costs a trip
by hand.

Geometry: positions are metres from the head of the belt. Stations lie before the scanner,
every chute after it; chutes at the same position (left and right of the belt) share one
swing-wheel module, so two parcels for those two chutes must be ``diverter_cycle_s`` apart.
Parcels passing a module straight are never disturbed by it.

Speed: as in the loop engine there is no process per slot or per parcel. Time on the belt is
counted in slots: slot ``n`` passes position ``x`` at ``n * dt + x / speed`` with ``dt = (parcel
length + gap) / speed``, so every arrival at a chute is arithmetic. Stations are processes;
discharges, bagging, keying and re-induction are callbacks on exact-time events.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any

import numpy as np
import simpy

from ._common import At, check_run_args, resolve_layout_assignment, unload_times
from .arrivals import Arrivals
from .assignment import ChuteAssignment, SpreadModules, VillageInfo
from .linear_line import LinearLine, linear_capacity_per_h, linear_module_bound_per_h
from .result import SortResult

__all__ = [
    "LinearLine",
    "SpreadModules",
    "linear_capacity_per_h",
    "linear_module_bound_per_h",
    "simulate_linear",
]

IN_SYSTEM, BAGGED, NO_READ, EXCEPTION, OVERFLOW = range(5)
COMMIT_S = 60.0  # an idle station commits to a parcel arriving at most this much later


def simulate_linear(
    line: LinearLine,
    arrivals: Arrivals,
    *,
    assignment: ChuteAssignment | Mapping[str, str],
    seed: int | np.random.SeedSequence = 0,
    horizon_s: float | None = None,
    cutoffs_s: Sequence[float] | None = None,
    village_info: Sequence[VillageInfo] | None = None,
    final_sweep: bool = True,
) -> SortResult:
    """Run one day on a linear line; the arguments mean what they mean for
    :func:`sorter.simulate` (faults are not modelled on this kind of line).

    ``SortResult`` fields keep their meaning: ``recirculations`` counts a parcel's trips to
    the reject chute, ``refusals`` per chute counts the parcels it turned away (full, being
    bagged, or its module still swinging), ``visits`` logs every induction including the
    re-inductions of rejects and keyed no-reads.
    """
    mapping = resolve_layout_assignment(assignment, line, arrivals, village_info, "chute")
    check_run_args(horizon_s)
    rng = np.random.default_rng(seed)
    if cutoffs_s is None:
        cutoffs_s = tuple(w.cutoff_s for w in arrivals.waves)

    # ---- static layout ---------------------------------------------------------------
    speed = line.speed_mps
    dt = line.slot_s
    chutes = line.chutes
    n_chutes = len(chutes)
    chute_index = {c.id: k for k, c in enumerate(chutes)}
    cpos = [c.position_m for c in chutes]
    is_village = [c.kind == "village" for c in chutes]
    cap = [(c.capacity or line.chute_capacity) if c.kind == "village" else 1 << 60 for c in chutes]
    thr = [max(1, math.ceil(line.fill_threshold * k)) for k in cap]
    module_of_pos: dict[float, int] = {}
    module = [module_of_pos.setdefault(p, len(module_of_pos)) for p in cpos]
    module_free = [-math.inf] * len(module_of_pos)
    cycle = line.diverter_cycle_s
    NR = chute_index[line.special_chute("no_read").id]
    EX = chute_index[line.special_chute("exception").id]
    REJ = chute_index[line.reject_chute.id]
    MAN = chute_index[line.special_chute("manual").id] if line.oversize_to_manual else -1
    order = sorted(range(len(line.induction)), key=lambda k: line.induction[k].position_m)
    stations = tuple(line.induction[k] for k in order)
    st_off = [st.position_m / speed for st in stations]
    st_hand = [st.handling_s for st in stations]

    # ---- parcels ------------------------------------------------------------------------
    un = unload_times(arrivals, line.unload_ports, line.unload_rate_per_h)
    N = un.parcels
    avail = un.available_s
    village_chute = np.array([chute_index[mapping[v]] for v in arrivals.villages], dtype=np.int32)
    dest = village_chute[un.village] if N else np.zeros(0, np.int32)
    manual = un.oversize & line.oversize_to_manual
    noread_l = (rng.random(N) < line.no_read_prob).tolist()
    exc_l = (rng.random(N) < line.exception_prob).tolist()
    dest_l: list[int] = dest.tolist()

    env = simpy.Environment()
    nan = float("nan")
    target = array("i", dest.tobytes())
    recirc = array("i", bytes(4 * N))
    outcome = array("b", bytes(N))
    entry_s = array("d", [nan]) * N
    bag_s = array("d", [nan]) * N
    induct_s = array("d", [nan]) * N
    station_of = array("h", [-1]) * N
    keyed = bytearray(N)
    fill = [0] * n_chutes
    max_fill = [0] * n_chutes
    contents: list[list[int]] = [[] for _ in range(n_chutes)]
    bagging = [False] * n_chutes
    requested = [False] * n_chutes
    refusals = [0] * n_chutes
    v_parcel: array = array("i")
    v_station: array = array("h")
    v_arr: array = array("d")
    v_start: array = array("d")
    v_placed: array = array("d")
    bag_log: list[tuple[int, float, float, int]] = []
    # taken[n]: slot n holds a parcel (one byte a slot: 144 k slots a day at 0.6 s)
    taken = bytearray(1 << 16)

    conv_idx = np.flatnonzero(~manual)
    conv_avail = avail[conv_idx].tolist()
    conv_ids = conv_idx.tolist()
    n_conv = len(conv_ids)
    reinduct: deque[tuple[int, float]] = deque()  # (parcel, time back at induction)
    state = {"ptr": 0, "claimed": 0, "unsettled": n_conv}

    def settle() -> None:
        state["unsettled"] -= 1
        if state["unsettled"] == 0 and state["ptr"] >= n_conv and final_sweep:
            sweep()

    # ---- the belt: a parcel in slot n reaches position x at n * dt + x / speed ---------
    def on_chute(ev: simpy.Event) -> None:
        i, n = ev._value
        c = target[i]
        now = env._now
        if is_village[c]:
            m = module[c]
            if bagging[c] or fill[c] >= cap[c] or module_free[m] > now:
                refusals[c] += 1
                At(env, n * dt + cpos[REJ] / speed, (i, n)).callbacks.append(on_reject)
                return
            module_free[m] = now + cycle
            f = fill[c] + 1
            fill[c] = f
            if f > max_fill[c]:
                max_fill[c] = f
            contents[c].append(i)
            entry_s[i] = now
            if f >= thr[c] and not requested[c]:
                request_bag(c)
            settle()
        elif c == NR:
            entry_s[i] = now
            outcome[i] = NO_READ
            At(env, now + line.keying_delay_s, i).callbacks.append(on_keyed)
        else:  # exception
            entry_s[i] = now
            outcome[i] = EXCEPTION
            settle()

    def on_reject(ev: simpy.Event) -> None:
        i, _n = ev._value
        r = recirc[i] + 1
        recirc[i] = r
        if r > line.max_recirculations:
            target[i] = REJ
            entry_s[i] = env._now
            outcome[i] = OVERFLOW
            settle()
        else:
            to_staff(i)

    # ---- re-induction staff (a pool; one timeout per parcel) --------------------------
    staff_queue: deque[int] = deque()
    staff = {"free": line.reinduct_staff}
    carry_s = 3600.0 / line.reinduct_rate_per_h

    def to_staff(i: int) -> None:
        if staff["free"] > 0:
            staff["free"] -= 1
            At(env, env._now + carry_s, i).callbacks.append(on_carried)
        else:
            staff_queue.append(i)

    def on_carried(ev: simpy.Event) -> None:
        i = ev._value
        reinduct.append((i, env._now))
        wake_one()
        if staff_queue:
            At(env, env._now + carry_s, staff_queue.popleft()).callbacks.append(on_carried)
        else:
            staff["free"] += 1

    def on_keyed(ev: simpy.Event) -> None:
        i = ev._value
        keyed[i] = 1
        entry_s[i] = nan  # out of the no-read chute, on its way back to induction
        outcome[i] = IN_SYSTEM
        to_staff(i)

    # ---- bagging operators ---------------------------------------------------------------
    bag_queue: deque[int] = deque()
    ops = {"free": line.bagging_operators}

    def request_bag(c: int) -> None:
        requested[c] = True
        if ops["free"] > 0:
            start_bag(c)
        else:
            bag_queue.append(c)

    def start_bag(c: int) -> None:
        requested[c] = False
        if not contents[c]:
            return
        ops["free"] -= 1
        bagging[c] = True
        items = contents[c]
        contents[c] = []
        At(env, env._now + line.bag_time_s, (c, items, env._now)).callbacks.append(end_bag)

    def end_bag(ev: simpy.Event) -> None:
        c, items, started = ev._value
        now = env._now
        for i in items:
            bag_s[i] = now
            outcome[i] = BAGGED
        fill[c] -= len(items)
        bagging[c] = False
        bag_log.append((c, started, now, len(items)))
        ops["free"] += 1
        while bag_queue and ops["free"] > 0:
            start_bag(bag_queue.popleft())
        if fill[c] >= thr[c] and not requested[c]:
            request_bag(c)

    def sweep(_ev: Any = None) -> None:
        for c in range(n_chutes):
            if is_village[c] and fill[c] > 0 and not requested[c] and not bagging[c]:
                request_bag(c)

    for t_cut in sorted(cutoffs_s):
        if horizon_s is None or t_cut <= horizon_s:
            At(env, float(t_cut)).callbacks.append(sweep)

    # ---- induction ---------------------------------------------------------------------
    def take(now: float) -> tuple[int, float] | None:
        """Pop the earliest parcel that is at induction by ``now`` (unloaded or carried)."""
        p = state["ptr"]
        ta = conv_avail[p] if p < n_conv else math.inf
        if reinduct and reinduct[0][1] <= ta:
            if reinduct[0][1] <= now:
                return reinduct.popleft()
            return None
        if ta <= now:
            state["ptr"] = p + 1
            return conv_ids[p], ta
        return None

    sleeping = [False] * len(stations)
    procs: list[simpy.Process] = []

    def wake_one() -> None:
        for s in range(len(stations)):
            if sleeping[s]:
                sleeping[s] = False
                procs[s].interrupt()
                break

    def station_proc(s: int) -> Any:
        off = st_off[s]
        h = st_hand[s]
        ahead: tuple[int, float, float] | None = None
        free_at = -math.inf  # when the operator last handed a parcel to the induct belt
        while True:
            now = env._now
            if ahead is None:
                got = take(now)
                k = state["ptr"]
                if (
                    got is None
                    and not state["claimed"]
                    and k < n_conv
                    and conv_avail[k] - now <= COMMIT_S
                ):
                    # idle operator commits to the next parcel due within COMMIT_S
                    state["ptr"] = k + 1
                    got = (conv_ids[k], conv_avail[k])
                    now = conv_avail[k]
                if got is None:
                    k = state["ptr"] + state["claimed"]
                    claim = k < n_conv
                    alarm: simpy.Event
                    if claim:
                        alarm = At(env, conv_avail[k])
                        state["claimed"] += 1
                    else:
                        alarm = env.event()  # nothing left to claim: wait for a re-induction
                    sleeping[s] = True
                    with suppress(simpy.Interrupt):
                        yield alarm
                    sleeping[s] = False
                    if claim:
                        state["claimed"] -= 1
                    continue
                i, arrived = got
                start = max(arrived, free_at)  # the operator took it when both were there
            else:
                i, arrived, start = ahead
                ahead = None
            end = start + h
            if end > env._now:
                yield At(env, end)
            # on the induct belt: wait for the first slot no upstream station has filled
            free_at = env._now  # the operator is free from here on
            n = max(0, math.ceil((free_at - off) / dt - 1e-9))
            while True:
                if ahead is None:
                    got = take(env._now)
                    if got is not None:  # the operator started it when it came (or was free)
                        ahead = (got[0], got[1], max(got[1], free_at))
                t_n = n * dt + off
                if t_n > env._now:
                    yield At(env, t_n)
                if n < len(taken) and taken[n]:
                    n += 1
                    continue
                break
            now = env._now
            if n >= len(taken):
                taken.extend(bytes(max(n + 1 - len(taken), len(taken))))
            taken[n] = 1
            if induct_s[i] != induct_s[i]:
                induct_s[i] = now
            station_of[i] = order[s]
            v_parcel.append(i)
            v_station.append(order[s])
            v_arr.append(arrived)
            v_start.append(start)
            v_placed.append(now)
            if not keyed[i] and noread_l[i]:
                c = NR
            elif exc_l[i]:
                c = EX
            else:
                c = dest_l[i]
            target[i] = c
            At(env, n * dt + cpos[c] / speed, (i, n)).callbacks.append(on_chute)

    for s in range(len(stations)):
        procs.append(env.process(station_proc(s)))
    if n_conv == 0 and final_sweep:
        sweep()
    if horizon_s is not None:
        env.run(until=horizon_s)
        end_t = float(horizon_s)
    else:
        env.run()
        end_t = float(env.now)

    # ---- oversize parcels: sorted by hand, no events ------------------------------------
    man_idx = np.flatnonzero(manual)
    out_arr = np.frombuffer(outcome, dtype=np.int8).copy()
    entry_arr = np.frombuffer(entry_s, dtype=np.float64).copy()
    bag_arr = np.frombuffer(bag_s, dtype=np.float64).copy()
    target_arr = np.frombuffer(target, dtype=np.int32).copy()
    if man_idx.size:
        tm = avail[man_idx] + line.manual_sort_s
        if horizon_s is None:
            end_t = max(end_t, float(tm.max()))
        done = tm <= end_t
        out_arr[man_idx[done]] = BAGGED
        bag_arr[man_idx[done]] = tm[done]
        entry_arr[man_idx[done]] = tm[done]
        target_arr[man_idx] = MAN
    # in_system and in no chute: queued, on the belt, rejected, with staff (as the loop)
    chute_arr = np.where(np.isnan(entry_arr) & (out_arr == IN_SYSTEM), -1, target_arr)
    return SortResult(
        line=line,
        village_ids=tuple(arrivals.villages),
        chute_ids=tuple(c.id for c in chutes),
        chute_kinds=tuple(c.kind for c in chutes),
        station_names=tuple(st.name for st in line.induction),
        truck_ids=tuple(t.id for t in un.trucks),
        truck_brands=tuple(t.brand for t in un.trucks),
        truck_arrival_s=np.array([t.arrival_s for t in un.trucks]),
        wave_names=tuple(w.name for w in arrivals.waves) or ("day",),
        assignment=mapping,
        village=un.village,
        truck=un.truck,
        wave=un.wave,
        oversize=un.oversize,
        available_s=avail,
        induct_s=np.frombuffer(induct_s, dtype=np.float64).copy(),
        station=np.frombuffer(station_of, dtype=np.int16).copy(),
        recirculations=np.frombuffer(recirc, dtype=np.int32).copy(),
        outcome=out_arr,
        chute=chute_arr.astype(np.int32),
        entry_s=entry_arr,
        bag_s=bag_arr,
        no_read=np.frombuffer(keyed, dtype=np.uint8).astype(bool) | (out_arr == NO_READ),
        refusals=np.array(refusals, dtype=np.int64),
        bag_log=np.array(bag_log, dtype=float).reshape(-1, 4),
        visits={
            "parcel": np.frombuffer(v_parcel, dtype=np.int32).copy(),
            "station": np.frombuffer(v_station, dtype=np.int16).copy(),
            "arrived_s": np.frombuffer(v_arr, dtype=np.float64).copy(),
            "start_s": np.frombuffer(v_start, dtype=np.float64).copy(),
            "placed_s": np.frombuffer(v_placed, dtype=np.float64).copy(),
        },
        max_fill=np.array(max_fill, dtype=np.int64),
        capacity=np.array([min(k, 2**31 - 1) for k in cap], dtype=np.int64),
        t_end=end_t,
    )
