"""Issue 17, loop engine: a scanner per induction zone, shared chutes with a secondary hand
sort, split chutes for big villages. Defaults reproducing the original engine are checked in
test_sorter_line_to_van.py; conservation with these options on in test_sorter_property.py."""

import numpy as np
import pytest

from sorter import (
    Arrivals,
    ByDeparture,
    ByVolume,
    Line,
    LineError,
    Truck,
    capacity_per_h,
    line_capacity_per_h,
    simulate,
    split_chutes,
    split_parts,
)
from sorter.capacity import uniform_zone_capacity_per_h, zone_capacity_per_h
from sorter.synthetic import suichang_like


def _uniform_day(n: int, villages: int, seed: int = 0) -> Arrivals:
    """Every parcel on the dock at 0, destinations uniform over the villages."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, villages, n).astype(np.int32)
    return Arrivals((Truck("T", "X", 0.0, codes),), tuple(f"V{k:02d}" for k in range(villages)))


def _zoned(zones: int, **kw) -> Line:
    base = dict(
        num_induction=4 * zones,
        induction_rate_per_h=2000.0,
        operators=2,
        zones=zones,
        scanners="per_zone",
        chute_capacity=1_000_000,
        bagging_operators=4,
        no_read_prob=0.0,
        exception_prob=0.0,
        oversize_to_manual=False,
        unload_rate_per_h=float("inf"),
    )
    base.update(kw)
    return Line.evenly_spaced(36, **base)  # type: ignore[arg-type]


def _steady_rate(res) -> float:
    """Parcels/h into village chutes between the 10th and 90th percentile of entries."""
    t = np.sort(res.entry_s[np.isfinite(res.entry_s)])
    lo, hi = t[len(t) // 10], t[9 * len(t) // 10]
    return 0.8 * len(t) / (hi - lo) * 3600.0


# ---- a scanner per induction zone ------------------------------------------------------
@pytest.mark.parametrize("zones", [2, 3])
def test_zone_scanners_reach_2k_over_k_plus_1_of_the_carriers(zones):
    line = _zoned(zones)
    f = line.carriers_per_h
    derived = line_capacity_per_h(line)
    # the layout's balance is the closed form for equal segments and uniform destinations
    assert uniform_zone_capacity_per_h(line) == pytest.approx(2 * zones / (zones + 1) * f)
    assert derived == pytest.approx(uniform_zone_capacity_per_h(line), rel=0.01)
    assert capacity_per_h(line) == derived
    res = simulate(line, _uniform_day(int(1.5 * derived), 36), assignment=ByVolume(), seed=0)
    assert _steady_rate(res) == pytest.approx(derived, rel=0.02)
    assert res.summary()["recirculation_rate"] == 0.0
    # one scanner on the same loop: one parcel per carrier per lap at most
    single = simulate(
        line.replace(scanners="single"), _uniform_day(int(1.5 * f), 36), assignment=ByVolume()
    )
    assert _steady_rate(single) <= 1.005 * f
    assert line_capacity_per_h(line.replace(scanners="single")) == pytest.approx(f)


def test_per_zone_on_a_one_zone_loop_changes_nothing():
    line, arr = suichang_like(3000, 2)
    a = simulate(line, arr, assignment=ByVolume(), seed=4)
    b = simulate(line.replace(scanners="per_zone"), arr, assignment=ByVolume(), seed=4)
    for f in ("outcome", "entry_s", "bag_s", "induct_s", "station", "recirculations"):
        assert np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True), f


def test_zones_and_their_scanners():
    line = _zoned(3)
    assert line.zones == (("I1", "I2", "I3", "I4"), ("I5", "I6", "I7", "I8"),
                          ("I9", "I10", "I11", "I12"))  # fmt: skip
    scan = line.zone_scanners_m()
    assert scan["I1"] == line.scanner_position_m
    pos = {s.name: s.position_m for s in line.induction}
    assert scan["I8"] - pos["I8"] == pytest.approx(scan["I4"] - pos["I4"])
    # a slow zone leaves its empties to the next one: the balance, not the closed form
    slow = line.replace(
        induction=tuple(
            s
            if s.name not in ("I5", "I6", "I7", "I8")
            else s.__class__(s.name, s.position_m, 500.0)
            for s in line.induction
        )
    )
    per = zone_capacity_per_h(slow)
    assert sum(per[f"I{k}"] for k in (5, 6, 7, 8)) == pytest.approx(2000.0)
    assert sum(per.values()) < line_capacity_per_h(line)


def test_a_zone_scanner_past_a_chute_is_refused():
    line = _zoned(2)
    with pytest.raises(LineError, match=r"Line.scanners = 'per_zone': zone 1 .* past chute"):
        line.replace(scanner_position_m=line.chutes[3].position_m + 0.5)
    with pytest.raises(LineError, match=r"Line\.scanners = 'both'"):
        line.replace(scanners="both")


# ---- shared chutes: the secondary hand sort --------------------------------------------
def _shared_line(**kw) -> Line:
    base = dict(
        num_induction=1,
        induction_rate_per_h=3600.0,
        chute_capacity=4,
        bagging_operators=1,
        bag_time_s=60.0,
        no_read_prob=0.0,
        exception_prob=0.0,
        oversize_to_manual=False,
        unload_rate_per_h=float("inf"),
        secondary_sort_staff=1,
        secondary_sort_rate_per_h=360.0,  # 10 s a parcel
        max_recirculations=1000,
    )
    base.update(kw)
    return Line.evenly_spaced(2, **base)  # type: ignore[arg-type]


def test_secondary_sort_queue_by_hand(check_conservation):
    """Two villages on C001 (8 parcels: two full bags), one on C002 (2 parcels).

    Bag 1 of C001 (its first 4 parcels) is tied at b1, bag 2 at b2 > b1 + 40: one person
    sorts bag 1 from b1, its parcels out at b1 + 10, 20, 30, 40, then bag 2 from b2. C002's
    parcels skip the sort: ready when bagged.
    """
    codes = np.array([0, 1, 0, 1, 0, 1, 0, 1, 2, 2], dtype=np.int32)
    arr = Arrivals((Truck("T", "X", 0.0, codes),), ("A", "B", "Z"))
    line = _shared_line()
    res = simulate(line, arr, assignment={"A": "C001", "B": "C001", "Z": "C002"}, seed=0)
    check_conservation(res, arr)
    log = res.bag_log
    c001 = [r for r in log.tolist() if r[0] == res.chute_ids.index("C001")]
    assert [r[3] for r in c001] == [4, 4]
    (b1, b2) = (c001[0][2], c001[1][2])
    assert b2 > b1 + 40
    sec = res.queues["secondary"]
    assert sec["parcel"].size == 8
    assert sec["start_s"].tolist() == pytest.approx([b1 + 10 * k for k in range(4)]
                                                    + [b2 + 10 * k for k in range(4)])  # fmt: skip
    ready = res.parcel_ready_s
    in_bag1 = sec["parcel"][:4]
    assert sorted(ready[in_bag1].tolist()) == pytest.approx([b1 + 10, b1 + 20, b1 + 30, b1 + 40])
    z = np.flatnonzero(res.village == 2)
    assert np.array_equal(ready[z], res.bag_s[z])
    assert res.village_ready_s["A"] == pytest.approx(b2 + 30)  # its last parcel is 3rd of 4
    assert res.village_ready_s["B"] == pytest.approx(b2 + 40)
    # bag 2 waits when two bags are tied at once and there is one person
    assert res.queue_wait("secondary").values.min() == 0.0


def test_secondary_sort_with_two_people_and_a_horizon(check_conservation):
    codes = np.array([0, 1] * 8, dtype=np.int32)
    arr = Arrivals((Truck("T", "X", 0.0, codes),), ("A", "B"))
    line = _shared_line(chute_capacity=8, secondary_sort_staff=2)
    res = simulate(line, arr, assignment={"A": "C001", "B": "C001"}, seed=0)
    sec = res.queues["secondary"]
    busy = res.queue_busy("secondary")
    assert busy.max() == 2  # bag 2 is tied while bag 1 is still being sorted
    # the horizon falls inside the sort: those parcels are in the system, not bagged
    cut = float(sec["end_s"][len(sec["end_s"]) // 2])
    part = simulate(line, arr, assignment={"A": "C001", "B": "C001"}, seed=0, horizon_s=cut)
    check_conservation(part, arr)
    c = part.outcome_counts()
    assert 0 < c["bagged"] < 16 and c["in_system"] == 16 - c["bagged"]


def test_without_secondary_staff_a_shared_bag_is_ready_when_tied():
    codes = np.array([0, 1] * 4, dtype=np.int32)
    arr = Arrivals((Truck("T", "X", 0.0, codes),), ("A", "B"))
    res = simulate(_shared_line(secondary_sort_staff=0), arr, assignment={"A": "C001", "B": "C001"})
    assert "secondary" not in res.queues and res.ready_s.size == 0
    assert np.array_equal(res.parcel_ready_s, res.bag_s, equal_nan=True)


def test_bad_secondary_fields():
    with pytest.raises(LineError, match=r"Line.secondary_sort_staff = -1"):
        _shared_line(secondary_sort_staff=-1)
    with pytest.raises(LineError, match=r"Line.secondary_sort_rate_per_h = 0"):
        _shared_line(secondary_sort_rate_per_h=0)


# ---- split chutes ----------------------------------------------------------------------
def _big_and_small() -> tuple[Line, Arrivals]:
    """One village of 600 parcels and 9 of 20, through 40-parcel chutes in a rush."""
    line = Line.evenly_spaced(
        12,
        num_induction=4,
        chute_capacity=40,
        bagging_operators=2,
        no_read_prob=0.0,
        exception_prob=0.0,
        oversize_to_manual=False,
        unload_rate_per_h=float("inf"),
        max_recirculations=50,
    )
    codes = np.concatenate([np.zeros(600), np.repeat(np.arange(1, 10), 20)]).astype(np.int32)
    codes = np.random.default_rng(1).permutation(codes)
    return line, Arrivals((Truck("T", "X", 0.0, codes),), tuple(f"V{k}" for k in range(10)))


def test_split_chutes_cut_the_big_villages_recirculation(check_conservation):
    line, arr = _big_and_small()
    one = {f"V{k}": f"C{k + 1:03d}" for k in range(10)}
    res1 = simulate(line, arr, assignment=one, seed=0)
    split = line.replace(chute_groups=(("C012", "C001", "C011"),))
    res3 = simulate(split, arr, assignment=one, seed=0)
    check_conservation(res1, arr)
    check_conservation(res3, arr)
    big1 = int(res1.recirculations[res1.village == 0].sum())
    big3 = int(res3.recirculations[res3.village == 0].sum())
    assert big1 > 100 and big3 < big1 / 3
    # the group in the order a parcel meets the chutes after the scanner
    assert res3.chute_groups == {"V0": ("C001", "C011", "C012")}
    assert res3.village_chutes["V0"] == ("C001", "C011", "C012")
    assert res3.village_chutes["V1"] == ("C002",)
    into = np.bincount(res3.chute[res3.village == 0], minlength=len(res3.chute_ids))
    assert all(into[res3.chute_ids.index(c)] > 0 for c in ("C001", "C011", "C012"))
    # a refusal that passes the parcel to the next chute of its village is no recirculation
    assert res3.refusals.sum() > res3.recirculations.sum()
    # mapped to any chute of the group, a village has the whole group
    res_any = simulate(split, arr, assignment=one | {"V0": "C011"}, seed=0)
    assert res_any.assignment["V0"] == "C001"
    assert np.array_equal(res_any.entry_s, res3.entry_s, equal_nan=True)


def test_split_chutes_give_big_villages_spare_chutes(check_conservation):
    line, arr = _big_and_small()
    one = {f"V{k}": f"C{k + 1:03d}" for k in range(10)}
    volumes = {"V0": 600.0} | {f"V{k}": 20.0 for k in range(1, 10)}
    assert split_parts(600.0, 250.0) == 3 and split_parts(250.0, 250.0) == 1
    got = split_chutes(line, one, volumes, 250.0)
    assert got.chute_groups == (("C001", "C011", "C012"),)
    res = simulate(got, arr, assignment=one, seed=0)
    check_conservation(res, arr)
    with pytest.raises(LineError, match=r"1 villages need 2 more chutes; the line has 1 spare"):
        split_chutes(line, one | {"V10": "C011"}, volumes, 250.0)
    with pytest.raises(LineError, match=r"above = 0: must be a finite number > 0"):
        split_chutes(line, one, volumes, 0)


@pytest.mark.parametrize(
    ("groups", "match"),
    [
        ((("C001",),), r"chute_groups\[0\] = \('C001',\): must be a tuple of two or more"),
        ((("C001", "C001"),), "chute 'C001' twice"),
        ((("C001", "C002"), ("C002", "C003")), r"chute 'C002' also in chute_groups\[0\]"),
        ((("C001", "NR"),), "'NR' is not a village chute"),
    ],
)
def test_bad_chute_groups(groups, match):
    line, _ = _big_and_small()
    with pytest.raises(LineError, match=match):
        line.replace(chute_groups=groups)


def test_split_chutes_with_wave_end_and_departure_order(check_conservation):
    """Wave-end calls count a village's chutes together; departure ranks cover them all."""
    line, arr = _big_and_small()
    line = line.replace(chute_groups=(("C001", "C011", "C012"),))
    one = {f"V{k}": f"C{k + 1:03d}" for k in range(10)}
    order = tuple(f"V{k}" for k in range(10))
    for bagging in ("wave_end", ByDeparture(order)):
        res = simulate(line, arr, assignment=one, bagging=bagging, seed=0, final_sweep=False)
        check_conservation(res, arr)
        assert res.outcome_counts()["bagged"] == arr.parcels


