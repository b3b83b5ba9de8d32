"""Routing quality against best known VRPSPD solutions (Dethloff, Salhi–Nagy, Montané–Galvão).

Usage::

    nice -n 10 python benchmarks/routing_vrpspd.py /work/shared/instances/vrpspd/dethloff \\
        --bks /work/shared/instances/vrpspd/bks.csv --time-limit 10 --backend pyvrp \\
        --seeds 1 --json benchmarks/results/routing_dethloff_pyvrp_10s.json

Each instance is read with :func:`routing.readers.read_instance` (free fleet, see there),
solved with :func:`routing.solve.solve`, checked with :func:`routing.check.check`, and scored
with the literature's cost (:func:`routing.readers.real_cost`: unrounded Euclidean for
coordinate sets). A plan counts as feasible when the checker finds no violation and no
village is unserved. The JSON file is rewritten after every instance, so an interrupted run
keeps its rows.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from routing.check import check
from routing.readers import read_bks, read_instance, real_cost
from routing.solve import solve

DEFAULT_BKS = Path("/work/shared/instances/vrpspd/bks.csv")


def _files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.glob("*.vrpspd"), key=_natural))
        else:
            out.append(p)
    return out


def _natural(p: Path) -> tuple:
    import re

    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name))


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the portfolio's PyVRP child):
    on a shared machine, wall time alone hides how much search a run really got."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help=".vrpspd files or folders of them")
    ap.add_argument("--bks", default=str(DEFAULT_BKS), help="bks.csv (instance,bks_cost)")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve")
    ap.add_argument("--backend", default="pyvrp", help="pyvrp | ortools | auto")
    ap.add_argument("--seeds", type=int, default=1, help="solve with seeds 0..K-1")
    ap.add_argument("--fleet", default="free", help="free | file | an integer")
    ap.add_argument("--json", help="write the result rows to this file")
    args = ap.parse_args(argv)

    bks = read_bks(args.bks) if args.bks else {}
    fleet: int | str = int(args.fleet) if args.fleet.isdigit() else args.fleet
    rows: list[dict[str, Any]] = []
    head = (
        f"{'instance':<12} {'set':<15} {'seed':>4} {'cost':>10} {'bks':>10} {'gap%':>7} "
        f"{'rounds':>6} {'feasible':>8} {'wall_s':>7} {'cpu_s':>6}"
    )
    print(f"backend={args.backend} time_limit={args.time_limit}s seeds={args.seeds}")
    print(head)
    print("-" * len(head))
    for path in _files(args.paths):
        inst = read_instance(path, fleet=fleet)
        for seed in range(args.seeds):
            t0, c0 = time.perf_counter(), _cpu()
            plan = solve(
                inst.problem, backend=args.backend, time_limit_s=args.time_limit, seed=seed
            )
            wall, cpu = time.perf_counter() - t0, _cpu() - c0
            violations = check(plan, inst.problem)
            feasible = not violations and not plan.unserved
            cost = real_cost(inst, plan)
            ref = bks.get(inst.name)
            gap = 100.0 * (cost - ref) / ref if ref and feasible else None
            row = {
                "instance": inst.name,
                "set": inst.set,
                "backend": args.backend,
                "time_limit_s": args.time_limit,
                "seed": seed,
                "cost": round(cost, 4),
                "bks": ref,
                "gap_pct": None if gap is None else round(gap, 4),
                "routes": len(plan.routes),
                "feasible": feasible,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "iterations": plan.meta.get("iterations"),
                "portfolio": plan.meta.get("portfolio"),
                "plan_backend": plan.backend,
                "chosen": plan.meta.get("chosen"),  # auto: which run won
                "violations": [str(v) for v in violations[:5]],
                "unserved": len(plan.unserved),
            }
            rows.append(row)
            print(
                f"{inst.name:<12} {inst.set:<15} {seed:>4} {cost:>10.2f} {_fmt(ref, '10.2f')} "
                f"{_fmt(gap, '7.2f')} {len(plan.routes):>6} {feasible!s:>8} {wall:>7.1f} "
                f"{cpu:>6.1f}",
                flush=True,
            )
            if args.json:
                Path(args.json).parent.mkdir(parents=True, exist_ok=True)
                Path(args.json).write_text(json.dumps(rows, indent=1))
    _averages(rows)
    return 0


def _averages(rows: list[dict[str, Any]]) -> None:
    by_set: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_set[r["set"]].append(r)
    print()
    print(
        f"{'set':<15} {'backend':<8} {'runs':>5} {'feasible':>9} {'mean gap%':>10} "
        f"{'best-seed gap%':>15} {'max gap%':>9} {'mean wall_s':>12} {'mean cpu_s':>11}"
    )
    for name, rs in by_set.items():
        gaps = [r["gap_pct"] for r in rs if r["gap_pct"] is not None]
        best: dict[str, float] = {}
        for r in rs:
            if r["gap_pct"] is not None:
                best[r["instance"]] = min(best.get(r["instance"], 1e9), r["gap_pct"])
        print(
            f"{name:<15} {rs[0]['backend']:<8} {len(rs):>5} "
            f"{sum(r['feasible'] for r in rs):>4}/{len(rs):<4} "
            f"{_fmt(statistics.fmean(gaps) if gaps else None, '10.3f')} "
            f"{_fmt(statistics.fmean(best.values()) if best else None, '15.3f')} "
            f"{_fmt(max(gaps) if gaps else None, '9.3f')} "
            f"{statistics.fmean(r['wall_s'] for r in rs):>12.2f} "
            f"{statistics.fmean(r['cpu_s'] for r in rs):>11.2f}"
        )


if __name__ == "__main__":
    sys.exit(main())
