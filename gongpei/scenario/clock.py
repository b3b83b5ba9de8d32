"""Clock times in scenario files: ``"HH:MM"`` ↔ seconds after midnight (times past midnight
keep counting, up to the end of the next day)."""

from __future__ import annotations

import re
from typing import Any

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


#: The latest clock time accepted: the end of the next day (rounds may finish after midnight).
MAX_CLOCK_S = 48 * 3600


def parse_clock(value: Any) -> Any:
    """``"05:30"`` → 19800. Integers pass through as seconds; anything else is left for the
    integer validator to reject with the file's own value in the message."""
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if not m:
            raise ValueError("must be a clock time 'HH:MM'")
        h, mnt, s = int(m[1]), int(m[2]), int(m[3] or 0)
        if mnt >= 60 or s >= 60:
            raise ValueError("must be a clock time 'HH:MM' with minutes and seconds < 60")
        return h * 3600 + mnt * 60 + s
    return value


def format_clock(seconds: float) -> str:
    """19800 → ``"05:30"``; times past midnight keep counting (``"25:10"``)."""
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"
