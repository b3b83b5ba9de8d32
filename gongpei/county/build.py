"""A scenario's county made concrete: townships, villages with positions, roads, matrices.

Building the county (placing villages, building roads, running Dijkstra from every stop) is
the same for every run of one county, so :func:`build_county` caches it by the scenario's
county and road tables: a sweep over sorter settings builds it once per process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from gongpei.county.geography import (
    Town,
    VillageUnit,
    load_outline,
    load_towns,
    load_villages,
    place_villages,
    seat_positions,
    village_seats,
)

if TYPE_CHECKING:
    import networkx as nx

    from gongpei.scenario.loading import Scenario

__all__ = ["County", "build_county"]


@dataclass(frozen=True, eq=False)
class County:
    """Townships, village-level units, their positions and the road graph.

    Graph node ids: village codes (12 digits), township seat codes (9 digits, the seat's
    position), junctions. The hub is its village's node.
    """

    code: str
    name: str
    towns: tuple[Town, ...]
    villages: tuple[VillageUnit, ...]
    outline: Any  # shapely (Multi)Polygon
    positions: dict[str, tuple[float, float]]  # village code → (lon, lat)
    graph: nx.Graph
    hub: str
    hub_name: str
    excluded_kinds: tuple[str, ...]
    _matrix_cache: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False
    )

    @property
    def rural(self) -> tuple[VillageUnit, ...]:
        """The units the co-delivery rounds serve (by default the 201 administrative villages)."""
        return tuple(v for v in self.villages if v.kind not in self.excluded_kinds)

    def town(self, code: str) -> Town:
        for t in self.towns:
            if t.code == code:
                return t
        raise KeyError(code)

    def village(self, code: str) -> VillageUnit:
        for v in self.villages:
            if v.code == code:
                return v
        raise KeyError(code)

    def position(self, node: str) -> tuple[float, float]:
        """(lon, lat) of a village, a township seat or any graph node."""
        if node in self.positions:
            return self.positions[node]
        data = self.graph.nodes[node]
        return (float(data["lon"]), float(data["lat"]))

    def matrices(self, ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Integer (metres, seconds) travel matrices between graph nodes ``ids`` (cached)."""
        from routing.network import travel_matrices

        key = tuple(ids)
        if key not in self._matrix_cache:
            self._matrix_cache[key] = travel_matrices(self.graph, key)
        return self._matrix_cache[key]


def build_county(scenario: Scenario) -> County:
    """The county of ``scenario`` (cached per county and roads tables)."""
    m = scenario.model
    key = json.dumps(
        {
            "county": m.county.model_dump(mode="json"),
            "roads": m.roads.model_dump(mode="json"),
            "base": str(scenario.base_dir),
        },
        sort_keys=True,
    )
    if key not in _CACHE:
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _build(scenario)
    return _CACHE[key]


_CACHE: dict[str, County] = {}


def _build(scenario: Scenario) -> County:
    from routing.graphml import load_graphml
    from routing.network import build_network, read_links_csv

    m = scenario.model
    with _data_file(scenario, "county.towns", m.county.towns):
        towns = load_towns(scenario.path(m.county.towns))
    with _data_file(scenario, "county.villages", m.county.villages):
        villages = load_villages(scenario.path(m.county.villages), towns)
    with _data_file(scenario, "county.outline", m.county.outline):
        outline = load_outline(scenario.path(m.county.outline))
    positions = place_villages(
        towns,
        villages,
        outline,
        seed=m.county.placement_seed,
        hub_code=m.county.hub_village,
        min_separation_m=m.county.min_separation_m,
    )
    speeds = m.roads.speeds_kmh.model_dump()
    if m.roads.network == "graphml":
        assert m.roads.graphml is not None  # the schema guarantees it
        points = {**positions, **seat_positions(towns)}
        with _data_file(scenario, "roads.graphml", m.roads.graphml):
            graph = load_graphml(scenario.path(m.roads.graphml), points, speeds_kmh=speeds)
    else:
        if m.roads.network == "generic":
            from routing.generic_roads import generic_links

            field, value = "roads.network", "generic"
            with _data_file(scenario, field, value):
                links = generic_links(seat_positions(towns), outline=outline)
        else:
            assert m.roads.links is not None
            field, value = "roads.links", m.roads.links
            with _data_file(scenario, field, value):
                links = read_links_csv(scenario.path(m.roads.links))
        with _data_file(scenario, field, value):
            graph = build_network(
                seat_positions(towns),
                links,
                positions,
                village_seats(villages),
                speeds_kmh=speeds,
                village_detour=m.roads.village_detour,
            )
    graph = _close_roads(scenario, graph)
    return County(
        code=m.county.code,
        name=m.county.name,
        towns=towns,
        villages=villages,
        outline=outline,
        positions=positions,
        graph=graph,
        hub=m.county.hub_village,
        hub_name=m.county.hub_name,
        excluded_kinds=tuple(m.county.exclude_kinds),
    )


def _close_roads(scenario: Scenario, graph: nx.Graph) -> nx.Graph:
    """``[roads] closed``: each pair's road closed as ``gongpei replan --closure`` closes it
    (a whole corridor between two seats, not only a direct edge, which corridors never have);
    a pair that names no road is rejected with its field path."""
    from gongpei.scenario.messages import ScenarioError, show_value
    from routing.closures import close_roads
    from routing.network import NetworkError

    for k, (a, b) in enumerate(scenario.model.roads.closed):
        try:
            graph, _ = close_roads(graph, [(a, b)])
        except NetworkError as exc:
            reason = str(exc).split(": ", 1)[-1]
            raise ScenarioError(
                [f"{scenario.source}: roads.closed[{k}] = {show_value([a, b])}: {reason}"]
            ) from None
    return graph


@contextmanager
def _data_file(scenario: Scenario, field: str, value: str) -> Iterator[None]:
    """A fault in a data file as one line naming the scenario, the field that names the file
    and the value: ``x.toml: roads.links = "l.csv": row 3: detour = -1.0: must be …``."""
    from gongpei.county.geography import GeographyError
    from gongpei.scenario.messages import ScenarioError, show_value
    from routing.network import NetworkError

    try:
        yield
    except (GeographyError, NetworkError) as exc:
        text = str(exc)
        file = str(scenario.path(value))
        if text.startswith(f"{file}: "):
            text = text[len(file) + 2 :]
        raise ScenarioError([f"{scenario.source}: {field} = {show_value(value)}: {text}"]) from None
