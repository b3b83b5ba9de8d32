"""Plots of a sort run (matplotlib), on clock-time axes.

Each takes a :class:`~sorter.result.SortResult` and ``ax=None``, draws on the axes (default:
the current ones) and returns nothing. The county report, the notebooks and the layout
studies all draw the line's figures from here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .kinds import capacity_per_h
from .result import SortResult

__all__ = [
    "clock_axis",
    "plot_chute_fill_heatmap",
    "plot_induction_queues",
    "plot_recirculations",
    "plot_throughput",
]


def _ax(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def clock_axis(ax: Any, axis: str = "x") -> None:
    """Label an axis in seconds since midnight as HH:MM, with a tick step that fits."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    fmt = FuncFormatter(lambda s, _pos: f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}")
    target = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    span = max(hi - lo, 1.0)
    steps = (300, 600, 900, 1800, 3600, 7200, 10800, 21600)
    step = next((s for s in steps if span / s <= 9), 43200)
    target.set_major_locator(MultipleLocator(step))
    target.set_major_formatter(fmt)


def plot_throughput(result: SortResult, ax: Any = None, *, capacity: bool = True) -> None:
    """Parcels into village chutes per clock hour; ``capacity`` draws the line's saturated
    throughput (:func:`sorter.kinds.capacity_per_h`, any kind of line) as a dashed line."""
    ax = _ax(ax)
    hours, counts = result.throughput_per_hour()
    ax.bar(hours, counts, width=3600, align="edge", edgecolor="white", linewidth=0.5)
    if capacity:
        cap = capacity_per_h(result.line)
        ax.axhline(cap, color="black", ls="--", lw=1, label=f"line capacity {cap:,.0f}/h")
        ax.legend(fontsize="small", loc="upper right")
    if len(hours):
        ax.set_xlim(hours.min(), hours.max() + 3600)
    clock_axis(ax)
    ax.set_xlabel("clock time")
    ax.set_ylabel("parcels per hour")
    ax.set_title("Sorting throughput")


def plot_induction_queues(result: SortResult, ax: Any = None, per_station: bool = True) -> None:
    """The shared induction queue over time (and each station's belt load)."""
    ax = _ax(ax)
    q = result.induction_queue()
    ax.step(q.t, q.level, where="post", label="induction queue", color="black", lw=0.8)
    if per_station:
        for name, mon in result.station_monitors().items():
            ax.step(mon.t, mon.level, where="post", label=name, alpha=0.6)
        ax.legend(loc="upper right", fontsize="small")
    if len(q.t):
        ax.set_xlim(q.t[0], max(q.t_end, q.t[0] + 1.0))
    clock_axis(ax)
    ax.set_xlabel("clock time")
    ax.set_ylabel("parcels waiting")
    ax.set_title("Induction queue")


def plot_chute_fill_heatmap(
    result: SortResult, ax: Any = None, bin_s: float = 600.0, *, max_rows: int = 240
) -> None:
    """Mean fill of each village chute (share of its own capacity) per time bin: one row
    per chute in loop order, time across. With more than ``max_rows`` chutes the rows are
    averaged in groups so the picture stays readable."""
    ax = _ax(ax)
    starts, ids, share = result.chute_fill_shares(bin_s)
    labels = list(ids)
    if share.shape[0] > max_rows:
        k = -(-share.shape[0] // max_rows)
        pad = (-share.shape[0]) % k
        share = np.vstack([share, np.full((pad, share.shape[1]), np.nan)])
        share = np.nanmean(share.reshape(-1, k, share.shape[1]), axis=1)
        labels = labels[::k]
    extent = (
        (float(starts[0]), float(starts[-1] + bin_s), len(labels) - 0.5, -0.5)
        if len(starts)
        else None
    )
    im = ax.imshow(
        share, aspect="auto", interpolation="nearest", cmap="viridis", vmin=0, vmax=1, extent=extent
    )
    ax.figure.colorbar(im, ax=ax, label="fill (share of capacity)")
    step = max(1, len(labels) // 20)
    ax.set_yticks(range(0, len(labels), step))
    ax.set_yticklabels(labels[::step], fontsize="x-small")
    if len(starts):
        clock_axis(ax)
    ax.set_xlabel("clock time")
    ax.set_ylabel("village chute (loop order)")
    ax.set_title("Chute fill")


def plot_recirculations(result: SortResult, ax: Any = None) -> None:
    """Refusals (each one a recirculation or a trip to overflow) per village chute."""
    ax = _ax(ax)
    summ = [c for c in result.chutes.values() if c.kind == "village"]
    ax.bar(np.arange(len(summ)), [c.refusals for c in summ], color="tab:red")
    step = max(1, len(summ) // 20)
    ax.set_xticks(np.arange(0, len(summ), step))
    ax.set_xticklabels([summ[k].id for k in range(0, len(summ), step)], rotation=90)
    ax.set_xlabel("chute")
    ax.set_ylabel("refusals")
    ax.set_title("Recirculations per chute")
