"""``report.html``: one self-contained page (no scripts, no external files) with the headline
numbers, the baselines, tables per township, village and round, and the figures inline.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gongpei.report.formatting import (
    LIGHT_COLOURS,
    LIGHT_LABELS,
    clock,
    dump_json,
    finite,
    round_colour,
    round_ids,
    town_promises,
    village_round,
)
from gongpei.report.html_sections import _comparison_notes, _e, _fmt, _sorting_cost_section, _table

# ---------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",
"WenQuanYi Zen Hei",sans-serif;
margin:0 auto;max-width:1200px;padding:1em 1.5em;color:#222;background:#fafafa}
h1{margin:.2em 0}h2{margin-top:1.6em;border-bottom:2px solid #ddd;padding-bottom:.2em}
.meta{color:#666}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.6em 1em;min-width:10em}
.card .v{font-size:1.5em;font-weight:600}.card .k{color:#666;font-size:.85em}
.warn{background:#fff4d6;border:1px solid #f2c200;border-radius:6px;padding:.5em 1em}
.ok{color:#2ca02c}.bad{color:#d62728}
table{border-collapse:collapse;background:#fff;font-size:.88em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left}
th{background:#f0f0f0;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.dot{display:inline-block;width:.85em;height:.85em;border-radius:50%;
border:1px solid #555;vertical-align:-.1em}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd;background:#fff}
figcaption{color:#666;font-size:.9em}
pre{background:#fff;border:1px solid #ddd;padding:.5em;font-size:.8em;overflow:auto}
.legend>span{margin-right:1.2em;white-space:nowrap}
"""


if TYPE_CHECKING:
    from gongpei.day.results import DayResult, VillageOutcome
    from gongpei.report.geojson import RoundPath


def _dot(light: str) -> str:
    colour = LIGHT_COLOURS.get(light, "#999999")
    return (
        f'<span class="dot" style="background:{colour}" title="{_e(light)}" '
        f'aria-label="{_e(light)}"></span>'
    )


def _card(value: str, key: str, card_id: str = "") -> str:
    attr = f' id="{_e(card_id)}"' if card_id else ""
    return (
        f'<div class="card"{attr}><div class="v">{_e(value)}</div>'
        f'<div class="k">{_e(key)}</div></div>'
    )


def _headline_cards(day: DayResult, s: Mapping[str, Any]) -> str:
    p, so, r, vs = s["parcels"], s["sorter"], s["routing"], s["villages"]
    states = ("bagged", "no_read", "exception", "overflow", "in_system")
    accounted = sum(int(p[k]) for k in states)
    conserved = accounted == int(p["total"])
    trips = f" ({r['second_trips']} second trips)" if r.get("second_trips") else ""
    cards = [
        _card(f"{p['total']:,}", "parcels in", "card-parcels"),
        _card(
            f"{p['bagged']:,}",
            "bagged · " + " · ".join(f"{k.replace('_', ' ')} {p[k]:,}" for k in states[1:]),
            "card-bagged",
        ),
        _card(
            "✔ conserved" if conserved else f"✘ {accounted:,} ≠ {p['total']:,}",
            "parcels: in = bagged + no-read + exception + overflow + in system",
            "card-conservation",
        ),
        _card(_fmt(so["throughput_per_h"], 0, " /h"), "sorting throughput"),
        _card(clock(so.get("last_chute_ready_s")) or "—", "last chute ready"),
        _card(_fmt(100 * float(so["recirculation_rate"]), 2, " %"), "recirculation rate"),
        _card(f"{r['routes']}", "rounds", "card-rounds"),
        _card(f"{r['vans_used']}", "vans used" + trips),
        _card(_fmt(r["distance_km"], 0, " km"), "driven"),
        _card("¥" + _fmt(r["cost"], 0), "round cost"),
        _card(_fmt(r.get("co2_kg"), 0, " kg"), "CO₂"),
        _card(
            f"{vs['served']} / {vs['partly_served'] + vs['not_sorted']} / {vs['unserved']}",
            "villages served (every parcel delivered) / partly or not sorted / unserved",
        ),
    ]
    sc = s.get("sorting_cost") or {}
    if sc:
        cards.append(
            _card(
                "¥" + _fmt(sc.get("yuan_per_parcel"), 3),
                f"sorting cost per parcel ({sc.get('kind', '')} line)",
                "card-sorting-cost",
            )
        )

    def saving_card(sv: Mapping[str, Any], label: str, css: str) -> str:
        if sv.get("equal_service", True):
            return _card(f"{sv['distance_pct']:.1f} % km · {sv['cost_pct']:.1f} % ¥", label, css)
        return _card("unequal service", label + ": not like for like, no saving claimed", css)

    # The headline is against the status quo (township drop); every brand alone beside it.
    td = (s.get("other_baselines") or {}).get("township_drop")
    if td:
        label = "co-delivery saving vs township drop (the status quo)"
        cards.append(saving_card(td["saving"], label, "card-saving-township"))
    c = s.get("codelivery_saving") or {}
    if c:
        label = "co-delivery saving vs every brand alone"
        cards.append(saving_card(c, label, "card-saving-brands"))
    return '<section id="headline" class="cards">' + "".join(cards) + "</section>"


