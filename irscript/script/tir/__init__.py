"""The script namespace `T` (`from irscript.script import tir as T`): the tensor level.

Decorators: `T.prim_func` (options `private`, `check_well_formed`, and TVM's
`s_tir`, accepted and ignored), `T.macro` (`hygienic`). The IRBuilder functions
(`T.block`, `T.grid`, `T.match_buffer`, ...) are re-exported as script functions
of the T dialect: inside a Relax function they are errors. Types and expression
helpers (`T.int64()`, `T.float32(0)`, `T.Cast`, `T.floordiv`, `T.exp`, ...) may
be used anywhere. TVM's newer spellings are aliases: `T.sblock`,
`T.sblock_attr`, `T.sblock_alloc_buffer`, function attribute keys
"tirx.*" (read as "tir.*"), `T.alloc_local(shape, dtype)` /
`T.alloc_shared(shape, dtype)` (an allocating `T.decl_buffer` of scope
"local" / "shared" over the rest of the body) and `T.attr({key: value})`
(node 0). Expression helpers read a buffer slice argument (`T.exp(A[0:4])`)
as a vector load, as the operators and buffer stores do.
"""

from __future__ import annotations

from typing import Any as _Any

from irscript import tir as _tir
from irscript.irbuilder import tir as _B
from irscript.script.parser.dialect import ScriptDecorator as _Decorator
from irscript.script.parser.dialect import ScriptFunc as _F
from irscript.script.parser.dialect import register_namespace as _register_namespace
from irscript.script.parser.dialect import wrap_all as _wrap_all
from irscript.script.parser.tir import TIR as _TIR
from irscript.script.parser.tir import MetaVar as _MetaVar
from irscript.script.parser.tir import read_slices as _read_slices
from irscript.script.parser.tir import region_as_load as _region_as_load
from irscript.tir import op as _op

prim_func = _Decorator(_TIR, "T.prim_func", "function", {"private": False, "check_well_formed": True, "s_tir": False})
macro = _Decorator(_TIR, "T.macro", "macro", {"hygienic": True})

_g = globals()

# -- statement-level builders: T dialect only
_STATEMENTS = [
    "func_ret", "match_buffer", "Buffer", "alloc_buffer", "serial", "parallel", "vectorized", "unroll",
    "thread_binding", "grid", "block", "init", "where", "reads", "writes", "block_attr", "LetStmt", "allocate",
    "decl_buffer", "attr", "env_thread", "launch_thread", "evaluate", "Assert", "While",
    "sblock", "sblock_attr", "sblock_alloc_buffer",
]
_wrap_all(_g, "T", _TIR, _STATEMENTS, _B)

# -- types: usable anywhere; a bare `T.int32` annotation means `T.int32()`
_wrap_all(_g, "T", None, [*_B.DTYPE_NAMES, "handle"], _B, anywhere=True, is_type=True)


def _let(v: _Any, value: _Any, body: _Any = None) -> _Any:
    """`T.let(v, value, body)`: a Let expression; `T.let(v, value)`: a LetStmt frame."""
    return _B.let(v, value, body)


def _cast(value: _Any, dtype: _Any) -> _Any:
    """`T.cast(x, dtype)`: x converted to dtype."""
    return _op.cast(dtype, value)


def _Cast(dtype: _Any, value: _Any) -> _Any:
    """`T.Cast(dtype, x)`: a Cast node."""
    return _tir.Cast(dtype, value)


def _comm_reducer(combiner: _Any, identity: _Any) -> _Any:
    """`T.comm_reducer(lambda x, y: x + y, [T.float32(0)])`: a commutative reducer."""
    from irscript.errors import IRError

    ids = [_op.convert(i) for i in (identity if isinstance(identity, (list, tuple)) else [identity])]
    n = len(ids)
    names = list(getattr(combiner, "params", [])) or [*(f"x{i}" for i in range(n)), *(f"y{i}" for i in range(n))]
    if len(names) != 2 * n:
        raise IRError(f"T.comm_reducer: the combiner takes {len(names)} arguments, expected {2 * n} "
                      f"(two per identity element)")
    lhs = [_tir.Var(names[i], ids[i].dtype) for i in range(n)]
    rhs = [_tir.Var(names[n + i], ids[i].dtype) for i in range(n)]
    result = combiner(*lhs, *rhs)
    results = list(result) if isinstance(result, (list, tuple)) else [result]
    if len(results) != n:
        raise IRError(f"T.comm_reducer: the combiner gives {len(results)} values for {n} identity elements")
    return _tir.CommReducer(lhs, rhs, [_op.convert(r) for r in results], ids)


