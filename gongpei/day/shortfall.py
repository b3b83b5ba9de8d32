"""What the fleet cannot carry: the day's shortfall, stated before the per-village reasons.

Why: on a short fleet every unserved village used to say ``fleet_size`` and nothing said
how short the fleet was (the 5-van day: 7,989 parcels against 1,500 of capacity). A
planner needs the size of the gap first — parcels and litres against what the vans can
carry in one round each, van-hours against their shifts — and only then which villages
were left and why.
"""

from __future__ import annotations

from typing import Any

from routing import Plan, Problem

__all__ = ["shortfall"]


def shortfall(problem: Problem, plan: Plan) -> dict[str, Any]:
    """The day's demand against the fleet, and what the plan leaves behind.

    Capacity is one round per van (a van's capacity × the number of vans); van-hours are
    each van's shift (``min(max_duration, shift_end − shift_start)``). ``short`` is the
    demand above capacity (0 when the fleet could carry it all). ``left_behind`` counts the
    unserved villages' deliveries and pickups.
    """
    dims = problem.dimensions
    demand = [sum(v.delivery[k] for v in problem.villages) for k in range(len(dims))]
    pickup = [sum(v.pickup[k] for v in problem.villages) for k in range(len(dims))]
    types = problem.vehicle_types
    capacity = [sum(t.capacity[k] * t.count for t in types) for k in range(len(dims))]
    shift_h = sum(
        t.count * min(t.max_duration_s, t.shift_end_s - t.shift_start_s) / 3600
        for t in problem.vehicle_types
    )
    unserved = {u.village for u in plan.unserved}
    left = [v for v in problem.villages if v.id in unserved]
    out: dict[str, Any] = {
        "vans": problem.num_vehicles,
        "van_hours": {
            "shifts": round(shift_h, 2),
            "used": round(plan.duration_s / 3600, 2),
        },
    }
    for k, name in enumerate(dims):
        out[name] = {
            "delivery": demand[k],
            "pickup": pickup[k],
            "fleet_capacity": capacity[k],
            "short": max(0, demand[k] - capacity[k], pickup[k] - capacity[k]),
        }
    out["left_behind"] = {
        "villages": len(left),
        **{f"{name}_delivery": sum(v.delivery[k] for v in left) for k, name in enumerate(dims)},
        **{f"{name}_pickup": sum(v.pickup[k] for v in left) for k, name in enumerate(dims)},
    }
    return out


def shortfall_text(s: dict[str, Any]) -> str:
    """One plain sentence of :func:`shortfall` for the report (parcels first)."""
    parts = []
    for name in ("parcels", "litres"):
        if name in s:
            d = s[name]
            parts.append(
                f"{d['delivery']:,} {name} to deliver against {d['fleet_capacity']:,} of fleet "
                f"capacity (one round per van)"
            )
    vh = s["van_hours"]
    parts.append(f"{vh['used']:,.1f} van-hours used of {vh['shifts']:,.1f} in the shifts")
    lb = s["left_behind"]
    text = f"{s['vans']} vans: " + "; ".join(parts) + "."
    if lb["villages"]:
        text += (
            f" Left behind: {lb['villages']} villages, {lb.get('parcels_delivery', 0):,} parcels "
            f"to deliver and {lb.get('parcels_pickup', 0):,} to collect."
        )
    return text
