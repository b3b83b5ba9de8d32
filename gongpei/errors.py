"""Which exceptions mean "the input is wrong" rather than "gongpei has a bug", and the one
wrapper every command uses to report them.

The CLI prints these as one line each and exits with status 2; anything else is a bug and
keeps its traceback. Each engine raises its own ``ValueError`` subclass with a message that
already names the object, the field and the value.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "EXIT_BAD_INPUT",
    "FrontierError",
    "ReplanError",
    "input_error_types",
    "reports_input_errors",
]

F = TypeVar("F", bound=Callable[..., Any])


class FrontierError(ValueError):
    """A bad ``gongpei frontier`` ``--vans`` or ``--promise`` value; the message names it."""


class ReplanError(ValueError):
    """A re-planning input is wrong (event, plan file); the message names it and the value."""


#: Exit status for bad input (scenario, data files, arguments).
EXIT_BAD_INPUT = 2


def input_error_types() -> tuple[type[Exception], ...]:
    """The error types that mean bad input (imported late: each lives with its engine)."""
    from gongpei.county.geography import GeographyError
    from gongpei.scenario.messages import ScenarioError
    from routing.disruption import DisruptionError
    from routing.network import NetworkError
    from routing.plan_io import PlanFormatError
    from routing.problem import ProblemError
    from sorter import LineError

    return (
        ScenarioError,
        GeographyError,
        NetworkError,
        ProblemError,
        LineError,
        ReplanError,
        DisruptionError,
        PlanFormatError,
        FrontierError,
    )


def reports_input_errors(func: F) -> F:
    """Bad input → one line per fault on stderr and exit status 2, never a traceback.

    This module imports nothing heavy at import time, so every command module can use it
    without import cycles.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import click

        from gongpei.scenario.messages import ScenarioError

        try:
            return func(*args, **kwargs)
        except ScenarioError as exc:
            for line in exc.lines:
                click.echo(line, err=True)
            sys.exit(EXIT_BAD_INPUT)
        except input_error_types() as exc:
            click.echo(f"gongpei: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper  # type: ignore[return-value]
