"""What sorting a parcel costs on each kind of line: capex, staff, power.

Every price here is an **estimate (E)**: no vendor publishes prices for county-sized lines and
none was found for Suichang. They are reasoned from the equipment and meant to be swept:

* **loop** (cross-belt, ~214 chutes, ~180 m loop, 4 induction stations, scanners, control):
  ¥4.0 M (range 2.5–6 M), 10 years; 60 kW while running (linear motors, carriers, scanners;
  range 40–90 kW); upkeep 3 % of capex a year.
* **linear** swing-wheel line (~107 two-sided modules over ~165 m of belt, 2 inducts, one
  scanner): modules about ¥8–12 k each plus belt and controls, ¥1.2 M (range 0.6–2 M),
  8 years; 30 kW (range 15–40); upkeep 4 % a year (more wearing parts).
* **manual** (214 roll cages at ~¥250, sort tables, carts): ¥60 k (range 30–100 k), 5 years;
  3 kW of lighting; upkeep 5 % a year.

Wages follow shared/PARAMETERS.md ("Sorting operator wage": ¥24/h loaded, S weak / E).
Electricity ¥0.8/kWh is an estimate for a commercial tariff in Zhejiang. A centre works
360 days a year (village delivery runs daily, PARAMETERS.md "Delivery frequency").

The cost of a day (:func:`sort_cost`) takes its staff-hours and machine hours from a
``SortResult``: everyone on the line's staff (and ``overhead_staff``: supervisor, exception
desk) is paid from the first truck's arrival until the last parcel is settled (or, with
``staffing="waves"``, only while a wave is being sorted), and the machine runs as long.
Dividing by the day's parcels gives the cost per parcel.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .kinds import Kind, Layout, kind_of
from .line import Line, LineError
from .result import SortResult


@dataclass(frozen=True, slots=True)
class Economics:
    """Money side of one kind of line; all defaults are estimates (see the module docstring).

    Fields:
        capex_yuan, depreciation_years: purchase and installation, written off linearly.
        upkeep_share_per_year: maintenance and spares per year as a share of capex.
        working_days_per_year: days the centre sorts, to spread the yearly costs.
        power_kw: electrical draw while the line runs; ``yuan_per_kwh`` its price.
        wage_per_h: loaded hourly cost of one sorting worker (PARAMETERS.md: ¥24).
        overhead_staff: people on shift besides the line's own staff (supervisor, desk).
    """

    kind: Kind
    capex_yuan: float
    depreciation_years: float
    power_kw: float
    upkeep_share_per_year: float = 0.03
    working_days_per_year: int = 360
    yuan_per_kwh: float = 0.8
    wage_per_h: float = 24.0
    overhead_staff: int = 2

    def __post_init__(self) -> None:
        if self.kind not in ("loop", "linear", "manual"):
            raise LineError(f"Economics.kind = {self.kind!r}: not loop, linear or manual")
        for f in ("capex_yuan", "power_kw", "upkeep_share_per_year", "yuan_per_kwh", "wage_per_h"):
            v = getattr(self, f)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise LineError(f"Economics.{f} = {v!r}: must be a finite number >= 0")
        if not (math.isfinite(self.depreciation_years) and self.depreciation_years > 0):
            raise LineError(
                f"Economics.depreciation_years = {self.depreciation_years!r}: must be > 0"
            )
        for f in ("working_days_per_year", "overhead_staff"):
            v = getattr(self, f)
            if not isinstance(v, int) or v < (1 if f == "working_days_per_year" else 0):
                raise LineError(f"Economics.{f} = {v!r}: must be a non-negative integer")

    def replace(self, **changes: Any) -> Economics:
        return dataclasses.replace(self, **changes)

    @property
    def fixed_yuan_per_day(self) -> float:
        """Depreciation plus upkeep, per working day."""
        per_year = self.capex_yuan / self.depreciation_years + (
            self.capex_yuan * self.upkeep_share_per_year
        )
        return per_year / self.working_days_per_year


DEFAULT_ECONOMICS: dict[str, Economics] = {
    "loop": Economics("loop", 4_000_000.0, 10.0, 60.0, upkeep_share_per_year=0.03),
    "linear": Economics("linear", 1_200_000.0, 8.0, 30.0, upkeep_share_per_year=0.04),
    "manual": Economics("manual", 60_000.0, 5.0, 3.0, upkeep_share_per_year=0.05, overhead_staff=1),
}


def staff_of(layout: Layout) -> dict[str, int]:
    """Headcount by role while a line of any kind runs, unloading included (one person per
    unload port, the same for every kind since the trucks are the same)."""
    if isinstance(layout, Line):
        staff = {
            "induction": sum(st.operators for st in layout.induction),
            "bagging": layout.bagging_operators,
        }
    else:
        staff = dict(layout.staff)
    staff["unloading"] = layout.unload_ports
    return staff


@dataclass(frozen=True, slots=True)
class SortCost:
    """The cost of one sorted day; ``yuan_per_parcel`` is over every parcel of the day."""

    kind: str
    parcels: int
    sorted_parcels: int
    staffed_h: float
    headcount: int
    staff_hours: float
    labour_yuan: float
    power_yuan: float
    fixed_yuan: float
    total_yuan: float
    yuan_per_parcel: float
    staff: tuple[tuple[str, int], ...]

    @property
    def parcels_per_staff_hour(self) -> float:
        return self.parcels / self.staff_hours if self.staff_hours else math.nan

    def summary(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["staff"] = dict(self.staff)
        out["parcels_per_staff_hour"] = self.parcels_per_staff_hour
        return out


Staffing = Literal["span", "waves"]


def _settled_s(result: SortResult) -> np.ndarray:
    """Per parcel, when its handling ended: bagged, exception or overflow time; the horizon
    for a parcel still in the system (or in no-read handling) when the run stopped."""
    t = np.where(np.isfinite(result.bag_s), result.bag_s, result.entry_s)
    done = (result.outcome == 1) | (result.outcome == 3) | (result.outcome == 4)
    return np.where(done, t, result.t_end)


def staffed_hours(result: SortResult, staffing: Staffing = "span") -> float:
    """How long the line must be staffed, in hours.

    ``"span"``: from the first truck's arrival to the last parcel settled, the people paid
    through any lull between waves (one long shift, or two overlapping ones). ``"waves"``: the
    union over the waves of [the wave's first truck, its last parcel settled], the people sent
    home between waves (a lower bound: PARAMETERS.md's shifts overlap at midday).
    """
    if result.parcels == 0:
        return 0.0
    settled = _settled_s(result)
    arrival = result.truck_arrival_s[result.truck]
    if staffing == "span":
        spans = [(float(arrival.min()), float(settled.max()))]
    elif staffing == "waves":
        spans = []
        for w in np.unique(result.wave):
            m = result.wave == w
            spans.append((float(arrival[m].min()), float(settled[m].max())))
    else:
        raise LineError(f"staffing = {staffing!r}: must be 'span' or 'waves'")
    total, end = 0.0, -np.inf
    for a, b in sorted(spans):  # union of the intervals
        a = max(a, end)
        if b > a:
            total += b - a
        end = max(end, b)
    return total / 3600.0


def sort_cost(
    result: SortResult, economics: Economics | None = None, *, staffing: Staffing = "span"
) -> SortCost:
    """Cost of the day in ``result``: staff-hours × wage, machine hours × power × price, and a
    day's share of depreciation and upkeep, divided by the day's parcels. ``staffing`` says
    which hours are paid and powered (:func:`staffed_hours`).

    ``economics`` defaults to :data:`DEFAULT_ECONOMICS` for the result's kind of line; one of
    another kind is an error (a loop's price on a manual day would be silently wrong).
    """
    kind = kind_of(result.line)
    econ = economics if economics is not None else DEFAULT_ECONOMICS[kind]
    if econ.kind != kind:
        raise LineError(f"sort_cost: economics.kind = {econ.kind!r} for a {kind!r} result")
    staff = staff_of(result.line)
    headcount = sum(staff.values()) + econ.overhead_staff
    hours = staffed_hours(result, staffing)
    staff_hours = headcount * hours
    labour = staff_hours * econ.wage_per_h
    power = econ.power_kw * hours * econ.yuan_per_kwh
    fixed = econ.fixed_yuan_per_day
    total = labour + power + fixed
    parcels = result.parcels
    return SortCost(
        kind=kind,
        parcels=parcels,
        sorted_parcels=int(result.outcome_counts()["bagged"]),
        staffed_h=hours,
        headcount=headcount,
        staff_hours=staff_hours,
        labour_yuan=labour,
        power_yuan=power,
        fixed_yuan=fixed,
        total_yuan=total,
        yuan_per_parcel=total / parcels if parcels else math.nan,
        staff=tuple(sorted(staff.items())),
    )
