"""A synthetic, Suichang-like day for the sorter: heavy-tailed village volumes, the eight
brands' shares and the two waves (morning 05:00–06:30, 70 %; midday 12:30–14:00, 30 %).

Used by the sorter benchmarks (``benchmarks/sorter_speed.py``, ``sorter_capacity.py``) and
the tests, so a benchmark measures the same day the tests check. It needs no county data:
for the real Suichang day use the scenario (``gongpei run``).
"""

from __future__ import annotations

import numpy as np

from sorter.arrivals import Arrivals, Wave, generate_arrivals
from sorter.line import Line

__all__ = ["BRANDS", "WAVES", "suichang_like", "village_counts"]

#: Brand shares (%) of the parcels, as in the default scenario.
BRANDS = {"ZTO": 19, "YTO": 15, "STO": 13, "Yunda": 13, "JT": 11, "SF": 8, "Post": 8, "JD": 4}
#: The two waves: (name, first truck, last truck, share of the day, cut-off).
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
