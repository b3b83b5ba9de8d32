"""Which line should Suichang build? Kinds of line (a cross-belt loop, a linear swing-wheel
line, people at cages), each with its stations and staff, on a normal day and on a
shopping-festival day, with replications.

    python benchmarks/compare_layouts.py [--quick] [--replications R] [--workers N]
                                         [--time-limit S] [--json FILE]

Each run is a whole day (``what="day"``: sorter, ready times, rounds; no baselines) so that
the rounds' on-time villages are measured, with a short routing budget (``--time-limit``, 2 s
by default, 1 s with ``--quick``). Every layout is run on the same replication seeds (common
random numbers, spawned from the scenario seed), so layouts are compared on identical trucks
and parcels. One aligned line per layout and day: mean ± the half width of the 95 %
Student-t interval of

* ``ready`` — share of the villages with same-day parcels whose chute is ready when the
  first round can leave (the later of the shift start and the cut-off bagging round);
* ``late`` — same-day parcels bagged after the cut-off bagging round (tomorrow's rounds);
* ``overflow`` (parcels left in the overflow / reject chute) and ``reinduct`` (parcels
  carried back to induction: rejects, recirculation overflow, keyed no-reads);
* ``staff-h`` (headcount × staffed hours) and ``¥/parcel`` (``[economics]``: capex, upkeep,
  wages, power; all estimates, see ``sorter.economics``);
* ``on time`` — villages whose round arrives by the promised time.

The festival day is the default Suichang day with the event
``{"kind": "festival", "volume_multiplier": 2.5}``. That scenario does not validate as is:
the busiest village (``demand.village_max`` = 240) would need 600 parcels in one van of 300.
We keep the demand (2.5× every village, the point of a festival) and let the vans carry 600
parcels (``fleet.vans[*].capacity_parcels`` = 600: two loads a round on a festival day).

Full: 9 layouts × 2 days × 10 replications (180 runs, about 15 min on one core).
``--quick``: 4 layouts × 2 days × 3 replications (24 runs, about 2 min).
JSON (``--json``): ``{"meta", "rows", "runs"}``; every row and run carries ``layout``,
``kind``, ``stations``, ``staff`` and ``cost_per_parcel`` (¥ per parcel sorted that day).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from gongpei.scenario.clock import format_clock
from gongpei.scenario.loading import Scenario, load_scenario
from gongpei.studies.statistics import aggregate
from gongpei.studies.sweep import jsonable, sweep

FESTIVAL = 2.5

#: layout name → (kind, stations, overrides of the default scenario). ``stations`` is the
#: induction stations of a loop or linear line, the sorters of a manual one.
LAYOUTS: dict[str, tuple[str, int, dict[str, Any]]] = {
    "loop-2": ("loop", 2, {"sorter.kind": "loop", "sorter.induction.stations": 2}),
    "loop-3": ("loop", 3, {"sorter.kind": "loop", "sorter.induction.stations": 3}),
    "loop-4": ("loop", 4, {"sorter.kind": "loop", "sorter.induction.stations": 4}),
    "linear-2": ("linear", 2, {"sorter.kind": "linear", "sorter.induction.stations": 2}),
    "linear-3": ("linear", 3, {"sorter.kind": "linear", "sorter.induction.stations": 3}),
    "linear-3-spread": (
        "linear",
        3,
        {
            "sorter.kind": "linear",
            "sorter.induction.stations": 3,
            "sorter.assignment": "spread_modules",
        },
    ),
    "manual-20": ("manual", 20, {"sorter.kind": "manual", "sorter.manual.sorters": 20}),
    "manual-40": ("manual", 40, {"sorter.kind": "manual", "sorter.manual.sorters": 40}),
    "manual-60": ("manual", 60, {"sorter.kind": "manual", "sorter.manual.sorters": 60}),
}
QUICK_LAYOUTS = ("loop-3", "linear-3", "manual-20", "manual-40")

#: metric → (column title, formatter of the mean, formatter of the half width)
COLUMNS: dict[str, tuple[str, Any, Any]] = {
    "chutes_ready_by_first_departure": (
        "ready",
        lambda v: f"{100 * v:.0f} %",
        lambda h: f"{100 * h:.0f}",
    ),
    "same_day_ready_s": ("am ready", format_clock, lambda h: f"{h / 60:.0f}m"),
    "parcels_after_cutoff": ("late", lambda v: f"{v:.0f}", lambda h: f"{h:.0f}"),
    "overflow": ("overflow", lambda v: f"{v:.0f}", lambda h: f"{h:.0f}"),
    "reinductions": ("reinduct", lambda v: f"{v:.0f}", lambda h: f"{h:.0f}"),
    "sorting_headcount": ("staff", lambda v: f"{v:.0f}", lambda h: f"{h:.0f}"),
    "sorting_staff_hours": ("staff-h", lambda v: f"{v:.0f}", lambda h: f"{h:.0f}"),
    "cost_per_parcel": ("¥/parcel", lambda v: f"{v:.3f}", lambda h: f"{h:.3f}"),
    "on_time_villages": ("on time", lambda v: f"{v:.0f}", lambda h: f"{h:.0f}"),
}


def days(time_limit_s: float = 2.0) -> dict[str, Scenario]:
    """The normal and the festival day, with a short routing budget and no baselines."""
    routing = {"routing.time_limit_s": time_limit_s, "routing.baselines": []}
    base = load_scenario(None).with_overrides(routing)
    big = math.ceil(base.model.demand.village_max * FESTIVAL)
    vans = {
        f"fleet.vans[{k}].capacity_parcels": max(v.capacity_parcels, big)
        for k, v in enumerate(base.model.fleet.vans)
    }
    festival = base.with_overrides(
        {"events": [{"kind": "festival", "volume_multiplier": FESTIVAL}], **vans}
    )
    return {"normal": base, "festival": festival}


def run(
    layouts: list[str],
    replications: int,
    workers: int | None,
    time_limit_s: float,
    day_names: list[str] | None = None,
) -> list[dict[str, Any]]:
    """One row per (day, layout, replication)."""
    rows: list[dict[str, Any]] = []
    for day, sc in days(time_limit_s).items():
        if day_names is not None and day not in day_names:
            continue
        for name in layouts:
            kind, stations, overrides = LAYOUTS[name]
            print(f"{day} {name}: {replications} replications", file=sys.stderr)
            got = sweep(
                sc.with_overrides(overrides), {}, replications=replications, what="day",
                workers=workers,
            )  # fmt: skip
            for r in got:
                rows.append(
                    {
                        "day": day,
                        "layout": name,
                        "kind": kind,
                        "stations": stations,
                        "staff": int(r["sorting_headcount"]),
                        "cost_per_parcel": r["sorting_yuan_per_parcel"],
                        **{k: v for k, v in r.items() if k != "scenario"},
                    }
                )
    return rows


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean, sd and 95 % interval of every metric per (day, layout)."""
    metrics = [
        k
        for k in rows[0]
        if k not in ("day", "layout", "kind", "stations", "staff", "replication", "seed")
        and isinstance(rows[0][k], int | float)
    ]
    return aggregate(rows, by=["day", "layout", "kind", "stations", "staff"], metrics=metrics)


