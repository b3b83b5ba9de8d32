"""A generic, *synthetic* road skeleton between township seats, for a county with no road data.

Suichang has calibrated corridors (``gongpei/county/data/suichang/roads.csv``); the other mountain
counties have only their township seats and outline. :func:`generic_links` turns those into
inter-township :class:`~routing.network.RoadLink` s that :func:`routing.network.build_network`
then completes with village roads down to every village. It is a stand-in, not a map: when a
planner has a real graph (osmnx GraphML) it replaces this one (``roads.network = "graphml"``).

The rule, in local metres (equirectangular about the seats' mean; < 0.5 % scale error over a
county):

1. **Candidates** — the *Gabriel graph* of the seats: seats ``a``, ``b`` are joined when no
   other seat lies inside the circle with diameter ``ab``. It is connected, planar, holds the
   Euclidean minimum spanning tree, and leaves out long edges that pass close to a third
   seat (a road would go through that seat instead).
2. **Backbone** (class ``trunk``) — the minimum spanning tree of the candidates by straight
   length: every seat reachable, the way valley roads chain township to township.
3. **Loops** (class ``county``) — the remaining candidates, shortest first, each added when
   it closes a real detour: the skeleton so far needs at least ``loop_gain`` (1.5) × its
   straight length to go between the two seats. Gabriel edges are local by construction,
   so no length cap is needed (``extra_max_ratio``, × the median backbone link, can set
   one). Over the 26 counties this keeps the county seat → township road/straight ratio at
   median 1.77, 90th percentile 2.17, max 3.0; a cap of 1.5 × the median link left stringy
   trees with ratios up to 7 (淳安 around its lake).
4. **Detour factor** (road length / straight length) — 1.4 up to ``short_m`` (2 km), rising
   linearly to 2.0 at ``long_m`` (25 km) and 0.01 per km beyond, capped at ``max_detour``;
   a link whose straight line leaves the outline by more than ``outside_min_share`` of its
   length (a bay, a neighbouring county, the sea to an island) gets at least
   ``outside_detour`` + ``outside_per_share`` × the share outside. Suichang's calibrated
   corridors run 1.2–1.9 in valleys and 2.4–2.6 over ridges; without relief data a
   length rule is the honest middle (long straight gaps between seats usually mean a ridge).

Calibration (one county, nine figures): on Suichang, with the default village placement,
the generic graph's road distance from the county seat to the nine townships with a
reported figure (``benchmarks/calibrate_roads.py``) has a geometric-mean ratio of 1.00 to
the reported km, individual ratios 0.80–1.35 (the calibrated corridors: 0.97–1.02). The
breakpoints 2 km / 25 km were chosen for that mean; the spread is what a planner should
expect from this graph in a county without calibration.

Deterministic: the output depends only on the seat ids, their coordinates and the outline.
Pure numpy / shapely / networkx; never imports :mod:`gongpei` or :mod:`sorter`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import shapely
from shapely.geometry import LineString

from routing.network import NetworkError, RoadLink

__all__ = ["GenericRoadRules", "detour_factor", "gabriel_edges", "generic_links"]

_EARTH_RADIUS_M = 6_371_008.8

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class GenericRoadRules:
    """The numbers of the generic skeleton's rule (see the module docstring)."""

    short_m: float = 2_000.0
    short_detour: float = 1.4
    long_m: float = 25_000.0
    long_detour: float = 2.0
    per_km_beyond: float = 0.01
    max_detour: float = 2.6
    outside_min_share: float = 0.02
    outside_detour: float = 2.0
    outside_per_share: float = 0.6
    extra_max_ratio: float = math.inf
    loop_gain: float = 1.5

    def __post_init__(self) -> None:
        if not 0 < self.short_m < self.long_m:
            raise NetworkError(
                f"GenericRoadRules: need 0 < short_m < long_m, got {self.short_m}, {self.long_m}"
            )
        for name in ("short_detour", "long_detour", "max_detour", "outside_detour"):
            v = getattr(self, name)
            if not 1.0 <= v <= 4.0:
                raise NetworkError(f"GenericRoadRules: {name} = {v!r}: must be within 1.0–4.0")
        if not self.short_detour <= self.long_detour <= self.max_detour:
            raise NetworkError("GenericRoadRules: need short_detour <= long_detour <= max_detour")
        if self.extra_max_ratio < 0 or self.loop_gain < 1.0:
            raise NetworkError("GenericRoadRules: extra_max_ratio >= 0 and loop_gain >= 1 needed")


def detour_factor(
    length_m: float, outside_share: float = 0.0, rules: GenericRoadRules = GenericRoadRules()
) -> float:
    """Road length / straight length for a link of straight ``length_m`` metres of which
    ``outside_share`` (0–1) lies outside the county outline. Rounded to 0.01."""
    r = rules
    if length_m <= r.short_m:
        d = r.short_detour
    elif length_m <= r.long_m:
        f = (length_m - r.short_m) / (r.long_m - r.short_m)
        d = r.short_detour + f * (r.long_detour - r.short_detour)
    else:
        d = r.long_detour + r.per_km_beyond * (length_m - r.long_m) / 1000.0
    if outside_share > r.outside_min_share:
        d = max(d, r.outside_detour + r.outside_per_share * outside_share)
    return round(min(d, r.max_detour), 2)


