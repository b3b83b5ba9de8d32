"""The output folder of a county day: JSON, CSV, GeoJSON, PNG plots and one HTML page.

:func:`write_outputs` writes every file through :mod:`gongpei.report.atomic` (temporary name in
the same folder, then ``os.replace``), and ``summary.json`` last: a folder with a
``summary.json`` is a finished run, one without it is not (a stale one is removed first).

Files (optional ones follow ``[output]`` in the scenario):

* ``summary.json`` — ``DayResult.summary()``; byte-identical for identical days (no wall
  times, sorted keys).
* ``parcels.csv`` (``parcels_csv``) — one row per parcel from the sorter's records.
* ``chutes.csv`` — one row per chute: villages, parcels, bags, peak fill, refusals.
* ``villages.csv`` — one row per village-level unit: parcels per brand, ready time, round,
  arrival, status, reason and status light.
* ``routes.csv`` — one row per stop of each round, depot departure and return included, with
  times and the van's load after the stop.
* ``routes.geojson`` — WGS-84 FeatureCollection: each round as a LineString along the roads,
  each village and the hub as Points (opens in QGIS, kepler.gl, geojson.io).
* ``throughput.png``, ``induction_queue.png`` (drawn by :mod:`sorter.plotting`),
  ``chute_fill.png``, ``rounds_map.png``, ``ready_arrival.png`` (``plots``).
* ``report.html`` (``html``) — one self-contained page: inline CSS, PNGs as data URIs, no
  scripts, no external resources.

Times in CSV files are given twice: ``HH:MM`` for people and seconds since midnight for
programs. Empty cells mean "none" (never bagged, not served).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongpei.report.atomic import atomic_open, atomic_write_bytes, atomic_write_text
from gongpei.report.figures import LIGHT_COLOURS, LIGHT_LABELS, round_colour

if TYPE_CHECKING:
    from gongpei.day.results import DayResult, VillageOutcome
    from routing import Problem, Route
    from sorter import SortResult

__all__ = [
    "PLOT_FILES",
    "RoundPath",
    "render_html",
    "render_plots",
    "round_ids",
    "round_paths",
    "routes_geojson",
    "summary_json",
    "write_chutes_csv",
    "write_outputs",
    "write_parcels_csv",
    "write_routes_csv",
    "write_villages_csv",
]

#: PNG files written when ``output.plots`` is on, in the order the report shows them.
PLOT_FILES: tuple[str, ...] = (
    "throughput.png",
    "induction_queue.png",
    "chute_fill.png",
    "rounds_map.png",
    "ready_arrival.png",
)

_OPTIONAL_FILES = ("parcels.csv", "report.html", *PLOT_FILES)


# ---------------------------------------------------------------------------- entry point
def write_outputs(day: DayResult, out_dir: str | Path) -> dict[str, Path]:
    """Write the day's files into ``out_dir`` (created if needed); return name → path.

    ``summary.json`` is written last, after every other file is complete; an old one is
    deleted first, so a crash part-way leaves a folder without ``summary.json``. Optional
    files this run does not produce are removed, so the folder describes one run.
    """
    from routing.plan_io import plan_to_dict

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)
    opts = day.scenario.model.output
    written: dict[str, Path] = {}

    def mark(name: str) -> Path:
        written[name] = out / name
        return out / name

    if opts.parcels_csv:
        write_parcels_csv(day.sort, mark("parcels.csv"))
    write_chutes_csv(day, mark("chutes.csv"))
    write_villages_csv(day, mark("villages.csv"))
    write_routes_csv(day, mark("routes.csv"))
    # The plan itself, machine-readable: `gongpei replan --plan` starts from it.
    atomic_write_text(mark("plan.json"), _dump(plan_to_dict(day.plan), indent=1))
    paths = round_paths(day)
    atomic_write_text(mark("routes.geojson"), _dump(routes_geojson(day, paths), indent=None))
    pngs: dict[str, bytes] = {}
    if opts.plots or opts.html:
        pngs = render_plots(day, paths)
    if opts.plots:
        for name, data in pngs.items():
            atomic_write_bytes(mark(name), data)
    if opts.html:
        atomic_write_text(mark("report.html"), render_html(day, pngs))
    for name in _OPTIONAL_FILES:
        if name not in written:
            (out / name).unlink(missing_ok=True)
    atomic_write_text(mark("summary.json"), summary_json(day))
    return written


# ---------------------------------------------------------------------------- helpers
def _finite(x: Any) -> Any:
    """JSON has no NaN/Infinity: non-finite floats become ``null`` (recursively); numpy
    scalars become Python numbers."""
    if hasattr(x, "dtype") and hasattr(x, "item") and getattr(x, "ndim", 1) == 0:
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    return x


def _dump(obj: Any, indent: int | None = 2) -> str:
    text = json.dumps(
        _finite(obj), sort_keys=True, indent=indent, ensure_ascii=False, allow_nan=False
    )
    return text + "\n"


def summary_json(day: DayResult) -> str:
    """``day.summary()`` as text: sorted keys, indent 2, UTF-8 names, NaN as ``null``."""
    return _dump(day.summary())


def _clock(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return ""
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def _num(x: Any, digits: int = 3) -> str:
    """A CSV cell: integers as is, floats rounded, NaN/None empty."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, int):
        return str(x)
    f = float(x)
    if not math.isfinite(f):
        return ""
    if f == int(f) and abs(f) < 2**53:
        return str(int(f))
    return repr(round(f, digits))


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with atomic_open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def round_ids(day: DayResult) -> list[str]:
    """``R01``, ``R02`` … for the plan's routes, in plan order (vehicles may drive several)."""
    return [f"R{k + 1:02d}" for k in range(len(day.plan.routes))]


