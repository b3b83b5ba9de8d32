"""The periodic heuristic: choose each village's service pattern, then plan every day's rounds.

Steps (each stated so a planner can argue with it):

1. **Options** (:mod:`~gongpei.week.choice`): each village's candidate patterns — fixed by a
   ``[[week.villages]]`` rule, daily, or (``auto``) the allowed frequencies' patterns — kept
   only if they include the village's produce days, no parcel waits longer than
   ``week.max_wait_days``, and, on this week's sorted parcels, every service day's delivery
   and pickup fits one van (parcels and litres) and the staged cages at the hub and the
   station hold what waits. So a village never needs more than one van in a visit: patterns
   that would need a split delivery are not offered (a fixed pattern that breaks a limit is
   kept, and the parcels that do not fit wait, listed with their reason).
2. **Search** (:func:`~gongpei.week.choice.choose_patterns`): start from the cheapest
   (estimated) of daily service, the reference rule below and the fewest visits allowed, and
   improve by local search on the week's routing cost, estimated per day by the construction
   heuristic (:func:`routing.construct.construct_routes`, tens of milliseconds a day; day
   costs are cached by the day's stops). Moves: a whole township's ``auto`` villages to one
   pattern (a van saved comes from a township served on fewer days), then one village at a
   time; first improvement, at most ``week.search_moves`` moves. Deterministic.
3. **Final days** (:func:`plan_week`): every day solved in full with the day's solver
   settings (:func:`gongpei.day.solving.solver_settings`), stepping the backlog ledger, for
   the chosen patterns and for the two references: every village daily, and produce
   villages daily with the others three times a week. If the chosen patterns cost more
   than daily service in full solves, daily service is kept (so ``auto`` never costs more).
4. **Standing rounds** (``week.standing_rounds``): one village order for the whole week,
   taken from the chosen plan's busiest day; each day a van drives its standing round's
   villages that are served that day, in that order (split where a round no longer fits).

The solver has no warm start from a previous plan, so the final days are solved from
scratch; the seed of each day is its own (:func:`gongpei.week.days.day_seed`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gongpei.day.problems import StopDemand
from gongpei.day.solving import solver_settings
from gongpei.scenario.loading import Scenario
from gongpei.week.backlog import DayLedger, Delivery, WaitingParcels
from gongpei.week.choice import (
    ServiceOption,
    _Estimator,
    choose_patterns,
    day_rounds_problem,
    rule_patterns,
    service_options,
)
from gongpei.week.days import WeekDays, sort_week
from gongpei.week.patterns import Pattern, daily
from routing import Plan, Problem
from routing.check import check

__all__ = [
    "DayRounds",
    "Variant",
    "plan_week",
]


@dataclass(frozen=True, eq=False)
class DayRounds:
    """One day of a variant: the stops, the problem, the plan and what it did."""

    day: str
    stops: tuple[StopDemand, ...]
    problem: Problem
    plan: Plan
    trunk_cost: float
    violations: int
    on_time_villages: int

    @property
    def parcels(self) -> int:
        served = set(self.plan.served)
        return sum(s.deliver for s in self.stops if s.code in served)

    @property
    def vans(self) -> int:
        return len({r.vehicle for r in self.plan.routes})

    @property
    def cost(self) -> float:
        return self.plan.cost + self.trunk_cost


@dataclass(frozen=True, eq=False)
class Variant:
    """A week planned with some patterns: every day's rounds and the parcel ledger."""

    name: str
    patterns: dict[str, Pattern]
    days: tuple[DayRounds, ...]
    ledger: tuple[DayLedger, ...]
    deliveries: tuple[Delivery, ...]
    waiting: tuple[WaitingParcels, ...]
    carried_in: int
    note: str = ""
    meta: dict[str, float] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        return sum(d.cost for d in self.days)

    @property
    def km(self) -> float:
        return sum(d.plan.distance_m for d in self.days) / 1000

    @property
    def van_days(self) -> int:
        return sum(d.vans for d in self.days)

    def wait_stats(self) -> tuple[float, int]:
        """(mean, max) calendar days delivered parcels waited (parcel-weighted)."""
        n = sum(d.parcels for d in self.deliveries)
        if n == 0:
            return 0.0, 0
        mean = sum(d.parcels * d.wait_days for d in self.deliveries) / n
        return mean, max(d.wait_days for d in self.deliveries if d.parcels)

    def left_behind(self) -> int:
        """Parcels waiting at the end for a reason other than their next service day."""
        return sum(w.parcels for w in self.waiting if w.reason != "next_week")

    def late(self, max_wait_days: int) -> int:
        """Parcels delivered after more than ``max_wait_days`` days, or still waiting at the
        end for another reason than their next service day, or longer than that."""
        return sum(d.parcels for d in self.deliveries if d.wait_days > max_wait_days) + sum(
            w.parcels
            for w in self.waiting
            if w.wait_days > max_wait_days or w.reason != "next_week"
        )

    def unserved_stops(self) -> int:
        """Village-days the rounds left unserved (their parcels kept waiting)."""
        return sum(len(d.plan.unserved) for d in self.days)

    def comparison(self, max_wait_days: int) -> dict[str, float | int]:
        mean, worst = self.wait_stats()
        return {
            "cost": round(self.cost, 2),
            "km": round(self.km, 3),
            "van_days": self.van_days,
            "mean_wait_days": round(mean, 4),
            "max_wait_days": worst,
            "left_behind": self.left_behind(),
            "late": self.late(max_wait_days),
            "unserved_village_days": self.unserved_stops(),
        }


