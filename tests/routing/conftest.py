"""Small hand-checkable routing problems shared by the routing tests, as fixtures.

Each fixture is a factory (session-scoped: the builders are pure): ``line_problem(3)``
returns a fresh problem.

Every builder returns a fresh :class:`routing.Problem`. Locations sit on a plane in metres;
distances are Euclidean metres rounded to integers and durations are distance / 10 m/s
(36 km/h), so a 1 km leg takes 100 s. ``_coords(problem)`` gives the plane positions for
plotting. Each builder's docstring states the optimum or the expected outcome, worked out
by hand, so tests can assert it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from routing.problem import Depot, Problem, VehicleType, Village

SPEED_MPS = 10

_COORDS: dict[str, dict[str, tuple[float, float]]] = {}


def _euclid_problem(
    name: str,
    points: Mapping[str, tuple[float, float]],
    depots: Sequence[Depot],
    villages: Sequence[Village],
    vehicle_types: Sequence[VehicleType],
    *,
    dimensions: tuple[str, ...] = ("parcels",),
    unreachable: Sequence[str] = (),
    distance_m: np.ndarray | None = None,
) -> Problem:
    """Build a problem from plane coordinates (metres). Locations in ``unreachable`` get
    ``Problem.UNREACHABLE`` distance and duration to and from every other location."""
    locs = tuple(points)
    n = len(locs)
    if distance_m is None:
        dist = np.zeros((n, n), dtype=np.int64)
        for i, a in enumerate(locs):
            for j, b in enumerate(locs):
                (xa, ya), (xb, yb) = points[a], points[b]
                dist[i, j] = round(math.hypot(xa - xb, ya - yb))
    else:
        dist = np.asarray(distance_m, dtype=np.int64).copy()
    dur = dist // SPEED_MPS
    for loc in unreachable:
        k = locs.index(loc)
        for arr in (dist, dur):
            arr[k, :] = Problem.UNREACHABLE
            arr[:, k] = Problem.UNREACHABLE
            arr[k, k] = 0
    _COORDS[name] = dict(points)
    return Problem(
        locations=locs,
        distance_m=dist,
        duration_s=dur,
        depots=tuple(depots),
        villages=tuple(villages),
        vehicle_types=tuple(vehicle_types),
        dimensions=dimensions,
        name=name,
    )


def _coords(problem: Problem) -> dict[str, tuple[float, float]]:
    """Plane coordinates of a fixture problem's locations (for plotting tests)."""
    return dict(_COORDS[problem.name])


def _v(vid: str, delivery: int, pickup: int, **kw: object) -> Village:
    return Village(id=vid, location=vid, delivery=(delivery,), pickup=(pickup,), **kw)  # type: ignore[arg-type]


def _line_problem(n: int = 4, *, capacity: int = 100, cost_per_km: float = 1.0) -> Problem:
    """Depot at 0, villages ``V1..Vn`` at 1, 2, ... n km on a line, one van.

    Optimum: one round out and back, 2·n km, cost 2·n·cost_per_km yuan (no fixed or hourly
    cost). Each village delivers 2 and picks up 1 parcel.
    """
    points = {"HUB": (0.0, 0.0)} | {f"V{i}": (1000.0 * i, 0.0) for i in range(1, n + 1)}
    villages = [_v(f"V{i}", 2, 1) for i in range(1, n + 1)]
    van = VehicleType("van", 1, (capacity,), "HUB", cost_per_km=cost_per_km)
    return _euclid_problem(f"line{n}", points, [Depot("HUB", "HUB")], villages, [van])


def _overload_problem() -> Problem:
    """Two villages where the cheap order overloads the van mid-round.

    Capacity 10. ``A`` delivers 0 and picks up 8; ``B`` delivers 8 and picks up 0. The road
    matrix is one-way-ish: HUB→A→B→HUB costs 3 km, HUB→B→A→HUB costs 30 km. Order A, B
    leaves with 8, picks up 8 at A → 16 on board: overloaded. A model with separate
    delivery and pickup dimensions (each ≤ 10) accepts it. The only feasible single round
    is B then A: 30 km, cost 30 yuan with one van.
    """
    points = {"HUB": (0.0, 0.0), "A": (0.0, 1000.0), "B": (1000.0, 0.0)}
    #               HUB    A      B
    dist = np.array(
        [
            [0, 1000, 10000],  # HUB
            [10000, 0, 1000],  # A
            [1000, 10000, 0],  # B
        ]
    )
    villages = [_v("A", 0, 8), _v("B", 8, 0)]
    van = VehicleType("van", 1, (10,), "HUB", cost_per_km=1.0)
    return _euclid_problem(
        "overload", points, [Depot("HUB", "HUB")], villages, [van], distance_m=dist
    )


