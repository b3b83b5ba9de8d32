"""Fixtures every test folder shares: loading a benchmark script as a module, and the sorter's
parcel-conservation check (used by the sorter tests and the scenario tests that simulate)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load_benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as a fresh module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_conservation(res, arrivals=None):
    """Every parcel in exactly one consistent end state."""
    s = res.summary()["parcels"]
    assert s["total"] == res.parcels
    assert s["total"] == sum(
        s[k] for k in ("bagged", "no_read", "exception", "overflow", "in_system")
    )
    kinds = np.array([*res.chute_kinds, "none"])[res.chute]
    out = res.outcome
    assert np.all(np.isin(out, [0, 1, 2, 3, 4]))
    bagged = out == 1
    assert np.all(np.isfinite(res.bag_s[bagged]))
    ready = res.parcel_ready_s
    assert np.array_equal(np.isfinite(ready), bagged)
    assert np.all(ready[bagged] >= res.bag_s[bagged] - 1e-9)
    # tied in a bag but not ready: only in a shared chute's secondary sort at the horizon
    sorting = ~bagged & np.isfinite(res.bag_s)
    assert np.all(out[sorting] == 0)
    if sorting.any():
        sec = res.queues["secondary"]
        assert np.all(np.isin(np.flatnonzero(sorting), sec["parcel"]))
    assert np.all(np.isin(kinds[bagged], ["village", "manual"]))
    assert np.all(kinds[out == 2] == "no_read")
    assert np.all(kinds[out == 3] == "exception")
    assert np.all(kinds[out == 4] == "overflow")
    assert np.all(res.entry_s[bagged] <= res.bag_s[bagged] + 1e-9)
    # a bagged village parcel is in its own village's chute
    vil = bagged & (kinds == "village")
    ids = np.array(res.chute_ids)[res.chute[vil]]
    own = res.village_chutes
    assert all(c in own[res.village_ids[v]] for c, v in zip(ids, res.village[vil], strict=True))
    # bags hold exactly the bagged loop parcels (and those still in the secondary sort)
    assert int(res.bag_log[:, 3].sum()) == int(vil.sum() + sorting.sum())
    # a shared chute's parcels are ready when out of the secondary sort, one at a time
    if "secondary" in res.queues:
        sec = res.queues["secondary"]
        done = np.isfinite(ready[sec["parcel"]])
        assert np.allclose(ready[sec["parcel"]][done], sec["end_s"][done])
        assert np.all(sec["start_s"] >= sec["arrived_s"] - 1e-9)
        assert np.allclose(sec["arrived_s"], res.bag_s[sec["parcel"]])
    if arrivals is not None:
        assert res.parcels == arrivals.parcels
        counts = arrivals.village_counts()
        got = np.bincount(res.village, minlength=len(res.village_ids))
        assert {v: int(got[k]) for k, v in enumerate(res.village_ids)} == counts


@pytest.fixture(scope="session")
def load_benchmark():  # type: ignore[no-untyped-def]
    """:func:`_load_benchmark`: ``load_benchmark("sorter_speed")`` → the script as a module."""
    return _load_benchmark


@pytest.fixture(scope="session")
def check_conservation():  # type: ignore[no-untyped-def]
    """:func:`_check_conservation`: ``check_conservation(result, arrivals=None)``."""
    return _check_conservation