def _legend(counts: Mapping[str, int]) -> str:
    items = "".join(
        f"<span>{_dot(k)} <b>{_e(k)}</b> ({counts.get(k, 0)}) {_e(v)}</span>"
        for k, v in LIGHT_LABELS.items()
    )
    return f'<p class="legend" id="legend">{items}</p>'


def _township_rows(day: DayResult) -> list[list[tuple[str, bool]]]:
    groups: dict[str, list[VillageOutcome]] = {}
    for v in day.villages:
        groups.setdefault(v.township, []).append(v)
    rounds = village_round(day)
    rows = []
    for town, vs in groups.items():
        lights = {c: sum(v.light == c for v in vs) for c in LIGHT_COLOURS}
        arrivals = [v.arrival_s for v in vs if v.arrival_s is not None]
        rows.append(
            [
                (_e(town), False),
                (str(len(vs)), True),
                (str(sum(v.rural for v in vs)), True),
                (f"{sum(v.sorted_parcels + v.not_bagged for v in vs):,}", True),
                (f"{sum(v.sorted_parcels for v in vs):,}", True),
                (f"{sum(v.not_bagged for v in vs):,}", True),
                (f"{sum(v.pickup_parcels for v in vs):,}", True),
                (str(sum(v.status == "served" for v in vs)), True),
                (str(sum(v.status != "served" and v.light == "yellow" for v in vs)), True),
                (str(len({rounds[v.code] for v in vs if v.code in rounds})), True),
                (_e(clock(max(arrivals)) if arrivals else ""), True),
                (
                    " ".join(f"{_dot(c)}&nbsp;{n}" for c, n in lights.items() if n),
                    False,
                ),
            ]
        )
    return rows


def _village_rows(day: DayResult) -> list[list[tuple[str, bool]]]:
    rounds = village_round(day)
    rows = []
    for v in day.villages:
        rows.append(
            [
                (_dot(v.light), False),
                (_e(v.code), False),
                (_e(v.name), False),
                (_e(v.township), False),
                (f"{v.sorted_parcels + v.not_bagged:,}", True),
                (f"{v.sorted_parcels:,}", True),
                (f"{v.not_bagged:,}" if v.not_bagged else "", True),
                (f"{v.pickup_parcels:,}", True),
                (_e(clock(v.ready_s)), True),
                (_e(rounds.get(v.code, "")), False),
                (_e(v.vehicle or ""), False),
                (_e(clock(v.arrival_s)), True),
                (_e(v.status), False),
                (_e(v.reason), False),
            ]
        )
    return rows


