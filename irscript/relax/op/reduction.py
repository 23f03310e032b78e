"""Reductions: `R.sum / mean / max / min / prod / variance(x, axis=None, keepdims=False)` and
`R.argmax / argmin(x, axis=None, keepdims=False)`.

`axis` is a tuple of ints for the statistical ops (an int is accepted) and a
single int for argmax/argmin; None reduces every axis; negative axes count
from the end. `mean` and `variance` divide by the element count (truncating
for integer dtypes, as TIR integer division does); `variance` is the
population variance. argmax/argmin give int64 indices of the first
extremum (a flat row-major index when `axis` is None).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from irscript.relax.expr import Call
from irscript.relax.op import compute as C
from irscript.relax.op.infer import reduce_sinfo, tensor_arg
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import BOOL, INT, INTS, Attr, optional
from irscript.relax.struct_info import StructInfo
from irscript.tir import op as T
from irscript.tir import te

__all__ = ["argmax", "argmin", "max", "mean", "min", "prod", "sum", "variance"]

_STAT_ATTRS = [Attr("axis", optional(INTS), None), Attr("keepdims", BOOL, False)]
_ARG_ATTRS = [Attr("axis", optional(INT), None), Attr("keepdims", BOOL, False)]


def _infer_statistical(call: Call, ctx: Any = None) -> StructInfo:
    return reduce_sinfo(call, tensor_arg(call, 0), call.attrs["axis"], call.attrs["keepdims"])


def _infer_arg(call: Call, ctx: Any = None) -> StructInfo:
    axis = call.attrs["axis"]
    return reduce_sinfo(call, tensor_arg(call, 0), None if axis is None else (axis,), call.attrs["keepdims"],
                        "int64")


def _axes(x: te.Tensor, axis: Any) -> list[int] | None:
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) else axis
    return sorted(a + x.ndim if a < 0 else a for a in axes)


def _np_axis(axis: Any) -> Any:
    return None if axis is None else tuple(axis) if not isinstance(axis, int) else axis


# ---------------------------------------------------------------------------------------------
# legalizations
# ---------------------------------------------------------------------------------------------
def _simple(reducer: Callable[..., te.Reduce]) -> Callable[..., te.Tensor]:
    def legalize(x: te.Tensor, axis: Any, keepdims: bool) -> te.Tensor:
        return C.reduce(x, _axes(x, axis), keepdims, reducer, f"{x.name}_red")

    return legalize


def _divide_by_count(total: te.Tensor, x: te.Tensor, axes: list[int] | None, name: str) -> te.Tensor:
    n = C.count(x, axes, x.dtype)
    div = T.div if x.dtype.is_float else T.truncdiv
    return C.elementwise(lambda s: div(s, n), total, name=name)


def _legalize_mean(x: te.Tensor, axis: Any, keepdims: bool) -> te.Tensor:
    axes = _axes(x, axis)
    total = C.reduce(x, axes, keepdims, te.sum, f"{x.name}_red")
    return _divide_by_count(total, x, axes, "T_divide")


def _legalize_variance(x: te.Tensor, axis: Any, keepdims: bool) -> te.Tensor:
    axes = _axes(x, axis)
    mean = _divide_by_count(C.reduce(x, axes, True, te.sum, f"{x.name}_red"), x, axes, "T_mean")
    sq = C.elementwise(lambda a, m: (a - m) * (a - m), x, mean, name="T_square")
    total = C.reduce(sq, axes, keepdims, te.sum, "T_square_red")
    return _divide_by_count(total, x, axes, "T_divide")


def _arg_legalize(reducer: Callable[..., te.Reduce]) -> Callable[..., te.Tensor]:
    def legalize(x: te.Tensor, axis: Any, keepdims: bool) -> te.Tensor:
        index, _value = C.reduce(x, _axes(x, axis), keepdims, reducer, f"{x.name}_red")
        return index

    return legalize


# ---------------------------------------------------------------------------------------------
# numpy references
# ---------------------------------------------------------------------------------------------
def _np_simple(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def ref(x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        x = np.asarray(x)
        return np.asarray(fn(x, axis=_np_axis(axis), keepdims=keepdims)).astype(x.dtype)

    return ref


def _count(x: np.ndarray, axis: Any) -> int:
    if axis is None:
        return int(x.size)
    return int(np.prod([x.shape[a] for a in axis], dtype=np.int64))


def _np_div_count(total: np.ndarray, n: int, dtype: np.dtype) -> np.ndarray:
    if dtype.kind in "iu":
        q = np.abs(total) // n  # truncation toward zero
        return (np.sign(total) * q).astype(dtype)
    return (total / n).astype(dtype)


def _np_mean(x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    x = np.asarray(x)
    wide = np.int64 if x.dtype.kind in "iu" else np.float64
    total = np.sum(x.astype(wide), axis=_np_axis(axis), keepdims=keepdims)
    return _np_div_count(np.asarray(total), _count(x, axis), x.dtype)


def _np_variance(x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype.kind in "iu":  # the legalized integer arithmetic: truncated mean, truncated result
        mean = _np_mean(x, axis, keepdims=True).astype(np.int64)
        sq = (x.astype(np.int64) - mean) ** 2
        total = np.sum(sq, axis=_np_axis(axis), keepdims=keepdims)
        return _np_div_count(np.asarray(total), _count(x, axis), x.dtype)
    return np.var(x.astype(np.float64), axis=_np_axis(axis), keepdims=keepdims).astype(x.dtype)


def _np_arg(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def ref(x: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        x = np.asarray(x)
        if axis is None:
            out = np.asarray(fn(x.reshape(-1)))
            return out.reshape((1,) * x.ndim if keepdims else ()).astype(np.int64)
        return np.asarray(fn(x, axis=axis, keepdims=keepdims)).astype(np.int64)

    return ref


# ---------------------------------------------------------------------------------------------
# the ops
# ---------------------------------------------------------------------------------------------
def _statistical(name: str, legalize: Callable, ref: Callable, doc: str) -> Callable[..., Call]:
    return define_op(f"relax.{name}", args=["x"], attrs=_STAT_ATTRS, infer=_infer_statistical,
                     legalize=legalize, numpy_ref=ref, doc=doc).builder


sum = _statistical("sum", _simple(te.sum), _np_simple(np.sum),
                   "R.sum(x, axis=None, keepdims=False): the sum over `axis`.")
prod = _statistical("prod", _simple(te.prod), _np_simple(np.prod),
                    "R.prod(x, axis=None, keepdims=False): the product over `axis`.")
max = _statistical("max", _simple(te.max), _np_simple(np.max),
                   "R.max(x, axis=None, keepdims=False): the maximum over `axis`.")
min = _statistical("min", _simple(te.min), _np_simple(np.min),
                   "R.min(x, axis=None, keepdims=False): the minimum over `axis`.")
mean = _statistical("mean", _legalize_mean, _np_mean, "R.mean(x, axis=None, keepdims=False): the mean over `axis`.")
variance = _statistical("variance", _legalize_variance, _np_variance,
                        "R.variance(x, axis=None, keepdims=False): the population variance over `axis`.")


def _arg_op(name: str, reducer: Callable, ref: Callable) -> Callable[..., Call]:
    return define_op(f"relax.{name}", args=["x"], attrs=_ARG_ATTRS, infer=_infer_arg,
                     legalize=_arg_legalize(reducer), numpy_ref=_np_arg(ref),
                     doc=f"R.{name}(x, axis=None, keepdims=False): int64 index of the first "
                         f"{'maximum' if name == 'argmax' else 'minimum'} along `axis`.").builder


argmax = _arg_op("argmax", te.argmax, np.argmax)
argmin = _arg_op("argmin", te.argmin, np.argmin)
