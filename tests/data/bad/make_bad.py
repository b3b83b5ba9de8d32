"""Generate the bad-scenario corpus from tests/data/good.toml: one fault per file."""

import pathlib

root = pathlib.Path(__file__).resolve().parents[1]
good = (root / "good.toml").read_text()


def sub(old, new, text=good, count=1):
    assert old in text, old
    return text.replace(old, new, count)


def drop_table(name):
    # remove [name] table and its lines up to the next table header
    out, skip = [], False
    for line in good.splitlines(keepends=True):
        if line.startswith("["):
            skip = line.strip() in (f"[{name}]", f"[[{name}]]")
        if not skip:
            out.append(line)
    return "".join(out)


cases = {
    "missing_table": (drop_table("fleet.vans"), "fleet: missing (required)"),
    "missing_key": (sub('code = "331123"\n', ""), "county.code: missing (required)"),
    "wrong_type_capacity": (
        sub("capacity_parcels = 300", 'capacity_parcels = "lots"'),
        'fleet.vans[0].capacity_parcels = "lots": must be a valid integer',
    ),
    "negative_capacity": (
        sub("capacity_parcels = 300", "capacity_parcels = -5"),
        "fleet.vans[0].capacity_parcels = -5: must be > 0",
    ),
    "zero_capacity": (
        sub("capacity_litres = 4000", "capacity_litres = 0"),
        "fleet.vans[0].capacity_litres = 0: must be > 0",
    ),
    "float_count": (
        sub("count = 30", "count = 2.5"),
        "fleet.vans[0].count = 2.5: must be a valid integer",
    ),
    "bool_count": (
        sub("count = 30", "count = true"),
        "fleet.vans[0].count = true: must be a valid integer",
    ),
    "unknown_key": (
        sub("chute_capacity = 40", "chute_capacty = 40"),
        "sorter.chute_capacty = 40: unknown key",
    ),
    "unknown_table": (sub("[sorter]", "[sorters]"), "sorters = {table}: unknown key"),
    "unknown_hub_village": (
        sub('hub_village = "331123001217"', 'hub_village = "331123999999"'),
        'county.hub_village = "331123999999": unknown village code',
    ),
    "unknown_event_village": (
        good
        + '\n[[events]]\nkind = "harvest_peak"\nvillages = ["331123001999"]\npickup_multiplier = 4.0\n',
        'events[0].villages[0] = "331123001999": unknown village code',
    ),
    "fewer_chutes": (
        sub("chute_capacity = 40", "chute_capacity = 40\nchutes = 100\nsecondary_sort_staff = 0"),
        "sorter.chutes = 100: fewer chutes than the 214 village-level units, so villages share "
        "chutes, and sorter.secondary_sort_staff = 0: nobody splits their bags by village",
    ),
    "per_zone_one_zone": (
        sub("chute_capacity = 40", 'chute_capacity = 40\nscanners = "per_zone"'),
        'sorter.scanners = "per_zone": needs sorter.zones >= 2 (one zone has its scanner)',
    ),
    "split_chute_twice": (
        good + '\n[[sorter.chute_map]]\nvillage = "331123001217"\nchute = [5, 6]\n\n'
        '[[sorter.chute_map]]\nvillage = "331123001218"\nchute = 6\n',
        "sorter.chute_map[1].chute = 6: duplicate chute 6 (also sorter.chute_map[0])",
    ),
    "duplicate_chute": (
        good
        + '\n[[sorter.chute_map]]\nvillage = "331123001217"\nchute = 5\n\n[[sorter.chute_map]]\nvillage = "331123001218"\nchute = 5\n',
        "sorter.chute_map[1].chute = 5: duplicate chute",
    ),
    "truck_after_horizon": (
        sub('end = "13:30"', 'end = "21:00"'),
        'brands.waves[1].end = "21:00": trucks arrive after the sorter horizon',
    ),
    "delivery_larger_than_van": (
        sub("count = 30\ncapacity_parcels = 300", "count = 2\ncapacity_parcels = 100"),
        "demand.village_max = 300: a village delivery of up to 300 parcels is larger than the "
        "whole fleet carries",
    ),
    "window_closes_before_opens": (
        sub("baselines = []", 'baselines = []\nstation_open = "08:00"\nstation_close = "07:00"'),
        'routing.station_close = "07:00": is not after station_open',
    ),
    "unreadable_graphml": (
        sub(
            'links = "gongpei:suichang/roads.csv"',
            'network = "graphml"\ngraphml = "broken.graphml"',
        ),
        'roads.graphml = "broken.graphml": unreadable GraphML',
    ),
    "graphml_without_file": (
        sub('links = "gongpei:suichang/roads.csv"', 'network = "graphml"'),
        "roads.graphml: network 'graphml' needs a graphml file",
    ),
    "missing_data_file": (
        sub('towns = "gongpei:suichang/towns.csv"', 'towns = "nope/towns.csv"'),
        'county.towns = "nope/towns.csv": no such file',
    ),
    "bad_toml_syntax": (sub("seed = 7", "seed = = 7"), "not valid TOML"),
    "bad_clock": (
        sub('start = "05:00"', 'start = "5 o\'clock"'),
        "brands.waves[0].start = \"5 o'clock\": must be a clock time 'HH:MM'",
    ),
    "clock_minutes_over_59": (
        sub('cutoff = "08:30"', 'cutoff = "08:75"'),
        'brands.waves[0].cutoff = "08:75": must be a clock time',
    ),
    "wave_shares_not_one": (
        sub("share = 0.3", "share = 0.5"),
        "brands.waves.share = 1.2: wave shares must add up to 1",
    ),
    "wave_end_before_start": (
        sub('end = "06:00"', 'end = "04:00"'),
        'brands.waves[0].end = "04:00": is before start',
    ),
    "shift_end_before_start": (
        sub(
            "capacity_litres = 4000",
            'capacity_litres = 4000\nshift_start = "09:00"\nshift_end = "08:00"',
        ),
        'fleet.vans[0].shift_end = "08:00": is not after shift_start',
    ),
    "duplicate_van_name": (
        good
        + '\n[[fleet.vans]]\nname = "van"\ncount = 2\ncapacity_parcels = 300\ncapacity_litres = 4000\n',
        'fleet.vans[1].name = "van": van type names must be unique',
    ),
    "unknown_assignment": (
        sub("chute_capacity = 40", 'chute_capacity = 40\nassignment = "alphabetical"'),
        'sorter.assignment = "alphabetical": unknown policy',
    ),
    "unknown_backend": (
        sub('backend = "ortools"', 'backend = "gurobi"'),
        "routing.backend = \"gurobi\": must be 'ortools', 'pyvrp' or 'auto'",
    ),
    "negative_time_limit": (
        sub("time_limit_s = 2.0", "time_limit_s = -1.0"),
        "routing.time_limit_s = -1.0: must be > 0",
    ),
    "no_read_prob_too_high": (
        sub("chute_capacity = 40", "chute_capacity = 40\nno_read_prob = 0.9"),
        "sorter.no_read_prob = 0.9: must be <= 0.5",
    ),
    "negative_brand_share": (
        sub("ZTO = 0.4", "ZTO = -0.1"),
        "brands.shares.ZTO = -0.1: must be > 0",
    ),
    "empty_brand_shares": (
        sub("shares = { ZTO = 0.4, YTO = 0.3, ChinaPost = 0.3 }", "shares = {}"),
        "brands.shares = {table}: Dictionary should have at least 1 item",
    ),
    "unknown_event_kind": (
        good + '\n[[events]]\nkind = "earthquake"\n',
        "events[0] = {table}: unknown event kind",
    ),
    "station_out_of_range": (
        good
        + '\n[[events]]\nkind = "station_unstaffed"\nstation = 7\nstart = "05:00"\nend = "06:00"\n',
        "events[0].station = 7: the line has 3 induction stations",
    ),
    "chute_jam_end_before_start": (
        good
        + '\n[[events]]\nkind = "chute_jam"\nvillage = "331123001217"\nstart = "06:00"\nend = "05:00"\n',
        'events[0].end = "05:00": is not after start',
    ),
    "unknown_transfer_town": (
        sub('transfer_stations = ["331123105", "331123107"]', 'transfer_stations = ["331123999"]'),
        'county.transfer_stations[0] = "331123999": unknown township code',
    ),
    "unknown_promise_town": (
        sub(
            "time_limit_s = 2.0\n",
            'time_limit_s = 2.0\npromised_by_towns = { "331123999" = "12:00" }\n',
        ),
        'routing.promised_by_towns."331123999": unknown township code',
    ),
    "unknown_van_depot": (
        sub("capacity_litres = 4000", 'capacity_litres = 4000\ndepot = "331123106"'),
        'fleet.vans[0].depot = "331123106": not "hub" nor a township',
    ),
    "village_min_above_max": (
        sub("urban_parcels = 3000", "urban_parcels = 3000\nvillage_min = 50\nvillage_max = 20"),
        "demand.village_min = 50: is above village_max",
    ),
    "bad_scenario_name": (
        sub('name = "test-good"', 'name = "my day"'),
        'scenario.name = "my day": String should match pattern',
    ),
    "induction_positions_count": (
        sub(
            "chute_capacity = 40",
            "chute_capacity = 40\n\n[sorter.induction]\nstations = 2\npositions_m = [0.0]",
        ),
        "sorter.induction.positions_m = [0.0]: 2 stations need as many positions",
    ),
    "harvest_multiplier_zero": (
        good
        + '\n[[events]]\nkind = "harvest_peak"\nvillages = ["331123001218"]\npickup_multiplier = 0\n',
        "events[0].pickup_multiplier = 0: must be > 0",
    ),
    # --- issue 13: faults that `run` found and `validate` let through, or misnamed ---------
    "closed_unknown_node": (
        sub(
            'links = "gongpei:suichang/roads.csv"',
            'links = "gongpei:suichang/roads.csv"\nclosed = [["331123001", "331123999"]]',
        ),
        'roads.closed[0] = ["331123001", "331123999"]: \'331123999\' is not a road-graph node',
    ),
    "closed_no_road": (
        sub(
            'links = "gongpei:suichang/roads.csv"',
            'links = "gongpei:suichang/roads.csv"\nclosed = [["331123001", "331123209"]]',
        ),
        'roads.closed[0] = ["331123001", "331123209"]: no road between these nodes',
    ),
    "infinite_brand_share": (
        sub("ZTO = 0.4", "ZTO = inf"),
        "brands.shares.ZTO = inf: must be finite",
    ),
    "nan_pitch": (
        sub("chute_capacity = 40", "chute_capacity = 40\npitch_m = nan"),
        "sorter.pitch_m = nan: must be finite",
    ),
    "harvest_village_twice": (
        good
        + '\n[[events]]\nkind = "harvest_peak"\nvillages = ['
        + ", ".join(['"331123001218"'] * 20)
        + "]\npickup_multiplier = 4.0\n",
        'events[0].villages[1] = "331123001218": listed twice (also villages[0])',
    ),
    "harvest_village_in_two_peaks": (
        good
        + '\n[[events]]\nkind = "harvest_peak"\nvillages = ["331123001218"]\npickup_multiplier = 4.0\n'
        + '\n[[events]]\nkind = "harvest_peak"\nvillages = ["331123001218"]\npickup_multiplier = 4.0\n',
        'events[1].villages[0] = "331123001218": already in a harvest peak (events[0].villages[0])',
    ),
    "two_festivals": (
        good
        + '\n[[events]]\nkind = "festival"\nvolume_multiplier = 1.5\n'
        + '\n[[events]]\nkind = "festival"\nvolume_multiplier = 1.5\n',
        "events[1]: a second festival (also events[0])",
    ),
    "too_few_carriers": (
        sub("chute_capacity = 40", "chute_capacity = 40\ncarriers = 10"),
        "sorter.carriers = 10: a loop of 6.7 m is shorter than the 152.09 m",
    ),
    "too_many_chutes": (
        sub("chute_capacity = 40", "chute_capacity = 40\nchutes = 100000"),
        "sorter.chutes = 100000: 100000 chutes need a loop of 60024 m, longer than "
        "sorter.carriers = 600",
    ),
    "village_unknown_town": (
        sub('villages = "gongpei:suichang/villages.csv"', 'villages = "villages_unknown_town.csv"'),
        'county.villages = "villages_unknown_town.csv": row 216 (331123999001): '
        "town_code = '331123999': unknown township code",
    ),
    "graphml_no_length": (
        sub(
            'links = "gongpei:suichang/roads.csv"',
            'network = "graphml"\ngraphml = "no_length.graphml"',
        ),
        "roads.graphml = \"no_length.graphml\": edge 1–2: missing attribute 'length' (metres)",
    ),
    "graphml_negative_length": (
        sub(
            'links = "gongpei:suichang/roads.csv"',
            'network = "graphml"\ngraphml = "negative_length.graphml"',
        ),
        'roads.graphml = "negative_length.graphml": edge 1–2: length = -100.0: must be >= 0',
    ),
    "graphml_no_xy": (
        sub(
            'links = "gongpei:suichang/roads.csv"', 'network = "graphml"\ngraphml = "no_xy.graphml"'
        ),
        "roads.graphml = \"no_xy.graphml\": node 2: missing attribute 'x' or 'y' (lon, lat)",
    ),
    "links_no_detour": (
        sub('links = "gongpei:suichang/roads.csv"', 'links = "links_no_detour.csv"'),
        'roads.links = "links_no_detour.csv": missing column(s) detour',
    ),
    "links_motorway": (
        sub('links = "gongpei:suichang/roads.csv"', 'links = "links_motorway.csv"'),
        'roads.links = "links_motorway.csv": row 2: road link 331123001–331123001217: '
        "road_class = 'motorway': must be one of expressway, trunk, county, village",
    ),
    "links_negative_detour": (
        sub('links = "gongpei:suichang/roads.csv"', 'links = "links_negative_detour.csv"'),
        'roads.links = "links_negative_detour.csv": row 2: road link 331123001–331123001217: '
        "detour = -1.25: must be within 1.0–4.0",
    ),
    "links_unknown_node": (
        sub('links = "gongpei:suichang/roads.csv"', 'links = "links_unknown_node.csv"'),
        'roads.links = "links_unknown_node.csv": road link 331123001–331123999: '
        "'331123999' is not a seat or village",
    ),
    "links_disconnected_seat": (
        sub('links = "gongpei:suichang/roads.csv"', 'links = "links_disconnected_seat.csv"'),
        'roads.links = "links_disconnected_seat.csv": the road links leave seats disconnected '
        "from the rest: ['331123209']",
    ),
    "depot_station_while_off": (
        sub("capacity_litres = 4000", 'capacity_litres = 4000\ndepot = "331123105"'),
        'fleet.vans[0].depot = "331123105": a transfer station, but '
        "county.use_transfer_stations = false",
    ),
    "horizon_after_midnight": (
        sub("chute_capacity = 40", 'chute_capacity = 40\nhorizon = "25:00"'),
        'sorter.horizon = "25:00": must be at most 24:00',
    ),
    "horizon_in_seconds": (
        sub("chute_capacity = 40", "chute_capacity = 40\nhorizon = 2000"),
        'sorter.horizon = "00:33": the line stops before any wave\'s trucks arrive',
    ),
    "cutoff_after_horizon": (
        sub('cutoff = "15:30"', 'cutoff = "21:00"'),
        'brands.waves[1].cutoff = "21:00": is after the sorter horizon 20:00',
    ),
    "county_code_of_another_county": (
        sub('code = "331123"', 'code = "330824"'),
        'county.code = "330824": the townships in gongpei:suichang/towns.csv belong to another '
        "county",
    ),
    "closed_twice": (
        sub(
            'links = "gongpei:suichang/roads.csv"',
            'links = "gongpei:suichang/roads.csv"\n'
            'closed = [["331123001", "331123102"], ["331123102", "331123001"]]',
        ),
        'roads.closed[1] = ["331123102", "331123001"]: closed twice (also closed[0])',
    ),
    "transfer_station_twice": (
        sub(
            'transfer_stations = ["331123105", "331123107"]',
            'transfer_stations = ["331123105", "331123105"]',
        ),
        'county.transfer_stations[1] = "331123105": listed twice (also [0])',
    ),
    "shipped_path_escapes": (
        sub('towns = "gongpei:suichang/towns.csv"', 'towns = "gongpei:../../../../etc/passwd"'),
        'county.towns = "gongpei:../../../../etc/passwd": gongpei:NAME names a file shipped '
        "with gongpei",
    ),
    "fault_on_linear_line": (
        sub("chute_capacity = 40", 'chute_capacity = 40\nkind = "linear"')
        + '\n[[events]]\nkind = "scanner_outage"\nstart = "05:00"\nend = "06:00"\n',
        'events[0].kind = "scanner_outage": modelled on a loop only, not with sorter.kind = '
        '"linear"',
    ),
    "unknown_sorter_kind": (
        sub("chute_capacity = 40", 'chute_capacity = 40\nkind = "spiral"'),
        "sorter.kind = \"spiral\": must be 'loop', 'linear' or 'manual'",
    ),
    "linear_speed_zero": (
        sub("chute_capacity = 40", "chute_capacity = 40\n\n[sorter.linear]\nspeed_mps = 0"),
        "sorter.linear.speed_mps = 0: must be > 0",
    ),
    "economics_unknown_staffing": (
        good + '\n[economics]\nstaffing = "always"\n',
        "economics.staffing = \"always\": must be 'span' or 'waves'",
    ),
    "loaders_below_docks": (
        good + "\n[loading]\ndocks = 4\nloaders = 3\n",
        "loading.loaders = 3: need at least one per dock (docks = 4)",
    ),
    "station_loaders_below_docks": (
        good + "\n[loading]\nstation_docks = 3\nstation_loaders = 2\n",
        "loading.station_loaders = 2: need at least one per dock (station_docks = 3)",
    ),
    "unknown_bagging": (
        sub("chute_capacity = 40", 'chute_capacity = 40\nbagging = "by_clock"'),
        "sorter.bagging = \"by_clock\": must be 'when_full', 'wave_end' or 'by_departure'",
    ),
    "week_days_out_of_order": (
        good + '\n[week]\ndays = ["tue", "mon"]\n',
        'week.days = ["tue", "mon"]: days must be unique and in week order',
    ),
    "week_volume_unplanned_day": (
        good + '\n[week]\ndays = ["mon", "tue"]\nvolume = { wed = 1.2 }\n',
        "week.volume.wed = 1.2: wed is not one of week.days",
    ),
    "week_rule_pattern_and_frequencies": (
        good + '\n[[week.villages]]\ntowns = ["331123108"]\nfrequencies = [3]\npattern = ["mon"]\n',
        'week.villages[0].pattern = ["mon"]: give exactly one of frequencies and pattern',
    ),
    "week_produce_unknown_village": (
        good + '\n[[week.produce]]\nvillages = ["331123999999"]\ndays = ["tue"]\n',
        'week.produce[0].villages[0] = "331123999999": unknown village code',
    ),
}
bad = root / "bad"
for name, (text, expect) in cases.items():
    (bad / f"{name}.toml").write_text(f"# expect: {expect}\n" + text, encoding="utf-8")
