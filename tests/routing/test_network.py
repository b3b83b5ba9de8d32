"""Road network: the synthetic county graph, GraphML loading, matrices and calibration."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
import pytest

from gongpei.county.geography import (
    DEFAULT_SEED,
    HUB_CODE,
    SUICHANG_DIR,
    haversine_m,
    load_outline,
    load_towns,
    load_villages,
    place_villages,
    seat_positions,
    village_seats,
)
from routing.graphml import load_graphml
from routing.network import (
    DEFAULT_SPEEDS_KMH,
    ROAD_CLASSES,
    UNREACHABLE,
    NetworkError,
    RoadLink,
    build_network,
    path_coords,
    read_links_csv,
    travel_matrices,
)
from routing.plotting import plot_network

matplotlib.use("Agg")
SEAT = "331123001"  # 妙高街道


@pytest.fixture(scope="module")
def county():
    towns = load_towns(SUICHANG_DIR / "towns.csv")
    villages = load_villages(SUICHANG_DIR / "villages.csv", towns)
    outline = load_outline(SUICHANG_DIR / "county_boundary.geojson")
    positions = place_villages(towns, villages, outline, seed=DEFAULT_SEED, hub_code=HUB_CODE)
    links = read_links_csv(SUICHANG_DIR / "roads.csv")
    return towns, villages, outline, positions, links


@pytest.fixture(scope="module")
def graph(county):
    towns, villages, _, positions, links = county
    return build_network(seat_positions(towns), links, positions, village_seats(villages))


@pytest.fixture(scope="module")
def matrices(county, graph):
    _, villages, _, _, _ = county
    ids = [SEAT] + [v.code for v in villages]
    dist, time = travel_matrices(graph, ids)
    return ids, dist, time


# --------------------------------------------------------------------------- default graph


def test_graph_attributes(graph):
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    assert kinds == {"seat", "village", "junction"}
    for u, v, d in graph.edges(data=True):
        assert isinstance(d["length_m"], int) and d["length_m"] >= 1, (u, v)
        assert isinstance(d["time_s"], int) and d["time_s"] >= 1, (u, v)
        assert d["road_class"] in ROAD_CLASSES
        expected = d["length_m"] * 3.6 / DEFAULT_SPEEDS_KMH[d["road_class"]]
        assert abs(d["time_s"] - expected) <= 1
        straight = haversine_m(
            graph.nodes[u]["lon"],
            graph.nodes[u]["lat"],
            graph.nodes[v]["lon"],
            graph.nodes[v]["lat"],
        )
        assert d["length_m"] >= straight * 1.15  # roads never beat the crow


def test_every_village_reachable_from_the_hub_by_village_roads(county, graph):
    _, villages, _, _, _ = county
    assert nx.is_connected(graph)
    reach = nx.node_connected_component(graph, HUB_CODE)
    assert all(v.code in reach for v in villages)
    for v in villages:
        if v.code == HUB_CODE:
            continue  # joined by its access road (roads.csv)
        classes = {d["road_class"] for _, _, d in graph.edges(v.code, data=True)}
        assert "village" in classes, v.code


def test_villages_join_their_own_township(county, graph):
    _, villages, _, _, _ = county
    own = {v.code: v.town_code for v in villages}
    for v in villages:
        for n in graph.neighbors(v.code):
            assert graph.nodes[n]["town"] == own[v.code], (v.code, n)


def test_matrices_integer_symmetric_zero_diagonal(matrices):
    _, dist, time = matrices
    for m in (dist, time):
        assert m.dtype == np.int64
        assert (np.diag(m) == 0).all()
        assert (m == m.T).all()
        assert (m < UNREACHABLE).all()
        off = ~np.eye(len(m), dtype=bool)
        assert (m[off] > 0).all()


def test_matrices_triangle_and_crow_flies(county, graph, matrices):
    ids, dist, time = matrices
    # fastest-path times obey the triangle inequality exactly
    sub = time[:60, :60]
    assert (sub[:, None, :] <= sub[:, :, None] + sub[None, :, :]).all()
    lon = np.array([graph.nodes[i]["lon"] for i in ids])
    lat = np.array([graph.nodes[i]["lat"] for i in ids])
    crow = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    assert (dist >= np.floor(crow)).all()


def test_scipy_and_heap_dijkstra_agree(graph, matrices):
    ids, dist, time = matrices
    d2, t2 = travel_matrices(graph, ids[:40], method="heap")
    assert (d2 == dist[:40, :40]).all()
    assert (t2 == time[:40, :40]).all()


def test_matrices_follow_the_fastest_path(graph, matrices):
    ids, dist, time = matrices
    a, b = ids[0], ids[-1]
    path = nx.dijkstra_path(graph, a, b, weight="time_s")
    edges = list(itertools.pairwise(path))
    assert sum(graph.edges[e]["time_s"] for e in edges) == time[0, -1]
    assert sum(graph.edges[e]["length_m"] for e in edges) == dist[0, -1]
    coords = path_coords(graph, a, b)
    assert coords[0] == (graph.nodes[a]["lon"], graph.nodes[a]["lat"])
    assert coords[-1] == (graph.nodes[b]["lon"], graph.nodes[b]["lat"])


def test_unreachable_pairs_and_repeated_ids():
    g = nx.Graph()
    for n, lon in (("a", 0.0), ("b", 0.01), ("c", 1.0)):
        g.add_node(n, lon=lon, lat=0.0)
    g.add_edge("a", "b", length_m=1500, time_s=120, road_class="county")
    g.add_node("d", lon=2.0, lat=0.0)
    g.add_edge("c", "d", length_m=10, time_s=1, road_class="village")
    for method in ("heap", "scipy"):
        dist, time = travel_matrices(g, ["a", "b", "c", "a"], method=method)
        assert dist.tolist() == [
            [0, 1500, UNREACHABLE, 0],
            [1500, 0, UNREACHABLE, 1500],
            [UNREACHABLE, UNREACHABLE, 0, UNREACHABLE],
            [0, 1500, UNREACHABLE, 0],
        ]
        assert time[0, 1] == 120
    with pytest.raises(NetworkError, match="not in the road graph"):
        travel_matrices(g, ["a", "zz"])


def test_calibration_within_20_percent_of_reported(load_benchmark, county, graph):
    cal = load_benchmark("calibrate_roads")
    towns = {t.name: t.code for t in county[0]}
    ids = [SEAT] + [towns[name] for name in cal.REPORTED_KM]
    dist, _ = travel_matrices(graph, ids)
    for k, (name, km) in enumerate(cal.REPORTED_KM.items()):
        assert 0.8 <= dist[0, k + 1] / 1000 / km <= 1.2, name
    rows, _ = cal.calibration_rows()
    assert [r["township"] for r in rows] == list(cal.REPORTED_KM)
    assert all(0.9 <= r["ratio"] <= 1.1 for r in rows)  # the target, met today


def test_junctions_do_not_change_corridor_length(county):
    towns, villages, _, positions, links = county
    seats = seat_positions(towns)
    ids = list(seats)
    kw = dict(villages=positions, village_seat=village_seats(villages))
    d1, _ = travel_matrices(build_network(seats, links, junction_spacing_m=None, **kw), ids)
    d2, _ = travel_matrices(build_network(seats, links, junction_spacing_m=2000.0, **kw), ids)
    assert np.abs(d1 - d2).max() <= 2 * len(links)  # only metre rounding per piece


def test_roads_csv_detours_are_plausible(county):
    _, _, _, _, links = county
    assert all(1.2 <= link.detour <= 2.7 for link in links)
    assert all(link.note for link in links)


# --------------------------------------------------------------------------- bad inputs

SEATS = {"A": (119.0, 28.5), "B": (119.1, 28.5), "C": (119.2, 28.6)}


@pytest.mark.parametrize(
    ("links", "villages", "village_seat", "match"),
    [
        ([RoadLink("A", "X", "trunk", 1.3)], {}, {}, "'X' is not a seat or village"),
        (
            [RoadLink("A", "B", "trunk", 1.3), RoadLink("B", "A", "county", 1.5)],
            {},
            {},
            "listed twice",
        ),
        ([RoadLink("A", "B", "trunk", 1.3)], {}, {}, r"disconnected.*\['C'\]"),
        (
            [RoadLink("A", "B", "trunk", 1.3), RoadLink("B", "C", "trunk", 1.3)],
            {"v1": (119.05, 28.55)},
            {"v1": "Q"},
            "village v1: seat 'Q'",
        ),
    ],
)
def test_build_network_errors(links, villages, village_seat, match):
    with pytest.raises(NetworkError, match=match):
        build_network(SEATS, links, villages, village_seat)


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("A,B,highway,1.3,x", "row 2.*road_class = 'highway'"),
        ("A,B,trunk,fast,x", "row 2: detour = 'fast'"),
        ("A,B,trunk,0.8,x", "row 2.*detour = 0.8"),
        ("A,A,trunk,1.3,x", "same node"),
    ],
)
def test_read_links_csv_errors(tmp_path: Path, row: str, match: str):
    path = tmp_path / "roads.csv"
    path.write_text("a,b,road_class,detour,note\n" + row + "\n", encoding="utf-8")
    with pytest.raises(NetworkError, match=match):
        read_links_csv(path)


# --------------------------------------------------------------------------- GraphML

_EDGE_KEYS = ("osmid", "highway", "oneway", "reversed", "length", "travel_time")


def _osmnx_graphml(nodes, edges, drop: str | None = None) -> str:
    """A GraphML document shaped like osmnx's ``save_graphml`` output (string-typed keys,
    a directed multigraph, edge ``id`` = key)."""
    keys = [("node", "y"), ("node", "x"), ("node", "street_count")]
    keys += [("edge", k) for k in _EDGE_KEYS if k != drop]
    out = [
        "<?xml version='1.0' encoding='utf-8'?>",
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '<key id="g0" for="graph" attr.name="crs" attr.type="string" />',
    ]
    ids = {}
    for k, (owner, name) in enumerate(keys):
        ids[(owner, name)] = f"d{k}"
        out.append(f'<key id="d{k}" for="{owner}" attr.name="{name}" attr.type="string" />')
    out.append('<graph edgedefault="directed"><data key="g0">epsg:4326</data>')
    for n, (lon, lat) in nodes.items():
        out.append(
            f'<node id="{n}"><data key="{ids["node", "y"]}">{lat}</data>'
            f'<data key="{ids["node", "x"]}">{lon}</data>'
            f'<data key="{ids["node", "street_count"]}">3</data></node>'
        )
    for u, v, attrs in edges:
        data = "".join(
            f'<data key="{ids["edge", name]}">{value}</data>'
            for name, value in attrs.items()
            if ("edge", name) in ids
        )
        out.append(f'<edge source="{u}" target="{v}" id="0">{data}</edge>')
    out.append("</graph></graphml>")
    return "\n".join(out)


NODES = {101: (119.000, 28.500), 102: (119.010, 28.500), 103: (119.020, 28.505)}
EDGES = [
    (101, 102, dict(osmid=1, highway="secondary", oneway="False", length=1100.0, travel_time=66)),
    (102, 101, dict(osmid=1, highway="secondary", oneway="False", length=1100.0, travel_time=66)),
    (102, 103, dict(osmid=2, highway="['unclassified', 'primary_link']", length=1250.5)),
]


def test_load_graphml_osmnx_format(tmp_path: Path):
    path = tmp_path / "roads.graphml"
    path.write_text(_osmnx_graphml(NODES, EDGES), encoding="utf-8")
    points = {"v1": (119.0005, 28.5005), "hub": (119.0201, 28.5051)}
    g = load_graphml(path, points)
    assert g.edges["osm:101", "osm:102"]["road_class"] == "county"
    assert g.edges["osm:101", "osm:102"]["length_m"] == 1100
    assert g.edges["osm:101", "osm:102"]["time_s"] == round(1100 * 3.6 / 32)  # van speed
    assert g.edges["osm:102", "osm:103"]["road_class"] == "trunk"  # best class of the list
    assert set(g.neighbors("v1")) == {"osm:101"}
    assert g.edges["v1", "osm:101"]["road_class"] == "village"
    dist, _ = travel_matrices(g, ["v1", "hub"])
    snap = g.edges["v1", "osm:101"]["length_m"] + g.edges["hub", "osm:103"]["length_m"]
    assert dist[0, 1] == 1100 + 1250 + snap  # 1250.5 rounds half to even
    assert (dist == dist.T).all()
    timed = load_graphml(path, points, use_graph_times=True)
    assert timed.edges["osm:101", "osm:102"]["time_s"] == 66


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("this is not xml", "cannot read GraphML"),
        (_osmnx_graphml({}, []), "no nodes or no edges"),
        (_osmnx_graphml(NODES, EDGES, drop="length"), "missing attribute 'length'"),
    ],
)
def test_load_graphml_errors(tmp_path: Path, text: str, match: str):
    path = tmp_path / "bad.graphml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NetworkError, match=match) as err:
        load_graphml(path, {"v1": (119.0, 28.5)})
    assert "bad.graphml" in str(err.value)


def test_load_graphml_point_far_from_roads(tmp_path: Path):
    path = tmp_path / "roads.graphml"
    path.write_text(_osmnx_graphml(NODES, EDGES), encoding="utf-8")
    with pytest.raises(NetworkError, match=r"point far1 .* km from the nearest road"):
        load_graphml(path, {"far1": (119.5, 28.5)})


# --------------------------------------------------------------------------- plot


def test_plot_network_draws_classes_and_villages(county, graph):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    plot_network(graph, ax=ax, outline=county[2])
    labels = {c.get_label() for c in ax.collections}
    assert {"trunk road", "county road", "village road", "villages"} <= labels
    plt.close(fig)
