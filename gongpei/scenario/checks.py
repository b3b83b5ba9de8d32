"""Checks that need a scenario's data files: codes that must exist, counts that must fit.

The schema checks each value alone; these checks join values with the county's data (every
village code named in the file must be a real village, the hub must be one, chutes shared by
villages need someone to split their bags, no village may need more than a van carries). Each
problem is one ``path = value: message`` string; the loader prefixes the file name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gongpei.scenario.messages import show_value
from gongpei.scenario.schema_events import ChuteJamEvent, FestivalEvent, HarvestPeakEvent

if TYPE_CHECKING:
    from gongpei.scenario.schema import ScenarioModel

__all__ = ["check_scenario_data"]


def check_scenario_data(m: ScenarioModel, base_dir: Path) -> list[str]:
    """Every data-level problem of a validated model whose relative paths start at
    ``base_dir``, one line each (empty: all good)."""
    from gongpei.county.geography import GeographyError, load_towns, load_villages

    problems: list[str] = []

    files = {
        "county.towns": m.county.towns,
        "county.villages": m.county.villages,
        "county.outline": m.county.outline,
    }
    if m.roads.links:
        files["roads.links"] = m.roads.links
    if m.roads.graphml:
        files["roads.graphml"] = m.roads.graphml
    for path, value in files.items():
        if not _path(base_dir, value).is_file():
            problems.append(f'{path} = "{value}": no such file')
    if problems:
        return problems
    if m.roads.network == "graphml" and m.roads.graphml:
        problems += _check_graphml(m.roads.graphml, _path(base_dir, m.roads.graphml))
        if problems:
            return problems

    try:
        towns = load_towns(_path(base_dir, m.county.towns))
    except GeographyError as exc:
        return [_file_fault("county.towns", m.county.towns, _path(base_dir, m.county.towns), exc)]
    try:
        villages = load_villages(_path(base_dir, m.county.villages))
    except GeographyError as exc:
        file = _path(base_dir, m.county.villages)
        return [_file_fault("county.villages", m.county.villages, file, exc)]
    town_codes = {t.code for t in towns}
    village_codes = {v.code for v in villages}
    served = {v.code for v in villages if v.kind not in m.county.exclude_kinds}

    def need_village(path: str, code: str, *, rural: bool = False) -> None:
        if code not in village_codes:
            problems.append(f'{path} = "{code}": unknown village code in {m.county.villages}')
        elif rural and code not in served:
            problems.append(f'{path} = "{code}": not a village served by the rounds')

    foreign = [t.code for t in towns if not t.code.startswith(m.county.code)]
    if foreign:
        problems.append(
            f'county.code = "{m.county.code}": the townships in {m.county.towns} belong to '
            f"another county (code {foreign[0]} does not start with it)"
        )
    need_village("county.hub_village", m.county.hub_village)
    for k, code in enumerate(m.county.transfer_stations):
        if code not in town_codes:
            problems.append(f'county.transfer_stations[{k}] = "{code}": unknown township code')
    for code in m.routing.promised_by_towns:
        if code not in town_codes:
            problems.append(f'routing.promised_by_towns."{code}": unknown township code')
    if m.county.use_transfer_stations and not m.county.transfer_stations:
        problems.append("county.use_transfer_stations = true: county.transfer_stations is empty")

    # The line: fewer chutes than units shares chutes (someone must split their bags); a
    # chute pinned twice only then; a chute of a split (several-chute) entry only once.
    units = len(villages)
    sc = m.sorter
    if sc.scanners == "per_zone" and sc.zones < 2:
        problems.append(
            'sorter.scanners = "per_zone": needs sorter.zones >= 2 (one zone has its scanner)'
        )
    if sc.zones > sc.induction.stations:
        problems.append(
            f"sorter.zones = {sc.zones}: more zones than the {sc.induction.stations} stations"
        )
    if sc.zones > 1 and sc.induction.positions_m:
        problems.append(
            f"sorter.induction.positions_m = {sc.induction.positions_m}: stations are placed by "
            "zone when sorter.zones > 1"
        )
    shared = bool(m.sorter.chutes) and m.sorter.chutes < units
    if shared and m.sorter.secondary_sort_staff == 0:
        problems.append(
            f"sorter.chutes = {m.sorter.chutes}: fewer chutes than the {units} village-level "
            "units, so villages share chutes, and sorter.secondary_sort_staff = 0: nobody "
            "splits their bags by village"
        )
    slots = m.sorter.chutes or units
    seen_chute: dict[int, int] = {}
    split_chute: set[int] = set()
    seen_village: set[str] = set()
    for k, entry in enumerate(m.sorter.chute_map):
        need_village(f"sorter.chute_map[{k}].village", entry.village)
        several = isinstance(entry.chute, list)
        if several and (len(entry.chutes) < 2 or len(set(entry.chutes)) < len(entry.chutes)):
            problems.append(
                f"sorter.chute_map[{k}].chute = {entry.chute}: list two or more distinct chutes"
            )
        for c in entry.chutes:
            if not 0 <= c < slots:
                problems.append(
                    f"sorter.chute_map[{k}].chute = {entry.chute}: the line has chutes "
                    f"0..{slots - 1}"
                )
            elif c in seen_chute and (not shared or several or c in split_chute):
                problems.append(
                    f"sorter.chute_map[{k}].chute = {entry.chute}: duplicate chute {c} (also "
                    f"sorter.chute_map[{seen_chute[c]}])"
                )
            seen_chute.setdefault(c, k)
            if several:
                split_chute.add(c)
        if entry.village in seen_village:
            problems.append(
                f'sorter.chute_map[{k}].village = "{entry.village}": village mapped twice'
            )
        seen_village.add(entry.village)
    from sorter.assignment import ASSIGNMENTS

    if m.sorter.assignment not in ASSIGNMENTS:
        problems.append(
            f'sorter.assignment = "{m.sorter.assignment}": unknown policy; one of '
            + ", ".join(sorted(ASSIGNMENTS))
        )
    if m.sorter.induction.positions_m and (
        len(m.sorter.induction.positions_m) != m.sorter.induction.stations
    ):
        problems.append(
            f"sorter.induction.positions_m = {show_value(m.sorter.induction.positions_m)}: "
            f"{m.sorter.induction.stations} stations need as many positions, not "
            f"{len(m.sorter.induction.positions_m)}"
        )
    loop_m = m.sorter.carriers * m.sorter.pitch_m
    for k, pos in enumerate(m.sorter.induction.positions_m):
        if pos >= loop_m:
            problems.append(
                f"sorter.induction.positions_m[{k}] = {pos}: beyond the loop length "
                f"{loop_m:g} m (carriers × pitch)"
            )

    # Fleet: depots exist; no village can need more than the whole fleet carries in one
    # round each (a village bigger than one van is split into van-sized drops: routing.split).
    for k, van in enumerate(m.fleet.vans):
        if van.depot != "hub" and van.depot not in m.county.transfer_stations:
            problems.append(
                f'fleet.vans[{k}].depot = "{van.depot}": not "hub" nor a township in '
                "county.transfer_stations"
            )
        elif van.depot != "hub" and not m.county.use_transfer_stations:
            problems.append(
                f'fleet.vans[{k}].depot = "{van.depot}": a transfer station, but '
                'county.use_transfer_stations = false (set it true, or depot = "hub")'
            )
    volume = max(
        (ev.volume_multiplier for ev in m.events if isinstance(ev, FestivalEvent)), default=1.0
    )
    peak = m.demand.village_max * volume
    fleet = sum(v.capacity_parcels * v.count for v in m.fleet.vans)
    if peak > fleet:
        problems.append(
            f"demand.village_max = {m.demand.village_max}: a village delivery of up to "
            f"{peak:g} parcels is larger than the whole fleet carries ({fleet} parcels: "
            "fleet.vans[*].capacity_parcels × count)"
        )

    for k, ev in enumerate(m.events):
        if isinstance(ev, HarvestPeakEvent):
            for j, code in enumerate(ev.villages):
                need_village(f"events[{k}].villages[{j}]", code, rural=True)
        elif isinstance(ev, ChuteJamEvent):
            need_village(f"events[{k}].village", ev.village)
    from gongpei.week.checks import check_week_data  # the [week] table's codes

    problems += check_week_data(m, town_codes, village_codes, served)
    return problems


def _check_graphml(value: str, path: Path) -> list[str]:
    """A road graph that cannot be parsed is reported at load time, not mid-run."""
    import networkx as nx

    try:
        graph = nx.read_graphml(path)
    except Exception as exc:  # parser errors come in many types: report, don't crash
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [f'roads.graphml = "{value}": unreadable GraphML ({reason})']
    if graph.number_of_nodes() == 0:
        return [f'roads.graphml = "{value}": the graph has no nodes']
    return []


def _file_fault(field: str, value: str, file: Path, exc: Exception) -> str:
    """``county.villages = "v.csv": row 3: …`` from a reader's ``/abs/v.csv: row 3: …``."""
    text = str(exc)
    if text.startswith(f"{file}: "):
        text = text[len(str(file)) + 2 :]
    return f"{field} = {show_value(value)}: {text}"


def _path(base_dir: Path, value: str) -> Path:
    from gongpei.scenario.paths import resolve_data_path

    return resolve_data_path(value, base_dir)
