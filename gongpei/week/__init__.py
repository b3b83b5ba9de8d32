"""A week, not a day: service patterns per village, parcels that wait, periodic rounds.

``gongpei week`` runs :func:`run_week`: the line on every planned day of ``[week]``, each
village's pattern chosen (or fixed), every day's rounds solved with the parcels that waited,
and the comparison with daily service. The names below are imported on first use, so the
scenario loader (which checks ``[week]`` codes through :mod:`gongpei.week.checks`) stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["WeekPlan", "WeekResult", "plan_week", "run_week", "write_week"]

_HOME = {
    "WeekPlan": "gongpei.week.plan",
    "plan_week": "gongpei.week.plan",
    "WeekResult": "gongpei.week.results",
    "run_week": "gongpei.week.results",
    "write_week": "gongpei.week.report",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'gongpei.week' has no attribute {name!r}")
