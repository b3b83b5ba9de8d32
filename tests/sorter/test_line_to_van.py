"""Issue 14, sorter side: bagging policies, docks, staffed queues, sizes, van loading.

Hand-checked cases here; queueing theory in test_sorter_theory.py; conservation with the new
options on in test_sorter_property.py.
"""

import itertools
from dataclasses import dataclass

import numpy as np
import pytest

from sorter import (
    CARTONS,
    Arrivals,
    BaggingPolicy,
    ByDeparture,
    ByVolume,
    ChuteJam,
    Line,
    LineError,
    LineStoppage,
    ParcelMix,
    RoundToLoad,
    ScannerOutage,
    SizeClass,
    StationUnstaffed,
    Truck,
    WaveEnd,
    departure_loop,
    load_vans,
    simulate,
)
from sorter.servers import fifo_servers
from sorter.synthetic import suichang_like

H = 3600.0


# ---- defaults reproduce the original model ---------------------------------------------
@pytest.fixture(scope="session")
def _original_cases(small_arrivals, small_line):  # type: ignore[no-untyped-def]
    def _original_cases():
        arr = small_arrivals(400)
        yield "basic", small_line(no_read_prob=0.05, exception_prob=0.02), arr, {"seed": 11}
        faults = (
            LineStoppage(1800.0, 300.0),
            StationUnstaffed("I1", 5 * H, 6 * H),
            ChuteJam("C001", 5 * H, 7 * H),
            ScannerOutage(5.2 * H, 5.3 * H),
        )
        line = small_line(
            chute_capacity=3, bagging_operators=1, bag_time_s=90.0, max_recirculations=1,
            no_read_prob=0.05,
        )  # fmt: skip
        yield "faults", line, arr, {"seed": 3, "faults": faults}
        line = small_line(no_read_prob=0.3, keying_delay_s=3600.0)
        yield "horizon", line, arr, {"seed": 2, "horizon_s": 5.2 * H}
        line, arr = suichang_like(5000, 4)
        yield "suichang5k", line, arr, {"seed": 1}

    return _original_cases


# sha256 prefixes of the same runs on the original engine (commit f8b8f57, before issue 14)
ORIGINAL = {
    "basic": "2918bd6c75a4a728",
    "faults": "756d4509bbea20c5",
    "horizon": "896fb57468a26181",
    "suichang5k": "a55803f0298df714",
}


@pytest.mark.parametrize("case", list(ORIGINAL))
def test_defaults_reproduce_the_original_engine(_original_cases, result_digest, case):
    name, line, arr, kw = next(c for c in _original_cases() if c[0] == case)
    res = simulate(line, arr, assignment=ByVolume(), **kw)
    assert result_digest(res) == ORIGINAL[name]
    # sizes come from their own stream: asking for another mix changes no other array
    other = simulate(
        line, arr, assignment=ByVolume(), parcel_mix=ParcelMix((SizeClass("x", 1.0, 1.0),)), **kw
    )
    assert result_digest(other) == ORIGINAL[name]
    assert res.bagging == "when_full" and res.summary()["reinducted"] == 0


# ---- bagging policies ------------------------------------------------------------------
def _one_truck(villages: list[int], n_villages: int, t: float = 0.0, tid: str = "T") -> Truck:
    return Truck(tid, "X", t, np.array(villages, dtype=np.int32))


def _quiet_line(**kw) -> Line:
    base = dict(
        num_induction=1,
        induction_rate_per_h=3600.0,
        chute_capacity=1000,
        bagging_operators=1,
        bag_time_s=60.0,
        no_read_prob=0.0,
        exception_prob=0.0,
        unload_rate_per_h=float("inf"),
    )
    base.update(kw)
    return Line.evenly_spaced(4, **base)


def test_wave_end_bags_a_chute_when_its_last_parcel_of_the_wave_arrives(
    check_conservation, small_arrivals, small_line
):
    line = small_line(bagging_operators=50, chute_capacity=1000, no_read_prob=0.02)
    arr = small_arrivals(600)
    late = simulate(line, arr, assignment=ByVolume(), seed=4)
    res = simulate(line, arr, assignment=ByVolume(), seed=4, bagging="wave_end")
    check_conservation(res, arr)
    loop = (res.outcome == 1) & ~res.oversize
    for c in {res.chute[i] for i in np.flatnonzero(loop)}:
        w1 = loop & (res.chute == c) & (res.wave == 0)
        last = np.flatnonzero(w1)[np.argmax(res.entry_s[w1])]
        # ample operators: the bag of the wave's last parcel starts the moment it arrives
        assert res.bag_s[last] == pytest.approx(res.entry_s[last] + line.bag_time_s)
        assert res.bag_s[last] < 8.5 * H  # before the cut-off, which is only the latest
    # when_full waits for the 08:30 sweep: wave-1 ready times come much later
    r_late = np.median(list(late.village_ready_by_wave["w1"].values()))
    r_end = np.median(list(res.village_ready_by_wave["w1"].values()))
    assert r_late >= 8.5 * H > r_end + 1800


