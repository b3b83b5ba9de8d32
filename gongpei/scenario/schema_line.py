"""Scenario fields of the line to van (issue 14): bagging, staffed queues, docks, sizes.

Kept apart from :mod:`gongpei.scenario.schema` (one module per concept, each under 500
lines): :class:`LineToVanFields` are ``[sorter]`` fields (``SorterConfig`` inherits them),
:class:`LoadingTable` is the ``[loading]`` table. Both forbid unknown keys and are frozen,
like every scenario table.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

__all__ = ["LineToVanFields", "LoadingTable"]


class LineToVanFields(BaseModel):
    """``[sorter]`` fields of the line to van; defaults keep the original line, except
    ``bagging`` (``by_departure``: what a real centre does, see the README)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    bagging: Literal["when_full", "wave_end", "by_departure"] = Field(
        default="by_departure",
        description="when_full: full chutes and the cut-off only (the original model); "
        "wave_end: a chute is bagged once its wave is complete; by_departure: wave_end, the "
        "crew working chutes in the rounds' departure order (sort <-> rounds loop)",
    )
    departure_passes: Annotated[int, Field(gt=0, le=10)] = Field(
        default=3, description="sort <-> rounds passes at most (by_departure)"
    )
    keyers: Annotated[int, Field(gt=0, le=1000)] | None = Field(
        default=None,
        description="staff keying no-reads, keying_delay_s a parcel each; unset: unlimited "
        "keyers, keying_delay_s a fixed delay",
    )
    reinduct_overflow: bool = Field(
        default=False, description="overflow parcels are carried back and re-inducted by hand"
    )
    reinduct_staff: Annotated[int, Field(gt=0, le=1000)] = 1
    reinduct_s: float = Field(default=20.0, gt=0, le=3600, description="seconds a parcel")
    manual_staff: Annotated[int, Field(gt=0, le=1000)] | None = Field(
        default=None,
        description="staff hand-sorting oversize parcels, manual_sort_s a parcel each; "
        "unset: unlimited, manual_sort_s a fixed delay",
    )
    manual_sort_s: float = Field(default=180.0, gt=0, le=7200)
    unloading: Literal["pooled", "per_dock"] = Field(
        default="pooled",
        description="pooled: one server of unload_ports x rate (the original model); "
        "per_dock: each truck takes a free dock and unloads at unload_rate_per_h",
    )
    truck_parcels: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="most parcels an inbound truck carries; a brand's wave load above it "
        "comes on several trucks arriving together; 0: one truck per brand and wave",
    )
    parcel_sizes: Literal["uniform", "cartons"] = Field(
        default="uniform",
        description="uniform: every parcel demand.litres_per_parcel; cartons: the postal "
        "1-/3-/5-/7-/9-号 carton classes (sorter.CARTONS) give each parcel its litres",
    )


class LoadingTable(BaseModel):
    """``[loading]``: staged cages are loaded into the round's van at a dock by loaders;
    a round departs at max(last ready, dock free) + parcels / (crew x load_rate_per_h).

    With transfer stations (``county.use_transfer_stations``) the trunk truck takes a hub
    dock too (loaded cage by cage, ``fleet.trunk.cage_load_s``), and each station's vans
    are loaded at the station by its own crew (``station_docks``, ``station_loaders``, at
    ``load_rate_per_h``) once the trunk is unloaded there."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    docks: Annotated[int, Field(gt=0, le=500)] = 6
    loaders: Annotated[int, Field(gt=0, le=5000)] = 12
    load_rate_per_h: float = Field(default=300.0, gt=0, le=10_000)
    cage_parcels: Annotated[int, Field(gt=0, le=10_000)] = 120
    station_docks: Annotated[int, Field(gt=0, le=100)] = Field(
        default=2, description="van-loading bays at each transfer station (E)"
    )
    station_loaders: Annotated[int, Field(gt=0, le=1000)] = Field(
        default=4, description="people loading vans at each transfer station, drivers included (E)"
    )

    @model_validator(mode="after")
    def _crew(self) -> LoadingTable:
        for field, n, docks in (
            ("loaders", self.loaders, "docks"),
            ("station_loaders", self.station_loaders, "station_docks"),
        ):
            if n < getattr(self, docks):
                raise PydanticCustomError(
                    "bad_field",
                    "need at least one per dock ({name} = {docks})",
                    {"field": field, "value": n, "name": docks, "docks": getattr(self, docks)},
                )
        return self
