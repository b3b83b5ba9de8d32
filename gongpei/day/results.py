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
    import sorter
    from gongpei.county.build import County
    from gongpei.day.demand import DayDemand
    from gongpei.scenario.loading import Scenario
    from routing import Plan, Problem
    from sorter import SortResult

__all__ = [
    "BaselineResult",
    "DayResult",
    "Service",
    "StatusLight",
    "VillageOutcome",
    "combined_service",
    "plan_service",
]


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
    status: str  # served | partly_served | not_sorted | unserved | urban | no_parcels
    reason: str  # why not (fully) served, or why late ('' for blue, green and white)
    light: str
    delivered: int = 0  # parcels its round handed over today (0 unless reached)

    @property
    def expected(self) -> int:
        """Parcels that arrived at the hub for this village today."""
        return self.sorted_parcels + self.not_bagged


@dataclass(frozen=True, slots=True)
class Service:
    """What a plan actually did for the villagers: parcels handed over and collected, the
    stops left out and what they still hold. Savings are only a like-for-like number when
    two plans have the same service (:func:`saving` says whether they do)."""

    delivered: int
    collected: int
    unserved_stops: int
    undelivered: int  # parcels of the unserved stops (not loaded)
    villages: frozenset[str] | None = None  # village codes reached; None: stops are not villages

    def summary(self) -> dict[str, Any]:
        return {
            "parcels_delivered": self.delivered,
            "pickups_collected": self.collected,
            "unserved_stops": self.unserved_stops,
            "parcels_not_delivered": self.undelivered,
        }


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
    service: Service | None = None

    def summary(self) -> dict[str, Any]:
        out = {
            "distance_km": round(self.distance_km, 3),
            "duration_h": round(self.duration_h, 3),
            "vans_used": self.vans_used,
            "cost": round(self.cost, 2),
            "co2_kg": round(self.co2_kg, 2),
        }
        if self.service is not None:
            out.update(self.service.summary())
        return out


def plan_service(plan: Plan, problem: Problem, *, villages: bool = True) -> Service:
    """The :class:`Service` of ``plan`` on ``problem`` (first load dimension = parcels)."""
    delivered = collected = 0
    reached: set[str] = set()
    for route in plan.routes:
        for s in route.stops:
            v = problem.village(s.village)
            delivered += int(v.delivery[0])
            collected += int(v.pickup[0])
            reached.add(s.village)
    undelivered = sum(int(problem.village(u.village).delivery[0]) for u in plan.unserved)
    return Service(
        delivered,
        collected,
        len(plan.unserved),
        undelivered,
        frozenset(reached) if villages else None,
    )


