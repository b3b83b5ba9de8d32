"""The line's theoretical throughput, to check the simulator against (and to size a line).

Derivation. A fixed point of the loop sees ``f = speed * 3600 / pitch`` carriers an hour.
Station ``k`` (in loop order, starting after the scanner) can place at most one parcel per
empty carrier passing it and at most ``mu_k = operators * rate_per_h`` parcels an hour. With
saturated input each station takes what it can of the empty carriers left by the stations
upstream of it::

    x_k = min(mu_k, e_k),      e_k = f - (carriers arriving at k already loaded)

A carrier loaded upstream is still loaded at station ``k`` if its parcel's chute lies beyond
``k`` on its path (induct -> scanner -> chute). With ``q_k`` = the share of parcels loaded
upstream-in-the-zone that are still on board at ``k``, ``e_k = f - sum_{j<k} x_j * q_jk``.
For the usual layout (``Line.evenly_spaced``: all stations in one induction zone just before
the scanner, every chute between the scanner and the zone) each parcel leaves its carrier
before the carrier is back at the zone, and every carrier loaded in the zone is still on
board at every later station of the zone (``q = 1``). Then the stations upstream-first take

    x_1 = min(mu_1, f),  x_2 = min(mu_2, f - x_1), ...   so   capacity = min(sum mu_k, f),

and the downstream stations are the ones that run short of empty carriers. Recirculation
breaks the assumption (a refused parcel keeps its carrier for another loop), which is why the
capacity checks use ample chutes and operators.
"""

from __future__ import annotations

from .line import Line


def station_capacities_per_h(line: Line) -> dict[str, float]:
    """Saturated throughput of each station (parcels/h) by the greedy argument above.

    Stations are taken in loop order starting at the scanner; a parcel loaded at station j is
    counted as occupying its carrier at station k when k lies between j and the scanner
    (it has not been scanned, so not discharged yet). Exact for one induction zone before the
    scanner with every chute beyond it; an approximation otherwise.
    """
    L = line.length_m
    s = line.scanner_position_m
    order = sorted(line.induction, key=lambda st: (st.position_m - s) % L)
    f = line.carriers_per_h
    taken: list[tuple[float, float]] = []  # (position, flow) of upstream stations
    out = {}
    for st in order:
        mu = st.rate_per_h * st.operators
        occupied = sum(x for pos, x in taken if (st.position_m - pos) % L < (s - pos) % L)
        x = max(0.0, min(mu, f - occupied))
        out[st.name] = x
        taken.append((st.position_m, x))
    return out


def line_capacity_per_h(line: Line) -> float:
    """Saturated parcels/h of the line = sum of station capacities (see module docstring)."""
    return sum(station_capacities_per_h(line).values())
