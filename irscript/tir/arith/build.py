"""Fast constructors for the PrimExprs the simplifier emits.

The simplifier knows its operands already agree in dtype, so it skips the
operator layer's type matching and builds nodes through their generated
field setters. A constant that does not fit its dtype raises `ArithOverflow`,
which the analyzer turns into "leave the expression as it was".
"""

from __future__ import annotations

from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr
from irscript.tir import expr as E
from irscript.tir.arith.bounds import dtype_range

BOOL = DataType("bool")


class ArithOverflow(Exception):
    """A folded constant does not fit the expression's dtype (internal; never escapes)."""


_set = object.__setattr__  # nodes forbid attribute assignment; their slots take it directly
_new_imm = E.IntImm.__new__


def imm(dtype: DataType, value: int) -> PrimExpr:
    lo, hi = dtype_range(dtype)
    if not lo <= value <= hi:
        raise ArithOverflow(f"{value} does not fit in {dtype}")
    obj = _new_imm(E.IntImm)
    _set(obj, "dtype", dtype)
    _set(obj, "value", value)
    _set(obj, "span", None)
    return obj


def boolean(value: bool) -> PrimExpr:
    return imm(BOOL, 1 if value else 0)


def _binop(cls: type, dtype: DataType, a: PrimExpr, b: PrimExpr) -> PrimExpr:
    obj = cls.__new__(cls)
    _set(obj, "dtype", dtype)
    _set(obj, "a", a)
    _set(obj, "b", b)
    _set(obj, "span", None)
    return obj


def binary(cls: type, a: PrimExpr, b: PrimExpr) -> PrimExpr:
    """An arithmetic node (Add, Sub, Mul, FloorDiv, ...) of two same-dtype operands."""
    return _binop(cls, a.dtype, a, b)


def compare(cls: type, a: PrimExpr, b: PrimExpr) -> PrimExpr:
    """A comparison node (EQ, LT, ...) of two same-dtype scalar operands."""
    return _binop(cls, BOOL.with_lanes(a.dtype.lanes), a, b)


def cast(dtype: DataType, value: PrimExpr) -> PrimExpr:
    obj = E.Cast.__new__(E.Cast)
    _set(obj, "dtype", dtype)
    _set(obj, "value", value)
    _set(obj, "span", None)
    return obj


def rebuild(node: object, values: list) -> object:
    """A copy of `node` with its declared fields set to `values` (same order), same span."""
    cls = type(node)
    obj = cls.__new__(cls)
    cls._set_fields(obj, *values, span=node.span)  # type: ignore[attr-defined]
    return obj
