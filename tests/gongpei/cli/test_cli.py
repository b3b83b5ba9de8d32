"""The command line: bad input gives one line per fault and exit status 2 for every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gongpei.cli import main

DATA = Path(__file__).parents[2] / "data"
BAD = DATA / "bad"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_validate_default(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_schema_is_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["title"] == "gongpei scenario"
    assert "sorter" in doc["properties"]


@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(BAD / "negative_capacity.toml")],
        ["run", str(BAD / "negative_capacity.toml"), "--quiet"],
        ["validate", str(BAD / "non_utf8.toml")],
        ["run", str(BAD / "unknown_key.toml"), "--quiet"],
        ["validate", "no/such/file.toml"],
        ["sweep", str(BAD / "negative_capacity.toml"), "--grid", "sorter.chute_capacity=[30]"],
        ["sweep", str(DATA / "good.toml"), "--grid", "sorter.chute_capacity=[-3]"],
        ["sweep", str(DATA / "good.toml"), "--grid", "sorter.no_such_field=[1]"],
        ["replan", str(BAD / "unknown_key.toml"), "--plan", str(DATA / "good.toml")],
        ["compare", str(BAD / "zero_capacity.toml")],
        ["compare", str(DATA / "bad")],
        ["new-scenario", "--county", "nowhere"],
        ["province", "--counties", "nowhere"],
    ],
    ids=lambda a: "-".join(Path(x).stem for x in a[:2]),
)
def test_bad_input_exits_2_with_one_line(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_loop_too_short_for_its_chutes_is_an_input_error(runner: CliRunner, tmp_path: Path) -> None:
    text = (
        (DATA / "good.toml")
        .read_text("utf-8")
        .replace("chute_capacity = 40", "chute_capacity = 40\ncarriers = 50")
    )
    f = tmp_path / "short.toml"
    f.write_text(text, "utf-8")
    result = runner.invoke(main, ["run", str(f), "--quiet", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "sorter.carriers = 50: a loop of 33.5 m is shorter than" in result.output
