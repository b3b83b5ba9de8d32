"""One county day: arrivals → sorter → ready times → rounds → check → baselines → report.

:func:`run_day` computes a :class:`~gongpei.day.results.DayResult` (no files); :func:`run_pipeline`
also writes the output folder. Every random draw comes from the scenario seed, so the same
scenario and seed give the same day (with ``routing.deterministic`` the same rounds too).
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sorter
from gongpei.county.build import County
from gongpei.day import departures
from gongpei.day.baselines import baseline_result, stations_comparison
from gongpei.day.demand import DayDemand
from gongpei.day.departures import departure_rounds
from gongpei.day.inputs import DayInputs, prepare_day
from gongpei.day.line_inputs import cutoff_bagging_round_s, parcel_mix
from gongpei.day.outcomes import plan_co2_kg, village_outcomes
from gongpei.day.problems import (
    StopDemand,
    TrunkRun,
    brand_problems,
    codelivery_problem,
    station_id,
    station_problem,
    stops_from_day,
    township_drop_problems,
    village_code,
    with_later_visits,
)
from gongpei.day.progress import Progress
from gongpei.day.ready import bagged_by_brand, same_day_ready, with_split_drops
from gongpei.day.results import BaselineResult, DayResult
from gongpei.day.solving import DaySolverSettings, solve_many, solver_settings
from gongpei.scenario.loading import Scenario
from routing import Plan, Problem, SolveSettings
from routing.check import Violation, check, check_loading
from sorter.loading import crews

__all__ = ["DayProblem", "SortedDay", "day_problem", "run_day", "run_pipeline", "sort_day"]


def run_pipeline(
    scenario: Scenario,
    out_dir: Path,
    *,
    progress: bool = False,
    stop: threading.Event | None = None,
) -> DayResult:
    """Run the day and write every output file into ``out_dir`` (``stop``: as in
    :func:`run_day`)."""
    from gongpei.report.files import write_outputs

    day = run_day(scenario, progress=progress, stop=stop)
    t0 = time.perf_counter()
    write_outputs(day, Path(out_dir))
    day.timings["report_s"] = time.perf_counter() - t0
    return day


@dataclass(frozen=True, eq=False)
class SortedDay:
    """The first half of a day: the county, its demand, the line and what the sorter did."""

    county: County
    demand: DayDemand
    line: sorter.Layout
    arrivals: sorter.Arrivals
    chute_of: dict[str, str]
    sort: sorter.SortResult
    timings: dict[str, float]


def sort_day(scenario: Scenario, *, progress: bool = False) -> SortedDay:
    """Simulate the scenario's sorting day (no routing): what layout studies replicate."""
    return _sort_day(scenario, Progress(progress))


def _simulate(
    scenario: Scenario, inputs: DayInputs, bars: Progress, bagging: sorter.BaggingPolicy
) -> sorter.SortResult:
    m = scenario.model
    with bars.sorting() as tick:
        return sorter.simulate_kind(
            inputs.line,
            inputs.arrivals,
            assignment=inputs.chute_of,
            seed=scenario.seed,
            horizon_s=float(m.sorter.horizon),
            faults=inputs.faults,
            progress=tick,
            bagging=bagging,
            parcel_mix=parcel_mix(scenario),
        )


def _sort_day(
    scenario: Scenario,
    bars: Progress,
    *,
    inputs: DayInputs | None = None,
    sort: sorter.SortResult | None = None,
) -> SortedDay:
    """The sort with the scenario's bagging (``by_departure`` without a plan: its first
    pass, ``wave_end``), or the given ``sort`` made from ``inputs``."""
    inputs = inputs or prepare_day(scenario)
    timings = dict(inputs.timings)
    t0 = time.perf_counter()
    if sort is None:
        name = scenario.model.sorter.bagging
        policy = sorter.WaveEnd() if name == "by_departure" else sorter.resolve_bagging(name)
        sort = _simulate(scenario, inputs, bars, policy)
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
    passes: tuple[sorter.LoopPass, ...] = ()  # the sort <-> rounds loop (by_departure)
    loop_plan: Plan | None = None  # the last pass's (short-budget) plan
    visits: tuple[StopDemand, ...] = ()  # later waves' own visits (same_day_within_km)


