"""The rounds map of ``report.html`` as inline SVG: every village and round carries a tooltip.

Why SVG and not the PNG: a planner hovering a village wants its name, parcels by brand,
ready time, its round's departure, the van's arrival, its status light and the reason — a
``<title>`` per element gives that in any browser without a script or an external file.
The legend sits in its own column to the right of the map, so it never covers a village.

Projection: longitude scaled by cos(mean latitude), so distances look right in the county.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gongpei.report.formatting import LIGHT_COLOURS, LIGHT_LABELS, clock, round_ids

if TYPE_CHECKING:
    from gongpei.day.results import DayResult
    from gongpei.report.geojson import RoundPath

__all__ = ["rounds_map_svg"]

_MAP_W = 760.0  # map width in SVG units; the legend column is to its right
_LEGEND_W = 190.0
_PAD = 12.0


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


class _Projection:
    """(lon, lat) -> SVG (x, y) inside a ``_MAP_W`` wide box, north up."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        self.lon0, self.lat1 = min(lons), max(lats)
        self.kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span_x = max((max(lons) - self.lon0) * self.kx, 1e-9)
        span_y = max(self.lat1 - min(lats), 1e-9)
        self.scale = (_MAP_W - 2 * _PAD) / span_x
        self.height = span_y * self.scale + 2 * _PAD

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            _PAD + (lon - self.lon0) * self.kx * self.scale,
            _PAD + (self.lat1 - lat) * self.scale,
        )


def _outline_rings(outline: Any) -> list[list[tuple[float, float]]]:
    if outline is None:
        return []
    return [list(poly.exterior.coords) for poly in getattr(outline, "geoms", [outline])]


def _points(coords: Sequence[tuple[float, float]], proj: _Projection) -> str:
    return " ".join("{:.1f},{:.1f}".format(*proj(x, y)) for x, y in coords)


def rounds_map_svg(day: DayResult, paths: Sequence[RoundPath]) -> str:
    """The map as one ``<svg>`` element (no scripts, no external references)."""
    rings = _outline_rings(day.county.outline)
    pts = [day.county.position(v.code) for v in day.villages]
    everything = [p for ring in rings for p in ring] + pts + [c for p in paths for c in p.coords]
    if not everything:
        everything = [day.county.position(day.county.hub)]
    proj = _Projection(everything)
    width, height = _MAP_W + _LEGEND_W, max(proj.height, 260.0)
    loaded = day.loading.by_name() if day.loading is not None else {}
    rid_of = dict(zip(round_ids(day), day.plan.routes, strict=True))
    out = [
        f'<svg id="rounds-map-svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'style="max-width:{width:.0f}px;background:#fff;border:1px solid #ddd">',
        f"<title>Co-delivery rounds ({len(paths)})</title>",
    ]
    for ring in rings:
        out.append(
            f'<polygon points="{_points(ring, proj)}" fill="#f4f4f0" stroke="#555" '
            'stroke-width="0.8"/>'
        )
    for p in paths:
        route = rid_of.get(p.round)
        lr = loaded.get(p.round)
        tip = [f"{p.round} {p.vehicle} ({p.vehicle_type})"]
        if route is not None:
            tip.append(
                f"{len(route.stops)} villages, {route.load_start[0]} parcels out; "
                f"departs {clock(route.depart_s)}, back {clock(route.return_s)}, "
                f"{route.distance_m / 1000:.0f} km"
            )
        if lr is not None:
            tip.append(
                f"chutes ready {clock(lr.ready_s)}, loading {clock(lr.start_s)}–"
                f"{clock(lr.departure_s)} at dock {lr.dock + 1}"
            )
        out.append(
            f'<g class="round" data-round="{_e(p.round)}"><title>{_e(chr(10).join(tip))}</title>'
            f'<polyline points="{_points(p.coords, proj)}" fill="none" stroke="{_e(p.colour)}" '
            'stroke-width="2" stroke-opacity="0.85"/></g>'
        )
    departs = {v: r.depart_s for r in day.plan.routes for v in r.villages}
    for v in day.villages:
        x, y = proj(*day.county.position(v.code))
        brands = ", ".join(f"{b} {n}" for b, n in v.parcels_by_brand.items() if n) or "none"
        tip = [
            f"{v.name} {v.code} ({v.township})",
            f"parcels by brand: {brands}",
            f"ready {clock(v.ready_s) or '—'} · departure {clock(departs.get(v.code)) or '—'}"
            f" · arrival {clock(v.arrival_s) or '—'}",
            f"light {v.light} ({LIGHT_LABELS.get(v.light, '')})"
            + (f" · {v.reason}" if v.reason else ""),
        ]
        out.append(
            f'<circle class="village" cx="{x:.1f}" cy="{y:.1f}" r="3.6" '
            f'fill="{LIGHT_COLOURS.get(v.light, "#999")}" stroke="#333" stroke-width="0.5">'
            f"<title>{_e(chr(10).join(tip))}</title></circle>"
        )
    hx, hy = proj(*day.county.position(day.county.hub))
    out.append(
        f'<rect class="hub" x="{hx - 5:.1f}" y="{hy - 5:.1f}" width="10" height="10" '
        f'fill="#000"><title>{_e(day.county.hub_name)}</title></rect>'
    )
    out.append(_legend(day, paths, height))
    out.append("</svg>")
    return "".join(out)


def _legend(day: DayResult, paths: Sequence[RoundPath], height: float) -> str:
    """Lights, the hub and the rounds in a column right of the map (never over it)."""
    x0 = _MAP_W + 10
    parts = ['<g class="legend" font-size="11" font-family="sans-serif">']
    y = 20.0
    for light, colour in LIGHT_COLOURS.items():
        n = sum(v.light == light for v in day.villages)
        parts.append(
            f'<circle cx="{x0 + 6}" cy="{y - 4}" r="4" fill="{colour}" stroke="#333" '
            f'stroke-width="0.5"/><text x="{x0 + 16}" y="{y}">{_e(light)} ({n})</text>'
        )
        y += 16
    parts.append(
        f'<rect x="{x0 + 1}" y="{y - 9}" width="10" height="10" fill="#000"/>'
        f'<text x="{x0 + 16}" y="{y}">hub</text>'
    )
    y += 22
    room = max(0, int((height - y - 20) // 14))
    for p in paths[:room]:
        parts.append(
            f'<line x1="{x0}" y1="{y - 4}" x2="{x0 + 12}" y2="{y - 4}" stroke="{_e(p.colour)}" '
            f'stroke-width="3"/><text x="{x0 + 16}" y="{y}">{_e(p.round)} {_e(p.vehicle)}</text>'
        )
        y += 14
    if len(paths) > room:
        parts.append(f'<text x="{x0}" y="{y}">… {len(paths) - room} more rounds</text>')
    parts.append("</g>")
    return "".join(parts)
