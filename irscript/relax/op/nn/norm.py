"""Normalizations: `R.nn.layer_norm`, `rms_norm`, `group_norm`, `batch_norm`.

* `layer_norm(data, gamma, beta, axes, epsilon=1e-5, center=True, scale=True)`: statistics over
  `axes`; `gamma` / `beta` have the data's dims at `axes` (in the order of `axes`).
* `rms_norm(data, weight, axes=[-1], epsilon=1e-5)`: `data / sqrt(mean(data^2) + epsilon) * weight`.
* `group_norm(data, gamma, beta, num_groups, channel_axis, axes, epsilon=1e-5, center=True,
  scale=True)`: statistics over each group of `channel_axis / num_groups` channels and `axes`;
  `gamma` / `beta` have one entry per channel.
* `batch_norm(data, gamma, beta, moving_mean, moving_var, axis, epsilon=1e-5, center=True,
  scale=True, momentum=0.1, training=True)`: a tuple (out, new moving_mean, new moving_var).
  With `training=False` (inference) it normalizes with the moving statistics and returns them
  unchanged; with `training=True` (TVM's default) it normalizes with the batch statistics
  (population variance) and returns `(1 - momentum) * moving + momentum * batch`, as TOPI does.

The data must have a float dtype; parameter tensors must have the data's dtype and sizes (a
provable mismatch is an error naming the argument; undecidable sizes give a result with only
the rank known). `center` / `scale` say whether beta is added / gamma multiplied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from irscript.ir.expr import PrimExpr
from irscript.relax.expr import Call
from irscript.relax.op import compute as C
from irscript.relax.op.infer import fail, normalize_axes, normalize_axis, show_dim, tensor_arg
from irscript.relax.op.nn.common import check_float, check_params
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import BOOL, FLOAT, INT, INTS, Arg, Attr
from irscript.relax.struct_info import StructInfo, TensorStructInfo, TupleStructInfo
from irscript.relax.struct_info_relations import prove
from irscript.relax.struct_info_relations import simplify_dim as _simplify
from irscript.tir import op as T
from irscript.tir import te
from irscript.tir.expr import IntImm

__all__ = ["batch_norm", "group_norm", "layer_norm", "rms_norm"]


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
def _norm_sinfo(call: Call, params: Sequence[str], axes: Sequence[int]) -> tuple[TensorStructInfo, bool]:
    """Checks data and the parameter tensors of a norm over `axes`; returns the data's struct
    info and whether every parameter size is proven to match."""
    data = tensor_arg(call, 0)
    check_float(call, data, "data")
    expected = None
    if data.ndim != -1:
        norm_axes = normalize_axes(call, data.ndim, axes, "axes")
        expected = None if data.values is None else [data.values[a] for a in norm_axes]
    return data, check_params(call, 1, params, data, expected, len(axes))


def _infer_layer_norm(call: Call, ctx: Any = None) -> StructInfo:
    data, decided = _norm_sinfo(call, ["gamma", "beta"], call.attrs["axes"])
    return data if decided else TensorStructInfo(None, data.dtype, data.ndim)


def _infer_rms_norm(call: Call, ctx: Any = None) -> StructInfo:
    data, decided = _norm_sinfo(call, ["weight"], call.attrs["axes"])
    return data if decided else TensorStructInfo(None, data.dtype, data.ndim)


def _infer_batch_norm(call: Call, ctx: Any = None) -> StructInfo:
    if not 0.0 <= call.attrs["momentum"] <= 1.0:
        raise fail(call, f"attribute 'momentum' must be in [0, 1], got {call.attrs['momentum']}")
    data, decided = _norm_sinfo(call, ["gamma", "beta", "moving_mean", "moving_var"], [call.attrs["axis"]])
    if not decided:
        stat = TensorStructInfo(None, data.dtype, 1)
        return TupleStructInfo([TensorStructInfo(None, data.dtype, data.ndim), stat, stat])
    return TupleStructInfo([data, tensor_arg(call, 3), tensor_arg(call, 4)])


def _infer_group_norm(call: Call, ctx: Any = None) -> StructInfo:
    data = tensor_arg(call, 0)
    check_float(call, data, "data")
    groups = call.attrs["num_groups"]
    if groups < 1:
        raise fail(call, f"attribute 'num_groups' must be positive, got {groups}")
    channels = None
    if data.ndim != -1:
        channel_axis = normalize_axis(call, data.ndim, call.attrs["channel_axis"], "channel_axis")
        axes = normalize_axes(call, data.ndim, call.attrs["axes"], "axes")
        if channel_axis in axes:
            raise fail(call, f"channel_axis {channel_axis} must not be in axes {list(call.attrs['axes'])}")
        if data.values is not None:
            channels = data.values[channel_axis]
            if prove(T.floormod(channels, groups) != 0):
                raise fail(call, f"argument 'data' has {show_dim(channels)} channels, which do not divide into "
                                 f"{groups} groups (attribute 'num_groups')")
    decided = check_params(call, 1, ["gamma", "beta"], data, None if channels is None else [channels], 1)
    return data if decided or data.values is None else TensorStructInfo(None, data.dtype, data.ndim)


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
def _axes(x: te.Tensor, axes: Sequence[int]) -> list[int]:
    return [a + x.ndim if a < 0 else a for a in axes]


def _divide(t: te.Tensor, count: PrimExpr, name: str) -> te.Tensor:
    return C.elementwise(lambda s: s / count, t, name=name)


def _mean_var(x: te.Tensor, axes: list[int]) -> tuple[te.Tensor, te.Tensor]:
    """Mean and population variance over `axes`, with keepdims."""
    n = C.count(x, axes, x.dtype)
    mean = _divide(C.reduce(x, axes, True, te.sum, "T_sum"), n, "T_mean")
    sq = C.elementwise(lambda v, m: (v - m) * (v - m), x, mean, name="T_square")
    var = _divide(C.reduce(sq, axes, True, te.sum, "T_square_sum"), n, "T_var")
    return mean, var


def _affine(v: PrimExpr, gamma: PrimExpr | None, beta: PrimExpr | None) -> PrimExpr:
    if gamma is not None:
        v = v * gamma
    return v + beta if beta is not None else v


def _legalize_layer_norm(x: te.Tensor, gamma: te.Tensor, beta: te.Tensor, axes: Sequence[int],
                         epsilon: float, center: bool, scale: bool) -> te.Tensor:
    axes = _axes(x, axes)
    mean, var = _mean_var(x, sorted(axes))
    eps = T.const(epsilon, x.dtype)

    def body(*i: PrimExpr) -> PrimExpr:
        norm = (x(*i) - C.value_at(mean, i, x.shape)) / T.sqrt(C.value_at(var, i, x.shape) + eps)
        p = [i[a] for a in axes]
        return _affine(norm, gamma(*p) if scale else None, beta(*p) if center else None)

    return te.compute(x.shape, body, name="T_layer_norm", axis_names=[f"ax{k}" for k in range(x.ndim)])


def _legalize_rms_norm(x: te.Tensor, weight: te.Tensor, axes: Sequence[int], epsilon: float) -> te.Tensor:
    axes = _axes(x, axes)
    sq = C.reduce(x, sorted(axes), True, te.sum, "T_square_sum", value=lambda v: v * v)
    n = C.count(x, axes, x.dtype)
    eps = T.const(epsilon, x.dtype)

    def body(*i: PrimExpr) -> PrimExpr:
        rms = T.sqrt(C.value_at(sq, i, x.shape) / n + eps)
        return x(*i) / rms * weight(*[i[a] for a in axes])

    return te.compute(x.shape, body, name="T_rms_norm", axis_names=[f"ax{k}" for k in range(x.ndim)])


def _group_stat(x: te.Tensor, shape: list[PrimExpr], ca: int, per_group: PrimExpr, axes: list[int],
                value: Any, name: str) -> te.Tensor:
    """sum over the channels of a group and `axes` of `value(x[...], index)`."""
    rc = te.reduce_axis(per_group, "rc")
    r_axes = {a: te.reduce_axis(x.shape[a], f"k{a}") for a in axes}

    def body(*i: PrimExpr) -> te.Reduce:
        idx = [i[d] * per_group + rc.var if d == ca else r_axes[d].var if d in r_axes else i[d]
               for d in range(x.ndim)]
        return te.sum(value(x(*idx), i), [rc, *r_axes.values()])

    return te.compute(shape, body, name=name, axis_names=[f"ax{k}" for k in range(len(shape))])


def _legalize_group_norm(x: te.Tensor, gamma: te.Tensor, beta: te.Tensor, num_groups: int, channel_axis: int,
                         axes: Sequence[int], epsilon: float, center: bool, scale: bool) -> te.Tensor:
    ca = channel_axis + x.ndim if channel_axis < 0 else channel_axis
    axes = _axes(x, axes)
    per_group = _simplify(T.floordiv(x.shape[ca], num_groups))
    shape = [IntImm("int64", num_groups) if d == ca else IntImm("int64", 1) if d in axes else x.shape[d]
             for d in range(x.ndim)]
    count = T.cast(x.dtype, _simplify(per_group * _product([x.shape[a] for a in axes])))
    total = _group_stat(x, shape, ca, per_group, axes, lambda v, i: v, "T_group_sum")
    mean = _divide(total, count, "T_group_mean")

    def stat_index(i: Sequence[PrimExpr]) -> list[PrimExpr]:
        zero = IntImm("int64", 0)
        return [T.floordiv(i[d], per_group) if d == ca else zero if d in axes else i[d] for d in range(x.ndim)]

    sq = _group_stat(x, shape, ca, per_group, axes,
                     lambda v, i: (v - mean(*i)) * (v - mean(*i)), "T_group_square_sum")
    var = _divide(sq, count, "T_group_var")
    eps = T.const(epsilon, x.dtype)

    def body(*i: PrimExpr) -> PrimExpr:
        s = stat_index(i)
        norm = (x(*i) - mean(*s)) / T.sqrt(var(*s) + eps)
        return _affine(norm, gamma(i[ca]) if scale else None, beta(i[ca]) if center else None)

    return te.compute(x.shape, body, name="T_group_norm", axis_names=[f"ax{k}" for k in range(x.ndim)])


def _product(dims: Sequence[PrimExpr]) -> PrimExpr:
    total: PrimExpr = IntImm("int64", 1)
    for d in dims:
        total = total * d
    return total


def _legalize_batch_norm(x: te.Tensor, gamma: te.Tensor, beta: te.Tensor, moving_mean: te.Tensor,
                         moving_var: te.Tensor, axis: int, epsilon: float, center: bool, scale: bool,
                         momentum: float, training: bool) -> tuple[te.Tensor, te.Tensor, te.Tensor]:
    axis = axis + x.ndim if axis < 0 else axis
    if training:
        others = [d for d in range(x.ndim) if d != axis]
        keep_mean, keep_var = _mean_var(x, others)
        zero = IntImm("int64", 0)
        pick = [zero] * x.ndim
        mean = te.compute((x.shape[axis],), lambda c: keep_mean(*pick[:axis], c, *pick[axis + 1:]), name="T_mean_c")
        var = te.compute((x.shape[axis],), lambda c: keep_var(*pick[:axis], c, *pick[axis + 1:]), name="T_var_c")
    else:
        mean, var = moving_mean, moving_var
    eps = T.const(epsilon, x.dtype)

    def body(*i: PrimExpr) -> PrimExpr:
        c = i[axis]
        norm = (x(*i) - mean(c)) / T.sqrt(var(c) + eps)
        return _affine(norm, gamma(c) if scale else None, beta(c) if center else None)

    out = te.compute(x.shape, body, name="T_batch_norm", axis_names=[f"ax{k}" for k in range(x.ndim)])
    if not training:
        one = T.const(1.0, x.dtype)
        return (out, C.elementwise(lambda m: m * one, moving_mean, name="T_moving_mean"),
                C.elementwise(lambda v: v * one, moving_var, name="T_moving_var"))
    keep, mom = T.const(1.0 - momentum, x.dtype), T.const(momentum, x.dtype)
    return (out, C.elementwise(lambda m, b: keep * m + mom * b, moving_mean, mean, name="T_moving_mean"),
            C.elementwise(lambda v, b: keep * v + mom * b, moving_var, var, name="T_moving_var"))


# ---------------------------------------------------------------------------------------------
# numpy references
# ---------------------------------------------------------------------------------------------
def _f64(a: Any) -> np.ndarray:
    return np.asarray(a).astype(np.float64)


def _param(p: Any, ndim: int, axes: Sequence[int]) -> np.ndarray:
    """A parameter tensor over `axes` (in that order), broadcastable against the data."""
    ascending = sorted(axes)
    p = np.transpose(_f64(p), [list(axes).index(a) for a in ascending])
    shape = [1] * ndim
    for k, a in enumerate(ascending):
        shape[a] = p.shape[k]
    return p.reshape(shape)


def _np_layer_norm(data: Any, gamma: Any, beta: Any, axes: Sequence[int], epsilon: float = 1e-5,
                   center: bool = True, scale: bool = True) -> np.ndarray:
    x = _f64(data)
    axes = [a + x.ndim if a < 0 else a for a in axes]
    mean = x.mean(axis=tuple(axes), keepdims=True)
    out = (x - mean) / np.sqrt(x.var(axis=tuple(axes), keepdims=True) + epsilon)
    if scale:
        out = out * _param(gamma, x.ndim, axes)
    if center:
        out = out + _param(beta, x.ndim, axes)
    return out.astype(np.asarray(data).dtype)


def _np_rms_norm(data: Any, weight: Any, axes: Sequence[int] = (-1,), epsilon: float = 1e-5) -> np.ndarray:
    x = _f64(data)
    axes = [a + x.ndim if a < 0 else a for a in axes]
    rms = np.sqrt((x * x).mean(axis=tuple(axes), keepdims=True) + epsilon)
    return (x / rms * _param(weight, x.ndim, axes)).astype(np.asarray(data).dtype)


def _np_group_norm(data: Any, gamma: Any, beta: Any, num_groups: int, channel_axis: int, axes: Sequence[int],
                   epsilon: float = 1e-5, center: bool = True, scale: bool = True) -> np.ndarray:
    x = _f64(data)
    ca = channel_axis + x.ndim if channel_axis < 0 else channel_axis
    axes = [a + x.ndim if a < 0 else a for a in axes]
    # split the channel axis into (groups, channels per group): the group stays, the rest reduces
    split = x.shape[:ca] + (num_groups, x.shape[ca] // num_groups) + x.shape[ca + 1:]
    g = x.reshape(split)
    red = tuple([ca + 1] + [a + 1 if a > ca else a for a in axes])
    norm = (g - g.mean(axis=red, keepdims=True)) / np.sqrt(g.var(axis=red, keepdims=True) + epsilon)
    out = norm.reshape(x.shape)
    if scale:
        out = out * _param(gamma, x.ndim, [ca])
    if center:
        out = out + _param(beta, x.ndim, [ca])
    return out.astype(np.asarray(data).dtype)


def _np_batch_norm(data: Any, gamma: Any, beta: Any, moving_mean: Any, moving_var: Any, axis: int,
                   epsilon: float = 1e-5, center: bool = True, scale: bool = True, momentum: float = 0.1,
                   training: bool = True) -> list[np.ndarray]:
    x = _f64(data)
    axis = axis + x.ndim if axis < 0 else axis
    others = tuple(d for d in range(x.ndim) if d != axis)
    mean = x.mean(axis=others) if training else _f64(moving_mean)
    var = x.var(axis=others) if training else _f64(moving_var)
    out = (x - _param(mean, x.ndim, [axis])) / np.sqrt(_param(var, x.ndim, [axis]) + epsilon)
    if scale:
        out = out * _param(gamma, x.ndim, [axis])
    if center:
        out = out + _param(beta, x.ndim, [axis])
    dtype = np.asarray(data).dtype
    if training:
        new_mean = (1.0 - momentum) * _f64(moving_mean) + momentum * mean
        new_var = (1.0 - momentum) * _f64(moving_var) + momentum * var
    else:
        new_mean, new_var = _f64(moving_mean), _f64(moving_var)
    return [out.astype(dtype), new_mean.astype(dtype), new_var.astype(dtype)]


# ---------------------------------------------------------------------------------------------
# the ops
# ---------------------------------------------------------------------------------------------
_AFFINE = [Attr("epsilon", FLOAT, 1e-5), Attr("center", BOOL, True), Attr("scale", BOOL, True)]

layer_norm = define_op(
    "relax.nn.layer_norm", args=["data", "gamma", "beta"], attrs=[Attr("axes", INTS), *_AFFINE],
    infer=_infer_layer_norm, legalize=_legalize_layer_norm, numpy_ref=_np_layer_norm,
    doc="R.nn.layer_norm(data, gamma, beta, axes, epsilon=1e-5, center=True, scale=True).",
).builder
rms_norm = define_op(
    "relax.nn.rms_norm", args=["data", "weight"], attrs=[Attr("axes", INTS, (-1,)), Attr("epsilon", FLOAT, 1e-5)],
    infer=_infer_rms_norm, legalize=_legalize_rms_norm, numpy_ref=_np_rms_norm,
    doc="R.nn.rms_norm(data, weight, axes=[-1], epsilon=1e-5): data / sqrt(mean(data^2) + eps) * weight.",
).builder
group_norm = define_op(
    "relax.nn.group_norm", args=["data", "gamma", "beta"],
    attrs=[Attr("num_groups", INT), Attr("channel_axis", INT), Attr("axes", INTS), *_AFFINE],
    infer=_infer_group_norm, legalize=_legalize_group_norm, numpy_ref=_np_group_norm,
    doc="R.nn.group_norm(data, gamma, beta, num_groups, channel_axis, axes, epsilon=1e-5, center=True, "
        "scale=True).",
).builder
batch_norm = define_op(
    "relax.nn.batch_norm", args=[Arg(n) for n in ("data", "gamma", "beta", "moving_mean", "moving_var")],
    attrs=[Attr("axis", INT), *_AFFINE, Attr("momentum", FLOAT, 0.1), Attr("training", BOOL, True)],
    infer=_infer_batch_norm, legalize=_legalize_batch_norm, numpy_ref=_np_batch_norm,
    doc="R.nn.batch_norm(data, gamma, beta, moving_mean, moving_var, axis, epsilon=1e-5, center=True, "
        "scale=True, momentum=0.1, training=True): (out, moving_mean, moving_var).",
).builder
