"""The comparisons a co-delivery plan is judged against: every brand alone, township drop,
and (in transfer-station mode) direct rounds from the hub.
"""

from __future__ import annotations

from typing import Any

from gongpei.day.outcomes import plan_co2_kg
from gongpei.day.problems import (
    TrunkRun,
)
from gongpei.day.results import BaselineResult, combined_service, plan_service
from gongpei.scenario.loading import Scenario
from routing import Plan, Problem


def baseline_result(
    name: str, plans: dict[str, Plan], problems: dict[str, Problem], scenario: Scenario
) -> BaselineResult:
    """One baseline's totals over its plans (one per brand), with the service they gave, so
    a saving against it can say whether it is like for like. Stops are villages in
    ``brands_alone``; in ``township_drop`` most are township seats, so only parcel counts
    are compared there."""
    villages = name == "brands_alone"
    service = combined_service(
        [plan_service(p, problems[b], villages=villages) for b, p in sorted(plans.items())]
    )
    return BaselineResult(
        name=name,
        distance_km=sum(p.distance_m for p in plans.values()) / 1000,
        duration_h=sum(p.duration_s for p in plans.values()) / 3600,
        vans_used=sum(len({r.vehicle for r in p.routes}) for p in plans.values()),
        cost=sum(p.cost for p in plans.values()),
        co2_kg=sum(plan_co2_kg(p, scenario) for p in plans.values()),
        detail={
            b: {
                "routes": len(p.routes),
                "distance_km": round(p.distance_m / 1000, 3),
                "cost": round(p.cost, 2),
                "unserved": len(p.unserved),
            }
            for b, p in sorted(plans.items())
        },
        service=service,
    )


def stations_comparison(
    plan: Plan, trunk: tuple[TrunkRun, ...], direct: Plan, scenario: Scenario
) -> dict[str, Any]:
    """County–town–village (hub → station trunk, station → village rounds) against direct
    rounds from the hub, on the same day."""

    def side(p: Plan, extra_km: float, extra_cost: float, extra_co2: float) -> dict[str, Any]:
        return {
            "routes": len(p.routes),
            "vans_used": len({r.vehicle for r in p.routes}),
            "distance_km": round(p.distance_m / 1000 + extra_km, 3),
            "van_km": round(p.distance_m / 1000, 3),
            "cost": round(p.cost + extra_cost, 2),
            "co2_kg": round(plan_co2_kg(p, scenario) + extra_co2, 2),
            "villages_unserved": len(p.unserved),
        }

    return {
        "via_stations": {
            **side(
                plan,
                sum(t.distance_m for t in trunk) / 1000,
                sum(t.cost for t in trunk),
                sum(t.co2_kg for t in trunk),
            ),
            "trunk": [
                {
                    "station": t.station,
                    "parcels": t.parcels,
                    "trips": t.trips,
                    "km": round(t.distance_m / 1000, 3),
                    "loading_start_s": t.loading_start_s,
                    "dock": None if t.dock is None else t.dock + 1,
                    "depart_s": t.depart_s,
                    "arrive_s": t.arrive_s,
                    "station_ready_s": t.arrive_s + t.transfer_s,
                    "cost": round(t.cost, 2),
                }
                for t in trunk
            ],
        },
        "direct": side(direct, 0.0, 0.0, 0.0),
    }
