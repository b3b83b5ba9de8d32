"""Building blocks of ``report.html`` (escaping, number formats, tables) and its longer
sections: the comparison notes beside the baselines and the sorting line's cost."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


def _comparison_notes(c: Mapping[str, Any]) -> str:
    """Budgets of the plan and the baselines; villagers' fetching in township drop and the
    yearly figures beside the reported ones (estimates marked)."""
    if not c:
        return ""
    lines = []
    b = c.get("budgets") or {}
    if b:
        p, q = b["plan"], b["baseline_per_problem"]
        fair = (p["time_limit_s"], p["cores"]) == (q["time_limit_s"], q["cores"])
        lines.append(
            f"Solver budgets: plan {p['backend']} {p['time_limit_s']:g} s on {p['cores']} "
            f"core(s); each baseline problem {q['backend']} {q['time_limit_s']:g} s on "
            f"{q['cores']} core(s)"
            + (
                ""
                if fair
                else " — not the same budget: the saving is flattered by a shorter baseline search"
            )
        )
    td = c.get("township_drop") or {}
    f = td.get("villagers_fetching")
    if f:
        lines.append(
            f"Township drop also costs villagers (estimate): {f['trips']:,} trips, "
            f"{f['km']:,.0f} km, {f['hours']:,.0f} h fetching {f['parcels']:,} parcels from "
            f"the township, ¥{f['cost']:,.0f} a day; with it the status quo costs "
            f"¥{td['cost_with_fetching']:,.0f}."
        )
    a = td.get("annual")
    if a:
        lines.append(
            f"A year ({a['days_per_year']} days, estimate): couriers save "
            f"¥{a['couriers_model'] / 1e6:.1f} M (reported for Suichang: at least "
            f"¥{a['couriers_reported'] / 1e6:.0f} M), villagers "
            f"¥{a['villagers_model'] / 1e6:.1f} M "
            f"(reported: ¥{a['villagers_reported'] / 1e6:.0f} M). {a['note']}"
        )
    return '<p id="comparison-notes">' + "<br>".join(_e(x) for x in lines) + "</p>"


def _sorting_cost_section(sc: Mapping[str, Any]) -> str:
    """What sorting the day cost (the ``sorting_cost`` block): one table of the money, one
    line of staff and the economics and layout it was priced with."""
    rows = [
        [(_e(label), False), (_e(value), True)]
        for label, value in (
            ("kind of line", str(sc.get("kind", ""))),
            ("staffing", str(sc.get("staffing", ""))),
            ("derived capacity", _fmt(sc.get("capacity_per_h"), 0, " /h")),
            ("headcount", _fmt(sc.get("headcount"), 0)),
            ("staffed", _fmt(sc.get("staffed_h"), 2, " h")),
            ("staff-hours", _fmt(sc.get("staff_hours"), 1)),
            ("parcels per staff-hour", _fmt(sc.get("parcels_per_staff_hour"), 1)),
            ("capex per day", "¥" + _fmt(sc.get("capex_per_day_yuan"), 2)),
            ("upkeep per day", "¥" + _fmt(sc.get("upkeep_per_day_yuan"), 2)),
            ("wages", "¥" + _fmt(sc.get("wages_yuan"), 2)),
            ("power", "¥" + _fmt(sc.get("power_yuan"), 2)),
            ("total", "¥" + _fmt(sc.get("total_yuan"), 2)),
            ("per parcel", "¥" + _fmt(sc.get("yuan_per_parcel"), 4)),
        )
    ]
    staff = ", ".join(f"{k} {v}" for k, v in (sc.get("staff") or {}).items())
    econ = ", ".join(f"{k} {v}" for k, v in (sc.get("economics") or {}).items())
    layout = ", ".join(f"{k} {v}" for k, v in (sc.get("layout") or {}).items())
    return (
        '<section id="sorting-cost">'
        + _table(["sorting cost", ""], rows, "sorting-cost-table")
        + f'<p class="meta">Staff by role: {_e(staff)}. Priced with (estimates unless the '
        f"scenario's [economics] sets them): {_e(econ)}. Line: {_e(layout)}.</p></section>"
    )


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _table(header: Sequence[str], rows: Iterable[Sequence[tuple[str, bool]]], table_id: str) -> str:
    """Rows of (already-escaped html, numeric?) cells."""
    parts = [f'<table id="{_e(table_id)}"><thead><tr>']
    parts += [f"<th>{_e(h)}</th>" for h in header]
    parts.append("</tr></thead><tbody>")
    for r in rows:
        parts.append("<tr>")
        parts += [f'<td class="n">{c}</td>' if num else f"<td>{c}</td>" for c, num in r]
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _fmt(x: Any, digits: int = 0, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{float(x):,.{digits}f}{unit}"
