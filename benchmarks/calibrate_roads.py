"""Road calibration: model road distance from the county seat vs the reported figures.

Builds the default Suichang network (villages placed with the default seed 331123, links
from ``gongpei/county/data/suichang/roads.csv``) and prints, for every township with a reported
road distance, the model's distance along the fastest path (the path the travel matrices
use) from the **county seat node** (妙高街道), because the figures are distances "from the
county seat". The hub (上江村) sits about 4 road-km from the seat; its distances are shown
alongside (``hub_km``) for information only.

Exit status 1 if any model/reported ratio is outside [0.8, 1.2] (the target is ±10 %).

    python benchmarks/calibrate_roads.py [--json FILE] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from gongpei.county.geography import (
    DEFAULT_SEED,
    HUB_CODE,
    SUICHANG_DIR,
    load_outline,
    load_towns,
    load_villages,
    place_villages,
    seat_positions,
    village_seats,
)
from routing.network import build_network, read_links_csv, travel_matrices

#: Reported road distance from the county seat (遂昌县城), km. Source: planners' figures
#: collected for this project's design brief (DESIGN.md, "Default scenario: Suichang");
#: not an official road-distance table.
REPORTED_KM: dict[str, float] = {
    "柘岱口乡": 100.0,
    "黄沙腰镇": 85.0,
    "龙洋乡": 72.0,
    "湖山乡": 60.0,
    "高坪乡": 60.0,
    "金竹镇": 54.0,
    "王村口镇": 50.0,
    "蔡源乡": 50.0,
    "北界镇": 27.0,
}
SEAT_CODE = "331123001"  # 妙高街道, the county seat
TOLERANCE = (0.8, 1.2)


def calibration_rows(seed: int = DEFAULT_SEED) -> tuple[list[dict], dict[str, float]]:
    """One row per reported township and the timings (seconds) of the steps."""
    t0 = time.perf_counter()
    towns = load_towns(SUICHANG_DIR / "towns.csv")
    villages = load_villages(SUICHANG_DIR / "villages.csv", towns)
    outline = load_outline(SUICHANG_DIR / "county_boundary.geojson")
    links = read_links_csv(SUICHANG_DIR / "roads.csv")
    t1 = time.perf_counter()
    positions = place_villages(towns, villages, outline, seed=seed, hub_code=HUB_CODE)
    t2 = time.perf_counter()
    graph = build_network(seat_positions(towns), links, positions, village_seats(villages))
    t3 = time.perf_counter()
    ids = [SEAT_CODE] + [v.code for v in villages]  # 215 ids: the seat and 214 units
    dist, _ = travel_matrices(graph, ids)  # the first call also imports scipy
    t4 = time.perf_counter()
    travel_matrices(graph, ids)
    t5 = time.perf_counter()

    by_name = {t.name: t.code for t in towns}
    seat_ids = [SEAT_CODE, HUB_CODE] + [by_name[name] for name in REPORTED_KM]
    sd, _ = travel_matrices(graph, seat_ids)
    rows = []
    for k, (name, reported) in enumerate(REPORTED_KM.items()):
        model = sd[0, k + 2] / 1000
        rows.append(
            {
                "township": name,
                "reported_km": reported,
                "model_km": round(float(model), 1),
                "ratio": round(float(model / reported), 3),
                "hub_km": round(float(sd[1, k + 2] / 1000), 1),
            }
        )
    timings = {
        "load_s": t1 - t0,
        "place_s": t2 - t1,
        "build_s": t3 - t2,
        "matrices_first_s": t4 - t3,
        "matrices_s": t5 - t4,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "matrix_size": len(ids),
        "max_dist_km": float(dist.max()) / 1000,
    }
    return rows, timings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the rows as a JSON list to this file")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="village placement seed")
    args = ap.parse_args(argv)

    rows, tm = calibration_rows(args.seed)
    print(f"{'township':<10}  {'reported_km':>11}  {'model_km':>8}  {'ratio':>6}  {'hub_km':>6}")
    for r in rows:
        flag = "" if TOLERANCE[0] <= r["ratio"] <= TOLERANCE[1] else "  OUT OF RANGE"
        name = r["township"] + "\u3000" * (5 - len(r["township"]))  # full-width padding
        print(
            f"{name}  {r['reported_km']:>11.1f}  {r['model_km']:>8.1f}  {r['ratio']:>6.3f}"
            f"  {r['hub_km']:>6.1f}{flag}"
        )
    worst = max(rows, key=lambda r: abs(r["ratio"] - 1))
    print(f"worst: {worst['township']} ratio {worst['ratio']:.3f}; tolerance {TOLERANCE}")
    print(
        f"graph {tm['nodes']} nodes / {tm['edges']} edges; load {tm['load_s']:.3f} s, "
        f"place {tm['place_s']:.3f} s, build {tm['build_s']:.3f} s, "
        f"{tm['matrix_size']}x{tm['matrix_size']} matrices {tm['matrices_s']:.3f} s "
        f"(first call, with the scipy import: {tm['matrices_first_s']:.3f} s)"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", "utf-8")
    ok = all(TOLERANCE[0] <= r["ratio"] <= TOLERANCE[1] for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
