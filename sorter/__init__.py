"""sorter: a discrete-event model (SimPy) of a shared multi-carrier loop sorter.

Frozen :class:`Line` + :class:`Arrivals` in, :class:`SortResult` out::

    line = Line.evenly_spaced(214)
    arrivals = generate_arrivals(1, village_parcels=..., brand_shares=..., waves=...)
    result = simulate(line, arrivals, assignment=ByVolume(), seed=1)
    result.summary(); result.village_ready_s; result.to_dataframe()

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
from .capacity import line_capacity_per_h, station_capacities_per_h
from .engine import resolve_assignment, simulate
from .faults import ChuteJam, Fault, LineStoppage, ScannerOutage, StationUnstaffed
from .line import Chute, InductionStation, Line, LineError
from .monitors import LevelMonitor, TallyMonitor
from .result import OUTCOMES, ChuteSummary, SortResult

__all__ = [
    "ASSIGNMENTS",
    "OUTCOMES",
    "Arrivals",
    "ByRound",
    "ByTownship",
    "ByVolume",
    "Chute",
    "ChuteAssignment",
    "ChuteJam",
    "ChuteSummary",
    "Fault",
    "InductionStation",
    "LevelMonitor",
    "Line",
    "LineError",
    "LineStoppage",
    "Random",
    "ScannerOutage",
    "SortResult",
    "StationUnstaffed",
    "TallyMonitor",
    "Truck",
    "VillageInfo",
    "Wave",
    "generate_arrivals",
    "line_capacity_per_h",
    "resolve_assignment",
    "simulate",
    "station_capacities_per_h",
    "travel_from_inducts_m",
]
