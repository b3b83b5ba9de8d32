"""Ctrl-C in every long command (issue 13): ``compare``, ``replan``, ``week``, ``frontier``,
``sweep`` and ``province`` behave as ``gongpei run`` does (tests/test_run_reliability.py).

First Ctrl-C: one line on the console, the command finishes quickly, exit 0, outputs written
and marked (interrupted, or partial for the studies: no new task started); second Ctrl-C:
exit 130 at once, no process left behind. Real processes and real signals, sent to the
command's process group as a terminal does; each command is given a search far longer than
the test waits (60 s budgets), so the signal always lands inside the work.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA = Path(__file__).parents[2] / "data"
FIRST = "Ctrl-C:"
SECOND = "second Ctrl-C: aborted"


def _scenario(tmp: Path, routing: str, base: Path = DATA / "good.toml") -> Path:
    path = tmp / "long.toml"
    path.write_text(
        f'[scenario]\nname = "ctrlc"\nextends = "{base}"\n\n[routing]\n{routing}\n'
        "[output]\nplots = false\nhtml = false\nparcels_csv = false\n",
        encoding="utf-8",
    )
    return path


LONG_DAY = 'backend = "pyvrp"\ntime_limit_s = 60.0\nbaselines = []\n'


Pressed = tuple[int, str, str, float, list[psutil.Process]]


def _press(args: list[str], *, presses: int = 1, cpu_s: float = 5.0) -> Pressed:
    """Start ``gongpei ARGS``, wait until it has done ``cpu_s`` of CPU work (past start-up,
    into the computing, whatever the machine's load), send ``presses`` SIGINTs to its group;
    → (exit status, stdout, stderr, seconds from the last press to the end, its children)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from gongpei.cli import main; main()", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    me = psutil.Process(proc.pid)
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the command ended before Ctrl-C: {proc.communicate()}")
            if time.monotonic() > deadline:
                pytest.fail("the command never got to work")
            try:
                procs = [me, *me.children(recursive=True)]
                cpu = sum(sum(p.cpu_times()[:2]) for p in procs)
            except psutil.Error:
                cpu = 0.0
            if cpu >= cpu_s:
                break
            time.sleep(0.1)
        children = me.children(recursive=True)
        for k in range(presses):
            if k:
                time.sleep(0.1)
            os.killpg(proc.pid, signal.SIGINT)
        t0 = time.monotonic()
        stdout, stderr = proc.communicate(timeout=90)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, stdout, stderr, took, children


def _gone(procs: list[psutil.Process]) -> bool:
    _, alive = psutil.wait_procs(procs, timeout=5)
    return not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def _first_ok(rc: int, stderr: str, took: float) -> None:
    assert rc == 0, stderr
    assert FIRST in stderr and "Ctrl-C again aborts at once" in stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    assert took < 30, f"went on for {took:.0f} s after Ctrl-C"


# ------------------------------------------------------------------------------ studies
def test_sweep_first_ctrl_c_writes_the_runs_done_marked_partial(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    scenario = _scenario(tmp_path, LONG_DAY)
    rc, stdout, stderr, took, _ = _press(
        ["sweep", str(scenario), "--what", "sort", "-r", "1500", "--out", str(out), "--quiet"],
        cpu_s=9.0,
    )
    _first_ok(rc, stderr, took)
    assert "no new runs are started" in stderr
    partial = json.loads((out / "partial.json").read_text("utf-8"))
    runs = json.loads((out / "runs.json").read_text("utf-8"))
    assert partial["partial"] is True and partial["runs_planned"] == 1500
    assert 0 < partial["runs_done"] == len(runs) < 1500
    assert [r["replication"] for r in runs] == list(range(len(runs)))  # the first ones, whole
    assert f"partial (Ctrl-C): {len(runs)} of 1500 runs done" in stdout


def test_sweep_on_dask_second_ctrl_c_aborts_and_leaves_no_worker(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    scenario = _scenario(tmp_path, LONG_DAY)
    rc, _, stderr, took, children = _press(
        ["sweep", str(scenario), "--what", "day", "-r", "4", "--workers", "2",
         "--out", str(out), "--quiet"],
        presses=2, cpu_s=12.0,
    )  # fmt: skip
    assert children, "the Dask workers were not running"
    assert rc == 130, stderr
    assert took < 5
    assert SECOND in stderr and "Traceback" not in stderr and "Exception ignored" not in stderr
    assert not (out / "runs.json").exists()
    assert _gone(children)


def test_sweep_on_dask_first_ctrl_c_stops_the_workers_too(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    scenario = _scenario(tmp_path, LONG_DAY)
    rc, stdout, stderr, took, children = _press(
        ["sweep", str(scenario), "--what", "day", "-r", "4", "--workers", "2",
         "--out", str(out), "--quiet"],
        cpu_s=12.0,
    )  # fmt: skip
    _first_ok(rc, stderr, took)
    partial = json.loads((out / "partial.json").read_text("utf-8"))
    assert partial["runs_planned"] == 4 and partial["runs_done"] < 4  # 60 s days: none done
    assert "partial (Ctrl-C)" in stdout
    assert _gone(children)


def test_province_first_ctrl_c_lists_the_counties_not_run(tmp_path: Path) -> None:
    out = tmp_path / "province"
    rc, stdout, stderr, took, _ = _press(
        ["province", "--counties", "遂昌,松阳", "--time-limit", "60", "--workers", "1",
         "--out", str(out), "--quiet"],
        cpu_s=8.0,
    )  # fmt: skip
    _first_ok(rc, stderr, took)
    partial = json.loads((out / "partial.json").read_text("utf-8"))
    assert partial["counties_not_run"] and set(partial["counties_not_run"]) <= {"331123", "331124"}
    assert "counties not run" in (out / "province.txt").read_text("utf-8")
    assert "partial (Ctrl-C)" in stdout


def test_province_second_ctrl_c_aborts(tmp_path: Path) -> None:
    out = tmp_path / "province"
    rc, _, stderr, took, children = _press(
        ["province", "--counties", "遂昌", "--time-limit", "60", "--workers", "1",
         "--out", str(out), "--quiet"],
        presses=2, cpu_s=8.0,
    )  # fmt: skip
    assert rc == 130 and took < 5 and SECOND in stderr, stderr
    assert not (out / "province.csv").exists()
    assert _gone(children)


# ---------------------------------------------------------------------------- one day
def test_compare_first_ctrl_c_keeps_the_best_plan_and_skips_the_rest(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, LONG_DAY)
    rc, stdout, stderr, took, _ = _press(
        ["compare", str(scenario), str(scenario), "--quiet"], cpu_s=6.0
    )
    _first_ok(rc, stderr, took)
    assert "interrupted (Ctrl-C): the day being run has the best plan found so far" in stdout
    assert "not run: ctrlc" in stdout
    assert "distance" in stdout or "km" in stdout  # the table of the day that ran


def test_frontier_first_ctrl_c_writes_the_points_done(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, LONG_DAY)
    out = tmp_path / "frontier"
    rc, stdout, stderr, took, _ = _press(
        ["frontier", str(scenario), "--vans", "20,25,30", "--out", str(out)], cpu_s=6.0
    )
    _first_ok(rc, stderr, took)
    assert "no new point is started" in stderr
    assert "partial (Ctrl-C): 0 of 3 points done" in stdout  # 60 s a point
    assert (out / "frontier.csv").read_text("utf-8").startswith("vans,")


def test_week_first_ctrl_c_finishes_the_week_marked_interrupted(tmp_path: Path) -> None:
    scenario = _scenario(
        tmp_path,
        "deterministic = false\ntime_limit_s = 60.0\nsolution_limit = 1000000\n",
        base=DATA / "week" / "week.toml",
    )
    out = tmp_path / "week"
    rc, stdout, stderr, took, _ = _press(
        ["week", str(scenario), "--out", str(out), "--quiet"], cpu_s=5.0
    )
    _first_ok(rc, stderr, took)
    assert json.loads((out / "week.json").read_text("utf-8"))["interrupted"] is True
    assert "interrupted (Ctrl-C)" in stdout


def test_replan_first_ctrl_c_writes_the_best_rounds_so_far(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from gongpei.cli import main

    scenario = _scenario(tmp_path, 'backend = "pyvrp"\ntime_limit_s = 1.0\nbaselines = []\n')
    run = CliRunner().invoke(
        main, ["run", str(scenario), "--out", str(tmp_path / "day"), "--quiet"]
    )
    assert run.exit_code == 0, run.output
    args = ["replan", str(scenario), "--plan", str(tmp_path / "day" / "plan.json"),
            "--breakdown", "van#3@10:30", "--time-limit", "60"]  # fmt: skip
    out = tmp_path / "replan"
    rc, stdout, stderr, took, _ = _press([*args, "--out", str(out)], cpu_s=12.0)
    _first_ok(rc, stderr, took)
    assert json.loads((out / "replan.json").read_text("utf-8"))["interrupted"] is True
    assert "interrupted (Ctrl-C): the re-planned rounds are the best found so far" in stdout
