"""The scenario's ``[routing]`` table: backend and budget, service times, the promise (and the
county seat's earlier one), drop penalties and the baselines to compare with."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    model_validator,
)

from gongpei.scenario.clock import format_clock
from gongpei.scenario.fields import (
    BaselineName,
    Clock,
    _default_baselines,
    _Table,
    bad,
)


class Routing(_Table):
    """``[routing]``: how rounds are planned."""

    backend: Literal["ortools", "pyvrp", "auto"] = "auto"
    time_limit_s: float = Field(default=20.0, gt=0, le=3600)
    deterministic: bool = Field(
        default=False, description="bound the search by work, not wall time (reproducible)"
    )
    processes: Annotated[int, Field(gt=0, le=64)] = Field(
        default=2,
        description="processes one day may use: `auto` runs PyVRP beside OR-Tools (then "
        "a second PyVRP seed) and the baselines two at a time when >= 2; with 1, `auto` runs "
        "PyVRP alone (the stronger backend in benchmarks/routing_vrpspd.py) and baselines one "
        "by one — what province and sweep runs on Dask use, one core per county day",
    )
    solution_limit: Annotated[int, Field(gt=0, le=10_000_000)] | None = Field(
        default=None, description="OR-Tools: stop after this many solutions (deterministic)"
    )
    max_iterations: Annotated[int, Field(gt=0, le=10_000_000)] | None = Field(
        default=None, description="PyVRP: stop after this many iterations (deterministic)"
    )
    service_fixed_s: float = Field(default=240.0, ge=0, le=7200)
    service_per_parcel_s: float = Field(default=6.0, ge=0, le=600)
    station_open: Clock = 8 * 3600
    station_close: Clock = 20 * 3600
    promised_by: Clock = Field(
        default=14 * 3600, description="the time villagers are promised their parcels by"
    )
    promise: Literal["report", "soft", "hard"] = Field(
        default="soft",
        description="how the rounds treat promised_by: 'report' only colours the villages; "
        "'soft' charges late_cost_per_parcel_h for every parcel-hour after it (late rather "
        "than not at all: what a county promising a time would do); 'hard' makes it a "
        "deadline (a village no van can reach in time is unserved, with the binding reason)",
    )
    promised_by_towns: dict[Annotated[str, Field(pattern=r"^\d{9}$")], Clock] = Field(
        default_factory=dict,
        description="earlier promises for some townships (township code = time), e.g. the "
        "county seat's, a few km from the hub: a village there is late (red) after its "
        "township's time. Under promise = 'soft' that time is firm: a parcel-hour late there "
        "costs a tenth of drop_penalty_per_parcel (¥100 at the default), so the rounds keep "
        "it rather than trade it for km, yet a late stop still beats a dropped one in any "
        "day shorter than ten hours; under 'hard' it is the deadline",
    )
    late_cost_per_parcel_h: float = Field(
        default=2.0,
        ge=0,
        le=10_000,
        description="yuan per parcel per hour delivered after promised_by (soft promise). "
        "E: a villager who comes at the promised time and finds nothing comes again, about "
        "20 min at ~¥20/h of rural working time; not every late hour costs a trip, so ¥2 "
        "per parcel-hour (a 40-parcel village an hour late: ¥80, a quarter of a van-day); "
        "sweep 0.5–10",
    )
    drop_penalty_per_parcel: float = Field(
        default=1000.0,
        gt=0,
        le=1_000_000,
        description="yuan per parcel delivered or collected that a plan leaves behind by "
        "not serving a village: far above a round's cost per parcel (~¥1–3), so every "
        "village that can be served is, and a short fleet leaves the fewest parcels behind",
    )
    baselines: list[BaselineName] = Field(default_factory=_default_baselines)
    baseline_time_limit_s: float | None = Field(
        default=None,
        gt=0,
        le=3600,
        description="seconds per baseline problem (one brand or township), single-core; "
        "unset (the default): each baseline problem gets the co-delivery plan's own budget "
        "and cores (time_limit_s, backend, processes), so the saving is not an artefact of "
        "a shorter search; summary.json records the budgets either way",
    )

    @model_validator(mode="after")
    def _window(self) -> Routing:
        if self.station_close <= self.station_open:
            raise bad(
                "station_close", format_clock(self.station_close), "is not after station_open"
            )
        return self
