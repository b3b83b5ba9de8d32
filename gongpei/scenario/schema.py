"""The scenario schema: one pydantic model per table of a scenario file.

Every model forbids unknown keys (a misspelt key is an error, never silently ignored) and is
frozen. Clock times are written ``"HH:MM"`` (or ``"HH:MM:SS"``, or a TOML local time) and held
as integer seconds after midnight. Files are validated in JSON mode, so a string is never
quietly turned into a number.

The field paths of these models are the paths planners use everywhere else: in error lines
(``fleet.vans[0].capacity_parcels``) and in sweep overrides (``sorter.chute_capacity``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from gongpei.scenario.clock import _CLOCK, MAX_CLOCK_S, format_clock, parse_clock
from gongpei.scenario.paths import BUILTIN_PREFIX, builtin_name_problem
from gongpei.scenario.schema_line import LineToVanFields, LoadingTable

__all__ = [
    "Brands",
    "CountyTable",
    "Demand",
    "EconomicsTable",
    "Fleet",
    "LinearTable",
    "LoadingTable",
    "ManualTable",
    "Output",
    "Roads",
    "Routing",
    "ScenarioEvent",
    "ScenarioModel",
    "SorterConfig",
    "Trunk",
    "VanType",
    "WaveTable",
    "WeekTable",
]


Clock = Annotated[
    int,
    BeforeValidator(parse_clock),
    Field(ge=0, le=MAX_CLOCK_S),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": _CLOCK.pattern},
                {"type": "integer", "minimum": 0, "maximum": MAX_CLOCK_S},
            ],
            "description": "clock time 'HH:MM' (or seconds after midnight)",
        }
    ),
]
Share = Annotated[float, Field(gt=0, le=1)]
Positive = Annotated[float, Field(gt=0)]
PositiveInt = Annotated[int, Field(gt=0)]


def _shipped_name(value: str) -> str:
    if value.startswith(BUILTIN_PREFIX):
        problem = builtin_name_problem(value[len(BUILTIN_PREFIX) :])
        if problem:
            raise ValueError(problem)
    return value


DataPath = Annotated[
    str,
    AfterValidator(_shipped_name),
    Field(
        min_length=1,
        description="a file path relative to the scenario file, or 'gongpei:NAME' for a file "
        "shipped with gongpei",
    ),
]


def bad(field: str, value: Any, message: str) -> PydanticCustomError:
    """An error about ``field`` (a path relative to the model being validated) with ``value``.

    Cross-field checks raise this so the error line still names the exact field and value.
    """
    return PydanticCustomError("bad_field", message, {"field": field, "value": value})


UnitKind = Literal["村", "社区", "居委会", "生活区"]
BaselineName = Literal["brands_alone", "township_drop"]


def _urban_kinds() -> list[UnitKind]:
    return ["社区", "居委会"]


def _default_baselines() -> list[BaselineName]:
    return ["brands_alone"]


class _Table(BaseModel):
    # allow_inf_nan=False: `inf` and `nan` are valid TOML floats but no setting means them
    # (a share of inf made the brand draw crash mid-run).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


# ---------------------------------------------------------------------------------------------
class Meta(_Table):
    """``[scenario]``: what this file is."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    extends: str | None = Field(
        default=None,
        description="a base scenario this file changes (tables merge, values and arrays "
        "replace); a path relative to this file or 'gongpei:NAME'",
    )
    title: str = ""
    description: str = ""
    seed: int = Field(default=2023, ge=0, le=2**32 - 1)


