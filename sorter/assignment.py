"""Which village goes to which chute: small policies behind one Protocol.

A policy gets the villages (:class:`VillageInfo`) and the line and returns ``{village id:
chute id}``. When there are more villages than village chutes, the last villages in the
policy's order share chutes (the order folds back over the slots); a chute shared by
villages is bagged as one (and
split by village by hand when ``Line.secondary_sort_staff`` > 0).
Pass your own object with an ``assign`` method, or a plain mapping, to ``simulate``.

Split chutes: the line's ``chute_groups`` are sets of chutes that serve one destination
(the sort plan in the line's controller), so a village mapped to a chute of a group has all
of them: a parcel goes to the first on its path that accepts it, and recirculates only when
all of them refuse. :func:`split_chutes` gives the villages above a volume spare chutes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .arrivals import Arrivals
from .line import Line, LineError


@dataclass(frozen=True, slots=True)
class VillageInfo:
    """What a policy may know about a village: id, township, expected volume, round group."""

    id: str
    township: str = ""
    volume: float = 0.0
    round_group: str | None = None


@runtime_checkable
class ChuteAssignment(Protocol):
    """Policy: villages + line -> ``{village id: village chute id}``."""

    def assign(self, villages: Sequence[VillageInfo], line: Line) -> dict[str, str]: ...


def _slots_in_loop_order(line: Line) -> list[str]:
    """Village chute ids ordered by distance downstream of the scanner."""
    s = line.scanner_position_m
    L = line.length_m
    return [c.id for c in sorted(line.village_chutes, key=lambda c: ((c.position_m - s) % L, c.id))]


def _fill_in_order(villages: Sequence[str], slots: Sequence[str]) -> dict[str, str]:
    """Villages (first = most important) onto slots (first = best) in order; with more
    villages than slots, the order folds back at the end (slot K-1, K-2, ...), so the
    villages that share are the last ones, each with a neighbour in the order — for
    ``ByVolume`` the quietest with the quietest on the farthest chutes, not the busiest
    with the quietest as a wrap-around would pair them."""
    K = len(slots)
    out = {}
    for k, v in enumerate(villages):
        p, i = divmod(k, K)
        out[v] = slots[K - 1 - i if p & 1 else i]
    return out


def _grouped(villages: Sequence[VillageInfo], key: str, line: Line) -> dict[str, str]:
    groups: dict[str, list[VillageInfo]] = {}
    for v in villages:
        g = getattr(v, key)
        groups.setdefault(g if g else f"\x00{v.id}", []).append(v)
    # bigger groups first so they are not split by the wrap-around; ties by name
    order = sorted(groups, key=lambda g: (-sum(v.volume for v in groups[g]), g))
    seq = [v.id for g in order for v in sorted(groups[g], key=lambda v: v.id)]
    return _fill_in_order(seq, _slots_in_loop_order(line))


@dataclass(frozen=True)
class ByRound:
    """Villages of one carrier round (``VillageInfo.round_group``) side by side, so one van's
    load is picked from neighbouring chutes. Villages without a group stand alone."""

    def assign(self, villages: Sequence[VillageInfo], line: Line) -> dict[str, str]:
        return _grouped(villages, "round_group", line)


@dataclass(frozen=True)
class ByTownship:
    """A township's villages side by side."""

    def assign(self, villages: Sequence[VillageInfo], line: Line) -> dict[str, str]:
        return _grouped(villages, "township", line)


def travel_from_inducts_m(line: Line) -> dict[str, float]:
    """Mean loop distance (m) from the induction stations, via the scanner, to each village
    chute, weighted by station rate: what a parcel for that chute rides on a carrier."""
    L = line.length_m
    s = line.scanner_position_m
    w = np.array([st.rate_per_h * st.operators for st in line.induction])
    to_scan = np.array([(s - st.position_m) % L for st in line.induction])
    base = float((w * to_scan).sum() / w.sum())
    out = {}
    for c in line.village_chutes:
        d = (c.position_m - s) % L
        out[c.id] = base + (d if d > 0 else L)
    return out


@dataclass(frozen=True)
class ByVolume:
    """Busiest villages on the chutes with the shortest ride from the induction stations, so
    the heaviest flows free their carriers soonest."""

    def assign(self, villages: Sequence[VillageInfo], line: Line) -> dict[str, str]:
        travel = travel_from_inducts_m(line)
        slots = sorted(travel, key=lambda c: (travel[c], c))
        order = sorted(villages, key=lambda v: (-v.volume, v.id))
        return _fill_in_order([v.id for v in order], slots)


@dataclass(frozen=True)
class Random:
    """A seeded random layout (the baseline)."""

    seed: int = 0

    def assign(self, villages: Sequence[VillageInfo], line: Line) -> dict[str, str]:
        rng = np.random.default_rng(self.seed)
        slots = _slots_in_loop_order(line)
        ids = sorted(v.id for v in villages)
        perm = rng.permutation(len(ids))
        if len(ids) <= len(slots):
            chosen = rng.permutation(len(slots))[: len(ids)]
            return {ids[i]: slots[int(chosen[k])] for k, i in enumerate(perm)}
        return _fill_in_order([ids[i] for i in perm], slots)


