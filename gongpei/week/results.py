"""What ``gongpei week`` computed, as a result object and as ``week.json``.

:class:`WeekResult` wraps the :class:`~gongpei.week.plan.WeekPlan`; :meth:`WeekResult.summary`
is the JSON document (no wall times in it, so equal inputs give equal files when the solver
is deterministic). Parcel accounting: ``carried_in + total = delivered + waiting`` for the
week, and per village and day in ``ledger``; a parcel is *late* when it was delivered after
more than ``week.max_wait_days`` days, or still waits at the end with longer than that.
Every parcel that is late or still waiting is listed in ``parcels.exceptions`` with its
reason (``next_week``: waits for its village's next service day, within its limit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gongpei.scenario.loading import Scenario
from gongpei.week.patterns import pattern_names
from gongpei.week.plan import Variant, WeekPlan, plan_week

__all__ = ["WeekResult", "run_week"]


def run_week(scenario: Scenario, *, log: Callable[[str], None] | None = None) -> WeekResult:
    """Plan the scenario's week (:func:`gongpei.week.plan.plan_week`)."""
    return WeekResult(plan_week(scenario, log=log))


@dataclass(frozen=True, eq=False)
class WeekResult:
    plan: WeekPlan
    #: A stop request (a first Ctrl-C) cut the week's searches short: every day's rounds
    #: are the best found so far (``gongpei week``).
    interrupted: bool = False

    @property
    def scenario(self) -> Scenario:
        return self.plan.scenario

    @property
    def chosen(self) -> Variant:
        return self.plan.chosen

    @property
    def timings(self) -> dict[str, float]:
        return self.plan.timings

    # -- parts of week.json ---------------------------------------------------------------
    def days(self) -> list[dict[str, Any]]:
        v = self.chosen
        staged: dict[int, list[int]] = {}
        outgoing: dict[int, list[int]] = {}
        for e in v.ledger:
            staged.setdefault(e.day, []).append(e.waiting_end)
            outgoing.setdefault(e.day, []).append(e.outgoing_waiting)
        cage = self.scenario.model.week.hub_cage_parcels
        out = []
        for k, d in enumerate(v.days):
            hub = staged.get(k, [0])
            out.append(
                {
                    "day": d.day,
                    "parcels": d.parcels,
                    "vans": d.vans,
                    "km": round(d.plan.distance_m / 1000, 3),
                    "cost": round(d.cost, 2),
                    "on_time_villages": d.on_time_villages,
                    "stops": len(d.stops),
                    "unserved": [
                        {"village": u.village, "reason": u.reason} for u in d.plan.unserved
                    ],
                    "checker_violations": d.violations,
                    "hub_staged_parcels": sum(hub),
                    "hub_staged_max_village": max(hub),
                    "hub_cages_over_capacity": sum(1 for x in hub if x > cage),
                    "station_outgoing_parcels": sum(outgoing.get(k, [0])),
                }
            )
        return out

    def villages(self) -> list[dict[str, Any]]:
        v = self.chosen
        w = self.scenario.model.week
        county = self.plan.week_days.problems[0].sorted.county
        waits: dict[str, list[tuple[int, int]]] = {}
        for d in v.deliveries:
            waits.setdefault(d.village, []).append((d.parcels, d.wait_days))
        out = []
        for code in sorted(v.patterns):
            pat = v.patterns[code]
            o = self.plan.options[code]
            ws = [x for x in waits.get(code, []) if x[0]]
            n = sum(p for p, _ in ws)
            out.append(
                {
                    "code": code,
                    "name": county.village(code).name,
                    "town": o.town,
                    "pattern": pattern_names(pat, w),
                    "visits": len(pat),
                    "mean_wait_days": round(sum(p * x for p, x in ws) / n, 4) if n else 0.0,
                    "max_wait_days": max((x for _, x in ws), default=0),
                    "auto": o.auto,
                    "produce": o.produce,
                    "candidates": [pattern_names(p, w) for p in o.candidates],
                    "excluded": [
                        {"pattern": pattern_names(p, w), "why": why} for p, why in o.excluded
                    ],
                }
            )
        return out

    def parcels(self) -> dict[str, Any]:
        v = self.chosen
        limit = self.scenario.model.week.max_wait_days
        names = self.plan.week_days.names
        arrived = sum(e.arrived for e in v.ledger)
        delivered = sum(d.parcels for d in v.deliveries)
        waiting = sum(w.parcels for w in v.waiting)

        def day_name(k: int) -> str:
            return names[k] if k >= 0 else f"last week {names[k % len(names)]}"

        exceptions = [
            {
                "village": d.village,
                "sorted": day_name(d.sorted_day),
                "parcels": d.parcels,
                "reason": f"delivered after {d.wait_days} days (> max_wait_days)",
                "wait_days": d.wait_days,
            }
            for d in v.deliveries
            if d.wait_days > limit and d.parcels
        ] + [
            {
                "village": w.village,
                "sorted": day_name(w.sorted_day),
                "parcels": w.parcels,
                "reason": w.reason,
                "wait_days": w.wait_days,
            }
            for w in v.waiting
        ]
        late = v.late(limit)
        return {
            "total": arrived,
            "carried_in": v.carried_in,
            "delivered": delivered,
            "waiting": waiting,
            "late": late,
            "max_wait_days_allowed": limit,
            "exceptions": exceptions,
        }

    def comparison(self) -> dict[str, Any]:
        p = self.plan
        limit = self.scenario.model.week.max_wait_days
        out: dict[str, Any] = {
            "daily": p.daily.comparison(limit),
            "chosen": p.chosen.comparison(limit),
            "produce_daily_others_3x": p.rule.comparison(limit),
        }
        if p.standing is not None:
            out["standing_rounds"] = p.standing.comparison(limit)
            free = p.chosen.cost
            out["standing_vs_free"] = {
                "extra_cost": round(p.standing.cost - free, 2),
                "extra_pct": round(100 * (p.standing.cost - free) / free, 2) if free else 0.0,
                "extra_van_days": p.standing.van_days - p.chosen.van_days,
            }
        daily = p.daily.cost
        out["chosen_saving_vs_daily_pct"] = (
            round(100 * (daily - p.chosen.cost) / daily, 2) if daily else 0.0
        )
        # Like for like only when both deliver the same parcels over the week: the same
        # parcels left behind (waiting for another reason than their next service day).
        # Otherwise the number is kept for reference but no saving is claimed (issue 13).
        left = (out["daily"]["left_behind"], out["chosen"]["left_behind"])
        out["equal_service"] = left[0] == left[1]
        out["unequal_service_note"] = (
            ""
            if out["equal_service"]
            else f"no saving claimed: unequal service (daily leaves {left[0]} parcels "
            f"behind, the chosen patterns {left[1]})"
        )
        return out

    def summary(self) -> dict[str, Any]:
        """The ``week.json`` document."""
        sc = self.scenario
        search = {k: v for k, v in self.plan.search.items() if not k.endswith("_s")}
        return {
            "scenario": sc.name,
            "seed": sc.seed,
            "days_planned": list(self.plan.week_days.names),
            "service": sc.model.week.service,
            "days": self.days(),
            "villages": self.villages(),
            "parcels": self.parcels(),
            "comparison": self.comparison(),
            "search": search,
            "note": self.chosen.note,
            "interrupted": self.interrupted,
            "ledger": [
                {
                    "day": self.plan.week_days.names[e.day],
                    "village": e.village,
                    "waiting_start": e.waiting_start,
                    "arrived": e.arrived,
                    "delivered": e.delivered,
                    "waiting_end": e.waiting_end,
                }
                for e in self.chosen.ledger
                if e.waiting_start or e.arrived or e.waiting_end
            ],
        }

    def headline(self) -> str:
        c = self.comparison()
        ch, da = c["chosen"], c["daily"]
        par = self.parcels()
        return (
            f"{self.scenario.name}: week of {len(self.plan.week_days.names)} days, "
            f"chosen ¥{ch['cost']:,.0f} / {ch['km']:,.0f} km / {ch['van_days']} van-days vs "
            f"daily ¥{da['cost']:,.0f} / {da['km']:,.0f} km / {da['van_days']} van-days "
            + (
                f"({c['chosen_saving_vs_daily_pct']:.1f} % cheaper)"
                if c["equal_service"]
                else f"({c['unequal_service_note']})"
            )
            + f"; parcels {par['total']:,}, "
            f"late {par['late']}, mean wait {ch['mean_wait_days']:.2f} days"
            + (
                "\ninterrupted (Ctrl-C): every day's rounds after it are the best found so far"
                if self.interrupted
                else ""
            )
        )
