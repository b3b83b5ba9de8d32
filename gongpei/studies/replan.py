"""Re-planning a county day after a van breakdown or a road closure.

The saved plan (``plan.json`` from ``gongpei run``) only holds rounds; the problem it solves
is rebuilt here from the scenario exactly as :func:`gongpei.day.pipeline.run_day` builds it
(same seed ⇒ same sorter day, ready times and demand), and the plan is checked against it
so a plan from another scenario or seed is refused. Closures remove road-graph edges from
a copy of the county graph and recompute the travel matrices; the re-planning itself is
:func:`routing.disruption.replan` (its docstring states the rules).

A closure names two adjacent graph nodes (village codes, 9-digit township seat codes or
junctions ``j:A:B:k``). Two township seats joined by a corridor of junctions close that
whole corridor (a landslide cuts the inter-township road).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gongpei.errors import ReplanError
from routing.disruption import Disruption, Replan, RoadClosure, VanBreakdown, fleet_names

if TYPE_CHECKING:
    import networkx as nx

    from gongpei.county.build import County
    from gongpei.scenario.loading import Scenario
    from routing import Plan, Problem
    from routing.callbacks import StopFn

__all__ = [
    "DayReplan",
    "closed_graph",
    "county_and_problem",
    "parse_breakdown",
    "parse_closure",
    "replan_day",
]


def _clock(text: str, where: str) -> int:
    from gongpei.scenario.clock import parse_clock

    try:
        t = parse_clock(text)
    except ValueError:
        t = None
    if not isinstance(t, int):
        raise ReplanError(f"{where}: time {text!r} must be a clock time 'HH:MM'")
    if t > 24 * 3600:
        raise ReplanError(f"{where}: time {text!r} is after 24:00 (a re-plan is within the day)")
    return t


def parse_breakdown(text: str, fleet: Sequence[str]) -> VanBreakdown:
    """``"van#3@10:30"`` → :class:`VanBreakdown` (the vehicle must be in ``fleet``)."""
    vehicle, sep, when = text.rpartition("@")
    if not sep or not vehicle:
        raise ReplanError(f"--breakdown {text!r}: expected VEHICLE@HH:MM, e.g. van#3@10:30")
    if vehicle not in fleet:
        shown = ", ".join(fleet) if len(fleet) <= 6 else f"{fleet[0]} … {fleet[-1]}"
        raise ReplanError(f"--breakdown {text!r}: no vehicle {vehicle!r} (fleet: {shown})")
    return VanBreakdown(vehicle, _clock(when, f"--breakdown {text!r}"))


def parse_closure(text: str, graph: nx.Graph) -> RoadClosure:
    """``"NODE_A:NODE_B@HH:MM"`` (closed for the rest of the day) or
    ``"NODE_A:NODE_B@HH:MM-HH:MM"`` (reopens at the second time) → :class:`RoadClosure`
    (node ids may contain ``:``; the split is the one where both sides are graph nodes)."""
    pair, sep, when = text.rpartition("@")
    if not sep or ":" not in pair:
        raise ReplanError(f"--closure {text!r}: expected NODE_A:NODE_B@HH:MM[-HH:MM]")
    start, dash, end = when.partition("-")
    at = _clock(start, f"--closure {text!r}")
    until = _clock(end, f"--closure {text!r}") if dash else None
    if until is not None and until <= at:
        raise ReplanError(f"--closure {text!r}: reopens at {end}, not after it closes at {start}")
    parts = pair.split(":")
    splits = [
        (":".join(parts[:k]), ":".join(parts[k:]))
        for k in range(1, len(parts))
        if ":".join(parts[:k]) in graph and ":".join(parts[k:]) in graph
    ]
    if not splits:
        raise ReplanError(f"--closure {text!r}: no road-graph nodes {pair!r} (NODE_A:NODE_B)")
    return RoadClosure((splits[0],), at, until)


def closed_graph(graph: nx.Graph, edges: Iterable[tuple[str, str]]) -> tuple[nx.Graph, list]:
    """A copy of ``graph`` without ``edges``, and the graph edges actually removed.

    A pair of adjacent nodes removes that edge; a pair of township seats joined by junctions
    ``j:A:B:k`` removes every edge of that corridor (:func:`routing.closures.close_roads`, the
    one closure rule, which scenario closures use too). Anything else is a
    :class:`ReplanError`.
    """
    from routing.closures import close_roads
    from routing.network import NetworkError

    g = graph
    removed: list[tuple[str, str]] = []
    for a, b in edges:
        for n in (a, b):
            if n not in g:
                raise ReplanError(f"closure {a}:{b}: no road-graph node {n!r}")
        try:
            g, cut = close_roads(g, [(a, b)])
        except NetworkError:
            raise ReplanError(
                f"closure {a}:{b}: no road between these nodes (name two adjacent nodes, "
                "or two township seats joined by a corridor)"
            ) from None
        removed.extend(cut)
    return (graph.copy() if g is graph else g), removed


def county_and_problem(scenario: Scenario) -> tuple[County, Problem]:
    """The county and the co-delivery problem of ``scenario``'s day, exactly as ``run_day``
    builds them (the sorter day is re-simulated: deterministic for a seed, under a second)."""
    from gongpei.day.pipeline import day_problem as build

    dp = build(scenario)
    return dp.sorted.county, dp.problem


@dataclass(frozen=True, eq=False)
class DayReplan:
    """A re-planned county day: the routing outcome and the planner's report."""

    replan: Replan
    problem: Problem
    county: County
    removed_edges: tuple[tuple[str, str], ...]
    report: dict[str, Any]

    def rows(self) -> list[dict[str, Any]]:
        """One row per affected village (what ``affected.csv`` holds)."""
        return list(self.report["affected"])

    def headline(self) -> str:
        r = self.report
        un = r["unserved_after_events"]
        reasons: dict[str, int] = {}
        for u in un:
            reasons[u["reason"]] = reasons.get(u["reason"], 0) + 1
        why = ", ".join(f"{n} {k}" for k, n in sorted(reasons.items()))
        return (
            f"re-planned at {r['replanned_at']} ({r['policy']}): {len(r['affected'])} "
            f"village(s) affected; {len(un)} newly unserved"
            + (f" ({why})" if why else "")
            + f"; without → with the events: {r['before']['distance_km']:.1f} → "
            f"{r['after']['distance_km']:.1f} km, unserved {r['before']['unserved']} → "
            f"{r['after']['unserved']}, ¥{r['before']['cost']:,.0f} → ¥{r['after']['cost']:,.0f}"
            + (
                f"; {len(r['stranded_vans'])} van(s) cut off by a closure finish their rounds "
                "on the far side"
                if r["stranded_vans"]
                else ""
            )
            + (
                "\ninterrupted (Ctrl-C): the re-planned rounds are the best found so far"
                if r.get("interrupted")
                else ""
            )
        )


