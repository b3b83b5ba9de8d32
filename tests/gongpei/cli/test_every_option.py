"""Every boolean and enumerated option of the shipped scenarios runs to the end, files
included (issue 13: ``use_transfer_stations = true`` used to crash in ``write_routes_csv``).

A few whole days with a tiny solver budget cover every value between them; the coverage
check reads the schema, so a new boolean or ``Literal`` field fails here until a run uses
each of its values.
"""

from __future__ import annotations

import csv
import json
import typing
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from pydantic import BaseModel

import sorter
from gongpei.county.build import build_county
from gongpei.day.pipeline import run_pipeline
from gongpei.scenario.loading import Scenario, load_scenario
from gongpei.scenario.schema import ScenarioModel

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"
TINY = {"routing.time_limit_s": 1.0, "routing.baseline_time_limit_s": 0.2}

#: One run per entry: (shipped file, overrides). Together they use every value of every
#: boolean / enumerated option (checked by test_the_runs_cover_every_option).
RUNS: dict[str, tuple[str, dict[str, Any]]] = {
    "stations-ortools": (
        "suichang.toml",
        {
            "county.use_transfer_stations": True,
            "sorter.assignment": "by_volume",
            "sorter.bagging": "when_full",
            "routing.promise": "report",
            "sorter.unloading": "pooled",
            "sorter.parcel_sizes": "uniform",
            "sorter.reinduct_overflow": False,
            "routing.backend": "ortools",
            # OR-Tools plans one trip per van: the default's second trips are switched off
            "fleet.vans[0].max_trips": 1,
            "fleet.vans[1].max_trips": 1,
            "routing.baselines": ["brands_alone", "township_drop"],
        },
    ),
    "generic-pyvrp-deterministic": (
        "suichang-tea-harvest.toml",
        {
            "roads.network": "generic",
            "sorter.assignment": "by_township",
            "routing.backend": "pyvrp",
            "routing.deterministic": True,
            "routing.max_iterations": 100,
            "routing.promise": "hard",
            "sorter.zones": 2,
            "sorter.scanners": "per_zone",
            "routing.baselines": ["township_drop"],
            "output.plots": False,
            "output.parcels_csv": False,
        },
    ),
    "graphml-stations-auto": (
        "suichang-double11.toml",
        {
            "roads.network": "graphml",
            "county.use_transfer_stations": True,
            "sorter.assignment": "random",
            "routing.backend": "auto",
            "routing.baselines": [],
            "output.html": False,
        },
    ),
    "same-day-waves": (
        "suichang.toml",
        {
            "sorter.assignment": "by_round",
            "brands.waves.1.rounds": "same_day",  # every round in the afternoon, after loading
            "routing.baselines": ["brands_alone"],
            "output.plots": False,
            "output.html": False,
            "output.parcels_csv": False,
        },
    ),
    "linear-line": (
        "suichang-linear.toml",
        {
            "sorter.linear.two_sided": False,
            "sorter.bagging": "wave_end",
            "economics.staffing": "waves",
            "routing.baselines": [],
            "output.plots": False,
        },
    ),
    "manual-line": (
        "suichang-manual.toml",
        {"economics.staffing": "span", "routing.baselines": [], "output.html": False},
    ),
}


def _graphml_from_corridors(sc: Scenario, path: Path) -> None:
    """The shipped corridor network written as osmnx-style GraphML (every node, renamed, so
    each village snaps onto its own road node)."""
    g = build_county(sc).graph
    out = nx.Graph()
    highway = {"expressway": "motorway", "trunk": "trunk", "county": "secondary"}
    for n, d in g.nodes(data=True):
        out.add_node(f"r{n}", x=float(d["lon"]), y=float(d["lat"]))
    for a, b, d in g.edges(data=True):
        road = highway.get(d["road_class"], "residential")
        out.add_edge(f"r{a}", f"r{b}", length=float(d["length_m"]), highway=road)
    nx.write_graphml(out, path)


def _scenario(name: str, tmp: Path) -> Scenario:
    file, overrides = RUNS[name]
    sc = load_scenario(SCENARIOS / file)
    changes: dict[str, Any] = {**TINY}
    for key, value in overrides.items():
        if key == "brands.waves.1.rounds":
            waves = [w.model_dump(mode="json") for w in sc.model.brands.waves]
            waves[1]["rounds"] = value
            changes["brands.waves"] = waves
        else:
            changes[key] = value
    if overrides.get("roads.network") == "graphml":
        graph = tmp / "roads.graphml"
        _graphml_from_corridors(sc, graph)
        changes["roads.graphml"] = str(graph)
    return sc.with_overrides(changes)


