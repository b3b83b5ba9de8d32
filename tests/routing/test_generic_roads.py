"""The generic road skeleton: its rule on hand-checkable seats, and Suichang's reported km."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from shapely.geometry import Polygon, box

from gongpei.county.geography import (
    DEFAULT_SEED,
    HUB_CODE,
    SUICHANG_DIR,
    load_outline,
    load_towns,
    load_villages,
    place_villages,
    seat_positions,
    village_seats,
)
from routing.generic_roads import GenericRoadRules, detour_factor, gabriel_edges, generic_links
from routing.network import NetworkError, build_network, travel_matrices

KM_LON = 1 / (111.195 * math.cos(math.radians(28.5)))  # degrees of longitude per km at 28.5 N
KM_LAT = 1 / 111.195


def seats_km(points: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Seats given in km east/north of (119.0 E, 28.5 N)."""
    return {k: (119.0 + x * KM_LON, 28.5 + y * KM_LAT) for k, (x, y) in points.items()}


def test_detour_rises_with_length_and_outside_the_outline() -> None:
    assert detour_factor(1_000) == 1.4
    assert detour_factor(2_000) == 1.4
    assert detour_factor(13_500) == pytest.approx(1.7)
    assert detour_factor(25_000) == 2.0
    assert detour_factor(60_000) == pytest.approx(2.35)
    assert detour_factor(200_000) == 2.6  # capped
    assert detour_factor(1_000, outside_share=0.01) == 1.4  # a coastline miss is ignored
    assert detour_factor(1_000, outside_share=0.5) == pytest.approx(2.3)
    with pytest.raises(NetworkError):
        GenericRoadRules(short_m=30_000, long_m=20_000)


def test_gabriel_graph_drops_edges_through_a_third_point() -> None:
    square_with_centre = np.array([[0, 0], [2, 0], [2, 2], [0, 2], [1, 1]], dtype=float)
    edges = set(gabriel_edges(square_with_centre))
    assert (0, 2) not in edges and (1, 3) not in edges  # the diagonals pass the centre
    assert {(0, 4), (1, 4), (2, 4), (3, 4)} <= edges
    assert {(0, 1), (1, 2), (2, 3), (0, 3)} <= edges  # the centre is on, not in, their circles
    line = np.array([[0, 0], [1, 0], [3, 0]], dtype=float)
    assert gabriel_edges(line) == [(0, 1), (1, 2)]


def test_backbone_is_a_spanning_tree_and_a_ring_gets_its_loop() -> None:
    # five seats on a circle of radius 10 km: Gabriel graph = the pentagon (each diagonal's
    # circle holds the vertex between its ends); the MST leaves one side out, and closing it
    # saves a 4-side detour, so it comes back as a loop road.
    ring = {
        f"33000010{k}": (10 * math.cos(k * 2 * math.pi / 5), 10 * math.sin(k * 2 * math.pi / 5))
        for k in range(5)
    }
    links = generic_links(seats_km(ring))
    assert len(links) == 5
    trunk = [lk for lk in links if lk.road_class == "trunk"]
    loops = [lk for lk in links if lk.road_class == "county"]
    assert len(trunk) == 4 and len(loops) == 1
    tree = nx.Graph([(lk.a, lk.b) for lk in trunk])
    assert nx.is_tree(tree) and set(tree) == set(ring)
    assert all(lk.a < lk.b for lk in links)
    assert [(lk.a, lk.b) for lk in links] == sorted((lk.a, lk.b) for lk in links)
    side = 2 * 10_000 * math.sin(math.pi / 5)
    assert all(lk.detour == detour_factor(side) for lk in links)  # all sides equal
    assert all("synthetic" in lk.note for lk in links)
    # a length cap below every side: the tree alone
    capped = generic_links(seats_km(ring), rules=GenericRoadRules(extra_max_ratio=0.5))
    assert [lk.road_class for lk in capped] == ["trunk"] * 4


def test_a_link_that_leaves_the_outline_gets_a_mountain_detour() -> None:
    # A U-shaped county: the two arms' seats are 8 km apart across the gap (outside).
    seats = seats_km({"330000101": (0, 20), "330000102": (8, 20), "330000103": (4, 0)})
    u = Polygon([(-3, 25), (3, 25), (3, 3), (5, 3), (5, 25), (11, 25), (11, -3), (-3, -3)])
    outline = Polygon([(119.0 + x * KM_LON, 28.5 + y * KM_LAT) for x, y in u.exterior.coords])
    links = {(lk.a, lk.b): lk for lk in generic_links(seats, outline=outline)}
    across = links[("330000101", "330000102")]
    assert across.detour >= 2.0 and "outside the county outline" in across.note
    without = {(lk.a, lk.b): lk for lk in generic_links(seats)}
    assert without[("330000101", "330000102")].detour < 2.0


def test_degenerate_inputs() -> None:
    assert generic_links({}) == ()
    assert generic_links(seats_km({"330000101": (0, 0)})) == ()
    two = generic_links(seats_km({"330000101": (0, 0), "330000102": (3, 4)}))
    assert len(two) == 1 and two[0].road_class == "trunk"
    with pytest.raises(NetworkError, match="same point"):
        generic_links(seats_km({"330000101": (0, 0), "330000102": (0, 0)}))
    with pytest.raises(NetworkError, match="finite"):
        generic_links({"330000101": (119.0, float("nan")), "330000102": (119.1, 28.5)})


def test_deterministic_and_independent_of_input_order() -> None:
    towns = load_towns(SUICHANG_DIR / "towns.csv")
    outline = load_outline(SUICHANG_DIR / "county_boundary.geojson")
    seats = seat_positions(towns)
    a = generic_links(seats, outline=outline)
    b = generic_links(dict(reversed(list(seats.items()))), outline=box(*outline.bounds))
    assert a == generic_links(seats, outline=outline)
    assert [(lk.a, lk.b, lk.road_class) for lk in a] == [(lk.a, lk.b, lk.road_class) for lk in b]


# Reported road km from the county seat (benchmarks/calibrate_roads.py, DESIGN.md).
REPORTED_KM = {"柘岱口乡": 100.0, "黄沙腰镇": 85.0, "龙洋乡": 72.0, "湖山乡": 60.0, "高坪乡": 60.0,
               "金竹镇": 54.0, "王村口镇": 50.0, "蔡源乡": 50.0, "北界镇": 27.0}  # fmt: skip


def test_suichang_generic_network_matches_reported_distances_on_average() -> None:
    """Uncalibrated, the generic graph should land near the planners' road km: geometric
    mean of model/reported within ±10 %, every township within −30 %…+45 %."""
    towns = load_towns(SUICHANG_DIR / "towns.csv")
    villages = load_villages(SUICHANG_DIR / "villages.csv", towns)
    outline = load_outline(SUICHANG_DIR / "county_boundary.geojson")
    pos = place_villages(towns, villages, outline, seed=DEFAULT_SEED, hub_code=HUB_CODE)
    links = generic_links(seat_positions(towns), outline=outline)
    g = build_network(seat_positions(towns), links, pos, village_seats(villages))
    assert nx.is_connected(g)
    code = {t.name: t.code for t in towns}
    ids = ["331123001"] + [code[n] for n in REPORTED_KM]
    dist, _ = travel_matrices(g, ids)
    ratio = np.array([dist[0, k + 1] / 1000 / km for k, km in enumerate(REPORTED_KM.values())])
    assert 0.9 <= float(np.exp(np.mean(np.log(ratio)))) <= 1.1
    assert ratio.min() >= 0.7 and ratio.max() <= 1.45
