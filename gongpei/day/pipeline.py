"""One county day: arrivals → sorter → ready times → rounds → check → baselines → report.

:func:`run_day` computes a :class:`~gongpei.day.results.DayResult` (no files); :func:`run_pipeline`
also writes the output folder. Every random draw comes from the scenario seed, so the same
scenario and seed give the same day (with ``routing.deterministic`` the same rounds too).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import sorter
from gongpei.county.build import County, build_county
from gongpei.day.demand import DayDemand, day_demand, expected_demand
from gongpei.day.line_inputs import (
    assignment_policy,
    build_faults,
    build_line,
    build_waves,
    expected_by_code,
    round_groups,
    village_infos,
)
from gongpei.day.problems import (
    StopDemand,
    TrunkRun,
    brand_problems,
    codelivery_problem,
    station_problem,
    stops_from_day,
    township_drop_problems,
)
from gongpei.day.results import BaselineResult, DayResult, StatusLight, VillageOutcome
from gongpei.scenario.loading import Scenario
from routing import Plan, Problem
from routing.check import check
from routing.solve import solve

__all__ = [
    "DayProblem",
    "SortedDay",
    "day_problem",
    "plan_co2_kg",
    "run_day",
    "run_pipeline",
    "solve_many",
    "sort_day",
]


class _Progress:
    """tqdm bars on stderr when asked for, silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @contextmanager
    def sorting(self) -> Iterator[Callable[[float], None] | None]:
        if not self.enabled:
            yield None
            return
        from tqdm import tqdm

        bar = tqdm(total=100, desc="sorting", unit="%", leave=False, bar_format="{l_bar}{bar}")
        last = [0]

        def update(fraction: float) -> None:
            pct = int(min(max(fraction, 0.0), 1.0) * 100)
            if pct > last[0]:
                bar.update(pct - last[0])
                last[0] = pct

        try:
            yield update
        finally:
            bar.close()

    @contextmanager
    def solving(
        self, budget_s: float, label: str
    ) -> Iterator[Callable[[float, float], None] | None]:
        if not self.enabled:
            yield None
            return
        from tqdm import tqdm

        bar = tqdm(
            total=round(budget_s, 1),
            desc=label,
            unit="s",
            leave=False,
            bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s {postfix}",
        )

        best = [float("inf")]

        def update(elapsed_s: float, best_cost: float) -> None:
            # With `auto` both backends report; show the best plan found by either.
            best[0] = min(best[0], best_cost)
            bar.n = round(min(elapsed_s, budget_s), 1)
            bar.set_postfix_str(f"best ¥{best[0]:,.0f}", refresh=True)

        try:
            yield update
        finally:
            bar.close()


def run_pipeline(scenario: Scenario, out_dir: Path, *, progress: bool = False) -> DayResult:
    """Run the day and write every output file into ``out_dir``."""
    from gongpei.report.files import write_outputs

    day = run_day(scenario, progress=progress)
    t0 = time.perf_counter()
    write_outputs(day, Path(out_dir))
    day.timings["report_s"] = time.perf_counter() - t0
    return day


@dataclass(frozen=True, eq=False)
class SortedDay:
    """The first half of a day: the county, its demand, the line and what the sorter did."""

    county: County
    demand: DayDemand
    line: sorter.Line
    arrivals: sorter.Arrivals
    chute_of: dict[str, str]
    sort: sorter.SortResult
    timings: dict[str, float]


def sort_day(scenario: Scenario, *, progress: bool = False) -> SortedDay:
    """Simulate the scenario's sorting day (no routing): what layout studies replicate."""
    return _sort_day(scenario, _Progress(progress))


