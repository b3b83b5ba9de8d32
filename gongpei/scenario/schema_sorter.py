"""The scenario's ``[sorter]`` table and its sub-tables (induction, chute map, linear and
manual lines) and ``[economics]``: what the line is and what it costs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
)

from gongpei.scenario.clock import format_clock
from gongpei.scenario.fields import (
    Clock,
    _Table,
    bad,
)
from gongpei.scenario.schema_line import LineToVanFields


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
