"""The scenario's ``[week]`` table: which days each village is served, the produce season,
how long parcels may wait, and cage capacities."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    model_validator,
)

from gongpei.scenario.fields import (
    _Table,
    bad,
)
from gongpei.scenario.schema_events import (
    ScenarioEvent,
)

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
