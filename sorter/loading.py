"""Line to van: staged cages are loaded into the round's van at a dock by loaders.

A village's bags go to its roll cage as they are tied (``SortResult.village_ready_s`` is the
moment its cage is complete). A round's van is loaded at a dock by that dock's crew of
loaders, cage after cage, so::

    loading start = max(last ready time of the round's villages, dock free, earliest start)
    departure     = loading start + parcels / (crew × load_rate_per_h)

A round may instead have a fixed loading time (``RoundToLoad.load_s``: a trunk truck
loaded roll cage by roll cage, not parcel by parcel). Rounds take docks in their planned
order of departure (ties: the order given); each round takes the dock on which it would
leave first (ties: the lowest dock number). A site's name (``site``: "" for the one centre,
or a transfer station) is carried to each :class:`LoadedRound`, so one day's loadings at
several sites can be reported together. The
``loaders`` are split over the ``docks`` as evenly as possible, the first docks taking the
remainder, and stay at their dock. Defaults from shared/PARAMETERS.md: 300 parcels/h per
loader ("Manual cage loading", sourced), roll cages of 120 parcels (estimate).

Frozen inputs (:class:`RoundToLoad`), a frozen result (:class:`Loading`); deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .line import LineError


@dataclass(frozen=True, slots=True)
class RoundToLoad:
    """A round to load: its ``name`` (a vehicle or round id) and villages.

    ``planned_departure_s`` orders the rounds at the docks (``None``: after the rounds that
    have one, in the order given); ``earliest_s``: loading cannot start before (the van is
    back from an earlier trip, the crew's shift starts, the cages reach a transfer
    station); ``load_s``: a fixed loading time instead of its parcels at the dock crew's
    rate (a truck loaded by roll cage).
    """

    name: str
    villages: tuple[str, ...]
    planned_departure_s: float | None = None
    earliest_s: float = 0.0
    load_s: float | None = None

    def __post_init__(self) -> None:
        if self.load_s is not None and not (math.isfinite(self.load_s) and self.load_s >= 0):
            raise LineError(f"round {self.name!r}: load_s = {self.load_s!r}: must be >= 0")


@dataclass(frozen=True, slots=True)
class LoadedRound:
    """When and where a round was loaded. ``departure_s`` is the end of loading."""

    name: str
    dock: int
    loaders: int
    parcels: int
    litres: float
    cages: int
    ready_s: float  # last ready time of its villages (its earliest start if later)
    start_s: float
    departure_s: float
    site: str = ""  # where it was loaded ("": the one centre; else e.g. a transfer station)

    @property
    def loading_s(self) -> float:
        return self.departure_s - self.start_s

    @property
    def dock_wait_s(self) -> float:
        """Seconds the complete cages waited for a free dock."""
        return self.start_s - self.ready_s


@dataclass(frozen=True)
class Loading:
    """All rounds' loading, in the order they took the docks."""

    rounds: tuple[LoadedRound, ...]
    docks: int
    loaders: int
    load_rate_per_h: float

    def by_name(self) -> dict[str, LoadedRound]:
        return {r.name: r for r in self.rounds}

    @property
    def departure_s(self) -> dict[str, float]:
        return {r.name: r.departure_s for r in self.rounds}

    def records(self) -> list[dict[str, Any]]:
        """One plain dict per round (``pandas.DataFrame(loading.records())`` works)."""
        return [asdict(r) | {"loading_s": r.loading_s} for r in self.rounds]

    def summary(self) -> dict[str, float]:
        if not self.rounds:
            return {"rounds": 0}
        return {
            "rounds": len(self.rounds),
            "first_departure_s": min(r.departure_s for r in self.rounds),
            "last_departure_s": max(r.departure_s for r in self.rounds),
            "mean_loading_s": sum(r.loading_s for r in self.rounds) / len(self.rounds),
            "max_dock_wait_s": max(r.dock_wait_s for r in self.rounds),
        }


def crews(docks: int, loaders: int) -> list[int]:
    """Loaders at each dock: as even as possible, the first docks taking the remainder."""
    return [loaders // docks + (1 if d < loaders % docks else 0) for d in range(docks)]


def load_vans(
    rounds: Sequence[RoundToLoad],
    ready_s: Mapping[str, float],
    parcels: Mapping[str, int],
    *,
    docks: int,
    loaders: int,
    load_rate_per_h: float = 300.0,
    litres: Mapping[str, float] | None = None,
    cage_parcels: int = 120,
    site: str = "",
) -> Loading:
    """Dock, loading start and departure of each round (see the module docstring).

    ``ready_s`` and ``parcels`` are per village (``SortResult.village_ready_s`` and
    ``village_sorted``); a village without a ready time has nothing bagged and does not
    hold its round. ``litres`` (``SortResult.village_litres``) is carried to the result.
    """
    if not isinstance(docks, int) or docks < 1:
        raise LineError(f"docks = {docks!r}: must be an integer >= 1")
    if not isinstance(loaders, int) or loaders < docks:
        raise LineError(f"loaders = {loaders!r}: need at least one per dock (docks = {docks})")
    if not (math.isfinite(load_rate_per_h) and load_rate_per_h > 0):
        raise LineError(f"load_rate_per_h = {load_rate_per_h!r}: must be a finite number > 0")
    if not isinstance(cage_parcels, int) or cage_parcels < 1:
        raise LineError(f"cage_parcels = {cage_parcels!r}: must be an integer >= 1")
    names = [r.name for r in rounds]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise LineError(f"rounds: round name {dup!r} appears twice")
    crew = crews(docks, loaders)
    free = [-math.inf] * docks
    order = sorted(
        range(len(rounds)),
        key=lambda k: (
            rounds[k].planned_departure_s is None,
            rounds[k].planned_departure_s or 0,
            k,
        ),
    )
    out = []
    for k in order:
        r = rounds[k]
        n = sum(int(parcels.get(v, 0)) for v in r.villages)
        ready = max([ready_s[v] for v in r.villages if v in ready_s] + [r.earliest_s])
        best: tuple[float, int, float] | None = None
        for d in range(docks):
            start = max(ready, free[d])
            load = n * 3600.0 / (crew[d] * load_rate_per_h) if r.load_s is None else r.load_s
            end = start + load
            if best is None or end < best[0]:
                best = (end, d, start)
        assert best is not None
        end, d, start = best
        free[d] = end
        lit = sum(float(litres.get(v, 0.0)) for v in r.villages) if litres else 0.0
        cages = sum(math.ceil(int(parcels.get(v, 0)) / cage_parcels) for v in r.villages)
        out.append(LoadedRound(r.name, d, crew[d], n, lit, cages, ready, start, end, site))
    return Loading(tuple(out), docks, loaders, float(load_rate_per_h))