class CountyTable(_Table):
    """``[county]``: the county, its data files and the hub."""

    code: str = Field(pattern=r"^\d{6}$")
    name: str
    towns: DataPath
    villages: DataPath
    outline: DataPath
    hub_village: str = Field(pattern=r"^\d{12}$", description="NBS code of the hub's village")
    hub_name: str = "county co-delivery centre"
    placement_seed: int = Field(default=331123, ge=0, le=2**32 - 1)
    min_separation_m: float = Field(default=300.0, gt=0, le=5000)
    transfer_stations: list[Annotated[str, Field(pattern=r"^\d{9}$")]] = Field(
        default_factory=list, description="township codes hosting a transfer station"
    )
    use_transfer_stations: bool = False

    @field_validator("transfer_stations")
    @classmethod
    def _stations_once(cls, codes: list[str]) -> list[str]:
        for k, code in enumerate(codes):
            if code in codes[:k]:
                raise bad(f"[{k}]", code, f"listed twice (also [{codes.index(code)}])")
        return codes

    exclude_kinds: list[UnitKind] = Field(
        default_factory=_urban_kinds,
        description="village-level kinds not served by the village rounds (urban units)",
    )


class RoadSpeeds(_Table):
    expressway: float = Field(default=85.0, gt=0, le=130)
    trunk: float = Field(default=45.0, gt=0, le=130)
    county: float = Field(default=32.0, gt=0, le=130)
    village: float = Field(default=20.0, gt=0, le=130)


