"""Closing roads: a copy of the road graph without the roads between named places (a
corridor is closed whole, junctions included), for scenario closures and re-planning."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import networkx as nx

from routing.network import NetworkError


def close_roads(
    graph: nx.Graph, pairs: Iterable[tuple[str, str]]
) -> tuple[nx.Graph, tuple[tuple[str, str], ...]]:
    """A copy of ``graph`` with the roads between each pair closed, and the edges removed.

    Two adjacent nodes close that edge; two ends of a corridor (the link ``a``–``b`` of
    :func:`routing.network.build_network`, cut by junctions ``j:a:b:k``) close every edge of
    it, so a closure
    of ``A``–``B`` closes the road, not only a direct edge that corridors never have. Any
    other pair, or a node not in the graph, is a :class:`NetworkError` naming it.
    """
    g = graph.copy()
    removed: list[tuple[str, str]] = []
    for a, b in pairs:
        for n in (a, b):
            if n not in g:
                raise NetworkError(f"closure {a}–{b}: {n!r} is not a road-graph node")
        if g.has_edge(a, b):
            g.remove_edge(a, b)
            removed.append((a, b))
            continue
        chain = _corridor_chain(g, a, b)
        if not chain:
            raise NetworkError(
                f"closure {a}–{b}: no road between these nodes (name two adjacent nodes, or "
                "the two ends of a corridor link)"
            )
        for u, v in itertools.pairwise(chain):
            if g.has_edge(u, v):
                g.remove_edge(u, v)
                removed.append((u, v))
    return g, tuple(removed)


def _corridor_chain(g: nx.Graph, a: str, b: str) -> list[str]:
    """``[a, j:a:b:1, …, b]`` for a corridor built between ``a`` and ``b`` (either way)."""
    for x, y in ((a, b), (b, a)):
        prefix = f"j:{x}:{y}:"
        ks = sorted(
            int(tail)
            for n in g
            if isinstance(n, str) and n.startswith(prefix) and (tail := n[len(prefix) :]).isdigit()
        )
        if ks:
            chain = [x, *(f"{prefix}{k}" for k in ks), y]
            return chain if x == a else chain[::-1]
    return []
