"""Sorting by hand at village cages: the pre-line status quo.

The real object: unloaded parcels pile up at a sort table; ``sorters`` people each take the
next parcel, read its label, walk it to its village's roll cage and walk back. A person
handles ``rate_per_h`` parcels an hour when the cage is within arm's reach (PARAMETERS.md,
"Manual cage loading": 300 parcels/h per worker, **S**, China Post Chongqing); a cage further
than ``reach_m`` adds the walk there and back at ``walk_speed_mps``. A cage holds
``cage_capacity`` parcels (PARAMETERS.md's roll cage, 120, **E**); the person who fills one
wheels it away and brings an empty one (``cage_swap_s``), and anyone else bringing a parcel
to that cage meanwhile waits. At a wave cut-off (and once everything is sorted) every cage
with parcels in it is closed as it stands: it *is* the container, so closing takes no one's
time. Unreadable or unresolvable labels go to the exception cage by the table.

Cages reuse :class:`sorter.Chute` (``position_m`` = walking distance from the table), so the
chute-assignment policies, ``SortResult`` and everything downstream work unchanged: a cage is
a ``village`` chute, a closed cage a bag. Every parcel is sorted by hand, oversize ones at
``oversize_factor`` times the handling time.

Speed: the sorters are a pool, not processes: one event per placement and one per return to
the table, plus an alarm when an idle pool waits for the next unloaded parcel.
"""

from __future__ import annotations

import dataclasses
import math
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from ._common import At, check_run_args, resolve_layout_assignment, unload_times
from .arrivals import Arrivals
from .assignment import ChuteAssignment, VillageInfo
from .line import Chute, InductionStation, LineError
from .result import SortResult

IN_SYSTEM, BAGGED, NO_READ, EXCEPTION, OVERFLOW = range(5)


def _fail(field_name: str, value: Any, why: str) -> LineError:
    return LineError(f"ManualLine.{field_name} = {value!r}: {why}")


