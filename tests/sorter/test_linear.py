"""The linear swing-wheel line: hand-checked cases, capacity, theory, conservation, errors."""

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
    InductionStation,
    LinearLine,
    LineError,
    Random,
    Truck,
    linear_capacity_per_h,
    linear_module_bound_per_h,
    simulate_linear,
)
from sorter.synthetic import village_counts


def _tiny(**kw) -> LinearLine:
    """1 m/s belt, 1 s slots (0.5 m parcel + 0.5 m gap), one station at the head handling a
    parcel in 1 s, a pair of chutes sharing a module at 10 m, a single chute at 12 m, the
    reject chute at 20 m; 1 s re-induction by one person."""
    base = dict(
        induction=(InductionStation("I1", 0.0, 3600.0, 1),),
        scanner_position_m=2.0,
        chutes=(
            Chute("EX", 3.0, "exception"),
            Chute("A", 10.0),
            Chute("B", 10.0),
            Chute("C", 12.0),
            Chute("NR", 19.0, "no_read"),
            Chute("REJ", 20.0, "overflow"),
        ),
        speed_mps=1.0,
        parcel_length_m=0.5,
        min_gap_m=0.5,
        diverter_cycle_s=0.5,
        bag_time_s=60.0,
        reinduct_staff=1,
        reinduct_rate_per_h=3600.0,
        no_read_prob=0.0,
        exception_prob=0.0,
        oversize_to_manual=False,
        unload_rate_per_h=math.inf,
    )
    base.update(kw)
    return LinearLine(**base)


def _day(villages: list[str], t: float = 0.0) -> Arrivals:
    ids = sorted(set(villages))
    codes = np.array([ids.index(v) for v in villages], dtype=np.int32)
    return Arrivals((Truck("T", "X", t, codes),), tuple(ids))


def test_one_parcel_by_hand(check_conservation):
    # handled 0 -> 1 s, slot 1 passes the head at 1 s, reaches A (10 m) at 11 s, bagged at
    # the end-of-day sweep (60 s): 71 s
    res = simulate_linear(_tiny(), _day(["a"]), assignment={"a": "A"})
    assert res.induct_s[0] == pytest.approx(1.0)
    assert res.entry_s[0] == pytest.approx(11.0)
    assert res.bag_s[0] == pytest.approx(71.0)
    assert res.outcome_counts()["bagged"] == 1
    check_conservation(res)


def test_module_swinging_back_misses_the_next_parcel_for_its_pair(check_conservation):
    # slots 1 s apart, cycle 1.5 s: the parcel for B right behind one for A (same module at
    # 10 m) is missed, rides to the reject chute (20 m), is carried back (1 s) and re-inducted
    line = _tiny(diverter_cycle_s=1.5)
    res = simulate_linear(line, _day(["a", "b"]), assignment={"a": "A", "b": "B"})
    a, b = (0, 1) if res.village_ids[res.village[0]] == "a" else (1, 0)
    assert res.entry_s[a] == pytest.approx(11.0)
    assert res.recirculations.tolist()[b] == 1
    # b: slot 2 (placed at 2 s) -> misses at 12 s -> reject at 22 s -> back at induction at
    # 23 s -> handled 23-24 s -> slot 24 -> chute B at 34 s
    assert res.entry_s[b] == pytest.approx(34.0)
    assert res.chutes["B"].refusals == 1 and res.chutes["A"].refusals == 0
    assert res.visits["parcel"].size == 3  # three inductions, one a re-induction
    check_conservation(res)


def test_module_cycle_within_the_headway_never_misses():
    line = _tiny(diverter_cycle_s=1.0)  # equal to the 1 s headway: ready just in time
    res = simulate_linear(line, _day(["a", "b"] * 20), assignment={"a": "A", "b": "B"})
    assert res.recirculations.sum() == 0


