"""A real road graph: GraphML as osmnx writes it, read into the same graph that
:func:`routing.network.build_network` builds (node lon/lat, edge length, class, speed)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from routing.network import (
    DEFAULT_SPEEDS_KMH,
    ROAD_CLASSES,
    NetworkError,
    Point,
    add_road,
    check_speeds,
    haversine_m,
)

_OSM_CLASS = {
    "motorway": "expressway",
    "trunk": "trunk",
    "primary": "trunk",
    "secondary": "county",
    "tertiary": "county",
}


def _osm_class(highway: Any) -> str:
    """osmnx ``highway`` (maybe a list, or its string form "['a', 'b']") → our road class;
    for a list the best class wins. ``*_link`` counts as its road."""
    names = re.findall(r"[a-z_]+", str(highway or "").lower())
    best = len(ROAD_CLASSES) - 1
    for name in names:
        cls = _OSM_CLASS.get(name.removesuffix("_link"), "village")
        best = min(best, ROAD_CLASSES.index(cls))
    return ROAD_CLASSES[best]


def load_graphml(
    path: Path | str,
    points: Mapping[str, Point],
    *,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    use_graph_times: bool = False,
    snap_detour: float = 1.3,
    max_snap_m: float = 5000.0,
) -> nx.Graph:
    """A real road graph in osmnx's GraphML (node ``x`` = lon, ``y`` = lat; edge ``length``
    in metres, ``highway``, maybe ``travel_time`` in seconds) in this module's format.

    * Undirected: rural county roads are two-way, and one-way pairs (dual carriageways)
      exist in both directions anyway; parallel edges collapse to the fastest. So the
      matrices come out symmetric. Graph node ids become ``"osm:<id>"`` so they never
      clash with village codes.
    * Classes from ``highway``: motorway → expressway; trunk, primary → trunk; secondary,
      tertiary → county; anything else → village.
    * Times: length at the class's van speed (``speeds_kmh``), the same rule as the
      synthetic graph; ``use_graph_times=True`` takes osmnx's ``travel_time`` where present
      (speed limits, optimistic for a van on mountain roads).
    * Each point (village, hub) becomes a node joined to its nearest graph node by a
      ``village`` edge of straight × ``snap_detour``; farther than ``max_snap_m`` is an
      error (a wrong or clipped graph).
    """
    p = Path(path)
    speeds = check_speeds(speeds_kmh)
    try:
        raw = nx.read_graphml(p)
    except Exception as e:  # ParseError, KeyError, NetworkXError… all mean "not GraphML"
        raise NetworkError(f"{p}: cannot read GraphML: {type(e).__name__}: {e}") from e
    if raw.number_of_nodes() == 0 or raw.number_of_edges() == 0:
        raise NetworkError(f"{p}: the graph has no nodes or no edges")

    g = nx.Graph()
    for n, d in raw.nodes(data=True):
        if "x" not in d or "y" not in d:
            raise NetworkError(f"{p}: node {n}: missing attribute 'x' or 'y' (lon, lat)")
        try:
            lon, lat = float(d["x"]), float(d["y"])
        except (TypeError, ValueError):
            raise NetworkError(f"{p}: node {n}: x/y = {d['x']!r}/{d['y']!r}: not numbers") from None
        if not (abs(lon) <= 180 and abs(lat) <= 90):
            raise NetworkError(f"{p}: node {n}: x/y = {lon}/{lat}: not lon/lat degrees")
        g.add_node(f"osm:{n}", lon=lon, lat=lat, kind="road", town=None)
    for u, v, d in raw.edges(data=True):
        if u == v:
            continue
        try:
            length = float(d["length"])
        except KeyError:
            raise NetworkError(f"{p}: edge {u}–{v}: missing attribute 'length' (metres)") from None
        except (TypeError, ValueError):
            raise NetworkError(
                f"{p}: edge {u}–{v}: length = {d['length']!r}: not a number"
            ) from None
        if not (math.isfinite(length) and length >= 0):
            raise NetworkError(f"{p}: edge {u}–{v}: length = {length!r}: must be >= 0")
        cls = _osm_class(d.get("highway"))
        length_m = max(1, round(length))
        time_s = max(1, round(length_m * 3.6 / speeds[cls]))
        if use_graph_times and d.get("travel_time") not in (None, ""):
            try:
                time_s = max(1, round(float(d["travel_time"])))
            except (TypeError, ValueError):
                raise NetworkError(
                    f"{p}: edge {u}–{v}: travel_time = {d['travel_time']!r}: not a number"
                ) from None
        a, b = f"osm:{u}", f"osm:{v}"
        old = g.get_edge_data(a, b)
        if old is None or (time_s, length_m) < (old["time_s"], old["length_m"]):
            g.add_edge(a, b, length_m=length_m, time_s=time_s, road_class=cls)

    road_ids = list(g.nodes)
    rlon = np.array([g.nodes[n]["lon"] for n in road_ids])
    rlat = np.array([g.nodes[n]["lat"] for n in road_ids])
    for pid, (lon, lat) in points.items():
        if pid in g:
            raise NetworkError(f"point {pid!r}: clashes with a graph node id")
        d = haversine_m(rlon, rlat, lon, lat)
        k = int(np.argmin(d))
        if d[k] > max_snap_m:
            raise NetworkError(
                f"{p}: point {pid} at ({lon:.5f}, {lat:.5f}) is {d[k] / 1000:.1f} km from the "
                f"nearest road node (max_snap_m = {max_snap_m:g}): is it the right area?"
            )
        g.add_node(pid, lon=float(lon), lat=float(lat), kind="point", town=None)
        add_road(g, pid, road_ids[k], float(d[k]) * snap_detour, "village", speeds)
    return g
