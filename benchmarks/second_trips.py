"""Second trips on a scenario day: what letting vans reload and go out again buys.

Usage::

    nice -n 10 python benchmarks/second_trips.py [SCENARIO] [--km 10 20] [--reload-min 30]
        [--time-limit S] [--seed N] [--json F]

For the scenario (default: the embedded Suichang day) it runs ``gongpei run``'s day
(:func:`gongpei.day.pipeline.run_day`, baselines off: only the rounds are compared) in these
variants, each at the scenario's own budget and seed:

* ``today``: the scenario as it is;
* ``trips``: every van type may make 2 trips (``max_trips = 2``, ``reload_min``);
* ``trips+W<=K km`` for each ``--km``: also the scenario's last wave (the midday wave of
  Suichang, next-day there) goes out the same day on its own visits to the villages within
  K road km of the hub (``rounds = "same_day"``, ``same_day_within_km = K``).

Per variant: vans used, trips, second trips, km, cost (yuan, vans only), late cost, served
villages on time (blue + green lights) and red, the later visits served and their parcels
(delivered today instead of tomorrow), checker violations and wall seconds. Every plan has
been through the checker (``violations``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from gongpei.day.pipeline import run_day
from gongpei.scenario.loading import Scenario, load_scenario


def variants(sc: Scenario, kms: list[float], reload_min: float) -> dict[str, dict[str, Any]]:
    """Variant name → scenario overrides (see the module docstring)."""
    m = sc.model
    trips: dict[str, Any] = {}
    for k in range(len(m.fleet.vans)):
        trips[f"fleet.vans[{k}].max_trips"] = 2
        trips[f"fleet.vans[{k}].reload_min"] = reload_min
    if m.routing.backend == "ortools":
        trips["routing.backend"] = "auto"
    out: dict[str, dict[str, Any]] = {"today": {}, "trips": trips}
    last = len(m.brands.waves) - 1
    wave = m.brands.waves[last].name
    for km in kms:
        out[f"trips+{wave}<={km:g}km"] = {
            **trips,
            f"brands.waves[{last}].rounds": "same_day",
            f"brands.waves[{last}].same_day_within_km": km,
        }
    return out


def measure(sc: Scenario) -> dict[str, Any]:
    """One variant's row."""
    t0 = time.perf_counter()
    day = run_day(sc)
    wall = time.perf_counter() - t0
    s = day.summary()
    r = s["routing"]
    lights = s["villages"]["lights"]
    later = r.get("later_visits", {})
    return {
        "vans": r["vans_used"],
        "trips": r["trips"],
        "second_trips": r["second_trips"],
        "km": round(r["distance_km"], 1),
        "cost": round(r["cost"], 2),
        "late_cost": round(r["late_cost"], 2),
        "on_time": lights.get("blue", 0) + lights.get("green", 0),
        "red": lights.get("red", 0),
        "unserved": len(r["villages_unserved"]),
        "later_visits": later.get("visits", 0),
        "later_served": later.get("served", 0),
        "later_parcels": later.get("parcels_delivered", 0),
        "violations": len(day.violations),
        "wall_s": round(wall, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=None)
    ap.add_argument("--km", type=float, nargs="*", default=[10.0, 20.0])
    ap.add_argument("--reload-min", type=float, default=30.0)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--seed", type=int, default=None, help="the scenario seed (default: its own)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    base = load_scenario(args.scenario).with_overrides({"routing.baselines": []})
    if args.seed is not None:
        base = base.with_seed(args.seed)
    if args.time_limit is not None:
        base = base.with_overrides({"routing.time_limit_s": args.time_limit})
    rows = []
    cols = ["vans", "trips", "second_trips", "km", "cost", "late_cost", "on_time", "red",
            "unserved", "later_served", "later_parcels", "violations", "wall_s"]  # fmt: skip
    print(f"{'variant':<22}" + "".join(f"{c:>14}" for c in cols))
    for name, changes in variants(base, args.km, args.reload_min).items():
        row = {"variant": name, **measure(base.with_overrides(changes))}
        rows.append(row)
        print(f"{name:<22}" + "".join(f"{row[c]!s:>14}" for c in cols), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0 if all(r["violations"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
