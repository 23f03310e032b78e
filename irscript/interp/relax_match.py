"""Checking Relax runtime values against struct info, binding symbolic vars.

`match_all(items, table, bind)` checks several (struct info, value, label)
items together — a function's parameters, a `match_cast` — in two passes: the
first checks kinds, dtypes and ranks and (with `bind`) binds every bare
symbolic dim not yet bound (first occurrence wins) into `table`; the second
checks every dim against the bound values. It returns None or a `Mismatch`
saying which item and why, e.g. "dim 0 is 3, expected n = 2 (n was bound by
dim 0 of argument 'x')".

TIR var values in the table are Python ints (or floats / bools for `R.Prim`
values of those types).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from irscript.errors import ExecutionError
from irscript.interp.values import Closure, FuncRef, PackedFunc, ShapeTuple, np_dtype
from irscript.ir.expr import PrimExpr, StructInfo
from irscript.ir.scope import ScopedTable
from irscript.relax.expr import Var as RelaxVar
from irscript.relax.struct_info import (
    FuncStructInfo,
    ObjectStructInfo,
    PrimStructInfo,
    ShapeStructInfo,
    TensorStructInfo,
    TupleStructInfo,
)
from irscript.relax.struct_info_relations import show_struct_info, tir_vars_in
from irscript.tir.arith.evaluate import evaluate
from irscript.tir.expr import FloatImm, IntImm
from irscript.tir.expr import Var as TirVar

__all__ = ["Mismatch", "eval_prim", "match_all", "show_dim_expr"]

_VARS: dict[int, tuple[PrimExpr, list[TirVar]]] = {}


def _vars_of(e: PrimExpr) -> list[TirVar]:
    hit = _VARS.get(id(e))
    if hit is None or hit[0] is not e:
        hit = (e, tir_vars_in(e))
        _VARS[id(e)] = hit
    return hit[1]


def eval_prim(e: PrimExpr, table: ScopedTable) -> Any:
    """The value of a PrimExpr over the bound TIR vars, or None when some var is unbound."""
    if type(e) is IntImm:
        return bool(e.value) if e.dtype.is_bool else e.value
    if type(e) is FloatImm:
        return e.value
    if isinstance(e, TirVar):
        return table.get(e)
    env = {}
    for v in _vars_of(e):
        value = table.get(v)
        if value is None:
            return None
        env[v] = value
    try:
        return evaluate(e, env)
    except ExecutionError:
        return None


_INFIX = {"Add": "+", "Sub": "-", "Mul": "*", "FloorDiv": "//", "FloorMod": "%"}
_CALLS = {"Min": "T.min", "Max": "T.max", "Div": "T.truncdiv", "Mod": "T.truncmod"}


def show_dim_expr(e: PrimExpr) -> str:
    """A symbolic dim as script-like text for messages (`n * 2`, `T.min(n, 4)`)."""
    if isinstance(e, IntImm):
        return str(e.value)
    if isinstance(e, TirVar):
        return e.name_hint
    kind = type(e).__name__
    if kind in _INFIX:
        return f"({show_dim_expr(e.a)} {_INFIX[kind]} {show_dim_expr(e.b)})"
    if kind in _CALLS:
        return f"{_CALLS[kind]}({show_dim_expr(e.a)}, {show_dim_expr(e.b)})"
    return kind


class Mismatch:
    """Why item `index` (labelled `label`) does not match."""

    __slots__ = ("index", "label", "reason")

    def __init__(self, index: int, label: str, reason: str) -> None:
        self.index = index
        self.label = label
        self.reason = reason


class _Pass:
    __slots__ = ("table", "pairs", "origins", "bind")

    def __init__(self, table: ScopedTable, bind: bool) -> None:
        self.table = table
        self.bind = bind
        self.pairs: list[tuple[int, str, PrimExpr, Any, str]] = []  # item, label, expr, actual, where
        self.origins: dict[int, str] = {}

    def structure(self, item: int, label: str, sinfo: StructInfo, value: Any, where: str) -> str | None:
        """Check everything but symbolic dims; collect (dim expr, actual value) pairs."""
        if isinstance(sinfo, ObjectStructInfo) or sinfo is None:
            return None
        if isinstance(sinfo, TensorStructInfo):
            return self._tensor(item, label, sinfo, value, where)
        if isinstance(sinfo, ShapeStructInfo):
            if not isinstance(value, ShapeTuple):
                return _kind_error(where, "a shape", value)
            if sinfo.ndim != -1 and len(value) != sinfo.ndim:
                return f"{where}the shape has {len(value)} dims, expected {sinfo.ndim}"
            for d, (e, v) in enumerate(zip(sinfo.values or (), value)):
                self.pairs.append((item, label, e, int(v), f"{where}dim {d}"))
            return None
        if isinstance(sinfo, PrimStructInfo):
            return self._prim(item, label, sinfo, value, where)
        if isinstance(sinfo, TupleStructInfo):
            if not isinstance(value, tuple) or isinstance(value, ShapeTuple):
                return _kind_error(where, "a tuple", value)
            if len(value) != len(sinfo.fields):
                return f"{where}the tuple has {len(value)} fields, expected {len(sinfo.fields)}"
            for i, (f, v) in enumerate(zip(sinfo.fields, value)):
                reason = self.structure(item, label, f, v, f"{where}field {i}: ")
                if reason:
                    return reason
            return None
        if isinstance(sinfo, FuncStructInfo):
            if not isinstance(value, (Closure, FuncRef, PackedFunc)):
                return _kind_error(where, "a function", value)
            return None
        return None

    def _tensor(self, item: int, label: str, sinfo: TensorStructInfo, value: Any, where: str) -> str | None:
        if not isinstance(value, np.ndarray):
            return _kind_error(where, "a tensor", value)
        if not sinfo.dtype.is_void and value.dtype != np_dtype(sinfo.dtype):
            return f"{where}dtype is {value.dtype}, expected {sinfo.dtype}"
        if sinfo.ndim != -1 and value.ndim != sinfo.ndim:
            return f"{where}rank is {value.ndim}, expected {sinfo.ndim}"
        dims = sinfo.values
        if dims is not None:
            for d, e in enumerate(dims):
                self.pairs.append((item, label, e, int(value.shape[d]), f"{where}dim {d}"))
        elif isinstance(sinfo.shape, RelaxVar):
            shape = self.table.get(sinfo.shape)
            if isinstance(shape, ShapeTuple) and tuple(shape) != value.shape:
                return f"{where}shape is {tuple(value.shape)}, expected {sinfo.shape.name_hint} = {tuple(shape)}"
        return None

    def _prim(self, item: int, label: str, sinfo: PrimStructInfo, value: Any, where: str) -> str | None:
        if isinstance(value, np.ndarray) or not isinstance(value, (np.generic, int, float, bool)):
            return _kind_error(where, "an R.Prim value", value)
        if not isinstance(value, np.generic):
            return f"{where}{value!r} is not a {sinfo.dtype} value"
        if value.dtype != np_dtype(sinfo.dtype):
            return f"{where}dtype is {value.dtype}, expected {sinfo.dtype}"
        if sinfo.value is not None:
            v = value.item() if isinstance(value, np.generic) else value
            self.pairs.append((item, label, sinfo.value, v, f"{where}value"))
        return None

    def bind_vars(self) -> None:
        for _, label, e, actual, where in self.pairs:
            if isinstance(e, TirVar) and e not in self.table:
                self.table.define(e, actual)
                self.origins[id(e)] = f"{where} of {label}" if label else where

    def check(self) -> Mismatch | None:
        for item, label, e, actual, where in self.pairs:
            expected = eval_prim(e, self.table)
            if expected is None or expected == actual:
                continue
            shown = show_dim_expr(e)
            if shown.startswith("(") and shown.endswith(")"):
                shown = shown[1:-1]
            expect = str(expected) if shown == str(expected) else f"{shown} = {expected}"
            origin = self.origins.get(id(e)) if isinstance(e, TirVar) else None
            note = f" ({shown} was bound by {origin})" if origin else ""
            return Mismatch(item, label, f"{where} is {actual}, expected {expect}{note}")
        return None


def _what(value: Any) -> str:
    from irscript.interp.values import describe

    return describe(value)


def _kind_error(where: str, kind: str, value: Any) -> str:
    """`not a tensor` for a whole value (the caller describes it), the details for a part."""
    return f"{where}expected {kind}, got {_what(value)}" if where else f"not {kind}"


def match_all(items: Sequence[tuple[StructInfo, Any, str]], table: ScopedTable, bind: bool) -> Mismatch | None:
    """Check (struct info, value, label) items together; see the module doc."""
    p = _Pass(table, bind)
    for i, (sinfo, value, label) in enumerate(items):
        reason = p.structure(i, label, sinfo, value, "")
        if reason:
            return Mismatch(i, label, reason)
    if bind:
        p.bind_vars()
    return p.check()


def show(sinfo: StructInfo) -> str:
    return show_struct_info(sinfo)
