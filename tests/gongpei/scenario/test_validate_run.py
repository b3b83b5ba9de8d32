"""Issue 13, the input half: ``gongpei validate`` and ``gongpei run`` reject the same inputs
with the same one line and exit status 2, and the inputs that used to slip through (or crash
mid-run, or blame the wrong field) are rejected with file, field and value.

Every bad file of ``tests/data/bad`` runs through both real commands; the rest are cases
with arguments (sweep grids, province county lists) or with a measurable effect (a road
closure changes the roads).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gongpei.cli import main
from gongpei.scenario.loading import load_scenario
from gongpei.scenario.messages import MAX_LINES, ScenarioError

DATA = Path(__file__).parents[2] / "data"
BAD = sorted((DATA / "bad").glob("*.toml"))
GOOD = (DATA / "good.toml").read_text("utf-8")


def expected_line(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return first.removeprefix("# expect: ")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def run_args(scenario: Path | str, out: Path) -> list[str]:
    # A tiny routing budget: a run that gets past the checks finishes in a few seconds.
    return ["run", str(scenario), "--quiet", "--time-limit", "0.1", "--out", str(out)]


def assert_one_line_exit_2(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_validate_and_run_reject_every_bad_file_alike(path: Path, tmp_path: Path) -> None:
    checked = assert_one_line_exit_2(invoke("validate", str(path)))
    ran = assert_one_line_exit_2(invoke(*run_args(path, tmp_path / "out")))
    assert checked == ran
    assert checked.startswith(f"{path}: "), checked
    assert expected_line(path) in checked, checked
    assert not (tmp_path / "out").exists()  # rejected before anything was computed


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    f = tmp_path / name
    f.write_text(text, "utf-8")
    return f


# --- road closures ----------------------------------------------------------------------------
def test_a_closed_corridor_changes_the_roads(tmp_path: Path) -> None:
    """Corridors run through junctions, so closing seat A–seat B must close the chain of
    junction edges (as ``replan --closure`` does), not look for a direct edge."""
    from gongpei.county.build import build_county

    closed = GOOD.replace(
        'links = "gongpei:suichang/roads.csv"',
        'links = "gongpei:suichang/roads.csv"\nclosed = [["331123001", "331123102"]]',
    )
    open_county = build_county(load_scenario(DATA / "good.toml"))
    closed_county = build_county(load_scenario(write(tmp_path, closed)))
    a, b = "331123001", "331123102"
    assert not open_county.graph.has_edge(a, b)  # a corridor: junctions in between
    removed = open_county.graph.number_of_edges() - closed_county.graph.number_of_edges()
    assert removed >= 2
    import networkx as nx

    before = nx.shortest_path_length(open_county.graph, a, b, weight="length_m")
    after = (
        nx.shortest_path_length(closed_county.graph, a, b, weight="length_m")
        if nx.has_path(closed_county.graph, a, b)
        else float("inf")
    )
    assert after > before
    # The open county's graph is untouched (it is cached and shared).
    assert (
        open_county.graph.number_of_edges()
        == build_county(load_scenario(DATA / "good.toml")).graph.number_of_edges()
    )


def test_close_roads_matches_replans_closure() -> None:
    from gongpei.county.build import build_county
    from gongpei.studies.replan import closed_graph
    from routing.closures import close_roads

    graph = build_county(load_scenario(DATA / "good.toml")).graph
    pair = [("331123001", "331123102")]
    mine, removed = close_roads(graph, pair)
    theirs, removed_too = closed_graph(graph, pair)
    assert sorted(removed) == sorted(removed_too)
    assert set(mine.edges) == set(theirs.edges)


def test_a_road_closure_changes_the_run(tmp_path: Path) -> None:
    closed = GOOD.replace(
        'links = "gongpei:suichang/roads.csv"',
        'links = "gongpei:suichang/roads.csv"\nclosed = [["331123001", "331123102"]]',
    )
    base = invoke(*run_args(DATA / "good.toml", tmp_path / "a"))
    shut = invoke(*run_args(write(tmp_path, closed), tmp_path / "b"))
    assert base.exit_code == 0 and shut.exit_code == 0, (base.output, shut.output)
    assert base.stdout.splitlines()[1] != shut.stdout.splitlines()[1]  # the rounds line


# --- long output, BOM -------------------------------------------------------------------------
def test_many_faults_are_capped_with_a_count(tmp_path: Path) -> None:
    values = ", ".join(["100000.0"] * 3)  # three stations, each beyond the 402 m loop …
    text = GOOD.replace(
        "chute_capacity = 40",
        "chute_capacity = 40\n\n[sorter.induction]\npositions_m = [" + values + "]",
    )
    # … and 40 more faults of the same kind, one per harvest event
    for _ in range(40):
        text += '\n[[events]]\nkind = "harvest_peak"\nvillages = ["1"]\npickup_multiplier = 4.0\n'
    f = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    lines = info.value.lines
    assert len(lines) == MAX_LINES
    assert lines[-1].startswith("... and ") and "more faults not shown" in lines[-1]
    total = int(lines[-1].split()[2]) + MAX_LINES - 1
    assert total == 40
    result = invoke("validate", str(f))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == MAX_LINES


def test_100000_positions_give_a_short_answer(tmp_path: Path) -> None:
    values = ", ".join(["1000.0"] * 100_000)
    text = GOOD.replace(
        "chute_capacity = 40",
        "chute_capacity = 40\n\n[sorter.induction]\nstations = 100\npositions_m = [" + values + "]",
    )
    result = invoke("validate", str(write(tmp_path, text)))
    assert result.exit_code == 2
    assert len(result.stderr) < 20_000
    assert len(result.stderr.splitlines()) <= MAX_LINES


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    f = tmp_path / "bom.toml"
    f.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    result = invoke("validate", str(f))
    assert result.exit_code == 0, result.output
    assert load_scenario(f).model == load_scenario(DATA / "good.toml").model


def test_extends_cannot_leave_the_shipped_folder(tmp_path: Path) -> None:
    f = write(tmp_path, '[scenario]\nname = "x"\nextends = "gongpei:../../../etc/passwd"\n')
    line = assert_one_line_exit_2(invoke("validate", str(f)))
    assert 'scenario.extends = "gongpei:../../../etc/passwd": gongpei:NAME names' in line


# --- sweep and province arguments -------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ["--grid", "sorter.chute_capacity=[30,30]"],
            "--grid sorter.chute_capacity=[30,30]: 30 repeated",
        ),
        (
            ["--grid", "sorter.chute_capacity=[30,45,30.0]"],
            "30.0 repeated",
        ),
        (
            ["--grid", "sorter.chute_capacity=[30,45]", "--set", "brands.shares.ZTO=Infinity"],
            "--set brands.shares.ZTO=Infinity: Infinity: must be finite",
        ),
        (["--grid", "sorter.chute_capacity=[30,NaN]"], "NaN: must be finite"),
    ],
)
def test_sweep_rejects_repeats_and_infinities(args: list[str], needle: str, tmp_path: Path) -> None:
    result = invoke("sweep", str(DATA / "good.toml"), *args, "-r", "1", "--out", str(tmp_path))
    line = assert_one_line_exit_2(result)
    assert needle in line, line


def test_sweep_set_value_that_is_infinite_in_a_table(tmp_path: Path) -> None:
    result = invoke(
        "sweep",
        str(DATA / "good.toml"),
        "--grid",
        "sorter.chute_capacity=[30,45]",
        "--set",
        'brands.shares={"ZTO": 1e999}',
        "-r",
        "1",
        "--out",
        str(tmp_path),
    )
    # 1e999 is valid JSON that reads as inf: the schema names the field.
    line = assert_one_line_exit_2(result)
    assert "brands.shares.ZTO = inf: must be finite" in line, line


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("", "--counties '': names no county"),
        (" , ", "--counties ' , ': names no county"),
        ("331123,331123", "331123 given twice"),
    ],
)
def test_province_rejects_an_empty_county_list(value: str, needle: str, tmp_path: Path) -> None:
    result = invoke("province", "--counties", value, "--out", str(tmp_path / "p"), "--quiet")
    line = assert_one_line_exit_2(result)
    assert needle in line, line
    assert not (tmp_path / "p").exists()
