"""The periodic heuristic: choose each village's service pattern, then plan every day's rounds.

Steps (each stated so a planner can argue with it):

1. **Options** (:func:`service_options`): each village's candidate patterns — fixed by a
   ``[[week.villages]]`` rule, daily, or (``auto``) the allowed frequencies' patterns — kept
   only if they include the village's produce days, no parcel waits longer than
   ``week.max_wait_days``, and, on this week's sorted parcels, every service day's delivery
   and pickup fits one van (parcels and litres) and the staged cages at the hub and the
   station hold what waits. So a village never needs more than one van in a visit: patterns
   that would need a split delivery are not offered (a fixed pattern that breaks a limit is
   kept, and the parcels that do not fit wait, listed with their reason).
2. **Search** (:func:`choose_patterns`): start from the cheapest (estimated) of daily
   service, the reference rule below and the fewest visits allowed, and improve by local
   search on the week's routing cost, estimated per day by the construction heuristic
   (:func:`routing.construct.construct_routes`, tens of milliseconds a day; day costs are
   cached by the day's stops). Moves: a whole township's ``auto`` villages to one pattern
   (a van saved comes from a township served on fewer days), then one village at a time;
   first improvement, at most ``week.search_moves`` moves. Deterministic.
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from gongpei.county.build import County
from gongpei.day.problems import StopDemand, codelivery_problem, station_problem
from gongpei.day.solving import solver_settings
from gongpei.scenario.loading import Scenario
from gongpei.scenario.schema import WeekTable
from gongpei.week.backlog import Backlog, DayLedger, Delivery, VillageWeek, WaitingParcels
from gongpei.week.days import WeekDays, sort_week
from gongpei.week.patterns import Pattern, allowed_patterns, daily, max_wait
from routing import Plan, Problem
from routing.check import check
from routing.construct import construct_routes, score
from routing.evaluate import RouteEvaluator

__all__ = [
    "DayRounds",
    "ServiceOption",
    "Variant",
    "choose_patterns",
    "plan_week",
    "rule_patterns",
    "service_options",
]

#: Yuan per village the construction cannot place, in the search's cost estimate.
UNPLACED_PENALTY = 10_000.0


@dataclass(frozen=True)
class ServiceOption:
    """A village's candidate patterns (first: the starting one) and whether gongpei chooses."""

    code: str
    town: str
    candidates: tuple[Pattern, ...]
    auto: bool
    excluded: tuple[tuple[Pattern, str], ...] = ()  # patterns dropped, with why
    produce: bool = False


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


# --- 1. options -------------------------------------------------------------------------------
def _village_loads(v: VillageWeek, pattern: Pattern) -> tuple[int, int, int, int]:
    """Steady week under ``pattern``: (largest delivery, most staged at the hub, most
    outgoing at the station, largest outgoing litres) over the days."""
    n = len(v.parcels)
    deliver = staged = out = out_l = 0
    worst = [0, 0, 0, 0]
    last = max(pattern)
    for d in range(last + 1, n):  # what the week's tail leaves for its start
        staged += v.parcels[d]
        out += v.pickup[d]
        out_l += v.pickup_litres[d]
    for d in range(n):
        staged += v.parcels[d]
        out += v.pickup[d]
        out_l += v.pickup_litres[d]
        if d in pattern:
            deliver, staged = staged, 0
            worst[0] = max(worst[0], deliver)
            worst[2] = max(worst[2], out)
            worst[3] = max(worst[3], out_l)
            out = out_l = 0
        else:
            worst[1] = max(worst[1], staged)
            worst[2] = max(worst[2], out)
    return worst[0], worst[1], worst[2], worst[3]


def _why_not(
    v: VillageWeek,
    pattern: Pattern,
    week: WeekTable,
    cal: Sequence[int],
    capacity: tuple[int, int],
    litres_per_parcel: float,
) -> str:
    """'' when ``pattern`` is admissible for ``v``, else the first limit it breaks."""
    if not v.produce_days <= set(pattern):
        return "misses a produce day"
    if max_wait(pattern, cal) > week.max_wait_days:
        return f"a parcel would wait {max_wait(pattern, cal)} days > week.max_wait_days"
    deliver, staged, out, out_l = _village_loads(v, pattern)
    if deliver > capacity[0] or deliver * litres_per_parcel > capacity[1]:
        return f"a delivery of {deliver} parcels needs more than one van"
    if out > capacity[0] or out_l > capacity[1]:
        return f"a pickup of {out} parcels needs more than one van"
    if staged > week.hub_cage_parcels:
        return f"{staged} parcels staged > week.hub_cage_parcels"
    if out > week.station_cage_parcels:
        return f"{out} outgoing parcels > week.station_cage_parcels"
    return ""


