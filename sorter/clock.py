"""Loop time: the exact-time SimPy event and the tick clock that loop stoppages stretch.

Kept apart from the engine so the clock can be tested on its own (and reused by other line
models); the engine binds the plain-clock arithmetic as closures for speed.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from heapq import heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL


class At(simpy.Event):
    """An already-triggered event scheduled at an exact absolute time (like a Timeout).

    Ticks map to wall times by ``tau(n)``; scheduling at ``now + (tau(n) - now)`` would make
    two events meant for the same tick differ in the last bit, so we push the absolute time.
    """

    def __init__(self, env: simpy.Environment, when: float, value: Any = None) -> None:
        self.env = env
        self.callbacks: list[Any] = []
        self._value = value
        self._ok = True
        now = env._now
        heappush(env._queue, (when if when > now else now, NORMAL, next(env._eid), self))


class TickClock:
    """Wall time of loop ticks when the loop stops now and then.

    ``stoppages`` are ``(running time at which the loop stops, stop duration)`` pairs, sorted.
    Tick ``n`` (the loop has moved ``n`` pitches) happens at ``tau(n) = n*dt + (sum of the
    stops that began before running time n*dt)``; ``ceil_tick(t)`` is the first tick at or
    after wall time ``t``.
    """

    def __init__(self, dt: float, stoppages: tuple[tuple[float, float], ...] = ()) -> None:
        self.dt = dt
        self.run = [r for r, _ in stoppages]
        self.down = [d for _, d in stoppages]
        self.cum = [float(x) for x in np.cumsum(self.down)] if stoppages else []
        self.wall_start = [r + (self.cum[k - 1] if k else 0.0) for k, r in enumerate(self.run)]
        if not stoppages:
            self.tau = self._tau_plain  # type: ignore[method-assign]
            self.ceil_tick = self._ceil_plain  # type: ignore[method-assign]

    def _tau_plain(self, n: int) -> float:
        return n * self.dt

    def _ceil_plain(self, t: float) -> int:
        dt = self.dt
        n = math.ceil(t / dt)
        if n * dt < t:
            n += 1
        elif n > 0 and (n - 1) * dt >= t:
            n -= 1
        return n

    def tau(self, n: int) -> float:
        x = n * self.dt
        k = bisect_left(self.run, x)
        return x + (self.cum[k - 1] if k else 0.0)

    def ceil_tick(self, t: float) -> int:
        dt = self.dt
        k = bisect_right(self.wall_start, t)
        if k:
            run_k = self.run[k - 1]
            if t < self.wall_start[k - 1] + self.down[k - 1]:
                # inside a stop: the first tick after the loop restarts
                return math.floor(run_k / dt) + 1
            r = t - self.cum[k - 1]
        else:
            run_k = -1.0
            r = t
        n = math.ceil(r / dt)
        if n * dt < r:
            n += 1
        elif n > 0 and (n - 1) * dt >= r:
            n -= 1
        if n * dt <= run_k:  # that tick belongs to before the stop
            n = math.floor(run_k / dt) + 1
        return n
