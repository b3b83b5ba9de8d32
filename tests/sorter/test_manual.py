"""Manual sorting at village cages: hand-checked cases, capacity, conservation, errors."""

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sorter import (
    Arrivals,
    ByVolume,
    Chute,
    LineError,
    ManualLine,
    Random,
    Truck,
    manual_capacity_per_h,
    simulate_manual,
)


def _tiny(**kw) -> ManualLine:
    """Cage A within reach, cage B 7 m away (5 m beyond reach at 1 m/s: +10 s a parcel);
    12 s of handling (300 parcels/h)."""
    base = dict(
        chutes=(Chute("EX", 0.0, "exception"), Chute("A", 1.0), Chute("B", 7.0)),
        sorters=1,
        rate_per_h=300.0,
        reach_m=2.0,
        walk_speed_mps=1.0,
        cage_capacity=120,
        cage_swap_s=60.0,
        exception_prob=0.0,
        unload_rate_per_h=math.inf,
    )
    base.update(kw)
    return ManualLine(**base)


def _day(villages: list[str], t: float = 0.0) -> Arrivals:
    ids = sorted(set(villages))
    codes = np.array([ids.index(v) for v in villages], dtype=np.int32)
    return Arrivals((Truck("T", "X", t, codes),), tuple(ids))


def test_one_person_two_parcels_by_hand(check_conservation):
    # a (to A, within reach): picked at 0, in the cage at 12 s, back at 12 s;
    # b (to B, 7 m): picked at 12 s, 12 s handling + 5 s walk -> in the cage at 29 s, back 34 s
    res = simulate_manual(_tiny(), _day(["a", "b"]), assignment={"a": "A", "b": "B"})
    a, b = (0, 1) if res.village_ids[res.village[0]] == "a" else (1, 0)
    assert res.induct_s[a] == pytest.approx(0.0) and res.entry_s[a] == pytest.approx(12.0)
    assert res.induct_s[b] == pytest.approx(12.0) and res.entry_s[b] == pytest.approx(29.0)
    # both cages closed at the end of the day as they stand (the cage is the container)
    assert res.bag_s[a] == pytest.approx(29.0) and res.bag_s[b] == pytest.approx(29.0)
    assert res.recirculations.sum() == 0 and res.refusals.sum() == 0
    check_conservation(res)


def test_a_full_cage_is_swapped_by_whoever_filled_it_and_others_wait(check_conservation):
    line = _tiny(sorters=2, cage_capacity=2)
    res = simulate_manual(line, _day(["a"] * 3), assignment={"a": "A"})
    # two people: parcels 0 and 1 in A at 12 s, the second fills it: swap 12-72 s
    # (bagged at 72 s); parcel 2, picked at 12 s by the other person, waits until 72 s
    assert sorted(res.entry_s.tolist()) == pytest.approx([12.0, 12.0, 72.0])
    assert res.bag_log.shape[0] == 2
    assert res.bag_log[0, 1:].tolist() == pytest.approx([12.0, 72.0, 2.0])
    assert sorted(res.bag_s.tolist()) == pytest.approx([72.0, 72.0, 72.0])
    check_conservation(res)


def test_cut_off_closes_cages_and_later_parcels_start_a_new_one():
    res = simulate_manual(_tiny(), _day(["a", "a", "a"]), assignment={"a": "A"}, cutoffs_s=(30.0,))
    # entries at 12, 24, 36: the 30 s cut-off closes the first two
    assert sorted(res.bag_s.tolist()) == pytest.approx([30.0, 30.0, 36.0])


def test_exceptions_go_to_the_exception_cage(check_conservation):
    res = simulate_manual(_tiny(exception_prob=0.999), _day(["a"]), assignment={"a": "A"})
    assert res.outcome_counts()["exception"] == 1
    assert res.chute_ids[res.chute[0]] == "EX"
    check_conservation(res)


def test_oversize_parcels_take_longer():
    arr = Arrivals((Truck("T", "X", 0.0, np.array([0]), np.array([True])),), ("a",))
    res = simulate_manual(_tiny(oversize_factor=2.0), arr, assignment={"a": "A"})
    assert res.entry_s[0] == pytest.approx(24.0)


def _saturated(n: int, villages: int) -> Arrivals:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, villages, n).astype(np.int32)
    return Arrivals((Truck("T", "X", 0.0, codes),), tuple(f"V{k}" for k in range(villages)))


@pytest.mark.parametrize(("cages", "sorters"), [(20, 10), (60, 4)])
def test_saturated_throughput_within_2pct_of_derived_capacity(cages, sorters):
    """Derivation in ``manual_capacity_per_h``: sorters * 3600 / mean time per parcel
    (handling + walk beyond reach there and back + a share of the cage swaps)."""
    line = ManualLine.evenly_spaced(
        cages, sorters=sorters, exception_prob=0.0, unload_rate_per_h=math.inf
    )
    arr = _saturated(300 * sorters, cages)
    res = simulate_manual(line, arr, assignment=ByVolume(), seed=0)
    counts = arr.village_counts()
    shares: dict[str, float] = {}
    for v, c in res.assignment.items():
        shares[c] = shares.get(c, 0.0) + counts[v]
    expected = manual_capacity_per_h(line, shares)
    assert expected < sorters * line.rate_per_h  # the walking costs something
    assert res.summary()["throughput_per_h"] == pytest.approx(expected, rel=0.02)


