"""Progress bars for a county day (tqdm on stderr when asked for, silent otherwise).

The pipeline, the baselines and the sorter all report through one :class:`Progress`, so a
library caller gets no output unless it asks for bars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Progress:
    """tqdm bars on stderr when asked for, silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @contextmanager
    def sorting(self) -> Iterator[Callable[[float], None] | None]:
        if not self.enabled:
            yield None
            return
        from tqdm import tqdm

        bar = tqdm(total=100, desc="sorting", unit="%", leave=False, bar_format="{l_bar}{bar}")
        last = [0]

        def update(fraction: float) -> None:
            pct = int(min(max(fraction, 0.0), 1.0) * 100)
            if pct > last[0]:
                bar.update(pct - last[0])
                last[0] = pct

        try:
            yield update
        finally:
            bar.close()

    @contextmanager
    def solving(
        self, budget_s: float, label: str
    ) -> Iterator[Callable[[float, float], None] | None]:
        if not self.enabled:
            yield None
            return
        from tqdm import tqdm

        bar = tqdm(
            total=round(budget_s, 1),
            desc=label,
            unit="s",
            leave=False,
            bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s {postfix}",
        )

        best = [float("inf")]

        def update(elapsed_s: float, best_cost: float) -> None:
            # With `auto` both backends report; show the best plan found by either.
            best[0] = min(best[0], best_cost)
            bar.n = round(min(elapsed_s, budget_s), 1)
            bar.set_postfix_str(f"best ¥{best[0]:,.0f}", refresh=True)

        try:
            yield update
        finally:
            bar.close()
