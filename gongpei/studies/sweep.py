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
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from gongpei.scenario.loading import Scenario
from gongpei.scenario.messages import ScenarioError
from gongpei.studies.metrics import day_metrics, sort_metrics

if TYPE_CHECKING:
    pass

__all__ = [
    "grid_points",
    "jsonable",
    "parse_grid",
    "parse_overrides",
    "replicate",
    "replication_seeds",
    "run_one",
    "sweep",
    "write_rows",
]

What = Literal["sort", "day"]


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
            values = _json(text)
        except _NotFinite as exc:
            lines.append(f"--grid {path}={text}: {exc}")
            continue
        except json.JSONDecodeError as exc:
            hint = ' (quote strings: ["by_round","random"])' if _looks_unquoted(text) else ""
            lines.append(f"--grid {path}={text}: not a JSON list: {exc.msg}{hint}")
            continue
        if not isinstance(values, list) or not values:
            lines.append(f"--grid {path}={text}: must be a non-empty JSON list like [30, 45]")
        elif path in grid:
            lines.append(f"--grid {path}: given twice")
        elif repeated := _repeated(values):
            # A repeated value makes a grid point twice: its runs would count as more
            # replications of one point (n = 2, sd 0) while the seeds are the same.
            lines.append(
                f"--grid {path}={text}: {json.dumps(repeated[0])} repeated (give each value once; "
                "--replications sets the runs per point)"
            )
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
            out[path] = _json(text)
        except _NotFinite as exc:
            lines.append(f"--set {path}={text}: {exc}")
        except json.JSONDecodeError as exc:
            hint = ' (quote strings: "random")' if _looks_unquoted(text) else ""
            lines.append(f"--set {path}={text}: not a JSON value: {exc.msg}{hint}")
    if lines:
        raise ScenarioError(lines)
    return out


class _NotFinite(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotFinite(f"{name}: must be finite (no Infinity or NaN)")


def _json(text: str) -> Any:
    """Strict JSON: Python's reader takes ``Infinity`` and ``NaN``, which no field means."""
    return json.loads(text, parse_constant=_no_constant)


def _repeated(values: Sequence[Any]) -> list[Any]:
    """The values given twice in ``values`` (``30`` and ``30.0`` are one); empty: none."""
    out: list[Any] = []
    seen: set[str] = set()
    for v in values:
        key = (
            repr(float(v))
            if isinstance(v, int | float) and not isinstance(v, bool)
            else json.dumps(v, sort_keys=True)
        )
        if key in seen:
            out.append(v)
        seen.add(key)
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


def run_one(scenario: Scenario, what: What = "sort") -> dict[str, Any]:
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
    stop: threading.Event | None = None,
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
        stop: once set (a first Ctrl-C), no new run starts; only the runs finished by then
            have rows (fewer rows than grid points × replications: a partial sweep).

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

    from gongpei.studies.runner import run_tasks

    tick, close = _progress(progress, len(jobs))
    try:
        results = run_tasks(
            _task,
            [(sc, what) for _, sc in jobs],
            workers=workers,
            scheduler=scheduler,
            client=client,
            tick=tick,
            stop=stop,
        )
    finally:
        close()

    rows = []
    for (head, _), res in zip(jobs, results, strict=True):
        if res is None:  # not run: stopped before it finished
            continue
        if "error" in res:
            raise ScenarioError(res["error"])
        rows.append({**head, **res["ok"]})
    return rows


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
