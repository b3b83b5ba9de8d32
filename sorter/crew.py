"""The bagging operators at work: calls, the queue of waiting chutes, one timeout per bag.

A chute is *called* (full, wave complete, cut-off sweep); a free operator takes it at once,
otherwise the call waits in a priority queue keyed by (class, the policy's rank, call
number): class 0 for full chutes, 1 for the rest when the policy has wave-end calls or
ranks. With ``when_full`` every key is (0, 0, call number), first come first served as in
the original model. Bagging takes everything in the chute at the start; the chute refuses
parcels until the bag is tied. Shares the engine's per-chute lists (by reference); runs a
few times per bag, so it lives outside the engine's hot closures at no cost.
"""

from __future__ import annotations

from array import array
from heapq import heappop, heappush
from typing import Any

import simpy

from .clock import At

BAGGED = 1  # OUTCOMES.index("bagged")


class Crew:
    """``operators`` people, ``bag_time_s`` a bag, over the engine's chute state."""

    def __init__(
        self,
        env: simpy.Environment,
        operators: int,
        bag_time_s: float,
        rank: list[int],
        cls_later: int,
        state: dict[str, Any],
    ) -> None:
        self.env = env
        self.free = operators
        self.bag_time_s = bag_time_s
        self.rank = rank
        self.cls_later = cls_later
        self.fill: list[int] = state["fill"]
        self.thr: list[int] = state["thr"]
        self.contents: list[list[int]] = state["contents"]
        self.bagging_now: list[bool] = state["bagging_now"]
        self.requested: list[bool] = state["requested"]
        self.is_village: list[bool] = state["is_village"]
        self.bag_s: array = state["bag_s"]
        self.outcome: array = state["outcome"]
        self.queue: list[tuple[int, int, int, int]] = []  # (class, rank, call number, chute)
        self.calls = 0
        self.log: list[tuple[int, float, float, int]] = []  # chute, start, end, parcels
        self.sweep_order = sorted(range(len(rank)), key=lambda c: (rank[c], c))

    def request(self, c: int, cls: int) -> None:
        """Call chute ``c`` (``cls`` 0: it is full)."""
        self.requested[c] = True
        if self.free > 0:
            self.start(c)
        else:
            self.calls += 1
            heappush(self.queue, (cls, self.rank[c], self.calls, c))

    def start(self, c: int) -> None:
        self.requested[c] = False
        if not self.contents[c]:
            return
        self.free -= 1
        self.bagging_now[c] = True
        items = self.contents[c]
        self.contents[c] = []
        now = self.env._now
        At(self.env, now + self.bag_time_s, (c, items, now)).callbacks.append(self.end)

    def end(self, ev: simpy.Event) -> None:
        c, items, started = ev._value
        now = self.env._now
        bag_s, outcome = self.bag_s, self.outcome
        for i in items:
            bag_s[i] = now
            outcome[i] = BAGGED
        self.fill[c] -= len(items)
        self.bagging_now[c] = False
        self.log.append((c, started, now, len(items)))
        self.free += 1
        while self.queue and self.free > 0:
            self.start(heappop(self.queue)[3])
        if self.fill[c] >= self.thr[c] and not self.requested[c]:
            self.request(c, 0)

    def sweep(self, _ev: Any = None) -> None:
        """Call every non-empty village chute not already called or being bagged."""
        fill, requested, bagging_now, is_village = (
            self.fill,
            self.requested,
            self.bagging_now,
            self.is_village,
        )
        for c in self.sweep_order:
            if is_village[c] and fill[c] > 0 and not requested[c] and not bagging_now[c]:
                self.request(c, self.cls_later)
