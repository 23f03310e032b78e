"""Analyzer: the integer simplifier's public face (simplify, prove, bound, bind).

An `Analyzer` holds what is known about vars (bounds, and vars bound to
expressions) and caches canonical forms of the expressions it has seen.
Everything it proves holds for every value of the vars within the known
bounds, assuming no integer overflow and no division by zero in the original
expression (TVM's assumptions for index arithmetic). "Cannot prove" is False:
it never guesses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr, Range
from irscript.ir.functor import pre_order
from irscript.ir.structural import deep_recursion, structural_equal
from irscript.tir import expr as E
from irscript.tir import op as tir_op
from irscript.tir.arith import build as B
from irscript.tir.arith import form as F
from irscript.tir.arith.bounds import INF, NEG_INF, UNKNOWN, Interval, dtype_range
from irscript.tir.arith.canonical import Canonical, is_int_scalar

_CACHE_LIMIT = 100_000
_CMP = (E.EQ, E.NE, E.LT, E.LE, E.GT, E.GE)
_NEGATE = {E.EQ: E.NE, E.NE: E.EQ, E.LT: E.GE, E.LE: E.GT, E.GT: E.LE, E.GE: E.LT}


def _holds(kind: type, diff: F.Form, lo: Any, hi: Any) -> bool:
    """Whether `diff <kind> 0` holds for every value in [lo, hi]."""
    if kind is E.LT:
        return hi < 0
    if kind is E.LE:
        return hi <= 0
    if kind is E.GT:
        return lo > 0
    if kind is E.GE:
        return lo >= 0
    if kind is E.EQ:
        return lo == 0 and hi == 0
    if lo > 0 or hi < 0:
        return True
    g = F.content_gcd([F.Form(diff.dtype, diff.terms, 0)])
    return g > 1 and diff.const % g != 0  # NE: g*y + k is never 0 when g does not divide k


class Analyzer:
    """Simplify and reason about integer TIR expressions (symbolic shapes).

    `simplify(e)` returns a canonical PrimExpr, `can_prove(cond)` decides
    comparisons and `And`/`Or`/`Not` of them, `const_int_bound(e)` gives an
    interval. Tell it about vars with `bind(var, range_or_value)`,
    `update_bound(var, lo, hi)`, `non_negative(vars)` or, for a scope,
    `with analyzer.assume(cond): ...`.
    """

    __slots__ = ("_var_bounds", "_subst", "_cx", "_simp_memo")

    def __init__(self) -> None:
        self._var_bounds: dict[E.Var, Interval] = {}
        self._subst: dict[E.Var, PrimExpr] = {}
        self._cx = Canonical(self)
        self._simp_memo: dict[int, tuple[PrimExpr, PrimExpr]] = {}

    # -- facts about vars ----------------------------------------------------------------------
    def _var_bound(self, v: E.Var) -> Interval:
        b = self._var_bounds.get(v)
        if b is not None:
            return b
        return (0, INF) if isinstance(v, E.SizeVar) else UNKNOWN

    def _changed(self) -> None:
        self._cx.clear()
        self._simp_memo.clear()

    def update_bound(self, var: E.Var, lo: int | None = None, hi: int | None = None) -> None:
        """Set the interval of `var` to [lo, hi] (None: unbounded; a SizeVar stays >= 0)."""
        _check_var(var)
        low = NEG_INF if lo is None else int(lo)
        high = INF if hi is None else int(hi)
        if isinstance(var, E.SizeVar):
            low = max(low, 0)
        if low > high:
            raise IRError(f"empty bound [{lo}, {hi}] for var {var.name_hint}")
        self._var_bounds[var] = (low, high)
        self._changed()

    def non_negative(self, vars: Iterable[E.Var]) -> None:
        """Record that each of `vars` is >= 0."""
        for v in vars:
            lo, hi = self._var_bound(v)
            self.update_bound(v, max(lo, 0), None if hi == INF else hi)

    def bind(self, var: E.Var, value: Any, allow_override: bool = False) -> None:
        """Bind `var` to a Range (its values: [min, min + extent)) or to a value (an expression
        or int that replaces the var in every later simplification)."""
        _check_var(var)
        if isinstance(value, Range):
            lo = self.const_int_bound(value.min)[0]
            hi = self.const_int_bound(tir_op.sub(tir_op.add(value.min, value.extent), 1))[1]
            self.update_bound(var, None if lo == NEG_INF else lo, None if hi == INF else hi)
            return
        value = tir_op.const(value, var.dtype) if isinstance(value, int) else tir_op.convert(value)
        if value.dtype != var.dtype:
            raise IRError(f"cannot bind var {var.name_hint} of type {var.dtype} to a value of type {value.dtype}")
        value = self.simplify(value)
        if any(n is var for n in pre_order(value)):
            raise IRError(f"cannot bind var {var.name_hint} to an expression that contains it")
        old = self._subst.get(var)
        if old is not None and not allow_override and not structural_equal(old, value):
            raise IRError(f"var {var.name_hint} is already bound to another value")
        self._subst[var] = value
        self._changed()

    @contextlib.contextmanager
    def assume(self, cond: Any) -> Iterator[None]:
        """Within the block, take the var bounds implied by `cond` (comparisons of a var with
        an expression of known bounds, joined by And) as known. Other conditions are ignored."""
        saved = dict(self._var_bounds)
        for v, lo, hi in self._facts(tir_op.convert(cond)):
            old_lo, old_hi = self._var_bound(v)
            self._var_bounds[v] = (max(old_lo, lo), min(old_hi, hi))
        self._changed()
        try:
            yield
        finally:
            self._var_bounds = saved
            self._changed()

    def _facts(self, cond: PrimExpr) -> list[tuple[E.Var, Any, Any]]:
        if isinstance(cond, E.And):
            return self._facts(cond.a) + self._facts(cond.b)
        kind = type(cond)
        if kind not in _CMP or kind is E.NE or not is_int_scalar(cond.a.dtype):
            return []
        a, b = cond.a, cond.b
        if not isinstance(a, E.Var):
            if not isinstance(b, E.Var):
                return []
            a, b, kind = b, a, {E.LT: E.GT, E.LE: E.GE, E.GT: E.LT, E.GE: E.LE, E.EQ: E.EQ}[kind]
        lo, hi = self.const_int_bound(b)
        return [(a, *{E.LT: (NEG_INF, hi - 1), E.LE: (NEG_INF, hi), E.GT: (lo + 1, INF),
                      E.GE: (lo, INF), E.EQ: (lo, hi)}[kind])]

    # -- queries -------------------------------------------------------------------------------
    def _enter(self, fn: Any, *args: Any) -> Any:
        if self._cx.size() > _CACHE_LIMIT or len(self._simp_memo) > _CACHE_LIMIT:
            self._changed()
        try:
            return fn(*args)
        except RecursionError:
            pass
        with deep_recursion():
            try:
                return fn(*args)
            except RecursionError:
                raise IRError("expression too deeply nested for the arithmetic analyzer") from None

    def simplify(self, expr: Any) -> PrimExpr:
        """`expr` in canonical form (a PrimExpr of the same dtype)."""
        return self._enter(self._simplify, tir_op.convert(expr))

    def _simplify(self, e: PrimExpr) -> PrimExpr:
        kind = type(e)
        if kind is E.IntImm or ((kind is E.SizeVar or kind is E.Var) and e not in self._subst):
            return e
        hit = self._simp_memo.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        try:
            if is_int_scalar(e.dtype):
                out = self._cx.to_expr(self._cx.form_of(e))
            elif e.dtype.is_bool and e.dtype.lanes == 1:
                out = self._simplify_bool(e)
            else:
                out = self._cx.generic(e)[0]
        except B.ArithOverflow:
            out = e
        self._simp_memo[id(e)] = (e, out)
        return out

    def _simplify_bool(self, e: PrimExpr) -> PrimExpr:
        kind = type(e)
        if kind in _CMP or kind in (E.And, E.Or, E.Not):
            if self._prove(e):
                return B.boolean(True)
            if self._disprove(e):
                return B.boolean(False)
        if kind in _CMP and is_int_scalar(e.a.dtype):
            return B.compare(kind, self._simplify(e.a), self._simplify(e.b))
        if kind is E.And or kind is E.Or:
            a, b = self._simplify(e.a), self._simplify(e.b)
            if isinstance(a, E.IntImm) or isinstance(b, E.IntImm):
                const, other = (a, b) if isinstance(a, E.IntImm) else (b, a)
                absorbing = kind is E.Or
                return const if bool(const.value) == absorbing else other
            return e if a is e.a and b is e.b else kind(a, b)
        if kind is E.Not:
            a = self._simplify(e.a)
            if isinstance(a, E.IntImm):
                return B.boolean(not a.value)
            return e if a is e.a else E.Not(a)
        return self._cx.generic(e)[0]

    def can_prove(self, cond: Any) -> bool:
        """True only when `cond` (a comparison, And/Or/Not of them, or a constant) is proven."""
        cond = tir_op.convert(cond)
        return self._enter(self._prove, cond)

    def can_prove_equal(self, a: Any, b: Any) -> bool:
        """Whether a == b is proven (ints and integer expressions; int32 meets int64 by widening)."""
        if a is b:
            return True
        a, b = _match(a, b)
        if is_int_scalar(a.dtype):
            return self._enter(self._prove_equal, a, b)
        return structural_equal(self.simplify(a), self.simplify(b))

    def const_int_bound(self, expr: Any) -> tuple[int | float, int | float]:
        """(lo, hi) with lo <= expr <= hi; an unknown side is -math.inf / math.inf."""
        e = tir_op.convert(expr)
        if is_int_scalar(e.dtype):
            return self._enter(lambda: self._cx.bound(self._cx.form_of(e)))
        if e.dtype.is_bool and e.dtype.lanes == 1:
            if self.can_prove(e):
                return (1, 1)
            return (0, 0) if self._enter(self._disprove, e) else (0, 1)
        return dtype_range(e.dtype)

    canonical_simplify = simplify  # TVM's name
    constraint_scope = assume  # TVM's name

    # -- proving -------------------------------------------------------------------------------
    def _diff_bound(self, cond: PrimExpr) -> tuple[F.Form, Any, Any] | None:
        if not is_int_scalar(cond.a.dtype):
            return None
        cx = self._cx
        diff = cx.finish(F.sub(cx.form_of(cond.a), cx.form_of(cond.b)))
        lo, hi = cx.bounds.form(diff)
        return diff, lo, hi

    def _prove_equal(self, a: PrimExpr, b: PrimExpr) -> bool:
        cx = self._cx
        fa, fb = cx.finish(cx.form_of(a)), cx.finish(cx.form_of(b))
        if fa.hkey() == fb.hkey():
            return True
        diff = cx.finish(F.sub(fa, fb))
        return _holds(E.EQ, diff, *cx.bounds.form(diff))

    def _prove(self, cond: PrimExpr) -> bool:
        kind = type(cond)
        if kind is E.IntImm:
            return cond.value != 0
        if kind in _CMP:
            d = self._diff_bound(cond)
            return d is not None and _holds(kind, *d)
        if kind is E.And:
            return self._prove(cond.a) and self._prove(cond.b)
        if kind is E.Or:
            return self._prove(cond.a) or self._prove(cond.b)
        if kind is E.Not:
            return self._disprove(cond.a)
        return False

    def _disprove(self, cond: PrimExpr) -> bool:
        """Whether `cond` is proven false."""
        kind = type(cond)
        if kind is E.IntImm:
            return cond.value == 0
        if kind in _CMP:
            d = self._diff_bound(cond)
            return d is not None and _holds(_NEGATE[kind], *d)
        if kind is E.And:
            return self._disprove(cond.a) or self._disprove(cond.b)
        if kind is E.Or:
            return self._disprove(cond.a) and self._disprove(cond.b)
        if kind is E.Not:
            return self._prove(cond.a)
        return False


def _check_var(var: Any) -> None:
    if not isinstance(var, E.Var):
        raise IRError(f"expected a tir.Var, got {type(var).__name__}")


def _match(a: Any, b: Any) -> tuple[PrimExpr, PrimExpr]:
    """Two operands of one dtype: ints take the other side's dtype; int32 widens to int64."""
    if not isinstance(a, PrimExpr) and isinstance(b, PrimExpr):
        return tir_op.const(a, b.dtype) if isinstance(a, int) else tir_op.convert(a), b
    a = tir_op.convert(a)
    if not isinstance(b, PrimExpr):
        b = tir_op.const(b, a.dtype) if isinstance(b, int) and not isinstance(b, bool) else tir_op.convert(b)
    if a.dtype != b.dtype:
        ta, tb = a.dtype, b.dtype
        if is_int_scalar(ta) and is_int_scalar(tb):
            wide = ta if ta.bits >= tb.bits else tb
            a = a if ta == wide else B.cast(wide, a)
            b = b if tb == wide else B.cast(wide, b)
        else:
            raise IRError(f"cannot compare expressions of types {ta} and {tb}")
    return a, b

