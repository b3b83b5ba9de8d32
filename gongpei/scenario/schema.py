"""The scenario schema: one pydantic model per table of a scenario file.

Every model forbids unknown keys (a misspelt key is an error, never silently ignored) and is
frozen. Clock times are written ``"HH:MM"`` (or ``"HH:MM:SS"``, or a TOML local time) and held
as integer seconds after midnight. Files are validated in JSON mode, so a string is never
quietly turned into a number.

The field paths of these models are the paths planners use everywhere else: in error lines
(``fleet.vans[0].capacity_parcels``) and in sweep overrides (``sorter.chute_capacity``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from gongpei.scenario.clock import format_clock
from gongpei.scenario.fields import (
    Clock,
    DataPath,
    Positive,
    Share,
    UnitKind,
    _Table,
    _urban_kinds,
    bad,
)
from gongpei.scenario.schema_events import (
    ChuteJamEvent,
    FestivalEvent,
    HarvestPeakEvent,
    ScannerOutageEvent,
    ScenarioEvent,
    StationUnstaffedEvent,
)
from gongpei.scenario.schema_line import LoadingTable
from gongpei.scenario.schema_routing import Routing
from gongpei.scenario.schema_sorter import LOOP_ONLY_EVENTS, EconomicsTable, SorterConfig
from gongpei.scenario.schema_week import WeekTable

__all__ = [
    "Brands",
    "CountyTable",
    "Demand",
    "Fleet",
    "LoadingTable",
    "Output",
    "Roads",
    "ScenarioModel",
    "Trunk",
    "VanType",
    "WaveTable",
]


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
    same_day_within_km: float | None = Field(
        default=None,
        gt=0,
        le=500,
        description="a later same-day wave served on its own visit: villages within this "
        "many road km of the hub get the wave's parcels today, on a separate visit released "
        "when the wave's chutes are ready (a second trip, with [[fleet.vans]] max_trips >= "
        "2); farther villages get them on tomorrow's rounds. Unset: every village one visit "
        "a day, released when its last same-day parcel is ready",
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
    max_trips: Annotated[int, Field(ge=1, le=4)] = Field(
        default=1,
        description="trips a van may make in its shift: back at its depot, reloaded, out "
        "again (1: one round a day). Needs backend 'pyvrp' or 'auto' (OR-Tools plans one "
        "trip per van)",
    )
    reload_min: float = Field(
        default=30.0,
        ge=0,
        le=240,
        description="minutes at the depot between two trips: the pickups unloaded, the next "
        "trip's cages loaded (E: two loaders at 300 parcels/h load a full 300-parcel van in "
        "30 min; a second trip carries less, but the pickups come off first)",
    )

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


class Output(_Table):
    """``[output]``: what to write."""

    dir: str = "gongpei-out"
    plots: bool = True
    html: bool = True
    parcels_csv: bool = True


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

    @model_validator(mode="after")
    def _second_trips(self) -> ScenarioModel:
        """Second trips and later same-day waves: what the rounds cannot do is an error here,
        so ``validate`` rejects what ``run`` would."""
        if self.routing.backend == "ortools":
            for k, van in enumerate(self.fleet.vans):
                if van.max_trips > 1:
                    raise bad(
                        "routing.backend",
                        "ortools",
                        f"fleet.vans[{k}].max_trips = {van.max_trips}: OR-Tools plans one "
                        "trip per van; use backend 'pyvrp' or 'auto' for second trips",
                    )
        waves = self.brands.waves
        first = [w for w in waves if w.rounds == "same_day" and w.same_day_within_km is None]
        for k, w in enumerate(waves):
            if w.same_day_within_km is None:
                continue
            where = f"brands.waves[{k}].same_day_within_km"
            if w.rounds != "same_day":
                raise bad(
                    where, w.same_day_within_km, f'needs rounds = "same_day", not "{w.rounds}"'
                )
            if not first:
                raise bad(
                    where,
                    w.same_day_within_km,
                    "a wave on its own later visit needs a same-day wave without it for the "
                    "first visits",
                )
            latest = max(first, key=lambda f: f.cutoff)
            if w.cutoff <= latest.cutoff:
                raise bad(
                    where,
                    w.same_day_within_km,
                    f"the wave's cut-off {format_clock(w.cutoff)} must be after the cut-off of "
                    f"every first-visit wave ({latest.name} {format_clock(latest.cutoff)})",
                )
            if self.county.use_transfer_stations:
                raise bad(
                    where,
                    w.same_day_within_km,
                    "not with county.use_transfer_stations = true (one trunk run a day per "
                    "station)",
                )
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
