"""The notebooks run from a clean kernel, and are stored without outputs.

They are executed with nbclient on a Python 3 kernel started with the interpreter running the
tests (ipykernel is in the ``test`` extra; no ``ipykernel install`` needed). Each notebook
must run in well under a minute.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_the_notebooks_are_there():
    assert {p.name for p in NOTEBOOKS} >= {"throughput.ipynb", "rounds.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {k} has stored outputs"
            assert cell.execution_count is None, f"{path.name}: cell {k} has an execution count"


@pytest.fixture
def kernel_name(tmp_path_factory, monkeypatch):
    """A python3 kernel spec that starts *this* interpreter (``sys.executable``).

    An installed ``python3`` spec may say ``"python"`` and pick up another Python from the
    PATH; this one lives in a temporary ``JUPYTER_PATH`` folder, so a clean machine needs
    nothing but ipykernel installed.
    """
    root = tmp_path_factory.getbasetemp() / "jupyter"
    spec = root / "kernels" / "gongpei-tests"
    if not (spec / "kernel.json").is_file():
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": "Python 3 (gongpei tests)",
                    "language": "python",
                }
            )
        )
    monkeypatch.setenv("JUPYTER_PATH", str(root))
    monkeypatch.setenv("MPLBACKEND", "Agg")  # no display; %matplotlib inline still renders
    return "gongpei-tests"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path, kernel_name):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=120,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors
    images = sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    assert images >= 3, f"{path.name}: expected figures, got {images}"
