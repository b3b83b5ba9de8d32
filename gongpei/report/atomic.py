"""Write files so that a reader never sees half of one.

Each writer goes to a temporary file in the target's folder (same file system, so the final
``os.replace`` is an atomic rename) and renames it onto the target only after the content is
complete and flushed. A crash, a full disk or Ctrl-C leaves either the old file or none, plus
at worst a hidden ``.<name>.*.tmp`` that the next successful write does not depend on.

The report writes ``summary.json`` last with these helpers, so its presence means the whole
output folder is complete.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "atomic_write_bytes", "atomic_write_text"]


@functools.cache
def _default_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give (0o666 minus the umask); ``mkstemp``
    alone would leave 0o600. Read once: reading the umask means setting it briefly."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; rename it onto ``path`` on success.

    If the ``with`` body raises, the temporary file is removed and ``path`` is untouched.
    ``mode`` is ``"w"`` (text) or ``"wb"`` (bytes); for CSV pass ``newline=""``.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open: mode = {mode!r}: must be 'w' or 'wb'")
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        if mode == "wb":
            f: IO[Any] = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _default_mode())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (newlines written as given)."""
    with atomic_open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb", encoding=None) as f:
        f.write(data)
