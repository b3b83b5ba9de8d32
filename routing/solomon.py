"""Solomon VRPTW instances as routing problems, with the literature's two objectives.

The files are Solomon's text format (see ``shared/instances/vrptw/FORMAT.md``): a fleet line
(number, capacity) and one row per node — number, x, y, demand, ready, due, service; row 0
is the depot, whose due date is the horizon. Each instance becomes an ordinary
:class:`routing.Problem` (deliveries only, time windows on the service start), so every
backend and the checker run on it unchanged. Units at this boundary, per objective:

* ``"distance"`` (minimise distance with any number of vehicles; the exact literature):
  each arc is **truncated to 0.1** and the same value is the travel time. In integers:
  ``distance = duration = floor(10 · euclid)`` tenths, windows and service × 10, so the
  problem is exactly the literature's and ``Plan.cost`` (``cost_per_km = 100``) is the
  literature cost.
* ``"hierarchical"`` (fewest vehicles first, then distance; the SINTEF table): unrounded
  Euclidean. In integers: ``distance = round(1000 · euclid)``, ``duration = ceil(1000 ·
  euclid)`` (never shorter than the real travel, so a plan meeting the integer windows
  meets the real ones), windows and service × 1000; each vehicle has a fixed cost of
  ``VEHICLE_COST`` (above any plan's total distance, so fewer vehicles always win).
  :func:`solomon_cost` recomputes the distance unrounded.

Ids: node ``k`` is location and village ``"k"``; the depot is ``"depot"``; the vehicle type
is ``"vehicle"`` with the file's fleet (25: it never binds).
"""

from __future__ import annotations

import csv
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from routing.plan import Plan
from routing.problem import Depot, Problem, VehicleType, Village

__all__ = [
    "OBJECTIVES",
    "VEHICLE_COST",
    "SolomonError",
    "SolomonInstance",
    "read_solomon",
    "read_vrptw_bks",
    "solomon_cost",
]

OBJECTIVES = ("distance", "hierarchical")
#: Fixed cost of a vehicle under the hierarchical objective (real distance units): above
#: any Solomon plan's total distance (≤ ~2,000), so one vehicle fewer always wins.
VEHICLE_COST = 10_000.0
_SCALE = {"distance": 10, "hierarchical": 1000}


class SolomonError(ValueError):
    """A Solomon file or best-known table is malformed; names the file, line and value."""


@dataclass(frozen=True, eq=False)
class SolomonInstance:
    """A Solomon instance as a problem under one ``objective``; ``coords`` row ``k`` is
    node ``k`` (0: depot); ``scale`` integer units per real unit."""

    name: str
    objective: str
    problem: Problem
    coords: np.ndarray
    scale: int
    capacity: int
    fleet: int


def read_solomon(path: str | Path, objective: str = "distance") -> SolomonInstance:
    """Read a Solomon ``.txt`` file as a problem under ``objective`` (see the module)."""
    if objective not in OBJECTIVES:
        raise SolomonError(f"objective = {objective!r}: expected one of {OBJECTIVES}")
    path = Path(path)
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    name = lines[0] if lines and lines[0] else path.stem
    try:
        k = next(i for i, ln in enumerate(lines) if ln.startswith("NUMBER"))
        fleet, capacity = (int(x) for x in lines[k + 1].split()[:2])
        start = next(i for i, ln in enumerate(lines) if ln.startswith("CUST NO"))
    except (StopIteration, ValueError, IndexError):
        raise SolomonError(f"{path}: no VEHICLE / CUSTOMER sections") from None
    rows: list[list[int]] = []
    for n, ln in enumerate(lines[start + 1 :], start=start + 2):
        if not ln:
            continue
        parts = ln.split()
        if len(parts) != 7:
            raise SolomonError(f"{path}: line {n}: {ln!r}: expected 7 integers")
        try:
            rows.append([int(x) for x in parts])
        except ValueError:
            raise SolomonError(f"{path}: line {n}: {ln!r}: expected 7 integers") from None
    if not rows or rows[0][0] != 0:
        raise SolomonError(f"{path}: the first node row must be the depot (number 0)")
    coords = np.array([[r[1], r[2]] for r in rows], dtype=float)
    euclid = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=2))
    scale = _SCALE[objective]
    if objective == "distance":
        dist = np.floor(euclid * scale + 1e-9).astype(np.int64)
        dur = dist.copy()
    else:
        dist = np.floor(euclid * scale + 0.5).astype(np.int64)
        dur = np.ceil(euclid * scale - 1e-9).astype(np.int64)
    locations = tuple(str(r[0]) for r in rows)
    horizon = rows[0][5] * scale
    villages = tuple(
        Village(
            id=str(r[0]),
            location=str(r[0]),
            delivery=(r[3],),
            pickup=(0,),
            service_s=r[6] * scale,
            window=(r[4] * scale, r[5] * scale),
        )
        for r in rows[1:]
    )
    vt = VehicleType(
        name="vehicle",
        count=fleet,
        capacity=(capacity,),
        start_depot="depot",
        fixed_cost=VEHICLE_COST if objective == "hierarchical" else 0.0,
        cost_per_km=1000 / scale,
        shift_start_s=rows[0][4] * scale,
        shift_end_s=horizon,
        max_duration_s=horizon,  # the default (ten days in seconds) binds at scale 1000
    )
    problem = Problem(
        locations=locations,
        distance_m=dist,
        duration_s=dur,
        depots=(Depot("depot", "0"),),
        villages=villages,
        vehicle_types=(vt,),
        dimensions=("demand",),
        name=f"{name}:{objective}",
    )
    return SolomonInstance(name, objective, problem, coords, scale, capacity, fleet)


def solomon_cost(instance: SolomonInstance, plan: Plan) -> float:
    """The literature distance of ``plan``: truncated arcs (distance) or unrounded
    Euclidean (hierarchical), in real units."""
    total = 0.0
    for route in plan.routes:
        path = [0, *(int(v) for v in route.villages), 0]
        for a, b in itertools.pairwise(path):
            d = math.dist(instance.coords[a], instance.coords[b])
            total += math.floor(d * 10 + 1e-9) / 10 if instance.objective == "distance" else d
    return total


def read_vrptw_bks(path: str | Path) -> dict[tuple[str, str], tuple[int, float]]:
    """``(instance, objective) → (vehicles, cost)`` from ``bks.csv``
    (``instance,vehicles,cost,objective,source``)."""
    out: dict[tuple[str, str], tuple[int, float]] = {}
    with Path(path).open(newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            try:
                key = (row["instance"], row["objective"])
                out[key] = (int(row["vehicles"]), float(row["cost"]))
            except (KeyError, ValueError, TypeError):
                raise SolomonError(f"{path}: row {n}: {row!r}: bad bks row") from None
            if row["objective"] not in OBJECTIVES:
                raise SolomonError(
                    f"{path}: row {n}: objective = {row['objective']!r}: expected {OBJECTIVES}"
                )
    return out
