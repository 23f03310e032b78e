"""Constant-interval (bounds) analysis over canonical forms.

An interval is a pair `(lo, hi)` of Python ints, where an unknown side is
`-math.inf` / `math.inf` (lo is never +inf, hi never -inf). The helpers keep
ints exact and never mix a huge int with a float infinity. `FormBounds`
computes the interval of a `Form` from the bounds of its atoms: vars from the
analyzer's bindings (a `tir.SizeVar` is at least 0), floordiv/floormod/min/max/
cast atoms from their arguments, and opaque atoms unknown.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from irscript.ir.dtype import DataType
from irscript.tir.arith import form as F

INF = math.inf
NEG_INF = -math.inf
UNKNOWN = (NEG_INF, INF)
Interval = tuple


def _add(x: int | float, y: int | float) -> int | float:
    if type(x) is float:
        return x
    if type(y) is float:
        return y
    return x + y


def _mul(x: int | float, y: int | float) -> int | float:
    if x == 0 or y == 0:
        return 0
    if type(x) is float or type(y) is float:
        return INF if (x > 0) == (y > 0) else NEG_INF
    return x * y


def i_add(a: Interval, b: Interval) -> Interval:
    return (_add(a[0], b[0]), _add(a[1], b[1]))


def i_scale(a: Interval, k: int) -> Interval:
    if k >= 0:
        return (_mul(a[0], k), _mul(a[1], k))
    return (_mul(a[1], k), _mul(a[0], k))


def i_mul(a: Interval, b: Interval) -> Interval:
    c = (_mul(a[0], b[0]), _mul(a[0], b[1]), _mul(a[1], b[0]), _mul(a[1], b[1]))
    return (min(c), max(c))


def i_pow(a: Interval, p: int) -> Interval:
    if p == 1:
        return a
    lo, hi = a
    plo = lo if type(lo) is float and p % 2 else (INF if type(lo) is float else lo ** p)
    phi = INF if type(hi) is float else hi ** p
    if p % 2:
        return (plo, phi)
    if lo >= 0:
        return (plo, phi)
    if hi <= 0:
        return (phi, plo)
    return (0, max(plo, phi))


def i_fdiv_const(a: Interval, c: int) -> Interval:
    """floordiv of an interval by a positive constant."""
    lo, hi = a
    return (lo if type(lo) is float else lo // c, hi if type(hi) is float else hi // c)


def i_fmod_const(a: Interval, c: int) -> Interval:
    """floormod of an interval by a positive constant."""
    lo, hi = a
    if lo >= 0 and hi < c:
        return a
    if lo >= 0:
        return (0, min(c - 1, hi))
    return (0, c - 1)


def i_fdiv(a: Interval, b: Interval) -> Interval:
    """floordiv by an interval of strictly positive divisors."""
    alo, ahi = a
    blo, bhi = b
    if ahi >= 0:
        hi = ahi if type(ahi) is float else ahi // blo
    else:
        hi = -1 if type(bhi) is float else ahi // bhi
    if alo >= 0:
        lo = 0 if type(bhi) is float else alo // bhi
    else:
        lo = alo if type(alo) is float else alo // blo
    return (lo, hi)


def i_fmod(a: Interval, b: Interval) -> Interval:
    """floormod by an interval of strictly positive divisors."""
    top = _add(b[1], -1)
    if a[0] >= 0:
        return (0, min(top, a[1]))
    return (0, top)


def i_union(a: Interval, b: Interval) -> Interval:
    return (min(a[0], b[0]), max(a[1], b[1]))


def i_intersect(a: Interval, b: Interval) -> Interval:
    return (max(a[0], b[0]), min(a[1], b[1]))


_RANGES: dict[DataType, Interval] = {}


def dtype_range(dtype: DataType) -> Interval:
    """The values of an integer (or bool) dtype; unknown for anything else."""
    hit = _RANGES.get(dtype)
    if hit is None:
        if dtype.is_bool:
            hit = (0, 1)
        elif dtype.is_uint:
            hit = (0, (1 << dtype.bits) - 1)
        elif dtype.is_int:
            hit = (-(1 << (dtype.bits - 1)), (1 << (dtype.bits - 1)) - 1)
        else:
            hit = UNKNOWN
        _RANGES[dtype] = hit
    return hit


def fits(a: Interval, dtype: DataType) -> bool:
    lo, hi = dtype_range(dtype)
    return a[0] >= lo and a[1] <= hi


class FormBounds:
    """Bounds of forms and atoms; `var_bound(var)` supplies the intervals of vars."""

    __slots__ = ("var_bound",)

    def __init__(self, var_bound: Callable[[object], Interval]) -> None:
        self.var_bound = var_bound

    def form(self, f: F.Form) -> Interval:
        total: Interval = (f.const, f.const)
        for mono, coeff in f.terms.items():
            total = i_add(total, i_scale(self.mono(mono), coeff))
            if total == UNKNOWN:
                break
        return total

    def mono(self, mono: tuple) -> Interval:
        if len(mono) == 1:
            return self.atom(mono[0])
        out: Interval | None = None
        i = 0
        while i < len(mono):  # equal atoms are adjacent (a monomial is in id order)
            j = i
            while j < len(mono) and mono[j] is mono[i]:
                j += 1
            part = i_pow(self.atom(mono[i]), j - i)
            out = part if out is None else i_mul(out, part)
            i = j
        return out  # type: ignore[return-value]

    def atom(self, a: F.Atom) -> Interval:
        b = a.bound
        if b is None:
            b = a.bound = self._atom(a)
        return b

    def _atom(self, a: F.Atom) -> Interval:
        kind = a.kind
        if kind == F.VAR:
            return self.var_bound(a.args)
        if kind == F.FDIV:
            return i_fdiv_const(self.form(a.args[0]), a.args[1])
        if kind == F.FMOD:
            return i_fmod_const(self.form(a.args[0]), a.args[1])
        if kind in (F.SFDIV, F.SFMOD):
            x, y = self.form(a.args[0]), self.form(a.args[1])
            if y[0] <= 0:
                return UNKNOWN
            return i_fdiv(x, y) if kind == F.SFDIV else i_fmod(x, y)
        if kind in (F.MIN, F.MAX):
            parts = [self.form(f) for f in a.args]
            pick = min if kind == F.MIN else max
            return (pick(p[0] for p in parts), pick(p[1] for p in parts))
        if kind == F.MUL:
            return i_mul(self.form(a.args[0]), self.form(a.args[1]))
        if kind == F.CAST:
            inner = self.form(a.args[1]) if isinstance(a.args[1], F.Form) else a.args[2]
            return inner if fits(inner, a.dtype) else dtype_range(a.dtype)
        if kind == F.TMOD:
            y = self.form(a.args[1])
            if y[0] == y[1] and type(y[0]) is int and y[0] != 0:
                top = abs(y[0]) - 1
                return (0, top) if self.form(a.args[0])[0] >= 0 else (-top, top)
            return UNKNOWN
        if kind == F.OPAQUE and a.args is not None:
            return a.args  # an opaque atom may carry a known interval (e.g. a Select's branches)
        return UNKNOWN
