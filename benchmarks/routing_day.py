"""The day itself: gongpei's rounds beside plain PyVRP on the same ``routing.Problem``.

Usage::

    nice -n 10 python benchmarks/routing_day.py scenarios/suichang.toml \\
        --json benchmarks/results/routing_day_suichang.json

For each scenario the day is sorted and its co-delivery problem built exactly as
``gongpei run`` builds it (:func:`gongpei.day.pipeline.day_problem`), then solved at the
scenario's own budget (``routing.time_limit_s``, default 20 s) and seed, by:

* ``auto`` (``gongpei run``'s default, two cores), then the plain-PyVRP peer on the same two
  cores: seeds ``seed`` and ``seed + 1`` side by side, the better one kept
  (``pyvrp-plain-x2``);
* ``pyvrp`` (one core) and one plain-PyVRP seed (``pyvrp-plain``) side by side.

The peer (``benchmarks/pyvrp_peer.py``) converts the problem as a user would: the same
windows, release times, shifts, durations, distance limits, capacities and costs (in
1/100,000 yuan), second trips by PyVRP's reload depots, every village required, PyVRP's
default parameters, the soft promise as a deadline where a van alone can keep it (the
engine's conversion; PyVRP 0.14 has no soft windows). Every plan is checked by
:func:`routing.check.check`; costs
are in yuan from the same round formula, and the verdict compares what the day's problem
minimises (:func:`routing.deadline.plan_objective`: rounds + late cost + the drop penalty of
each unserved village), after the number of villages left unserved. ``--seeds K``
repeats with seeds ``seed .. seed + K - 1`` (the peer pairs follow them).

The verdict is at equal wall time first. On a shared machine the same search makes a few
per cent more or fewer iterations from one run to the next (measured on the tea-harvest day
at 12 s: plain PyVRP 21,996–24,461 iterations, the engine 18,486–23,505), and where an
improvement comes late in the budget that decides the comparison. So when the engine is
behind at equal wall time the script replays, at equal work, the engine's search with the
peer's best seed for exactly the peer's number of iterations (``max_iterations``): if that
is no worse than the peer, the loss was the clock (``holds at equal work``, and the row
says both iteration counts); if it is worse, the engine itself is behind (``FAILS``, exit
status 1).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from routing.check import check
from routing.deadline import plan_objective
from routing.plan import Plan
from routing.problem import Problem
from routing.solve import solve

DEFAULT_SCENARIOS = ("scenarios/suichang.toml",)


def _peer_module() -> Any:
    """``benchmarks/pyvrp_peer.py`` (this folder is not a package)."""
    name = "pyvrp_peer"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _row(
    scenario: str, problem: Problem, name: str, plan: Plan, budget: float, seed: int
) -> dict[str, Any]:
    violations = check(plan, problem)
    return {
        "scenario": scenario,
        "villages": len(problem.villages),
        "backend": name,
        "time_limit_s": budget,
        "seed": seed,
        "cost_yuan": round(plan.cost, 2),
        "late_cost_yuan": round(plan.late_cost, 2),
        "objective_yuan": round(plan_objective(plan, problem), 2),
        "km": round(plan.distance_m / 1000, 1),
        "routes": len(plan.routes),
        "unserved": len(plan.unserved),
        "status": plan.status,
        "violations": [str(v) for v in violations[:5]],
        "valid": not violations,
        "wall_s": round(plan.wall_s, 2),
        "chosen": plan.meta.get("chosen"),
        "phases": plan.meta.get("phases"),
        "peer_seeds": plan.meta.get("seeds"),
        "iterations": plan.meta.get("iterations"),
    }


def verdict(
    problem: Problem, ours: Plan, peer: Plan, replay: Callable[[int, int], Plan] | None = None
) -> tuple[str, dict[str, Any]]:
    """``"holds"``, ``"holds at equal work"`` or ``"FAILS"``, and what the replay found.

    ``peer`` must carry ``meta["seed"]`` and ``meta["iterations"]``; ``replay(seed, n)``
    stands in for the engine's ``pyvrp`` search with ``seed`` for ``n`` iterations (tests)."""

    def key(plan: Plan) -> tuple[int, float]:
        return len(plan.unserved), round(plan_objective(plan, problem), 2)

    if key(ours) <= key(peer):
        return "holds", {}
    seed, n = peer.meta["seed"], peer.meta["iterations"]
    if replay is None:
        again = solve(problem, "pyvrp", seed=seed, max_iterations=n, deterministic=True)
    else:
        again = replay(seed, n)
    info = {
        "replay_seed": seed,
        "replay_iterations": n,
        "replay_objective_yuan": key(again)[1],
        "replay_unserved": key(again)[0],
        "replay_valid": not check(again, problem),
    }
    held = key(again) <= key(peer) and info["replay_valid"]
    return ("holds at equal work" if held else "FAILS"), info


