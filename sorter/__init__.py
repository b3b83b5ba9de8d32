"""sorter: a discrete-event model (SimPy) of a shared multi-carrier loop sorter.

Frozen :class:`Line` + :class:`Arrivals` in, :class:`SortResult` out::

    line = Line.evenly_spaced(214)
    arrivals = generate_arrivals(1, village_parcels=..., brand_shares=..., waves=...)
    result = simulate(line, arrivals, assignment=ByVolume(), seed=1, bagging="wave_end")
    result.summary(); result.village_ready_s; result.to_dataframe()
    vans = load_vans(rounds, result.village_ready_s, result.village_sorted, docks=4, loaders=8)

Never imports ``routing`` or ``gongpei``. Plots live in ``sorter.plotting`` (matplotlib).
"""

from .arrivals import Arrivals, Truck, Wave, generate_arrivals
from .assignment import (
    ASSIGNMENTS,
    ByRound,
    ByTownship,
    ByVolume,
    ChuteAssignment,
    Random,
    VillageInfo,
    travel_from_inducts_m,
)
from .bagging import (
    BAGGINGS,
    BaggingPolicy,
    ByDeparture,
    DepartureLoop,
    LoopPass,
    WaveEnd,
    WhenFull,
    departure_loop,
    resolve_bagging,
)
from .capacity import line_capacity_per_h, station_capacities_per_h
from .engine import resolve_assignment, simulate
from .faults import ChuteJam, Fault, LineStoppage, ScannerOutage, StationUnstaffed
from .line import Chute, InductionStation, Line, LineError
from .loading import LoadedRound, Loading, RoundToLoad, load_vans
from .monitors import LevelMonitor, TallyMonitor
from .parcels import CARTONS, ParcelMix, SizeClass
from .result import OUTCOMES, ChuteSummary, SortResult

__all__ = [
    "ASSIGNMENTS",
    "BAGGINGS",
    "CARTONS",
    "OUTCOMES",
    "Arrivals",
    "BaggingPolicy",
    "ByDeparture",
    "ByRound",
    "ByTownship",
    "ByVolume",
    "Chute",
    "ChuteAssignment",
    "ChuteJam",
    "ChuteSummary",
    "DepartureLoop",
    "Fault",
    "InductionStation",
    "LevelMonitor",
    "Line",
    "LineError",
    "LineStoppage",
    "LoadedRound",
    "Loading",
    "LoopPass",
    "ParcelMix",
    "Random",
    "RoundToLoad",
    "ScannerOutage",
    "SizeClass",
    "SortResult",
    "StationUnstaffed",
    "TallyMonitor",
    "Truck",
    "VillageInfo",
    "Wave",
    "WaveEnd",
    "WhenFull",
    "departure_loop",
    "generate_arrivals",
    "line_capacity_per_h",
    "load_vans",
    "resolve_assignment",
    "resolve_bagging",
    "simulate",
    "station_capacities_per_h",
    "travel_from_inducts_m",
]