class Roads(_Table):
    """``[roads]``: the road network the vans drive on."""

    network: Literal["corridors", "generic", "graphml"] = Field(
        default="corridors",
        description="corridors: calibrated inter-township links from `links`; generic: a "
        "synthetic skeleton between township seats (any county); graphml: a real road graph",
    )
    links: DataPath | None = Field(
        default=None, description="CSV of inter-township links a,b,road_class,detour"
    )
    graphml: DataPath | None = None
    speeds_kmh: RoadSpeeds = RoadSpeeds()
    village_detour: float = Field(default=1.45, ge=1.0, le=3.0)
    closed: list[tuple[str, str]] = Field(
        default_factory=list, description="closed road links as [node, node] pairs"
    )

    @field_validator("closed")
    @classmethod
    def _closed_once(cls, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        seen: dict[frozenset[str], int] = {}
        for k, (a, b) in enumerate(pairs):
            key = frozenset((a, b))
            if key in seen:
                raise bad(f"[{k}]", [a, b], f"closed twice (also closed[{seen[key]}])")
            seen[key] = k
        return pairs

    @model_validator(mode="after")
    def _source_given(self) -> Roads:
        if self.network == "graphml" and not self.graphml:
            raise bad("graphml", None, "network 'graphml' needs a graphml file")
        if self.network == "corridors" and not self.links:
            raise bad("links", None, "network 'corridors' needs a links file")
        return self


class Demand(_Table):
    """``[demand]``: parcels per village per day and what villagers send back."""

    village_parcels: Annotated[int, Field(gt=0, le=5_000_000)] = Field(
        default=8000, description="inbound parcels for the rural villages, whole county"
    )
    village_cv: float = Field(default=1.0, ge=0, le=3)
    village_min: Annotated[int, Field(gt=0, le=10_000)] = 5
    village_max: Annotated[int, Field(gt=0, le=100_000)] = 300
    seat_multiplier: float = Field(default=3.0, ge=1, le=20)
    urban_parcels: int = Field(
        default=12000, ge=0, le=5_000_000, description="for the urban communities"
    )
    pickup_share: float = Field(default=0.08, ge=0, le=2)
    litres_per_parcel: float = Field(default=10.0, gt=0, le=200)
    produce_litres_per_parcel: float = Field(default=20.0, gt=0, le=200)

    @model_validator(mode="after")
    def _bounds(self) -> Demand:
        if self.village_min > self.village_max:
            raise bad("village_min", self.village_min, "is above village_max")
        return self


class WaveTable(_Table):
    """A linehaul wave: the brands' trucks arrive between ``start`` and ``end``."""

    name: str
    start: Clock
    end: Clock
    share: Share
    cutoff: Clock = Field(description="bagging of the wave's chutes is forced at the cut-off")
    rounds: Literal["same_day", "next_day"] = Field(
        default="same_day",
        description="same_day: the wave's parcels release today's rounds when bagged; "
        "next_day: they wait for tomorrow's rounds (in a steady state, yesterday's are ready "
        "at the start of the shift)",
    )

    @model_validator(mode="after")
    def _order(self) -> WaveTable:
        if self.end < self.start:
            raise bad("end", format_clock(self.end), "is before start")
        if self.cutoff < self.start:
            raise bad("cutoff", format_clock(self.cutoff), "is before start")
        return self


class Brands(_Table):
    """``[brands]``: the brand mix of inbound parcels and the linehaul waves."""

    shares: dict[Annotated[str, Field(min_length=1)], Positive] = Field(min_length=1)
    waves: list[WaveTable] = Field(min_length=1)
    stagger_min: float = Field(
        default=8.0, ge=0, le=120, description="trucks of a wave arrive this far apart, by brand"
    )

    @field_validator("waves")
    @classmethod
    def _wave_shares(cls, waves: list[WaveTable]) -> list[WaveTable]:
        total = sum(w.share for w in waves)
        if abs(total - 1.0) > 1e-6:
            raise bad("share", round(total, 6), "wave shares must add up to 1")
        return waves


class Induction(_Table):
    stations: Annotated[int, Field(gt=0, le=100)] = 3
    rate_per_h: float = Field(default=1800.0, gt=0, le=20000)
    operators: Annotated[int, Field(gt=0, le=20)] = 1
    positions_m: list[Annotated[float, Field(ge=0)]] = Field(
        default_factory=list, description="station positions on the loop; empty: spread evenly"
    )


class ChuteMapEntry(_Table):
    village: str = Field(pattern=r"^\d{12}$")
    chute: int | list[int]  # several: a split chute (range and repeats: checks.py)

    @property
    def chutes(self) -> tuple[int, ...]:
        return (self.chute,) if isinstance(self.chute, int) else tuple(self.chute)


SorterKind = Literal["loop", "linear", "manual"]

#: Event kinds that are faults of a sorting line: modelled on a loop only.
LOOP_ONLY_EVENTS = ("line_stoppage", "station_unstaffed", "chute_jam", "scanner_outage")


class LinearTable(_Table):
    """``[sorter.linear]``: a linear swing-wheel (摆轮) line, read when ``sorter.kind =
    "linear"``. Every default is an estimate (E); the line's chutes, bags, bagging, no-read,
    exception, oversize, unloading and induction stations come from ``[sorter]`` as for the
    loop (``sorter.carriers``, ``pitch_m``, ``speed_mps`` and ``induction.positions_m`` are the
    loop's and are not read)."""

    speed_mps: float = Field(default=1.5, gt=0, le=5, description="belt speed, m/s (E)")
    parcel_length_m: float = Field(
        default=0.5, gt=0, le=3, description="belt length one parcel takes, m (E)"
    )
    min_gap_m: float = Field(
        default=0.4, ge=0, le=5, description="minimum gap between parcels, m (E)"
    )
    diverter_cycle_s: float = Field(
        default=0.8,
        ge=0,
        le=10,
        description="a swing-wheel module cannot divert again for this long (E)",
    )
    chute_spacing_m: float = Field(default=1.5, gt=0, le=10, description="between modules, m (E)")
    two_sided: bool = Field(default=True, description="two chutes (left, right) per module (E)")
    induction_spacing_m: float = Field(
        default=3.0, gt=0, le=50, description="between induction stations at the head, m (E)"
    )
    reinduct_staff: Annotated[int, Field(gt=0, le=100)] = Field(
        default=2, description="people carrying rejects and keyed no-reads back to induction (E)"
    )
    reinduct_rate_per_h: float = Field(
        default=600.0, gt=0, le=10_000, description="parcels/h one re-induction person carries (E)"
    )


class ManualTable(_Table):
    """``[sorter.manual]``: sorting by hand at village cages, read when ``sorter.kind =
    "manual"``. One cage per chute slot (``sorter.chutes``, 0: one per village-level unit);
    ``sorter.exception_prob``, ``unload_ports`` and ``unload_rate_per_h`` apply as on a line."""

    sorters: Annotated[int, Field(gt=0, le=1000)] = Field(
        default=20, description="people sorting at the cages (E)"
    )
    rate_per_h: float = Field(
        default=300.0,
        gt=0,
        le=5000,
        description="parcels/h per person with the cage within reach (S: PARAMETERS.md manual "
        "cage loading, China Post Chongqing; range 200–400)",
    )
    reach_m: float = Field(
        default=2.0, ge=0, le=50, description="walk already in rate_per_h, m (E)"
    )
    walk_speed_mps: float = Field(default=1.0, gt=0, le=3, description="walking pace, m/s (E)")
    cage_capacity: Annotated[int, Field(gt=0, le=10_000)] = Field(
        default=120, description="parcels a roll cage holds (E: PARAMETERS.md roll cage)"
    )
    cage_swap_s: float = Field(default=60.0, ge=0, le=3600, description="swap a full cage, s (E)")
    oversize_factor: float = Field(
        default=1.5, gt=0, le=20, description="handling time of an oversize parcel, × (E)"
    )
    cages_per_row: Annotated[int, Field(gt=0, le=1000)] = Field(
        default=20, description="cages in one row in front of the sort table (E)"
    )
    cage_pitch_m: float = Field(
        default=1.0, gt=0, le=10, description="between cages of a row, m (E)"
    )
    row_spacing_m: float = Field(default=2.5, gt=0, le=50, description="between rows, m (E)")


class SorterConfig(LineToVanFields, _Table):
    """``[sorter]``: the shared sorting line (``kind``: a loop, a linear line or cages; the
    line-to-van fields: :mod:`.schema_line`)."""

    kind: SorterKind = Field(
        default="loop",
        description="loop (cross-belt / tilt-tray), linear (swing-wheel, [sorter.linear]) or "
        "manual (cages, [sorter.manual])",
    )
    carriers: Annotated[int, Field(gt=0, le=100_000)] = 600
    pitch_m: float = Field(default=0.67, gt=0, le=5)
    speed_mps: float = Field(default=2.5, gt=0, le=10)
    induction: Induction = Induction()
    chutes: int = Field(
        default=0,
        ge=0,
        le=100_000,
        description="village chute slots; 0: one per village-level unit",
    )
    chute_capacity: Annotated[int, Field(gt=0, le=10_000)] = 40
    chute_map: list[ChuteMapEntry] = Field(default_factory=list)
    assignment: str = Field(default="by_round", min_length=1)
    max_recirculations: int = Field(default=3, ge=0, le=100)
    bagging_operators: Annotated[int, Field(gt=0, le=1000)] = 6
    bag_time_s: float = Field(default=60.0, gt=0, le=3600)
    fill_threshold: float = Field(default=1.0, gt=0, le=1)
    no_read_prob: float = Field(default=0.01, ge=0, le=0.5)
    keying_delay_s: float = Field(default=120.0, ge=0, le=7200)
    exception_prob: float = Field(default=0.002, ge=0, le=0.5)
    oversize_share: float = Field(default=0.06, ge=0, le=1)
    unload_ports: Annotated[int, Field(gt=0, le=200)] = 4
    unload_rate_per_h: float = Field(default=750.0, gt=0, le=20000)
    horizon: Clock = Field(
        default=20 * 3600,
        description="the simulation stops here (at the latest 24:00: the line sorts one day)",
    )

    @field_validator("horizon")
    @classmethod
    def _one_day(cls, horizon: int) -> int:
        if horizon > 24 * 3600:
            raise bad("", format_clock(horizon), "must be at most 24:00 (the line sorts one day)")
        return horizon

    linear: LinearTable = LinearTable()
    manual: ManualTable = ManualTable()
    zones: int = Field(default=1, ge=1, le=20)  # induction zones round the loop
    scanners: Literal["single", "per_zone"] = "single"  # per_zone: one after each zone
    secondary_sort_staff: int = Field(default=2, ge=0, le=1000)  # split shared chutes' bags
    secondary_sort_rate_per_h: float = Field(default=300.0, gt=0, le=20000)
    split_chutes_above: float = Field(default=0.0, ge=0)  # more expected: ceil(x / this) chutes


class EconomicsTable(_Table):
    """``[economics]``: what sorting costs, for the cost per parcel in the outputs.

    An unset field takes the default of the scenario's ``sorter.kind`` (``sorter.economics``;
    all estimates, E): capex loop ¥4.0 M / linear ¥1.2 M / manual ¥60 k, written off over
    10 / 8 / 5 years, upkeep 3 / 4 / 5 % of capex a year, 60 / 30 / 3 kW, overhead staff
    2 / 2 / 1; ¥0.8/kWh, 360 working days, wage ¥24/h (PARAMETERS.md, S weak / E)."""

    capex_yuan: float | None = Field(
        default=None, ge=0, le=1e10, description="purchase and installation, ¥ (E)"
    )
    depreciation_years: float | None = Field(
        default=None, gt=0, le=100, description="written off linearly over this many years (E)"
    )
    upkeep_share_per_year: float | None = Field(
        default=None, ge=0, le=1, description="maintenance per year, share of capex (E)"
    )
    power_kw: float | None = Field(
        default=None, ge=0, le=10_000, description="draw while running (E)"
    )
    yuan_per_kwh: float | None = Field(default=None, ge=0, le=100, description="electricity (E)")
    working_days_per_year: Annotated[int, Field(gt=0, le=366)] | None = Field(
        default=None, description="days a year the centre sorts (E)"
    )
    wage_per_h: float | None = Field(
        default=None, ge=0, le=10_000, description="loaded wage of a sorting worker, ¥/h (S weak/E)"
    )
    overhead_staff: Annotated[int, Field(ge=0, le=1000)] | None = Field(
        default=None, description="people on shift besides the line's own staff (E)"
    )
    staffing: Literal["span", "waves"] = Field(
        default="span",
        description="span: paid from the first truck to the last parcel settled; waves: only "
        "while a wave is sorted (a lower bound)",
    )


class VanType(_Table):
    """A type of van in ``[[fleet.vans]]``."""

    name: str = Field(min_length=1, pattern=r"^[^#\s]+$")
    count: Annotated[int, Field(gt=0, le=2000)]
    capacity_parcels: Annotated[int, Field(gt=0, le=1_000_000)]
    capacity_litres: Annotated[int, Field(gt=0, le=10_000_000)]
    fixed_cost: float = Field(default=310.0, ge=0, description="yuan per van-day incl. driver")
    cost_per_km: float = Field(default=0.85, ge=0)
    cost_per_h: float = Field(default=0.0, ge=0)
    shift_start: Clock = 7 * 3600 + 1800
    shift_end: Clock = 16 * 3600 + 1800
    max_duration_h: float = Field(default=10.0, gt=0, le=24)
    max_km: float = Field(default=250.0, gt=0, le=2000)
    co2_kg_per_km: float = Field(default=0.27, ge=0, le=5)
    depot: str = Field(default="hub", description="'hub' or a transfer-station township code")

    @model_validator(mode="after")
    def _shift(self) -> VanType:
        if self.shift_end <= self.shift_start:
            raise bad("shift_end", format_clock(self.shift_end), "is not after shift_start")
        return self


class Trunk(_Table):
    """``[fleet.trunk]``: the box truck that runs hub → township transfer station and back
    (county–town–village mode). One trip per station per day."""

    name: str = "box-truck"
    capacity_parcels: Annotated[int, Field(gt=0, le=1_000_000)] = (
        1500  # 4.2 m box truck, 15 m³ (S/E)
    )
    fixed_cost: float = Field(default=350.0, ge=0, description="yuan per truck-day incl. driver")
    cost_per_km: float = Field(default=1.2, ge=0)  # 12 L/100 km diesel + upkeep (S/E)
    co2_kg_per_km: float = Field(default=0.32, ge=0, le=5)
    speed_factor: float = Field(default=1.0, gt=0, le=3, description="× van travel times")
    transfer_min: float = Field(default=20.0, ge=0, le=600, description="unload at the station")
    cage_load_s: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        description="seconds to roll one village cage onto the truck at a hub dock (E)",
    )


