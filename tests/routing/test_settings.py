"""SolveSettings: one frozen object whose every field reaches routing.solve.solve."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pickle
from typing import Any

import pytest

import routing
from routing.settings import SettingsError, SolveSettings

SOLVE = importlib.import_module("routing.solve")  # the module (routing.solve is the function)

#: Every field off its default, so a field dropped on the way shows.
ODD = SolveSettings(
    backend="pyvrp",
    time_limit_s=3.5,
    seed=7,
    deterministic=True,
    solution_limit=42,
    max_iterations=99,
    objective="fewest_vans",
)


def test_fields_are_exactly_the_solver_settings_of_solve() -> None:
    """Nothing ``solve`` takes (besides the problem and the two callbacks) is missing from
    the settings, and the defaults are ``solve``'s own."""
    params = inspect.signature(SOLVE.solve).parameters
    settable = {n: p for n, p in params.items() if n not in ("problem", "progress", "stop")}
    fields = {f.name: f.default for f in dataclasses.fields(SolveSettings)}
    assert set(fields) == set(settable)
    assert fields == {n: p.default for n, p in settable.items()}
    assert SolveSettings() != ODD and all(
        getattr(ODD, n) != d for n, d in fields.items()
    )  # the fixture really moves every field


def test_every_field_reaches_solve(line_problem, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake(problem: routing.Problem, **kwargs: Any) -> str:
        calls.append(kwargs)
        return "plan"

    monkeypatch.setattr(SOLVE, "solve", fake)
    stop = lambda: False  # noqa: E731
    progress = lambda t, c: None  # noqa: E731
    assert ODD.solve(line_problem(), progress=progress, stop=stop) == "plan"
    assert calls == [{**dataclasses.asdict(ODD), "progress": progress, "stop": stop}]


def test_really_solves(line_problem) -> None:
    plan = SolveSettings(time_limit_s=5.0, deterministic=True).solve(line_problem(3))
    assert plan.status == "feasible" and plan.distance_m == 6000


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"backend": "lkh"}, "SolveSettings.backend = 'lkh'"),
        ({"time_limit_s": 0}, "SolveSettings.time_limit_s = 0"),
        ({"time_limit_s": float("nan")}, "SolveSettings.time_limit_s = nan"),
        ({"time_limit_s": "5"}, "SolveSettings.time_limit_s = '5'"),
        ({"seed": -1}, "SolveSettings.seed = -1"),
        ({"seed": True}, "SolveSettings.seed = True"),
        ({"deterministic": 1}, "SolveSettings.deterministic = 1"),
        ({"solution_limit": 0}, "SolveSettings.solution_limit = 0"),
        ({"max_iterations": 2.5}, "SolveSettings.max_iterations = 2.5"),
        ({"objective": "vans"}, "SolveSettings.objective = 'vans'"),
    ],
)
def test_bad_values_name_the_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace(".", r"\.")):
        SolveSettings(**changes)
    with pytest.raises(SettingsError):
        SolveSettings().replace(**changes)


def test_numpy_integers_become_plain_ints() -> None:
    import numpy as np

    s = SolveSettings(seed=np.int64(3), solution_limit=np.int32(5), time_limit_s=np.float64(2))
    assert s == SolveSettings(seed=3, solution_limit=5, time_limit_s=2.0)
    assert type(s.seed) is int and type(s.solution_limit) is int


def test_frozen_comparable_picklable_replaceable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ODD.seed = 1  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(ODD)) == ODD
    assert ODD.replace(seed=8) == dataclasses.replace(ODD, seed=8) != ODD
    assert routing.SolveSettings is SolveSettings
