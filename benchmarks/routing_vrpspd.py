"""Routing quality against best known VRPSPD solutions (Dethloff, Salhi–Nagy, Montané–Galvão).

Usage::

    nice -n 10 python benchmarks/routing_vrpspd.py /work/shared/instances/vrpspd/dethloff \\
        --bks /work/shared/instances/vrpspd/bks.csv --time-limit 10 --backend pyvrp \\
        --seeds 1 --peer --json benchmarks/results/routing_dethloff_pyvrp_10s.json

Each instance is read with :func:`routing.readers.read_instance` (free fleet, see there),
solved with :func:`routing.solve.solve`, checked with :func:`routing.check.check`, and scored
with the literature's cost (:func:`routing.readers.real_cost`: unrounded Euclidean for
coordinate sets). A plan counts as feasible when the checker finds no violation and no
village is unserved. The JSON file is rewritten after every instance, so an interrupted run
keeps its rows.

The peer. ``--backend pyvrp-plain`` solves with plain PyVRP as a user would call it
(``benchmarks/pyvrp_peer.py``: required clients, one cost per distance unit, default
penalties). ``--peer`` puts that peer beside the engine on every instance, in the same run, at
the same wall budget and on as many cores, so machine noise hits both alike:

* ``pyvrp`` / ``ortools`` (one core): the engine and one plain seed (the same seed) run at the
  same time, one process each; the peer row is ``pyvrp-plain``.
* ``auto`` (two cores): ``auto`` first, then two plain seeds (``seed`` and ``seed + 1``) side
  by side; the peer row ``pyvrp-plain-x2`` is the better of the two. On a machine others
  load unevenly, the two slots may get very different CPU (the ``cpu_s`` column);
  ``--together`` runs ``auto`` (its two processes) and the two plain seeds all at once, four
  processes sharing the machine alike.

Sets: an instance is labelled with the public set of its folder (``dethloff``,
``salhi_nagy``, ``montane_galvao``) or, for a public instance elsewhere, the reader's guess;
any other instance gets its folder's name (the reader's fallback would call it
``montane_galvao``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from routing.check import check
from routing.plan import Plan
from routing.readers import SETS, BenchmarkInstance, read_bks, read_instance, real_cost
from routing.solve import solve

DEFAULT_BKS = Path("/work/shared/instances/vrpspd/bks.csv")
PLAIN = "pyvrp-plain"
PLAIN_X2 = "pyvrp-plain-x2"
BACKENDS = ("pyvrp", "ortools", "auto", PLAIN)


def _peer_module() -> Any:
    """``benchmarks/pyvrp_peer.py`` (this folder is not a package)."""
    import importlib.util

    name = "pyvrp_peer"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def set_label(path: Path, inst: BenchmarkInstance, bks: dict[str, float]) -> str:
    """The instance's set: its folder's public set, the reader's guess for a public instance
    (one with a best known cost), else the folder's name (see the module docstring)."""
    for part in reversed(path.parts[:-1]):
        if part in SETS:
            return part
    if inst.name in bks:
        return inst.set
    return path.parent.name or "other"


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
    ap.add_argument("--backend", default="pyvrp", choices=BACKENDS)
    ap.add_argument(
        "--peer", action="store_true", help="plain PyVRP beside the engine (module docstring)"
    )
    ap.add_argument(
        "--together",
        action="store_true",
        help="with --peer and auto: auto and both peer seeds at the same time",
    )
    ap.add_argument("--seeds", type=int, default=1, help="solve with seeds 0..K-1")
    ap.add_argument("--fleet", default="free", help="free | file | an integer")
    ap.add_argument("--json", help="write the result rows to this file")
    args = ap.parse_args(argv)

    bks = read_bks(args.bks) if args.bks else {}
    fleet: int | str = int(args.fleet) if args.fleet.isdigit() else args.fleet
    rows: list[dict[str, Any]] = []
    head = (
        f"{'instance':<12} {'set':<15} {'backend':<15} {'seed':>4} {'cost':>10} {'bks':>10} "
        f"{'gap%':>7} "
        f"{'rounds':>6} {'feasible':>8} {'wall_s':>7} {'cpu_s':>6}"
    )
    print(
        f"backend={args.backend} time_limit={args.time_limit}s seeds={args.seeds} peer={args.peer}"
    )
    print(head)
    print("-" * len(head))
    for path in _files(args.paths):
        inst = read_instance(path, fleet=fleet)
        label = set_label(path, inst, bks)
        for seed in range(args.seeds):
            runs = _runs(inst, args.backend, args.time_limit, seed, args.peer, args.together)
            for name, plan, wall, cpu in runs:
                row = _row(inst, label, name, plan, wall, cpu, args.time_limit, seed, bks)
                rows.append(row)
                print(
                    f"{inst.name:<12} {label:<15} {name:<15} {seed:>4} {row['cost']:>10.2f} "
                    f"{_fmt(row['bks'], '10.2f')} {_fmt(row['gap_pct'], '7.2f')} "
                    f"{row['routes']:>6} {row['feasible']!s:>8} {wall:>7.1f} {cpu:>6.1f}",
                    flush=True,
                )
            if args.json:
                Path(args.json).parent.mkdir(parents=True, exist_ok=True)
                Path(args.json).write_text(json.dumps(rows, indent=1))
    _averages(rows)
    return 0


