"""Scale: a 1,000,000-parcel day and a 400-village routing problem, each in its own process.

Usage::

    python benchmarks/scale.py [--parcels N] [--time-limit S] [--json FILE]

Checks (benchmark, not a timed test): the sort of a 1,000,000-parcel day through the full
scenario path (county, demand, arrivals, simulate) succeeds with every parcel accounted for,
in <= 20 s and <= 1.5 GB peak RSS (the sorter's targets); a 400-village routing problem (the
Montané–Galvão 400-customer instance R1_4_1, and the largest Zhejiang mountain county when
its data is shipped) is solved and its plan passes the checker, within the same memory.
Each case runs in a fresh child process, so its peak RSS is its own. Exit status 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MG400 = ROOT.parent / "shared" / "instances" / "vrpspd" / "montane_galvao" / "R1_4_1.vrpspd"

SORT_WALL_TARGET_S = 20.0
RSS_TARGET_MB = 1536.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _big_day(parcels: int) -> dict[str, Any]:
    from gongpei.day.pipeline import sort_day
    from gongpei.scenario.loading import load_scenario

    # Keep the county; scale the volume: half to the rural villages, half to the town.
    sc = load_scenario().with_overrides(
        {
            "demand.village_parcels": parcels // 2,
            "demand.urban_parcels": parcels - parcels // 2,
            "demand.village_max": 50_000,
            "fleet.vans[0].capacity_parcels": 100_000,
            "sorter.induction.stations": 12,
            "sorter.unload_ports": 60,
            "sorter.bagging_operators": 60,
            "sorter.horizon": "36:00",
        }
    )
    t0 = time.perf_counter()
    day = sort_day(sc)
    wall = time.perf_counter() - t0
    s = day.sort.summary()
    p = s["parcels"]
    states = p["bagged"] + p["no_read"] + p["exception"] + p["overflow"] + p["in_system"]
    return {
        "name": f"sort_{parcels}",
        "parcels": int(p["total"]),
        "conserved": states == p["total"] == day.arrivals.parcels,
        "wall_s": round(wall, 3),
        "parcels_per_s": round(p["total"] / wall, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "ok": states == p["total"]
        and wall <= SORT_WALL_TARGET_S
        and _peak_rss_mb() <= RSS_TARGET_MB,
    }


def _mg400(time_limit: float) -> dict[str, Any]:
    from routing.check import check
    from routing.readers import read_instance
    from routing.solve import solve

    inst = read_instance(MG400)
    t0 = time.perf_counter()
    plan = solve(inst.problem, backend="auto", time_limit_s=time_limit, seed=1)
    wall = time.perf_counter() - t0
    violations = check(plan, inst.problem)
    return {
        "name": "route_mg_R1_4_1",
        "villages": len(inst.problem.villages),
        "routes": len(plan.routes),
        "unserved": len(plan.unserved),
        "feasible": not violations,
        "wall_s": round(wall, 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "ok": not violations and _peak_rss_mb() <= RSS_TARGET_MB,
    }


def _county400(time_limit: float) -> dict[str, Any]:
    """The largest mountain county (永嘉县, 454 villages) end to end, rounds without baselines."""
    from gongpei.day.pipeline import run_day
    from gongpei.studies.province import province_scenario

    sc = province_scenario(
        "330324",
        {"routing.time_limit_s": time_limit, "routing.baselines": [], "routing.processes": 2},
    )
    t0 = time.perf_counter()
    day = run_day(sc)
    wall = time.perf_counter() - t0
    return {
        "name": "county_330324",
        "villages": len(day.problem.villages),
        "routes": len(day.plan.routes),
        "unserved": len(day.plan.unserved),
        "feasible": not day.violations,
        "wall_s": round(wall, 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "ok": not day.violations and _peak_rss_mb() <= RSS_TARGET_MB,
    }


def _child(job: str, arg: float, out: Any) -> None:
    try:
        if job == "sort":
            out.put(_big_day(int(arg)))
        elif job == "mg400":
            out.put(_mg400(arg))
        else:
            out.put(_county400(arg))
    except Exception as exc:  # report, don't hang the parent
        out.put({"name": job, "error": f"{type(exc).__name__}: {exc}", "ok": False})


def run_isolated(job: str, arg: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(job, arg, q))
    p.start()
    result = q.get()
    p.join()
    return result  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    rows = [
        run_isolated("sort", args.parcels),
        run_isolated("mg400", args.time_limit),
        run_isolated("county", args.time_limit),
    ]
    keys = [
        "name",
        "parcels",
        "villages",
        "routes",
        "unserved",
        "feasible",
        "conserved",
        "wall_s",
        "peak_rss_mb",
        "ok",
    ]
    print("  ".join(f"{k:>14}" for k in keys))
    for r in rows:
        print("  ".join(f"{r.get(k, '')!s:>14}" for k in keys))
        if "error" in r:
            print(f"  error: {r['error']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