class Fleet(_Table):
    """``[fleet]``: the vans (and the trunk truck for transfer stations)."""

    vans: list[VanType] = Field(min_length=1)
    trunk: Trunk = Trunk()

    @field_validator("vans")
    @classmethod
    def _unique(cls, vans: list[VanType]) -> list[VanType]:
        names = [v.name for v in vans]
        for k, n in enumerate(names):
            if n in names[:k]:
                raise bad(f"[{k}].name", n, "van type names must be unique")
        return vans


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


class Output(_Table):
    """``[output]``: what to write."""

    dir: str = "gongpei-out"
    plots: bool = True
    html: bool = True
    parcels_csv: bool = True


# --- events ----------------------------------------------------------------------------------
class HarvestPeakEvent(_Table):
    kind: Literal["harvest_peak"]
    villages: list[Annotated[str, Field(pattern=r"^\d{12}$")]] = Field(min_length=1)
    pickup_multiplier: float = Field(gt=0, le=100)
    produce: str = "produce"

    @field_validator("villages")
    @classmethod
    def _unique(cls, villages: list[str]) -> list[str]:
        # A village listed twice would get the multiplier twice (4^20 for 20 copies).
        for k, code in enumerate(villages):
            if code in villages[:k]:
                first = villages.index(code)
                raise bad(f"[{k}]", code, f"listed twice (also villages[{first}])")
        return villages