def test_a_full_chute_sends_parcels_to_the_reject_chute_and_overflow_after_max(check_conservation):
    line = _tiny(chute_capacity=1, fill_threshold=1.0, bag_time_s=1000.0, max_recirculations=1)
    res = simulate_linear(line, _day(["a", "a", "a"]), assignment={"a": "A"})
    counts = res.outcome_counts()
    # the first fills A and is bagged for 1000 s; the others are refused twice -> overflow
    assert counts["overflow"] >= 1
    assert res.recirculations.max() == 2
    check_conservation(res)


def test_no_read_is_keyed_and_re_inducted():
    line = _tiny(no_read_prob=0.999, keying_delay_s=100.0)
    res = simulate_linear(line, _day(["a"]), assignment={"a": "A"})
    # to the no-read chute (19 m) at 20 s, keyed at 120 s, carried back by 121 s, handled
    # 121-122 s, slot 122 -> A at 132 s (it reads on the second pass)
    assert res.no_read[0]
    assert res.entry_s[0] == pytest.approx(132.0)
    assert res.outcome_counts()["bagged"] == 1


def test_horizon_leaves_a_no_read_in_no_read_handling(check_conservation):
    line = _tiny(no_read_prob=0.999, keying_delay_s=100.0)
    res = simulate_linear(line, _day(["a"]), assignment={"a": "A"}, horizon_s=50.0)
    assert res.outcome_counts()["no_read"] == 1
    check_conservation(res)


def _ample(num_induction: int, rate: float) -> LinearLine:
    return LinearLine.evenly_spaced(
        20,
        num_induction=num_induction,
        induction_rate_per_h=rate,
        chute_capacity=100_000,
        diverter_cycle_s=0.5,  # below the 0.6 s slot headway: no module ever refuses
        no_read_prob=0.0,
        exception_prob=0.0,
        unload_rate_per_h=math.inf,
    )


def _saturated(n: int, villages: int) -> Arrivals:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, villages, n).astype(np.int32)
    return Arrivals((Truck("T", "X", 0.0, codes),), tuple(f"V{k}" for k in range(villages)))


@pytest.mark.parametrize(
    ("stations", "rate", "expected"),
    [
        (2, 1500.0, 3000.0),  # induction-bound: the sum of the station rates
        (4, 2500.0, 1.5 * 3600 / 0.9),  # belt-bound: 6,000 slots/h, downstream stations starve
    ],
)
def test_saturated_throughput_within_2pct_of_derived_capacity(stations, rate, expected):
    """Derivation in ``linear_capacity_per_h``: min(sum of station rates, speed*3600/(length +
    gap)); a saturated day with ample chutes must sort at that rate."""
    line = _ample(stations, rate)
    assert linear_capacity_per_h(line) == pytest.approx(expected)
    res = simulate_linear(line, _saturated(8000, 20), assignment=ByVolume(), seed=0)
    assert res.summary()["throughput_per_h"] == pytest.approx(expected, rel=0.02)
    assert res.recirculations.sum() == 0
    if expected < stations * rate:
        per_station = np.bincount(res.station, minlength=stations)
        assert per_station[0] > per_station[-1]


def test_one_module_saturated_diverts_one_parcel_in_ceil_cycle_over_headway():
    """All parcels for one module, cycle 1.5 headways: it diverts every second parcel, so
    the module bound is half the belt rate; the misses come back by hand."""
    line = _tiny(diverter_cycle_s=1.5, reinduct_staff=3, chute_capacity=100_000)
    assert linear_module_bound_per_h(line) == pytest.approx(1800.0)
    res = simulate_linear(line, _day(["a"] * 400), assignment={"a": "A"})
    placed = np.sort(res.visits["placed_s"])
    entries = np.sort(res.entry_s[res.chute == res.chute_ids.index("A")])
    assert np.all(np.diff(entries) >= 1.5 - 1e-9)  # the module's cycle is respected
    assert np.all(np.diff(placed) >= 1.0 - 1e-9)  # one parcel per slot
    assert res.recirculations.sum() > 0


