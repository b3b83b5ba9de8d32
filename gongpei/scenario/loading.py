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
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gongpei.scenario.checks import check_scenario_data
from gongpei.scenario.messages import ScenarioError, format_validation_error, show_value
from gongpei.scenario.paths import (
    BUILTIN_PREFIX,
    DEFAULT_SCENARIO,
    builtin_name_problem,
    builtin_path,
    resolve_data_path,
)
from gongpei.scenario.schema import ScenarioModel

__all__ = [
    "Scenario",
    "apply_overrides",
    "load_scenario",
    "load_scenario_text",
]


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
    if extends.startswith(BUILTIN_PREFIX):
        problem = builtin_name_problem(extends[len(BUILTIN_PREFIX) :])
        if problem:
            raise ScenarioError([f'{source}: scenario.extends = "{extends}": {problem}'])
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
        # utf-8-sig: a byte-order mark (Windows Notepad writes one) is dropped, not a fault.
        return data.decode("utf-8-sig")
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
    problems = check_scenario_data(model, base_dir)  # needs the data files: after the schema
    if problems:
        raise ScenarioError(f"{source}: {p}" for p in problems)
    return scenario


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
