"""The kinds of line as one choice: ``"loop"`` (cross-belt / tilt-tray, :class:`sorter.Line`),
``"linear"`` (swing-wheel, :class:`sorter.LinearLine`) and ``"manual"`` (cages,
:class:`sorter.ManualLine`).

All three take the same :class:`sorter.Arrivals` and chute assignment and return the same
:class:`sorter.SortResult`, so a caller that has a layout of any kind uses
:func:`simulate_kind`, :func:`capacity_per_h` and :func:`kind_of` and never branches itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np

from .arrivals import Arrivals
from .assignment import ChuteAssignment, VillageInfo
from .capacity import line_capacity_per_h
from .engine import simulate
from .line import Line, LineError
from .linear import LinearLine, linear_capacity_per_h, simulate_linear
from .manual import ManualLine, manual_capacity_per_h, simulate_manual
from .result import SortResult

Kind = Literal["loop", "linear", "manual"]
KINDS: tuple[Kind, ...] = ("loop", "linear", "manual")
Layout: TypeAlias = Line | LinearLine | ManualLine


def kind_of(layout: Layout) -> Kind:
    """``"loop"``, ``"linear"`` or ``"manual"`` for a layout object."""
    if isinstance(layout, Line):
        return "loop"
    if isinstance(layout, LinearLine):
        return "linear"
    if isinstance(layout, ManualLine):
        return "manual"
    raise LineError(f"layout = {type(layout).__name__}: not a Line, LinearLine or ManualLine")


def capacity_per_h(layout: Layout, shares: Mapping[str, float] | None = None) -> float:
    """Derived saturated parcels/h of any kind of line (see each kind's function for the
    derivation). ``shares`` (chute id -> share of parcels) matters only for manual sorting,
    whose time per parcel depends on how far the cages are; default: equal shares."""
    kind = kind_of(layout)
    if kind == "loop":
        assert isinstance(layout, Line)
        return line_capacity_per_h(layout)
    if kind == "linear":
        assert isinstance(layout, LinearLine)
        return linear_capacity_per_h(layout)
    assert isinstance(layout, ManualLine)
    return manual_capacity_per_h(layout, shares)


def simulate_kind(
    layout: Layout,
    arrivals: Arrivals,
    *,
    assignment: ChuteAssignment | Mapping[str, str],
    seed: int | np.random.SeedSequence = 0,
    horizon_s: float | None = None,
    cutoffs_s: Sequence[float] | None = None,
    village_info: Sequence[VillageInfo] | None = None,
    final_sweep: bool = True,
    **loop_only: Any,
) -> SortResult:
    """One day on a line of any kind. ``loop_only`` (``faults``, ``progress``) go to
    :func:`sorter.simulate`; passing them for another kind is an error rather than silently
    ignored."""
    kw: dict[str, Any] = dict(
        assignment=assignment,
        seed=seed,
        horizon_s=horizon_s,
        cutoffs_s=cutoffs_s,
        village_info=village_info,
        final_sweep=final_sweep,
    )
    if isinstance(layout, Line):
        return simulate(layout, arrivals, **kw, **loop_only)
    if loop_only:
        raise LineError(
            f"simulate_kind: {sorted(loop_only)} apply to a loop only, not to a {kind_of(layout)}"
        )
    if isinstance(layout, LinearLine):
        return simulate_linear(layout, arrivals, **kw)
    if isinstance(layout, ManualLine):
        return simulate_manual(layout, arrivals, **kw)
    raise LineError(f"layout = {type(layout).__name__}: not a Line, LinearLine or ManualLine")