def _village_round(day: DayResult) -> dict[str, str]:
    out = {}
    for rid, route in zip(round_ids(day), day.plan.routes, strict=True):
        for v in route.villages:
            out[v] = rid
    return out


def _brands(day: DayResult) -> list[str]:
    """Brands in scenario order, then any others found in the results (sorted)."""
    order = list(day.scenario.model.brands.shares)
    seen = {b for v in day.villages for b in v.parcels_by_brand}
    return order + sorted(seen - set(order))


# ---------------------------------------------------------------------------- CSV files
def write_parcels_csv(sort: SortResult, path: str | Path) -> None:
    """One row per parcel (the sorter's records); times in s with 3 decimals, never = empty."""
    rec = sort.records()
    cols = list(rec)
    columns = []
    for c in cols:
        arr = rec[c]
        kind = getattr(arr, "dtype", None)
        if kind is not None and kind.kind == "f":
            columns.append([_num(float(x)) for x in arr.tolist()])
        elif kind is not None and kind.kind == "b":
            columns.append(["1" if x else "0" for x in arr.tolist()])
        else:
            columns.append([str(x) for x in arr.tolist()])
    _write_csv(Path(path), cols, zip(*columns, strict=True))


def write_chutes_csv(day: DayResult, path: str | Path) -> None:
    """One row per chute of the line, in loop order of the sorter's chute list."""
    sort = day.sort
    names = {v.code: v.name for v in day.county.villages}
    villages_of: dict[str, list[str]] = {}
    for village, chute in sorted(sort.assignment.items()):
        villages_of.setdefault(chute, []).append(village)
    positions = {c.id: c.position_m for c in sort.line.chutes}
    ready = sort.village_ready_s
    rows = []
    for k, (cid, cs) in enumerate(sort.chutes.items()):
        vs = villages_of.get(cid, [])
        cap = int(sort.capacity[k]) if k < len(sort.capacity) else None
        if cap is not None and cap >= 2**31 - 1:
            cap = None
        last = max((ready[v] for v in vs if v in ready), default=None)
        rows.append(
            [
                cid,
                cs.kind,
                _num(positions.get(cid)),
                ";".join(vs),
                ";".join(names.get(v, "") for v in vs),
                cs.parcels,
                cs.bags,
                cs.max_fill,
                _num(cap),
                _num(cs.time_full_s, 1),
                cs.refusals,
                _clock(last),
                _num(last, 1),
            ]
        )
    header = [
        "chute", "kind", "position_m", "villages", "village_names", "parcels", "bags",
        "max_fill", "capacity", "time_full_s", "refusals", "ready", "ready_s",
    ]  # fmt: skip
    _write_csv(Path(path), header, rows)


