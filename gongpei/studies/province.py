"""A province run: one county day per county, in parallel on Dask, into one table and map.

Each county's scenario is the one ``gongpei new-scenario`` writes (plus overrides such as a
short routing budget); each task runs :func:`gongpei.day.pipeline.run_day` and returns one
:class:`CountyRow`. Tasks are independent and seeded by their scenario, so the table is the
same serially or on any number of workers (with ``routing.deterministic = true``; the wall
time column aside).

Parallelism: ``workers=1`` runs serially in this process (no Dask); otherwise a Dask
``LocalCluster`` of ``workers`` single-threaded *processes* (the pipeline holds the GIL in
Python code), or ``Client(scheduler)`` for a running scheduler. Local workers are started
non-daemonic, because a day may itself use child processes (the ``auto`` routing portfolio,
the baselines' process pool); a remote cluster needs ``distributed.worker.daemon: false``
in its workers' Dask config for the same reason. A county that fails gives a row with its
error, never a failed province.
"""

from __future__ import annotations

import csv
import io
import json
import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gongpei.scenario.loading import Scenario

__all__ = [
    "METRICS",
    "CountyRow",
    "ProvinceTable",
    "plot_province",
    "province_scenario",
    "run_county",
    "run_province",
    "run_scenarios",
    "write_province",
]

#: Table columns that can colour the province map.
METRICS = (
    "parcels",
    "villages",
    "rounds",
    "vans",
    "km",
    "cost",
    "unserved",
    "saving_pct",
    "cost_saving_pct",
    "km_per_village",
    "wall_s",
)


@dataclass(frozen=True, slots=True)
class CountyRow:
    """One county's day. ``saving_pct``: co-delivery's saving in km against every brand
    driving alone (``None`` without that baseline, and ``None`` when that baseline does not
    serve the same villages and parcels: ``saving_note`` then says so, with both sides'
    service); ``wall_s`` is the only column that depends on the machine."""

    code: str
    name: str
    scenario: str
    parcels: int  # inbound parcels of the day (all units, all brands)
    villages: int  # villages on the rounds with parcels today
    rounds: int
    vans: int
    km: float
    cost: float
    unserved: int
    saving_pct: float | None
    cost_saving_pct: float | None
    wall_s: float
    error: str = ""
    saving_note: str = ""

    @property
    def km_per_village(self) -> float | None:
        return round(self.km / self.villages, 3) if self.villages else None

    def value(self, metric: str) -> float | None:
        v = getattr(self, metric)
        return None if v is None or self.error else float(v)


_COLUMNS = [f.name for f in fields(CountyRow)]


@dataclass(frozen=True)
class ProvinceTable:
    """The rows by county code, how they were run and the total wall time."""

    rows: tuple[CountyRow, ...]
    mode: str  # "serial", "local:2", or the scheduler address
    wall_s: float
    not_run: tuple[str, ...] = ()  # county codes a stop request (Ctrl-C) left out: partial

    def totals(self) -> dict[str, Any]:
        ok = [r for r in self.rows if not r.error]
        return {
            "counties": len(self.rows),
            "failed": len(self.rows) - len(ok),
            "parcels": sum(r.parcels for r in ok),
            "villages": sum(r.villages for r in ok),
            "rounds": sum(r.rounds for r in ok),
            "vans": sum(r.vans for r in ok),
            "km": round(sum(r.km for r in ok), 3),
            "cost": round(sum(r.cost for r in ok), 2),
            "unserved": sum(r.unserved for r in ok),
            "county_wall_s": round(sum(r.wall_s for r in self.rows), 3),
            "wall_s": round(self.wall_s, 3),
        }

    def comparable(self) -> list[dict[str, Any]]:
        """The rows without ``wall_s``: equal for equal seeds, however the run was spread."""
        return [{k: v for k, v in asdict(r).items() if k != "wall_s"} for r in self.rows]

    def csv_text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([*_COLUMNS, "km_per_village"])
        for r in self.rows:
            d = asdict(r)
            w.writerow([_cell(d[c]) for c in _COLUMNS] + [_cell(r.km_per_village)])
        return buf.getvalue()

    def text(self) -> str:
        """An aligned table with a totals line."""
        head = ["code", "county", "parcels", "villages", "rounds", "vans", "km", "saving %",
                "wall s"]  # fmt: skip
        body = []
        for r in self.rows:
            if r.error:
                body.append([r.code, r.scenario, "", "", "", "", "", "", f"{r.wall_s:.1f}",
                             f"FAILED: {r.error}"])  # fmt: skip
                continue
            body.append([
                r.code, r.scenario, str(r.parcels), str(r.villages), str(r.rounds),
                str(r.vans), f"{r.km:.0f}",
                _saving_cell(r), f"{r.wall_s:.1f}",
            ])  # fmt: skip
        t = self.totals()
        body.append(["total", f"{t['counties']} counties", str(t["parcels"]),
                     str(t["villages"]), str(t["rounds"]), str(t["vans"]), f"{t['km']:.0f}",
                     "", f"{t['wall_s']:.1f}"])  # fmt: skip
        widths = [max(len(x[k]) for x in [head, *body]) for k in range(len(head))]
        lines = []
        for row in [head, *body]:
            cells = [c.ljust(widths[k]) if k < 2 else c.rjust(widths[k])
                     for k, c in enumerate(row[: len(head)])]  # fmt: skip
            lines.append("  ".join(cells + row[len(head) :]).rstrip())
        lines += [f"{r.code} {r.scenario}: {r.saving_note}" for r in self.rows if r.saving_note]
        if self.not_run:
            lines.append(
                f"partial (Ctrl-C): {len(self.not_run)} of {len(self.rows) + len(self.not_run)} "
                f"counties not run: {', '.join(self.not_run)}"
            )
        lines.append(f"({self.mode}; wall time {self.wall_s:.1f} s)")
        return "\n".join(lines)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