def service_options(scenario: Scenario, week_days: WeekDays) -> dict[str, ServiceOption]:
    """Each rural village's admissible patterns (step 1 of the module docstring)."""
    m = scenario.model
    w = m.week
    county = week_days.problems[0].sorted.county
    cal = week_days.cal
    capacity = max((v.capacity_parcels, v.capacity_litres) for v in m.fleet.vans)
    lpp = m.demand.litres_per_parcel
    every = daily(w)
    harvest = _harvest_villages(week_days)
    out: dict[str, ServiceOption] = {}
    for v in week_days.villages():
        town = county.village(v.code).town_code
        rule = None
        for r in w.villages:  # a rule naming the village beats a township rule; later wins
            if town in r.towns and (rule is None or not rule[1]):
                rule = (r, False)
            if v.code in r.villages:
                rule = (r, True)
        if rule is not None and rule[0].pattern is not None:
            pos = {d: k for k, d in enumerate(w.days)}
            fixed = tuple(pos[d] for d in rule[0].pattern if d in pos) or every
            out[v.code] = ServiceOption(v.code, town, (fixed,), False, produce=v.code in harvest)
            continue
        freqs = rule[0].frequencies if rule is not None else None
        auto = freqs is not None or w.service == "auto"
        pats = allowed_patterns(w, freqs or w.frequencies) if auto else [every]
        if every in pats:  # daily first: the search starts from today's rule
            pats.remove(every)
        pats.insert(0, every)
        keep, dropped = [], []
        for p in pats:
            why = _why_not(v, p, w, cal, capacity, lpp)
            (dropped.append((p, why)) if why else keep.append(p))
        if not keep:
            keep = [every]  # today's rule whatever the limits (its parcels wait if they must)
        out[v.code] = ServiceOption(
            v.code,
            town,
            tuple(keep),
            auto and len(keep) > 1,
            tuple(dropped),
            produce=v.code in harvest,
        )
    return out


def _harvest_villages(week_days: WeekDays) -> set[str]:
    """Villages with produce: ``[[week.produce]]`` or a harvest peak on any day."""
    out: set[str] = set()
    for sc in week_days.scenarios:
        for ev in sc.model.events:
            if ev.kind == "harvest_peak":
                out.update(ev.villages)
    return out


def rule_patterns(
    scenario: Scenario, week_days: WeekDays, options: Mapping[str, ServiceOption]
) -> dict[str, Pattern]:
    """The reference rule: produce villages daily, the others three times a week, whatever
    their own rule (townships alternate Mon/Wed/Fri and Tue/Thu/Sat so the days balance; a
    village for which no 3× pattern is admissible stays daily)."""
    m = scenario.model
    w = m.week
    capacity = max((v.capacity_parcels, v.capacity_litres) for v in m.fleet.vans)
    three = allowed_patterns(w, [3])
    towns = sorted({o.town for o in options.values()})
    every = daily(w)
    out = {}
    for v in week_days.villages():
        o = options[v.code]
        out[v.code] = every
        if o.produce or not three:
            continue
        k = towns.index(o.town) % len(three)
        for p in three[k:] + three[:k]:
            if not _why_not(v, p, w, week_days.cal, capacity, m.demand.litres_per_parcel):
                out[v.code] = p
                break
    return out


# --- 2. search --------------------------------------------------------------------------------
class _Estimator:
    """The week's cost under some patterns, by the construction heuristic, cached per day."""

    def __init__(self, scenario: Scenario, week_days: WeekDays) -> None:
        self.scenario = scenario
        self.week_days = week_days
        self.villages = week_days.villages()
        self.cache: dict[tuple[int, tuple[StopDemand, ...]], float] = {}
        self.constructions = 0

    def backlog(self, patterns: Mapping[str, Pattern]) -> Backlog:
        m = self.scenario.model
        return Backlog(
            self.villages,
            patterns,
            self.week_days.cal,
            capacity=max((v.capacity_parcels, v.capacity_litres) for v in m.fleet.vans),
            litres_per_parcel=m.demand.litres_per_parcel,
            carry_in=m.week.carry_in,
        )

    def cost(self, patterns: Mapping[str, Pattern]) -> float:
        bl = self.backlog(patterns)
        total = 0.0
        for d in range(len(self.week_days.names)):
            stops = tuple(bl.stops())
            key = (d, stops)
            if key not in self.cache:
                self.cache[key] = self._day_cost(d, stops)
                self.constructions += 1
            total += self.cache[key]
            bl.commit([s.code for s in stops], {})
        return total

    def _day_cost(self, d: int, stops: Sequence[StopDemand]) -> float:
        if not stops:
            return 0.0
        sc = self.week_days.scenarios[d]
        problem, trunk_cost = day_rounds_problem(
            sc, self.week_days.problems[d].sorted.county, stops
        )
        ev = RouteEvaluator(problem)
        seqs = construct_routes(problem, seed=sc.seed, evaluator=ev)
        neg_served, cost = score(problem, ev, seqs)
        return cost + trunk_cost + UNPLACED_PENALTY * (len(stops) + neg_served)


