"""Hand-edited scenario files: any mutation of the default either loads or fails cleanly.

A hypothesis test deletes keys, misspells them, puts wrong types and extreme numbers in
them, and asserts that loading returns a scenario or raises ScenarioError whose every line
names the file — never any other exception.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongpei.scenario.loading import Scenario, load_scenario
from gongpei.scenario.messages import ScenarioError
from gongpei.scenario.paths import builtin_path

DEFAULT = tomllib.loads(builtin_path("suichang.toml").read_text("utf-8"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*prefix, k))
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((*prefix, i))
            out.extend(_paths(v, (*prefix, i)))
    return out


PATHS = _paths(DEFAULT)

WEIRD_VALUES = st.one_of(
    st.sampled_from(
        [
            0,
            -1,
            -(10**9),
            10**18,
            2**63 - 1,
            0.0,
            -0.5,
            1e300,
            float("inf"),
            float("nan"),
            True,
            False,
            "",
            "abc",
            "25:99",
            "08:30",
            [],
            [1, 2],
            {},
            {"x": 1},
            "331123999999",
            "gongpei:nope.csv",
        ]
    ),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)


def _parent(raw: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = raw
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    raw = copy.deepcopy(DEFAULT)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(raw)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(raw, path)
        key = path[-1]
        action = draw(st.sampled_from(["delete", "retype", "misspell", "extreme"]))
        if action == "delete":
            del parent[key]
        elif action == "misspell" and isinstance(key, str):
            parent[key + draw(st.sampled_from(["s", "_", "x"]))] = parent.pop(key)
        else:
            parent[key] = draw(WEIRD_VALUES)
    return raw


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(raw=mutated())
def test_mutated_scenario_loads_or_fails_in_one_line_each(
    raw: dict[str, Any], tmp_path: Path
) -> None:
    f = tmp_path / "mutant.toml"
    # Data paths point at the shipped files, so a mutant differs from the default only where
    # it was mutated.
    f.write_text(tomli_w.dumps(raw), "utf-8")
    try:
        sc = load_scenario(f)
    except ScenarioError as exc:
        assert exc.lines
        for line in exc.lines:
            assert line.startswith(f"{f}: "), line
            assert "\n" not in line
            assert "Traceback" not in line
    else:
        assert isinstance(sc, Scenario)
