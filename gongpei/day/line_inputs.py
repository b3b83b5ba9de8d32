"""From a scenario to the sorter's inputs: the line, the day's trucks, the chute layout, faults.

The one place where scenario tables meet :mod:`sorter` objects. Chute ids are the line's
(``C001`` …); ``sorter.chute_map`` in a scenario numbers chutes from 0, so chute ``k`` is
``C{k+1:03d}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

import sorter
from gongpei.county.build import County
from gongpei.scenario.loading import Scenario
from gongpei.scenario.messages import ScenarioError
from gongpei.scenario.schema import (
    ChuteJamEvent,
    LineStoppageEvent,
    ScannerOutageEvent,
    StationUnstaffedEvent,
)

__all__ = [
    "assignment_policy",
    "build_faults",
    "build_line",
    "build_waves",
    "chute_id",
    "extra_chutes",
    "round_groups",
    "split_line",
    "village_infos",
]


def chute_id(k: int) -> str:
    """The line's id of scenario chute number ``k`` (0-based)."""
    return f"C{k + 1:03d}"


def build_line(scenario: Scenario, num_units: int, extra_chutes: int = 0) -> sorter.Line:
    """The scenario's loop sorter with one village chute per unit plus ``extra_chutes`` for
    split villages (or ``sorter.chutes``: fewer than the units shares chutes), its
    ``chute_map`` entries with several chutes as the line's chute groups."""
    s = scenario.model.sorter
    slots = s.chutes or num_units + extra_chutes
    line = sorter.Line.evenly_spaced(
        slots,
        num_induction=s.induction.stations,
        induction_rate_per_h=s.induction.rate_per_h,
        operators=s.induction.operators,
        pitch_m=s.pitch_m,
        speed_mps=s.speed_mps,
        chute_capacity=s.chute_capacity,
        fill_threshold=s.fill_threshold,
        max_recirculations=s.max_recirculations,
        bagging_operators=s.bagging_operators,
        bag_time_s=s.bag_time_s,
        no_read_prob=s.no_read_prob,
        keying_delay_s=s.keying_delay_s,
        exception_prob=s.exception_prob,
        oversize_to_manual=s.oversize_share > 0,
        unload_ports=s.unload_ports,
        unload_rate_per_h=s.unload_rate_per_h,
        name=scenario.name,
        zones=s.zones,
        scanners=s.scanners,
        secondary_sort_staff=s.secondary_sort_staff,
        secondary_sort_rate_per_h=s.secondary_sort_rate_per_h,
        chute_groups=tuple(
            tuple(chute_id(c) for c in e.chutes) for e in s.chute_map if len(e.chutes) > 1
        ),
    )
    needed = line.carriers
    if s.carriers < needed:
        raise ScenarioError(
            [
                f"{scenario.source}: sorter.carriers = {s.carriers}: a loop of "
                f"{s.carriers * s.pitch_m:g} m is shorter than the {needed * s.pitch_m:g} m "
                f"that {s.induction.stations} induction stations and {slots} chutes need"
            ]
        )
    changes: dict[str, object] = {"carriers": s.carriers}
    if s.induction.positions_m:
        last_chute = max(c.position_m for c in line.chutes)
        for k, pos in enumerate(s.induction.positions_m):
            if line.scanner_position_m <= pos <= last_chute:
                raise ScenarioError(
                    [
                        f"{scenario.source}: sorter.induction.positions_m[{k}] = {pos}: inside "
                        f"the scanner and chute zone ({line.scanner_position_m:g}–"
                        f"{last_chute:g} m); stations go before the scanner or after the chutes"
                    ]
                )
        changes["induction"] = tuple(
            sorter.InductionStation(st.name, float(p), st.rate_per_h, st.operators)
            for st, p in zip(line.induction, s.induction.positions_m, strict=True)
        )
    return line.replace(**changes)


def build_waves(scenario: Scenario) -> tuple[sorter.Wave, ...]:
    return tuple(
        sorter.Wave(w.name, float(w.start), float(w.end), w.share, float(w.cutoff))
        for w in scenario.model.brands.waves
    )


def village_infos(
    county: County, expected: Mapping[str, float], groups: Mapping[str, str]
) -> tuple[sorter.VillageInfo, ...]:
    return tuple(
        sorter.VillageInfo(
            id=v.code,
            township=v.town_code,
            volume=float(expected.get(v.code, 0.0)),
            round_group=groups.get(v.code),
        )
        for v in county.villages
    )