def _round_rows(day: DayResult) -> list[list[tuple[str, bool]]]:
    rows = []
    for k, (rid, route) in enumerate(zip(round_ids(day), day.plan.routes, strict=True)):
        load = route.load_start[0] if route.load_start else 0
        swatch = f'<span class="dot" style="background:{round_colour(k)}"></span>'
        rows.append(
            [
                (f"{swatch} {_e(rid)}", False),
                (_e(route.vehicle), False),
                (str(route.trip + 1), True),
                (_e(route.vehicle_type), False),
                (_e(clock(route.depart_s)), True),
                (_e(clock(route.return_s)), True),
                (str(len(route.stops)), True),
                (f"{load:,}", True),
                (f"{route.distance_m / 1000:,.1f}", True),
                (f"{route.cost:,.0f}", True),
            ]
        )
    return rows


_BASELINE_HEADER = ["plan", "km", "van hours", "vans", "¥", "CO₂ kg", "saving km", "saving ¥"]


def _baseline_rows(day: DayResult, s: Mapping[str, Any]) -> list[list[tuple[str, bool]]]:
    """Co-delivery first, then each baseline with what co-delivery saves against it."""
    from gongpei.day.results import saving

    r = s["routing"]
    rows = [
        [
            ("co-delivery (this plan)", False),
            (_fmt(r["distance_km"], 1), True),
            (_fmt(r["duration_h"], 1), True),
            (str(r["vans_used"]), True),
            (_fmt(r["cost"], 0), True),
            (_fmt(r.get("co2_kg"), 0), True),
            ("", True),
            ("", True),
        ]
    ]
    for name, b in day.baselines.items():
        sv = saving(b, day)
        rows.append(
            [
                (_e(name.replace("_", " ")), False),
                (_fmt(b.distance_km, 1), True),
                (_fmt(b.duration_h, 1), True),
                (str(b.vans_used), True),
                (_fmt(b.cost, 0), True),
                (_fmt(b.co2_kg, 0), True),
                (_fmt(sv["distance_pct"], 1, " %"), True),
                (_fmt(sv["cost_pct"], 1, " %"), True),
            ]
        )
    return rows


