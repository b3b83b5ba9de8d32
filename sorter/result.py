"""What a run returns: per-parcel column arrays, per-chute and per-village summaries, monitors.

Every parcel ends in exactly one outcome (``OUTCOMES``):

* ``bagged``: in a bag of its village chute (or sorted by hand, oversize), ``bag_s`` set,
  and, from a chute shared by villages with a secondary sort, out of that sort;
* ``no_read``: still in no-read handling (in the no-read chute, not yet keyed) at the horizon;
* ``exception``: in the exception chute (unresolvable address);
* ``overflow``: in the overflow chute after ``max_recirculations`` refusals (with
  ``Line.reinduct_overflow``: still waiting there to be re-inducted at the horizon — a
  re-inducted parcel has one outcome like any other, and ``reinducted`` counts its trips);
* ``in_system``: anywhere else at the horizon (unload/induction queue, on a carrier, in a
  chute not yet bagged, being bagged, or tied but still in a shared chute's secondary sort).

Ids are the user's: village, brand, truck, chute and station names, never indices — except
``parcel``, which is the parcel's position in unloading order (0..N-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .monitors import LevelMonitor, TallyMonitor

if TYPE_CHECKING:  # the layouts import this module
    from .kinds import Layout

OUTCOMES: tuple[str, ...] = ("in_system", "bagged", "no_read", "exception", "overflow")


@dataclass(frozen=True, slots=True)
class ChuteSummary:
    """One chute over the run. ``time_full_s``: seconds at or above capacity (refusing);
    ``refusals``: parcels it turned away (each one a recirculation or a trip to overflow)."""

    id: str
    kind: str
    parcels: int
    bags: int
    max_fill: int
    time_full_s: float
    refusals: int


@dataclass(frozen=True, eq=False)
class SortResult:
    """Result of :func:`sorter.simulate` (or ``simulate_linear``, ``simulate_manual``); arrays
    are indexed by parcel (unloading order). ``line`` is the layout that was run, of any kind
    (``sorter.kinds.kind_of(result.line)``)."""

    line: Layout
    village_ids: tuple[str, ...]
    chute_ids: tuple[str, ...]
    chute_kinds: tuple[str, ...]
    station_names: tuple[str, ...]
    truck_ids: tuple[str, ...]
    truck_brands: tuple[str, ...]
    truck_arrival_s: np.ndarray
    wave_names: tuple[str, ...]
    assignment: dict[str, str]
    village: np.ndarray
    truck: np.ndarray
    wave: np.ndarray
    oversize: np.ndarray
    available_s: np.ndarray
    induct_s: np.ndarray
    station: np.ndarray
    recirculations: np.ndarray
    outcome: np.ndarray
    chute: np.ndarray
    entry_s: np.ndarray
    bag_s: np.ndarray
    no_read: np.ndarray
    refusals: np.ndarray
    bag_log: np.ndarray  # rows: chute index, start, end, parcels
    visits: dict[str, np.ndarray]
    max_fill: np.ndarray
    capacity: np.ndarray
    t_end: float
    stoppages: tuple[tuple[float, float], ...] = ()  # (wall start, duration) of loop stops
    # --- line to van (issue 14); defaults describe a run of the original model ---------
    bagging: str = "when_full"  # the bagging policy's name
    size_class: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    size_class_names: tuple[str, ...] = ()
    size_class_litres: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reinducted: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    truck_dock: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # -1 pooled
    truck_unload_start_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    truck_unload_end_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # staffed queues: "keying", "reinduct", "manual" -> parcel, arrived_s, start_s, end_s
    queues: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    # --- shared and split chutes (issue 17) -------------------------------------------
    # time each parcel is ready for its van, when it differs from bag_s (a shared chute's
    # bag split by village: queues["secondary"]); empty: bag_s is the ready time
    ready_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chute_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # split villages
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ---- basic counts ------------------------------------------------------------------
    @property
    def parcels(self) -> int:
        return int(self.outcome.size)

    def outcome_counts(self) -> dict[str, int]:
        counts = np.bincount(self.outcome.astype(np.int64), minlength=len(OUTCOMES))
        return {name: int(counts[k]) for k, name in enumerate(OUTCOMES)}

    @property
    def t_start(self) -> float:
        return float(self.truck_arrival_s.min()) if self.truck_arrival_s.size else 0.0

    # ---- records -------------------------------------------------------------------------
    def records(self) -> dict[str, np.ndarray]:
        """Per-parcel columns (numpy arrays; ids as strings, times in s, NaN = never); with
        sizes drawn also ``size_class``, ``litres`` and ``reinducted`` (trips back from
        overflow)."""
        vil = np.array(self.village_ids, dtype=object)
        chute_names = np.array((*self.chute_ids, ""), dtype=object)
        trucks = np.array(self.truck_ids, dtype=object)
        brands = np.array(self.truck_brands, dtype=object)
        stations = np.array((*self.station_names, ""), dtype=object)
        waves = np.array(self.wave_names, dtype=object)
        out: dict[str, np.ndarray] = {
            "parcel": np.arange(self.parcels),
            "brand": brands[self.truck],
            "village": vil[self.village],
            "truck": trucks[self.truck],
            "wave": waves[self.wave],
            "arrival_s": self.truck_arrival_s[self.truck],
            "available_s": self.available_s,
            "induct_s": self.induct_s,
            "station": stations[self.station],
            "recirculations": self.recirculations,
            "outcome": np.array(OUTCOMES, dtype=object)[self.outcome],
            "chute": chute_names[self.chute],
            "entry_s": self.entry_s,
            "bag_s": self.bag_s,
            "oversize": self.oversize,
            "no_read": self.no_read,
        }
        if self.size_class.size:  # issue-14 columns (absent from hand-built results)
            out["size_class"] = np.array(self.size_class_names, dtype=object)[self.size_class]
            out["litres"] = self.litres
        if self.reinducted.size:
            out["reinducted"] = self.reinducted.astype(np.int64)
        return out

    def to_dataframe(self) -> Any:
        """The per-parcel records as a pandas DataFrame (pandas imported here only)."""
        import pandas as pd

        return pd.DataFrame(self.records())

    # ---- per chute -----------------------------------------------------------------------
    def _fill_monitor_index(self, c: int) -> LevelMonitor:
        into = (self.chute == c) & np.isfinite(self.entry_s)
        ent = self.entry_s[into]
        out = self.bag_s[into]
        out = np.where(np.isfinite(out), out, np.inf)
        return LevelMonitor.from_intervals(
            f"fill {self.chute_ids[c]}", ent, out, self.t_start, self.t_end
        )

    def chute_fill_monitor(self, chute_id: str) -> LevelMonitor:
        """Parcels in a chute over time (a parcel leaves when its bag is finished)."""
        return self._fill_monitor_index(self.chute_ids.index(chute_id))

    @property
    def chutes(self) -> dict[str, ChuteSummary]:
        """Per-chute summary, keyed by chute id."""
        if "chutes" not in self._cache:
            parcels = np.bincount(
                self.chute[np.isfinite(self.entry_s) & (self.chute >= 0)],
                minlength=len(self.chute_ids),
            )
            bags = np.bincount(self.bag_log[:, 0].astype(np.int64), minlength=len(self.chute_ids))
            out = {}
            for c, cid in enumerate(self.chute_ids):
                full = 0.0
                if self.chute_kinds[c] == "village" and parcels[c]:
                    full = self._fill_monitor_index(c).time_at_or_above(float(self.capacity[c]))
                out[cid] = ChuteSummary(
                    cid,
                    self.chute_kinds[c],
                    int(parcels[c]),
                    int(bags[c]),
                    int(self.max_fill[c]),
                    full,
                    int(self.refusals[c]),
                )
            self._cache["chutes"] = out
        result: dict[str, ChuteSummary] = self._cache["chutes"]
        return result

    def chute_fill_matrix(self, bin_s: float = 300.0) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Mean fill of each village chute per time bin: (bin starts, chute ids, matrix)."""
        edges = np.arange(self.t_start, self.t_end + bin_s, bin_s)
        ids = [c for c, k in zip(self.chute_ids, self.chute_kinds, strict=True) if k == "village"]
        mat = np.zeros((len(ids), max(len(edges) - 1, 0)))
        for r, cid in enumerate(ids):
            mat[r] = self.chute_fill_monitor(cid).bin_means(edges)
        return edges[:-1], ids, mat

    def chute_fill_shares(self, bin_s: float = 300.0) -> tuple[np.ndarray, list[str], np.ndarray]:
        """:meth:`chute_fill_matrix` as a share of each chute's own capacity (0–1)."""
        starts, ids, mat = self.chute_fill_matrix(bin_s)
        index = {cid: k for k, cid in enumerate(self.chute_ids)}
        cap = np.array([max(float(self.capacity[index[c]]), 1.0) for c in ids])
        return starts, ids, (mat / cap[:, None] if ids else mat)

    # ---- per village ---------------------------------------------------------------------
    @property
    def parcel_ready_s(self) -> np.ndarray:
        """Per parcel, when it is ready for its village's van: out of the hand sort of a
        shared chute's bag, or else bagged (``bag_s``); NaN if not by the end."""
        return self.ready_s if self.ready_s.size else self.bag_s

    @property
    def village_chutes(self) -> dict[str, tuple[str, ...]]:
        """Village -> its chutes (several for a split village, first on the loop first)."""
        return {v: self.chute_groups.get(v, (c,)) for v, c in self.assignment.items()}

    def _ready(self, mask: np.ndarray) -> dict[str, float]:
        sel = mask & (self.outcome == 1)
        v = self.village[sel]
        b = self.parcel_ready_s[sel]
        ready = np.full(len(self.village_ids), -np.inf)
        np.maximum.at(ready, v, b)
        return {
            vid: float(ready[k]) for k, vid in enumerate(self.village_ids) if np.isfinite(ready[k])
        }

    @property
    def village_ready_s(self) -> dict[str, float]:
        """Village -> time its last bagged parcel (any wave) was bagged. Villages with no
        bagged parcel are absent."""
        if "ready" not in self._cache:
            self._cache["ready"] = self._ready(np.ones(self.parcels, dtype=bool))
        result: dict[str, float] = self._cache["ready"]
        return result

    @property
    def village_ready_by_wave(self) -> dict[str, dict[str, float]]:
        """Wave name -> village -> time its last bagged parcel of that wave was bagged."""
        return {w: self._ready(self.wave == k) for k, w in enumerate(self.wave_names)}

    @property
    def village_sorted(self) -> dict[str, int]:
        """Village -> parcels bagged for it (what the rounds must deliver)."""
        counts = np.bincount(self.village[self.outcome == 1], minlength=len(self.village_ids))
        return {v: int(counts[k]) for k, v in enumerate(self.village_ids)}

    @property
    def litres(self) -> np.ndarray:
        """Litres of each parcel (from its size class; empty if the run drew no sizes)."""
        if not self.size_class.size:
            return np.zeros(0)
        return np.asarray(self.size_class_litres)[self.size_class]

    @property
    def village_litres(self) -> dict[str, float]:
        """Village -> litres of its bagged parcels (what its cage holds for the van)."""
        ok = self.outcome == 1
        lit = self.litres
        if not lit.size:
            return {v: 0.0 for v in self.village_ids}
        total = np.bincount(self.village[ok], weights=lit[ok], minlength=len(self.village_ids))
        return {v: float(total[k]) for k, v in enumerate(self.village_ids)}

    # ---- trucks ----------------------------------------------------------------------------
    @property
    def truck_wait_s(self) -> dict[str, float]:
        """Truck id -> seconds it waited for a dock (or the pooled unloader) after arriving."""
        if not self.truck_unload_start_s.size:
            return {t: 0.0 for t in self.truck_ids}
        wait = self.truck_unload_start_s - self.truck_arrival_s
        return {t: float(w) for t, w in zip(self.truck_ids, wait.tolist(), strict=True)}

    # ---- monitors ------------------------------------------------------------------------
    def queue_wait(self, name: str) -> TallyMonitor:
        """Waiting time in a staffed queue (``"keying"``, ``"reinduct"``, ``"manual"``), one
        value per parcel served, stamped with the time its service started."""
        q = self._queue(name)
        return TallyMonitor(f"{name} wait", q["start_s"], q["start_s"] - q["arrived_s"])

    def queue_length(self, name: str) -> LevelMonitor:
        """Parcels waiting (not yet in service) in a staffed queue over time."""
        q = self._queue(name)
        return LevelMonitor.from_intervals(
            f"{name} queue", q["arrived_s"], q["start_s"], self.t_start, self.t_end
        )

    def queue_busy(self, name: str) -> LevelMonitor:
        """People busy in a staffed queue over time."""
        q = self._queue(name)
        return LevelMonitor.from_intervals(
            f"{name} busy", q["start_s"], q["end_s"], self.t_start, self.t_end
        )

    def _queue(self, name: str) -> dict[str, np.ndarray]:
        if name not in self.queues:
            raise KeyError(f"queue {name!r}: this result has {sorted(self.queues)}")
        return self.queues[name]

    def induction_queue(self) -> LevelMonitor:
        """Parcels waiting for an induction operator (shared unload/re-induct queue)."""
        v = self.visits
        return LevelMonitor.from_intervals(
            "induction queue", v["arrived_s"], v["start_s"], self.t_start, self.t_end
        )

    def station_monitors(self) -> dict[str, LevelMonitor]:
        """Per station: parcels being handled or waiting on its induct belt (0, 1 or 2)."""
        v = self.visits
        out = {}
        for s, name in enumerate(self.station_names):
            m = v["station"] == s
            out[name] = LevelMonitor.from_intervals(
                f"station {name}", v["start_s"][m], v["placed_s"][m], self.t_start, self.t_end
            )
        return out

    def busy_bagging_operators(self) -> LevelMonitor:
        return LevelMonitor.from_intervals(
            "busy bagging operators",
            self.bag_log[:, 1],
            self.bag_log[:, 2],
            self.t_start,
            self.t_end,
        )

    def induction_wait(self) -> TallyMonitor:
        """Waiting time for an induction operator, one value per induction (re-inductions
        included), stamped with the time the wait ended."""
        v = self.visits
        return TallyMonitor("induction wait", v["start_s"], v["start_s"] - v["arrived_s"])

    def time_in_system(self) -> TallyMonitor:
        """Unloaded -> entered its final chute, for parcels that reached one."""
        ok = np.isfinite(self.entry_s)
        return TallyMonitor(
            "time in system", self.entry_s[ok], self.entry_s[ok] - self.available_s[ok]
        )

    def recirculation_tally(self) -> TallyMonitor:
        ok = np.isfinite(self.induct_s)
        return TallyMonitor("recirculations", self.induct_s[ok], self.recirculations[ok])

    def monitors(self) -> dict[str, LevelMonitor | TallyMonitor]:
        """All monitors by name: level (time-weighted) and tally (per event)."""
        out: dict[str, LevelMonitor | TallyMonitor] = {
            "induction_queue": self.induction_queue(),
            "busy_bagging_operators": self.busy_bagging_operators(),
            "induction_wait": self.induction_wait(),
            "time_in_system": self.time_in_system(),
            "recirculations": self.recirculation_tally(),
        }
        for name, mon in self.station_monitors().items():
            out[f"station {name}"] = mon
        return out

    # ---- throughput & summary ------------------------------------------------------------
    def _sorted_mask(self) -> np.ndarray:
        village_chute = np.array([k == "village" for k in self.chute_kinds] + [False])
        return np.isfinite(self.entry_s) & village_chute[self.chute]

    def throughput_per_hour(self) -> tuple[np.ndarray, np.ndarray]:
        """(hour start in s, parcels that entered a village chute in that hour)."""
        t = self.entry_s[self._sorted_mask()]
        start = np.floor(self.t_start / 3600.0) * 3600.0
        stop = max(self.t_end, start + 3600.0)
        edges = np.arange(start, stop + 3600.0, 3600.0)
        counts, _ = np.histogram(t, bins=edges)
        return edges[:-1], counts

    def summary(self) -> dict[str, Any]:
        """Plain-dict headline numbers.

        ``throughput_per_h``: parcels into village chutes per hour between the first
        induction and the last such entry. ``recirculation_rate``: recirculations per
        inducted parcel. ``makespan_s``: first truck arrival -> last parcel settled
        (bagged, exception, overflow). ``last_chute_ready_s``: latest village ready time.
        """
        counts = self.outcome_counts()
        counts["total"] = self.parcels
        sorted_t = self.entry_s[self._sorted_mask()]
        first = np.nanmin(self.induct_s) if np.isfinite(self.induct_s).any() else np.nan
        span = (sorted_t.max() - first) if sorted_t.size else np.nan
        tput = sorted_t.size / span * 3600.0 if sorted_t.size and span > 0 else 0.0
        inducted = int(np.isfinite(self.induct_s).sum())
        settled_t = np.concatenate(
            (
                self.bag_s[self.outcome == 1],
                self.entry_s[(self.outcome == 3) | (self.outcome == 4)],
            )
        )
        ready = self.village_ready_s
        wait = self.induction_wait()
        truck_wait = np.array(list(self.truck_wait_s.values()))
        return {
            "parcels": counts,
            "manual_oversize": int((self.oversize & (self.chute == self._manual_index())).sum()),
            "throughput_per_h": float(tput),
            "makespan_s": float(settled_t.max() - self.t_start) if settled_t.size else 0.0,
            "recirculation_rate": float(self.recirculations.sum() / inducted) if inducted else 0.0,
            "last_chute_ready_s": float(max(ready.values())) if ready else float("nan"),
            "mean_induction_wait_s": wait.mean(),
            "bags": int(self.bag_log.shape[0]),
            "end_s": self.t_end,
            "bagging": self.bagging,
            "reinducted": int(self.reinducted.astype(np.int64).sum()),
            "mean_truck_wait_s": float(truck_wait.mean()) if truck_wait.size else 0.0,
            "max_truck_wait_s": float(truck_wait.max()) if truck_wait.size else 0.0,
            "litres_bagged": float(self.litres[self.outcome == 1].sum())
            if self.litres.size
            else 0.0,
        }

    def _manual_index(self) -> int:
        return self.chute_kinds.index("manual") if "manual" in self.chute_kinds else -2
