"""Which village goes to which chute: small policies behind one Protocol.

A policy gets the villages (:class:`VillageInfo`) and the line and returns ``{village id:
chute id}``. When there are more villages than village chutes, later villages share chutes
(wrapping around the policy's slot order); a chute shared by villages is bagged as one (and
split by village by hand when ``Line.secondary_sort_staff`` > 0).
Pass your own object with an ``assign`` method, or a plain mapping, to ``simulate``.

Split chutes: a village may have several chutes (``{village: ("C001", "C002")}``, or the
:class:`SplitChutes` policy for villages above a volume). A parcel goes to the first of its
village's chutes on its path that accepts it; only when all of them refuse does it
recirculate. Such chutes belong to their village alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

import numpy as np

from .arrivals import Arrivals
from .line import Line, LineError


ChuteIds = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VillageInfo:
    """What a policy may know about a village: id, township, expected volume, round group."""

    id: str
    township: str = ""
    volume: float = 0.0
    round_group: str | None = None


@runtime_checkable
class ChuteAssignment(Protocol):
    """Policy: villages + line -> ``{village id: village chute id}`` (or a tuple of chute ids
    for a village with several chutes)."""

    def assign(self, villages: Sequence[VillageInfo], line: Line) -> Mapping[str, ChuteIds]: ...


def _slots_in_loop_order(line: Line) -> list[str]:
    """Village chute ids ordered by distance downstream of the scanner."""
    s = line.scanner_position_m
    L = line.length_m
    return [c.id for c in sorted(line.village_chutes, key=lambda c: ((c.position_m - s) % L, c.id))]


def _fill_in_order(villages: Sequence[str], slots: Sequence[str]) -> dict[str, str]:
    return {v: slots[k % len(slots)] for k, v in enumerate(villages)}


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
class SplitChutes:
    """Villages expecting more than ``above`` parcels get ``ceil(volume / above)`` chutes,
    placed by ``base`` as if each were a village of ``volume / n`` parcels (so ``ByVolume``
    puts the parts of a big village near the inducts, ``ByRound`` keeps them with the
    village's round). The line needs a village chute per part: one per village plus the
    extra parts (:meth:`extra_chutes`)."""

    base: ChuteAssignment
    above: float

    def __post_init__(self) -> None:
        if not (isinstance(self.above, int | float) and self.above > 0):
            raise LineError(f"SplitChutes.above = {self.above!r}: must be a number > 0")

    def parts(self, volume: float) -> int:
        """Chutes for a village expecting ``volume`` parcels."""
        return math.ceil(volume / self.above) if volume > self.above else 1

    def extra_chutes(self, villages: Sequence[VillageInfo]) -> int:
        """Chutes beyond one per village that the split villages need."""
        return sum(self.parts(v.volume) - 1 for v in villages)

    def assign(self, villages: Sequence[VillageInfo], line: Line) -> dict[str, ChuteIds]:
        parts: list[VillageInfo] = []
        owner: dict[str, str] = {}
        for v in villages:
            n = self.parts(v.volume)
            for k in range(n):
                pid = v.id if n == 1 else f"{v.id}#{k + 1}"
                parts.append(v if n == 1 else replace(v, id=pid, volume=v.volume / n))
                owner[pid] = v.id
        have = len(line.village_chutes)
        if len(parts) > len(villages) and len(parts) > have:
            raise LineError(
                f"SplitChutes(above={self.above:g}): {len(villages)} villages in "
                f"{len(parts)} chute parts need {len(parts)} village chutes; the line has {have}"
            )
        placed = self.base.assign(parts, line)
        chutes: dict[str, list[str]] = {}
        for pid, v in owner.items():
            got = placed[pid]
            for c in (got,) if isinstance(got, str) else got:
                if c not in chutes.setdefault(v, []):
                    chutes[v].append(c)
        return {v: cs[0] if len(cs) == 1 else tuple(cs) for v, cs in chutes.items()}


ASSIGNMENTS: dict[str, type] = {
    "by_round": ByRound,
    "by_volume": ByVolume,
    "by_township": ByTownship,
    "random": Random,
}


def resolve_assignment(
    assignment: ChuteAssignment | Mapping[str, ChuteIds],
    line: Line,
    arrivals: Arrivals,
    village_info: Sequence[VillageInfo] | None = None,
) -> dict[str, str]:
    """``{village: chute id}`` from a policy or mapping; every arrival village must map to a
    village chute. A village with several chutes maps to the first on the loop (all of
    them: :func:`resolve_chutes`)."""
    return resolve_chutes(assignment, line, arrivals, village_info)[0]


def resolve_chutes(
    assignment: ChuteAssignment | Mapping[str, ChuteIds],
    line: Line,
    arrivals: Arrivals,
    village_info: Sequence[VillageInfo] | None = None,
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """``({village: first chute}, {village: its chutes})`` from a policy or mapping; the
    second holds the villages with several chutes only, each tuple in loop order from the
    scanner (the order a parcel meets them), its first chute the one in the first dict.
    Such chutes must not be used by another village."""
    if isinstance(assignment, Mapping):
        raw: dict[str, ChuteIds] = dict(assignment)
    elif hasattr(assignment, "assign"):
        if village_info is None:
            counts = arrivals.village_counts()
            village_info = [VillageInfo(v, "", float(counts[v]), None) for v in arrivals.villages]
        raw = dict(assignment.assign(village_info, line))
    else:
        raise LineError(f"assignment = {assignment!r}: need a ChuteAssignment or a mapping")
    order = {c: k for k, c in enumerate(_slots_in_loop_order(line))}
    mapping: dict[str, str] = {}
    groups: dict[str, tuple[str, ...]] = {}
    for v in arrivals.villages:
        if v not in raw:
            raise LineError(f"assignment: village {v!r} has no chute")
    wanted = set(arrivals.villages)
    for v, got in raw.items():
        cs = (got,) if isinstance(got, str) else tuple(got)
        if v not in wanted:  # not in today's arrivals: kept as given, never used
            mapping[v] = cs[0] if cs else ""
            continue
        if not cs:
            raise LineError(f"assignment[{v!r}] = {got!r}: no chute")
        for c in cs:
            if c not in order:
                raise LineError(f"assignment[{v!r}] = {got!r}: {c!r} is not a village chute")
        if len(set(cs)) != len(cs):
            raise LineError(f"assignment[{v!r}] = {got!r}: a chute listed twice")
        if len(cs) > 1:
            cs = tuple(sorted(cs, key=order.__getitem__))
            groups[v] = cs
        mapping[v] = cs[0]
    if groups:
        users: dict[str, list[str]] = {}
        for v, c in mapping.items():
            users.setdefault(c, []).append(v)
        for v, cs in groups.items():
            for c in cs:
                others = [u for u in users.get(c, []) if u != v]
                for u, ucs in groups.items():
                    if u != v and c in ucs:
                        others.append(u)
                if others:
                    raise LineError(
                        f"assignment[{v!r}] = {cs!r}: chute {c!r} is also assigned to "
                        f"{sorted(set(others))[0]!r}; a village with several chutes has them "
                        "to itself"
                    )
    return mapping, groups
