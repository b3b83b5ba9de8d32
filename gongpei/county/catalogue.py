"""New scenario files for any of Zhejiang's 26 mountain counties (浙江山区26县).

``gongpei new-scenario --county 开化`` writes a complete, commented scenario TOML that a planner
then edits by hand. Every number in it comes from a rule stated in a comment next to it, so
the file explains itself:

* **Geography** — the packaged per-county files ``gongpei:zhejiang26/<code>/towns.csv``,
  ``villages.csv`` and ``outline.geojson`` (real NBS 2023 names and codes, geocoded township
  seats, county outline; see ``data/zhejiang26/SOURCES.md``).
* **Hub** — the county co-delivery centre: the seat township's 村 with the lowest NBS code
  (no village coordinates are published, so "nearest the seat" cannot be measured; the
  hub's spot is then put 3 km from the seat by :func:`gongpei.county.geography.place_villages`).
  A seat township without any 村 (莲都 万象街道) hands the choice to the township whose seat
  is nearest the county seat and has one. Suichang keeps its documented hub 上江村.
  ``--hub CODE`` names any village-level unit of the county instead.
* **Demand** — ``village_parcels = 40 × villages on the rounds`` (Suichang's 8,000 for 201);
  ``urban_parcels = 300 × urban communities`` (社区 + 居委会; a low figure that keeps the line
  sized for village work — Suichang's default has 12,000 for 13).
* **Line** — one chute per village-level unit; induction stations, unload ports and bagging
  operators scaled from Suichang's 3 / 4 / 6 with the morning wave's volume and the chutes.
* **Fleet** — ``ceil(village_parcels / 250)`` vans + 20 % spare, 30 % of them electric.
* **Roads** — ``roads.network = "generic"`` (:mod:`routing.generic_roads`, synthetic); Suichang
  (331123) keeps its calibrated corridors.

:func:`package_zhejiang26` is the copy step that made ``data/zhejiang26`` from the research
folder ``shared/data/zhejiang26``; it is where the awkward rows are handled (see its
docstring and the packaged SOURCES.md).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CountyInfo",
    "ScenarioSizes",
    "UnknownCountyError",
    "county_files",
    "find_county",
    "list_counties",
    "new_scenario_text",
    "package_zhejiang26",
    "plan_sizes",
]

ZJ26 = "zhejiang26"
#: Suichang keeps its calibrated corridors and documented hub (the default scenario's).
SUICHANG = "331123"
SUICHANG_HUB = "331123001217"

# --- rules (each appears in the generated file's comments) -----------------------------------
PARCELS_PER_VILLAGE = 40  # Suichang: 8,000 for 201 villages
PARCELS_PER_COMMUNITY = 300
PARCELS_PER_VAN = 250  # of 300 capacity: room for pickups and the day's spread
SPARE_SHARE = 0.20
EV_SHARE = 0.30
TRANSFER_STATION_KM = 25.0  # township seats this far (straight) from the county seat


class UnknownCountyError(ValueError):
    """``--county`` names none of the 26 counties (or ``--hub`` no unit of it)."""


# --------------------------------------------------------------------------- packaged data


@dataclass(frozen=True, slots=True)
class CountyInfo:
    """One row of ``data/zhejiang26/counties.csv``."""

    code: str
    name: str
    name_en: str
    prefecture: str
    num_towns: int
    num_villages_cun: int
    num_communities: int
    num_living_quarters: int
    area_km2: float
    seat_code: str
    seat_name: str
    seat_lat: float
    seat_lon: float
    seat_evidence: str
    note: str


def _data_dir() -> Path:
    from gongpei.scenario.loading import builtin_path

    return builtin_path(ZJ26)


def county_files(code: str) -> dict[str, str]:
    """The scenario paths (``gongpei:...``) of a county's packaged data files."""
    base = f"gongpei:{ZJ26}/{code}"
    return {
        "towns": f"{base}/towns.csv",
        "villages": f"{base}/villages.csv",
        "outline": f"{base}/outline.geojson",
    }