def day_problem(scenario: Scenario, *, progress: bool = False) -> DayProblem:
    """Sort the day and build its co-delivery problem (what ``gongpei replan`` rebuilds)."""
    return _day_problem(scenario, Progress(progress))


def _day_problem(scenario: Scenario, bars: Progress) -> DayProblem:
    if scenario.model.sorter.bagging != "by_departure":
        return _problem_of(scenario, _sort_day(scenario, bars))
    inputs = prepare_day(scenario)
    loop_settings = solver_settings(scenario).loop
    t0 = time.perf_counter()

    def sort(policy: sorter.BaggingPolicy) -> sorter.SortResult:
        return _simulate(scenario, inputs, bars, policy)

    def plan(result: sorter.SortResult) -> tuple[DayProblem, list[tuple[float, tuple[str, ...]]]]:
        dp = _problem_of(scenario, _sort_day(scenario, bars, inputs=inputs, sort=result))
        made = loop_settings.solve(dp.problem)
        # The crew bags chutes of villages: a split drop or a later visit is its village.
        order = [(t, tuple(village_code(v) for v in vs)) for t, vs in departure_rounds(made)]
        return dataclasses.replace(dp, loop_plan=made), order

    loop = sorter.departure_loop(
        sort, plan, max_passes=scenario.model.sorter.departure_passes, log=departures.log.info
    )
    dp = loop.plan
    dp.sorted.timings["sort_s"] = time.perf_counter() - t0 + inputs.timings["inputs_s"]
    return dataclasses.replace(dp, passes=loop.passes)


def _problem_of(scenario: Scenario, sd: SortedDay) -> DayProblem:
    m = scenario.model
    bagging_round_s = cutoff_bagging_round_s(sd.line)
    ready, late = same_day_ready(
        sd.sort,
        # the first visits: a later wave on its own visit (same_day_within_km) is not in them
        [
            (w.name, w.cutoff)
            for w in m.brands.waves
            if w.rounds == "same_day" and w.same_day_within_km is None
        ],
        bagging_round_s,
    )
    litres = sd.sort.village_litres if m.sorter.parcel_sizes == "cartons" else None
    stops = stops_from_day(sd.county, sd.demand, sd.sort.village_sorted, ready, litres)
    visits, later_late = later_visits(scenario, sd, stops, bagging_round_s, litres is not None)
    ready = {**ready, **{v.stop_id: float(v.release_s) for v in visits}}
    late = dict(late)
    for code, n in later_late.items():  # bagged after the later wave's cut-off round
        late[code] = late.get(code, 0) + n
    trunk: tuple[TrunkRun, ...] = ()
    if m.county.use_transfer_stations:
        problem, trunk = station_problem(scenario, sd.county, stops)
    else:
        problem = codelivery_problem(scenario, sd.county, with_later_visits(stops, visits))
    ready = with_split_drops(ready, problem)
    return DayProblem(
        sd, ready, late, bagged_by_brand(sd.sort), stops, problem, trunk, visits=tuple(visits)
    )


def _near(scenario: Scenario, sd: SortedDay, stops: list[StopDemand], km: float) -> list[str]:
    """The stops' villages within ``km`` road km of the hub."""
    codes = [s.code for s in stops]
    if not codes:
        return []
    dist, _ = sd.county.matrices([sd.county.hub, *codes])
    return [c for k, c in enumerate(codes, start=1) if dist[0, k] <= km * 1000]


def later_visits(
    scenario: Scenario,
    sd: SortedDay,
    stops: list[StopDemand],
    bagging_round_s: float,
    cartons: bool,
) -> tuple[list[StopDemand], dict[str, int]]:
    """The later same-day waves' own visits (``brands.waves[].same_day_within_km``): for each
    such wave and each village within its distance of the hub that has parcels of the wave
    bagged by its cut-off bagging round, a stop ``code+wave`` delivering them, released when
    they are ready (no pickups: those go on the first visit). What the first visit delivers
    is the village's parcels less these (:func:`with_later_visits`); the wave's parcels of
    farther villages, and those bagged late, wait for tomorrow's rounds like a next-day
    wave's (in a steady state yesterday's are delivered on today's first visit). Also
    village → the near villages' parcels of the wave bagged too late for its visit."""
    from gongpei.day.ready import later_wave_ready

    out: list[StopDemand] = []
    late: dict[str, int] = {}
    for w in scenario.model.brands.waves:
        if w.rounds != "same_day" or w.same_day_within_km is None:
            continue
        near = _near(scenario, sd, stops, w.same_day_within_km)
        got, too_late = later_wave_ready(sd.sort, w.name, w.cutoff, near, bagging_round_s)
        for code, n in too_late.items():
            late[code] = late.get(code, 0) + n
        for code in near:
            if code not in got:
                continue
            ready_s, parcels, litres = got[code]
            out.append(
                StopDemand(
                    code=code,
                    deliver=parcels,
                    pickup=0,
                    pickup_litres=0,
                    release_s=math.ceil(ready_s),
                    deliver_litres=round(litres) if cartons else None,
                    visit=w.name,
                )
            )
    return out, late


