"""The output folder of a county day: every file, its content against the day, atomicity,
and the HTML report rendered in a real (headless) browser."""

from __future__ import annotations

import copy
import csv
import dataclasses
import json
import math
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from gongpei.day.results import DayResult, StatusLight
from gongpei.report import files as report
from gongpei.report import formatting
from gongpei.report.atomic import atomic_open, atomic_write_bytes, atomic_write_text

GOOD = Path(__file__).parents[2] / "data" / "good.toml"
ALWAYS = (
    "summary.json",
    "chutes.csv",
    "villages.csv",
    "routes.csv",
    "routes.geojson",
    "plan.json",
)
LON, LAT = (118.6, 119.6), (28.1, 28.9)
STATES = ("bagged", "no_read", "exception", "overflow", "in_system")


@pytest.fixture(scope="session")
def day() -> DayResult:
    """One real county day (the small test scenario, a 1 s routing budget).

    Wall-clock-bounded, not ``routing.deterministic``: deterministic mode bounds the search
    by work (500 OR-Tools solutions), which takes minutes on this 201-village day. The
    report's own determinism is tested by writing equal days twice.
    """
    from gongpei.day.pipeline import run_day
    from gongpei.scenario.loading import load_scenario

    sc = load_scenario(GOOD).with_overrides(
        {"routing.time_limit_s": 1.0, "routing.deterministic": False}
    )
    return run_day(sc)