# --------------------------------------------------------------------------- running


def province_scenario(code: str, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """The generated scenario of county ``code`` with ``overrides`` (field paths).

    A province run gives each county day one core (``routing.processes = 1``, unless the
    overrides say otherwise), serially or on Dask alike, so the workers are not
    oversubscribed and the serial and parallel tables agree.
    """
    from gongpei.county.catalogue import find_county
    from gongpei.county.template import new_scenario_text
    from gongpei.scenario.loading import load_scenario_text

    info = find_county(code)
    sc = load_scenario_text(
        new_scenario_text(info.code), f"gongpei:zhejiang26/{info.code}", Path.cwd()
    )
    return sc.with_overrides({"routing.processes": 1, **(overrides or {})})


def run_county(scenario: Scenario) -> CountyRow:
    """One county day → its row (an error becomes the row's ``error``, never an exception).

    A top-level function of picklable arguments, so Dask ships it to any worker.
    """
    from gongpei.day.pipeline import run_day
    from gongpei.studies.metrics import unequal_service_note

    m = scenario.model
    t0 = time.perf_counter()
    try:
        day = run_day(scenario, progress=False)
        s = day.summary()
    except Exception as exc:  # a county must not sink the province: report it in its row
        return CountyRow(m.county.code, m.county.name, scenario.name, 0, 0, 0, 0, 0.0, 0.0, 0,
                         None, None, round(time.perf_counter() - t0, 3),
                         f"{type(exc).__name__}: {exc}".splitlines()[0][:200])  # fmt: skip
    r = s["routing"]
    saving = s.get("codelivery_saving") or {}
    note = unequal_service_note(saving)
    if note:  # a saving on unequal service is no saving (issue 13)
        saving = {}
    return CountyRow(
        code=m.county.code,
        name=m.county.name,
        scenario=scenario.name,
        parcels=int(s["parcels"]["total"]),
        villages=len(day.problem.villages),
        rounds=int(r["routes"]),
        vans=int(r["vans_used"]),
        km=round(float(r["distance_km"]), 3),
        cost=round(float(r["cost"]), 2),
        unserved=len(r["villages_unserved"]),
        saving_pct=saving.get("distance_pct"),
        cost_saving_pct=saving.get("cost_pct"),
        wall_s=round(time.perf_counter() - t0, 3),
        saving_note=note,
    )


def _saving_cell(r: CountyRow) -> str:
    if r.saving_note:
        return "unequal service"
    return "" if r.saving_pct is None else f"{r.saving_pct:.1f}"


def run_province(
    codes: Sequence[str] | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    progress: bool = False,
    stop: threading.Event | None = None,
) -> ProvinceTable:
    """Run the generated scenario of each county in ``codes`` (default: all 26); ``stop``:
    as in :func:`run_scenarios`."""
    from gongpei.county.catalogue import list_counties

    if codes is None:
        codes = [c.code for c in list_counties()]
    scenarios = [province_scenario(c, overrides) for c in codes]
    return run_scenarios(
        scenarios, scheduler=scheduler, workers=workers, progress=progress, stop=stop
    )


def run_scenarios(
    scenarios: Sequence[Scenario],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    progress: bool = False,
    stop: threading.Event | None = None,
) -> ProvinceTable:
    """Run each scenario's day (serially when ``workers == 1`` and no ``scheduler``), rows
    in the order given. Larger counties are submitted first so the workers finish together.
    ``stop`` (a first Ctrl-C): no county starts after it; those not finished are listed in
    ``not_run`` (a partial table)."""
    from gongpei.studies.runner import run_tasks

    t0 = time.perf_counter()
    order = sorted(range(len(scenarios)), key=lambda k: -_size(scenarios[k]))
    serial = scheduler is None and workers == 1
    bar = _bar(progress, len(scenarios))
    try:
        rows = run_tasks(
            run_county,
            [(sc,) for sc in scenarios],
            workers=None if serial else workers,
            scheduler=scheduler,
            submit_order=order,
            tick=None if bar is None else lambda: bar.update(1),
            stop=stop,
        )
    finally:
        if bar is not None:
            bar.close()
    mode = "serial" if serial else scheduler or f"local:{workers}"
    done = tuple(r for r in rows if r is not None)
    missing = tuple(
        sc.model.county.code for sc, r in zip(scenarios, rows, strict=True) if r is None
    )
    return ProvinceTable(done, mode, time.perf_counter() - t0, missing)


def _size(scenario: Scenario) -> int:
    return scenario.model.demand.village_parcels


def _bar(progress: bool, total: int) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="counties", unit="county")


