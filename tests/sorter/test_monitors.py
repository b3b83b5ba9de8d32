import numpy as np
import pytest

from sorter import LevelMonitor, TallyMonitor


def test_level_monitor_time_weighted():
    # level 1 on [0, 2), 3 on [2, 3), 0 on [3, 10]
    m = LevelMonitor.from_intervals(
        "q", np.array([0.0, 2.0, 2.0]), np.array([3.0, 3.0, 3.0]), 0.0, 10.0
    )
    assert m.mean() == pytest.approx((1 * 2 + 3 * 1) / 10)
    assert m.max() == 3
    assert m.time_at_or_above(3) == pytest.approx(1.0)
    assert list(m.value_at(np.array([0.5, 2.5, 5.0]))) == [1, 3, 0]
    s = m.slice(1.0, 3.0)
    assert s.mean() == pytest.approx((1 * 1 + 3 * 1) / 2)
    assert list(m.bin_means(np.array([0.0, 2.0, 3.0, 10.0]))) == pytest.approx([1.0, 3.0, 0.0])
    assert m.integral_at(np.array([10.0]))[0] == pytest.approx(5.0)
    df = m.to_dataframe()
    assert df["duration"].sum() == pytest.approx(10.0)


def test_level_monitor_open_intervals_and_before_start():
    m = LevelMonitor.from_intervals("f", np.array([-5.0, 1.0]), np.array([np.inf, 2.0]), 0.0, 4.0)
    assert m.level[0] == 1  # interval that began before t_start counts from the start
    assert m.mean() == pytest.approx((1 * 4 + 1 * 1) / 4)


def test_tally_monitor():
    t = TallyMonitor("w", np.arange(4.0), np.array([1.0, 2.0, 3.0, 6.0]))
    assert t.mean() == 3.0 and t.count() == 4 and t.max() == 6.0
    assert t.slice(2.0).mean() == 4.5
    assert t.percentile(50) == 2.5
    assert len(t.to_dataframe()) == 4
