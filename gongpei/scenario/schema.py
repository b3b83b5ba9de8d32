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

__all__ = [
    "Brands",
    "CountyTable",
    "Demand",
    "Fleet",
    "Output",
    "Roads",
    "Routing",
    "ScenarioEvent",
    "ScenarioModel",
    "SorterConfig",
    "Trunk",
    "VanType",
    "WaveTable",
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


DataPath = Annotated[
    str,
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
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


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


class SorterConfig(_Table):
    """``[sorter]``: the shared loop sorter."""

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
    horizon: Clock = Field(default=20 * 3600, description="the simulation stops here")
    zones: int = Field(default=1, ge=1, le=20)  # induction zones round the loop
    scanners: Literal["single", "per_zone"] = "single"  # per_zone: one after each zone
    secondary_sort_staff: int = Field(default=2, ge=0, le=1000)  # split shared chutes' bags
    secondary_sort_rate_per_h: float = Field(default=300.0, gt=0, le=20000)
    split_chutes_above: float = Field(default=0.0, ge=0)  # more expected: ceil(x / this) chutes


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
    baselines: list[BaselineName] = Field(default_factory=_default_baselines)
    baseline_time_limit_s: float = Field(default=5.0, gt=0, le=3600)

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
    output: Output = Output()
    events: list[ScenarioEvent] = Field(default_factory=list)

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
        for k, w in enumerate(self.brands.waves):
            if w.end >= self.sorter.horizon:
                raise bad(
                    f"brands.waves[{k}].end",
                    format_clock(w.end),
                    f"trucks arrive after the sorter horizon {format_clock(self.sorter.horizon)}",
                )
        return self