def _Let(*args: _Any, where: _Any = None) -> _Any:
    """`T.Let(var, value, body)`, or TVM's spelling `T.Let(body, where={var: value})`."""
    if where is None:
        return _tir.Let(*args)
    from irscript.errors import IRError

    if len(args) != 1 or not isinstance(where, dict) or len(where) != 1:
        raise IRError("T.Let(body, where={var: value}) binds one var")
    ((var, value),) = where.items()
    return _tir.Let(var, value, args[0])


def _Range(start: _Any, stop: _Any = None) -> _Any:
    """`T.Range(start, stop)` (or `T.Range(stop)`): the range [start, stop)."""
    from irscript.ir.expr import Range
    from irscript.tir.buffer import region_extent

    if stop is None:
        start, stop = 0, start
    start, stop = _op.match_types(start, stop, what="T.Range")
    return Range(start, region_extent(start, stop))


_ITER_TYPES = {
    "DataPar": _tir.IterVarType.DATA_PAR, "ThreadIndex": _tir.IterVarType.THREAD_INDEX,
    "CommReduce": _tir.IterVarType.COMM_REDUCE, "Ordered": _tir.IterVarType.ORDERED,
    "Opaque": _tir.IterVarType.OPAQUE, "Unrolled": _tir.IterVarType.UNROLLED,
    "Vectorized": _tir.IterVarType.VECTORIZED, "Parallelized": _tir.IterVarType.PARALLELIZED,
    "Tensorized": _tir.IterVarType.TENSORIZED,
}


def _iter_var(var: _Any, dom: _Any, iter_type: _Any, thread_tag: _Any = "") -> _Any:
    """`T.iter_var(v, T.Range(0, n), "ThreadIndex", "threadIdx.x")`: an IterVar."""
    from irscript.errors import IRError

    kind = _ITER_TYPES.get(iter_type)
    if kind is None:
        raise IRError(f"T.iter_var: unknown iteration type {iter_type!r} (one of {', '.join(_ITER_TYPES)})")
    if isinstance(dom, (tuple, list)):
        dom = _Range(*dom)
    return _tir.IterVar(dom, var, kind, thread_tag)


def _BufferLoad(buffer: _Any, indices: _Any, predicate: _Any = None) -> _Any:
    """`T.BufferLoad(A, [i], predicate)`: a (predicated) buffer load."""
    return _tir.BufferLoad(buffer, tuple(indices), predicate)


def _buffer_store(buffer: _Any, value: _Any, indices: _Any, predicate: _Any = None) -> None:
    """`T.buffer_store(A, value, [i], predicate)`: a (predicated) buffer store."""
    if type(value) is _tir.BufferRegion:
        value = _region_as_load(value)
    if predicate is None:
        return _B.buffer_store(buffer, value, indices)
    from irscript.irbuilder.base import IRBuilder
    from irscript.irbuilder.tir_frame import add_to_parent
    from irscript.tir.stmt import BufferStore

    idx = tuple(_op.convert(i) for i in (indices if isinstance(indices, (list, tuple)) else [indices]))
    add_to_parent(IRBuilder.current(), BufferStore(buffer, _op.convert(value), idx, predicate), "T.buffer_store")
    return None


def _scoped_alloc(scope: str) -> _Any:
    def alloc(shape: _Any, dtype: _Any = "float32", *, strides: _Any = None, elem_offset: _Any = None,
              align: int = -1, offset_factor: int = 0, axis_separators: _Any = None) -> _Any:
        return _B.decl_buffer(shape, dtype, scope, None, strides, elem_offset, align, offset_factor, axis_separators)

    alloc.__doc__ = (f"`buf = T.alloc_{scope}(shape, dtype)` (TVM 0.25): `T.decl_buffer(shape, dtype, "
                     f"scope=\"{scope}\")`, allocating, over the rest of the body.")
    return alloc


