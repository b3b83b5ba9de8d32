"""Everything a day needs before the sorter runs, built once — and the one validation path.

:func:`prepare_day` turns a scenario into the engines' inputs: the county (villages placed,
roads, matrices), the day's demand, the line of the scenario's ``sorter.kind``, the trucks,
the chute layout and the faults, and it builds the day's routing problem once on the demand
itself (every village ready at midnight) so that a fleet, depot or window fault is found
before anything is simulated.

``gongpei validate`` calls it and stops; ``gongpei run`` (and sweeps, province runs and
replans) call it and go on. So whatever ``run`` can reject before simulating, ``validate``
rejects too, with the same line: an engine's input error (a loop too short for its stations
and chutes, a bad road file, a van that cannot start) becomes a :class:`ScenarioError`
line prefixed with the scenario file.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

import numpy as np

import sorter
from gongpei.county.build import County, build_county
from gongpei.day.demand import DayDemand, day_demand, expected_demand, seat_villages
from gongpei.day.line_inputs import (
    assignment_policy,
    build_faults,
    build_layout,
    build_waves,
    expected_by_code,
    extra_chutes,
    round_groups,
    split_line,
    split_trucks,
    village_infos,
)
from gongpei.day.problems import codelivery_problem, station_problem, stops_from_day
from gongpei.scenario.loading import Scenario
from gongpei.scenario.messages import ScenarioError

__all__ = ["DayInputs", "prepare_day"]


@dataclass(frozen=True, eq=False)
class DayInputs:
    """The engines' inputs for one scenario day (nothing simulated yet)."""

    county: County
    demand: DayDemand
    line: sorter.Layout  # of the scenario's sorter.kind
    arrivals: sorter.Arrivals
    chute_of: dict[str, str]
    faults: tuple[sorter.Fault, ...]
    timings: dict[str, float]


def prepare_day(scenario: Scenario) -> DayInputs:
    """Build the day's inputs, or raise :class:`ScenarioError` naming the scenario file."""
    with _input_errors_as_lines(scenario):
        return _prepare(scenario)


@contextmanager
def _input_errors_as_lines(scenario: Scenario) -> Iterator[None]:
    from gongpei.errors import input_error_types

    try:
        yield
    except ScenarioError:
        raise
    except input_error_types() as exc:
        raise ScenarioError([f"{scenario.source}: {exc}"]) from None


def _prepare(scenario: Scenario) -> DayInputs:
    m = scenario.model
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    county = build_county(scenario)
    codes = [v.code for v in county.villages]
    rural = [v.kind not in county.excluded_kinds for v in county.villages]
    seat_towns = seat_villages(county)
    expected = expected_demand(
        codes, rural, [c in seat_towns for c in codes], m.demand, m.county.placement_seed
    )
    # No cap at the largest van: a village with more parcels than any van holds is served
    # in van-sized drops (routing.split), so nothing is dropped before the sort.
    demand = day_demand(codes, expected, rural, m, scenario.seed)
    biggest_van = max(v.capacity_parcels for v in m.fleet.vans)
    timings["county_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    exp = expected_by_code(codes, expected)
    line = build_layout(scenario, len(codes), extra_chutes(scenario, exp))
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
    arrivals = split_trucks(arrivals, m.sorter.truck_parcels)
    policy = assignment_policy(scenario)
    # The policies read only what every kind of layout has (village chutes, length, scanner,
    # induction), so a linear line or cages go through the loop's Protocol unchanged.
    chute_of = (
        dict(policy) if isinstance(policy, dict) else policy.assign(infos, cast(sorter.Line, line))
    )
    if isinstance(line, sorter.Line):  # split chutes: a loop's option
        line = split_line(scenario, line, chute_of, exp)
    faults = build_faults(scenario, line, chute_of)
    _routing_problem_builds(scenario, county, demand)
    timings["inputs_s"] = time.perf_counter() - t0
    return DayInputs(county, demand, line, arrivals, chute_of, faults, timings)


def _routing_problem_builds(scenario: Scenario, county: County, demand: DayDemand) -> None:
    """Build the day's routing problem on the demand itself (every chute ready at midnight):
    the vans, depots, shifts and windows are checked here, before the line runs."""
    inbound = {d.code: d.inbound for d in demand.villages}
    stops = stops_from_day(county, demand, inbound, {})
    if scenario.model.county.use_transfer_stations:
        station_problem(scenario, county, stops)
    else:
        codelivery_problem(scenario, county, stops)