def test_by_departure_readies_the_first_rounds_villages_first():
    """Hand-checked: one operator, 60 s a bag, four chutes completing one second apart.

    V0..V3 each get one parcel, inducted at 1 s intervals in that order, so chute V0 is
    complete first and bagged at once (operator free). V1, V2, V3 complete while the
    operator is busy. Round A = (V2, V3) leaves first, round B = (V0, V1) second.
    by_departure takes V2, V3, then V1; first come first served (wave_end) takes V1, V2, V3.
    """
    villages = ("V0", "V1", "V2", "V3")
    arr = Arrivals((_one_truck([0, 1, 2, 3], 4),), villages)
    line = _quiet_line()
    chute_of = {v: line.village_chutes[k].id for k, v in enumerate(villages)}
    order = ("V2", "V3", "V0", "V1")
    dep = simulate(line, arr, assignment=chute_of, bagging=ByDeparture(order))
    fifo = simulate(line, arr, assignment=chute_of, bagging=WaveEnd())
    t0 = dep.entry_s[0]  # V0's parcel enters its chute
    assert np.all(np.diff(dep.entry_s) > 0) and dep.entry_s[3] < t0 + 60  # all while busy
    r = dep.village_ready_s
    assert [r[v] for v in ("V0", "V2", "V3", "V1")] == pytest.approx(
        [t0 + 60, t0 + 120, t0 + 180, t0 + 240]
    )
    f = fifo.village_ready_s
    assert [f[v] for v in villages] == pytest.approx([t0 + 60, t0 + 120, t0 + 180, t0 + 240])
    # round A's last village is ready 60 s earlier than under first come first served
    assert max(r["V2"], r["V3"]) == pytest.approx(t0 + 180)
    assert max(f["V2"], f["V3"]) == pytest.approx(t0 + 240)
    assert max(r["V2"], r["V3"]) < max(r["V0"], r["V1"])


@dataclass(frozen=True)
class SweepInDepartureOrder:
    """A user policy: no wave-end calls, but the cut-off sweep in departure order."""

    order: tuple[str, ...]
    name: str = "sweep_by_departure"
    wave_end: bool = False

    def chute_ranks(self, assignment, chute_ids):
        return ByDeparture(self.order).chute_ranks(assignment, chute_ids)


def test_cut_off_sweep_goes_in_chute_order_or_in_the_policys_order():
    """Nothing is called before the 01:00 cut-off (ample chutes): the sweep calls all four;
    the one operator bags them 60 s each, in chute order or in the policy's order."""
    villages = ("V0", "V1", "V2", "V3")
    arr = Arrivals((_one_truck([0, 1, 2, 3], 4),), villages)
    line = _quiet_line()
    chute_of = {v: line.village_chutes[k].id for k, v in enumerate(villages)}
    kw = {"assignment": chute_of, "cutoffs_s": [3600.0], "final_sweep": False}
    r = simulate(line, arr, **kw).village_ready_s
    assert [r[v] for v in villages] == pytest.approx([3660.0, 3720.0, 3780.0, 3840.0])
    policy = SweepInDepartureOrder(("V2", "V3", "V0", "V1"))
    assert isinstance(policy, BaggingPolicy)
    res = simulate(line, arr, bagging=policy, **kw)
    r = res.village_ready_s
    assert [r[v] for v in ("V2", "V3", "V0", "V1")] == pytest.approx([3660, 3720, 3780, 3840])
    assert res.bagging == "sweep_by_departure"


def test_bagging_policy_validation(small_arrivals, small_line):
    with pytest.raises(LineError, match="bagging = 'asap'"):
        simulate(small_line(), small_arrivals(20), assignment=ByVolume(), bagging="asap")
    with pytest.raises(LineError, match=r"ByDeparture.order\[1\] = 'V1': village listed twice"):
        ByDeparture(("V1", "V1"))


