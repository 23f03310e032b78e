"""Source: the random choices of the IR generators, backed by hypothesis.

By default one hypothesis draw seeds a `random.Random` and every later choice
comes from it: a whole module costs one draw instead of hundreds (hypothesis
spends ~0.3 ms per draw), failures still replay from the drawn seed, but
hypothesis cannot shrink inside the module. `Source(draw, fast=False)` routes
every choice through `draw` instead, so failures shrink choice by choice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

FLOAT_SPECIALS = (0.0, -0.0, 1.0, -1.5, 0.25, 3.0, 1e-3, math.nan, math.inf, -math.inf)


class Source:
    """Integers, booleans, picks, floats, bytes and permutations for the generators."""

    __slots__ = ("draw", "rng")

    def __init__(self, draw: Callable[[Any], Any], fast: bool = True) -> None:
        self.draw = draw
        self.rng = random.Random(draw(st.integers(0, 2**64 - 1))) if fast else None

    def int(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi]."""
        if self.rng is not None:
            return self.rng.randint(lo, hi)
        return self.draw(st.integers(lo, hi))

    def bool(self) -> bool:
        return self.int(0, 1) == 1

    def pick(self, options: Sequence[Any]) -> Any:
        return options[self.int(0, len(options) - 1)]

    def float(self) -> float:
        """A special value (0.0, -0.0, NaN, infinities, ...) or a float32-representable number."""
        if self.rng is not None:
            if self.rng.random() < 0.5:
                return self.rng.choice(FLOAT_SPECIALS)
            return float(int(self.rng.uniform(-1e3, 1e3) * 256) / 256)
        return self.draw(st.sampled_from(FLOAT_SPECIALS) | st.floats(-1e3, 1e3, width=32))

    def bytes(self, n: int) -> bytes:
        if self.rng is not None:
            return self.rng.randbytes(n)
        return self.draw(st.binary(min_size=n, max_size=n))

    def permutation(self, n: int) -> list[int]:
        if self.rng is not None:
            order = list(range(n))
            self.rng.shuffle(order)
            return order
        return list(self.draw(st.permutations(range(n))))
