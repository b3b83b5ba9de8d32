"""Must-be 2 of issue 13: for any mutation of a scenario — wrong types, values out of range,
infinities, duplicates, unknown codes, damaged data files — ``gongpei validate`` and
``gongpei run`` agree: both accept, or both reject with the same lines and exit status 2;
neither ever ends in a traceback.

Both are the real commands (click's runner on ``gongpei.cli.main``); ``run`` gets a tiny
routing budget and writes no plots, so an accepted mutant costs a few seconds. The examples
are derandomized (the same ones in every run, so CI is reproducible); set
``GONGPEI_FUZZ_EXAMPLES`` to hunt with more, random ones.
"""

from __future__ import annotations

import copy
import os
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from gongpei.cli import main
from gongpei.scenario.paths import builtin_path

DATA = Path(__file__).parents[2] / "data"
BASE = tomllib.loads((DATA / "good.toml").read_text("utf-8"))
BASE["output"].update(plots=False, html=False, parcels_csv=False)
BASE["county"]["use_transfer_stations"] = False

EXAMPLES = int(os.environ.get("GONGPEI_FUZZ_EXAMPLES", "0"))

#: (table path, key) of values worth mutating, with the kind of value each holds.
NUMBERS = [
    (("scenario",), "seed"),
    (("county",), "placement_seed"),
    (("county",), "min_separation_m"),
    (("demand",), "village_parcels"),
    (("demand",), "urban_parcels"),
    (("demand",), "village_cv"),
    (("demand",), "pickup_share"),
    (("demand",), "village_max"),
    (("brands", "shares"), "ZTO"),
    (("brands", "waves", 0), "share"),
    (("sorter",), "chute_capacity"),
    (("sorter",), "carriers"),
    (("sorter",), "pitch_m"),
    (("sorter",), "speed_mps"),
    (("sorter",), "chutes"),
    (("sorter",), "bag_time_s"),
    (("sorter",), "no_read_prob"),
    (("sorter",), "horizon"),
    (("fleet", "vans", 0), "count"),
    (("fleet", "vans", 0), "capacity_parcels"),
    (("fleet", "vans", 0), "capacity_litres"),
    (("fleet", "vans", 0), "cost_per_km"),
    (("fleet", "vans", 0), "max_duration_h"),
    (("routing",), "time_limit_s"),
    (("routing",), "service_fixed_s"),
    (("roads",), "village_detour"),
]
#: Float fields (inf and nan are valid TOML floats: each must be rejected, never crash a run).
FLOATS = [
    (("brands", "shares"), "ZTO"),
    (("brands", "shares"), "ChinaPost"),
    (("brands", "waves", 1), "share"),
    (("brands",), "stagger_min"),
    (("demand",), "seat_multiplier"),
    (("demand",), "litres_per_parcel"),
    (("demand",), "village_cv"),
    (("sorter",), "pitch_m"),
    (("sorter",), "fill_threshold"),
    (("sorter",), "oversize_share"),
    (("sorter",), "keying_delay_s"),
    (("fleet", "vans", 0), "fixed_cost"),
    (("fleet", "vans", 0), "cost_per_h"),
    (("fleet", "trunk"), "speed_factor"),
    (("roads", "speeds_kmh"), "village"),
    (("routing",), "service_per_parcel_s"),
    (("routing",), "baseline_time_limit_s"),
]
CODES = [
    (("county",), "hub_village", 12),
    (("county", "transfer_stations"), 0, 9),
]
CLOCKS = [
    (("brands", "waves", 0), "start"),
    (("brands", "waves", 0), "end"),
    (("brands", "waves", 0), "cutoff"),
    (("brands", "waves", 1), "cutoff"),
    (("sorter",), "horizon"),
    (("fleet", "vans", 0), "shift_end"),
    (("routing",), "promised_by"),
]

ODD_NUMBERS = st.one_of(
    st.sampled_from(
        [0, -1, 1, 2, 10, 100_000, 10**12, 0.5, 1e-9, 1e300, float("inf"), float("-inf")]
    ),
    st.just(float("nan")),
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False),
)
ODD_TYPES = st.sampled_from(["", "abc", "30", True, [], [1], {"x": 1}])
ODD_CLOCKS = st.sampled_from(
    ["00:00", "04:00", "07:00", "21:00", "23:59", "24:00", "25:00", "47:59", "9:5", "ab:cd", 2000]
)