@pytest.fixture(scope="session")
def out(day: DayResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("day")
    report.write_outputs(day, folder)
    return folder


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------------------- files
def test_every_file_is_written_and_nothing_temporary_is_left(out: Path) -> None:
    names = {p.name for p in out.iterdir()}
    assert set(ALWAYS) | {"parcels.csv", "report.html"} | set(report.PLOT_FILES) <= names
    assert not [n for n in names if n.endswith(".tmp") or n.startswith(".")]
    for name in report.PLOT_FILES:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_summary_json_is_the_days_summary_and_conserves_parcels(day: DayResult, out: Path) -> None:
    text = (out / "summary.json").read_text(encoding="utf-8")
    s = json.loads(text)
    p = s["parcels"]
    assert p["total"] == sum(p[k] for k in STATES) == day.sort.parcels
    assert s["scenario"] == day.scenario.name
    assert s["routing"]["routes"] == len(day.plan.routes)
    assert text == report.summary_json(day)
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert "NaN" not in text and "Infinity" not in text


def test_same_day_gives_byte_identical_files(day: DayResult, out: Path, tmp_path: Path) -> None:
    again = copy.deepcopy(day)  # an equal day built from other objects
    report.write_outputs(again, tmp_path)
    for name in (*ALWAYS, "parcels.csv", "report.html"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_villages_csv_has_one_row_per_unit(day: DayResult, out: Path) -> None:
    rows = _rows(out / "villages.csv")
    assert [r["code"] for r in rows] == [v.code for v in day.county.villages]
    brands = list(day.scenario.model.brands.shares)
    assert all(f"parcels_{b}" in rows[0] for b in brands)
    plan_round = {v: k for k, r in enumerate(day.plan.routes) for v in r.villages}
    for r, v in zip(rows, day.villages, strict=True):
        assert sum(int(r[f"parcels_{b}"]) for b in brands) == int(r["sorted_parcels"])
        assert r["light"] in StatusLight.ALL and r["status"] == v.status
        if v.code in plan_round:
            assert r["round"] == f"R{plan_round[v.code] + 1:02d}"
            assert int(r["arrival_s"]) == v.arrival_s
            assert re.fullmatch(r"\d\d:\d\d", r["arrival"])
        else:
            assert r["round"] == r["arrival"] == r["vehicle"] == ""
        if v.ready_s is not None:
            assert math.isclose(float(r["ready_s"]), v.ready_s, abs_tol=0.05)
            assert r["ready"] == formatting.clock(v.ready_s)
    assert any(r["light"] != "white" for r in rows)


def test_routes_csv_follows_the_plan(day: DayResult, out: Path) -> None:
    rows = _rows(out / "routes.csv")
    assert day.plan.routes, "the test day should have rounds"
    assert len(rows) == sum(len(r.stops) + 2 for r in day.plan.routes)
    dims = day.problem.dimensions
    by_round: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_round.setdefault(r["round"], []).append(r)
    for k, route in enumerate(day.plan.routes):
        rr = by_round[f"R{k + 1:02d}"]
        assert [r["kind"] for r in rr] == ["depart"] + ["stop"] * len(route.stops) + ["return"]
        assert [r["village"] for r in rr[1:-1]] == list(route.villages)
        assert int(rr[0]["departure_s"]) == route.depart_s
        assert int(rr[-1]["arrival_s"]) == route.return_s
        assert tuple(int(rr[0][f"load_{d}"]) for d in dims) == route.load_start
        for r, stop in zip(rr[1:-1], route.stops, strict=True):
            assert int(r["arrival_s"]) == stop.arrival_s
            assert int(r["departure_s"]) == stop.departure_s
            assert tuple(int(r[f"load_{d}"]) for d in dims) == stop.load_after
        assert int(rr[-1]["cum_m"]) == route.distance_m
        assert {r["vehicle"] for r in rr} == {route.vehicle}


def test_parcels_and_chutes_csv(day: DayResult, out: Path) -> None:
    parcels = _rows(out / "parcels.csv")
    assert len(parcels) == day.sort.parcels
    counts = {k: 0 for k in STATES}
    for r in parcels:
        counts[r["outcome"]] += 1
    assert counts == {k: day.sort.outcome_counts()[k] for k in STATES}
    chutes = _rows(out / "chutes.csv")
    assert [r["chute"] for r in chutes] == list(day.sort.chute_ids)
    assigned = {v for r in chutes for v in r["villages"].split(";") if v}
    assert assigned == set(day.sort.assignment)


def test_geojson_is_a_valid_feature_collection_in_the_county(day: DayResult, out: Path) -> None:
    doc = json.loads((out / "routes.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc

    def points(geom: dict) -> list[list[float]]:
        if geom["type"] == "Point":
            return [geom["coordinates"]]
        assert geom["type"] == "LineString"
        assert len(geom["coordinates"]) >= 2
        return geom["coordinates"]

    kinds: dict[str, list[dict]] = {}
    for f in doc["features"]:
        assert f["type"] == "Feature" and isinstance(f["properties"], dict)
        for lon, lat in points(f["geometry"]):
            assert LON[0] <= lon <= LON[1] and LAT[0] <= lat <= LAT[1], (lon, lat)
        kinds.setdefault(f["properties"]["kind"], []).append(f)
    rounds = kinds["round"]
    assert len(rounds) == len(day.plan.routes)
    for f, route in zip(rounds, day.plan.routes, strict=True):
        p = f["properties"]
        assert p["vehicle"] == route.vehicle and p["villages"] == len(route.stops)
        assert p["km"] == pytest.approx(route.distance_m / 1000, abs=1e-3)
        assert re.fullmatch(r"#[0-9a-f]{6}", p["colour"])
        # the line follows the roads: more vertices than stops, starting and ending at the hub
        # (a round to the hub's own village, 上江村, drives 0 m: its line is hub → hub)
        if route.distance_m > 0:
            assert len(f["geometry"]["coordinates"]) > len(route.stops) + 1
        hub = [round(c, 6) for c in day.county.position(day.county.hub)]
        assert f["geometry"]["coordinates"][0] == hub == f["geometry"]["coordinates"][-1]
    assert [f["properties"]["code"] for f in kinds["village"]] == [
        v.code for v in day.county.villages
    ]
    assert {f["properties"]["light"] for f in kinds["village"]} <= set(StatusLight.ALL)
    assert len(kinds["hub"]) == 1


def test_html_is_self_contained_and_lists_every_village(day: DayResult, out: Path) -> None:
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    for v in day.county.villages:
        assert v.code in page and v.name in page
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page
    for src in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert src.startswith("data:"), src
    # every figure inline; the rounds map as SVG (with tooltips), not as its PNG
    assert page.count('src="data:image/png;base64,') == len(report.PLOT_FILES) - 1
    assert page.count('<svg id="rounds-map-svg"') == 1 and page.count('<svg id="timeline-svg"') == 1
    for light in StatusLight.ALL:
        assert formatting.LIGHT_COLOURS[light] in page
    assert 'id="headline"' in page and 'id="village-table"' in page


def test_html_escapes_names(day: DayResult) -> None:
    evil = '<script>alert("x")</script>&'
    v0 = dataclasses.replace(day.villages[0], name=evil, reason="<u>why</u>")
    page = report.render_html(dataclasses.replace(day, villages=(v0, *day.villages[1:])))
    assert evil not in page and "<u>" not in page and "&lt;u&gt;why&lt;/u&gt;" in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page


def test_headline_shows_savings_against_each_baseline(day: DayResult) -> None:
    from gongpei.day.results import BaselineResult

    km, cost = day.plan.distance_m / 1000, day.plan.cost
    same = day.service
    baselines = {
        "brands_alone": BaselineResult(
            "brands_alone", 2 * km, 100.0, 60, 2 * cost, 9e3, service=same
        ),
        "township_drop": BaselineResult(
            "township_drop", 1.25 * km, 80.0, 40, 4 * cost, 5e3, service=same
        ),
    }
    page = report.render_html(dataclasses.replace(day, baselines=baselines))
    brands = re.search(r'id="card-saving-brands"><div class="v">([^<]*)<', page)
    township = re.search(r'id="card-saving-township"><div class="v">([^<]*)<', page)
    assert brands and brands.group(1) == "50.0 % km · 50.0 % ¥"
    assert township and township.group(1) == "20.0 % km · 75.0 % ¥"
    table = page[page.index('id="baseline-table"') :]
    assert "brands alone" in table and "township drop" in table and "75.0 %" in table


def test_no_saving_is_claimed_on_unequal_service(day: DayResult) -> None:
    """A baseline that delivers more parcels than co-delivery is not beaten by co-delivery:
    the summary flags it, the headline and the page claim no saving."""
    from gongpei.day.results import BaselineResult, Service

    ours = day.service
    more = Service(ours.delivered + 500, ours.collected, 0, 0, ours.villages)
    km, cost = day.plan.distance_m / 1000, day.plan.cost
    b = BaselineResult("brands_alone", 2 * km, 100.0, 60, 2 * cost, 9e3, service=more)
    unequal = dataclasses.replace(day, baselines={"brands_alone": b})
    s = unequal.summary()
    assert s["codelivery_saving"]["equal_service"] is False
    assert s["baseline"]["parcels_delivered"] == ours.delivered + 500
    assert s["baseline"]["unserved_stops"] == 0
    assert "no saving claimed" in unequal.headline() and "saves" not in unequal.headline()
    page = report.render_html(unequal)
    card = re.search(r'id="card-saving-brands"><div class="v">([^<]*)<', page)
    assert card and card.group(1) == "unequal service"
    fair = dataclasses.replace(
        day, baselines={"brands_alone": dataclasses.replace(b, service=ours)}
    )
    assert fair.summary()["codelivery_saving"]["equal_service"] is True
    assert "co-delivery saves 50.0 % of km" in fair.headline()


def test_a_day_without_rounds_still_reports(day: DayResult, tmp_path: Path) -> None:
    from routing import Plan

    empty = dataclasses.replace(day, plan=Plan(routes=(), status="partial"))
    report.write_outputs(empty, tmp_path)
    assert len(_rows(tmp_path / "routes.csv")) == 0
    doc = json.loads((tmp_path / "routes.geojson").read_text(encoding="utf-8"))
    assert not [f for f in doc["features"] if f["properties"]["kind"] == "round"]
    assert json.loads((tmp_path / "summary.json").read_text())["routing"]["routes"] == 0


def test_output_switches_leave_out_optional_files(day: DayResult, tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("stale", encoding="utf-8")
    sc = day.scenario.with_overrides(
        {"output.parcels_csv": False, "output.plots": False, "output.html": False}
    )
    written = report.write_outputs(dataclasses.replace(day, scenario=sc), tmp_path)
    assert set(written) == set(ALWAYS)
    assert {p.name for p in tmp_path.iterdir()} == set(ALWAYS)


# ---------------------------------------------------------------------------- atomicity
def test_atomic_write_failure_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    with pytest.raises(RuntimeError), atomic_open(target, newline="") as f:
        f.write("half a row,")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    atomic_write_text(target, "old\n")
    with pytest.raises(RuntimeError), atomic_open(target, "wb") as f:
        f.write(b"new but broken")
        raise RuntimeError("killed")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]
    atomic_write_bytes(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert (target.stat().st_mode & 0o777) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_crash_mid_report_leaves_no_summary(
    day: DayResult, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("summary.json", "routes.csv"):
        shutil.copy(out / name, tmp_path / name)  # a finished earlier run in the folder

    real = report._write_csv

    def dies_mid_routes(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
        if Path(path).name == "routes.csv":

            def some_rows() -> Iterator[list[str]]:
                yield from list(rows)[:3]
                raise OSError("No space left on device")

            return real(path, header, some_rows())
        return real(path, header, rows)

    monkeypatch.setattr(report, "_write_csv", dies_mid_routes)
    with pytest.raises(OSError, match="No space"):
        report.write_outputs(day, tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert "summary.json" not in names  # the folder no longer claims a finished run
    assert not [n for n in names if n.endswith(".tmp")]
    assert (tmp_path / "routes.csv").read_bytes() == (out / "routes.csv").read_bytes()


# ---------------------------------------------------------------------------- browser
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="Debian chromium + chromium-driver not installed (CI installs them)",
)
def test_report_renders_in_headless_chromium(day: DayResult, out: Path, tmp_path: Path) -> None:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    opts = webdriver.ChromeOptions()
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
    ):  # fmt: skip
        opts.add_argument(arg)
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        driver.set_page_load_timeout(30)
        driver.get((out / "report.html").resolve().as_uri())
        assert driver.title == f"gongpei — {day.scenario.name}"
        headline = driver.find_element(By.ID, "headline")
        assert headline.is_displayed() and "parcels in" in headline.text
        assert f"{day.sort.parcels:,}" in headline.text
        rows = driver.find_elements(By.CSS_SELECTOR, "#village-table tbody tr")
        assert len(rows) == len(day.villages)
        images = driver.find_elements(By.CSS_SELECTOR, "#plots img")
        assert len(images) == len(report.PLOT_FILES) - 1  # the rounds map is inline SVG
        for img in images:  # decoded, not a broken-image icon
            assert driver.execute_script("return arguments[0].naturalWidth", img) > 100
        # the SVG map: drawn, one circle with a tooltip per village, one path per round,
        # and the legend right of every village (it covers none)
        svg = driver.find_element(By.ID, "rounds-map-svg")
        assert svg.is_displayed() and svg.size["width"] > 300
        dots = driver.find_elements(By.CSS_SELECTOR, "#rounds-map-svg circle.village")
        assert len(dots) == len(day.villages)
        tip = driver.execute_script(
            "return arguments[0].querySelector('title').textContent", dots[0]
        )
        assert first_name(day) in tip and "parcels by brand" in tip and "light" in tip
        rounds = driver.find_elements(By.CSS_SELECTOR, "#rounds-map-svg g.round polyline")
        assert len(rounds) == len(day.plan.routes)
        legend_left = driver.execute_script(
            "return document.querySelector('#rounds-map-svg g.legend').getBBox().x"
        )
        dots_right = driver.execute_script(
            "return Math.max(...Array.from(document.querySelectorAll("
            "'#rounds-map-svg circle.village')).map(c => c.getBBox().x + c.getBBox().width))"
        )
        assert legend_left > dots_right
        # the timeline: one drawn row per round, the loading bars and the promise line
        rows_t = driver.find_elements(By.CSS_SELECTOR, "#timeline-svg g.timeline-row")
        assert len(rows_t) == len(day.plan.routes)
        assert all(r.size["width"] > 0 for r in rows_t)
        assert driver.find_element(By.ID, "promise-line").is_displayed()
        assert driver.find_elements(By.CSS_SELECTOR, "#timeline-svg rect.loading")
        assert driver.execute_script("return document.characterSet") == "UTF-8"
        first = day.villages[0]
        assert first.name in rows[0].text and first.code in rows[0].text  # 中文 decoded
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == []
    finally:
        driver.quit()


def first_name(day: DayResult) -> str:
    return day.villages[0].name


def test_compare_reads_a_finished_output_folder(day: DayResult, out: Path) -> None:
    from gongpei.report.compare import compare_summaries, load_summary

    table = compare_summaries([load_summary(out), day.summary()], ["folder", "memory"])
    lines = {line.split("  ")[0]: line.split() for line in table.splitlines()}
    total = f"{day.sort.parcels:,}"
    assert lines["parcels"][-2:] == [total, total]
    assert lines["routes"][-2:] == [str(len(day.plan.routes))] * 2


def test_json_has_no_nan_and_plain_numbers() -> None:
    import numpy as np

    text = formatting.dump_json({"b": float("nan"), "a": [np.int64(3), np.float32("inf"), 0.5]})
    assert json.loads(text) == {"a": [3, None, 0.5], "b": None}
    assert text.index('"a"') < text.index('"b"')


def test_plan_json_round_trips(day: DayResult, tmp_path: Path) -> None:
    from routing.plan_io import plan_from_dict

    report.write_outputs(day, tmp_path)
    again = plan_from_dict(json.loads((tmp_path / "plan.json").read_text(encoding="utf-8")))
    assert again.routes == day.plan.routes
    assert again.unserved == day.plan.unserved
