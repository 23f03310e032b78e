"""Creation ops: `R.zeros ones full zeros_like ones_like full_like arange tril triu`.

Laid out as in TVM Relax: the shape of `zeros / ones / full` is a Relax
argument (a ShapeExpr or any expression of shape struct info), `fill_value`
a 0-d tensor, `dtype` an attribute ("void" / None: the dtype of `fill_value`
or of `x`; `zeros` and `ones` need one). `R.arange(start, end, step, dtype)`
takes PrimValues; as TVM's builder, `R.arange(n)` is `arange(0, n, 1)` and a
missing dtype is int64 when start, end and step are integers, else float32.
The length is `max(0, ceil((end - start) / step))` for constants, and
`ceildiv(end - start, step)` over symbolic integers (as TVM). `R.tril(x, k=0)`
/ `R.triu(x, k=0)` keep the elements on and below / above the k-th diagonal
of the last two dims (`k` is a PrimValue and may be symbolic).
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr
from irscript.relax.expr import Call
from irscript.relax.op.infer import fail, prim_arg, show_sinfo, tensor_arg
from irscript.relax.op.manipulation import target_shape, tensor_of_shape
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import DTYPE, PRIM, SHAPE, Arg, Attr
from irscript.relax.struct_info import PrimStructInfo, StructInfo, TensorStructInfo
from irscript.tir import op as T
from irscript.tir import te
from irscript.tir.arith import simplify
from irscript.tir.expr import FloatImm, IntImm

__all__ = ["arange", "full", "full_like", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like"]

INT64 = DataType("int64")


def _axes(n: int) -> list[str]:
    return [f"ax{k}" for k in range(n)]


def _concrete_dtype(call: Call, dtype: DataType) -> DataType:
    if dtype.is_void:
        raise fail(call, "argument 'dtype' must be a concrete data type, got void")
    return dtype


# ---------------------------------------------------------------------------------------------
# full, zeros, ones
# ---------------------------------------------------------------------------------------------
def _fill_arg(call: Call, i: int) -> TensorStructInfo:
    fill = tensor_arg(call, i)
    if fill.ndim not in (0, -1):
        raise fail(call, f"argument 'fill_value' must be a scalar (0-d) tensor, got {show_sinfo(fill)}")
    return fill


def _infer_full(call: Call, ctx: Any = None) -> StructInfo:
    shape, _, ndim = target_shape(call, 0)
    fill = _fill_arg(call, 1)
    dtype = call.attrs["dtype"]
    return tensor_of_shape(shape, ndim, fill.dtype if dtype.is_void else dtype)


def _infer_full_like(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    _fill_arg(call, 1)
    dtype = call.attrs["dtype"]
    return x if dtype.is_void else TensorStructInfo(x.shape, dtype, x.ndim)


def _infer_zeros_ones(call: Call, ctx: Any = None) -> StructInfo:
    shape, _, ndim = target_shape(call, 0)
    return tensor_of_shape(shape, ndim, _concrete_dtype(call, call.attrs["dtype"]))


def _infer_like(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    dtype = call.attrs["dtype"]
    return x if dtype.is_void else TensorStructInfo(x.shape, dtype, x.ndim)


def _filled(shape: Any, dtype: DataType, value: Any, name: str) -> te.Tensor:
    dims = tuple(shape)
    return te.compute(dims, lambda *i: T.cast(dtype, value), name=name, axis_names=_axes(len(dims)))


def _legalize_full(shape: tuple[PrimExpr, ...], fill_value: te.Tensor, dtype: DataType) -> te.Tensor:
    return _filled(shape, fill_value.dtype if dtype.is_void else dtype, fill_value(), "T_full")


def _legalize_full_like(x: te.Tensor, fill_value: te.Tensor, dtype: DataType) -> te.Tensor:
    return _filled(x.shape, x.dtype if dtype.is_void else dtype, fill_value(), "T_full_like")


def _constant_filler(value: int, like: bool) -> Any:
    name = "T_full_like" if like else "T_full"

    def legalize(src: Any, dtype: DataType) -> te.Tensor:
        if like:
            return _filled(src.shape, src.dtype if dtype.is_void else dtype, value, name)
        return _filled(src, dtype, value, name)

    return legalize


def _np_dtype(dtype: DataType, like: Any = None) -> Any:
    return np.asarray(like).dtype if dtype.is_void else dtype.numpy_dtype()


full = define_op(
    "relax.full", args=[Arg("shape", SHAPE), Arg("fill_value")], attrs=[Attr("dtype", DTYPE, None)],
    infer=_infer_full, legalize=_legalize_full,
    numpy_ref=lambda shape, fill_value, dtype: np.full(shape, fill_value, _np_dtype(dtype, fill_value)),
    doc="R.full(shape, fill_value, dtype=None): a tensor of `shape` filled with the 0-d `fill_value`.",
).builder

full_like = define_op(
    "relax.full_like", args=[Arg("x"), Arg("fill_value")], attrs=[Attr("dtype", DTYPE, None)],
    infer=_infer_full_like, legalize=_legalize_full_like, legalize_name="full",
    numpy_ref=lambda x, fill_value, dtype: np.full(np.shape(x), fill_value, _np_dtype(dtype, x)),
    doc="R.full_like(x, fill_value, dtype=None): a tensor shaped like `x` filled with `fill_value`.",
).builder

zeros = define_op(
    "relax.zeros", args=[Arg("shape", SHAPE)], attrs=[Attr("dtype", DTYPE)], infer=_infer_zeros_ones,
    legalize=_constant_filler(0, like=False), numpy_ref=lambda shape, dtype: np.zeros(shape, _np_dtype(dtype)),
    doc="R.zeros(shape, dtype): a tensor of zeros.",
).builder

ones = define_op(
    "relax.ones", args=[Arg("shape", SHAPE)], attrs=[Attr("dtype", DTYPE)], infer=_infer_zeros_ones,
    legalize=_constant_filler(1, like=False), numpy_ref=lambda shape, dtype: np.ones(shape, _np_dtype(dtype)),
    doc="R.ones(shape, dtype): a tensor of ones.",
).builder

zeros_like = define_op(
    "relax.zeros_like", args=[Arg("x")], attrs=[Attr("dtype", DTYPE, None)], infer=_infer_like,
    legalize=_constant_filler(0, like=True), legalize_name="zeros",
    numpy_ref=lambda x, dtype: np.zeros(np.shape(x), _np_dtype(dtype, x)),
    doc="R.zeros_like(x, dtype=None): zeros shaped like `x`.",
).builder

ones_like = define_op(
    "relax.ones_like", args=[Arg("x")], attrs=[Attr("dtype", DTYPE, None)], infer=_infer_like,
    legalize=_constant_filler(1, like=True), legalize_name="ones",
    numpy_ref=lambda x, dtype: np.ones(np.shape(x), _np_dtype(dtype, x)),
    doc="R.ones_like(x, dtype=None): ones shaped like `x`.",
).builder


# ---------------------------------------------------------------------------------------------
# arange
# ---------------------------------------------------------------------------------------------
def _is_int_value(v: Any) -> bool:
    sinfo = getattr(v, "struct_info", None)
    if isinstance(sinfo, PrimStructInfo):  # a PrimValue or a var of R.Prim struct info
        return sinfo.dtype.is_integer
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (int, np.integer)):
        return True
    return isinstance(v, PrimExpr) and v.dtype.is_integer


def _normalize_arange(values: dict[str, Any]) -> dict[str, Any]:
    """TVM's builder defaults: `arange(n)` is `arange(0, n, 1)`; the dtype follows the bounds."""
    out = dict(values)
    if out.get("end") is None and "start" in out:
        out["start"], out["end"] = 0, out["start"]
    out.setdefault("step", 1)
    if out.get("dtype") is None and all(k in out for k in ("start", "end")):
        ints = all(_is_int_value(out[k]) for k in ("start", "end", "step"))
        out["dtype"] = "int64" if ints else "float32"
    return out


