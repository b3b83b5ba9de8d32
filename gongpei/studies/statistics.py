"""Means and confidence intervals over replications (Student's t).

The t quantile is computed here exactly (closed-form CDF for integer degrees of freedom,
A&S 26.7.3–4, inverted by bisection), so results do not depend on whether scipy is installed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from gongpei.studies.metrics import DAY_METRICS, SAVING_NOTE, SORT_METRICS


# ---- statistics ------------------------------------------------------------------------------
def _t_two_sided_cdf(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with integer ``df`` (Abramowitz & Stegun 26.7.3/26.7.4)."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    s = math.sin(theta)
    if df % 2 == 1:
        if df == 1:
            return 2 * theta / math.pi
        term, total = math.cos(theta), math.cos(theta)
        for k in range(1, (df - 3) // 2 + 1):
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
        return 2 / math.pi * (theta + s * total)
    term, total = 1.0, 1.0
    for k in range(1, (df - 2) // 2 + 1):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return s * total


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` (integer >= 1) degrees of freedom.

    Exact to about 1e-10: the closed-form CDF inverted by bisection (no scipy needed).
    """
    if not 0 < p < 1:
        raise ValueError(f"p = {p}: must be in (0, 1)")
    if df < 1 or int(df) != df:
        raise ValueError(f"df = {df}: must be an integer >= 1")
    if p == 0.5:
        return 0.0
    two_sided = abs(2 * p - 1)  # P(|T| <= q)
    lo, hi = 0.0, 1.0
    while _t_two_sided_cdf(hi, int(df)) < two_sided:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if _t_two_sided_cdf(mid, int(df)) < two_sided:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    q = (lo + hi) / 2
    return q if p > 0.5 else -q


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the Student-t interval for the mean of ``values``.

    NaN values are dropped; with fewer than two values the bounds are NaN (no spread known).
    """
    xs = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    n = len(xs)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = math.fsum(xs) / n
    if n < 2:
        return mean, math.nan, math.nan
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def aggregate(
    rows: Sequence[Mapping[str, Any]],
    by: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
) -> list[dict[str, Any]]:
    """One row per group: the group's values, ``n``, and for every metric its mean
    (``metric``), standard deviation (``metric_sd``) and interval (``metric_ci = [lo, hi]``).

    ``metrics`` defaults to the columns named in :data:`SORT_METRICS` and :data:`DAY_METRICS`;
    ``by`` to every other column except ``replication``, ``seed`` and ``saving_note`` (the
    scenario name and the grid values). NaN values are left out of a metric's statistics
    (a saving on unequal service is NaN: :func:`gongpei.studies.metrics.day_metrics`); when
    the rows carry ``saving_note``, each group's says how many of its runs had no saving and
    why. Groups keep the order in which they first appear.
    """
    if not rows:
        return []
    skip = {"replication", "seed", SAVING_NOTE}
    cols = list(rows[0])
    if metrics is None:
        known = set(SORT_METRICS) | set(DAY_METRICS)
        metrics = [c for c in cols if c in known]
    if by is None:
        by = [c for c in cols if c not in skip and c not in metrics]
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        key = tuple(_hashable(row.get(k)) for k in by)
        groups.setdefault(key, []).append(row)
    out = []
    for members in groups.values():
        agg: dict[str, Any] = {k: members[0].get(k) for k in by}
        agg["n"] = len(members)
        for m in metrics:
            vals = [float(r[m]) for r in members if r.get(m) is not None]
            mean, lo, hi = mean_ci(vals, confidence)
            finite = [v for v in vals if not math.isnan(v)]
            sd = (
                math.sqrt(math.fsum((v - mean) ** 2 for v in finite) / (len(finite) - 1))
                if len(finite) > 1
                else math.nan
            )
            agg[m] = mean
            agg[f"{m}_sd"] = sd
            agg[f"{m}_ci"] = [lo, hi]
        notes = [r[SAVING_NOTE] for r in members if r.get(SAVING_NOTE)]
        if SAVING_NOTE in cols:
            # the saving's statistics leave out runs on unequal service: say how many
            agg[SAVING_NOTE] = (
                f"{len(notes)} of {len(members)} runs on unequal service (no saving): " + notes[0]
                if notes
                else ""
            )
        out.append(agg)
    return out


def _hashable(v: Any) -> Any:
    if isinstance(v, list | dict):
        return json.dumps(v, sort_keys=True)
    return v