def run_day(
    scenario: Scenario, *, progress: bool = False, stop: threading.Event | None = None
) -> DayResult:
    """Simulate the sorting day and plan its rounds (and the baselines).

    ``stop`` (set by ``gongpei run`` on the first Ctrl-C) ends the rounds' search with the
    best plan found so far and skips what is left of the comparisons: the direct rounds of
    transfer-station mode and every baseline not yet complete (a baseline planned on a cut
    budget would make the saving unfair, so none is reported half done). The result says
    ``interrupted``.
    """
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
        plan = settings.rounds.solve(_anticipating_loading(scenario, dp), progress=cb, stop=stop)
    # The plan on the loading-aware problem (release = loading departure, a superset of
    # the day problem's rules), and the loading rule recomputed independently.
    ld = m.loading
    fastest = max(crews(ld.docks, ld.loaders)) * ld.load_rate_per_h
    if m.county.use_transfer_stations:  # the trunks at the hub docks, the vans at stations
        at = _station_loading(scenario, dp)
        loaded = departures.load_plan_with(plan, problem, at, settings.rounds.solve)
        plan, loading = loaded.plan, loaded.loading
        trunk = _loaded_trunks(trunk, at)
        checked = _with_station_ready(loaded.problem, at)
        at_station = max(crews(ld.station_docks, ld.station_loaders)) * ld.load_rate_per_h
        rates = {d.id: at_station if d.id in at.at_station else fastest for d in problem.depots}
        violations: tuple[Violation, ...] = tuple(check(plan, checked))
        violations += tuple(check_loading(plan, problem, at.ready_at_site(problem), rates))
    else:
        loaded = _load(scenario, plan, problem, ready, sort, settings.rounds)
        plan, loading = loaded.plan, loaded.loading
        violations = tuple(check(plan, loaded.problem))
        violations += tuple(check_loading(plan, problem, ready, fastest))

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    stations = None
    if m.county.use_transfer_stations and not stopped():
        direct = solve_many(
            {"direct": codelivery_problem(scenario, county, stops)},
            settings.baseline_for(1),
            settings.processes,
            progress=bars,
            label="direct rounds",
        )["direct"]
        stations = stations_comparison(plan, trunk, direct, scenario)
    timings["route_s"] = time.perf_counter() - t0

    # --- baselines ----------------------------------------------------------------------
    t0 = time.perf_counter()
    baselines: dict[str, BaselineResult] = {}
    for name in r.baselines:
        if stopped():
            break
        probs = (
            brand_problems(scenario, county, stops, by_brand)
            if name == "brands_alone"
            else township_drop_problems(scenario, county, stops, by_brand)
        )
        plans = _solve_baseline(probs, settings, bars, name, stop)
        if plans is not None:
            baselines[name] = baseline_result(name, plans, probs, scenario)
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
        interrupted=stopped() or plan.status == "interrupted",
        loading=loading,
        passes=dp.passes,
    )


def _anticipating_loading(scenario: Scenario, dp: DayProblem) -> Problem:
    """The problem the day's rounds are solved on: with a plan from the sort <-> rounds
    loop, each village is released when that plan's round would be loaded (so the full
    solve already allows for the docks); otherwise the day problem itself."""
    if dp.loop_plan is None:
        return dp.problem
    ld = scenario.model.loading
    if scenario.model.county.use_transfer_stations:
        at = _station_loading(scenario, dp)
        return departures.loading_problem(dp.problem, dp.loop_plan, at(dp.loop_plan))
    loading = departures.load_rounds(
        dp.loop_plan,
        dp.ready,
        departures.served_parcels(dp.problem),
        None,
        docks=ld.docks,
        loaders=ld.loaders,
        load_rate_per_h=ld.load_rate_per_h,
        cage_parcels=ld.cage_parcels,
    )
    return departures.loading_problem(dp.problem, dp.loop_plan, loading)