def write_villages_csv(day: DayResult, path: str | Path) -> None:
    """One row per village-level unit (administrative villages and urban communities)."""
    brands = _brands(day)
    rounds = _village_round(day)
    header = [
        "code", "name", "township", "rural",
        *(f"parcels_{b}" for b in brands),
        "sorted_parcels", "not_bagged", "pickup_parcels", "pickup_litres",
        "ready", "ready_s", "round", "vehicle", "arrival", "arrival_s",
        "status", "reason", "light",
    ]  # fmt: skip
    rows = []
    for v in day.villages:
        rows.append(
            [
                v.code,
                v.name,
                v.township,
                _num(v.rural),
                *(v.parcels_by_brand.get(b, 0) for b in brands),
                v.sorted_parcels,
                v.not_bagged,
                v.pickup_parcels,
                v.pickup_litres,
                _clock(v.ready_s),
                _num(v.ready_s, 1),
                rounds.get(v.code, ""),
                v.vehicle or "",
                _clock(v.arrival_s),
                _num(v.arrival_s),
                v.status,
                v.reason,
                v.light,
            ]
        )
    _write_csv(Path(path), header, rows)


def _location(problem: Problem, depot_id: str) -> str:
    return problem.depot(depot_id).location


def _node(day: DayResult, location: str) -> str:
    """The road-graph node of a problem location. Villages and township seats are graph
    nodes already; the hub depot has its own location id (``"hub"``) because the hub
    village is also a stop, so it maps to the county's hub node."""
    if location in day.county.graph:
        return location
    hub_ids = {d.location for d in day.problem.depots if d.id == "hub"} | {"hub"}
    if location in hub_ids:
        return day.county.hub
    raise KeyError(f"problem location {location!r} is not a road-graph node")


def _route_rows(day: DayResult, rid: str, route: Route, dims: Sequence[str]) -> list[list[Any]]:
    problem = day.problem
    units = {v.code: v for v in day.county.villages}
    hub_name = day.county.hub_name

    def place(loc: str) -> tuple[str, str]:
        node = _node(day, loc)
        if node == day.county.hub and loc != node:
            return hub_name, units[node].town_name if node in units else ""
        u = units.get(node)
        return (u.name, u.town_name) if u else ("", "")

    rows: list[list[Any]] = []
    start = _location(problem, route.start_depot)
    end = _location(problem, route.end_depot)
    head = [rid, route.vehicle, route.vehicle_type]
    zero = [0] * len(dims)
    rows.append(
        [*head, 0, "depart", route.start_depot, start, "", *place(start),
         "", "", "", "", _clock(route.depart_s), route.depart_s,
         *zero, *zero, *route.load_start, 0, 0]
    )  # fmt: skip
    prev, cum = start, 0
    for k, s in enumerate(route.stops, start=1):
        v = problem.village(s.village)
        leg = problem.distance(prev, v.location)
        cum += leg
        name, town = place(v.location)
        rows.append(
            [*head, k, "stop", "", v.location, s.village, name, town,
             _clock(s.arrival_s), s.arrival_s, _clock(s.start_s), s.start_s,
             _clock(s.departure_s), s.departure_s,
             *v.delivery, *v.pickup, *s.load_after, leg, cum]
        )  # fmt: skip
        prev = v.location
    leg = problem.distance(prev, end)
    cum += leg
    last = route.stops[-1].load_after if route.stops else route.load_start
    rows.append(
        [*head, len(route.stops) + 1, "return", route.end_depot, end, "", *place(end),
         _clock(route.return_s), route.return_s, "", "", "", "",
         *zero, *zero, *last, leg, cum]
    )  # fmt: skip
    return rows


