"""The scenario's ``[[events]]``: demand peaks (harvest, festival) and line faults
(stoppage, unstaffed station, chute jam, scanner outage), one model per kind, told apart by
``kind``."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import (
    Field,
    field_validator,
)

from gongpei.scenario.fields import (
    Clock,
    _Table,
    bad,
)


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