# Non-UTF-8 text: the good file in GBK (its Chinese county name is not valid UTF-8 there).
(bad / "non_utf8.toml").write_bytes(("# expect: not UTF-8 text\n" + good).encode("gbk"))
# Data files the issue-13 cases name (each damaged in one way).
shipped = root.parents[1] / "gongpei" / "county" / "data" / "suichang"
villages = (shipped / "villages.csv").read_text("utf-8")
(bad / "villages_unknown_town.csv").write_text(
    villages.rstrip("\n") + "\n331123999001,某村,331123999,某镇,村\n", encoding="utf-8"
)
links = (shipped / "roads.csv").read_text("utf-8")
(bad / "links_no_detour.csv").write_text(
    "\n".join(
        ",".join(f for k, f in enumerate(row.split(",")) if k != 3) for row in links.splitlines()
    )
    + "\n",
    encoding="utf-8",
)
(bad / "links_motorway.csv").write_text(
    links.replace(",county,1.25,", ",motorway,1.25,", 1), encoding="utf-8"
)
(bad / "links_negative_detour.csv").write_text(
    links.replace(",county,1.25,", ",county,-1.25,", 1), encoding="utf-8"
)
(bad / "links_unknown_node.csv").write_text(
    links + "331123001,331123999,county,1.3,a seat that does not exist\n", encoding="utf-8"
)
(bad / "links_disconnected_seat.csv").write_text(
    "\n".join(r for r in links.splitlines() if "331123209" not in r.split(",")[:2]) + "\n",
    encoding="utf-8",
)
graphml = """<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="x" for="node" attr.name="x" attr.type="double"/>
<key id="y" for="node" attr.name="y" attr.type="double"/>
<key id="len" for="edge" attr.name="length" attr.type="double"/>
<graph edgedefault="undirected">
<node id="1"><data key="x">119.27</data><data key="y">28.59</data></node>
<node id="2">NODE2</node>
<edge source="1" target="2">LENGTH</edge>
</graph>
</graphml>
"""
xy = '<data key="x">119.30</data><data key="y">28.60</data>'
length = '<data key="len">1000</data>'
for name, node2, edge in (
    ("no_length", xy, ""),
    ("negative_length", xy, '<data key="len">-100</data>'),
    ("no_xy", '<data key="y">28.60</data>', length),
):
    (bad / f"{name}.graphml").write_text(
        graphml.replace("NODE2", node2).replace("LENGTH", edge), encoding="utf-8"
    )
(bad / "broken.graphml").write_text("<?xml version='1.0'?><graphml><graph><node id='a'/><edge")
print(len(cases) + 1, "bad files")