# --------------------------------------------------------------------------- outputs


def plot_province(table: ProvinceTable, metric: str = "saving_pct", ax: Any = None) -> None:
    """County outlines coloured by ``metric`` (a :data:`METRICS` column), labelled by
    scenario name; counties without a value are grey. Draws on ``ax``, returns nothing."""
    import matplotlib.pyplot as plt
    from matplotlib import colormaps, patheffects
    from matplotlib.colors import Normalize
    from matplotlib.patches import Polygon as MplPolygon

    from gongpei.county.catalogue import county_files
    from gongpei.county.geography import load_outline
    from gongpei.scenario.paths import resolve_data_path

    if metric not in METRICS:
        raise ValueError(f"metric = {metric!r}: one of {', '.join(METRICS)}")
    if ax is None:
        ax = plt.gca()
    values = {r.code: r.value(metric) for r in table.rows}
    known = [v for v in values.values() if v is not None and math.isfinite(v)]
    norm = Normalize(min(known, default=0.0), max(known, default=1.0))
    cmap = colormaps["viridis"]
    lats = []
    for r in table.rows:
        outline = load_outline(resolve_data_path(county_files(r.code)["outline"], Path.cwd()))
        v = values[r.code]
        colour = "#cccccc" if v is None else cmap(norm(v))
        for poly in getattr(outline, "geoms", [outline]):
            ax.add_patch(MplPolygon(list(poly.exterior.coords), closed=True, facecolor=colour,
                                    edgecolor="black", linewidth=0.6))  # fmt: skip
        p = outline.representative_point()
        ax.annotate(
            r.scenario,
            (p.x, p.y),
            ha="center",
            va="center",
            fontsize=6,
            path_effects=[patheffects.withStroke(linewidth=1.5, foreground="white")],
        )
        lats.append(p.y)
    ax.autoscale_view()
    if lats:
        ax.set_aspect(1 / math.cos(math.radians(sum(lats) / len(lats))))
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    ax.figure.colorbar(sm, ax=ax, label=metric, shrink=0.7)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"Zhejiang mountain counties: {metric}")


def write_province(
    table: ProvinceTable, out_dir: Path, *, metric: str = "saving_pct"
) -> list[Path]:
    """``province.csv``, ``province.txt`` and ``province_<metric>.png`` in ``out_dir``, and
    ``partial.json`` when counties were left out by a stop request."""
    from matplotlib.figure import Figure  # no pyplot: no global backend or figure state

    out_dir.mkdir(parents=True, exist_ok=True)
    files = [out_dir / "province.csv", out_dir / "province.txt", out_dir / f"province_{metric}.png"]
    files[0].write_text(table.csv_text(), encoding="utf-8")
    files[1].write_text(table.text() + "\n", encoding="utf-8")
    fig = Figure(figsize=(8, 8))
    plot_province(table, metric, ax=fig.subplots())
    fig.savefig(files[2], dpi=120, bbox_inches="tight")
    partial = out_dir / "partial.json"
    if table.not_run:
        doc = {"partial": True, "reason": "Ctrl-C", "counties_done": [r.code for r in table.rows],
               "counties_not_run": list(table.not_run)}  # fmt: skip
        partial.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        files.append(partial)
    elif partial.exists():
        partial.unlink()
    return files
