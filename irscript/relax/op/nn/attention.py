"""Fused multi-head attention: `R.nn.attention(query, key, value, bias=None, scale=None,
causal_mask=None, window_size=None)`.

Shapes are TVM's BSNH: query (B, S, N, H), key (B, S_kv, N_kv, H), value (B, S_kv, N_kv, H_v),
result (B, S, N, H_v); N must be a multiple of N_kv (grouped-query attention: query head h uses
key/value head h // (N / N_kv)). `bias` is an optional 4-D tensor broadcastable to
(B, N, S, S_kv). The result is `softmax(Q K^T * scale + bias) V` per head, `scale` defaulting to
1 / sqrt(H). `causal_mask` "TopLeft" keeps key j for query i when j <= i, "BottomRight" when
j <= i + |S - S_kv| (TVM's definition). Sliding windows (`window_size`) are accepted by inference
but not legalized or evaluated, as in TVM.

Deviation from TVM: TVM makes a call with a bias an op of its own, `relax.nn.attention_bias`;
here `bias` is an optional fourth argument of `relax.nn.attention`, and `R.nn.attention_bias`
(the spelling TVM prints) is a script function that builds that call.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr
from irscript.relax.expr import Call
from irscript.relax.op import compute as C
from irscript.relax.op.infer import fail, show_dim, tensor_arg, unify_dtypes
from irscript.relax.op.nn.common import check_float
from irscript.relax.op.registry import define_op, define_script_function
from irscript.relax.op.signature import FLOAT, INT, Arg, Attr, one_of, optional
from irscript.relax.struct_info import StructInfo, TensorStructInfo
from irscript.relax.struct_info_relations import prove, prove_equal, prove_not_equal, simplify_dim
from irscript.tir import op as T
from irscript.tir import te
from irscript.tir.expr import IntImm

__all__ = ["attention", "attention_bias"]

_NAMES = ("query", "key", "value", "bias")


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
def _check_equal(call: Call, a: PrimExpr, b: PrimExpr, what: str, names: tuple[str, str]) -> None:
    if prove_not_equal(a, b):
        raise fail(call, f"the {what} of {names[0]!r} ({show_dim(a)}) and of {names[1]!r} ({show_dim(b)}) differ")


def _check_bias(call: Call, bias: TensorStructInfo, q: tuple, s_kv: PrimExpr) -> None:
    b, s, n, _ = q
    for pos, (got, want, what) in enumerate(zip(bias.values, (b, n, s, s_kv),
                                                ("batch size", "number of heads", "query length", "key length"))):
        one_ok = pos < 3 and isinstance(got, IntImm) and got.value == 1
        if not one_ok and prove_not_equal(got, want):
            allowed = f"{show_dim(want)}" + (" or 1" if pos < 3 else "")
            raise fail(call, f"argument 'bias' has {show_dim(got)} in dimension {pos} ({what}); expected {allowed}")


def _infer_attention(call: Call, ctx: Any = None) -> StructInfo:
    sinfos = [tensor_arg(call, i) for i in range(len(call.args))]
    for name, s in zip(_NAMES, sinfos):
        if s.ndim not in (-1, 4):
            raise fail(call, f"argument {name!r} must have 4 dimensions (batch, sequence, heads, head size), "
                             f"got {s.ndim}")
    check_float(call, sinfos[0], "query")
    dtype = unify_dtypes(call, [(name, s.dtype) for name, s in zip(_NAMES, sinfos)])
    if call.attrs["window_size"] is not None and call.attrs["window_size"] < 1:
        raise fail(call, f"attribute 'window_size' must be positive, got {call.attrs['window_size']}")
    q, k, v = (s.values for s in sinfos[:3])
    if q is None or k is None or v is None:
        return TensorStructInfo(None, dtype, 4)
    _check_equal(call, q[0], k[0], "batch size", ("query", "key"))
    _check_equal(call, q[0], v[0], "batch size", ("query", "value"))
    _check_equal(call, k[1], v[1], "sequence length", ("key", "value"))
    _check_equal(call, k[2], v[2], "number of heads", ("key", "value"))
    _check_equal(call, q[3], k[3], "head size", ("query", "key"))
    if prove(T.floormod(q[2], k[2]) != 0):
        raise fail(call, f"the {show_dim(q[2])} query heads are not a multiple of the {show_dim(k[2])} key heads")
    if len(sinfos) == 4 and sinfos[3].values is not None:
        _check_bias(call, sinfos[3], q, k[1])
    return TensorStructInfo([q[0], q[1], q[2], v[3]], dtype)


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
def _legalize_attention(q: te.Tensor, k: te.Tensor, v: te.Tensor, bias: te.Tensor | None = None, *,
                        scale: float | None, causal_mask: str | None, window_size: int | None) -> te.Tensor:
    if window_size is not None:
        raise IRError("cannot legalize R.nn.attention: sliding-window attention (window_size) is not supported")
    b, s, n, h = q.shape
    s_kv, n_kv, h_v = k.shape[1], k.shape[2], v.shape[3]
    dtype = q.dtype
    per_kv = None if prove_equal(n, n_kv) else simplify_dim(T.floordiv(n, n_kv))

    def kv_head(head: PrimExpr) -> PrimExpr:
        return head if per_kv is None else T.floordiv(head, per_kv)

    rd = te.reduce_axis(h, "rd")
    scores = te.compute((b, n, s, s_kv), lambda bi, hi, i, j: te.sum(q[bi, i, hi, rd] * k[bi, j, kv_head(hi), rd], rd),
                        name="T_qk")
    factor = T.const(scale, dtype) if scale is not None else T.const(1.0, dtype) / T.sqrt(T.cast(dtype, h))

    def scaled_value(bi: PrimExpr, hi: PrimExpr, i: PrimExpr, j: PrimExpr) -> PrimExpr:
        value = scores[bi, hi, i, j] * factor
        return value + C.value_at(bias, (bi, hi, i, j), scores.shape) if bias is not None else value

    scaled = te.compute(scores.shape, scaled_value, name="T_scaled")
    if causal_mask is None:
        def valid(i: PrimExpr, j: PrimExpr) -> Any:
            return None
    else:
        offset = IntImm("int64", 0) if causal_mask == "TopLeft" else T.max(s - s_kv, s_kv - s)

        def valid(i: PrimExpr, j: PrimExpr) -> Any:
            return j <= i + offset

    def masked(cond: Any, value: PrimExpr, fill: PrimExpr) -> PrimExpr:
        return value if cond is None else T.if_then_else(cond, value, fill)

    rj = te.reduce_axis(s_kv, "rj")
    row_max = te.compute((b, n, s), lambda bi, hi, i: te.max(
        masked(valid(i, rj.var), scaled[bi, hi, i, rj], T.min_value(dtype)), rj), name="T_row_max")
    exps = te.compute(scores.shape, lambda bi, hi, i, j: masked(
        valid(i, j), T.exp(scaled[bi, hi, i, j] - row_max[bi, hi, i]), T.const(0.0, dtype)), name="T_exp")
    rj2 = te.reduce_axis(s_kv, "rj")
    row_sum = te.compute((b, n, s), lambda bi, hi, i: te.sum(exps[bi, hi, i, rj2], rj2), name="T_row_sum")
    rk = te.reduce_axis(s_kv, "rk")
    weighted = te.compute((b, s, n, h_v), lambda bi, i, hi, dv: te.sum(
        exps[bi, hi, i, rk] * v[bi, rk, kv_head(hi), dv], rk), name="T_weighted")
    return te.compute(weighted.shape, lambda bi, i, hi, dv: weighted[bi, i, hi, dv] / row_sum[bi, hi, i],
                      name="T_attention")


def _np_attention(query: Any, key: Any, value: Any, bias: Any = None, *, scale: float | None = None,
                  causal_mask: str | None = None, window_size: int | None = None) -> np.ndarray:
    if window_size is not None:
        raise IRError("R.nn.attention: sliding-window attention (window_size) has no reference implementation")
    q, k, v = (np.asarray(a).astype(np.float64) for a in (query, key, value))
    s, s_kv, n, h = q.shape[1], k.shape[1], q.shape[2], q.shape[3]
    k, v = (np.repeat(a, n // a.shape[2], axis=2) for a in (k, v))
    scores = np.einsum("bihd,bjhd->bhij", q, k) * (scale if scale is not None else 1.0 / math.sqrt(h))
    if bias is not None:
        scores = scores + np.asarray(bias).astype(np.float64)
    if causal_mask is not None:
        offset = 0 if causal_mask == "TopLeft" else abs(s - s_kv)
        scores = np.where(np.tril(np.ones((s, s_kv), bool), k=offset), scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    probs = e / e.sum(axis=-1, keepdims=True)
    return np.einsum("bhij,bjhd->bihd", probs, v).astype(np.asarray(query).dtype)


# ---------------------------------------------------------------------------------------------
# the op
# ---------------------------------------------------------------------------------------------
_entry = define_op(
    "relax.nn.attention", args=[Arg("query"), Arg("key"), Arg("value"), Arg("bias", default=None)],
    attrs=[Attr("scale", optional(FLOAT), None), Attr("causal_mask", optional(one_of("TopLeft", "BottomRight")), None),
           Attr("window_size", optional(INT), None)],
    infer=_infer_attention, legalize=_legalize_attention, numpy_ref=_np_attention,
    doc="R.nn.attention(query, key, value, bias=None, scale=None, causal_mask=None, window_size=None): "
        "softmax(Q K^T * scale + bias) V over BSNH tensors.",
)
attention = _entry.builder


def attention_bias(query: Any, key: Any, value: Any, bias: Any, scale: float | None = None,
                   causal_mask: str | None = None, window_size: int | None = None) -> Call:
    """R.nn.attention_bias(query, key, value, bias, ...): TVM's printed spelling of an attention
    with a bias; builds `R.nn.attention(query, key, value, bias, ...)`."""
    return attention(query, key, value, bias, scale=scale, causal_mask=causal_mask, window_size=window_size)


define_script_function("nn.attention_bias", attention_bias)