def _load(
    scenario: Scenario,
    plan: Plan,
    problem: Problem,
    ready: dict[str, float],
    sort: sorter.SortResult,
    settings: SolveSettings,
) -> departures.LoadedPlan:
    """The day's vans loaded at the docks, the rounds re-timed to leave after loading."""
    ld = scenario.model.loading
    litres = sort.village_litres if scenario.model.sorter.parcel_sizes == "cartons" else None
    return departures.load_plan(
        plan,
        problem,
        ready,
        departures.served_parcels(problem),
        litres,
        settings.solve,
        docks=ld.docks,
        loaders=ld.loaders,
        load_rate_per_h=ld.load_rate_per_h,
        cage_parcels=ld.cage_parcels,
    )


def _station_loading(scenario: Scenario, dp: DayProblem) -> departures.StationLoading:
    """The day's loading in transfer-station mode: trunks and hub rounds at the hub's docks,
    each station's vans at the station (:class:`departures.StationLoading`)."""
    m = scenario.model
    ld = m.loading
    trunks = [
        departures.TrunkToLoad(
            station_id(t.station),
            tuple(v.id for v in dp.problem.villages if v.depot == station_id(t.station)),
            t.arrive_s - t.depart_s,
            t.transfer_s,
        )
        for t in dp.trunk
    ]
    litres = dp.sorted.sort.village_litres if m.sorter.parcel_sizes == "cartons" else None
    return departures.StationLoading(
        trunks,
        dp.ready,
        departures.served_parcels(dp.problem),
        litres,
        docks=ld.docks,
        loaders=ld.loaders,
        station_docks=ld.station_docks,
        station_loaders=ld.station_loaders,
        load_rate_per_h=ld.load_rate_per_h,
        cage_parcels=ld.cage_parcels,
        cage_load_s=m.fleet.trunk.cage_load_s,
    )


def _loaded_trunks(
    trunk: tuple[TrunkRun, ...], at: departures.StationLoading
) -> tuple[TrunkRun, ...]:
    """The trunk runs as loaded at the hub's docks: departure at the end of loading."""
    out = []
    for t in trunk:
        lr = at.trunks[station_id(t.station)]
        depart = math.ceil(lr.departure_s)
        out.append(
            dataclasses.replace(
                t,
                depart_s=depart,
                arrive_s=depart + (t.arrive_s - t.depart_s),
                loading_start_s=math.floor(lr.start_s),
                dock=lr.dock,
            )
        )
    return tuple(out)


def _with_station_ready(problem: Problem, at: departures.StationLoading) -> Problem:
    """``problem`` with each station ready when the loaded trunk's cages are unloaded there
    (the checker's ``depot_ready`` rule then checks the trunk's timing too)."""
    depots = tuple(
        dataclasses.replace(d, ready_s=max(d.ready_s, math.ceil(at.at_station[d.id])))
        if d.id in at.at_station
        else d
        for d in problem.depots
    )
    return problem.replace(depots=depots)


def _solve_baseline(
    probs: dict[str, Problem],
    settings: DaySolverSettings,
    bars: Progress,
    name: str,
    stop: threading.Event | None,
) -> dict[str, Plan] | None:
    """One baseline's plans, or ``None`` when ``stop`` came before all were planned in full.

    Without ``stop`` all problems go to :func:`solve_many` at once; with it they go
    ``processes`` at a time, so a stop request waits for at most one batch."""
    each = settings.baseline_for(len(probs))
    if stop is None:
        return solve_many(probs, each, settings.processes, progress=bars, label=name)
    names = sorted(probs)
    step = max(1, settings.processes)
    plans: dict[str, Plan] = {}
    for k in range(0, len(names), step):
        if stop.is_set():
            return None
        batch = {n: probs[n] for n in names[k : k + step]}
        plans.update(solve_many(batch, each, settings.processes, progress=bars, label=name))
    if stop.is_set() or any(p.status == "interrupted" for p in plans.values()):
        return None
    return plans