def write_routes_csv(day: DayResult, path: str | Path) -> None:
    """One row per stop of each round: a ``depart`` row (load leaving the depot), one
    ``stop`` row per village (times; delivery, pickup and load after the stop per load
    dimension; metres of the leg driven to it) and a ``return`` row."""
    dims = list(day.problem.dimensions)
    header = [
        "round", "vehicle", "vehicle_type", "seq", "kind", "depot", "location", "village",
        "name", "township", "arrival", "arrival_s", "start", "start_s", "departure",
        "departure_s",
        *(f"delivery_{d}" for d in dims), *(f"pickup_{d}" for d in dims),
        *(f"load_{d}" for d in dims), "leg_m", "cum_m",
    ]  # fmt: skip
    rows: list[list[Any]] = []
    for rid, route in zip(round_ids(day), day.plan.routes, strict=True):
        rows.extend(_route_rows(day, rid, route, dims))
    _write_csv(Path(path), header, rows)


# ---------------------------------------------------------------------------- geometry
@dataclass(frozen=True, slots=True)
class RoundPath:
    """One round drawn along the roads: its id, van, colour and (lon, lat) polyline."""

    round: str
    vehicle: str
    vehicle_type: str
    colour: str
    coords: tuple[tuple[float, float], ...]


def round_paths(day: DayResult) -> list[RoundPath]:
    """Each round's polyline along the road graph (the fastest path between consecutive
    stops, as the matrices use); a straight segment where the graph has no path."""
    from routing.network import NetworkError, path_coords

    graph = day.county.graph
    cache: dict[tuple[str, str], list[tuple[float, float]]] = {}

    def leg(a: str, b: str) -> list[tuple[float, float]]:
        if (a, b) not in cache:
            try:
                pts = [(float(x), float(y)) for x, y in path_coords(graph, a, b)]
            except NetworkError:
                pts = [day.county.position(a), day.county.position(b)]
            cache[(a, b)] = pts
        return cache[(a, b)]

    out = []
    for k, (rid, route) in enumerate(zip(round_ids(day), day.plan.routes, strict=True)):
        locs = [_node(day, _location(day.problem, route.start_depot))]
        locs += [_node(day, day.problem.village(v).location) for v in route.villages]
        locs.append(_node(day, _location(day.problem, route.end_depot)))
        coords: list[tuple[float, float]] = []
        for a, b in itertools.pairwise(locs):
            if a == b:
                continue
            pts = leg(a, b)
            coords.extend(pts[1:] if coords and coords[-1] == pts[0] else pts)
        if len(coords) < 2:
            coords = [day.county.position(locs[0])] * 2
        rounded = tuple((round(x, 6), round(y, 6)) for x, y in coords)
        out.append(RoundPath(rid, route.vehicle, route.vehicle_type, round_colour(k), rounded))
    return out


