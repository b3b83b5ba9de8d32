"""One way to run independent, seeded tasks: serially, or on Dask distributed.

Sweeps (replications of layouts) and province runs (one day per county) both hand a list of
independent tasks here. Serial is the default, so notebooks never hang on a pool; parallel is
opt-in: a ``LocalCluster`` of single-threaded worker *processes* started and closed here, a
scheduler address for a real cluster, or a ``Client`` the caller owns. Workers are not
daemonic, so a task may start child processes of its own (a county day's baselines on a
process pool). Results come back in the order the tasks were given, wherever and in whatever
order they ran: every task carries its own seed, so the answer does not depend on where it ran.

A ``stop`` event (the first Ctrl-C of ``gongpei sweep``/``province``) starts no new task: the
tasks finished before it keep their results, the others come back as ``None`` (a task that
was running is cancelled, or — run here — its result is not counted, since its searches
were cut short by the same request).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = ["Tick", "run_tasks"]

#: Called once per finished task (progress bars).
Tick = Callable[[], None]


def run_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    submit_order: Sequence[int] | None = None,
    tick: Tick | None = None,
    stop: threading.Event | None = None,
) -> list[Any]:
    """``[fn(*t) for t in tasks]``, serially or on Dask, in the order of ``tasks``.

    Args:
        workers: > 1 starts a local cluster of that many worker processes (closed here);
            ``None`` or 1 runs serially in this process.
        scheduler: address of a running Dask scheduler (its workers need gongpei and the
            scenario's data files at the same paths).
        client: an existing ``dask.distributed.Client`` (not closed here).
        submit_order: the order to start tasks in (e.g. largest first, so the workers
            finish together); results still follow ``tasks``.
        tick: called after each finished task.
        stop: once set, no new task starts; tasks not finished by then give ``None``.
    """
    order = list(range(len(tasks))) if submit_order is None else list(submit_order)
    if sorted(order) != list(range(len(tasks))):
        raise ValueError("submit_order must be a permutation of the task indices")
    done = tick or (lambda: None)
    stopped = stop.is_set if stop is not None else (lambda: False)
    if client is None and scheduler is None and (workers is None or workers <= 1):
        results: dict[int, Any] = {}
        for k in order:
            if stopped():
                break
            result = fn(*tasks[k])
            if stopped():
                break  # the stop came while it ran: its searches were cut short
            results[k] = result
            done()
        return [results.get(k) for k in range(len(tasks))]
    if client is not None:
        return _on_client(client, fn, tasks, order, done, stop)

    from distributed import Client

    if scheduler is not None:
        with Client(scheduler) as cl:
            return _on_client(cl, fn, tasks, order, done, stop)

    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}), _workers_ignore_ctrl_c():
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # logging.CRITICAL: a task's error reaches the caller through its future; the
            # workers' own ERROR lines are their shutdown after Ctrl-C (a KeyboardInterrupt
            # traceback from their event loop, even with SIGINT ignored at their start)
            silence_logs=50,
        )
    try:
        with Client(cluster) as cl:
            return _on_client(cl, fn, tasks, order, done, stop)
    finally:
        cluster.close()


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start worker processes with SIGINT ignored (inherited through their exec): Ctrl-C at
    a terminal reaches the whole process group, and this process alone should answer it
    (stop, or abort and kill its children). This alone did not keep a worker's event loop
    from logging a KeyboardInterrupt traceback on a second Ctrl-C (flaky
    ``test_sweep_on_dask_second_ctrl_c_aborts_and_leaves_no_worker``; Dask's worker may
    install its own handler); ``silence_logs`` at CRITICAL is what keeps that line out of
    the user's terminal. Both stay: the clean runs since do not show which one they owe to."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _on_client(
    client: Any,
    fn: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    order: Sequence[int],
    tick: Tick,
    stop: threading.Event | None = None,
) -> list[Any]:
    from distributed import as_completed

    futures = {client.submit(fn, *tasks[k], pure=False): k for k in order}
    results: dict[int, Any] = {}
    try:
        if stop is None:
            for fut in as_completed(list(futures)):
                results[futures[fut]] = fut.result()
                tick()
        else:  # poll, so that a stop request is seen between completions
            pending = list(futures)
            while pending and not stop.is_set():
                finished = [f for f in pending if f.done()]
                for fut in finished:
                    results[futures[fut]] = fut.result()
                    tick()
                pending = [f for f in pending if futures[f] not in results]
                if pending and not finished:
                    time.sleep(0.1)
    finally:
        client.cancel([f for f in futures if not f.done()])
    return [results.get(k) for k in range(len(tasks))]