def list_counties() -> tuple[CountyInfo, ...]:
    """The 26 counties, by code."""
    text = (_data_dir() / "counties.csv").read_text(encoding="utf-8")
    out = []
    for r in csv.DictReader(io.StringIO(text)):
        out.append(
            CountyInfo(
                code=r["code"],
                name=r["name"],
                name_en=r["name_en"],
                prefecture=r["prefecture"],
                num_towns=int(r["num_towns"]),
                num_villages_cun=int(r["num_villages_cun"]),
                num_communities=int(r["num_communities"]),
                num_living_quarters=int(r["num_living_quarters"]),
                area_km2=float(r["area_km2"]),
                seat_code=r["seat_code"],
                seat_name=r["seat_name"],
                seat_lat=float(r["seat_lat"]),
                seat_lon=float(r["seat_lon"]),
                seat_evidence=r["seat_evidence"],
                note=r["note"],
            )
        )
    return tuple(out)


def find_county(query: str) -> CountyInfo:
    """A county by code (``330824``), name (``开化县``, ``开化``) or pinyin (``kaihua``)."""
    q = query.strip()
    ql = q.lower().replace("'", "").replace(" ", "")
    for c in list_counties():
        names = {c.code, c.name, c.name_en.lower().replace("'", "")}
        # short Chinese names: 开化县 → 开化, 景宁畲族自治县 → 景宁, 龙泉市 → 龙泉
        for suffix in ("畲族自治县", "县", "区", "市"):
            if c.name.endswith(suffix) and len(c.name) > len(suffix) + 1:
                names.add(c.name[: -len(suffix)])
        if q in names or ql in names:
            return c
    raise UnknownCountyError(
        f"--county {query!r}: not one of Zhejiang's 26 mountain counties "
        "(give a 6-digit code, a name like 开化县 / 开化, or pinyin like kaihua; "
        "`gongpei new-scenario --list` shows them)"
    )


@dataclass(frozen=True, slots=True)
class _Town:
    code: str
    name: str
    kind: str
    lat: float
    lon: float
    coord_source: str
    nbs_kind: str


@dataclass(frozen=True, slots=True)
class _Unit:
    code: str
    name: str
    town_code: str
    kind: str
    nbs_kind: str


def _read_county(code: str) -> tuple[list[_Town], list[_Unit]]:
    d = _data_dir() / code
    towns = [
        _Town(
            r["code"],
            r["name"],
            r["kind"],
            float(r["lat"]),
            float(r["lon"]),
            r["coord_source"],
            r["nbs_kind"],
        )
        for r in csv.DictReader(io.StringIO((d / "towns.csv").read_text(encoding="utf-8")))
    ]
    units = [
        _Unit(r["code"], r["name"], r["town_code"], r["kind"], r["nbs_kind"])
        for r in csv.DictReader(io.StringIO((d / "villages.csv").read_text(encoding="utf-8")))
    ]
    return towns, units


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from gongpei.county.geography import haversine_m

    return haversine_m(lon1, lat1, lon2, lat2) / 1000.0


# --------------------------------------------------------------------------- sizing rules


@dataclass(frozen=True, slots=True)
class ScenarioSizes:
    """The numbers the rules give a county (each rule stated in the module docstring)."""

    county: str
    units: int  # village-level units (one chute each)
    villages: int  # units on the rounds (村, incl. farm living quarters)
    communities: int  # urban units (社区 + 居委会), off the rounds
    village_parcels: int
    urban_parcels: int
    stations: int
    unload_ports: int
    bagging_operators: int
    carriers: int
    vans_needed: int
    vans_total: int
    ev_vans: int
    hub: str
    hub_name: str
    hub_rule: str
    transfer_stations: tuple[str, ...]


