"""The first solution of the OR-Tools adapter: Clarke–Wright savings and best-fit insertion.

Both constructions respect load at every point, windows, releases and limits because every
round they build passes :meth:`routing.evaluate.RouteEvaluator.feasible`. Why they exist
(OR-Tools' own insertion heuristics leave villages out on tight fleets and are slow on long
days) is told in :mod:`routing.ortools_backend`. Villages are problem positions here; vans
are numbered ``"{type}#{k}"`` in vehicle-type order (:func:`vans`), as every backend does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from routing.diagnose import allowed_types
from routing.evaluate import RouteEvaluator
from routing.problem import Problem

__all__ = ["Van", "construct_routes", "score", "vans"]

#: With soft promises, insertion compares this many feasible positions on cost + late cost.
_SOFT_TRIES = 8


@dataclass(frozen=True, slots=True)
class Van:
    """One van of the fleet: its name and the position of its vehicle type."""

    name: str
    type_index: int


def vans(problem: Problem) -> list[Van]:
    """Every van, ``type#k`` in vehicle-type order (the numbering of every backend)."""
    return [
        Van(f"{t.name}#{c}", k) for k, t in enumerate(problem.vehicle_types) for c in range(t.count)
    ]


def construct_routes(
    problem: Problem,
    villages: Sequence[int] | None = None,
    *,
    seed: int = 0,
    evaluator: RouteEvaluator | None = None,
    stop: Callable[[], bool] | None = None,
    max_tries: int = 60,
) -> list[list[int]]:
    """A first solution that respects load at every point, windows, releases and limits.

    Two constructions, the better one returned (more villages served, then cheaper):

    * **savings** (Clarke–Wright, parallel): per vehicle type, most vans first, merge the
      rounds with the largest saving whose merged round stays feasible; the rounds are given
      to that type's vans, largest first; villages left over are inserted as below.
      Geographically coherent rounds, good when the fleet is loose.
    * **best-fit decreasing insertion**: villages in decreasing order of their largest load
      fraction (ties: narrower window first, then a seeded random key), each at the
      cheapest position over all vans (a fresh van is charged its fixed cost) whose
      recomputed round stays feasible. Packs tight fleets (bin-packing-like days).

    With soft promises (villages with a ``late_cost_per_h``) insertion takes the best of
    the first feasible positions on cost plus added late cost (savings ignores lateness:
    refusing merges that add late cost left villages out on the default day).

    At most ``max_tries`` cheapest positions (plus a fresh van of each type) are tried per
    inserted village. Returns one village sequence (problem village positions) per vehicle,
    in the order of ``"{type}#{k}"`` expansion; villages that fit nowhere are left out.
    """
    c = _Construction(problem, evaluator, seed, stop, max_tries)
    todo = list(range(len(problem.villages))) if villages is None else list(villages)
    by_savings = c.insert(c.savings(todo), todo)
    by_insertion = c.insert([[] for _ in c.vehicles], todo)
    return min(by_savings, by_insertion, key=lambda r: score(problem, c.ev, r))


