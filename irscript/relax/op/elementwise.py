"""Element-wise ops: binary arithmetic / comparison / logic with broadcasting, unary math,
`clip` and `astype`.

Binary ops (`R.add(x1, x2)`, ...) take tensors or R.Prim values: arithmetic
and logic need equal dtypes (an unknown "void" dtype propagates),
comparisons give bool; shapes broadcast numpy-style over symbolic dims.
Unary ops keep their input's struct info; the transcendental ones need a
float dtype. `R.clip(x, min, max)` takes PrimValue bounds (clamping as
`max(min(x, hi), lo)`, as TVM does); `R.astype(x, dtype)` converts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from irscript.ir.dtype import DataType
from irscript.relax.expr import Call
from irscript.relax.op import compute as C
from irscript.relax.op.infer import (
    broadcast_shapes,
    entry_of,
    fail,
    prim_arg,
    show_sinfo,
    tensor_arg,
    tensor_or_prim_arg,
    unify_dtypes,
)
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import DTYPE, PRIM, Arg, Attr
from irscript.relax.struct_info import PrimStructInfo, StructInfo, TensorStructInfo
from irscript.tir import op as T
from irscript.tir import te
from irscript.tir.expr import Cast

BOOL = DataType("bool")


# ---------------------------------------------------------------------------------------------
# binary
# ---------------------------------------------------------------------------------------------
def infer_binary(call: Call, ctx: Any = None, out_dtype: Any = None) -> StructInfo:
    """Broadcasting binary op: dtypes unified (or `out_dtype`), shapes broadcast; when a pair of
    dims cannot be decided, only the rank is known (or the shared shape var, if both have it)."""
    entry = entry_of(call)
    lhs, rhs = tensor_or_prim_arg(call, 0), tensor_or_prim_arg(call, 1)
    n0, n1 = entry.args[0].name, entry.args[1].name
    dtype = DataType(out_dtype) if out_dtype is not None else unify_dtypes(call, [(n0, lhs.dtype), (n1, rhs.dtype)])
    if isinstance(lhs, PrimStructInfo) and isinstance(rhs, PrimStructInfo):
        return PrimStructInfo(dtype)
    dims0 = () if isinstance(lhs, PrimStructInfo) else lhs.values
    dims1 = () if isinstance(rhs, PrimStructInfo) else rhs.values
    if dims0 is not None and dims1 is not None:
        out = broadcast_shapes(call, [(n0, dims0), (n1, dims1)])
        if out is not None:
            return TensorStructInfo(out, dtype)
    if isinstance(lhs, TensorStructInfo) and isinstance(rhs, TensorStructInfo):
        if lhs.shape is not None and lhs.shape is rhs.shape:
            return TensorStructInfo(lhs.shape, dtype)
    ndims = [0 if isinstance(s, PrimStructInfo) else s.ndim for s in (lhs, rhs)]
    return TensorStructInfo(None, dtype, -1 if -1 in ndims else max(ndims))


def infer_compare(call: Call, ctx: Any = None) -> StructInfo:
    return infer_binary(call, ctx, BOOL)


def _binary(name: str, fn: Callable[[Any, Any], Any], ref: Callable[[Any, Any], Any], *,
            compare: bool = False, doc: str = "") -> Callable[..., Call]:
    def legalize(x1: Any, x2: Any) -> te.Tensor:
        return C.broadcast(fn, x1, x2, f"T_{name}")

    def numpy_ref(x1: Any, x2: Any) -> np.ndarray:
        a, b = _np_operands(x1, x2)
        with np.errstate(all="ignore"):
            out = np.asarray(ref(a, b))
        return out.astype(bool) if compare else out.astype(a.dtype, copy=False)

    return define_op(
        f"relax.{name}", args=[Arg("x1"), Arg("x2")], infer=infer_compare if compare else infer_binary,
        legalize=legalize, numpy_ref=numpy_ref, doc=doc or f"R.{name}(x1, x2): element-wise {name} with broadcasting.",
    ).builder


def _np_operands(x1: Any, x2: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both operands as arrays; a scalar (an R.Prim value) takes the other operand's dtype."""
    if isinstance(x1, np.ndarray) and not isinstance(x2, np.ndarray):
        return x1, np.asarray(x2, dtype=x1.dtype)
    if isinstance(x2, np.ndarray) and not isinstance(x1, np.ndarray):
        return np.asarray(x1, dtype=x2.dtype), x2
    return np.asarray(x1), np.asarray(x2)


