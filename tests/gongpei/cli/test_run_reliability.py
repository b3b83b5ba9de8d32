"""``gongpei run`` as a hostile user meets it (issue 13, runtime half): an output folder that
cannot be written, two runs on one folder, a full disk, Ctrl-C once and twice, and
``--deterministic``. The CLI cases run the real command; concurrency and signals use real
processes."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from gongpei.cli import main
from gongpei.report.outdir import LOCK_NAME

ROOT = Path(__file__).resolve().parents[3]
GOOD = Path(__file__).parents[2] / "data" / "good.toml"


def _scenario(tmp: Path, name: str = "fast.toml", routing: str = "", plots: bool = False) -> Path:
    """good.toml with a short deterministic PyVRP search and no plots (seconds, not minutes)."""
    path = tmp / name
    path.write_text(
        f'[scenario]\nname = "reliability"\nextends = "{GOOD}"\n\n'
        "[routing]\n"
        + (
            routing
            or 'backend = "pyvrp"\ndeterministic = true\nmax_iterations = 200\nbaselines = []\n'
        )
        + f"\n[output]\nplots = {str(plots).lower()}\nhtml = false\nparcels_csv = false\n",
        encoding="utf-8",
    )
    return path


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from gongpei.cli import main; main()", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture()
def no_compute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the day is computed (the folder must be checked before)."""

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("the day was computed before the output folder was checked")

    monkeypatch.setattr("gongpei.day.pipeline.run_day", boom)


# ------------------------------------------------------------------- unwritable output folder
def test_out_through_a_file_is_one_line_exit_2_before_computing(
    tmp_path: Path, no_compute: None
) -> None:
    (tmp_path / "afile").write_text("x")
    r = CliRunner().invoke(main, ["run", str(GOOD), "--out", str(tmp_path / "afile" / "sub")])
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "afile/sub" in lines[0] and "is a file, not a folder" in lines[0]
    r = CliRunner().invoke(main, ["run", str(GOOD), "--out", str(tmp_path / "afile")])
    assert r.exit_code == 2 and "output folder is a file" in r.output