def _node(raw: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = raw
    for part in path:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    return node


def _damage_csv(draw: st.DrawFn, text: str) -> str:
    rows = text.splitlines()
    how = draw(st.sampled_from(["drop_column", "bad_cell", "duplicate_row", "drop_rows", "empty"]))
    if how == "empty":
        return rows[0] + "\n"
    if how == "drop_rows":
        keep = draw(st.integers(1, max(1, len(rows) - 1)))
        return "\n".join(rows[:keep]) + "\n"
    if how == "duplicate_row":
        k = draw(st.integers(1, len(rows) - 1))
        return "\n".join([*rows, rows[k]]) + "\n"
    header = rows[0].split(",")
    col = draw(st.integers(0, len(header) - 1))
    if how == "drop_column":
        return (
            "\n".join(",".join(f for j, f in enumerate(r.split(",")) if j != col) for r in rows)
            + "\n"
        )
    k = draw(st.integers(1, len(rows) - 1))
    cells = rows[k].split(",")
    if col < len(cells):
        cells[col] = draw(st.sampled_from(["", "x", "-1", "999999999999", "nan", "1e9", "村"]))
    rows[k] = ",".join(cells)
    return "\n".join(rows) + "\n"


@st.composite
def mutant(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str]]:
    """A scenario table with 1–2 faults (or none), and the data files it names."""
    raw = copy.deepcopy(BASE)
    files: dict[str, str] = {}
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(
            st.sampled_from(
                [
                    "number",
                    "type",
                    "infinite",
                    "clock",
                    "duplicate",
                    "code",
                    "event",
                    "closure",
                    "file",
                ]
            )
        )
        if kind in ("number", "type"):
            path, key = draw(st.sampled_from(NUMBERS))
            _node(raw, path)[key] = draw(ODD_NUMBERS if kind == "number" else ODD_TYPES)
        elif kind == "infinite":
            path, key = draw(st.sampled_from(FLOATS))
            _node(raw, path)[key] = draw(
                st.sampled_from([float("inf"), float("-inf"), float("nan")])
            )
        elif kind == "clock":
            path, key = draw(st.sampled_from(CLOCKS))
            _node(raw, path)[key] = draw(ODD_CLOCKS)
        elif kind == "code":
            path, key, digits = draw(st.sampled_from(CODES))
            _node(raw, path)[key] = draw(
                st.sampled_from(["331123" + "9" * (digits - 6), "1" * digits, "abc", ""])
            )
        elif kind == "duplicate":
            what = draw(st.sampled_from(["van", "wave", "station", "harvest", "chute_map"]))
            if what == "van":
                raw["fleet"]["vans"].append(copy.deepcopy(raw["fleet"]["vans"][0]))
            elif what == "wave":
                raw["brands"]["waves"].append(copy.deepcopy(raw["brands"]["waves"][0]))
            elif what == "station":
                raw["county"]["transfer_stations"].append(raw["county"]["transfer_stations"][0])
            elif what == "harvest":
                n = draw(st.integers(2, 30))
                raw.setdefault("events", []).append(
                    {
                        "kind": "harvest_peak",
                        "villages": ["331123001218"] * n,
                        "pickup_multiplier": 4.0,
                    }
                )
            else:
                entry = {"village": "331123001218", "chute": draw(st.integers(0, 300))}
                raw["sorter"]["chute_map"] = [entry, dict(entry)]
        elif kind == "event":
            raw.setdefault("events", []).append(
                draw(
                    st.sampled_from(
                        [
                            {"kind": "festival", "volume_multiplier": 1.5},
                            {"kind": "festival", "volume_multiplier": 25.0},
                            {
                                "kind": "chute_jam",
                                "village": "331123001218",
                                "start": "06:00",
                                "end": "07:00",
                            },
                            {
                                "kind": "chute_jam",
                                "village": "331123999999",
                                "start": "06:00",
                                "end": "07:00",
                            },
                            {
                                "kind": "station_unstaffed",
                                "station": 5,
                                "start": "05:00",
                                "end": "06:00",
                            },
                            {"kind": "scanner_outage", "start": "05:30", "end": "05:40"},
                            {"kind": "line_stoppage", "mtbf_h": float("inf"), "mttr_min": 5.0},
                            {"kind": "earthquake"},
                        ]
                    )
                )
            )
        elif kind == "closure":
            raw["roads"]["closed"] = [
                draw(
                    st.sampled_from(
                        [
                            ["331123001", "331123102"],
                            ["331123001", "331123999"],
                            ["331123001", "331123209"],
                            ["331123001", "331123001217"],
                            ["x", "y"],
                        ]
                    )
                )
            ]
        else:
            field = draw(st.sampled_from(["villages", "towns", "links"]))
            source = {"villages": "villages.csv", "towns": "towns.csv", "links": "roads.csv"}
            text = builtin_path(f"suichang/{source[field]}").read_text("utf-8")
            name = f"damaged_{field}.csv"
            files[name] = _damage_csv(draw, text)
            table = "roads" if field == "links" else "county"
            raw[table][field] = name
    return raw, files


