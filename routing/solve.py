"""One entry point for every backend, and the ``auto`` portfolio.

``solve(problem, backend)`` runs OR-Tools (:mod:`routing.ortools_backend`), PyVRP
(:mod:`routing.pyvrp_backend`) or both, and always returns a :class:`~routing.plan.Plan`
that has been through the independent checker :func:`routing.check.check`: violations are
listed in ``plan.meta["violations"]`` and the status becomes ``"invalid"`` — never hidden.

``auto`` uses the two cores of the machines this runs on. One core runs PyVRP in a child
process on the whole budget — the very run ``backend="pyvrp"`` makes. The other core runs
a second PyVRP search with another seed (``seed + 1``), also on the whole budget and in a
child process of its own, while the calling process only relays progress and waits. So
``auto`` is the better of two PyVRP searches side by side, as a user of plain PyVRP with
two cores would run them; when every village is required, each search is plain PyVRP's own
(the same data, parameters and penalties, :mod:`routing.pyvrp_search`), so ``auto`` cannot
be behind two plain seeds by more than what the clock gives either. (An arc-cost penalty
start on one core, for diversity, measured no better on the benchmark sets and worse on
the Suichang day: ``routing.pyvrp_search.initial_penalties``.) OR-Tools is the safety net:
it runs on the second core only when it is needed — on ``ORTOOLS_SHARE`` of the budget
before the second PyVRP search when the fleet cannot carry the day (its constructed first
solution serves more villages on tight days) or the budget is short (``SHORT_SEARCH_S``),
or on what is left when the second PyVRP search raises. Every plan is checked; among those
that pass, the one with fewer unserved villages wins, then the cheaper one (ties:
OR-Tools, then the first PyVRP run, for a stable answer). ``plan.meta["portfolio"]``
records every outcome, and why a run was skipped.
Second trips (``VehicleType.max_trips`` > 1) only PyVRP models: ``auto`` runs OR-Tools,
where it would, on ``Problem.one_trip()`` (a valid, less able plan); ``"ortools"`` raises.

Why that split (issue 16): OR-Tools' guided local search stays 1–14 % above PyVRP on the
benchmark sets and on the Suichang day and barely moves after its first seconds. The
earlier split (OR-Tools on a quarter of the second core, a second PyVRP seed on the rest)
left ``auto`` on two cores no better than PyVRP on one, and behind two plain-PyVRP seeds
side by side; a full second seed puts the second core where plain PyVRP would put it.

``time_limit_s`` is the search budget, as plain PyVRP's ``MaxRuntime``: each search gets it
in full, and building the model before it and checking and choosing the plans after it
come on top (a few tenths of a second: the benchmarks report every call's wall time).
Until issue 16 a reserve was kept back from the search for that work; it gave the search
less time than plain PyVRP gets at the same budget, which on the same trajectory can only
lose.

Determinism: with a wall-clock limit the amount of search depends on machine load, so the
result may differ between runs. ``deterministic=True`` bounds each backend by work instead
of wall time (OR-Tools: ``solution_limit`` accepted solutions, default
``DETERMINISTIC_SOLUTIONS``; PyVRP: ``max_iterations``), and ``time_limit_s`` is replaced by
a safety cap of ``DETERMINISTIC_WALL_CAP_S`` — so a deterministic solve can take longer
than ``time_limit_s`` on big problems (measured: ~15–70 OR-Tools solutions/s at 200
villages, ~1,000–5,000/s at 6). If the cap binds first, ``plan.meta["deterministic"]`` is
``False``. Same problem + seed + deterministic ⇒ the same plan.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import queue
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from routing.callbacks import ProgressFn, StopFn
from routing.fleet import OBJECTIVES, fewest_vans
from routing.pick import checked_plan, choose_plan, is_deterministic
from routing.plan import Plan
from routing.problem import Problem

__all__ = [
    "BACKENDS",
    "DETERMINISTIC_PYVRP_ITERATIONS",
    "DETERMINISTIC_SOLUTIONS",
    "DETERMINISTIC_WALL_CAP_S",
    "ORTOOLS_SHARE",
    "solve",
]

BACKENDS = ("ortools", "pyvrp", "auto")
#: Share of the search budget OR-Tools gets in ``auto``; a second PyVRP seed gets the rest.
ORTOOLS_SHARE = 0.25
#: Below this search budget the second core still starts with OR-Tools (its constructed
#: first solution): PyVRP from a random start has not settled on a 200-village day within a
#: second or two (a 1 s ``auto`` on the test county day gave a van of its own to the village
#: at the hub), and the baselines run many small problems at 2 s.
SHORT_SEARCH_S = 5.0
#: A second PyVRP search shorter than this is not started.
MIN_SECOND_SEARCH_S = 0.5
#: OR-Tools solutions accepted in deterministic mode (when ``solution_limit`` is not given).
DETERMINISTIC_SOLUTIONS = 500
#: PyVRP iterations in deterministic mode (when ``max_iterations`` is not given).
DETERMINISTIC_PYVRP_ITERATIONS = 1000

#: Deterministic mode stops on work, not time; this wall-clock cap only guards runaways.
DETERMINISTIC_WALL_CAP_S = 3600.0


def solve(
    problem: Problem,
    backend: str = "ortools",
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    progress: ProgressFn | None = None,
    deterministic: bool = False,
    stop: StopFn | None = None,
    solution_limit: int | None = None,
    max_iterations: int | None = None,
    objective: str = "cost",
) -> Plan:
    """Solve the day's rounds with ``backend`` (``"ortools"``, ``"pyvrp"`` or ``"auto"``).

    ``progress(elapsed_s, cost_yuan)`` is called on each backend's improving solutions
    (in ``auto`` mode from both backends, the PyVRP ones from a helper thread, serialised
    by a lock; the two streams interleave). ``stop`` (callable or
    ``threading.Event``; default: that of an enclosing :func:`routing.callbacks.stopping`
    block) or Ctrl-C ends the search and returns the best plan so far with
    status ``"interrupted"``. ``solution_limit`` (OR-Tools) and ``max_iterations`` (PyVRP)
    bound the search by work (together with ``time_limit_s``); ``deterministic=True`` sets
    them to defaults when absent and lifts the wall-clock limit (module docstring).
    ``seed`` seeds PyVRP; OR-Tools routing has no seed, there it only breaks ties in the
    first-solution construction. ``objective="fewest_vans"``: :func:`routing.fleet.fewest_vans`.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend = {backend!r}: expected one of {BACKENDS}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective = {objective!r}: expected one of {OBJECTIVES}")
    if stop is None:  # a stop request scoped over the caller's searches (routing.callbacks)
        from routing.callbacks import current_stop

        stop = current_stop()
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s = {time_limit_s!r}: must be > 0")
    if deterministic:
        solution_limit = solution_limit or DETERMINISTIC_SOLUTIONS
        max_iterations = max_iterations or DETERMINISTIC_PYVRP_ITERATIONS
        time_limit_s = max(time_limit_s, DETERMINISTIC_WALL_CAP_S)
    t0 = time.perf_counter()
    search = _Search(
        time_limit_s, seed, progress, stop, solution_limit, max_iterations, descent=deterministic
    )
    if objective == "fewest_vans":
        plan = fewest_vans(problem, backend, search, _solve, checked_plan)
    else:
        plan = _solve(problem, backend, search)
    meta = dict(plan.meta)
    if backend != "auto":
        meta["deterministic"] = is_deterministic(plan, solution_limit, max_iterations)
    return dataclasses.replace(plan, meta=meta, wall_s=time.perf_counter() - t0)


