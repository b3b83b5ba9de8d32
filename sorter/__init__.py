"""sorter: a discrete-event model (SimPy) of a shared multi-carrier loop sorter.

Frozen :class:`Line` + :class:`Arrivals` in, :class:`SortResult` out::

    line = Line.evenly_spaced(214)
    arrivals = generate_arrivals(1, village_parcels=..., brand_shares=..., waves=...)
    result = simulate(line, arrivals, assignment=ByVolume(), seed=1, bagging="wave_end")
    result.summary(); result.village_ready_s; result.to_dataframe()
    vans = load_vans(rounds, result.village_ready_s, result.village_sorted, docks=4, loaders=8)

Other kinds of line take the same arrivals and return the same ``SortResult``:
``LinearLine`` + ``simulate_linear`` (swing-wheel), ``ManualLine`` + ``simulate_manual``
(cages), or ``simulate_kind`` for any; ``sort_cost`` prices a day (``sorter.economics``).

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
    SpreadModules,
    VillageInfo,
    resolve_chutes,
    split_chutes,
    split_parts,
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
from .capacity import (
    line_capacity_per_h,
    station_capacities_per_h,
    uniform_zone_capacity_per_h,
    zone_capacity_per_h,
)
from .economics import DEFAULT_ECONOMICS, Economics, SortCost, sort_cost, staff_of
from .engine import resolve_assignment, simulate
from .faults import ChuteJam, Fault, LineStoppage, ScannerOutage, StationUnstaffed
from .kinds import KINDS, Kind, Layout, capacity_per_h, kind_of, simulate_kind
from .line import Chute, InductionStation, Line, LineError
from .linear import simulate_linear
from .linear_line import LinearLine, linear_capacity_per_h, linear_module_bound_per_h
from .loading import LoadedRound, Loading, RoundToLoad, load_vans
from .manual import ManualLine, manual_capacity_per_h, simulate_manual
from .monitors import LevelMonitor, TallyMonitor
from .parcels import CARTONS, ParcelMix, SizeClass
from .result import OUTCOMES, ChuteSummary, SortResult

__all__ = [
    "ASSIGNMENTS",
    "BAGGINGS",
    "CARTONS",
    "DEFAULT_ECONOMICS",
    "KINDS",
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
    "Economics",
    "Fault",
    "InductionStation",
    "Kind",
    "Layout",
    "LevelMonitor",
    "Line",
    "LineError",
    "LineStoppage",
    "LinearLine",
    "LoadedRound",
    "Loading",
    "LoopPass",
    "ManualLine",
    "ParcelMix",
    "Random",
    "RoundToLoad",
    "ScannerOutage",
    "SizeClass",
    "SortCost",
    "SortResult",
    "SpreadModules",
    "StationUnstaffed",
    "TallyMonitor",
    "Truck",
    "VillageInfo",
    "Wave",
    "WaveEnd",
    "WhenFull",
    "capacity_per_h",
    "departure_loop",
    "generate_arrivals",
    "kind_of",
    "line_capacity_per_h",
    "linear_capacity_per_h",
    "linear_module_bound_per_h",
    "load_vans",
    "manual_capacity_per_h",
    "resolve_assignment",
    "resolve_bagging",
    "resolve_chutes",
    "simulate",
    "simulate_kind",
    "simulate_linear",
    "simulate_manual",
    "sort_cost",
    "split_chutes",
    "split_parts",
    "staff_of",
    "station_capacities_per_h",
    "travel_from_inducts_m",
    "uniform_zone_capacity_per_h",
    "zone_capacity_per_h",
]