@pytest.mark.parametrize("name", list(RUNS))
def test_every_option_runs_to_the_end(name: str, tmp_path: Path) -> None:
    sc = _scenario(name, tmp_path)
    out = tmp_path / "out"
    day = run_pipeline(sc, out)
    s = json.loads((out / "summary.json").read_text("utf-8"))
    assert s["routing"]["checker_violations"] == 0
    assert s["routing"]["routes"] > 0
    with (out / "routes.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == sum(len(r.stops) + 2 for r in day.plan.routes)
    if sc.model.county.use_transfer_stations:
        assert "transfer_stations" in s
        depots = {r["depot"] for r in rows if r["kind"] == "depart"}
        assert any(d.startswith("st:") for d in depots)  # rounds leave from the stations
        assert any(r["name"].endswith("transfer station") for r in rows if r["kind"] == "depart")
        # station vans are loaded at their station, after the trunk (issue 14)
        assert any(r["loaded_at"].startswith("st:") for r in rows if r["kind"] == "depart")
        assert all(r["loaded_at"] for r in rows if r["kind"] == "depart")
    geo = json.loads((out / "routes.geojson").read_text("utf-8"))
    assert sum(f["properties"]["kind"] == "round" for f in geo["features"]) == len(day.plan.routes)
    assert bool(s["codelivery_saving"]) == ("brands_alone" in sc.model.routing.baselines)
    assert ("township_drop" in s.get("other_baselines", {})) == (
        "township_drop" in sc.model.routing.baselines
    )
    o = sc.model.output
    assert (out / "report.html").exists() == o.html
    assert (out / "parcels.csv").exists() == o.parcels_csv
    assert (out / "rounds_map.png").exists() == o.plots


def _options(model: type[BaseModel], prefix: str = "") -> dict[str, set[Any]]:
    """Field path → possible values, for every bool and Literal field of the schema
    (lists of a Literal count as that Literal; events are covered by their own tests)."""
    out: dict[str, set[Any]] = {}
    for name, f in model.model_fields.items():
        path = f"{prefix}{name}"
        if path == "events":
            continue
        ann = f.annotation
        args = typing.get_args(ann)
        if ann is bool:
            out[path] = {True, False}
        elif typing.get_origin(ann) is typing.Literal:
            out[path] = set(args)
        elif (
            typing.get_origin(ann) is list and args and typing.get_origin(args[0]) is typing.Literal
        ):
            if path != "county.exclude_kinds":  # which unit kinds are urban: data, not a switch
                out[path] = set(typing.get_args(args[0]))
        else:
            for a in (ann, *args):
                if isinstance(a, type) and issubclass(a, BaseModel):
                    out.update(_options(a, f"{path}."))
    return out


_MISSING = object()


def _value(model: Any, path: str) -> Any:
    """The value at a dotted field path of a scenario model (``_MISSING`` through a list)."""
    for part in path.split("."):
        model = getattr(model, part, _MISSING)
        if model is _MISSING or isinstance(model, list):
            return _MISSING
    return model


def test_the_runs_cover_every_option() -> None:
    # The week's options are run by tests/test_week.py (a week is not a day run).
    options = {k: v for k, v in _options(ScenarioModel).items() if not k.startswith("week.")}
    options["sorter.assignment"] = set(sorter.ASSIGNMENTS)
    seen: dict[str, set[Any]] = {k: set() for k in options}
    for file, overrides in RUNS.values():
        sc = load_scenario(SCENARIOS / file)
        values = {k: _value(sc.model, k) for k in options}
        values = {k: v for k, v in values.items() if v is not _MISSING and not isinstance(v, list)}
        values.update(
            {k: v for k, v in overrides.items() if k in options and not isinstance(v, list)}
        )
        for k, v in values.items():
            seen[k].add(v)
        seen["routing.baselines"].update(overrides.get("routing.baselines", []))
        rounds = {w.rounds for w in sc.model.brands.waves}
        if "brands.waves.1.rounds" in overrides:
            rounds = {sc.model.brands.waves[0].rounds, overrides["brands.waves.1.rounds"]}
        seen["brands.waves.rounds"].update(rounds)
    missing = {k: options[k] - seen[k] for k in options if options[k] - seen[k]}
    assert not missing, f"options no run uses: {missing}"
