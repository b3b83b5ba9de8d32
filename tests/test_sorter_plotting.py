import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from sorter_fixtures import small_arrivals, small_line

from sorter import (
    ByVolume,
    plotting,
    simulate,
)


@pytest.fixture(scope="module")
def result():
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
