"""Demand: structural expectations per village, the day's draw, events."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gongpei.day.demand import day_demand, expected_demand
from gongpei.scenario.loading import load_scenario
from gongpei.scenario.schema import Demand

CODES = [f"3311230010{k:02d}" for k in range(40)]
RURAL = [k >= 4 for k in range(40)]
SEAT = [k in (5, 20) for k in range(40)]


def test_rural_total_is_the_scenario_total_and_clipped() -> None:
    d = Demand(village_parcels=1500, village_min=5, village_max=120, urban_parcels=900)
    exp = expected_demand(CODES, RURAL, SEAT, d, seed=1)
    rural = exp[np.array(RURAL)]
    assert abs(rural.sum() - 1500) < 1e-6
    assert rural.min() >= 5 - 1e-9 and rural.max() <= 120 + 1e-9
    assert abs(exp[~np.array(RURAL)].sum() - 900) < 1e-6


@settings(max_examples=40, deadline=None)
@given(
    total=st.integers(200, 20000),
    cv=st.floats(0.0, 2.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_expected_demand_invariants(total: int, cv: float, seed: int) -> None:
    d = Demand(village_parcels=total, village_cv=cv, village_min=1, village_max=total)
    exp = expected_demand(CODES, RURAL, SEAT, d, seed=seed)
    assert np.all(exp >= 0)
    assert abs(exp[np.array(RURAL)].sum() - total) < 1e-6 * total


def test_structure_is_seeded_and_stable() -> None:
    d = Demand()
    a = expected_demand(CODES, RURAL, SEAT, d, seed=3)
    b = expected_demand(CODES, RURAL, SEAT, d, seed=3)
    c = expected_demand(CODES, RURAL, SEAT, d, seed=4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_day_draw_and_events() -> None:
    sc = load_scenario()
    peak = sc.with_overrides(
        {
            "events": [
                {"kind": "harvest_peak", "villages": ["331123001218"], "pickup_multiplier": 10.0},
                {"kind": "festival", "volume_multiplier": 1.8},
            ],
            "demand.village_max": 150,
        }
    )
    codes = ["331123001218", "331123001219"]
    exp = np.array([100.0, 100.0])
    normal = day_demand(codes, exp, [True, True], sc.model, seed=5)
    busy = day_demand(codes, exp, [True, True], peak.model, seed=5)
    again = day_demand(codes, exp, [True, True], sc.model, seed=5)
    assert normal == again
    assert busy.inbound_total > normal.inbound_total  # ×1.8 volume
    assert (
        busy.by_code()["331123001218"].pickup_parcels
        > 3 * normal.by_code()["331123001218"].pickup_parcels
    )
    capped = day_demand(codes, exp, [True, True], peak.model, seed=5, max_inbound=120)
    assert max(v.inbound for v in capped.villages) <= 120
