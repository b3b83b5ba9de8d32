"""Ctrl-C for a long command: the first stops the search and keeps the best plan, a second
aborts at once, and no process is left behind either way.

The day is computed in a worker thread while the main thread waits and owns SIGINT (the
solver backends only take over SIGINT on the main thread, so here they leave it to us and
follow the ``stop`` event instead):

* first Ctrl-C — :attr:`CtrlC.stop` is set and the console says that the rounds' search
  is stopping and the plan will be the best found so far; the run finishes quickly (the
  comparisons not yet done are skipped) and writes its outputs;
* second Ctrl-C — every child process (the portfolio's PyVRP search, the baselines' pool
  workers) is terminated, then killed if it lingers, and the process exits with status 130
  without running interpreter shutdown (whose atexit hooks would wait for those workers).

Worker processes forked while the handler is installed inherit it; it does nothing in any
process but the one that installed it, so an idle pool worker does not die with a traceback.

Every long command (``run``, ``compare``, ``replan``, ``week``, ``frontier``, ``sweep``,
``province``) runs through :func:`run_interruptible`: the work gets the stop event, and every
search started inside it follows that event too (:func:`routing.callbacks.stopping`). For
the studies (sweeps, the province) the first Ctrl-C starts no new task and the outputs of
the tasks done are written, marked partial (:data:`STUDY_MESSAGE`).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import Any, TypeVar

import click

__all__ = [
    "EXIT_ABORTED",
    "POINTS_MESSAGE",
    "STUDY_MESSAGE",
    "CtrlC",
    "interruptible",
    "kill_children",
    "run_in_worker",
    "run_interruptible",
]

#: Exit status after a second Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_ABORTED = 130

T = TypeVar("T")

FIRST_MESSAGE = (
    "gongpei: Ctrl-C: stopping the search; the plan will be the best found so far and the "
    "comparisons not yet done are skipped (Ctrl-C again aborts at once)"
)
SECOND_MESSAGE = "gongpei: second Ctrl-C: aborted; this run's outputs are not complete"
#: The first Ctrl-C of ``gongpei frontier``.
POINTS_MESSAGE = (
    "gongpei: Ctrl-C: no new point is started; the points done are written (Ctrl-C again "
    "aborts at once)"
)
#: The first Ctrl-C of a study of many tasks (a sweep, the province).
STUDY_MESSAGE = (
    "gongpei: Ctrl-C: no new runs are started; the runs done are written, marked partial "
    "(Ctrl-C again aborts at once)"
)


def kill_children(grace_s: float = 1.0) -> None:
    """Terminate every descendant process of this one, then kill what is still alive."""
    import psutil

    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=grace_s)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=grace_s)


#: The read end of the active CtrlC's wakeup pipe (``None`` when none is installed).
_WAKEUP: list[int] = []


def _forget_wakeup_in_child() -> None:
    """A forked child must not write its own SIGINTs into the parent's wakeup pipe."""
    if _WAKEUP:
        with contextlib.suppress(ValueError, OSError):
            signal.set_wakeup_fd(-1)


os.register_at_fork(after_in_child=_forget_wakeup_in_child)


class CtrlC:
    """Context manager: install the two-step SIGINT handler (main thread only).

    Python runs a signal handler only on the main thread and only when it holds the GIL;
    while a solver's C++ search holds it, two quick Ctrl-Cs reach the handler as one call.
    So every SIGINT is also counted through a wakeup pipe (``signal.set_wakeup_fd``, one byte
    per signal, written by the C-level handler) and the handler reads how many came.
    """

    def __init__(self, first_message: str = FIRST_MESSAGE) -> None:
        self.first_message = first_message
        self.stop = threading.Event()
        self._owner = os.getpid()
        self._previous: Any = None
        self._pipe: tuple[int, int] | None = None
        self._old_fd = -1

    def _presses(self) -> int:
        if self._pipe is None:
            return 1
        data = b""
        with contextlib.suppress(BlockingIOError, OSError):
            while chunk := os.read(self._pipe[0], 512):
                data += chunk
        return max(1, data.count(bytes([signal.SIGINT])))

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if os.getpid() != self._owner:  # a forked worker inherited the handler
            return
        presses = self._presses()
        if not self.stop.is_set() and presses == 1:
            self.stop.set()
            click.echo(self.first_message, err=True)
            return
        self._abort(signum, frame)

    def _abort(self, signum: int, frame: FrameType | None) -> None:
        if os.getpid() != self._owner:
            return
        click.echo(SECOND_MESSAGE, err=True)
        sys.stderr.flush()
        sys.stdout.flush()
        kill_children()
        os._exit(EXIT_ABORTED)

    def __enter__(self) -> CtrlC:
        if threading.current_thread() is threading.main_thread():
            r, w = os.pipe()
            os.set_blocking(r, False)
            os.set_blocking(w, False)
            self._pipe = (r, w)
            self._old_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
            _WAKEUP.append(r)
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pipe is None:
            return
        # After a first Ctrl-C, a second one while the command ends (its last lines, the
        # interpreter's shutdown) still aborts with exit 130, never a traceback.
        signal.signal(signal.SIGINT, self._abort if self.stop.is_set() else self._previous)
        signal.set_wakeup_fd(self._old_fd)
        _WAKEUP.remove(self._pipe[0])
        for fd in self._pipe:
            os.close(fd)
        self._pipe = None


def run_in_worker(func: Callable[[], T]) -> T:
    """Run ``func`` in a worker thread and return its result (or raise its exception) while
    the main thread stays free to run signal handlers. The thread runs in a copy of the
    caller's :mod:`contextvars` context (a scoped stop request reaches it)."""
    box: dict[str, object] = {}
    context = contextvars.copy_context()

    def work() -> None:
        try:
            box["result"] = func()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=lambda: context.run(work), name="gongpei-day", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.1)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


@contextlib.contextmanager
def interruptible(first_message: str = FIRST_MESSAGE) -> Iterator[CtrlC]:
    """A block under :class:`CtrlC` in which every search follows its stop event
    (:func:`routing.callbacks.stopping`). Compute with :func:`run_in_worker` inside it and
    write the outputs inside it too, so that a second Ctrl-C while writing still aborts
    with exit 130 rather than a traceback."""
    from routing.callbacks import stopping

    with CtrlC(first_message) as ctrl_c, stopping(ctrl_c.stop):
        yield ctrl_c


def run_interruptible(
    func: Callable[[threading.Event], T], *, first_message: str = FIRST_MESSAGE
) -> tuple[T, bool]:
    """``func(stop)`` in a worker thread inside :func:`interruptible`; returns its result
    and whether a first Ctrl-C came (the result is then the best so far, or partial)."""
    with interruptible(first_message) as ctrl_c:
        result = run_in_worker(lambda: func(ctrl_c.stop))
    return result, ctrl_c.stop.is_set()
