"""Layout studies: replications, sweeps over scenario fields, confidence intervals, a plot.

One simulated day is one draw; a planner comparing layouts needs several draws per layout and
an interval around each mean. The ideas follow mesa's ``batchrunner``:

* **Seeds.** One root seed (default: the scenario's) is split with
  ``numpy.random.SeedSequence(root).spawn(R)``; replication ``r`` runs with the integer seed
  ``children[r].generate_state(1)[0]``. The same ``R`` seeds are used at *every* grid point
  (common random numbers): two layouts are compared on the same trucks and the same parcels,
  so their difference is not drowned in day-to-day noise.
* **Tidy rows.** A run gives one plain ``dict``: the scenario name, the grid point's values
  keyed by field path (``sorter.chute_capacity``), ``replication``, ``seed`` and the metrics.
  Rows pickle, go straight into ``pandas.DataFrame(rows)``, CSV or JSON, and contain no
  timings, so equal seeds give equal rows wherever they ran.
* **Serial by default.** Notebooks never hang on a pool. Parallel runs are opt-in and use
  Dask distributed (a ``LocalCluster`` of worker *processes*, or a scheduler address for a
  real cluster); runs are independent and seeded, so the rows do not depend on where or in
  which order they ran.

Confidence intervals use Student's t. Its quantile is computed here exactly (closed-form CDF
for integer degrees of freedom, A&S 26.7.3–4, inverted by bisection), so results do not
depend on whether scipy is installed.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from gongpei.scenario.loading import Scenario, ScenarioError

if TYPE_CHECKING:
    from gongpei.day.results import DayResult
    from sorter import SortResult

__all__ = [
    "DAY_METRICS",
    "SORT_METRICS",
    "aggregate",
    "day_metrics",
    "grid_points",
    "jsonable",
    "mean_ci",
    "parse_grid",
    "parse_overrides",
    "plot_sweep",
    "replicate",
    "replication_seeds",
    "run_one",
    "sort_metrics",
    "sweep",
    "t_quantile",
    "write_rows",
]

What = Literal["sort", "day"]

#: Metrics of a sorting day (``what="sort"``), in display order. Times in seconds after
#: midnight (``*_ready_s``) or seconds (``makespan_s``, waits); counts in parcels.
SORT_METRICS: tuple[str, ...] = (
    "throughput_per_h",
    "peak_throughput_per_h",
    "recirculation_rate",
    "last_chute_ready_s",
    "same_day_ready_s",
    "makespan_s",
    "mean_induction_wait_s",
    "parcels",
    "bagged",
    "no_read",
    "exception",
    "overflow",
    "in_system",
    "bags",
)

#: Extra metrics of a whole day (``what="day"``): the rounds and the co-delivery saving
#: against every brand driving alone (absent when the scenario has no such baseline).
DAY_METRICS: tuple[str, ...] = (
    "routes",
    "vans_used",
    "distance_km",
    "cost",
    "co2_kg",
    "villages_served",
    "villages_unserved",
    "saving_distance_pct",
    "saving_cost_pct",
    "saving_van_hours_pct",
)


# ---- seeds and grids -------------------------------------------------------------------------
def replication_seeds(root: int, replications: int) -> list[int]:
    """``replications`` independent integer seeds spawned from ``root`` (SeedSequence)."""
    import numpy as np

    if replications < 1:
        raise ValueError(f"replications = {replications}: must be >= 1")
    children = np.random.SeedSequence(int(root)).spawn(int(replications))
    return [int(c.generate_state(1)[0]) for c in children]


def parse_grid(specs: Iterable[str]) -> dict[str, list[Any]]:
    """``["sorter.chute_capacity=[30,45,60]", ...]`` → ``{"sorter.chute_capacity": [30, 45, 60]}``.

    Values are a JSON list (strings quoted: ``sorter.assignment=["by_round","random"]``).
    Syntax faults raise :class:`ScenarioError`, one line each; whether a value suits its field
    is checked against the scenario by :func:`sweep` (via ``Scenario.with_overrides``).
    """
    grid: dict[str, list[Any]] = {}
    lines: list[str] = []
    for spec in specs:
        path, sep, text = spec.partition("=")
        path = path.strip()
        if not sep or not path:
            lines.append(f"--grid {spec!r}: expected FIELD.PATH=[value, ...]")
            continue
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = ' (quote strings: ["by_round","random"])' if _looks_unquoted(text) else ""
            lines.append(f"--grid {path}={text}: not a JSON list: {exc.msg}{hint}")
            continue
        if not isinstance(values, list) or not values:
            lines.append(f"--grid {path}={text}: must be a non-empty JSON list like [30, 45]")
        elif path in grid:
            lines.append(f"--grid {path}: given twice")
        else:
            grid[path] = values
    if lines:
        raise ScenarioError(lines)
    return grid


def parse_overrides(specs: Iterable[str]) -> dict[str, Any]:
    """``["demand.village_parcels=2000", 'sorter.assignment="random"']`` → fixed overrides.

    Each value is JSON (strings quoted, tables and lists allowed:
    ``events=[{"kind":"festival","volume_multiplier":2.5}]``). Syntax faults raise
    :class:`ScenarioError`, one line each.
    """
    out: dict[str, Any] = {}
    lines: list[str] = []
    for spec in specs:
        path, sep, text = spec.partition("=")
        path = path.strip()
        if not sep or not path:
            lines.append(f"--set {spec!r}: expected FIELD.PATH=VALUE")
            continue
        try:
            out[path] = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = ' (quote strings: "random")' if _looks_unquoted(text) else ""
            lines.append(f"--set {path}={text}: not a JSON value: {exc.msg}{hint}")
    if lines:
        raise ScenarioError(lines)
    return out


def _looks_unquoted(text: str) -> bool:
    return any(ch.isalpha() for ch in text) and '"' not in text


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the last field varying fastest."""
    keys = list(grid)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grid.values())]


