"""PyVRP's costs are 64-bit integers: no penalised cost the adapter can produce may wrap.

Issue 13: after a road closure the residual Suichang day (every village tied to the van that
carries its parcels, so one routing profile per van with most arcs blocked) passed blocked
arcs as ``Problem.UNREACHABLE`` = 10⁹ s, while the prize-collecting search's penalty per
second of time warp is at least the largest prize (~10⁹ units). A random start's penalised
cost wrapped past 2⁶³ and PyVRP's local search, which runs until no move improves, cycled
on wrapped costs inside one call that no iteration bound reaches (a deterministic
200-iteration solve that never ended). These tests pin the invariant on a problem of the
same shape, small enough to run in a second.
"""

from __future__ import annotations

import numpy as np
import pytest

from routing.problem import Depot, Problem, VehicleType, Village
from routing.pyvrp_backend import solve_pyvrp
from routing.pyvrp_model import COST_CEILING, build_data, hopeless_villages, reachable_matrices
from routing.pyvrp_search import search_params

VANS = 12
PER_VAN = 10


@pytest.fixture(scope="session")
def _tied_problem(euclid_problem):  # type: ignore[no-untyped-def]
    def _tied_problem() -> Problem:
        """``VANS`` vans, each starting where it stands (its own depot) with ``PER_VAN`` villages
        whose parcels it carries (tied to its depot), Suichang money (¥310 fixed, ¥0.85/km),
        one village with far more parcels than the others (a prize ~9× the base), and one
        location with no road at all."""
        rng = np.random.default_rng(13)
        points: dict[str, tuple[float, float]] = {"HUB": (0.0, 0.0), "CUT": (900.0, 900.0)}
        depots = [Depot("hub", "HUB")]
        villages = []
        types = []
        for k in range(VANS):
            cx, cy = rng.uniform(-40_000, 40_000, size=2)
            points[f"AT{k}"] = (cx, cy)
            depots.append(Depot(f"@van#{k}", f"AT{k}", ready_s=36_000))
            for j in range(PER_VAN):
                vid = f"V{k}_{j}"
                points[vid] = (cx + rng.uniform(-3000, 3000), cy + rng.uniform(-3000, 3000))
                big = k == 0 and j == 0
                villages.append(
                    Village(vid, vid, (80 if big else 5,), (2,), service_s=300, depot=f"@van#{k}")
                )
            types.append(
                VehicleType(
                    f"van#{k}", 1, (300,), f"@van#{k}", "hub", fixed_cost=310.0, cost_per_km=0.85,
                    shift_start_s=36_000, shift_end_s=59_400,
                )
            )  # fmt: skip
        villages.append(Village("CUTV", "CUT", (1,), (0,)))
        return euclid_problem("tied", points, depots, villages, types, unreachable=["CUT"])

    return _tied_problem


def test_unreachable_arcs_become_a_finite_sentinel_that_still_breaks_every_shift() -> None:
    dist = np.array([[0, 5, Problem.UNREACHABLE], [5, 0, 7], [Problem.UNREACHABLE, 7, 0]])
    dur = np.array([[0, 50, 60], [50, 0, Problem.UNREACHABLE], [Problem.UNREACHABLE, 70, 0]])
    d, t, (unr_m, unr_s) = reachable_matrices(dist, dur, latest_s=1000)
    assert (unr_m, unr_s) == (8, 1001)  # one more than any finite arc / the latest shift end
    # an arc unreachable in either matrix is unreachable in both
    assert d.tolist() == [[0, 5, 8], [5, 0, 8], [8, 7, 0]]
    assert t.tolist() == [[0, 50, 1001], [50, 0, 1001], [1001, 70, 0]]


@pytest.mark.parametrize("required", [True, False])
def test_no_penalised_cost_wraps(_tied_problem, required: bool) -> None:
    """At the largest penalty the search may use, PyVRP's penalised cost of random
    solutions (most of their arcs blocked) is the true sum of costs and penalties, below the
    ceiling (before the fix, the prize-collecting search's came out ~10⁹× too small)."""
    from pyvrp import CostEvaluator, RandomNumberGenerator, Solution

    problem = _tied_problem()
    data, mapping = build_data(problem, required, hopeless_villages(problem))
    assert max(mapping.sentinel) < 10**6  # metres, seconds: not Problem.UNREACHABLE
    high = search_params(mapping, None, 0.0).penalty.max_penalty
    if not required:
        assert mapping.max_prize > 10**8  # the shape that overflowed: penalty ≥ the prize
        assert high >= mapping.max_prize  # the floor on the penalties still fits
    ce = CostEvaluator([high], high, high)
    rng = RandomNumberGenerator(seed=1)
    for _ in range(20):
        s = Solution.make_random(data, rng)
        assert s.time_warp() > 0  # mostly blocked arcs
        violation = sum(s.excess_load()) + s.time_warp() + s.excess_distance()
        true = (
            s.distance_cost()
            + s.duration_cost()
            + s.fixed_vehicle_cost()
            + s.uncollected_prizes()
            + high * violation
        )  # in floats: no wrap
        assert ce.penalised_cost(s) == pytest.approx(true, rel=1e-6)
        assert true <= COST_CEILING


def test_the_prize_collecting_search_ends_on_its_iterations(_tied_problem) -> None:
    plan = solve_pyvrp(_tied_problem(), time_limit_s=600.0, seed=7, max_iterations=200)
    assert plan.meta["phases"] in (["required", "prizes"], ["prizes"], ["required"])
    assert plan.meta["iterations"] <= 200
    assert plan.wall_s < 60  # a guard for the suite, not a speed target
    assert {u.village: u.reason for u in plan.unserved}.get("CUTV") == "unreachable"
    served = {v for r in plan.routes for v in r.villages}
    assert len(served) >= VANS * PER_VAN - 2
