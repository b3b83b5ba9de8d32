"""What a county day produces: plain result objects the reports and notebooks read.

:class:`DayResult` joins the sorter's :class:`sorter.SortResult` and the router's
:class:`routing.Plan` per village, with the baselines (every brand driving alone; private
brands stopping at the township) that measure what co-delivery saves. ``summary()`` is the
content of ``summary.json``; ``to_rows()`` style helpers feed the CSV files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gongpei.county.build import County
    from gongpei.day.demand import DayDemand
    from gongpei.scenario.loading import Scenario
    from routing import Plan, Problem
    from sorter import SortResult

__all__ = ["BaselineResult", "DayResult", "StatusLight", "VillageOutcome"]


class StatusLight:
    """The county cockpit's status lights for a village."""

    WHITE = "white"  # not started: no parcels today, or not on the rounds (urban unit)
    BLUE = "blue"  # ahead of time: arrives an hour or more before the promised time
    GREEN = "green"  # on time
    YELLOW = "yellow"  # exception: unserved (with a reason) or parcels stuck on the line
    RED = "red"  # late: arrives after the promised time

    ALL = (WHITE, BLUE, GREEN, YELLOW, RED)


@dataclass(frozen=True, slots=True)
class VillageOutcome:
    """One village-level unit's day, from chute to doorstep."""

    code: str
    name: str
    township: str
    rural: bool
    parcels_by_brand: dict[str, int]
    sorted_parcels: int  # bagged in its chute (what the round delivers)
    not_bagged: int  # exception / overflow / still on the line: listed, not delivered today
    ready_s: float | None  # chute ready (last same-day parcel bagged)
    pickup_parcels: int
    pickup_litres: int
    vehicle: str | None
    arrival_s: int | None
    status: str  # served | unserved | urban | no_parcels
    reason: str  # why unserved ('' otherwise)
    light: str


@dataclass(frozen=True, slots=True)
class BaselineResult:
    """A way of delivering without (full) co-delivery, planned on the same roads and vans."""

    name: str
    distance_km: float
    duration_h: float
    vans_used: int
    cost: float
    co2_kg: float
    detail: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "distance_km": round(self.distance_km, 3),
            "duration_h": round(self.duration_h, 3),
            "vans_used": self.vans_used,
            "cost": round(self.cost, 2),
            "co2_kg": round(self.co2_kg, 2),
        }


@dataclass(frozen=True)
class DayResult:
    """Everything one ``gongpei run`` computed. ``timings`` are wall seconds per stage and
    are kept out of ``summary()`` so equal seeds give byte-identical summaries."""

    scenario: Scenario
    county: County
    demand: DayDemand
    sort: SortResult
    problem: Problem
    plan: Plan
    violations: tuple[Any, ...]
    villages: tuple[VillageOutcome, ...]
    baselines: dict[str, BaselineResult]
    co2_kg: float
    late: dict[str, int] = field(default_factory=dict)  # bagged after the cut-off bagging round
    stations: dict[str, Any] | None = None  # county–town–village comparison, when switched on
    budgets: dict[str, Any] = field(default_factory=dict)  # solver budgets, plan and baselines
    fetching: dict[str, Any] | None = None  # villagers' trips in township drop (estimates)
    timings: dict[str, float] = field(default_factory=dict, compare=False)

    def summary(self) -> dict[str, Any]:
        s = self.sort.summary()
        parcels = {
            k: int(s["parcels"][k])
            for k in ("total", "bagged", "no_read", "exception", "overflow", "in_system")
        }
        routing = self.plan.summary()
        routing.pop("wall_s", None)
        routing["co2_kg"] = round(self.co2_kg, 2)
        routing["checker_violations"] = len(self.violations)
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "seed": self.scenario.seed,
            "parcels": parcels,
            "sorter": {
                "throughput_per_h": _finite(s["throughput_per_h"], 3),
                "makespan_s": _finite(s["makespan_s"], 3),
                "recirculation_rate": _finite(s["recirculation_rate"], 6),
                "last_chute_ready_s": _finite(s["last_chute_ready_s"], 3),
                "bagged_after_cutoff": sum(self.late.values()),
            },
            "routing": routing,
            "shortfall": _shortfall(self),
            "service": _service(self),
            "baseline": {},
            "codelivery_saving": {},
            "villages": {
                "served": sum(v.status == "served" for v in self.villages),
                "unserved": sum(v.status == "unserved" for v in self.villages),
                "lights": {c: sum(v.light == c for v in self.villages) for c in StatusLight.ALL},
            },
        }
        if "brands_alone" in self.baselines:
            b = self.baselines["brands_alone"]
            out["baseline"] = b.summary()
            out["codelivery_saving"] = saving(b, self)
        for name, b in self.baselines.items():
            if name != "brands_alone":
                out.setdefault("other_baselines", {})[name] = {
                    **b.summary(),
                    "saving": saving(b, self),
                }
        if self.baselines:
            out["comparisons"] = _comparisons(self)
        if self.stations is not None:
            out["transfer_stations"] = self.stations
        return out

    def headline(self) -> str:
        s = self.summary()
        p, r = s["parcels"], s["routing"]
        lines = [
            f"{s['scenario']} (seed {s['seed']}): {p['total']} parcels, {p['bagged']} bagged; "
            f"line {s['sorter']['throughput_per_h'] or 0:.0f}/h, last chute ready "
            f"{_clock(s['sorter']['last_chute_ready_s'])}",
            f"rounds: {r['routes']} by {r['vans_used']} vans, {r['distance_km']:.0f} km, "
            f"¥{r['cost']:.0f}; villages served {r['villages_served']}, unserved "
            f"{len(r['villages_unserved'])}",
        ]
        td = (s.get("other_baselines") or {}).get("township_drop")
        if td:
            c = td["saving"]
            lines.append(
                f"co-delivery saves {c['distance_pct']:.1f} % of km and {c['cost_pct']:.1f} % "
                "of cost against township drop (the status quo)"
            )
        if s["codelivery_saving"]:
            c = s["codelivery_saving"]
            lines.append(
                f"co-delivery saves {c['distance_pct']:.1f} % of km and {c['cost_pct']:.1f} % "
                "of cost against every brand driving alone"
            )
        return "\n".join(lines)


