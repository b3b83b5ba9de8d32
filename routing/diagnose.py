"""Why a village is unserved: diagnosis by recomputation, usable by every backend.

A solver that drops a village only says "it was cheaper to pay the penalty". Planners need
the *binding* reason, so :func:`diagnose` tests, for each unserved village, the simplest
round that could serve it — a single-stop round ``depot → village → depot`` on every
vehicle type allowed there — against each constraint in a fixed order:

1. ``unreachable``      no road to or from the village (matrix ≥ ``Problem.UNREACHABLE``);
2. ``capacity``         its delivery or pickup exceeds every allowed van's capacity;
3. ``release_too_late`` / ``time_window``  the window closes before the van can arrive
   (``release_too_late`` when it would have made it had the chute been ready earlier);
4. ``shift_length``     the round cannot be back by shift end or exceeds max duration;
5. ``distance_limit``   the round is longer than the van's maximum distance;
6. ``fleet_size``       the single-stop round is feasible: the village fits alone, but
   the plan did not fit it together with the others on the vans available. Diagnosis
   cannot prove that no plan would (that is the routing problem itself): with a very
   short search budget a longer search may still place it; the detail says so.

With several vehicle types the reason reported is from the type that passes the most
checks (the "closest" type); ``detail`` names the type and the numbers. Adding stops to a
round only adds load, distance and time on metric matrices (shortest-path matrices are
metric), so a failure of the single-stop round is a failure of every round.

The single-stop rounds are timed by :class:`routing.evaluate.RouteEvaluator`, the one round
evaluator of ``routing`` (the OR-Tools adapter, the readers and re-planning use it too).
"""

from __future__ import annotations

from collections.abc import Iterable

from routing.evaluate import RouteEvaluator
from routing.plan import UNSERVED_REASONS, Unserved
from routing.problem import Problem
from routing.round_times import RouteTimes

# RouteEvaluator and RouteTimes live in routing.evaluate; re-exported for old imports.
__all__ = ["REASONS", "RouteEvaluator", "RouteTimes", "allowed_types", "diagnose"]

#: Diagnosis order; earlier reasons win (the plan vocabulary without ``interrupted``).
REASONS = tuple(r for r in UNSERVED_REASONS if r != "interrupted")
_RANK = {r: k for k, r in enumerate(REASONS)}


def allowed_types(problem: Problem, village_index: int) -> list[int]:
    """Vehicle types (positions) that may serve a village: those starting at its depot."""
    v = problem.villages[village_index]
    return [
        k
        for k, t in enumerate(problem.vehicle_types)
        if v.depot is None or t.start_depot == v.depot
    ]


def diagnose(
    problem: Problem, village_ids: Iterable[str], evaluator: RouteEvaluator | None = None
) -> tuple[Unserved, ...]:
    """The binding reason each of ``village_ids`` is unserved (see the module docstring).

    Pure: depends only on the problem, not on the plan or the backend that produced it.
    """
    ev = evaluator if evaluator is not None else RouteEvaluator(problem)
    pos = {v.id: k for k, v in enumerate(problem.villages)}
    out: list[Unserved] = []
    for vid in village_ids:
        i = pos[vid]
        types = allowed_types(problem, i)
        if not types:
            out.append(
                Unserved(
                    vid,
                    "fleet_size",
                    f"no vehicle type starts at its depot {problem.villages[i].depot!r}",
                )
            )
            continue
        best: tuple[int, str, str] | None = None
        for k in types:
            rt = ev.evaluate(k, [i])
            name = problem.vehicle_types[k].name
            if rt.feasible:
                best = (
                    len(REASONS),
                    "fleet_size",
                    f"a {name} round serving it alone is feasible; it was not fitted with "
                    "the others on the vans available (more vans or a longer search may)",
                )
                break
            rank = _RANK[rt.reason]
            if best is None or rank > best[0]:
                best = (rank, rt.reason, f"{name}: {rt.detail}")
        assert best is not None
        out.append(Unserved(vid, best[1], best[2]))
    return tuple(out)
