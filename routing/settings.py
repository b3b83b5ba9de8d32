"""One frozen object for the solver settings of a :func:`routing.solve.solve` call.

Why it exists: the settings used to be unpacked by hand wherever a solve was made (the
run, the baselines, re-planning), and each unpacking was a chance to drop one — a replan
that quietly ignored ``solution_limit`` and ``max_iterations``. A :class:`SolveSettings`
is built once (on the application side, from the scenario) and handed on whole; every
field reaches :func:`~routing.solve.solve` through :meth:`SolveSettings.solve`, and
:meth:`SolveSettings.solve_kwargs` is the one place that lists them.

Frozen, validated in its constructor, comparable, picklable (it crosses process
boundaries in sweeps); change a field with :meth:`SolveSettings.replace`.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import numbers
from dataclasses import dataclass
from typing import Any

from routing.callbacks import ProgressFn, StopFn
from routing.fleet import OBJECTIVES
from routing.plan import Plan
from routing.problem import Problem
from routing.solve import BACKENDS  # light: the solvers themselves are imported lazily

__all__ = ["SettingsError", "SolveSettings"]


class SettingsError(ValueError):
    """A solver setting is out of range; the message names the field and the value."""


@dataclass(frozen=True, slots=True)
class SolveSettings:
    """How to solve: ``backend`` (``"ortools"``, ``"pyvrp"`` or ``"auto"``), the wall-clock
    budget ``time_limit_s``, the ``seed``, ``deterministic`` (bound the search by work, not
    time) and the work bounds ``solution_limit`` (OR-Tools accepted solutions) and
    ``max_iterations`` (PyVRP iterations); ``None`` leaves a bound to the solver's default;
    ``objective``: ``"cost"`` or ``"fewest_vans"`` (vans first, then cost:
    :mod:`routing.fleet`). The defaults are :func:`routing.solve.solve`'s own."""

    backend: str = "ortools"
    time_limit_s: float = 10.0
    seed: int = 0
    deterministic: bool = False
    solution_limit: int | None = None
    max_iterations: int | None = None
    objective: str = "cost"

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise SettingsError(
                f"SolveSettings.backend = {self.backend!r}: expected one of {BACKENDS}"
            )
        if self.objective not in OBJECTIVES:
            raise SettingsError(
                f"SolveSettings.objective = {self.objective!r}: expected one of {OBJECTIVES}"
            )
        t = self.time_limit_s
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(t) or t <= 0:
            raise SettingsError(f"SolveSettings.time_limit_s = {t!r}: must be a number > 0")
        if not _is_int(self.seed) or self.seed < 0:
            raise SettingsError(f"SolveSettings.seed = {self.seed!r}: must be an integer >= 0")
        object.__setattr__(self, "seed", int(self.seed))  # numpy integers become int
        if not isinstance(self.deterministic, bool):
            raise SettingsError(
                f"SolveSettings.deterministic = {self.deterministic!r}: must be true or false"
            )
        for name in ("solution_limit", "max_iterations"):
            v = getattr(self, name)
            if v is not None:
                if not _is_int(v) or v < 1:
                    raise SettingsError(f"SolveSettings.{name} = {v!r}: must be an integer >= 1")
                object.__setattr__(self, name, int(v))

    def replace(self, **changes: Any) -> SolveSettings:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def solve_kwargs(self) -> dict[str, Any]:
        """Every field as a keyword argument of :func:`routing.solve.solve`."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def solve(
        self,
        problem: Problem,
        *,
        progress: ProgressFn | None = None,
        stop: StopFn | None = None,
    ) -> Plan:
        """``routing.solve.solve(problem, **self.solve_kwargs(), progress=..., stop=...)``.

        The solver module is looked up at call time (not bound at import), so a caller that
        substitutes ``routing.solve.solve`` — a test, a profiler — sees every call.
        """
        module = importlib.import_module("routing.solve")
        plan: Plan = module.solve(problem, **self.solve_kwargs(), progress=progress, stop=stop)
        return plan


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)
