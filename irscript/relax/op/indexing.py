"""Indexing ops: `R.strided_slice`, `R.take`, `R.where`.

Laid out as in TVM Relax (the version whose TVMScript prints
`R.strided_slice(x, (R.prim_value(0),), (R.prim_value(1),), (R.prim_value(8),),
(R.prim_value(3),), assume_inbound=False)`): `axes`, `begin`, `end` and the
optional `strides` are Relax tuples of int64 PrimValues (a Python list of ints
is converted); a call without strides leaves them out (stride 1). Indices
follow Python slicing: a negative index counts from the end, then begin and
end are clamped to the dim (`[0, dim]`, or `[-1, dim - 1]` for a negative
stride) unless `assume_inbound`; the length is `max(0, ceildiv(end - begin,
stride))`. Symbolic begin / end give symbolic lengths; a symbolic stride
gives a result of known rank only.

`R.take(x, indices, axis=None, mode="fast")` gathers along `axis` (x must be
1-D when axis is None); `mode` says what out-of-range indices do: "fast"
assumes there are none, "clip" clamps, "wrap" wraps around, "nan" gives NaN
(float tensors only). `R.where(condition, x1, x2)` selects with broadcasting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from irscript.errors import ExecutionError, IRError
from irscript.ir.expr import PrimExpr
from irscript.relax.expr import Call, PrimValue, Tuple
from irscript.relax.op import compute as C
from irscript.relax.op.infer import (
    arg_sinfo,
    broadcast_shapes,
    fail,
    normalize_axes,
    normalize_axis,
    show_sinfo,
    tensor_arg,
    unify_dtypes,
)
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import BOOL, INT, Arg, ArgKind, Attr, Mismatch, one_of, optional
from irscript.relax.struct_info import ObjectStructInfo, PrimStructInfo, StructInfo, TensorStructInfo, TupleStructInfo
from irscript.relax.struct_info_relations import tir_vars_in
from irscript.tir import op as T
from irscript.tir import te
from irscript.tir.arith import Analyzer
from irscript.tir.expr import FloatImm, IntImm

__all__ = ["PRIM_TUPLE", "slice_length", "strided_slice", "take", "where"]

INT64 = "int64"


# ---------------------------------------------------------------------------------------------
# strided_slice
# ---------------------------------------------------------------------------------------------
class _PrimTupleKind(ArgKind):
    """A Relax tuple of int64 PrimValues; a Python list of ints / PrimExprs / PrimValues is
    converted."""

    __slots__ = ()

    def convert(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return Tuple([self._item(v) for v in value])
        return super().convert(value)

    def _item(self, v: Any) -> PrimValue:
        if isinstance(v, PrimValue):
            return v
        if isinstance(v, (bool, np.bool_)):
            raise Mismatch(self.expected)
        if isinstance(v, (int, np.integer)):
            return PrimValue(IntImm(INT64, int(v)))
        if isinstance(v, IntImm):
            return PrimValue(IntImm(INT64, v.value))
        if isinstance(v, PrimExpr) and v.dtype.is_integer:
            return PrimValue(v)
        raise Mismatch(self.expected)


PRIM_TUPLE = _PrimTupleKind("prim_tuple", "a tuple of int64 PrimValues (or a list of int)")
_SLICE_ARGS = ("axes", "begin", "end", "strides")


def _prim_tuple(call: Call, i: int) -> tuple[int, list[PrimExpr] | None]:
    """(length or -1, values or None) of the tuple-of-PrimValues argument `i`."""
    name = _SLICE_ARGS[i - 1]
    sinfo = arg_sinfo(call, i)
    if isinstance(sinfo, ObjectStructInfo):
        return -1, None
    if not isinstance(sinfo, TupleStructInfo):
        raise fail(call, f"argument {name!r} expects a tuple of int64 PrimValues, got {show_sinfo(sinfo)}")
    values: list[PrimExpr] | None = []
    for k, f in enumerate(sinfo.fields):
        if not (isinstance(f, PrimStructInfo) and f.dtype == INT64):
            raise fail(call, f"argument {name!r} expects a tuple of int64 PrimValues, but field {k} is "
                             f"{show_sinfo(f)}")
        if f.value is None or values is None:
            values = None
        else:
            values.append(f.value)
    return len(sinfo.fields), values


def _simplify(e: PrimExpr, shape_dims: Sequence[PrimExpr]) -> PrimExpr:
    """`e` simplified knowing only that the vars of `shape_dims` are non-negative (begin / end
    vars may be negative)."""
    analyzer = Analyzer()
    analyzer.non_negative(v for d in shape_dims for v in tir_vars_in(d))
    try:
        return analyzer.simplify(e)
    except IRError:
        return e


def _int(e: Any) -> int | None:
    return int(e.value) if isinstance(e, IntImm) else None


def canonical_index(index: PrimExpr, extent: PrimExpr, stride: int) -> PrimExpr:
    """A slice index as Python slicing takes it: negative counts from the end, then clamped to
    [0, extent] ([-1, extent - 1] for a negative stride)."""
    lo = IntImm(INT64, -1 if stride < 0 else 0)
    hi = extent - 1 if stride < 0 else extent
    v = _int(index)
    if v is not None:
        return T.max(extent + v, lo) if v < 0 else T.min(IntImm(INT64, v), hi)
    wrapped = T.select(index < 0, index + extent, index)
    return T.min(T.max(wrapped, lo), hi)


def slice_length(begin: PrimExpr, end: PrimExpr, stride: int, extent: PrimExpr, assume_inbound: bool) -> PrimExpr:
    """The number of elements of `begin:end:stride` over a dim of `extent` (see the module doc)."""
    b, e, n = _int(begin), _int(end), _int(extent)
    if b is not None and e is not None and n is not None:
        return IntImm(INT64, len(range(*slice(b, e, stride).indices(n))))
    s = IntImm(INT64, stride)
    if assume_inbound:
        length = T.ceildiv(end - begin, s) if stride > 0 else T.ceildiv(begin - end, -s)
    else:
        cb, ce = canonical_index(begin, extent, stride), canonical_index(end, extent, stride)
        diff = T.ceildiv(ce - cb, s) if stride > 0 else T.ceildiv(cb - ce, -s)
        length = T.max(diff, IntImm(INT64, 0))
    return _simplify(length, [extent])


def _infer_strided_slice(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    parts = [_prim_tuple(call, i) for i in range(1, len(call.args))]
    lengths = [(name, n) for name, (n, _) in zip(_SLICE_ARGS, parts) if n != -1]
    for name, n in lengths[1:]:
        if n != lengths[0][1]:
            raise fail(call, f"argument {name!r} has {n} value(s) but {lengths[0][0]!r} has {lengths[0][1]}; "
                             "axes, begin, end and strides must have the same length")
    values = [v for _, v in parts]
    axes = values[0]
    if axes is not None and not axes:
        return x
    if x.ndim == -1:
        return TensorStructInfo(None, x.dtype, -1)
    if axes is None or any(_int(a) is None for a in axes):
        return TensorStructInfo(None, x.dtype, x.ndim)
    norm = normalize_axes(call, x.ndim, [_int(a) for a in axes], "axes")
    strides = values[3] if len(values) > 3 else [IntImm(INT64, 1)] * len(norm)
    if strides is not None and any(_int(s) == 0 for s in strides):
        raise fail(call, f"argument 'strides' {[_int(s) for s in strides]} has a zero stride")
    if x.values is None or values[1] is None or values[2] is None or strides is None or any(
            _int(s) is None for s in strides):
        return TensorStructInfo(None, x.dtype, x.ndim)
    dims = list(x.values)
    for a, b, e, s in zip(norm, values[1], values[2], strides):
        dims[a] = slice_length(b, e, _int(s), dims[a], call.attrs["assume_inbound"])
    return TensorStructInfo(dims, x.dtype)


def _legalize_strided_slice(x: te.Tensor, axes: Sequence[PrimExpr], begin: Sequence[PrimExpr],
                            end: Sequence[PrimExpr], strides: Sequence[PrimExpr] | None = None,
                            assume_inbound: bool = False) -> te.Tensor:
    steps = [1] * len(axes) if strides is None else [_int(s) for s in strides]
    if any(_int(a) is None for a in axes) or any(s is None for s in steps):
        raise IRError("cannot legalize R.strided_slice: its axes and strides must be constants")
    norm = [_int(a) + x.ndim if _int(a) < 0 else _int(a) for a in axes]
    shape = list(x.shape)
    starts: dict[int, tuple[PrimExpr, int]] = {}
    for a, b, e, s in zip(norm, begin, end, steps):
        shape[a] = slice_length(b, e, s, x.shape[a], assume_inbound)
        start = b if assume_inbound else canonical_index(b, x.shape[a], s)
        starts[a] = (_simplify(start, [x.shape[a]]), s)

    def body(*index: PrimExpr) -> PrimExpr:
        src = list(index)
        for a, (start, s) in starts.items():
            src[a] = start + index[a] * IntImm(INT64, s)
        return x(*src)

    return te.compute(shape, body, name="T_strided_slice", axis_names=[f"ax{k}" for k in range(x.ndim)])


def _np_strided_slice(x: np.ndarray, axes: Sequence[int], begin: Sequence[int], end: Sequence[int],
                      strides: Sequence[int] | None = None, assume_inbound: bool = False) -> np.ndarray:
    index: list[Any] = [slice(None)] * x.ndim
    for k, a in enumerate(axes):
        index[a] = slice(begin[k], end[k], 1 if strides is None else strides[k])
    return x[tuple(index)].copy()


strided_slice = define_op(
    "relax.strided_slice",
    args=[Arg("x"), Arg("axes", PRIM_TUPLE), Arg("begin", PRIM_TUPLE), Arg("end", PRIM_TUPLE),
          Arg("strides", PRIM_TUPLE, default=None)],
    attrs=[Attr("assume_inbound", BOOL, False)],
    infer=_infer_strided_slice, legalize=_legalize_strided_slice, numpy_ref=_np_strided_slice,
    doc="R.strided_slice(x, axes, begin, end, strides=None, assume_inbound=False): "
        "x[begin:end:stride] along each of `axes` (Python slicing).",
).builder


# ---------------------------------------------------------------------------------------------
# take
# ---------------------------------------------------------------------------------------------
def _infer_take(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    idx = arg_sinfo(call, 1)
    if isinstance(idx, PrimStructInfo):
        idx = TensorStructInfo((), idx.dtype)
    if not isinstance(idx, TensorStructInfo):
        raise fail(call, f"argument 'indices' expects a tensor or an R.Prim value, got {show_sinfo(idx)}")
    if not (idx.dtype.is_void or idx.dtype.is_integer):
        raise fail(call, f"argument 'indices' must have an integer dtype, got {idx.dtype}")
    axis, mode = call.attrs["axis"], call.attrs["mode"]
    if mode == "nan" and not (x.dtype.is_void or x.dtype.is_float):
        raise fail(call, f"mode 'nan' needs a float tensor, but 'x' has dtype {x.dtype}")
    if axis is None and x.ndim not in (-1, 1):
        raise fail(call, f"with axis=None 'x' must be 1-D, but it has {x.ndim} dimension(s)")
    if x.ndim == -1 or idx.ndim == -1:
        return TensorStructInfo(None, x.dtype, -1)
    ax = 0 if axis is None else normalize_axis(call, x.ndim, axis)
    if x.values is None or idx.values is None:
        return TensorStructInfo(None, x.dtype, x.ndim - 1 + idx.ndim)
    return TensorStructInfo([*x.values[:ax], *idx.values, *x.values[ax + 1:]], x.dtype)


def _take_index(raw: PrimExpr, dim: PrimExpr, mode: str) -> PrimExpr:
    raw = T.cast(INT64, raw)
    zero = IntImm(INT64, 0)
    if mode == "wrap":
        return T.floormod(raw, dim)
    if mode in ("clip", "nan"):
        return T.min(T.max(raw, zero), dim - 1)
    return raw


def _legalize_take(x: te.Tensor, indices: Any, axis: Any, mode: str) -> te.Tensor:
    ax = 0 if axis is None else axis + x.ndim if axis < 0 else axis
    idx_shape = indices.shape if isinstance(indices, te.Tensor) else ()
    k = len(idx_shape)
    shape = [*x.shape[:ax], *idx_shape, *x.shape[ax + 1:]]

    def body(*index: PrimExpr) -> PrimExpr:
        raw = indices(*index[ax:ax + k]) if isinstance(indices, te.Tensor) else indices
        src = [*index[:ax], _take_index(raw, x.shape[ax], mode), *index[ax + k:]]
        if mode != "nan":
            return x(*src)
        raw = T.cast(INT64, raw)
        inside = T.logical_and(raw >= IntImm(INT64, 0), raw < x.shape[ax])
        return T.select(inside, x(*src), FloatImm(x.dtype, float("nan")))

    return te.compute(shape, body, name="T_take", axis_names=[f"ax{j}" for j in range(len(shape))])


def _np_take(x: np.ndarray, indices: Any, axis: Any = None, mode: str = "fast") -> np.ndarray:
    ax = 0 if axis is None else axis
    idx = np.asarray(indices).astype(np.int64)
    dim = x.shape[ax]
    if mode == "wrap":
        return np.take(x, idx, axis=ax, mode="wrap")
    if mode == "clip":
        return np.take(x, idx, axis=ax, mode="clip")
    if mode == "nan":
        out = np.take(x, idx, axis=ax, mode="clip")
        inside = ((idx >= 0) & (idx < dim)).reshape((1,) * ax + idx.shape + (1,) * (x.ndim - ax - 1))
        return np.where(inside, out, np.array(np.nan, x.dtype)).astype(x.dtype)
    if idx.size and (idx.min() < 0 or idx.max() >= dim):
        bad = idx[(idx < 0) | (idx >= dim)][0]
        raise ExecutionError(f"R.take: index {bad} is out of range for axis {ax} of size {dim} (mode 'fast')")
    return np.take(x, idx, axis=ax)


take = define_op(
    "relax.take", args=[Arg("x"), Arg("indices")],
    attrs=[Attr("axis", optional(INT), None), Attr("mode", one_of("fast", "nan", "wrap", "clip"), "fast")],
    infer=_infer_take, legalize=_legalize_take, numpy_ref=_np_take,
    doc='R.take(x, indices, axis=None, mode="fast"): the elements of `x` at `indices` along `axis`.',
).builder


# ---------------------------------------------------------------------------------------------
# where
# ---------------------------------------------------------------------------------------------
def _infer_where(call: Call, ctx: Any = None) -> StructInfo:
    cond, x1, x2 = tensor_arg(call, 0), tensor_arg(call, 1), tensor_arg(call, 2)
    if not (cond.dtype.is_void or cond.dtype.is_bool):
        raise fail(call, f"argument 'condition' must have dtype bool, got {cond.dtype}")
    dtype = unify_dtypes(call, [("x1", x1.dtype), ("x2", x2.dtype)])
    named = [("condition", cond), ("x1", x1), ("x2", x2)]
    if any(s.ndim == -1 for _, s in named):
        return TensorStructInfo(None, dtype, -1)
    ndim = max(s.ndim for _, s in named)
    if any(s.values is None for _, s in named):
        return TensorStructInfo(None, dtype, ndim)
    out = broadcast_shapes(call, [(name, s.values) for name, s in named])
    return TensorStructInfo(out, dtype) if out is not None else TensorStructInfo(None, dtype, ndim)


def _legalize_where(condition: te.Tensor, x1: te.Tensor, x2: te.Tensor) -> te.Tensor:
    return C.elementwise(lambda c, a, b: T.select(c, a, b), condition, x1, x2, name="T_where")


where = define_op(
    "relax.where", args=[Arg("condition"), Arg("x1"), Arg("x2")], infer=_infer_where, legalize=_legalize_where,
    numpy_ref=lambda condition, x1, x2: np.where(condition, x1, x2).astype(np.result_type(x1)),
    doc="R.where(condition, x1, x2): x1 where `condition` holds, else x2 (with broadcasting).",
).builder
