"""The simulator: a few SimPy processes plus arithmetic on a carrier ring buffer.

Why it is fast: there is no process per carrier and none per parcel.

* Time on the loop is counted in *ticks*: one tick = one carrier pitch travelled
  (``pitch / speed`` s). At tick ``n`` carrier ``j`` sits at slot ``(j + n) mod C``, so the
  carrier passing slot ``p`` at tick ``n`` is ``(p - n) mod C`` and a parcel loaded at slot
  ``p`` first reaches slot ``c`` ``(c - p) mod C`` ticks later — discharge times are
  arithmetic, not events. Loop stoppages stretch the tick clock (``tau(n)`` = wall time of
  tick ``n``); nothing else changes.
* Carrier occupancy is a list ``occ[carrier] = parcel or -1`` plus, per parcel, the tick of
  its next discharge attempt. A station may load the carrier in front of it at the current
  tick when that carrier is empty; otherwise it computes from the ring buffer the next tick
  at which a carrier *could* be empty and sleeps until then (one event, however long the
  queue of full carriers).
* Discharge attempts are kept in per-tick buckets; one SimPy event per tick that has
  attempts processes them in time order (chute accepts, or the parcel recirculates one loop
  or goes to overflow).
* Unloading is a deterministic FIFO server, computed in numpy before the run. Stations pull
  from one shared FIFO queue (unloaded parcels + keyed re-inductions). An operator hands a
  parcel to the induct belt (room for one) and starts the next while it waits for an empty
  carrier, so with an empty loop a station is an exact M/D/1 server. An idle station sleeps
  until the next unclaimed arrival (or commits to it if it is due within ``COMMIT_S``).
* Bagging operators, keying and cut-offs are callbacks on SimPy timeouts (one per bag, per
  no-read, per cut-off).
* Every statistic is rebuilt after the run from per-parcel column arrays and small logs.

Processes: one generator per induction station; everything else is an event callback.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from heapq import heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL

from .arrivals import Arrivals
from .assignment import ChuteAssignment, VillageInfo
from .faults import ChuteJam, Fault, LineStoppage, ScannerOutage, StationUnstaffed, check_faults
from .line import Line, LineError
from .result import OUTCOMES, SortResult

IN_SYSTEM, BAGGED, NO_READ, EXCEPTION, OVERFLOW = range(5)
COMMIT_S = 60.0  # an idle station commits to a parcel arriving at most this much later
assert OUTCOMES == ("in_system", "bagged", "no_read", "exception", "overflow")


class _At(simpy.Event):
    """An already-triggered event scheduled at an exact absolute time (like a Timeout).

    Ticks map to wall times by ``tau(n)``; scheduling at ``now + (tau(n) - now)`` would make
    two events meant for the same tick differ in the last bit, so we push the absolute time.
    """

    def __init__(self, env: simpy.Environment, when: float, value: Any = None) -> None:
        self.env = env
        self.callbacks: list[Any] = []
        self._value = value
        self._ok = True
        now = env._now
        heappush(env._queue, (when if when > now else now, NORMAL, next(env._eid), self))


class TickClock:
    """Wall time of loop ticks when the loop stops now and then.

    ``stoppages`` are ``(running time at which the loop stops, stop duration)`` pairs, sorted.
    Tick ``n`` (the loop has moved ``n`` pitches) happens at ``tau(n) = n*dt + (sum of the
    stops that began before running time n*dt)``; ``ceil_tick(t)`` is the first tick at or
    after wall time ``t``.
    """

    def __init__(self, dt: float, stoppages: tuple[tuple[float, float], ...] = ()) -> None:
        self.dt = dt
        self.run = [r for r, _ in stoppages]
        self.down = [d for _, d in stoppages]
        self.cum = [float(x) for x in np.cumsum(self.down)] if stoppages else []
        self.wall_start = [r + (self.cum[k - 1] if k else 0.0) for k, r in enumerate(self.run)]
        if not stoppages:
            self.tau = self._tau_plain  # type: ignore[method-assign]
            self.ceil_tick = self._ceil_plain  # type: ignore[method-assign]

    def _tau_plain(self, n: int) -> float:
        return n * self.dt

    def _ceil_plain(self, t: float) -> int:
        dt = self.dt
        n = math.ceil(t / dt)
        if n * dt < t:
            n += 1
        elif n > 0 and (n - 1) * dt >= t:
            n -= 1
        return n

    def tau(self, n: int) -> float:
        x = n * self.dt
        k = bisect_left(self.run, x)
        return x + (self.cum[k - 1] if k else 0.0)

    def ceil_tick(self, t: float) -> int:
        dt = self.dt
        k = bisect_right(self.wall_start, t)
        if k:
            run_k = self.run[k - 1]
            if t < self.wall_start[k - 1] + self.down[k - 1]:
                # inside a stop: the first tick after the loop restarts
                return math.floor(run_k / dt) + 1
            r = t - self.cum[k - 1]
        else:
            run_k = -1.0
            r = t
        n = math.ceil(r / dt)
        if n * dt < r:
            n += 1
        elif n > 0 and (n - 1) * dt >= r:
            n -= 1
        if n * dt <= run_k:  # that tick belongs to before the stop
            n = math.floor(run_k / dt) + 1
        return n


def resolve_assignment(
    assignment: ChuteAssignment | Mapping[str, str],
    line: Line,
    arrivals: Arrivals,
    village_info: Sequence[VillageInfo] | None = None,
) -> dict[str, str]:
    """``{village: chute id}`` from a policy or mapping; every arrival village must map to a
    village chute."""
    if isinstance(assignment, Mapping):
        mapping = dict(assignment)
    elif hasattr(assignment, "assign"):
        if village_info is None:
            counts = arrivals.village_counts()
            village_info = [VillageInfo(v, "", float(counts[v]), None) for v in arrivals.villages]
        mapping = dict(assignment.assign(village_info, line))
    else:
        raise LineError(f"assignment = {assignment!r}: need a ChuteAssignment or a mapping")
    village_ids = {c.id for c in line.village_chutes}
    for v in arrivals.villages:
        if v not in mapping:
            raise LineError(f"assignment: village {v!r} has no chute")
        if mapping[v] not in village_ids:
            raise LineError(f"assignment[{v!r}] = {mapping[v]!r}: not a village chute")
    return mapping


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
) -> SortResult:
    """Run one day on ``line``.

    Args:
        assignment: a policy (``assign(villages, line)``) or ``{village id: chute id}``.
            Policies get ``village_info`` (default: arrival counts as volumes, no township or
            round groups — pass real ``VillageInfo`` for ``ByRound``/``ByTownship``).
        seed: seeds no-reads, exceptions and stoppages; equal inputs give equal records.
        horizon_s: stop the clock here (default: run until every parcel is settled).
        cutoffs_s: wave cut-offs at which every non-empty chute is bagged (default: the
            arrivals' wave cut-offs).
        faults: frozen fault objects (see ``sorter.faults``).
        progress: called with the fraction of parcels settled, now and then, and 1.0 at end.
        final_sweep: bag every non-empty chute once all parcels are settled (the last
            wave has no cut-off after it otherwise).
    """
    check_faults(tuple(faults), line)
    mapping = resolve_assignment(assignment, line, arrivals, village_info)
    rng = np.random.default_rng(seed)
    if cutoffs_s is None:
        cutoffs_s = tuple(w.cutoff_s for w in arrivals.waves)
    if horizon_s is not None and not horizon_s > 0:
        raise LineError(f"horizon_s = {horizon_s!r}: must be > 0")

    # ---- static layout ---------------------------------------------------------------
    C = line.carriers
    dt = line.tick_s
    chutes = line.chutes
    n_chutes = len(chutes)
    chute_index = {c.id: k for k, c in enumerate(chutes)}
    cslot = [line.slot(c.position_m) for c in chutes]
    is_village = [c.kind == "village" for c in chutes]
    cap = [(c.capacity or line.chute_capacity) if c.kind == "village" else 1 << 60 for c in chutes]
    thr = [max(1, math.ceil(line.fill_threshold * k)) for k in cap]
    NR = chute_index[line.special_chute("no_read").id]
    EX = chute_index[line.special_chute("exception").id]
    OV = chute_index[line.special_chute("overflow").id]
    MAN = chute_index[line.special_chute("manual").id] if line.oversize_to_manual else -1
    s_slot = line.slot(line.scanner_position_m)
    stations = line.induction
    st_slot = [line.slot(s.position_m) for s in stations]
    st_hand = [s.handling_s for s in stations]
    # distance scanner -> chute in ticks, 1..C (a chute at the scanner slot is a full loop)
    from_scan = [((cs - s_slot) % C) or C for cs in cslot]
    to_scan = [(s_slot - p) % C for p in st_slot]
    ov_from = [((cslot[OV] - cs) % C) or C for cs in cslot]

    # ---- parcels: unloading is a deterministic FIFO server ----------------------------
    trucks = sorted(arrivals.trucks, key=lambda t: (t.arrival_s, t.id))
    truck_ids = tuple(t.id for t in trucks)
    sizes = np.array([t.parcels for t in trucks], dtype=np.int64)
    N = int(sizes.sum())
    vill = (
        np.concatenate([t.village for t in trucks]).astype(np.int32) if N else np.zeros(0, np.int32)
    )
    oversize = np.concatenate([t.oversize for t in trucks]) if N else np.zeros(0, bool)
    truck_of = np.repeat(np.arange(len(trucks), dtype=np.int32), sizes)
    wave_of = np.repeat(np.array([t.wave for t in trucks], dtype=np.int16), sizes)
    rate_s = line.unload_ports * line.unload_rate_per_h / 3600.0
    avail = np.empty(N)
    free = 0.0
    pos = 0
    for t, n in zip(trucks, sizes, strict=True):
        n = int(n)
        if math.isinf(rate_s):
            avail[pos : pos + n] = t.arrival_s
        else:
            start = max(t.arrival_s, free)
            avail[pos : pos + n] = start + np.arange(1, n + 1) / rate_s
            free = start + n / rate_s
        pos += n
    village_chute = np.array([chute_index[mapping[v]] for v in arrivals.villages], dtype=np.int32)
    dest = village_chute[vill] if N else np.zeros(0, np.int32)
    manual = oversize & line.oversize_to_manual
    draw_nr = rng.random(N) < line.no_read_prob
    draw_ex = rng.random(N) < line.exception_prob
    stoppages: list[tuple[float, float]] = []
    fault_rng = np.random.default_rng(rng.integers(2**63))
    for f in faults:
        if isinstance(f, LineStoppage):
            # draw far enough: the end of unloading plus every parcel handled one at a time
            end = (
                horizon_s
                if horizon_s is not None
                else float(avail.max(initial=0.0)) + N * max(st_hand) + 86400.0
            )
            stoppages += f.draw(fault_rng, end)
    stoppages.sort()

    # ---- tick clock (tau) and its inverse --------------------------------------------
    clock = TickClock(dt, tuple(stoppages))
    tau: Callable[[int], float] = clock.tau
    ceil_tick: Callable[[float], int] = clock.ceil_tick
    if not stoppages:  # same arithmetic as TickClock, as closures (faster than methods)

        def tau(n: int) -> float:
            return n * dt

        def ceil_tick(t: float) -> int:
            n = math.ceil(t / dt)
            if n * dt < t:
                n += 1
            elif n > 0 and (n - 1) * dt >= t:
                n -= 1
            return n

    # ---- fault windows ----------------------------------------------------------------
    unstaffed: list[list[tuple[float, float]]] = [[] for _ in stations]
    st_index = {s.name: k for k, s in enumerate(stations)}
    jams: dict[int, list[tuple[float, float]]] = {}
    scanner_out: list[tuple[float, float]] = []
    for f in faults:
        if isinstance(f, StationUnstaffed):
            unstaffed[st_index[f.station]].append((f.start_s, f.end_s))
        elif isinstance(f, ChuteJam):
            jams.setdefault(chute_index[f.chute], []).append((f.start_s, f.end_s))
        elif isinstance(f, ScannerOutage):
            scanner_out.append((f.start_s, f.end_s))
    for w in unstaffed:
        w.sort()

    def in_window(windows: list[tuple[float, float]], t: float) -> bool:
        return any(a <= t < b for a, b in windows)

    # scanner outages as tick ranges: a parcel scanned at tick n is a no-read when
    # a <= n < b for one of these (tau is monotone, so this equals a time-window test)
    merged: list[list[int]] = []
    for a, b in sorted((ceil_tick(a), ceil_tick(b)) for a, b in scanner_out):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    scan_bounds = [x for w in merged for x in w]  # odd bisect position = inside an outage
    scan_last = scan_bounds[-1] if scan_bounds else -1

    # ---- mutable state ----------------------------------------------------------------
    env = simpy.Environment()

    nan = float("nan")
    occ = [-1] * C
    pend = array("q", bytes(8 * N))  # tick of the next discharge attempt
    target = array("i", dest.tobytes())
    carrier = array("i", bytes(4 * N))
    recirc = array("i", bytes(4 * N))
    outcome = array("b", bytes(N))
    entry_s = array("d", [nan]) * N  # time the parcel entered its final chute
    bag_s = array("d", [nan]) * N
    induct_s = array("d", [nan]) * N  # first placement on a carrier
    station_of = array("h", [-1]) * N
    keyed = bytearray(N)
    noread_l = draw_nr.tolist()
    exc_l = draw_ex.tolist()
    fill = [0] * n_chutes
    max_fill = [0] * n_chutes
    contents: list[list[int]] = [[] for _ in range(n_chutes)]
    bagging = [False] * n_chutes
    requested = [False] * n_chutes
    refusals = [0] * n_chutes
    # logs for monitors
    v_parcel: array = array("i")
    v_station: array = array("h")
    v_arr: array = array("d")
    v_start: array = array("d")
    v_placed: array = array("d")
    bag_log: list[tuple[int, float, float, int]] = []

    buckets: dict[int, list[int]] = {}

    # parcels entering the induction queue: unloaded conveyable ones in time order (pointer)
    conv_idx = np.flatnonzero(~manual)
    conv_avail = avail[conv_idx].tolist()
    conv_ids = conv_idx.tolist()
    n_conv = len(conv_ids)
    reinduct: deque[tuple[int, float]] = deque()  # (parcel, keyed time)
    ptr = 0  # next unloaded parcel not yet taken by a station
    claimed = 0  # sleeping stations with an alarm for one of the next arrivals
    unsettled = n_conv  # conveyable parcels not yet in a village/exception/overflow chute
    prog_step = max(1, N // 100)
    max_rc = line.max_recirculations

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

    def on_tick(ev: simpy.Event) -> None:
        nonlocal unsettled
        tick = ev._value
        now = env._now
        for i in buckets.pop(tick):
            c = target[i]
            if is_village[c]:
                if bagging[c] or fill[c] >= cap[c] or (c in jams and in_window(jams[c], now)):
                    refusals[c] += 1
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
                    request_bag(c)
                unsettled -= 1
                if unsettled % prog_step == 0:
                    on_settled()
            else:
                occ[carrier[i]] = -1
                entry_s[i] = now
                if c == NR:
                    outcome[i] = NO_READ
                    kev = _At(env, now + line.keying_delay_s, i)
                    kev.callbacks.append(on_keyed)
                else:
                    outcome[i] = EXCEPTION if c == EX else OVERFLOW
                    unsettled -= 1
                    if unsettled % prog_step == 0:
                        on_settled()

    # ---- bagging operators (a pool; one timeout per bag) ------------------------------
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
        ev = _At(env, env._now + line.bag_time_s, (c, items, env._now))
        ev.callbacks.append(end_bag)

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
            cev = _At(env, float(t_cut))
            cev.callbacks.append(sweep)

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

    def on_keyed(ev: simpy.Event) -> None:
        i = ev._value
        outcome[i] = IN_SYSTEM
        keyed[i] = 1
        reinduct.append((i, env._now))
        wake_one()

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
                    # sleeping station (or until a keyed parcel interrupts us)
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
            target[i] = c
            d = ts + from_scan[c]  # first discharge attempt (inlined schedule_attempt)
            pend[i] = d
            b = buckets.get(d)
            if b is None:
                buckets[d] = [i]
                _At(env, tau(d), d).callbacks.append(on_tick)
            else:
                b.append(i)

    dest_l: list[int] = dest.tolist()
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

    # ---- manual (oversize) parcels: sorted by hand, no events -------------------------
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
    if progress is not None:
        progress(1.0)

    return SortResult(
        line=line,
        village_ids=tuple(arrivals.villages),
        chute_ids=tuple(c.id for c in chutes),
        chute_kinds=tuple(c.kind for c in chutes),
        station_names=tuple(s.name for s in stations),
        truck_ids=truck_ids,
        truck_brands=tuple(t.brand for t in trucks),
        truck_arrival_s=np.array([t.arrival_s for t in trucks]),
        wave_names=tuple(w.name for w in arrivals.waves) or ("day",),
        assignment=mapping,
        village=vill,
        truck=truck_of,
        wave=wave_of,
        oversize=oversize,
        available_s=avail,
        induct_s=np.frombuffer(induct_s, dtype=np.float64).copy(),
        station=np.frombuffer(station_of, dtype=np.int16).copy(),
        recirculations=np.frombuffer(recirc, dtype=np.int32).copy(),
        outcome=out_arr,
        chute=np.where(np.isnan(entry_arr) & (out_arr == IN_SYSTEM), -1, target_arr).astype(
            np.int32
        ),
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
        stoppages=tuple(
            (w, d) for w, d in zip(clock.wall_start, clock.down, strict=True) if w <= end_t
        ),
    )
