"""Cost per parcel (sorter.economics) and the kind dispatch (sorter.kinds)."""

import math

import numpy as np
import pytest

from sorter import (
    DEFAULT_ECONOMICS,
    KINDS,
    Arrivals,
    ByVolume,
    Chute,
    Economics,
    Line,
    LinearLine,
    LineError,
    ManualLine,
    ScannerOutage,
    Truck,
    Wave,
    capacity_per_h,
    kind_of,
    line_capacity_per_h,
    simulate_kind,
    sort_cost,
    staff_of,
)
from sorter.economics import staffed_hours
from sorter.synthetic import suichang_like


def _manual() -> ManualLine:
    return ManualLine(
        chutes=(Chute("EX", 0.0, "exception"), Chute("A", 1.0)),
        sorters=2,
        rate_per_h=300.0,
        exception_prob=0.0,
        unload_ports=1,
        unload_rate_per_h=math.inf,
    )


def test_cost_of_a_manual_day_by_hand():
    # 4 parcels, 2 people: in the cage at 12, 12, 24, 24 s -> closed at 24 s; staffed from
    # the truck at 0 to 24 s = 1/150 h; headcount 2 sorters + 1 unloader + 1 overhead = 4
    arr = Arrivals((Truck("T", "X", 0.0, np.zeros(4, dtype=np.int32)),), ("a",))
    res = simulate_kind(_manual(), arr, assignment={"a": "A"})
    econ = Economics("manual", 36_000.0, 5.0, 3.0, upkeep_share_per_year=0.0,
                     working_days_per_year=360, yuan_per_kwh=1.0, wage_per_h=30.0,
                     overhead_staff=1)  # fmt: skip
    cost = sort_cost(res, econ)
    h = 24.0 / 3600.0
    assert cost.staffed_h == pytest.approx(h)
    assert cost.headcount == 4
    assert cost.labour_yuan == pytest.approx(4 * h * 30.0)
    assert cost.power_yuan == pytest.approx(3.0 * h * 1.0)
    assert cost.fixed_yuan == pytest.approx(36_000.0 / 5.0 / 360)
    assert cost.total_yuan == pytest.approx(cost.labour_yuan + cost.power_yuan + cost.fixed_yuan)
    assert cost.yuan_per_parcel == pytest.approx(cost.total_yuan / 4)
    assert cost.summary()["staff"] == {"sorting": 2, "unloading": 1}


def test_every_kind_has_default_estimates_and_a_suichang_day_costs_a_plausible_amount():
    """On a Suichang-like day (20k parcels) every kind costs between ¥0.05 and ¥2 a parcel,
    and the machine kinds spend less on labour than sorting by hand."""
    _, arr = suichang_like(20_000)
    layouts = {
        "loop": Line.evenly_spaced(214, bagging_operators=6, unload_ports=8),
        "linear": LinearLine.evenly_spaced(214, bagging_operators=6, unload_ports=8),
        "manual": ManualLine.evenly_spaced(214, sorters=30, unload_ports=8),
    }
    costs = {}
    for kind, layout in layouts.items():
        assert kind_of(layout) == kind
        res = simulate_kind(layout, arr, assignment=ByVolume(), seed=1)
        costs[kind] = sort_cost(res)
        assert costs[kind].kind == kind
        assert 0.05 < costs[kind].yuan_per_parcel < 2.0, (kind, costs[kind])
    assert set(DEFAULT_ECONOMICS) == set(KINDS)
    assert costs["manual"].fixed_yuan < costs["linear"].fixed_yuan < costs["loop"].fixed_yuan
    per_parcel_labour = {k: c.labour_yuan / c.parcels for k, c in costs.items()}
    assert per_parcel_labour["manual"] > per_parcel_labour["loop"]


def test_economics_of_another_kind_is_refused(small_arrivals):
    arr = small_arrivals(50)
    res = simulate_kind(ManualLine.evenly_spaced(12), arr, assignment=ByVolume())
    with pytest.raises(LineError, match=r"economics\.kind = 'loop'"):
        sort_cost(res, DEFAULT_ECONOMICS["loop"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(capex_yuan=-1.0), "capex_yuan"),
        (dict(depreciation_years=0.0), "depreciation_years"),
        (dict(wage_per_h=math.nan), "wage_per_h"),
        (dict(kind="belt"), "kind"),
        (dict(overhead_staff=-1), "overhead_staff"),
    ],
)
def test_bad_economics_name_the_field(change, field):
    with pytest.raises(LineError, match=f"Economics.{field} = "):
        DEFAULT_ECONOMICS["loop"].replace(**change)


def test_staff_of_each_kind():
    loop = Line.evenly_spaced(12, num_induction=3, operators=2, bagging_operators=5)
    assert staff_of(loop) == {"induction": 6, "bagging": 5, "unloading": 4}
    lin = LinearLine.evenly_spaced(12, reinduct_staff=3)
    assert staff_of(lin) == {"induction": 2, "bagging": 4, "reinduction": 3, "unloading": 4}
    assert staff_of(ManualLine.evenly_spaced(12, sorters=7)) == {"sorting": 7, "unloading": 4}


