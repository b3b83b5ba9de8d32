"""Claiming an output folder before a day is computed, and staging its files.

Two runs writing into one folder used to interleave (``summary.json`` from one seed, the CSV
files and ``plan.json`` from the other), and an unwritable ``--out`` failed only after the whole
day had been computed. So ``gongpei run`` first *claims* the folder:

* it creates the folder (and its parents) and proves it can write there — a read-only file
  system, a path through a regular file or a missing permission is one line and exit 2,
  before anything is simulated;
* it takes an exclusive, non-blocking ``flock`` on ``<out>/.gongpei.lock`` for the whole run;
  a second run on the same folder is refused at once, naming the process that holds it.
  The kernel drops the lock when the holder exits, however it exits, so a crashed run never
  leaves a stale lock behind.

:func:`gongpei.report.files.write_outputs` then writes every file into a hidden staging folder
inside ``out`` and moves them in only when all are complete, ``summary.json`` last; a write
that fails part-way (a full disk) raises :class:`OutputWriteError` and leaves no
``summary.json``, so nothing in the folder looks like a finished run.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["LOCK_NAME", "OutputFolderError", "OutputWriteError", "claim_output"]

#: The lock file inside an output folder (hidden; it stays, the lock itself does not).
LOCK_NAME = ".gongpei.lock"


class OutputFolderError(Exception):
    """The output folder cannot be used (not creatable, not writable, or in use by another
    run); the message is one line naming the folder and the cause."""


class OutputWriteError(OSError):
    """Writing the output files failed part-way (a full disk, say). The folder holds no
    ``summary.json``, so it does not look finished."""

    def __init__(self, folder: Path, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror)
        self.folder = folder
        self.cause = cause

    def __str__(self) -> str:
        what = self.cause.strerror or str(self.cause)
        where = f" ({self.cause.filename})" if self.cause.filename else ""
        return (
            f"{self.folder}: writing the outputs failed: {what}{where}; the folder holds no "
            "summary.json, so this run's outputs are incomplete"
        )


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "a part of the path is a file, not a folder"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    return exc.strerror or type(exc).__name__


@contextlib.contextmanager
def claim_output(out: str | os.PathLike[str]) -> Iterator[Path]:
    """Create ``out``, check it is writable and hold its lock while the ``with`` body runs.

    Raises :class:`OutputFolderError` (one line) before the body runs when the folder cannot
    be created or written, or when another process holds its lock.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(f"{folder}: output folder is a file, not a folder")
    created = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFolderError(
            f"{folder}: cannot create the output folder: {_reason(exc)}"
        ) from None
    lock_path = folder / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputFolderError(
            f"{folder}: output folder is not writable: {_reason(exc)}"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise OutputFolderError(
                f"{folder}: another gongpei run (pid {holder}) is writing this output folder; "
                "wait for it to finish or choose another --out"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            probe = folder / f".gongpei-probe.{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise OutputFolderError(
                f"{folder}: output folder is not writable: {_reason(exc)}"
            ) from None
        try:
            yield folder
        except BaseException:
            # A run rejected before it wrote anything (bad input found while computing)
            # leaves no folder behind that it made itself.
            if created and {p.name for p in folder.iterdir()} <= {LOCK_NAME}:
                with contextlib.suppress(OSError):
                    lock_path.unlink()
                    for made in created:
                        made.rmdir()
            raise
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
