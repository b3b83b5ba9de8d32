"""Small hand-checkable sorter instances shared by the sorter tests and the benchmark."""

from __future__ import annotations

import numpy as np

from sorter import Arrivals, Line, Truck, Wave, generate_arrivals

BRANDS = {"ZTO": 19, "YTO": 15, "STO": 13, "Yunda": 13, "JT": 11, "SF": 8, "Post": 8, "JD": 4}
WAVES = (
    Wave("w1", 5 * 3600.0, 6.5 * 3600.0, 0.7, 8.5 * 3600.0),
    Wave("w2", 12.5 * 3600.0, 14 * 3600.0, 0.3, 16 * 3600.0),
)


def village_counts(n_villages: int, total: int, seed: int = 0) -> dict[str, int]:
    """Heavy-tailed (lognormal) exact counts summing to about ``total``."""
    rng = np.random.default_rng(seed)
    w = rng.lognormal(0.0, 0.9, n_villages)
    counts = np.maximum(1, np.round(w / w.sum() * total)).astype(int)
    return {f"V{k:03d}": int(c) for k, c in enumerate(counts)}


def small_line(**kw: object) -> Line:
    """A 12-chute loop with two stations; override any Line field."""
    base: dict[str, object] = dict(
        num_induction=2, induction_rate_per_h=2000.0, chute_capacity=10, bagging_operators=2
    )
    base.update(kw)
    return Line.evenly_spaced(12, **base)  # type: ignore[arg-type]


def small_arrivals(total: int = 300, n_villages: int = 12, seed: int = 0) -> Arrivals:
    return generate_arrivals(
        seed,
        village_parcels=village_counts(n_villages, total, seed),
        brand_shares=BRANDS,
        waves=WAVES,
    )


def suichang_like(parcels: int = 20_000, seed: int = 0) -> tuple[Line, Arrivals]:
    """~20k parcels over 214 chutes (201 villages + 13 communities), 8 brands, 2 waves."""
    line = Line.evenly_spaced(
        214,
        num_induction=4,
        induction_rate_per_h=2000.0,
        chute_capacity=40,
        bagging_operators=6,
        unload_ports=8,
        no_read_prob=0.01,
        exception_prob=0.003,
    )
    arrivals = generate_arrivals(
        seed,
        village_parcels=village_counts(214, parcels, seed),
        brand_shares=BRANDS,
        waves=WAVES,
    )
    return line, arrivals


def poisson_arrivals(rate_per_s: float, n: int, seed: int, villages: int = 4) -> Arrivals:
    """``n`` one-parcel trucks at Poisson times (for queueing checks; unload must be inf)."""
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1.0 / rate_per_s, n))
    codes = rng.integers(0, villages, n)
    trucks = tuple(
        Truck(f"T{k}", "X", float(t), np.array([c], dtype=np.int32))
        for k, (t, c) in enumerate(zip(times, codes, strict=True))
    )
    return Arrivals(trucks, tuple(f"V{k}" for k in range(villages)))


def check_conservation(res, arrivals=None):
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


def result_digest(res) -> str:
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
