"""Scenario files: the schema, loading with one-line errors, data checks, clock times.

The public names a caller needs are re-exported here; each lives in one module:
:mod:`~gongpei.scenario.schema` (one pydantic model per table; the sorter, events and week tables
in ``schema_sorter``, ``schema_line``, ``schema_events`` and ``schema_week``, shared field types in
``fields``), :mod:`~gongpei.scenario.loading`
(read, merge ``extends``, validate, overrides), :mod:`~gongpei.scenario.checks` (values joined
with the county's data files), :mod:`~gongpei.scenario.messages` (how a fault is told),
:mod:`~gongpei.scenario.paths` and :mod:`~gongpei.scenario.clock`.
"""

from gongpei.scenario.clock import format_clock, parse_clock
from gongpei.scenario.loading import Scenario, apply_overrides, load_scenario, load_scenario_text
from gongpei.scenario.messages import ScenarioError
from gongpei.scenario.paths import DEFAULT_SCENARIO, builtin_path, resolve_data_path

__all__ = [
    "DEFAULT_SCENARIO",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "builtin_path",
    "format_clock",
    "load_scenario",
    "load_scenario_text",
    "parse_clock",
    "resolve_data_path",
]