class FestivalEvent(_Table):
    kind: Literal["festival"]
    volume_multiplier: float = Field(gt=0, le=20)
    name: str = "shopping festival"


class LineStoppageEvent(_Table):
    kind: Literal["line_stoppage"]
    mtbf_h: float = Field(gt=0, le=1000)
    mttr_min: float = Field(gt=0, le=1440)


class StationUnstaffedEvent(_Table):
    kind: Literal["station_unstaffed"]
    station: int = Field(ge=0, le=100)
    start: Clock
    end: Clock


class ChuteJamEvent(_Table):
    kind: Literal["chute_jam"]
    village: str = Field(pattern=r"^\d{12}$")
    start: Clock
    end: Clock


class ScannerOutageEvent(_Table):
    kind: Literal["scanner_outage"]
    start: Clock
    end: Clock


EVENT_TYPES = (
    HarvestPeakEvent,
    FestivalEvent,
    LineStoppageEvent,
    StationUnstaffedEvent,
    ChuteJamEvent,
    ScannerOutageEvent,
)
#: The ``kind`` tag of each event table.
EVENT_KINDS = tuple(get_args(t.model_fields["kind"].annotation)[0] for t in EVENT_TYPES)

ScenarioEvent = Annotated[
    HarvestPeakEvent
    | FestivalEvent
    | LineStoppageEvent
    | StationUnstaffedEvent
    | ChuteJamEvent
    | ScannerOutageEvent,
    Field(discriminator="kind"),
]