def render_html(
    day: DayResult,
    pngs: Mapping[str, bytes] | None = None,
    paths: Sequence[RoundPath] | None = None,
) -> str:
    """The one-page report (UTF-8, no scripts, no external resources). The rounds map is
    inline SVG with a tooltip per village and round (``rounds_map.png`` stays a file)."""
    from gongpei.report.geojson import round_paths
    from gongpei.report.svg_map import rounds_map_svg
    from gongpei.report.timeline import timeline_svg

    s = finite(day.summary())
    name = str(s["scenario"])
    r = s["routing"]
    title = f"gongpei — {name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="meta">{_e(day.county.name)} · seed {_e(s["seed"])} · rounds by '
        f"{_e(r.get('backend', ''))} ({_e(r.get('status', ''))}) · promised by "
        f"{_e(clock(day.scenario.model.routing.promised_by))}</p></header>",
        _headline_cards(day, s),
    ]
    warnings = []
    if r.get("checker_violations"):
        warnings.append(
            f"The independent checker found {r['checker_violations']} violation(s) in the plan."
        )
    if r.get("villages_unserved") and "shortfall" in s:
        from gongpei.day.shortfall import shortfall_text

        warnings.append("Shortfall: " + shortfall_text(s["shortfall"]))
    if r.get("villages_unserved"):
        names = {v.code: v.name for v in day.villages}
        warnings.append(
            f"{len(r['villages_unserved'])} village(s) unserved: "
            + ", ".join(
                f"{names.get(u['village'], '')} {u['village']} ({u['reason']})"
                for u in r["villages_unserved"][:20]
            )
            + (" …" if len(r["villages_unserved"]) > 20 else "")
        )
    if warnings:
        parts.append(
            '<div class="warn" id="warnings">' + "<br>".join(_e(w) for w in warnings) + "</div>"
        )
    lights = {c: sum(v.light == c for v in day.villages) for c in LIGHT_LABELS}
    parts.append("<h2>Status lights</h2>" + _legend(lights))
    parts.append(
        '<h2>Rounds map</h2><section id="rounds-map">'
        + rounds_map_svg(day, round_paths(day) if paths is None else paths)
        + '<p class="meta">Hover a village or a round for its details.</p></section>'
    )
    parts.append(
        '<h2>Timeline</h2><section id="timeline">'
        + timeline_svg(day)
        + '<p class="meta">Per round: chutes ready (grey), waiting for a dock (dotted), '
        "loading (orange), out on the road (colour) with each arrival, and the promise "
        "(red).</p></section>"
    )
    if "service" in s:
        sv = s["service"]
        parts.append(
            '<p id="promise">'
            + _e(
                f"Promise ({sv['promise']}) by {clock(sv['promised_by_s'])}"
                + town_promises(day.county.towns, sv.get("promised_by_towns_s") or {})
                + ": "
                + f"{sv['on_time_villages']} villages on time, {sv['late_villages']} late "
                f"({sv['late_parcels']} parcels, {sv['late_parcel_h']} parcel-hours"
                + (
                    f", ¥{sv['late_cost']:.0f} at ¥{sv['late_cost_per_parcel_h']:g} a parcel-hour"
                    if sv["promise"] == "soft"
                    else ""
                )
                + f"), {sv['unserved_villages']} unserved; the reason of each late village is "
                "in the village table."
            )
            + "</p>"
        )
    if pngs:
        parts.append('<h2>Figures</h2><section id="plots">')
        captions = {
            "throughput.png": "Parcels into village chutes per clock hour",
            "induction_queue.png": "Parcels waiting for an induction operator (hour of day)",
            "chute_fill.png": "Chute fill over the day (share of capacity, 10-minute means)",
            "rounds_map.png": "Rounds along the roads; villages in their status light",
            "ready_arrival.png": "Chute ready vs van arrival per served village",
            "frontier.png": "Cost against late parcel-hours for each fleet size (frontier.csv); "
            "the star is this plan: its vans, cost and villages on time",
        }
        for fname, data in pngs.items():
            if fname == "rounds_map.png":  # shown above as inline SVG
                continue
            b64 = base64.b64encode(data).decode("ascii")
            cap = captions.get(fname, fname)
            parts.append(
                f'<figure><img src="data:image/png;base64,{b64}" alt="{_e(cap)}">'
                f"<figcaption>{_e(cap)}</figcaption></figure>"
            )
        parts.append("</section>")
    if day.baselines:
        parts.append("<h2>Co-delivery against the baselines</h2>")
        parts.append(_table(_BASELINE_HEADER, _baseline_rows(day, s), "baseline-table"))
        parts.append(_comparison_notes(s.get("comparisons") or {}))
    if s.get("sorting_cost"):
        parts.append("<h2>What sorting cost</h2>" + _sorting_cost_section(s["sorting_cost"]))
    parts.append(f"<h2>Rounds ({len(day.plan.routes)})</h2>")
    parts.append(
        _table(
            [
                "round",
                "vehicle",
                "trip",
                "type",
                "depart",
                "return",
                "stops",
                "parcels out",
                "km",
                "¥",
            ],
            _round_rows(day),
            "rounds-table",
        )
    )
    parts.append("<h2>Townships</h2>")
    parts.append(
        _table(
            ["township", "units", "rural", "parcels", "sorted", "not bagged", "pickup",
             "served", "exceptions", "rounds", "last arrival", "lights"],
            _township_rows(day),
            "township-table",
        )
    )  # fmt: skip
    parts.append(f"<h2>Villages ({len(day.villages)})</h2>")
    parts.append(
        _table(
            ["", "code", "name", "township", "parcels", "sorted", "not bagged", "pickup",
             "ready", "round", "vehicle", "arrival", "status", "reason"],
            _village_rows(day),
            "village-table",
        )
    )  # fmt: skip
    parts.append(
        "<details><summary>All headline numbers (summary.json)</summary>"
        f"<pre>{_e(dump_json(s))}</pre></details>"
    )
    parts.append(
        '<footer class="meta"><p>Written by gongpei. Files alongside: summary.json, '
        "villages.csv, routes.csv, routes.geojson, chutes.csv.</p></footer></body></html>\n"
    )
    return "\n".join(parts)
