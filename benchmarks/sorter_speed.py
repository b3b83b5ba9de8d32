"""Sorter speed benchmark: raw SimPy event rate vs the full sorter model.

    python benchmarks/sorter_speed.py [--parcels N] [--json FILE] [--repeat K]

1. ``simpy_events_per_s``: a fixed SimPy micro-model (100 processes, each looping on
   ``yield env.timeout(1)``), best of ``--repeat`` runs: the speed of SimPy itself here.
2. ``suichang``: a Suichang-like day (~20,000 parcels, 201 + 13 = 214 village chutes, 8 brands,
   2 waves) with every feature on: unloading, 4 induction stations, no-reads + keying +
   re-induction, exceptions, oversize to manual, recirculation/overflow, bagging at a fill
   threshold and at wave cut-offs, and faults (loop stoppages, an unstaffed station, a jammed
   chute, a scanner outage). Best of ``--repeat`` runs.
3. ``day_N``: the same line on an N-parcel day (default 1,000,000), one run.
4. ``suichang_line_to_van``: the Suichang-like day with the issue-14 options on (per-dock
   unloading, 2 keyers, overflow re-induction, 4 people hand-sorting, wave-end bagging),
   best of ``--repeat`` runs; reported, no target of its own.

Each run executes in a fresh subprocess (spawn) that reports its own peak RSS
(``resource.getrusage``). ``wall_s`` is the ``simulate()`` call (arrival generation excluded,
reported as ``setup_s``). ``ratio = parcels_per_s / simpy_events_per_s``. Targets: ratio >=
0.10 on ``suichang``; 1,000,000 parcels in <= 20 s and <= 1.5 GB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from typing import Any


def simpy_rate(processes: int = 100, steps: int = 5000) -> float:
    """Events per second of plain SimPy timeouts on this machine."""
    import simpy

    def proc(env: simpy.Environment) -> Any:
        while True:
            yield env.timeout(1.0)

    env = simpy.Environment()
    for _ in range(processes):
        env.process(proc(env))
    t = time.perf_counter()
    env.run(until=steps)
    return processes * steps / (time.perf_counter() - t)


def _scenario(parcels: int, seed: int = 0) -> tuple[Any, Any, tuple[Any, ...]]:
    """The tests' Suichang-like line and day, plus one of each fault."""
    import sorter
    from sorter.synthetic import suichang_like

    line, arrivals = suichang_like(parcels, seed)
    faults = (
        sorter.LineStoppage(mtbf_s=4 * 3600.0, mttr_s=300.0),
        sorter.StationUnstaffed("I4", 6 * 3600.0, 6.5 * 3600.0),
        sorter.ChuteJam("C001", 5.5 * 3600.0, 6.0 * 3600.0),
        sorter.ScannerOutage(7 * 3600.0, 7.05 * 3600.0),
    )
    return line, arrivals, faults


def _child(parcels: int, repeat: int, out: Any, line_to_van: bool = False) -> None:
    import sorter

    t0 = time.perf_counter()
    line, arrivals, faults = _scenario(parcels)
    options: dict[str, Any] = {}
    if line_to_van:
        line = line.replace(
            unloading="per_dock",
            keyers=2,
            reinduct_overflow=True,
            reinduct_staff=1,
            manual_staff=4,
            manual_sort_s=30.0,
        )
        options["bagging"] = "wave_end"
    setup = time.perf_counter() - t0
    best = float("inf")
    summary: dict[str, Any] = {}
    for _ in range(repeat):
        t = time.perf_counter()
        res = sorter.simulate(
            line, arrivals, assignment=sorter.ByVolume(), seed=1, faults=faults, **options
        )
        best = min(best, time.perf_counter() - t)
        summary = res.summary()
        del res
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out.put(
        {
            "parcels": int(arrivals.parcels),
            "wall_s": best,
            "setup_s": setup,
            "peak_rss_mb": peak_mb,
            "outcomes": summary["parcels"],
            "recirculation_rate": summary["recirculation_rate"],
        }
    )


def run_in_subprocess(parcels: int, repeat: int, line_to_van: bool = False) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(parcels, repeat, q, line_to_van))
    p.start()
    result: dict[str, Any] = q.get()
    p.join()
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--json", type=str, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    ev = max(simpy_rate() for _ in range(args.repeat))
    runs = []
    for name, n, rep, l2v in (
        ("suichang", 20_000, args.repeat, False),
        (f"day_{args.parcels}", args.parcels, 1, False),
        ("suichang_line_to_van", 20_000, args.repeat, True),
    ):
        r = run_in_subprocess(n, rep, l2v)
        pps = r["parcels"] / r["wall_s"]
        runs.append(
            {
                "name": name,
                "parcels": r["parcels"],
                "wall_s": round(r["wall_s"], 3),
                "parcels_per_s": round(pps, 1),
                "ratio": round(pps / ev, 4),
                "peak_rss_mb": round(r["peak_rss_mb"], 1),
                "setup_s": round(r["setup_s"], 3),
                "outcomes": r["outcomes"],
            }
        )
        print(
            f"{name:>20}  parcels {r['parcels']:>9,}  wall {r['wall_s']:7.3f} s  "
            f"{pps:>10,.0f} parcels/s  ratio {pps / ev:.3f}  peak {r['peak_rss_mb']:7.1f} MB",
            file=sys.stderr,
        )
    report = {"simpy_events_per_s": round(ev, 1), "runs": runs}
    print(f"simpy raw: {ev:,.0f} events/s", file=sys.stderr)
    text = json.dumps(report, indent=2)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text + "\n")
    print(text)
    return report


if __name__ == "__main__":
    main()
