"""Convolutions: `R.nn.conv1d`, `conv2d`, `conv2d_transpose`.

Signatures follow TVM: `conv2d(data, weight, strides=(1, 1), padding=(0, 0, 0, 0),
dilation=(1, 1), groups=1, data_layout="NCHW", kernel_layout="OIHW", out_layout=None,
out_dtype=None)`; `conv2d_transpose` adds `output_padding=(0, 0)` and its kernel layout is
"IOHW" (in channels, out channels per group); `conv1d` uses "NCW" / "OIW". Int tuples are
normalized as TVM does (one value is repeated; `padding` of one value pads every side, two
values are (height, width), four are (top, left, bottom, right)); `out_layout` None means
`data_layout`; `out_dtype` None ("void") means the common dtype of data and weight. Layouts are
any permutation of the canonical letters.

Output size: `(size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1`;
transposed: `(size - 1) * stride - pad_before - pad_after + dilation * (kernel - 1) +
output_padding + 1`, simplified over symbolic dims. Channel counts that provably disagree with
the weight and `groups` are errors.

Legalization: one reduction over (input channels of the group, kernel taps); padding is an
`if_then_else` guard around the data load (the transposed form also guards the stride
divisibility), products accumulated in the output dtype. The numpy reference pads the data and
sums one strided slice per kernel tap (float64 / int64 accumulation).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr
from irscript.relax.expr import Call
from irscript.relax.op.infer import Layout, conv_out_dim, fail, show_dim, tensor_arg, unify_dtypes
from irscript.relax.op.nn.common import check_layout, layout_dims, normalizer, positive, spatial_letters
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import DTYPE, INT, INTS, STR, Attr, optional
from irscript.relax.struct_info import StructInfo, TensorStructInfo
from irscript.relax.struct_info_relations import prove, prove_not_equal, simplify_dim
from irscript.tir import op as T
from irscript.tir import te
from irscript.tir.expr import IntImm

__all__ = ["conv1d", "conv2d", "conv2d_transpose"]


class _Spec:
    """What distinguishes the conv ops: spatial rank, transposed or not, canonical layouts."""

    __slots__ = ("name", "n", "transpose", "sp", "data", "kernel", "normalize")

    def __init__(self, name: str, n: int, transpose: bool) -> None:
        self.name = name
        self.n = n
        self.transpose = transpose
        self.sp = spatial_letters(n)
        self.data = "NC" + self.sp
        self.kernel = ("IO" if transpose else "OI") + self.sp
        ints = ["strides", "dilation"] + (["output_padding"] if transpose else [])
        self.normalize = normalizer(f"R.nn.{name}", n, ints, ["padding"], ("out_layout", "data_layout"))

    def layouts(self, call: Call | None, attrs: dict[str, Any]) -> tuple[Layout, Layout, Layout]:
        if call is None:
            return Layout(attrs["data_layout"]), Layout(attrs["kernel_layout"]), Layout(attrs["out_layout"])
        return (check_layout(call, "data_layout", attrs["data_layout"], self.data),
                check_layout(call, "kernel_layout", attrs["kernel_layout"], self.kernel),
                check_layout(call, "out_layout", attrs["out_layout"], self.data))

    def out_spatial(self, size: PrimExpr, kernel: PrimExpr, k: int, attrs: dict[str, Any]) -> PrimExpr:
        s, d = attrs["strides"][k], attrs["dilation"][k]
        before, after = attrs["padding"][k], attrs["padding"][k + self.n]
        if not self.transpose:
            return conv_out_dim(size, kernel, s, before, after, d)
        op = attrs["output_padding"][k]
        return simplify_dim((size - 1) * s - (before + after) + (kernel - 1) * d + (op + 1))


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
def _check_attrs(call: Call, spec: _Spec, attrs: dict[str, Any]) -> None:
    positive(call, attrs, ["groups", "strides", "dilation"])
    positive(call, attrs, ["padding"] + (["output_padding"] if spec.transpose else []), minimum=0)
    if spec.transpose and any(p >= s for p, s in zip(attrs["output_padding"], attrs["strides"])):
        raise fail(call, f"attribute 'output_padding' {list(attrs['output_padding'])} must be less than the "
                         f"strides {list(attrs['strides'])}")


def _check_channels(call: Call, spec: _Spec, d: dict[str, PrimExpr], w: dict[str, PrimExpr], groups: int) -> None:
    if not spec.transpose:
        if prove_not_equal(d["C"], simplify_dim(w["I"] * groups)):
            raise fail(call, f"argument 'data' has {show_dim(d['C'])} channels but argument 'weight' expects "
                             f"{show_dim(w['I'])} input channels x {groups} group(s)")
        if prove(T.floormod(w["O"], groups) != 0):
            raise fail(call, f"argument 'weight' has {show_dim(w['O'])} output channels, which do not divide "
                             f"into {groups} groups (attribute 'groups')")
        return
    if prove_not_equal(d["C"], w["I"]):
        raise fail(call, f"argument 'data' has {show_dim(d['C'])} channels but argument 'weight' has "
                         f"{show_dim(w['I'])} input channels")
    if prove(T.floormod(w["I"], groups) != 0):
        raise fail(call, f"argument 'weight' has {show_dim(w['I'])} input channels, which do not divide into "
                         f"{groups} groups (attribute 'groups')")


def _out_dims(call: Call | None, spec: _Spec, d: dict[str, PrimExpr], w: dict[str, PrimExpr],
              attrs: dict[str, Any]) -> dict[str, PrimExpr]:
    out = {"N": d["N"], "C": simplify_dim(w["O"] * attrs["groups"]) if spec.transpose else w["O"]}
    for k, s in enumerate(spec.sp):
        dim = spec.out_spatial(d[s], w[s], k, attrs)
        if call is not None and isinstance(dim, IntImm) and dim.value < 1:
            raise fail(call, f"the output would have size {dim.value} in dimension {s!r}: the dilated kernel of "
                             f"argument 'weight' ({show_dim(w[s])} taps) is larger than the padded argument 'data' "
                             f"({show_dim(d[s])})")
        out[s] = dim
    return out


def _infer(spec: _Spec) -> Any:
    def infer(call: Call, ctx: Any = None) -> StructInfo:
        data, weight = tensor_arg(call, 0), tensor_arg(call, 1)
        attrs = spec.normalize(call.attrs)
        _check_attrs(call, spec, attrs)
        dl, kl, ol = spec.layouts(call, attrs)
        out_dtype = attrs["out_dtype"]
        dtype = unify_dtypes(call, [("data", data.dtype), ("weight", weight.dtype)]) if out_dtype.is_void \
            else out_dtype
        d, w = layout_dims(call, data, dl, "data"), layout_dims(call, weight, kl, "weight")
        if d is None or w is None:
            return TensorStructInfo(None, dtype, ol.ndim)
        _check_channels(call, spec, d, w, attrs["groups"])
        out = _out_dims(call, spec, d, w, attrs)
        return TensorStructInfo([out[a] for a in ol.name], dtype)

    return infer


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
def _legalize(spec: _Spec) -> Any:
    def legalize(data: te.Tensor, weight: te.Tensor, **attrs: Any) -> te.Tensor:
        attrs = spec.normalize(attrs)
        dl, kl, ol = spec.layouts(None, attrs)
        d, w = dict(zip(dl.name, data.shape)), dict(zip(kl.name, weight.shape))
        dtype = data.dtype if attrs["out_dtype"].is_void else attrs["out_dtype"]
        out = _out_dims(None, spec, d, w, attrs)
        build = _transposed_body if spec.transpose else _conv_body
        body = build(spec, data, weight, dl.name, kl.name, ol.name, d, w, attrs, dtype)
        return te.compute([out[a] for a in ol.name], body, name=spec.name, axis_names=[a.lower() for a in ol.name])

    return legalize


def _taps(spec: _Spec, w: dict[str, PrimExpr]) -> dict[str, te.ReduceAxis]:
    return {s: te.reduce_axis(w[s], f"r{s.lower()}") for s in spec.sp}


def _conv_body(spec: _Spec, data: te.Tensor, weight: te.Tensor, dl: str, kl: str, ol: str,
               d: dict[str, PrimExpr], w: dict[str, PrimExpr], attrs: dict[str, Any], dtype: DataType) -> Any:
    groups, n = attrs["groups"], spec.n
    rc, taps = te.reduce_axis(w["I"], "rc"), _taps(spec, w)

    def body(*idx: PrimExpr) -> te.Reduce:
        o = dict(zip(ol, idx))
        ic = rc.var if groups == 1 else T.floordiv(o["C"], simplify_dim(T.floordiv(w["O"], groups))) * w["I"] + rc.var
        di, conds = {"N": o["N"], "C": ic}, []
        for k, s in enumerate(spec.sp):
            before, after = attrs["padding"][k], attrs["padding"][k + n]
            pos = o[s] * attrs["strides"][k] + taps[s].var * attrs["dilation"][k]
            di[s] = pos - before if before else pos
            if before or after:
                conds.append(T.logical_and(di[s] >= 0, di[s] < d[s]))
        wi = {"O": o["C"], "I": rc.var, **{s: taps[s].var for s in spec.sp}}
        product = T.cast(dtype, data(*[di[a] for a in dl])) * T.cast(dtype, weight(*[wi[a] for a in kl]))
        value = T.if_then_else(_all(conds), product, T.cast(dtype, 0)) if conds else product
        return te.sum(value, [rc, *taps.values()])

    return body


def _transposed_body(spec: _Spec, data: te.Tensor, weight: te.Tensor, dl: str, kl: str, ol: str,
                     d: dict[str, PrimExpr], w: dict[str, PrimExpr], attrs: dict[str, Any], dtype: DataType) -> Any:
    groups = attrs["groups"]
    per_group = simplify_dim(T.floordiv(w["I"], groups))
    rc, taps = te.reduce_axis(per_group, "rc"), _taps(spec, w)

    def body(*idx: PrimExpr) -> te.Reduce:
        o = dict(zip(ol, idx))
        if groups == 1:
            ic, oc = rc.var, o["C"]
        else:
            ic = T.floordiv(o["C"], w["O"]) * per_group + rc.var
            oc = T.floormod(o["C"], w["O"])
        di, conds = {"N": o["N"], "C": ic}, []
        for k, s in enumerate(spec.sp):
            stride = attrs["strides"][k]
            num = o[s] + attrs["padding"][k] - taps[s].var * attrs["dilation"][k]
            di[s] = T.floordiv(num, stride) if stride > 1 else num
            if stride > 1:
                conds.append(T.floormod(num, stride) == 0)
            conds.append(T.logical_and(di[s] >= 0, di[s] < d[s]))
        wi = {"I": ic, "O": oc, **{s: taps[s].var for s in spec.sp}}
        product = T.cast(dtype, data(*[di[a] for a in dl])) * T.cast(dtype, weight(*[wi[a] for a in kl]))
        return te.sum(T.if_then_else(_all(conds), product, T.cast(dtype, 0)), [rc, *taps.values()])

    return body


def _all(conds: Sequence[PrimExpr]) -> PrimExpr:
    return conds[0] if len(conds) == 1 else T.logical_and(*conds)


# ---------------------------------------------------------------------------------------------
# numpy references
# ---------------------------------------------------------------------------------------------
def _to(a: np.ndarray, layout: str, canonical: str) -> np.ndarray:
    return np.transpose(a, [layout.index(c) for c in canonical])


def _wide(dtype: np.dtype) -> type:
    return np.int64 if np.dtype(dtype).kind in "iub" else np.float64


def _np_conv(spec: _Spec, data: np.ndarray, weight: np.ndarray, attrs: dict[str, Any]) -> np.ndarray:
    n, groups = spec.n, attrs["groups"]
    x = _to(data, attrs["data_layout"], spec.data)
    w = _to(weight, attrs["kernel_layout"], spec.kernel)
    dtype = data.dtype if attrs["out_dtype"].is_void else attrs["out_dtype"].numpy_dtype()
    x = np.pad(x.astype(_wide(dtype)), [(0, 0), (0, 0)] + [(attrs["padding"][k], attrs["padding"][k + n])
                                                           for k in range(n)])
    w = w.astype(_wide(dtype))
    ksize, st, dil = w.shape[2:], attrs["strides"], attrs["dilation"]
    out_sp = [(x.shape[2 + k] - dil[k] * (ksize[k] - 1) - 1) // st[k] + 1 for k in range(n)]
    xg = x.reshape(x.shape[0], groups, x.shape[1] // groups, *x.shape[2:])
    wg = w.reshape(groups, w.shape[0] // groups, *w.shape[1:])
    out = np.zeros((x.shape[0], groups, w.shape[0] // groups, *out_sp), xg.dtype)
    for tap in itertools.product(*[range(k) for k in ksize]):
        window = tuple(slice(t * dil[k], t * dil[k] + (out_sp[k] - 1) * st[k] + 1, st[k]) for k, t in enumerate(tap))
        patch = xg[(Ellipsis, *window)]  # (N, G, C/G, *out)
        out += np.einsum("ngc...,goc->ngo...", patch, wg[(Ellipsis, *tap)])
    out = out.reshape(out.shape[0], -1, *out_sp)
    return _to(out, spec.data, attrs["out_layout"]).astype(dtype)


def _np_conv_transpose(spec: _Spec, data: np.ndarray, weight: np.ndarray, attrs: dict[str, Any]) -> np.ndarray:
    n, groups = spec.n, attrs["groups"]
    dtype = data.dtype if attrs["out_dtype"].is_void else attrs["out_dtype"].numpy_dtype()
    x = _to(data, attrs["data_layout"], spec.data).astype(_wide(dtype))
    w = _to(weight, attrs["kernel_layout"], spec.kernel).astype(_wide(dtype))  # (C, O/G, *k)
    ksize, st, dil, pad = w.shape[2:], attrs["strides"], attrs["dilation"], attrs["padding"]
    size = x.shape[2:]
    out_sp = [(size[k] - 1) * st[k] - pad[k] - pad[k + n] + dil[k] * (ksize[k] - 1) + attrs["output_padding"][k] + 1
              for k in range(n)]
    full = [max(pad[k] + out_sp[k], (size[k] - 1) * st[k] + dil[k] * (ksize[k] - 1) + 1) for k in range(n)]
    xg = x.reshape(x.shape[0], groups, x.shape[1] // groups, *size)
    wg = w.reshape(groups, w.shape[0] // groups, *w.shape[1:])
    buf = np.zeros((x.shape[0], groups, w.shape[1], *full), x.dtype)
    for tap in itertools.product(*[range(k) for k in ksize]):
        window = tuple(slice(t * dil[k], t * dil[k] + (size[k] - 1) * st[k] + 1, st[k]) for k, t in enumerate(tap))
        buf[(Ellipsis, *window)] += np.einsum("ngc...,gco->ngo...", xg, wg[(Ellipsis, *tap)])
    crop = tuple(slice(pad[k], pad[k] + out_sp[k]) for k in range(n))
    out = buf[(Ellipsis, *crop)].reshape(x.shape[0], -1, *out_sp)
    return _to(out, spec.data, attrs["out_layout"]).astype(dtype)


def _numpy_ref(spec: _Spec) -> Any:
    def ref(data: Any, weight: Any, **attrs: Any) -> np.ndarray:
        attrs = spec.normalize(attrs)
        fn = _np_conv_transpose if spec.transpose else _np_conv
        return fn(spec, np.asarray(data), np.asarray(weight), attrs)

    return ref


# ---------------------------------------------------------------------------------------------
# the ops
# ---------------------------------------------------------------------------------------------
def _define(n: int, transpose: bool, doc: str) -> Any:
    name = f"conv{n}d" + ("_transpose" if transpose else "")
    spec = _Spec(name, n, transpose)
    attrs = [
        Attr("strides", INTS, (1,) * n),
        Attr("padding", INTS, (0,) * (2 * n)),
        *([Attr("output_padding", INTS, (0,) * n)] if transpose else []),
        Attr("dilation", INTS, (1,) * n),
        Attr("groups", INT, 1),
        Attr("data_layout", STR, spec.data),
        Attr("kernel_layout", STR, spec.kernel),
        Attr("out_layout", optional(STR), None),
        Attr("out_dtype", DTYPE, None),
    ]
    return define_op(f"relax.nn.{name}", args=["data", "weight"], attrs=attrs, infer=_infer(spec),
                     legalize=_legalize(spec), numpy_ref=_numpy_ref(spec), normalize_attrs=spec.normalize,
                     doc=doc).builder


conv1d = _define(1, False, 'R.nn.conv1d(data, weight, strides=1, padding=0, dilation=1, groups=1, '
                           'data_layout="NCW", kernel_layout="OIW", out_layout=None, out_dtype=None).')
conv2d = _define(2, False, 'R.nn.conv2d(data, weight, strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1, '
                           'data_layout="NCHW", kernel_layout="OIHW", out_layout=None, out_dtype=None).')
conv2d_transpose = _define(2, True, 'R.nn.conv2d_transpose(data, weight, strides=(1, 1), padding=(0, 0), '
                                    'output_padding=(0, 0), dilation=(1, 1), groups=1, data_layout="NCHW", '
                                    'kernel_layout="IOHW", out_layout=None, out_dtype=None).')
