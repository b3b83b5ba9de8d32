"""The caller's hooks into a running search: progress reports and stop requests.

One definition for every backend and the portfolio (:mod:`routing.solve`), so a callable
that fits one entry point fits all of them.

:func:`stopping` scopes a stop request over every search started inside it (in this thread
and context), for callers whose searches are many and deep — a week of day solves, a
frontier of points — so that a first Ctrl-C reaches all of them without a ``stop`` argument
threaded through each layer. It is a :mod:`contextvars` value: scoped, never global, and
an explicit ``stop`` argument still wins.
"""

from __future__ import annotations

import contextlib
import contextvars
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["ProgressFn", "StopFlag", "StopFn", "current_stop", "stop_requested", "stopping"]

#: ``progress(elapsed_s, cost_yuan)``, called on each improving solution.
ProgressFn = Callable[[float, float], None]
#: A stop request: a callable returning ``True`` to stop, or a :class:`threading.Event`.
StopFn = Callable[[], bool] | threading.Event


class StopFlag:
    """Stop requests from the caller (callable or Event) or from Ctrl-C (SIGINT).

    Calling the flag says whether the search should stop now; ``sigint`` is set by the
    Ctrl-C handler installed by :meth:`catching_sigint` (or by a backend that must end its
    search because a callback failed).
    """

    def __init__(self, stop: StopFn | None) -> None:
        self._stop = stop
        self.sigint = False

    def __call__(self) -> bool:
        if self.sigint:
            return True
        if self._stop is None:
            return False
        if isinstance(self._stop, threading.Event):
            return self._stop.is_set()
        return bool(self._stop())

    @contextlib.contextmanager
    def catching_sigint(self) -> Iterator[None]:
        """Turn Ctrl-C into a stop request while solving (main thread only), so the best
        plan so far is returned instead of being lost with a traceback."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, frame: Any) -> None:
            self.sigint = True

        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


_SCOPED: contextvars.ContextVar[StopFn | None] = contextvars.ContextVar(
    "routing_scoped_stop", default=None
)


@contextlib.contextmanager
def stopping(stop: StopFn | None) -> Iterator[None]:
    """Every search started inside this block (that is not given its own ``stop``) stops
    when ``stop`` says so (module docstring)."""
    token = _SCOPED.set(stop)
    try:
        yield
    finally:
        _SCOPED.reset(token)


def current_stop() -> StopFn | None:
    """The stop request of the innermost :func:`stopping` block, or ``None``."""
    return _SCOPED.get()


def stop_requested(stop: StopFn | None = None) -> bool:
    """Whether ``stop`` (default: :func:`current_stop`) asks to stop now."""
    stop = current_stop() if stop is None else stop
    if stop is None:
        return False
    return stop.is_set() if isinstance(stop, threading.Event) else bool(stop())
