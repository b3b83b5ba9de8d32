"""The ``gongpei`` command line.

Every command loads its scenario through :func:`gongpei.scenario.loading.load_scenario`; a bad input
prints one line per fault (file, field path, value) and exits with status 2, never with a
traceback. Progress bars go to stderr; results go to files and a short summary to stdout.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from gongpei.cli.options import budget_overrides, deterministic_option, time_limit_option
from gongpei.errors import EXIT_BAD_INPUT, reports_input_errors
from gongpei.scenario.loading import load_scenario
from gongpei.scenario.messages import ScenarioError

#: Exit status when writing the outputs failed part-way (a full disk): nothing looks finished.
EXIT_WRITE_FAILED = 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gongpei")
def main() -> None:
    """gongpei (共配): plan a county's shared parcel sorting line and co-delivery rounds."""


@main.command()
@click.argument("scenario", required=False)
@reports_input_errors
def validate(scenario: str | None) -> None:
    """Check SCENARIO (default: the embedded Suichang day) and report every fault.

    Runs everything ``gongpei run`` checks before it simulates (the county, its roads, the
    line, the faults, the vans and depots), so what ``run`` rejects, ``validate`` rejects.
    """
    from gongpei.day.inputs import prepare_day

    sc = load_scenario(scenario)
    prepare_day(sc)
    click.echo(f"{sc.source}: ok ({sc.model.scenario.title or sc.name})")


@main.command()
def schema() -> None:
    """Print the scenario JSON Schema (for editor validation while typing)."""
    from gongpei.scenario.schema import ScenarioModel

    doc = ScenarioModel.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "gongpei scenario"
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))


@main.command()
@click.argument("scenario", required=False)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(),
    default=None,
    help="output folder (default: the scenario's output.dir); one run at a time per folder",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="fix all randomness (default: the scenario's seed)",
)
@time_limit_option
@deterministic_option
@click.option("--backend", type=click.Choice(["ortools", "pyvrp", "auto"]), default=None)
@click.option("--quiet", is_flag=True, help="no progress bars")
@click.option(
    "--frontier",
    "frontier_csv",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="a frontier.csv from `gongpei frontier`: the report marks this plan on it",
)
@reports_input_errors
def run(
    scenario: str | None,
    out_dir: str | None,
    seed: int | None,
    time_limit: float | None,
    deterministic: bool,
    backend: str | None,
    quiet: bool,
    frontier_csv: str | None,
) -> None:
    """Run a county day: sort → ready times → rounds → check → report.

    The output folder is claimed before anything is computed: it must be writable and not
    in use by another run (else one line, exit 2). Ctrl-C once stops the search and keeps
    the best plan so far; twice aborts at once (exit 130). A write that fails part-way (a
    full disk) is one line, exit 3, and leaves no summary.json.
    """
    from gongpei.cli.interrupt import CtrlC, run_in_worker
    from gongpei.day.pipeline import run_day
    from gongpei.report.files import write_outputs
    from gongpei.report.outdir import OutputFolderError, OutputWriteError, claim_output

    sc = load_scenario(scenario)
    frontier_rows = None
    if frontier_csv is not None:
        from gongpei.studies.frontier import read_frontier_csv

        frontier_rows = read_frontier_csv(frontier_csv)  # before the run: a bad file fails fast
    overrides: dict[str, Any] = budget_overrides(time_limit, deterministic)
    if seed is not None:
        overrides["scenario.seed"] = seed
    if backend is not None:
        overrides["routing.backend"] = backend
    if overrides:
        sc = sc.with_overrides(overrides)
    out = Path(out_dir) if out_dir else Path(sc.model.output.dir)
    try:
        with claim_output(out), CtrlC() as ctrl_c:
            result = run_in_worker(lambda: run_day(sc, progress=not quiet, stop=ctrl_c.stop))
            t0 = time.perf_counter()
            write_outputs(result, out, frontier=frontier_rows)
            result.timings["report_s"] = time.perf_counter() - t0
    except OutputFolderError as exc:
        click.echo(f"gongpei: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except OutputWriteError as exc:
        click.echo(f"gongpei: {exc}", err=True)
        sys.exit(EXIT_WRITE_FAILED)
    click.echo(result.headline())
    click.echo(f"outputs in {out}/")


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@time_limit_option
@deterministic_option
@click.option("--quiet", is_flag=True, help="no progress bars")
@reports_input_errors
def compare(
    inputs: tuple[str, ...], time_limit: float | None, deterministic: bool, quiet: bool
) -> None:
    """Headline numbers of several days side by side.

    Each INPUT is a scenario file (run now, nothing written) or the output folder of an
    earlier `gongpei run` (its summary.json is read). Ctrl-C once: the day being run keeps
    its best plan so far, the inputs not yet run are left out and the table says so; twice:
    aborts at once (exit 130).
    """
    import threading

    from gongpei.cli.interrupt import run_interruptible
    from gongpei.day.pipeline import run_day
    from gongpei.report.compare import compare_summaries, load_summary

    scenarios: list[Any] = []  # a summary (folder) or a scenario to run, in input order
    for item in inputs:  # every input is read and checked before anything is computed
        path = Path(item)
        if path.is_dir():
            try:
                scenarios.append((path.name or str(path), load_summary(path)))
            except (OSError, ValueError) as exc:
                raise ScenarioError([str(exc)]) from None
            continue
        sc = load_scenario(item)
        if time_limit is not None or deterministic:
            sc = sc.with_overrides(budget_overrides(time_limit, deterministic))
        scenarios.append((sc.name, sc))

    def work(stop: threading.Event) -> tuple[list[dict[str, Any]], list[str], list[str]]:
        summaries, names, skipped = [], [], []
        for name, item in scenarios:
            if isinstance(item, dict):
                summaries.append(item)
                names.append(name)
            elif stop.is_set():
                skipped.append(name)
            else:
                summaries.append(run_day(item, progress=not quiet, stop=stop).summary())
                names.append(name)
        return summaries, names, skipped

    (summaries, names, skipped), interrupted = run_interruptible(work)
    click.echo(compare_summaries(summaries, names))
    if interrupted:
        click.echo(
            "interrupted (Ctrl-C): the day being run has the best plan found so far"
            + (f"; not run: {', '.join(skipped)}" if skipped else "")
        )


def _register_commands() -> None:
    """Commands that live in their own modules (each keeps its heavy imports inside)."""
    from gongpei.cli.county import new_scenario, province
    from gongpei.cli.frontier import frontier
    from gongpei.cli.replan import replan
    from gongpei.cli.sweep import sweep
    from gongpei.cli.week import week

    for command in (sweep, replan, new_scenario, province, frontier, week):
        main.add_command(command)


_register_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