def saving(baseline: BaselineResult, day: DayResult) -> dict[str, float]:
    """What co-delivery saves against ``baseline``, in % of the baseline (and absolute)."""

    def pct(base: float, ours: float) -> float:
        return round(100.0 * (base - ours) / base, 3) if base > 0 else 0.0

    km = day.plan.distance_m / 1000
    hours = day.plan.duration_s / 3600
    vans = len({r.vehicle for r in day.plan.routes})
    return {
        "distance_pct": pct(baseline.distance_km, km),
        "cost_pct": pct(baseline.cost, day.plan.cost),
        "van_hours_pct": pct(baseline.duration_h, hours),
        "vans": baseline.vans_used - vans,
        "distance_km": round(baseline.distance_km - km, 3),
        "cost": round(baseline.cost - day.plan.cost, 2),
        "co2_kg": round(baseline.co2_kg - day.co2_kg, 2),
    }


def _comparisons(day: DayResult) -> dict[str, Any]:
    """The headline against the status quo (township drop) with every brand alone beside
    it, each with the solver budget it got; township drop also with the villagers' fetching
    (estimates) and the yearly figures beside the ones reported for Suichang."""
    out: dict[str, Any] = {
        "headline": "township_drop" if "township_drop" in day.baselines else "brands_alone",
        "budgets": day.budgets,
    }
    for name, b in day.baselines.items():
        entry: dict[str, Any] = {**b.summary(), "saving": saving(b, day)}
        if name == "township_drop" and day.fetching is not None:
            from gongpei.day.fetching import annual_comparison

            entry["villagers_fetching"] = day.fetching
            entry["cost_with_fetching"] = round(b.cost + day.fetching["cost"], 2)
            entry["annual"] = annual_comparison(b.cost - day.plan.cost, day.fetching["cost"])
        out[name] = entry
    return out


def _shortfall(day: DayResult) -> dict[str, Any]:
    from gongpei.day.shortfall import shortfall

    return shortfall(day.problem, day.plan)


def _service(day: DayResult) -> dict[str, Any]:
    """The promise and how the plan kept it (:func:`gongpei.day.promise.service_summary`)."""
    from gongpei.day.promise import service_summary

    r = day.scenario.model.routing
    return {
        "promise": r.promise,
        "promised_by_s": r.promised_by,
        "late_cost_per_parcel_h": r.late_cost_per_parcel_h,
        "late_cost": round(day.plan.late_cost, 2),
        **service_summary(day.villages, r.promised_by),
    }


def _finite(value: Any, digits: int) -> float | None:
    """A rounded number, or ``None`` (JSON null) where there is none (NaN: nothing bagged)."""
    x = float(value)
    return round(x, digits) if math.isfinite(x) else None


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    from gongpei.scenario.clock import format_clock

    return format_clock(seconds)