def _hub(info: CountyInfo, towns: Sequence[_Town], units: Sequence[_Unit]) -> tuple[str, str]:
    """(hub code, the rule that chose it)."""
    if info.code == SUICHANG:
        return SUICHANG_HUB, "上江村, 妙高街道: the default scenario's documented county centre"
    seat = next(t for t in towns if t.code == info.seat_code)

    def first_cun(town: str) -> _Unit | None:
        cun = sorted(
            (u for u in units if u.town_code == town and u.nbs_kind == "村"), key=lambda u: u.code
        )
        return cun[0] if cun else None

    u = first_cun(seat.code)
    if u is not None:
        return u.code, f"the seat township {seat.name}'s 村 with the lowest NBS code"
    by_dist = sorted(
        (t for t in towns if t.code != seat.code),
        key=lambda t: (_km(seat.lat, seat.lon, t.lat, t.lon), t.code),
    )
    for t in by_dist:
        u = first_cun(t.code)
        if u is not None:
            return u.code, (
                f"the seat township {seat.name} has no 村, so the lowest-coded 村 of "
                f"{t.name}, the township with a 村 whose seat is nearest the county seat"
            )
    raise UnknownCountyError(f"county {info.code}: no 村 anywhere to put the hub in")


def plan_sizes(info: CountyInfo, *, hub: str | None = None) -> ScenarioSizes:
    """Apply the stated rules to ``info``'s packaged data (``hub``: a planner's choice)."""
    import sorter

    towns, units = _read_county(info.code)
    by_code = {u.code: u for u in units}
    if hub is None:
        hub_code, rule = _hub(info, towns, units)
    elif hub in by_code:
        hub_code, rule = hub, "named by the planner (--hub)"
    else:
        raise UnknownCountyError(
            f"--hub {hub!r}: not a village-level unit of {info.name} ({info.code}); "
            f"see gongpei:{ZJ26}/{info.code}/villages.csv"
        )
    villages = sum(u.kind == "村" for u in units)
    communities = len(units) - villages
    village_parcels = PARCELS_PER_VILLAGE * villages
    urban_parcels = PARCELS_PER_COMMUNITY * communities
    morning = 0.7 * (village_parcels + urban_parcels)
    stations = max(3, math.ceil(morning / (1800.0 * 3.0)))
    ports = max(4, math.ceil(morning / (750.0 * 3.5)))
    bagging = max(6, math.ceil(len(units) / 36))
    needed = sorter.Line.evenly_spaced(len(units), num_induction=stations).carriers
    carriers = max(600, 50 * math.ceil(needed / 50))
    vans_needed = math.ceil(village_parcels / PARCELS_PER_VAN)
    total = math.ceil(vans_needed * (1 + SPARE_SHARE))
    ev = max(1, round(EV_SHARE * total))
    seat = next(t for t in towns if t.code == info.seat_code)
    stations_far = tuple(
        t.code
        for t in towns
        if t.kind in ("镇", "乡") and _km(seat.lat, seat.lon, t.lat, t.lon) >= TRANSFER_STATION_KM
    )
    hub_unit = by_code[hub_code]
    hub_name = (
        "遂昌县城乡共配中心 (上江村)"
        if hub_code == SUICHANG_HUB
        else f"{info.name}城乡共配中心 ({hub_unit.name})"
    )
    return ScenarioSizes(
        county=info.code,
        units=len(units),
        villages=villages,
        communities=communities,
        village_parcels=village_parcels,
        urban_parcels=urban_parcels,
        stations=stations,
        unload_ports=ports,
        bagging_operators=bagging,
        carriers=carriers,
        vans_needed=vans_needed,
        vans_total=total,
        ev_vans=ev,
        hub=hub_code,
        hub_name=hub_name,
        hub_rule=rule,
        transfer_stations=stations_far,
    )


# --------------------------------------------------------------------------- the TOML text


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _f(x: float) -> str:
    return repr(float(x))