def _is_float(v: Any) -> bool:
    return v.dtype.is_float


def _divide(a: Any, b: Any) -> Any:
    return T.div(a, b) if _is_float(a) else T.truncdiv(a, b)


def _floor_divide(a: Any, b: Any) -> Any:
    return T.floor(T.div(a, b)) if _is_float(a) else T.floordiv(a, b)


def _truthy(v: Any) -> Any:
    return v if v.dtype.is_bool else T.not_equal(v, 0)


def _logical(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def build(a: Any, b: Any) -> Any:
        out = fn(_truthy(a), _truthy(b))
        return out if a.dtype.is_bool else T.cast(a.dtype, out)

    return build


def _np_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iu":
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.floor_divide(a, b)
            fix = (np.remainder(a, b) != 0) & ((a < 0) != (b < 0))
        return q + fix.astype(q.dtype)  # truncation toward zero, as TIR integer division
    return np.true_divide(a, b)


def _np_floor_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iu":
        return np.floor_divide(a, b)
    return np.floor(np.true_divide(a, b))


def _np_logical(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    return lambda a, b: fn(a != 0, b != 0)


add = _binary("add", T.add, np.add)
subtract = _binary("subtract", T.sub, np.subtract)
multiply = _binary("multiply", T.mul, np.multiply)
divide = _binary("divide", _divide, _np_divide, doc="R.divide(x1, x2): true division (truncating for integers).")
floor_divide = _binary("floor_divide", _floor_divide, _np_floor_divide)
power = _binary("power", T.power, np.power)
maximum = _binary("maximum", T.max, np.maximum)
minimum = _binary("minimum", T.min, np.minimum)
equal = _binary("equal", T.equal, np.equal, compare=True)
not_equal = _binary("not_equal", T.not_equal, np.not_equal, compare=True)
less = _binary("less", T.less, np.less, compare=True)
less_equal = _binary("less_equal", T.less_equal, np.less_equal, compare=True)
greater = _binary("greater", T.greater, np.greater, compare=True)
greater_equal = _binary("greater_equal", T.greater_equal, np.greater_equal, compare=True)
logical_and = _binary("logical_and", _logical(T.logical_and), _np_logical(np.logical_and))
logical_or = _binary("logical_or", _logical(T.logical_or), _np_logical(np.logical_or))


# ---------------------------------------------------------------------------------------------
# unary
# ---------------------------------------------------------------------------------------------
def infer_unary(call: Call, ctx: Any = None) -> StructInfo:
    return tensor_arg(call, 0)


def infer_unary_float(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    if not (x.dtype.is_void or x.dtype.is_float):
        raise fail(call, f"argument {entry_of(call).args[0].name!r} must have a float dtype, got {x.dtype}")
    return x


_erf = np.frompyfunc(math.erf, 1, 1)


def _np_erf(x: np.ndarray) -> np.ndarray:
    return _erf(x.astype(np.float64)).astype(np.float64)


def _np_sigmoid(x: np.ndarray) -> np.ndarray:
    x64 = x.astype(np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x64))


def _keep_ints(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """floor/ceil/round leave integer values as they are."""
    return lambda v: fn(v) if v.dtype.is_float else v


def _np_keep_ints(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda a: fn(a) if a.dtype.kind == "f" or a.dtype.kind == "V" else a.copy()


def _unary(name: str, fn: Callable[[Any], Any], ref: Callable[[Any], Any], *, float_only: bool = False,
           doc: str = "") -> Callable[..., Call]:
    def legalize(x: te.Tensor) -> te.Tensor:
        return C.elementwise(fn, x, name=f"T_{name}")

    def numpy_ref(x: Any) -> np.ndarray:
        x = np.asarray(x)
        with np.errstate(all="ignore"):
            return np.asarray(ref(x)).astype(x.dtype, copy=False)

    return define_op(
        f"relax.{name}", args=[Arg("x")], infer=infer_unary_float if float_only else infer_unary,
        legalize=legalize, numpy_ref=numpy_ref, doc=doc or f"R.{name}(x): element-wise {name}.",
    ).builder


exp = _unary("exp", T.exp, np.exp, float_only=True)
log = _unary("log", T.log, np.log, float_only=True)
sqrt = _unary("sqrt", T.sqrt, np.sqrt, float_only=True)
rsqrt = _unary("rsqrt", T.rsqrt, lambda a: 1.0 / np.sqrt(a.astype(np.float64)), float_only=True)
tanh = _unary("tanh", T.tanh, np.tanh, float_only=True)
sigmoid = _unary("sigmoid", T.sigmoid, _np_sigmoid, float_only=True)
sin = _unary("sin", T.MATH["sin"], np.sin, float_only=True)
cos = _unary("cos", T.MATH["cos"], np.cos, float_only=True)
erf = _unary("erf", T.erf, _np_erf, float_only=True)
negative = _unary("negative", T.neg, np.negative)
abs = _unary("abs", T.abs, np.abs)
floor = _unary("floor", _keep_ints(T.floor), _np_keep_ints(np.floor))
ceil = _unary("ceil", _keep_ints(T.ceil), _np_keep_ints(np.ceil))
round = _unary("round", _keep_ints(T.MATH["round"]), _np_keep_ints(np.round),
               doc="R.round(x): round to the nearest integer, halves to even (as numpy).")
logical_not = _unary(
    "logical_not", lambda v: T.logical_not(v) if v.dtype.is_bool else T.cast(v.dtype, T.equal(v, 0)),
    np.logical_not,
)


# ---------------------------------------------------------------------------------------------
# clip, astype
# ---------------------------------------------------------------------------------------------
def _infer_clip(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    prim_arg(call, 1)
    prim_arg(call, 2)
    return x


def _legalize_clip(x: te.Tensor, lo: Any, hi: Any) -> te.Tensor:
    lo, hi = T.cast(x.dtype, lo), T.cast(x.dtype, hi)
    return C.elementwise(lambda v: T.max(T.min(v, hi), lo), x, name="T_clip")


def _np_clip(x: Any, min: Any, max: Any) -> np.ndarray:
    x = np.asarray(x)
    lo, hi = np.asarray(min).astype(x.dtype), np.asarray(max).astype(x.dtype)
    return np.maximum(np.minimum(x, hi), lo)


clip = define_op(
    "relax.clip", args=[Arg("x"), Arg("min", PRIM), Arg("max", PRIM)], infer=_infer_clip,
    legalize=_legalize_clip, numpy_ref=_np_clip,
    doc="R.clip(x, min, max): clamp each element to [min, max] (as max(min(x, max), min)).",
).builder


def _infer_astype(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    dtype = call.attrs["dtype"]
    if dtype.is_void:
        raise fail(call, f"argument 'dtype' must be a concrete data type, got void (input {show_sinfo(x)})")
    return TensorStructInfo(x.shape, dtype, x.ndim)


def _legalize_astype(x: te.Tensor, dtype: DataType) -> te.Tensor:
    return C.elementwise(lambda v: Cast(dtype, v) if v.dtype != dtype else v, x, name="T_cast")


def _np_astype(x: Any, dtype: DataType) -> np.ndarray:
    return np.asarray(x).astype(dtype.numpy_dtype())


astype = define_op(
    "relax.astype", args=[Arg("x")], attrs=[Attr("dtype", DTYPE)], infer=_infer_astype,
    legalize=_legalize_astype, numpy_ref=_np_astype, legalize_name="cast",
    doc="R.astype(x, dtype): convert the elements to `dtype`.",
).builder

__all__ = [
    "abs", "add", "astype", "ceil", "clip", "cos", "divide", "equal", "erf", "exp", "floor", "floor_divide",
    "greater", "greater_equal", "infer_binary", "infer_compare", "infer_unary", "infer_unary_float", "less",
    "less_equal", "log", "logical_and", "logical_not", "logical_or", "maximum", "minimum", "multiply",
    "negative", "not_equal", "power", "round", "rsqrt", "sigmoid", "sin", "sqrt", "subtract", "tanh",
]
