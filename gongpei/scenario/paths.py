"""Where a scenario's data files are: paths relative to the scenario file, or ``gongpei:NAME``
for a file shipped with gongpei (``gongpei/county/data``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path, PurePosixPath

BUILTIN_PREFIX = "gongpei:"


#: The embedded default: Suichang county, a normal weekday.
DEFAULT_SCENARIO = "gongpei:suichang.toml"


def builtin_path(name: str) -> Path:
    """The file ``name`` shipped in ``gongpei/county/data`` (ValueError for a name that
    would leave that folder)."""
    problem = builtin_name_problem(name)
    if problem:
        raise ValueError(f"{BUILTIN_PREFIX}{name}: {problem}")
    return Path(str(resources.files("gongpei.county") / "data" / name))


def builtin_name_problem(name: str) -> str | None:
    """Why ``gongpei:NAME`` cannot name a shipped file (``..`` or an absolute path would reach
    any file on the machine, e.g. ``gongpei:../../../../etc/passwd``), or None."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not name or name.startswith(("/", "\\")) or ".." in parts or ":" in name:
        return "gongpei:NAME names a file shipped with gongpei (no '..', no absolute path)"
    return None


def resolve_data_path(value: str, base_dir: Path) -> Path:
    if value.startswith(BUILTIN_PREFIX):
        return builtin_path(value[len(BUILTIN_PREFIX) :])
    p = Path(value).expanduser()
    return p if p.is_absolute() else base_dir / p