# ---- unloading per dock ----------------------------------------------------------------
def test_per_dock_unloading_hand_checked(check_conservation, small_line):
    """2 docks at 750 parcels/h. T1 (750 parcels) and T2 (375) arrive at 0, T3 (750) at
    600 s. Per dock: T1 dock 0, 0-3600 s; T2 dock 1, 0-1800 s; T3 waits for dock 1 from 600
    to 1800 s and unloads until 5400 s. Pooled (1,500/h): T1 0-1800, T2 1800-2700, T3
    2700-4500, so the lone truck T1 empties twice as fast as it can at one dock."""
    trucks = (
        Truck("T1", "A", 0.0, np.zeros(750, np.int32)),
        Truck("T2", "B", 0.0, np.zeros(375, np.int32)),
        Truck("T3", "C", 600.0, np.zeros(750, np.int32)),
    )
    arr = Arrivals(trucks, ("V0",))
    line = small_line(unload_ports=2, unload_rate_per_h=750.0, chute_capacity=1000)
    dock = simulate(line.replace(unloading="per_dock"), arr, assignment=ByVolume())
    pool = simulate(line, arr, assignment=ByVolume())
    assert dock.truck_dock.tolist() == [0, 1, 1]
    assert dock.truck_unload_start_s.tolist() == [0.0, 0.0, 1800.0]
    assert dock.truck_unload_end_s.tolist() == pytest.approx([3600.0, 1800.0, 5400.0])
    assert dock.truck_wait_s == {"T1": 0.0, "T2": 0.0, "T3": 1200.0}
    assert dock.summary()["max_truck_wait_s"] == 1200.0
    assert dock.available_s[749] == pytest.approx(3600.0)  # T1's last parcel
    assert dock.available_s[0] == pytest.approx(4.8)  # 750/h = 4.8 s a parcel
    assert pool.truck_dock.tolist() == [-1, -1, -1]
    assert pool.truck_unload_end_s.tolist() == pytest.approx([1800.0, 2700.0, 4500.0])
    assert pool.truck_wait_s["T3"] == pytest.approx(2100.0)
    check_conservation(dock, arr)
    # the docks overlap, so the induction queue takes parcels in time order, not truck order
    v = dock.visits
    first = np.unique(v["parcel"], return_index=True)[1]
    assert np.all(np.diff(v["arrived_s"][np.sort(first)]) >= 0)


def test_fifo_servers_matches_hand_computation():
    start, which = fifo_servers(np.array([0.0, 0.0, 0.0, 10.0, 100.0]), 30.0, 2)
    assert start.tolist() == [0.0, 0.0, 30.0, 30.0, 100.0]
    assert which.tolist() == [0, 1, 0, 1, 0]


# ---- nothing left behind ---------------------------------------------------------------
def test_overflow_is_reinducted_and_reaches_its_chute(
    check_conservation, small_arrivals, small_line
):
    line = small_line(chute_capacity=1, bagging_operators=1, bag_time_s=120.0, max_recirculations=0)
    arr = small_arrivals(200)
    lost = simulate(line, arr, assignment=ByVolume(), seed=1)
    assert lost.summary()["parcels"]["overflow"] > 0
    kept = simulate(
        line.replace(reinduct_overflow=True, reinduct_staff=2, reinduct_s=15.0),
        arr,
        assignment=ByVolume(),
        seed=1,
    )
    check_conservation(kept, arr)
    s = kept.summary()
    assert s["parcels"]["overflow"] == 0
    assert s["parcels"]["bagged"] + s["parcels"]["exception"] == arr.parcels
    assert s["reinducted"] > 0 and kept.reinducted.max() >= 1
    q = kept.queues["reinduct"]
    assert q["parcel"].size == s["reinducted"]
    # a re-inducted parcel starts again at most 2 people at a time, 15 s each
    assert kept.queue_busy("reinduct").max() <= 2
    assert q["end_s"] - q["start_s"] == pytest.approx(np.full(q["parcel"].size, 15.0))
    # and it went round again: its chute entry is after its re-induction
    back = q["parcel"]
    assert np.all(kept.entry_s[back] >= q["end_s"])


