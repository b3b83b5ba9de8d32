"""Which days each village is served: its admissible patterns and the search that picks them
(steps 1 and 2 of :mod:`gongpei.week.plan`), estimated with the construction heuristic."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from gongpei.county.build import County
from gongpei.day.problems import StopDemand, codelivery_problem, station_problem
from gongpei.scenario.loading import Scenario
from gongpei.scenario.schema_week import WeekTable
from gongpei.week.backlog import Backlog, VillageWeek
from gongpei.week.days import WeekDays
from gongpei.week.patterns import Pattern, allowed_patterns, daily, max_wait
from routing import Problem
from routing.construct import construct_routes, score
from routing.evaluate import RouteEvaluator


@dataclass(frozen=True)
class ServiceOption:
    """A village's candidate patterns (first: the starting one) and whether gongpei chooses."""

    code: str
    town: str
    candidates: tuple[Pattern, ...]
    auto: bool
    excluded: tuple[tuple[Pattern, str], ...] = ()  # patterns dropped, with why
    produce: bool = False


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


#: Yuan per village the construction cannot place, in the search's cost estimate.
UNPLACED_PENALTY = 10_000.0


# --- 3. final days ----------------------------------------------------------------------------
def day_rounds_problem(
    scenario: Scenario, county: County, stops: Sequence[StopDemand]
) -> tuple[Problem, float]:
    """A day's co-delivery problem for ``stops`` (and the trunk runs' cost with stations)."""
    if scenario.model.county.use_transfer_stations:
        problem, trunk = station_problem(scenario, county, stops)
        return problem, sum(t.cost for t in trunk)
    return codelivery_problem(scenario, county, stops), 0.0
