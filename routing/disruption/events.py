"""What can happen during the day: a van breaks down, a road closes.

The routing names are :class:`VanBreakdown`, :class:`RoadClosure` and their union
:data:`Disruption`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Disruption",
    "DisruptionError",
    "RoadClosure",
    "VanBreakdown",
    "disruption_dict",
    "is_disruption",
]


class DisruptionError(ValueError):
    """An event or a plan does not fit the problem; the message names the id and value."""


@dataclass(frozen=True, slots=True)
class VanBreakdown:
    """Van ``vehicle`` (e.g. ``"van#3"``) stops for the day at clock second ``at_s``."""

    vehicle: str
    at_s: int

    def __post_init__(self) -> None:
        _check_time("VanBreakdown", self.at_s)


@dataclass(frozen=True, slots=True)
class RoadClosure:
    """Road-graph ``edges`` (node pairs) close at ``at_s`` and reopen at ``until_s``
    (``None``: closed for the rest of the day). Routing sees a closure only through the new
    matrices passed as ``problem_after`` (one entry from ``at_s``, another from ``until_s``);
    the edges are kept for reports."""

    edges: tuple[tuple[str, str], ...]
    at_s: int
    until_s: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "edges", tuple((str(a), str(b)) for a, b in self.edges))
        _check_time("RoadClosure", self.at_s)
        if not self.edges:
            raise DisruptionError("RoadClosure.edges: at least one edge")
        if self.until_s is not None:
            _check_time("RoadClosure", self.until_s)
            if self.until_s <= self.at_s:
                raise DisruptionError(
                    f"RoadClosure.until_s = {self.until_s}: must be after at_s = {self.at_s}"
                )

    def closed_at(self, t: int) -> bool:
        """Whether the road is closed at clock second ``t``."""
        return self.at_s <= t and (self.until_s is None or t < self.until_s)


#: Anything :func:`routing.disruption.replan` re-plans after.
Disruption = VanBreakdown | RoadClosure


def _check_time(owner: str, t: Any) -> None:
    if isinstance(t, bool) or not isinstance(t, int) or t < 0:
        raise DisruptionError(f"{owner}.at_s = {t!r}: must be an integer >= 0 (clock seconds)")


def is_disruption(e: Any) -> bool:
    """Whether ``e`` is a :data:`Disruption`."""
    return isinstance(e, VanBreakdown | RoadClosure)


def disruption_dict(e: Disruption) -> dict[str, Any]:
    """``e`` as plain data for ``plan.meta`` and reports."""
    if isinstance(e, VanBreakdown):
        return {"kind": "breakdown", "vehicle": e.vehicle, "at_s": e.at_s}
    out: dict[str, Any] = {"kind": "closure", "edges": [list(x) for x in e.edges], "at_s": e.at_s}
    if e.until_s is not None:
        out["until_s"] = e.until_s
    return out
