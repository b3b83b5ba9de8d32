"""``gongpei week``: plan a week of rounds with service patterns and parcels that wait.

Registered on the main group by :mod:`gongpei.cli.commands`. Heavy imports (the pipeline, the
solvers, matplotlib) happen inside the command. Writes ``week.json``, ``week.html`` and the
plots into ``--out`` (default: ``<output.dir>/week``). Ctrl-C once: every search from then
on stops with its best plan so far, the week finishes quickly and is written marked
``interrupted``; twice: aborts at once (exit 130).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gongpei.errors import reports_input_errors

__all__ = ["week"]


@click.command("week")
@click.argument("scenario", required=False)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="output folder (default: <output.dir>/week)",
)
@click.option(
    "--service",
    type=click.Choice(["daily", "auto"]),
    default=None,
    help="service rule of villages without their own (default: the scenario's week.service)",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="routing budget per day solve in seconds (default: the scenario's)",
)
@click.option(
    "--standing/--no-standing",
    default=None,
    help="also plan standing rounds (default: the scenario's week.standing_rounds)",
)
@click.option("--quiet", is_flag=True, help="no progress lines")
@reports_input_errors
def week(
    scenario: str | None,
    out_dir: str | None,
    service: str | None,
    time_limit: float | None,
    standing: bool | None,
    quiet: bool,
) -> None:
    """Plan SCENARIO's week (default: the embedded Suichang scenario): the line each day,
    each village's service pattern, every day's rounds, and the comparison with daily
    service."""
    from gongpei.scenario.loading import load_scenario
    from gongpei.week.report import write_week
    from gongpei.week.results import run_week

    sc = load_scenario(scenario)
    overrides: dict[str, Any] = {}
    if service is not None:
        overrides["week.service"] = service
    if time_limit is not None:
        overrides["routing.time_limit_s"] = time_limit
    if standing is not None:
        overrides["week.standing_rounds"] = standing
    if overrides:
        sc = sc.with_overrides(overrides)
    out = Path(out_dir) if out_dir else Path(sc.model.output.dir) / "week"

    def log(line: str) -> None:
        click.echo(line, err=True)

    import dataclasses

    from gongpei.cli.interrupt import run_interruptible

    result, interrupted = run_interruptible(lambda stop: run_week(sc, log=None if quiet else log))
    if interrupted:
        result = dataclasses.replace(result, interrupted=True)
    write_week(result, out, plots=sc.model.output.plots)
    click.echo(result.headline())
    click.echo(f"outputs in {out}/")