# --- the week (gongpei week) -------------------------------------------------------------------
#: Days of the week, Monday first: the names a ``[week]`` table uses.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
VillageCode = Annotated[str, Field(pattern=r"^\d{12}$")]
TownCode = Annotated[str, Field(pattern=r"^\d{9}$")]
Frequency = Annotated[int, Field(ge=1, le=7)]


def _all_days() -> list[Day]:
    return list(WEEKDAYS)  # type: ignore[arg-type]


def _default_frequencies() -> list[int]:
    return [7, 6, 5, 3, 2]


def _in_week_order(days: list[Day], field: str) -> None:
    order = [WEEKDAYS.index(d) for d in days]
    if order != sorted(set(order)):
        raise bad(field, days, "days must be unique and in week order (mon … sun)")


class WeekProduceTable(_Table):
    """``[[week.produce]]``: produce collected at these villages on fixed days (each such day
    is a harvest peak there, and the village must be served on it)."""

    villages: list[VillageCode] = Field(min_length=1)
    days: list[Day] = Field(min_length=1)
    pickup_multiplier: float = Field(default=4.0, gt=0, le=100)
    produce: str = "produce"

    @model_validator(mode="after")
    def _order(self) -> WeekProduceTable:
        _in_week_order(self.days, "days")
        return self


