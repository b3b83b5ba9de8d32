"""Which sorting-line layout should Suichang build? Chute assignment × induction stations ×
chute capacity, on a normal day and on a shopping-festival day, with replications.

    python benchmarks/compare_layouts.py [--quick] [--replications R] [--workers N]
                                         [--json FILE] [--figure FILE]

Sorter only (``gongpei.day.pipeline.sort_day``), no routing. Every layout is run on the same
replication seeds (common random numbers, spawned from the scenario seed), so layouts are
compared on identical trucks and parcels. Prints one aligned line per layout (mean ± the half
width of the 95 % Student-t interval), the main effect of each factor, and saves a figure.

The festival day is the default Suichang day with the event
``{"kind": "festival", "volume_multiplier": 2.5}``. That scenario does not validate as is:
the busiest village (``demand.village_max`` = 240) would need 600 parcels in one van of 300.
We keep the demand (2.5× every village, the point of a festival) and let the vans carry 600
parcels (``fleet.vans[*].capacity_parcels`` = 600: two loads a round on a festival day).
This only matters to the sorter through the ``by_round`` groups (cut at 85 % of a van or 8
villages; with ≈40 parcels a village the 8-village limit binds either way).

Full: 4 × 3 × 3 = 36 layouts × 2 days × 10 replications (≈ 720 runs, ≈ 10 min on one core).
``--quick``: 4 × 3 × 2 layouts × 2 days × 3 replications (≈ 2 min).
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
from gongpei.studies.sweep_plot import plot_sweep

ASSIGNMENTS = ["by_round", "by_volume", "by_township", "random"]
STATIONS = [2, 3, 4]
CAPACITIES = [30, 40, 60]
QUICK_CAPACITIES = [30, 60]
FESTIVAL = 2.5

#: metric → (column title, formatter of the mean, formatter of the half width)
COLUMNS: dict[str, tuple[str, Any, Any]] = {
    "throughput_per_h": ("thr/h", lambda v: f"{v:.0f}", lambda h: f"{h:.0f}"),
    "peak_throughput_per_h": ("peak/h", lambda v: f"{v:.0f}", lambda h: f"{h:.0f}"),
    "recirculation_rate": ("recirc %", lambda v: f"{100 * v:.2f}", lambda h: f"{100 * h:.2f}"),
    "same_day_ready_s": ("am ready", format_clock, lambda h: f"{h / 60:.0f}m"),
    "last_chute_ready_s": ("last ready", format_clock, lambda h: f"{h / 60:.0f}m"),
    "overflow": ("overflow", lambda v: f"{v:.0f}", lambda h: f"{h:.0f}"),
}
LABELS = {
    "sorter.assignment": "assignment",
    "sorter.induction.stations": "stations",
    "sorter.chute_capacity": "chute_capacity",
}


def days() -> dict[str, Scenario]:
    base = load_scenario(None)
    big = math.ceil(base.model.demand.village_max * FESTIVAL)
    vans = {
        f"fleet.vans[{k}].capacity_parcels": max(v.capacity_parcels, big)
        for k, v in enumerate(base.model.fleet.vans)
    }
    festival = base.with_overrides(
        {"events": [{"kind": "festival", "volume_multiplier": FESTIVAL}], **vans}
    )
    return {"normal": base, "festival": festival}


def run(quick: bool, replications: int, workers: int | None) -> list[dict[str, Any]]:
    grid = {
        "sorter.assignment": ASSIGNMENTS,
        "sorter.induction.stations": STATIONS,
        "sorter.chute_capacity": QUICK_CAPACITIES if quick else CAPACITIES,
    }
    rows: list[dict[str, Any]] = []
    for day, sc in days().items():
        layouts = math.prod(len(v) for v in grid.values())
        print(f"{day}: {layouts} layouts × {replications} replications", file=sys.stderr)
        got = sweep(
            sc, grid, replications=replications, labels=LABELS, workers=workers, progress=True
        )
        rows += [{"day": day, **r} for r in got]
    return rows


def table(summary: list[dict[str, Any]]) -> str:
    head = ["day", "assignment", "st", "cap", *(c[0] for c in COLUMNS.values())]
    body = []
    for a in summary:
        cells = [a["day"], a["assignment"], str(a["stations"]), str(a["chute_capacity"])]
        for m, (_, fmt, fmt_h) in COLUMNS.items():
            lo, hi = a[f"{m}_ci"]
            half = (hi - lo) / 2 if lo is not None and not math.isnan(lo) else math.nan
            cells.append(f"{fmt(a[m])} ±{fmt_h(half) if not math.isnan(half) else '?'}")
        body.append(cells)
    return _align(head, body, right_from=2)


def main_effects(rows: list[dict[str, Any]]) -> str:
    """Mean of each metric per level of each factor, averaged over the other factors: how
    much each decision moves each outcome."""
    out = []
    for factor in ("assignment", "stations", "chute_capacity"):
        agg = aggregate(rows, by=["day", factor], metrics=list(COLUMNS))
        head = ["day", factor, *(c[0] for c in COLUMNS.values())]
        body = [
            [a["day"], str(a[factor]), *(fmt(a[m]) for m, (_, fmt, _h) in COLUMNS.items())]
            for a in agg
        ]
        out.append(_align(head, body, right_from=2))
    return "\n\n".join(out)


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


def figure(rows: list[dict[str, Any]], path: Path) -> None:
    """Rows: day × {x = chute capacity at 3 stations, x = stations at the largest capacity};
    columns: metrics; one line per assignment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["peak_throughput_per_h", "recirculation_rate", "same_day_ready_s", "overflow"]
    cap_ref = max(r["chute_capacity"] for r in rows)
    panels = []
    for day in dict.fromkeys(r["day"] for r in rows):
        d = [r for r in rows if r["day"] == day]
        panels.append(
            (f"{day}, 3 stations", "chute_capacity", [r for r in d if r["stations"] == 3])
        )
        panels.append(
            (
                f"{day}, capacity {cap_ref}",
                "stations",
                [r for r in d if r["chute_capacity"] == cap_ref],
            )
        )
    fig, axes = plt.subplots(len(panels), len(metrics), figsize=(4 * len(metrics), 3 * len(panels)))
    for i, (title, x, sel) in enumerate(panels):
        for j, m in enumerate(metrics):
            ax = axes[i][j]
            plot_sweep(sel, x=x, y=m, hue="assignment", ax=ax)
            ax.set_title(title, fontsize="small")
            if j or i:
                legend = ax.get_legend()
                if legend is not None:
                    legend.remove()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer levels and replications")
    ap.add_argument(
        "--replications", "-r", type=int, default=None, help="per layout (default 10, --quick 3)"
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Dask LocalCluster worker processes (default: serial)",
    )
    ap.add_argument("--json", type=Path, default=None, help="write summary and runs here")
    ap.add_argument(
        "--figure", type=Path, default=Path(__file__).parent / "results" / "compare_layouts.png"
    )
    args = ap.parse_args(argv)
    reps = args.replications or (3 if args.quick else 10)

    t0 = time.perf_counter()
    rows = run(args.quick, reps, args.workers)
    wall = time.perf_counter() - t0
    summary = aggregate(rows)
    print(table(summary))
    print("\nmain effects (mean over the other factors):\n")
    print(main_effects(rows))
    print(
        f"\n{len(rows)} runs in {wall:.0f} s ({reps} replications per layout, 95 % Student-t "
        "intervals, ± half width; times are clock times)"
    )
    figure(rows, args.figure)
    print(f"figure: {args.figure}")
    if args.json:
        meta = {
            "quick": args.quick,
            "replications": reps,
            "festival_volume_multiplier": FESTIVAL,
            "festival_van_capacity_parcels": days()["festival"]
            .model.fleet.vans[0]
            .capacity_parcels,
            "wall_s": round(wall, 1),
        }
        payload = {"meta": meta, "rows": summary, "runs": rows}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(jsonable(payload), indent=1, ensure_ascii=False) + "\n")
        print(f"json: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