def _six_village_problem() -> Problem:
    """Six villages in two clusters east and west of the hub; two van types.

    ``small`` (capacity 10, fixed 50 yuan, 1 yuan/km, 2 vans) and ``big`` (capacity 30,
    fixed 200 yuan, 1.5 yuan/km, 1 van). Each cluster delivers 9 and picks up 6 in total;
    the cheapest plan uses the two small vans, one per cluster.
    """
    points = {
        "HUB": (0.0, 0.0),
        "E1": (4000.0, 1000.0),
        "E2": (5000.0, 0.0),
        "E3": (4000.0, -1000.0),
        "W1": (-4000.0, 1000.0),
        "W2": (-5000.0, 0.0),
        "W3": (-4000.0, -1000.0),
    }
    villages = [
        _v("E1", 3, 2, service_s=120),
        _v("E2", 4, 2, service_s=120),
        _v("E3", 2, 2, service_s=120),
        _v("W1", 3, 2, service_s=120),
        _v("W2", 4, 2, service_s=120),
        _v("W3", 2, 2, service_s=120),
    ]
    types = [
        VehicleType("small", 2, (10,), "HUB", fixed_cost=50.0, cost_per_km=1.0),
        VehicleType("big", 1, (30,), "HUB", fixed_cost=200.0, cost_per_km=1.5),
    ]
    return _euclid_problem("six", points, [Depot("HUB", "HUB")], villages, types)


def _tight_fleet_problem() -> Problem:
    """Six villages, three vans of capacity 10, total delivery exactly 30.

    Three small villages ``S1``–``S3`` (deliver 3 each) sit 1 km east of the hub and three
    large ones ``L1``–``L3`` (deliver 7 each) 5 km east. The only feasible full plan pairs
    one small with one large village per van. Cheapest insertion groups the near small
    villages on one van, after which two large villages (7 + 7 > 10) need the two other
    vans and the third is left out: OR-Tools' own first solution serves 5 of 6. Optimum:
    three rounds HUB→S→L→HUB, 10,000 + 2·10,053 m, cost 30 + 30.106 = 60.106 yuan.
    """
    points = {
        "HUB": (0.0, 0.0),
        "S1": (1000.0, 0.0),
        "S2": (1000.0, 300.0),
        "S3": (1000.0, -300.0),
        "L1": (5000.0, 0.0),
        "L2": (5000.0, 300.0),
        "L3": (5000.0, -300.0),
    }
    villages = [_v(f"S{k}", 3, 0) for k in (1, 2, 3)] + [_v(f"L{k}", 7, 0) for k in (1, 2, 3)]
    van = VehicleType("van", 3, (10,), "HUB", cost_per_km=1.0, fixed_cost=10.0)
    return _euclid_problem("tight", points, [Depot("HUB", "HUB")], villages, [van])


def _windows_problem() -> Problem:
    """Five villages with time windows and release times, one van from 08:00.

    ``R`` is released at 09:00 (its chute is bagged late), so the round serving it leaves
    at or after 09:00. ``W`` must be started within [09:30, 09:40]. ``X``, ``Y``, ``Z``
    have no window. One van, shift 08:00–18:00.
    """
    points = {
        "HUB": (0.0, 0.0),
        "R": (2000.0, 0.0),
        "W": (4000.0, 0.0),
        "X": (0.0, 3000.0),
        "Y": (-3000.0, 0.0),
        "Z": (0.0, -3000.0),
    }
    villages = [
        _v("R", 3, 1, service_s=60, release_s=9 * 3600),
        _v("W", 3, 1, service_s=60, window=(9 * 3600 + 1800, 9 * 3600 + 2400)),
        _v("X", 2, 2, service_s=60),
        _v("Y", 2, 2, service_s=60),
        _v("Z", 2, 2, service_s=60),
    ]
    van = VehicleType(
        "van",
        1,
        (40,),
        "HUB",
        cost_per_km=1.0,
        cost_per_h=30.0,
        shift_start_s=8 * 3600,
        shift_end_s=18 * 3600,
    )
    return _euclid_problem("windows", points, [Depot("HUB", "HUB")], villages, [van])


