"""The solve() entry point: backends, the auto portfolio, determinism, plots, and a
property test on random small problems."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import solve
from routing.check import check
from routing.plan import Plan
from routing.problem import Depot, Problem, VehicleType, Village
from routing.solve import BACKENDS

QUICK = {"time_limit_s": 1.0}


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_returns_a_checked_plan(six_village_problem, backend):
    problem = six_village_problem()
    plan = solve(problem, backend, **QUICK)
    assert plan.meta["violations"] == []
    assert check(plan, problem) == []
    assert plan.status == "feasible"
    assert plan.cost == pytest.approx(122.148, abs=0.01)


def test_auto_keeps_the_best_checked_plan(overconstrained_problem):
    problem = overconstrained_problem()
    plan = solve(problem, "auto", **QUICK)
    portfolio = plan.meta["portfolio"]
    assert portfolio.pop("mode") == "parallel"
    assert set(portfolio) == {"ortools", "pyvrp", "pyvrp_second"}
    assert check(plan, problem) == []
    # Fewest unserved first, then cost, among the plans that passed the checker.
    ok = [v for v in portfolio.values() if "error" not in v and v["violations"] == 0]
    best = min(ok, key=lambda v: (v["unserved"], v["cost"]))
    assert (len(plan.unserved), round(plan.cost, 4)) == (best["unserved"], best["cost"])
    assert plan.meta["chosen"].split("_")[0] == plan.backend
    assert len(plan.unserved) == 7


def test_auto_progress_and_wall_time(tight_fleet_problem):
    calls: list[tuple[float, float]] = []
    problem = tight_fleet_problem()
    plan = solve(problem, "auto", time_limit_s=1.0, progress=lambda t, c: calls.append((t, c)))
    assert calls
    assert plan.wall_s < 5.0  # both backends run concurrently with the same budget
    assert plan.unserved == ()


def test_auto_stop_event(six_village_problem):
    problem = six_village_problem()
    ev = threading.Event()
    ev.set()
    plan = solve(problem, "auto", time_limit_s=5.0, stop=ev)
    assert plan.status == "interrupted"
    assert plan.wall_s < 4.0
    assert check(plan, problem) == []


def test_auto_is_never_worse_than_pyvrp_alone(two_depot_problem):
    """auto's child makes the very run ``backend="pyvrp"`` makes (same seed, same work);
    the second core adds OR-Tools and a second PyVRP seed, so auto can only be cheaper.
    Work-bounded runs make the comparison exact."""
    problem = two_depot_problem()
    kw = {"time_limit_s": 20.0, "seed": 3, "deterministic": True, "max_iterations": 200}
    alone = solve(problem, "pyvrp", **kw)
    auto = solve(problem, "auto", **kw)
    portfolio = auto.meta["portfolio"]
    assert portfolio["pyvrp"]["cost"] == round(alone.cost, 4)
    assert portfolio["pyvrp_second"]["status"] != "invalid"
    assert (len(auto.unserved), auto.cost) <= (len(alone.unserved), alone.cost)
    assert auto.meta["deterministic"] is True


def _record_backends(monkeypatch):
    """The routing.solve module with its two backend runners recording (name, budget, seed)."""
    import importlib

    S = importlib.import_module("routing.solve")  # the module; routing.solve is the function
    calls: list[tuple[str, float, int]] = []
    real_ortools, real_pyvrp = S._run_ortools, S._run_pyvrp

    def ortools(problem, time_limit_s, seed, *args, **kwargs):
        calls.append(("ortools", time_limit_s, seed))
        return real_ortools(problem, time_limit_s, seed, *args, **kwargs)

    def pyvrp(problem, time_limit_s, seed, *args, **kwargs):
        calls.append(("pyvrp", time_limit_s, seed))
        return real_pyvrp(problem, time_limit_s, seed, *args, **kwargs)

    monkeypatch.setattr(S, "_run_ortools", ortools)
    monkeypatch.setattr(S, "_run_pyvrp", pyvrp)
    return S, calls


def test_auto_gives_pyvrp_the_whole_budget_when_the_fleet_can_carry_the_day(
    line_problem, monkeypatch
):
    """Issue 16: the second core runs a full PyVRP search (in sequential mode with the
    call's own seed, so it is the run ``backend="pyvrp"`` makes); OR-Tools is not needed.
    (Budgets under SHORT_SEARCH_S still start with OR-Tools: lowered here to keep it quick.)"""
    S, calls = _record_backends(monkeypatch)
    monkeypatch.setattr(S, "SHORT_SEARCH_S", 1.0)
    search = S._Search(4.0, 5, None, None, None, None, descent=False)
    plan = S._portfolio_sequential(line_problem(3), search)
    assert calls == [("pyvrp", 4.0, 5)]
    assert plan.meta["portfolio"]["mode"] == "sequential"
    assert "not needed" in plan.meta["portfolio"]["ortools"]["skipped"]
    assert plan.cost == pytest.approx(6.0)


def test_auto_gives_ortools_its_share_when_the_fleet_cannot_carry_the_day(
    line_problem, monkeypatch
):
    """Over-constrained by capacity: OR-Tools on ORTOOLS_SHARE of the budget first (its
    construction is the safety net), then PyVRP on what is left."""
    S, calls = _record_backends(monkeypatch)
    line = line_problem(3)
    short = dataclasses.replace(
        line, vehicle_types=(dataclasses.replace(line.vehicle_types[0], capacity=(4,)),)
    )
    search = S._Search(4.0, 5, None, None, None, None, descent=False)
    plan = S._portfolio_sequential(short, search)
    assert [(name, seed) for name, _, seed in calls] == [("ortools", 5), ("pyvrp", 5)]
    assert calls[0][1] == pytest.approx(S.ORTOOLS_SHARE * 4.0)
    assert 4.0 - calls[0][1] - 0.5 < calls[1][1] <= 4.0  # and what OR-Tools left unused
    assert len(plan.unserved) == 1 and check(plan, short) == []


def test_auto_starts_with_ortools_on_a_short_budget(line_problem, monkeypatch):
    S, calls = _record_backends(monkeypatch)
    search = S._Search(S.SHORT_SEARCH_S / 2, 5, None, None, None, None, descent=False)
    S._portfolio_sequential(line_problem(3), search)
    assert [name for name, _, _ in calls] == ["ortools", "pyvrp"]


def test_auto_runs_ortools_when_the_second_pyvrp_search_raises(line_problem, monkeypatch):
    S, calls = _record_backends(monkeypatch)

    def broken(*args, **kwargs):
        raise RuntimeError("no licence for this")

    monkeypatch.setattr(S, "_run_pyvrp", broken)
    monkeypatch.setattr(S, "SHORT_SEARCH_S", 1.0)
    search = S._Search(2.0, 5, None, None, None, None, descent=False)
    plan = S._portfolio_sequential(line_problem(3), search)
    assert plan.backend == "ortools" and calls[0][0] == "ortools"
    assert "no licence" in plan.meta["portfolio"]["pyvrp"]["error"]


@pytest.mark.parametrize("backend", ["ortools", "auto"])
def test_deterministic_same_seed_same_plan(two_depot_problem, backend):
    problem = two_depot_problem()
    kw = {
        "time_limit_s": 20.0,
        "seed": 7,
        "deterministic": True,
        "solution_limit": 300,
        "max_iterations": 300,
    }
    a = solve(problem, backend, **kw)
    b = solve(problem, backend, **kw)
    assert a.meta["deterministic"] is True
    assert a.routes == b.routes
    sa, sb = a.summary(), b.summary()
    sa.pop("wall_s"), sb.pop("wall_s")
    assert sa == sb


def test_deterministic_ignores_a_short_wall_clock_limit(windows_problem):
    """deterministic=True stops on work, so a 0.05 s budget cannot cut the search short
    at a load-dependent point."""
    problem = windows_problem()  # hourly costs: exercises the cumul optimiser too
    a = solve(problem, "ortools", time_limit_s=0.05, deterministic=True)
    b = solve(problem, "ortools", time_limit_s=0.05, deterministic=True)
    assert a.meta["deterministic"] is True
    assert a.meta["stopped_by"] in ("solution_limit", "local_optimum")
    assert a.routes == b.routes


def test_wall_clock_limit_is_reported_as_not_deterministic(six_village_problem):
    plan = solve(six_village_problem(), "ortools", time_limit_s=0.3)
    assert plan.meta["deterministic"] is False
    assert plan.wall_s < 2.0


def test_bad_arguments(line_problem):
    problem = line_problem(2)
    with pytest.raises(ValueError, match="backend"):
        solve(problem, "gurobi")
    with pytest.raises(ValueError, match="time_limit_s"):
        solve(problem, time_limit_s=0)


def test_plot_rounds_draws(coords, overconstrained_problem, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from routing.plotting import plot_rounds

    problem = overconstrained_problem()
    plan = solve(problem, "ortools", time_limit_s=5.0, solution_limit=100)
    fig, ax = plt.subplots()
    assert plot_rounds(plan, problem, coords(problem), ax=ax) is None
    # one line per round + its stop markers, the unserved crosses, one square per depot
    assert len(ax.lines) == 2 * len(plan.routes) + 1 + len(problem.depots)
    assert "unserved" in ax.get_legend_handles_labels()[1][-1]
    fig.savefig(tmp_path / "rounds.png")
    plt.close(fig)
    with pytest.raises(KeyError, match="no coordinates"):
        plot_rounds(plan, problem, {"HUB": (0.0, 0.0)}, ax=plt.figure().gca())
    plt.close("all")


# -- random small problems ------------------------------------------------------------
@st.composite
def small_problems(draw) -> Problem:
    n = draw(st.integers(1, 7))
    two_depots = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pts = rng.integers(-8000, 8000, size=(n + 2, 2))
    locs = ["D0", "D1"] + [f"L{i}" for i in range(n)]
    dist = np.rint(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1)))
    dist = dist.astype(np.int64)
    depots = [Depot("A", "D0")]
    if two_depots:
        depots.append(Depot("B", "D1", ready_s=int(rng.integers(0, 3 * 3600))))
    villages = []
    for i in range(n):
        opens = int(rng.integers(0, 6 * 3600))
        wide = bool(rng.integers(0, 2))
        villages.append(
            Village(
                f"V{i}",
                f"L{i}",
                (int(rng.integers(0, 12)),),
                (int(rng.integers(0, 12)),),
                service_s=int(rng.integers(0, 600)),
                window=(0, 10 * 3600) if wide else (opens, opens + int(rng.integers(600, 7200))),
                release_s=int(rng.integers(0, 4 * 3600)) if rng.integers(0, 3) == 0 else 0,
                depot="B" if two_depots and rng.integers(0, 4) == 0 else None,
            )
        )
    types = [
        VehicleType(
            "van",
            int(rng.integers(1, 3)),
            (int(rng.integers(10, 30)),),
            "A",
            fixed_cost=float(rng.integers(0, 50)),
            cost_per_km=1.0,
            cost_per_h=20.0,
            shift_end_s=int(rng.integers(4, 12)) * 3600,
            max_duration_s=int(rng.integers(2, 8)) * 3600,
            max_distance_m=int(rng.integers(20, 80)) * 1000,
        )
    ]
    if two_depots:
        types.append(VehicleType("tv", 1, (15,), "B", fixed_cost=10.0, cost_per_km=2.0))
    return Problem(
        locations=tuple(locs),
        distance_m=dist,
        duration_s=dist // 8,
        depots=tuple(depots),
        villages=tuple(villages),
        vehicle_types=tuple(types),
        name="random",
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_random_problems_pass_the_checker(problem):
    plan = solve(problem, "ortools", time_limit_s=5.0, solution_limit=50)
    assert check(plan, problem) == []
    assert plan.status in ("feasible", "partial")
    served = set(plan.served)
    assert served.isdisjoint(u.village for u in plan.unserved)
    assert served | {u.village for u in plan.unserved} == {v.id for v in problem.villages}
    # Nothing was stopped, so no village is reported as "interrupted".
    for u in plan.unserved:
        assert u.reason != "interrupted"


def _solve_with_ctrl_c(problem: Problem, backend: str) -> Plan:
    """Solve on a 20 s budget and press Ctrl-C (SIGINT to this process) after 0.5 s."""
    import os
    import signal

    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        return solve(problem, backend, time_limit_s=20.0)
    finally:
        timer.cancel()


def test_pyvrp_ctrl_c_returns_best_so_far(tight_fleet_problem):
    problem = tight_fleet_problem()
    plan = _solve_with_ctrl_c(problem, "pyvrp")
    assert plan.wall_s < 10
    assert plan.status == "interrupted"
    assert check(plan, problem) == []


def test_auto_ctrl_c_returns_best_so_far(tight_fleet_problem):
    """SIGINT reaches the parent (which turns it into a stop) and both PyVRP children
    are told to stop; both plans so far are checked and the better one comes back.
    (The fleet can carry this day, so OR-Tools is not run: issue 16.)"""
    problem = tight_fleet_problem()
    plan = _solve_with_ctrl_c(problem, "auto")
    assert plan.wall_s < 10
    assert plan.status == "interrupted"
    portfolio = plan.meta["portfolio"]
    assert portfolio["pyvrp_second"]["status"] == "interrupted"
    assert portfolio["pyvrp"]["status"] == "interrupted"
    assert "skipped" in portfolio["ortools"]
    assert check(plan, problem) == []


def test_auto_survives_a_failing_backend(line_problem, monkeypatch):
    """If PyVRP raises, the portfolio says so and returns the checked OR-Tools plan."""
    import routing.pyvrp_backend

    def broken(*args, **kwargs):
        raise RuntimeError("no licence for this")

    monkeypatch.setattr(routing.pyvrp_backend, "solve_pyvrp", broken)
    problem = line_problem(3)
    plan = solve(problem, "auto", time_limit_s=0.5)
    assert plan.backend == "ortools"
    assert "no licence" in plan.meta["portfolio"]["pyvrp"]["error"]
    assert check(plan, problem) == []


@pytest.fixture(scope="session")
def _solve_in_daemon(line_problem):  # type: ignore[no-untyped-def]
    def _solve_in_daemon(out):
        problem = line_problem(3)
        out.put(solve(problem, "auto", time_limit_s=1.0))

    return _solve_in_daemon


def test_auto_inside_a_daemon_process_runs_sequentially(_solve_in_daemon):
    """Daemonic workers (Dask) cannot start a child: OR-Tools runs on its share of the
    budget, then PyVRP on the rest, and the plan says so."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=_solve_in_daemon, args=(out,), daemon=True)
    proc.start()
    plan = out.get(timeout=30)
    proc.join(timeout=10)
    assert plan.meta["portfolio"]["mode"] == "sequential"
    assert set(plan.meta["portfolio"]) == {"mode", "ortools", "pyvrp"}
    assert plan.cost == pytest.approx(6.0)
    assert plan.wall_s < 3.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.randoms(use_true_random=False))