def _point_scenarios(
    scenario: Scenario, grid: Mapping[str, Sequence[Any]]
) -> list[tuple[dict[str, Any], Scenario]]:
    """The scenario at every grid point, validated before anything runs.

    Each value is first tried alone, so every bad value is reported (with its field and value)
    in one go; then the combinations, for faults that only appear together.
    """
    lines: list[str] = []
    for path, values in grid.items():
        for v in values:
            try:
                scenario.with_overrides({path: v})
            except ScenarioError as exc:
                lines += [ln for ln in exc.lines if ln not in lines]
    if lines:
        raise ScenarioError(lines)
    out = []
    for point in grid_points(grid):
        out.append((point, scenario.with_overrides(point) if point else scenario))
    return out


# ---- one run ---------------------------------------------------------------------------------
def sort_metrics(sort: SortResult, scenario: Scenario) -> dict[str, float]:
    """Headline numbers of a sorting day (see :data:`SORT_METRICS`).

    ``throughput_per_h`` averages over the whole day, idle hours between waves included;
    ``peak_throughput_per_h`` is the busiest clock hour, what the layout can sustain.
    ``same_day_ready_s`` is the last village ready time counting only the waves whose parcels
    go on today's rounds: the time the last van can leave, which the layout should bring
    forward. ``last_chute_ready_s`` counts every wave.
    """
    s = sort.summary()
    p = s["parcels"]
    same_day = {w.name for w in scenario.model.brands.waves if w.rounds == "same_day"}
    ready = [
        t
        for wave, by_village in sort.village_ready_by_wave.items()
        if wave in same_day
        for t in by_village.values()
    ]
    _, per_hour = sort.throughput_per_hour()
    return {
        "throughput_per_h": float(s["throughput_per_h"]),
        "peak_throughput_per_h": float(per_hour.max()) if len(per_hour) else 0.0,
        "recirculation_rate": float(s["recirculation_rate"]),
        "last_chute_ready_s": float(s["last_chute_ready_s"]),
        "same_day_ready_s": float(max(ready)) if ready else math.nan,
        "makespan_s": float(s["makespan_s"]),
        "mean_induction_wait_s": float(s["mean_induction_wait_s"]),
        "parcels": int(p["total"]),
        "bagged": int(p["bagged"]),
        "no_read": int(p["no_read"]),
        "exception": int(p["exception"]),
        "overflow": int(p["overflow"]),
        "in_system": int(p["in_system"]),
        "bags": int(s["bags"]),
    }


def day_metrics(day: DayResult) -> dict[str, float]:
    """Headline numbers of a whole day: the sorter's, the rounds' and the saving."""
    out: dict[str, float] = sort_metrics(day.sort, day.scenario)
    s = day.summary()
    r = s["routing"]
    for key in ("routes", "vans_used", "distance_km", "cost", "co2_kg"):
        if key in r:
            out[key] = float(r[key])
    out["villages_served"] = int(s["villages"]["served"])
    out["villages_unserved"] = int(s["villages"]["unserved"])
    saving = s.get("codelivery_saving") or {}
    for key in ("distance_pct", "cost_pct", "van_hours_pct"):
        out[f"saving_{key}"] = float(saving[key]) if key in saving else math.nan
    return out


