"""Loading scenario files: read, validate everything up front, explain every fault in one line.

A scenario is a TOML file (schema in :mod:`gongpei.scenario.schema`). :func:`load_scenario`
returns a
frozen :class:`Scenario` or raises :class:`ScenarioError`, whose ``lines`` each name the file,
the field path and the value, e.g.::

    x.toml: fleet.vans[0].capacity_parcels = -5: must be > 0

Paths inside a scenario are relative to the file; ``gongpei:NAME`` names a file shipped with
the package (the embedded Suichang default uses these, so it runs from any folder).
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gongpei.scenario.schema import EVENT_KINDS, ScenarioModel

__all__ = [
    "BUILTIN_PREFIX",
    "DEFAULT_SCENARIO",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "load_scenario",
    "load_scenario_text",
]

BUILTIN_PREFIX = "gongpei:"
#: The embedded default: Suichang county, a normal weekday.
DEFAULT_SCENARIO = "gongpei:suichang.toml"


class ScenarioError(Exception):
    """A scenario cannot be used. ``lines`` holds one self-contained message per fault."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


def builtin_path(name: str) -> Path:
    """The file ``name`` shipped in ``gongpei/county/data``."""
    return Path(str(resources.files("gongpei.county") / "data" / name))


def resolve_data_path(value: str, base_dir: Path) -> Path:
    if value.startswith(BUILTIN_PREFIX):
        return builtin_path(value[len(BUILTIN_PREFIX) :])
    p = Path(value).expanduser()
    return p if p.is_absolute() else base_dir / p


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the typed model, where it came from, and its raw table (kept so
    overrides re-validate the whole file). Picklable, so sweeps can ship it to workers."""

    model: ScenarioModel
    source: str
    base_dir: Path
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.model.scenario.name

    @property
    def seed(self) -> int:
        return self.model.scenario.seed

    def path(self, value: str) -> Path:
        """A data path of this scenario resolved to a file."""
        return resolve_data_path(value, self.base_dir)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with values replaced by field path (``sorter.chute_capacity``)."""
        raw = apply_overrides(self.raw, overrides, source=self.source)
        return _validate(raw, self.source, self.base_dir)

    def with_seed(self, seed: int) -> Scenario:
        return self.with_overrides({"scenario.seed": int(seed)})

    @cached_property
    def fingerprint(self) -> str:
        """A stable JSON text of the whole validated scenario (for reports and caching)."""
        return json.dumps(self.model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario file (``None``: the embedded Suichang default)."""
    if path is None or str(path) == DEFAULT_SCENARIO:
        file = builtin_path("suichang.toml")
        return load_scenario_text(_read_text(file, DEFAULT_SCENARIO), DEFAULT_SCENARIO, file.parent)
    file = Path(path)
    shown = str(path)
    if not file.is_file():
        raise ScenarioError([f"{shown}: no such scenario file"])
    return load_scenario_text(_read_text(file, shown), shown, file.resolve().parent)


def load_scenario_text(text: str, source: str, base_dir: Path) -> Scenario:
    raw = _parse(text, source)
    raw = _resolve_extends(raw, source, base_dir, seen=())
    return _validate(raw, source, base_dir)


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{source}: not valid TOML: {exc}"]) from None


#: Data paths inside a scenario: made absolute when a base file is merged into another.
_DATA_PATHS = (
    ("county", "towns"),
    ("county", "villages"),
    ("county", "outline"),
    ("roads", "links"),
    ("roads", "graphml"),
)


def _resolve_extends(
    raw: dict[str, Any], source: str, base_dir: Path, seen: tuple[str, ...]
) -> dict[str, Any]:
    """Merge ``scenario.extends`` (recursively) under ``raw``."""
    meta = raw.get("scenario")
    extends = meta.get("extends") if isinstance(meta, dict) else None
    if extends is None:
        return raw
    if not isinstance(extends, str) or not extends:
        raise ScenarioError([f"{source}: scenario.extends = {show_value(extends)}: must be a path"])
    base_file = resolve_data_path(extends, base_dir)
    key = str(base_file.resolve()) if base_file.exists() else str(base_file)
    if key in seen:
        raise ScenarioError([f'{source}: scenario.extends = "{extends}": extends itself (a cycle)'])
    if not base_file.is_file():
        raise ScenarioError([f'{source}: scenario.extends = "{extends}": no such scenario file'])
    base_raw = _parse(_read_text(base_file, str(base_file)), str(base_file))
    base_raw = _resolve_extends(base_raw, str(base_file), base_file.parent, (*seen, key))
    for table, name in _DATA_PATHS:
        value = base_raw.get(table, {}).get(name) if isinstance(base_raw.get(table), dict) else None
        if isinstance(value, str) and not value.startswith(BUILTIN_PREFIX):
            base_raw[table][name] = str(resolve_data_path(value, base_file.parent))
    merged = _deep_merge(base_raw, raw)
    merged["scenario"].pop("extends", None)
    return merged


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in top.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _read_text(file: Path, shown: str) -> str:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ScenarioError([f"{shown}: cannot read: {exc.strerror}"]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [
                f"{shown}: not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} "
                "(save the file as UTF-8)"
            ]
        ) from None


def _validate(raw: Mapping[str, Any], source: str, base_dir: Path) -> Scenario:
    # JSON mode: TOML already typed every value, so no string is quietly made a number.
    # TOML dates/times become their ISO text (a clock time "05:00:00" parses as such).
    try:
        text = json.dumps(raw, default=str, ensure_ascii=False)
        model = ScenarioModel.model_validate_json(text)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, source)) from None
    scenario = Scenario(model=model, source=source, base_dir=base_dir, raw=copy.deepcopy(raw))
    from gongpei.scenario.checks import (
        check_scenario_data,  # needs the data files: after the schema
    )

    problems = check_scenario_data(scenario)
    if problems:
        raise ScenarioError(f"{source}: {p}" for p in problems)
    return scenario


# ---------------------------------------------------------------------------------------------
def format_path(loc: Iterable[Any]) -> str:
    """``('fleet', 'vans', 0, 'capacity')`` → ``fleet.vans[0].capacity``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out


def show_value(value: Any) -> str:
    """A value as a planner wrote it in TOML, shortened if long."""
    if isinstance(value, Mapping):
        text = "{table}"
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


_EVENT_KINDS = frozenset(EVENT_KINDS)


def format_validation_error(exc: ValidationError, source: str) -> list[str]:
    lines: list[str] = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        # Discriminated unions add the tag to the path (events[0].festival.x): drop it.
        if len(loc) >= 3 and loc[0] == "events" and loc[2] in _EVENT_KINDS:
            del loc[2]
        kind = err["type"]
        ctx = err.get("ctx") or {}
        msg = _message(kind, err["msg"])
        if kind == "bad_field":
            sub = str(ctx.get("field", ""))
            path = format_path(loc)
            path = path + sub if sub.startswith("[") else ".".join(p for p in (path, sub) if p)
            value = ctx.get("value")
            lines.append(
                f"{source}: {path}: {msg}"
                if value is None
                else f"{source}: {path} = {show_value(value)}: {msg}"
            )
        elif kind == "missing":
            lines.append(f"{source}: {format_path(loc)}: missing (required)")
        elif kind == "extra_forbidden":
            lines.append(f"{source}: {format_path(loc)} = {show_value(err['input'])}: unknown key")
        else:
            lines.append(f"{source}: {format_path(loc)} = {show_value(err['input'])}: {msg}")
    return lines


def _message(kind: str, msg: str) -> str:
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    msg = msg.replace("Input should be", "must be")
    msg = msg.replace("greater than or equal to", ">=").replace("less than or equal to", "<=")
    msg = msg.replace("greater than", ">").replace("less than", "<")
    if kind == "union_tag_invalid":
        msg = "unknown event kind; " + msg.split("expected tags:")[-1].strip().join(("one of ", ""))
    return msg


# ---------------------------------------------------------------------------------------------
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def apply_overrides(
    raw: Mapping[str, Any], overrides: Mapping[str, Any], *, source: str = "overrides"
) -> dict[str, Any]:
    """A deep copy of ``raw`` with each ``path = value`` of ``overrides`` set.

    Paths are the schema's field paths: ``sorter.chute_capacity``, ``fleet.vans[0].count``,
    ``brands.shares.ZTO``. A missing intermediate table is created; a path into something
    that is not a table or list is an error.
    """
    out: dict[str, Any] = copy.deepcopy(dict(raw))
    for path, value in overrides.items():
        parts = [m[1] if m[1] is not None else int(m[2]) for m in _PATH_PART.finditer(path)]
        if not parts or "".join(p if isinstance(p, str) else f"[{p}]" for p in parts).replace(
            ".", ""
        ) != path.replace(".", ""):
            raise ScenarioError(
                [f"{source}: {path!r}: not a field path like sorter.chute_capacity"]
            )
        node: Any = out
        for k, part in enumerate(parts[:-1]):
            nxt = parts[k + 1]
            try:
                if isinstance(part, int):
                    node = node[part]
                else:
                    if part not in node:
                        node[part] = [] if isinstance(nxt, int) else {}
                    node = node[part]
            except (KeyError, IndexError, TypeError):
                raise ScenarioError([f"{source}: {path}: no such field"]) from None
        last = parts[-1]
        try:
            node[last] = value
        except (IndexError, TypeError):
            raise ScenarioError([f"{source}: {path}: no such field"]) from None
    return out