def compare_day(problem: Problem, budget: float, seed: int) -> list[tuple[str, Plan]]:
    """(row name, plan) for auto, its two-seed peer, pyvrp and its one-seed peer."""
    import dataclasses

    peer = _peer_module()
    out: list[tuple[str, Plan]] = []
    t0 = time.perf_counter()
    auto = solve(problem, "auto", time_limit_s=budget, seed=seed)
    out.append(("auto", dataclasses.replace(auto, wall_s=time.perf_counter() - t0)))
    pair = peer.side_by_side(
        [lambda s=s: peer.solve_plain(problem, budget, s) for s in (seed, seed + 1)]
    )
    best = min(pair, key=lambda p: (len(p.unserved), plan_objective(p, problem)))
    seeds = [p.meta["seed"] for p in pair]
    out.append(("pyvrp-plain-x2", dataclasses.replace(best, meta={**best.meta, "seeds": seeds})))
    ours, theirs = peer.side_by_side(
        [
            lambda: solve(problem, "pyvrp", time_limit_s=budget, seed=seed),
            lambda: peer.solve_plain(problem, budget, seed),
        ]
    )
    out += [("pyvrp", ours), ("pyvrp-plain", theirs)]
    return out


def main(argv: list[str] | None = None) -> int:
    from gongpei.day.pipeline import day_problem
    from gongpei.scenario import load_scenario

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*", default=list(DEFAULT_SCENARIOS))
    ap.add_argument("--time-limit", type=float, help="seconds (default: the scenario's)")
    ap.add_argument("--seeds", type=int, default=1, help="seeds seed .. seed+K-1")
    ap.add_argument("--json", help="write the rows to this file")
    args = ap.parse_args(argv)

    rows: list[dict[str, Any]] = []
    head = (
        f"{'scenario':<24} {'backend':<15} {'seed':>5} {'cost ¥':>10} {'late ¥':>8} {'km':>8} "
        f"{'rounds':>6} "
        f"{'unserved':>8} {'valid':>5} {'wall_s':>7}"
    )
    print(head)
    print("-" * len(head))
    verdicts: list[bool] = []
    for path in args.scenarios:
        scenario = load_scenario(path)
        budget = args.time_limit or scenario.model.routing.time_limit_s
        problem = day_problem(scenario).problem
        for k in range(args.seeds):
            seed = (scenario.seed + k) % 2**32
            got = dict(compare_day(problem, budget, seed))
            for name, plan in got.items():
                row = _row(Path(path).stem, problem, name, plan, budget, seed)
                rows.append(row)
                print(
                    f"{row['scenario']:<24} {name:<15} {seed:>5} {row['cost_yuan']:>10.2f} "
                    f"{row['late_cost_yuan']:>8.2f} {row['km']:>8.1f} {row['routes']:>6} "
                    f"{row['unserved']:>8} "
                    f"{row['valid']!s:>5} {row['wall_s']:>7.1f}",
                    flush=True,
                )
            for ours, peer in (("auto", "pyvrp-plain-x2"), ("pyvrp", "pyvrp-plain")):
                a, b = got[ours], got[peer]
                oa, ob = plan_objective(a, problem), plan_objective(b, problem)
                said, info = verdict(problem, a, b)
                verdicts.append(said != "FAILS")
                row = next(r for r in rows[-len(got) :] if r["backend"] == ours)
                row.update(verdict=said, peer_iterations=b.meta.get("iterations"), **info)
                print(
                    f"  {said}: {ours} ¥{oa:,.2f} ({len(a.unserved)} unserved, "
                    f"{a.meta.get('iterations')} it.) vs {peer} ¥{ob:,.2f} "
                    f"({len(b.unserved)} unserved, {b.meta.get('iterations')} it.)"
                    + (
                        f"; replayed at equal work (seed {info['replay_seed']}, "
                        f"{info['replay_iterations']} it.): ¥{info['replay_objective_yuan']:,.2f}"
                        if info
                        else ""
                    )
                )
            if args.json:
                Path(args.json).parent.mkdir(parents=True, exist_ok=True)
                Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
