"""How a scenario fault is told: :class:`ScenarioError` holds one self-contained line per
fault — file, field path, value, what is wrong — and these helpers format pydantic's errors
into such lines."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from gongpei.scenario.schema_events import EVENT_KINDS

#: At most this many lines are told; the rest are counted (100,000 positions, each beyond the
#: loop, once printed 59,801 lines).
MAX_LINES = 20


class ScenarioError(Exception):
    """A scenario cannot be used. ``lines`` holds one self-contained message per fault, at
    most :data:`MAX_LINES` of them: past that the last line counts the faults not shown."""

    def __init__(self, lines: Iterable[str]) -> None:
        all_lines = list(lines)
        if len(all_lines) > MAX_LINES:
            rest = len(all_lines) - (MAX_LINES - 1)
            all_lines = [
                *all_lines[: MAX_LINES - 1],
                f"... and {rest} more faults not shown (fix the ones above first)",
            ]
        self.lines = all_lines
        super().__init__("\n".join(self.lines))


# ---------------------------------------------------------------------------------------------
def format_path(loc: Iterable[Any]) -> str:
    """``('fleet', 'vans', 0, 'capacity')`` → ``fleet.vans[0].capacity``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out


def show_value(value: Any) -> str:
    """A value as a planner wrote it in TOML, shortened if long."""
    if isinstance(value, Mapping):
        text = "{table}"
    elif isinstance(value, float) and not math.isfinite(value):
        text = str(value)  # TOML's own spelling: inf, -inf, nan
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


_EVENT_KINDS = frozenset(EVENT_KINDS)


def format_validation_error(exc: ValidationError, source: str) -> list[str]:
    lines: list[str] = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        # Discriminated unions add the tag to the path (events[0].festival.x): drop it.
        if len(loc) >= 3 and loc[0] == "events" and loc[2] in _EVENT_KINDS:
            del loc[2]
        kind = err["type"]
        ctx = err.get("ctx") or {}
        msg = _message(kind, err["msg"])
        if kind == "bad_field":
            sub = str(ctx.get("field", ""))
            path = format_path(loc)
            path = path + sub if sub.startswith("[") else ".".join(p for p in (path, sub) if p)
            value = ctx.get("value")
            lines.append(
                f"{source}: {path}: {msg}"
                if value is None
                else f"{source}: {path} = {show_value(value)}: {msg}"
            )
        elif kind == "missing":
            lines.append(f"{source}: {format_path(loc)}: missing (required)")
        elif kind == "extra_forbidden":
            lines.append(f"{source}: {format_path(loc)} = {show_value(err['input'])}: unknown key")
        else:
            lines.append(f"{source}: {format_path(loc)} = {show_value(err['input'])}: {msg}")
    return lines


def _message(kind: str, msg: str) -> str:
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    msg = msg.replace("Input should be", "must be")
    msg = msg.replace("greater than or equal to", ">=").replace("less than or equal to", "<=")
    msg = msg.replace("greater than", ">").replace("less than", "<")
    if kind == "finite_number":
        return "must be finite (not inf or nan)"
    if kind == "union_tag_invalid":
        msg = "unknown event kind; " + msg.split("expected tags:")[-1].strip().join(("one of ", ""))
    return msg
