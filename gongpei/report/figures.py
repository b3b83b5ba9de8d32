"""Figures for the county-day report, drawn from plain data.

Every function takes data (numbers, ids, coordinates — not a whole ``DayResult``) and
``ax=None``, draws on the axes (default: the current ones) and returns nothing; the report
(:mod:`gongpei.report.files`) composes them into PNGs with the sorting line's figures from
:mod:`sorter.plotting`. matplotlib is imported inside the functions, so importing this module
(for the colour constants) stays cheap.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gongpei.report.formatting import LIGHT_COLOURS
from gongpei.report.geojson import RoundPath, round_paths

if TYPE_CHECKING:
    from gongpei.day.results import DayResult


__all__ = [
    "RoundLine",
    "VillagePoint",
    "plot_lights",
    "plot_ready_arrival",
    "plot_rounds_map",
    "render_plots",
]


RoundLine = tuple[str, str, Sequence[tuple[float, float]]]
"""(label, colour, [(lon, lat), ...]) — one round's road polyline."""

VillagePoint = tuple[float, float, str]
"""(lon, lat, light)."""


def _axes(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def plot_rounds_map(
    rounds: Sequence[RoundLine],
    villages: Sequence[VillagePoint],
    ax: Any = None,
    *,
    hub: tuple[float, float] | None = None,
    outline: Any = None,
    legend_rounds: int = 12,
) -> None:
    """The day's rounds on the county map: each round's road polyline in its colour,
    villages as dots in their status light, the hub as a star, the county outline."""

    ax = _axes(ax)
    if outline is not None:
        for poly in getattr(outline, "geoms", [outline]):
            x, y = poly.exterior.xy
            ax.plot(x, y, color="#555555", lw=0.8)
    for k, (label, colour, coords) in enumerate(rounds):
        if len(coords) < 2:
            continue
        xs, ys = zip(*coords, strict=True)
        ax.plot(xs, ys, color=colour, lw=1.4, alpha=0.9, label=label if k < legend_rounds else None)
    if len(rounds) > legend_rounds:
        ax.plot([], [], color="none", label=f"… {len(rounds) - legend_rounds} more rounds")
    for light in LIGHT_COLOURS:
        pts = [(x, y) for x, y, lt in villages if lt == light]
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.scatter(
                xs,
                ys,
                s=14,
                c=LIGHT_COLOURS[light],
                edgecolors="#333333",
                linewidths=0.4,
                zorder=3,
                label=f"{light} ({len(pts)})",
            )
    if hub is not None:
        ax.scatter([hub[0]], [hub[1]], s=160, marker="*", c="black", zorder=4, label="hub")
    lats = [y for _, y, _ in villages] or ([hub[1]] if hub else [])
    if lats:
        ax.set_aspect(1 / math.cos(math.radians(sum(lats) / len(lats))))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"Co-delivery rounds ({len(rounds)})")
    if rounds or villages or hub is not None:
        ax.legend(fontsize="x-small", loc="upper left", ncol=2, framealpha=0.8)


def plot_ready_arrival(
    ready_s: Sequence[float],
    arrival_s: Sequence[float],
    lights: Sequence[str],
    ax: Any = None,
    *,
    promised_s: float | None = None,
) -> None:
    """Each served village: when its chute was ready (x) vs when the van arrived (y),
    dotted in its status light; the promised time as a horizontal line."""
    from sorter.plotting import clock_axis

    ax = _axes(ax)
    for light, colour in LIGHT_COLOURS.items():
        pts = [(r, a) for r, a, lt in zip(ready_s, arrival_s, lights, strict=True) if lt == light]
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.scatter(
                xs,
                ys,
                s=16,
                c=colour,
                edgecolors="#333333",
                linewidths=0.4,
                label=f"{light} ({len(pts)})",
                zorder=3,
            )
    if promised_s is not None:
        ax.axhline(promised_s, color="#d62728", ls="--", lw=1, label="promised by")
    if ready_s:
        clock_axis(ax, "x")
        clock_axis(ax, "y")
        ax.legend(fontsize="small", loc="upper left")
    ax.set_xlabel("chute ready")
    ax.set_ylabel("van arrives")
    ax.set_title("From chute to village")


