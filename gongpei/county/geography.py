"""County geography: townships, villages, the county outline and seeded village positions.

Names, codes and township seats are real (NBS 2023 codes, geocoded seats; see
``data/suichang/SOURCES.md``). No public dataset gives the villages' coordinates, so
:func:`place_villages` puts each village at a *synthetic but reproducible* spot: inside the
county, inside its township's territory, apart from every other village. The positions
only have to make the road distances plausible; they are not a map.

Pure data + numpy + shapely: no network, no plotting, no pandas.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Polygon, shape

__all__ = [
    "DEFAULT_SEED",
    "HUB_CODE",
    "SUICHANG_DIR",
    "URBAN_KINDS",
    "GeographyError",
    "LocalProjection",
    "Town",
    "VillageUnit",
    "haversine_m",
    "load_outline",
    "load_towns",
    "load_villages",
    "place_villages",
    "seat_positions",
    "village_seats",
]

#: The bundled default data: Suichang county (遂昌县, 331123).
SUICHANG_DIR = Path(__file__).parent / "data" / "suichang"
#: 上江村, 妙高街道: the county logistics (co-delivery) centre.
HUB_CODE = "331123001217"
#: The seed of the default scenario's village placement.
DEFAULT_SEED = 331123
#: Mean earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8

TOWN_KINDS = frozenset({"街道", "镇", "乡"})
VILLAGE_KINDS = frozenset({"村", "社区", "居委会"})
#: Urban units: they cluster tightly around their seat.
URBAN_KINDS = frozenset({"社区", "居委会"})


class GeographyError(ValueError):
    """Bad geography input; the message names the file, the row/field and the value."""


@dataclass(frozen=True, slots=True)
class Town:
    """A township-level unit (街道 / 镇 / 乡) and its seat (WGS-84 degrees)."""

    code: str
    name: str
    kind: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class VillageUnit:
    """A village-level unit: an administrative village (村) or an urban community.

    ``kind`` is 村, 社区 or 居委会; the last two are urban (see :data:`URBAN_KINDS`).
    """

    code: str
    name: str
    town_code: str
    town_name: str
    kind: str

    @property
    def urban(self) -> bool:
        return self.kind in URBAN_KINDS


# --------------------------------------------------------------------------- distances


@overload
def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float: ...
@overload
def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray: ...
def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle distance in metres; numpy-broadcasting, floats in give a float out."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """Equirectangular projection to metres about (lon0, lat0).

    Over a county (< 100 km) the scale error is below 0.5 %, which is plenty for placing
    villages and for plots; it is not a survey projection.
    """

    lon0: float
    lat0: float

    @classmethod
    def about(cls, geom: Any) -> LocalProjection:
        """The projection centred on the middle of a geometry's bounding box."""
        minx, miny, maxx, maxy = geom.bounds
        return cls((minx + maxx) / 2, (miny + maxy) / 2)

    @property
    def _kx(self) -> float:
        return math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))

    @property
    def _ky(self) -> float:
        return math.radians(1) * EARTH_RADIUS_M

    def to_xy(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """Degrees → metres east and north of the centre (arrays or floats)."""
        return (np.asarray(lon) - self.lon0) * self._kx, (np.asarray(lat) - self.lat0) * self._ky

    def to_lonlat(self, x: Any, y: Any) -> tuple[Any, Any]:
        """Metres → degrees (the inverse of :meth:`to_xy`)."""
        return np.asarray(x) / self._kx + self.lon0, np.asarray(y) / self._ky + self.lat0

    def project(self, geom: Any) -> Any:
        """A shapely geometry in degrees → the same geometry in metres."""
        return shapely.transform(geom, lambda c: np.column_stack(self.to_xy(c[:, 0], c[:, 1])))


# --------------------------------------------------------------------------- loaders


def _read_rows(path: Path | str, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a UTF-8 CSV with at least the ``required`` columns."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise GeographyError(f"{p}: cannot read: {e}") from e
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise GeographyError(f"{p}: missing column(s) {', '.join(missing)}")
    rows = [
        (i + 2, {k: (v or "").strip() for k, v in r.items() if k}) for i, r in enumerate(reader)
    ]
    if not rows:
        raise GeographyError(f"{p}: no data rows")
    return rows


def _code(p: Path, line: int, field: str, value: str, digits: int) -> str:
    if len(value) != digits or not value.isdigit():
        raise GeographyError(
            f"{p}: row {line}: {field} = {value!r}: must be a {digits}-digit NBS code"
        )
    return value


def _coordinate(p: Path, line: int, code: str, field: str, value: str, limit: float) -> float:
    where = f"{p}: row {line} ({code}): {field} = {value!r}"
    if not value:
        raise GeographyError(f"{where}: missing coordinate")
    try:
        x = float(value)
    except ValueError:
        raise GeographyError(f"{where}: not a number") from None
    if not math.isfinite(x) or abs(x) > limit:
        raise GeographyError(f"{where}: must be within ±{limit:g} degrees")
    return x


def load_towns(path: Path | str) -> tuple[Town, ...]:
    """Township seats from ``code,name,kind,lat,lon`` (extra columns are ignored)."""
    p = Path(path)
    towns: list[Town] = []
    seen: set[str] = set()
    for line, r in _read_rows(p, ("code", "name", "kind", "lat", "lon")):
        code = _code(p, line, "code", r["code"], 9)
        if code in seen:
            raise GeographyError(f"{p}: row {line}: code = {code!r}: duplicate")
        seen.add(code)
        if r["kind"] not in TOWN_KINDS:
            raise GeographyError(
                f"{p}: row {line} ({code}): kind = {r['kind']!r}: must be one of "
                f"{', '.join(sorted(TOWN_KINDS))}"
            )
        if not r["name"]:
            raise GeographyError(f"{p}: row {line} ({code}): name is empty")
        lat = _coordinate(p, line, code, "lat", r["lat"], 90.0)
        lon = _coordinate(p, line, code, "lon", r["lon"], 180.0)
        towns.append(Town(code, r["name"], r["kind"], lon, lat))
    return tuple(towns)


def load_villages(path: Path | str, towns: Iterable[Town] | None = None) -> tuple[VillageUnit, ...]:
    """Village-level units from ``code,name,town_code,town_name,kind``.

    Codes follow the NBS scheme: a 12-digit village code that starts with its 9-digit
    township code. With ``towns`` given, every ``town_code`` must be one of them.
    """
    p = Path(path)
    known = None if towns is None else {t.code for t in towns}
    units: list[VillageUnit] = []
    seen: set[str] = set()
    for line, r in _read_rows(p, ("code", "name", "town_code", "town_name", "kind")):
        code = _code(p, line, "code", r["code"], 12)
        town = _code(p, line, "town_code", r["town_code"], 9)
        if code in seen:
            raise GeographyError(f"{p}: row {line}: code = {code!r}: duplicate")
        seen.add(code)
        if not code.startswith(town):
            raise GeographyError(
                f"{p}: row {line} ({code}): town_code = {town!r}: the village code does not "
                "start with it"
            )
        if known is not None and town not in known:
            raise GeographyError(
                f"{p}: row {line} ({code}): town_code = {town!r}: unknown township code"
            )
        if r["kind"] not in VILLAGE_KINDS:
            raise GeographyError(
                f"{p}: row {line} ({code}): kind = {r['kind']!r}: must be one of "
                f"{', '.join(sorted(VILLAGE_KINDS))}"
            )
        if not r["name"]:
            raise GeographyError(f"{p}: row {line} ({code}): name is empty")
        units.append(VillageUnit(code, r["name"], town, r["town_name"], r["kind"]))
    return tuple(units)


def load_outline(path: Path | str) -> Polygon | MultiPolygon:
    """The county outline from GeoJSON (a FeatureCollection, a Feature or a bare geometry).

    All polygonal parts are merged into one (Multi)Polygon in WGS-84 degrees.
    """
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise GeographyError(f"{p}: cannot read GeoJSON: {e}") from e
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        geoms = [f.get("geometry") for f in doc.get("features") or []]
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        geoms = [doc.get("geometry")]
    else:
        geoms = [doc]
    polys = []
    for k, g in enumerate(geoms):
        try:
            geom = shape(g)
        except Exception as e:  # shapely raises several types for malformed input
            raise GeographyError(f"{p}: feature {k}: bad geometry: {e}") from e
        if not isinstance(geom, Polygon | MultiPolygon):
            raise GeographyError(f"{p}: feature {k}: {geom.geom_type}: must be a (Multi)Polygon")
        polys.append(geom if geom.is_valid else shapely.make_valid(geom))
    if not polys:
        raise GeographyError(f"{p}: no polygon features")
    merged = shapely.union_all(polys)
    if merged.is_empty or merged.area == 0:
        raise GeographyError(f"{p}: the outline is empty")
    if not isinstance(merged, Polygon | MultiPolygon):  # e.g. a collection after make_valid
        merged = MultiPolygon([g for g in merged.geoms if isinstance(g, Polygon)])
    return merged


def seat_positions(towns: Iterable[Town]) -> dict[str, tuple[float, float]]:
    """Township code → seat (lon, lat): plain data for :func:`routing.network.build_network`."""
    return {t.code: (t.lon, t.lat) for t in towns}


def village_seats(villages: Iterable[VillageUnit]) -> dict[str, str]:
    """Village code → township code: plain data for :func:`routing.network.build_network`."""
    return {v.code: v.town_code for v in villages}


# --------------------------------------------------------------------------- placement


def _territories(seats_xy: np.ndarray, county: Any, codes: Sequence[str]) -> dict[str, Any]:
    """Each seat's Voronoi cell clipped to the county: the points nearer it than any other."""
    if len(codes) == 1:
        return {codes[0]: county}
    if len({(round(x, 1), round(y, 1)) for x, y in seats_xy}) < len(codes):
        raise GeographyError("two township seats are at the same point")
    cells = shapely.voronoi_polygons(MultiPoint(seats_xy), extend_to=county.buffer(50_000)).geoms
    out = {}
    for code, (x, y) in zip(codes, seats_xy, strict=True):
        cell = next(c for c in cells if c.intersects(shapely.Point(x, y)))
        region = cell.intersection(county)
        # 50 m inside the cell edge, so the great-circle test agrees with the planar cell
        inner = region.buffer(-50.0)
        out[code] = inner if inner.area > 0 else region
    return out


class _Placer:
    """Rejection sampling with a minimum separation; one instance per call (no state kept)."""

    def __init__(self, min_sep: float, fixed_xy: np.ndarray) -> None:
        # A 1 % + 0.5 m margin absorbs the local projection's scale error and the final
        # rounding to 6 decimals, so the separation holds in great-circle metres too.
        self.min_sep = min_sep * 1.01 + 0.5 if min_sep > 0 else 0.0
        self.placed = [tuple(p) for p in fixed_xy]  # seats count as occupied spots

    def ok(self, xs: np.ndarray, ys: np.ndarray, region: Any) -> np.ndarray:
        good = shapely.contains_xy(region, xs, ys)
        if self.placed:
            pts = np.asarray(self.placed)
            d2 = (xs[:, None] - pts[None, :, 0]) ** 2 + (ys[:, None] - pts[None, :, 1]) ** 2
            good &= d2.min(axis=1) >= self.min_sep**2
        return np.asarray(good)

    def add(self, x: float, y: float) -> None:
        self.placed.append((x, y))


def place_villages(
    towns: Sequence[Town],
    villages: Sequence[VillageUnit],
    outline: Polygon | MultiPolygon,
    *,
    seed: int,
    hub_code: str | None,
    min_separation_m: float = 300.0,
    urban_radius_m: float = 2000.0,
    hub_distance_m: float = 3000.0,
    hub_bearing_deg: float = 45.0,
    tries: int = 200,
) -> dict[str, tuple[float, float]]:
    """Synthetic, seeded village positions: village code → (lon, lat), 6 decimals.

    Each township's *territory* is its seat's Voronoi cell clipped to the county outline
    (and kept 50 m inside the cell's edge), so a village in it is inside the county and
    nearer its own seat than any other seat. Its
    *radius* R = sqrt(area / π) follows the township's share of the county. Then, in a
    fixed order (hub; urban units by code; villages by code), each unit draws ``tries``
    candidates uniformly in a disc around its seat and takes the first that lies in the
    territory and at least ``min_separation_m`` from every seat and placed village:

    * rural units (村): disc radius R;
    * urban units (社区, 居委会): disc radius ``urban_radius_m`` (tight around the seat);
    * the hub (``hub_code``): no draw: ``hub_distance_m`` from its seat at compass bearing
      ``hub_bearing_deg`` (turned by 15° steps until the spot is valid). The real spot of
      上江村 is not published; 3 km north-east of 妙高街道 is an assumption.

    Fallback rule when all draws fail: draw again in a disc twice as large, then anywhere in
    the territory; if that fails too the territory is too crowded for the separation and a
    :class:`GeographyError` names the village. (The Suichang data never needs a fallback.)
    Equal inputs and seed give identical positions.
    """
    if not towns:
        raise GeographyError("no townships to place villages around")
    by_code = {t.code: t for t in towns}
    for v in villages:
        if v.town_code not in by_code:
            raise GeographyError(
                f"village {v.code} ({v.name}): town_code = {v.town_code!r}: unknown township"
            )
    if hub_code is not None and hub_code not in {v.code for v in villages}:
        raise GeographyError(f"hub_code = {hub_code!r}: not a village code")
    if not (min_separation_m >= 0 and urban_radius_m > 0 and tries >= 1):
        raise GeographyError("min_separation_m >= 0, urban_radius_m > 0 and tries >= 1 needed")

    proj = LocalProjection.about(outline)
    county = proj.project(outline)
    codes = [t.code for t in towns]
    sx, sy = proj.to_xy([t.lon for t in towns], [t.lat for t in towns])
    seats_xy = np.column_stack([sx, sy])
    seat_xy = {c: (float(x), float(y)) for c, (x, y) in zip(codes, seats_xy, strict=True)}
    territory = _territories(seats_xy, county, codes)
    for c, region in territory.items():
        if region.is_empty:
            raise GeographyError(f"township {c} ({by_code[c].name}): seat has no territory")
        shapely.prepare(region)
    radius = {c: math.sqrt(territory[c].area / math.pi) for c in codes}

    rng = np.random.default_rng(seed)
    placer = _Placer(min_separation_m, seats_xy)
    out_xy: dict[str, tuple[float, float]] = {}

    if hub_code is not None:
        hub = next(v for v in villages if v.code == hub_code)
        cx, cy = seat_xy[hub.town_code]
        for k in range(24):
            b = math.radians(hub_bearing_deg + 15.0 * k)
            x, y = cx + hub_distance_m * math.sin(b), cy + hub_distance_m * math.cos(b)
            if placer.ok(np.array([x]), np.array([y]), territory[hub.town_code])[0]:
                break
        else:
            raise GeographyError(
                f"hub {hub_code}: no valid spot {hub_distance_m:g} m from its seat "
                f"{hub.town_code} (outside the county or too close to another point)"
            )
        placer.add(x, y)
        out_xy[hub_code] = (x, y)

    order = sorted((v for v in villages if v.code != hub_code), key=lambda v: (not v.urban, v.code))
    for v in order:
        cx, cy = seat_xy[v.town_code]
        region = territory[v.town_code]
        r0 = urban_radius_m if v.urban else radius[v.town_code]
        found = None
        for scale in (1.0, 2.0, None):  # the stated fallback ladder
            u = rng.random((tries, 2))
            if scale is None:  # anywhere in the territory
                minx, miny, maxx, maxy = region.bounds
                xs = minx + u[:, 0] * (maxx - minx)
                ys = miny + u[:, 1] * (maxy - miny)
            else:
                r = r0 * scale * np.sqrt(u[:, 0])
                a = 2 * math.pi * u[:, 1]
                xs, ys = cx + r * np.sin(a), cy + r * np.cos(a)
            good = np.flatnonzero(placer.ok(xs, ys, region))
            if good.size:
                found = (float(xs[good[0]]), float(ys[good[0]]))
                break
        if found is None:
            raise GeographyError(
                f"village {v.code} ({v.name}): no spot in township {v.town_code} at least "
                f"{min_separation_m:g} m from the others after {3 * tries} draws"
            )
        placer.add(*found)
        out_xy[v.code] = found

    result: dict[str, tuple[float, float]] = {}
    for v in villages:  # input order, so the mapping reads like the CSV
        x, y = out_xy[v.code]
        lon, lat = proj.to_lonlat(x, y)
        result[v.code] = (round(float(lon), 6), round(float(lat), 6))
    return result
