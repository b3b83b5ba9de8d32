"""``gongpei replan``: re-plan the rest of a day after a van breakdown or a road closure.

Registered on the main group by :mod:`gongpei.cli` (``main.add_command(replan)``). Heavy
imports (the pipeline, the solvers) happen inside the command.

Writes into ``--out`` (default: ``replan/`` next to the plan file): ``replan.json`` (events,
before/after totals, every affected village, every unserved village with its reason),
``affected.csv`` (one row per affected village) and ``plan.json`` (the complete re-planned
day, readable by :func:`routing.plan_io.plan_from_dict`). A bad vehicle name, time, node or
plan file prints one line and exits with status 2. Ctrl-C once: the searches stop with
their best plans so far and the outputs are written, marked ``interrupted``; twice: aborts
at once (exit 130).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gongpei.cli.options import time_limit_option
from gongpei.errors import reports_input_errors

__all__ = ["replan"]


@click.command("replan")
@click.argument("scenario")
@click.option(
    "--plan",
    "plan_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="the day's plan.json (written by gongpei run)",
)
@click.option(
    "--breakdown",
    "breakdowns",
    multiple=True,
    metavar="VEHICLE@HH:MM",
    help="a van stops for the day, e.g. van#3@10:30 (repeatable)",
)
@click.option(
    "--closure",
    "closures",
    multiple=True,
    metavar="NODE_A:NODE_B@HH:MM",
    help="a road closes between two graph nodes, e.g. 331123001:331123102@11:00 "
    "(two township seats close their corridor; repeatable)",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="output folder (default: replan/ next to the plan file)",
)
@time_limit_option
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="the seed the plan was made with, if not the scenario's",
)
@click.option("--backend", type=click.Choice(["ortools", "pyvrp", "auto"]), default=None)
@click.option(
    "--policy",
    type=click.Choice(["keep", "full"]),
    default="keep",
    show_default=True,
    help="keep: keep rounds that still work, repair the rest; full: re-solve all",
)
@reports_input_errors
def replan(
    scenario: str,
    plan_path: str,
    breakdowns: tuple[str, ...],
    closures: tuple[str, ...],
    out_dir: str | None,
    time_limit: float | None,
    seed: int | None,
    backend: str | None,
    policy: str,
) -> None:
    """Re-plan SCENARIO's day from --plan after breakdowns and road closures.

    Give every event of the day on the morning plan: they are re-planned in time order.
    """
    import json

    from gongpei.report.atomic import atomic_write_text
    from gongpei.scenario.loading import load_scenario
    from gongpei.studies.replan import (
        ReplanError,
        county_and_problem,
        parse_breakdown,
        parse_closure,
        replan_day,
    )
    from routing.disruption import RoadClosure, VanBreakdown, fleet_names
    from routing.plan_io import plan_from_dict, plan_to_dict

    if not breakdowns and not closures:
        raise ReplanError("nothing to re-plan: give --breakdown VEHICLE@HH:MM or --closure ...")
    sc = load_scenario(scenario)
    if seed is not None:
        sc = sc.with_overrides({"scenario.seed": seed})
    path = Path(plan_path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReplanError(f"--plan {plan_path}: cannot read ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise ReplanError(f"--plan {plan_path}: not JSON ({exc.msg}, line {exc.lineno})") from exc
    plan = plan_from_dict(doc)
    from gongpei.cli.interrupt import interruptible, run_in_worker
    from routing.callbacks import stopping

    def work(stop: Any) -> Any:
        # The day is rebuilt under Ctrl-C too, but whole: its line-to-van passes solve
        # rounds, and a stopped pass would rebuild another day than the plan's.
        with stopping(None):
            county, problem = county_and_problem(sc)
        fleet = fleet_names(problem)
        events: list[VanBreakdown | RoadClosure] = [parse_breakdown(b, fleet) for b in breakdowns]
        events += [parse_closure(c, county.graph) for c in closures]
        return replan_day(
            sc,
            plan,
            events,
            time_limit_s=time_limit,
            backend=backend,
            policy=policy,
            problem=(county, problem),
            stop=stop,
        )

    with interruptible() as ctrl_c:  # the outputs are written under it too
        day = run_in_worker(lambda: work(ctrl_c.stop))
        out = Path(out_dir) if out_dir else path.parent / "replan"
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "replan.json", json.dumps(day.report, indent=2, ensure_ascii=False))
        atomic_write_text(
            out / "plan.json",
            json.dumps(plan_to_dict(day.replan.plan), indent=1, ensure_ascii=False),
        )
        atomic_write_text(out / "affected.csv", _csv(day.rows()))
        click.echo(day.headline())
        for u in day.report["unserved_after_events"]:
            click.echo(f"  unserved {u['code']}: {u['reason']}")
        click.echo(f"outputs in {out}/")


COLUMNS = (
    "code",
    "name",
    "township",
    "change",
    "old_vehicle",
    "old_arrival",
    "new_vehicle",
    "new_arrival",
    "reason",
    "detail",
)


def _csv(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: r.get(k, "") for k in COLUMNS})
    return buf.getvalue()
