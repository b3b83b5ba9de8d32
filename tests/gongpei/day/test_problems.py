"""From the sorted day to routing problems: baselines carry exactly the co-delivered goods."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from gongpei.day.problems import StopDemand, brand_stops, split_by_share
from gongpei.scenario.loading import load_scenario

GOOD = Path(__file__).parents[2] / "data" / "good.toml"


@given(
    total=st.integers(0, 10_000),
    shares=st.dictionaries(
        st.sampled_from(["ZTO", "YTO", "STO", "JT", "SF", "ChinaPost"]),
        st.floats(0.01, 1.0),
        min_size=1,
    ),
)
def test_split_by_share_is_whole_and_complete(total: int, shares: dict[str, float]) -> None:
    parts = split_by_share(total, shares)
    assert set(parts) == set(shares)
    assert sum(parts.values()) == total
    assert all(v >= 0 for v in parts.values())
    weight = sum(shares.values())
    for name, v in parts.items():
        assert abs(v - total * shares[name] / weight) < 1.0 + 1e-9


def test_brand_stops_carry_exactly_the_codelivered_goods() -> None:
    sc = load_scenario(GOOD)
    stops = [
        StopDemand("331123001218", 12, 3, 40, 30000),
        StopDemand("331123001219", 0, 5, 60, 0),
        StopDemand("331123102201", 7, 0, 0, 31000),
    ]
    by_brand = {
        "331123001218": {"ZTO": 5, "YTO": 4, "ChinaPost": 3},
        "331123102201": {"ChinaPost": 7},
    }
    per_brand = brand_stops(sc, stops, by_brand)
    for s in stops:
        mine = [x for b in per_brand.values() for x in b if x.code == s.code]
        assert sum(x.deliver for x in mine) == s.deliver
        assert sum(x.pickup for x in mine) == s.pickup
        assert sum(x.pickup_litres for x in mine) == s.pickup_litres
        assert all(x.release_s == s.release_s for x in mine)
