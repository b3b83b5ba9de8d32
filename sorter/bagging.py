"""When a chute is bagged, and which waiting chute an operator takes next.

The bagging operators (``Line.bagging_operators``, ``Line.bag_time_s`` a bag) are a staffed
pool. Whatever the policy, a chute is called for bagging when it reaches the fill threshold
(a full chute refuses parcels, so it must be emptied), and at each wave cut-off every
non-empty chute is called: the cut-off is the latest moment, never the only trigger. The
policies differ in the rest:

* :class:`WhenFull` (``"when_full"``, the original model): nothing else. A chute whose
  wave has been sorted waits for the cut-off sweep, which goes in chute order.
* :class:`WaveEnd` (``"wave_end"``): a chute is also called the moment its last parcel of
  a wave has arrived. The engine knows from the arrivals how many parcels of each wave go to
  each chute (exceptions never arrive and are not waited for; a parcel sent to overflow
  without re-induction is written off). Operators take calls first come, first served.
* :class:`ByDeparture` (``"by_departure"``): the wave-end calls of ``WaveEnd``, but the
  operators take waiting chutes by the planned departure order of the rounds: a sequence
  of village ids, the first round's villages first. Calls for full chutes go before (they
  hold up the line); chutes of villages not in the order come last, in chute order; the
  cut-off sweep calls chutes in the same order.

A policy is any object with the three members of :class:`BaggingPolicy`; the engine asks it
once per run for a rank per chute, so a user policy costs nothing per event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .line import LineError


@runtime_checkable
class BaggingPolicy(Protocol):
    """``name``; ``wave_end``: call a chute when its wave's last parcel has arrived;
    ``chute_ranks``: a rank per chute id (lower is bagged first) or ``None`` for first come,
    first served."""

    @property
    def name(self) -> str: ...

    @property
    def wave_end(self) -> bool: ...

    def chute_ranks(
        self, assignment: Mapping[str, str], chute_ids: Sequence[str]
    ) -> dict[str, int] | None: ...


@dataclass(frozen=True)
class WhenFull:
    """Bag at the fill threshold and at the cut-off sweep only (the original model)."""

    name: str = "when_full"
    wave_end: bool = False

    def chute_ranks(
        self, assignment: Mapping[str, str], chute_ids: Sequence[str]
    ) -> dict[str, int] | None:
        return None


@dataclass(frozen=True)
class WaveEnd:
    """Also bag a chute as soon as its last parcel of the wave has arrived."""

    name: str = "wave_end"
    wave_end: bool = True

    def chute_ranks(
        self, assignment: Mapping[str, str], chute_ids: Sequence[str]
    ) -> dict[str, int] | None:
        return None


@dataclass(frozen=True)
class ByDeparture:
    """Wave-end calls, taken in the planned departure order of ``order`` (village ids)."""

    order: tuple[str, ...] = ()
    name: str = "by_departure"
    wave_end: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "order", tuple(self.order))
        seen: set[str] = set()
        for k, v in enumerate(self.order):
            if not isinstance(v, str):
                raise LineError(f"ByDeparture.order[{k}] = {v!r}: must be a village id")
            if v in seen:
                raise LineError(f"ByDeparture.order[{k}] = {v!r}: village listed twice")
            seen.add(v)

    def chute_ranks(
        self, assignment: Mapping[str, str], chute_ids: Sequence[str]
    ) -> dict[str, int] | None:
        """A chute ranks as its earliest village in ``order``; unlisted chutes go last, in
        chute order (villages of the order that have no chute today are skipped)."""
        rank: dict[str, int] = {}
        for k, v in enumerate(self.order):
            c = assignment.get(v)
            if c is not None and c not in rank:
                rank[c] = k
        tail = len(self.order)
        for k, c in enumerate(chute_ids):
            rank.setdefault(c, tail + k)
        return rank


BAGGINGS: dict[str, type] = {
    "when_full": WhenFull,
    "wave_end": WaveEnd,
    "by_departure": ByDeparture,
}


def resolve_bagging(bagging: BaggingPolicy | str) -> BaggingPolicy:
    """A policy object from a policy or its name (``by_departure`` by name has no order)."""
    if isinstance(bagging, str):
        if bagging not in BAGGINGS:
            raise LineError(f"bagging = {bagging!r}: unknown policy; one of {sorted(BAGGINGS)}")
        policy: BaggingPolicy = BAGGINGS[bagging]()
        return policy
    if not isinstance(bagging, BaggingPolicy):
        raise LineError(f"bagging = {bagging!r}: need a policy name or a BaggingPolicy")
    return bagging
