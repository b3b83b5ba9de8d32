"""Everything the engine computes before the clock starts: layout in slots and ticks, the
parcels' column arrays, unloading, the seeded draws, fault windows, parcel sizes.

Kept out of :mod:`sorter.engine` so the event code reads on its own. The draws keep the
original order (no-reads, exceptions, then the fault stream) so that a run with the new
options at their defaults is identical to the original model; sizes use their own stream.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .arrivals import Arrivals, Truck
from .clock import TickClock
from .faults import ChuteJam, Fault, LineStoppage, ScannerOutage, StationUnstaffed
from .line import Chute, Line
from .parcels import CARTONS, ParcelMix, draw_size_classes, size_stream
from .servers import Unloading, unload


@dataclass(eq=False, slots=True)
class Day:
    """The static inputs of one run, in the engine's index space (chute/station indices)."""

    chutes: tuple[Chute, ...]
    cslot: list[int]
    is_village: list[bool]
    cap: list[int]
    thr: list[int]
    NR: int
    EX: int
    OV: int
    MAN: int
    st_slot: list[int]
    st_hand: list[float]
    from_scan: list[int]
    to_scan: list[int]
    ov_from: list[int]
    trucks: list[Truck]
    unloading: Unloading
    N: int
    vill: np.ndarray
    oversize: np.ndarray
    truck_of: np.ndarray
    wave_of: np.ndarray
    dest: np.ndarray
    manual: np.ndarray
    draw_nr: np.ndarray
    draw_ex: np.ndarray
    clock: TickClock
    unstaffed: list[list[tuple[float, float]]]
    jams: dict[int, list[tuple[float, float]]]
    scan_bounds: list[int]
    conv_idx: np.ndarray  # conveyable parcels in the order they join the induction queue
    mix: ParcelMix
    size_class: np.ndarray
    # per station: ticks from its scanner to each chute (one shared list with one scanner)
    from_scan_st: list[list[int]]
    # split chutes (None when no village has several): next chute of the village on the
    # loop (cyclic; -1 alone), ticks to it, chutes in the group, the group's first chute
    g_next: list[int] | None
    g_gap: list[int]
    g_size: list[int]
    primary_of: list[int]  # chute -> first chute of its group (itself when alone)
    members: list[list[int]]  # first chute of a group -> its chutes (others: [itself])
    first_of: list[list[int]] | None  # per station: group first chute -> first after scanner

    @property
    def avail(self) -> np.ndarray:
        return self.unloading.available_s

    def still_to_arrive(self, waves: int) -> list[int]:
        """Parcels each (chute, wave) will receive, flat at ``chute * waves + wave``: the
        conveyable parcels, less the exceptions (they never reach a village chute)."""
        comes = self.conv_idx[~self.draw_ex[self.conv_idx]]
        key = self.dest[comes].astype(np.int64) * waves + self.wave_of[comes]
        counts: list[int] = np.bincount(key, minlength=len(self.chutes) * waves).tolist()
        return counts


