"""``gongpei replan`` on the small test scenario: breakdowns, closures, the CLI, plan.json."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from gongpei.cli.replan import replan as replan_cmd
from gongpei.day.pipeline import run_day
from gongpei.errors import ReplanError
from gongpei.scenario.loading import load_scenario
from gongpei.studies.replan import (
    closed_graph,
    county_and_problem,
    parse_closure,
    replan_day,
)
from routing.check import REASONS, check
from routing.disruption import RECOVERY_DELAY_S, RoadClosure, VanBreakdown
from routing.plan_io import plan_from_dict, plan_to_dict

GOOD = Path(__file__).parents[2] / "data" / "good.toml"
OVERRIDES = {
    "routing.time_limit_s": 1,
    "routing.deterministic": True,
    "routing.baselines": [],
    "routing.backend": "pyvrp",
    "demand.village_parcels": 2000,
    "fleet.vans[0].count": 40,
}


@pytest.fixture(scope="module")
def day():  # type: ignore[no-untyped-def]
    sc = load_scenario(GOOD).with_overrides(OVERRIDES)
    return sc, run_day(sc)


def _covered_once(problem, plan) -> None:  # type: ignore[no-untyped-def]
    served = [v for r in plan.routes for v in r.villages]
    unserved = [u.village for u in plan.unserved]
    assert sorted(served + unserved) == sorted(v.id for v in problem.villages)


def test_day_problem_rebuilds_the_run_day_problem(day) -> None:  # type: ignore[no-untyped-def]
    sc, d = day
    _county, problem = county_and_problem(sc)
    assert problem == d.problem
    assert check(d.plan, problem) == []


def test_plan_json_round_trip_of_a_real_day(day) -> None:  # type: ignore[no-untyped-def]
    _sc, d = day
    back = plan_from_dict(json.loads(json.dumps(plan_to_dict(d.plan))))
    assert back == d.plan


def test_breakdown_mid_round(day) -> None:  # type: ignore[no-untyped-def]
    sc, d = day
    route = max(d.plan.routes, key=lambda r: len(r.stops))
    at = route.stops[1].arrival_s + 60  # at its second stop
    out = replan_day(sc, d.plan, [VanBreakdown(route.vehicle, at)],
                     problem=(d.county, d.problem))  # fmt: skip
    r = out.replan
    _covered_once(d.problem, r.plan)
    assert check(r.residual_plan, r.residual_problem) == []
    mine = next(x for x in r.plan.routes if x.vehicle == route.vehicle)
    assert mine.stops == route.stops[:2] and mine.return_s == at
    stuck = route.villages[2:]
    assert set(stuck) <= set(r.affected)
    unserved = {u.village: u for u in r.unserved}
    for vid in stuck:
        if vid in unserved:
            assert unserved[vid].reason in REASONS
            assert f"broken-down {route.vehicle}" in unserved[vid].detail
        else:
            other = r.plan.route_of(vid)
            assert other is not None and other.vehicle != route.vehicle
            assert other.depart_s >= at + RECOVERY_DELAY_S
    rows = {row["code"]: row for row in out.rows()}
    assert rows[stuck[0]]["old_vehicle"] == route.vehicle and rows[stuck[0]]["name"]
    # other vans already on the road keep their villages (and, kept, their exact round)
    for old in d.plan.routes:
        if old.vehicle != route.vehicle and old.depart_s <= at:
            new = next(x for x in r.plan.routes if x.vehicle == old.vehicle)
            if r.policy_used == "keep":
                assert new.stops == old.stops
            else:
                assert set(new.villages) <= set(old.villages)


def test_closure_on_a_route_path(day) -> None:  # type: ignore[no-untyped-def]
    sc, d = day
    county = d.county
    route = max(d.plan.routes, key=lambda r: len(r.stops))
    at = route.stops[0].departure_s + 1  # driving to stop 2: stops 3.. still ahead
    a, b = route.villages[1], route.villages[2]
    path = nx.shortest_path(county.graph, a, b, weight="time_s")
    edge = (path[len(path) // 2 - 1], path[len(path) // 2])
    out = replan_day(sc, d.plan, [RoadClosure((edge,), at)], problem=(county, d.problem))
    r = out.replan
    _covered_once(d.problem, r.plan)
    assert check(r.residual_plan, r.residual_problem) == []
    assert out.removed_edges == (edge,)
    new = next(x for x in r.plan.routes if x.vehicle == route.vehicle)
    unreachable = {u.village for u in r.unserved if u.reason == "unreachable"}
    later = set(route.villages[2:])
    assert new.distance_m != route.distance_m or unreachable & later


def test_closure_names_and_corridors(day) -> None:  # type: ignore[no-untyped-def]
    _sc, d = day
    g = d.county.graph
    rc = parse_closure("331123001:331123102@11:00", g)
    assert rc.edges == (("331123001", "331123102"),) and rc.at_s == 11 * 3600
    g2, removed = closed_graph(g, rc.edges)
    assert len(removed) == 4 and g2.number_of_edges() == g.number_of_edges() - 4
    assert g.number_of_edges() == g2.number_of_edges() + 4  # the county graph is untouched
    junction = parse_closure("j:331123001:331123102:1:j:331123001:331123102:2@08:00", g)
    assert junction.edges == (("j:331123001:331123102:1", "j:331123001:331123102:2"),)
    with pytest.raises(ReplanError, match="no road between"):
        closed_graph(g, [("331123001", "331123108")])


def _scenario_file(tmp_path: Path) -> Path:
    text = GOOD.read_text(encoding="utf-8")
    text = text.replace("village_parcels = 4000", "village_parcels = 2000")
    text = text.replace("count = 30", "count = 40")
    text = text.replace('backend = "ortools"', 'backend = "pyvrp"')
    text = text.replace("time_limit_s = 2.0", "time_limit_s = 1.0\ndeterministic = true")
    path = tmp_path / "sc.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_replan_writes_outputs_and_rejects_bad_input(day, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _sc, d = day
    sc_path = _scenario_file(tmp_path)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan_to_dict(d.plan)), encoding="utf-8")
    route = max(d.plan.routes, key=lambda r: len(r.stops))
    h, m = divmod(route.stops[1].arrival_s // 60 + 1, 60)
    runner = CliRunner()
    base = [str(sc_path), "--plan", str(plan_path), "--out", str(tmp_path / "o")]
    res = runner.invoke(replan_cmd, [*base, "--breakdown", f"{route.vehicle}@{h:02d}:{m:02d}"])
    assert res.exit_code == 0, res.output
    assert "affected" in res.output
    report = json.loads((tmp_path / "o" / "replan.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader((tmp_path / "o" / "affected.csv").open(encoding="utf-8")))
    assert {r["code"] for r in rows} == {r["code"] for r in report["affected"]}
    assert set(route.villages[2:]) <= {r["code"] for r in rows}
    replanned = plan_from_dict(json.loads((tmp_path / "o" / "plan.json").read_text("utf-8")))
    _covered_once(d.problem, replanned)
    for args, needle in [
        (["--breakdown", "van#99@10:00"], "no vehicle 'van#99'"),
        (["--breakdown", "van#1@10:99"], "clock time"),
        (["--closure", "nowhere:331123001@10:00"], "no road-graph nodes"),
        ([], "nothing to re-plan"),
    ]:
        res = runner.invoke(replan_cmd, [*base, *args])
        assert res.exit_code == 2, (args, res.output)
        assert needle in res.output and "Traceback" not in res.output
    other = tmp_path / "other.json"
    other.write_text('{"format": "routing.plan/1"}', encoding="utf-8")
    res = runner.invoke(replan_cmd, [str(sc_path), "--plan", str(other), "--breakdown",
                                     "van#1@10:00"])  # fmt: skip
    assert res.exit_code == 2 and "plan.routes: missing" in res.output


def test_a_breakdown_after_midnight_is_rejected() -> None:
    from gongpei.studies.replan import parse_breakdown

    with pytest.raises(ReplanError, match="after 24:00"):
        parse_breakdown("van#0@25:30", ["van#0"])
