"""`R.nn.pad`, `R.nn.dropout` and the `R.nn.linear` script function.

* `pad(data, pad_width, pad_mode="constant", pad_value=0.0)`: `pad_width` is
  (before_0, after_0, before_1, after_1, ...), two entries per dim, non-negative. Modes:
  "constant" fills `pad_value` (cast to the data's dtype), "reflect" mirrors without repeating
  the edge (each pad must be smaller than its dim), "replicate" repeats the edge, "circular"
  wraps around (each pad at most its dim), as numpy's constant / reflect / edge / wrap.
* `dropout(data, rate=0.5)`: a tuple (output, mask) of the data's struct info, as TVM. The
  reference and the legalization have inference semantics: the output is the data unchanged
  and the mask is all ones (nothing dropped). (TVM does not legalize dropout at all.)
* `linear(data, weight, bias=None, out_dtype=None)`: not an op, in TVM as here: a script
  function (`R.nn.linear`, also `R.linear` as TVM spells it) that builds
  `R.matmul(data, R.permute_dims(weight), out_dtype)` plus `R.add(..., bias)` when a bias is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr, RelaxExpr
from irscript.relax.expr import Call
from irscript.relax.op.elementwise import add
from irscript.relax.op.infer import fail, show_dim, tensor_arg
from irscript.relax.op.linalg import matmul
from irscript.relax.op.registry import define_op, define_script_function, lookup_script
from irscript.relax.op.signature import FLOAT, INTS, Attr, one_of
from irscript.relax.struct_info import StructInfo, TensorStructInfo, TupleStructInfo
from irscript.relax.struct_info_relations import prove, simplify_dim
from irscript.tir import op as T
from irscript.tir import te

__all__ = ["dropout", "linear", "pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


# ---------------------------------------------------------------------------------------------
# pad
# ---------------------------------------------------------------------------------------------
def _infer_pad(call: Call, ctx: Any = None) -> StructInfo:
    data = tensor_arg(call, 0)
    width, mode = call.attrs["pad_width"], call.attrs["pad_mode"]
    if len(width) % 2 or (data.ndim != -1 and len(width) != 2 * data.ndim):
        rank = f"{data.ndim} dimension(s) need {2 * data.ndim}" if data.ndim != -1 else "it needs an even count"
        raise fail(call, f"attribute 'pad_width' has {len(width)} value(s); {rank} (before and after each)")
    if any(w < 0 for w in width):
        raise fail(call, f"attribute 'pad_width' must be non-negative, got {list(width)}")
    ndim = len(width) // 2
    if data.values is None:
        return TensorStructInfo(None, data.dtype, ndim)
    for k, dim in enumerate(data.values):
        most = max(width[2 * k], width[2 * k + 1])
        if mode == "reflect" and most and prove(dim <= most):
            raise fail(call, f"reflect padding of {most} needs dimension {k} to be larger, it is {show_dim(dim)}")
        if mode == "circular" and most and prove(dim < most):
            raise fail(call, f"circular padding of {most} needs dimension {k} to be at least that, "
                             f"it is {show_dim(dim)}")
    dims = [simplify_dim(d + (width[2 * k] + width[2 * k + 1])) if width[2 * k] + width[2 * k + 1] else d
            for k, d in enumerate(data.values)]
    return TensorStructInfo(dims, data.dtype)


def _source_index(j: PrimExpr, size: PrimExpr, mode: str) -> PrimExpr:
    """The input index a padded position `j` (already shifted by its before-pad) reads."""
    if mode == "replicate":
        return T.max(T.min(j, size - 1), 0)
    if mode == "circular":
        return T.floormod(j, size)
    return T.select(j < 0, -j, T.select(j >= size, (size - 1) * 2 - j, j))  # reflect


def _legalize_pad(x: te.Tensor, pad_width: tuple[int, ...], pad_mode: str, pad_value: float) -> te.Tensor:
    before, after = pad_width[0::2], pad_width[1::2]
    shape = [simplify_dim(d + (b + a)) if b + a else d for d, b, a in zip(x.shape, before, after)]

    def body(*i: PrimExpr) -> PrimExpr:
        shifted = [v - b if b else v for v, b in zip(i, before)]
        if pad_mode != "constant":
            return x(*[_source_index(j, d, pad_mode) if b or a else j
                       for j, d, b, a in zip(shifted, x.shape, before, after)])
        conds = [T.logical_and(j >= 0, j < d) for j, d, b, a in zip(shifted, x.shape, before, after) if b or a]
        if not conds:
            return x(*shifted)
        cond = conds[0] if len(conds) == 1 else T.logical_and(*conds)
        return T.if_then_else(cond, x(*shifted), T.cast(x.dtype, pad_value))

    return te.compute(shape, body, name="PadInput", axis_names=[f"i{k}" for k in range(x.ndim)])


_NP_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _np_pad(data: Any, pad_width: tuple[int, ...], pad_mode: str = "constant", pad_value: float = 0.0) -> np.ndarray:
    x = np.asarray(data)
    widths = list(zip(pad_width[0::2], pad_width[1::2]))
    if pad_mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=np.array(pad_value).astype(x.dtype))
    return np.pad(x, widths, mode=_NP_MODES[pad_mode])


pad = define_op(
    "relax.nn.pad", args=["data"],
    attrs=[Attr("pad_width", INTS), Attr("pad_mode", one_of(*_MODES), "constant"), Attr("pad_value", FLOAT, 0.0)],
    infer=_infer_pad, legalize=_legalize_pad, numpy_ref=_np_pad,
    doc='R.nn.pad(data, pad_width, pad_mode="constant", pad_value=0.0): pad each dim by (before, after).',
).builder


# ---------------------------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------------------------
def _infer_dropout(call: Call, ctx: Any = None) -> StructInfo:
    data = tensor_arg(call, 0)
    rate = call.attrs["rate"]
    if not 0.0 <= rate < 1.0:
        raise fail(call, f"attribute 'rate' must be in [0, 1), got {rate}")
    return TupleStructInfo([data, data])


def _legalize_dropout(x: te.Tensor, rate: float) -> tuple[te.Tensor, te.Tensor]:
    names = [f"i{k}" for k in range(x.ndim)]
    out = te.compute(x.shape, lambda *i: x(*i), name="T_dropout", axis_names=names)
    mask = te.compute(x.shape, lambda *i: T.cast(x.dtype, 1), name="T_dropout_mask", axis_names=names)
    return out, mask


def _np_dropout(data: Any, rate: float = 0.5) -> list[np.ndarray]:
    x = np.asarray(data)
    return [x.copy(), np.ones_like(x)]


dropout = define_op(
    "relax.nn.dropout", args=["data"], attrs=[Attr("rate", FLOAT, 0.5)], infer=_infer_dropout,
    legalize=_legalize_dropout, numpy_ref=_np_dropout,
    doc="R.nn.dropout(data, rate=0.5): (output, mask); inference semantics: the data and a mask of ones.",
).builder


# ---------------------------------------------------------------------------------------------
# linear (a script function)
# ---------------------------------------------------------------------------------------------
def linear(data: RelaxExpr, weight: RelaxExpr, bias: RelaxExpr | None = None, out_dtype: Any = None) -> RelaxExpr:
    """R.nn.linear(data, weight, bias=None, out_dtype=None): `data @ weight^T (+ bias)`, built as
    `R.matmul(data, R.permute_dims(weight), out_dtype)` and `R.add` (TVM's frontend helper; not an op)."""
    permute = lookup_script("permute_dims")
    if permute is None:
        raise IRError("R.nn.linear: it builds R.permute_dims, which is not registered")
    out = matmul(data, permute.make_call([weight], {}), out_dtype=out_dtype)
    return add(out, bias) if bias is not None else out


define_script_function("nn.linear", linear)
define_script_function("linear", linear)