def _sort_day(scenario: Scenario, bars: _Progress) -> SortedDay:
    m = scenario.model
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    county = build_county(scenario)
    codes = [v.code for v in county.villages]
    rural = [v.kind not in county.excluded_kinds for v in county.villages]
    seat_towns = _seat_villages(county)
    expected = expected_demand(
        codes, rural, [c in seat_towns for c in codes], m.demand, m.county.placement_seed
    )
    biggest_van = max(v.capacity_parcels for v in m.fleet.vans)
    demand = day_demand(codes, expected, rural, m, scenario.seed, max_inbound=biggest_van)
    timings["county_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    line = build_line(scenario, len(codes))
    exp = expected_by_code(codes, expected)
    groups = round_groups(county, exp, biggest_van)
    infos = village_infos(county, exp, groups)
    waves = build_waves(scenario)
    arrivals = sorter.generate_arrivals(
        np.random.default_rng([scenario.seed, 0xA11]),
        village_parcels=demand.inbound(),
        brand_shares=m.brands.shares,
        waves=waves,
        oversize_share=m.sorter.oversize_share,
    )
    policy = assignment_policy(scenario)
    chute_of = dict(policy) if isinstance(policy, dict) else policy.assign(infos, line)
    faults = build_faults(scenario, line, chute_of)
    with bars.sorting() as tick:
        sort = sorter.simulate(
            line,
            arrivals,
            assignment=chute_of,
            seed=scenario.seed,
            horizon_s=float(m.sorter.horizon),
            faults=faults,
            progress=tick,
        )
    timings["sort_s"] = time.perf_counter() - t0
    return SortedDay(county, demand, line, arrivals, chute_of, sort, timings)


@dataclass(frozen=True, eq=False)
class DayProblem:
    """The day up to the rounds: what was sorted, which stops are ready when, the problem."""

    sorted: SortedDay
    ready: dict[str, float]  # village → release for today's rounds
    late: dict[str, int]  # village → parcels bagged after the cut-off sweep
    by_brand: dict[str, dict[str, int]]  # village → brand → parcels bagged
    stops: list[StopDemand]
    problem: Problem
    trunk: tuple[TrunkRun, ...]  # hub → station runs (transfer-station mode)


def day_problem(scenario: Scenario, *, progress: bool = False) -> DayProblem:
    """Sort the day and build its co-delivery problem (what ``gongpei replan`` rebuilds)."""
    return _day_problem(scenario, _Progress(progress))


def _day_problem(scenario: Scenario, bars: _Progress) -> DayProblem:
    m = scenario.model
    sd = _sort_day(scenario, bars)
    sweep_s = math.ceil(len(sd.line.village_chutes) / m.sorter.bagging_operators) * (
        m.sorter.bag_time_s
    )
    ready, late = same_day_ready(
        sd.sort, [(w.name, w.cutoff) for w in m.brands.waves if w.rounds == "same_day"], sweep_s
    )
    stops = stops_from_day(sd.county, sd.demand, sd.sort.village_sorted, ready)
    trunk: tuple[TrunkRun, ...] = ()
    if m.county.use_transfer_stations:
        problem, trunk = station_problem(scenario, sd.county, stops)
    else:
        problem = codelivery_problem(scenario, sd.county, stops)
    return DayProblem(sd, ready, late, bagged_by_brand(sd.sort), stops, problem, trunk)


def run_day(scenario: Scenario, *, progress: bool = False) -> DayResult:
    """Simulate the sorting day and plan its rounds (and the baselines)."""
    bars = _Progress(progress)
    m = scenario.model
    r = m.routing
    dp = _day_problem(scenario, bars)
    county, demand, sort = dp.sorted.county, dp.sorted.demand, dp.sorted.sort
    ready, late, by_brand, stops = dp.ready, dp.late, dp.by_brand, dp.stops
    problem, trunk = dp.problem, dp.trunk
    timings = dict(dp.sorted.timings)

    # --- the rounds ---------------------------------------------------------------------
    t0 = time.perf_counter()
    with bars.solving(r.time_limit_s, "rounds") as cb:
        plan = solve(
            problem,
            backend=main_backend(scenario),
            time_limit_s=r.time_limit_s,
            seed=scenario.seed,
            progress=cb,
            deterministic=r.deterministic,
            solution_limit=r.solution_limit,
            max_iterations=r.max_iterations,
        )
    violations = tuple(check(plan, problem))
    stations = None
    if m.county.use_transfer_stations:
        direct = solve_many(
            {"direct": codelivery_problem(scenario, county, stops)},
            scenario,
            progress=bars,
            label="direct rounds",
        )["direct"]
        stations = _stations_comparison(plan, trunk, direct, scenario)
    timings["route_s"] = time.perf_counter() - t0

    # --- baselines ----------------------------------------------------------------------
    t0 = time.perf_counter()
    baselines: dict[str, BaselineResult] = {}
    for name in r.baselines:
        probs = (
            brand_problems(scenario, county, stops, by_brand)
            if name == "brands_alone"
            else township_drop_problems(scenario, county, stops, by_brand)
        )
        plans = solve_many(probs, scenario, progress=bars, label=name)
        baselines[name] = _baseline(name, plans, scenario)
    timings["baselines_s"] = time.perf_counter() - t0

    villages = _outcomes(scenario, county, demand, sort, stops, plan, ready, by_brand)
    return DayResult(
        scenario=scenario,
        county=county,
        demand=demand,
        sort=sort,
        problem=problem,
        plan=plan,
        violations=violations,
        villages=villages,
        baselines=baselines,
        co2_kg=plan_co2_kg(plan, scenario) + sum(t.co2_kg for t in trunk),
        late=late,
        stations=stations,
        timings=timings,
    )


def solve_many(
    problems: dict[str, Problem], scenario: Scenario, *, progress: _Progress, label: str
) -> dict[str, Plan]:
    """Solve independent problems (the baselines) with the scenario's baseline budget.

    Each uses one core with one backend (``auto`` → PyVRP), ``routing.processes`` at a time.
    Seeds are fixed per problem, so the result does not depend on the order of completion.
    """
    r = scenario.model.routing
    backend = "pyvrp" if r.backend == "auto" else r.backend  # one core per baseline solve
    kwargs = {
        "backend": backend,
        "time_limit_s": r.baseline_time_limit_s,
        "seed": scenario.seed,
        "deterministic": r.deterministic,
        "solution_limit": r.solution_limit,
        "max_iterations": r.max_iterations,
    }
    names = sorted(problems)
    if not names:
        return {}
    from concurrent.futures import ProcessPoolExecutor

    bar = None
    if progress.enabled:
        from tqdm import tqdm

        bar = tqdm(total=len(names), desc=label, unit="brand", leave=False)
    plans: dict[str, Plan] = {}
    try:
        if len(names) == 1 or r.processes == 1:
            for n in names:
                plans[n] = solve(problems[n], **kwargs)  # type: ignore[arg-type]
                if bar is not None:
                    bar.update(1)
        else:
            with ProcessPoolExecutor(max_workers=min(r.processes, len(names))) as pool:
                futures = {n: pool.submit(_solve_kw, problems[n], kwargs) for n in names}
                for n in names:
                    plans[n] = futures[n].result()
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return plans


def main_backend(scenario: Scenario) -> str:
    """The backend for the day's rounds: ``auto`` needs two processes, else PyVRP alone."""
    r = scenario.model.routing
    return "pyvrp" if r.backend == "auto" and r.processes < 2 else r.backend


def _solve_kw(problem: Problem, kwargs: dict[str, Any]) -> Plan:
    return solve(problem, **kwargs)


def _baseline(name: str, plans: dict[str, Plan], scenario: Scenario) -> BaselineResult:
    return BaselineResult(
        name=name,
        distance_km=sum(p.distance_m for p in plans.values()) / 1000,
        duration_h=sum(p.duration_s for p in plans.values()) / 3600,
        vans_used=sum(len({r.vehicle for r in p.routes}) for p in plans.values()),
        cost=sum(p.cost for p in plans.values()),
        co2_kg=sum(plan_co2_kg(p, scenario) for p in plans.values()),
        detail={
            b: {
                "routes": len(p.routes),
                "distance_km": round(p.distance_m / 1000, 3),
                "cost": round(p.cost, 2),
                "unserved": len(p.unserved),
            }
            for b, p in sorted(plans.items())
        },
    )


def _stations_comparison(
    plan: Plan, trunk: tuple[TrunkRun, ...], direct: Plan, scenario: Scenario
) -> dict[str, Any]:
    """County–town–village (hub → station trunk, station → village rounds) against direct
    rounds from the hub, on the same day."""

    def side(p: Plan, extra_km: float, extra_cost: float, extra_co2: float) -> dict[str, Any]:
        return {
            "routes": len(p.routes),
            "vans_used": len({r.vehicle for r in p.routes}),
            "distance_km": round(p.distance_m / 1000 + extra_km, 3),
            "van_km": round(p.distance_m / 1000, 3),
            "cost": round(p.cost + extra_cost, 2),
            "co2_kg": round(plan_co2_kg(p, scenario) + extra_co2, 2),
            "villages_unserved": len(p.unserved),
        }

    return {
        "via_stations": {
            **side(
                plan,
                sum(t.distance_m for t in trunk) / 1000,
                sum(t.cost for t in trunk),
                sum(t.co2_kg for t in trunk),
            ),
            "trunk": [
                {
                    "station": t.station,
                    "parcels": t.parcels,
                    "trips": t.trips,
                    "km": round(t.distance_m / 1000, 3),
                    "depart_s": t.depart_s,
                    "arrive_s": t.arrive_s,
                    "cost": round(t.cost, 2),
                }
                for t in trunk
            ],
        },
        "direct": side(direct, 0.0, 0.0, 0.0),
    }


def plan_co2_kg(plan: Plan, scenario: Scenario) -> float:
    """Tailpipe CO₂ of a plan from each van type's kg/km."""
    per_km = {v.name: v.co2_kg_per_km for v in scenario.model.fleet.vans}
    # station vans are named "<type>@<township>"
    return sum(
        r.distance_m / 1000 * per_km.get(r.vehicle_type.split("@")[0], 0.0) for r in plan.routes
    )


def same_day_ready(
    sort: sorter.SortResult, waves: Sequence[tuple[str, float]], sweep_s: float
) -> tuple[dict[str, float], dict[str, int]]:
    """Village → release time for today's rounds, and village → parcels too late for them.

    ``waves`` are today's same-day waves as (name, cut-off). A village is ready when its last
    parcel of those waves is bagged — counting only bags done by the wave's cut-off sweep
    (cut-off + ``sweep_s``, the time the bagging operators need to bag every chute once).
    A parcel bagged later goes on tomorrow's round instead of holding today's van (and in a
    steady state, as many of yesterday's stragglers are ready in its place).
    """
    ok = sort.outcome == sorter.OUTCOMES.index("bagged")
    ready = np.full(len(sort.village_ids), -np.inf)
    late = np.zeros(len(sort.village_ids), dtype=np.int64)
    for name, cutoff in waves:
        if name not in sort.wave_names:
            continue
        w = ok & (sort.wave == sort.wave_names.index(name))
        on_time = w & (sort.bag_s <= cutoff + sweep_s)
        np.maximum.at(ready, sort.village[on_time], sort.bag_s[on_time])
        late += np.bincount(sort.village[w & ~on_time], minlength=late.size)
    return (
        {v: float(ready[k]) for k, v in enumerate(sort.village_ids) if np.isfinite(ready[k])},
        {v: int(late[k]) for k, v in enumerate(sort.village_ids) if late[k]},
    )


def bagged_by_brand(sort: sorter.SortResult) -> dict[str, dict[str, int]]:
    """Village → brand → parcels bagged (what each brand would carry on its own)."""
    brands = sorted(set(sort.truck_brands))
    brand_index = {b: k for k, b in enumerate(brands)}
    of_truck = np.array([brand_index[b] for b in sort.truck_brands], dtype=np.int64)
    ok = sort.outcome == sorter.OUTCOMES.index("bagged")
    nb = len(brands)
    flat = sort.village[ok].astype(np.int64) * nb + of_truck[sort.truck[ok]]
    table = np.bincount(flat, minlength=len(sort.village_ids) * nb).reshape(-1, nb)
    return {
        v: {b: int(table[k, j]) for j, b in enumerate(brands) if table[k, j]}
        for k, v in enumerate(sort.village_ids)
    }


def _seat_villages(county: County) -> set[str]:
    """Villages nearest their township seat: the seat villages that get ×seat_multiplier."""
    from gongpei.county.geography import haversine_m

    out = set()
    for t in county.towns:
        best = min(
            (v for v in county.rural if v.town_code == t.code),
            key=lambda v: haversine_m(t.lon, t.lat, *county.positions[v.code]),
            default=None,
        )
        if best is not None:
            out.add(best.code)
    return out


def _outcomes(
    scenario: Scenario,
    county: County,
    demand: Any,
    sort: sorter.SortResult,
    stops: list[StopDemand],
    plan: Plan,
    ready: dict[str, float],
    by_brand: dict[str, dict[str, int]],
) -> tuple[VillageOutcome, ...]:
    promised = scenario.model.routing.promised_by
    arrival: dict[str, tuple[str, int]] = {}
    for route in plan.routes:
        for s in route.stops:
            arrival[s.village] = (route.vehicle, s.arrival_s)
    unserved = {u.village: u for u in plan.unserved}
    on_rounds = {s.code for s in stops}
    dem = demand.by_code()
    sorted_in = sort.village_sorted
    counts = np.bincount(sort.village, minlength=len(sort.village_ids))
    arrived = dict(zip(sort.village_ids, counts.tolist(), strict=True))
    out = []
    for v in county.villages:
        d = dem[v.code]
        bagged = int(sorted_in.get(v.code, 0))
        stuck = int(arrived.get(v.code, 0)) - bagged
        veh, arr = arrival.get(v.code, (None, None))
        if v.kind in county.excluded_kinds:
            status, light, reason = "urban", StatusLight.WHITE, ""
        elif v.code not in on_rounds:
            status, light, reason = "no_parcels", StatusLight.WHITE, ""
        elif v.code in unserved:
            u = unserved[v.code]
            status, light, reason = "unserved", StatusLight.YELLOW, u.reason
        else:
            status, reason = "served", ""
            assert arr is not None
            if stuck > 0:
                light = StatusLight.YELLOW
                reason = f"{stuck} parcel(s) not bagged (exception/overflow/still on the line)"
            elif arr <= promised - 3600:
                light = StatusLight.BLUE
            elif arr <= promised:
                light = StatusLight.GREEN
            else:
                light = StatusLight.RED
        out.append(
            VillageOutcome(
                code=v.code,
                name=v.name,
                township=v.town_name,
                rural=v.kind not in county.excluded_kinds,
                parcels_by_brand=dict(sorted(by_brand.get(v.code, {}).items())),
                sorted_parcels=bagged,
                not_bagged=stuck,
                ready_s=ready.get(v.code),
                pickup_parcels=d.pickup_parcels,
                pickup_litres=d.pickup_litres,
                vehicle=veh,
                arrival_s=arr,
                status=status,
                reason=reason,
                light=light,
            )
        )
    return tuple(out)
