"""Villages bigger than a van: split into van-sized drops, a Problem-level transformation.

Why: a village whose parcels or litres exceed every van it may use was rejected with
``capacity`` — on a 5× festival day the largest villages of the default county. Splitting
such a village into several drops at the same place (each within the van's capacity in
every dimension) lets any backend serve it with several visits — on several vans, or on one
van's several trips — without knowing about splitting: the split problem is an ordinary
:class:`~routing.problem.Problem`, solved and checked as usual.

The drops of village ``X`` are ``X#1 … X#k`` (:data:`PART_SEP`), ``k = ceil(max over
dimensions of load / capacity)`` against the largest van allowed there, so each part fits.
Loads are split as evenly as whole units allow (the first parts take the remainder);
``service_s``, ``late_cost_per_h`` and ``drop_penalty`` are shared in proportion to the
parts' parcels, so totals are kept; window, release, due time and depot are the village's.
:func:`village_of` maps a drop back to its village.
"""

from __future__ import annotations

import dataclasses
import math

from routing.problem import Problem, Village

__all__ = ["PART_SEP", "split_large", "village_of"]

#: Separator between a village id and its part number in a split drop's id.
PART_SEP = "#"


def village_of(stop_id: str, split: frozenset[str] | set[str] = frozenset()) -> str:
    """The village a (possibly split) stop belongs to. With ``split`` (the ids that were
    split) given, only those ids are unwrapped, so a village id that itself contains
    ``#`` is left alone."""
    base, sep, part = stop_id.rpartition(PART_SEP)
    if sep and part.isdigit() and (not split or base in split):
        return base
    return stop_id


def _even(total: int, k: int) -> list[int]:
    q, r = divmod(total, k)
    return [q + (1 if j < r else 0) for j in range(k)]


def split_large(problem: Problem) -> tuple[Problem, frozenset[str]]:
    """``problem`` with every village too big for its largest allowed van split into
    van-sized drops, and the ids of the villages split (empty: ``problem`` unchanged)."""
    out: list[Village] = []
    split: set[str] = set()
    dims = range(len(problem.dimensions))
    for v in problem.villages:
        types = [t for t in problem.vehicle_types if v.depot is None or t.start_depot == v.depot]
        if not types:
            out.append(v)
            continue
        cap = [max(t.capacity[k] for t in types) for k in dims]
        k = max(math.ceil(max(v.delivery[d], v.pickup[d]) / cap[d]) for d in dims)
        if k <= 1:
            out.append(v)
            continue
        split.add(v.id)
        deliv = [_even(v.delivery[d], k) for d in dims]
        pick = [_even(v.pickup[d], k) for d in dims]
        weight = [deliv[0][j] + pick[0][j] for j in range(k)]
        total = sum(weight) or k
        shares = [(w if sum(weight) else 1) / total for w in weight]
        service = _even(v.service_s, k)
        for j in range(k):
            out.append(
                dataclasses.replace(
                    v,
                    id=f"{v.id}{PART_SEP}{j + 1}",
                    delivery=tuple(deliv[d][j] for d in dims),
                    pickup=tuple(pick[d][j] for d in dims),
                    service_s=service[j],
                    late_cost_per_h=v.late_cost_per_h * shares[j],
                    drop_penalty=None if v.drop_penalty is None else v.drop_penalty * shares[j],
                )
            )
    if not split:
        return problem, frozenset()
    return problem.replace(villages=tuple(out)), frozenset(split)