class _Construction:
    """Shared data of the construction heuristics (problem village positions only)."""

    def __init__(
        self,
        problem: Problem,
        evaluator: RouteEvaluator | None,
        seed: int,
        stop: Callable[[], bool] | None,
        max_tries: int,
    ) -> None:
        self.problem = problem
        self.ev = evaluator if evaluator is not None else RouteEvaluator(problem)
        self.vehicles = vans(problem)
        self.stop = stop
        self.max_tries = max_tries
        types = problem.vehicle_types
        self.tiebreak = np.random.default_rng(seed).random(len(problem.villages))
        self.dist = problem.distance_m.tolist()
        self.dur = problem.duration_s.tolist()
        self.vloc = [problem.index(v.location) for v in problem.villages]
        self.tstart = [problem.index(problem.depot(t.start_depot).location) for t in types]
        self.tend = [problem.index(problem.depot(t.return_depot).location) for t in types]
        self.allowed = [set(allowed_types(problem, i)) for i in range(len(problem.villages))]
        # Soft promises: merges and insertions also weigh the late cost they add.
        self.soft = any(v.late_cost_per_h > 0 for v in problem.villages)

    def _late(self, ti: int, seq: Sequence[int]) -> float:
        return self.ev.evaluate(ti, seq).late_cost if seq else 0.0

    def _stopped(self) -> bool:
        return self.stop is not None and self.stop()

    def savings(self, todo: Sequence[int]) -> list[list[int]]:
        """Clarke–Wright rounds per vehicle type, assigned to that type's vans."""
        problem, ev = self.problem, self.ev
        routes: list[list[int]] = [[] for _ in self.vehicles]
        placed: set[int] = set()
        order = sorted(
            range(len(problem.vehicle_types)), key=lambda k: -problem.vehicle_types[k].count
        )
        for ti in order:
            t = problem.vehicle_types[ti]
            cand = [
                i
                for i in todo
                if i not in placed and ti in self.allowed[i] and ev.feasible(ti, [i])
            ]
            if not cand or self._stopped():
                continue
            loc = np.array([self.vloc[i] for i in cand])
            per_m, per_s = t.cost_per_km / 1000.0, t.cost_per_h / 3600.0
            if per_m == 0 and per_s == 0:
                per_m = 1.0
            cost = per_m * problem.distance_m.astype(float) + per_s * problem.duration_s.astype(
                float
            )
            back = cost[loc, self.tend[ti]]  # i → end depot
            out = cost[self.tstart[ti], loc]  # start depot → j
            saving = back[:, None] + out[None, :] - cost[np.ix_(loc, loc)]
            np.fill_diagonal(saving, -np.inf)
            flat = np.argsort(-saving, axis=None, kind="stable")
            n = len(cand)
            route_of = {i: [i] for i in cand}
            for f in flat:
                a, b = divmod(int(f), n)
                if saving[a, b] <= 0:
                    break
                i, j = cand[a], cand[b]
                ra, rb = route_of[i], route_of[j]
                if ra is rb or ra[-1] != i or rb[0] != j:
                    continue
                merged = ra + rb
                if ev.feasible(ti, merged):
                    for v in merged:
                        route_of[v] = merged
            rounds = {id(r): r for r in route_of.values()}.values()
            ranked = sorted(rounds, key=lambda r: (-len(r), r))
            vans = [k for k, veh in enumerate(self.vehicles) if veh.type_index == ti]
            for k, r in zip(vans, ranked, strict=False):
                routes[k] = list(r)
                placed.update(r)
        return routes

    def insert(self, routes: list[list[int]], todo: Sequence[int]) -> list[list[int]]:
        """Best-fit decreasing insertion of the villages of ``todo`` not yet on a round."""
        problem, ev, types = self.problem, self.ev, self.problem.vehicle_types
        dist, dur, vloc = self.dist, self.dur, self.vloc
        routes = [list(r) for r in routes]
        on_round = {i for r in routes for i in r}
        dims = range(len(problem.dimensions))
        max_cap = [max(t.capacity[d] for t in types) for d in dims]

        def difficulty(i: int) -> tuple[float, int, float]:
            v = problem.villages[i]
            frac = max(max(v.delivery[d], v.pickup[d]) / max_cap[d] for d in dims)
            return (-frac, v.window[1] - v.window[0], float(self.tiebreak[i]))

        for i in sorted((i for i in todo if i not in on_round), key=difficulty):
            if self._stopped():
                break
            cands: list[tuple[float, int, int]] = []
            empty_seen: set[int] = set()
            loc = vloc[i]
            serv = problem.villages[i].service_s
            for k, veh in enumerate(self.vehicles):
                ti = veh.type_index
                if ti not in self.allowed[i]:
                    continue
                t = types[ti]
                seq = routes[k]
                if not seq:
                    if ti in empty_seen:
                        continue
                    empty_seen.add(ti)
                per_m = t.cost_per_km / 1000.0
                per_s = t.cost_per_h / 3600.0
                prev = self.tstart[ti]
                for p in range(len(seq) + 1):
                    nxt = vloc[seq[p]] if p < len(seq) else self.tend[ti]
                    dd = dist[prev][loc] + dist[loc][nxt] - dist[prev][nxt]
                    dt = dur[prev][loc] + dur[loc][nxt] - dur[prev][nxt] + serv
                    cost = per_m * dd + per_s * dt + (t.fixed_cost if not seq else 0.0)
                    cands.append((cost, k, p))
                    prev = nxt
            cands.sort()
            # The cheapest positions, then (never cut) a fresh van of each type.
            limit = self.max_tries
            tries = cands[:limit] + [c for c in cands[limit:] if not routes[c[1]]]
            if self.soft:
                # The first few feasible positions, re-ranked by cost + added late cost.
                best: tuple[float, int, list[int]] | None = None
                seen = 0
                for cost, k, p in tries:
                    trial = [*routes[k][:p], i, *routes[k][p:]]
                    ti = self.vehicles[k].type_index
                    if not ev.feasible(ti, trial):
                        continue
                    total = cost + self._late(ti, trial) - self._late(ti, routes[k])
                    if best is None or total < best[0]:
                        best = (total, k, trial)
                    seen += 1
                    if seen >= _SOFT_TRIES:
                        break
                if best is not None:
                    routes[best[1]] = best[2]
                continue
            for _, k, p in tries:
                trial = [*routes[k][:p], i, *routes[k][p:]]
                if ev.feasible(self.vehicles[k].type_index, trial):
                    routes[k] = trial
                    break
        return routes


def score(
    problem: Problem, ev: RouteEvaluator, sequences: Sequence[Sequence[int]]
) -> tuple[float, float]:
    """(−drop penalties of the villages served, cost + late cost in yuan) of a set of
    sequences: smaller is better. With the default penalties that is the number of
    villages served first; with penalties weighed by parcels, the parcels served."""
    served, cost = 0.0, 0.0
    villages = problem.villages
    for veh, seq in zip(vans(problem), sequences, strict=True):
        if seq:
            served += sum(villages[i].penalty for i in seq)
            rt = ev.evaluate(veh.type_index, seq)
            cost += rt.cost + rt.late_cost
    return (-served, cost)