class WeekServiceTable(_Table):
    """``[[week.villages]]``: the service of some villages (by code or by township): either
    gongpei chooses among ``frequencies`` (visits a week) or the ``pattern`` is fixed."""

    villages: list[VillageCode] = Field(default_factory=list)
    towns: list[TownCode] = Field(default_factory=list)
    frequencies: list[Frequency] | None = None
    pattern: list[Day] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> WeekServiceTable:
        if not self.villages and not self.towns:
            raise bad("villages", [], "name villages or towns")
        if (self.frequencies is None) == (self.pattern is None):
            raise bad("pattern", self.pattern, "give exactly one of frequencies and pattern")
        if self.pattern is not None:
            if not self.pattern:
                raise bad("pattern", [], "a pattern needs at least one day")
            _in_week_order(self.pattern, "pattern")
        if self.frequencies is not None and not self.frequencies:
            raise bad("frequencies", [], "give at least one frequency")
        return self


class WeekTable(_Table):
    """``[week]``: a week of days (``gongpei week``). Ignored by a one-day run; the defaults
    are today's rule: every planned day, every village daily, nothing waits."""

    days: list[Day] = Field(
        default_factory=_all_days, min_length=1, description="days the hub sorts and rounds run"
    )
    volume: dict[Day, Annotated[float, Field(gt=0, le=20)]] = Field(
        default_factory=dict, description="inbound volume factor per day (1: a normal day)"
    )
    events: dict[Day, list[ScenarioEvent]] = Field(
        default_factory=dict, description="events on named days (on top of [[events]])"
    )
    produce: list[WeekProduceTable] = Field(default_factory=list)
    service: Literal["daily", "auto"] = Field(
        default="daily",
        description="villages without a [[week.villages]] rule: daily, or auto (gongpei "
        "chooses a pattern of `frequencies`)",
    )
    frequencies: list[Frequency] = Field(
        default_factory=_default_frequencies, min_length=1, description="visits a week (auto)"
    )
    patterns: dict[Annotated[str, Field(pattern=r"^[1-7]$")], list[list[Day]]] = Field(
        default_factory=dict,
        description="day patterns per frequency ('3' = [[mon, wed, fri], …]); replaces the "
        "built-in ones for that frequency",
    )
    villages: list[WeekServiceTable] = Field(default_factory=list)
    max_wait_days: int = Field(
        default=2, ge=0, le=6, description="days a parcel may wait in its staged cage at the hub"
    )
    hub_cage_parcels: Annotated[int, Field(gt=0, le=100_000)] = Field(
        default=240, description="parcels one village's staged cages at the hub hold (2 cages)"
    )
    station_cage_parcels: Annotated[int, Field(gt=0, le=100_000)] = Field(
        default=100, description="outgoing parcels the village station can keep between visits"
    )
    carry_in: Literal["steady", "empty"] = Field(
        default="steady",
        description="steady: the week repeats (what waits at its end waited at its start); "
        "empty: the cages are empty on the first day",
    )
    standing_rounds: bool = Field(
        default=False, description="also plan standing rounds: one village order all week"
    )
    search_moves: int = Field(
        default=300, ge=0, le=100_000, description="pattern changes tried by the local search"
    )

    @model_validator(mode="after")
    def _days(self) -> WeekTable:
        _in_week_order(self.days, "days")
        for day, factor in self.volume.items():
            if day not in self.days:
                raise bad(f"volume.{day}", factor, f"{day} is not one of week.days")
        for day in self.events:
            if day not in self.days:
                raise bad(f"events.{day}", day, "not one of week.days")
        for k, p in enumerate(self.produce):
            for j, day in enumerate(p.days):
                if day not in self.days:
                    raise bad(f"produce[{k}].days[{j}]", day, "not one of week.days")
        for freq, pats in self.patterns.items():
            for j, pat in enumerate(pats):
                if len(pat) != int(freq):
                    raise bad(f"patterns.{freq}[{j}]", pat, f"needs {freq} days")
                _in_week_order(pat, f"patterns.{freq}[{j}]")
        return self