def _on_time(plan: Plan, promised_by: int) -> int:
    return sum(1 for r in plan.routes for s in r.stops if s.arrival_s <= promised_by)


RoundsFn = Callable[[int, Scenario, Problem], Plan]


def run_variant(
    name: str,
    scenario: Scenario,
    week_days: WeekDays,
    patterns: Mapping[str, Pattern],
    rounds: RoundsFn,
    *,
    log: Callable[[str], None] | None = None,
) -> Variant:
    """Step the backlog through the week, each day's rounds from ``rounds``."""
    est = _Estimator(scenario, week_days)
    bl = est.backlog(patterns)
    out = []
    t0 = time.perf_counter()
    for d, day in enumerate(week_days.names):
        sc = week_days.scenarios[d]
        stops = tuple(bl.stops())
        problem, trunk_cost = day_rounds_problem(sc, week_days.problems[d].sorted.county, stops)
        plan = rounds(d, sc, problem) if stops else Plan(routes=(), backend="none")
        violations = len(check(plan, problem))
        bl.commit(plan.served, {u.village: u.reason for u in plan.unserved})
        out.append(
            DayRounds(
                day,
                stops,
                problem,
                plan,
                trunk_cost,
                violations,
                _on_time(plan, sc.model.routing.promised_by),
            )
        )
        if log is not None:
            log(f"{name}: {day}: {len(stops)} stops, cost {plan.cost + trunk_cost:,.0f}")
    return Variant(
        name,
        dict(patterns),
        tuple(out),
        tuple(bl.ledger),
        tuple(bl.deliveries),
        tuple(bl.waiting()),
        bl.carried_in,
        meta={"solve_s": round(time.perf_counter() - t0, 3)},
    )


def full_solve(d: int, sc: Scenario, problem: Problem) -> Plan:
    """A day's rounds with the day's own solver settings (``[routing]``, the day's seed)."""
    return solver_settings(sc).rounds.solve(problem)


@dataclass(frozen=True, eq=False)
class WeekPlan:
    """Everything :func:`plan_week` computed."""

    scenario: Scenario
    week_days: WeekDays
    options: dict[str, ServiceOption]
    chosen: Variant
    daily: Variant
    rule: Variant
    standing: Variant | None
    search: dict[str, float]
    timings: dict[str, float]


def plan_week(
    scenario: Scenario,
    *,
    log: Callable[[str], None] | None = None,
    rounds: RoundsFn = full_solve,
) -> WeekPlan:
    """Sort every planned day, choose patterns, solve every day of the chosen patterns and
    of the references (steps 1–4 of the module docstring)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    wd = sort_week(scenario)
    timings["sort_s"] = time.perf_counter() - t0
    w = scenario.model.week
    options = service_options(scenario, wd)
    every = daily(w)
    all_daily = {code: every for code in options}

    t0 = time.perf_counter()
    if any(o.auto for o in options.values()):
        chosen_patterns, search = choose_patterns(scenario, wd, options, log=log)
    else:
        chosen_patterns = {code: o.candidates[0] for code, o in options.items()}
        search = {"moves_tried": 0, "moves_accepted": 0}
    timings["search_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    daily_v = run_variant("daily", scenario, wd, all_daily, rounds, log=log)
    cache = {_key(all_daily): daily_v}
    rule = rule_patterns(scenario, wd, options)
    rule_v = _cached(cache, "produce_daily_others_3x", scenario, wd, rule, rounds, log)
    chosen_v = _cached(cache, "chosen", scenario, wd, chosen_patterns, rounds, log)
    if (chosen_v.left_behind(), chosen_v.cost) > (daily_v.left_behind(), daily_v.cost):
        fallback = {c: (every if o.auto else chosen_patterns[c]) for c, o in options.items()}
        chosen_v = _cached(cache, "chosen", scenario, wd, fallback, rounds, log)
        if (chosen_v.left_behind(), chosen_v.cost) > (daily_v.left_behind(), daily_v.cost):
            chosen_v = daily_v
        chosen_v = _renamed(
            chosen_v,
            "chosen",
            "the searched patterns cost more than daily service in full solves: "
            "auto villages are served daily",
        )
    else:
        chosen_v = _renamed(chosen_v, "chosen", "")
    timings["rounds_s"] = time.perf_counter() - t0

    standing = None
    if w.standing_rounds:
        from gongpei.week.standing import standing_rounds

        t0 = time.perf_counter()
        standing = run_variant(
            "standing", scenario, wd, chosen_v.patterns, standing_rounds(chosen_v), log=log
        )
        timings["standing_s"] = time.perf_counter() - t0
    return WeekPlan(scenario, wd, options, chosen_v, daily_v, rule_v, standing, search, timings)


def _key(patterns: Mapping[str, Pattern]) -> tuple[tuple[str, Pattern], ...]:
    return tuple(sorted(patterns.items()))


def _cached(
    cache: dict[tuple[tuple[str, Pattern], ...], Variant],
    name: str,
    scenario: Scenario,
    wd: WeekDays,
    patterns: Mapping[str, Pattern],
    rounds: RoundsFn,
    log: Callable[[str], None] | None,
) -> Variant:
    key = _key(patterns)
    if key not in cache:
        cache[key] = run_variant(name, scenario, wd, patterns, rounds, log=log)
    return _renamed(cache[key], name, cache[key].note)


def _renamed(v: Variant, name: str, note: str) -> Variant:
    from dataclasses import replace

    return replace(v, name=name, note=note)
