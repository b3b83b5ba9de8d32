"""When each village's chute is ready: release times for today's rounds from the sorter.

The coupling between the line and the vans lives here: a village is ready when its last
parcel of today's same-day waves is bagged; what is bagged too late waits for tomorrow.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

import sorter
from routing import Problem
from routing.split import village_of


def same_day_ready(
    sort: sorter.SortResult, waves: Sequence[tuple[str, float]], bagging_round_s: float
) -> tuple[dict[str, float], dict[str, int]]:
    """Village → release time for today's rounds, and village → parcels too late for them.

    ``waves`` are today's same-day waves as (name, cut-off). A village is ready when its last
    parcel of those waves is bagged (and, from a shared chute, out of the secondary sort) —
    counting only parcels ready by the wave's cut-off bagging round
    (cut-off + ``bagging_round_s``, the time the bagging operators need to bag every chute once).
    A parcel bagged later goes on tomorrow's round instead of holding today's van (and in a
    steady state, as many of yesterday's stragglers are ready in its place).
    """
    ok = sort.outcome == sorter.OUTCOMES.index("bagged")
    ready = np.full(len(sort.village_ids), -np.inf)
    late = np.zeros(len(sort.village_ids), dtype=np.int64)
    for name, cutoff in waves:
        if name not in sort.wave_names:
            continue
        w = ok & (sort.wave == sort.wave_names.index(name))
        t = sort.parcel_ready_s  # bagged, or out of a shared chute's secondary sort
        on_time = w & (t <= cutoff + bagging_round_s)
        np.maximum.at(ready, sort.village[on_time], t[on_time])
        late += np.bincount(sort.village[w & ~on_time], minlength=late.size)
    return (
        {v: float(ready[k]) for k, v in enumerate(sort.village_ids) if np.isfinite(ready[k])},
        {v: int(late[k]) for k, v in enumerate(sort.village_ids) if late[k]},
    )


def later_wave_ready(
    sort: sorter.SortResult,
    wave: str,
    cutoff: float,
    villages: Collection[str],
    bagging_round_s: float,
) -> tuple[dict[str, tuple[float, int, float]], dict[str, int]]:
    """A later same-day wave served on its own visit (``same_day_within_km``): village →
    (ready time, parcels, litres) of the wave's parcels bagged by its cut-off bagging round,
    for ``villages`` only (the near ones), and village → the wave's parcels bagged later
    (they wait for tomorrow, as in :func:`same_day_ready`). Litres are 0 when the sorter
    drew no parcel sizes."""
    if wave not in sort.wave_names:
        return {}, {}
    ok = sort.outcome == sorter.OUTCOMES.index("bagged")
    near = np.zeros(len(sort.village_ids), dtype=bool)
    index = {v: k for k, v in enumerate(sort.village_ids)}
    for v in villages:
        if v in index:
            near[index[v]] = True
    w = ok & (sort.wave == sort.wave_names.index(wave)) & near[sort.village]
    t = sort.parcel_ready_s
    on_time = w & (t <= cutoff + bagging_round_s)
    n = len(sort.village_ids)
    ready = np.full(n, -np.inf)
    np.maximum.at(ready, sort.village[on_time], t[on_time])
    count = np.bincount(sort.village[on_time], minlength=n)
    lit = sort.litres
    litres = (
        np.bincount(sort.village[on_time], weights=lit[on_time], minlength=n)
        if lit.size
        else np.zeros(n)
    )
    late = np.bincount(sort.village[w & ~on_time], minlength=n)
    return (
        {
            v: (float(ready[k]), int(count[k]), float(litres[k]))
            for k, v in enumerate(sort.village_ids)
            if count[k]
        },
        {v: int(late[k]) for k, v in enumerate(sort.village_ids) if late[k]},
    )


def bagged_by_brand(sort: sorter.SortResult) -> dict[str, dict[str, int]]:
    """Village → brand → parcels bagged (what each brand would carry on its own)."""
    brands = sorted(set(sort.truck_brands))
    brand_index = {b: k for k, b in enumerate(brands)}
    of_truck = np.array([brand_index[b] for b in sort.truck_brands], dtype=np.int64)
    ok = sort.outcome == sorter.OUTCOMES.index("bagged")
    nb = len(brands)
    flat = sort.village[ok].astype(np.int64) * nb + of_truck[sort.truck[ok]]
    table = np.bincount(flat, minlength=len(sort.village_ids) * nb).reshape(-1, nb)
    return {
        v: {b: int(table[k, j]) for j, b in enumerate(brands) if table[k, j]}
        for k, v in enumerate(sort.village_ids)
    }


def with_split_drops(ready: dict[str, float], problem: Problem) -> dict[str, float]:
    """``ready`` with a time for every drop of a village split into van-sized drops
    (``code#k``, :mod:`routing.split`): its cages are ready when the village's are, so the
    drop's round is loaded after them too."""
    out = dict(ready)
    for v in problem.villages:
        base = village_of(v.id)
        if v.id not in out and base in out:
            out[v.id] = out[base]
    return out
