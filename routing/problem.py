"""The co-delivery round problem: frozen, validated data with user ids throughout.

A :class:`Problem` describes one day's rounds: depots, villages with a delivery and a pickup
on the same stop (VRP with simultaneous pickup and delivery), vehicle types, and integer
travel matrices indexed by ``Problem.locations``.

Units are fixed here, once, for every backend:

* distance: integer **metres**; time: integer **seconds** (clock time since midnight);
* loads: integers per dimension (``Problem.dimensions``, e.g. ``("parcels", "litres")``);
* money: floats in yuan in the data objects; each solver adapter scales to integer
  fen (0.01 yuan) at its own boundary.

Floats, NaN, negative values and ragged matrices are rejected in the constructors, because
OR-Tools silently mis-solves with float callbacks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "DEFAULT_DROP_PENALTY",
    "Depot",
    "Problem",
    "ProblemError",
    "VehicleType",
    "Village",
]

#: A time that means "no limit" (ten days in seconds); windows default to [0, HORIZON].
HORIZON = 10 * 24 * 3600
#: Yuan for leaving a village unserved when its ``drop_penalty`` is not given: far above
#: any realistic round cost, so a solver serves every village it can.
DEFAULT_DROP_PENALTY = 1_000_000.0


class ProblemError(ValueError):
    """A routing problem is inconsistent; the message names the object, the field and value."""


def _check_int(owner: str, name: str, value: Any, *, minimum: int | None = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ProblemError(f"{owner}.{name} = {value!r}: must be an integer")
    if minimum is not None and value < minimum:
        raise ProblemError(f"{owner}.{name} = {value!r}: must be >= {minimum}")


def _check_money(owner: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ProblemError(f"{owner}.{name} = {value!r}: must be a number")
    if not np.isfinite(value) or value < 0:
        raise ProblemError(f"{owner}.{name} = {value!r}: must be finite and >= 0")


def _check_loads(owner: str, name: str, values: tuple[int, ...]) -> None:
    for k, v in enumerate(values):
        _check_int(owner, f"{name}[{k}]", v)


@dataclass(frozen=True, slots=True)
class Depot:
    """A place where rounds start and end: the county hub or a township transfer station.

    ``ready_s`` is the earliest time a van can leave (e.g. when the trunk run from the hub
    has arrived at a township station).
    """

    id: str
    location: str
    ready_s: int = 0

    def __post_init__(self) -> None:
        _check_int(f"depot {self.id!r}", "ready_s", self.ready_s)


@dataclass(frozen=True, slots=True)
class Village:
    """A stop: everything for the village is delivered and its outgoing goods picked up.

    ``delivery`` and ``pickup`` have one entry per problem dimension. ``release_s`` is when
    the village's chute is bagged and ready at the depot (from the sorter): the round that
    serves it cannot leave its depot before that. ``service_s`` is the whole stop time.
    ``depot`` restricts the village to rounds from one depot (``None``: any depot).

    The promise (soft): ``due_s`` is the time the village was promised its parcels by; a
    service start after it costs ``late_cost_per_h`` yuan per hour late (the application
    multiplies its parcels by a cost per parcel-hour), added to the solver's objective and
    recorded per round (:attr:`routing.plan.Route.late_cost`). A *hard* promise is a window
    that closes at the promised time instead. ``drop_penalty`` is the yuan a solver pays for
    leaving the village unserved (``None``: :data:`DEFAULT_DROP_PENALTY`); weighing it by
    what the village leaves behind makes a short fleet leave the fewest parcels, not the
    fewest villages.
    """

    id: str
    location: str
    delivery: tuple[int, ...]
    pickup: tuple[int, ...]
    service_s: int = 0
    window: tuple[int, int] = (0, HORIZON)
    release_s: int = 0
    depot: str | None = None
    due_s: int | None = None
    late_cost_per_h: float = 0.0
    drop_penalty: float | None = None

    def __post_init__(self) -> None:
        owner = f"village {self.id!r}"
        object.__setattr__(self, "delivery", tuple(self.delivery))
        object.__setattr__(self, "pickup", tuple(self.pickup))
        object.__setattr__(self, "window", tuple(self.window))
        _check_loads(owner, "delivery", self.delivery)
        _check_loads(owner, "pickup", self.pickup)
        if len(self.delivery) != len(self.pickup):
            raise ProblemError(
                f"{owner}: delivery has {len(self.delivery)} dimensions, "
                f"pickup has {len(self.pickup)}"
            )
        _check_int(owner, "service_s", self.service_s)
        _check_int(owner, "release_s", self.release_s)
        if len(self.window) != 2:
            raise ProblemError(f"{owner}.window = {self.window!r}: must be (open_s, close_s)")
        _check_int(owner, "window[0]", self.window[0])
        _check_int(owner, "window[1]", self.window[1])
        if self.window[1] < self.window[0]:
            raise ProblemError(f"{owner}.window = {self.window!r}: closes before it opens")
        if self.due_s is not None:
            _check_int(owner, "due_s", self.due_s)
        _check_money(owner, "late_cost_per_h", self.late_cost_per_h)
        if self.late_cost_per_h > 0 and self.due_s is None:
            raise ProblemError(f"{owner}.late_cost_per_h = {self.late_cost_per_h!r}: needs a due_s")
        if self.drop_penalty is not None:
            _check_money(owner, "drop_penalty", self.drop_penalty)

    @property
    def penalty(self) -> float:
        """Yuan for leaving this village unserved (``drop_penalty`` or the default)."""
        return DEFAULT_DROP_PENALTY if self.drop_penalty is None else float(self.drop_penalty)

    def late_cost(self, start_s: int) -> float:
        """Yuan of lateness when service starts at ``start_s`` (0 without a soft promise)."""
        if self.due_s is None or start_s <= self.due_s or not self.late_cost_per_h:
            return 0.0
        return (start_s - self.due_s) / 3600.0 * self.late_cost_per_h


@dataclass(frozen=True, slots=True)
class VehicleType:
    """``count`` identical vans. Costs in yuan; limits in seconds and metres.

        A van's duty runs from leaving ``start_depot`` to returning to ``end_depot``; it may not
        leave before ``shift_start_s``, must be back by ``shift_end_s``, and that duty may not
        exceed ``max_duration_s`` nor its driven distance ``max_distance_m``.

        Second trips: a van may make up to ``max_trips`` trips a day (1: one round, as before).
        Between two trips it is back at its start depot for at least ``reload_s`` (unloading
        the pickups, loading the next trip's cages), so trip k+1 leaves no earlier than trip k's
        return + ``reload_s``. The shift and ``max_duration_s`` hold over all of a van's trips
        (first departure to last return), ``max_distance_m`` over all of them (the van's range
    for the day), and the fixed cost is
        paid once per van (:meth:`trip_cost`). Each trip is a :class:`routing.plan.Route`
        with the van's name and its ``trip`` number.
    """

    name: str
    count: int
    capacity: tuple[int, ...]
    start_depot: str
    end_depot: str | None = None
    fixed_cost: float = 0.0
    cost_per_km: float = 0.0
    cost_per_h: float = 0.0
    shift_start_s: int = 0
    shift_end_s: int = HORIZON
    max_duration_s: int = HORIZON
    max_distance_m: int = 10**9
    max_trips: int = 1
    reload_s: int = 0

    def __post_init__(self) -> None:
        owner = f"vehicle type {self.name!r}"
        object.__setattr__(self, "capacity", tuple(self.capacity))
        _check_int(owner, "count", self.count, minimum=1)
        _check_loads(owner, "capacity", self.capacity)
        for k, c in enumerate(self.capacity):
            if c <= 0:
                raise ProblemError(f"{owner}.capacity[{k}] = {c}: must be > 0")
        for name in ("fixed_cost", "cost_per_km", "cost_per_h"):
            _check_money(owner, name, getattr(self, name))
        for name in ("shift_start_s", "shift_end_s", "max_duration_s", "max_distance_m"):
            _check_int(owner, name, getattr(self, name))
        _check_int(owner, "max_trips", self.max_trips, minimum=1)
        _check_int(owner, "reload_s", self.reload_s)
        if self.max_trips > 1 and self.return_depot != self.start_depot:
            raise ProblemError(
                f"{owner}.max_trips = {self.max_trips}: a van making several trips reloads at "
                f"its start depot {self.start_depot!r}, so end_depot must be the same, "
                f"not {self.end_depot!r}"
            )
        if self.shift_end_s < self.shift_start_s:
            raise ProblemError(
                f"{owner}.shift_end_s = {self.shift_end_s}: before shift_start_s "
                f"= {self.shift_start_s}"
            )

    @property
    def return_depot(self) -> str:
        return self.end_depot if self.end_depot is not None else self.start_depot

    def round_cost(self, distance_m: int, duration_s: int) -> float:
        """Yuan for one round: fixed + per km driven + per hour of duty (the one formula
        every backend, the checker and the reports use)."""
        return (
            self.fixed_cost
            + distance_m / 1000.0 * self.cost_per_km
            + duration_s / 3600.0 * self.cost_per_h
        )

    def trip_cost(self, trip: int, distance_m: int, duration_s: int) -> float:
        """Yuan for trip ``trip`` (0-based) of a van: the first is :meth:`round_cost`; a
        later trip pays no fixed cost (once per van) and its ``duration_s`` runs from the
        previous trip's return (the reload at the depot is duty), so a van's trips add up
        to one round cost over its whole duty."""
        if trip == 0:
            return self.round_cost(distance_m, duration_s)
        return distance_m / 1000.0 * self.cost_per_km + duration_s / 3600.0 * self.cost_per_h


def _as_matrix(name: str, m: Any, n: int) -> np.ndarray:
    arr = np.asarray(m)
    if arr.shape != (n, n):
        raise ProblemError(f"Problem.{name}: shape {arr.shape}, expected ({n}, {n})")
    if not np.issubdtype(arr.dtype, np.integer):
        raise ProblemError(
            f"Problem.{name}: dtype {arr.dtype}, must be integer (metres / seconds); "
            "round before building the problem"
        )
    if (arr < 0).any():
        i, j = np.argwhere(arr < 0)[0]
        raise ProblemError(f"Problem.{name}[{i}, {j}] = {arr[i, j]}: must be >= 0")
    out = np.array(arr, dtype=np.int64, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Problem:
    """One day of co-delivery rounds.

    ``locations`` names the rows and columns of ``distance_m`` and ``duration_s``;
    depots and villages refer to locations by id. A location may be unreachable from
    another: mark it with a distance >= ``UNREACHABLE`` (the diagnosis reports it).
    """

    locations: tuple[str, ...]
    distance_m: np.ndarray
    duration_s: np.ndarray
    depots: tuple[Depot, ...]
    villages: tuple[Village, ...]
    vehicle_types: tuple[VehicleType, ...]
    dimensions: tuple[str, ...] = ("parcels",)
    name: str = "problem"
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    #: A travel distance (m) or time (s) at or above this means "no road".
    UNREACHABLE: ClassVar[int] = 10**9

    def __post_init__(self) -> None:
        for name in ("locations", "depots", "villages", "vehicle_types", "dimensions"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        n = len(self.locations)
        if len(set(self.locations)) != n:
            raise ProblemError("Problem.locations: duplicate location ids")
        object.__setattr__(self, "distance_m", _as_matrix("distance_m", self.distance_m, n))
        object.__setattr__(self, "duration_s", _as_matrix("duration_s", self.duration_s, n))
        object.__setattr__(self, "_index", {loc: i for i, loc in enumerate(self.locations)})
        dims = len(self.dimensions)
        if dims == 0:
            raise ProblemError("Problem.dimensions: at least one load dimension")
        if not self.depots:
            raise ProblemError("Problem.depots: at least one depot")
        if not self.vehicle_types:
            raise ProblemError("Problem.vehicle_types: at least one vehicle type")
        depot_ids = _unique("depot", [d.id for d in self.depots])
        _unique("village", [v.id for v in self.villages])
        _unique("vehicle type", [t.name for t in self.vehicle_types])
        for d in self.depots:
            self._require_location(f"depot {d.id!r}", d.location)
        for v in self.villages:
            self._require_location(f"village {v.id!r}", v.location)
            if len(v.delivery) != dims:
                raise ProblemError(
                    f"village {v.id!r}.delivery = {v.delivery}: expected {dims} "
                    f"dimensions {self.dimensions}"
                )
            if v.depot is not None and v.depot not in depot_ids:
                raise ProblemError(f"village {v.id!r}.depot = {v.depot!r}: no such depot")
        for t in self.vehicle_types:
            if len(t.capacity) != dims:
                raise ProblemError(
                    f"vehicle type {t.name!r}.capacity = {t.capacity}: expected {dims} "
                    f"dimensions {self.dimensions}"
                )
            for name in ("start_depot", "return_depot"):
                if getattr(t, name) not in depot_ids:
                    raise ProblemError(
                        f"vehicle type {t.name!r}.{name} = {getattr(t, name)!r}: no such depot"
                    )

    def _require_location(self, owner: str, loc: str) -> None:
        if loc not in self._index:
            raise ProblemError(f"{owner}.location = {loc!r}: not in Problem.locations")

    # -- look-ups -----------------------------------------------------------------------
    def index(self, location: str) -> int:
        """Row/column of ``location`` in the matrices."""
        return self._index[location]

    def depot(self, depot_id: str) -> Depot:
        for d in self.depots:
            if d.id == depot_id:
                return d
        raise KeyError(depot_id)

    def village(self, village_id: str) -> Village:
        for v in self.villages:
            if v.id == village_id:
                return v
        raise KeyError(village_id)

    def vehicle_type(self, name: str) -> VehicleType:
        for t in self.vehicle_types:
            if t.name == name:
                return t
        raise KeyError(name)

    def distance(self, a: str, b: str) -> int:
        return int(self.distance_m[self._index[a], self._index[b]])

    def duration(self, a: str, b: str) -> int:
        return int(self.duration_s[self._index[a], self._index[b]])

    @property
    def num_vehicles(self) -> int:
        return sum(t.count for t in self.vehicle_types)

    @property
    def multi_trip(self) -> bool:
        """Whether some van may make second trips (``VehicleType.max_trips`` > 1)."""
        return any(t.max_trips > 1 for t in self.vehicle_types)

    def one_trip(self) -> Problem:
        """This problem with every van on one trip (``max_trips = 1``): what a backend
        without trips (OR-Tools) can solve; its plans are valid plans of this problem."""
        if not self.multi_trip:
            return self
        return self.replace(
            vehicle_types=tuple(dataclasses.replace(t, max_trips=1) for t in self.vehicle_types)
        )

    def replace(self, **changes: Any) -> Problem:
        """A copy with some fields changed (validated again)."""
        kwargs = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        kwargs.update(changes)
        return Problem(**kwargs)

    # Problems hold numpy arrays, so equality compares them explicitly.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return (
            self.locations == other.locations
            and self.depots == other.depots
            and self.villages == other.villages
            and self.vehicle_types == other.vehicle_types
            and self.dimensions == other.dimensions
            and self.name == other.name
            and np.array_equal(self.distance_m, other.distance_m)
            and np.array_equal(self.duration_s, other.duration_s)
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}

    def __setstate__(self, state: dict[str, Any]) -> None:
        rebuilt = Problem(**state)
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, getattr(rebuilt, f.name))


def _unique(kind: str, ids: Sequence[str]) -> set[str]:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ProblemError(f"{kind} id {i!r} appears twice")
        seen.add(i)
    return seen