def run_one(scenario: Scenario, what: What = "sort") -> dict[str, float]:
    """Simulate ``scenario`` once and return its metrics (a plain dict: picklable)."""
    if what == "sort":
        from gongpei.day.pipeline import sort_day

        return sort_metrics(sort_day(scenario).sort, scenario)
    if what == "day":
        from gongpei.day.pipeline import run_day

        return day_metrics(run_day(scenario))
    raise ValueError(f"what = {what!r}: must be 'sort' or 'day'")


def _task(scenario: Scenario, what: What) -> dict[str, Any]:
    """What a worker runs. Input faults come back as lines, re-raised on the caller's side,
    so a bad layout reads the same whether it ran here or on a cluster."""
    from gongpei.errors import input_error_types

    try:
        return {"ok": run_one(scenario, what)}
    except ScenarioError as exc:
        return {"error": list(exc.lines)}
    except input_error_types() as exc:
        return {"error": [f"{scenario.source}: {exc}"]}


# ---- replications and sweeps -----------------------------------------------------------------
def replicate(
    scenario: Scenario,
    replications: int,
    *,
    root_seed: int | None = None,
    what: What = "sort",
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    progress: bool | Callable[[int, int], None] = False,
) -> list[dict[str, Any]]:
    """Run ``scenario`` ``replications`` times with spawned seeds: one row per run."""
    return sweep(
        scenario,
        {},
        replications=replications,
        root_seed=root_seed,
        what=what,
        workers=workers,
        scheduler=scheduler,
        client=client,
        progress=progress,
    )


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    *,
    replications: int = 5,
    root_seed: int | None = None,
    what: What = "sort",
    labels: Mapping[str, str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    progress: bool | Callable[[int, int], None] = False,
) -> list[dict[str, Any]]:
    """Run every grid point ``replications`` times: one tidy row per run.

    Args:
        grid: field path → values, e.g. ``{"sorter.chute_capacity": [30, 45, 60]}``;
            ``{}`` runs the scenario alone (replications only).
        root_seed: spawns the replication seeds (default: the scenario's seed). The same
            seeds serve every grid point (common random numbers).
        what: ``"sort"`` simulates the sorting line only (fast); ``"day"`` the whole day,
            rounds and baselines included.
        labels: column names for grid paths in the rows (``{"sorter.assignment":
            "assignment"}``); default: the path itself.
        workers: > 1 runs on a Dask ``LocalCluster`` of that many single-threaded worker
            processes, started and closed here. ``None``/1: serial, in this process.
        scheduler: address of a running Dask scheduler (a real cluster); its workers need
            gongpei installed and the scenario's data files at the same paths.
        client: an existing ``dask.distributed.Client`` to use (not closed here).
        progress: ``True`` for a tqdm bar on stderr, or a callable ``(done, total)``.

    Rows come back in grid order, then replication order, whatever ran where.
    """
    if what not in ("sort", "day"):
        raise ValueError(f"what = {what!r}: must be 'sort' or 'day'")
    seeds = replication_seeds(scenario.seed if root_seed is None else root_seed, replications)
    if what == "day":
        # Each day on one core, as in a province run: parallel workers are not
        # oversubscribed, and serial and Dask rows agree (a grid may still set it).
        scenario = scenario.with_overrides({"routing.processes": 1})
    names = dict(labels or {})
    jobs: list[tuple[dict[str, Any], Scenario]] = []
    for point, sc in _point_scenarios(scenario, grid):
        cols = {names.get(k, k): v for k, v in point.items()}
        for r, seed in enumerate(seeds):
            head = {"scenario": scenario.name, **cols, "replication": r, "seed": seed}
            jobs.append((head, sc.with_seed(seed)))

    tick, close = _progress(progress, len(jobs))
    try:
        if client is not None:
            results = _run_dask(client, jobs, what, tick)
        elif scheduler is not None:
            from distributed import Client

            with Client(scheduler) as cl:
                results = _run_dask(cl, jobs, what, tick)
        elif workers is not None and workers > 1:
            from distributed import Client, LocalCluster

            with (
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address="127.0.0.1:0",  # a free local port, never a clash
                ) as cluster,
                Client(cluster) as cl,
            ):
                results = _run_dask(cl, jobs, what, tick)
        else:
            results = []
            for _, sc in jobs:
                results.append(_task(sc, what))
                tick()
    finally:
        close()

    rows = []
    for (head, _), res in zip(jobs, results, strict=True):
        if "error" in res:
            raise ScenarioError(res["error"])
        rows.append({**head, **res["ok"]})
    return rows


