"""The copy step that made ``gongpei/county/data/zhejiang26`` from the research folder
``shared/data/zhejiang26``: where the awkward rows are handled, each by a stated rule.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

#: Hanyu Pinyin (no tones) of the 26 county names: scenario names must be ASCII.
NAME_EN = {
    "330127": "Chun'an", "330324": "Yongjia", "330326": "Pingyang", "330327": "Cangnan",
    "330328": "Wencheng", "330329": "Taishun", "330723": "Wuyi", "330727": "Pan'an",
    "330802": "Kecheng", "330803": "Qujiang", "330822": "Changshan", "330824": "Kaihua",
    "330825": "Longyou", "330881": "Jiangshan", "331022": "Sanmen", "331023": "Tiantai",
    "331024": "Xianju", "331102": "Liandu", "331121": "Qingtian", "331122": "Jinyun",
    "331123": "Suichang", "331124": "Songyang", "331125": "Yunhe", "331126": "Qingyuan",
    "331127": "Jingning", "331181": "Longquan",
}  # fmt: skip


#: Seat evidence class from SOURCES.md §6/§7 (A: a text source names it; B: the county-town
#: 街道, no text found; C: unconfirmed).
SEAT_EVIDENCE = {
    **dict.fromkeys(["330802", "331024", "331125"], "C"),
    **dict.fromkeys(
        ["330803", "330822", "330825", "331022", "331121", "331122", "331126", "331181"], "B"
    ),
}


#: Seat points moved into the county town, with the reason (SOURCES.md §7).
SEAT_POINT_OVERRIDES = {
    "330824115": (
        29.13972,
        118.40978,
        "derived:county_town_point",
        "开化 华埠镇: Baidu's 华埠镇 point (29.01035, 118.35398) is the old 华埠 town 15.4 km "
        "SSW of the county town; the county-town communities are coded under 华埠镇, so its "
        "seat is put at Baidu's county-level point of 开化县 (the county town 芹阳)",
    ),
}


def package_zhejiang26(src: Path | str, dst: Path | str) -> list[str]:
    """Copy the research folder ``src`` (shared/data/zhejiang26) into the per-county package
    layout ``dst/<code>/{towns.csv,villages.csv,outline.geojson}`` + ``counties.csv``, which
    the loaders of :mod:`gongpei.county.geography` read as they are. Returns one message per row
    that was changed or left out.

    The awkward rows, each by a stated rule:

    * **no coordinate** (平阳 开发区 330326401): left out, with its village-level units (one
      placeholder, 开发区虚拟社区, no residents): a seat at a guessed point would carve a
      territory out of real townships. Listed in ``counties.csv`` ``note``.
    * **类似乡级单位** (forest farms, 县特产场, a nature reserve) with a point: kept, ``kind`` 乡
      (the loaders know 街道/镇/乡), ``nbs_kind`` keeps the NBS value.
    * **生活区** (farm and forest-farm living quarters, incl. the 虚拟 placeholders of the
      units above): on the rounds like a 村 — rural settlements of farm workers; ``kind`` 村,
      ``nbs_kind`` 生活区. They count in ``num_living_quarters``, not ``num_villages_cun``.
    * **a seat far from the county town** (开化 华埠镇, 15.4 km): the seat point moves to the
      county-level point (:data:`SEAT_POINT_OVERRIDES`), ``coord_source`` ``derived:...``.

    ``seat_code`` is the township whose point the research file gives as the seat.
    """
    src, dst = Path(src), Path(dst)
    messages: list[str] = []
    counties = list(csv.DictReader(io.StringIO((src / "counties.csv").read_text("utf-8"))))
    towns = list(csv.DictReader(io.StringIO((src / "towns.csv").read_text("utf-8"))))
    units = list(csv.DictReader(io.StringIO((src / "villages.csv").read_text("utf-8"))))
    shapes = json.loads((src / "boundaries.geojson").read_text("utf-8"))["features"]
    outline = {f["properties"]["code"]: f for f in shapes}
    dst.mkdir(parents=True, exist_ok=True)
    rows = []
    for c in counties:
        code = c["code"]
        ctowns = [t for t in towns if t["county_code"] == code]
        cunits = [u for u in units if u["county_code"] == code]
        notes: list[str] = []
        left_out = {t["code"] for t in ctowns if not t["lat"] or not t["lon"]}
        for t in ctowns:
            if t["code"] in left_out:
                gone = [u for u in cunits if u["town_code"] == t["code"]]
                msg = (
                    f"{t['name']} {t['code']} ({t['kind']}) left out: no coordinate; with its "
                    f"{len(gone)} unit(s) " + ", ".join(u["name"] for u in gone)
                )
                notes.append(msg)
                messages.append(f"{code} {c['name']}: {msg}")
        seat = [
            t
            for t in ctowns
            if t["lat"]
            and abs(float(t["lat"]) - float(c["seat_lat"])) < 1e-6
            and abs(float(t["lon"]) - float(c["seat_lon"])) < 1e-6
        ]
        if len(seat) != 1:
            raise ValueError(f"{code}: seat point matches {len(seat)} townships")
        seat_lat, seat_lon = c["seat_lat"], c["seat_lon"]
        out_towns = []
        for t in sorted(ctowns, key=lambda t: t["code"]):
            if t["code"] in left_out:
                continue
            kind, lat, lon, source = t["kind"], t["lat"], t["lon"], t["coord_source"]
            if kind not in ("街道", "镇", "乡"):
                kind = "乡"
                messages.append(f"{code} {c['name']}: {t['name']} {t['code']}: {t['kind']} → 乡")
            if t["code"] in SEAT_POINT_OVERRIDES:
                la, lo, source, why = SEAT_POINT_OVERRIDES[t["code"]]
                lat, lon = f"{la:.5f}", f"{lo:.5f}"
                notes.append(why)
                messages.append(f"{code} {c['name']}: {why}")
                if t["code"] == seat[0]["code"]:
                    seat_lat, seat_lon = lat, lon
            out_towns.append([t["code"], t["name"], kind, lat, lon, source, t["kind"]])
        out_units = []
        for u in sorted(cunits, key=lambda u: u["code"]):
            if u["town_code"] in left_out:
                continue
            kind = "村" if u["kind"] == "生活区" else u["kind"]
            out_units.append(
                [u["code"], u["name"], u["town_code"], u["town_name"], kind, u["kind"]]
            )
        d = dst / code
        d.mkdir(exist_ok=True)
        _write_csv(
            d / "towns.csv",
            ["code", "name", "kind", "lat", "lon", "coord_source", "nbs_kind"],
            out_towns,
        )
        _write_csv(
            d / "villages.csv",
            ["code", "name", "town_code", "town_name", "kind", "nbs_kind"],
            out_units,
        )
        feature = outline[code]
        doc = {"type": "FeatureCollection", "features": [feature]}
        (d / "outline.geojson").write_text(json.dumps(doc, ensure_ascii=False) + "\n", "utf-8")
        living = sum(u[5] == "生活区" for u in out_units)
        rows.append([
            code, c["name"], NAME_EN[code], c["prefecture"], c["num_towns"],
            c["num_villages_cun"], c["num_communities"], str(living), c["area_km2"],
            seat[0]["code"], seat[0]["name"], seat_lat, seat_lon,
            SEAT_EVIDENCE.get(code, "A"), "; ".join(notes),
        ])  # fmt: skip
    _write_csv(
        dst / "counties.csv",
        ["code", "name", "name_en", "prefecture", "num_towns", "num_villages_cun",
         "num_communities", "num_living_quarters", "area_km2", "seat_code", "seat_name",
         "seat_lat", "seat_lon", "seat_evidence", "note"],
        rows,
    )  # fmt: skip
    return messages


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(header)
    wr.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