def _comment_block(lines: Sequence[str]) -> str:
    """Comment lines wrapped at 92 columns (names are never split)."""
    import textwrap

    out = []
    for ln in lines:
        wrapped = textwrap.wrap(ln, 90, break_long_words=False, break_on_hyphens=False)
        out += [f"# {w}\n" for w in wrapped] or ["#\n"]
    return "".join(out)


def new_scenario_text(county: str, *, hub: str | None = None) -> str:
    """The scenario file for ``county`` (code, name or pinyin), as commented TOML text.

    Raises :class:`UnknownCountyError` for an unknown county or hub. The text validates with
    :func:`gongpei.scenario.loading.load_scenario_text` from any folder (its data paths are
    ``gongpei:`` paths).
    """
    from gongpei.scenario.loading import load_scenario
    from gongpei.scenario.schema import format_clock

    info = find_county(county)
    sz = plan_sizes(info, hub=hub)
    towns, units = _read_county(info.code)
    unit_by_code = {u.code: u for u in units}
    town_by_code = {t.code: t for t in towns}
    default = load_scenario().model  # the brands, waves, speeds and costs of the default
    files = county_files(info.code)
    hub_unit = unit_by_code[sz.hub]
    hub_town = town_by_code[hub_unit.town_code]
    living = [u for u in units if u.nbs_kind == "生活区"]
    odd_towns = [t for t in towns if t.nbs_kind != t.kind]
    derived = [t for t in towns if t.coord_source.startswith("derived:")]

    notes: list[str] = []
    if info.note:
        notes += [f"Data note: {info.note}"]
    for t in derived:
        if t.name not in info.note:
            notes.append(f"{t.name} ({t.code}): seat point {t.coord_source} (see SOURCES.md).")
    if odd_towns:
        notes.append(
            "Similar-to-township units (类似乡级单位), kept as 乡 with a seat point: "
            + ", ".join(f"{t.name} {t.code}" for t in odd_towns)
            + "."
        )
    if living:
        notes.append(
            f"{len(living)} farm/forest-farm living quarter(s) (生活区) are on the rounds like "
            "a 村 (kind 村 in villages.csv, nbs_kind 生活区): "
            + ", ".join(f"{u.name} {u.code}" for u in living)
            + ". To take one off the rounds, give it kind 社区 in a copy of villages.csv."
        )
    if info.seat_evidence == "C":
        notes.append(
            f"The seat township {info.seat_name} is unconfirmed (SOURCES.md §7, class C); "
            "its point is within about 2 km of the county town."
        )

    far = sz.transfer_stations
    d = default.demand
    sp = default.roads.speeds_kmh
    shares = ", ".join(f"{k} = {_f(v)}" for k, v in default.brands.shares.items())
    out = io.StringIO()
    w = out.write
    w(f"# gongpei scenario: {info.name} ({info.prefecture}, {info.code}), a normal weekday.\n")
    w("#\n")
    w("# Written by `gongpei new-scenario`; edit it by hand, then `gongpei validate FILE` and\n")
    w("# `gongpei run FILE`. Every number below follows a rule stated next to it; the rules\n")
    w("# are first guesses scaled from the Suichang default — sweep them before trusting a\n")
    w("# result. Village positions and the road network are synthetic (seeded); township\n")
    w("# names, codes and seat points are real (NBS 2023; see\n")
    w(f"# gongpei/county/data/{ZJ26}/SOURCES.md).\n")
    if notes:
        w("#\n")
        w(_comment_block(notes))
    w("\n[scenario]\n")
    w(f"name = {_s(info.name_en.lower().replace(chr(39), ''))}\n")
    w(f"title = {_s(info.name + ' county co-delivery, a normal weekday')}\n")
    w(
        f"description = {_s(f'{len(towns)} township-level units, {sz.villages} villages on the rounds, {sz.communities} urban units (NBS 2023); synthetic village positions and roads around real township seats.')}\n"  # noqa: E501
    )
    w(f"seed = {default.scenario.seed}\n")

    w("\n[county]\n")
    w(f"code = {_s(info.code)}\n")
    w(f"name = {_s(info.name)}\n")
    w(f"towns = {_s(files['towns'])}        # {len(towns)} township-level units, seat points\n")
    w(f"villages = {_s(files['villages'])}  # {sz.units} village-level units, NBS 2023 codes\n")
    w(f"outline = {_s(files['outline'])}\n")
    w(f"# Hub rule: {sz.hub_rule}.\n")
    w(f"hub_village = {_s(sz.hub)}                  # {hub_unit.name}, {hub_town.name}\n")
    w(f"hub_name = {_s(sz.hub_name)}\n")
    w(f"placement_seed = {int(info.code)}               # synthetic village positions are seeded\n")
    w("min_separation_m = 300.0\n")
    w(
        f"# Transfer-station candidates: the 镇/乡 whose seat is >= {TRANSFER_STATION_KM:g} km "
        "(straight) from the county seat.\n"
    )
    w(_toml_list("transfer_stations", far, [town_by_code[c].name for c in far]))
    w(
        "use_transfer_stations = false                 # true: hub → station trunk, "
        "station → village rounds\n"
    )
    w(
        'exclude_kinds = ["社区", "居委会"]              # urban units: sorted on the line, '
        "delivered by town couriers\n"
    )

    w("\n[roads]\n")
    if info.code == SUICHANG:
        w('network = "corridors"                          # calibrated synthetic corridors\n')
        w(
            'links = "gongpei:suichang/roads.csv"           # inter-township links with detour '
            "factors\n"
        )
    else:
        w("# Synthetic: a Gabriel-graph / minimum-spanning-tree skeleton between the township\n")
        w("# seats with mountain detour factors (routing/generic_roads.py), then village roads.\n")
        w(
            '# With a real road graph (osmnx GraphML) write network = "graphml" and graphml = '
            '"FILE".\n'
        )
        w('network = "generic"\n')
    w(
        f"speeds_kmh = {{ expressway = {_f(sp.expressway)}, trunk = {_f(sp.trunk)}, "
        f"county = {_f(sp.county)}, village = {_f(sp.village)} }}\n"
    )
    w(f"village_detour = {_f(default.roads.village_detour)}\n")

    w("\n[demand]\n")
    w(
        f"village_parcels = {sz.village_parcels}    # {PARCELS_PER_VILLAGE} × {sz.villages} "
        "villages on the rounds (Suichang: 8,000 for 201)\n"
    )
    w(f"village_cv = {_f(d.village_cv)}\n")
    w(f"village_min = {d.village_min}\n")
    w("village_max = 240           # below a van's 300, so one stop always fits a van\n")
    w(f"seat_multiplier = {_f(d.seat_multiplier)}\n")
    w(
        f"urban_parcels = {sz.urban_parcels}      # {PARCELS_PER_COMMUNITY} × {sz.communities} "
        "urban communities (社区 + 居委会); low: raise for a busy county town\n"
    )
    w(f"pickup_share = {_f(d.pickup_share)}\n")
    w(f"litres_per_parcel = {_f(d.litres_per_parcel)}\n")
    w(f"produce_litres_per_parcel = {_f(d.produce_litres_per_parcel)}\n")

    w("\n[brands]\n")
    w("# The default brand mix (national shares, S; China Post rural uplift, E).\n")
    w(f"shares = {{ {shares} }}\n")
    w(f"stagger_min = {_f(default.brands.stagger_min)}\n")
    for wave in default.brands.waves:
        w("\n[[brands.waves]]\n")
        w(f"name = {_s(wave.name)}\n")
        w(f'start = "{format_clock(wave.start)}"\n')
        w(f'end = "{format_clock(wave.end)}"\n')
        w(f"share = {_f(wave.share)}\n")
        w(f'cutoff = "{format_clock(wave.cutoff)}"\n')
        w(f'rounds = "{wave.rounds}"\n')

    s = default.sorter
    w("\n[sorter]\n")
    w(f"carriers = {sz.carriers}              # max(600, the loop the chutes need), in 50s\n")
    w(f"pitch_m = {_f(s.pitch_m)}\n")
    w(f"speed_mps = {_f(s.speed_mps)}\n")
    w(f"chutes = 0                  # 0: one chute per village-level unit ({sz.units})\n")
    w(f"chute_capacity = {s.chute_capacity}\n")
    w(f'assignment = "{s.assignment}"     # by_round | by_volume | by_township | random\n')
    w(f"max_recirculations = {s.max_recirculations}\n")
    w(f"bagging_operators = {sz.bagging_operators}       # max(6, one per 36 chutes)\n")
    w(f"bag_time_s = {_f(s.bag_time_s)}\n")
    w(f"fill_threshold = {_f(s.fill_threshold)}\n")
    w(f"no_read_prob = {_f(s.no_read_prob)}\n")
    w(f"keying_delay_s = {_f(s.keying_delay_s)}\n")
    w(f"exception_prob = {_f(s.exception_prob)}\n")
    w(f"oversize_share = {_f(s.oversize_share)}\n")
    w(f"unload_ports = {sz.unload_ports}            # max(4, morning wave / (750 per h × 3.5 h))\n")
    w(f"unload_rate_per_h = {_f(s.unload_rate_per_h)}\n")
    w(f'horizon = "{format_clock(s.horizon)}"\n')
    w("\n[sorter.induction]\n")
    w(f"stations = {sz.stations}                # max(3, morning wave / (1,800 per h × 3 h))\n")
    w(f"rate_per_h = {_f(s.induction.rate_per_h)}\n")
    w(f"operators = {s.induction.operators}\n")

    w(
        "\n# Fleet rule: ceil(village_parcels / 250) = "
        f"{sz.vans_needed} vans + 20 % spare = {sz.vans_total}, 30 % electric.\n"
    )
    for name, count, base in (
        ("panel-van", sz.vans_total - sz.ev_vans, default.fleet.vans[0]),
        ("ev-van", sz.ev_vans, default.fleet.vans[-1]),
    ):
        w("\n[[fleet.vans]]\n")
        w(f"name = {_s(name)}\n")
        w(f"count = {count}\n")
        w(f"capacity_parcels = {base.capacity_parcels}\n")
        w(f"capacity_litres = {base.capacity_litres}\n")
        w(f"fixed_cost = {_f(base.fixed_cost)}\n")
        w(f"cost_per_km = {_f(base.cost_per_km)}\n")
        w(f'shift_start = "{format_clock(base.shift_start)}"\n')
        w(f'shift_end = "{format_clock(base.shift_end)}"\n')
        w(f"max_duration_h = {_f(base.max_duration_h)}\n")
        w(f"max_km = {_f(base.max_km)}\n")
        w(f"co2_kg_per_km = {_f(base.co2_kg_per_km)}\n")

    r = default.routing
    w("\n[routing]\n")
    w(f'backend = "{r.backend}"            # ortools | pyvrp | auto\n')
    w(f"time_limit_s = {_f(r.time_limit_s)}\n")
    w(f"service_fixed_s = {_f(r.service_fixed_s)}\n")
    w(f"service_per_parcel_s = {_f(r.service_per_parcel_s)}\n")
    w(f'station_open = "{format_clock(r.station_open)}"\n')
    w(f'station_close = "{format_clock(r.station_close)}"\n')
    w(f'promised_by = "{format_clock(r.promised_by)}"\n')
    w('baselines = ["brands_alone"]  # add "township_drop" for the second comparison\n')
    w(f"baseline_time_limit_s = {_f(r.baseline_time_limit_s)}\n")

    w("\n[output]\n")
    w(f"dir = {_s('gongpei-out-' + info.name_en.lower().replace(chr(39), ''))}\n")
    w("plots = true\nhtml = true\nparcels_csv = true\n")
    return out.getvalue()


