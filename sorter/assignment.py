"""Which village goes to which chute: small policies behind one Protocol.

A policy gets the villages (:class:`VillageInfo`) and the line and returns ``{village id:
chute id}``. When there are more villages than village chutes, later villages share chutes
(wrapping around the policy's slot order); a chute shared by villages is bagged as one.
Pass your own object with an ``assign`` method, or a plain mapping, to ``simulate``.
"""

from __future__ import annotations

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