def test_manual_staff_hand_checked(small_line):
    """Four oversize parcels unloaded at t=0 (instant unloading), 2 people, 30 s each: two
    are in their cage at 30 s, two at 60 s."""
    t = Truck("T", "X", 0.0, np.zeros(4, np.int32), np.ones(4, bool))
    arr = Arrivals((t,), ("V0",))
    line = small_line(unload_rate_per_h=float("inf"), manual_staff=2, manual_sort_s=30.0)
    res = simulate(line, arr, assignment=ByVolume())
    assert res.bag_s.tolist() == [30.0, 30.0, 60.0, 60.0]
    assert res.queue_wait("manual").values.tolist() == [0.0, 0.0, 30.0, 30.0]
    unlimited = simulate(line.replace(manual_staff=None), arr, assignment=ByVolume())
    assert unlimited.bag_s.tolist() == [30.0] * 4


def test_keyers_are_a_queue_not_a_delay(check_conservation, small_arrivals, small_line):
    line = small_line(no_read_prob=0.5, keying_delay_s=60.0, keyers=1)
    arr = small_arrivals(300)
    res = simulate(line, arr, assignment=ByVolume(), seed=5)
    check_conservation(res, arr)
    q = res.queues["keying"]
    assert q["parcel"].size == int(res.no_read.sum())
    # one keyer: services never overlap, and someone waited
    order = np.argsort(q["start_s"])
    assert np.all(np.diff(q["start_s"][order]) >= 60.0 - 1e-9)
    assert res.queue_wait("keying").max() > 0
    free = simulate(line.replace(keyers=None), arr, assignment=ByVolume(), seed=5)
    assert free.queue_wait("keying").max() == 0.0

    def keyed_delay(r):
        nr = r.no_read & (r.outcome == 1) & ~r.oversize
        return float(np.mean(r.entry_s[nr] - r.available_s[nr]))

    assert keyed_delay(res) > keyed_delay(free) + 10.0


def test_line_validation_of_new_fields(small_line):
    for field, value, msg in [
        ("unloading", "fast", "Line.unloading = 'fast'"),
        ("keyers", 0, "Line.keyers = 0"),
        ("manual_staff", 1.5, "Line.manual_staff = 1.5"),
        ("reinduct_staff", 0, "Line.reinduct_staff = 0"),
        ("reinduct_s", -1.0, "Line.reinduct_s = -1.0"),
    ]:
        with pytest.raises(LineError, match=msg.replace(".", r"\.")):
            small_line(**{field: value})


# ---- parcel sizes ----------------------------------------------------------------------
def test_size_classes_give_litres_per_parcel_and_village():
    line, arr = suichang_like(20_000, 0)
    res = simulate(line, arr, assignment=ByVolume(), seed=1)
    assert res.size_class_names == ("9号", "7号", "5号", "3号", "1号")
    lit = res.litres
    assert lit.shape == (res.parcels,)
    assert set(np.unique(lit)) <= {2.8, 4.8, 9.4, 24.4, 56.9}
    shares = np.bincount(res.size_class, minlength=5) / res.parcels
    assert shares == pytest.approx(CARTONS.shares, abs=0.01)
    assert lit.mean() == pytest.approx(CARTONS.mean_litres(), rel=0.03)
    assert np.median(lit) == 4.8  # PARAMETERS.md: median about 5 L
    vl = res.village_litres
    ok = res.outcome == 1
    assert sum(vl.values()) == pytest.approx(lit[ok].sum())
    assert res.summary()["litres_bagged"] == pytest.approx(lit[ok].sum())
    again = simulate(line, arr, assignment=ByVolume(), seed=1)
    assert np.array_equal(again.size_class, res.size_class)
    other = simulate(line, arr, assignment=ByVolume(), seed=2)
    assert not np.array_equal(other.size_class, res.size_class)


def test_parcel_mix_validation():
    with pytest.raises(LineError, match=r"classes\[0\]\.litres = -1"):
        ParcelMix((SizeClass("a", -1, 1.0),))
    with pytest.raises(LineError, match="duplicate"):
        ParcelMix((SizeClass("a", 1, 1.0), SizeClass("a", 2, 1.0)))
    with pytest.raises(LineError, match="positive sum"):
        ParcelMix((SizeClass("a", 1, 0.0),))