def _changed(**paths: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """BASE with ``table__key=value`` set (the issue's own reproductions, always run)."""
    raw = copy.deepcopy(BASE)
    for dotted, value in paths.items():
        *path, key = dotted.split("__")
        _node(raw, tuple(int(p) if p.isdigit() else p for p in path))[key] = value
    return raw, {}


ISSUE_CASES = [
    _changed(brands__shares__ZTO=float("inf")),
    _changed(sorter__pitch_m=float("nan")),
    _changed(
        events=[
            {"kind": "harvest_peak", "villages": ["331123001218"] * 20, "pickup_multiplier": 4.0}
        ]
    ),
    _changed(roads__closed=[["331123001", "331123102"]]),
    _changed(roads__closed=[["331123001", "331123999"]]),
    _changed(sorter__carriers=10),
    _changed(sorter__chutes=100_000),
    _changed(sorter__horizon="25:00"),
    _changed(sorter__horizon=2000),
    _changed(county__code="330824"),
    _changed(county__towns="gongpei:../../../../etc/passwd"),
    _changed(fleet__vans__0__depot="331123105"),
]


def _invoke(args: list[str]) -> Result:
    return CliRunner().invoke(main, args)


def _no_traceback(result: Result, what: str) -> None:
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (
        f"{what} crashed: {type(exc).__name__}: {exc}"
    )
    assert "Traceback" not in result.output, result.output


def _examples(test: Any) -> Any:
    for case in ISSUE_CASES:
        test = example(case=case)(test)
    return test


@settings(
    max_examples=EXAMPLES or 30,
    derandomize=not EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=mutant())
@_examples
def test_validate_and_run_agree_on_every_mutant(
    case: tuple[dict[str, Any], dict[str, str]], tmp_path_factory: Any
) -> None:
    raw, files = case
    folder = tmp_path_factory.mktemp("mutant")
    for name, text in files.items():
        (folder / name).write_text(text, "utf-8")
    f = folder / "mutant.toml"
    f.write_text(tomli_w.dumps(raw), "utf-8")

    checked = _invoke(["validate", str(f)])
    _no_traceback(checked, "validate")
    out = folder / "out"
    ran = _invoke(["run", str(f), "--quiet", "--time-limit", "0.1", "--out", str(out)])
    _no_traceback(ran, "run")

    assert checked.exit_code in (0, 2), checked.output
    event("accepted" if checked.exit_code == 0 else "rejected")
    assert (checked.exit_code, ran.exit_code) in ((0, 0), (2, 2)), (
        f"validate exit {checked.exit_code}: {checked.stderr.strip()[:300]} | "
        f"run exit {ran.exit_code}: {ran.stderr.strip()[:300]}"
    )
    if checked.exit_code == 2:
        lines = checked.stderr.strip().splitlines()
        assert lines and lines == ran.stderr.strip().splitlines()
        for line in lines:
            assert line.startswith(f"{f}: ") or line.startswith("... and "), line
        assert not out.exists()
    else:
        assert (out / "summary.json").is_file()