def assignment_policy(scenario: Scenario) -> sorter.ChuteAssignment | dict[str, str]:
    """The scenario's chute layout: its policy, with ``chute_map`` entries pinned on top."""
    s = scenario.model.sorter
    cls = sorter.ASSIGNMENTS[s.assignment]
    policy = cls(seed=scenario.seed) if s.assignment == "random" else cls()
    if not s.chute_map:
        return policy
    pinned = {e.village: chute_id(e.chutes[0]) for e in s.chute_map}
    return _Pinned(policy, pinned, {chute_id(c) for e in s.chute_map for c in e.chutes})


def extra_chutes(scenario: Scenario, expected: Mapping[str, float]) -> int:
    """Chutes beyond one per unit that ``sorter.split_chutes_above`` gives big villages."""
    above = scenario.model.sorter.split_chutes_above
    if not above:
        return 0
    return sum(sorter.split_parts(x, above) - 1 for x in expected.values())


def split_line(
    scenario: Scenario,
    line: sorter.Line,
    chute_of: Mapping[str, str],
    expected: Mapping[str, float],
) -> sorter.Line:
    """``line`` with the spare chutes grouped with the chutes of the villages expecting more
    than ``sorter.split_chutes_above`` parcels (unchanged when it is 0)."""
    above = scenario.model.sorter.split_chutes_above
    if not above:
        return line
    return sorter.split_chutes(line, chute_of, expected, above)


class _Pinned:
    """A policy whose result is overridden for the villages the planner pinned by hand."""

    def __init__(
        self, base: sorter.ChuteAssignment, pinned: dict[str, str], taken: set[str]
    ) -> None:
        self.base = base
        self.pinned = pinned
        self.taken = taken

    def assign(self, villages: Sequence[sorter.VillageInfo], line: sorter.Line) -> dict[str, str]:
        free = [v for v in villages if v.id not in self.pinned]
        taken = self.taken
        spare = line.replace(
            chutes=tuple(c for c in line.chutes if c.id not in taken or c.kind != "village"),
            chute_groups=(),
        )
        out = self.base.assign(free, spare)
        out.update(self.pinned)
        return out


def round_groups(
    county: County, expected: Mapping[str, float], capacity: int, per_round: int = 8
) -> dict[str, str]:
    """Standing rounds for the ``by_round`` layout, before today's plan exists.

    Rural villages around the hub in order of bearing (ties by distance), cut into a
    new group when the next village would push expected parcels past 85 % of a van or the
    group past ``per_round`` villages (8 per round, PARAMETERS). Planners with last week's
    plan can pass its routes instead; this keeps the layout deterministic and cheap.
    """
    hub_lon, hub_lat = county.position(county.hub)
    items = []
    for v in county.rural:
        lon, lat = county.position(v.code)
        dx = (lon - hub_lon) * math.cos(math.radians(hub_lat))
        dy = lat - hub_lat
        items.append((math.atan2(dy, dx), math.hypot(dx, dy), v.code))
    items.sort()
    groups: dict[str, str] = {}
    k, load, size = 0, 0.0, 0
    for _, _, code in items:
        q = float(expected.get(code, 0.0))
        if size and (load + q > 0.85 * capacity or size >= per_round):
            k, load, size = k + 1, 0.0, 0
        groups[code] = f"R{k + 1:02d}"
        load += q
        size += 1
    return groups


def build_faults(
    scenario: Scenario, line: sorter.Line, chute_of: Mapping[str, str]
) -> tuple[sorter.Fault, ...]:
    """The scenario's sorter fault events as sorter fault objects."""
    out: list[sorter.Fault] = []
    for ev in scenario.model.events:
        if isinstance(ev, LineStoppageEvent):
            out.append(sorter.LineStoppage(mtbf_s=ev.mtbf_h * 3600, mttr_s=ev.mttr_min * 60))
        elif isinstance(ev, StationUnstaffedEvent):
            out.append(sorter.StationUnstaffed(line.induction[ev.station].name, ev.start, ev.end))
        elif isinstance(ev, ChuteJamEvent):
            out.append(sorter.ChuteJam(chute_of[ev.village], ev.start, ev.end))
        elif isinstance(ev, ScannerOutageEvent):
            out.append(sorter.ScannerOutage(ev.start, ev.end))
    return tuple(out)


def expected_by_code(codes: Sequence[str], expected: np.ndarray) -> dict[str, float]:
    return {c: float(x) for c, x in zip(codes, expected, strict=True)}