def combined_service(parts: list[Service]) -> Service:
    """Several plans (one per brand) as one service; villages reached by any of them."""
    sets = [p.villages for p in parts]
    return Service(
        sum(p.delivered for p in parts),
        sum(p.collected for p in parts),
        sum(p.unserved_stops for p in parts),
        sum(p.undelivered for p in parts),
        None if any(v is None for v in sets) else frozenset().union(*(v or () for v in sets)),
    )


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
    interrupted: bool = False  # Ctrl-C: the rounds are the best found so far, baselines cut
    loading: sorter.Loading | None = None  # vans loaded at the docks (direct rounds)
    passes: tuple[sorter.LoopPass, ...] = ()  # the sort <-> rounds loop (by_departure)

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
        later = self.later_visits()
        if later:
            routing["later_visits"] = later
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
            "villages": self._village_counts(),
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
        from gongpei.day.sorting_cost import sorting_cost_summary

        out["sorting_cost"] = sorting_cost_summary(self.scenario, self.sort)
        if self.interrupted:
            out["interrupted"] = True
        out["line_to_van"] = self.line_to_van()
        return out

    def later_visits(self) -> dict[str, Any]:
        """The later same-day waves' own visits (``same_day_within_km``): how many were
        planned and served, their parcels, and on which trip they went (empty: none)."""
        from gongpei.day.problems import is_later_visit

        mine = [v for v in self.problem.villages if is_later_visit(v.id)]
        if not mine:
            return {}
        trip_of = {s.village: r.trip for r in self.plan.routes for s in r.stops}
        served = [v for v in mine if v.id in trip_of]
        return {
            "visits": len(mine),
            "served": len(served),
            "on_second_trips": sum(1 for v in served if trip_of[v.id] > 0),
            "parcels": sum(v.delivery[0] for v in mine),
            "parcels_delivered": sum(v.delivery[0] for v in served),
            "unserved": [u.village for u in self.plan.unserved if is_later_visit(u.village)],
        }

    def line_to_van(self) -> dict[str, Any]:
        """The coupling in numbers: bagging, the loop's passes, rural ready times, the
        docks (loading and truck waits) and the rounds' departures."""
        from statistics import median

        s = self.sort.summary()
        rural = sorted(v.ready_s for v in self.villages if v.rural and v.ready_s is not None)
        departs = [r.depart_s for r in self.plan.routes]
        out: dict[str, Any] = {
            "bagging": self.scenario.model.sorter.bagging,
            "passes": [
                {"pass": p.number, "bagging": p.bagging, "order_changed": p.changed}
                for p in self.passes
            ],
            "median_rural_ready_s": round(median(rural), 1) if rural else None,
            "last_rural_ready_s": round(rural[-1], 1) if rural else None,
            "first_departure_s": min(departs) if departs else None,
            "last_departure_s": max(departs) if departs else None,
            "reinducted": int(s.get("reinducted", 0)),
            "mean_truck_wait_s": _finite(s.get("mean_truck_wait_s", 0.0), 1),
            "max_truck_wait_s": _finite(s.get("max_truck_wait_s", 0.0), 1),
        }
        if self.loading is not None:
            out["loading"] = {k: round(float(v), 1) for k, v in self.loading.summary().items()}
            # villages whose round could not keep its shift after loading, even re-solved
            out["left_out_after_loading"] = list(self.plan.meta.get("left_out_after_loading", []))
        return out

    def _village_counts(self) -> dict[str, Any]:
        rural = [v for v in self.villages if v.rural]
        counts: dict[str, Any] = {
            k: sum(v.status == k for v in self.villages)
            for k in ("served", "partly_served", "not_sorted", "unserved")
        }
        counts["lights"] = {c: sum(v.light == c for v in self.villages) for c in StatusLight.ALL}
        counts["parcels"] = {
            "expected": sum(v.expected for v in rural),
            "delivered": sum(v.delivered for v in rural),
            "not_bagged": sum(v.not_bagged for v in rural),
            "not_loaded": sum(v.sorted_parcels for v in rural if v.status == "unserved"),
        }
        return counts

    @property
    def service(self) -> Service:
        """The co-delivery plan's service (what the baselines are compared on)."""
        return plan_service(self.plan, self.problem)

    def headline(self) -> str:
        s = self.summary()
        p, r, vs = s["parcels"], s["routing"], s["villages"]
        lines = [
            f"{s['scenario']} (seed {s['seed']}): {p['total']} parcels, {p['bagged']} bagged; "
            f"line {s['sorter']['throughput_per_h'] or 0:.0f}/h, last chute ready "
            f"{_clock(s['sorter']['last_chute_ready_s'])}",
            f"rounds: {r['routes']} by {r['vans_used']} vans"
            + (f" ({r['second_trips']} second trips)" if r.get("second_trips") else "")
            + f", {r['distance_km']:.0f} km, ¥{r['cost']:.0f}",
            f"villages served {vs['served']} (every parcel delivered), partly "
            f"{vs['partly_served']}, not sorted {vs['not_sorted']}, unserved {vs['unserved']}; "
            f"rural parcels delivered {vs['parcels']['delivered']} of "
            f"{vs['parcels']['expected']}",
        ]
        if s.get("interrupted"):
            lines.append(
                "interrupted (Ctrl-C): the rounds are the best plan found so far; "
                "comparisons not finished were skipped"
            )
        td = (s.get("other_baselines") or {}).get("township_drop")
        if td:
            c = td["saving"]
            lines.append(
                f"co-delivery saves {c['distance_pct']:.1f} % of km and {c['cost_pct']:.1f} % "
                "of cost against township drop (the status quo)"
            )
        if s["codelivery_saving"]:
            c = s["codelivery_saving"]
            if c["equal_service"]:
                lines.append(
                    f"co-delivery saves {c['distance_pct']:.1f} % of km and "
                    f"{c['cost_pct']:.1f} % of cost against every brand driving alone"
                )
            else:
                ours, theirs = c["service"]["codelivery"], c["service"]["baseline"]
                lines.append(
                    "no saving claimed against every brand driving alone: unequal service "
                    f"(co-delivery delivers {ours['parcels_delivered']} parcels, leaves "
                    f"{ours['unserved_stops']} stops; the brands {theirs['parcels_delivered']}, "
                    f"leave {theirs['unserved_stops']})"
                )
        return "\n".join(lines)


def saving(baseline: BaselineResult, day: DayResult) -> dict[str, Any]:
    """What co-delivery saves against ``baseline``, in % of the baseline (and absolute).

    A saving is only like for like when both deliver the same parcels, collect the same
    pickups and (where the baseline's stops are villages)
    reach the same villages: one van that serves 19 villages "saves" 90 % of km against
    brands that serve all 201. ``equal_service`` says whether that holds; when it does not the
    numbers are kept for reference but the headline and the report claim no saving, and
    ``service`` shows both sides.
    """

    def pct(base: float, ours: float) -> float:
        return round(100.0 * (base - ours) / base, 3) if base > 0 else 0.0

    km = day.plan.distance_m / 1000
    hours = day.plan.duration_s / 3600
    vans = len({r.vehicle for r in day.plan.routes})
    ours = day.service
    theirs = baseline.service
    equal = theirs is not None and (
        (ours.delivered, ours.collected) == (theirs.delivered, theirs.collected)
        and (theirs.villages is None or theirs.villages == ours.villages)
    )
    out: dict[str, Any] = {
        "distance_pct": pct(baseline.distance_km, km),
        "cost_pct": pct(baseline.cost, day.plan.cost),
        "van_hours_pct": pct(baseline.duration_h, hours),
        "vans": baseline.vans_used - vans,
        "distance_km": round(baseline.distance_km - km, 3),
        "cost": round(baseline.cost - day.plan.cost, 2),
        "co2_kg": round(baseline.co2_kg - day.co2_kg, 2),
        "equal_service": equal,
        "service": {
            "codelivery": ours.summary(),
            "baseline": theirs.summary() if theirs is not None else None,
        },
    }
    return out


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
    from gongpei.day.promise import service_summary, village_promises

    r = day.scenario.model.routing
    own = village_promises(r, {v.code: v.town_code for v in day.county.villages})
    return {
        "promise": r.promise,
        "promised_by_s": r.promised_by,
        **({"promised_by_towns_s": dict(r.promised_by_towns)} if r.promised_by_towns else {}),
        "late_cost_per_parcel_h": r.late_cost_per_parcel_h,
        "late_cost": round(day.plan.late_cost, 2),
        **service_summary(day.villages, r.promised_by, own),
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
