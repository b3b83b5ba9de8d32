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
        sub("capacity_parcels = 300", "capacity_parcels = 100"),
        "demand.village_max = 300: a village delivery of up to 300 parcels is larger than any van",
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
}
bad = root / "bad"
for name, (text, expect) in cases.items():
    (bad / f"{name}.toml").write_text(f"# expect: {expect}\n" + text, encoding="utf-8")
# Non-UTF-8 text: the good file in GBK (its Chinese county name is not valid UTF-8 there).
(bad / "non_utf8.toml").write_bytes(("# expect: not UTF-8 text\n" + good).encode("gbk"))
(bad / "broken.graphml").write_text("<?xml version='1.0'?><graphml><graph><node id='a'/><edge")
print(len(cases) + 1, "bad files")