@dataclasses.dataclass(frozen=True)
class _Search:
    """One ``solve`` call's search settings, handed on to the backends and the portfolio
    (``time_limit_s`` is each search's budget, as PyVRP's ``MaxRuntime``)."""

    time_limit_s: float
    seed: int
    progress: ProgressFn | None
    stop: StopFn | None
    solution_limit: int | None
    max_iterations: int | None
    descent: bool

    def ortools(
        self, problem: Problem, time_limit_s: float | None = None, one_trip: bool = True
    ) -> Plan:
        """OR-Tools (``one_trip``: second trips planned as one trip per van, else it raises)."""
        budget = self.time_limit_s if time_limit_s is None else time_limit_s
        one = problem.one_trip() if one_trip else problem
        plan = _run_ortools(
            one, budget, self.seed, self.progress, self.stop, self.solution_limit, self.descent
        )
        note = {"trips": "one trip per van (OR-Tools has no trips)"} if one is not problem else {}
        return dataclasses.replace(plan, meta={**plan.meta, **note}) if note else plan

    def pyvrp(
        self,
        problem: Problem,
        time_limit_s: float | None = None,
        seed_offset: int = 0,
    ) -> Plan:
        """PyVRP with these settings (on ``time_limit_s`` when given; seed + ``seed_offset``)."""
        budget = self.time_limit_s if time_limit_s is None else time_limit_s
        return _run_pyvrp(
            problem,
            budget,
            self.seed_at(seed_offset),
            self.progress,
            self.stop,
            self.max_iterations,
        )

    def seed_at(self, seed_offset: int) -> int:
        """The PyVRP seed of the search ``seed_offset`` places after this call's own."""
        return (self.seed + seed_offset) % 2**32

    def ortools_on_what_is_left(self, problem: Problem, since: float) -> Plan:
        """OR-Tools on the budget left since ``since`` (``perf_counter``; at least
        ``MIN_SECOND_SEARCH_S``): the fallback when a second PyVRP search raised."""
        left = self.time_limit_s - (time.perf_counter() - since)
        return self.ortools(problem, max(MIN_SECOND_SEARCH_S, left))


