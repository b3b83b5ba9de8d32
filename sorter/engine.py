"""The simulator: a few SimPy processes plus arithmetic on a carrier ring buffer.

Why it is fast: there is no process per carrier and none per parcel.

* Time on the loop is counted in *ticks*: one tick = one carrier pitch travelled
  (``pitch / speed`` s). At tick ``n`` carrier ``j`` sits at slot ``(j + n) mod C``, so the
  carrier passing slot ``p`` at tick ``n`` is ``(p - n) mod C`` and a parcel loaded at slot
  ``p`` first reaches slot ``c`` ``(c - p) mod C`` ticks later — discharge times are
  arithmetic, not events. Loop stoppages stretch the tick clock (``tau(n)`` = wall time of
  tick ``n``, :mod:`sorter.clock`); nothing else changes.
* Carrier occupancy is a list ``occ[carrier] = parcel or -1`` plus, per parcel, the tick of
  its next discharge attempt. A station may load the carrier in front of it at the current
  tick when that carrier is empty; otherwise it computes from the ring buffer the next tick
  at which a carrier *could* be empty and sleeps until then (one event, however long the
  queue of full carriers).
* Discharge attempts are kept in per-tick buckets; one SimPy event per tick that has
  attempts processes them in time order (chute accepts, or the parcel recirculates one loop
  or goes to overflow).
* Unloading (pooled or per dock) and hand sorting are deterministic FIFO servers computed in
  numpy (:mod:`sorter.servers`). Stations pull from one shared FIFO queue (unloaded parcels
  + re-inductions). An operator hands a parcel to the induct belt (room for one) and starts
  the next while it waits for an empty carrier, so with an empty loop a station is an exact
  M/D/1 server. An idle station sleeps until the next unclaimed arrival (or commits to it if
  it is due within ``COMMIT_S``).
* Bagging operators, keyers, re-induction staff and cut-offs are callbacks on SimPy
  timeouts (one per bag, per keyed or re-inducted parcel, per cut-off); which chute an
  operator takes next is the bagging policy's (:mod:`sorter.bagging`).
* Every statistic is rebuilt after the run from per-parcel column arrays and small logs.

Processes: one generator per induction station; everything else is an event callback. The
closures below stay in one function on purpose: they share the state as cell variables,
which is what makes them fast (attributes or method calls cost a third more).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from typing import Any

import numpy as np
import simpy

from .arrivals import Arrivals
from .assignment import ChuteAssignment, VillageInfo, resolve_assignment, resolve_chutes
from .bagging import BaggingPolicy, resolve_bagging
from .clock import At as _At
from .clock import TickClock
from .collect import collect
from .crew import Crew
from .faults import Fault, check_faults
from .line import Line, LineError
from .parcels import ParcelMix
from .prepare import prepare
from .result import OUTCOMES, SortResult
from .servers import staffed

IN_SYSTEM, BAGGED, NO_READ, EXCEPTION, OVERFLOW = range(5)
COMMIT_S = 60.0  # an idle station commits to a parcel arriving at most this much later
assert OUTCOMES == ("in_system", "bagged", "no_read", "exception", "overflow")

__all__ = ["COMMIT_S", "TickClock", "resolve_assignment", "simulate"]


def simulate(
    line: Line,
    arrivals: Arrivals,
    *,
    assignment: ChuteAssignment | Mapping[str, str],
    seed: int | np.random.SeedSequence = 0,
    horizon_s: float | None = None,
    cutoffs_s: Sequence[float] | None = None,
    faults: tuple[Fault, ...] = (),
    progress: Callable[[float], None] | None = None,
    village_info: Sequence[VillageInfo] | None = None,
    final_sweep: bool = True,
    bagging: BaggingPolicy | str = "when_full",
    parcel_mix: ParcelMix | None = None,
) -> SortResult:
    """Run one day on ``line``.

    Args:
        assignment: a policy (``assign(villages, line)``) or ``{village id: chute id}``.
            A village on a chute of one of ``Line.chute_groups`` has every chute of the
            group: each parcel goes to the first of them on its path that accepts it, and
            recirculates only when all refuse. Several villages on one chute share it (see
            ``Line.secondary_sort_staff``). Policies get ``village_info`` (default: arrival
            counts as volumes, no township or round groups — pass real ``VillageInfo`` for
            ``ByRound``/``ByTownship``).
        seed: seeds no-reads, exceptions, stoppages and (on a stream of their own) parcel
            sizes; equal inputs give equal records.
        horizon_s: stop the clock here (default: run until every parcel is settled).
        cutoffs_s: wave cut-offs at which every non-empty chute is bagged (default: the
            arrivals' wave cut-offs): the latest moment, whatever the bagging policy.
        faults: frozen fault objects (see ``sorter.faults``).
        progress: called with the fraction of parcels settled, now and then, and 1.0 at end.
        final_sweep: bag every non-empty chute once all parcels are settled (the last
            wave has no cut-off after it otherwise).
        bagging: ``"when_full"`` (the original model), ``"wave_end"``, ``"by_departure"``
            or a :class:`~sorter.bagging.BaggingPolicy` such as ``ByDeparture(order)``.
        parcel_mix: the size classes parcels are drawn from (default
            :data:`sorter.parcels.CARTONS`); sizes never change the sorting, they give
            each parcel litres for the vans.
    """
    check_faults(tuple(faults), line)
    policy = resolve_bagging(bagging)
    mapping, groups = resolve_chutes(assignment, line, arrivals, village_info)
    if cutoffs_s is None:
        cutoffs_s = tuple(w.cutoff_s for w in arrivals.waves)
    if horizon_s is not None and not horizon_s > 0:
        raise LineError(f"horizon_s = {horizon_s!r}: must be > 0")
    day = prepare(line, arrivals, mapping, seed, horizon_s, tuple(faults), parcel_mix, groups)

    # ---- static layout (locals: the closures read them as cells) ----------------------
    C = line.carriers
    dt = line.tick_s
    chutes = day.chutes
    n_chutes = len(chutes)
    is_village, cap, thr = day.is_village, day.cap, day.thr
    NR, EX, OV = day.NR, day.EX, day.OV
    stations = line.induction
    st_slot, st_hand, to_scan = day.st_slot, day.st_hand, day.to_scan
    from_scan_st, ov_from = day.from_scan_st, day.ov_from
    # split chutes: next chute of the village, ticks to it, chutes in its group
    g_next, g_gap, g_size = day.g_next, day.g_gap, day.g_size
    primary_of, members, first_of = day.primary_of, day.members, day.first_of
    tries = array("i", bytes(4 * day.N)) if g_next is not None else None
    N = day.N
    avail = day.avail
    clock = day.clock
    unstaffed, jams = day.unstaffed, day.jams
    scan_bounds = day.scan_bounds
    scan_last = scan_bounds[-1] if scan_bounds else -1
    tau: Callable[[int], float] = clock.tau
    ceil_tick: Callable[[float], int] = clock.ceil_tick
    if not clock.run:  # same arithmetic as TickClock, as closures (faster than methods)

        def tau(n: int) -> float:
            return n * dt

        def ceil_tick(t: float) -> int:
            n = math.ceil(t / dt)
            if n * dt < t:
                n += 1
            elif n > 0 and (n - 1) * dt >= t:
                n -= 1
            return n

    def in_window(windows: list[tuple[float, float]], t: float) -> bool:
        return any(a <= t < b for a, b in windows)

    # ---- mutable state ----------------------------------------------------------------
    env = simpy.Environment()

    nan = float("nan")
    occ = [-1] * C
    pend = array("q", bytes(8 * N))  # tick of the next discharge attempt
    target = array("i", day.dest.tobytes())
    carrier = array("i", bytes(4 * N))
    recirc = array("i", bytes(4 * N))
    outcome = array("b", bytes(N))
    entry_s = array("d", [nan]) * N  # time the parcel entered its final chute
    bag_s = array("d", [nan]) * N
    induct_s = array("d", [nan]) * N  # first placement on a carrier
    station_of = array("h", [-1]) * N
    keyed = bytearray(N)
    noread_l = day.draw_nr.tolist()
    exc_l = day.draw_ex.tolist()
    fill = [0] * n_chutes
    max_fill = [0] * n_chutes
    contents: list[list[int]] = [[] for _ in range(n_chutes)]
    bagging_now = [False] * n_chutes
    requested = [False] * n_chutes
    refusals = [0] * n_chutes
    # logs for monitors
    v_parcel: array = array("i")
    v_station: array = array("h")
    v_arr: array = array("d")
    v_start: array = array("d")
    v_placed: array = array("d")
    queue_logs: dict[str, tuple[array, array, array]] = {
        q: (array("i"), array("d"), array("d")) for q in ("keying", "reinduct")
    }

    buckets: dict[int, list[int]] = {}

    # parcels entering the induction queue: unloaded conveyable ones in time order (pointer)
    conv_idx = day.conv_idx
    conv_avail = avail[conv_idx].tolist()
    conv_ids = conv_idx.tolist()
    n_conv = len(conv_ids)
    reinduct: deque[tuple[int, float]] = deque()  # (parcel, time it rejoined the queue)
    ptr = 0  # next unloaded parcel not yet taken by a station
    claimed = 0  # sleeping stations with an alarm for one of the next arrivals
    unsettled = n_conv  # conveyable parcels not yet in a village/exception/overflow chute
    prog_step = max(1, N // 100)
    max_rc = line.max_recirculations
    reinduct_ov = line.reinduct_overflow
    rc_before = array("i", bytes(4 * N)) if reinduct_ov else None  # earlier passes' recircs
    reinducted = bytearray(N)
    dest_l: list[int] = day.dest.tolist()

    # wave-end bagging: parcels of each (chute, wave) still to arrive
    wave_end = policy.wave_end
    W = max(len(arrivals.waves), 1)
    wave_l: list[int] = day.wave_of.tolist() if wave_end else []
    left = day.still_to_arrive(W) if wave_end else []
    ranks = policy.chute_ranks(mapping, tuple(c.id for c in chutes))
    if ranks is not None:
        for cs in groups.values():  # a village's other chutes rank as its first
            for c_id in cs[1:]:
                ranks[c_id] = ranks[cs[0]]
    rank = [ranks[c.id] for c in chutes] if ranks is not None else [0] * n_chutes
    # full chutes hold up the line: with wave-end calls or ranks they are bagged first
    cls_later = 1 if (ranks is not None or wave_end) else 0

    # ---- loop: discharge attempts -----------------------------------------------------
    def schedule_attempt(i: int, tick: int) -> None:
        pend[i] = tick
        b = buckets.get(tick)
        if b is None:
            buckets[tick] = [i]
            ev = _At(env, tau(tick), tick)
            ev.callbacks.append(on_tick)
        else:
            b.append(i)

    def on_settled() -> None:
        """Called when ``unsettled`` hits a multiple of ``prog_step`` (0 included)."""
        if progress is not None:
            progress((n_conv - unsettled) / max(n_conv, 1))
        if unsettled == 0 and ptr >= n_conv and final_sweep:
            sweep()

    def arrived_for_wave(i: int, c: int) -> None:
        """Parcel ``i`` of chute ``c`` arrived (or was written off): call the chute if it
        was its wave's last."""
        g = primary_of[c]  # a village's chutes are counted together
        k = g * W + wave_l[i]
        r = left[k] - 1
        left[k] = r
        if r == 0:
            for c2 in members[g]:
                if fill[c2] > 0 and not requested[c2] and not bagging_now[c2]:
                    request_bag(c2, cls_later)

    def on_tick(ev: simpy.Event) -> None:
        nonlocal unsettled
        tick = ev._value
        now = env._now
        for i in buckets.pop(tick):
            c = target[i]
            if is_village[c]:
                if bagging_now[c] or fill[c] >= cap[c] or (c in jams and in_window(jams[c], now)):
                    refusals[c] += 1
                    if g_next is not None and g_next[c] >= 0:
                        refused_split(i, c, tick)
                        continue
                    r = recirc[i] + 1
                    recirc[i] = r
                    if r > max_rc:
                        target[i] = OV
                        schedule_attempt(i, tick + ov_from[c])
                    else:
                        schedule_attempt(i, tick + C)
                    continue
                occ[carrier[i]] = -1
                f = fill[c] + 1
                fill[c] = f
                if f > max_fill[c]:
                    max_fill[c] = f
                contents[c].append(i)
                entry_s[i] = now
                if f >= thr[c] and not requested[c]:
                    request_bag(c, 0)
                if wave_end:
                    arrived_for_wave(i, c)
                unsettled -= 1
                if unsettled % prog_step == 0:
                    on_settled()
            else:
                occ[carrier[i]] = -1
                entry_s[i] = now
                if c == NR:
                    outcome[i] = NO_READ
                    to_keying(i, now)
                elif c == OV and reinduct_ov:
                    outcome[i] = OVERFLOW
                    to_reinduct(i, now)
                else:
                    outcome[i] = EXCEPTION if c == EX else OVERFLOW
                    if wave_end and c == OV:
                        arrived_for_wave(i, dest_l[i])  # written off: not waited for
                    unsettled -= 1
                    if unsettled % prog_step == 0:
                        on_settled()

    def refused_split(i: int, c: int, tick: int) -> None:
        """Parcel ``i`` refused by chute ``c`` of a village with several chutes: on to the
        next of them; a recirculation when every one has refused since the last."""
        assert g_next is not None and tries is not None
        t = tries[i] + 1
        tries[i] = t
        if t % g_size[c] == 0:
            r = recirc[i] + 1
            recirc[i] = r
            if r > max_rc:
                target[i] = OV
                schedule_attempt(i, tick + ov_from[c])
                return
        nx = g_next[c]
        target[i] = nx
        schedule_attempt(i, tick + g_gap[c])

    # ---- bagging operators (sorter.crew: a pool, one timeout per bag) ----------------
    crew = Crew(
        env,
        line.bagging_operators,
        line.bag_time_s,
        rank,
        cls_later,
        {
            "fill": fill,
            "thr": thr,
            "contents": contents,
            "bagging_now": bagging_now,
            "requested": requested,
            "is_village": is_village,
            "bag_s": bag_s,
            "outcome": outcome,
        },
    )
    request_bag = crew.request
    sweep = crew.sweep

    for t_cut in sorted(cutoffs_s):
        if horizon_s is None or t_cut <= horizon_s:
            cev = _At(env, float(t_cut))
            cev.callbacks.append(sweep)

    # ---- keyers and re-induction staff (FIFO queues of c servers, or unlimited) -------
    def keyed_done(i: int) -> None:
        outcome[i] = IN_SYSTEM
        keyed[i] = 1
        reinduct.append((i, env._now))
        wake_one()

    def reinducted_done(i: int) -> None:
        outcome[i] = IN_SYSTEM
        assert rc_before is not None
        rc_before[i] += recirc[i]
        recirc[i] = 0
        if tries is not None:
            tries[i] = 0
        if reinducted[i] < 255:
            reinducted[i] += 1
        reinduct.append((i, env._now))
        wake_one()

    to_keying = staffed(env, line.keyers, line.keying_delay_s, keyed_done, queue_logs["keying"])
    to_reinduct = staffed(
        env, line.reinduct_staff, line.reinduct_s, reinducted_done, queue_logs["reinduct"]
    )

    # ---- induction queue feeding ------------------------------------------------------
    def take(now: float) -> tuple[int, float] | None:
        """Pop the earliest parcel that has arrived by ``now`` (unload queue or re-induct)."""
        nonlocal ptr
        p = ptr
        ta = conv_avail[p] if p < n_conv else math.inf
        if reinduct and reinduct[0][1] <= ta:
            if reinduct[0][1] <= now:
                return reinduct.popleft()
            return None
        if ta <= now:
            ptr = p + 1
            return conv_ids[p], ta
        return None

    sleeping: list[bool] = [False] * len(stations)
    procs: list[simpy.Process] = []

    def wake_one() -> None:
        """Wake one sleeping station (its alarm is for a later unload arrival, or none)."""
        for s in range(len(stations)):
            if sleeping[s]:
                sleeping[s] = False
                procs[s].interrupt()
                break

    # ---- induction stations: one process each -----------------------------------------
    def station_proc(s: int) -> Any:
        nonlocal ptr, claimed
        p = st_slot[s]
        h = st_hand[s]
        windows = unstaffed[s]
        wi = 0  # first window that has not ended yet
        t_scan = to_scan[s]
        from_scan = from_scan_st[s]
        firsts = first_of[s] if first_of is not None else None
        log_parcel = v_parcel.append
        log_station = v_station.append
        log_arr = v_arr.append
        log_start = v_start.append
        log_placed = v_placed.append
        ahead: tuple[int, float, float] | None = None  # (parcel, arrived, started)
        while True:
            now = env._now
            if ahead is None:
                if windows:
                    while wi < len(windows) and windows[wi][1] <= now:
                        wi += 1
                    if wi < len(windows) and windows[wi][0] <= now:
                        wake_one()  # another station may have to take over our claim
                        yield _At(env, windows[wi][1])
                        continue
                got = take(now)
                k = ptr
                if (
                    got is None
                    and not claimed
                    and k < n_conv
                    and conv_avail[k] - now <= COMMIT_S
                    and not (windows and in_window(windows, conv_avail[k]))
                ):
                    # idle operator commits to the next parcel due within COMMIT_S: one
                    # event (end of handling) instead of two (arrival, end of handling)
                    ptr = k + 1
                    got = (conv_ids[k], conv_avail[k])
                    now = conv_avail[k]
                if got is None:
                    # sleep until the next unload arrival not already claimed by another
                    # sleeping station (or until a re-inducted parcel interrupts us)
                    k = ptr + claimed
                    claim = k < n_conv
                    alarm: simpy.Event
                    if claim:
                        alarm = _At(env, conv_avail[k])
                        claimed += 1
                    else:
                        alarm = env.event()  # nothing left to claim: wait for a re-induction
                    sleeping[s] = True
                    with suppress(simpy.Interrupt):
                        yield alarm
                    sleeping[s] = False
                    if claim:
                        claimed -= 1
                    continue
                i, arrived = got
                start = now
            else:
                i, arrived, start = ahead
                ahead = None
            end = start + h
            if end > now:
                yield _At(env, end)
            # parcel i is on the induct belt: load it on the first empty carrier
            n = n0 = ceil_tick(env._now)
            while True:
                j = (p - n) % C
                o = occ[j]
                if o < 0 and n == n0:
                    break
                if o >= 0 and pend[o] > n:
                    # carrier full past this point: find the next tick that could be free
                    k = n + 1
                    lim = n + 2 * C
                    while k < lim:
                        o2 = occ[(p - k) % C]
                        if o2 < 0 or pend[o2] <= k:
                            break
                        k += 1
                    n = k
                # the operator starts the next parcel while this one waits on the belt
                if ahead is None and not (windows and in_window(windows, env._now)):
                    got = take(env._now)
                    if got is not None:
                        ahead = (got[0], got[1], env._now)
                yield _At(env, tau(n))
                n0 = ceil_tick(env._now)
                if n0 > n:
                    n = n0
            now = env._now
            occ[j] = i
            carrier[i] = j
            if induct_s[i] != induct_s[i]:
                induct_s[i] = now
            station_of[i] = s
            log_parcel(i)
            log_station(s)
            log_arr(arrived)
            log_start(start)
            log_placed(now)
            ts = n + t_scan
            if not keyed[i] and (
                noread_l[i] or (ts < scan_last and bisect_right(scan_bounds, ts) & 1)
            ):
                c = NR
            elif exc_l[i]:
                c = EX
            else:
                c = dest_l[i]
                if firsts is not None:
                    c = firsts[c]
            target[i] = c
            d = ts + from_scan[c]  # first discharge attempt (inlined schedule_attempt)
            pend[i] = d
            b = buckets.get(d)
            if b is None:
                buckets[d] = [i]
                _At(env, tau(d), d).callbacks.append(on_tick)
            else:
                b.append(i)

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

    return collect(
        line,
        arrivals,
        mapping,
        policy.name,
        day,
        end_t,
        horizon_s,
        progress,
        {
            "groups": groups,
            "outcome": outcome,
            "entry_s": entry_s,
            "bag_s": bag_s,
            "target": target,
            "induct_s": induct_s,
            "station": station_of,
            "recirc": recirc,
            "rc_before": rc_before,
            "keyed": keyed,
            "reinducted": reinducted,
            "refusals": refusals,
            "bag_log": crew.log,
            "visits": (v_parcel, v_station, v_arr, v_start, v_placed),
            "max_fill": max_fill,
            "queues": queue_logs,
        },
    )