def gabriel_edges(xy: np.ndarray) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of the Gabriel graph of planar points ``xy`` (n×2).

    ``(i, j)`` is an edge when no third point lies strictly inside the circle whose diameter
    is the segment ij. O(n³) with numpy, fine for the 10–35 seats of a county.
    """
    pts = np.asarray(xy, dtype=float)
    n = len(pts)
    out: list[tuple[int, int]] = []
    for i in range(n):
        for j in range(i + 1, n):
            mid = (pts[i] + pts[j]) / 2
            r2 = float(np.sum((pts[i] - pts[j]) ** 2)) / 4
            d2 = np.sum((pts - mid) ** 2, axis=1)
            d2[[i, j]] = np.inf
            # a relative tolerance, so a third point *on* the circle does not cut the edge
            if not np.any(d2 < r2 * (1 - 1e-9)):
                out.append((i, j))
    return out


def _projector(lons: np.ndarray, lats: np.ndarray) -> tuple[float, float, float, float]:
    lon0, lat0 = float(np.mean(lons)), float(np.mean(lats))
    ky = math.radians(1) * _EARTH_RADIUS_M
    kx = ky * math.cos(math.radians(lat0))
    return lon0, lat0, kx, ky


def generic_links(
    seats: Mapping[str, Point],
    *,
    outline: Any = None,
    rules: GenericRoadRules = GenericRoadRules(),
) -> tuple[RoadLink, ...]:
    """Synthetic inter-township links for seats ``{code: (lon, lat)}`` (see module docstring).

    ``outline`` is an optional shapely (Multi)Polygon in lon/lat degrees: links whose
    straight line leaves it get a larger detour. Links are returned with ``a < b`` and sorted
    by ``(a, b)``; each ``note`` says how it was made. One seat gives no links; coincident
    seats raise :class:`NetworkError` (two townships at one point is a data error).
    """
    ids = sorted(seats)
    if len(ids) < 2:
        return ()
    lons = np.array([float(seats[s][0]) for s in ids])
    lats = np.array([float(seats[s][1]) for s in ids])
    if not (np.all(np.isfinite(lons)) and np.all(np.isfinite(lats))):
        bad = [s for s, x, y in zip(ids, lons, lats, strict=True) if not math.isfinite(x + y)]
        raise NetworkError(f"seats without a finite position: {bad[:5]}")
    lon0, lat0, kx, ky = _projector(lons, lats)
    xy = np.column_stack([(lons - lon0) * kx, (lats - lat0) * ky])
    for i in range(len(ids)):
        d = np.hypot(*(xy - xy[i]).T)
        d[i] = np.inf
        j = int(np.argmin(d))
        if d[j] < 1.0:
            raise NetworkError(f"seats {ids[i]} and {ids[j]} are at the same point")

    area = None
    if outline is not None:
        area = shapely.transform(
            outline, lambda c: np.column_stack([(c[:, 0] - lon0) * kx, (c[:, 1] - lat0) * ky])
        )
        shapely.prepare(area)

    def straight(i: int, j: int) -> float:
        return float(np.hypot(*(xy[i] - xy[j])))

    cand = sorted(gabriel_edges(xy), key=lambda e: (straight(*e), ids[e[0]], ids[e[1]]))
    full = nx.Graph()
    full.add_nodes_from(range(len(ids)))
    for i, j in cand:
        full.add_edge(i, j, weight=straight(i, j))
    tree = nx.minimum_spanning_tree(full, weight="weight", algorithm="kruskal")
    backbone = {(min(i, j), max(i, j)) for i, j in tree.edges}

    skeleton = nx.Graph()
    skeleton.add_nodes_from(range(len(ids)))
    for i, j in backbone:
        skeleton.add_edge(i, j, weight=straight(i, j))
    median = float(np.median([straight(i, j) for i, j in backbone]))
    loops: set[tuple[int, int]] = set()
    for i, j in cand:
        if (i, j) in backbone:
            continue
        s = straight(i, j)
        if s > rules.extra_max_ratio * median:
            continue
        via = nx.shortest_path_length(skeleton, i, j, weight="weight")
        if via >= rules.loop_gain * s:
            skeleton.add_edge(i, j, weight=s)
            loops.add((i, j))

    links = []
    for i, j in sorted(backbone | loops, key=lambda e: (ids[e[0]], ids[e[1]])):
        s = straight(i, j)
        share = 0.0
        if area is not None and s > 0:
            seg = LineString([xy[i], xy[j]])
            share = float(seg.difference(area).length / s)
        d = detour_factor(s, share, rules)
        kind = "backbone (minimum spanning tree)" if (i, j) in backbone else "loop"
        note = f"generic {kind}: straight {s / 1000:.1f} km"
        if share > rules.outside_min_share:
            note += f", {share:.0%} outside the county outline"
        links.append(
            RoadLink(
                ids[i], ids[j], "trunk" if (i, j) in backbone else "county", d, note + "; synthetic"
            )
        )
    return tuple(links)
