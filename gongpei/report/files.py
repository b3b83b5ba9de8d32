"""The output folder of a county day: JSON, CSV, GeoJSON, PNG plots and one HTML page.

:func:`write_outputs` writes every file through :mod:`gongpei.report.atomic` (temporary name in
the same folder, then ``os.replace``), and ``summary.json`` last: a folder with a
``summary.json`` is a finished run, one without it is not (a stale one is removed first).

Files (optional ones follow ``[output]`` in the scenario):

* ``summary.json`` — ``DayResult.summary()``; byte-identical for identical days (no wall
  times, sorted keys).
* ``plan.json`` — the plan (``routing.plan_io``), without wall times (``wall_s`` is 0), so a
  deterministic run gives a byte-identical file.
* ``parcels.csv`` (``parcels_csv``) — one row per parcel from the sorter's records.
* ``chutes.csv`` — one row per chute: villages, parcels, bags, peak fill, refusals.
* ``villages.csv`` — one row per village-level unit: parcels per brand, bagged, not bagged,
  delivered, ready time, round, arrival, status (``served`` only when every parcel that
  arrived for it was delivered), reason and status light.
* ``villages.csv`` — one row per village-level unit: parcels per brand, ready time, round,
  arrival, status, reason and status light; its round's loading start and departure.
* ``routes.csv`` — one row per stop of each round, depot departure and return included, with
  times and the van's load after the stop; per round its dock, the last ready time of its
  villages, loading start and departure after loading (``[loading]``), and where it was
  loaded (``loaded_at``: ``hub``, or the transfer station whose crew loaded it, when its
  cages came there on the trunk truck; ``ready`` is then when they were unloaded there).
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

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongpei.report.atomic import atomic_open, atomic_write_bytes, atomic_write_text
from gongpei.report.figures import render_plots
from gongpei.report.formatting import (
    brands,
    clock,
    depot_location,
    dump_json,
    graph_node,
    num,
    round_ids,
    station_town,
    village_round,
)
from gongpei.report.geojson import round_paths, routes_geojson
from gongpei.report.html import render_html

if TYPE_CHECKING:
    from gongpei.day.results import DayResult
    from routing import Route
    from sorter import SortResult

__all__ = [
    "PLOT_FILES",
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

#: Drawn only when ``gongpei run --frontier`` gives a frontier to mark the plan on.
FRONTIER_PNG = "frontier.png"
_OPTIONAL_FILES = ("parcels.csv", "report.html", *PLOT_FILES, FRONTIER_PNG)


# ---------------------------------------------------------------------------- entry point
def write_outputs(
    day: DayResult,
    out_dir: str | Path,
    *,
    frontier: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Path]:
    """Write the day's files into ``out_dir`` (created if needed); return name → path.

    ``frontier``: rows of a ``frontier.csv`` (:func:`gongpei.studies.frontier.read_frontier_csv`);
    the report then shows that frontier with this plan's own point marked (``frontier.png``).

    Every file is first written into a hidden staging folder inside ``out_dir``; only when
    all are complete are they moved in (one ``os.replace`` each, same file system),
    ``summary.json`` last. An old ``summary.json`` is deleted first, so a failure part-way
    leaves a folder without ``summary.json``; it is raised as
    :class:`~gongpei.report.outdir.OutputWriteError`. Optional files this run does not
    produce are removed, so the folder describes one run. Concurrent runs are kept apart by
    :func:`~gongpei.report.outdir.claim_output`, which ``gongpei run`` holds around this.
    """
    import shutil
    import tempfile

    from gongpei.report.outdir import OutputWriteError

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.json").unlink(missing_ok=True)
        for stale in out.glob(f"{_STAGING_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        stage = Path(tempfile.mkdtemp(dir=out, prefix=_STAGING_PREFIX))
    except OSError as exc:
        raise OutputWriteError(out, exc) from exc
    try:
        staged = _write_files(day, stage, frontier)
        for name in staged:
            if name != "summary.json":
                os.replace(stage / name, out / name)
        for name in _OPTIONAL_FILES:
            if name not in staged:
                (out / name).unlink(missing_ok=True)
        os.replace(stage / "summary.json", out / "summary.json")
    except OSError as exc:
        (out / "summary.json").unlink(missing_ok=True)
        raise OutputWriteError(out, exc) from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return {name: out / name for name in staged}


#: Hidden folder inside the output folder where a run's files are written before moving in.
_STAGING_PREFIX = ".staging-"


def _write_files(
    day: DayResult, out: Path, frontier: Sequence[Mapping[str, Any]] | None = None
) -> list[str]:
    """Write every file of the day into ``out`` (``summary.json`` last); return the names."""
    from routing.plan_io import plan_to_dict

    opts = day.scenario.model.output
    written: list[str] = []

    def mark(name: str) -> Path:
        written.append(name)
        return out / name

    if opts.parcels_csv:
        write_parcels_csv(day.sort, mark("parcels.csv"))
    write_chutes_csv(day, mark("chutes.csv"))
    write_villages_csv(day, mark("villages.csv"))
    write_routes_csv(day, mark("routes.csv"))
    # The plan itself, machine-readable: `gongpei replan --plan` starts from it.
    atomic_write_text(
        mark("plan.json"), dump_json(_without_wall_times(plan_to_dict(day.plan)), indent=1)
    )
    paths = round_paths(day)
    atomic_write_text(mark("routes.geojson"), dump_json(routes_geojson(day, paths), indent=None))
    pngs: dict[str, bytes] = {}
    if opts.plots or opts.html:
        pngs = render_plots(day, paths, frontier=frontier)
    if opts.plots:
        for name, data in pngs.items():
            atomic_write_bytes(mark(name), data)
    if opts.html:
        atomic_write_text(mark("report.html"), render_html(day, pngs, paths))
    atomic_write_text(mark("summary.json"), summary_json(day))
    return written


#: Wall-clock measurements a plan carries (the solve's, each backend's, the construction's):
#: left out of plan.json, as out of summary.json, so equal days give byte-identical files.
_WALL_TIME_KEYS = frozenset({"wall_s", "construct_s", "ortools_first_s"})


def _without_wall_times(d: Any) -> Any:
    """``d`` with every wall-time entry dropped (the plan's own ``wall_s`` becomes 0, which
    :func:`routing.plan_io.plan_from_dict` requires)."""

    def strip(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in _WALL_TIME_KEYS}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    out = {**d, "meta": strip(d.get("meta", {}))}
    out["wall_s"] = 0.0
    return out


def summary_json(day: DayResult) -> str:
    """``day.summary()`` as text: sorted keys, indent 2, UTF-8 names, NaN as ``null``."""
    return dump_json(day.summary())


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with atomic_open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


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
            columns.append([num(float(x)) for x in arr.tolist()])
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
                num(positions.get(cid)),
                ";".join(vs),
                ";".join(names.get(v, "") for v in vs),
                cs.parcels,
                cs.bags,
                cs.max_fill,
                num(cap),
                num(cs.time_full_s, 1),
                cs.refusals,
                clock(last),
                num(last, 1),
            ]
        )
    header = [
        "chute", "kind", "position_m", "villages", "village_names", "parcels", "bags",
        "max_fill", "capacity", "time_full_s", "refusals", "ready", "ready_s",
    ]  # fmt: skip
    _write_csv(Path(path), header, rows)


def write_villages_csv(day: DayResult, path: str | Path) -> None:
    """One row per village-level unit (administrative villages and urban communities)."""
    brand_names = brands(day)
    rounds = village_round(day)
    header = [
        "code", "name", "township", "rural",
        *(f"parcels_{b}" for b in brand_names),
        "sorted_parcels", "not_bagged", "delivered", "pickup_parcels", "pickup_litres",
        "ready", "ready_s", "round", "vehicle", "arrival", "arrival_s",
        "status", "reason", "light",
        "loading_start", "loading_start_s", "departure", "departure_s", "loaded_at",
    ]  # fmt: skip
    loaded = loaded_rounds(day)
    rows = []
    for v in day.villages:
        lr = loaded.get(rounds.get(v.code, ""))
        rows.append(
            [
                v.code,
                v.name,
                v.township,
                num(v.rural),
                *(v.parcels_by_brand.get(b, 0) for b in brand_names),
                v.sorted_parcels,
                v.not_bagged,
                v.delivered,
                v.pickup_parcels,
                v.pickup_litres,
                clock(v.ready_s),
                num(v.ready_s, 1),
                rounds.get(v.code, ""),
                v.vehicle or "",
                clock(v.arrival_s),
                num(v.arrival_s),
                v.status,
                v.reason,
                v.light,
                *_loading_cells(lr),
                _loaded_at(lr),
            ]
        )
    _write_csv(Path(path), header, rows)


def _route_rows(day: DayResult, rid: str, route: Route, dims: Sequence[str]) -> list[list[Any]]:
    problem = day.problem
    units = {v.code: v for v in day.county.villages}
    hub_name = day.county.hub_name

    def place(loc: str) -> tuple[str, str]:
        node = graph_node(day, loc)
        if node == day.county.hub and loc != node:
            return hub_name, units[node].town_name if node in units else ""
        town = station_town(day, loc)
        if town is not None:
            name = day.county.town(town).name
            return f"{name} transfer station", name
        u = units.get(node)
        return (u.name, u.town_name) if u else ("", "")

    rows: list[list[Any]] = []
    start = depot_location(problem, route.start_depot)
    end = depot_location(problem, route.end_depot)
    head = [rid, route.vehicle, route.vehicle_type, route.trip]
    zero = [0] * len(dims)
    rows.append(
        [*head, 0, "depart", route.start_depot, start, "", *place(start),
         "", "", "", "", clock(route.depart_s), route.depart_s,
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
             clock(s.arrival_s), s.arrival_s, clock(s.start_s), s.start_s,
             clock(s.departure_s), s.departure_s,
             *v.delivery, *v.pickup, *s.load_after, leg, cum]
        )  # fmt: skip
        prev = v.location
    leg = problem.distance(prev, end)
    cum += leg
    last = route.stops[-1].load_after if route.stops else route.load_start
    rows.append(
        [*head, len(route.stops) + 1, "return", route.end_depot, end, "", *place(end),
         clock(route.return_s), route.return_s, "", "", "", "",
         *zero, *zero, *last, leg, cum]
    )  # fmt: skip
    return rows


def loaded_rounds(day: DayResult) -> dict[str, Any]:
    """Round id -> its :class:`sorter.LoadedRound` (at the hub's docks or, with transfer
    stations, at its station; empty when the vans were not loaded)."""
    return day.loading.by_name() if day.loading is not None else {}


def _loaded_at(lr: Any) -> str:
    """Where a round's van was loaded: ``hub`` or a transfer station's depot id."""
    if lr is None:
        return ""
    return lr.site or "hub"


def _loading_cells(lr: Any) -> list[Any]:
    """Loading start and departure of a round (clock and seconds); blanks without one."""
    if lr is None:
        return ["", "", "", ""]
    return [clock(lr.start_s), num(lr.start_s, 1), clock(lr.departure_s), num(lr.departure_s, 1)]


def write_routes_csv(day: DayResult, path: str | Path) -> None:
    """One row per stop of each round: a ``depart`` row (load leaving the depot), one
    ``stop`` row per village (times; delivery, pickup and load after the stop per load
    dimension; metres of the leg driven to it) and a ``return`` row. ``trip`` numbers a
    van's trips (0, 1, …: a second trip is a round of its own with the same vehicle)."""
    dims = list(day.problem.dimensions)
    header = [
        "round", "vehicle", "vehicle_type", "trip", "seq", "kind", "depot", "location",
        "village",
        "name", "township", "arrival", "arrival_s", "start", "start_s", "departure",
        "departure_s",
        *(f"delivery_{d}" for d in dims), *(f"pickup_{d}" for d in dims),
        *(f"load_{d}" for d in dims), "leg_m", "cum_m",
        "dock", "ready", "ready_s", "loading_start", "loading_start_s",
        "round_departure", "round_departure_s", "loaded_at",
    ]  # fmt: skip
    loaded = loaded_rounds(day)
    rows: list[list[Any]] = []
    for rid, route in zip(round_ids(day), day.plan.routes, strict=True):
        lr = loaded.get(rid)
        extra = [
            "" if lr is None else lr.dock + 1,
            "" if lr is None else clock(lr.ready_s),
            "" if lr is None else num(lr.ready_s, 1),
            *_loading_cells(lr),
            _loaded_at(lr),
        ]
        rows.extend(row + extra for row in _route_rows(day, rid, route, dims))
    _write_csv(Path(path), header, rows)
