"""Where a scenario's data files are: paths relative to the scenario file, or ``gongpei:NAME``
for a file shipped with gongpei (``gongpei/county/data``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

BUILTIN_PREFIX = "gongpei:"


#: The embedded default: Suichang county, a normal weekday.
DEFAULT_SCENARIO = "gongpei:suichang.toml"


def builtin_path(name: str) -> Path:
    """The file ``name`` shipped in ``gongpei/county/data``."""
    return Path(str(resources.files("gongpei.county") / "data" / name))


def resolve_data_path(value: str, base_dir: Path) -> Path:
    if value.startswith(BUILTIN_PREFIX):
        return builtin_path(value[len(BUILTIN_PREFIX) :])
    p = Path(value).expanduser()
    return p if p.is_absolute() else base_dir / p