# ---- van loading at docks --------------------------------------------------------------
def test_loading_hand_checked_day():
    """2 docks, 3 loaders (crews 2 and 1), 300 parcels/h each.

    R1 = A (60 parcels, ready 07:00) + B (30, 07:10), planned first: ready 07:10; dock 0
    (600/h) loads 90 parcels in 9 min -> leaves 07:19 (dock 1 would take 18 min).
    R2 = C (90, ready 07:05): dock 0 is free at 07:19 (-> 07:28), dock 1 now (-> 07:23):
    dock 1, 07:05-07:23.
    R3 = D (60, ready 07:00): dock 0 from 07:19 for 6 min -> 07:25; dock 1 from 07:23 for
    12 min -> 07:35: dock 0, waiting 19 min for it.
    """
    m = 60.0
    h7 = 7 * H
    ready = {"A": h7, "B": h7 + 10 * m, "C": h7 + 5 * m, "D": h7, "E": h7 + 99 * m}
    parcels = {"A": 60, "B": 30, "C": 90, "D": 60}
    rounds = [
        RoundToLoad("R3", ("D",), planned_departure_s=h7 + 40 * m),
        RoundToLoad("R1", ("A", "B"), planned_departure_s=h7 + 20 * m),
        RoundToLoad("R2", ("C",), planned_departure_s=h7 + 30 * m),
    ]
    lo = load_vans(rounds, ready, parcels, docks=2, loaders=3, litres={"A": 600.0, "B": 60.0})
    got = {r.name: (r.dock, r.loaders, r.start_s, r.departure_s) for r in lo.rounds}
    assert [r.name for r in lo.rounds] == ["R1", "R2", "R3"]
    assert got["R1"] == (0, 2, h7 + 10 * m, pytest.approx(h7 + 19 * m))
    assert got["R2"] == (1, 1, h7 + 5 * m, pytest.approx(h7 + 23 * m))
    assert got["R3"] == (0, 2, pytest.approx(h7 + 19 * m), pytest.approx(h7 + 25 * m))
    r3 = lo.by_name()["R3"]
    assert r3.dock_wait_s == pytest.approx(19 * m) and r3.loading_s == pytest.approx(6 * m)
    assert lo.by_name()["R1"].litres == 660.0 and lo.by_name()["R1"].cages == 2
    for r in lo.rounds:  # what the checker will verify: departure >= ready + loading
        assert r.departure_s >= r.ready_s + r.parcels * 3600 / (r.loaders * 300) - 1e-9
    s = lo.summary()
    assert s["first_departure_s"] == pytest.approx(h7 + 19 * m)
    assert s["last_departure_s"] == pytest.approx(h7 + 25 * m)
    assert len(lo.records()) == 3 and lo.records()[0]["loading_s"] == pytest.approx(9 * m)
    # a van that is not back yet cannot be loaded; one loader a dock halves the crews
    late = load_vans(
        [RoundToLoad("R1", ("A", "B"), earliest_s=h7 + 30 * m)], ready, parcels,
        docks=1, loaders=1,
    )  # fmt: skip
    assert late.rounds[0].start_s == h7 + 30 * m
    assert late.rounds[0].departure_s == pytest.approx(h7 + 48 * m)


def test_loading_validation():
    with pytest.raises(LineError, match="loaders = 1: need at least one per dock"):
        load_vans([], {}, {}, docks=2, loaders=1)
    with pytest.raises(LineError, match="docks = 0"):
        load_vans([], {}, {}, docks=0, loaders=1)
    with pytest.raises(LineError, match="load_rate_per_h = 0"):
        load_vans([], {}, {}, docks=1, loaders=1, load_rate_per_h=0)
    with pytest.raises(LineError, match="'R' appears twice"):
        load_vans([RoundToLoad("R", ()), RoundToLoad("R", ())], {}, {}, docks=1, loaders=1)
    assert load_vans([], {}, {}, docks=1, loaders=1).summary() == {"rounds": 0}


def test_loading_from_a_sorting_day():
    line, arr = suichang_like(5000, 1)
    res = simulate(line, arr, assignment=ByVolume(), seed=1, bagging="wave_end")
    ready = res.village_ready_by_wave["w1"]
    vs = sorted(ready)
    rounds = [RoundToLoad(f"R{k}", tuple(vs[k::8])) for k in range(8)]
    lo = load_vans(rounds, ready, res.village_sorted, docks=3, loaders=6, litres=res.village_litres)
    for r in lo.rounds:
        assert r.start_s >= max(ready[v] for v in rounds[int(r.name[1:])].villages)
        assert r.departure_s - r.start_s == pytest.approx(r.parcels * 3600 / (2 * 300))
    # a dock holds one van at a time
    for d in range(3):
        spans = sorted((r.start_s, r.departure_s) for r in lo.rounds if r.dock == d)
        assert all(a[1] <= b[0] + 1e-9 for a, b in itertools.pairwise(spans))


