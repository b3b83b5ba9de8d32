"""The day's timeline for ``report.html``: one row per round, from chute to return, as SVG.

Each row shows, on one clock axis, when the round's village chutes became ready (first to
last, grey), the wait for a dock (dotted), the loading (orange), the drive from departure
to return (the round's colour) with a tick at each village arrival, and the promise as a
vertical red line. It answers the planner's question "what holds this van up: the line,
the dock or the road?" at a glance. Every mark has a ``<title>`` tooltip; no scripts.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from gongpei.report.formatting import clock, round_colour, round_ids

if TYPE_CHECKING:
    from gongpei.day.results import DayResult

__all__ = ["timeline_svg"]

_LABEL_W = 150.0
_PLOT_W = 820.0
_ROW_H = 16.0
_TOP = 28.0


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def timeline_svg(day: DayResult) -> str:
    """The timeline as one ``<svg>`` element (empty rounds: a one-line note)."""
    routes = day.plan.routes
    if not routes:
        return '<p id="timeline-empty">No rounds today.</p>'
    ready = {v.code: v.ready_s for v in day.villages if v.ready_s is not None}
    loaded = day.loading.by_name() if day.loading is not None else {}
    promise = float(day.scenario.model.routing.promised_by)
    times = [float(r.return_s) for r in routes] + [float(r.depart_s) for r in routes]
    times += [t for r in routes for v in r.villages if (t := ready.get(v)) is not None]
    times.append(promise)
    t0 = math.floor(min(times) / 3600) * 3600
    t1 = math.ceil(max(times) / 3600) * 3600
    span = max(t1 - t0, 3600)

    names = {v.code: v.name for v in day.villages}
    several = {van for van, trips in day.plan.vans().items() if len(trips) > 1}

    def x(t: float) -> float:
        return _LABEL_W + (t - t0) / span * _PLOT_W

    height = _TOP + _ROW_H * len(routes) + 10
    width = _LABEL_W + _PLOT_W + 20
    out = [
        f'<svg id="timeline-svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" font-family="sans-serif" '
        f'font-size="10" style="max-width:{width:.0f}px;background:#fff;border:1px solid #ddd">',
        "<title>Rounds from chute to return</title>",
    ]
    for h in range(int(t0), int(t1) + 1, 3600):
        out.append(
            f'<line x1="{x(h):.1f}" y1="{_TOP - 6}" x2="{x(h):.1f}" y2="{height - 6}" '
            f'stroke="#e4e4e4"/><text x="{x(h):.1f}" y="{_TOP - 10}" text-anchor="middle">'
            f"{clock(h)}</text>"
        )
    for k, (rid, r) in enumerate(zip(round_ids(day), routes, strict=True)):
        y = _TOP + k * _ROW_H + _ROW_H / 2
        colour = round_colour(k)
        lr = loaded.get(rid)
        rs = [t for v in r.villages if (t := ready.get(v)) is not None]
        van = f"{r.vehicle} trip {r.trip + 1}" if r.trip or r.vehicle in several else r.vehicle
        row = [
            f'<g class="timeline-row" data-round="{_e(rid)}" data-trip="{r.trip}">',
            f"<title>{_e(rid)} {_e(van)}: departs {clock(r.depart_s)}, back "
            f"{clock(r.return_s)}</title>",
            f'<text x="4" y="{y + 3:.1f}">{_e(rid)} {_e(van)}</text>',
        ]
        if rs:
            row.append(
                f'<rect class="ready" x="{x(min(rs)):.1f}" y="{y - 3:.1f}" '
                f'width="{max(x(max(rs)) - x(min(rs)), 1.5):.1f}" height="6" fill="#9e9e9e">'
                f"<title>chutes ready {clock(min(rs))}–{clock(max(rs))}</title></rect>"
            )
        if lr is not None:
            if lr.start_s > lr.ready_s:
                row.append(
                    f'<line class="dock-wait" x1="{x(lr.ready_s):.1f}" y1="{y:.1f}" '
                    f'x2="{x(lr.start_s):.1f}" y2="{y:.1f}" stroke="#555" stroke-dasharray="2 2">'
                    f"<title>waits {lr.dock_wait_s / 60:.0f} min for dock {lr.dock + 1}</title>"
                    "</line>"
                )
            row.append(
                f'<rect class="loading" x="{x(lr.start_s):.1f}" y="{y - 5:.1f}" '
                f'width="{max(x(lr.departure_s) - x(lr.start_s), 1.5):.1f}" height="10" '
                f'fill="#ff9800"><title>loading {clock(lr.start_s)}–{clock(lr.departure_s)} '
                f"at dock {lr.dock + 1} by {lr.loaders} loaders ({lr.parcels} parcels)"
                "</title></rect>"
            )
        row.append(
            f'<line class="drive" x1="{x(r.depart_s):.1f}" y1="{y:.1f}" x2="{x(r.return_s):.1f}" '
            f'y2="{y:.1f}" stroke="{colour}" stroke-width="4"><title>departs '
            f"{clock(r.depart_s)}, back {clock(r.return_s)}</title></line>"
        )
        for s in r.stops:
            row.append(
                f'<circle class="arrival" cx="{x(s.arrival_s):.1f}" cy="{y:.1f}" r="2.6" '
                f'fill="#fff" stroke="#222" stroke-width="0.8">'
                f"<title>{_e(names.get(s.village, ''))} {_e(s.village)}: arrives "
                f"{clock(s.arrival_s)}</title></circle>"
            )
        row.append("</g>")
        out.extend(row)
    out.append(
        f'<line id="promise-line" x1="{x(promise):.1f}" y1="{_TOP - 6}" x2="{x(promise):.1f}" '
        f'y2="{height - 6}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5 3">'
        f"<title>promised by {clock(promise)}</title></line>"
    )
    out.append("</svg>")
    return "".join(out)