def _runs(
    inst: BenchmarkInstance,
    backend: str,
    time_limit_s: float,
    seed: int,
    peer: bool,
    together: bool = False,
) -> list[tuple[str, Plan, float, float]]:
    """(row backend, plan, wall s, CPU s) for the engine and, with ``peer``, its peer
    (``together``: ``auto`` and the two peer seeds all at once, see the module docstring)."""
    plain = _peer_module()
    problem = inst.problem

    def engine() -> Plan:
        if backend == PLAIN:
            return plain.solve_plain(problem, time_limit_s, seed)
        return solve(problem, backend=backend, time_limit_s=time_limit_s, seed=seed)

    if not peer or backend == PLAIN:
        t0, c0 = time.perf_counter(), _cpu()
        plan = engine()
        return [(backend, plan, time.perf_counter() - t0, _cpu() - c0)]
    if backend != "auto":  # one core each, at the same time
        ours, theirs = plain.side_by_side(
            [engine, lambda: plain.solve_plain(problem, time_limit_s, seed)]
        )
        return [
            (backend, ours, ours.wall_s, ours.meta.get("cpu_s", float("nan"))),
            (PLAIN, theirs, theirs.wall_s, theirs.meta.get("cpu_s", float("nan"))),
        ]
    peers = [lambda s=s: plain.solve_plain(problem, time_limit_s, s) for s in (seed, seed + 1)]
    if together:
        ours, *pair = plain.side_by_side([engine, *peers])
        out = [(backend, ours, ours.wall_s, ours.meta.get("cpu_s", float("nan")))]
    else:
        t0, c0 = time.perf_counter(), _cpu()
        ours = engine()
        out = [(backend, ours, time.perf_counter() - t0, _cpu() - c0)]
        pair = plain.side_by_side(peers)
    best = min(pair, key=lambda p: (len(p.unserved), real_cost(inst, p)))
    best = dataclasses.replace(best, meta={**best.meta, "seeds": [p.meta["seed"] for p in pair]})
    cpu = sum(p.meta.get("cpu_s", float("nan")) for p in pair)  # both seeds' processes
    out.append((PLAIN_X2, best, max(p.wall_s for p in pair), cpu))
    return out


def _row(
    inst: BenchmarkInstance,
    label: str,
    backend: str,
    plan: Plan,
    wall: float,
    cpu: float,
    time_limit_s: float,
    seed: int,
    bks: dict[str, float],
) -> dict[str, Any]:
    violations = check(plan, inst.problem)
    feasible = not violations and not plan.unserved
    cost = real_cost(inst, plan)
    ref = bks.get(inst.name)
    gap = 100.0 * (cost - ref) / ref if ref and feasible else None
    return {
        "instance": inst.name,
        "set": label,
        "backend": backend,
        "time_limit_s": time_limit_s,
        "seed": seed,
        "cost": round(cost, 4),
        "bks": ref,
        "gap_pct": None if gap is None else round(gap, 4),
        "routes": len(plan.routes),
        "feasible": feasible,
        "wall_s": round(wall, 3),
        "cpu_s": None if cpu != cpu else round(cpu, 3),  # CPU the run got (x2: both seeds)
        "iterations": plan.meta.get("iterations"),
        "portfolio": plan.meta.get("portfolio"),
        "plan_backend": plan.backend,
        "chosen": plan.meta.get("chosen"),  # auto: which run won
        "peer_seeds": plan.meta.get("seeds"),  # pyvrp-plain-x2: the two seeds
        "violations": [str(v) for v in violations[:5]],
        "unserved": len(plan.unserved),
    }


def _mean_cpu(rows: list[dict[str, Any]]) -> float | None:
    cpus = [r["cpu_s"] for r in rows if r["cpu_s"] is not None]
    return statistics.fmean(cpus) if cpus else None


def _averages(rows: list[dict[str, Any]]) -> None:
    by_set: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_set[(r["set"], r["backend"])].append(r)
    print()
    print(
        f"{'set':<15} {'backend':<15} {'runs':>5} {'feasible':>9} {'mean gap%':>10} "
        f"{'best-seed gap%':>15} {'max gap%':>9} {'mean wall_s':>12} {'mean cpu_s':>11}"
    )
    for (name, backend), rs in by_set.items():
        gaps = [r["gap_pct"] for r in rs if r["gap_pct"] is not None]
        best: dict[str, float] = {}
        for r in rs:
            if r["gap_pct"] is not None:
                best[r["instance"]] = min(best.get(r["instance"], 1e9), r["gap_pct"])
        print(
            f"{name:<15} {backend:<15} {len(rs):>5} "
            f"{sum(r['feasible'] for r in rs):>4}/{len(rs):<4} "
            f"{_fmt(statistics.fmean(gaps) if gaps else None, '10.3f')} "
            f"{_fmt(statistics.fmean(best.values()) if best else None, '15.3f')} "
            f"{_fmt(max(gaps) if gaps else None, '9.3f')} "
            f"{statistics.fmean(r['wall_s'] for r in rs):>12.2f} "
            f"{_fmt(_mean_cpu(rs), '11.2f')}"
        )


if __name__ == "__main__":
    sys.exit(main())