def _run_dask(
    client: Any, jobs: list[tuple[dict[str, Any], Scenario]], what: What, tick: Callable[[], None]
) -> list[dict[str, Any]]:
    from distributed import as_completed

    futures = [client.submit(_task, sc, what, pure=False) for _, sc in jobs]
    index = {f.key: k for k, f in enumerate(futures)}
    results: list[dict[str, Any] | None] = [None] * len(futures)
    try:
        for fut in as_completed(futures):
            results[index[fut.key]] = fut.result()
            tick()
    finally:
        client.cancel([f for f in futures if not f.done()])
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


def _progress(
    progress: bool | Callable[[int, int], None], total: int
) -> tuple[Callable[[], None], Callable[[], None]]:
    if callable(progress):
        done = [0]

        def call() -> None:
            done[0] += 1
            progress(done[0], total)

        return call, lambda: None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, desc="runs", unit="run")
        return lambda: bar.update(1), bar.close
    return lambda: None, lambda: None


# ---- statistics ------------------------------------------------------------------------------
def _t_two_sided_cdf(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with integer ``df`` (Abramowitz & Stegun 26.7.3/26.7.4)."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    s = math.sin(theta)
    if df % 2 == 1:
        if df == 1:
            return 2 * theta / math.pi
        term, total = math.cos(theta), math.cos(theta)
        for k in range(1, (df - 3) // 2 + 1):
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
        return 2 / math.pi * (theta + s * total)
    term, total = 1.0, 1.0
    for k in range(1, (df - 2) // 2 + 1):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return s * total


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` (integer >= 1) degrees of freedom.

    Exact to about 1e-10: the closed-form CDF inverted by bisection (no scipy needed).
    """
    if not 0 < p < 1:
        raise ValueError(f"p = {p}: must be in (0, 1)")
    if df < 1 or int(df) != df:
        raise ValueError(f"df = {df}: must be an integer >= 1")
    if p == 0.5:
        return 0.0
    two_sided = abs(2 * p - 1)  # P(|T| <= q)
    lo, hi = 0.0, 1.0
    while _t_two_sided_cdf(hi, int(df)) < two_sided:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if _t_two_sided_cdf(mid, int(df)) < two_sided:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    q = (lo + hi) / 2
    return q if p > 0.5 else -q


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the Student-t interval for the mean of ``values``.

    NaN values are dropped; with fewer than two values the bounds are NaN (no spread known).
    """
    xs = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    n = len(xs)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = math.fsum(xs) / n
    if n < 2:
        return mean, math.nan, math.nan
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def aggregate(
    rows: Sequence[Mapping[str, Any]],
    by: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
) -> list[dict[str, Any]]:
    """One row per group: the group's values, ``n``, and for every metric its mean
    (``metric``), standard deviation (``metric_sd``) and interval (``metric_ci = [lo, hi]``).

    ``metrics`` defaults to the columns named in :data:`SORT_METRICS` and :data:`DAY_METRICS`;
    ``by`` to every other column except ``replication`` and ``seed`` (the scenario name and
    the grid values). NaN values are left out of a metric's statistics. Groups keep the order
    in which they first appear.
    """
    if not rows:
        return []
    skip = {"replication", "seed"}
    cols = list(rows[0])
    if metrics is None:
        known = set(SORT_METRICS) | set(DAY_METRICS)
        metrics = [c for c in cols if c in known]
    if by is None:
        by = [c for c in cols if c not in skip and c not in metrics]
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        key = tuple(_hashable(row.get(k)) for k in by)
        groups.setdefault(key, []).append(row)
    out = []
    for members in groups.values():
        agg: dict[str, Any] = {k: members[0].get(k) for k in by}
        agg["n"] = len(members)
        for m in metrics:
            vals = [float(r[m]) for r in members if r.get(m) is not None]
            mean, lo, hi = mean_ci(vals, confidence)
            finite = [v for v in vals if not math.isnan(v)]
            sd = (
                math.sqrt(math.fsum((v - mean) ** 2 for v in finite) / (len(finite) - 1))
                if len(finite) > 1
                else math.nan
            )
            agg[m] = mean
            agg[f"{m}_sd"] = sd
            agg[f"{m}_ci"] = [lo, hi]
        out.append(agg)
    return out


def _hashable(v: Any) -> Any:
    if isinstance(v, list | dict):
        return json.dumps(v, sort_keys=True)
    return v


# ---- output ----------------------------------------------------------------------------------
def jsonable(v: Any) -> Any:
    """``v`` with NaN/inf as ``None`` and numpy scalars as Python numbers (for ``json``)."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list | tuple):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if hasattr(v, "item"):  # numpy scalars
        return jsonable(v.item())
    return v


def write_rows(rows: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Write rows as ``.json`` (a list of objects; NaN → null) or ``.csv`` (intervals split into
    ``metric_ci_lo``/``metric_ci_hi``, lists and tables as JSON text)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        path.write_text(
            json.dumps([jsonable(dict(r)) for r in rows], indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        return path
    if path.suffix != ".csv":
        raise ValueError(f"{path}: write .csv or .json")
    flat: list[dict[str, Any]] = []
    for r in rows:
        f: dict[str, Any] = {}
        for k, v in r.items():
            if k.endswith("_ci") and isinstance(v, list | tuple) and len(v) == 2:
                f[f"{k}_lo"], f[f"{k}_hi"] = jsonable(v[0]), jsonable(v[1])
            elif isinstance(v, list | dict):
                f[k] = json.dumps(jsonable(v), ensure_ascii=False)
            else:
                f[k] = jsonable(v)
        flat.append(f)
    fields: list[str] = []
    for f in flat:
        fields += [k for k in f if k not in fields]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(flat)
    return path


# ---- plot ------------------------------------------------------------------------------------
def plot_sweep(
    rows: Sequence[Mapping[str, Any]],
    x: str,
    y: str,
    hue: str | None = None,
    ax: Any = None,
    *,
    confidence: float = 0.95,
) -> None:
    """Mean of ``y`` against ``x`` (one line per ``hue`` value) with CI error bars.

    ``rows`` are run rows (from :func:`sweep`); they are averaged over everything but ``x``
    and ``hue``, so filter rows first when the sweep has other grid fields. Text ``x`` values
    are categories (side by side per hue); numbers are placed on a numeric axis. Metrics
    ending in ``_ready_s`` (seconds after midnight) are labelled as clock times.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.gca()
    if not rows:
        ax.set_title("no runs")
        return
    by = [x] if hue is None else [hue, x]
    agg = aggregate(rows, by=by, metrics=[y], confidence=confidence)
    hues = list(dict.fromkeys(_hashable(a[hue]) for a in agg)) if hue else [None]
    xs = list(dict.fromkeys(_hashable(a[x]) for a in agg))
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in xs)
    if numeric:
        xs = sorted(xs)
        span = (max(xs) - min(xs)) or 1.0
        step = 0.012 * span
    else:
        step = 0.8 / max(len(hues), 1)
    for k, h in enumerate(hues):
        sel = [a for a in agg if hue is None or _hashable(a[hue]) == h]
        sel.sort(key=lambda a: xs.index(_hashable(a[x])))
        offset = (k - (len(hues) - 1) / 2) * step
        pos = [(float(a[x]) if numeric else float(xs.index(_hashable(a[x])))) + offset for a in sel]
        mean = [a[y] for a in sel]
        lo = [a[f"{y}_ci"][0] for a in sel]
        hi = [a[f"{y}_ci"][1] for a in sel]
        err = [
            [0.0 if math.isnan(lv) else m - lv for m, lv in zip(mean, lo, strict=True)],
            [0.0 if math.isnan(hv) else hv - m for m, hv in zip(mean, hi, strict=True)],
        ]
        ax.errorbar(
            pos,
            mean,
            yerr=err,
            marker="o",
            capsize=3,
            linestyle="-" if numeric else "none",
            label=None if hue is None else str(h),
        )
    if not numeric:
        ax.set_xticks(range(len(xs)))
        ax.set_xticklabels([str(v) for v in xs])
    elif len(xs) <= 12:
        ax.set_xticks(xs)
    if y.endswith("_ready_s"):  # clock times (seconds after midnight) read as HH:MM
        _clock_axis(ax.yaxis, *ax.get_ylim())
    ax.set_xlabel(x)
    ax.set_ylabel(f"{y} (mean, {confidence:.0%} CI)")
    if hue is not None:
        ax.legend(title=hue, fontsize="small")


def _clock_axis(axis: Any, lo: float, hi: float) -> None:
    """Ticks on whole minutes/hours, labelled HH:MM."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    span = max(hi - lo, 1.0)
    steps = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600)
    step = next((st for st in steps if span / st <= 7), 43200)
    axis.set_major_locator(MultipleLocator(step))
    axis.set_major_formatter(
        FuncFormatter(lambda s, _pos: f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}")
    )