@dataclass(frozen=True)
class ManualLine:
    """Manual sorting into village cages; validated once, changed through :meth:`replace`.

    Fields:
        chutes: the village cages (kind ``village``, ``position_m`` = walking distance in
            metres from the sort table) and exactly one ``exception`` cage.
        sorters: people sorting (each one parcel at a time).
        rate_per_h: parcels/h of one person when the cage is within ``reach_m`` (300, S).
        reach_m: walking already inside ``rate_per_h`` (E: 2 m, an arm's length and a step).
        walk_speed_mps: walking pace carrying a parcel (E: 1.0 m/s).
        cage_capacity, cage_swap_s: parcels a cage holds (120, E) and the time to swap a full
            one (E: 60 s, as a bag change); a cage's own ``capacity`` overrides.
        oversize_factor: handling time of an oversize parcel relative to a normal one (E).
        exception_prob: unresolvable label -> exception cage (terminal).
        unload_ports, unload_rate_per_h: as on the loop.
    """

    chutes: tuple[Chute, ...]
    sorters: int = 20
    rate_per_h: float = 300.0
    reach_m: float = 2.0
    walk_speed_mps: float = 1.0
    cage_capacity: int = 120
    cage_swap_s: float = 60.0
    oversize_factor: float = 1.5
    exception_prob: float = 0.003
    unload_ports: int = 4
    unload_rate_per_h: float = 750.0
    name: str = "manual"
    meta: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        for f in ("sorters", "cage_capacity", "unload_ports"):
            v = getattr(self, f)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise _fail(f, v, "must be an integer >= 1")
        for f in ("rate_per_h", "walk_speed_mps"):
            v = getattr(self, f)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise _fail(f, v, "must be a finite number > 0")
        for f in ("reach_m", "cage_swap_s"):
            v = getattr(self, f)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise _fail(f, v, "must be a finite number >= 0")
        if not (math.isfinite(self.oversize_factor) and self.oversize_factor > 0):
            raise _fail("oversize_factor", self.oversize_factor, "must be > 0")
        if not (0 <= self.exception_prob < 1):
            raise _fail("exception_prob", self.exception_prob, "must be a probability in [0, 1)")
        if not (self.unload_rate_per_h > 0):
            raise _fail("unload_rate_per_h", self.unload_rate_per_h, "must be > 0 (inf allowed)")
        if not isinstance(self.chutes, tuple):
            raise _fail("chutes", self.chutes, "must be a tuple of Chute")
        ids: set[str] = set()
        kinds: dict[str, int] = {}
        for k, ch in enumerate(self.chutes):
            if not isinstance(ch, Chute):
                raise _fail(f"chutes[{k}]", ch, "must be a Chute")
            if ch.id in ids:
                raise _fail(f"chutes[{k}].id", ch.id, "duplicate cage id")
            ids.add(ch.id)
            if ch.kind not in ("village", "exception"):
                raise _fail(f"chutes[{k}].kind", ch.kind, "a cage is 'village' or 'exception'")
            if ch.capacity is not None and (not isinstance(ch.capacity, int) or ch.capacity < 1):
                raise _fail(f"chutes[{k}].capacity", ch.capacity, "must be an int >= 1")
            if not (math.isfinite(ch.position_m) and ch.position_m >= 0):
                raise _fail(f"chutes[{k}].position_m", ch.position_m, "must be a distance >= 0")
            kinds[ch.kind] = kinds.get(ch.kind, 0) + 1
        if kinds.get("village", 0) < 1:
            raise _fail("chutes", f"{len(self.chutes)} cages", "need at least one village cage")
        if kinds.get("exception", 0) != 1:
            raise _fail("chutes", f"{kinds.get('exception', 0)} exception cages", "need one")

    # -- what the chute-assignment policies read (the table is the one "induction") ------
    @property
    def village_chutes(self) -> tuple[Chute, ...]:
        return tuple(c for c in self.chutes if c.kind == "village")

    @property
    def scanner_position_m(self) -> float:
        return 0.0

    @property
    def length_m(self) -> float:
        """Longer than the farthest cage, so policies' distances are plain distances."""
        return max(c.position_m for c in self.chutes) + 1.0

    @property
    def induction(self) -> tuple[InductionStation, ...]:
        return (InductionStation("table", 0.0, self.rate_per_h, self.sorters),)

    def special_chute(self, kind: str) -> Chute:
        for c in self.chutes:
            if c.kind == kind:
                return c
        raise LineError(f"ManualLine.chutes: no {kind!r} cage")

    def replace(self, **changes: Any) -> ManualLine:
        """A copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    @property
    def staff(self) -> dict[str, int]:
        """Headcount by role while sorting (for ``sorter.economics``)."""
        return {"sorting": self.sorters}

    def handling_s(self, chute: Chute, oversize: bool = False) -> float:
        """Seconds a sorter is away from the table for one parcel to ``chute`` (no waiting):
        handling plus the walk beyond reach, there and back."""
        h = 3600.0 / self.rate_per_h * (self.oversize_factor if oversize else 1.0)
        return h + 2.0 * max(0.0, chute.position_m - self.reach_m) / self.walk_speed_mps

    @classmethod
    def evenly_spaced(
        cls,
        num_village_cages: int = 214,
        *,
        cages_per_row: int = 20,
        cage_pitch_m: float = 1.0,
        row_spacing_m: float = 2.5,
        chute_prefix: str = "C",
        **kwargs: Any,
    ) -> ManualLine:
        """Cages in rows in front of the table: row ``r`` (from 0) stands ``(r + 1) *
        row_spacing_m`` away, and within a row a cage ``k`` places from the middle adds
        ``k * cage_pitch_m`` (walking distance is the sum, an aisle grid). The exception cage
        stands at the table. Cage ids follow the loop's chute ids (``C001``...)."""
        if not isinstance(num_village_cages, int) or num_village_cages < 1:
            raise _fail("num_village_cages", num_village_cages, "must be an integer >= 1")
        if not isinstance(cages_per_row, int) or cages_per_row < 1:
            raise _fail("cages_per_row", cages_per_row, "must be an integer >= 1")
        chutes = [Chute("EX", 0.0, "exception")]
        mid = (cages_per_row - 1) / 2.0
        slots = sorted(
            ((r + 1) * row_spacing_m + abs(k - mid) * cage_pitch_m, r, k)
            for r in range(math.ceil(num_village_cages / cages_per_row))
            for k in range(cages_per_row)
        )
        for n, (d, _r, _k) in enumerate(slots[:num_village_cages]):
            chutes.append(Chute(f"{chute_prefix}{n + 1:03d}", round(d, 6)))
        return cls(chutes=tuple(chutes), **kwargs)


