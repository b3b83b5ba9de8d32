"""Road network: a networkx graph with lon/lat nodes and classed edges → travel matrices.

Two ways in, one graph format out:

* :func:`build_network` builds the default, synthetic county graph from plain data: township
  seats joined by the real inter-township corridors (a links table with a detour factor
  per link, road length = straight distance × detour), and village roads that hang each
  village off its own township's road tree;
* :func:`load_graphml` reads a real road graph as osmnx writes it.

Graph format (both): an undirected :class:`networkx.Graph`; nodes carry ``lon``, ``lat``
(WGS-84 degrees) and ``kind`` (``seat`` / ``village`` / ``junction`` / ``road`` / ``point``);
edges carry ``length_m`` and ``time_s`` (integers, each >= 1) and ``road_class``
(``expressway`` / ``trunk`` / ``county`` / ``village``).

:func:`travel_matrices` turns it into the integer metre/second matrices that
:class:`routing.problem.Problem` takes. This module takes plain data only and never imports
:mod:`gongpei` or :mod:`sorter`.
"""

from __future__ import annotations

import csv
import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np

from routing.problem import Problem

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "ROAD_CLASSES",
    "UNREACHABLE",
    "NetworkError",
    "RoadLink",
    "build_network",
    "path_coords",
    "read_links_csv",
    "travel_matrices",
]

ROAD_CLASSES = ("expressway", "trunk", "county", "village")
#: Van speeds by road class, km/h (PARAMETERS.md: trunk 40–50, county 30–35, village 15–25,
#: expressway 80–90). Mountain roads: these are van averages, not speed limits.
DEFAULT_SPEEDS_KMH: Mapping[str, float] = MappingProxyType(
    {"expressway": 85.0, "trunk": 45.0, "county": 32.0, "village": 20.0}
)
#: Distance and time of a pair with no road between them (the Problem's convention).
UNREACHABLE = Problem.UNREACHABLE
_EARTH_RADIUS_M = 6_371_008.8

Point = tuple[float, float]


class NetworkError(ValueError):
    """A road network input is unusable; the message names the file/link/node and value."""


@dataclass(frozen=True, slots=True)
class RoadLink:
    """An inter-township road: endpoints ``a``, ``b`` (seat or village ids), its class, and
    ``detour`` = road length / straight-line length (valleys 1.2–1.9, over ridges 2.4–2.7)."""

    a: str
    b: str
    road_class: str
    detour: float
    note: str = ""

    def __post_init__(self) -> None:
        name = f"road link {self.a}–{self.b}"
        if self.a == self.b:
            raise NetworkError(f"{name}: both ends are the same node")
        if self.road_class not in ROAD_CLASSES:
            raise NetworkError(
                f"{name}: road_class = {self.road_class!r}: must be one of "
                f"{', '.join(ROAD_CLASSES)}"
            )
        if not (isinstance(self.detour, int | float) and math.isfinite(self.detour)):
            raise NetworkError(f"{name}: detour = {self.detour!r}: must be a number")
        if not 1.0 <= self.detour <= 4.0:
            raise NetworkError(f"{name}: detour = {self.detour!r}: must be within 1.0–4.0")


