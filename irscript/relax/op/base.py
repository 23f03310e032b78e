"""Ops that call into the tensor level and into libraries: call_tir, call_tir_inplace,
call_dps_packed, call_packed / call_pure_packed.

Calls are laid out as in TVM Relax: `call_tir(gv, (args...), out_sinfo, tir_vars)`
is `Call(Op("relax.call_tir"), [gv, Tuple(args), (ShapeExpr(tir_vars))], sinfo_args=[out_sinfo])`.
Each op's struct info is its declared output.
"""

from __future__ import annotations

from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import GlobalVar, RelaxExpr, StructInfo
from irscript.ir.op import Op, register_op
from irscript.relax.expr import Call, ExternFunc, ShapeExpr, Tuple
from irscript.relax.struct_info import ObjectStructInfo, TupleStructInfo


def _out_sinfo(call: Call, ctx: Any = None) -> StructInfo:
    if not call.sinfo_args:
        raise IRError(f"{call.op.name} needs out_sinfo")
    return call.sinfo_args[0]


def _packed_sinfo(call: Call, ctx: Any = None) -> StructInfo:
    return call.sinfo_args[0] if call.sinfo_args else ObjectStructInfo()


# Irregular constructs (`special_form`): no registry entry; the parser and printer handle them.
register_op("relax.call_tir", infer_struct_info=_out_sinfo, pure=True, dialect="relax", special_form=True)
register_op("relax.call_tir_inplace", infer_struct_info=_out_sinfo, pure=True, dialect="relax", special_form=True)
register_op("relax.call_dps_packed", infer_struct_info=_out_sinfo, pure=True, dialect="relax", special_form=True)
register_op("relax.call_pure_packed", infer_struct_info=_packed_sinfo, pure=True, dialect="relax", special_form=True)


def _as_sinfo(out_sinfo: Any) -> StructInfo:
    if isinstance(out_sinfo, (list, tuple)):
        fields = tuple(_as_sinfo(s) for s in out_sinfo)
        return fields[0] if len(fields) == 1 else TupleStructInfo(fields)
    if not isinstance(out_sinfo, StructInfo):
        raise IRError(f"out_sinfo must be struct info, got {type(out_sinfo).__name__}")
    return out_sinfo


def _args_tuple(args: Any) -> Tuple:
    if isinstance(args, Tuple):
        return args
    if isinstance(args, RelaxExpr):
        return Tuple((args,))
    return Tuple(tuple(args))


def call_tir(gvar: GlobalVar, args: Any, out_sinfo: Any, tir_vars: Any = None) -> Call:
    """Call the PrimFunc `gvar` in destination-passing style: outputs are allocated from
    `out_sinfo` and passed after `args`; `tir_vars` passes extra symbolic values."""
    call_args: list[RelaxExpr] = [gvar, _args_tuple(args)]
    if tir_vars is not None:
        call_args.append(tir_vars if isinstance(tir_vars, ShapeExpr) else ShapeExpr(tir_vars))
    sinfo = _as_sinfo(out_sinfo)
    return Call(Op.get("relax.call_tir"), tuple(call_args), {}, (sinfo,), sinfo)


def call_tir_inplace(gvar: GlobalVar, args: Any, inplace_indices: Any, out_sinfo: Any, tir_vars: Any = None) -> Call:
    """Like call_tir, but the outputs at `inplace_indices` reuse (overwrite) those arguments."""
    call_args: list[RelaxExpr] = [gvar, _args_tuple(args)]
    if tir_vars is not None:
        call_args.append(tir_vars if isinstance(tir_vars, ShapeExpr) else ShapeExpr(tir_vars))
    indices = (inplace_indices,) if isinstance(inplace_indices, int) else tuple(int(i) for i in inplace_indices)
    sinfo = _as_sinfo(out_sinfo)
    return Call(Op.get("relax.call_tir_inplace"), tuple(call_args), {"inplace_indices": indices}, (sinfo,), sinfo)


def call_dps_packed(func: Any, args: Any, out_sinfo: Any) -> Call:
    """Call a library function (by name or ExternFunc) in destination-passing style."""
    if isinstance(func, str):
        func = ExternFunc(func)
    sinfo = _as_sinfo(out_sinfo)
    return Call(Op.get("relax.call_dps_packed"), (func, _args_tuple(args)), {}, (sinfo,), sinfo)


def call_packed(func: Any, *args: Any, sinfo_args: Any = None) -> Call:
    """Call a library function that returns its result (impure unless told otherwise)."""
    if isinstance(func, str):
        func = ExternFunc(func)
    if sinfo_args is None:
        sargs: tuple[StructInfo, ...] = ()
    elif isinstance(sinfo_args, StructInfo):
        sargs = (sinfo_args,)
    else:
        sargs = tuple(sinfo_args)
    sinfo = sargs[0] if sargs else ObjectStructInfo()
    return Call(func, tuple(args), {}, sargs, sinfo)


def call_pure_packed(func: Any, *args: Any, sinfo_args: Any = None) -> Call:
    """A library call declared pure (allowed in dataflow blocks)."""
    if isinstance(func, str):
        func = ExternFunc(func)
    sargs = (sinfo_args,) if isinstance(sinfo_args, StructInfo) else tuple(sinfo_args or ())
    sinfo = sargs[0] if sargs else ObjectStructInfo()
    return Call(Op.get("relax.call_pure_packed"), (func, *args), {}, sargs, sinfo)
