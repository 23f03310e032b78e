"""irscript.tir.arith: the integer simplifier that symbolic shapes rely on.

`Analyzer` simplifies integer TIR expressions to a canonical form, proves
comparisons and bounds them; `simplify`, `can_prove` and `prove_equal` use a
shared default analyzer that knows nothing about vars (a `tir.SizeVar` is
always >= 0). `substitute` replaces vars, `evaluate` computes an expression
for given var values.

Canonical form: a sum of monomials (products of atoms with integer
coefficients) plus a constant, where atoms are vars or irreducible
sub-expressions (floordiv/floormod by a constant, min/max, casts, anything
else compared structurally). Simplified expressions print in one
deterministic, readable order:

* terms by degree, highest first: `n * n + n * 2 + 1`;
* equal degrees by atoms: vars by name (then by the order arith first met
  them, so same-named vars are ordered the same way in every run), then
  casts, floordiv, floormod, min, max, other products, truncdiv/truncmod,
  other sub-expressions: `m + n + n // 2`;
* within a product, atoms in the same order and the coefficient on the
  right: `m * n * 2`;
* the constant last;
* negative coefficients as subtraction: `n * 2 - 1`, `m - n`, `5 - n`
  (a sum starts with its first positive term; when none is positive, with
  a negative coefficient: `n * -1 - m`).

Results hold for every value of the vars within the known bounds, assuming
no overflow and no division by zero in the original expression.
"""

from __future__ import annotations

from typing import Any

from irscript.ir.expr import PrimExpr
from irscript.tir.arith.analyzer import Analyzer
from irscript.tir.arith.evaluate import evaluate
from irscript.tir.arith.substitute import substitute

_DEFAULT: Analyzer | None = None


def _default() -> Analyzer:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Analyzer()
    return _DEFAULT


def simplify(expr: Any) -> PrimExpr:
    """`expr` in canonical form, by the default analyzer."""
    return _default().simplify(expr)


def can_prove(cond: Any) -> bool:
    """Whether `cond` is proven, by the default analyzer (False when it cannot tell)."""
    return _default().can_prove(cond)


def prove_equal(a: Any, b: Any) -> bool:
    """Whether `a == b` is proven, by the default analyzer."""
    return _default().can_prove_equal(a, b)


def const_int_bound(expr: Any) -> tuple[int | float, int | float]:
    """(lo, hi) bounds of `expr` by the default analyzer (unknown sides are +-math.inf)."""
    return _default().const_int_bound(expr)


__all__ = ["Analyzer", "can_prove", "const_int_bound", "evaluate", "prove_equal", "simplify", "substitute"]