def arange_length(start: PrimExpr, end: PrimExpr, step: PrimExpr) -> PrimExpr:
    """The number of elements of arange(start, end, step) (see the module doc)."""
    consts = [e.value for e in (start, end, step) if isinstance(e, (IntImm, FloatImm))]
    if len(consts) == 3:
        b, e, s = consts
        return IntImm(INT64, max(0, math.ceil((e - b) / s)))
    if all(e.dtype.is_integer for e in (start, end, step)):
        start, end, step = (T.cast(INT64, e) for e in (start, end, step))
        s = step.value if isinstance(step, IntImm) else None
        if s is not None and s < 0:
            return simplify(T.ceildiv(start - end, IntImm(INT64, -s)))
        return simplify(T.ceildiv(end - start, step))
    span = T.cast("float32", end - start) if (end - start).dtype.is_integer else end - start
    return T.cast(INT64, T.ceil(T.div(span, T.cast(span.dtype, step))))


def _arange_args(call: Call) -> tuple[PrimExpr, PrimExpr, PrimExpr] | None:
    values = []
    for i, name in enumerate(("start", "end", "step")):
        sinfo = prim_arg(call, i)
        if not (sinfo.dtype.is_integer or sinfo.dtype.is_float):
            raise fail(call, f"argument {name!r} must be a number, got an R.Prim of {sinfo.dtype}")
        values.append(sinfo.value)
    step = values[2]
    if isinstance(step, (IntImm, FloatImm)) and step.value == 0:
        raise fail(call, "argument 'step' must not be zero")
    return None if any(v is None for v in values) else (values[0], values[1], values[2])


