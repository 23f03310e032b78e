"""Activations: `R.nn.relu`, `gelu` (exact, with erf), `gelu_tanh`, `silu`, `softmax(data,
axis=-1)`, `log_softmax(data, axis=-1)`.

Each keeps its input's struct info. `relu` takes any dtype; the others need a float dtype
(an unknown "void" dtype is accepted). `softmax` / `log_softmax` check the axis against a
known rank and subtract the maximum along the axis before exponentiating, as TOPI does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from irscript.ir.dtype import DataType
from irscript.relax.expr import Call
from irscript.relax.op import compute as C
from irscript.relax.op.infer import fail, normalize_axis, tensor_arg
from irscript.relax.op.nn.common import check_float
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import INT, Attr
from irscript.relax.struct_info import StructInfo
from irscript.tir import op as T
from irscript.tir import te

__all__ = ["gelu", "gelu_tanh", "log_softmax", "relu", "silu", "softmax"]

_F32 = DataType("float32")


def _infer_unary(require_float: bool) -> Callable[..., StructInfo]:
    def infer(call: Call, ctx: Any = None) -> StructInfo:
        x = tensor_arg(call, 0)
        if require_float:
            check_float(call, x, "data")
        return x

    return infer


def _infer_softmax(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    check_float(call, x, "data")
    if x.ndim == 0:
        raise fail(call, "argument 'data' is a scalar (0-d tensor); softmax needs at least 1 dimension")
    if x.ndim != -1:
        normalize_axis(call, x.ndim, call.attrs["axis"])
    return x


def _np_float(x: np.ndarray) -> np.ndarray:
    return np.asarray(x).astype(np.float64)


# ---------------------------------------------------------------------------------------------
# element-wise activations
# ---------------------------------------------------------------------------------------------
def _legalize_relu(x: te.Tensor) -> te.Tensor:
    return C.elementwise(lambda v: T.max(v, T.cast(v.dtype, 0)), x, name="relu")


def _legalize_gelu(x: te.Tensor) -> te.Tensor:
    def value(v: Any) -> Any:
        arg = v * T.const(0.5 ** 0.5, v.dtype)
        # erf of float16 is evaluated in float32, as TVM's legalization does
        erf = T.cast(v.dtype, T.erf(T.cast(_F32, arg))) if v.dtype == "float16" else T.erf(arg)
        half = T.const(0.5, v.dtype)
        return v * (half + erf * half)

    return C.elementwise(value, x, name="gelu")


def _legalize_gelu_tanh(x: te.Tensor) -> te.Tensor:
    def value(v: Any) -> Any:
        dt = v.dtype
        inner = T.const(math.sqrt(2.0 / math.pi), dt) * v * (T.const(1.0, dt) + T.const(0.044715, dt) * v * v)
        return T.const(0.5, dt) * v * (T.const(1.0, dt) + T.tanh(inner))

    return C.elementwise(value, x, name="gelu_tanh")


def _legalize_silu(x: te.Tensor) -> te.Tensor:
    return C.elementwise(lambda v: v * T.sigmoid(v), x, name="silu")


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _np_relu(data: Any) -> np.ndarray:
    x = np.asarray(data)
    return np.maximum(x, np.zeros((), x.dtype))


def _np_gelu(data: Any) -> np.ndarray:
    x = _np_float(data)
    return (0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))).astype(np.asarray(data).dtype)


def _np_gelu_tanh(data: Any) -> np.ndarray:
    x = _np_float(data)
    out = 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    return out.astype(np.asarray(data).dtype)


def _np_silu(data: Any) -> np.ndarray:
    x = _np_float(data)
    return (x / (1.0 + np.exp(-x))).astype(np.asarray(data).dtype)


# ---------------------------------------------------------------------------------------------
# softmax
# ---------------------------------------------------------------------------------------------
def _softmax_parts(x: te.Tensor, axis: int) -> tuple[te.Tensor, te.Tensor, te.Tensor]:
    """(max along axis, exp(x - max), sum of that along axis), the reductions with keepdims."""
    axis = axis + x.ndim if axis < 0 else axis
    x_max = C.reduce(x, [axis], True, te.max, "T_softmax_maxelem")
    shifted = C.elementwise(lambda v, m: T.exp(v - m), x, x_max, name="T_softmax_exp")
    total = C.reduce(shifted, [axis], True, te.sum, "T_softmax_expsum")
    return x_max, shifted, total


def _legalize_softmax(x: te.Tensor, axis: int) -> te.Tensor:
    _, shifted, total = _softmax_parts(x, axis)
    return C.elementwise(lambda e, s: e / s, shifted, total, name="T_softmax_norm")


def _legalize_log_softmax(x: te.Tensor, axis: int) -> te.Tensor:
    x_max, _, total = _softmax_parts(x, axis)
    return C.elementwise(lambda v, m, s: v - m - T.log(s), x, x_max, total, name="compute")


def _np_softmax(data: Any, axis: int = -1) -> np.ndarray:
    x = _np_float(data)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).astype(np.asarray(data).dtype)


def _np_log_softmax(data: Any, axis: int = -1) -> np.ndarray:
    x = _np_float(data)
    shifted = x - x.max(axis=axis, keepdims=True)
    return (shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))).astype(np.asarray(data).dtype)


# ---------------------------------------------------------------------------------------------
# the ops
# ---------------------------------------------------------------------------------------------
def _unary(name: str, require_float: bool, legalize: Callable, ref: Callable, doc: str) -> Callable[..., Call]:
    return define_op(f"relax.nn.{name}", args=["data"], infer=_infer_unary(require_float), legalize=legalize,
                     numpy_ref=ref, doc=doc).builder


relu = _unary("relu", False, _legalize_relu, _np_relu, "R.nn.relu(data): max(data, 0).")
gelu = _unary("gelu", True, _legalize_gelu, _np_gelu, "R.nn.gelu(data): 0.5 * x * (1 + erf(x / sqrt(2))).")
gelu_tanh = _unary("gelu_tanh", True, _legalize_gelu_tanh, _np_gelu_tanh,
                   "R.nn.gelu_tanh(data): 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).")
silu = _unary("silu", True, _legalize_silu, _np_silu, "R.nn.silu(data): x * sigmoid(x).")

softmax = define_op(
    "relax.nn.softmax", args=["data"], attrs=[Attr("axis", INT, -1)], infer=_infer_softmax,
    legalize=_legalize_softmax, numpy_ref=_np_softmax,
    doc="R.nn.softmax(data, axis=-1): exp(x) / sum(exp(x)) along `axis`.",
).builder
log_softmax = define_op(
    "relax.nn.log_softmax", args=["data"], attrs=[Attr("axis", INT, -1)], infer=_infer_softmax,
    legalize=_legalize_log_softmax, numpy_ref=_np_log_softmax,
    doc="R.nn.log_softmax(data, axis=-1): log(softmax(data, axis)).",
).builder