def test_md1_wait_at_a_single_station(poisson_arrivals):
    """Poisson arrivals, deterministic handling, a belt that never blocks: M/D/1 waits."""
    rate_h = 2000.0
    mu = rate_h / 3600.0
    rho = 0.7
    line = LinearLine.evenly_spaced(
        4,
        num_induction=1,
        induction_rate_per_h=rate_h,
        chute_capacity=100_000,
        no_read_prob=0.0,
        exception_prob=0.0,
        unload_rate_per_h=math.inf,
        oversize_to_manual=False,
    )
    arr = poisson_arrivals(rho * mu, 40_000, seed=5)
    res = simulate_linear(line, arr, assignment=ByVolume())
    # exact: Lindley's recursion on the same arrival times
    h = 3600.0 / rate_h
    free, waits = 0.0, []
    for a in (t.arrival_s for t in arr.trucks):
        start = max(a, free)
        waits.append(start - a)
        free = start + h
    assert res.induction_wait().mean() == pytest.approx(np.mean(waits), rel=1e-6)
    wq_theory = rho / (2 * mu * (1 - rho))  # Pollaczek-Khinchine (this sample: +6 %)
    assert res.induction_wait().mean() == pytest.approx(wq_theory, rel=0.08)


def test_same_seed_same_records_and_a_small_day_conserves(check_conservation, small_arrivals):
    line = LinearLine.evenly_spaced(12, chute_capacity=10, bagging_operators=2, no_read_prob=0.05)
    arr = small_arrivals(400)
    a = simulate_linear(line, arr, assignment=ByVolume(), seed=3)
    b = simulate_linear(line, arr, assignment=ByVolume(), seed=3)
    for k, v in a.records().items():
        np.testing.assert_array_equal(v, b.records()[k], err_msg=k)
    check_conservation(a, arr)
    c = simulate_linear(line, arr, assignment=ByVolume(), seed=4)
    assert not np.array_equal(a.no_read, c.no_read)
    df = a.to_dataframe()
    assert len(df) == arr.parcels and set(df["outcome"]) <= {"bagged", "exception", "overflow"}


@st.composite
def days(draw):
    n_chutes = draw(st.integers(1, 8))
    line = LinearLine.evenly_spaced(
        n_chutes,
        num_induction=draw(st.integers(1, 3)),
        induction_rate_per_h=draw(st.floats(800, 4000)),
        speed_mps=draw(st.floats(0.5, 2.5)),
        parcel_length_m=draw(st.floats(0.2, 0.8)),
        min_gap_m=draw(st.floats(0.0, 0.6)),
        diverter_cycle_s=draw(st.floats(0.0, 3.0)),
        two_sided=draw(st.booleans()),
        chute_capacity=draw(st.integers(1, 12)),
        fill_threshold=draw(st.floats(0.1, 1.0)),
        max_recirculations=draw(st.integers(0, 3)),
        bagging_operators=draw(st.integers(1, 3)),
        bag_time_s=draw(st.floats(0, 200)),
        reinduct_staff=draw(st.integers(1, 2)),
        reinduct_rate_per_h=draw(st.floats(100, 2000)),
        no_read_prob=draw(st.floats(0, 0.4)),
        keying_delay_s=draw(st.floats(0, 600)),
        exception_prob=draw(st.floats(0, 0.3)),
        oversize_to_manual=draw(st.booleans()),
        unload_ports=draw(st.integers(1, 3)),
        unload_rate_per_h=draw(st.sampled_from([300.0, 750.0, math.inf])),
    )
    n_vill = draw(st.integers(1, 6))
    trucks = []
    for k in range(draw(st.integers(1, 4))):
        n = draw(st.integers(0, 60))
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
    res = simulate_linear(
        line, arrivals, assignment=Random(seed), seed=seed, horizon_s=horizon, cutoffs_s=cutoffs
    )
    check_conservation(res, arrivals)
    s = res.summary()["parcels"]
    if horizon is None:
        assert s["in_system"] == 0 and s["no_read"] == 0
    for cs in res.chutes.values():
        if cs.kind == "village":
            assert cs.max_fill <= line.chute_capacity
    assert np.all(res.recirculations <= line.max_recirculations + 1)
    # one parcel per belt slot: placements at one station are a slot apart at least
    v = res.visits
    for s_ in np.unique(v["station"]):
        placed = np.sort(v["placed_s"][v["station"] == s_])
        assert np.all(np.diff(placed) >= line.slot_s - 1e-6)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(speed_mps=0.0), "speed_mps"),
        (dict(min_gap_m=-0.1), "min_gap_m"),
        (dict(diverter_cycle_s=math.nan), "diverter_cycle_s"),
        (dict(reinduct_staff=0), "reinduct_staff"),
        (dict(chute_capacity=0), "chute_capacity"),
        (dict(scanner_position_m=-1.0), "scanner_position_m"),
        (dict(scanner_position_m=5.0), "chutes[0].position_m"),
    ],
)
def test_bad_values_name_the_field(change, field):
    with pytest.raises(LineError, match=re.escape(f"LinearLine.{field} = ")):
        _tiny(**change)


