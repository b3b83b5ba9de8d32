"""The physical sorting line: a closed loop of carriers, induction stations, a scanner, chutes.

Everything a planner can change about the line lives in the frozen :class:`Line`; changes go
through :meth:`Line.replace`. Validation happens once, in ``__post_init__``, and every error
names the field and the offending value (``LineError`` is a ``ValueError``).

Geometry: positions are metres along the loop, measured in the carriers' direction of travel
from an arbitrary origin, in ``[0, loop_length_m)``. The simulator snaps every position to the
nearest carrier slot (``round(position / pitch) % carriers``); two chutes may share a slot (the
left and right side of the loop).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal

UnloadMode = Literal["pooled", "per_dock"]
ScannerMode = Literal["single", "per_zone"]
ChuteKind = Literal["village", "no_read", "exception", "overflow", "manual"]
SPECIAL_KINDS: tuple[str, ...] = ("no_read", "exception", "overflow", "manual")


class LineError(ValueError):
    """A line, arrival or fault definition that cannot be simulated (names field and value)."""


@dataclass(frozen=True, slots=True)
class InductionStation:
    """An induction station at ``position_m`` on the loop.

    ``rate_per_h`` is the handling rate of ONE operator (1,200–2,500 parcels/h is typical for a
    staffed station). The ``operators`` of a station feed one induct belt, so the station acts
    as a single server with deterministic handling time ``3600 / (rate_per_h * operators)``
    seconds; its parcel then waits on the induct belt (room for one parcel) for the next empty
    carrier passing ``position_m``.
    """

    name: str
    position_m: float
    rate_per_h: float = 2000.0
    operators: int = 1

    @property
    def handling_s(self) -> float:
        """Deterministic handling time per parcel, seconds."""
        return 3600.0 / (self.rate_per_h * self.operators)


@dataclass(frozen=True, slots=True)
class Chute:
    """A chute at ``position_m``; ``kind`` is ``"village"`` or one of the special kinds.

    Village chutes hold ``Line.chute_capacity`` parcels (or ``capacity`` if given); special
    chutes (no-read, exception, overflow, manual) are large bins that never refuse.
    """

    id: str
    position_m: float
    kind: ChuteKind = "village"
    capacity: int | None = None


def _fail(field_name: str, value: Any, why: str) -> LineError:
    return LineError(f"Line.{field_name} = {value!r}: {why}")


@dataclass(frozen=True)
class Line:
    """A shared multi-carrier loop sorter (cross-belt or tilt-tray).

    Defaults follow shared/PARAMETERS.md where it has numbers (40-parcel bags, 60 s bag change,
    750 parcels/h per unload port) and are estimates elsewhere (no-read 1 %, exception 0.3 %).

    Fields:
        carriers, pitch_m, speed_mps: the loop; its length is ``carriers * pitch_m`` and a
            fixed point sees ``speed_mps * 3600 / pitch_m`` carriers an hour.
        induction: the induction stations.
        scanner_position_m: every parcel is read here after induction, before any discharge.
        chutes: village chutes and at least one ``no_read``, ``exception`` and ``overflow``
            chute (``manual`` is needed when ``oversize_to_manual``).
        chute_capacity: parcels a village chute holds; a full chute refuses.
        fill_threshold: fraction of capacity at which a bagging operator is called.
        max_recirculations: refusals a parcel may suffer before it is sent to overflow.
        bagging_operators, bag_time_s: the bagging pool; a chute being bagged refuses.
        no_read_prob, keying_delay_s: no-reads go to the no-read chute, are keyed by hand after
            ``keying_delay_s`` and re-inducted (they read at the second pass).
        exception_prob: unresolvable address -> exception chute (terminal).
        oversize_to_manual, manual_sort_s: oversize parcels skip the loop and are sorted by
            hand into their village's cage ``manual_sort_s`` after unloading.
        unload_ports, unload_rate_per_h: the inbound docks and each dock's rate
            (``math.inf`` = instantaneous).
        unloading: ``"pooled"`` (the original model): trucks are unloaded in arrival order
            by one server of ``unload_ports * unload_rate_per_h`` parcels/h, so a lone
            truck empties at the pooled rate; ``"per_dock"``: each truck takes the dock that
            frees first and unloads at ``unload_rate_per_h``, later trucks wait.
        keyers: staff keying no-reads, each ``keying_delay_s`` a parcel, first come first
            served (an M/D/c queue); ``None`` (the original model): unlimited keyers, so
            keying is a fixed delay.
        reinduct_overflow, reinduct_staff, reinduct_s: overflow parcels are carried back
            and re-inducted by ``reinduct_staff`` people, ``reinduct_s`` a parcel (FIFO),
            and then sort again; ``False`` (the original model): overflow is terminal.
        manual_staff: people hand-sorting oversize parcels, ``manual_sort_s`` a parcel each,
            FIFO in unloading order; ``None`` (the original model): unlimited, so every
            oversize parcel is in its cage ``manual_sort_s`` after it is unloaded.
        scanners: ``"single"`` (the original model): every parcel is read at
            ``scanner_position_m``, so a parcel inducted anywhere rides to that scanner
            before it can be discharged and a carrier carries at most one parcel per lap;
            ``"per_zone"``: every induction zone (:attr:`zones`) has its own scanner, at the
            same distance after the zone's last station as ``scanner_position_m`` is after
            the last station upstream of it, so a parcel is read as it leaves its zone and a
            carrier emptied at a chute is reused by the next zone downstream in the same lap
            (capacity: :mod:`sorter.capacity`). A ``ScannerOutage`` stops every scanner.
        secondary_sort_staff, secondary_sort_rate_per_h: a chute shared by several villages
            is bagged as one; with ``secondary_sort_staff`` > 0 each of its bags is then
            split by village by hand: a person takes the next tied bag (first tied, first
            taken) and sorts its parcels one at a time at ``secondary_sort_rate_per_h``
            (300/h, PARAMETERS' manual cage loading, S), and a parcel is ready for its van
            when it is out of this sort; ``0`` (the original model): a shared chute's bag is
            ready when tied. Chutes of one village never go through it.
        chute_groups: split chutes: groups of two or more village chutes that serve one
            destination, as the line's controller is told. A village assigned to any chute
            of a group has all of them: each parcel goes to the first of the group on its
            path that accepts it and recirculates only when all refuse (one lap). Groups
            are disjoint; ``()`` (the original model): one chute per destination.

    New behaviour is opt-in: with these last fields at their defaults a run is identical,
    draw for draw, to the original model.
    """

    carriers: int
    pitch_m: float
    speed_mps: float
    induction: tuple[InductionStation, ...]
    scanner_position_m: float
    chutes: tuple[Chute, ...]
    chute_capacity: int = 40
    fill_threshold: float = 0.9
    max_recirculations: int = 3
    bagging_operators: int = 4
    bag_time_s: float = 60.0
    no_read_prob: float = 0.01
    keying_delay_s: float = 120.0
    exception_prob: float = 0.003
    oversize_to_manual: bool = True
    manual_sort_s: float = 180.0
    unload_ports: int = 4
    unload_rate_per_h: float = 750.0
    name: str = "line"
    meta: tuple[tuple[str, str], ...] = field(default=())
    unloading: UnloadMode = "pooled"
    keyers: int | None = None
    reinduct_overflow: bool = False
    reinduct_staff: int = 1
    reinduct_s: float = 20.0
    manual_staff: int | None = None
    scanners: ScannerMode = "single"
    secondary_sort_staff: int = 0
    secondary_sort_rate_per_h: float = 300.0
    chute_groups: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.carriers, int) or self.carriers < 2:
            raise _fail("carriers", self.carriers, "must be an integer >= 2")
        for f in ("pitch_m", "speed_mps"):
            v = getattr(self, f)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise _fail(f, v, "must be a finite number > 0")
        if not isinstance(self.induction, tuple) or not self.induction:
            raise _fail("induction", self.induction, "must be a non-empty tuple of stations")
        names = set()
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
            self._check_pos(f"induction[{k}].position_m", st.position_m)
        self._check_pos("scanner_position_m", self.scanner_position_m)
        ids = set()
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
            self._check_pos(f"chutes[{k}].position_m", ch.position_m)
            kinds[ch.kind] = kinds.get(ch.kind, 0) + 1
        if kinds.get("village", 0) < 1:
            raise _fail("chutes", f"{len(self.chutes)} chutes", "need at least one village chute")
        needed = ["no_read", "exception", "overflow"] + (
            ["manual"] if self.oversize_to_manual else []
        )
        for kind in needed:
            if kinds.get(kind, 0) != 1:
                raise _fail("chutes", f"{kinds.get(kind, 0)} {kind} chutes", "need exactly one")
        for f in ("chute_capacity", "bagging_operators", "unload_ports"):
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
        for f in ("bag_time_s", "keying_delay_s", "manual_sort_s"):
            v = getattr(self, f)
            if not (math.isfinite(v) and v >= 0):
                raise _fail(f, v, "must be a finite number >= 0")
        if not (self.unload_rate_per_h > 0):
            raise _fail("unload_rate_per_h", self.unload_rate_per_h, "must be > 0 (inf allowed)")
        if self.unloading not in ("pooled", "per_dock"):
            raise _fail("unloading", self.unloading, 'must be "pooled" or "per_dock"')
        for f in ("keyers", "manual_staff"):
            v = getattr(self, f)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
                raise _fail(f, v, "must be None (unlimited) or an integer >= 1")
        if not isinstance(self.reinduct_overflow, bool):
            raise _fail("reinduct_overflow", self.reinduct_overflow, "must be True or False")
        if not isinstance(self.reinduct_staff, int) or self.reinduct_staff < 1:
            raise _fail("reinduct_staff", self.reinduct_staff, "must be an integer >= 1")
        if not (math.isfinite(self.reinduct_s) and self.reinduct_s >= 0):
            raise _fail("reinduct_s", self.reinduct_s, "must be a finite number >= 0")
        if self.scanners not in ("single", "per_zone"):
            raise _fail("scanners", self.scanners, 'must be "single" or "per_zone"')
        v = self.secondary_sort_staff
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise _fail("secondary_sort_staff", v, "must be an integer >= 0 (0: no hand sort)")
        v = self.secondary_sort_rate_per_h
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise _fail("secondary_sort_rate_per_h", v, "must be a finite number > 0")
        if self.scanners == "per_zone":
            self.zone_scanners_m()  # raises if a zone's scanner would pass a chute
        if not isinstance(self.chute_groups, tuple):
            raise _fail("chute_groups", self.chute_groups, "must be a tuple of tuples of ids")
        village = {c.id for c in self.chutes if c.kind == "village"}
        grouped: dict[str, int] = {}
        for k, g in enumerate(self.chute_groups):
            if not isinstance(g, tuple) or len(g) < 2:
                raise _fail(f"chute_groups[{k}]", g, "must be a tuple of two or more chute ids")
            for c in g:
                if c not in village:
                    raise _fail(f"chute_groups[{k}]", g, f"{c!r} is not a village chute")
                if c in grouped:
                    where = "twice" if grouped[c] == k else f"also in chute_groups[{grouped[c]}]"
                    raise _fail(f"chute_groups[{k}]", g, f"chute {c!r} {where}")
                grouped[c] = k

    def _check_pos(self, f: str, v: float) -> None:
        if not (isinstance(v, int | float) and math.isfinite(v) and 0 <= v < self.length_m):
            raise _fail(f, v, f"must be in [0, loop length {self.length_m:g} m)")

    # -- derived quantities -------------------------------------------------------------
    @property
    def length_m(self) -> float:
        """Loop length in metres (carriers × pitch)."""
        return self.carriers * self.pitch_m

    @property
    def tick_s(self) -> float:
        """Seconds between two carriers passing a fixed point."""
        return self.pitch_m / self.speed_mps

    @property
    def carriers_per_h(self) -> float:
        """Carriers passing a fixed point per hour: ``speed * 3600 / pitch``."""
        return self.speed_mps * 3600.0 / self.pitch_m

    @property
    def village_chutes(self) -> tuple[Chute, ...]:
        return tuple(c for c in self.chutes if c.kind == "village")

    def special_chute(self, kind: str) -> Chute:
        """The one chute of a special ``kind`` (raises LineError if absent)."""
        for c in self.chutes:
            if c.kind == kind:
                return c
        raise LineError(f"Line.chutes: no {kind!r} chute")

    @property
    def zones(self) -> tuple[tuple[str, ...], ...]:
        """Induction zones: station names grouped in loop order so that no chute lies between
        two stations of a zone; the first zone is the one whose last station is the last
        upstream of ``scanner_position_m``. A one-zone loop is the usual layout."""
        L = self.length_m
        s = self.scanner_position_m
        # stations in loop order, starting just after the scanner
        order = sorted(self.induction, key=lambda st: ((st.position_m - s) % L, st.name))
        chute_d = sorted((c.position_m - s) % L for c in self.chutes)
        zones: list[list[str]] = []
        prev = None
        for st in order:
            d = (st.position_m - s) % L
            if prev is None or any(prev < x < d for x in chute_d):
                zones.append([])
            zones[-1].append(st.name)
            prev = d
        # the zone just upstream of the scanner (last in this order) comes first
        return tuple(tuple(z) for z in [zones[-1], *zones[:-1]])

    def zone_scanners_m(self) -> dict[str, float]:
        """Station name -> position of the scanner that reads its parcels: the one scanner
        (``"single"``), or its zone's scanner (``"per_zone"``, see ``scanners``)."""
        if self.scanners == "single":
            return {st.name: self.scanner_position_m for st in self.induction}
        L = self.length_m
        pos = {st.name: st.position_m for st in self.induction}
        zones = self.zones
        offset = (self.scanner_position_m - pos[zones[0][-1]]) % L
        out: dict[str, float] = {}
        for k, zone in enumerate(zones):
            last = pos[zone[-1]]
            at = (last + offset) % L
            for c in self.chutes:
                if 0 < (c.position_m - last) % L <= offset:
                    raise _fail(
                        "scanners",
                        self.scanners,
                        f"zone {k + 1} ({', '.join(zone)}) would have its scanner at {at:g} m, "
                        f"past chute {c.id} at {c.position_m:g} m",
                    )
            for name in zone:
                out[name] = at
        return out

    def slot(self, position_m: float) -> int:
        """Carrier slot index of a loop position."""
        return round(position_m / self.pitch_m) % self.carriers

    def replace(self, **changes: Any) -> Line:
        """A copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    # -- convenience constructor --------------------------------------------------------
    @classmethod
    def evenly_spaced(
        cls,
        num_village_chutes: int = 214,
        *,
        num_induction: int = 4,
        induction_rate_per_h: float = 2000.0,
        operators: int = 1,
        pitch_m: float = 0.67,
        speed_mps: float = 2.5,
        chute_spacing_m: float = 1.2,
        two_sided: bool = True,
        induction_spacing_m: float = 3.0,
        chute_prefix: str = "C",
        zones: int = 1,
        **kwargs: Any,
    ) -> Line:
        """A typical loop: an induction zone, then the scanner, then the chutes, then back.

        Layout in the direction of travel: ``num_induction`` stations ``induction_spacing_m``
        apart starting at 0, the scanner 2 m after the last station, the no-read and exception
        chutes, the village chutes (``two_sided``: two per position, one each side) every
        ``chute_spacing_m``, then the manual and overflow chutes and a 10 m return to the
        first station. Every chute therefore lies between the scanner and the induction zone,
        so carriers reach the induction zone empty unless a parcel recirculates.

        ``zones`` > 1: a multi-zone loop. The stations are split into ``zones`` induction
        zones as evenly as possible (the first zones get the extra station), and so are the
        village chutes; going round the loop: zone 1's stations, the scanner, the no-read and
        exception chutes and zone 1's chutes, then zone 2's stations 2 m after the last
        chute, 4 m of gap (where a per-zone scanner goes) and zone 2's chutes, and so on;
        the manual and overflow chutes and the 10 m return follow the last zone's chutes.
        Pass ``scanners="per_zone"`` to read each zone's parcels as they leave it.
        """
        if num_village_chutes < 1:
            raise _fail("num_village_chutes", num_village_chutes, "must be >= 1")
        if not isinstance(zones, int) or zones < 1:
            raise _fail("zones", zones, "must be an integer >= 1")
        if zones > 1:
            return cls._zoned(
                num_village_chutes, num_induction, induction_rate_per_h, operators, pitch_m,
                speed_mps, chute_spacing_m, two_sided, induction_spacing_m, chute_prefix, zones,
                kwargs,
            )  # fmt: skip
        last_induct = (num_induction - 1) * induction_spacing_m
        scanner = last_induct + 2.0
        x = scanner + 2.0
        chutes = [Chute("NR", x, "no_read"), Chute("EX", x + chute_spacing_m, "exception")]
        x += 2 * chute_spacing_m
        per_pos = 2 if two_sided else 1
        for k in range(num_village_chutes):
            chutes.append(Chute(f"{chute_prefix}{k + 1:03d}", x + (k // per_pos) * chute_spacing_m))
        x += math.ceil(num_village_chutes / per_pos) * chute_spacing_m
        chutes.append(Chute("MAN", x, "manual"))
        chutes.append(Chute("OV", x + chute_spacing_m, "overflow"))
        length = x + chute_spacing_m + 10.0
        carriers = math.ceil(length / pitch_m)
        stations = tuple(
            InductionStation(f"I{k + 1}", k * induction_spacing_m, induction_rate_per_h, operators)
            for k in range(num_induction)
        )
        return cls(
            carriers=carriers,
            pitch_m=pitch_m,
            speed_mps=speed_mps,
            induction=stations,
            scanner_position_m=scanner,
            chutes=tuple(chutes),
            **kwargs,
        )

    @classmethod
    def _zoned(
        cls,
        n_chutes: int,
        n_stations: int,
        rate: float,
        operators: int,
        pitch_m: float,
        speed_mps: float,
        spacing: float,
        two_sided: bool,
        st_spacing: float,
        prefix: str,
        zones: int,
        kwargs: dict[str, Any],
    ) -> Line:
        """:meth:`evenly_spaced` with ``zones`` > 1 induction zones round the loop."""
        if n_stations < zones:
            raise _fail("num_induction", n_stations, f"must be >= zones ({zones})")
        if n_chutes < zones:
            raise _fail("num_village_chutes", n_chutes, f"must be >= zones ({zones})")
        per_pos = 2 if two_sided else 1
        stations: list[InductionStation] = []
        chutes: list[Chute] = []
        x = 0.0
        scanner = 0.0
        k_st = k_ch = 0
        for z in range(zones):
            n_st = n_stations // zones + (1 if z < n_stations % zones else 0)
            n_ch = n_chutes // zones + (1 if z < n_chutes % zones else 0)
            for _ in range(n_st):
                k_st += 1
                stations.append(InductionStation(f"I{k_st}", x, rate, operators))
                x += st_spacing
            x += 2.0 - st_spacing  # the zone's scanner 2 m after its last station
            if z == 0:
                scanner = x
            x += 2.0
            if z == 0:
                chutes += [Chute("NR", x, "no_read"), Chute("EX", x + spacing, "exception")]
                x += 2 * spacing
            for k in range(n_ch):
                k_ch += 1
                chutes.append(Chute(f"{prefix}{k_ch:03d}", x + (k // per_pos) * spacing))
            x += math.ceil(n_ch / per_pos) * spacing
            if z < zones - 1:
                x += 2.0  # the next zone's first station
        chutes.append(Chute("MAN", x, "manual"))
        chutes.append(Chute("OV", x + spacing, "overflow"))
        length = x + spacing + 10.0
        return cls(
            carriers=math.ceil(length / pitch_m),
            pitch_m=pitch_m,
            speed_mps=speed_mps,
            induction=tuple(stations),
            scanner_position_m=scanner,
            chutes=tuple(chutes),
            **kwargs,
        )
