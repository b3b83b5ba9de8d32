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
    "parcel_mix",
    "round_groups",
    "split_trucks",
    "village_infos",
]


def chute_id(k: int) -> str:
    """The line's id of scenario chute number ``k`` (0-based)."""
    return f"C{k + 1:03d}"


def build_line(scenario: Scenario, num_units: int) -> sorter.Line:
    """The scenario's loop sorter with one village chute per unit (or ``sorter.chutes``)."""
    s = scenario.model.sorter
    slots = s.chutes or num_units
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
    )
    line = line.replace(
        unloading=s.unloading,
        keyers=s.keyers,
        reinduct_overflow=s.reinduct_overflow,
        reinduct_staff=s.reinduct_staff,
        reinduct_s=s.reinduct_s,
        manual_staff=s.manual_staff,
        manual_sort_s=s.manual_sort_s,
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


def split_trucks(arrivals: sorter.Arrivals, truck_parcels: int) -> sorter.Arrivals:
    """Each brand's wave load on as few trucks of at most ``truck_parcels`` as hold it.

    The trucks of a brand's wave arrive together and share its parcels evenly in unloading
    order (``morning-ZTO-1``, ``-2`` …), so no random draw changes; ``0`` keeps one truck
    per brand and wave. Why: with per-dock unloading one truck per brand is one dock, and a
    wave-1 ZTO truck of ~2,700 parcels takes 3.5 h at 750/h; a county centre is fed by
    several line-haul trucks per brand (from the province's hubs), each at its own dock.
    """
    if truck_parcels <= 0:
        return arrivals
    trucks: list[sorter.Truck] = []
    for t in arrivals.trucks:
        n = t.village.size
        parts = max(1, math.ceil(n / truck_parcels))
        if parts == 1:
            trucks.append(t)
            continue
        bounds = np.linspace(0, n, parts + 1).round().astype(int)
        assert t.oversize is not None
        for k in range(parts):
            a, b = bounds[k], bounds[k + 1]
            trucks.append(
                sorter.Truck(
                    f"{t.id}-{k + 1}", t.brand, t.arrival_s, t.village[a:b], t.oversize[a:b], t.wave
                )
            )
    trucks.sort(key=lambda tr: (tr.arrival_s, tr.id))
    return sorter.Arrivals(tuple(trucks), arrivals.villages, arrivals.waves)


def parcel_mix(scenario: Scenario) -> sorter.ParcelMix | None:
    """The carton classes of ``sorter.parcel_sizes = "cartons"``; ``None`` for uniform
    parcels (every parcel ``demand.litres_per_parcel``)."""
    return sorter.CARTONS if scenario.model.sorter.parcel_sizes == "cartons" else None


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
    return _Pinned(policy, {e.village: chute_id(e.chute) for e in s.chute_map})


class _Pinned:
    """A policy whose result is overridden for the villages the planner pinned by hand."""

    def __init__(self, base: sorter.ChuteAssignment, pinned: dict[str, str]) -> None:
        self.base = base
        self.pinned = pinned

    def assign(self, villages: Sequence[sorter.VillageInfo], line: sorter.Line) -> dict[str, str]:
        free = [v for v in villages if v.id not in self.pinned]
        taken = set(self.pinned.values())
        spare = line.replace(
            chutes=tuple(c for c in line.chutes if c.id not in taken or c.kind != "village")
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
