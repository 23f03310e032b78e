"""Legalization of one Relax op call into a TIR PrimFunc and a `call_tir`.

`legalize_call(call, functions)` takes a call of a registered op whose
arguments have struct info, builds te placeholders from the argument struct
info (symbolic dims become fresh shape vars of the PrimFunc), runs the op's
`legalize` (te tensors in, te tensors out; PrimValues in a tuple come as
PrimExprs), makes the PrimFunc with `te.create_prim_func` (private,
`"tir.noalias": True`; handle params bound with match_buffer) and adds it
through `functions.add_func(func, name_hint)`. It returns
`R.call_tir(gv, args, out_sinfo, tir_vars=...)` (wrapped in a one-field Tuple
when `legalize` returned a one-tensor tuple, as `R.split` into one part); shape vars the
callee cannot read off its buffer shapes are passed as `tir_vars`. Calls of
ops that run as runtime builtins (`entry.runtime`) are returned unchanged.

`FunctionTable` is a minimal `functions` for tests and for the LegalizeOps
pass: it keeps the added PrimFuncs, reuses a structurally equal one, and
makes names unique against an existing module ("add", "add1", ...).
"""

from __future__ import annotations

from typing import Any, Protocol

from irscript.errors import IRError
from irscript.ir.expr import GlobalVar, PrimExpr, RelaxExpr
from irscript.ir.module import IRModule
from irscript.ir.structural import structural_equal, structural_hash
from irscript.relax.expr import Call, DataTypeImm, ShapeExpr, StringImm, Tuple, TupleGetItem
from irscript.relax.op.base import call_tir
from irscript.relax.op.registry import OpEntry, get_entry
from irscript.relax.struct_info import PrimStructInfo, ShapeStructInfo, TensorStructInfo, TupleStructInfo
from irscript.relax.struct_info_relations import tir_vars_in
from irscript.tir import te
from irscript.tir.arith import substitute
from irscript.tir.expr import Var as TirVar
from irscript.tir.function import PrimFunc

__all__ = ["FunctionAdder", "FunctionTable", "legalize_call", "legalize_to_prim_func"]


class FunctionAdder(Protocol):
    def add_func(self, func: PrimFunc, name_hint: str) -> GlobalVar: ...


class FunctionTable:
    """Collects legalized PrimFuncs: `add_func` returns a GlobalVar, reusing the one of a
    structurally equal function already added, with a name unique in `module` and here."""

    def __init__(self, module: IRModule | None = None) -> None:
        self.functions: dict[GlobalVar, PrimFunc] = {}
        self._taken = {gv.name_hint for gv in module.functions} if module is not None else set()
        self._by_hash: dict[int, list[GlobalVar]] = {}

    def add_func(self, func: PrimFunc, name_hint: str) -> GlobalVar:
        h = structural_hash(func)
        for gv in self._by_hash.get(h, ()):
            if structural_equal(self.functions[gv], func):
                return gv
        name, k = name_hint, 0
        while name in self._taken:
            k += 1
            name = f"{name_hint}{k}"
        self._taken.add(name)
        gv = GlobalVar(name)
        self.functions[gv] = func
        self._by_hash.setdefault(h, []).append(gv)
        return gv


def _fail(entry: OpEntry, message: str) -> IRError:
    return IRError(f"cannot legalize {entry.script_name}: {message}")


