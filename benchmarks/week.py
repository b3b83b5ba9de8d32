"""A week with service patterns: the Suichang week with ``auto`` patterns, timed.

Usage::

    python benchmarks/week.py [SCENARIO] [--time-limit S] [--search-moves N] [--json FILE]
    python benchmarks/week.py --province [--workers N] [--time-limit S] [--search-moves N]

Runs ``gongpei week`` on SCENARIO (default ``scenarios/suichang-week.toml``: auto patterns,
the default 20 s budget per day solve, standing rounds) and prints an aligned table of the
variants (every village daily, produce villages daily and the others 3× a week, the chosen
patterns, standing rounds: cost, km, van-days, mean and longest wait) and the wall time of
each stage. Target (issue 18): the week in <= 600 s on 2 cores; the chosen patterns cost no
more than daily service; every parcel delivered within its limit or listed. Exit status 1
when a target is missed. Not a timed test: run it by hand, on an otherwise idle machine.

``--province``: a week in each of the 26 counties on Dask (what ``gongpei province --week``
runs, :func:`gongpei.week.province.run_province_week`), one core per county; the table and
the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "suichang-week.toml"
WALL_TARGET_S = 600.0


def run(scenario: str, time_limit: float | None, search_moves: int | None) -> dict[str, Any]:
    from gongpei.scenario.loading import load_scenario
    from gongpei.week.results import run_week

    sc = load_scenario(scenario)
    overrides: dict[str, Any] = {}
    if time_limit is not None:
        overrides["routing.time_limit_s"] = time_limit
    if search_moves is not None:
        overrides["week.search_moves"] = search_moves
    if overrides:
        sc = sc.with_overrides(overrides)
    t0 = time.perf_counter()
    cpu0 = _cpu_s()
    res = run_week(sc)
    wall = time.perf_counter() - t0
    cpu = _cpu_s() - cpu0
    doc = res.summary()
    par = doc["parcels"]
    patterns: dict[str, int] = {}
    for v in doc["villages"]:
        patterns[v["pattern"]] = patterns.get(v["pattern"], 0) + 1
    return {
        "scenario": sc.name,
        "villages": len(doc["villages"]),
        "days": len(doc["days"]),
        "time_limit_s": sc.model.routing.time_limit_s,
        "backend": sc.model.routing.backend,
        "search": doc["search"],
        "comparison": doc["comparison"],
        "patterns": dict(sorted(patterns.items(), key=lambda x: -x[1])),
        "parcels": {k: par[k] for k in ("total", "carried_in", "delivered", "waiting", "late")},
        "checker_violations": sum(d["checker_violations"] for d in doc["days"]),
        "timings_s": {k: round(v, 2) for k, v in res.timings.items()},
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the solver processes): on a
    shared machine, the figure that does not depend on what else runs."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def table(row: dict[str, Any]) -> str:
    lines = [
        f"{'variant':<26}{'cost ¥':>12}{'km':>10}{'van-days':>10}{'mean wait':>11}{'max':>5}"
        f"{'late':>7}{'unserved':>10}"
    ]
    for k, c in row["comparison"].items():
        if not isinstance(c, dict) or "cost" not in c:
            continue
        lines.append(
            f"{k:<26}{c['cost']:>12,.0f}{c['km']:>10,.0f}{c['van_days']:>10}"
            f"{c['mean_wait_days']:>11.2f}{c['max_wait_days']:>5}{c['late']:>7}"
            f"{c['unserved_village_days']:>10}"
        )
    lines.append(
        f"saving of the chosen patterns: {row['comparison']['chosen_saving_vs_daily_pct']} %"
    )
    lines.append(f"patterns: {row['patterns']}")
    lines.append(f"parcels: {row['parcels']}; checker violations {row['checker_violations']}")
    lines.append(
        f"stages (s): {row['timings_s']}; wall {row['wall_s']} s, CPU {row['cpu_s']} s, "
        f"load average {row['load_average_1min']}"
    )
    return "\n".join(lines)


def verdicts(row: dict[str, Any]) -> list[str]:
    """The targets missed (empty: all met)."""
    out = []
    if row["wall_s"] > WALL_TARGET_S:
        out.append(f"wall {row['wall_s']} s > {WALL_TARGET_S} s")
    c = row["comparison"]
    if c["chosen"]["cost"] > c["daily"]["cost"]:
        out.append("the chosen patterns cost more than daily service")
    if row["parcels"]["late"]:
        out.append(f"{row['parcels']['late']} parcels late")
    if row["checker_violations"]:
        out.append(f"{row['checker_violations']} checker violations")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(DEFAULT))
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per day solve")
    ap.add_argument("--search-moves", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None, help="write the row here")
    ap.add_argument("--province", action="store_true", help="a week in all 26 counties")
    ap.add_argument("--workers", type=int, default=2, help="Dask workers (--province)")
    args = ap.parse_args(argv)
    if args.province:
        return province(args)
    row = run(args.scenario, args.time_limit, args.search_moves)
    print(table(row))
    missed = verdicts(row)
    row["missed"] = missed
    if args.json:
        args.json.write_text(json.dumps(row, indent=2, ensure_ascii=False) + "\n")
    for m in missed:
        print("MISSED:", m)
    return 1 if missed else 0


def province(args: argparse.Namespace) -> int:
    from gongpei.week.province import run_province_week

    overrides: dict[str, Any] = {}
    if args.time_limit is not None:
        overrides["routing.time_limit_s"] = args.time_limit
    if args.search_moves is not None:
        overrides["week.search_moves"] = args.search_moves
    table = run_province_week(None, overrides=overrides, workers=args.workers)
    print(table.text())
    doc = {
        "overrides": overrides,
        "totals": table.totals(),
        "rows": [asdict(r) for r in table.rows],
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    failed = table.totals()["failed"]
    if failed:
        print(f"MISSED: {failed} counties failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
