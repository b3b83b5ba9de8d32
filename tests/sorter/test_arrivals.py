import numpy as np
import pytest

from sorter import Arrivals, LineError, Truck, Wave, generate_arrivals
from sorter.synthetic import BRANDS, WAVES, village_counts


def test_exact_village_counts_brands_and_waves():
    vp = village_counts(30, 2000, seed=4)
    arr = generate_arrivals(7, village_parcels=vp, brand_shares=BRANDS, waves=WAVES)
    assert arr.village_counts() == vp
    assert len(arr.trucks) == len(BRANDS) * len(WAVES)
    for t in arr.trucks:
        w = WAVES[t.wave]
        assert w.start_s <= t.arrival_s <= w.end_s
    w1 = sum(t.parcels for t in arr.trucks if t.wave == 0)
    assert abs(w1 / arr.parcels - 0.7) < 0.05
    zto = sum(t.parcels for t in arr.trucks if t.brand == "ZTO")
    assert abs(zto / arr.parcels - 0.19) < 0.03
    # staggered: brands of a wave arrive at distinct times
    assert len({t.arrival_s for t in arr.trucks if t.wave == 0}) == len(BRANDS)


def test_same_seed_same_arrivals():
    vp = village_counts(10, 300)
    a = generate_arrivals(3, village_parcels=vp, brand_shares=BRANDS, waves=WAVES)
    b = generate_arrivals(3, village_parcels=vp, brand_shares=BRANDS, waves=WAVES)
    assert [t.id for t in a.trucks] == [t.id for t in b.trucks]
    for x, y in zip(a.trucks, b.trucks, strict=True):
        assert np.array_equal(x.village, y.village) and np.array_equal(x.oversize, y.oversize)


def test_oversize_share():
    vp = {"A": 5000}
    arr = generate_arrivals(1, village_parcels=vp, brand_shares={"X": 1}, waves=WAVES)
    share = sum(int(t.oversize.sum()) for t in arr.trucks) / arr.parcels
    assert abs(share - 0.06) < 0.015


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(village_parcels={"A": -1}), r"village_parcels\['A'\] = -1"),
        (dict(brand_shares={}), "brand_shares"),
        (dict(waves=()), "waves"),
        (dict(oversize_share=1.5), "oversize_share"),
    ],
)
def test_generate_rejects(kwargs, match):
    base = dict(village_parcels={"A": 3}, brand_shares={"X": 1.0}, waves=WAVES)
    base.update(kwargs)
    with pytest.raises(LineError, match=match):
        generate_arrivals(0, **base)


def test_arrivals_validation():
    t = Truck("T1", "X", 0.0, np.array([0, 5]))
    with pytest.raises(LineError, match="code outside"):
        Arrivals((t,), ("A", "B"))
    with pytest.raises(LineError, match="arrival_s"):
        Truck("T2", "X", -3.0, np.array([0]))
    with pytest.raises(LineError, match="duplicate truck"):
        Arrivals((Truck("T", "X", 0, np.array([0])), Truck("T", "X", 1, np.array([0]))), ("A",))
    assert Wave("w", 0, 1, 1.0, 2).share == 1.0


def test_trucks_may_name_villages_by_id():
    t = Truck("T1", "X", 0.0, np.array(["B", "A", "B"]))
    arr = Arrivals((t,), ("A", "B"))
    assert arr.trucks[0].village.tolist() == [1, 0, 1]
    assert arr.village_counts() == {"A": 1, "B": 2}
    with pytest.raises(LineError, match="unknown village 'Z'"):
        Arrivals((Truck("T2", "X", 0.0, np.array(["Z"])),), ("A",))