class _Inputs:
    """te inputs made from a call's arguments, with the fresh-var map and call_tir arguments."""

    def __init__(self, entry: OpEntry, call: Call) -> None:
        self.entry = entry
        self.fresh: dict[TirVar, TirVar] = {}
        self.back: dict[TirVar, TirVar] = {}
        self.placeholders: list[te.Tensor] = []
        self.relax_args: list[RelaxExpr] = []
        self.values: list[Any] = []
        for name, arg in zip(_arg_names(entry, call), call.args):
            self.values.append(self._value(name, arg))

    def _map(self, e: Any) -> Any:
        for v in tir_vars_in(e):
            if v not in self.fresh:
                nv = TirVar(v.name_hint, v.dtype)
                self.fresh[v] = nv
                self.back[nv] = v
        return substitute(e, self.fresh)

    def _tensor(self, name: str, arg: RelaxExpr, sinfo: Any, hint: str) -> te.Tensor:
        if sinfo.values is None:
            raise _fail(self.entry, f"argument {name!r} has an unknown shape")
        if sinfo.dtype.is_void:
            raise _fail(self.entry, f"argument {name!r} has an unknown dtype")
        t = te.placeholder([self._map(d) for d in sinfo.values], sinfo.dtype, hint)
        self.placeholders.append(t)
        self.relax_args.append(arg)
        return t

    def _value(self, name: str, arg: RelaxExpr) -> Any:
        sinfo = arg.struct_info
        hint = getattr(arg, "name_hint", None) or name
        if isinstance(sinfo, TensorStructInfo):
            return self._tensor(name, arg, sinfo, hint)
        if isinstance(sinfo, TupleStructInfo):
            items = arg.fields if isinstance(arg, Tuple) else [
                TupleGetItem(arg, k, f) for k, f in enumerate(sinfo.fields)
            ]
            out = []
            for k, (item, f) in enumerate(zip(items, sinfo.fields)):
                if isinstance(f, PrimStructInfo) and f.value is not None:
                    out.append(self._map(f.value))  # a tuple of PrimValues (strided_slice's begin)
                    continue
                if not isinstance(f, TensorStructInfo):
                    raise _fail(self.entry, f"field {k} of argument {name!r} is not a tensor or a known R.Prim")
                out.append(self._tensor(name, item, f, getattr(item, "name_hint", None) or f"{hint}_{k}"))
            return out
        if isinstance(sinfo, PrimStructInfo):
            if sinfo.value is None:
                raise _fail(self.entry, f"argument {name!r} is an R.Prim without a known value")
            return self._map(sinfo.value)
        if isinstance(sinfo, ShapeStructInfo):
            if sinfo.values is None:
                raise _fail(self.entry, f"argument {name!r} is a shape of unknown values")
            return tuple(self._map(d) for d in sinfo.values)
        if isinstance(arg, (StringImm, DataTypeImm)):
            return arg.value
        raise _fail(self.entry, f"argument {name!r} of struct info {type(sinfo).__name__} cannot be legalized")


def _arg_names(entry: OpEntry, call: Call) -> list[str]:
    return [entry.arg_name(i, call) for i in range(len(call.args))]


def legalize_to_prim_func(call: Call) -> tuple[PrimFunc, list[RelaxExpr], Any, list[PrimExpr]]:
    """The PrimFunc of a call, with the call_tir arguments, the output struct info and the
    caller-side values of the extra scalar parameters (tir_vars)."""
    entry = get_entry(call.op)
    if entry is None or entry.legalize is None:
        raise IRError(f"{getattr(call.op, 'name', call.op)} has no TIR legalization")
    entry.split_args(call)
    attrs = entry.call_attrs(call)
    inputs = _Inputs(entry, call)
    result = entry.legalize(*inputs.values, **attrs)
    outputs = list(result) if isinstance(result, (list, tuple)) else [result]
    if not outputs or not all(isinstance(t, te.Tensor) for t in outputs):
        raise _fail(entry, "its legalize function must return te tensors")
    args: list[Any] = [*inputs.placeholders, *outputs]
    extra = te.undefined_vars(args)
    for v in extra:
        if v not in inputs.back:
            raise _fail(entry, f"the computation uses var {v.name_hint!r}, which is not a shape var of the call")
        if v.dtype != "int64":
            raise _fail(entry, f"the shape var {v.name_hint!r} is {v.dtype}; only int64 vars pass as tir_vars")
    func = te.create_prim_func(args + extra)
    back = inputs.back
    sinfos = [TensorStructInfo([substitute(d, back) for d in t.shape], t.dtype) for t in outputs]
    out_sinfo = TupleStructInfo(sinfos) if isinstance(result, (list, tuple)) else sinfos[0]
    return func, inputs.relax_args, out_sinfo, [back[v] for v in extra]


def legalize_call(call: Call, functions: FunctionAdder) -> RelaxExpr:
    """`call` as `R.call_tir` of its legalized PrimFunc (added to `functions`); calls of ops that
    are runtime builtins come back unchanged."""
    entry = get_entry(call.op)
    if entry is None:
        raise IRError(f"cannot legalize a call of {getattr(call.op, 'name', call.op)}: not a registered op")
    if entry.legalize is None:
        if entry.runtime is not None:
            return call
        raise IRError(f"{entry.script_name} has no legalization")
    func, args, out_sinfo, tir_vars = legalize_to_prim_func(call)
    gv = functions.add_func(func, entry.legalize_name)
    single = isinstance(out_sinfo, TupleStructInfo) and len(out_sinfo.fields) == 1
    lowered = call_tir(gv, Tuple(args), out_sinfo.fields[0] if single else out_sinfo,
                       ShapeExpr(tir_vars) if tir_vars else None)
    return Tuple([lowered]) if single else lowered  # call_tir of one output gives a tensor