def routes_geojson(day: DayResult, paths: Sequence[RoundPath] | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946, lon/lat): rounds, villages, depots."""
    paths = round_paths(day) if paths is None else paths
    problem = day.problem
    features: list[dict[str, Any]] = []
    for p, route in zip(paths, day.plan.routes, strict=True):
        delivered = sum(problem.village(v).delivery[0] for v in route.villages)
        picked = sum(problem.village(v).pickup[0] for v in route.villages)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in p.coords]},
                "properties": {
                    "kind": "round",
                    "round": p.round,
                    "vehicle": p.vehicle,
                    "vehicle_type": p.vehicle_type,
                    "km": round(route.distance_m / 1000, 3),
                    "duration_s": route.duration_s,
                    "duration": _clock(route.duration_s),
                    "depart": _clock(route.depart_s),
                    "return": _clock(route.return_s),
                    "villages": len(route.stops),
                    "delivered": delivered,
                    "picked_up": picked,
                    "cost": round(route.cost, 2),
                    "colour": p.colour,
                    "stroke": p.colour,
                    "stroke-width": 3,
                },
            }
        )
    rounds = _village_round(day)
    for v in day.villages:
        lon, lat = day.county.position(v.code)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "kind": "village",
                    "code": v.code,
                    "name": v.name,
                    "township": v.township,
                    "rural": v.rural,
                    "parcels": v.sorted_parcels,
                    "not_bagged": v.not_bagged,
                    "pickup": v.pickup_parcels,
                    "ready": _clock(v.ready_s),
                    "round": rounds.get(v.code),
                    "vehicle": v.vehicle,
                    "arrival": _clock(v.arrival_s) or None,
                    "status": v.status,
                    "reason": v.reason,
                    "light": v.light,
                    "colour": LIGHT_COLOURS.get(v.light, "#999999"),
                    "marker-color": LIGHT_COLOURS.get(v.light, "#999999"),
                },
            }
        )
    for d in problem.depots:
        node = _node(day, d.location)
        lon, lat = day.county.position(node)
        is_hub = node == day.county.hub
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "kind": "hub" if is_hub else "depot",
                    "depot": d.id,
                    "code": node,
                    "name": day.county.hub_name if is_hub else d.id,
                    "marker-color": "#000000",
                    "marker-symbol": "warehouse",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------------------- plots
def _png(fig: Any) -> bytes:
    """PNG bytes of a pyplot-free ``Figure`` (saved with Agg; no timestamp in the file)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def render_plots(day: DayResult, paths: Sequence[RoundPath] | None = None) -> dict[str, bytes]:
    """The report's figures as PNG bytes, keyed by file name (:data:`PLOT_FILES`).

    Uses matplotlib's Agg backend (no display needed) without changing the global backend.
    """
    from matplotlib.figure import Figure

    from gongpei.report import figures as plots
    from sorter import plotting as sorter_plots

    out: dict[str, bytes] = {}
    sort = day.sort

    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    sorter_plots.plot_throughput(sort, ax=ax)
    out["throughput.png"] = _png(fig)

    fig = Figure(figsize=(9, 3.5))
    ax = fig.add_subplot()
    sorter_plots.plot_induction_queues(sort, ax=ax, per_station=False)
    out["induction_queue.png"] = _png(fig)

    fig = Figure(figsize=(9, 5))
    ax = fig.add_subplot()
    sorter_plots.plot_chute_fill_heatmap(sort, ax=ax, bin_s=600.0)
    out["chute_fill.png"] = _png(fig)

    paths = round_paths(day) if paths is None else paths
    fig = Figure(figsize=(8, 8))
    ax = fig.add_subplot()
    pts = [(*day.county.position(v.code), v.light) for v in day.villages]
    plots.plot_rounds_map(
        [(f"{p.round} {p.vehicle}", p.colour, p.coords) for p in paths],
        pts,
        ax=ax,
        hub=day.county.position(day.county.hub),
        outline=day.county.outline,
    )
    out["rounds_map.png"] = _png(fig)

    fig = Figure(figsize=(7, 5))
    ax = fig.add_subplot()
    served = [v for v in day.villages if v.arrival_s is not None and v.ready_s is not None]
    plots.plot_ready_arrival(
        [float(v.ready_s) for v in served if v.ready_s is not None],
        [float(v.arrival_s) for v in served if v.arrival_s is not None],
        [v.light for v in served],
        ax=ax,
        promised_s=float(day.scenario.model.routing.promised_by),
    )
    out["ready_arrival.png"] = _png(fig)
    return out