def test_reject_chute_must_be_last_and_stations_distinct():
    chutes = _tiny().chutes
    with pytest.raises(LineError, match="last position"):
        _tiny(chutes=(*chutes, Chute("Z", 30.0)))
    with pytest.raises(LineError, match="two stations"):
        _tiny(induction=(InductionStation("I1", 0.0), InductionStation("I2", 0.0)))
    with pytest.raises(LineError, match="not a village chute"):
        simulate_linear(_tiny(), _day(["a"]), assignment={"a": "REJ"})


def test_spread_modules_gives_busy_villages_their_own_module_and_fewer_misses():

    from sorter import SpreadModules, VillageInfo

    counts = village_counts(214, 20_000, 0)
    line = LinearLine.evenly_spaced(214, num_induction=3, bagging_operators=6)
    info = [VillageInfo(v, "", float(c)) for v, c in counts.items()]
    spread = SpreadModules().assign(info, line)
    pos = {c.id: c.position_m for c in line.village_chutes}
    busiest = sorted(counts, key=lambda v: (-counts[v], v))
    assert len({pos[spread[v]] for v in busiest[:107]}) == 107  # a module each
    partner = {pos[spread[v]]: v for v in busiest[107:]}
    assert partner[pos[spread[busiest[0]]]] == busiest[-1]  # busiest with the quietest
    assert sorted(spread.values()) == sorted(c.id for c in line.village_chutes)
    # a saturated hour: fewer trips to the reject chute than busiest-nearest (ByVolume)
    rng = np.random.default_rng(0)
    ids = tuple(counts)
    p = np.array([counts[v] for v in ids], dtype=float)
    codes = rng.choice(len(ids), size=9000, p=p / p.sum()).astype(np.int32)
    trucks = tuple(Truck(f"T{k}", "X", 30.0 * k, codes[k * 75 : (k + 1) * 75]) for k in range(120))
    arr = Arrivals(trucks, ids)
    by_volume = simulate_linear(line, arr, assignment=ByVolume().assign(info, line), seed=0)
    spread_run = simulate_linear(line, arr, assignment=spread, seed=0)
    assert spread_run.recirculations.sum() < 0.9 * by_volume.recirculations.sum()


def test_layouts_are_frozen_comparable_and_picklable():
    import pickle

    from sorter import ManualLine

    for layout in (LinearLine.evenly_spaced(12), ManualLine.evenly_spaced(12)):
        assert pickle.loads(pickle.dumps(layout)) == layout
        assert layout.replace(name="x") != layout
        with pytest.raises(AttributeError):
            layout.name = "y"  # type: ignore[misc]
    # a module cycle within the slot headway never binds: the bound is the belt itself
    assert linear_module_bound_per_h(_tiny(diverter_cycle_s=0.5)) == pytest.approx(3600.0)
    assert linear_module_bound_per_h(_tiny(diverter_cycle_s=2.5)) == pytest.approx(1200.0)
