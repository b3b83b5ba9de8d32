"""What sorting the day cost: the scenario's ``[economics]`` applied to what the line did.

One function for every consumer: :func:`sorting_cost_summary` is the ``sorting_cost`` block of
``summary.json`` (so the report, ``gongpei compare`` and the studies read the same figures),
built from :func:`sorter.sort_cost` on the day's :class:`sorter.SortResult` with
:func:`gongpei.day.line_inputs.build_economics`. Every price is an estimate unless the
scenario sets it (see ``sorter.economics``).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

import sorter
from gongpei.day.line_inputs import build_economics
from gongpei.scenario.loading import Scenario

__all__ = ["day_sorting_cost", "layout_fields", "sorting_cost_summary"]


def day_sorting_cost(scenario: Scenario, sort: sorter.SortResult) -> sorter.SortCost:
    """The day's cost of sorting at its own volume, staffed as ``economics.staffing`` says."""
    return sorter.sort_cost(
        sort, build_economics(scenario), staffing=scenario.model.economics.staffing
    )


def chute_shares(sort: sorter.SortResult) -> dict[str, float]:
    """Village chute id → parcels of the day bound for it (what a manual line's capacity
    depends on: far cages cost a walk)."""
    counts = np.bincount(sort.village, minlength=len(sort.village_ids))
    out: dict[str, float] = {}
    for k, v in enumerate(sort.village_ids):
        c = sort.assignment[v]
        out[c] = out.get(c, 0.0) + float(counts[k])
    return out


def layout_fields(layout: sorter.Layout) -> dict[str, Any]:
    """The layout's scalar settings (speeds, capacities, staff, probabilities), plus the
    number of stations and village chutes: what a reader needs to know which line this was."""
    out: dict[str, Any] = {"kind": sorter.kind_of(layout)}
    for f in dataclasses.fields(layout):
        v = getattr(layout, f.name)
        if isinstance(v, bool | int | float | str) and f.name != "name":
            out[f.name] = v
    out["village_chutes"] = len(layout.village_chutes)
    out["stations"] = len(layout.induction)
    return out


def _round(v: float, digits: int) -> float | None:
    return round(float(v), digits) if math.isfinite(v) else None


def sorting_cost_summary(scenario: Scenario, sort: sorter.SortResult) -> dict[str, Any]:
    """The ``sorting_cost`` block of ``summary.json``: yuan rounded to 0.01, hours to 0.001.

    ``capex_per_day_yuan`` is the depreciation of a working day and ``upkeep_per_day_yuan``
    its maintenance; with ``wages_yuan`` and ``power_yuan`` they add up to ``total_yuan``,
    which over the day's parcels is ``yuan_per_parcel``.
    """
    econ = build_economics(scenario)
    cost = day_sorting_cost(scenario, sort)
    capex_day = econ.capex_yuan / econ.depreciation_years / econ.working_days_per_year
    shares = chute_shares(sort)
    capacity = (
        sorter.capacity_per_h(sort.line, shares)
        if any(shares.values())
        else sorter.capacity_per_h(sort.line)
    )
    return {
        "kind": cost.kind,
        "staffing": scenario.model.economics.staffing,
        "parcels": cost.parcels,
        "sorted_parcels": cost.sorted_parcels,
        "capacity_per_h": _round(capacity, 1),
        "staff": dict(cost.staff),
        "headcount": cost.headcount,
        "staffed_h": _round(cost.staffed_h, 3),
        "staff_hours": _round(cost.staff_hours, 3),
        "parcels_per_staff_hour": _round(cost.parcels_per_staff_hour, 2),
        "capex_per_day_yuan": _round(capex_day, 2),
        "upkeep_per_day_yuan": _round(cost.fixed_yuan - capex_day, 2),
        "wages_yuan": _round(cost.labour_yuan, 2),
        "power_yuan": _round(cost.power_yuan, 2),
        "total_yuan": _round(cost.total_yuan, 2),
        "yuan_per_parcel": _round(cost.yuan_per_parcel, 4),
        "economics": {
            f.name: getattr(econ, f.name) for f in dataclasses.fields(econ) if f.name != "kind"
        },
        "layout": layout_fields(sort.line),
    }