# ---------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",
"WenQuanYi Zen Hei",sans-serif;
margin:0 auto;max-width:1200px;padding:1em 1.5em;color:#222;background:#fafafa}
h1{margin:.2em 0}h2{margin-top:1.6em;border-bottom:2px solid #ddd;padding-bottom:.2em}
.meta{color:#666}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.6em 1em;min-width:10em}
.card .v{font-size:1.5em;font-weight:600}.card .k{color:#666;font-size:.85em}
.warn{background:#fff4d6;border:1px solid #f2c200;border-radius:6px;padding:.5em 1em}
.ok{color:#2ca02c}.bad{color:#d62728}
table{border-collapse:collapse;background:#fff;font-size:.88em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left}
th{background:#f0f0f0;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.dot{display:inline-block;width:.85em;height:.85em;border-radius:50%;
border:1px solid #555;vertical-align:-.1em}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd;background:#fff}
figcaption{color:#666;font-size:.9em}
pre{background:#fff;border:1px solid #ddd;padding:.5em;font-size:.8em;overflow:auto}
.legend>span{margin-right:1.2em;white-space:nowrap}
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _dot(light: str) -> str:
    colour = LIGHT_COLOURS.get(light, "#999999")
    return (
        f'<span class="dot" style="background:{colour}" title="{_e(light)}" '
        f'aria-label="{_e(light)}"></span>'
    )


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


def _card(value: str, key: str, card_id: str = "") -> str:
    attr = f' id="{_e(card_id)}"' if card_id else ""
    return (
        f'<div class="card"{attr}><div class="v">{_e(value)}</div>'
        f'<div class="k">{_e(key)}</div></div>'
    )


def _fmt(x: Any, digits: int = 0, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{float(x):,.{digits}f}{unit}"


def _headline_cards(day: DayResult, s: Mapping[str, Any]) -> str:
    p, so, r = s["parcels"], s["sorter"], s["routing"]
    states = ("bagged", "no_read", "exception", "overflow", "in_system")
    accounted = sum(int(p[k]) for k in states)
    conserved = accounted == int(p["total"])
    cards = [
        _card(f"{p['total']:,}", "parcels in", "card-parcels"),
        _card(
            f"{p['bagged']:,}",
            "bagged · " + " · ".join(f"{k.replace('_', ' ')} {p[k]:,}" for k in states[1:]),
            "card-bagged",
        ),
        _card(
            "✔ conserved" if conserved else f"✘ {accounted:,} ≠ {p['total']:,}",
            "parcels: in = bagged + no-read + exception + overflow + in system",
            "card-conservation",
        ),
        _card(_fmt(so["throughput_per_h"], 0, " /h"), "sorting throughput"),
        _card(_clock(so.get("last_chute_ready_s")) or "—", "last chute ready"),
        _card(_fmt(100 * float(so["recirculation_rate"]), 2, " %"), "recirculation rate"),
        _card(f"{r['routes']}", "rounds", "card-rounds"),
        _card(f"{r['vans_used']}", "vans used"),
        _card(_fmt(r["distance_km"], 0, " km"), "driven"),
        _card("¥" + _fmt(r["cost"], 0), "round cost"),
        _card(_fmt(r.get("co2_kg"), 0, " kg"), "CO₂"),
        _card(
            f"{r['villages_served']} / {len(r['villages_unserved'])}",
            "villages served / unserved",
        ),
    ]
    c = s.get("codelivery_saving") or {}
    if c:
        cards.append(
            _card(
                f"{c['distance_pct']:.1f} % km · {c['cost_pct']:.1f} % ¥",
                "co-delivery saving vs every brand alone",
                "card-saving-brands",
            )
        )
    td = (s.get("other_baselines") or {}).get("township_drop")
    if td:
        sv = td["saving"]
        cards.append(
            _card(
                f"{sv['distance_pct']:.1f} % km · {sv['cost_pct']:.1f} % ¥",
                "co-delivery saving vs township drop",
                "card-saving-township",
            )
        )
    return '<section id="headline" class="cards">' + "".join(cards) + "</section>"


def _legend(counts: Mapping[str, int]) -> str:
    items = "".join(
        f"<span>{_dot(k)} <b>{_e(k)}</b> ({counts.get(k, 0)}) {_e(v)}</span>"
        for k, v in LIGHT_LABELS.items()
    )
    return f'<p class="legend" id="legend">{items}</p>'


def _township_rows(day: DayResult) -> list[list[tuple[str, bool]]]:
    groups: dict[str, list[VillageOutcome]] = {}
    for v in day.villages:
        groups.setdefault(v.township, []).append(v)
    rounds = _village_round(day)
    rows = []
    for town, vs in groups.items():
        lights = {c: sum(v.light == c for v in vs) for c in LIGHT_COLOURS}
        arrivals = [v.arrival_s for v in vs if v.arrival_s is not None]
        rows.append(
            [
                (_e(town), False),
                (str(len(vs)), True),
                (str(sum(v.rural for v in vs)), True),
                (f"{sum(v.sorted_parcels + v.not_bagged for v in vs):,}", True),
                (f"{sum(v.sorted_parcels for v in vs):,}", True),
                (f"{sum(v.not_bagged for v in vs):,}", True),
                (f"{sum(v.pickup_parcels for v in vs):,}", True),
                (str(sum(v.status == "served" for v in vs)), True),
                (str(sum(v.status == "unserved" for v in vs)), True),
                (str(len({rounds[v.code] for v in vs if v.code in rounds})), True),
                (_e(_clock(max(arrivals)) if arrivals else ""), True),
                (
                    " ".join(f"{_dot(c)}&nbsp;{n}" for c, n in lights.items() if n),
                    False,
                ),
            ]
        )
    return rows


def _village_rows(day: DayResult) -> list[list[tuple[str, bool]]]:
    rounds = _village_round(day)
    rows = []
    for v in day.villages:
        rows.append(
            [
                (_dot(v.light), False),
                (_e(v.code), False),
                (_e(v.name), False),
                (_e(v.township), False),
                (f"{v.sorted_parcels + v.not_bagged:,}", True),
                (f"{v.sorted_parcels:,}", True),
                (f"{v.not_bagged:,}" if v.not_bagged else "", True),
                (f"{v.pickup_parcels:,}", True),
                (_e(_clock(v.ready_s)), True),
                (_e(rounds.get(v.code, "")), False),
                (_e(v.vehicle or ""), False),
                (_e(_clock(v.arrival_s)), True),
                (_e(v.status), False),
                (_e(v.reason), False),
            ]
        )
    return rows


def _round_rows(day: DayResult) -> list[list[tuple[str, bool]]]:
    rows = []
    for k, (rid, route) in enumerate(zip(round_ids(day), day.plan.routes, strict=True)):
        load = route.load_start[0] if route.load_start else 0
        swatch = f'<span class="dot" style="background:{round_colour(k)}"></span>'
        rows.append(
            [
                (f"{swatch} {_e(rid)}", False),
                (_e(route.vehicle), False),
                (_e(route.vehicle_type), False),
                (_e(_clock(route.depart_s)), True),
                (_e(_clock(route.return_s)), True),
                (str(len(route.stops)), True),
                (f"{load:,}", True),
                (f"{route.distance_m / 1000:,.1f}", True),
                (f"{route.cost:,.0f}", True),
            ]
        )
    return rows


_BASELINE_HEADER = ["plan", "km", "van hours", "vans", "¥", "CO₂ kg", "saving km", "saving ¥"]


def _baseline_rows(day: DayResult, s: Mapping[str, Any]) -> list[list[tuple[str, bool]]]:
    """Co-delivery first, then each baseline with what co-delivery saves against it."""
    from gongpei.day.results import saving

    r = s["routing"]
    rows = [
        [
            ("co-delivery (this plan)", False),
            (_fmt(r["distance_km"], 1), True),
            (_fmt(r["duration_h"], 1), True),
            (str(r["vans_used"]), True),
            (_fmt(r["cost"], 0), True),
            (_fmt(r.get("co2_kg"), 0), True),
            ("", True),
            ("", True),
        ]
    ]
    for name, b in day.baselines.items():
        sv = saving(b, day)
        rows.append(
            [
                (_e(name.replace("_", " ")), False),
                (_fmt(b.distance_km, 1), True),
                (_fmt(b.duration_h, 1), True),
                (str(b.vans_used), True),
                (_fmt(b.cost, 0), True),
                (_fmt(b.co2_kg, 0), True),
                (_fmt(sv["distance_pct"], 1, " %"), True),
                (_fmt(sv["cost_pct"], 1, " %"), True),
            ]
        )
    return rows


def render_html(day: DayResult, pngs: Mapping[str, bytes] | None = None) -> str:
    """The one-page report (UTF-8, no scripts, no external resources)."""
    s = _finite(day.summary())
    name = str(s["scenario"])
    r = s["routing"]
    title = f"gongpei — {name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="meta">{_e(day.county.name)} · seed {_e(s["seed"])} · rounds by '
        f"{_e(r.get('backend', ''))} ({_e(r.get('status', ''))}) · promised by "
        f"{_e(_clock(day.scenario.model.routing.promised_by))}</p></header>",
        _headline_cards(day, s),
    ]
    warnings = []
    if r.get("checker_violations"):
        warnings.append(
            f"The independent checker found {r['checker_violations']} violation(s) in the plan."
        )
    if r.get("villages_unserved"):
        names = {v.code: v.name for v in day.villages}
        warnings.append(
            f"{len(r['villages_unserved'])} village(s) unserved: "
            + ", ".join(
                f"{names.get(u['village'], '')} {u['village']} ({u['reason']})"
                for u in r["villages_unserved"][:20]
            )
            + (" …" if len(r["villages_unserved"]) > 20 else "")
        )
    if warnings:
        parts.append(
            '<div class="warn" id="warnings">' + "<br>".join(_e(w) for w in warnings) + "</div>"
        )
    lights = {c: sum(v.light == c for v in day.villages) for c in LIGHT_LABELS}
    parts.append("<h2>Status lights</h2>" + _legend(lights))
    if pngs:
        parts.append('<h2>Figures</h2><section id="plots">')
        captions = {
            "throughput.png": "Parcels into village chutes per clock hour",
            "induction_queue.png": "Parcels waiting for an induction operator (hour of day)",
            "chute_fill.png": "Chute fill over the day (share of capacity, 10-minute means)",
            "rounds_map.png": "Rounds along the roads; villages in their status light",
            "ready_arrival.png": "Chute ready vs van arrival per served village",
        }
        for fname, data in pngs.items():
            b64 = base64.b64encode(data).decode("ascii")
            cap = captions.get(fname, fname)
            parts.append(
                f'<figure><img src="data:image/png;base64,{b64}" alt="{_e(cap)}">'
                f"<figcaption>{_e(cap)}</figcaption></figure>"
            )
        parts.append("</section>")
    if day.baselines:
        parts.append("<h2>Co-delivery against the baselines</h2>")
        parts.append(_table(_BASELINE_HEADER, _baseline_rows(day, s), "baseline-table"))
    parts.append(f"<h2>Rounds ({len(day.plan.routes)})</h2>")
    parts.append(
        _table(
            ["round", "vehicle", "type", "depart", "return", "stops", "parcels out", "km", "¥"],
            _round_rows(day),
            "rounds-table",
        )
    )
    parts.append("<h2>Townships</h2>")
    parts.append(
        _table(
            ["township", "units", "rural", "parcels", "sorted", "not bagged", "pickup",
             "served", "unserved", "rounds", "last arrival", "lights"],
            _township_rows(day),
            "township-table",
        )
    )  # fmt: skip
    parts.append(f"<h2>Villages ({len(day.villages)})</h2>")
    parts.append(
        _table(
            ["", "code", "name", "township", "parcels", "sorted", "not bagged", "pickup",
             "ready", "round", "vehicle", "arrival", "status", "reason"],
            _village_rows(day),
            "village-table",
        )
    )  # fmt: skip
    parts.append(
        "<details><summary>All headline numbers (summary.json)</summary>"
        f"<pre>{_e(_dump(s))}</pre></details>"
    )
    parts.append(
        '<footer class="meta"><p>Written by gongpei. Files alongside: summary.json, '
        "villages.csv, routes.csv, routes.geojson, chutes.csv.</p></footer></body></html>\n"
    )
    return "\n".join(parts)