def test_capacity_by_hand():
    # one person, all to B: 12 s + 10 s walk + 60 s / 120 swap = 22.5 s -> 160 parcels/h
    assert manual_capacity_per_h(_tiny(), {"B": 1.0}) == pytest.approx(3600 / 22.5)
    assert manual_capacity_per_h(_tiny(sorters=3), {"A": 1.0}) == pytest.approx(3 * 3600 / 12.5)
    with pytest.raises(LineError, match="not a village cage"):
        manual_capacity_per_h(_tiny(), {"EX": 1.0})


def test_same_seed_same_records_and_a_small_day_conserves(check_conservation, small_arrivals):
    line = ManualLine.evenly_spaced(12, sorters=3, cage_capacity=10, exception_prob=0.05)
    arr = small_arrivals(400)
    a = simulate_manual(line, arr, assignment=ByVolume(), seed=3)
    b = simulate_manual(line, arr, assignment=ByVolume(), seed=3)
    for k, v in a.records().items():
        np.testing.assert_array_equal(v, b.records()[k], err_msg=k)
    check_conservation(a, arr)
    c = simulate_manual(line, arr, assignment=ByVolume(), seed=4)
    assert not np.array_equal(a.outcome, c.outcome)
    # busiest villages get the nearest cages
    near = sorted(line.village_chutes, key=lambda ch: ch.position_m)[0].id
    counts = arr.village_counts()
    assert a.assignment[max(counts, key=lambda v: (counts[v], v))] == near


@st.composite
def days(draw):
    line = ManualLine.evenly_spaced(
        draw(st.integers(1, 8)),
        cages_per_row=draw(st.integers(1, 4)),
        sorters=draw(st.integers(1, 4)),
        rate_per_h=draw(st.floats(100, 600)),
        reach_m=draw(st.floats(0, 5)),
        walk_speed_mps=draw(st.floats(0.5, 1.5)),
        cage_capacity=draw(st.integers(1, 10)),
        cage_swap_s=draw(st.floats(0, 200)),
        oversize_factor=draw(st.floats(1, 3)),
        exception_prob=draw(st.floats(0, 0.3)),
        unload_ports=draw(st.integers(1, 3)),
        unload_rate_per_h=draw(st.sampled_from([300.0, 750.0, math.inf])),
    )
    n_vill = draw(st.integers(1, 6))
    trucks = []
    for k in range(draw(st.integers(1, 4))):
        n = draw(st.integers(0, 40))
        codes = np.array(draw(st.lists(st.integers(0, n_vill - 1), min_size=n, max_size=n)))
        over = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        trucks.append(Truck(f"T{k}", "B", draw(st.floats(0, 3000)), codes.astype(np.int32), over))
    arrivals = Arrivals(tuple(trucks), tuple(f"V{k}" for k in range(n_vill)))
    horizon = draw(st.one_of(st.none(), st.floats(10, 8000)))
    cutoffs = tuple(draw(st.lists(st.floats(0, 6000), max_size=2)))
    return line, arrivals, horizon, cutoffs, draw(st.integers(0, 2**31))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days())
def test_conservation(check_conservation, day):
    line, arrivals, horizon, cutoffs, seed = day
    res = simulate_manual(
        line, arrivals, assignment=Random(seed), seed=seed, horizon_s=horizon, cutoffs_s=cutoffs
    )
    check_conservation(res, arrivals)
    if horizon is None:
        assert res.outcome_counts()["in_system"] == 0
    for cs in res.chutes.values():
        if cs.kind == "village":
            assert cs.max_fill <= line.cage_capacity
    # never more people away from the table than there are
    picked = np.isfinite(res.induct_s)
    starts = np.sort(res.induct_s[picked])
    assert np.all(np.diff(starts) >= -1e-9)  # first come, first served
    assert np.all(res.induct_s[picked] >= res.available_s[picked] - 1e-9)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(sorters=0), "sorters"),
        (dict(rate_per_h=0.0), "rate_per_h"),
        (dict(walk_speed_mps=math.inf), "walk_speed_mps"),
        (dict(cage_capacity=0), "cage_capacity"),
        (dict(reach_m=-1.0), "reach_m"),
        (dict(chutes=(Chute("A", 1.0),)), "chutes"),
        (dict(chutes=(Chute("EX", 0.0, "exception"), Chute("A", -1.0))), "chutes[1].position_m"),
        (dict(chutes=(Chute("EX", 0.0, "exception"), Chute("A", 1, "overflow"))), "chutes[1].kind"),
    ],
)
def test_bad_values_name_the_field(change, field):
    with pytest.raises(LineError, match=re.escape(f"ManualLine.{field} = ")):
        _tiny(**change)
