"""The linear swing-wheel line as data: :class:`LinearLine` (frozen, validated once) and its
derived capacities (:func:`linear_capacity_per_h`, :func:`linear_module_bound_per_h`).

The simulator of the line is :func:`sorter.linear.simulate_linear`; the geometry and the
meaning of every field are described there and in :class:`LinearLine`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from .line import SPECIAL_KINDS, Chute, InductionStation, LineError

__all__ = ["LinearLine", "linear_capacity_per_h", "linear_module_bound_per_h"]


def _fail(field_name: str, value: Any, why: str) -> LineError:
    return LineError(f"LinearLine.{field_name} = {value!r}: {why}")


@dataclass(frozen=True)
class LinearLine:
    """A linear swing-wheel line; validated once, changed through :meth:`replace`.

    Defaults are estimates (E) unless shared/PARAMETERS.md has the number (40-parcel bags, 60 s
    bag change, 750 parcels/h per unload port): belt 1.5 m/s, parcels 0.5 m long with a 0.4 m
    gap (6,000 slots/h), a 0.8 s swing-wheel cycle, two re-induction staff at 600 parcels/h.

    Fields:
        speed_mps, parcel_length_m, min_gap_m: the belt; a fixed point sees
            ``speed * 3600 / (length + gap)`` slots an hour, each holding one parcel.
        induction: stations at distinct positions before the scanner; each is one server
            (``InductionStation.handling_s``) whose parcel then waits for the next free slot.
        scanner_position_m: every parcel is read here, after induction, before any chute.
        chutes: village chutes after the scanner plus exactly one ``no_read``, ``exception``
            and ``overflow`` chute (the end-of-line reject chute; it must be the last position)
            and one ``manual`` chute when ``oversize_to_manual``.
        diverter_cycle_s: a swing-wheel module cannot divert again for this long.
        chute_capacity, fill_threshold, bagging_operators, bag_time_s: as on the loop.
        max_recirculations: trips to the reject chute a parcel may make; one more and it
            stays there (outcome ``overflow``, sorted by hand outside the model).
        reinduct_staff, reinduct_rate_per_h: staff carrying rejects (and keyed no-reads) back
            to induction, each one at a time.
        no_read_prob, keying_delay_s, exception_prob, oversize_to_manual, manual_sort_s,
        unload_ports, unload_rate_per_h: as on the loop (``sorter.Line``).
    """

    induction: tuple[InductionStation, ...]
    scanner_position_m: float
    chutes: tuple[Chute, ...]
    speed_mps: float = 1.5
    parcel_length_m: float = 0.5
    min_gap_m: float = 0.4
    diverter_cycle_s: float = 0.8
    chute_capacity: int = 40
    fill_threshold: float = 0.9
    max_recirculations: int = 3
    bagging_operators: int = 4
    bag_time_s: float = 60.0
    reinduct_staff: int = 2
    reinduct_rate_per_h: float = 600.0
    no_read_prob: float = 0.01
    keying_delay_s: float = 120.0
    exception_prob: float = 0.003
    oversize_to_manual: bool = True
    manual_sort_s: float = 180.0
    unload_ports: int = 4
    unload_rate_per_h: float = 750.0
    name: str = "linear"
    meta: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        for f in ("speed_mps", "parcel_length_m", "reinduct_rate_per_h"):
            v = getattr(self, f)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise _fail(f, v, "must be a finite number > 0")
        for f in ("min_gap_m", "diverter_cycle_s", "bag_time_s", "keying_delay_s"):
            v = getattr(self, f)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise _fail(f, v, "must be a finite number >= 0")
        if not (isinstance(self.manual_sort_s, int | float) and self.manual_sort_s >= 0):
            raise _fail("manual_sort_s", self.manual_sort_s, "must be >= 0")
        s = self.scanner_position_m
        if not (isinstance(s, int | float) and math.isfinite(s) and s >= 0):
            raise _fail("scanner_position_m", s, "must be a finite number >= 0")
        if not isinstance(self.induction, tuple) or not self.induction:
            raise _fail("induction", self.induction, "must be a non-empty tuple of stations")
        names: set[str] = set()
        positions: set[float] = set()
        for k, st in enumerate(self.induction):
            if not isinstance(st, InductionStation):
                raise _fail(f"induction[{k}]", st, "must be an InductionStation")
            if st.name in names:
                raise _fail(f"induction[{k}].name", st.name, "duplicate station name")
            names.add(st.name)
            if not (math.isfinite(st.rate_per_h) and st.rate_per_h > 0):
                raise _fail(f"induction[{k}].rate_per_h", st.rate_per_h, "must be > 0")
            if not isinstance(st.operators, int) or st.operators < 1:
                raise _fail(f"induction[{k}].operators", st.operators, "must be an int >= 1")
            if not (0 <= st.position_m < s):
                raise _fail(f"induction[{k}].position_m", st.position_m, f"must be in [0, {s})")
            if st.position_m in positions:
                raise _fail(f"induction[{k}].position_m", st.position_m, "two stations there")
            positions.add(st.position_m)
        ids: set[str] = set()
        kinds: dict[str, int] = {}
        for k, ch in enumerate(self.chutes):
            if not isinstance(ch, Chute):
                raise _fail(f"chutes[{k}]", ch, "must be a Chute")
            if ch.id in ids:
                raise _fail(f"chutes[{k}].id", ch.id, "duplicate chute id")
            ids.add(ch.id)
            if ch.kind not in ("village", *SPECIAL_KINDS):
                raise _fail(f"chutes[{k}].kind", ch.kind, "unknown chute kind")
            if ch.capacity is not None and (not isinstance(ch.capacity, int) or ch.capacity < 1):
                raise _fail(f"chutes[{k}].capacity", ch.capacity, "must be an int >= 1")
            if not (math.isfinite(ch.position_m) and ch.position_m > s):
                raise _fail(f"chutes[{k}].position_m", ch.position_m, f"must be after {s}")
            kinds[ch.kind] = kinds.get(ch.kind, 0) + 1
        if kinds.get("village", 0) < 1:
            raise _fail("chutes", f"{len(self.chutes)} chutes", "need at least one village chute")
        needed = ["no_read", "exception", "overflow"] + (
            ["manual"] if self.oversize_to_manual else []
        )
        for kind in needed:
            if kinds.get(kind, 0) != 1:
                raise _fail("chutes", f"{kinds.get(kind, 0)} {kind} chutes", "need exactly one")
        end = self.reject_chute.position_m
        if any(c.position_m > end for c in self.chutes if c.kind != "manual"):
            raise _fail("chutes", f"reject chute at {end}", "must be the last position")
        for f in ("chute_capacity", "bagging_operators", "unload_ports", "reinduct_staff"):
            v = getattr(self, f)
            if not isinstance(v, int) or v < 1:
                raise _fail(f, v, "must be an integer >= 1")
        if not isinstance(self.max_recirculations, int) or self.max_recirculations < 0:
            raise _fail("max_recirculations", self.max_recirculations, "must be an integer >= 0")
        if not (0 < self.fill_threshold <= 1):
            raise _fail("fill_threshold", self.fill_threshold, "must be in (0, 1]")
        for f in ("no_read_prob", "exception_prob"):
            v = getattr(self, f)
            if not (0 <= v < 1):
                raise _fail(f, v, "must be a probability in [0, 1)")
        if not (self.unload_rate_per_h > 0):
            raise _fail("unload_rate_per_h", self.unload_rate_per_h, "must be > 0 (inf allowed)")

    # -- derived quantities -------------------------------------------------------------
    @property
    def slot_m(self) -> float:
        """Belt length one parcel takes: parcel length + minimum gap."""
        return self.parcel_length_m + self.min_gap_m

    @property
    def slot_s(self) -> float:
        """Seconds between two slots passing a fixed point."""
        return self.slot_m / self.speed_mps

    @property
    def slots_per_h(self) -> float:
        """Slots passing a fixed point per hour: ``speed * 3600 / (length + gap)``."""
        return self.speed_mps * 3600.0 / self.slot_m

    @property
    def length_m(self) -> float:
        """Belt length: head to just past the reject chute."""
        return self.reject_chute.position_m + 1.0

    @property
    def reject_chute(self) -> Chute:
        return self.special_chute("overflow")

    @property
    def village_chutes(self) -> tuple[Chute, ...]:
        return tuple(c for c in self.chutes if c.kind == "village")

    def special_chute(self, kind: str) -> Chute:
        """The one chute of a special ``kind`` (raises LineError if absent)."""
        for c in self.chutes:
            if c.kind == kind:
                return c
        raise LineError(f"LinearLine.chutes: no {kind!r} chute")

    def replace(self, **changes: Any) -> LinearLine:
        """A copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    @property
    def staff(self) -> dict[str, int]:
        """Headcount by role while the line runs (for ``sorter.economics``)."""
        return {
            "induction": sum(st.operators for st in self.induction),
            "bagging": self.bagging_operators,
            "reinduction": self.reinduct_staff,
        }

    @classmethod
    def evenly_spaced(
        cls,
        num_village_chutes: int = 214,
        *,
        num_induction: int = 2,
        induction_rate_per_h: float = 2000.0,
        operators: int = 1,
        chute_spacing_m: float = 1.5,
        two_sided: bool = True,
        induction_spacing_m: float = 3.0,
        chute_prefix: str = "C",
        **kwargs: Any,
    ) -> LinearLine:
        """A typical line: stations every ``induction_spacing_m`` from the head, the scanner
        2 m after the last, the exception chute, the village chutes (``two_sided``: a pair per
        swing-wheel module) every ``chute_spacing_m``, then the manual, no-read and, last, the
        reject chute."""
        if not isinstance(num_village_chutes, int) or num_village_chutes < 1:
            raise _fail("num_village_chutes", num_village_chutes, "must be an integer >= 1")
        if not isinstance(num_induction, int) or num_induction < 1:
            raise _fail("num_induction", num_induction, "must be an integer >= 1")
        scanner = (num_induction - 1) * induction_spacing_m + 2.0
        x = scanner + 2.0
        chutes = [Chute("EX", x, "exception")]
        x += chute_spacing_m
        per_pos = 2 if two_sided else 1
        for k in range(num_village_chutes):
            chutes.append(Chute(f"{chute_prefix}{k + 1:03d}", x + (k // per_pos) * chute_spacing_m))
        x += math.ceil(num_village_chutes / per_pos) * chute_spacing_m
        chutes.append(Chute("MAN", x, "manual"))
        chutes.append(Chute("NR", x + chute_spacing_m, "no_read"))
        chutes.append(Chute("REJ", x + 2 * chute_spacing_m, "overflow"))
        stations = tuple(
            InductionStation(f"I{k + 1}", k * induction_spacing_m, induction_rate_per_h, operators)
            for k in range(num_induction)
        )
        return cls(induction=stations, scanner_position_m=scanner, chutes=tuple(chutes), **kwargs)


def linear_capacity_per_h(line: LinearLine) -> float:
    """Saturated parcels/h into village chutes of a linear line, with ample chutes and
    bagging and no diverter conflicts.

    Derivation. A fixed point of the belt sees ``f = speed * 3600 / (parcel length + gap)``
    slots an hour, each holding at most one parcel, and nothing ever comes back round, so the
    slots at a station are empty unless a station upstream filled them. Station ``k`` (from
    the head) places at most ``mu_k = operators * rate_per_h`` parcels an hour and at most one
    per empty slot; with saturated input the stations upstream-first take
    ``x_1 = min(mu_1, f)``, ``x_2 = min(mu_2, f - x_1)``, ..., so::

        capacity = min(sum_k mu_k, f)

    and every inducted parcel reaches its chute on that single pass. A miss (full chute, a
    module swinging for the parcel ahead, a no-read) puts the parcel back into the induction
    queue by hand, where it takes a slot again, so misses lower the *net* rate below this.
    They cannot happen when chutes and bagging are ample and ``diverter_cycle_s`` is at most
    the slot headway ``(length + gap) / speed``, or no two consecutive parcels go to one
    module; see :func:`linear_module_bound_per_h` for the other case.
    """
    mu = sum(st.rate_per_h * st.operators for st in line.induction)
    return min(mu, line.slots_per_h)


def linear_module_bound_per_h(line: LinearLine) -> float:
    """Diversions per hour one swing-wheel module can make on a saturated belt.

    Parcels pass a point every slot headway ``h = slot_s``; after a diversion the module
    refuses for ``diverter_cycle_s``, so when every parcel wants the same module it diverts one
    in every ``ceil(cycle / h)`` parcels (the ones in between are missed and go to the reject
    chute): ``3600 / (h * max(1, ceil(cycle / h)))``. A line whose busiest module takes a
    share ``p`` of the parcels is therefore held below about ``bound / p``.
    """
    h = line.slot_s
    k = max(1, math.ceil(line.diverter_cycle_s / h - 1e-9))
    return 3600.0 / (h * k)