def _two_depot_problem() -> Problem:
    """Hub plus a township station 20 km east that is ready at 09:00 (trunk run arrived).

    Villages ``H1``–``H3`` near the hub, ``T1``–``T3`` near the station (``T3`` tied to the
    station by ``depot="TS"``). Types: ``hubvan`` (2 vans, hub) and ``tsvan`` (1 van,
    station). Cheapest: each depot serves its own cluster; the station van leaves ≥ 09:00.
    """
    points = {
        "HUB": (0.0, 0.0),
        "TSL": (20000.0, 0.0),
        "H1": (1000.0, 1000.0),
        "H2": (-1000.0, 1000.0),
        "H3": (0.0, -1500.0),
        "T1": (21000.0, 1000.0),
        "T2": (19000.0, -1000.0),
        "T3": (21000.0, -1000.0),
    }
    villages = [
        _v("H1", 3, 1, service_s=60),
        _v("H2", 3, 1, service_s=60),
        _v("H3", 3, 1, service_s=60),
        _v("T1", 3, 1, service_s=60),
        _v("T2", 3, 1, service_s=60),
        _v("T3", 3, 1, service_s=60, depot="TS"),
    ]
    types = [
        VehicleType("hubvan", 2, (20,), "HUB", fixed_cost=20.0, cost_per_km=1.0),
        VehicleType("tsvan", 1, (20,), "TS", fixed_cost=20.0, cost_per_km=1.0),
    ]
    depots = [Depot("HUB", "HUB"), Depot("TS", "TSL", ready_s=9 * 3600)]
    return _euclid_problem("twodepot", points, depots, villages, types)


def _overconstrained_problem() -> Problem:
    """One van (capacity 10, shift 08:00–12:00, at most 3 h, at most 60 km) and villages that
    each fail for one reason, plus two ordinary ones that fill the van:

    * ``UNR`` — no road to it → ``unreachable``;
    * ``HEAVY`` — delivers 15 > capacity 10 → ``capacity``;
    * ``EARLY`` — window closes 08:05 but it is 10 km away (1000 s) → ``time_window``;
    * ``LATE_REL`` — released 11:00, window closes 11:10, 10 km away → ``release_too_late``;
    * ``FAR`` — 100 km away: 20,000 s there and back > 3 h → ``shift_length``
      (also over the distance limit; shift is checked first);
    * ``LONG`` — 35 km away: 70 km round trip > 60 km, 7,000 s fits in 3 h → ``distance_limit``;
    * ``OK1``, ``OK2`` — deliver 5 each and fill the van; ``SPARE`` (delivers 5, feasible
      alone) cannot fit as well → ``fleet_size``.
    """
    points = {
        "HUB": (0.0, 0.0),
        "UNR": (500.0, 0.0),
        "HEAVY": (0.0, 1000.0),
        "EARLY": (-10000.0, 0.0),
        "LATE_REL": (0.0, -10000.0),
        "FAR": (100000.0, 0.0),
        "LONG": (0.0, 35000.0),
        "OK1": (1000.0, 0.0),
        "OK2": (1000.0, 500.0),
        "SPARE": (2000.0, 2000.0),
    }
    villages = [
        _v("UNR", 1, 0),
        _v("HEAVY", 15, 0),
        _v("EARLY", 1, 0, window=(0, 8 * 3600 + 300)),
        _v("LATE_REL", 1, 0, release_s=11 * 3600, window=(0, 11 * 3600 + 600)),
        _v("FAR", 1, 0),
        _v("LONG", 1, 0),
        _v("OK1", 5, 0),
        _v("OK2", 5, 0),
        _v("SPARE", 5, 0),
    ]
    van = VehicleType(
        "van",
        1,
        (10,),
        "HUB",
        cost_per_km=1.0,
        shift_start_s=8 * 3600,
        shift_end_s=12 * 3600,
        max_duration_s=3 * 3600,
        max_distance_m=60000,
    )
    return _euclid_problem(
        "overconstrained", points, [Depot("HUB", "HUB")], villages, [van], unreachable=["UNR"]
    )


EXPECTED_REASONS = {
    "UNR": "unreachable",
    "HEAVY": "capacity",
    "EARLY": "time_window",
    "LATE_REL": "release_too_late",
    "FAR": "shift_length",
    "LONG": "distance_limit",
}


def _two_dimension_problem() -> Problem:
    """Parcels and litres: the van holds 20 parcels but only 100 litres; produce pickups
    (litres) at ``F1``/``F2`` mean a round must deliver ``D1`` before picking up there."""
    points = {
        "HUB": (0.0, 0.0),
        "D1": (2000.0, 0.0),
        "F1": (3000.0, 1000.0),
        "F2": (3000.0, -1000.0),
        "D2": (1000.0, 2000.0),
    }
    villages = [
        Village("D1", "D1", (5, 60), (0, 0)),
        Village("F1", "F1", (1, 0), (2, 50)),
        Village("F2", "F2", (1, 0), (2, 40)),
        Village("D2", "D2", (3, 10), (0, 0)),
    ]
    van = VehicleType("van", 2, (20, 100), "HUB", cost_per_km=1.0, fixed_cost=5.0)
    return _euclid_problem(
        "twodim",
        points,
        [Depot("HUB", "HUB")],
        villages,
        [van],
        dimensions=("parcels", "litres"),
    )


