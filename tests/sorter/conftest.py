"""Small sorter instances shared by the sorter tests, as factory fixtures (session-scoped:
the builders are pure): ``small_line(num_induction=3)``, ``small_arrivals(300)``,
``poisson_arrivals(rate, n, seed)``, ``result_digest(result)``. The Suichang-like day is
library code (:mod:`sorter.synthetic`), shared with the benchmarks."""

from __future__ import annotations

import numpy as np
import pytest

from sorter import Arrivals, Line, Truck, generate_arrivals
from sorter.synthetic import BRANDS, WAVES, village_counts


def _small_line(**kw: object) -> Line:
    """A 12-chute loop with two stations; override any Line field."""
    base: dict[str, object] = dict(
        num_induction=2, induction_rate_per_h=2000.0, chute_capacity=10, bagging_operators=2
    )
    base.update(kw)
    return Line.evenly_spaced(12, **base)  # type: ignore[arg-type]


def _small_arrivals(total: int = 300, n_villages: int = 12, seed: int = 0) -> Arrivals:
    return generate_arrivals(
        seed,
        village_parcels=village_counts(n_villages, total, seed),
        brand_shares=BRANDS,
        waves=WAVES,
    )


def _poisson_arrivals(rate_per_s: float, n: int, seed: int, villages: int = 4) -> Arrivals:
    """``n`` one-parcel trucks at Poisson times (for queueing checks; unload must be inf)."""
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1.0 / rate_per_s, n))
    codes = rng.integers(0, villages, n)
    trucks = tuple(
        Truck(f"T{k}", "X", float(t), np.array([c], dtype=np.int32))
        for k, (t, c) in enumerate(zip(times, codes, strict=True))
    )
    return Arrivals(trucks, tuple(f"V{k}" for k in range(villages)))


# The arrays a run of the original model is compared on (issue 14: new options at their
# defaults must reproduce them draw for draw).
DIGEST_FIELDS = (
    "village",
    "truck",
    "wave",
    "oversize",
    "available_s",
    "induct_s",
    "station",
    "recirculations",
    "outcome",
    "chute",
    "entry_s",
    "bag_s",
    "no_read",
    "refusals",
    "bag_log",
    "max_fill",
    "capacity",
)


def _result_digest(res) -> str:
    """sha256 (16 hex digits) over a result's original per-parcel and per-chute arrays."""
    import hashlib

    h = hashlib.sha256()
    for f in DIGEST_FIELDS:
        a = np.ascontiguousarray(getattr(res, f))
        h.update(f.encode())
        h.update(str(a.dtype).encode())
        h.update(a.tobytes())
    for k in sorted(res.visits):
        h.update(np.ascontiguousarray(res.visits[k]).tobytes())
    h.update(repr(res.t_end).encode())
    h.update(repr(res.stoppages).encode())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def small_line():  # type: ignore[no-untyped-def]
    """:func:`_small_line`."""
    return _small_line


@pytest.fixture(scope="session")
def small_arrivals():  # type: ignore[no-untyped-def]
    """:func:`_small_arrivals`."""
    return _small_arrivals


@pytest.fixture(scope="session")
def poisson_arrivals():  # type: ignore[no-untyped-def]
    """:func:`_poisson_arrivals`."""
    return _poisson_arrivals


@pytest.fixture(scope="session")
def result_digest():  # type: ignore[no-untyped-def]
    """:func:`_result_digest`."""
    return _result_digest