def test_read_only_output_is_one_line_exit_2_before_computing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_compute: None
) -> None:
    """A read-only file system (simulated: the tests may run as root, who may write anywhere)."""
    real_open = os.open

    def read_only(path: str, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(LOCK_NAME):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr("gongpei.report.outdir.os.open", read_only)
    r = CliRunner().invoke(main, ["run", str(GOOD), "--out", str(tmp_path / "ro")])
    assert r.exit_code == 2, r.output
    assert (
        r.output.strip()
        == f"gongpei: {tmp_path / 'ro'}: output folder is not writable: read-only file system"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_folder_without_write_permission_is_refused(tmp_path: Path, no_compute: None) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        r = CliRunner().invoke(main, ["run", str(GOOD), "--out", str(ro / "sub")])
        assert r.exit_code == 2 and "permission denied" in r.output
    finally:
        ro.chmod(0o755)


# ------------------------------------------------------------------------------ full disk
def test_a_full_disk_mid_write_leaves_nothing_that_looks_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = _scenario(tmp_path)
    out = tmp_path / "out"
    ok = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert ok.exit_code == 0, ok.output
    assert (out / "summary.json").exists()
    before = (out / "routes.csv").read_bytes()

    import gongpei.report.files as files

    real = files.atomic_write_text

    def full_disk(path: object, text: str, **kw: object) -> None:
        if str(path).endswith("routes.geojson"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, text, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "atomic_write_text", full_disk)
    r = CliRunner().invoke(
        main, ["run", str(scenario), "--out", str(out), "--quiet", "--seed", "8"]
    )
    assert r.exit_code == 3, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0] and "summary.json" in lines[0]
    assert "Traceback" not in r.output
    assert not (out / "summary.json").exists()
    assert not list(out.glob(".staging-*"))
    # nothing of the failed run was moved in: the files are the earlier run's
    assert (out / "routes.csv").read_bytes() == before


# -------------------------------------------------------------------- concurrent runs
def test_a_second_run_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    # The first run searches for 15 s of wall time, so it is still writing when the second
    # starts: with a 200-iteration search it could finish before the second one's interpreter
    # had imported gongpei (seen once on a clean clone).
    scenario = _scenario(
        tmp_path, "slow.toml", routing='backend = "pyvrp"\ntime_limit_s = 15.0\nbaselines = []\n'
    )
    out = tmp_path / "same"
    first = subprocess.Popen(
        _cli("run", str(scenario), "--out", str(out), "--quiet", "--seed", "2023"),
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lock = out / LOCK_NAME
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until the first run holds the folder
            if lock.exists() and lock.read_text().strip() == str(first.pid):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the first run never claimed the folder")
        second = subprocess.run(
            _cli("run", str(scenario), "--out", str(out), "--quiet", "--seed", "7"),
            cwd=ROOT,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert first.poll() is None, "the first run ended before the second was refused"
        assert second.returncode == 2, second.stderr
        assert second.stderr.strip() == (
            f"gongpei: {out}: another gongpei run (pid {first.pid}) is writing this output "
            "folder; wait for it to finish or choose another --out"
        )
        assert second.stdout == ""
        _, stderr = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, stderr
    s = json.loads((out / "summary.json").read_text("utf-8"))
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    assert s["seed"] == 2023
    assert round(sum(r["distance_m"] for r in plan["routes"]) / 1000, 3) == pytest.approx(
        s["routing"]["distance_km"], abs=0.01
    )
    # the folder is free again once the first run has ended
    fast = _scenario(tmp_path)
    again = CliRunner().invoke(main, ["run", str(fast), "--out", str(out), "--quiet"])
    assert again.exit_code == 0, again.output


# -------------------------------------------------------------------------------- Ctrl-C
def _start_long_run(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    """A run whose rounds search would take 60 s (auto: PyVRP in a child process)."""
    scenario = _scenario(
        tmp_path,
        routing='backend = "auto"\ntime_limit_s = 60.0\nbaselines = ["brands_alone"]\n',
        plots=True,  # a few seconds of drawing after the search, for the second Ctrl-C
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        _cli("run", str(scenario), "--out", str(out), "--quiet"),
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    return proc, out


def _wait_for_search(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    """Wait until the rounds' search runs (the portfolio's PyVRP child exists)."""
    me = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        kids = me.children(recursive=True)
        if kids:
            time.sleep(1.0)  # let the search find a plan or two
            return me.children(recursive=True)
        if proc.poll() is not None:
            pytest.fail(f"the run ended early: {proc.communicate()}")
        time.sleep(0.1)
    pytest.fail("the rounds' search never started")


def _gone(procs: list[psutil.Process]) -> bool:
    _, alive = psutil.wait_procs(procs, timeout=5)
    return not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def test_first_ctrl_c_keeps_the_best_plan_and_finishes_quickly(tmp_path: Path) -> None:
    proc, out = _start_long_run(tmp_path)
    try:
        children = _wait_for_search(proc)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        t0 = time.monotonic()
        stdout, stderr = proc.communicate(timeout=60)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, stderr
    assert took < 30, f"the run went on for {took:.0f} s after Ctrl-C"
    assert "Ctrl-C: stopping the search; the plan will be the best found so far" in stderr
    assert "Traceback" not in stderr
    assert "interrupted (Ctrl-C)" in stdout
    s = json.loads((out / "summary.json").read_text("utf-8"))
    assert s["interrupted"] is True and s["routing"]["checker_violations"] == 0
    assert s["baseline"] == {}  # a baseline cut short is not reported
    assert _gone(children)


def test_second_ctrl_c_aborts_at_once_and_leaves_no_process(tmp_path: Path) -> None:
    proc, out = _start_long_run(tmp_path)
    try:
        children = _wait_for_search(proc)
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)
        t0 = time.monotonic()
        _, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert took < 5
    assert "second Ctrl-C: aborted" in stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    assert not (out / "summary.json").exists()
    assert _gone(children)


# --------------------------------------------------------------------------- deterministic
def test_deterministic_flag_gives_byte_identical_plans(tmp_path: Path) -> None:
    scenario = _scenario(
        tmp_path, routing='backend = "pyvrp"\nmax_iterations = 150\nbaselines = []\n'
    )
    outs = []
    for k in range(2):
        out = tmp_path / f"out{k}"
        r = CliRunner().invoke(
            main, ["run", str(scenario), "--out", str(out), "--quiet", "--deterministic"]
        )
        assert r.exit_code == 0, r.output
        outs.append(out)
    for name in ("plan.json", "summary.json", "routes.csv", "villages.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    plan = json.loads((outs[0] / "plan.json").read_text("utf-8"))
    assert plan["meta"]["deterministic"] is True
