"""Capacity curves: net throughput against offered load for each kind of line.

    python benchmarks/sorter_capacity.py [--json F] [--plot F.png] [--quick] [--seed S]

For each kind (``loop``: ``sorter.simulate`` on a 214-chute cross-belt loop; ``linear``: a
214-chute swing-wheel line; ``manual``: 214 village cages) and each level of induction staff
(stations of one 2,000 parcels/h operator for the machines, people at the table for manual),
the offered load is swept from a quarter to one and a half times the kind's derived capacity
(``sorter.capacity_per_h``). Offered load: parcels arriving in equal trucks every 30 s for
``--hours`` (instant unloading, so the truck schedule *is* the load), destinations drawn from
the tests' Suichang-like village mix (214 villages, lognormal), chutes assigned by volume,
no oversize parcels (they would bypass the machines and blur the curve).
The lines are realistic, not ample: 40-parcel chutes (120-parcel cages), 6 bagging
operators, 1 % no-reads, so the saturated throughput can fall below the derived capacity
where chutes or bagging bind (the capacity tests in tests/ use ample chutes instead).

``throughput_per_h`` is the net rate out: parcels into village chutes per hour during the
arrival window after a warm-up of its first fifth, so under load it follows the offered load
and under overload it is the saturated rate (the backlog after the window is not counted).
The *knee* of a curve is the first offered load whose throughput falls below 95 % of it.
JSON rows: ``{kind, stations, staff, offered_per_h, throughput_per_h, capacity_per_h, knee}``.

Measured (``python benchmarks/sorter_capacity.py --json benchmarks/results/sorter_capacity.json
--plot benchmarks/results/sorter_capacity.png``, about 3 s here): saturated throughput over
derived capacity is 0.984–0.989 on the loop (no-reads and their keyed re-inductions take
carriers), 0.955–0.989 on the linear line (each diverter miss, full chute or no-read takes a
second belt slot after the trip by hand; more stations, more misses) and 1.00–1.02 by hand
(the derivation charges a cage swap every 120 parcels, which a one-hour run reaches for the
busiest cages only).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

LOADS = (0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5)
QUICK_LOADS = (0.5, 1.5)
STAFF = {"loop": (2, 4, 6), "linear": (1, 2, 3), "manual": (10, 20, 30, 40)}
QUICK_STAFF = {"loop": (2,), "linear": (1,), "manual": (10,)}
TRUCK_EVERY_S = 30.0
WARMUP_SHARE = 0.2


def layout(kind: str, staff: int) -> Any:
    """The line of ``kind`` with ``staff`` induction operators (sorters for manual)."""
    import sorter

    common: dict[str, Any] = dict(unload_rate_per_h=math.inf, exception_prob=0.003)
    if kind == "loop":
        return sorter.Line.evenly_spaced(
            214, num_induction=staff, bagging_operators=6, no_read_prob=0.01, **common
        )
    if kind == "linear":
        return sorter.LinearLine.evenly_spaced(
            214, num_induction=staff, bagging_operators=6, no_read_prob=0.01, **common
        )
    if kind == "manual":
        return sorter.ManualLine.evenly_spaced(214, sorters=staff, **common)
    raise ValueError(f"kind = {kind!r}: not loop, linear or manual")


def offered_day(weights: dict[str, float], per_h: float, hours: float, seed: int) -> Any:
    """Trucks every ``TRUCK_EVERY_S`` carrying ``per_h * TRUCK_EVERY_S / 3600`` parcels each
    (rounded so the total is exact), villages drawn from ``weights``."""
    import sorter

    rng = np.random.default_rng(seed)
    villages = tuple(weights)
    p = np.array([weights[v] for v in villages], dtype=float)
    p /= p.sum()
    n_trucks = max(1, round(hours * 3600.0 / TRUCK_EVERY_S))
    total = round(per_h * hours)
    edges = np.round(np.linspace(0, total, n_trucks + 1)).astype(int)
    trucks = []
    for k in range(n_trucks):
        n = int(edges[k + 1] - edges[k])
        codes = rng.choice(len(villages), size=n, p=p).astype(np.int32)
        trucks.append(sorter.Truck(f"T{k:04d}", "X", k * TRUCK_EVERY_S, codes))
    return sorter.Arrivals(tuple(trucks), villages)


def net_throughput_per_h(res: Any, hours: float) -> float:
    """Parcels into village chutes per hour during the arrival window after a warm-up of a
    fifth of it: the steady-state rate out while the offered load comes in."""
    a, b = WARMUP_SHARE * hours * 3600.0, hours * 3600.0
    village = np.array([k == "village" for k in res.chute_kinds] + [False])
    t = res.entry_s[village[res.chute]]
    return float(((t >= a) & (t < b)).sum() / (b - a) * 3600.0)


def curve(kind: str, staff: int, loads: tuple[float, ...], hours: float, seed: int) -> list[dict]:
    """One capacity curve: a row per offered load, the knee marked."""
    import sorter
    from sorter.synthetic import village_counts

    weights = {v: float(c) for v, c in village_counts(214, 20_000, 0).items()}
    line = layout(kind, staff)
    info = [sorter.VillageInfo(v, "", w) for v, w in weights.items()]
    mapping = sorter.ByVolume().assign(info, line)
    shares: dict[str, float] = {}
    for v, c in mapping.items():
        shares[c] = shares.get(c, 0.0) + weights[v]
    cap = sorter.capacity_per_h(line, shares)
    stations = 1 if kind == "manual" else staff
    rows = []
    for k, load in enumerate(loads):
        offered = load * cap
        arrivals = offered_day(weights, offered, hours, seed + k)
        res = sorter.simulate_kind(line, arrivals, assignment=mapping, seed=seed + k)
        rows.append(
            {
                "kind": kind,
                "stations": stations,
                "staff": staff,
                "offered_per_h": round(offered, 1),
                "throughput_per_h": round(net_throughput_per_h(res, hours), 1),
                "capacity_per_h": round(cap, 1),
                "knee": False,
            }
        )
    for r in rows:
        if r["throughput_per_h"] < 0.95 * r["offered_per_h"]:
            r["knee"] = True
            break
    return rows


def plot(rows: list[dict], path: str) -> None:
    """Throughput against offered load, one panel per kind, the knee circled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(dict.fromkeys(r["kind"] for r in rows))
    fig, axes = plt.subplots(1, len(kinds), figsize=(5 * len(kinds), 4), squeeze=False)
    for ax, kind in zip(axes[0], kinds, strict=True):
        mine = [r for r in rows if r["kind"] == kind]
        top = max(r["offered_per_h"] for r in mine)
        ax.plot([0, top], [0, top], color="grey", lw=0.8, ls=":", label="throughput = offered")
        for staff in dict.fromkeys(r["staff"] for r in mine):
            series = [r for r in mine if r["staff"] == staff]
            x = [r["offered_per_h"] for r in series]
            y = [r["throughput_per_h"] for r in series]
            (ln,) = ax.plot(x, y, marker=".", label=f"staff {staff}")
            ax.axhline(series[0]["capacity_per_h"], color=ln.get_color(), ls="--", lw=0.8)
            for r in series:
                if r["knee"]:
                    ax.plot(r["offered_per_h"], r["throughput_per_h"], "o", mfc="none",
                            mec="black", ms=10)  # fmt: skip
        ax.set_title(f"{kind} (dashed: derived capacity, circle: knee)", fontsize="small")
        ax.set_xlabel("offered parcels/h")
        ax.set_ylabel("net throughput parcels/h")
        ax.legend(fontsize="x-small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=str, default=None)
    ap.add_argument("--plot", type=str, default=None)
    ap.add_argument("--quick", action="store_true", help="two loads, one staff level a kind")
    ap.add_argument("--hours", type=float, default=None, help="arrival window (1 h; quick 0.25)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", type=str, default="loop,linear,manual")
    args = ap.parse_args(argv)
    loads = QUICK_LOADS if args.quick else LOADS
    staff_levels = QUICK_STAFF if args.quick else STAFF
    hours = args.hours if args.hours is not None else (0.25 if args.quick else 1.0)
    rows: list[dict] = []
    t0 = time.perf_counter()
    head = (
        f"{'kind':<7} {'stations':>8} {'staff':>5} {'offered/h':>10} {'throughput/h':>12} "
        f"{'capacity/h':>10} {'tput/cap':>8}  knee"
    )
    print(head)
    for kind in args.kinds.split(","):
        for staff in staff_levels[kind]:
            for r in curve(kind, staff, loads, hours, args.seed):
                rows.append(r)
                print(
                    f"{r['kind']:<7} {r['stations']:>8} {r['staff']:>5} "
                    f"{r['offered_per_h']:>10,.0f} {r['throughput_per_h']:>12,.0f} "
                    f"{r['capacity_per_h']:>10,.0f} "
                    f"{r['throughput_per_h'] / r['capacity_per_h']:>8.3f}  "
                    f"{'<- knee' if r['knee'] else ''}"
                )
    print(f"({len(rows)} runs in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    if args.plot:
        plot(rows, args.plot)
    return rows


if __name__ == "__main__":
    main()
