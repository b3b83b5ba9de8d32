"""``gongpei frontier``: what each extra van (or a later promise) buys in punctuality.

Ctrl-C once: no new point starts, the points done are written and the console says the
frontier is partial; twice: aborts at once (exit 130).

Registered on the main group by :mod:`gongpei.cli.commands`. Writes ``frontier.csv``
(:data:`gongpei.studies.frontier.FRONTIER_COLUMNS`) and ``frontier.png`` into ``--out``;
the scenario's own point is the row with ``own = true``, ringed on the plot.
"""

from __future__ import annotations

from pathlib import Path

import click

from gongpei.errors import reports_input_errors

__all__ = ["frontier"]


@click.command("frontier")
@click.argument("scenario", required=False)
@click.option("--vans", default=None, metavar="A..B", help="fleet sizes, e.g. 5..30 or 10,20,30")
@click.option(
    "--promise",
    "promises",
    default=None,
    metavar="H:MM,...",
    help="promised times at the scenario's fleet, e.g. 12:00,13:00,14:00",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="frontier",
    show_default=True,
    help="output folder",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="solve budget per point, s (default: the scenario's)",
)
@reports_input_errors
def frontier(
    scenario: str | None,
    vans: str | None,
    promises: str | None,
    out_dir: str,
    time_limit: float | None,
) -> None:
    """The cost–service frontier of SCENARIO's day (default: Suichang)."""
    import csv
    import io

    from gongpei.report.atomic import atomic_write_bytes, atomic_write_text
    from gongpei.scenario.clock import parse_clock
    from gongpei.scenario.loading import load_scenario
    from gongpei.studies import frontier as fr

    if (vans is None) == (promises is None):
        raise click.UsageError("give either --vans A..B or --promise H:MM,...")
    sc = load_scenario(scenario)
    if time_limit is not None:
        sc = sc.with_overrides({"routing.time_limit_s": time_limit})
    from gongpei.cli.interrupt import POINTS_MESSAGE, run_interruptible

    if vans is not None:
        fleet = fr.parse_vans(vans)
        planned = len(fleet)
        rows, interrupted = run_interruptible(
            lambda stop: fr.frontier(sc, vans=fleet, stop=stop), first_message=POINTS_MESSAGE
        )
    else:
        try:
            times = [int(parse_clock(p.strip())) for p in str(promises).split(",") if p.strip()]
        except ValueError as exc:
            raise click.BadParameter(f"{promises!r}: {exc}", param_hint="--promise") from None
        planned = len(times)
        rows, interrupted = run_interruptible(
            lambda stop: fr.frontier(sc, promises=times, stop=stop), first_message=POINTS_MESSAGE
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(fr.FRONTIER_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(out / "frontier.csv", buf.getvalue())

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    fr.plot_frontier(rows, ax, by="vans" if vans is not None else "promised_by")
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(out / "frontier.png", png.getvalue())
    for row in rows:
        click.echo(
            f"{row['vans']:>3} vans, promised by {row['promised_by']}: ¥{row['cost']:,.0f}, "
            f"{row['km']:,.0f} km, {row['on_time_villages']} villages on time, "
            f"{row['late_parcel_h']:.1f} late parcel-hours, {row['unserved']} unserved"
            + ("  ← this scenario" if row["own"] else "")
        )
    if interrupted:
        click.echo(f"partial (Ctrl-C): {len(rows)} of {planned} points done")
    click.echo(f"wrote {out / 'frontier.csv'} and {out / 'frontier.png'}")