def plot_lights(counts: Mapping[str, int], ax: Any = None) -> None:
    """Horizontal bars: how many villages show each status light."""
    ax = _axes(ax)
    names = [c for c in LIGHT_COLOURS if c in counts]
    ax.barh(
        names,
        [counts[c] for c in names],
        color=[LIGHT_COLOURS[c] for c in names],
        edgecolor="#333333",
    )
    ax.invert_yaxis()
    ax.set_xlabel("villages")
    ax.set_title("Status lights")


# ---------------------------------------------------------------------------- plots
def _png(fig: Any) -> bytes:
    """PNG bytes of a pyplot-free ``Figure`` (saved with Agg; no timestamp in the file)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def render_plots(
    day: DayResult,
    paths: Sequence[RoundPath] | None = None,
    *,
    frontier: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, bytes]:
    """The report's figures as PNG bytes, keyed by file name (:data:`PLOT_FILES`).

    ``frontier``: rows of a ``frontier.csv`` (``gongpei run --frontier``); then
    ``frontier.png`` is drawn too, with this day's plan marked on it (:func:`frontier_plan_point`).
    Uses matplotlib's Agg backend (no display needed) without changing the global backend.
    """
    from matplotlib.figure import Figure

    from sorter import plotting as sorter_plots

    out: dict[str, bytes] = {}
    sort = day.sort

    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    sorter_plots.plot_throughput(sort, ax=ax)
    out["throughput.png"] = _png(fig)

    fig = Figure(figsize=(9, 3.5))
    ax = fig.add_subplot()
    sorter_plots.plot_induction_queues(sort, ax=ax, per_station=False)
    out["induction_queue.png"] = _png(fig)

    fig = Figure(figsize=(9, 5))
    ax = fig.add_subplot()
    sorter_plots.plot_chute_fill_heatmap(sort, ax=ax, bin_s=600.0)
    out["chute_fill.png"] = _png(fig)

    paths = round_paths(day) if paths is None else paths
    fig = Figure(figsize=(8, 8))
    ax = fig.add_subplot()
    pts = [(*day.county.position(v.code), v.light) for v in day.villages]
    plot_rounds_map(
        [(f"{p.round} {p.vehicle}", p.colour, p.coords) for p in paths],
        pts,
        ax=ax,
        hub=day.county.position(day.county.hub),
        outline=day.county.outline,
    )
    out["rounds_map.png"] = _png(fig)

    fig = Figure(figsize=(7, 5))
    ax = fig.add_subplot()
    served = [v for v in day.villages if v.arrival_s is not None and v.ready_s is not None]
    plot_ready_arrival(
        [float(v.ready_s) for v in served if v.ready_s is not None],
        [float(v.arrival_s) for v in served if v.arrival_s is not None],
        [v.light for v in served],
        ax=ax,
        promised_s=float(day.scenario.model.routing.promised_by),
    )
    out["ready_arrival.png"] = _png(fig)

    if frontier:
        from gongpei.studies.frontier_points import plot_frontier

        fig = Figure(figsize=(7, 4.5))
        ax = fig.add_subplot()
        by = "vans" if len({r["vans"] for r in frontier}) > 1 else "promised_by"
        plot_frontier([dict(r) for r in frontier], ax, by=by, plan=frontier_plan_point(day))
        out["frontier.png"] = _png(fig)
    return out


def frontier_plan_point(day: DayResult) -> dict[str, Any]:
    """This day's plan as a point on the cost–service frontier
    (:func:`gongpei.studies.frontier.plan_point`, against the scenario's promised time)."""
    from gongpei.studies.frontier_points import plan_point

    return plan_point(day.problem, day.plan, int(day.scenario.model.routing.promised_by))
