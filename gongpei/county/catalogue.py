"""The catalogue of Zhejiang's 26 mountain counties (浙江山区26县) and the rules that size a
scenario for any of them.

The scenario text itself is written by :mod:`gongpei.county.template`
(``gongpei new-scenario``); :mod:`gongpei.county.packaging` made the packaged data. The rules:

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

:func:`gongpei.county.packaging.package_zhejiang26` is the copy step that made
``data/zhejiang26`` from the research folder ``shared/data/zhejiang26``; it is where the
awkward rows are handled (see its docstring and the packaged SOURCES.md).
"""

from __future__ import annotations

import csv
import io
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
    from gongpei.scenario.paths import builtin_path

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


# --------------------------------------------------------------------------- copy step
