"""Rounds and road networks on a map. Matplotlib (and networkx) are imported inside the
functions, never at package import."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from routing.plan import Plan
from routing.problem import Problem

__all__ = ["plot_network", "plot_rounds"]


def plot_rounds(
    plan: Plan,
    problem: Problem,
    coords: Mapping[str, tuple[float, float]],
    ax: Any = None,
    *,
    annotate: bool = False,
) -> None:
    """Draw each round as a coloured path depot → villages → depot; depots as black
    squares, served villages as dots in their round's colour, unserved villages as red
    crosses. ``coords`` maps **location ids** (``Problem.locations``) to (x, y) — lon/lat or
    projected metres, whatever the caller plots in. ``annotate`` writes village ids.
    Draws on ``ax`` (the current axes when ``None``) and returns nothing.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.gca()
    missing = [loc for loc in _locations(plan, problem) if loc not in coords]
    if missing:
        raise KeyError(f"plot_rounds: no coordinates for locations {missing[:5]}")
    cmap = plt.get_cmap("tab20" if len(plan.routes) > 10 else "tab10")
    for k, route in enumerate(plan.routes):
        path = [problem.depot(route.start_depot).location]
        path += [problem.village(v).location for v in route.villages]
        path.append(problem.depot(route.end_depot).location)
        xs = [coords[p][0] for p in path]
        ys = [coords[p][1] for p in path]
        colour = cmap(k % cmap.N)
        ax.plot(xs, ys, "-", color=colour, lw=1.5, label=f"{route.vehicle} ({len(route.stops)})")
        ax.plot(xs[1:-1], ys[1:-1], "o", color=colour, ms=5)
    if plan.unserved:
        pts = [coords[problem.village(u.village).location] for u in plan.unserved]
        ax.plot(
            [p[0] for p in pts],
            [p[1] for p in pts],
            "x",
            color="red",
            ms=8,
            mew=2,
            label=f"unserved ({len(pts)})",
        )
    for d in problem.depots:
        x, y = coords[d.location]
        ax.plot([x], [y], "s", color="black", ms=9)
        ax.annotate(d.id, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8)
    if annotate:
        for v in problem.villages:
            x, y = coords[v.location]
            ax.annotate(v.id, (x, y), textcoords="offset points", xytext=(3, -8), fontsize=6)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(
        f"{problem.name}: {len(plan.routes)} rounds, {plan.distance_m / 1000:.1f} km, "
        f"{plan.cost:.0f} yuan"
    )
    if plan.routes or plan.unserved:
        ax.legend(fontsize=7, loc="best")


def _locations(plan: Plan, problem: Problem) -> list[str]:
    locs = [d.location for d in problem.depots]
    locs += [problem.village(v).location for r in plan.routes for v in r.villages]
    locs += [problem.village(u.village).location for u in plan.unserved]
    return locs


_CLASS_STYLE = {
    "expressway": ("#6a3d9a", 2.6),
    "trunk": ("#d7301f", 2.0),
    "county": ("#fc8d59", 1.4),
    "village": ("#969696", 0.7),
}


def plot_network(graph: Any, ax: Any = None, outline: Any = None) -> None:
    """Draw the roads of a :func:`routing.network.build_network` graph coloured by class,
    villages as dots, seats as squares.

    ``outline`` is an optional shapely (Multi)Polygon in lon/lat (e.g. the county).
    Draws on ``ax`` (default: the current axes) and returns nothing.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    from routing.network import ROAD_CLASSES

    if ax is None:
        ax = plt.gca()
    if outline is not None:
        polys = getattr(outline, "geoms", [outline])
        for k, poly in enumerate(polys):
            x, y = poly.exterior.xy
            ax.plot(x, y, color="black", lw=0.8, label="county outline" if k == 0 else None)
    for cls in ROAD_CLASSES[::-1]:
        segs = [
            [
                (graph.nodes[u]["lon"], graph.nodes[u]["lat"]),
                (graph.nodes[v]["lon"], graph.nodes[v]["lat"]),
            ]
            for u, v, d in graph.edges(data=True)
            if d.get("road_class") == cls
        ]
        if segs:
            colour, width = _CLASS_STYLE[cls]
            ax.add_collection(
                LineCollection(segs, colors=colour, linewidths=width, label=f"{cls} road")
            )
    for kind, style in (("village", dict(s=6, c="#2b8cbe")), ("point", dict(s=6, c="#2b8cbe"))):
        pts = [(d["lon"], d["lat"]) for _, d in graph.nodes(data=True) if d.get("kind") == kind]
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.scatter(xs, ys, zorder=3, label=f"{kind}s", **style)
    seats = [(d["lon"], d["lat"]) for _, d in graph.nodes(data=True) if d.get("kind") == "seat"]
    if seats:
        xs, ys = zip(*seats, strict=True)
        ax.scatter(xs, ys, s=30, marker="s", c="black", zorder=4, label="township seats")
    ax.autoscale_view()
    lats = [d["lat"] for _, d in graph.nodes(data=True)]
    if lats:
        ax.set_aspect(1 / math.cos(math.radians(float(np.mean(lats)))))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.legend(loc="best", fontsize="small")
