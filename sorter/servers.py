"""Staffed work that does not touch the loop, computed in numpy/heapq before or after the run.

Two pieces of the day are plain queues whose customers never interact with the carriers, so
they need no SimPy events:

* **Unloading.** ``Line.unloading = "pooled"`` (the original model): one FIFO server of
  ``unload_ports * unload_rate_per_h`` parcels/h, so a lone truck empties at the pooled rate.
  ``"per_dock"``: each truck takes the dock that frees first (ties: lowest dock number) and
  is unloaded there at ``unload_rate_per_h``; a truck that finds every dock busy waits, and
  that wait is reported. A dock is a server of an M/D/c-like queue of trucks.
* **Hand sorting of oversize parcels** (``Line.manual_staff``): ``c`` staff, FIFO in
  unloading order, ``manual_sort_s`` a parcel each.

Both use :func:`fifo_servers`, a deterministic ``c``-server FIFO queue. Keying and
re-induction do interact with the loop (the parcel goes back on it), so they are queues
inside the run: :func:`staffed`.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from .arrivals import Truck
from .clock import At
from .line import Line


def fifo_servers(
    arrive_s: np.ndarray, service_s: np.ndarray | float, servers: int
) -> tuple[np.ndarray, np.ndarray]:
    """Start times and server numbers of customers served FIFO by ``servers`` servers.

    Customers are taken in the order given (``arrive_s`` need not be sorted: the order *is*
    the queue discipline); each takes the server that frees first (ties: the lowest
    number) and starts at ``max(arrival, server free)``. ``service_s`` is a scalar or one
    value per customer. Exact and deterministic; O(n log c).
    """
    n = len(arrive_s)
    service = np.broadcast_to(np.asarray(service_s, dtype=float), (n,))
    start = np.empty(n)
    which = np.empty(n, dtype=np.int32)
    free = [(0.0, k) for k in range(servers)]  # (time the server frees, server)
    heapq.heapify(free)
    for k, (a, s) in enumerate(
        zip(np.asarray(arrive_s, dtype=float).tolist(), service.tolist(), strict=True)
    ):
        t_free, srv = heapq.heappop(free)
        t0 = a if a > t_free else t_free
        start[k] = t0
        which[k] = srv
        heapq.heappush(free, (t0 + s, srv))
    return start, which


@dataclass(frozen=True, eq=False)
class Unloading:
    """Per parcel: the time it is off the truck; per truck: dock, start, end of unloading."""

    available_s: np.ndarray
    dock: np.ndarray  # -1 with pooled unloading
    start_s: np.ndarray
    end_s: np.ndarray


def unload(trucks: Sequence[Truck], line: Line) -> Unloading:
    """Unloading times for ``trucks`` (sorted by arrival, then id) on ``line``."""
    sizes = [t.parcels for t in trucks]
    n_total = int(sum(sizes))
    avail = np.empty(n_total)
    arrival = np.array([t.arrival_s for t in trucks], dtype=float)
    start = arrival.copy()
    end = arrival.copy()
    dock = np.full(len(trucks), -1, dtype=np.int32)
    if line.unloading == "per_dock":
        rate_s = line.unload_rate_per_h / 3600.0
        if not math.isinf(rate_s):
            service = np.array(sizes, dtype=float) / rate_s
            start, dock = fifo_servers(arrival, service, line.unload_ports)
            end = start + service
        pos = 0
        for k, n in enumerate(sizes):
            if math.isinf(rate_s):
                avail[pos : pos + n] = arrival[k]
            else:
                avail[pos : pos + n] = start[k] + np.arange(1, n + 1) / rate_s
            pos += n
        return Unloading(avail, dock, start, end)
    # pooled: one FIFO server at ports x rate (the original model, arithmetic unchanged)
    rate_s = line.unload_ports * line.unload_rate_per_h / 3600.0
    free = 0.0
    pos = 0
    for k, (t, n) in enumerate(zip(trucks, sizes, strict=True)):
        if math.isinf(rate_s):
            avail[pos : pos + n] = t.arrival_s
        else:
            s0 = max(t.arrival_s, free)
            avail[pos : pos + n] = s0 + np.arange(1, n + 1) / rate_s
            free = s0 + n / rate_s
            start[k] = s0
            end[k] = free
        pos += n
    return Unloading(avail, dock, start, end)


def staffed(
    env: simpy.Environment,
    servers: int | None,
    service_s: float,
    done: Callable[[int], None],
    log: tuple[array, array, array],
) -> Callable[[int, float], None]:
    """``join(parcel, now)`` for a FIFO queue of ``servers`` people (``None``: unlimited,
    so a fixed delay) inside a running simulation; ``done(parcel)`` is called ``service_s``
    after its service starts. ``log`` gets (parcel, joined, service start) per parcel.
    One SimPy event per parcel served; waiting parcels cost none."""
    waiting: deque[tuple[int, float]] = deque()
    free = [servers if servers is not None else 0]
    log_p, log_a, log_s = (x.append for x in log)

    def begin(i: int, joined: float, now: float) -> None:
        log_p(i)
        log_a(joined)
        log_s(now)
        At(env, now + service_s, i).callbacks.append(finish)

    def finish(ev: simpy.Event) -> None:
        done(ev._value)
        if servers is not None:
            if waiting:
                j, joined = waiting.popleft()
                begin(j, joined, env._now)
            else:
                free[0] += 1

    def join(i: int, now: float) -> None:
        if servers is None:
            begin(i, now, now)
        elif free[0] > 0:
            free[0] -= 1
            begin(i, now, now)
        else:
            waiting.append((i, now))

    return join
