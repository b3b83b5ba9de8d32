"""``routes.geojson``: the rounds along the roads, the villages with their status, the depots
(RFC 7946, lon/lat), for QGIS or kepler.gl.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gongpei.report.formatting import (
    LIGHT_COLOURS,
    clock,
    depot_location,
    graph_node,
    round_colour,
    round_ids,
    village_round,
)


# ---------------------------------------------------------------------------- geometry
@dataclass(frozen=True, slots=True)
class RoundPath:
    """One round drawn along the roads: its id, van, colour and (lon, lat) polyline."""

    round: str
    vehicle: str
    vehicle_type: str
    colour: str
    coords: tuple[tuple[float, float], ...]


if TYPE_CHECKING:
    from gongpei.day.results import DayResult


def round_paths(day: DayResult) -> list[RoundPath]:
    """Each round's polyline along the road graph (the fastest path between consecutive
    stops, as the matrices use); a straight segment where the graph has no path."""
    from routing.network import NetworkError, path_coords

    graph = day.county.graph
    cache: dict[tuple[str, str], list[tuple[float, float]]] = {}

    def leg(a: str, b: str) -> list[tuple[float, float]]:
        if (a, b) not in cache:
            try:
                pts = [(float(x), float(y)) for x, y in path_coords(graph, a, b)]
            except NetworkError:
                pts = [day.county.position(a), day.county.position(b)]
            cache[(a, b)] = pts
        return cache[(a, b)]

    out = []
    for k, (rid, route) in enumerate(zip(round_ids(day), day.plan.routes, strict=True)):
        locs = [graph_node(day, depot_location(day.problem, route.start_depot))]
        locs += [graph_node(day, day.problem.village(v).location) for v in route.villages]
        locs.append(graph_node(day, depot_location(day.problem, route.end_depot)))
        coords: list[tuple[float, float]] = []
        for a, b in itertools.pairwise(locs):
            if a == b:
                continue
            pts = leg(a, b)
            coords.extend(pts[1:] if coords and coords[-1] == pts[0] else pts)
        if len(coords) < 2:
            coords = [day.county.position(locs[0])] * 2
        rounded = tuple((round(x, 6), round(y, 6)) for x, y in coords)
        out.append(RoundPath(rid, route.vehicle, route.vehicle_type, round_colour(k), rounded))
    return out


def routes_geojson(day: DayResult, paths: Sequence[RoundPath] | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946, lon/lat): rounds, villages, depots."""
    paths = round_paths(day) if paths is None else paths
    problem = day.problem
    features: list[dict[str, Any]] = []
    for p, route in zip(paths, day.plan.routes, strict=True):
        delivered = sum(problem.village(v).delivery[0] for v in route.villages)
        picked = sum(problem.village(v).pickup[0] for v in route.villages)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in p.coords]},
                "properties": {
                    "kind": "round",
                    "round": p.round,
                    "vehicle": p.vehicle,
                    "vehicle_type": p.vehicle_type,
                    "km": round(route.distance_m / 1000, 3),
                    "duration_s": route.duration_s,
                    "duration": clock(route.duration_s),
                    "depart": clock(route.depart_s),
                    "return": clock(route.return_s),
                    "villages": len(route.stops),
                    "delivered": delivered,
                    "picked_up": picked,
                    "cost": round(route.cost, 2),
                    "colour": p.colour,
                    "stroke": p.colour,
                    "stroke-width": 3,
                },
            }
        )
    rounds = village_round(day)
    for v in day.villages:
        lon, lat = day.county.position(v.code)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "kind": "village",
                    "code": v.code,
                    "name": v.name,
                    "township": v.township,
                    "rural": v.rural,
                    "parcels": v.sorted_parcels,
                    "not_bagged": v.not_bagged,
                    "pickup": v.pickup_parcels,
                    "ready": clock(v.ready_s),
                    "round": rounds.get(v.code),
                    "vehicle": v.vehicle,
                    "arrival": clock(v.arrival_s) or None,
                    "status": v.status,
                    "reason": v.reason,
                    "light": v.light,
                    "colour": LIGHT_COLOURS.get(v.light, "#999999"),
                    "marker-color": LIGHT_COLOURS.get(v.light, "#999999"),
                },
            }
        )
    for d in problem.depots:
        node = graph_node(day, d.location)
        lon, lat = day.county.position(node)
        is_hub = node == day.county.hub
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "kind": "hub" if is_hub else "depot",
                    "depot": d.id,
                    "code": node,
                    "name": day.county.hub_name if is_hub else d.id,
                    "marker-color": "#000000",
                    "marker-symbol": "warehouse",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