def _solve(problem: Problem, backend: str, search: _Search) -> Plan:
    if backend == "ortools":
        return checked_plan(search.ortools(problem, one_trip=False), problem)
    if backend == "pyvrp":
        return checked_plan(search.pyvrp(problem), problem)
    return _portfolio(problem, search)


# -- single backends -------------------------------------------------------------------
def _run_ortools(
    problem: Problem,
    time_limit_s: float,
    seed: int,
    progress: ProgressFn | None,
    stop: StopFn | None,
    solution_limit: int | None,
    descent: bool = False,
) -> Plan:
    """OR-Tools; ``descent`` (work-bounded, deterministic runs): a search that ends by itself,
    greedy descent to a local optimum, instead of guided local search."""
    from routing.ortools_backend import solve_ortools

    return solve_ortools(
        problem,
        time_limit_s=time_limit_s,
        seed=seed,
        progress=progress,
        stop=stop,
        solution_limit=solution_limit,
        descent=descent,
    )


def _run_pyvrp(
    problem: Problem,
    time_limit_s: float,
    seed: int,
    progress: ProgressFn | None,
    stop: StopFn | None,
    max_iterations: int | None,
) -> Plan:
    from routing.pyvrp_backend import solve_pyvrp

    sigint = threading.Event()

    def stopped() -> bool:
        return sigint.is_set() or _stop_requested(stop)

    with _sigint_sets(sigint):
        plan = solve_pyvrp(
            problem,
            time_limit_s=time_limit_s,
            seed=seed,
            progress=progress,
            stop=stopped,
            max_iterations=max_iterations,
        )
    if plan.meta.get("interrupted") and plan.status != "interrupted":
        plan = dataclasses.replace(plan, status="interrupted")
    return plan


def _stop_requested(stop: StopFn | None) -> bool:
    """Whether the caller asked to stop (``stop`` is a callable or a ``threading.Event``)."""
    if stop is None:
        return False
    return stop.is_set() if isinstance(stop, threading.Event) else bool(stop())


@contextlib.contextmanager
def _sigint_sets(event: threading.Event) -> Iterator[None]:
    """While solving, Ctrl-C sets ``event`` (a stop request) instead of raising, so the
    best plan so far survives. Only the main thread can install signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: event.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# -- portfolio --------------------------------------------------------------------------
def _pyvrp_child(
    problem: Problem,
    time_limit_s: float,
    seed: int,
    max_iterations: int | None,
    out: Any,
    stop_event: Any,
) -> None:
    """Child process: PyVRP with progress and the result sent back over ``out``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent turns Ctrl-C into stop_event
    try:
        plan = _run_pyvrp(
            problem,
            time_limit_s,
            seed,
            lambda t, c: out.put(("progress", t, c)),
            stop_event.is_set,
            max_iterations,
        )
        out.put(("plan", plan))
    except BaseException as exc:  # report, never hang the parent
        out.put(("error", f"{type(exc).__name__}: {exc}"))


class _ChildSearch:
    """A PyVRP search (``seed + seed_offset``, the whole budget) in a forked child process;
    a reader thread relays its progress to ``report`` and keeps its result."""

    def __init__(
        self,
        ctx: Any,
        problem: Problem,
        search: _Search,
        seed_offset: int,
        stop_event: Any,
        report: ProgressFn,
    ) -> None:
        self._out = ctx.Queue()
        self._result: list[Any] = []
        seed = search.seed_at(seed_offset)
        self._process = ctx.Process(
            target=_pyvrp_child,
            args=(problem, search.time_limit_s, seed, search.max_iterations, self._out, stop_event),
            daemon=True,
        )
        self._process.start()
        self._thread = threading.Thread(
            target=self._read, args=(search.time_limit_s, report), daemon=True
        )
        self._thread.start()

    def _read(self, time_limit_s: float, report: ProgressFn) -> None:
        deadline = time.perf_counter() + time_limit_s + 60.0
        while time.perf_counter() < deadline:
            try:
                msg = self._out.get(timeout=0.2)
            except queue.Empty:
                if not self._process.is_alive() and self._out.empty():
                    self._result.append(("error", "PyVRP process ended without a result"))
                    return
                continue
            if msg[0] == "progress":
                report(msg[1], msg[2])
            else:
                self._result.append(msg)
                return
        self._result.append(("error", "PyVRP process did not answer in time"))

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float) -> None:
        self._thread.join(timeout=timeout)

    def result(self) -> Plan | str:
        """The child's plan or error message (after :attr:`running` turned false)."""
        self._process.join(timeout=5.0)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        return self._result[0][1] if self._result else "no result"


