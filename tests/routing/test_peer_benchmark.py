"""The peer benchmarks on hand-checked routing problems: plain PyVRP modelled as a user
would (``benchmarks/pyvrp_peer.py``), and the engine beside it on one day (``routing_day.py``)."""

from __future__ import annotations

import pytest


def test_plain_peer_models_the_problem_as_a_user_would(load_benchmark, windows_problem):

    from routing.check import check

    peer = load_benchmark("pyvrp_peer")
    problem = windows_problem()
    data = peer.plain_data(problem)
    assert all(c.required and c.prize == 0 for c in data.clients())
    assert [c.release_time for c in data.clients()] == [v.release_s for v in problem.villages]
    plan = peer.solve_plain(problem, 0.5, 1)
    assert plan.backend == "pyvrp-plain" and check(plan, problem) == []
    assert not plan.unserved


def test_routing_day_compares_engine_and_peer_on_one_problem(load_benchmark, six_village_problem):

    from routing.check import check

    day = load_benchmark("routing_day")
    problem = six_village_problem()
    got = dict(day.compare_day(problem, 1.0, 3))
    assert list(got) == ["auto", "pyvrp-plain-x2", "pyvrp", "pyvrp-plain"]
    for plan in got.values():
        assert check(plan, problem) == [] and not plan.unserved
    assert got["pyvrp-plain-x2"].meta["seeds"] == [3, 4]
    assert got["auto"].cost <= got["pyvrp-plain-x2"].cost + 1e-6  # the optimum, 122.148


def test_day_verdict_replays_a_loss_at_equal_work(load_benchmark, six_village_problem):
    """A loss at equal wall time is replayed with the peer's seed for the peer's iterations:
    no worse there is the clock ("holds at equal work"), worse is the engine ("FAILS")."""
    import dataclasses

    from routing import solve

    day = load_benchmark("routing_day")
    problem = six_village_problem()
    best = solve(problem, "pyvrp", time_limit_s=1.0, seed=3)  # the optimum, 122.148
    peer = dataclasses.replace(best, meta={**best.meta, "seed": 4, "iterations": 77})
    behind = dataclasses.replace(best, cost=best.cost + 5.0)
    calls: list[tuple[int, int]] = []

    def replay(plan):
        return lambda seed, n: calls.append((seed, n)) or plan

    assert day.verdict(problem, best, peer, replay(behind)) == ("holds", {})
    assert calls == []  # no replay when the engine holds at equal wall time
    said, info = day.verdict(problem, behind, peer, replay(best))
    assert said == "holds at equal work" and calls == [(4, 77)]
    assert info["replay_objective_yuan"] == round(best.cost, 2) and info["replay_valid"]
    said, _ = day.verdict(problem, behind, peer, replay(behind))
    assert said == "FAILS"
    # the real replay: the engine's search for the peer's iterations
    said, info = day.verdict(problem, behind, peer)
    assert said == "holds at equal work" and info["replay_iterations"] == 77


def test_engine_search_is_plain_pyvrp_when_every_village_is_required(load_benchmark):
    """Issue 16: with every village required, the engine's PyVRP search is plain PyVRP's
    (the same data, parameters, penalties and random stream), so at the same number of
    iterations it ends on the same rounds. Only the clock can then put it behind."""
    from pathlib import Path

    import pyvrp
    from pyvrp.stop import MaxIterations

    from routing.pyvrp_backend import solve_pyvrp
    from routing.readers import read_instance

    peer = load_benchmark("pyvrp_peer")
    problem = read_instance(Path(__file__).parents[1] / "data" / "vrpspd" / "SCA3-0.vrpspd").problem
    for seed in (1, 2):
        ours = solve_pyvrp(problem, time_limit_s=60.0, seed=seed, max_iterations=400)
        data = peer.plain_data(problem)
        theirs = pyvrp.solve(data, MaxIterations(400), seed=seed, collect_stats=False)
        plain_rounds = sorted(
            tuple(data.clients()[a.idx].name for a in r.schedule() if a.is_client())
            for r in theirs.best.routes()
        )
        assert ours.meta["phases"] == ["required"]
        assert sorted(r.villages for r in ours.routes) == plain_rounds
        assert ours.distance_m == theirs.best.distance()


def test_plain_peer_plans_second_trips_as_the_problem_allows(load_benchmark, two_villages):
    """The peer gets PyVRP's reload depots: one van, two trips."""
    from routing.check import check

    problem = two_villages(vans=1)
    peer = load_benchmark("pyvrp_peer")
    data = peer.plain_data(problem)
    assert data.vehicle_type(0).max_reloads == 1 and data.depots()[0].service_duration == 600
    plans = [peer.solve_plain(problem, 0.5, seed) for seed in (1, 2, 3)]
    assert all(check(p, problem) == [] for p in plans)
    best = min(plans, key=lambda p: (len(p.unserved), p.cost))
    assert not best.unserved and [r.trip for r in best.routes] == [0, 1]
    assert best.cost == pytest.approx(132.4)


def test_reload_start_only_when_one_trip_cannot_carry_the_day(load_benchmark, two_villages):
    """The release-ordered start with reloads replaces PyVRP's random start only where one
    trip per van cannot carry the day; otherwise the search, trips and all, is plain
    PyVRP's: the same rounds at the same iterations."""
    import pyvrp
    from pyvrp.stop import MaxIterations

    from routing.pyvrp_backend import solve_pyvrp
    from routing.pyvrp_model import build_data
    from routing.pyvrp_search import one_trip_short

    peer = load_benchmark("pyvrp_peer")
    assert one_trip_short(build_data(two_villages(vans=1), True)[0])
    problem = two_villages(vans=2)
    data = peer.plain_data(problem)
    assert not one_trip_short(data)
    for seed in (1, 2, 3):
        ours = solve_pyvrp(problem, time_limit_s=60.0, seed=seed, max_iterations=200)
        theirs = pyvrp.solve(data, MaxIterations(200), seed=seed, collect_stats=False)
        assert ours.distance_m == theirs.best.distance()
        assert len(ours.routes) == sum(r.num_trips() for r in theirs.best.routes())