def test_a_shared_group_goes_through_the_secondary_sort(check_conservation):
    line, arr = _big_and_small()
    line = line.replace(chute_groups=(("C001", "C011"),), secondary_sort_staff=2)
    mapping = {f"V{k}": f"C{k + 1:03d}" for k in range(10)} | {"V1": "C011"}
    res = simulate(line, arr, assignment=mapping, seed=0)
    check_conservation(res, arr)
    sec = res.queues["secondary"]
    assert set(res.village[sec["parcel"]].tolist()) == {0, 1}
    assert set(np.array(res.chute_ids)[res.chute[sec["parcel"]]]) == {"C001", "C011"}


def test_split_chutes_with_zone_scanners(check_conservation):
    """Each parcel of a split village goes to the first of its chutes after its own zone's
    scanner: C001 (zone 1's segment) from zone 1, C031 (zone 2's) from zone 2."""
    line = _zoned(2, chute_groups=(("C001", "C031"),))
    arr = _uniform_day(3000, 30)
    one = {f"V{k:02d}": f"C{k + 1:03d}" for k in range(30)}
    res = simulate(line, arr, assignment=one, seed=0)
    check_conservation(res, arr)
    assert res.outcome_counts()["bagged"] == 3000
    v0 = res.village == 0
    zone2 = np.isin(res.station, [4, 5, 6, 7])
    chute = np.array(res.chute_ids)[res.chute]
    assert set(chute[v0 & zone2]) == {"C031"} and set(chute[v0 & ~zone2]) == {"C001"}
    tight = simulate(
        line.replace(chute_capacity=10, bagging_operators=1, max_recirculations=20),
        arr,
        assignment=one,
        seed=0,
    )
    check_conservation(tight, arr)


def test_zone_capacity_follows_the_destination_shares():
    """Skewed destinations (lognormal shares over 36 chutes, 3 zones): the balance with the
    shares, not the closed form, is what the simulated line reaches."""
    line = _zoned(3)
    rng = np.random.default_rng(3)
    w = rng.lognormal(0.0, 1.0, 36)
    w /= w.sum()
    mapping = {f"V{k:02d}": f"C{k + 1:03d}" for k in range(36)}
    shares = {f"C{k + 1:03d}": float(w[k]) for k in range(36)}
    derived = capacity_per_h(line, shares)
    assert derived < 0.97 * uniform_zone_capacity_per_h(line)
    codes = rng.choice(36, size=int(1.5 * derived), p=w).astype(np.int32)
    arr = Arrivals((Truck("T", "X", 0.0, codes),), tuple(mapping))
    res = simulate(line, arr, assignment=mapping, seed=0)
    assert _steady_rate(res) == pytest.approx(derived, rel=0.02)
    with pytest.raises(LineError, match="need shares >= 0"):
        zone_capacity_per_h(line, {"C001": -1.0})
