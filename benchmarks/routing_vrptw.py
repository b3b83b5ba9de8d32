"""Time windows measured against the literature: Solomon's 100-customer VRPTW instances.

Usage::

    nice -n 10 python benchmarks/routing_vrptw.py /work/shared/instances/vrptw/solomon_100 \\
        --bks /work/shared/instances/vrptw/solomon_100/bks.csv --objective distance \\
        --time-limit 20 --backend auto --json benchmarks/results/routing_vrptw_auto_20s.json

Each file is read with :func:`routing.solomon.read_solomon` under one objective (see
``shared/instances/vrptw/FORMAT.md``): ``distance`` (arcs truncated to 0.1, any number of
vehicles; compared with the ``distance`` rows) or ``hierarchical`` (fewest vehicles first,
then unrounded distance; the ``hierarchical`` rows). Without ``--objective`` the objective
is the one in the CSV's ``objective`` column when the CSV holds only one. Every plan goes
through :func:`routing.check.check`; a plan is feasible when the checker finds nothing and
no customer is unserved. ``gap_pct`` is the distance gap to the best known (hierarchical:
only when the plan uses the best known number of vehicles). Under ``hierarchical`` the
engine solves with ``objective="fewest_vans"`` (:mod:`routing.fleet`: a fleet-minimisation
phase on ``FLEET_SHARE`` of the budget, then the cost search on the smallest fleet found);
``--engine-objective cost`` runs the plain cost search instead (the vehicles are then only
weighed by their fixed cost), for comparison. The JSON file is rewritten after every
instance, so an interrupted run keeps its rows.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from routing.check import check
from routing.solomon import read_solomon, read_vrptw_bks, solomon_cost
from routing.solve import solve

DEFAULT_BKS = Path("/work/shared/instances/vrptw/solomon_100/bks.csv")


def _files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(p.glob("*.txt"), key=_natural) if p.is_dir() else [p])
    return out


def _natural(p: Path) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name))


def _objective(arg: str | None, bks: dict[tuple[str, str], tuple[int, float]]) -> str:
    if arg:
        return arg
    kinds = {k[1] for k in bks}
    if len(kinds) == 1:
        return kinds.pop()
    raise SystemExit(
        f"--bks holds the objectives {sorted(kinds)}: pass --objective distance|hierarchical"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="Solomon .txt files or folders of them")
    ap.add_argument("--bks", default=str(DEFAULT_BKS), help="bks.csv (instance,vehicles,cost,...)")
    ap.add_argument("--time-limit", type=float, default=20.0, help="seconds per solve")
    ap.add_argument("--backend", default="auto", help="pyvrp | ortools | auto")
    ap.add_argument("--objective", choices=("distance", "hierarchical"), default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--engine-objective",
        choices=("auto", "cost", "fewest_vans"),
        default="auto",
        help="the engine's objective (auto: fewest_vans under hierarchical, else cost)",
    )
    ap.add_argument("--json", help="write the result rows to this file")
    args = ap.parse_args(argv)

    bks = read_vrptw_bks(args.bks)
    objective = _objective(args.objective, bks)
    engine_objective = args.engine_objective
    if engine_objective == "auto":
        engine_objective = "fewest_vans" if objective == "hierarchical" else "cost"
    rows: list[dict[str, Any]] = []
    head = (
        f"{'instance':<8} {'veh':>4} {'bks_veh':>7} {'cost':>9} {'bks':>9} {'gap%':>7} "
        f"{'feasible':>8} {'wall_s':>7}"
    )
    print(
        f"objective={objective} engine_objective={engine_objective} backend={args.backend} "
        f"time_limit={args.time_limit}s"
    )
    print(head)
    print("-" * len(head))
    for path in _files(args.paths):
        inst = read_solomon(path, objective)
        t0 = time.perf_counter()
        plan = solve(
            inst.problem,
            backend=args.backend,
            time_limit_s=args.time_limit,
            seed=args.seed,
            objective=engine_objective,
        )
        wall = time.perf_counter() - t0
        violations = check(plan, inst.problem)
        feasible = not violations and not plan.unserved
        cost = solomon_cost(inst, plan)
        vehicles = len(plan.routes)
        ref_v, ref_c = bks.get((inst.name, objective), (None, None))
        gap = None
        if feasible and ref_c and (objective == "distance" or vehicles == ref_v):
            gap = 100.0 * (cost - ref_c) / ref_c
        row = {
            "instance": inst.name,
            "vehicles": vehicles,
            "bks_vehicles": ref_v,
            "cost": round(cost, 3),
            "bks_cost": ref_c,
            "gap_pct": None if gap is None else round(gap, 3),
            "feasible": feasible,
            "wall_s": round(wall, 3),
            "objective": objective,
            "backend": args.backend,
            "engine_objective": engine_objective,
            "time_limit_s": args.time_limit,
            "plan_backend": plan.backend,
            "violations": [str(v) for v in violations[:5]],
            "unserved": len(plan.unserved),
        }
        if "fleet" in plan.meta:
            f = plan.meta["fleet"]
            row["fleet"] = {k: f.get(k) for k in ("vans", "lower_bound", "seconds", "chosen")}
            row["fleet"]["seeds"] = f.get("seeds")
        rows.append(row)
        print(
            f"{inst.name:<8} {vehicles:>4} {ref_v if ref_v is not None else '-':>7} "
            f"{cost:>9.2f} {ref_c if ref_c is not None else '-':>9} "
            f"{'-' if gap is None else format(gap, '.2f'):>7} {feasible!s:>8} {wall:>7.1f}",
            flush=True,
        )
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(rows, indent=1))
    _averages(rows, objective)
    return 0


def _averages(rows: list[dict[str, Any]], objective: str) -> None:
    if not rows:
        return
    _per_set(rows)
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    extra = [r["vehicles"] - r["bks_vehicles"] for r in rows if r["bks_vehicles"] is not None]
    print()
    print(
        f"{objective}: {sum(r['feasible'] for r in rows)}/{len(rows)} feasible; mean gap "
        f"{statistics.fmean(gaps) if gaps else float('nan'):.3f} % over {len(gaps)}; "
        f"max gap {max(gaps) if gaps else float('nan'):.3f} %; vehicles above best known: "
        f"max {max(extra) if extra else 0}, mean {statistics.fmean(extra) if extra else 0:.2f}; "
        f"mean wall {statistics.fmean(r['wall_s'] for r in rows):.1f} s; worst wall/budget "
        f"{max(r['wall_s'] / r['time_limit_s'] for r in rows):.3f}"
    )


def _per_set(rows: list[dict[str, Any]]) -> None:
    """Per Solomon set (C1, C2, R1, R2, RC1, RC2): mean and worst gap, vehicles against the
    best known (total and worst excess), worst wall/budget."""
    sets: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        m = re.match(r"([A-Z]+\d)", r["instance"])
        sets.setdefault(m.group(1) if m else r["instance"], []).append(r)
    print()
    print(
        f"{'set':<4} {'n':>3} {'feas':>4} {'mean_gap%':>9} {'max_gap%':>8} {'gaps':>4} "
        f"{'veh':>5} {'bks_veh':>7} {'max_extra':>9} {'wall/budget':>11}"
    )
    for name, rs in sets.items():
        gaps = [r["gap_pct"] for r in rs if r["gap_pct"] is not None]
        known = [r for r in rs if r["bks_vehicles"] is not None]
        extra = max((r["vehicles"] - r["bks_vehicles"] for r in known), default=0)
        print(
            f"{name:<4} {len(rs):>3} {sum(r['feasible'] for r in rs):>4} "
            f"{statistics.fmean(gaps) if gaps else float('nan'):>9.3f} "
            f"{max(gaps) if gaps else float('nan'):>8.3f} {len(gaps):>4} "
            f"{sum(r['vehicles'] for r in known):>5} {sum(r['bks_vehicles'] for r in known):>7} "
            f"{extra:>9} {max(r['wall_s'] / r['time_limit_s'] for r in rs):>11.3f}"
        )


if __name__ == "__main__":
    sys.exit(main())
