"""Dialect-neutral expression bases: BaseExpr, PrimExpr, RelaxExpr, StructInfo, GlobalVar, Range.

Concrete expressions live in the dialects (`irscript.tir`, `irscript.relax`);
these bases let the core (modules, ops, equality) speak of them without
importing a dialect.
"""

from __future__ import annotations

from typing import Any

from irscript.ir.dtype import DataType
from irscript.ir.node import Node


class BaseExpr(Node):
    """Base class of every expression."""

    __slots__ = ()


class PrimExpr(BaseExpr):
    """A scalar (or vector-lane) expression with a data type; TIR's expressions."""

    __slots__ = ()
    dtype: DataType


class StructInfo(Node):
    """Base class of Relax struct info (the static shape/type of a Relax value)."""

    __slots__ = ()


class RelaxExpr(BaseExpr):
    """A graph-level expression. Concrete classes declare `struct_info` as their last field."""

    __slots__ = ()


class GlobalVar(RelaxExpr, type_key="ir.GlobalVar"):
    """The name of a function in an IRModule. GlobalVars compare by name."""

    __slots__ = ()
    name_hint: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """A call of this function: a Relax call (a TIR call when every argument is a PrimExpr)."""
        if args and all(isinstance(a, PrimExpr) for a in args) and not kwargs:
            from irscript.tir.expr import Call as TirCall

            return TirCall(kwargs.get("dtype", "void"), self, args)
        from irscript.relax.expr import Call

        return Call(self, args, **kwargs)


class Range(Node, type_key="ir.Range"):
    """The half-open integer range [min, min + extent)."""

    __slots__ = ()
    min: PrimExpr
    extent: PrimExpr

    @staticmethod
    def from_begin_end(begin: Any, end: Any) -> "Range":
        from irscript.tir.op import sub

        return Range(begin, sub(end, begin))
