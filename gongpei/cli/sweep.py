"""``gongpei sweep``: replications of a scenario over a grid of field values.

Registered on the main group by :mod:`gongpei.cli` (``main.add_command(sweep)``). Heavy
imports (numpy, dask, matplotlib) happen inside the command, so ``gongpei --help`` stays fast.

Writes into ``--out``: ``runs.csv``/``runs.json`` (one row per run), ``summary.csv``/
``summary.json`` (one row per grid point: mean, sd and confidence interval of each metric)
and ``sweep.png`` (the plotted metric against the first grid field, one line per value of the
second). A bad grid or value prints one line per fault and exits with status 2.

Ctrl-C once: no new run starts, the runs done are written and the sweep is marked partial
(``partial.json``, and a line on the console); twice: aborts at once, exit 130, no worker
process left (:mod:`gongpei.cli.interrupt`).
"""

from __future__ import annotations

from pathlib import Path

import click

from gongpei.errors import reports_input_errors

__all__ = ["sweep"]


@click.command("sweep")
@click.argument("scenario", required=False)
@click.option(
    "--grid",
    "grids",
    multiple=True,
    metavar="FIELD=[v,...]",
    help="field path and a JSON list of values, e.g. sorter.chute_capacity=[30,45,60] or "
    'sorter.assignment=["by_round","random"]; repeat for more fields (all combinations run)',
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="FIELD=VALUE",
    help="a fixed override for every run, the value in JSON, e.g. demand.village_parcels=2000 "
    'or events=[{"kind":"festival","volume_multiplier":2.5}]; repeatable',
)
@click.option(
    "--replications",
    "-r",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="runs per grid point, seeds spawned from the root seed",
)
@click.option(
    "--seed",
    "root_seed",
    type=click.IntRange(min=0),
    default=None,
    help="root seed of the replications (default: the scenario's seed)",
)
@click.option(
    "--what",
    type=click.Choice(["sort", "day"]),
    default="sort",
    show_default=True,
    help="sort: the sorting line only (fast); day: sorting, rounds and baselines",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="run on a local Dask cluster of N worker processes (default: serial)",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="run on the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786)",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="gongpei-sweep",
    show_default=True,
    help="output folder",
)
@click.option(
    "--plot",
    "plot_y",
    default=None,
    metavar="METRIC",
    help="metric to plot (default: throughput_per_h, or saving_cost_pct for --what day)",
)
@click.option("--quiet", is_flag=True, help="no progress bar")
@reports_input_errors
def sweep(
    scenario: str | None,
    grids: tuple[str, ...],
    sets: tuple[str, ...],
    replications: int,
    root_seed: int | None,
    what: str,
    workers: int | None,
    scheduler: str | None,
    out_dir: str,
    plot_y: str | None,
    quiet: bool,
) -> None:
    """Replicate SCENARIO (default: the embedded Suichang day) over a grid of field values."""
    from gongpei.cli.interrupt import STUDY_MESSAGE, interruptible, run_in_worker
    from gongpei.report.atomic import atomic_write_text
    from gongpei.scenario.loading import load_scenario
    from gongpei.scenario.messages import ScenarioError
    from gongpei.studies.metrics import DAY_METRICS, SORT_METRICS
    from gongpei.studies.statistics import aggregate
    from gongpei.studies.sweep import grid_points, parse_grid, parse_overrides, write_rows
    from gongpei.studies.sweep import sweep as run_sweep
    from gongpei.studies.sweep_plot import plot_sweep

    if workers is not None and scheduler is not None:
        raise click.UsageError("give --workers or --scheduler, not both")
    grid = parse_grid(grids)
    fixed = parse_overrides(sets)
    metrics = SORT_METRICS + (DAY_METRICS if what == "day" else ())
    y = plot_y or ("throughput_per_h" if what == "sort" else "saving_cost_pct")
    if y not in metrics:
        raise ScenarioError([f"--plot {y}: unknown metric; one of {', '.join(metrics)}"])
    sc = load_scenario(scenario)
    if fixed:
        sc = sc.with_overrides(fixed)
    with interruptible(STUDY_MESSAGE) as ctrl_c:  # the outputs are written under it too
        rows = run_in_worker(
            lambda: run_sweep(
                sc,
                grid,
                replications=replications,
                root_seed=root_seed,
                what=what,  # type: ignore[arg-type]
                workers=workers,
                scheduler=scheduler,
                progress=not quiet,
                stop=ctrl_c.stop,
            )
        )
        interrupted = ctrl_c.stop.is_set()
        planned = len(grid_points(grid)) * replications
        summary = aggregate(rows)
        out = Path(out_dir)
        for name, data in (("runs", rows), ("summary", summary)):
            write_rows(data, out / f"{name}.csv")
            write_rows(data, out / f"{name}.json")
        partial = out / "partial.json"
        if interrupted:
            import json

            doc = {
                "partial": True,
                "reason": "Ctrl-C",
                "runs_done": len(rows),
                "runs_planned": planned,
            }
            atomic_write_text(partial, json.dumps(doc, indent=2) + "\n")
        elif partial.exists():
            partial.unlink()  # a complete sweep over an earlier partial one

        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        keys = list(grid)
        fig, ax = plt.subplots(figsize=(7, 4.5))
        if not rows:
            ax.set_title("no run finished (Ctrl-C)", fontsize="small")
        elif keys:
            plot_sweep(rows, x=keys[0], y=y, hue=keys[1] if len(keys) > 1 else None, ax=ax)
        else:
            plot_sweep(rows, x="scenario", y=y, ax=ax)
        if len(keys) > 2:
            ax.set_title(f"averaged over {', '.join(keys[2:])}", fontsize="small")
        fig.tight_layout()
        fig.savefig(out / "sweep.png", dpi=120)
        plt.close(fig)

        click.echo(_table(summary, keys, y))
        for a in summary:  # a saving on unequal service is no saving (issue 13)
            if a.get("saving_note"):
                point = ", ".join(f"{k}={a[k]}" for k in keys) or str(a.get("scenario", ""))
                click.echo(f"  {point}: {a['saving_note']}")
        if interrupted:
            click.echo(
                f"partial (Ctrl-C): {len(rows)} of {planned} runs done; outputs in {out}/ "
                "(partial.json)"
            )
            return
        click.echo(f"{len(rows)} runs ({len(summary)} points × {replications}); outputs in {out}/")


def _table(summary: list[dict[str, object]], keys: list[str], y: str) -> str:
    """The plotted metric per grid point: mean and its interval, aligned."""
    head = [*(keys or ["scenario"]), "n", y, "95% CI"]
    body = []
    for a in summary:
        ci = a[f"{y}_ci"]
        lo, hi = ci if isinstance(ci, list) else (float("nan"), float("nan"))
        body.append(
            [
                *(str(a[k]) for k in (keys or ["scenario"])),
                str(a["n"]),
                f"{a[y]:.4g}",
                f"[{lo:.4g}, {hi:.4g}]",
            ]
        )
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [head, *body]
    )