def manual_capacity_per_h(
    line: ManualLine,
    shares: Mapping[str, float] | None = None,
    *,
    oversize_share: float = 0.0,
) -> float:
    """Saturated parcels/h into village cages for a mix ``shares`` (cage id -> share of
    parcels; default: equal over the village cages).

    Derivation. With a pile always waiting, each of the ``S`` sorters is busy all the time, so
    throughput is ``S * 3600 / E[T]`` with ``E[T]`` the mean time a sorter spends per parcel.
    A parcel for cage ``c`` costs ``h * (1 + oversize_share * (oversize_factor - 1))`` of
    handling (``h = 3600 / rate_per_h``), the walk beyond reach there and back,
    ``2 * max(0, d_c - reach_m) / walk_speed_mps``, and its share of the cage swaps,
    ``cage_swap_s / capacity_c`` (one swap per full cage, done by whoever fills it)::

        capacity = S * 3600 / sum_c p_c * (h' + 2 (d_c - reach)+ / v + swap / cap_c)

    Waiting at a cage being swapped by someone else is left out: it needs two people at one
    cage within a swap, rare when parcels spread over many cages.
    """
    cages = line.village_chutes
    if shares is None:
        shares = {c.id: 1.0 for c in cages}
    by_id = {c.id: c for c in cages}
    total = 0.0
    weighted = 0.0
    for cid, p in shares.items():
        if cid not in by_id:
            raise LineError(f"manual_capacity_per_h: shares[{cid!r}]: not a village cage")
        if not (p >= 0):
            raise LineError(f"manual_capacity_per_h: shares[{cid!r}] = {p!r}: must be >= 0")
        c = by_id[cid]
        t = line.handling_s(c) + line.cage_swap_s / (c.capacity or line.cage_capacity)
        weighted += p * t
        total += p
    if total <= 0:
        raise LineError("manual_capacity_per_h: shares must have a positive sum")
    handling = 3600.0 / line.rate_per_h
    mean_t = weighted / total + oversize_share * (line.oversize_factor - 1.0) * handling
    return line.sorters * 3600.0 / mean_t


