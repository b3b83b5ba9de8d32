"""``[week]`` codes joined with the county data (called by the scenario's data checks).

Kept light (no engine imports): every scenario load runs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gongpei.scenario.schema import ScenarioModel

__all__ = ["check_week_data"]


def check_week_data(
    m: ScenarioModel, town_codes: set[str], village_codes: set[str], served: set[str]
) -> list[str]:
    """``[week]`` codes joined with the county data: produce and service villages must be
    villages served by the rounds, townships must exist (one line per problem)."""
    problems = []

    def need(path: str, code: str) -> None:
        if code not in village_codes:
            problems.append(f'{path} = "{code}": unknown village code in {m.county.villages}')
        elif code not in served:
            problems.append(f'{path} = "{code}": not a village served by the rounds')

    for k, p in enumerate(m.week.produce):
        for j, code in enumerate(p.villages):
            need(f"week.produce[{k}].villages[{j}]", code)
    for k, s in enumerate(m.week.villages):
        for j, code in enumerate(s.villages):
            need(f"week.villages[{k}].villages[{j}]", code)
        for j, code in enumerate(s.towns):
            if code not in town_codes:
                problems.append(f'week.villages[{k}].towns[{j}] = "{code}": unknown township code')
    return problems
