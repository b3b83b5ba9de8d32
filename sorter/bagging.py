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
  without re-induction is written off). Operators take calls for full chutes first (a
  full chute refuses parcels and makes them recirculate; a complete one only waits for its
  van), then first come, first served.
* :class:`ByDeparture` (``"by_departure"``): the wave-end calls of ``WaveEnd``, but the
  operators take waiting chutes by the planned departure order of the rounds: a sequence
  of village ids, the first round's villages first. Calls for full chutes go before (they
  hold up the line); chutes of villages not in the order come last, in chute order; the
  cut-off sweep calls chutes in the same order.

A policy is any object with the three members of :class:`BaggingPolicy`; the engine asks it
once per run for a rank per chute, so a user policy costs nothing per event.

Which to use: a real centre bags by the work, not by the clock — a chute is tied as soon as
its wave is complete, and the bagging crew works the chutes of the first vans to leave
first. That is ``by_departure`` when a plan of the rounds exists, and ``wave_end`` for the
first pass before there is one (:func:`departure_loop` does exactly that). ``when_full``
reproduces the original model, in which only the cut-off sweep ends a wave.

:func:`departure_loop` runs the sorter <-> rounds loop without knowing the router: sort,
plan the rounds from the ready times, sort again in the rounds' departure order, until the
order stops changing or a pass limit is reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, runtime_checkable

from .line import LineError
from .result import SortResult


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

    @classmethod
    def from_rounds(cls, rounds: Iterable[tuple[float, Sequence[str]]]) -> ByDeparture:
        """The order from ``(planned departure, villages)`` per round: earliest departure
        first (ties: as given), each round's villages in the order listed; a village in
        two rounds keeps its first place."""
        ordered = sorted(enumerate(rounds), key=lambda kr: (kr[1][0], kr[0]))
        seen: dict[str, None] = {}
        for _, (_, villages) in ordered:
            for v in villages:
                seen.setdefault(v, None)
        return cls(tuple(seen))

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


P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class LoopPass:
    """One pass of :func:`departure_loop`: the policy it sorted with, the departure order
    its plan gave, and whether that order differs from the one sorted with."""

    number: int
    bagging: str
    order: tuple[str, ...]
    changed: bool
    last_ready_s: float


@dataclass(frozen=True, eq=False)
class DepartureLoop(Generic[P]):
    """The final sort and the plan made from it (a consistent pair), and every pass."""

    sort: SortResult
    plan: P
    passes: tuple[LoopPass, ...]
    converged: bool


def departure_loop(
    sort: Callable[[BaggingPolicy], SortResult],
    plan: Callable[[SortResult], tuple[P, Iterable[tuple[float, Sequence[str]]]]],
    *,
    max_passes: int = 4,
    log: Callable[[str], None] | None = None,
) -> DepartureLoop[P]:
    """Alternate sorting and planning until the rounds' departure order stops changing.

    ``sort(policy)`` runs the sorter with a bagging policy (same seed every time);
    ``plan(result)`` plans the rounds from its ready times and returns the plan plus
    ``(planned departure, villages)`` per round. Pass 1 sorts with :class:`WaveEnd` (no
    plan yet); pass k sorts with :class:`ByDeparture` in pass k-1's order. The loop stops
    when a plan's order equals the order just sorted with (``converged``) or after
    ``max_passes`` passes (orders can cycle), and returns the last sort with its own plan.
    Deterministic when ``sort`` and ``plan`` are. ``log`` gets one line per pass.
    """
    if not isinstance(max_passes, int) or max_passes < 1:
        raise LineError(f"max_passes = {max_passes!r}: must be an integer >= 1")
    policy: BaggingPolicy = WaveEnd()
    sorted_with: tuple[str, ...] | None = None
    passes: list[LoopPass] = []
    while True:
        result = sort(policy)
        made, rounds = plan(result)
        order = ByDeparture.from_rounds(rounds).order
        changed = order != sorted_with
        ready = result.village_ready_s
        p = LoopPass(len(passes) + 1, policy.name, order, changed, max(ready.values(), default=0.0))
        passes.append(p)
        if log is not None:
            moved = (
                len(order)
                if sorted_with is None
                else sum(a != b for a, b in zip(order, sorted_with, strict=False))
                + abs(len(order) - len(sorted_with))
            )
            what = f"changed at {moved} places" if changed else "unchanged"
            log(
                f"pass {p.number}: sorted {p.bagging}, last ready {p.last_ready_s:.0f} s, "
                f"departure order {what}"
            )
        if not changed or len(passes) >= max_passes:
            return DepartureLoop(result, made, tuple(passes), not changed)
        policy = ByDeparture(order)
        sorted_with = order
