"""How a :class:`routing.Problem` becomes PyVRP 0.14 data (:func:`build_data`).

The PyVRP adapter is three modules: this one (the model), :mod:`routing.pyvrp_search`
(the search: stop criterion, penalties, parameters) and :mod:`routing.pyvrp_backend`
(``solve_pyvrp``: phases, and the solution back as a :class:`routing.Plan`). Solver
indices never leave them.

Mapping (each line is something :func:`routing.check.check` re-verifies on the result):

* **Locations.** One PyVRP location per depot and one per village (a copy of its row and
  column of the matrices), so villages sharing a place can still be told apart per profile.
* **Loads.** ``Client(delivery=..., pickup=...)`` is PyVRP's native simultaneous delivery
  and pickup; its load check (load ≤ capacity at every point of the route, per dimension)
  is the VRPSPD rule.
* **Times.** Client ``tw_early``/``tw_late`` = the village window on the service *start*;
  ``service_duration`` = ``service_s``. Vehicle ``tw_early`` = max(shift start, start
  depot ``ready_s``), ``tw_late`` = shift end (return by), ``shift_duration`` =
  ``max_duration_s``, ``max_distance`` = ``max_distance_m``.
* **Release times.** PyVRP's ``Client.release_time`` means "the trip that visits this
  client cannot leave the depot before it" — the same depot-leave rule as
  :class:`routing.Village`, so it maps one to one (checked by a test: a late release makes a
  window unreachable).
* **Depot-tied villages** (``Village.depot``): one routing profile per start depot in which
  the arcs to and from villages tied to another depot cost ``Problem.UNREACHABLE`` in
  distance and time; such a visit always breaks the shift, so PyVRP never keeps it.
* **Unreachable arcs** (≥ ``Problem.UNREACHABLE`` in either matrix, and the depot-tied
  profiles' blocked arcs) are passed as a *finite sentinel*, not as ``Problem.UNREACHABLE``:
  a duration one second longer than any finite arc and any shift end (so the travel time
  alone breaks every shift and a feasible PyVRP solution cannot use one) and a distance one
  metre longer than any finite arc. Why (issue 13): PyVRP's costs are 64-bit integers and
  the prize-collecting search's penalty per second of time warp is at least the largest
  prize (~10⁹ units on a residual Suichang day); with 10⁹ s per unreachable arc a random
  start had ~10¹¹ s of warp, its penalised cost wrapped past 2⁶³ (negative), and the local
  search — which only stops when no move improves — cycled on wrapped costs for ever,
  inside one PyVRP call that no iteration limit or stop flag reaches. The sentinel keeps the
  same feasible set; the penalty bounds are also clamped so that the worst penalised cost
  of any solution stays below 2⁶² (:func:`penalty_limit`).
* **Money.** PyVRP needs integer costs. Every amount is first exact in 1/3600 fen
  (``MONEY_UNITS_PER_YUAN = 360_000``: a per-hour rate with whole fen is exact per second
  (``cost_per_h · 100`` per s), a per-km rate with whole fen is exact per metre
  (``cost_per_km · 360`` per m), fixed costs are ``fixed · 360_000``), then every amount is
  divided by their greatest common divisor, so the objective is in the coarsest unit that
  keeps them all exact: on the benchmark sets that is one unit per distance unit, exactly the
  scale PyVRP's default penalties are tuned for, and on the Suichang day (fixed ¥310 / ¥330,
  ¥0.85 / ¥0.35 per km) 1/20,000 yuan. With every village required, PyVRP's own penalty
  parameters and midpoint start are used unchanged, so the search is plain PyVRP's
  (issue 16: scaled bounds and an arc-cost start measured worse on the Suichang day,
  :mod:`routing.pyvrp_search`); the prize-collecting search multiplies the bounds by the
  largest per-unit rate left (17 on the Suichang day) and keeps them above its prizes.
* **Required first, prizes only when needed.** When the fleet can carry the day (the
  capacity screen of :func:`fleet_can_carry`), every servable village is a *required*
  client, as a user of PyVRP would model it. Measured at 5 s on CMT5X (seeds 1 and 2, the
  engine and plain PyVRP side by side): optional clients with one uniform prize halved
  PyVRP's iterations per second (the prize-collecting search weighs dropping every client)
  and gave 1.36 % and 2.61 % gaps, required clients 0.51 % and 0.41 %. If that search has
  no feasible solution after ``REQUIRED_PATIENCE`` of its budget (of its iterations in a
  work-bounded run), or the capacity screen fails, the rest of the budget goes to a
  prize-collecting search in which every village is ``required=False`` with a prize weighed
  by its parcels, ``P · (1 + parcels / mean parcels)``, where ``P`` (10 × the worst fixed +
  out-and-back cost of any village on its own van) exceeds the cost of serving any one
  village: PyVRP serves every village it can and, when it must drop some, drops those that
  leave fewer parcels behind. That search starts from the required search's best solution.
  Dropped villages are explained by :func:`routing.diagnose.diagnose`. Villages that no
  round can serve (diagnosis of the single-stop round fails a hard rule) are not given to
  PyVRP at all; they are reported unserved with that reason. Limit: with a short fleet
  PyVRP may also drop a servable village whose insertion would cost more than its prize (a
  huge detour); diagnosis then says ``fleet_size``.

* **The soft promise.** PyVRP 0.14 has no soft time windows. A village with a soft promise
  (``due_s``, ``late_cost_per_h``) gets a window closing at ``due_s`` when a van serving it
  alone can make that time, otherwise its own window (:mod:`routing.deadline`): PyVRP plans
  on-time rounds wherever possible and pays in vans and km, not lateness; the plan's late
  costs are then recomputed on the original problem. ``auto`` compares it with OR-Tools'
  true soft plan on cost + late cost + drop penalties and keeps the lower.
* **Second trips** (``VehicleType.max_trips`` > 1): PyVRP 0.14's native multi-trip
  routes, ``VehicleType(reload_depots=[start depot], max_reloads=max_trips - 1)``; one
  PyVRP route is one van, its depot visits split it into trips. PyVRP models the time at
  the depot as ``Depot.service_duration``, taken at the *start* of every trip (the first
  too), and applies a client's ``release_time`` to the start of that service; our rule is
  "a trip leaves no earlier than the latest release of its villages, and no earlier than
  the previous return + ``reload_s``". The two agree exactly with ``R`` = the largest
  ``reload_s`` of the multi-trip types: every depot gets ``service_duration = R``, every
  release and every vehicle's earliest start move ``R`` earlier, its ``shift_duration``
  grows by ``R`` and its fixed cost drops by ``R`` hours of its hourly rate (PyVRP's
  duration then counts the constant ``R`` before the first departure). A van type with a
  shorter ``reload_s`` than ``R`` reloads in ``R`` (conservative; the checker accepts it).
  Releases below ``R`` are clamped at 0 (again only later, never earlier). With no
  multi-trip type ``R = 0`` and the model is exactly the one-trip model. ``max_distance``
  is over all of a van's trips (its range for the day), as the checker counts it.
* **Weighed drops.** A village with its own ``drop_penalty`` gets the uniform prize ×
  (1 + penalty / the largest penalty): never below the uniform prize, up to twice it.

``Plan.cost`` is recomputed in yuan with :func:`routing.check.route_cost` from the route's
integer distance and duty, never taken from PyVRP's scaled objective. Stop times come from
PyVRP's own schedule (arrival = start − wait), so the checker independently confirms them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from routing.check import route_cost
from routing.plan import Unserved
from routing.problem import Problem, Village

__all__ = [
    "MONEY_UNITS_PER_YUAN",
    "ModelMapping",
    "build_data",
    "fleet_can_carry",
    "hopeless_villages",
    "money_units",
    "penalty_limit",
    "reachable_matrices",
    "reload_time",
]

#: PyVRP objective units per yuan: 1/3600 fen (see module docstring).
MONEY_UNITS_PER_YUAN = 360_000
PER_METRE = MONEY_UNITS_PER_YUAN // 1000  # units per metre for 1 yuan/km
PER_SECOND = MONEY_UNITS_PER_YUAN // 3600  # units per second for 1 yuan/h
#: The sentinel distance/duration of an unreachable arc never exceeds this (module docstring).
UNREACHABLE_SENTINEL_CAP = Problem.UNREACHABLE
#: No penalised cost of any solution may exceed this (PyVRP's costs are int64: 2⁶³ − 1).
COST_CEILING = float(2**62)


@dataclass
class ModelMapping:
    """What is needed to translate a PyVRP solution back to user ids."""

    problem: Problem
    village_ids: list[str]  # PyVRP client index -> village id
    type_names: list[str]  # PyVRP vehicle type index -> vehicle type name
    hopeless: dict[str, Unserved] = field(default_factory=dict)  # not given to PyVRP
    prize: int = 0  # the base prize P (0: every client required)
    penalty_scale: float = 1.0
    units_per_yuan: float = MONEY_UNITS_PER_YUAN  # after the common divisor
    max_prize: int = 0  # the largest client prize (0: every client required)
    reload_s: int = 0  # R: the depots' service duration (second trips; module docstring)
    sentinel: tuple[int, int] = (UNREACHABLE_SENTINEL_CAP, UNREACHABLE_SENTINEL_CAP)  # (m, s)
    penalty_limit: float = float("inf")  # no penalty above this can overflow a cost


def money_units(yuan: float, per_yuan: int) -> int:
    return round(yuan * per_yuan)


def hopeless_villages(problem: Problem) -> dict[str, Unserved]:
    """Villages no round can serve, with their reason: not given to PyVRP at all.

    :func:`routing.diagnose.diagnose` tests the single-stop round on every allowed type;
    if even that breaks a hard rule (capacity, window, release, shift, distance, no road),
    no longer round can serve the village (triangle inequality on the matrices, as for
    shortest-path matrices). Villages it finds servable alone come back as ``fleet_size``.
    PyVRP also rejects a release after the window closes, which is such a case.
    """
    from routing.diagnose import diagnose

    out: dict[str, Unserved] = {}
    for u in diagnose(problem, [v.id for v in problem.villages]):
        v = problem.village(u.village)
        allowed = [t for t in problem.vehicle_types if v.depot in (None, t.start_depot)]
        if u.reason != "fleet_size" or not allowed or v.release_s > v.window[1]:
            out[u.village] = u
    return out


def fleet_can_carry(problem: Problem, villages: Sequence[Village] | None = None) -> bool:
    """Whether the vans could carry the villages' (default: all) deliveries and pickups, per
    dimension, on ``max_trips`` trips each: a capacity screen, not a proof of feasibility.
    If not, some village must be dropped, so the search starts with prizes (module docstring)."""
    villages = problem.villages if villages is None else villages
    for k in range(len(problem.dimensions)):
        room = sum(t.count * t.capacity[k] * t.max_trips for t in problem.vehicle_types)
        if sum(v.delivery[k] for v in villages) > room or sum(v.pickup[k] for v in villages) > room:
            return False
    return True


def reload_time(problem: Problem) -> int:
    """``R``: the time at the depot before every trip in the PyVRP model, the largest
    ``reload_s`` of the vehicle types that may make second trips (0: none may)."""
    return max((t.reload_s for t in problem.vehicle_types if t.max_trips > 1), default=0)


def build_data(
    problem: Problem, required: bool, hopeless: dict[str, Unserved] | None = None
) -> tuple[Any, ModelMapping]:
    """PyVRP data for ``problem``: every kept village required, or all optional with prizes
    weighed by parcels (module docstring). ``hopeless``: from :func:`hopeless_villages`, if
    known."""
    import math

    import pyvrp

    depots = problem.depots
    hopeless = hopeless_villages(problem) if hopeless is None else hopeless
    kept = [v for v in problem.villages if v.id not in hopeless]
    rows = [problem.index(d.location) for d in depots] + [problem.index(v.location) for v in kept]
    dist, dur, (unr_m, unr_s) = reachable_matrices(
        problem.distance_m[np.ix_(rows, rows)],
        problem.duration_s[np.ix_(rows, rows)],
        max((t.shift_end_s for t in problem.vehicle_types), default=0),
    )
    nd = len(depots)
    depot_index = {d.id: k for k, d in enumerate(depots)}

    # Profiles: one per start depot when some villages are tied to a depot.
    tied = [(k, v.depot) for k, v in enumerate(kept) if v.depot is not None]
    profile_of: dict[str, int] = {}
    dists: list[Any] = [dist]
    durs: list[Any] = [dur]
    if tied:
        for p, start in enumerate(sorted({t.start_depot for t in problem.vehicle_types})):
            pd, pt = dist.copy(), dur.copy()
            for k, home in tied:
                if home != start:
                    i = nd + k
                    for m, unr in ((pd, unr_m), (pt, unr_s)):
                        m[i, :] = unr
                        m[:, i] = unr
                        m[i, i] = 0
            profile_of[start] = p
            if p == 0:
                dists, durs = [pd], [pt]
            else:
                dists.append(pd)
                durs.append(pt)

    # The base prize: 10 x the worst cost of serving any village on its own van.
    worst = 0.0
    for t in problem.vehicle_types:
        a = problem.depot(t.start_depot).location
        b = problem.depot(t.return_depot).location
        for v in kept:
            d = problem.distance(a, v.location) + problem.distance(v.location, b)
            s = problem.duration(a, v.location) + problem.duration(v.location, b) + v.service_s
            if max(d, s) < Problem.UNREACHABLE:
                worst = max(worst, route_cost(t, d, s))
    money = [
        (
            money_units(t.fixed_cost, MONEY_UNITS_PER_YUAN),
            money_units(t.cost_per_km, PER_METRE),
            money_units(t.cost_per_h, PER_SECOND),
        )
        for t in problem.vehicle_types
    ]
    base = money_units(10 * worst + 1.0, MONEY_UNITS_PER_YUAN)
    unit = max(1, math.gcd(*(x for m in money for x in m), 0 if required else base))
    prize = 0 if required else max(base // unit, 1)
    parcels = [sum(v.delivery) + sum(v.pickup) for v in kept]
    mean = max(1.0, float(np.mean(parcels))) if parcels else 1.0

    reload = reload_time(problem)
    locations = [pyvrp.Location(x=0.0, y=0.0, name=d.location) for d in depots]
    locations += [pyvrp.Location(x=0.0, y=0.0, name=v.location) for v in kept]
    p_depots = [
        pyvrp.Depot(location=k, service_duration=reload, name=d.id) for k, d in enumerate(depots)
    ]
    clients = [
        pyvrp.Client(
            location=nd + k,
            delivery=list(v.delivery),
            pickup=list(v.pickup),
            service_duration=v.service_s,
            tw_early=v.window[0],
            tw_late=v.window[1],
            release_time=max(0, v.release_s - reload),
            prize=0 if required else round(prize * (1.0 + parcels[k] / mean)),
            required=required,
            name=v.id,
        )
        for k, v in enumerate(kept)
    ]
    vtypes = []
    rate = 1
    for t, (fixed, per_m, per_s) in zip(problem.vehicle_types, money, strict=True):
        rate = max(rate, per_m // unit, per_s // unit)
        early = max(t.shift_start_s, problem.depot(t.start_depot).ready_s)
        reloads = [depot_index[t.start_depot]] if t.max_trips > 1 else []
        vtypes.append(
            pyvrp.VehicleType(
                num_available=t.count,
                capacity=list(t.capacity),
                start_depot=depot_index[t.start_depot],
                end_depot=depot_index[t.return_depot],
                fixed_cost=max(0, fixed - reload * per_s) // unit,
                tw_early=max(0, early - reload),
                tw_late=max(t.shift_end_s, early),
                shift_duration=t.max_duration_s + reload,
                max_distance=t.max_distance_m,
                unit_distance_cost=per_m // unit,
                unit_duration_cost=per_s // unit,
                profile=profile_of.get(t.start_depot, 0),
                reload_depots=reloads,
                max_reloads=t.max_trips - 1,
                name=t.name,
            )
        )
    data = pyvrp.ProblemData(locations, clients, p_depots, vtypes, dists, durs)
    mapping = ModelMapping(
        problem=problem,
        village_ids=[v.id for v in kept],
        type_names=[t.name for t in problem.vehicle_types],
        hopeless=hopeless,
        prize=prize,
        penalty_scale=float(rate),
        units_per_yuan=MONEY_UNITS_PER_YUAN / unit,
        max_prize=max((c.prize for c in clients), default=0),
        reload_s=reload,
        sentinel=(unr_m, unr_s),
        penalty_limit=penalty_limit(data, (unr_m, unr_s)),
    )
    return data, mapping


def reachable_matrices(
    dist: np.ndarray, dur: np.ndarray, latest_s: int
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """``dist``/``dur`` with every unreachable arc (≥ ``Problem.UNREACHABLE`` in either)
    replaced by the finite sentinel (module docstring), zero diagonals, and the sentinel
    ``(metres, seconds)``: one more than any finite arc, and for the duration one more than
    ``latest_s`` (the latest shift end) too, so an arc that long breaks every shift."""
    unr = Problem.UNREACHABLE
    dist = np.array(dist, dtype=np.int64)
    dur = np.array(dur, dtype=np.int64)
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    cut = (dist >= unr) | (dur >= unr)
    ok = ~cut
    unr_m = min(unr, int(dist[ok].max(initial=0)) + 1)
    unr_s = min(unr, max(int(dur[ok].max(initial=0)), int(latest_s)) + 1)
    dist[cut] = unr_m
    dur[cut] = unr_s
    return dist, dur, (unr_m, unr_s)


def penalty_limit(data: Any, sentinel: tuple[int, int]) -> float:
    """The largest penalty (per unit of excess load, time warp or excess distance) at which
    no solution's penalised cost can exceed :data:`COST_CEILING`.

    A solution has at most ``n + R`` arcs (``n`` clients, ``R`` routes ≤ vehicles), each
    at most the sentinel, so its time warp is below ``(n + 2R) · sentinel_s`` plus the
    service times (a route starts no later than the latest shift end, which the sentinel
    exceeds), its excess distance below ``(n + R) · sentinel_m``, and its excess load below
    the total demand per dimension; its cost is below those arcs' distance and duration
    costs, the fixed costs and the prizes. Far above any bound PyVRP's defaults reach on
    real days; it only binds when the matrices themselves are near overflow."""
    clients = data.clients()
    vts = data.vehicle_types()
    n = len(clients)
    routes = min(n, sum(v.num_available for v in vts))
    unr_m, unr_s = sentinel
    warp = (n + 2 * routes) * float(unr_s) + sum(float(c.service_duration) for c in clients)
    excess = (n + routes) * float(unr_m)
    load = sum(
        float(sum(c.delivery[k] for c in clients) + sum(c.pickup[k] for c in clients))
        for k in range(data.num_load_dimensions)
    )
    per_m = max((float(v.unit_distance_cost) for v in vts), default=0.0)
    per_s = max((float(v.unit_duration_cost) for v in vts), default=0.0)
    fixed = max((float(v.fixed_cost) for v in vts), default=0.0)
    cost = (
        (n + routes) * unr_m * per_m
        + (n + 2 * routes) * unr_s * per_s
        + routes * fixed
        + sum(float(c.prize) for c in clients)
    )
    room = COST_CEILING - cost
    if room <= 0:
        return 1.0
    return max(1.0, room / max(1.0, warp + excess + load))