def _arange_dtype(call: Call) -> DataType:
    dtype = call.attrs["dtype"]
    if not dtype.is_void:
        return dtype
    ints = all(prim_arg(call, i).dtype.is_integer for i in range(3))
    return DataType("int64" if ints else "float32")


def _infer_arange(call: Call, ctx: Any = None) -> StructInfo:
    bounds = _arange_args(call)
    dtype = _arange_dtype(call)
    if bounds is None:
        return TensorStructInfo(None, dtype, 1)
    return TensorStructInfo([arange_length(*bounds)], dtype)


def _legalize_arange(start: PrimExpr, end: PrimExpr, step: PrimExpr, dtype: DataType) -> te.Tensor:
    if dtype.is_void:
        ints = all(e.dtype.is_integer for e in (start, end, step))
        dtype = DataType("int64" if ints else "float32")
    length = arange_length(start, end, step)

    def body(i: PrimExpr) -> PrimExpr:
        index = T.cast(step.dtype, i) if step.dtype != i.dtype else i
        return T.cast(dtype, start + step * index)

    return te.compute([length], body, name="T_arange", axis_names=["ax0"])


def _np_arange(start: Any, end: Any, step: Any, dtype: DataType) -> np.ndarray:
    if dtype.is_void:
        dtype = DataType("int64" if all(isinstance(v, int) for v in (start, end, step)) else "float32")
    n = max(0, math.ceil((end - start) / step))
    exact = all(isinstance(v, int) for v in (start, step))
    counter = np.arange(n, dtype=np.int64 if exact else np.float64)
    return (start + step * counter).astype(dtype.numpy_dtype())


arange = define_op(
    "relax.arange", args=[Arg("start", PRIM), Arg("end", PRIM), Arg("step", PRIM)],
    attrs=[Attr("dtype", DTYPE, None)], infer=_infer_arange, legalize=_legalize_arange, numpy_ref=_np_arange,
    normalize_args=_normalize_arange,
    doc="R.arange(start, end=None, step=1, dtype=None): start, start + step, ... up to `end` (exclusive); "
        "`R.arange(n)` counts from 0.",
).builder
arange.__signature__ = inspect.signature(lambda start, end=None, step=1, dtype=None: None)  # the defaults above


# ---------------------------------------------------------------------------------------------
# tril, triu
# ---------------------------------------------------------------------------------------------
def _infer_trilu(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    k = prim_arg(call, 1)
    if not k.dtype.is_integer:
        raise fail(call, f"argument 'k' must be an integer, got an R.Prim of {k.dtype}")
    if x.ndim != -1 and x.ndim < 2:
        raise fail(call, f"argument 'x' must have at least 2 dimensions, got {show_sinfo(x)}")
    return x


def _trilu(upper: bool) -> Any:
    def legalize(x: te.Tensor, k: PrimExpr) -> te.Tensor:
        offset = T.cast(INT64, k)

        def body(*index: PrimExpr) -> PrimExpr:
            i, j = index[-2], index[-1]
            keep = (j - i >= offset) if upper else (j - i <= offset)
            return T.select(keep, x(*index), T.cast(x.dtype, 0))

        return te.compute(x.shape, body, name="trilu", axis_names=_axes(x.ndim))

    return legalize


def _np_trilu(upper: bool) -> Any:
    def ref(x: np.ndarray, k: int = 0) -> np.ndarray:
        return (np.triu if upper else np.tril)(x, int(k))

    return ref


tril = define_op(
    "relax.tril", args=[Arg("x"), Arg("k", PRIM, default=0)], infer=_infer_trilu, legalize=_trilu(False),
    numpy_ref=_np_trilu(False),
    doc="R.tril(x, k=0): `x` with the elements above the k-th diagonal (of the last two dims) set to 0.",
).builder

triu = define_op(
    "relax.triu", args=[Arg("x"), Arg("k", PRIM, default=0)], infer=_infer_trilu, legalize=_trilu(True),
    numpy_ref=_np_trilu(True),
    doc="R.triu(x, k=0): `x` with the elements below the k-th diagonal (of the last two dims) set to 0.",
).builder
