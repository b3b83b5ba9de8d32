"""Commands for any county: ``gongpei new-scenario`` and ``gongpei province``.

Two :class:`click.Command` objects, registered on the main group by :mod:`gongpei.cli`
(``main.add_command``). Heavy imports (dask, matplotlib, the pipeline) stay inside the
functions, so ``gongpei --help`` stays fast. Bad input → one line on stderr, exit status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gongpei.cli.options import budget_overrides, deterministic_option, time_limit_option

__all__ = ["new_scenario", "province"]

EXIT_BAD_INPUT = 2


def _fail(message: str) -> None:
    click.echo(f"gongpei: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@click.command("new-scenario")
@click.option(
    "--county",
    "county",
    default=None,
    metavar="CODE_OR_NAME",
    help="6-digit code, name (开化县 / 开化) or pinyin (kaihua)",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="write the scenario here (default: print it)",
)
@click.option(
    "--hub",
    default=None,
    metavar="VILLAGE_CODE",
    help="12-digit code of the hub's village (default: by the stated rule)",
)
@click.option("--list", "list_only", is_flag=True, help="list the 26 counties and exit")
def new_scenario(
    county: str | None, out_file: str | None, hub: str | None, list_only: bool
) -> None:
    """Write a complete, commented scenario for one of Zhejiang's 26 mountain counties."""
    from gongpei.county.catalogue import UnknownCountyError, list_counties
    from gongpei.county.template import new_scenario_text

    if list_only:
        for c in list_counties():
            click.echo(
                f"{c.code}  {c.name_en:<10} {c.name}  ({c.prefecture}; {c.num_towns} "
                f"townships, {c.num_villages_cun} 村)"
            )
        return
    if not county:
        _fail("new-scenario: --county CODE_OR_NAME is required (--list shows the 26)")
        return
    try:
        text = new_scenario_text(county, hub=hub)
    except UnknownCountyError as exc:
        _fail(str(exc))
        return
    if out_file is None:
        click.echo(text, nl=False)
        return
    try:
        Path(out_file).write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"--out {out_file}: cannot write: {exc.strerror}")
    click.echo(f"wrote {out_file}", err=True)


@click.command("province")
@click.option(
    "--counties", default=None, metavar="LIST", help="comma-separated codes/names (default: all 26)"
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="a running Dask scheduler (default: a local cluster)",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="local Dask workers (ignored with --scheduler); 1 runs serially, no Dask",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="gongpei-province",
    show_default=True,
)
@click.option(
    "--metric",
    default="saving_pct",
    show_default=True,
    help="the table column that colours the map",
)
@time_limit_option
@click.option("--seed", type=click.IntRange(min=0), default=None, help="run seed for every county")
@deterministic_option
@click.option(
    "--week",
    "week",
    is_flag=True,
    help="plan a week per county with auto service patterns (gongpei week) instead of a day",
)
@click.option("--quiet", is_flag=True, help="no progress bar")
def province(
    counties: str | None,
    scheduler: str | None,
    workers: int,
    out_dir: str,
    metric: str,
    time_limit: float | None,
    seed: int | None,
    deterministic: bool,
    week: bool,
    quiet: bool,
) -> None:
    """Run a day in every county (in parallel on Dask) → province table + map."""
    from gongpei.county.catalogue import UnknownCountyError, find_county
    from gongpei.studies.province import METRICS, run_province, write_province

    if metric not in METRICS:
        _fail(f"--metric {metric!r}: one of {', '.join(METRICS)}")
    codes: list[str] | None = None
    if counties is not None:  # given, even as '': an empty list is a fault, not "all 26"
        try:
            codes = [find_county(q).code for q in counties.split(",") if q.strip()]
        except UnknownCountyError as exc:
            _fail(str(exc).replace("--county", "--counties"))
            return
        if not codes:
            _fail(f"--counties {counties!r}: names no county (leave it out for all 26)")
            return
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            _fail(f"--counties {counties!r}: {', '.join(twice)} given twice")
            return
    overrides: dict[str, object] = {"output.plots": False, "output.html": False}
    overrides.update(budget_overrides(time_limit, deterministic))
    if seed is not None:
        overrides["scenario.seed"] = seed
    from gongpei.cli.interrupt import STUDY_MESSAGE, interruptible, run_in_worker

    # the outputs are written under the Ctrl-C handler too (a second press: exit 130)
    with interruptible(STUDY_MESSAGE) as ctrl_c:
        if week:
            from gongpei.week.province import run_province_week, write_province_week

            weeks = run_in_worker(
                lambda: run_province_week(
                    codes,
                    overrides=overrides,
                    scheduler=scheduler,
                    workers=workers,
                    progress=not quiet,
                    stop=ctrl_c.stop,
                )
            )
            click.echo(weeks.text())
            written = write_province_week(weeks, Path(out_dir))
            click.echo("wrote " + ", ".join(str(f) for f in written))
            return
        table = run_in_worker(
            lambda: run_province(
                codes,
                overrides=overrides,
                scheduler=scheduler,
                workers=workers,
                progress=not quiet,
                stop=ctrl_c.stop,
            )
        )
        files = write_province(table, Path(out_dir), metric=metric)
        click.echo(table.text())
        click.echo("wrote " + ", ".join(str(f) for f in files))
