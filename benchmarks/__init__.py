"""irscript benchmarks: `python -m benchmarks [--quick] [name ...]`.

Every `bench_*.py` module here that defines `run(scale: float) -> list[Row]`
is run (`scale` 1.0, or 0.1 with `--quick`) and all rows go into one table:
figure, value, unit, the baseline measured in the same run, and the ratio
value / baseline. Timings are the best of a few repeats with the garbage
collector off. Benchmarks measure; tests never assert timings.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any, NamedTuple


class Row(NamedTuple):
    """One figure of a benchmark and the in-run baseline it is compared with."""

    figure: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None

    @property
    def ratio(self) -> float | None:
        if not self.baseline_value:
            return None
        return self.value / self.baseline_value


def best_time(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """(best wall time in seconds over `repeat` calls, the last result), GC off while timing."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
    return best, result


__all__ = ["Row", "best_time"]