def test_capacity_per_h_dispatches_and_loop_only_arguments_are_refused(small_arrivals):
    loop = Line.evenly_spaced(12)
    assert capacity_per_h(loop) == line_capacity_per_h(loop)
    assert capacity_per_h(LinearLine.evenly_spaced(12)) == pytest.approx(4000.0)
    man = ManualLine.evenly_spaced(12, sorters=10)
    assert capacity_per_h(man) < 10 * 300.0
    jam = ScannerOutage(0.0, 10.0)
    with pytest.raises(LineError, match="modelled on a loop only, not on a manual"):
        simulate_kind(man, small_arrivals(20), assignment=ByVolume(), faults=(jam,))
    seen: list[float] = []
    simulate_kind(man, small_arrivals(20), assignment=ByVolume(), faults=(), progress=seen.append)
    assert seen == [1.0]
    with pytest.raises(LineError, match="not a Line"):
        kind_of("loop")  # type: ignore[arg-type]


def _ample(kind: str):
    common = dict(unload_rate_per_h=math.inf, exception_prob=0.0)
    if kind == "loop":
        return Line.evenly_spaced(
            20, num_induction=3, chute_capacity=100_000, no_read_prob=0.0, **common
        )
    if kind == "linear":
        return LinearLine.evenly_spaced(
            20,
            num_induction=2,
            chute_capacity=100_000,
            diverter_cycle_s=0.5,
            no_read_prob=0.0,
            **common,
        )
    return ManualLine.evenly_spaced(20, sorters=12, **common)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_saturates_within_2pct_of_its_derived_capacity(kind):
    """Through the dispatchers: loop min(sum of station rates, speed*3600/pitch) = 6,000/h;
    linear min(sum of station rates, speed*3600/(length+gap)) = 4,000/h; manual sorters *
    3600 / mean time per parcel for the day's cage mix. Each module's docstring derives it."""
    line = _ample(kind)
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 20, 6000).astype(np.int32)
    arr = Arrivals((Truck("T", "X", 0.0, codes),), tuple(f"V{k}" for k in range(20)))
    res = simulate_kind(line, arr, assignment=ByVolume(), seed=0)
    counts = arr.village_counts()
    shares: dict[str, float] = {}
    for v, c in res.assignment.items():
        shares[c] = shares.get(c, 0.0) + counts[v]
    cap = capacity_per_h(line, shares)
    assert res.summary()["throughput_per_h"] == pytest.approx(cap, rel=0.02)


def test_staffing_by_waves_leaves_out_the_lull_between_them():
    # wave 0: a truck at 0 s, 2 parcels by hand in 12 + 12 s; wave 1: a truck at 1000 s
    trucks = (
        Truck("A", "X", 0.0, np.zeros(2, dtype=np.int32), wave=0),
        Truck("B", "X", 1000.0, np.zeros(1, dtype=np.int32), wave=1),
    )
    waves = (Wave("w1", 0.0, 0.0, 0.5, 100.0), Wave("w2", 1000.0, 1000.0, 0.5, 5000.0))
    arr = Arrivals(trucks, ("a",), waves)
    line = _manual().replace(sorters=1)
    res = simulate_kind(line, arr, assignment={"a": "A"})
    # wave 1 in its cage at 24 s, closed at the 100 s cut-off; wave 2 in at 1012 s, closed at
    # the end of the day (1012 s)
    assert staffed_hours(res, "span") == pytest.approx(1012.0 / 3600)
    assert staffed_hours(res, "waves") == pytest.approx((100.0 + 12.0) / 3600)
    waves_cost = sort_cost(res, staffing="waves")
    assert waves_cost.labour_yuan < sort_cost(res).labour_yuan
    assert waves_cost.parcels_per_staff_hour == pytest.approx(3 / waves_cost.staff_hours)
    with pytest.raises(LineError, match="staffing = 'shifts'"):
        staffed_hours(res, "shifts")  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["linear", "manual"])
def test_every_plot_and_monitor_takes_a_result_of_any_kind(small_arrivals, kind):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sorter import plotting

    layout = LinearLine.evenly_spaced(12) if kind == "linear" else ManualLine.evenly_spaced(12)
    res = simulate_kind(layout, small_arrivals(300), assignment=ByVolume(), seed=1)
    assert set(res.monitors()) >= {"induction_queue", "time_in_system", "induction_wait"}
    for plot in (
        plotting.plot_throughput,
        plotting.plot_induction_queues,
        plotting.plot_chute_fill_heatmap,
        plotting.plot_recirculations,
    ):
        fig, ax = plt.subplots()
        plot(res, ax=ax)
        assert ax.has_data()
        plt.close(fig)
    fig, ax = plt.subplots()
    plotting.plot_throughput(res, ax=ax)
    (cap_line,) = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert cap_line.get_ydata()[0] == pytest.approx(capacity_per_h(layout))
    plt.close(fig)