class ScenarioModel(_Table):
    """A whole scenario file."""

    scenario: Meta
    county: CountyTable
    roads: Roads
    demand: Demand = Demand()
    brands: Brands
    sorter: SorterConfig = SorterConfig()
    fleet: Fleet
    routing: Routing = Routing()
    economics: EconomicsTable = EconomicsTable()
    loading: LoadingTable = LoadingTable()
    output: Output = Output()
    events: list[ScenarioEvent] = Field(default_factory=list)
    week: WeekTable = WeekTable()

    @model_validator(mode="after")
    def _events_the_line_models(self) -> ScenarioModel:
        """Line faults are modelled on a loop only: on another kind they are an error, never
        silently ignored."""
        if self.sorter.kind != "loop":
            for k, ev in enumerate(self.events):
                if ev.kind in LOOP_ONLY_EVENTS:
                    raise bad(
                        f"events[{k}].kind",
                        ev.kind,
                        f'modelled on a loop only, not with sorter.kind = "{self.sorter.kind}"',
                    )
        return self

    @model_validator(mode="after")
    def _periods(self) -> ScenarioModel:
        for k, ev in enumerate(self.events):
            if (
                isinstance(ev, StationUnstaffedEvent | ChuteJamEvent | ScannerOutageEvent)
                and ev.end <= ev.start
            ):
                raise bad(f"events[{k}].end", format_clock(ev.end), "is not after start")
            if (
                isinstance(ev, StationUnstaffedEvent)
                and ev.station >= self.sorter.induction.stations
            ):
                raise bad(
                    f"events[{k}].station",
                    ev.station,
                    f"the line has {self.sorter.induction.stations} induction stations (0-based)",
                )
        horizon = self.sorter.horizon
        if all(horizon <= w.start for w in self.brands.waves):
            # Before any truck arrives: the horizon is wrong, not the waves (a bare number
            # such as 2000 is read as seconds after midnight, 00:33).
            raise bad(
                "sorter.horizon",
                format_clock(horizon),
                "the line stops before any wave's trucks arrive (write a clock time "
                "'HH:MM'; a number is seconds after midnight)",
            )
        for k, w in enumerate(self.brands.waves):
            if w.end >= horizon:
                raise bad(
                    f"brands.waves[{k}].end",
                    format_clock(w.end),
                    f"trucks arrive after the sorter horizon {format_clock(horizon)}",
                )
            if w.cutoff > horizon:
                raise bad(
                    f"brands.waves[{k}].cutoff",
                    format_clock(w.cutoff),
                    f"is after the sorter horizon {format_clock(horizon)}",
                )
        self._events_once()
        return self

    def _events_once(self) -> None:
        """Event effects multiply: a village in two harvest peaks, or two festivals, would
        compound (a multiplier of 4 twenty times over is 10^12 parcels)."""
        seen: dict[str, str] = {}
        first_festival = -1
        for k, ev in enumerate(self.events):
            if isinstance(ev, HarvestPeakEvent):
                for j, code in enumerate(ev.villages):
                    where = f"events[{k}].villages[{j}]"
                    if code in seen:
                        raise bad(where, code, f"already in a harvest peak ({seen[code]})")
                    seen[code] = where
            elif isinstance(ev, FestivalEvent):
                if first_festival >= 0:
                    raise bad(
                        f"events[{k}]",
                        None,
                        f"a second festival (also events[{first_festival}]): one day has one "
                        "festival; give its volume_multiplier",
                    )
                first_festival = k