alloc_local = _F(_scoped_alloc("local"), "T.alloc_local", _TIR)
alloc_shared = _F(_scoped_alloc("shared"), "T.alloc_shared", _TIR)


def _func_attr(attrs: _Any) -> None:
    """`T.func_attr({...})`; TVM 0.25's "tirx.*" keys are read as irscript's "tir.*"."""
    if isinstance(attrs, dict):
        attrs = {("tir." + k[5:] if isinstance(k, str) and k.startswith("tirx.") else k): v for k, v in attrs.items()}
    _B.func_attr(attrs)


def _meta_var(value: _Any) -> _MetaVar:
    """`T.meta_var(v)`: bind a Python value as is (no LetStmt)."""
    return _MetaVar(value)


# -- expression helpers: anywhere
_EXPRESSIONS: dict[str, _Any] = {
    "let": _let, "cast": _cast, "Cast": _Cast, "Select": _tir.Select, "Ramp": _tir.Ramp, "Broadcast": _tir.Broadcast,
    "Let": _Let, "StringImm": _tir.StringImm, "meta_var": _meta_var, "Range": _Range, "iter_var": _iter_var,
    "BufferLoad": _BufferLoad,
    "floordiv": _op.floordiv, "floormod": _op.floormod, "truncdiv": _op.truncdiv, "truncmod": _op.truncmod,
    "ceildiv": _op.ceildiv, "min": _op.min, "max": _op.max, "if_then_else": _op.if_then_else, "likely": _op.likely,
    "call_extern": _op.call_extern, "call_pure_extern": _op.call_pure_extern, "call_packed": _op.call_packed,
    "call_intrin": _op.call_intrin, "address_of": _op.address_of, "reinterpret": _op.reinterpret, "ret": _op.ret,
    "max_value": _op.max_value, "min_value": _op.min_value, "infinity": _op.infinity,
    "bitwise_and": _op.bitwise_and, "bitwise_or": _op.bitwise_or, "bitwise_xor": _op.bitwise_xor,
    "bitwise_not": _op.bitwise_not, "shift_left": _op.shift_left, "shift_right": _op.shift_right,
    "logical_and": _op.logical_and, "logical_or": _op.logical_or, "logical_not": _op.logical_not,
    "call_tir_function": _op.call_tir_function, **_op.MATH,
}
_KEEP_SLICES = {"meta_var", "Range", "iter_var", "StringImm"}
for _name, _fn in _EXPRESSIONS.items():
    _g[_name] = _F(_fn if _name in _KEEP_SLICES else _read_slices(_fn), f"T.{_name}", _TIR, anywhere=True)
comm_reducer = _F(_comm_reducer, "T.comm_reducer", _TIR, anywhere=True, lambda_args=True)
buffer_store = _F(_buffer_store, "T.buffer_store", _TIR)
func_attr = _F(_func_attr, "T.func_attr", _TIR)


class _Axis:
    """`T.axis.spatial / reduce / scan / opaque / remap` (and `S`, `R`)."""

    __slots__ = ("spatial", "reduce", "scan", "opaque", "remap", "S", "R")

    def __init__(self) -> None:
        for n in ("spatial", "reduce", "scan", "opaque", "remap"):
            object.__setattr__(self, n, _F(getattr(_B.axis, n), f"T.axis.{n}", _TIR))
        object.__setattr__(self, "S", self.spatial)
        object.__setattr__(self, "R", self.reduce)

    def __repr__(self) -> str:
        return "<namespace T.axis>"


axis = _register_namespace(_Axis())

__all__ = [
    "alloc_local", "alloc_shared", "axis", "buffer_store", "comm_reducer", "func_attr", "macro", "prim_func", *_STATEMENTS, *_B.DTYPE_NAMES, "handle", *_EXPRESSIONS,
]

_register_namespace(__import__("sys").modules[__name__])
del _g, _name, _fn
