"""Statistics monitors (plain SimPy has none), after salabim's Monitor idea.

- :class:`LevelMonitor`: a piecewise-constant quantity over time (queue length, chute fill,
  busy operators); its mean is time-weighted.
- :class:`TallyMonitor`: one value per event (waiting time, time in system); plain mean.

The simulator logs event times in arrays and builds monitors after the run, so monitoring
costs nothing per event. Both export to a DataFrame (pandas imported only there) and can be
sliced to drop a warm-up period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class LevelMonitor:
    """Step function: ``level[k]`` holds from ``t[k]`` until ``t[k+1]`` (last until ``t_end``).

    ``t[0] == t_start``. Build with :meth:`from_intervals` or :meth:`from_changes`.
    """

    name: str
    t: np.ndarray
    level: np.ndarray
    t_end: float

    @classmethod
    def from_changes(
        cls, name: str, times: np.ndarray, deltas: np.ndarray, t_start: float, t_end: float
    ) -> LevelMonitor:
        """Level = cumulative sum of ``deltas`` at ``times`` (events after ``t_end`` ignored)."""
        t_end = max(t_end, t_start)
        times = np.asarray(times, dtype=float)
        deltas = np.asarray(deltas, dtype=float)
        keep = np.isfinite(times) & (times <= t_end)
        times, deltas = times[keep], deltas[keep]
        order = np.argsort(times, kind="stable")
        times, deltas = times[order], deltas[order]
        before = times < t_start
        base = float(deltas[before].sum())
        times, deltas = times[~before], deltas[~before]
        # collapse equal times: level after all changes at that instant
        uniq, idx = np.unique(times, return_index=True)
        csum = base + np.cumsum(deltas)
        last = np.append(idx[1:], len(times)) - 1 if len(times) else idx
        lv = csum[last] if len(times) else np.empty(0)
        t = np.concatenate(([t_start], uniq))
        level = np.concatenate(([base], lv))
        if len(t) > 1 and t[1] == t_start:
            t, level = t[1:], level[1:]
        return cls(name, t, level, float(t_end))

    @classmethod
    def from_intervals(
        cls, name: str, starts: np.ndarray, ends: np.ndarray, t_start: float, t_end: float
    ) -> LevelMonitor:
        """Count of intervals ``[start, end)`` covering each instant (``end`` may be inf)."""
        starts = np.asarray(starts, dtype=float)
        ends = np.asarray(ends, dtype=float)
        ok = np.isfinite(starts)
        starts, ends = starts[ok], ends[ok]
        times = np.concatenate((starts, ends))
        deltas = np.concatenate((np.ones(starts.size), -np.ones(ends.size)))
        return cls.from_changes(name, times, deltas, t_start, t_end)

    @property
    def t_start(self) -> float:
        return float(self.t[0])

    def durations(self) -> np.ndarray:
        return np.diff(np.append(self.t, self.t_end))

    def mean(self) -> float:
        """Time-weighted mean over ``[t_start, t_end]``."""
        d = self.durations()
        total = d.sum()
        return float((self.level * d).sum() / total) if total > 0 else float("nan")

    def max(self) -> float:
        return float(self.level.max()) if self.level.size else float("nan")

    def time_at_or_above(self, value: float) -> float:
        """Seconds during which the level was >= ``value``."""
        return float(self.durations()[self.level >= value].sum())

    def integral_at(self, times: np.ndarray) -> np.ndarray:
        """Integral of the level from ``t_start`` up to each of ``times`` (level x seconds)."""
        times = np.clip(np.asarray(times, dtype=float), self.t[0], self.t_end)
        cum = np.concatenate(([0.0], np.cumsum(self.level * self.durations())))
        idx = np.searchsorted(self.t, times, side="right") - 1
        return cum[idx] + self.level[idx] * (times - self.t[idx])

    def bin_means(self, edges: np.ndarray) -> np.ndarray:
        """Time-weighted mean level in each bin ``[edges[k], edges[k+1])``."""
        edges = np.asarray(edges, dtype=float)
        width = np.diff(edges)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(width > 0, np.diff(self.integral_at(edges)) / width, 0.0)

    def value_at(self, times: np.ndarray) -> np.ndarray:
        """Level at each of ``times`` (right-continuous)."""
        idx = np.searchsorted(self.t, np.asarray(times, dtype=float), side="right") - 1
        return np.where(idx >= 0, self.level[np.clip(idx, 0, None)], 0.0)

    def slice(self, t_from: float, t_to: float | None = None) -> LevelMonitor:
        """The monitor restricted to ``[t_from, t_to]`` (e.g. to drop a warm-up)."""
        t_to = self.t_end if t_to is None else min(t_to, self.t_end)
        first = float(self.value_at(np.array([t_from]))[0])
        inside = (self.t > t_from) & (self.t < t_to)
        t = np.concatenate(([t_from], self.t[inside]))
        lv = np.concatenate(([first], self.level[inside]))
        return LevelMonitor(self.name, t, lv, float(t_to))

    def to_dataframe(self) -> Any:
        import pandas as pd

        return pd.DataFrame({"t": self.t, "level": self.level, "duration": self.durations()})


@dataclass(frozen=True, eq=False)
class TallyMonitor:
    """Per-event values (e.g. waiting times) with the event time ``t`` of each."""

    name: str
    t: np.ndarray
    values: np.ndarray

    def count(self) -> int:
        return int(self.values.size)

    def mean(self) -> float:
        return float(self.values.mean()) if self.values.size else float("nan")

    def std(self) -> float:
        return float(self.values.std()) if self.values.size else float("nan")

    def max(self) -> float:
        return float(self.values.max()) if self.values.size else float("nan")

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.values, q)) if self.values.size else float("nan")

    def slice(self, t_from: float, t_to: float = np.inf) -> TallyMonitor:
        keep = (self.t >= t_from) & (self.t <= t_to)
        return TallyMonitor(self.name, self.t[keep], self.values[keep])

    def to_dataframe(self) -> Any:
        import pandas as pd

        return pd.DataFrame({"t": self.t, "value": self.values})