ALL_FEASIBLE = (
    _line_problem,
    _overload_problem,
    _six_village_problem,
    _tight_fleet_problem,
    _windows_problem,
    _two_depot_problem,
    _two_dimension_problem,
)


# --- fixtures: each returns its builder -------------------------------------------------


@pytest.fixture(scope="session")
def euclid_problem():  # type: ignore[no-untyped-def]
    """:func:`_euclid_problem`."""
    return _euclid_problem


@pytest.fixture(scope="session")
def coords():  # type: ignore[no-untyped-def]
    """:func:`_coords`."""
    return _coords


@pytest.fixture(scope="session")
def line_problem():  # type: ignore[no-untyped-def]
    """:func:`_line_problem`."""
    return _line_problem


@pytest.fixture(scope="session")
def overload_problem():  # type: ignore[no-untyped-def]
    """:func:`_overload_problem`."""
    return _overload_problem


@pytest.fixture(scope="session")
def six_village_problem():  # type: ignore[no-untyped-def]
    """:func:`_six_village_problem`."""
    return _six_village_problem


@pytest.fixture(scope="session")
def tight_fleet_problem():  # type: ignore[no-untyped-def]
    """:func:`_tight_fleet_problem`."""
    return _tight_fleet_problem


@pytest.fixture(scope="session")
def windows_problem():  # type: ignore[no-untyped-def]
    """:func:`_windows_problem`."""
    return _windows_problem


@pytest.fixture(scope="session")
def two_depot_problem():  # type: ignore[no-untyped-def]
    """:func:`_two_depot_problem`."""
    return _two_depot_problem


@pytest.fixture(scope="session")
def overconstrained_problem():  # type: ignore[no-untyped-def]
    """:func:`_overconstrained_problem`."""
    return _overconstrained_problem


@pytest.fixture(scope="session")
def two_dimension_problem():  # type: ignore[no-untyped-def]
    """:func:`_two_dimension_problem`."""
    return _two_dimension_problem


@pytest.fixture(scope="session")
def speed_mps() -> int:
    """Road speed of every fixture problem (m/s): a 1 km leg takes 100 s."""
    return SPEED_MPS


@pytest.fixture(scope="session")
def expected_reasons() -> dict[str, str]:
    """Village → the reason diagnosis must give on :func:`_overconstrained_problem`."""
    return dict(EXPECTED_REASONS)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``feasible_build``: each builder whose problem a solver must serve in full;
    ``expected_reason``: each (village, reason) of :data:`EXPECTED_REASONS`."""
    if "feasible_build" in metafunc.fixturenames:
        metafunc.parametrize("feasible_build", ALL_FEASIBLE, ids=lambda b: b.__name__.lstrip("_"))
    if "expected_reason" in metafunc.fixturenames:
        metafunc.parametrize("expected_reason", sorted(EXPECTED_REASONS.items()), ids=str)


@pytest.fixture(scope="session")
def two_villages(euclid_problem):  # type: ignore[no-untyped-def]
    """``two_villages(vans=1, **van_fields)``: the hand-checked second-trips case of
    ``test_trips`` (module docstring there): A and B cannot share a 10-parcel van; with one
    van, two trips, ¥132.4."""

    def two_villages(vans: int = 1, **van: object) -> Problem:
        points = {"HUB": (0.0, 0.0), "A": (3000.0, 0.0), "B": (-3000.0, 0.0)}
        villages = [
            Village("A", "A", (8,), (2,), service_s=120, window=(0, 2500)),
            Village("B", "B", (7,), (3,), service_s=120, release_s=3000),
        ]
        fields: dict[str, object] = {
            "fixed_cost": 100.0,
            "cost_per_km": 1.0,
            "cost_per_h": 36.0,
            "shift_end_s": 20_000,
            "max_duration_s": 10_000,
            "max_trips": 2,
            "reload_s": 600,
        }
        fields.update(van)
        vt = VehicleType("van", vans, (10,), "HUB", **fields)  # type: ignore[arg-type]
        return euclid_problem("trips", points, [Depot("HUB", "HUB")], villages, [vt])

    return two_villages
