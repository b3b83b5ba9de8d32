"""County geography: loaders, their error messages, and the seeded village placement."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point, box

from gongpei.county.geography import (
    DEFAULT_SEED,
    HUB_CODE,
    SUICHANG_DIR,
    GeographyError,
    LocalProjection,
    Town,
    VillageUnit,
    haversine_m,
    load_outline,
    load_towns,
    load_villages,
    place_villages,
)

SEAT = "331123001"  # 妙高街道


@pytest.fixture(scope="module")
def county():
    towns = load_towns(SUICHANG_DIR / "towns.csv")
    villages = load_villages(SUICHANG_DIR / "villages.csv", towns)
    outline = load_outline(SUICHANG_DIR / "county_boundary.geojson")
    return towns, villages, outline


@pytest.fixture(scope="module")
def placed(county):
    towns, villages, outline = county
    return place_villages(towns, villages, outline, seed=DEFAULT_SEED, hub_code=HUB_CODE)


# --------------------------------------------------------------------------- loaders


def test_bundled_data_loads(county):
    towns, villages, outline = county
    assert len(towns) == 20
    assert len(villages) == 214
    assert sum(v.kind == "村" for v in villages) == 201
    assert sum(v.urban for v in villages) == 13
    area_km2 = LocalProjection.about(outline).project(outline).area / 1e6
    assert 2450 < area_km2 < 2600  # official 2,539.56 km²
    assert all(outline.contains(Point(t.lon, t.lat)) for t in towns)
    hub = next(v for v in villages if v.code == HUB_CODE)
    assert (hub.name, hub.town_code) == ("上江村", SEAT)


TOWNS_HEAD = "code,name,kind,lat,lon\n"
VILLAGES_HEAD = "code,name,town_code,town_name,kind\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TOWNS_HEAD + "331123001,妙高街道,街道,,119.2\n", ["row 2", "331123001", "lat", "missing"]),
        (TOWNS_HEAD + "331123001,妙高街道,街道,28.6,east\n", ["row 2", "lon", "'east'"]),
        (TOWNS_HEAD + "331123001,妙高街道,街道,128.6,119.2\n", ["lat", "'128.6'", "±90"]),
        (TOWNS_HEAD + "33112300X,妙高街道,街道,28.6,119.2\n", ["row 2", "code", "33112300X"]),
        (TOWNS_HEAD + "331123001,妙高街道,县,28.6,119.2\n", ["kind", "'县'"]),
        (
            TOWNS_HEAD + "331123001,a,镇,28.6,119.2\n331123001,b,镇,28.6,119.3\n",
            ["row 3", "duplicate"],
        ),
        ("code,name,kind,lat\n331123001,a,镇,28.6\n", ["missing column", "lon"]),
        (TOWNS_HEAD, ["no data rows"]),
    ],
)
def test_bad_towns_file_names_file_row_and_value(tmp_path: Path, text: str, expected: list[str]):
    path = tmp_path / "towns.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GeographyError) as err:
        load_towns(path)
    message = str(err.value)
    assert str(path) in message
    for part in expected:
        assert part in message


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("331123999001,某村,331123999,某乡,村", ["row 2", "town_code", "331123999", "unknown"]),
        ("331123001001,某村,331123002,云峰街道,村", ["does not start"]),
        ("33112300100,某村,331123001,妙高街道,村", ["code", "'33112300100'", "12-digit"]),
        ("331123001001,某村,331123001,妙高街道,组", ["kind", "'组'"]),
    ],
)
def test_bad_villages_file_names_file_row_and_value(tmp_path: Path, row: str, expected: list[str]):
    towns = [
        Town("331123001", "妙高街道", "街道", 119.26, 28.6),
        Town("331123002", "云", "街道", 119.3, 28.6),
    ]
    path = tmp_path / "villages.csv"
    path.write_text(VILLAGES_HEAD + row + "\n", encoding="utf-8")
    with pytest.raises(GeographyError) as err:
        load_villages(path, towns)
    assert str(path) in str(err.value)
    for part in expected:
        assert part in str(err.value)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"type": "Point", "coordinates": [119.2, 28.6]}',
        '{"type": "FeatureCollection", "features": []}',
    ],
)
def test_bad_outline_raises(tmp_path: Path, text: str):
    path = tmp_path / "outline.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GeographyError, match=r"outline\.geojson"):
        load_outline(path)


def test_missing_file_raises_geography_error(tmp_path: Path):
    with pytest.raises(GeographyError, match="cannot read"):
        load_towns(tmp_path / "nope.csv")


# --------------------------------------------------------------------------- helpers


def test_haversine_known_values_and_vectorised():
    # one degree of latitude on the mean sphere: 6,371,008.8 m × π/180
    assert haversine_m(119.0, 28.0, 119.0, 29.0) == pytest.approx(111_195.1, abs=1)
    assert isinstance(haversine_m(119.0, 28.0, 119.0, 29.0), float)
    d = haversine_m(np.array([119.0, 119.0]), np.array([28.0, 28.0]), 119.0, np.array([28.0, 29.0]))
    assert d.shape == (2,)
    assert d[0] == 0.0


def test_local_projection_round_trip_and_scale():
    proj = LocalProjection(119.1, 28.5)
    x, y = proj.to_xy(119.2, 28.6)
    lon, lat = proj.to_lonlat(x, y)
    assert (float(lon), float(lat)) == pytest.approx((119.2, 28.6), abs=1e-12)
    # within 0.5 % of the great-circle distance over the county
    assert math.hypot(x, y) == pytest.approx(haversine_m(119.1, 28.5, 119.2, 28.6), rel=5e-3)


# --------------------------------------------------------------------------- placement


def test_placement_is_deterministic_per_seed(county, placed):
    towns, villages, outline = county
    again = place_villages(towns, villages, outline, seed=DEFAULT_SEED, hub_code=HUB_CODE)
    assert again == placed
    other = place_villages(towns, villages, outline, seed=DEFAULT_SEED + 1, hub_code=HUB_CODE)
    moved = sum(other[v.code] != placed[v.code] for v in villages)
    assert moved == len(villages) - 1  # all but the hub, which is placed by rule
    assert other[HUB_CODE] == placed[HUB_CODE]


def test_every_village_is_placed_inside_the_county(county, placed):
    _, villages, outline = county
    assert set(placed) == {v.code for v in villages}
    assert all(outline.contains(Point(*placed[v.code])) for v in villages)


@pytest.mark.parametrize("seed", [DEFAULT_SEED, 7])
def test_villages_are_apart_and_nearest_their_own_seat(county, seed):
    towns, villages, outline = county
    pos = place_villages(towns, villages, outline, seed=seed, hub_code=HUB_CODE)
    xy = np.array([pos[v.code] for v in villages])
    d = haversine_m(xy[:, None, 0], xy[:, None, 1], xy[None, :, 0], xy[None, :, 1])
    np.fill_diagonal(d, np.inf)
    assert d.min() >= 300.0
    seat_lon = np.array([t.lon for t in towns])
    seat_lat = np.array([t.lat for t in towns])
    codes = [t.code for t in towns]
    for v, (lon, lat) in zip(villages, xy, strict=True):
        to_seats = haversine_m(seat_lon, seat_lat, lon, lat)
        assert codes[int(np.argmin(to_seats))] == v.town_code, v.code
        assert to_seats.min() >= 300.0  # not on top of a seat either


def test_urban_units_cluster_and_hub_sits_near_the_seat(county, placed):
    towns, villages, _ = county
    seat = {t.code: (t.lon, t.lat) for t in towns}
    for v in villages:
        if v.urban:
            assert haversine_m(*seat[v.town_code], *placed[v.code]) <= 2000.0, v.code
    assert 2000 <= haversine_m(*seat[SEAT], *placed[HUB_CODE]) <= 4000


def test_crowded_territory_raises_naming_the_village():
    towns = [Town("100000001", "A", "镇", 0.0, 0.0)]
    villages = [
        VillageUnit(f"100000001{k:03d}", f"V{k}", "100000001", "A", "村") for k in range(30)
    ]
    tiny = box(-0.01, -0.01, 0.01, 0.01)  # about 2.2 km square: no room for 30 at 1 km
    with pytest.raises(GeographyError, match=r"village 100000001\d{3} \(V\d+\)"):
        place_villages(towns, villages, tiny, seed=1, hub_code=None, min_separation_m=1000.0)


def test_unknown_hub_code_raises(county):
    towns, villages, outline = county
    with pytest.raises(GeographyError, match="hub_code"):
        place_villages(towns, villages, outline, seed=1, hub_code="331123001999")