def read_links_csv(path: Path | str) -> tuple[RoadLink, ...]:
    """Links from a CSV with columns ``a,b,road_class,detour[,note]`` (UTF-8)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise NetworkError(f"{p}: cannot read: {e}") from e
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ("a", "b", "road_class", "detour") if c not in (reader.fieldnames or [])]
    if missing:
        raise NetworkError(f"{p}: missing column(s) {', '.join(missing)}")
    links = []
    for i, r in enumerate(reader):
        line = i + 2
        try:
            detour = float(r["detour"])
        except (TypeError, ValueError):
            raise NetworkError(f"{p}: row {line}: detour = {r['detour']!r}: not a number") from None
        try:
            links.append(
                RoadLink(
                    (r["a"] or "").strip(),
                    (r["b"] or "").strip(),
                    (r["road_class"] or "").strip(),
                    detour,
                    (r.get("note") or "").strip(),
                )
            )
        except NetworkError as e:
            raise NetworkError(f"{p}: row {line}: {e}") from None
    if not links:
        raise NetworkError(f"{p}: no links")
    return tuple(links)


# --------------------------------------------------------------------------- helpers


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlam = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def check_speeds(speeds_kmh: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for c in ROAD_CLASSES:
        v = speeds_kmh.get(c)
        if v is None or not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise NetworkError(f"speeds_kmh[{c!r}] = {v!r}: must be a number > 0")
        out[c] = float(v)
    return out


def add_road(g: nx.Graph, u: str, v: str, length: float, road_class: str, speeds: dict) -> None:
    """Add an edge with integer metres and seconds, both >= 1 (zero weights break Dijkstra
    tie-breaking and the solver's strictly positive arcs)."""
    length_m = max(1, round(length))
    time_s = max(1, round(length_m * 3.6 / speeds[road_class]))
    g.add_edge(u, v, length_m=length_m, time_s=time_s, road_class=road_class)


def _dist(g: nx.Graph, u: str, lon: float, lat: float) -> float:
    return float(haversine_m(g.nodes[u]["lon"], g.nodes[u]["lat"], lon, lat))


# --------------------------------------------------------------------------- synthetic graph


def build_network(
    seats: Mapping[str, Point],
    links: Sequence[RoadLink],
    villages: Mapping[str, Point],
    village_seat: Mapping[str, str],
    *,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    village_detour: float = 1.4,
    junction_spacing_m: float | None = 4000.0,
) -> nx.Graph:
    """The synthetic county road graph.

    * **Corridors**: each link joins two seats (or a seat and a village, e.g. the hub) by a
      road of length straight × ``link.detour``, cut into pieces of about
      ``junction_spacing_m`` road metres by ``junction`` nodes placed on the straight line
      (``None``: no junctions), so villages can join a corridor half-way along.
    * **Village roads** (class ``village``): township by township (by code), villages in
      order of distance from their seat (ties by code) each join the *nearest* node of
      their own township's road tree: the seat, a junction whose nearest seat is theirs, or
      a village of the township already joined. Length = straight × ``village_detour``.
      Villages thus chain up valleys off each other, and every village is reachable.

    Node ids: seat and village ids as given; junctions ``"j:<a>:<b>:<k>"``. Raises
    :class:`NetworkError` for a link to an unknown node, a duplicate link, a village of an
    unknown seat, or seats that the links leave disconnected.
    """
    speeds = check_speeds(speeds_kmh)
    if not (math.isfinite(village_detour) and village_detour >= 1.0):
        raise NetworkError(f"village_detour = {village_detour!r}: must be >= 1.0")
    if junction_spacing_m is not None and not junction_spacing_m > 0:
        raise NetworkError(f"junction_spacing_m = {junction_spacing_m!r}: must be > 0 or None")
    both = set(seats) & set(villages)
    if both:
        raise NetworkError(f"ids used for both a seat and a village: {sorted(both)[:5]}")

    g = nx.Graph()
    for s, (lon, lat) in seats.items():
        g.add_node(s, lon=float(lon), lat=float(lat), kind="seat", town=s)
    for v, (lon, lat) in villages.items():
        town = village_seat.get(v)
        if town not in seats:
            raise NetworkError(f"village {v}: seat {town!r} is not a known seat")
        g.add_node(v, lon=float(lon), lat=float(lat), kind="village", town=town)

    seat_ids = list(seats)
    seat_lon = np.array([seats[s][0] for s in seat_ids], dtype=float)
    seat_lat = np.array([seats[s][1] for s in seat_ids], dtype=float)

    def nearest_seat(lon: float, lat: float) -> str:
        return seat_ids[int(np.argmin(haversine_m(seat_lon, seat_lat, lon, lat)))]

    on_corridor: set[str] = set()
    seen: set[frozenset[str]] = set()
    for link in links:
        for end in (link.a, link.b):
            if end not in g:
                raise NetworkError(f"road link {link.a}–{link.b}: {end!r} is not a seat or village")
        pair = frozenset((link.a, link.b))
        if pair in seen:
            raise NetworkError(f"road link {link.a}–{link.b}: listed twice")
        seen.add(pair)
        a, b = g.nodes[link.a], g.nodes[link.b]
        road = _dist(g, link.a, b["lon"], b["lat"]) * link.detour
        n = 1 if junction_spacing_m is None else max(1, round(road / junction_spacing_m))
        chain = [link.a]
        for k in range(1, n):
            f = k / n
            lon, lat = a["lon"] + f * (b["lon"] - a["lon"]), a["lat"] + f * (b["lat"] - a["lat"])
            j = f"j:{link.a}:{link.b}:{k}"
            g.add_node(j, lon=lon, lat=lat, kind="junction", town=nearest_seat(lon, lat))
            chain.append(j)
        chain.append(link.b)
        cuts = [round(road * k / n) for k in range(n + 1)]  # integer pieces summing to road
        for k in range(n):
            add_road(g, chain[k], chain[k + 1], cuts[k + 1] - cuts[k], link.road_class, speeds)
        on_corridor.update((link.a, link.b))

    # Village roads: grow each township's tree outwards from its seat.
    for town in sorted(seats):
        tree = [n for n, d in g.nodes(data=True) if d["town"] == town and d["kind"] != "village"]
        tree += [v for v in villages if village_seat[v] == town and v in on_corridor]
        todo = [v for v in villages if village_seat[v] == town and v not in on_corridor]
        slon, slat = seats[town]
        todo.sort(key=lambda v: (float(haversine_m(slon, slat, *villages[v])), v))
        for v in todo:
            lon, lat = villages[v]
            tlon = np.array([g.nodes[t]["lon"] for t in tree])
            tlat = np.array([g.nodes[t]["lat"] for t in tree])
            d = haversine_m(tlon, tlat, lon, lat)
            k = int(np.argmin(d))
            add_road(g, v, tree[k], float(d[k]) * village_detour, "village", speeds)
            tree.append(v)

    if g.number_of_nodes() and not nx.is_connected(g):
        parts = sorted(nx.connected_components(g), key=len, reverse=True)
        cut_off = sorted(s for part in parts[1:] for s in part if s in seats)
        raise NetworkError(f"the road links leave seats disconnected from the rest: {cut_off}")
    return g


# --------------------------------------------------------------------------- GraphML (osmnx)


# --------------------------------------------------------------------------- shortest paths


def _combined_scale(g: nx.Graph) -> int:
    """2**k above the total road length: time * scale + length orders paths by time, then
    length, and splits back exactly (checked against float64's 2**53 by the caller)."""
    total = sum(d["length_m"] for _, _, d in g.edges(data=True))
    return 1 << int(total + 1).bit_length()


def travel_matrices(
    graph: nx.Graph, ids: Sequence[str], *, method: str = "auto"
) -> tuple[np.ndarray, np.ndarray]:
    """Integer (metres, seconds) matrices between ``ids`` along the *fastest* path.

    Both matrices follow one path per pair, the one a van drives: least time, ties broken
    by least length. So ``dist[i, j]`` is the kilometres of the trip ``time[i, j]`` takes,
    and cost (per km) and duration of a round describe the same driving. (The shortest
    path by length can be a slower village-road cut; a planner would not drive it.)

    Pairs with no road get :data:`UNREACHABLE` in both. ``method="auto"`` uses scipy's
    Dijkstra on a combined integer weight when scipy is installed and the sums are exact in
    float64, otherwise (or with ``method="heap"``) a pure-Python heap Dijkstra; both give
    the same answers.
    """
    if method not in ("auto", "scipy", "heap"):
        raise NetworkError(f"method = {method!r}: must be 'auto', 'scipy' or 'heap'")
    ids = list(ids)
    missing = [i for i in ids if i not in graph]
    if missing:
        raise NetworkError(f"ids not in the road graph: {missing[:5]}")
    unique = list(dict.fromkeys(ids))
    if len(unique) < len(ids):  # repeated ids: solve once, then copy rows and columns
        dist_u, time_u = travel_matrices(graph, unique, method=method)
        pos = {n: k for k, n in enumerate(unique)}
        take = np.array([pos[i] for i in ids], dtype=np.int64)
        return dist_u[np.ix_(take, take)], time_u[np.ix_(take, take)]
    nodes = list(graph.nodes)
    index = {n: k for k, n in enumerate(nodes)}
    src = np.array([index[i] for i in ids], dtype=np.int64)
    m = len(ids)
    dist = np.full((m, m), UNREACHABLE, dtype=np.int64)
    time = np.full((m, m), UNREACHABLE, dtype=np.int64)
    if m == 0:
        return dist, time
    scale = _combined_scale(graph)
    total_time = sum(d["time_s"] for _, _, d in graph.edges(data=True))
    use_scipy = False
    if method != "heap":
        try:
            from scipy.sparse import csr_matrix
            from scipy.sparse.csgraph import dijkstra

            use_scipy = (total_time + 1) * scale < 2**53
        except ImportError:  # pragma: no cover - scipy is normally present
            pass
        if method == "scipy" and not use_scipy:
            raise NetworkError("method = 'scipy': scipy missing or weights too large for it")
    if use_scipy:
        us, vs, w = [], [], []
        for u, v, d in graph.edges(data=True):
            c = d["time_s"] * scale + d["length_m"]
            us += [index[u], index[v]]
            vs += [index[v], index[u]]
            w += [c, c]
        n = len(nodes)
        mat = csr_matrix((np.array(w, dtype=np.float64), (us, vs)), shape=(n, n))
        comb = dijkstra(mat, directed=True, indices=src)[:, src]
        ok = np.isfinite(comb)
        ci = np.where(ok, comb, 0).astype(np.int64)
        time[ok] = (ci // scale)[ok]
        dist[ok] = (ci % scale)[ok]
    else:
        adj: list[list[tuple[int, int, int]]] = [[] for _ in nodes]
        for u, v, d in graph.edges(data=True):
            adj[index[u]].append((index[v], d["time_s"], d["length_m"]))
            adj[index[v]].append((index[u], d["time_s"], d["length_m"]))
        col = {int(s): j for j, s in enumerate(src)}
        for i, s in enumerate(src):
            best = {int(s): (0, 0)}
            heap = [(0, 0, int(s))]
            done: set[int] = set()
            left = len(col)
            while heap and left:
                t, ln, u = heapq.heappop(heap)
                if u in done:
                    continue
                done.add(u)
                if u in col:
                    time[i, col[u]], dist[i, col[u]] = t, ln
                    left -= 1
                for v, dt, dl in adj[u]:
                    cand = (t + dt, ln + dl)
                    if v not in done and cand < best.get(v, (UNREACHABLE, UNREACHABLE)):
                        best[v] = cand
                        heapq.heappush(heap, (cand[0], cand[1], v))
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(time, 0)
    return dist, time


def path_coords(graph: nx.Graph, a: str, b: str) -> list[Point]:
    """(lon, lat) of the nodes on the fastest path a → b (the path the matrices use), for
    drawing a round on a map. Raises :class:`NetworkError` if there is no path."""
    scale = _combined_scale(graph)
    try:
        path = nx.dijkstra_path(
            graph, a, b, weight=lambda u, v, d: d["time_s"] * scale + d["length_m"]
        )
    except (nx.NetworkXNoPath, nx.NodeNotFound) as e:
        raise NetworkError(f"no road path {a} → {b}: {e}") from e
    return [(graph.nodes[n]["lon"], graph.nodes[n]["lat"]) for n in path]