def _starts(
    scenario: Scenario, week_days: WeekDays, options: Mapping[str, ServiceOption]
) -> list[dict[str, Pattern]]:
    """Other starting points than daily service: the reference rule and the fewest visits,
    each kept to every village's own candidates."""
    rule = rule_patterns(scenario, week_days, options)
    as_rule = {
        c: (rule[c] if o.auto and rule[c] in o.candidates else o.candidates[0])
        for c, o in options.items()
    }
    fewest = {
        c: (min(o.candidates, key=lambda p: (len(p), p)) if o.auto else o.candidates[0])
        for c, o in options.items()
    }
    return [as_rule, fewest]


def choose_patterns(
    scenario: Scenario,
    week_days: WeekDays,
    options: Mapping[str, ServiceOption],
    *,
    log: Callable[[str], None] | None = None,
) -> tuple[dict[str, Pattern], dict[str, float]]:
    """Local search over the ``auto`` villages' patterns (step 2), from the best estimated of
    daily service, the reference rule and the fewest visits; returns the patterns and
    search figures (estimated costs, moves tried and accepted, constructions, seconds)."""
    t0 = time.perf_counter()
    est = _Estimator(scenario, week_days)
    current = {code: o.candidates[0] for code, o in options.items()}
    best = est.cost(current)
    start = best
    for seed_patterns in _starts(scenario, week_days, options):
        cost = est.cost(seed_patterns)
        if cost < best - 1e-6:
            current, best = seed_patterns, cost
    budget = scenario.model.week.search_moves
    tried = accepted = 0
    auto = sorted(code for code, o in options.items() if o.auto)
    towns: dict[str, list[str]] = {}
    for code in auto:
        towns.setdefault(options[code].town, []).append(code)

    def moves() -> list[dict[str, Pattern]]:
        out: list[dict[str, Pattern]] = []
        for town in sorted(towns):
            pats: list[Pattern] = []
            for code in towns[town]:
                pats += [p for p in options[code].candidates if p not in pats]
            for p in pats:
                change = {c: p for c in towns[town] if p in options[c].candidates}
                if any(current[c] != q for c, q in change.items()):
                    out.append(change)
        for code in auto:
            for p in options[code].candidates:
                if p != current[code]:
                    out.append({code: p})
        return out

    improved = True
    while improved and tried < budget:
        improved = False
        for change in moves():
            if tried >= budget:
                break
            if all(current[c] == q for c, q in change.items()):
                continue  # an earlier accepted move made it so
            tried += 1
            trial = {**current, **change}
            cost = est.cost(trial)
            if cost < best - 1e-6:
                current, best = trial, cost
                accepted += 1
                improved = True
                if log is not None:
                    log(f"search: move {tried}: estimated week cost {best:,.0f}")
    figures = {
        "estimated_daily_cost": round(start, 2),
        "estimated_chosen_cost": round(best, 2),
        "moves_tried": tried,
        "moves_accepted": accepted,
        "constructions": est.constructions,
        "search_s": round(time.perf_counter() - t0, 3),
    }
    return current, figures


# --- 3. final days ----------------------------------------------------------------------------
def day_rounds_problem(
    scenario: Scenario, county: County, stops: Sequence[StopDemand]
) -> tuple[Problem, float]:
    """A day's co-delivery problem for ``stops`` (and the trunk runs' cost with stations)."""
    if scenario.model.county.use_transfer_stations:
        problem, trunk = station_problem(scenario, county, stops)
        return problem, sum(t.cost for t in trunk)
    return codelivery_problem(scenario, county, stops), 0.0


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