def table(summary: list[dict[str, Any]]) -> str:
    head = ["day", "layout", "kind", "st", *(c[0] for c in COLUMNS.values())]
    body = []
    for a in summary:
        cells = [a["day"], a["layout"], a["kind"], str(a["stations"])]
        for m, (_, fmt, fmt_h) in COLUMNS.items():
            lo, hi = a[f"{m}_ci"]
            half = (hi - lo) / 2 if lo is not None and not math.isnan(lo) else math.nan
            mean = a[m]
            if mean is None or math.isnan(mean):
                cells.append("—")
                continue
            cells.append(f"{fmt(mean)} ±{fmt_h(half) if not math.isnan(half) else '?'}")
        body.append(cells)
    return _align(head, body, right_from=3)


def _align(head: list[str], body: list[list[str]], right_from: int) -> str:
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = []
    for r in [head, *body]:
        cells = [
            c.ljust(w) if i < right_from else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer layouts and replications")
    ap.add_argument(
        "--replications", "-r", type=int, default=None, help="per layout (default 10, --quick 3)"
    )
    ap.add_argument(
        "--layouts", nargs="+", choices=sorted(LAYOUTS), default=None, help="a subset of layouts"
    )
    ap.add_argument(
        "--days", nargs="+", choices=["normal", "festival"], default=None, help="a subset of days"
    )
    ap.add_argument(
        "--time-limit", type=float, default=None, help="routing budget, s (default 2, --quick 1)"
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Dask LocalCluster worker processes (default: serial)",
    )
    ap.add_argument("--json", type=Path, default=None, help="write summary and runs here")
    args = ap.parse_args(argv)
    reps = args.replications or (3 if args.quick else 10)
    layouts = args.layouts or list(QUICK_LAYOUTS if args.quick else LAYOUTS)
    limit = args.time_limit or (1.0 if args.quick else 2.0)

    t0 = time.perf_counter()
    rows = run(layouts, reps, args.workers, limit, args.days)
    wall = time.perf_counter() - t0
    summary = summarise(rows)
    print(table(summary))
    print(
        f"\n{len(rows)} runs in {wall:.0f} s ({reps} replications per layout, routing "
        f"{limit:g} s; 95 % Student-t intervals, ± half width; ¥/parcel from estimates)"
    )
    if args.json:
        meta = {
            "quick": args.quick,
            "replications": reps,
            "routing_time_limit_s": limit,
            "festival_volume_multiplier": FESTIVAL,
            "wall_s": round(wall, 1),
        }
        payload = {"meta": meta, "rows": summary, "runs": rows}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(jsonable(payload), indent=1, ensure_ascii=False) + "\n")
        print(f"json: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
