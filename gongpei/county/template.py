"""The text of a new scenario file for any of the 26 mountain counties (``gongpei new-scenario``).

A complete, commented TOML that a planner then edits by hand; every number comes from a rule
of :mod:`gongpei.county.catalogue`, stated in a comment next to it, so the file explains itself.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from gongpei.county.catalogue import (
    PARCELS_PER_COMMUNITY,
    PARCELS_PER_VILLAGE,
    SUICHANG,
    TRANSFER_STATION_KM,
    ZJ26,
    _read_county,
    county_files,
    find_county,
    plan_sizes,
)


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
    from gongpei.scenario.clock import format_clock
    from gongpei.scenario.loading import load_scenario

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
    w(f'promise = "{r.promise}"            # report | soft | hard\n')
    w(f"late_cost_per_parcel_h = {_f(r.late_cost_per_parcel_h)}\n")
    w(f"drop_penalty_per_parcel = {_f(r.drop_penalty_per_parcel)}\n")
    w('baselines = ["brands_alone"]  # add "township_drop" for the second comparison\n')
    if r.baseline_time_limit_s is not None:
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