def prepare(
    line: Line,
    arrivals: Arrivals,
    mapping: Mapping[str, str],
    seed: int | np.random.SeedSequence,
    horizon_s: float | None,
    faults: tuple[Fault, ...],
    parcel_mix: ParcelMix | None,
    groups: Mapping[str, tuple[str, ...]] | None = None,
) -> Day:
    """The :class:`Day` of ``arrivals`` on ``line`` under ``mapping`` (village -> chute; the
    first of its chutes for a village in ``groups``, village -> its chutes in loop order)."""
    rng = np.random.default_rng(seed)
    C = line.carriers
    chutes = line.chutes
    chute_index = {c.id: k for k, c in enumerate(chutes)}
    cslot = [line.slot(c.position_m) for c in chutes]
    cap = [(c.capacity or line.chute_capacity) if c.kind == "village" else 1 << 60 for c in chutes]
    OV = chute_index[line.special_chute("overflow").id]
    s_slot = line.slot(line.scanner_position_m)
    stations = line.induction
    st_slot = [line.slot(s.position_m) for s in stations]
    from_scan = [((cs - s_slot) % C) or C for cs in cslot]
    scan_of = line.zone_scanners_m()
    sc_slot = [line.slot(scan_of[s.name]) for s in stations]
    by_slot: dict[int, list[int]] = {s_slot: from_scan}
    for sl in sc_slot:
        if sl not in by_slot:
            by_slot[sl] = [((cs - sl) % C) or C for cs in cslot]
    from_scan_st = [by_slot[sl] for sl in sc_slot]
    n_ch = len(chutes)
    g_next: list[int] | None = None
    g_gap = [0] * n_ch
    g_size = [1] * n_ch
    primary_of = list(range(n_ch))
    members = [[c] for c in range(n_ch)]
    first_of: list[list[int]] | None = None
    if groups:
        g_next = [-1] * n_ch
        for cids in set(groups.values()):
            ks = [chute_index[c] for c in cids]
            for a, b in zip(ks, ks[1:] + ks[:1], strict=True):
                g_next[a] = b
                g_gap[a] = (cslot[b] - cslot[a]) % C
                g_size[a] = len(ks)
                primary_of[a] = ks[0]
            g_gap[ks[-1]] = g_gap[ks[-1]] or C  # the way back to the first is a lap
            members[ks[0]] = ks
        if len(by_slot) > 1 or sc_slot[0] != s_slot:
            first_of = []
            for fs in from_scan_st:
                firsts = list(range(n_ch))
                for cids in set(groups.values()):
                    ks = [chute_index[c] for c in cids]
                    firsts[ks[0]] = min(ks, key=lambda k: (fs[k], k))
                first_of.append(firsts)
    st_hand = [s.handling_s for s in stations]

    # parcels in unloading order
    trucks = sorted(arrivals.trucks, key=lambda t: (t.arrival_s, t.id))
    sizes = np.array([t.parcels for t in trucks], dtype=np.int64)
    N = int(sizes.sum())
    vill = (
        np.concatenate([t.village for t in trucks]).astype(np.int32) if N else np.zeros(0, np.int32)
    )
    oversize = np.concatenate([t.oversize for t in trucks]) if N else np.zeros(0, bool)
    unloading = unload(trucks, line)
    avail = unloading.available_s
    village_chute = np.array([chute_index[mapping[v]] for v in arrivals.villages], dtype=np.int32)
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
    clock = TickClock(line.tick_s, tuple(stoppages))

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
    # scanner outages as tick ranges: a parcel scanned at tick n is a no-read when
    # a <= n < b for one of these (tau is monotone, so this equals a time-window test)
    merged: list[list[int]] = []
    for a, b in sorted((clock.ceil_tick(a), clock.ceil_tick(b)) for a, b in scanner_out):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])

    conv_idx = np.flatnonzero(~manual)
    if line.unloading == "per_dock":  # docks overlap: join the queue in time order
        conv_idx = conv_idx[np.argsort(avail[conv_idx], kind="stable")]
    mix = CARTONS if parcel_mix is None else parcel_mix
    return Day(
        chutes=chutes,
        cslot=cslot,
        is_village=[c.kind == "village" for c in chutes],
        cap=cap,
        thr=[max(1, math.ceil(line.fill_threshold * k)) for k in cap],
        NR=chute_index[line.special_chute("no_read").id],
        EX=chute_index[line.special_chute("exception").id],
        OV=OV,
        MAN=chute_index[line.special_chute("manual").id] if line.oversize_to_manual else -1,
        st_slot=st_slot,
        st_hand=st_hand,
        # distance scanner -> chute in ticks, 1..C (a chute at the scanner slot is a full loop)
        from_scan=from_scan,
        to_scan=[(sl - p) % C for sl, p in zip(sc_slot, st_slot, strict=True)],
        ov_from=[((cslot[OV] - cs) % C) or C for cs in cslot],
        trucks=trucks,
        unloading=unloading,
        N=N,
        vill=vill,
        oversize=oversize,
        truck_of=np.repeat(np.arange(len(trucks), dtype=np.int32), sizes),
        wave_of=np.repeat(np.array([t.wave for t in trucks], dtype=np.int16), sizes),
        dest=village_chute[vill] if N else np.zeros(0, np.int32),
        manual=manual,
        draw_nr=draw_nr,
        draw_ex=draw_ex,
        clock=clock,
        unstaffed=unstaffed,
        jams=jams,
        scan_bounds=[x for w in merged for x in w],  # odd bisect position = inside an outage
        conv_idx=conv_idx,
        mix=mix,
        size_class=draw_size_classes(N, mix, size_stream(seed)),
        from_scan_st=from_scan_st,
        g_next=g_next,
        g_gap=g_gap,
        g_size=g_size,
        primary_of=primary_of,
        members=members,
        first_of=first_of,
    )
