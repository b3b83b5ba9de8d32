"""Service patterns: on which days of the week a village is visited, and how long parcels wait.

A pattern is a tuple of planned-day positions (``0`` is the first day of ``week.days``).
Waiting is counted in calendar days: a parcel sorted on Saturday and delivered on Monday
waited two days, whatever days the hub is closed in between. The week repeats, so the gap
after the last service day runs to the first one of the next week.

Built-in patterns (replaced per frequency by ``week.patterns``) are the ones county planners
use: 7 daily, 6 Monday–Saturday, 5 Monday–Friday, 3 Mon/Wed/Fri or Tue/Thu/Sat,
2 Mon/Thu, Tue/Fri or Wed/Sat. A pattern naming a day that is not planned is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from gongpei.scenario.schema_week import WEEKDAYS, WeekTable

__all__ = [
    "BUILTIN_PATTERNS",
    "Pattern",
    "allowed_patterns",
    "calendar_days",
    "daily",
    "max_wait",
    "pattern_names",
    "serving_day",
]

Pattern = tuple[int, ...]

BUILTIN_PATTERNS: dict[int, tuple[tuple[str, ...], ...]] = {
    7: (WEEKDAYS,),
    6: (WEEKDAYS[:6],),
    5: (WEEKDAYS[:5],),
    4: (("mon", "tue", "thu", "fri"), ("mon", "wed", "fri", "sat")),
    3: (("mon", "wed", "fri"), ("tue", "thu", "sat")),
    2: (("mon", "thu"), ("tue", "fri"), ("wed", "sat")),
    1: (("mon",), ("wed",), ("fri",)),
}


def calendar_days(week: WeekTable) -> tuple[int, ...]:
    """The calendar weekday (0 = Monday) of each planned day."""
    return tuple(WEEKDAYS.index(d) for d in week.days)


def daily(week: WeekTable) -> Pattern:
    """Every planned day (today's rule)."""
    return tuple(range(len(week.days)))


def allowed_patterns(week: WeekTable, frequencies: Sequence[int]) -> list[Pattern]:
    """The patterns of ``frequencies`` that only use planned days, in a stable order (more
    visits first; ``week.patterns`` replaces the built-in list of a frequency)."""
    pos: dict[str, int] = {d: k for k, d in enumerate(week.days)}
    out: list[Pattern] = []
    for freq in sorted(set(frequencies), reverse=True):
        given = week.patterns.get(str(freq))
        named = [tuple(p) for p in given] if given is not None else BUILTIN_PATTERNS.get(freq, ())
        if freq >= len(week.days) and given is None:
            named = (tuple(week.days),)  # "daily" over the planned days
        for days in named:
            if all(d in pos for d in days):
                pat = tuple(pos[d] for d in days)
                if pat not in out:
                    out.append(pat)
    return out


def serving_day(pattern: Pattern, day: int, n_days: int) -> int:
    """The planned-day position that delivers a parcel sorted on ``day``: the day itself if
    served, else the next service day (may be ``>= n_days``: next week, offset by n_days)."""
    for k in range(n_days):
        d = day + k
        if d % n_days in pattern:
            return d
    raise ValueError(f"pattern {pattern!r}: empty")


def max_wait(pattern: Pattern, cal: Sequence[int]) -> int:
    """The longest wait (calendar days) of a parcel under ``pattern`` in a repeating week."""
    n = len(cal)
    worst = 0
    for day in range(n):
        s = serving_day(pattern, day, n)
        wait = cal[s % n] + 7 * (s // n) - cal[day]
        worst = max(worst, wait)
    return worst


def pattern_names(pattern: Pattern, week: WeekTable) -> str:
    """``"mon/wed/fri"``: a pattern as planners write it (``"daily"`` for every day)."""
    if len(pattern) == len(week.days):
        return "daily"
    return "/".join(week.days[k] for k in pattern)
