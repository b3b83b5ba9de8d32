"""Clock seconds as text, for details and names (one formatter for all of ``routing``)."""

from __future__ import annotations

__all__ = ["hhmm"]


def hhmm(t: int, *, exact: bool = False) -> str:
    """``t`` clock seconds since midnight as ``"HH:MM"``.

    Plain (default): whole minutes, hours past 24 kept as they are (``"25:10"``), which is
    how re-planning moments and problem names read. ``exact=True``: seconds shown when
    not zero and days past the first as a prefix (``"day1+01:10:05"``), for diagnosis
    details where a second can be the binding margin.
    """
    if not exact:
        h, rest = divmod(int(t), 3600)
        return f"{h:02d}:{rest // 60:02d}"
    day, rest = divmod(int(t), 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    txt = f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")
    return txt if day == 0 else f"day{day}+{txt}"
