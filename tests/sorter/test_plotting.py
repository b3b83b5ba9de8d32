import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from sorter import (
    ByVolume,
    plotting,
    simulate,
)


@pytest.fixture(scope="module")
def result(small_arrivals, small_line):
    return simulate(small_line(), small_arrivals(300), assignment=ByVolume(), seed=0)


@pytest.mark.parametrize(
    "fn",
    [
        plotting.plot_throughput,
        plotting.plot_induction_queues,
        plotting.plot_chute_fill_heatmap,
        plotting.plot_recirculations,
    ],
)
def test_plots_draw_on_given_axes(result, fn):
    fig, ax = plt.subplots()
    assert fn(result, ax=ax) is None
    assert ax.has_data() or ax.images
    plt.close(fig)


def test_plot_without_ax_uses_current_axes(result):
    fig = plt.figure()
    plotting.plot_throughput(result)
    assert fig.axes and fig.axes[0].has_data()
    plt.close(fig)


def test_chute_fill_shares_are_fill_over_each_chutes_capacity(result):
    starts, ids, mat = result.chute_fill_matrix(600.0)
    starts2, ids2, share = result.chute_fill_shares(600.0)
    assert ids == ids2 and (starts == starts2).all()
    caps = [float(result.capacity[result.chute_ids.index(c)]) for c in ids]
    assert share * np.array(caps)[:, None] == pytest.approx(mat)
    assert share.min() >= 0.0 and share.max() <= 1.0


def test_throughput_plot_draws_the_line_capacity_and_clock_labels(result):
    from sorter import line_capacity_per_h

    fig, ax = plt.subplots()
    plotting.plot_throughput(result, ax=ax)
    (cap_line,) = ax.get_lines()
    assert cap_line.get_ydata()[0] == pytest.approx(line_capacity_per_h(result.line))
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(len(t) == 5 and t[2] == ":" for t in labels)  # HH:MM
    plt.close(fig)


def test_chute_fill_heatmap_groups_rows_beyond_max_rows(result):
    fig, ax = plt.subplots()
    plotting.plot_chute_fill_heatmap(result, ax=ax, max_rows=3)
    (image,) = ax.images
    assert image.get_array().shape[0] <= 3
    plt.close(fig)
