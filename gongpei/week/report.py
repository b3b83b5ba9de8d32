"""The week's files: ``week.json``, a weekly page (``week.html``) and its plots.

Plotting functions take the ``week.json`` document (a dict, so a saved file can be plotted
again) and an optional matplotlib ``Axes``; they draw and return nothing. Files are written
atomically, ``week.json`` last, so its presence means the folder is complete.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from gongpei.report.atomic import atomic_write_bytes, atomic_write_text
from gongpei.report.formatting import dump_json
from gongpei.week.results import WeekResult

__all__ = ["PLOT_FILES", "plot_cages", "plot_day_costs", "write_week"]

PLOT_FILES = ("week_costs.png", "week_cages.png")
_VARIANTS = (
    ("daily", "every village daily"),
    ("produce_daily_others_3x", "produce daily, others 3×"),
    ("chosen", "chosen patterns"),
    ("standing_rounds", "standing rounds"),
)


def _axes(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def plot_day_costs(doc: dict[str, Any], ax: Any = None) -> None:
    """The chosen patterns' cost per day (bars) and vans used (labels)."""
    ax = _axes(ax)
    days = [d["day"] for d in doc["days"]]
    costs = [d["cost"] for d in doc["days"]]
    bars = ax.bar(days, costs, color="#3b7dd8")
    for b, d in zip(bars, doc["days"], strict=True):
        ax.annotate(
            f"{d['vans']} vans",
            (b.get_x() + b.get_width() / 2, b.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    daily = doc["comparison"]["daily"]["cost"] / max(len(days), 1)
    ax.axhline(daily, color="#c0392b", ls="--", lw=1, label="daily service, mean day")
    ax.set_ylabel("rounds cost per day (yuan)")
    ax.set_title("The week's rounds (chosen patterns)")
    ax.legend(loc="best", fontsize=8)


def plot_cages(doc: dict[str, Any], ax: Any = None) -> None:
    """Parcels staged at the hub and outgoing parcels waiting at the stations, per day."""
    ax = _axes(ax)
    days = [d["day"] for d in doc["days"]]
    ax.plot(days, [d["hub_staged_parcels"] for d in doc["days"]], "o-", label="staged at hub")
    ax.plot(
        days,
        [d["station_outgoing_parcels"] for d in doc["days"]],
        "s--",
        label="outgoing at stations",
    )
    ax.set_ylabel("parcels waiting at the end of the day")
    ax.set_title("Cage occupancy over the week")
    ax.legend(fontsize=8)


def _png(draw: Any, doc: dict[str, Any]) -> bytes:
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.6))
    draw(doc, ax=fig.add_subplot())
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def write_week(result: WeekResult, out_dir: str | Path, *, plots: bool = True) -> dict[str, Path]:
    """Write the week's files into ``out_dir``; returns them by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc = result.summary()
    files: dict[str, Path] = {}
    if plots:
        for name, draw in zip(PLOT_FILES, (plot_day_costs, plot_cages), strict=True):
            atomic_write_bytes(out / name, _png(draw, doc))
            files[name] = out / name
    atomic_write_text(out / "week.html", week_page(doc, plots=plots))
    files["week.html"] = out / "week.html"
    atomic_write_text(out / "week.json", dump_json(doc))
    files["week.json"] = out / "week.json"
    return files


_VARIANT_HEAD = ["variant", "cost (¥)", "km", "van-days", "mean wait (d)", "max wait (d)"]
_VARIANT_HEAD += ["late", "unserved village-days"]
_DAY_HEAD = ["day", "parcels", "stops", "vans", "km", "cost (¥)", "on time", "staged at hub"]
_DAY_HEAD.append("unserved")


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def week_page(doc: dict[str, Any], *, plots: bool = True) -> str:
    """The weekly report page (self-contained HTML; the plots are files beside it)."""
    comp = doc["comparison"]
    rows = [
        [
            label,
            f"{comp[k]['cost']:,.0f}",
            f"{comp[k]['km']:,.1f}",
            comp[k]["van_days"],
            f"{comp[k]['mean_wait_days']:.2f}",
            comp[k]["max_wait_days"],
            comp[k]["late"],
            comp[k]["unserved_village_days"],
        ]
        for k, label in _VARIANTS
        if k in comp
    ]
    days = [
        [
            d["day"],
            d["parcels"],
            d["stops"],
            d["vans"],
            f"{d['km']:,.1f}",
            f"{d['cost']:,.0f}",
            d["on_time_villages"],
            d["hub_staged_parcels"],
            len(d["unserved"]),
        ]
        for d in doc["days"]
    ]
    counts: dict[str, int] = {}
    for v in doc["villages"]:
        counts[v["pattern"]] = counts.get(v["pattern"], 0) + 1
    pats = [[p, n] for p, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    par = doc["parcels"]
    exc = [
        [e["village"], e["sorted"], e["parcels"], e["reason"], e["wait_days"]]
        for e in par["exceptions"]
    ]
    imgs = "".join(f'<p><img src="{n}" alt="{n}"></p>' for n in PLOT_FILES) if plots else ""
    note = f"<p><b>Note:</b> {html.escape(doc['note'])}</p>" if doc["note"] else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(doc["scenario"])}: the week</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.2em .6em;
text-align:right}}th{{background:#f0f0f0}}</style></head><body>
<h1>{html.escape(doc["scenario"])}: a week of rounds</h1>
<p>Days planned: {html.escape(", ".join(doc["days_planned"]))}; service rule:
{html.escape(doc["service"])}; saving of the chosen patterns against daily service:
{_saving_text(comp)}.</p>{note}
<h2>Service options compared</h2>
{_table(_VARIANT_HEAD, rows)}
<h2>Days (chosen patterns)</h2>
{_table(_DAY_HEAD, days)}
{imgs}
<h2>Patterns</h2>
{_table(["pattern", "villages"], pats)}
<h2>Parcels</h2>
<p>Sorted this week {par["total"]:,}, carried in from last week {par["carried_in"]:,},
delivered {par["delivered"]:,}, waiting at the end {par["waiting"]:,}, late {par["late"]:,}
(limit {par["max_wait_days_allowed"]} days).</p>
{_table(["village", "sorted", "parcels", "reason", "waited (d)"], exc)}
</body></html>
"""


def _saving_text(comp: dict[str, Any]) -> str:
    """The chosen patterns' saving, or why there is none (unequal service, issue 13)."""
    if comp.get("equal_service", True):
        return f"{comp['chosen_saving_vs_daily_pct']:.1f} %"
    return html.escape(comp["unequal_service_note"])
