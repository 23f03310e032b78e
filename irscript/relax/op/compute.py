"""Tensor-expression building blocks for legalizations (a small topi): broadcasting element-wise
computes, reductions over axes with keepdims, casts.

Each takes te tensors (or PrimExprs for scalar arguments) and returns te
tensors; shapes are symbolic PrimExprs, compared with the integer
simplifier. A broadcast that cannot be decided statically is an IRError
(legalization needs the result shape).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr
from irscript.relax.struct_info_relations import prove_equal, simplify_dim
from irscript.tir import op as tir_op
from irscript.tir import te
from irscript.tir.expr import IntImm

__all__ = ["broadcast", "broadcast_shape", "cast", "count", "elementwise", "is_one", "reduce", "reduced_shape", "value_at"]

Operand = Any  # te.Tensor or a scalar PrimExpr


def _shape(x: Operand) -> tuple[PrimExpr, ...]:
    return x.shape if isinstance(x, te.Tensor) else ()


def is_one(d: PrimExpr) -> bool:
    return isinstance(d, IntImm) and d.value == 1


def broadcast_shape(shapes: Sequence[Sequence[PrimExpr]], what: str = "broadcast") -> tuple[PrimExpr, ...]:
    """The numpy broadcast of `shapes`; an IRError when a pair of dims cannot be decided."""
    out: list[PrimExpr] = []
    for dims in shapes:
        dims = list(dims)
        if len(dims) > len(out):
            out = dims[: len(dims) - len(out)] + out
        offset = len(out) - len(dims)
        for k, d in enumerate(dims):
            cur = out[offset + k]
            if is_one(d) or prove_equal(cur, d):
                continue
            if is_one(cur):
                out[offset + k] = d
                continue
            from irscript.relax.well_formed import format_dim

            raise IRError(f"{what}: cannot decide how dims {format_dim(cur)} and {format_dim(d)} broadcast")
    return tuple(out)


def value_at(x: Operand, index: Sequence[PrimExpr], out_shape: Sequence[PrimExpr]) -> PrimExpr:
    """`x` read at the broadcast position `index` of a result of `out_shape` (scalars as is)."""
    if not isinstance(x, te.Tensor):
        return tir_op.convert(x)
    offset = len(out_shape) - x.ndim
    idx = [IntImm(d.dtype, 0) if is_one(d) and not is_one(out_shape[offset + k]) else index[offset + k]
           for k, d in enumerate(x.shape)]
    return x(*idx)


def elementwise(fn: Callable[..., PrimExpr], *inputs: Operand, name: str = "compute",
                dtype: Any = None) -> te.Tensor:
    """`fn(a[i], b[i], ...)` over the broadcast shape of the inputs, cast to `dtype` if given."""
    out_shape = broadcast_shape([_shape(x) for x in inputs], name)
    names = [f"ax{k}" for k in range(len(out_shape))]

    def body(*index: PrimExpr) -> PrimExpr:
        value = tir_op.convert(fn(*(value_at(x, index, out_shape) for x in inputs)))
        return value if dtype is None else tir_op.cast(dtype, value)

    return te.compute(out_shape, body, name=name, axis_names=names)


def broadcast(fn: Callable[[PrimExpr, PrimExpr], PrimExpr], a: Operand, b: Operand, name: str) -> te.Tensor:
    return elementwise(fn, a, b, name=name)


def cast(x: te.Tensor, dtype: Any, name: str = "T_cast") -> te.Tensor:
    dt = DataType(dtype)
    return elementwise(lambda v: tir_op.cast(dt, v), x, name=name)


def reduced_shape(shape: Sequence[PrimExpr], axes: Sequence[int], keepdims: bool) -> tuple[PrimExpr, ...]:
    return tuple(IntImm(d.dtype, 1) if k in axes else d for k, d in enumerate(shape) if keepdims or k not in axes)


def reduce(x: te.Tensor, axes: Sequence[int] | None, keepdims: bool,
           reducer: Callable[[PrimExpr, Any], te.Reduce], name: str,
           value: Callable[[PrimExpr], PrimExpr] | None = None) -> Any:
    """`reducer(value(x[...]), reduce_axes)` over the normalized `axes` (None: all) of `x`; the
    reduced dims are kept as 1 with `keepdims`. Returns the compute's tensor(s)."""
    axes = list(range(x.ndim)) if axes is None else sorted(axes)
    out_shape = reduced_shape(x.shape, axes, keepdims)
    r_axes = {a: te.reduce_axis(x.shape[a], f"k{a}") for a in axes}
    names = [f"ax{k}" for k in range(len(out_shape))]

    def body(*index: PrimExpr) -> te.Reduce:
        it = iter(index)
        full = []
        for k in range(x.ndim):
            if k in r_axes:
                full.append(r_axes[k].var)
                if keepdims:
                    next(it)
            else:
                full.append(next(it))
        load = x(*full)
        return reducer(value(load) if value is not None else load, [r_axes[a] for a in axes])

    return te.compute(out_shape, body, name=name, axis_names=names)


def count(x: te.Tensor, axes: Sequence[int] | None, dtype: Any) -> PrimExpr:
    """The number of elements reduced over `axes` (None: all), as a `dtype` value."""
    axes = list(range(x.ndim)) if axes is None else axes
    total: PrimExpr = IntImm("int64", 1)
    for a in axes:
        total = x.shape[a] if is_one(total) else total * x.shape[a]
    return tir_op.cast(dtype, simplify_dim(total))
