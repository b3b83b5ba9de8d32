"""The days of a week as day scenarios, and what the line sorted on each.

A day of the week is the scenario with that day's volume factor (a ``festival`` event named
``week volume <day>``), its events (``week.events.<day>`` on top of ``[[events]]``), its
produce pickups (a ``harvest_peak`` at the produce villages) and its own seed, derived from
the scenario seed and the weekday (``SeedSequence([seed, 0x3EE7, weekday])``), so the same
scenario gives the same week. Each day is validated as a whole scenario; a fault is reported
with the day it happened on.

The line runs every planned day on all of the day's parcels whatever the patterns: a
village not served that day has its chute bagged and staged like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gongpei.day.pipeline import DayProblem, day_problem
from gongpei.scenario.loading import Scenario
from gongpei.scenario.messages import ScenarioError
from gongpei.scenario.schema_week import WEEKDAYS
from gongpei.week.backlog import VillageWeek

__all__ = ["WeekDays", "day_scenario", "day_seed", "sort_week"]


def day_seed(seed: int, day: str) -> int:
    """The seed of one weekday of a scenario (deterministic, distinct per weekday)."""
    state = np.random.SeedSequence([int(seed), 0x3EE7, WEEKDAYS.index(day)]).generate_state(1)
    return int(state[0])


def day_scenario(scenario: Scenario, day: str) -> Scenario:
    """The scenario of one planned day of its week."""
    w = scenario.model.week
    events: list[Any] = list(scenario.raw.get("events", []))
    factor = w.volume.get(day)  # type: ignore[call-overload]
    if factor is not None and factor != 1.0:
        events.append(
            {"kind": "festival", "volume_multiplier": factor, "name": f"week volume {day}"}
        )
    for ev in w.events.get(day, []):  # type: ignore[call-overload]
        events.append(ev.model_dump(mode="json"))
    for p in w.produce:
        if day in p.days:
            events.append(
                {
                    "kind": "harvest_peak",
                    "villages": list(p.villages),
                    "pickup_multiplier": p.pickup_multiplier,
                    "produce": p.produce,
                }
            )
    try:
        return scenario.with_overrides(
            {"events": events, "scenario.seed": day_seed(scenario.seed, day)}
        )
    except ScenarioError as exc:
        raise ScenarioError(
            [line.replace(": ", f": week day {day}: ", 1) for line in exc.lines]
        ) from None


@dataclass(frozen=True, eq=False)
class WeekDays:
    """The planned days: their names, weekdays, day scenarios and sorted day problems."""

    names: tuple[str, ...]
    cal: tuple[int, ...]
    scenarios: tuple[Scenario, ...]
    problems: tuple[DayProblem, ...]

    def villages(self) -> list[VillageWeek]:
        """Every rural village's week (parcels bagged, ready times, outgoing per day)."""
        county = self.problems[0].sorted.county
        produce: dict[str, set[int]] = {}
        w = self.scenarios[0].model.week
        for p in w.produce:
            for code in p.villages:
                produce.setdefault(code, set()).update(self.names.index(d) for d in p.days)
        per_day = [{s.code: s for s in dp.stops} for dp in self.problems]
        out = []
        for v in county.rural:
            rows = [day.get(v.code) for day in per_day]
            out.append(
                VillageWeek(
                    code=v.code,
                    parcels=tuple(r.deliver if r else 0 for r in rows),
                    release_s=tuple(r.release_s if r else 0 for r in rows),
                    pickup=tuple(r.pickup if r else 0 for r in rows),
                    pickup_litres=tuple(r.pickup_litres if r else 0 for r in rows),
                    produce_days=frozenset(produce.get(v.code, ())),
                )
            )
        return out


def sort_week(scenario: Scenario, *, days: Sequence[str] | None = None) -> WeekDays:
    """Validate every planned day, then run the line on each (no routing)."""
    names = tuple(days if days is not None else scenario.model.week.days)
    scenarios = tuple(day_scenario(scenario, d) for d in names)  # all validated first
    problems = tuple(day_problem(sc) for sc in scenarios)
    return WeekDays(names, tuple(WEEKDAYS.index(d) for d in names), scenarios, problems)