def test_fast_feasibility_agrees_with_full_evaluation(problem, rnd):
    """RouteEvaluator.feasible (used thousands of times by the construction) is a lean
    copy of evaluate(); they must agree on every round."""
    from routing.diagnose import RouteEvaluator

    ev = RouteEvaluator(problem)
    n = len(problem.villages)
    for _ in range(20):
        seq = rnd.sample(range(n), rnd.randint(0, n))
        for k in range(len(problem.vehicle_types)):
            assert ev.feasible(k, seq) == ev.evaluate(k, seq).feasible, (k, seq)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.integers(0, 3))
def test_construction_rounds_are_feasible(problem, seed):
    """Every round of the construction is feasible for its van, on an allowed type, and
    no village appears twice."""
    from routing.diagnose import RouteEvaluator, allowed_types
    from routing.ortools_backend import construct_routes

    ev = RouteEvaluator(problem)
    routes = construct_routes(problem, seed=seed, evaluator=ev)
    types = [k for k, t in enumerate(problem.vehicle_types) for _ in range(t.count)]
    assert len(routes) == len(types)
    seen = [i for r in routes for i in r]
    assert len(seen) == len(set(seen))
    for k, seq in zip(types, routes, strict=True):
        assert ev.evaluate(k, seq).feasible
        assert all(k in allowed_types(problem, i) for i in seq)
