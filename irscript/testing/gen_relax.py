"""Relax and numpy-array generators for the hypothesis strategies (functions of a `Source`).

A Relax function's params define its symbolic dims (the first tensor param
has them all); dataflow vars stay in their block; MatchCast binds new dims;
the declared return struct info uses only the params' dims. Calls of
`call_tir` ask a kernel factory for the callee, so inside an IRModule every
call matches its PrimFunc's signature.

The IR is canonical — what the IRBuilder's normalizer (and so the script
parser) builds — so that it survives print and parse unchanged: adjacent
plain binding blocks are one block, an If's struct info is the join of its
branches', a MatchCast can match its value, and a call of a Callable value
has well-typed arguments and the struct info the normalizer derives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from irscript import relax, tir
from irscript.ir import DataType, GlobalVar, pre_order
from irscript.relax.op import call_dps_packed, call_packed, call_pure_packed, call_tir, call_tir_inplace
from irscript.relax.struct_info_relations import (
    BaseCheck,
    derive_call_ret_struct_info,
    join_struct_info,
    struct_info_base_check,
)
from irscript.testing.gen_tir import BOOL, INT64
from irscript.testing.source import Source

ARRAY_DTYPES = (
    "float32", "float64", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2", "bool",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
)

# ---------------------------------------------------------------------------------------------
# numpy constants
# ---------------------------------------------------------------------------------------------
def gen_array(src: Source, dtype: str, max_elems: int = 6) -> np.ndarray:
    np_dtype = DataType(dtype).numpy_dtype()
    shape = tuple(src.int(0, 3) for _ in range(src.int(0, 2)))
    count = int(np.prod(shape, dtype=np.int64))
    if count > max_elems:
        shape, count = (max_elems,), max_elems
    if np_dtype == np.bool_:
        return np.array([src.bool() for _ in range(count)], dtype=bool).reshape(shape)
    raw = src.bytes(count * np_dtype.itemsize)
    return np.frombuffer(raw, dtype=np_dtype).reshape(shape).copy()  # any bits: NaN payloads, -0.0, ...


# ---------------------------------------------------------------------------------------------
# Relax functions
# ---------------------------------------------------------------------------------------------
KernelFactory = Callable[[Any, list, int], GlobalVar]
"""`factory(src, tensor struct infos (inputs then outputs), number of tir_vars)` -> the callee."""


def any_of(gvars: Sequence[GlobalVar]) -> KernelFactory:
    """A kernel factory that names one of `gvars` whatever the signature (outside a module)."""
    return lambda src, tensors, n_scalars: src.pick(gvars)


class _RelaxScope:
    """Visible Relax vars and defined symbolic dims while generating one function."""

    __slots__ = ("vars", "dims", "names", "kernel", "impure")

    def __init__(self, vars: list[relax.Var], dims: list[tir.Var], kernel: KernelFactory) -> None:
        self.vars = vars
        self.dims = dims
        self.names: dict[str, int] = {}
        self.kernel = kernel
        self.impure = False

    def name(self, hint: str) -> str:
        n = self.names.get(hint, 0)
        self.names[hint] = n + 1
        return f"{hint}{n}" if n else hint

    def tensors(self) -> list[relax.Var]:
        return [v for v in self.vars if isinstance(v.struct_info, relax.TensorStructInfo)]

    def child(self) -> _RelaxScope:
        s = _RelaxScope(list(self.vars), list(self.dims), self.kernel)
        s.names = self.names
        return s


def _dim(src: Source, rs: _RelaxScope) -> tir.PrimExpr:
    if rs.dims and src.int(0, 2):
        d = src.pick(rs.dims)
        return d if src.int(0, 3) else tir.Mul(d, tir.IntImm(INT64, 2))
    return tir.IntImm(INT64, src.int(1, 16))


def _tensor_sinfo(src: Source, rs: _RelaxScope, ndim: int | None = None) -> relax.TensorStructInfo:
    ndim = src.int(1, 3) if ndim is None else ndim
    dtype = src.pick(("float32", "float16", "int32", "bool"))
    return relax.TensorStructInfo([_dim(src, rs) for _ in range(ndim)], dtype)


def _param_sinfo(src: Source, rs: _RelaxScope, first: bool) -> Any:
    if first:  # the first param's shape defines every symbolic dim
        dims = list(rs.dims) + [_dim(src, rs) for _ in range(src.int(0 if rs.dims else 1, 1))]
        return relax.TensorStructInfo(dims, src.pick(("float32", "float16")))
    kind = src.pick(("tensor", "tensor", "tensor", "shape", "prim", "flag", "tuple", "object", "unknown",
                     "callable", "opaque"))
    if kind == "tensor":
        return _tensor_sinfo(src, rs)
    if kind == "shape":
        return relax.ShapeStructInfo([_dim(src, rs) for _ in range(src.int(0, 2))])
    if kind == "prim":
        return relax.PrimStructInfo("int64")
    if kind == "flag":
        return relax.PrimStructInfo("bool")
    if kind == "tuple":
        return relax.TupleStructInfo((_tensor_sinfo(src, rs), relax.ObjectStructInfo()))
    if kind == "object":
        return relax.ObjectStructInfo()
    if kind == "unknown":
        return relax.TensorStructInfo(None, src.pick(("float32", "void")), src.pick((-1, 2)))
    if kind == "opaque":  # `R.Callable`, `R.Callable(ret=..., purity=False)`: any arguments
        return relax.FuncStructInfo.opaque(src.pick((None, _tensor_sinfo(src, rs))), src.bool())
    # a Callable's params: what the first param (a tensor) or any value fits, so calls can be well typed
    first = rs.vars[0].struct_info
    takes = src.pick((first, relax.TensorStructInfo(None, first.dtype, first.ndim), relax.ObjectStructInfo()))
    return relax.FuncStructInfo((takes,), _tensor_sinfo(src, rs), src.bool())


def _binding_value(src: Source, rs: _RelaxScope, dataflow: bool) -> tuple[Any, Any]:
    """(value expr, struct info of the bound var) for one VarBinding."""
    tensors = rs.tensors()
    tuples = [v for v in rs.vars if isinstance(v.struct_info, relax.TupleStructInfo) and v.struct_info.fields]
    flags = [v for v in rs.vars if isinstance(v.struct_info, relax.PrimStructInfo) and v.struct_info.dtype == BOOL]
    funcs = [v for v in rs.vars if isinstance(v.struct_info, relax.FuncStructInfo)]
    kinds = ["call_tir", "call_tir", "tuple", "shape", "prim", "str", "dtype", "const", "dps", "pure_packed"]
    kinds += ["tgi", "tgi"] * bool(tuples) + ["inplace"] * bool(_known(tensors))
    if not dataflow:
        kinds += ["packed", "extern"] + ["if", "if"] * bool(flags) + ["call_func", "call_func"] * bool(funcs)
    kind = src.pick(kinds)
    if kind in ("call_tir", "inplace", "dps", "pure_packed", "packed"):
        return _call_value(src, rs, kind, tensors)
    if kind == "tuple":
        fields = [src.pick(rs.vars) for _ in range(src.int(1, 3))]
        value = relax.Tuple(fields)
        return value, value.struct_info
    if kind == "tgi":
        t = src.pick(tuples)
        i = src.int(0, len(t.struct_info.fields) - 1)
        sinfo = t.struct_info.fields[i]
        return relax.TupleGetItem(t, i, sinfo), sinfo
    if kind == "shape":
        value = relax.ShapeExpr([_dim(src, rs) for _ in range(src.int(1, 3))])
        return value, value.struct_info
    if kind == "prim":
        if src.bool():
            value = relax.PrimValue(tir.IntImm(BOOL, int(src.bool())))
        else:
            value = relax.PrimValue(_dim(src, rs))
        return value, value.struct_info
    if kind == "str":
        value = relax.StringImm(src.pick(("hello", "relu", "")))
        return value, relax.ObjectStructInfo()
    if kind == "dtype":
        return relax.DataTypeImm(src.pick(("float16", "int8", "bfloat16"))), relax.ObjectStructInfo()
    if kind == "const":
        value = relax.Constant(gen_array(src, src.pick(ARRAY_DTYPES)))
        return value, value.struct_info
    if kind == "call_func":
        return _call_func(src, rs, src.pick(funcs))
    if kind == "extern":  # a library function as a value (opaque, impure): later calls may use it
        value = relax.ExternFunc(src.pick(("ext.scale", "ext.log")))
        return value, value.struct_info
    return _if_value(src, rs, src.pick(flags))


def _call_func(src: Source, rs: _RelaxScope, f: relax.Var) -> tuple[Any, Any]:
    """A call of a Callable var with arguments that may fit its params (a check that fails
    only at run time is fine, a contradiction is not); the result's struct info is what the
    normalizer derives: the callee's return with its symbolic dims bound to the arguments',
    or for an opaque callee the `sinfo_args` of the call if it has them."""
    finfo = f.struct_info
    if finfo.params is None:
        args = [src.pick(rs.vars) for _ in range(src.int(0, 2))]
    else:
        args = []
        for param in finfo.params:
            fits = [v for v in rs.vars if struct_info_base_check(param, v.struct_info) is not BaseCheck.FAIL_L0]
            args.append(src.pick(fits))
    sinfo_args = (_tensor_sinfo(src, rs),) if finfo.params is None and src.bool() else ()
    rs.impure |= not finfo.purity
    call = relax.Call(f, tuple(args), sinfo_args=sinfo_args)
    sinfo = derive_call_ret_struct_info(finfo, call)
    return relax.Call(f, tuple(args), sinfo_args=sinfo_args, struct_info=sinfo), sinfo


def _known(tensors: list[relax.Var]) -> list[relax.Var]:
    """Tensors a PrimFunc can take: known dims and dtype."""
    return [t for t in tensors if t.struct_info.values is not None and not t.struct_info.dtype.is_void]


def _call_value(src: Source, rs: _RelaxScope, kind: str, tensors: list[relax.Var]) -> tuple[Any, Any]:
    if kind in ("call_tir", "inplace"):
        known = _known(tensors)
        args = [src.pick(known) for _ in range(src.int(1, 2))] if known else []
        if kind == "inplace":  # the output overwrites argument 0
            gv = rs.kernel(src, [a.struct_info for a in args], 0)
            value = call_tir_inplace(gv, args, 0, args[0].struct_info)
            return value, value.struct_info
        out = _tensor_sinfo(src, rs)
        tir_vars = [src.pick(rs.dims)] if rs.dims and src.int(0, 3) == 0 else None
        gv = rs.kernel(src, [a.struct_info for a in args] + [out], len(tir_vars or ()))
        value = call_tir(gv, args, out, tir_vars)
        return value, value.struct_info
    args = [src.pick(tensors) for _ in range(src.int(1, 2))] if tensors else []
    out = _tensor_sinfo(src, rs)
    if kind == "dps":
        value = call_dps_packed(src.pick(("ext.gemm", "cublas.matmul")), args, out)
    elif kind == "pure_packed":
        value = call_pure_packed("ext.softmax", *args, sinfo_args=out)
    else:
        rs.impure = True
        value = call_packed("ext.print", *args, sinfo_args=relax.ObjectStructInfo())
    return value, value.struct_info


def _if_value(src: Source, rs: _RelaxScope, flag: relax.Var) -> tuple[Any, Any]:
    """An If whose struct info (and its var's) is the join of its branches', as the normalizer
    deduces it (branch-local bindings bind no symbolic dims, so nothing needs erasing)."""
    branches = []
    for _ in range(2):
        inner = rs.child()
        block = _bindings(src, inner, dataflow=False, count=src.int(0, 2), nested=True)
        branches.append(relax.SeqExpr([block] if block.bindings else [], inner.vars[-1]))
    sinfo = join_struct_info(branches[0].body.struct_info, branches[1].body.struct_info)
    return relax.If(flag, branches[0], branches[1], sinfo), sinfo


def _match_cast(src: Source, rs: _RelaxScope, var_cls: type) -> relax.MatchCast:
    source = src.pick(rs.tensors())
    old = source.struct_info
    ndim = old.ndim if old.ndim != -1 else 2
    known = old.values
    new_dims: list[tir.Var] = []
    dims: list[tir.PrimExpr] = []
    for d in range(ndim):  # each dim: a new symbolic var it binds, or the value's own dim
        if d == 0 or known is None or src.bool():
            new_dims.append(tir.Var(rs.name("k"), INT64))
            dims.append(new_dims[-1])
        else:
            dims.append(known[d])
    dtype = old.dtype if not old.dtype.is_void else DataType("float32")
    sinfo = relax.TensorStructInfo(dims, dtype)
    var = var_cls(rs.name("lv"), sinfo)
    rs.dims.extend(new_dims)
    return relax.MatchCast(var, source, sinfo)


def _bindings(src: Source, rs: _RelaxScope, dataflow: bool, count: int, nested: bool = False) -> Any:
    """A block of `count` bindings; `nested` (an If branch): no if, packed call or match_cast."""
    bindings = []
    for _ in range(count):
        var_cls = relax.DataflowVar if dataflow and src.int(0, 2) else relax.Var
        if not nested and rs.tensors() and src.int(0, 5) == 0:
            binding: Any = _match_cast(src, rs, var_cls)
        else:
            value, sinfo = _binding_value(src, rs, dataflow or nested)
            binding = relax.VarBinding(var_cls(rs.name("gv" if var_cls is relax.Var else "lv"), sinfo), value)
        bindings.append(binding)
        rs.vars.append(binding.var)
    cls = relax.DataflowBlock if dataflow else relax.BindingBlock
    return cls(tuple(bindings))


def _uses_only(sinfo: Any, dims: set[int]) -> bool:
    return all(id(n) in dims for n in pre_order(sinfo) if isinstance(n, tir.Var))


def gen_relax_function(src: Source, kernel: KernelFactory, name: str) -> relax.Function:
    """A Relax function whose call_tir callees come from `kernel`."""
    dims = [tir.Var(n, INT64) for n in ("n", "m")[: src.int(0, 2)]]
    rs = _RelaxScope([], list(dims), kernel)
    for k in range(src.int(1, 3)):
        sinfo = _param_sinfo(src, rs, first=k == 0)
        rs.vars.append(relax.Var(src.pick(("x", "y", "w", "data", "bias")) + (str(k) if k else ""), sinfo))
    if src.int(0, 2) == 0:
        rs.vars.append(relax.Var("cond", relax.PrimStructInfo("bool")))
    params = list(rs.vars)
    param_dims = {id(d) for d in rs.dims}
    blocks: list[Any] = []
    for _ in range(src.int(1, 3)):
        dataflow = src.bool()
        inner = rs.child() if dataflow else rs
        block = _bindings(src, inner, dataflow, src.int(1, 4))
        if dataflow:  # only the outputs stay visible
            rs.vars += [b.var for b in block.bindings if not isinstance(b.var, relax.DataflowVar)]
            rs.dims = inner.dims
            rs.impure |= inner.impure
        elif blocks and type(blocks[-1]) is relax.BindingBlock:  # the builder merges adjacent plain blocks
            block = relax.BindingBlock(blocks.pop().bindings + block.bindings)
        blocks.append(block)
    visible = [v for v in rs.vars if not isinstance(v, relax.DataflowVar)]
    if len(visible) > 1 and src.int(0, 3) == 0:
        body_expr: Any = relax.Tuple([visible[-1], visible[0]])
    else:
        body_expr = visible[-1]
    ret = body_expr.struct_info
    if not _uses_only(ret, param_dims):  # the declared return type may only use the params' dims
        ret = relax.ObjectStructInfo()
    attrs = {"global_symbol": name} if src.bool() else {}
    return relax.Function(tuple(params), relax.SeqExpr(blocks, body_expr), ret, not rs.impure, attrs)