def simulate_manual(
    line: ManualLine,
    arrivals: Arrivals,
    *,
    assignment: ChuteAssignment | Mapping[str, str],
    seed: int | np.random.SeedSequence = 0,
    horizon_s: float | None = None,
    cutoffs_s: Sequence[float] | None = None,
    village_info: Sequence[VillageInfo] | None = None,
    final_sweep: bool = True,
) -> SortResult:
    """Sort one day by hand; the arguments mean what they mean for :func:`sorter.simulate`.

    Parcels are taken first come, first served. In the ``SortResult``: ``induct_s`` is the
    moment a sorter picks the parcel up, ``entry_s`` the moment it is in its cage, ``bag_s``
    the moment that cage is closed (full, cut-off, or end of day); ``station`` is the one
    "table"; ``recirculations`` and ``refusals`` are zero (a person never misses a cage).
    """
    mapping = resolve_layout_assignment(assignment, line, arrivals, village_info, "cage")
    check_run_args(horizon_s)
    rng = np.random.default_rng(seed)
    if cutoffs_s is None:
        cutoffs_s = tuple(w.cutoff_s for w in arrivals.waves)

    chutes = line.chutes
    n_chutes = len(chutes)
    chute_index = {c.id: k for k, c in enumerate(chutes)}
    EX = chute_index[line.special_chute("exception").id]
    is_village = [c.kind == "village" for c in chutes]
    cap = [(c.capacity or line.cage_capacity) if c.kind == "village" else 1 << 60 for c in chutes]
    handle = 3600.0 / line.rate_per_h
    walk_one_way = [max(0.0, c.position_m - line.reach_m) / line.walk_speed_mps for c in chutes]

    un = unload_times(arrivals, line.unload_ports, line.unload_rate_per_h)
    N = un.parcels
    avail_l: list[float] = un.available_s.tolist()
    village_chute = np.array([chute_index[mapping[v]] for v in arrivals.villages], dtype=np.int32)
    dest = village_chute[un.village] if N else np.zeros(0, np.int32)
    exc = rng.random(N) < line.exception_prob
    target_np = np.where(exc, EX, dest).astype(np.int32)
    target_l: list[int] = target_np.tolist()
    hand_l: list[float] = np.where(un.oversize, handle * line.oversize_factor, handle).tolist()

    env = simpy.Environment()
    nan = float("nan")
    outcome = array("b", bytes(N))
    entry_s = array("d", [nan]) * N
    bag_s = array("d", [nan]) * N
    induct_s = array("d", [nan]) * N
    fill = [0] * n_chutes
    max_fill = [0] * n_chutes
    contents: list[list[int]] = [[] for _ in range(n_chutes)]
    swap_until = [-math.inf] * n_chutes
    bag_log: list[tuple[int, float, float, int]] = []
    state = {"ptr": 0, "free": line.sorters, "alarm": False, "unsettled": N}

    def close(c: int, start: float, end: float) -> None:
        items = contents[c]
        contents[c] = []
        for i in items:
            bag_s[i] = end
            outcome[i] = BAGGED
        fill[c] = 0
        bag_log.append((c, start, end, len(items)))

    def settle() -> None:
        state["unsettled"] -= 1
        if state["unsettled"] == 0 and final_sweep:
            sweep()

    def sweep(_ev: Any = None) -> None:
        now = env._now
        for c in range(n_chutes):
            if is_village[c] and contents[c] and swap_until[c] <= now:
                close(c, now, now)

    def dispatch(_ev: Any = None) -> None:
        if _ev is not None:
            state["alarm"] = False
        now = env._now
        p = state["ptr"]
        while state["free"] > 0 and p < N and avail_l[p] <= now:
            state["free"] -= 1
            induct_s[p] = now
            c = target_l[p]
            At(env, now + hand_l[p] + walk_one_way[c], p).callbacks.append(on_place)
            p += 1
        state["ptr"] = p
        if state["free"] > 0 and p < N and not state["alarm"]:
            state["alarm"] = True
            At(env, avail_l[p]).callbacks.append(dispatch)

    def on_place(ev: simpy.Event) -> None:
        i = ev._value
        c = target_l[i]
        now = env._now
        if swap_until[c] > now:  # someone is swapping this cage: wait for the empty one
            At(env, swap_until[c], i).callbacks.append(on_place)
            return
        entry_s[i] = now
        back = now + walk_one_way[c]
        if not is_village[c]:
            outcome[i] = EXCEPTION
        else:
            contents[c].append(i)
            f = fill[c] + 1
            fill[c] = f
            if f > max_fill[c]:
                max_fill[c] = f
            if f >= cap[c]:
                swap_until[c] = now + line.cage_swap_s
                close(c, now, swap_until[c])
                back = swap_until[c] + walk_one_way[c]
        At(env, back).callbacks.append(on_back)
        settle()

    def on_back(_ev: simpy.Event) -> None:
        state["free"] += 1
        dispatch()

    for t_cut in sorted(cutoffs_s):
        if horizon_s is None or t_cut <= horizon_s:
            At(env, float(t_cut)).callbacks.append(sweep)
    if N:
        dispatch()
    if horizon_s is not None:
        env.run(until=horizon_s)
        end_t = float(horizon_s)
    else:
        env.run()
        end_t = float(env.now)

    out_arr = np.frombuffer(outcome, dtype=np.int8).copy()
    entry_arr = np.frombuffer(entry_s, dtype=np.float64).copy()
    induct_arr = np.frombuffer(induct_s, dtype=np.float64).copy()
    chute_arr = np.where(np.isnan(entry_arr) & (out_arr == IN_SYSTEM), -1, target_np)
    picked = np.flatnonzero(np.isfinite(induct_arr))
    return SortResult(
        line=line,
        village_ids=tuple(arrivals.villages),
        chute_ids=tuple(c.id for c in chutes),
        chute_kinds=tuple(c.kind for c in chutes),
        station_names=("table",),
        truck_ids=tuple(t.id for t in un.trucks),
        truck_brands=tuple(t.brand for t in un.trucks),
        truck_arrival_s=np.array([t.arrival_s for t in un.trucks]),
        wave_names=tuple(w.name for w in arrivals.waves) or ("day",),
        assignment=mapping,
        village=un.village,
        truck=un.truck,
        wave=un.wave,
        oversize=un.oversize,
        available_s=un.available_s,
        induct_s=induct_arr,
        station=np.where(np.isfinite(induct_arr), 0, -1).astype(np.int16),
        recirculations=np.zeros(N, dtype=np.int32),
        outcome=out_arr,
        chute=chute_arr.astype(np.int32),
        entry_s=entry_arr,
        bag_s=np.frombuffer(bag_s, dtype=np.float64).copy(),
        no_read=np.zeros(N, dtype=bool),
        refusals=np.zeros(n_chutes, dtype=np.int64),
        bag_log=np.array(bag_log, dtype=float).reshape(-1, 4),
        visits={
            "parcel": picked.astype(np.int32),
            "station": np.zeros(picked.size, dtype=np.int16),
            "arrived_s": un.available_s[picked],
            "start_s": induct_arr[picked],
            "placed_s": np.where(np.isfinite(entry_arr[picked]), entry_arr[picked], end_t),
        },
        max_fill=np.array(max_fill, dtype=np.int64),
        capacity=np.array([min(k, 2**31 - 1) for k in cap], dtype=np.int64),
        t_end=end_t,
    )