def replan_day(
    scenario: Scenario,
    plan: Plan,
    events: Sequence[Disruption],
    *,
    time_limit_s: float | None = None,
    backend: str | None = None,
    policy: str = "keep",
    problem: tuple[County, Problem] | None = None,
    stop: StopFn | None = None,
) -> DayReplan:
    """Re-plan ``scenario``'s day after ``events``, from the saved ``plan``.

    ``problem``: the (county, problem) pair if the caller has it (e.g. from ``run_day``),
    else it is rebuilt with :func:`county_and_problem`. Budget and backend default to the
    scenario's routing settings. ``stop`` (a first Ctrl-C): the searches end with their best
    plans so far (:func:`routing.disruption.replan`); the report says ``interrupted``.
    """
    from gongpei.day.solving import solver_settings
    from routing.check import check
    from routing.disruption import replan

    county, prob = problem if problem is not None else county_and_problem(scenario)
    bad = check(plan, prob)
    if bad:
        raise ReplanError(
            f"the plan does not fit scenario {scenario.name!r} (seed {scenario.seed}): "
            f"{len(bad)} violation(s), first: {bad[0]} — was it made with another seed?"
        )
    names = fleet_names(prob)
    for e in events:
        if isinstance(e, VanBreakdown) and e.vehicle not in names:
            raise ReplanError(f"breakdown of {e.vehicle!r}: no such vehicle in the fleet")
    closures = sorted((e for e in events if isinstance(e, RoadClosure)), key=lambda e: e.at_s)
    removed: list[tuple[str, str]] = []
    after: dict[int, Problem] = {}
    if closures:
        from routing.network import travel_matrices

        ids = [county.hub if loc == "hub" else loc for loc in prob.locations]
        moments = {c.at_s for c in closures} | {c.until_s for c in closures if c.until_s}
        for t in sorted(moments):  # the roads closed at t (closed by then, not yet reopened)
            g, now_removed = closed_graph(
                county.graph, [x for c in closures if c.closed_at(t) for x in c.edges]
            )
            removed += [e for e in now_removed if e not in removed]
            dist, dur = travel_matrices(g, ids)
            after[t] = prob.replace(distance_m=dist, duration_s=dur)
    settings = solver_settings(scenario).rounds
    if backend is not None:
        settings = settings.replace(backend=backend)
    if time_limit_s is not None:
        settings = settings.replace(time_limit_s=time_limit_s)
    result = replan(
        prob,
        plan,
        events,
        problem_after=after or None,
        settings=settings,
        policy=policy,
        stop=stop,
    )
    report = _report(scenario, county, plan, result, removed)
    return DayReplan(result, prob, county, tuple(removed), report)


