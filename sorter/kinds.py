"""The kinds of line as one choice: ``"loop"`` (cross-belt / tilt-tray, :class:`sorter.Line`),
``"linear"`` (swing-wheel, :class:`sorter.LinearLine`) and ``"manual"`` (cages,
:class:`sorter.ManualLine`).

All three take the same :class:`sorter.Arrivals` and chute assignment and return the same
:class:`sorter.SortResult`, so a caller that has a layout of any kind uses
:func:`simulate_kind`, :func:`capacity_per_h` and :func:`kind_of` and never branches itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np

from .arrivals import Arrivals
from .assignment import ChuteAssignment, VillageInfo
from .capacity import line_capacity_per_h
from .engine import simulate
from .faults import Fault
from .line import Line, LineError
from .linear import simulate_linear
from .linear_line import LinearLine, linear_capacity_per_h
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
    derivation). ``shares`` (chute id -> share of parcels) matters for manual sorting,
    whose time per parcel depends on how far the cages are, and for a loop with a scanner per
    zone (``2k / (k + 1)`` times the carriers with uniform destinations), where it sets how
    far parcels ride; default: equal shares."""
    kind = kind_of(layout)
    if kind == "loop":
        assert isinstance(layout, Line)
        return line_capacity_per_h(layout, shares)
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
    progress: Callable[[float], None] | None = None,
    faults: tuple[Fault, ...] = (),
    bagging: Any = None,
    parcel_mix: Any = None,
) -> SortResult:
    """One day on a line of any kind, with :func:`sorter.simulate`'s arguments.

    ``bagging`` and ``parcel_mix`` are the loop's (its bagging policy, its parcel sizes); the
    linear line and the cages bag as they fill and count every parcel at the default size.

    Faults are modelled on the loop only: faults for another kind are an error rather than
    silently ignored. ``progress`` is called as the loop runs, and with 1.0 at the end for the
    other kinds (each a fraction of a second for a county's day).
    """
    kw: dict[str, Any] = dict(
        assignment=assignment,
        seed=seed,
        horizon_s=horizon_s,
        cutoffs_s=cutoffs_s,
        village_info=village_info,
        final_sweep=final_sweep,
    )
    if isinstance(layout, Line):
        loop_kw: dict[str, Any] = {}
        if bagging is not None:
            loop_kw["bagging"] = bagging
        if parcel_mix is not None:
            loop_kw["parcel_mix"] = parcel_mix
        return simulate(layout, arrivals, **kw, progress=progress, faults=tuple(faults), **loop_kw)
    kind = kind_of(layout)
    if faults:
        raise LineError(
            f"simulate_kind: faults = {tuple(faults)!r}: modelled on a loop only, not on a {kind}"
        )
    if isinstance(layout, LinearLine):
        result = simulate_linear(layout, arrivals, **kw)
    else:
        assert isinstance(layout, ManualLine)
        result = simulate_manual(layout, arrivals, **kw)
    if progress is not None:
        progress(1.0)
    return result
