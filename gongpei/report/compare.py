"""Several runs side by side: the headline numbers of each ``summary.json`` in one table.

``gongpei compare A.toml B.toml`` runs each scenario and passes the summaries here;
``gongpei compare out1/ out2/`` reads finished output folders with :func:`load_summary`
instead of running again. The table is plain aligned text: one row per metric, one column
per run, so it reads in a terminal and pastes into a ticket.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["METRICS", "compare_summaries", "load_summary"]

#: A missing value (older summary, baseline switched off).
MISSING = "—"


def _get(s: dict[str, Any], *keys: str) -> Any:
    cur: Any = s
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur


def _int(v: Any) -> str:
    return f"{int(v):,}"


def _float(digits: int) -> Callable[[Any], str]:
    return lambda v: f"{float(v):,.{digits}f}"


def _clock(v: Any) -> str:
    s = round(float(v))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def _pct(v: Any) -> str:
    return v if isinstance(v, str) else f"{float(v):.1f} %"


#: A saving on unequal service (``equal_service`` false): not a like-for-like number.
UNEQUAL = "unequal service"


def _saving(*keys: str) -> Callable[[dict[str, Any]], Any]:
    """A saving percentage, or :data:`UNEQUAL` when the summary flags the service as unequal."""

    def get(s: dict[str, Any]) -> Any:
        block = _get(s, *keys[:-1])
        if isinstance(block, dict) and block.get("equal_service") is False:
            return UNEQUAL
        return _get(s, *keys)

    return get


def _served(s: dict[str, Any]) -> Any:
    """Villages whose parcels were all delivered (older summaries: the plan's visits)."""
    v = _get(s, "villages", "served")
    return v if v is not None else _get(s, "routing", "villages_served")


def _rate_pct(v: Any) -> str:
    return f"{100 * float(v):.2f} %"


def _unserved(s: dict[str, Any]) -> Any:
    v = _get(s, "routing", "villages_unserved")
    return len(v) if isinstance(v, list) else v


#: (label, how to read it from a summary, how to format it)
METRICS: tuple[tuple[str, Callable[[dict[str, Any]], Any], Callable[[Any], str]], ...] = (
    ("parcels", lambda s: _get(s, "parcels", "total"), _int),
    ("bagged", lambda s: _get(s, "parcels", "bagged"), _int),
    ("throughput /h", lambda s: _get(s, "sorter", "throughput_per_h"), _float(0)),
    ("last chute ready", lambda s: _get(s, "sorter", "last_chute_ready_s"), _clock),
    ("recirculation", lambda s: _get(s, "sorter", "recirculation_rate"), _rate_pct),
    ("kind of line", lambda s: _get(s, "sorting_cost", "kind"), str),
    ("sorting staff-hours", lambda s: _get(s, "sorting_cost", "staff_hours"), _float(1)),
    ("sorting cost ¥", lambda s: _get(s, "sorting_cost", "total_yuan"), _float(0)),
    ("sorting ¥/parcel", lambda s: _get(s, "sorting_cost", "yuan_per_parcel"), _float(3)),
    ("routes", lambda s: _get(s, "routing", "routes"), _int),
    ("vans", lambda s: _get(s, "routing", "vans_used"), _int),
    ("km", lambda s: _get(s, "routing", "distance_km"), _float(1)),
    ("cost ¥", lambda s: _get(s, "routing", "cost"), _float(0)),
    ("CO₂ kg", lambda s: _get(s, "routing", "co2_kg"), _float(0)),
    ("villages served", _served, _int),
    ("unserved", _unserved, _int),
    ("on-time villages", lambda s: _get(s, "service", "on_time_villages"), _int),
    ("red villages", lambda s: _get(s, "service", "red"), _int),
    ("yellow villages", lambda s: _get(s, "service", "yellow"), _int),
    ("late parcel-hours", lambda s: _get(s, "service", "late_parcel_h"), _float(1)),
    ("pickups collected", lambda s: _get(s, "service", "pickups_collected"), _int),
    ("saving km vs brands", _saving("codelivery_saving", "distance_pct"), _pct),
    ("saving cost vs brands", _saving("codelivery_saving", "cost_pct"), _pct),
    (
        "saving km vs township drop",
        _saving("other_baselines", "township_drop", "saving", "distance_pct"),
        _pct,
    ),
    (
        "saving cost vs township drop",
        _saving("other_baselines", "township_drop", "saving", "cost_pct"),
        _pct,
    ),
)

_OPTIONAL = {
    "saving km vs township drop",
    "saving cost vs township drop",
    "CO₂ kg",
    # summaries written before the sorting_cost block
    "kind of line",
    "sorting staff-hours",
    "sorting cost ¥",
    "sorting ¥/parcel",
    # the service rows: summaries written before the promise was in the plan lack them
    "on-time villages",
    "red villages",
    "yellow villages",
    "late parcel-hours",
    "pickups collected",
}


def _width(text: str) -> int:
    """Terminal columns of ``text``: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def compare_summaries(summaries: Sequence[dict[str, Any]], names: Sequence[str]) -> str:
    """An aligned text table: one row per headline metric, one column per run.

    ``names`` label the columns (scenario names or folders). A value a summary lacks shows
    as ``—``; rows that no run has (e.g. the township-drop baseline) are left out.
    """
    if len(summaries) != len(names):
        raise ValueError(f"compare_summaries: {len(summaries)} summaries but {len(names)} names")
    rows: list[list[str]] = []
    for label, get, fmt in METRICS:
        values = [get(s) for s in summaries]
        if label in _OPTIONAL and all(v is None for v in values):
            continue
        rows.append([label] + [MISSING if v is None else fmt(v) for v in values])
    header = ["", *names]
    table = [header, *rows]
    widths = [max(_width(r[k]) for r in table) for k in range(len(header))]
    lines = []
    for i, r in enumerate(table):
        cells = [_pad(r[0], widths[0], right=False)]
        cells += [_pad(c, w, right=True) for c, w in zip(r[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def load_summary(path: str | Path) -> dict[str, Any]:
    """The summary of a finished run: an output folder (its ``summary.json``) or the file.

    Raises :class:`FileNotFoundError` naming the folder when it has no ``summary.json``
    (the run did not finish: the report writes that file last) and :class:`ValueError`
    when the file is not a JSON object.
    """
    p = Path(path)
    file = p / "summary.json" if p.is_dir() else p
    if not file.is_file():
        if p.is_dir():
            raise FileNotFoundError(
                f"{p}: no summary.json (not a gongpei output folder, or the run did not finish)"
            )
        raise FileNotFoundError(f"{p}: no such file or folder")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{file}: not a JSON summary: {e}") from e
    if not isinstance(data, dict):
        raise ValueError(f"{file}: not a JSON summary: top level is {type(data).__name__}")
    return data
