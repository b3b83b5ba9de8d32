"""The peer benchmarks on hand-checked routing problems: plain PyVRP modelled as a user
would (``benchmarks/pyvrp_peer.py``), and the engine beside it on one day (``routing_day.py``)."""

from __future__ import annotations


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
