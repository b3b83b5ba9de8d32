"""Which exceptions mean "the input is wrong" rather than "gongpei has a bug".

The CLI prints these as one line and exits with status 2; anything else is a bug and keeps
its traceback. Each engine raises its own ``ValueError`` subclass with a message that already
names the object, the field and the value.
"""

from __future__ import annotations

__all__ = ["input_error_types"]


def input_error_types() -> tuple[type[Exception], ...]:
    from gongpei.geography import GeographyError
    from gongpei.scenario import ScenarioError
    from routing.network import NetworkError
    from routing.problem import ProblemError
    from sorter import LineError

    return (ScenarioError, GeographyError, NetworkError, ProblemError, LineError)
