"""The sweep plot: a metric's mean and confidence interval against one grid field, one line
per value of another (draws on an optional matplotlib ``Axes``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from gongpei.studies.statistics import _hashable, aggregate


# ---- plot ------------------------------------------------------------------------------------
def plot_sweep(
    rows: Sequence[Mapping[str, Any]],
    x: str,
    y: str,
    hue: str | None = None,
    ax: Any = None,
    *,
    confidence: float = 0.95,
) -> None:
    """Mean of ``y`` against ``x`` (one line per ``hue`` value) with CI error bars.

    ``rows`` are run rows (from :func:`sweep`); they are averaged over everything but ``x``
    and ``hue``, so filter rows first when the sweep has other grid fields. Text ``x`` values
    are categories (side by side per hue); numbers are placed on a numeric axis. Metrics
    ending in ``_ready_s`` (seconds after midnight) are labelled as clock times.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.gca()
    if not rows:
        ax.set_title("no runs")
        return
    by = [x] if hue is None else [hue, x]
    agg = aggregate(rows, by=by, metrics=[y], confidence=confidence)
    hues = list(dict.fromkeys(_hashable(a[hue]) for a in agg)) if hue else [None]
    xs = list(dict.fromkeys(_hashable(a[x]) for a in agg))
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in xs)
    if numeric:
        xs = sorted(xs)
        span = (max(xs) - min(xs)) or 1.0
        step = 0.012 * span
    else:
        step = 0.8 / max(len(hues), 1)
    for k, h in enumerate(hues):
        sel = [a for a in agg if hue is None or _hashable(a[hue]) == h]
        sel.sort(key=lambda a: xs.index(_hashable(a[x])))
        offset = (k - (len(hues) - 1) / 2) * step
        pos = [(float(a[x]) if numeric else float(xs.index(_hashable(a[x])))) + offset for a in sel]
        mean = [a[y] for a in sel]
        lo = [a[f"{y}_ci"][0] for a in sel]
        hi = [a[f"{y}_ci"][1] for a in sel]
        err = [
            [0.0 if math.isnan(lv) else m - lv for m, lv in zip(mean, lo, strict=True)],
            [0.0 if math.isnan(hv) else hv - m for m, hv in zip(mean, hi, strict=True)],
        ]
        ax.errorbar(
            pos,
            mean,
            yerr=err,
            marker="o",
            capsize=3,
            linestyle="-" if numeric else "none",
            label=None if hue is None else str(h),
        )
    if not numeric:
        ax.set_xticks(range(len(xs)))
        ax.set_xticklabels([str(v) for v in xs])
    elif len(xs) <= 12:
        ax.set_xticks(xs)
    if y.endswith("_ready_s"):  # clock times (seconds after midnight) read as HH:MM
        _clock_axis(ax.yaxis, *ax.get_ylim())
    ax.set_xlabel(x)
    ax.set_ylabel(f"{y} (mean, {confidence:.0%} CI)")
    if hue is not None:
        ax.legend(title=hue, fontsize="small")


def _clock_axis(axis: Any, lo: float, hi: float) -> None:
    """Ticks on whole minutes/hours, labelled HH:MM."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    span = max(hi - lo, 1.0)
    steps = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600)
    step = next((st for st in steps if span / st <= 7), 43200)
    axis.set_major_locator(MultipleLocator(step))
    axis.set_major_formatter(
        FuncFormatter(lambda s, _pos: f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}")
    )
