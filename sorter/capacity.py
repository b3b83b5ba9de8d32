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

A scanner per induction zone (``Line.scanners = "per_zone"``). With ``k`` zones round the
loop and a scanner just after each, a parcel is read as it leaves its zone and a carrier
emptied at a chute is loaded again by the next zone downstream in the same lap. Take ``k``
equal segments (a zone, then its chutes), destinations uniform over the chutes, and enough
induction that every empty carrier reaching a zone is loaded. A parcel whose chute is in the
``m``-th segment downstream of its zone (``m = 1..k``, each with probability ``1/k``) keeps
its carrier for ``m`` segments: the carrier emptied in segment ``m`` can only be loaded at the
next zone. So a parcel uses on average ``(k + 1) / 2`` segments, i.e. ``(k + 1) / (2k)`` of a
lap. At saturation every carrier leaves every zone loaded, so each segment carries ``f``
carrier passages an hour, ``k f`` in all, and

    capacity = k f / ((k + 1) / 2) = 2k / (k + 1) * f     (1 zone: f; 2: 4f/3; 3: 1.5 f; -> 2f)

each zone loading ``2f / (k + 1)`` parcels an hour (its stations must manage that much). For
a real layout (unequal segments, chute shares, slow stations) :func:`zone_capacity_per_h`
solves the same balance station by station: ``x_k = min(mu_k, f - sum_j P_jk x_j)`` where
``P_jk`` is the share of station ``j``'s parcels still on board when their carrier passes
station ``k`` (their ride from ``j`` to their chute, via ``j``'s scanner, is longer than the
way from ``j`` to ``k``). With one zone ``P`` is 1 for stations downstream in the zone and 0
otherwise, which is the greedy above; the balance is solved by damped fixed-point iteration.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .line import Line, LineError


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


def line_capacity_per_h(line: Line, shares: Mapping[str, float] | None = None) -> float:
    """Saturated parcels/h of the line = sum of station capacities (see module docstring):
    the greedy with one scanner, :func:`zone_capacity_per_h` with a scanner per zone
    (``shares``: village chute id -> share of parcels, default equal; one scanner: unused,
    since every parcel keeps its carrier for the whole lap)."""
    if line.scanners == "per_zone":
        return sum(zone_capacity_per_h(line, shares).values())
    return sum(station_capacities_per_h(line).values())


def uniform_zone_capacity_per_h(line: Line) -> float:
    """The closed form ``2k / (k + 1) * f`` for ``k`` = the line's induction zones: equal
    segments, uniform destinations, ample induction (module docstring)."""
    k = len(line.zones)
    return 2 * k / (k + 1) * line.carriers_per_h


def zone_capacity_per_h(
    line: Line, shares: Mapping[str, float] | None = None, *, tol: float = 1e-9
) -> dict[str, float]:
    """Saturated parcels/h of each station with a scanner per zone (the balance in the
    module docstring), for destinations ``shares`` over the village chutes (default equal).

    Positions are in carrier slots, as the simulator has them; a parcel's ride is the slots
    from its station to its scanner plus from the scanner to its chute (a chute at the
    scanner slot is a full lap, as in the engine).
    """
    C = line.carriers
    f = line.carriers_per_h
    village = line.village_chutes
    if shares is None:
        w = np.full(len(village), 1.0 / len(village))
    else:
        w = np.array([float(shares.get(c.id, 0.0)) for c in village])
        if not (np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0):
            raise LineError(f"shares = {dict(shares)!r}: need shares >= 0 of the village chutes")
        w = w / w.sum()
    scan = line.zone_scanners_m()
    stations = line.induction
    st = np.array([line.slot(s.position_m) for s in stations])
    sc = np.array([line.slot(scan[s.name]) for s in stations])
    ch = np.array([line.slot(c.position_m) for c in village])
    to_scan = (sc - st) % C
    from_scan = (ch[None, :] - sc[:, None]) % C
    ride = to_scan[:, None] + np.where(from_scan == 0, C, from_scan)  # station x chute
    gap = (st[None, :] - st[:, None]) % C  # station j -> station k, slots
    gap = np.where(gap == 0, C, gap)  # back at itself after a lap
    # P[j, k]: share of j's parcels still on board as their carrier passes k
    P = (ride[:, None, :] > gap[:, :, None]).astype(float) @ w
    mu = np.array([s.rate_per_h * s.operators for s in stations])
    alpha = 1.0 / (1.0 + float(P.sum(axis=0).max()))
    x = np.zeros(len(stations))
    for _ in range(100_000):
        new = np.minimum(mu, np.maximum(0.0, f - x @ P))
        step = alpha * (new - x)
        x = x + step
        if float(np.abs(step).max()) < tol * f:
            break
    return {s.name: float(v) for s, v in zip(stations, x, strict=True)}