def _toml_list(key: str, values: Sequence[str], names: Sequence[str]) -> str:
    if not values:
        return f"{key} = []\n"
    rows = [f'    "{v}",  # {n}\n' for v, n in zip(values, names, strict=True)]
    return f"{key} = [\n" + "".join(rows) + "]\n"


# --------------------------------------------------------------------------- copy step

#: Hanyu Pinyin (no tones) of the 26 county names: scenario names must be ASCII.
NAME_EN = {
    "330127": "Chun'an", "330324": "Yongjia", "330326": "Pingyang", "330327": "Cangnan",
    "330328": "Wencheng", "330329": "Taishun", "330723": "Wuyi", "330727": "Pan'an",
    "330802": "Kecheng", "330803": "Qujiang", "330822": "Changshan", "330824": "Kaihua",
    "330825": "Longyou", "330881": "Jiangshan", "331022": "Sanmen", "331023": "Tiantai",
    "331024": "Xianju", "331102": "Liandu", "331121": "Qingtian", "331122": "Jinyun",
    "331123": "Suichang", "331124": "Songyang", "331125": "Yunhe", "331126": "Qingyuan",
    "331127": "Jingning", "331181": "Longquan",
}  # fmt: skip
#: Seat evidence class from SOURCES.md §6/§7 (A: a text source names it; B: the county-town
#: 街道, no text found; C: unconfirmed).
SEAT_EVIDENCE = {
    **dict.fromkeys(["330802", "331024", "331125"], "C"),
    **dict.fromkeys(
        ["330803", "330822", "330825", "331022", "331121", "331122", "331126", "331181"], "B"
    ),
}
#: Seat points moved into the county town, with the reason (SOURCES.md §7).
SEAT_POINT_OVERRIDES = {
    "330824115": (
        29.13972,
        118.40978,
        "derived:county_town_point",
        "开化 华埠镇: Baidu's 华埠镇 point (29.01035, 118.35398) is the old 华埠 town 15.4 km "
        "SSW of the county town; the county-town communities are coded under 华埠镇, so its "
        "seat is put at Baidu's county-level point of 开化县 (the county town 芹阳)",
    ),
}