# ---- the sorter <-> rounds loop ---------------------------------------------------------
def _four_chutes():
    villages = ("V0", "V1", "V2", "V3")
    arr = Arrivals((_one_truck([0, 1, 2, 3], 4),), villages)
    line = _quiet_line()
    chute_of = {v: line.village_chutes[k].id for k, v in enumerate(villages)}
    return line, arr, chute_of


def test_departure_loop_converges_and_logs_each_pass():
    """Round A = (V2, V3) is far away and must leave as soon as it is ready, round B =
    (V0, V1) leaves at 10:00 whatever. Pass 1 (wave_end) readies V0..V3 in chute order;
    A's planned departure (its last ready time) is still before 10:00, so the order is
    A first: (V2, V3, V0, V1). Pass 2 bags in that order, the plan's order is unchanged:
    converged after two passes, and A is complete 60 s earlier than in pass 1 (V0 is still
    bagged first: the operator is idle when its chute completes)."""
    line, arr, chute_of = _four_chutes()
    sorts = []

    def sort(policy):
        res = simulate(line, arr, assignment=chute_of, bagging=policy)
        sorts.append(res)
        return res

    def plan(res):
        r = res.village_ready_s
        rounds = [(max(r["V2"], r["V3"]), ("V2", "V3")), (10 * H, ("V0", "V1"))]
        return {"A": rounds[0][0]}, rounds

    lines: list[str] = []
    loop = departure_loop(sort, plan, log=lines.append)
    assert loop.converged and len(loop.passes) == 2 and len(sorts) == 2
    assert [p.bagging for p in loop.passes] == ["wave_end", "by_departure"]
    assert loop.passes[0].changed and not loop.passes[1].changed
    assert loop.passes[1].order == ("V2", "V3", "V0", "V1")
    assert loop.sort is sorts[-1] and loop.plan["A"] < sorts[0].village_ready_s["V3"]
    r, first = loop.sort.village_ready_s, sorts[0].village_ready_s
    assert max(r["V2"], r["V3"]) < max(r["V0"], r["V1"])  # A ready before B now
    assert max(r["V2"], r["V3"]) == pytest.approx(max(first["V2"], first["V3"]) - 60.0)
    assert len(lines) == 2 and "unchanged" in lines[1]
    # deterministic
    again = departure_loop(sort, plan)
    assert again.passes == loop.passes


def test_departure_loop_stops_at_the_pass_limit_when_orders_cycle():
    """A contrary planner sends first the round whose villages were ready LAST: the order
    flips every pass, so the loop stops at max_passes, not converged."""
    line, arr, chute_of = _four_chutes()

    def sort(policy):
        return simulate(line, arr, assignment=chute_of, bagging=policy)

    def plan(res):
        r = res.village_ready_s
        a, b = max(r["V2"], r["V3"]), max(r["V0"], r["V1"])
        return None, [(-a, ("V2", "V3")), (-b, ("V0", "V1"))]

    loop = departure_loop(sort, plan, max_passes=3)
    assert not loop.converged and len(loop.passes) == 3
    assert loop.passes[1].order != loop.passes[2].order
    with pytest.raises(LineError, match="max_passes = 0"):
        departure_loop(sort, plan, max_passes=0)


def test_by_departure_from_rounds():
    order = ByDeparture.from_rounds([(900.0, ["B1", "B2"]), (600.0, ["A1", "B1"]), (900, ["C"])])
    assert order.order == ("A1", "B1", "B2", "C")


def test_a_fixed_loading_time_and_the_site_are_kept():
    """A truck loaded by roll cage takes its ``load_s`` whatever the crew; the site name
    is carried to every loaded round."""
    ready = {"A": 100.0, "B": 50.0}
    lo = load_vans(
        [RoundToLoad("T", ("A",), 100.0, load_s=600.0), RoundToLoad("R", ("B",), 200.0)],
        ready, {"A": 1000, "B": 30}, docks=1, loaders=3, site="st:x",
    )  # fmt: skip
    got = {r.name: (r.start_s, r.departure_s, r.site) for r in lo.rounds}
    assert got == {"T": (100.0, 700.0, "st:x"), "R": (700.0, 820.0, "st:x")}
    with pytest.raises(LineError, match="round 'T': load_s = -1"):
        RoundToLoad("T", (), load_s=-1.0)
