"""Province benchmark: a day in each of the 26 mountain counties, serially and on 2 Dask workers.

Runs the scenario `gongpei new-scenario` writes for every county (generic roads; Suichang on
its corridors) with a short routing budget, first serially in this process, then on a Dask
LocalCluster of 2 single-threaded worker processes, and prints per-county wall times, the
province totals and the speed-up from 1 to 2 workers measured in the same run.

Routing budgets are wall-clock limits, so a county's time is mostly its budgets (rounds +
the brands-alone baseline) and the speed-up mostly measures how well the two workers
overlap; on a busy machine the solvers just search less. The load average is recorded.

    nice -n 10 python benchmarks/province.py [--json FILE] [--time-limit S] [--counties A,B]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    from gongpei.county.catalogue import find_county, list_counties
    from gongpei.studies.province import run_province

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the results here")
    ap.add_argument(
        "--time-limit",
        type=float,
        default=1.0,
        help="routing and baseline budget per county, s (default 1)",
    )
    ap.add_argument("--counties", default=None, help="comma-separated (default: all 26)")
    ap.add_argument("--backend", default=None, help="override routing.backend")
    ap.add_argument(
        "--no-baselines",
        action="store_true",
        help="skip the brands-alone baseline (no saving column; one core per county day)",
    )
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)

    codes = (
        [find_county(q).code for q in args.counties.split(",")]
        if args.counties
        else [c.code for c in list_counties()]
    )
    overrides: dict[str, object] = {
        "routing.time_limit_s": args.time_limit,
        "routing.baseline_time_limit_s": args.time_limit,
        "output.plots": False,
        "output.html": False,
    }
    if args.backend:
        overrides["routing.backend"] = args.backend
    if args.no_baselines:
        overrides["routing.baselines"] = []
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    serial = run_province(codes, overrides=overrides, workers=1, progress=not args.quiet)
    load1 = os.getloadavg()
    parallel = run_province(codes, overrides=overrides, workers=2, progress=not args.quiet)
    load2 = os.getloadavg()
    total = time.perf_counter() - t0

    print(serial.text())
    print()
    head = f"{'code':<7} {'county':<10} {'serial s':>9} {'2 workers s':>12}"
    print(head)
    for a, b in zip(serial.rows, parallel.rows, strict=True):
        print(
            f"{a.code:<7} {a.scenario:<10} {a.wall_s:>9.1f} {b.wall_s:>12.1f}"
            + (f"  FAILED: {a.error}" if a.error else "")
        )
    speedup = serial.wall_s / parallel.wall_s if parallel.wall_s > 0 else float("nan")
    same = serial.comparable() == parallel.comparable()
    print()
    print(
        f"counties: {len(codes)}, failed: serial {serial.totals()['failed']}, "
        f"2 workers {parallel.totals()['failed']}"
    )
    print(
        f"province wall time: serial {serial.wall_s:.1f} s, 2 workers {parallel.wall_s:.1f} s "
        f"→ speed-up {speedup:.2f}×"
    )
    print(f"tables equal apart from wall time: {same} (wall-clock budgets: not expected)")
    print(
        f"load average (1 min) at start / after serial / end: "
        f"{load0[0]:.1f} / {load1[0]:.1f} / {load2[0]:.1f} on {os.cpu_count()} cores"
    )
    if args.json:
        doc = {
            "time_limit_s": args.time_limit,
            "overrides": overrides,
            "counties": len(codes),
            "serial_wall_s": round(serial.wall_s, 3),
            "parallel_wall_s": round(parallel.wall_s, 3),
            "speedup": round(speedup, 3),
            "tables_equal": same,
            "load_avg_1min": [round(x[0], 2) for x in (load0, load1, load2)],
            "cpu_count": os.cpu_count(),
            "benchmark_wall_s": round(total, 3),
            "serial_totals": serial.totals(),
            "parallel_totals": parallel.totals(),
            "rows": [
                {**r, "wall_s_2_workers": b.wall_s}
                for r, b in zip(
                    [dict(zip(_fields(), _values(x), strict=True)) for x in serial.rows],
                    parallel.rows,
                    strict=True,
                )
            ],
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
        print(f"wrote {args.json}")
    return 1 if serial.totals()["failed"] or parallel.totals()["failed"] else 0


def _fields() -> list[str]:
    from dataclasses import fields

    from gongpei.studies.province import CountyRow

    return [f.name for f in fields(CountyRow)]


def _values(row: object) -> list[object]:
    return [getattr(row, f) for f in _fields()]


if __name__ == "__main__":  # Dask's spawned workers re-import this file: keep the guard
    sys.exit(main())