def _portfolio(problem: Problem, search: _Search) -> Plan:
    """The parallel portfolio. When PyVRP alone is needed (:func:`_pyvrp_only`), both
    searches run in child processes and this process only relays progress and waits: the
    two searches then stand as two plain-PyVRP runs side by side (issue 16: run in this
    process, the second search shared its core with the relay threads and made ~1 % fewer
    iterations than a plain seed). Otherwise this process runs OR-Tools, then a second PyVRP
    search (:func:`_second_core`)."""
    if mp.current_process().daemon:
        # Daemonic processes (e.g. Dask workers) may not start children: run on one core,
        # one after the other, and say so.
        return _portfolio_sequential(problem, search)
    progress, stop = search.progress, search.stop
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    stop_event = ctx.Event()
    lock = threading.Lock()
    t0 = time.perf_counter()

    def report(elapsed: float, cost: float) -> None:
        if progress is not None:
            with lock:
                progress(time.perf_counter() - t0, cost)

    sigint = threading.Event()

    def stop_both() -> bool:
        requested = sigint.is_set() or _stop_requested(stop)
        if requested:
            stop_event.set()
        return requested

    def wait_for(children: list[_ChildSearch]) -> None:
        while any(c.running for c in children):
            for c in children:
                c.wait(timeout=0.1)
            stop_both()  # Ctrl-C or a stop request while waiting stops the children

    here = dataclasses.replace(search, progress=report, stop=stop_both)
    # Ctrl-C at any moment of the portfolio (not only inside a backend's search) is a stop.
    with _sigint_sets(sigint):
        first = _ChildSearch(ctx, problem, search, 0, stop_event, report)
        ortools_plan: Plan | str | None
        second: Plan | str | None
        if _pyvrp_only(problem, search):
            other = _ChildSearch(ctx, problem, search, 1, stop_event, report)
            wait_for([first, other])
            second, ortools_plan = other.result(), None
            if isinstance(second, str):  # the second search raised
                ortools_plan = here.ortools_on_what_is_left(problem, t0)
        else:
            ortools_plan, second = _second_core(problem, here, seed_offset=1)
            if sigint.is_set() or any(
                isinstance(p, Plan) and p.status == "interrupted" for p in (ortools_plan, second)
            ):
                stop_event.set()  # Ctrl-C reached this process; end PyVRP's child too
            wait_for([first])
    runs = {"ortools": ortools_plan, "pyvrp": first.result(), "pyvrp_second": second}
    return choose_plan(problem, runs, "parallel", search)


def _pyvrp_only(problem: Problem, search: _Search) -> bool:
    """Whether the second core runs PyVRP alone: the fleet can carry the day
    (:func:`routing.pyvrp_backend.fleet_can_carry`) and the budget is at least
    ``SHORT_SEARCH_S``; else OR-Tools' constructed first solution is worth its share."""
    from routing.pyvrp_backend import fleet_can_carry

    return fleet_can_carry(problem) and search.time_limit_s >= SHORT_SEARCH_S


def _second_core(
    problem: Problem, search: _Search, seed_offset: int
) -> tuple[Plan | str | None, Plan | str | None]:
    """(OR-Tools, PyVRP with ``seed + seed_offset``) on one core, within the search budget.

    When the fleet can carry the day (:func:`routing.pyvrp_backend.fleet_can_carry`) and
    the budget is at least ``SHORT_SEARCH_S``, PyVRP gets the whole budget and OR-Tools runs
    only if PyVRP raises (on what is left). Otherwise OR-Tools first, on ``ORTOOLS_SHARE`` of
    the budget, then PyVRP on the rest.
    Each entry is a
    plan, an error message, or ``None`` (not run: not needed, no time left, or a stop was
    requested)."""
    t0 = time.perf_counter()
    if _pyvrp_only(problem, search):
        try:
            return None, search.pyvrp(problem, seed_offset=seed_offset)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        return search.ortools_on_what_is_left(problem, t0), error
    ortools_plan = search.ortools(problem, ORTOOLS_SHARE * search.time_limit_s)
    left = search.time_limit_s - (time.perf_counter() - t0)
    stopped = ortools_plan.status == "interrupted" or _stop_requested(search.stop)
    if stopped or left < MIN_SECOND_SEARCH_S:
        return ortools_plan, None
    try:
        second: Plan | str = search.pyvrp(problem, left, seed_offset)
    except Exception as exc:
        second = f"{type(exc).__name__}: {exc}"
    return ortools_plan, second


def _portfolio_sequential(problem: Problem, search: _Search) -> Plan:
    """One core: what the second core does in parallel mode, with this call's own seed (so a
    day that the fleet can carry gets exactly ``backend="pyvrp"``'s run)."""
    ortools_plan, second = _second_core(problem, search, seed_offset=0)
    runs = {"ortools": ortools_plan, "pyvrp": second}
    return choose_plan(problem, runs, "sequential", search)
