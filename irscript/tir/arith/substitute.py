"""substitute: replace TIR vars by expressions anywhere in an IR tree.

A Mutator over any node (an expression, a statement, struct info...): each
occurrence of a mapped `tir.Var` is replaced, unchanged subtrees are kept as
they are (shared). Replacements must have the var's dtype (Python ints are
made constants of it), so the rebuilt nodes stay well-typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr
from irscript.ir.functor import Mutator, handles
from irscript.ir.node import Node
from irscript.tir import expr as E
from irscript.tir import op as tir_op

N = TypeVar("N", bound=Node)


class _Substituter(Mutator):
    def __init__(self, mapping: dict[E.Var, PrimExpr]) -> None:
        super().__init__()
        self.mapping = mapping

    @handles(E.Var)
    def _var(self, v: E.Var) -> PrimExpr:
        return self.mapping.get(v, v)


def substitute(node: N, mapping: Mapping[E.Var, Any]) -> N:
    """`node` with every mapped var replaced by its value (an expression or an int)."""
    prepared: dict[E.Var, PrimExpr] = {}
    for var, value in mapping.items():
        if not isinstance(var, E.Var):
            raise IRError(f"substitute: keys must be tir.Var, got {type(var).__name__}")
        if isinstance(value, (int, float)) and not isinstance(value, PrimExpr):
            value = tir_op.const(value, var.dtype)
        elif not isinstance(value, PrimExpr):
            raise IRError(f"substitute: the value for {var.name_hint} must be a PrimExpr or a number, "
                          f"got {type(value).__name__}")
        if value.dtype != var.dtype:
            raise IRError(f"substitute: {var.name_hint} has type {var.dtype} but its replacement has "
                          f"type {value.dtype}")
        prepared[var] = value
    if not prepared:
        return node
    return _Substituter(prepared).visit(node)  # type: ignore[return-value]
