"""From a scenario to the sorter's inputs: the line, the day's trucks, the chute layout, faults,
and the money side of the line.

``sorter.kind`` picks the layout (:func:`build_layout`: a loop, a linear line or cages) and
``[economics]`` its prices (:func:`build_economics`); the cut-off bagging round that the ready
times allow for depends on the kind (:func:`cutoff_bagging_round_s`).

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
from gongpei.scenario.schema_events import (
    ChuteJamEvent,
    LineStoppageEvent,
    ScannerOutageEvent,
    StationUnstaffedEvent,
)

__all__ = [
    "assignment_policy",
    "build_economics",
    "build_faults",
    "build_layout",
    "build_line",
    "build_linear_line",
    "build_manual_line",
    "build_waves",
    "chute_id",
    "cutoff_bagging_round_s",
    "extra_chutes",
    "parcel_mix",
    "round_groups",
    "split_line",
    "split_trucks",
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
    if s.carriers < needed and s.chutes > num_units:
        one_each = sorter.Line.evenly_spaced(
            num_units,
            num_induction=s.induction.stations,
            pitch_m=s.pitch_m,
            speed_mps=s.speed_mps,
            chute_capacity=s.chute_capacity,
        ).carriers
        if s.carriers >= one_each:
            # The loop fits one chute per unit: the extra chutes are what does not fit.
            raise ScenarioError(
                [
                    f"{scenario.source}: sorter.chutes = {s.chutes}: {slots} chutes need a loop "
                    f"of {needed * s.pitch_m:g} m, longer than sorter.carriers = {s.carriers} "
                    f"× pitch_m = {s.pitch_m:g} ({s.carriers * s.pitch_m:g} m)"
                ]
            )
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


def build_linear_line(scenario: Scenario, num_units: int) -> sorter.LinearLine:
    """The scenario's linear swing-wheel line: ``[sorter.linear]`` for the belt and its
    modules, ``[sorter]`` for chutes, bagging, reading, oversize, unloading and stations."""
    s = scenario.model.sorter
    lin = s.linear
    _no_loop_positions(scenario)
    return sorter.LinearLine.evenly_spaced(
        s.chutes or num_units,
        num_induction=s.induction.stations,
        induction_rate_per_h=s.induction.rate_per_h,
        operators=s.induction.operators,
        chute_spacing_m=lin.chute_spacing_m,
        two_sided=lin.two_sided,
        induction_spacing_m=lin.induction_spacing_m,
        speed_mps=lin.speed_mps,
        parcel_length_m=lin.parcel_length_m,
        min_gap_m=lin.min_gap_m,
        diverter_cycle_s=lin.diverter_cycle_s,
        chute_capacity=s.chute_capacity,
        fill_threshold=s.fill_threshold,
        max_recirculations=s.max_recirculations,
        bagging_operators=s.bagging_operators,
        bag_time_s=s.bag_time_s,
        reinduct_staff=lin.reinduct_staff,
        reinduct_rate_per_h=lin.reinduct_rate_per_h,
        no_read_prob=s.no_read_prob,
        keying_delay_s=s.keying_delay_s,
        exception_prob=s.exception_prob,
        oversize_to_manual=s.oversize_share > 0,
        unload_ports=s.unload_ports,
        unload_rate_per_h=s.unload_rate_per_h,
        name=scenario.name,
    )


def build_manual_line(scenario: Scenario, num_units: int) -> sorter.ManualLine:
    """The scenario's manual sorting: ``[sorter.manual]`` for the people and the cages, one
    cage per chute slot; ``[sorter]`` for exceptions and unloading."""
    s = scenario.model.sorter
    man = s.manual
    _no_loop_positions(scenario)
    return sorter.ManualLine.evenly_spaced(
        s.chutes or num_units,
        cages_per_row=man.cages_per_row,
        cage_pitch_m=man.cage_pitch_m,
        row_spacing_m=man.row_spacing_m,
        sorters=man.sorters,
        rate_per_h=man.rate_per_h,
        reach_m=man.reach_m,
        walk_speed_mps=man.walk_speed_mps,
        cage_capacity=man.cage_capacity,
        cage_swap_s=man.cage_swap_s,
        oversize_factor=man.oversize_factor,
        exception_prob=s.exception_prob,
        unload_ports=s.unload_ports,
        unload_rate_per_h=s.unload_rate_per_h,
        name=scenario.name,
    )


def _no_loop_positions(scenario: Scenario) -> None:
    """Station positions are a loop's: on a linear line the stations stand at the head
    (``sorter.linear.induction_spacing_m``) and cages have none, so positions are an error
    rather than silently ignored."""
    s = scenario.model.sorter
    if s.induction.positions_m:
        raise ScenarioError(
            [
                f"{scenario.source}: sorter.induction.positions_m = {s.induction.positions_m}: "
                f'positions on a loop only, not with sorter.kind = "{s.kind}"'
            ]
        )


def build_layout(scenario: Scenario, num_units: int, extra_chutes: int = 0) -> sorter.Layout:
    """The scenario's line of its ``sorter.kind``: the one place a kind becomes a layout
    (``extra_chutes`` for split villages: a loop's option)."""
    kind = scenario.model.sorter.kind
    if kind == "linear":
        return build_linear_line(scenario, num_units)
    if kind == "manual":
        return build_manual_line(scenario, num_units)
    return build_line(scenario, num_units, extra_chutes)


def build_economics(scenario: Scenario) -> sorter.Economics:
    """``[economics]`` over the defaults of the scenario's kind (``sorter.DEFAULT_ECONOMICS``):
    a field left unset keeps the kind's estimate."""
    kind = scenario.model.sorter.kind
    set_fields = {
        k: v
        for k, v in scenario.model.economics.model_dump().items()
        if k != "staffing" and v is not None
    }
    return sorter.DEFAULT_ECONOMICS[kind].replace(**set_fields)


def cutoff_bagging_round_s(layout: sorter.Layout) -> float:
    """How long after a wave's cut-off the last chute of that wave can still be bagged and
    count for today's rounds.

    A loop or linear line: one bagging round, each operator bagging chutes one after another,
    ``ceil(chutes / operators) * bag_time_s``. Cages: a cage *is* the container and is closed
    as it stands at the cut-off, taking no one's time, so the round is 0 s (a parcel put in a
    cage after the cut-off waits for tomorrow).
    """
    if isinstance(layout, sorter.ManualLine):
        return 0.0
    return math.ceil(len(layout.village_chutes) / layout.bagging_operators) * layout.bag_time_s


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
        """Any kind of layout: each has ``chutes`` and ``replace``."""
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
    scenario: Scenario, line: sorter.Layout, chute_of: Mapping[str, str]
) -> tuple[sorter.Fault, ...]:
    """The scenario's sorter fault events as sorter fault objects (a loop's only: the schema
    rejects line faults with another ``sorter.kind``, and this checks it again)."""
    out: list[sorter.Fault] = []
    for k, ev in enumerate(scenario.model.events):
        if isinstance(
            ev, LineStoppageEvent | StationUnstaffedEvent | ChuteJamEvent | ScannerOutageEvent
        ) and not isinstance(line, sorter.Line):
            raise ScenarioError(
                [
                    f'{scenario.source}: events[{k}].kind = "{ev.kind}": modelled on a loop '
                    f'only, not with sorter.kind = "{scenario.model.sorter.kind}"'
                ]
            )
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