def package_zhejiang26(src: Path | str, dst: Path | str) -> list[str]:
    """Copy the research folder ``src`` (shared/data/zhejiang26) into the per-county package
    layout ``dst/<code>/{towns.csv,villages.csv,outline.geojson}`` + ``counties.csv``, which
    the loaders of :mod:`gongpei.county.geography` read as they are. Returns one message per row
    that was changed or left out.

    The awkward rows, each by a stated rule:

    * **no coordinate** (平阳 开发区 330326401): left out, with its village-level units (one
      placeholder, 开发区虚拟社区, no residents): a seat at a guessed point would carve a
      territory out of real townships. Listed in ``counties.csv`` ``note``.
    * **类似乡级单位** (forest farms, 县特产场, a nature reserve) with a point: kept, ``kind`` 乡
      (the loaders know 街道/镇/乡), ``nbs_kind`` keeps the NBS value.
    * **生活区** (farm and forest-farm living quarters, incl. the 虚拟 placeholders of the
      units above): on the rounds like a 村 — rural settlements of farm workers; ``kind`` 村,
      ``nbs_kind`` 生活区. They count in ``num_living_quarters``, not ``num_villages_cun``.
    * **a seat far from the county town** (开化 华埠镇, 15.4 km): the seat point moves to the
      county-level point (:data:`SEAT_POINT_OVERRIDES`), ``coord_source`` ``derived:...``.

    ``seat_code`` is the township whose point the research file gives as the seat.
    """
    src, dst = Path(src), Path(dst)
    messages: list[str] = []
    counties = list(csv.DictReader(io.StringIO((src / "counties.csv").read_text("utf-8"))))
    towns = list(csv.DictReader(io.StringIO((src / "towns.csv").read_text("utf-8"))))
    units = list(csv.DictReader(io.StringIO((src / "villages.csv").read_text("utf-8"))))
    shapes = json.loads((src / "boundaries.geojson").read_text("utf-8"))["features"]
    outline = {f["properties"]["code"]: f for f in shapes}
    dst.mkdir(parents=True, exist_ok=True)
    rows = []
    for c in counties:
        code = c["code"]
        ctowns = [t for t in towns if t["county_code"] == code]
        cunits = [u for u in units if u["county_code"] == code]
        notes: list[str] = []
        left_out = {t["code"] for t in ctowns if not t["lat"] or not t["lon"]}
        for t in ctowns:
            if t["code"] in left_out:
                gone = [u for u in cunits if u["town_code"] == t["code"]]
                msg = (
                    f"{t['name']} {t['code']} ({t['kind']}) left out: no coordinate; with its "
                    f"{len(gone)} unit(s) " + ", ".join(u["name"] for u in gone)
                )
                notes.append(msg)
                messages.append(f"{code} {c['name']}: {msg}")
        seat = [
            t
            for t in ctowns
            if t["lat"]
            and abs(float(t["lat"]) - float(c["seat_lat"])) < 1e-6
            and abs(float(t["lon"]) - float(c["seat_lon"])) < 1e-6
        ]
        if len(seat) != 1:
            raise ValueError(f"{code}: seat point matches {len(seat)} townships")
        seat_lat, seat_lon = c["seat_lat"], c["seat_lon"]
        out_towns = []
        for t in sorted(ctowns, key=lambda t: t["code"]):
            if t["code"] in left_out:
                continue
            kind, lat, lon, source = t["kind"], t["lat"], t["lon"], t["coord_source"]
            if kind not in ("街道", "镇", "乡"):
                kind = "乡"
                messages.append(f"{code} {c['name']}: {t['name']} {t['code']}: {t['kind']} → 乡")
            if t["code"] in SEAT_POINT_OVERRIDES:
                la, lo, source, why = SEAT_POINT_OVERRIDES[t["code"]]
                lat, lon = f"{la:.5f}", f"{lo:.5f}"
                notes.append(why)
                messages.append(f"{code} {c['name']}: {why}")
                if t["code"] == seat[0]["code"]:
                    seat_lat, seat_lon = lat, lon
            out_towns.append([t["code"], t["name"], kind, lat, lon, source, t["kind"]])
        out_units = []
        for u in sorted(cunits, key=lambda u: u["code"]):
            if u["town_code"] in left_out:
                continue
            kind = "村" if u["kind"] == "生活区" else u["kind"]
            out_units.append(
                [u["code"], u["name"], u["town_code"], u["town_name"], kind, u["kind"]]
            )
        d = dst / code
        d.mkdir(exist_ok=True)
        _write_csv(
            d / "towns.csv",
            ["code", "name", "kind", "lat", "lon", "coord_source", "nbs_kind"],
            out_towns,
        )
        _write_csv(
            d / "villages.csv",
            ["code", "name", "town_code", "town_name", "kind", "nbs_kind"],
            out_units,
        )
        feature = outline[code]
        doc = {"type": "FeatureCollection", "features": [feature]}
        (d / "outline.geojson").write_text(json.dumps(doc, ensure_ascii=False) + "\n", "utf-8")
        living = sum(u[5] == "生活区" for u in out_units)
        rows.append([
            code, c["name"], NAME_EN[code], c["prefecture"], c["num_towns"],
            c["num_villages_cun"], c["num_communities"], str(living), c["area_km2"],
            seat[0]["code"], seat[0]["name"], seat_lat, seat_lon,
            SEAT_EVIDENCE.get(code, "A"), "; ".join(notes),
        ])  # fmt: skip
    _write_csv(
        dst / "counties.csv",
        ["code", "name", "name_en", "prefecture", "num_towns", "num_villages_cun",
         "num_communities", "num_living_quarters", "area_km2", "seat_code", "seat_name",
         "seat_lat", "seat_lon", "seat_evidence", "note"],
        rows,
    )  # fmt: skip
    return messages


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(header)
    wr.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