def _report(
    scenario: Scenario,
    county: County,
    plan: Plan,
    result: Replan,
    removed: list[tuple[str, str]],
) -> dict[str, Any]:
    from gongpei.day.outcomes import plan_co2_kg
    from gongpei.scenario.clock import format_clock

    def hhmm(t: int | None) -> str:
        return "" if t is None else format_clock(t)

    units = {v.code: v for v in county.villages}

    def where(code: str) -> tuple[str, str]:
        u = units.get(code)
        return (u.name, u.town_name) if u is not None else ("", "")

    rows = []
    for c in result.changes:
        name, town = where(c.village)
        rows.append(
            {
                "code": c.village,
                "name": name,
                "township": town,
                "change": c.kind,
                "old_vehicle": c.before_vehicle or "",
                "old_arrival": hhmm(c.before_arrival_s),
                "new_vehicle": c.after_vehicle or "",
                "new_arrival": hhmm(c.after_arrival_s),
                "reason": c.reason,
                "detail": c.detail,
            }
        )
    before_unserved = {u.village for u in plan.unserved}

    def totals(p: Plan) -> dict[str, Any]:
        return {
            "distance_km": round(p.distance_m / 1000, 3),
            "cost": round(p.cost, 2),
            "co2_kg": round(plan_co2_kg(p, scenario), 2),
            "rounds": len(p.routes),
            "served": len(p.served),
            "unserved": len(p.unserved),
        }

    events: list[dict[str, Any]] = []
    for e in result.events:
        if isinstance(e, VanBreakdown):
            events.append({"kind": "breakdown", "vehicle": e.vehicle, "at": hhmm(e.at_s)})
        else:
            events.append(
                {
                    "kind": "closure",
                    "edges": [list(x) for x in e.edges],
                    "at": hhmm(e.at_s),
                    "until": hhmm(e.until_s),
                }
            )
    return {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "replanned_at": hhmm(result.at_s),
        "policy": result.policy_used,
        "events": events,
        "graph_edges_removed": [list(x) for x in removed],
        "before": totals(plan),
        "after": totals(result.plan),
        "affected": rows,
        "unserved": [
            {
                "code": u.village,
                "name": where(u.village)[0],
                "township": where(u.village)[1],
                "reason": u.reason,
                "detail": u.detail,
            }
            for u in result.unserved
        ],
        "unserved_after_events": [
            {"code": u.village, "reason": u.reason}
            for u in result.unserved
            if u.village not in before_unserved
        ],
        "stranded_vans": list(result.plan.meta.get("stranded", [])),
        "residual_check": list(result.violations),
        "interrupted": result.interrupted,
    }
