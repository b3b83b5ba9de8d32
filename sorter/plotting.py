"""Plots of a sort run (matplotlib). Each takes data + ``ax=None``, draws, returns nothing."""

from __future__ import annotations

from typing import Any

import numpy as np

from .result import SortResult


def _ax(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def plot_throughput(result: SortResult, ax: Any = None) -> None:
    """Parcels into village chutes per clock hour."""
    ax = _ax(ax)
    hours, counts = result.throughput_per_hour()
    ax.bar(hours / 3600.0, counts, width=0.9, align="edge", color="tab:blue")
    ax.set_xlabel("hour of day")
    ax.set_ylabel("parcels sorted per hour")
    ax.set_title("Throughput")


def plot_induction_queues(result: SortResult, ax: Any = None, per_station: bool = True) -> None:
    """The shared induction queue over time (and each station's belt load)."""
    ax = _ax(ax)
    q = result.induction_queue()
    ax.step(q.t / 3600.0, q.level, where="post", label="induction queue", color="black")
    if per_station:
        for name, mon in result.station_monitors().items():
            ax.step(mon.t / 3600.0, mon.level, where="post", label=name, alpha=0.6)
    ax.set_xlabel("hour of day")
    ax.set_ylabel("parcels")
    ax.set_title("Induction queues")
    ax.legend(loc="upper right", fontsize="small")


def plot_chute_fill_heatmap(result: SortResult, ax: Any = None, bin_s: float = 600.0) -> None:
    """Mean fill (fraction of capacity) of each village chute per time bin."""
    ax = _ax(ax)
    starts, ids, mat = result.chute_fill_matrix(bin_s)
    cap = float(result.line.chute_capacity)
    extent = (
        starts[0] / 3600.0 if starts.size else 0.0,
        (starts[-1] + bin_s) / 3600.0 if starts.size else 1.0,
        len(ids) - 0.5,
        -0.5,
    )
    im = ax.imshow(mat / cap, aspect="auto", extent=extent, vmin=0, vmax=1, cmap="viridis")
    ax.figure.colorbar(im, ax=ax, label="fill / capacity")
    ax.set_xlabel("hour of day")
    ax.set_ylabel("village chute (loop order of the line)")
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
