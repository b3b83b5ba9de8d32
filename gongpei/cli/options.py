"""Options that mean the same in every command (one definition, one help text).

``--time-limit S`` is the wall-clock budget, in seconds, of each search for the co-delivery
rounds (``routing.time_limit_s``): the day's rounds in ``run``, ``compare`` and ``province``,
each residual re-plan in ``replan``. Baselines keep ``routing.baseline_time_limit_s``.
With ``--deterministic`` the searches are bounded by work instead (``solution_limit``,
``max_iterations``) and the time limit is no longer what decides the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["TIME_LIMIT_HELP", "budget_overrides", "deterministic_option", "time_limit_option"]

F = TypeVar("F", bound=Callable[..., Any])

TIME_LIMIT_HELP = (
    "budget of each co-delivery rounds search, wall seconds (routing.time_limit_s; "
    "baselines keep routing.baseline_time_limit_s). Default: the scenario's"
)


def time_limit_option(func: F) -> F:
    """``--time-limit S`` (the same meaning in every command: module docstring)."""
    return click.option(
        "--time-limit",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        help=TIME_LIMIT_HELP,
    )(func)


def deterministic_option(func: F) -> F:
    """``--deterministic``: bound every search by work, not wall time (byte-identical plans
    for the same scenario and seed, on any machine load)."""
    return click.option(
        "--deterministic",
        is_flag=True,
        help="bound the search by work, not wall time: same scenario + seed → byte-identical "
        "plans (routing.deterministic)",
    )(func)


def budget_overrides(time_limit: float | None, deterministic: bool = False) -> dict[str, Any]:
    """The scenario overrides for ``--time-limit`` and ``--deterministic``."""
    out: dict[str, Any] = {}
    if time_limit is not None:
        out["routing.time_limit_s"] = time_limit
    if deterministic:
        out["routing.deterministic"] = True
    return out
