"""The field types every scenario table shares: clock times, shares, data paths, the frozen
strict base table (unknown keys and ``inf``/``nan`` rejected) and :func:`bad`, the error that
names a field and its value."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from gongpei.scenario.clock import _CLOCK, MAX_CLOCK_S, parse_clock
from gongpei.scenario.paths import BUILTIN_PREFIX, builtin_name_problem

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
