"""A week in every county: ``gongpei province --week``.

Each county's generated scenario (:func:`gongpei.studies.province.province_scenario`, one
core per county) is planned as a week with ``auto`` patterns (:func:`gongpei.week.run_week`),
on the one Dask runner of the studies (:func:`gongpei.studies.runner.run_tasks`); a row per
county compares the chosen patterns with daily service.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from gongpei.scenario.loading import Scenario

__all__ = ["CountyWeekRow", "ProvinceWeek", "run_county_week", "run_province_week"]


@dataclass(frozen=True, slots=True)
class CountyWeekRow:
    """One county's week: daily service against the chosen patterns. ``saving_pct`` is
    ``None`` when the two do not deliver the same parcels (``saving_note`` says why)."""

    code: str
    name: str
    villages: int
    parcels: int
    daily_cost: float
    chosen_cost: float
    saving_pct: float | None
    daily_van_days: int
    chosen_van_days: int
    daily_km: float
    chosen_km: float
    mean_wait_days: float
    late: int
    wall_s: float
    error: str = ""
    saving_note: str = ""


_COLUMNS = [f.name for f in fields(CountyWeekRow)]


def run_county_week(scenario: Scenario) -> CountyWeekRow:
    """One county's week → its row (an error becomes the row's ``error``)."""
    from gongpei.week.results import run_week

    m = scenario.model
    t0 = time.perf_counter()
    try:
        res = run_week(scenario)
        c = res.comparison()
        par = res.parcels()
    except Exception as exc:  # a county must not sink the province: report it in its row
        return CountyWeekRow(m.county.code, m.county.name, 0, 0, 0.0, 0.0, 0.0, 0, 0, 0.0, 0.0,
                             0.0, 0, round(time.perf_counter() - t0, 3),
                             f"{type(exc).__name__}: {exc}".splitlines()[0][:200])  # fmt: skip
    return CountyWeekRow(
        code=m.county.code,
        name=m.county.name,
        villages=len(res.chosen.patterns),
        parcels=int(par["total"]),
        daily_cost=c["daily"]["cost"],
        chosen_cost=c["chosen"]["cost"],
        saving_pct=c["chosen_saving_vs_daily_pct"] if c["equal_service"] else None,
        daily_van_days=c["daily"]["van_days"],
        chosen_van_days=c["chosen"]["van_days"],
        daily_km=c["daily"]["km"],
        chosen_km=c["chosen"]["km"],
        mean_wait_days=c["chosen"]["mean_wait_days"],
        late=int(par["late"]),
        wall_s=round(time.perf_counter() - t0, 3),
        saving_note=c["unequal_service_note"],
    )


@dataclass(frozen=True)
class ProvinceWeek:
    rows: tuple[CountyWeekRow, ...]
    mode: str
    wall_s: float
    not_run: tuple[str, ...] = ()  # county codes a stop request (Ctrl-C) left out: partial

    def totals(self) -> dict[str, Any]:
        ok = [r for r in self.rows if not r.error]
        daily = sum(r.daily_cost for r in ok)
        chosen = sum(r.chosen_cost for r in ok)
        # the saving over the counties where it is like for like (equal service)
        equal = [r for r in ok if r.saving_pct is not None]
        e_daily = sum(r.daily_cost for r in equal)
        e_chosen = sum(r.chosen_cost for r in equal)
        return {
            "counties": len(self.rows),
            "failed": len(self.rows) - len(ok),
            "daily_cost": round(daily, 2),
            "chosen_cost": round(chosen, 2),
            "saving_pct": round(100 * (e_daily - e_chosen) / e_daily, 2) if e_daily else None,
            "saving_counties": len(equal),
            "daily_van_days": sum(r.daily_van_days for r in ok),
            "chosen_van_days": sum(r.chosen_van_days for r in ok),
            "late": sum(r.late for r in ok),
            "county_wall_s": round(sum(r.wall_s for r in self.rows), 3),
            "wall_s": round(self.wall_s, 3),
            "mode": self.mode,
            "partial": bool(self.not_run),
            "not_run": list(self.not_run),
        }

    def csv_text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(_COLUMNS)
        for r in self.rows:
            d = asdict(r)
            w.writerow([d[c] for c in _COLUMNS])
        return buf.getvalue()

    def text(self) -> str:
        head = f"{'code':<8}{'county':<10}{'daily ¥':>11}{'chosen ¥':>11}{'saved %':>9}"
        head += f"{'van-days':>13}{'wait d':>8}{'late':>6}{'wall s':>8}"
        lines = [head]
        for r in self.rows:
            if r.error:
                lines.append(f"{r.code:<8}{r.name:<10}FAILED: {r.error}")
                continue
            vd = f"{r.daily_van_days}→{r.chosen_van_days}"
            lines.append(
                f"{r.code:<8}{r.name:<10}{r.daily_cost:>11,.0f}{r.chosen_cost:>11,.0f}"
                + (f"{r.saving_pct:>9.1f}" if r.saving_pct is not None else f"{'unequal':>9}")
                + f"{vd:>13}{r.mean_wait_days:>8.2f}{r.late:>6}{r.wall_s:>8.1f}"
            )
        lines += [f"{r.code} {r.name}: {r.saving_note}" for r in self.rows if r.saving_note]
        t = self.totals()
        lines.append(
            f"total: {t['counties']} counties, ¥{t['daily_cost']:,.0f} → ¥{t['chosen_cost']:,.0f}"
            + (
                f" ({t['saving_pct']:.1f} % saved"
                + (
                    f" in the {t['saving_counties']} counties with equal service"
                    if t["saving_counties"] < len(self.rows) - t["failed"]
                    else ""
                )
                + ")"
                if t["saving_pct"] is not None
                else " (no saving claimed: unequal service)"
            )
            + f", {t['failed']} failed; {self.mode}, "
            f"wall {self.wall_s:.1f} s"
        )
        if self.not_run:
            lines.append(
                f"partial (Ctrl-C): {len(self.not_run)} of {len(self.rows) + len(self.not_run)} "
                f"counties not run: {', '.join(self.not_run)}"
            )
        return "\n".join(lines)


def run_province_week(
    codes: Sequence[str] | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    progress: bool = False,
    stop: threading.Event | None = None,
) -> ProvinceWeek:
    """A week in each county of ``codes`` (default: all 26), ``auto`` patterns unless the
    overrides say otherwise; serially when ``workers == 1`` and no scheduler. ``stop`` (a
    first Ctrl-C): no county starts after it; those not finished are in ``not_run``."""
    from gongpei.county.catalogue import list_counties
    from gongpei.studies.province import province_scenario
    from gongpei.studies.runner import run_tasks

    if codes is None:
        codes = [c.code for c in list_counties()]
    scenarios = [province_scenario(c, {"week.service": "auto", **(overrides or {})}) for c in codes]
    order = sorted(range(len(scenarios)), key=lambda k: -scenarios[k].model.demand.village_parcels)
    serial = scheduler is None and workers == 1
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(scenarios), desc="county weeks", unit="county", leave=False)
    t0 = time.perf_counter()
    try:
        rows = run_tasks(
            run_county_week,
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
    return ProvinceWeek(done, mode, time.perf_counter() - t0, missing)


def write_province_week(table: ProvinceWeek, out_dir: Path) -> list[Path]:
    """``province_week.csv`` and ``province_week.json`` (rows and totals)."""
    from gongpei.report.atomic import atomic_write_text
    from gongpei.report.formatting import dump_json

    out_dir.mkdir(parents=True, exist_ok=True)
    files = [out_dir / "province_week.csv", out_dir / "province_week.json"]
    atomic_write_text(files[0], table.csv_text())
    doc = {"totals": table.totals(), "rows": [asdict(r) for r in table.rows]}
    atomic_write_text(files[1], dump_json(doc))
    return files
