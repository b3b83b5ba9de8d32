"""Readers for the VRPSPD benchmark sets (Dethloff, Salhi–Nagy, Montané–Galvão) and LKH tours.

The files are LKH-3's TSPLIB-style ``.vrpspd`` text (see ``shared/instances/vrpspd/FORMAT.md``).
Each instance becomes an ordinary :class:`routing.Problem`, so every backend and the checker
run on it unchanged. Units at this boundary:

* **Integer matrices.** Dethloff ships an explicit integer matrix (Euclidean × 10^4): used
  as is, ``scale = 10_000``. Coordinate sets (Salhi–Nagy, Montané–Galvão) get
  ``distance = floor(scale · euclid + 0.5)`` with ``scale`` = the file's ``SCALE`` key or
  1000, which is exactly LKH-3's ``EXACT_2D``, so LKH tours reproduce their integer cost.
* **Time = distance units.** The sets have no time windows; the "duration" matrix exists only
  for Salhi–Nagy's route-length limit ``L`` (route length = travel + service ≤ L). Durations
  are ``ceil(scale · euclid)`` there (never below the real length, so a plan that passes the
  integer limit also meets the real one), service times are ``service · scale`` and
  ``max_duration_s = L · scale``. Without a limit the duration matrix equals the distance
  matrix and the shift is a horizon that can never bind.
* **Money.** ``cost_per_km = 1000 / scale`` so ``Plan.cost`` is the route length in the
  literature's real units (computed on the rounded matrix). :func:`real_cost` recomputes the
  literature cost with unrounded Euclidean distances for the coordinate sets.
* **Fleet.** ``VEHICLES`` is the route count of the best known solutions; most VRPSPD papers
  leave the fleet free. ``fleet="free"`` (default) allows ``min(n, 2 · VEHICLES)`` vans,
  ``fleet="file"`` caps it at ``VEHICLES``, an integer sets it.
* Column 6 of ``PICKUP_AND_DELIVERY_SECTION`` is the **pickup**, column 7 the **delivery**.

Ids: node ``k`` of the file is location ``"k"``; the depot (node 1) has depot id ``"depot"``;
customer ``k`` is village ``"k"``; the one vehicle type is ``"van"``.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from routing.evaluate import RouteEvaluator
from routing.plan import Plan
from routing.problem import Depot, Problem, VehicleType, Village

__all__ = [
    "BenchmarkInstance",
    "ReaderError",
    "plan_from_sequences",
    "read_bks",
    "read_instance",
    "read_lkh_tour",
    "real_cost",
]

DEPOT_ID = "depot"
VEHICLE_TYPE = "van"
SETS = ("dethloff", "salhi_nagy", "montane_galvao")


class ReaderError(ValueError):
    """A benchmark file is malformed; the message names the file, the line and the value."""


@dataclass(frozen=True, eq=False)
class BenchmarkInstance:
    """One benchmark instance as a routing problem plus what is needed to score it.

    ``scale``: integer matrix units per real distance unit. ``coords``: real coordinates,
    row ``k - 1`` for node ``k`` (``None`` for Dethloff, which has only a matrix).
    ``vehicles``: the file's ``VEHICLES`` key (fleet of the best known solutions).
    ``max_route_length``: ``L`` in real units, ``None`` when unlimited.
    """

    name: str
    set: str
    problem: Problem
    scale: int
    coords: np.ndarray | None
    capacity: int
    vehicles: int
    max_route_length: float | None
    service: float
    path: str

    @property
    def n_customers(self) -> int:
        return len(self.problem.villages)


def _guess_set(path: Path, header: dict[str, str]) -> str:
    for part in reversed(path.parts[:-1]):
        if part in SETS:
            return part
    if header.get("EDGE_WEIGHT_TYPE") == "EXPLICIT":
        return "dethloff"
    if header.get("TYPE") == "MVRPB" or header.get("NAME", "").upper().startswith("CMT"):
        return "salhi_nagy"
    return "montane_galvao"


def _parse(path: Path) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    with path.open() as fh:
        for raw in fh:
            line = raw.strip()
            if not line or line == "EOF":
                continue
            if line.endswith("_SECTION"):
                current = line
                sections[current] = []
                continue
            if current is not None and (line[0].isdigit() or line[0] in "-."):
                sections[current].append(line.split())
                continue
            if ":" in line:
                key, _, value = line.partition(":")
                header[key.strip()] = value.strip()
                current = None
                continue
            raise ReaderError(f"{path}: unexpected line {line!r}")
    return header, sections


def _int(path: Path, key: str, header: dict[str, str], default: int | None = None) -> int:
    if key not in header:
        if default is None:
            raise ReaderError(f"{path}: missing header key {key}")
        return default
    try:
        return int(float(header[key]))
    except ValueError:
        raise ReaderError(f"{path}: {key} = {header[key]!r}: not a number") from None


def read_instance(path: str | Path, *, fleet: int | str = "free") -> BenchmarkInstance:
    """Read one LKH-3 ``.vrpspd`` file (Dethloff, Salhi–Nagy or Montané–Galvão)."""
    path = Path(path)
    header, sections = _parse(path)
    name = header.get("NAME", path.stem)
    dim = _int(path, "DIMENSION", header)
    capacity = _int(path, "CAPACITY", header)
    vehicles = _int(path, "VEHICLES", header, default=dim - 1)
    limit_raw = float(header.get("DISTANCE", "0") or 0)
    max_len = limit_raw if 0 < limit_raw < 999999 else None
    set_name = _guess_set(path, header)
    ewt = header.get("EDGE_WEIGHT_TYPE", "")

    pd_rows = sections.get("PICKUP_AND_DELIVERY_SECTION")
    if pd_rows is None or len(pd_rows) != dim:
        raise ReaderError(f"{path}: PICKUP_AND_DELIVERY_SECTION must have {dim} lines")
    for k, row in enumerate(pd_rows):
        if len(row) != 7 or int(row[0]) != k + 1:
            raise ReaderError(f"{path}: PICKUP_AND_DELIVERY_SECTION line {k + 1}: {row!r}")
    services = [float(r[4]) for r in pd_rows]
    pickups = [int(r[5]) for r in pd_rows]
    deliveries = [int(r[6]) for r in pd_rows]
    # The depot line's service is not counted (CMT convention); customers share one value.
    service = max(services[1:]) if dim > 1 else 0.0

    coords: np.ndarray | None = None
    if ewt == "EXPLICIT":
        if header.get("EDGE_WEIGHT_FORMAT", "FULL_MATRIX") != "FULL_MATRIX":
            raise ReaderError(f"{path}: only EDGE_WEIGHT_FORMAT FULL_MATRIX is supported")
        values = [int(x) for row in sections.get("EDGE_WEIGHT_SECTION", []) for x in row]
        if len(values) != dim * dim:
            raise ReaderError(
                f"{path}: EDGE_WEIGHT_SECTION has {len(values)} values, expected {dim * dim}"
            )
        scale = 10_000
        dist = np.array(values, dtype=np.int64).reshape(dim, dim)
        dur = dist.copy()
    elif ewt in ("EXACT_2D", "EUC_2D"):
        scale = _int(path, "SCALE", header, default=1000)
        rows = sections.get("NODE_COORD_SECTION", [])
        if len(rows) != dim:
            raise ReaderError(f"{path}: NODE_COORD_SECTION has {len(rows)} lines, expected {dim}")
        coords = np.array([[float(r[1]), float(r[2])] for r in rows])
        euclid = np.hypot(*(coords[:, None, :] - coords[None, :, :]).transpose(2, 0, 1))
        dist = np.floor(scale * euclid + 0.5).astype(np.int64)
        dur = np.ceil(scale * euclid - 1e-9).astype(np.int64) if max_len else dist.copy()
    else:
        raise ReaderError(f"{path}: EDGE_WEIGHT_TYPE = {ewt!r}: not supported")

    service_s = round(service * scale)
    # A horizon no round can reach: every arc's longest plus every service.
    horizon = int(dim * int(dur.max()) + dim * service_s + 1)
    max_duration = round(max_len * scale) if max_len else horizon
    if isinstance(fleet, int):
        count = fleet
    elif fleet == "file":
        count = vehicles
    elif fleet == "free":
        count = min(dim - 1, 2 * vehicles)
    else:
        raise ReaderError(f"fleet = {fleet!r}: use 'free', 'file' or an integer")

    locs = tuple(str(k) for k in range(1, dim + 1))
    villages = tuple(
        Village(
            id=str(k + 1),
            location=str(k + 1),
            delivery=(deliveries[k],),
            pickup=(pickups[k],),
            service_s=service_s,
            window=(0, horizon),
        )
        for k in range(1, dim)
    )
    van = VehicleType(
        name=VEHICLE_TYPE,
        count=max(1, count),
        capacity=(capacity,),
        start_depot=DEPOT_ID,
        cost_per_km=1000 / scale,
        shift_end_s=horizon,
        max_duration_s=max_duration,
    )
    problem = Problem(
        locations=locs,
        distance_m=dist,
        duration_s=dur,
        depots=(Depot(DEPOT_ID, "1"),),
        villages=villages,
        vehicle_types=(van,),
        name=name,
    )
    return BenchmarkInstance(
        name=name,
        set=set_name,
        problem=problem,
        scale=scale,
        coords=coords,
        capacity=capacity,
        vehicles=vehicles,
        max_route_length=max_len,
        service=service,
        path=str(path),
    )


def read_bks(path: str | Path) -> dict[str, float]:
    """Best known costs by instance name from ``bks.csv`` (real, unscaled units)."""
    with Path(path).open(newline="") as fh:
        return {row["instance"]: float(row["bks_cost"]) for row in csv.DictReader(fh)}


def plan_from_sequences(
    problem: Problem,
    sequences: Sequence[Sequence[str]],
    *,
    vehicle_type: str | None = None,
    backend: str = "given",
) -> Plan:
    """A plan from village sequences, one round per sequence on one vehicle type, each
    leaving its depot as early as allowed and starting every stop as early as allowed.

    Used to score externally produced tours (LKH) with the checker; it does not repair
    anything, so an infeasible sequence yields a plan the checker rejects. Timed by
    :class:`routing.evaluate.RouteEvaluator` without postponing the departure.
    """
    ev = RouteEvaluator(problem)
    k_type = ev.type_index(vehicle_type or problem.vehicle_types[0].name)
    name = problem.vehicle_types[k_type].name
    routes = []
    for k, seq in enumerate(sequences):
        idx = ev.village_indices(seq)
        times = ev.evaluate(k_type, idx, postpone=False)
        routes.append(ev.route(f"{name}#{k}", k_type, idx, times))
    served = {v for seq in sequences for v in seq}
    missing = [v.id for v in problem.villages if v.id not in served]
    return Plan(
        routes=tuple(routes),
        cost=sum(r.cost for r in routes),
        backend=backend,
        status="feasible" if not missing else "partial",
        meta={"missing": missing} if missing else {},
    )


def read_lkh_tour(path: str | Path, instance: BenchmarkInstance) -> Plan:
    """An LKH-3 ``.tour`` file as a plan on ``instance`` (node 1 and ids > DIMENSION are
    depot copies that separate the rounds). ``plan.meta["file_cost"]`` is the integer cost
    in the file name."""
    path = Path(path)
    dim = len(instance.problem.locations)
    nodes: list[int] = []
    in_tour = False
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line == "TOUR_SECTION":
            in_tour = True
            continue
        if in_tour:
            if line in ("-1", "EOF", ""):
                break
            nodes.extend(int(x) for x in line.split())
    sequences: list[list[str]] = [[]]
    for node in nodes:
        if node == 1 or node > dim:
            sequences.append([])
        else:
            sequences[-1].append(str(node))
    plan = plan_from_sequences(instance.problem, [s for s in sequences if s], backend="lkh3")
    stem = path.name.removesuffix(".tour")
    _, _, cost = stem.rpartition(".")
    meta = dict(plan.meta)
    if cost.isdigit():
        meta["file_cost"] = int(cost)
    return Plan(
        routes=plan.routes, cost=plan.cost, backend=plan.backend, status=plan.status, meta=meta
    )


def real_cost(instance: BenchmarkInstance, plan: Plan) -> float:
    """The literature cost of ``plan``: unrounded Euclidean route lengths for coordinate
    sets; the explicit matrix / 10^4 for Dethloff (it has no coordinates)."""
    total = 0.0
    problem = instance.problem
    for route in plan.routes:
        path = [problem.depot(route.start_depot).location]
        path += [problem.village(v).location for v in route.villages]
        path.append(problem.depot(route.end_depot).location)
        if instance.coords is None:
            total += (
                sum(problem.distance(a, b) for a, b in itertools.pairwise(path)) / instance.scale
            )
        else:
            idx = [int(loc) - 1 for loc in path]
            total += sum(
                math.dist(instance.coords[a], instance.coords[b])
                for a, b in itertools.pairwise(idx)
            )
    return total
