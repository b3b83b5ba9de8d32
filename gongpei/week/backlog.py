"""Parcels that wait: the staged cages at the hub and the outgoing cage at each station.

On a day a village is not served, its parcels are bagged and staged at the hub (a cage per
village, ``week.hub_cage_parcels``); outgoing parcels and produce wait at the village
station (``week.station_cage_parcels``). On its next service day the van takes everything
waiting plus today's, oldest first, up to what one van carries (parcels and litres); what
does not fit keeps waiting, with the reason. A village the day's rounds leave unserved
keeps its parcels too, with the solver's reason.

:class:`Backlog` is the ledger: it is stepped one day at a time (:meth:`Backlog.stops` →
solve → :meth:`Backlog.commit`), so every parcel is in exactly one place after each day:
``waiting at the start + arrived = delivered + waiting at the end``, per village and day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from gongpei.day.problems import StopDemand
from gongpei.week.patterns import Pattern

__all__ = [
    "Backlog",
    "DayLedger",
    "Delivery",
    "VillageWeek",
    "WaitingParcels",
]


@dataclass(frozen=True, slots=True)
class VillageWeek:
    """One village's week as the line sorted it: parcels bagged and outgoing per planned day,
    and when each day's parcels were ready (clock seconds)."""

    code: str
    parcels: tuple[int, ...]
    release_s: tuple[int, ...]
    pickup: tuple[int, ...]
    pickup_litres: tuple[int, ...]
    produce_days: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class DayLedger:
    """A village's inbound parcels on one day: where they were at the start and the end."""

    day: int
    village: str
    waiting_start: int
    arrived: int
    delivered: int
    waiting_end: int
    outgoing_waiting: int  # at the village station after the day


@dataclass(frozen=True, slots=True)
class Delivery:
    """Parcels sorted on ``sorted_day`` (negative: last week) delivered on ``delivered_day``."""

    village: str
    sorted_day: int
    delivered_day: int
    parcels: int
    wait_days: int


@dataclass(frozen=True, slots=True)
class WaitingParcels:
    """Parcels still waiting at the end of the week, and why."""

    village: str
    sorted_day: int
    parcels: int
    reason: str
    wait_days: int  # waited so far (calendar days, to the last planned day)


@dataclass(slots=True)
class _Batch:
    day: int
    parcels: int
    reason: str = ""


@dataclass
class _State:
    batches: list[_Batch] = field(default_factory=list)
    outgoing: int = 0
    outgoing_litres: int = 0


class Backlog:
    """The week's ledger for given patterns. ``cal`` is each planned day's weekday
    (0 = Monday); ``capacity`` the largest van's (parcels, litres)."""

    def __init__(
        self,
        villages: Sequence[VillageWeek],
        patterns: Mapping[str, Pattern],
        cal: Sequence[int],
        *,
        capacity: tuple[int, int],
        litres_per_parcel: float,
        carry_in: str = "steady",
    ) -> None:
        self.villages = {v.code: v for v in villages}
        self.patterns = dict(patterns)
        self.cal = tuple(cal)
        self.n = len(cal)
        self.capacity = capacity
        self.litres_per_parcel = litres_per_parcel
        self.day = 0
        self.ledger: list[DayLedger] = []
        self.deliveries: list[Delivery] = []
        self._pending: dict[str, tuple[list[_Batch], int, int, int]] = {}
        self.state: dict[str, _State] = {}
        for v in villages:
            st = _State()
            if carry_in == "steady":
                last = max(self.patterns[v.code])
                for d in range(last + 1, self.n):
                    if v.parcels[d]:
                        st.batches.append(_Batch(d - self.n, v.parcels[d]))
                    st.outgoing += v.pickup[d]
                    st.outgoing_litres += v.pickup_litres[d]
            self.state[v.code] = st
        self.carried_in = sum(b.parcels for st in self.state.values() for b in st.batches)

    def served_on(self, code: str, day: int) -> bool:
        return day in self.patterns[code]

    def wait_days(self, sorted_day: int, day: int) -> int:
        """Calendar days between sorting (``sorted_day < 0``: last week) and ``day``."""
        s = self.cal[sorted_day % self.n] - (7 if sorted_day < 0 else 0)
        return self.cal[day] - s

    def stops(self) -> list[StopDemand]:
        """Today's stops: every served village with something to deliver or collect, in code
        order (what :func:`gongpei.day.problems.codelivery_problem` takes)."""
        d = self.day
        self._pending = {}
        out = []
        max_parcels = min(
            self.capacity[0], math.floor(self.capacity[1] / self.litres_per_parcel + 1e-9)
        )
        for code in sorted(self.villages):
            v, st = self.villages[code], self.state[code]
            if v.parcels[d]:
                st.batches.append(_Batch(d, v.parcels[d]))
            st.outgoing += v.pickup[d]
            st.outgoing_litres += v.pickup_litres[d]
            if not self.served_on(code, d):
                continue
            take: list[_Batch] = []
            room = max_parcels
            for b in st.batches:  # oldest first
                n = min(b.parcels, room)
                if n:
                    take.append(_Batch(b.day, n))
                    room -= n
            pickup, litres = st.outgoing, st.outgoing_litres
            if pickup > self.capacity[0] or litres > self.capacity[1]:
                share = min(self.capacity[0] / max(pickup, 1), self.capacity[1] / max(litres, 1))
                pickup, litres = math.floor(pickup * share), math.floor(litres * share)
            deliver = sum(b.parcels for b in take)
            if deliver == 0 and pickup == 0:
                continue
            today = any(b.day == d for b in take)
            release = v.release_s[d] if today else 0
            self._pending[code] = (take, pickup, litres, release)
            out.append(StopDemand(code, deliver, pickup, litres, release))
        return out

    def commit(self, served: Iterable[str], unserved_reason: Mapping[str, str]) -> None:
        """Close the day: villages in ``served`` got their stop; the others keep everything
        (their batches marked with ``unserved_reason[code]``)."""
        d = self.day
        done = set(served)
        for code in sorted(self.villages):
            v, st = self.villages[code], self.state[code]
            start = sum(b.parcels for b in st.batches) - v.parcels[d]
            delivered = 0
            pending = self._pending.get(code)
            if pending is not None and code in done:
                take, pickup, litres, _ = pending
                for t in take:
                    for b in st.batches:
                        if b.day == t.day:
                            b.parcels -= t.parcels
                            break
                    delivered += t.parcels
                    self.deliveries.append(
                        Delivery(code, t.day, d, t.parcels, self.wait_days(t.day, d))
                    )
                st.outgoing -= pickup
                st.outgoing_litres -= litres
                st.batches = [b for b in st.batches if b.parcels > 0]
                for b in st.batches:
                    b.reason = "van_capacity"
            elif pending is not None:
                for b in st.batches:
                    b.reason = unserved_reason.get(code, "unserved")
            end = sum(b.parcels for b in st.batches)
            self.ledger.append(DayLedger(d, code, start, v.parcels[d], delivered, end, st.outgoing))
        self.day += 1
        self._pending = {}

    def waiting(self) -> list[WaitingParcels]:
        """What waits after the last day: by default for the village's next service day
        (next week), else for the reason recorded when it was left."""
        out = []
        last = self.n - 1
        for code in sorted(self.villages):
            for b in self.state[code].batches:
                out.append(
                    WaitingParcels(
                        code, b.day, b.parcels, b.reason or "next_week", self.wait_days(b.day, last)
                    )
                )
        return out
