"""Linear algebra: `R.matmul(x1, x2, out_dtype="void")`.

numpy `matmul` semantics over symbolic shapes: a 1-D `x1` is a row vector and
a 1-D `x2` a column vector (the added dim is dropped from the result), the
batch dims (all but the last two) broadcast, the reduction dims must not be
provably different. `out_dtype` "void" means the (equal) input dtype; else
the products are accumulated in `out_dtype`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.ir.dtype import DataType
from irscript.relax.expr import Call
from irscript.relax.op import compute as C
from irscript.relax.op.infer import broadcast_shapes, fail, show_dim, tensor_arg, unify_dtypes
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import DTYPE, Attr
from irscript.relax.struct_info import StructInfo, TensorStructInfo
from irscript.relax.struct_info_relations import prove_not_equal
from irscript.tir import op as T
from irscript.tir import te

__all__ = ["matmul"]


def _infer_matmul(call: Call, ctx: Any = None) -> StructInfo:
    a, b = tensor_arg(call, 0), tensor_arg(call, 1)
    out_dtype = call.attrs["out_dtype"]
    dtype = unify_dtypes(call, [("x1", a.dtype), ("x2", b.dtype)]) if out_dtype.is_void else out_dtype
    if a.ndim == -1 or b.ndim == -1:
        return TensorStructInfo(None, dtype, -1)
    for name, s in (("x1", a), ("x2", b)):
        if s.ndim == 0:
            raise fail(call, f"argument {name!r} is a scalar (0-d tensor); matmul needs at least 1 dimension")
    a_vec, b_vec = a.ndim == 1, b.ndim == 1
    out_ndim = max(a.ndim + a_vec, b.ndim + b_vec) - a_vec - b_vec
    if a.values is None or b.values is None:
        return TensorStructInfo(None, dtype, out_ndim)
    av, bv = a.values, b.values
    k_a, k_b = av[-1], bv[0] if b_vec else bv[-2]
    if prove_not_equal(k_a, k_b):
        raise fail(call, f"the reduction dims differ: {show_dim(k_a)} (last dim of 'x1') and {show_dim(k_b)} "
                         f"({'only' if b_vec else 'second to last'} dim of 'x2')")
    batch = broadcast_shapes(call, [("x1", av[:-2] if not a_vec else ()), ("x2", bv[:-2] if not b_vec else ())])
    if batch is None:
        return TensorStructInfo(None, dtype, out_ndim)
    dims = list(batch) + ([] if a_vec else [av[-2]]) + ([] if b_vec else [bv[-1]])
    return TensorStructInfo(dims, dtype)


def _legalize_matmul(a: te.Tensor, b: te.Tensor, out_dtype: DataType) -> te.Tensor:
    dtype = a.dtype if out_dtype.is_void else out_dtype
    a_vec, b_vec = a.ndim == 1, b.ndim == 1
    a_batch = () if a_vec else a.shape[:-2]
    b_batch = () if b_vec else b.shape[:-2]
    batch = C.broadcast_shape([a_batch, b_batch], "R.matmul")
    out_shape = list(batch) + ([] if a_vec else [a.shape[-2]]) + ([] if b_vec else [b.shape[-1]])
    k = te.reduce_axis(a.shape[-1], "k")

    def body(*idx: Any) -> te.Reduce:
        nb = len(batch)
        rest = list(idx[nb:])
        i = None if a_vec else rest.pop(0)
        j = None if b_vec else rest.pop(0)
        a_idx = _batch_index(a_batch, batch, idx[:nb]) + ([] if a_vec else [i]) + [k.var]
        b_idx = _batch_index(b_batch, batch, idx[:nb]) + [k.var] + ([] if b_vec else [j])
        return te.sum(T.cast(dtype, a(*a_idx)) * T.cast(dtype, b(*b_idx)), k)

    return te.compute(out_shape, body, name="matmul", axis_names=[f"i{d}" for d in range(len(out_shape))])


def _batch_index(dims: Any, batch: Any, idx: Any) -> list[Any]:
    offset = len(batch) - len(dims)
    return [T.const(0, d.dtype) if C.is_one(d) and not C.is_one(batch[offset + n]) else idx[offset + n]
            for n, d in enumerate(dims)]


def _np_matmul(x1: Any, x2: Any, out_dtype: DataType) -> np.ndarray:
    a, b = np.asarray(x1), np.asarray(x2)
    dtype = a.dtype if out_dtype.is_void else out_dtype.numpy_dtype()
    wide = np.float64 if np.dtype(dtype).kind in "fV" else np.int64
    return np.matmul(a.astype(wide), b.astype(wide)).astype(dtype)


matmul = define_op(
    "relax.matmul", args=["x1", "x2"], attrs=[Attr("out_dtype", DTYPE, "void")], infer=_infer_matmul,
    legalize=_legalize_matmul, numpy_ref=_np_matmul,
    doc='R.matmul(x1, x2, out_dtype="void"): matrix product with numpy broadcasting of batch dims.',
).builder


