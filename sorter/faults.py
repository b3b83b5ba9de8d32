"""Sorter faults, passed to ``simulate(..., faults=(...))`` as frozen objects.

- :class:`LineStoppage`: the loop stops (exponential up/down times, seeded from the run seed);
  carriers keep their parcels, inductions wait, discharges happen later.
- :class:`StationUnstaffed`: a station takes no new parcel in ``[start_s, end_s)``; the
  parcels routed to it wait, new parcels go to the other stations.
- :class:`ChuteJam`: a chute refuses in ``[start_s, end_s)``: parcels recirculate and, after
  ``Line.max_recirculations``, go to overflow.
- :class:`ScannerOutage`: parcels passing the scanner in ``[start_s, end_s)`` are no-reads
  (no-read chute, keying, re-induction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .line import Line, LineError


def _check_window(kind: str, start_s: float, end_s: float) -> None:
    if not (math.isfinite(start_s) and start_s >= 0 and end_s > start_s):
        raise LineError(f"{kind}: window [{start_s!r}, {end_s!r}) must be 0 <= start < end")


@dataclass(frozen=True, slots=True)
class LineStoppage:
    """Random loop stoppages: up times ~ Exp(mtbf_s), down times ~ Exp(mttr_s)."""

    mtbf_s: float
    mttr_s: float

    def __post_init__(self) -> None:
        if not (self.mtbf_s > 0 and self.mttr_s > 0):
            raise LineError(f"LineStoppage: mtbf_s={self.mtbf_s!r}, mttr_s={self.mttr_s!r} > 0")

    def draw(self, rng: np.random.Generator, horizon_s: float) -> list[tuple[float, float]]:
        """(running time at which the loop stops, stop duration) pairs up to ``horizon_s``."""
        out = []
        run = 0.0
        wall = 0.0
        while wall < horizon_s:
            up = float(rng.exponential(self.mtbf_s))
            down = float(rng.exponential(self.mttr_s))
            run += up
            wall += up + down
            out.append((run, down))
        return out


@dataclass(frozen=True, slots=True)
class StationUnstaffed:
    station: str
    start_s: float
    end_s: float

    def __post_init__(self) -> None:
        _check_window(f"StationUnstaffed({self.station!r})", self.start_s, self.end_s)


@dataclass(frozen=True, slots=True)
class ChuteJam:
    chute: str
    start_s: float
    end_s: float

    def __post_init__(self) -> None:
        _check_window(f"ChuteJam({self.chute!r})", self.start_s, self.end_s)


@dataclass(frozen=True, slots=True)
class ScannerOutage:
    start_s: float
    end_s: float

    def __post_init__(self) -> None:
        _check_window("ScannerOutage", self.start_s, self.end_s)


Fault = LineStoppage | StationUnstaffed | ChuteJam | ScannerOutage


def check_faults(faults: tuple[Fault, ...], line: Line) -> None:
    """Reject faults naming unknown stations or chutes."""
    stations = {s.name for s in line.induction}
    chutes = {c.id for c in line.chutes}
    for k, f in enumerate(faults):
        if isinstance(f, StationUnstaffed) and f.station not in stations:
            raise LineError(f"faults[{k}].station = {f.station!r}: no such induction station")
        if isinstance(f, ChuteJam) and f.chute not in chutes:
            raise LineError(f"faults[{k}].chute = {f.chute!r}: no such chute")
        if not isinstance(f, LineStoppage | StationUnstaffed | ChuteJam | ScannerOutage):
            raise LineError(f"faults[{k}] = {f!r}: not a sorter fault")