@dataclass(frozen=True)
class SpreadModules:
    """Chute assignment for a swing-wheel line: the busiest villages each get a module of
    their own, nearest the induction first, and each shares its module with one of the
    quietest villages, so two parcels in a row rarely want the same module.

    Modules are the chute positions (the two sides of the belt at one position share a
    swing wheel). Villages, busiest first, fill the first side of every module in ride order;
    the next round fills the second sides in the reverse volume order (the busiest module
    gets the quietest partner), and so on. With more villages than chutes, later villages
    share chutes as in the other policies. Works for any line with ``village_chutes``,
    ``length_m``, ``scanner_position_m`` and ``induction`` (on a loop it is harmless).
    """

    def assign(self, villages: Sequence[VillageInfo], line: Any) -> dict[str, str]:
        travel = travel_from_inducts_m(line)
        by_pos: dict[float, list[str]] = {}
        for c in sorted(line.village_chutes, key=lambda c: (travel[c.id], c.id)):
            by_pos.setdefault(c.position_m, []).append(c.id)
        modules = list(by_pos.values())  # in ride order
        slots: list[str] = []
        for side in range(max(len(m) for m in modules)):
            slots += [m[side] for m in modules if side < len(m)]
        order = [v.id for v in sorted(villages, key=lambda v: (-v.volume, v.id))]
        seq: list[str] = []
        start, rnd = 0, 0
        while start < len(order):
            width = len([m for m in modules if rnd % max(len(m) for m in modules) < len(m)])
            chunk = order[start : start + width]
            seq += chunk if rnd % 2 == 0 else chunk[::-1]
            start += width
            rnd += 1
        return {v: slots[k % len(slots)] for k, v in enumerate(seq)}


ASSIGNMENTS: dict[str, type] = {
    "by_round": ByRound,
    "by_volume": ByVolume,
    "by_township": ByTownship,
    "random": Random,
    "spread_modules": SpreadModules,
}


def split_parts(volume: float, above: float) -> int:
    """Chutes for a village expecting ``volume`` parcels when villages above ``above`` get
    ``ceil(volume / above)``."""
    return math.ceil(volume / above) if volume > above else 1


def split_chutes(
    line: Line, mapping: Mapping[str, str], volumes: Mapping[str, float], above: float
) -> Line:
    """``line`` with :attr:`~sorter.Line.chute_groups` giving each village expecting more than
    ``above`` parcels ``ceil(volume / above)`` chutes: its chute in ``mapping`` plus spare
    village chutes (used by no village), the busiest village first, each taking the spares
    nearest downstream of its own chute so a parcel refused there meets the next soon.
    Chutes already in a group keep it.

    The line needs the spares (``Line.evenly_spaced(villages + extra)``, with ``extra`` the
    sum of ``parts - 1``); too few is an error naming both numbers.
    """
    if not (isinstance(above, int | float) and math.isfinite(above) and above > 0):
        raise LineError(f"split_chutes: above = {above!r}: must be a finite number > 0")
    L = line.length_m
    pos = {c.id: c.position_m for c in line.village_chutes}
    grouped = {c for g in line.chute_groups for c in g}
    used = set(mapping.values()) | grouped
    spare = [c for c in _slots_in_loop_order(line) if c not in used]
    users: dict[str, list[str]] = {}
    for v, c in mapping.items():
        users.setdefault(c, []).append(v)
    want = []
    for c, vs in users.items():  # a shared chute splits by the volume of all its villages
        if c in grouped:  # already split by hand
            continue
        n = split_parts(sum(float(volumes.get(v, 0.0)) for v in vs), above)
        if n > 1:
            want.append((-sum(float(volumes.get(v, 0.0)) for v in vs), c, n))
    want.sort()
    extra = sum(n - 1 for _, _, n in want)
    if extra > len(spare):
        raise LineError(
            f"split_chutes(above={above:g}): {len(want)} villages need {extra} more chutes; "
            f"the line has {len(spare)} spare village chutes"
        )
    groups = list(line.chute_groups)
    for _, c, n in want:
        spare.sort(key=lambda s: ((pos[s] - pos[c]) % L, s))
        groups.append((c, *spare[: n - 1]))
        del spare[: n - 1]
    return line.replace(chute_groups=tuple(groups))


def resolve_assignment(
    assignment: ChuteAssignment | Mapping[str, str],
    line: Line,
    arrivals: Arrivals,
    village_info: Sequence[VillageInfo] | None = None,
) -> dict[str, str]:
    """``{village: chute id}`` from a policy or mapping; every arrival village must map to a
    village chute."""
    return resolve_chutes(assignment, line, arrivals, village_info)[0]


def resolve_chutes(
    assignment: ChuteAssignment | Mapping[str, str],
    line: Line,
    arrivals: Arrivals,
    village_info: Sequence[VillageInfo] | None = None,
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """``({village: chute}, {village: its chutes})`` from a policy or mapping; the second
    holds the villages on a chute of one of ``line.chute_groups``, each tuple the group in
    loop order from the scanner (the order a parcel meets them), and the first maps such a
    village to the first chute of its group."""
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
    groups: dict[str, tuple[str, ...]] = {}
    if line.chute_groups:
        order = {c: k for k, c in enumerate(_slots_in_loop_order(line))}
        group_of = {}
        for g in line.chute_groups:
            ordered = tuple(sorted(g, key=order.__getitem__))
            for c in g:
                group_of[c] = ordered
        for v in arrivals.villages:
            if mapping[v] in group_of:
                groups[v] = group_of[mapping[v]]
                mapping[v] = groups[v][0]
    return mapping, groups
