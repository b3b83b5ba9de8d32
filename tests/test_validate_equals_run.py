"""``gongpei validate`` rejects what ``gongpei run`` rejects, with the same lines.

Every bad scenario file goes through both real commands (click's runner, in-process): both
exit with status 2, print the same lines on stderr and no traceback. ``run`` never gets past
``gongpei.day.inputs.prepare_day`` on these files, so this stays fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gongpei.cli import main

BAD = sorted((Path(__file__).parent / "data" / "bad").glob("*.toml"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_validate_and_run_reject_a_bad_file_alike(path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", str(path)])
    ran = runner.invoke(main, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert checked.exit_code == 2, checked.output
    assert ran.exit_code == 2, ran.output
    assert checked.stderr.strip(), "no message"
    assert checked.stderr == ran.stderr
    assert "Traceback" not in checked.output + ran.output
    assert not (tmp_path / "out").exists()  # nothing written for a rejected scenario
