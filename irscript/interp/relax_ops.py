"""Relax calls: registered ops (through their numpy references or an interpreter kernel), calls of
function values, and the special forms that cross into TIR and libraries.

* an op with an entry in the op registry runs `entry.numpy_ref(*values, **attrs)`
  unless a kernel is registered for it with `register_relax_op`;
* `R.call_tir(f, args, out_sinfo, tir_vars)`: outputs are allocated (zeros) from
  `out_sinfo` with symbolic dims resolved from the bound vars, then the PrimFunc
  runs on the inputs (read-only views), the outputs and the tir_vars;
* `R.call_tir_inplace`: the outputs at `inplace_indices` are those arguments,
  written in place (an argument the interpreter may not change — a constant, a
  caller's array — is copied first; Relax forbids using it afterwards anyway);
* `R.call_dps_packed(f, args, out_sinfo)`: the registered library function gets
  the inputs and the allocated outputs and fills the outputs;
* `R.call_packed` / `R.call_pure_packed` / a call of an `ExternFunc` value: the
  library function's return value is the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.errors import Error
from irscript.interp.errors import add_note, fail, wrap_foreign
from irscript.interp.registry import register_relax, register_relax_op, relax_op_kernel
from irscript.interp.relax import RelaxInterpreter, call_library, normalize_result, read_only, resolve_library
from irscript.interp.values import ShapeTuple, describe, np_dtype
from irscript.ir.expr import GlobalVar
from irscript.ir.op import Op
from irscript.ir.path import ObjectPath
from irscript.relax import expr as X
from irscript.relax.op.registry import get_entry
from irscript.relax.struct_info import TensorStructInfo, TupleStructInfo
from irscript.relax.struct_info_relations import show_struct_info
from irscript.tir.function import PrimFunc

__all__ = ["allocate_outputs"]


@register_relax(X.Call)
def _call(interp: RelaxInterpreter, call: X.Call, path: ObjectPath) -> Any:
    op = call.op
    if isinstance(op, Op):
        kernel = relax_op_kernel(op.name)
        if kernel is not None and kernel.raw:
            return kernel.fn(interp, call, path)
        return _run_op(interp, call, op, kernel, path)
    callee = interp.eval(op, path.attr("op"))
    ap = path.attr("args")
    args = [interp.eval(a, ap.index(i)) for i, a in enumerate(call.args)]
    sinfo = call.sinfo_args[0] if call.sinfo_args else call.struct_info
    return interp.apply(callee, args, path, sinfo)


def _run_op(interp: RelaxInterpreter, call: X.Call, op: Op, kernel: Any, path: ObjectPath) -> Any:
    entry = get_entry(op)
    if kernel is None and (entry is None or entry.numpy_ref is None):
        raise fail(f"the interpreter has no implementation of the op {op.name}", path)
    ap = path.attr("args")
    values = [interp.eval(a, ap.index(i)) for i, a in enumerate(call.args)]
    name = entry.script_name if entry is not None else op.name
    try:
        attrs = entry.call_attrs(call) if entry is not None else dict(call.attrs)
        fn = kernel.fn if kernel is not None else entry.numpy_ref
        result = fn(*values, **attrs)
    except Error as err:
        if err.path is None:
            err.path = path
        raise
    except RecursionError:
        raise
    except Exception as exc:
        raise wrap_foreign(exc, name, path) from exc
    return normalize_result(result, call.struct_info)


# ---------------------------------------------------------------------------------------------
# outputs
# ---------------------------------------------------------------------------------------------
def _tensor_sinfos(sinfo: Any, path: ObjectPath) -> tuple[list[TensorStructInfo], bool]:
    if isinstance(sinfo, TensorStructInfo):
        return [sinfo], True
    if isinstance(sinfo, TupleStructInfo) and all(isinstance(f, TensorStructInfo) for f in sinfo.fields):
        return list(sinfo.fields), False
    raise fail(f"out_sinfo must be R.Tensor or a tuple of them, got {show_struct_info(sinfo)}", path)


def _out_shape(interp: RelaxInterpreter, s: TensorStructInfo, path: ObjectPath) -> tuple[tuple[int, ...], Any]:
    if s.values is None:
        if s.shape is not None:
            shape = interp.eval(s.shape, path)
            if isinstance(shape, ShapeTuple):
                return tuple(shape), np_dtype(s.dtype)
        raise fail(f"cannot allocate an output of unknown shape: {show_struct_info(s)}", path)
    if s.dtype.is_void:
        raise fail(f"cannot allocate an output of unknown dtype: {show_struct_info(s)}", path)
    shape = tuple(int(interp.prim(d, path)) for d in s.values)
    if any(d < 0 for d in shape):
        raise fail(f"output shape {shape} of {show_struct_info(s)} is negative", path)
    return shape, np_dtype(s.dtype)


def allocate_outputs(interp: RelaxInterpreter, sinfo: Any, path: ObjectPath) -> tuple[list[np.ndarray], bool]:
    """Zeroed arrays for `out_sinfo` (dims resolved from the bound vars), and whether it is a
    single tensor (not a tuple)."""
    sinfos, single = _tensor_sinfos(sinfo, path)
    outs = []
    for s in sinfos:
        shape, npd = _out_shape(interp, s, path)
        outs.append(np.zeros(shape, npd))
    return outs, single


def _inputs(interp: RelaxInterpreter, call: X.Call, path: ObjectPath) -> list[Any]:
    value = interp.eval(call.args[1], path.attr("args").index(1))
    if not isinstance(value, tuple) or isinstance(value, ShapeTuple):
        raise fail(f"the arguments of {call.op.name} must be a tuple, got {describe(value)}", path)
    return list(value)


def _tir_vars(interp: RelaxInterpreter, call: X.Call, path: ObjectPath) -> list[int]:
    if len(call.args) < 3:
        return []
    value = interp.eval(call.args[2], path.attr("args").index(2))
    if not isinstance(value, ShapeTuple):
        raise fail(f"tir_vars must be a shape value, got {describe(value)}", path)
    return [np.int64(v) for v in value]


def _callee(interp: RelaxInterpreter, call: X.Call, path: ObjectPath) -> str:
    gv = call.args[0] if call.args else None
    if not isinstance(gv, GlobalVar):
        raise fail(f"{call.op.name} needs a PrimFunc of the module as its first argument", path)
    func = interp.function_of(gv.name_hint, path)
    if not isinstance(func, PrimFunc):
        raise fail(f"{call.op.name}: {gv.name_hint!r} is not a PrimFunc", path)
    return gv.name_hint


def _run_tir(interp: RelaxInterpreter, name: str, args: list[Any], call: X.Call, path: ObjectPath) -> None:
    try:
        interp.tir.call(name, args)
    except Error as err:
        raise add_note(err, f"in {call.op.name} of {name!r} at {path}") from None


# ---------------------------------------------------------------------------------------------
# special forms
# ---------------------------------------------------------------------------------------------
@register_relax_op("relax.call_tir", raw=True)
def _call_tir(interp: RelaxInterpreter, call: X.Call, path: ObjectPath) -> Any:
    name = _callee(interp, call, path)
    inputs = [read_only(a) for a in _inputs(interp, call, path)]
    outs, single = allocate_outputs(interp, call.sinfo_args[0], path)
    _run_tir(interp, name, [*inputs, *outs, *_tir_vars(interp, call, path)], call, path)
    return outs[0] if single else tuple(outs)


@register_relax_op("relax.call_tir_inplace", raw=True)
def _call_tir_inplace(interp: RelaxInterpreter, call: X.Call, path: ObjectPath) -> Any:
    name = _callee(interp, call, path)
    args = _inputs(interp, call, path)
    sinfos, single = _tensor_sinfos(call.sinfo_args[0], path)
    indices = call.attrs.get("inplace_indices", ())
    indices = (indices,) if isinstance(indices, int) else tuple(indices)
    if len(indices) != len(sinfos):
        raise fail(f"inplace_indices has {len(indices)} entries for {len(sinfos)} outputs", path)
    inplace = {i for i in indices if i >= 0}
    prim_args = [a if i in inplace else read_only(a) for i, a in enumerate(args)]
    outs, fresh = [], []
    for s, idx in zip(sinfos, indices):
        if idx < 0:
            shape, npd = _out_shape(interp, s, path)
            arr = np.zeros(shape, npd)
            fresh.append(arr)
        else:
            if not 0 <= idx < len(args) or not isinstance(args[idx], np.ndarray):
                raise fail(f"inplace index {idx} does not name a tensor argument", path)
            arr = args[idx]
            if not arr.flags.writeable:  # a constant or a caller's array: copy on write
                arr = arr.copy()
                prim_args[idx] = arr
        outs.append(arr)
    _run_tir(interp, name, [*prim_args, *fresh, *_tir_vars(interp, call, path)], call, path)
    return outs[0] if single else tuple(outs)


def _library(interp: RelaxInterpreter, func: Any, path: ObjectPath) -> Any:
    if isinstance(func, X.ExternFunc):
        return resolve_library(func.global_symbol, path)
    if isinstance(func, X.StringImm):
        return resolve_library(func.value, path)
    value = interp.eval(func, path)
    if not callable(value) or not hasattr(value, "name"):
        raise fail(f"expected a library function, got {describe(value)}", path)
    return value


@register_relax_op("relax.call_dps_packed", raw=True)
def _call_dps_packed(interp: RelaxInterpreter, call: X.Call, path: ObjectPath) -> Any:
    fn = _library(interp, call.args[0], path.attr("args").index(0))
    inputs = [read_only(a) for a in _inputs(interp, call, path)]
    outs, single = allocate_outputs(interp, call.sinfo_args[0], path)
    call_library(fn.name, fn.fn, [*inputs, *outs], path)
    return outs[0] if single else tuple(outs)


@register_relax_op("relax.call_pure_packed", raw=True)
def _call_pure_packed(interp: RelaxInterpreter, call: X.Call, path: ObjectPath) -> Any:
    fn = _library(interp, call.args[0], path.attr("args").index(0))
    ap = path.attr("args")
    args = [read_only(interp.eval(a, ap.index(i + 1))) for i, a in enumerate(call.args[1:])]
    sinfo = call.sinfo_args[0] if call.sinfo_args else call.struct_info
    return normalize_result(call_library(fn.name, fn.fn, args, path), sinfo)
