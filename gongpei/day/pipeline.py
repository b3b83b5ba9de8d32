"""One county day: arrivals → sorter → ready times → rounds → check → baselines → report.

:func:`run_day` computes a :class:`~gongpei.day.results.DayResult` (no files); :func:`run_pipeline`
also writes the output folder. Every random draw comes from the scenario seed, so the same
scenario and seed give the same day (with ``routing.deterministic`` the same rounds too).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import sorter
from gongpei.county.build import County
from gongpei.day.baselines import baseline_result, stations_comparison
from gongpei.day.demand import DayDemand
from gongpei.day.inputs import prepare_day
from gongpei.day.outcomes import plan_co2_kg, village_outcomes
from gongpei.day.problems import (
    StopDemand,
    TrunkRun,
    brand_problems,
    codelivery_problem,
    station_problem,
    stops_from_day,
    township_drop_problems,
)
from gongpei.day.progress import Progress
from gongpei.day.ready import bagged_by_brand, same_day_ready
from gongpei.day.results import BaselineResult, DayResult
from gongpei.day.solving import solve_many, solver_settings
from gongpei.scenario.loading import Scenario
from routing import Problem
from routing.check import check

__all__ = ["DayProblem", "SortedDay", "day_problem", "run_day", "run_pipeline", "sort_day"]


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
    return _sort_day(scenario, Progress(progress))


def _sort_day(scenario: Scenario, bars: Progress) -> SortedDay:
    m = scenario.model
    inputs = prepare_day(scenario)
    timings = dict(inputs.timings)
    t0 = time.perf_counter()
    with bars.sorting() as tick:
        sort = sorter.simulate(
            inputs.line,
            inputs.arrivals,
            assignment=inputs.chute_of,
            seed=scenario.seed,
            horizon_s=float(m.sorter.horizon),
            faults=inputs.faults,
            progress=tick,
        )
    timings["sort_s"] = timings.pop("inputs_s") + time.perf_counter() - t0
    return SortedDay(
        inputs.county,
        inputs.demand,
        inputs.line,
        inputs.arrivals,
        inputs.chute_of,
        sort,
        timings,
    )


@dataclass(frozen=True, eq=False)
class DayProblem:
    """The day up to the rounds: what was sorted, which stops are ready when, the problem."""

    sorted: SortedDay
    ready: dict[str, float]  # village → release for today's rounds
    late: dict[str, int]  # village → parcels bagged after the cut-off bagging round
    by_brand: dict[str, dict[str, int]]  # village → brand → parcels bagged
    stops: list[StopDemand]
    problem: Problem
    trunk: tuple[TrunkRun, ...]  # hub → station runs (transfer-station mode)


def day_problem(scenario: Scenario, *, progress: bool = False) -> DayProblem:
    """Sort the day and build its co-delivery problem (what ``gongpei replan`` rebuilds)."""
    return _day_problem(scenario, Progress(progress))


def _day_problem(scenario: Scenario, bars: Progress) -> DayProblem:
    m = scenario.model
    sd = _sort_day(scenario, bars)
    bagging_round_s = math.ceil(len(sd.line.village_chutes) / m.sorter.bagging_operators) * (
        m.sorter.bag_time_s
    )
    ready, late = same_day_ready(
        sd.sort,
        [(w.name, w.cutoff) for w in m.brands.waves if w.rounds == "same_day"],
        bagging_round_s,
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
    bars = Progress(progress)
    m = scenario.model
    r = m.routing
    dp = _day_problem(scenario, bars)
    county, demand, sort = dp.sorted.county, dp.sorted.demand, dp.sorted.sort
    ready, late, by_brand, stops = dp.ready, dp.late, dp.by_brand, dp.stops
    problem, trunk = dp.problem, dp.trunk
    timings = dict(dp.sorted.timings)

    # --- the rounds ---------------------------------------------------------------------
    t0 = time.perf_counter()
    settings = solver_settings(scenario)
    with bars.solving(r.time_limit_s, "rounds") as cb:
        plan = settings.rounds.solve(problem, progress=cb)
    violations = tuple(check(plan, problem))
    stations = None
    if m.county.use_transfer_stations:
        direct = solve_many(
            {"direct": codelivery_problem(scenario, county, stops)},
            settings.baseline,
            settings.baseline_processes,
            progress=bars,
            label="direct rounds",
        )["direct"]
        stations = stations_comparison(plan, trunk, direct, scenario)
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
        plans = solve_many(
            probs, settings.baseline, settings.baseline_processes, progress=bars, label=name
        )
        baselines[name] = baseline_result(name, plans, scenario)
    timings["baselines_s"] = time.perf_counter() - t0

    fetching = None
    if "township_drop" in r.baselines:
        from gongpei.day.fetching import villagers_fetching

        fetching = villagers_fetching(county, stops, by_brand)
    villages = village_outcomes(scenario, county, demand, sort, stops, plan, ready, by_brand)
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
        budgets=settings.budgets(),
        fetching=fetching,
        timings=timings,
    )
