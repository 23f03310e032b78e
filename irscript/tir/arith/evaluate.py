"""A small reference evaluator for scalar TIR expressions over Python numbers.

`evaluate(expr, env)` computes an expression given values for its vars:
floordiv/floormod with floor semantics (Python's `//` and `%`), `tir.Div` /
`tir.Mod` on integers with C (truncating) semantics and on floats as true
division, comparisons and logic as Python bools, casts to integer types
wrapping to the target width. Arithmetic itself does not wrap (values are
exact Python ints). Used to test the simplifier and handy for constant shapes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from irscript.errors import ExecutionError
from irscript.ir.expr import PrimExpr
from irscript.ir.structural import deep_recursion
from irscript.tir import expr as E
from irscript.tir.arith.bounds import dtype_range
from irscript.tir.arith.division import c_div, c_mod


def evaluate(expr: PrimExpr, env: Mapping[E.Var, Any] | None = None) -> Any:
    """The value of `expr` with `env` giving each free var's value (int, float or bool)."""
    ev = _Eval(env or {})
    try:
        return ev.run(expr)
    except RecursionError:
        pass
    with deep_recursion():
        try:
            return ev.run(expr)
        except RecursionError:
            raise ExecutionError("expression too deeply nested to evaluate") from None


class _Eval:
    __slots__ = ("env", "memo")

    def __init__(self, env: Mapping[E.Var, Any]) -> None:
        self.env = dict(env)
        self.memo: dict[int, tuple[PrimExpr, Any]] = {}

    def run(self, e: PrimExpr) -> Any:
        hit = self.memo.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        fn = _HANDLERS.get(type(e))
        if fn is None:
            fn = next((_HANDLERS[k] for k in type(e).__mro__ if k in _HANDLERS), None)
            if fn is None:
                raise ExecutionError(f"cannot evaluate a {e.type_key} expression")
        value = fn(self, e)
        self.memo[id(e)] = (e, value)
        return value


def _var(ev: _Eval, e: E.Var) -> Any:
    if e not in ev.env:
        raise ExecutionError(f"no value for var {e.name_hint}")
    return ev.env[e]


def _is_int(e: PrimExpr) -> bool:
    return e.dtype.is_integer or e.dtype.is_bool


def _div(ev: _Eval, e: E.Div) -> Any:
    a, b = ev.run(e.a), ev.run(e.b)
    if _is_int(e):
        _nonzero(b, "truncdiv")
        return c_div(a, b)
    return a / b if b else math.copysign(math.inf, a) if a else math.nan


def _mod(ev: _Eval, e: E.Mod) -> Any:
    a, b = ev.run(e.a), ev.run(e.b)
    _nonzero(b, "truncmod")
    return c_mod(a, b) if _is_int(e) else math.fmod(a, b)


def _floordiv(ev: _Eval, e: E.FloorDiv) -> Any:
    a, b = ev.run(e.a), ev.run(e.b)
    _nonzero(b, "floordiv")
    return a // b if _is_int(e) else float(math.floor(a / b))


def _floormod(ev: _Eval, e: E.FloorMod) -> Any:
    a, b = ev.run(e.a), ev.run(e.b)
    _nonzero(b, "floormod")
    return a % b if _is_int(e) else a - math.floor(a / b) * b


def _nonzero(b: Any, what: str) -> None:
    if b == 0:
        raise ExecutionError(f"{what} by zero")


def _cast(ev: _Eval, e: E.Cast) -> Any:
    v = ev.run(e.value)
    dt = e.dtype
    if dt.is_bool:
        return bool(v)
    if dt.is_integer:
        if isinstance(v, float):
            if not math.isfinite(v):
                raise ExecutionError(f"cannot cast {v} to {dt}")
            v = int(v)
        lo, hi = dtype_range(dt)
        return (int(v) - lo) % (hi - lo + 1) + lo
    if dt.is_float:
        return float(v)
    raise ExecutionError(f"cannot evaluate a cast to {dt}")


def _let(ev: _Eval, e: E.Let) -> Any:
    inner = _Eval({**ev.env, e.var: ev.run(e.value)})
    return inner.run(e.body)


def _call(ev: _Eval, e: E.Call) -> Any:
    if getattr(e.op, "name", None) == "tir.if_then_else":
        cond, t, f = e.args
        return ev.run(t) if ev.run(cond) else ev.run(f)
    raise ExecutionError(f"cannot evaluate a call of {getattr(e.op, 'name', e.op)}")


def _binary(fn: Callable[[Any, Any], Any]) -> Callable[[_Eval, Any], Any]:
    return lambda ev, e: fn(ev.run(e.a), ev.run(e.b))


def _imm(ev: _Eval, e: E.IntImm) -> Any:
    return bool(e.value) if e.dtype.is_bool else e.value


_HANDLERS: dict[type, Callable[[_Eval, Any], Any]] = {
    E.IntImm: _imm,
    E.FloatImm: lambda ev, e: e.value,
    E.Var: _var,
    E.Add: _binary(lambda a, b: a + b),
    E.Sub: _binary(lambda a, b: a - b),
    E.Mul: _binary(lambda a, b: a * b),
    E.Div: _div,
    E.Mod: _mod,
    E.FloorDiv: _floordiv,
    E.FloorMod: _floormod,
    E.Min: _binary(min),
    E.Max: _binary(max),
    E.EQ: _binary(lambda a, b: a == b),
    E.NE: _binary(lambda a, b: a != b),
    E.LT: _binary(lambda a, b: a < b),
    E.LE: _binary(lambda a, b: a <= b),
    E.GT: _binary(lambda a, b: a > b),
    E.GE: _binary(lambda a, b: a >= b),
    E.And: lambda ev, e: bool(ev.run(e.a)) and bool(ev.run(e.b)),
    E.Or: lambda ev, e: bool(ev.run(e.a)) or bool(ev.run(e.b)),
    E.Not: lambda ev, e: not ev.run(e.a),
    E.Select: lambda ev, e: ev.run(e.true_value) if ev.run(e.condition) else ev.run(e.false_value),
    E.Cast: _cast,
    E.Let: _let,
    E.Call: _call,
}
