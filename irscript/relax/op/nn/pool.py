"""Pooling: `R.nn.max_pool2d`, `avg_pool2d`, `adaptive_avg_pool2d`.

`max_pool2d / avg_pool2d(data, pool_size=(1, 1), strides=(1, 1), padding=(0, 0, 0, 0),
dilation=(1, 1), ceil_mode=False, count_include_pad=False, layout="NCHW", out_layout=None)`,
with TVM's normalization of int tuples (see `conv`). Output size per spatial dim:
`(size + pads - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode)) // stride + 1`; with
`ceil_mode` a last window that would start inside the right padding is dropped (PyTorch's rule,
which TVM follows). Windows only see the input: max pooling ignores padded positions (a window
with no input element gives the dtype's lowest value); average pooling divides the sum of the
input elements by their count, or with `count_include_pad` by the number of window positions
inside the padded input (the extra positions of `ceil_mode` do not count). Integer averages are
accumulated in int64 and divided with truncation.

`adaptive_avg_pool2d(data, output_size=None, layout="NCHW", out_layout=None)`: output row `i`
averages input rows `floor(i * in / out)` to `ceil((i + 1) * in / out)` (exclusive), likewise
for columns; `output_size` None keeps the input size, one int is used for both dims.

Legalization: reductions over the window taps with `if_then_else` guards for the padding (the
window extent of adaptive pooling is its largest window, guarded by the window's end).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr
from irscript.relax.expr import Call
from irscript.relax.op.infer import fail, pool_out_dim, show_dim, tensor_arg
from irscript.relax.op.nn.common import check_layout, expand, layout_dims, normalizer, positive
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import BOOL, INTS, STR, Attr, optional
from irscript.relax.struct_info import StructInfo, TensorStructInfo
from irscript.relax.struct_info_relations import prove, prove_equal, simplify_dim
from irscript.tir import op as T
from irscript.tir import te
from irscript.tir.expr import IntImm

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "max_pool2d"]

_SP = "HW"
_I64 = "int64"


def pool_dim(size: PrimExpr, kernel: int, stride: int, before: int, after: int, dilation: int,
             ceil_mode: bool) -> PrimExpr | None:
    """The pooled size of a dim; None when `ceil_mode`'s last-window rule cannot be decided."""
    raw = pool_out_dim(size, kernel, stride, before, after, dilation, ceil_mode)
    if not ceil_mode:
        return raw
    if prove((raw - 1) * stride >= size + before):
        return simplify_dim(raw - 1)
    if prove((raw - 1) * stride < size + before):
        return raw
    return None


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
def _infer_pool(normalize: Any) -> Any:
    def infer(call: Call, ctx: Any = None) -> StructInfo:
        data = tensor_arg(call, 0)
        a = normalize(call.attrs)
        positive(call, a, ["pool_size", "strides", "dilation"])
        positive(call, a, ["padding"], minimum=0)
        layout = check_layout(call, "layout", a["layout"], "NCHW")
        out_layout = check_layout(call, "out_layout", a["out_layout"], "NCHW")
        d = layout_dims(call, data, layout, "data")
        if d is None:
            return TensorStructInfo(None, data.dtype, 4)
        out = {"N": d["N"], "C": d["C"]}
        for k, s in enumerate(_SP):
            dim = pool_dim(d[s], a["pool_size"][k], a["strides"][k], a["padding"][k], a["padding"][k + 2],
                           a["dilation"][k], a["ceil_mode"])
            if dim is None:
                return TensorStructInfo(None, data.dtype, 4)
            if isinstance(dim, IntImm) and dim.value < 1:
                raise fail(call, f"the output would have size {dim.value} in dimension {s!r}: the window of "
                                 f"attribute 'pool_size' is larger than the padded argument 'data' ({show_dim(d[s])})")
            out[s] = dim
        return TensorStructInfo([out[c] for c in out_layout.name], data.dtype)

    return infer


def _adaptive_sizes(a: dict[str, Any], d: dict[str, PrimExpr]) -> dict[str, PrimExpr]:
    sizes = a["output_size"]
    if sizes is None:
        return {s: d[s] for s in _SP}
    return {s: IntImm(_I64, v) for s, v in zip(_SP, sizes)}


def _infer_adaptive(normalize: Any) -> Any:
    def infer(call: Call, ctx: Any = None) -> StructInfo:
        data = tensor_arg(call, 0)
        a = normalize(call.attrs)
        if a["output_size"] is not None:
            positive(call, a, ["output_size"])
        layout = check_layout(call, "layout", a["layout"], "NCHW")
        out_layout = check_layout(call, "out_layout", a["out_layout"], "NCHW")
        d = layout_dims(call, data, layout, "data")
        if d is None:
            return TensorStructInfo(None, data.dtype, 4)
        out = {"N": d["N"], "C": d["C"], **_adaptive_sizes(a, d)}
        return TensorStructInfo([out[c] for c in out_layout.name], data.dtype)

    return infer


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
def _window(a: dict[str, Any], o: dict[str, PrimExpr], taps: dict[str, te.ReduceAxis]) -> dict[str, PrimExpr]:
    """The unpadded input position of each window tap (may lie in the padding)."""
    pos = {}
    for k, s in enumerate(_SP):
        p = o[s] * a["strides"][k] + taps[s].var * a["dilation"][k]
        pos[s] = p - a["padding"][k] if a["padding"][k] else p
    return pos


def _inside(a: dict[str, Any], pos: dict[str, PrimExpr], d: dict[str, PrimExpr], include_pad: bool) -> list:
    conds = []
    for k, s in enumerate(_SP):
        before, after = a["padding"][k], a["padding"][k + 2]
        if include_pad:
            conds.append(T.logical_and(pos[s] >= -before, pos[s] < d[s] + after))
        else:
            conds.append(T.logical_and(pos[s] >= 0, pos[s] < d[s]))
    return conds


def _pool_shape(a: dict[str, Any], d: dict[str, PrimExpr], script_name: str) -> dict[str, PrimExpr]:
    out = {"N": d["N"], "C": d["C"]}
    for k, s in enumerate(_SP):
        dim = pool_dim(d[s], a["pool_size"][k], a["strides"][k], a["padding"][k], a["padding"][k + 2],
                       a["dilation"][k], a["ceil_mode"])
        if dim is None:
            raise IRError(f"cannot legalize {script_name}: the ceil_mode output size of dimension {s!r} cannot be "
                          "decided for a symbolic input")
        out[s] = dim
    return out


def _legalize_pool(kind: str, normalize: Any) -> Any:
    def legalize(data: te.Tensor, **attrs: Any) -> te.Tensor:
        a = normalize(attrs)
        layout, out_layout = a["layout"], a["out_layout"]
        d = dict(zip(layout, data.shape))
        out = _pool_shape(a, d, f"R.nn.{kind}_pool2d")
        shape = [out[c] for c in out_layout]
        names = [c.lower() for c in out_layout]

        def reduction(value: Any, reducer: Any, name: str) -> te.Tensor:
            taps = {s: te.reduce_axis(a["pool_size"][k], f"r{s.lower()}") for k, s in enumerate(_SP)}

            def body(*idx: PrimExpr) -> te.Reduce:
                o = dict(zip(out_layout, idx))
                return reducer(value(o, _window(a, o, taps)), list(taps.values()))

            return te.compute(shape, body, name=name, axis_names=names)

        def load(o: dict[str, PrimExpr], pos: dict[str, PrimExpr]) -> PrimExpr:
            return data(*[pos.get(c, o.get(c)) for c in layout])

        padded = any(a["padding"]) or a["ceil_mode"]
        if kind == "max":
            fill = T.min_value(data.dtype)
            return reduction(lambda o, pos: T.if_then_else(_all(_inside(a, pos, d, False)), load(o, pos), fill)
                             if padded else load(o, pos), te.max, "pool_max")
        acc = data.dtype if data.dtype.is_float else _I64
        total = reduction(lambda o, pos: T.if_then_else(_all(_inside(a, pos, d, False)), T.cast(acc, load(o, pos)),
                                                         T.cast(acc, 0))
                          if padded else T.cast(acc, load(o, pos)), te.sum, "pool_sum")
        if not a["ceil_mode"] and (a["count_include_pad"] or not any(a["padding"])):
            count_of = None  # every window is full: divide by the window size
        else:
            count_of = reduction(lambda o, pos: T.if_then_else(_all(_inside(a, pos, d, a["count_include_pad"])),
                                                               IntImm(_I64, 1), IntImm(_I64, 0)), te.sum, "pool_count")
        size = IntImm(_I64, a["pool_size"][0] * a["pool_size"][1])

        def average(*idx: PrimExpr) -> PrimExpr:
            n = size if count_of is None else T.max(count_of(*idx), IntImm(_I64, 1))
            s = total(*idx)
            q = s / T.cast(acc, n) if data.dtype.is_float else T.truncdiv(s, n)
            return T.cast(data.dtype, q)

        return te.compute(shape, average, name="pool_avg", axis_names=names)

    return legalize


def _all(conds: Sequence[PrimExpr]) -> PrimExpr:
    return conds[0] if len(conds) == 1 else T.logical_and(*conds)


def _adaptive_window(i: PrimExpr, size: PrimExpr, out: PrimExpr) -> tuple[PrimExpr, PrimExpr]:
    """[start, end) of output position `i`: floor(i * size / out), ceil((i + 1) * size / out)."""
    return T.floordiv(i * size, out), T.floordiv((i + 1) * size + out - 1, out)


def _max_window(size: PrimExpr, out: PrimExpr) -> PrimExpr:
    if prove_equal(size, out):
        return IntImm(_I64, 1)
    if isinstance(size, IntImm) and isinstance(out, IntImm):
        n, m = size.value, out.value
        return IntImm(_I64, max(-(-(i + 1) * n // m) - i * n // m for i in range(m)))
    return simplify_dim(T.floordiv(size + out - 1, out) + 1)  # ceil(size / out) + 1 bounds every window


def _legalize_adaptive(normalize: Any) -> Any:
    def legalize(data: te.Tensor, **attrs: Any) -> te.Tensor:
        a = normalize(attrs)
        layout, out_layout = a["layout"], a["out_layout"]
        d = dict(zip(layout, data.shape))
        sizes = _adaptive_sizes(a, d)
        out = {"N": d["N"], "C": d["C"], **sizes}
        taps = {s: te.reduce_axis(_max_window(d[s], sizes[s]), f"r{s.lower()}") for s in _SP}
        acc = data.dtype if data.dtype.is_float else _I64
        shape, names = [out[c] for c in out_layout], [c.lower() for c in out_layout]

        def body(*idx: PrimExpr) -> te.Reduce:
            o = dict(zip(out_layout, idx))
            pos, conds = {}, []
            for s in _SP:
                start, end = _adaptive_window(o[s], d[s], sizes[s])
                pos[s] = start + taps[s].var
                if not (isinstance(taps[s].extent, IntImm) and taps[s].extent.value == 1):
                    conds.append(pos[s] < end)
            value = T.cast(acc, data(*[pos.get(c, o.get(c)) for c in layout]))
            return te.sum(T.if_then_else(_all(conds), value, T.cast(acc, 0)) if conds else value,
                          list(taps.values()))

        total = te.compute(shape, body, name="adaptive_pool_sum", axis_names=names)

        def average(*idx: PrimExpr) -> PrimExpr:
            o = dict(zip(out_layout, idx))
            count: PrimExpr = IntImm(_I64, 1)
            for s in _SP:
                start, end = _adaptive_window(o[s], d[s], sizes[s])
                count = count * (end - start)
            q = total(*idx) / T.cast(acc, count) if data.dtype.is_float else T.truncdiv(total(*idx), count)
            return T.cast(data.dtype, q)

        return te.compute(shape, average, name="adaptive_pool_avg", axis_names=names)

    return legalize


# ---------------------------------------------------------------------------------------------
# numpy references
# ---------------------------------------------------------------------------------------------
def _to(a: np.ndarray, layout: str, target: str) -> np.ndarray:
    return np.transpose(a, [layout.index(c) for c in target])


def _lowest(dtype: np.dtype) -> Any:
    return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min


def _divide(total: np.ndarray, count: np.ndarray, dtype: np.dtype) -> np.ndarray:
    count = np.maximum(count, 1)
    if dtype.kind == "f":
        return (total / count).astype(dtype)
    return (np.sign(total) * (np.abs(total) // count)).astype(dtype)  # truncating division


def _np_pool(kind: str, normalize: Any) -> Any:
    def ref(data: Any, **attrs: Any) -> np.ndarray:
        a = normalize(attrs)
        x = _to(np.asarray(data), a["layout"], "NCHW")
        ks, st, dil, pad = a["pool_size"], a["strides"], a["dilation"], a["padding"]
        out_sp = [int(pool_dim(IntImm(_I64, x.shape[2 + k]), ks[k], st[k], pad[k], pad[k + 2], dil[k],
                               a["ceil_mode"]).value) for k in range(2)]
        span = [(out_sp[k] - 1) * st[k] + (ks[k] - 1) * dil[k] + 1 for k in range(2)]
        after = [max(pad[k + 2], span[k] - x.shape[2 + k] - pad[k]) for k in range(2)]
        widths = [(0, 0), (0, 0)] + [(pad[k], after[k]) for k in range(2)]
        taps = list(itertools.product(range(ks[0]), range(ks[1])))

        def window(a4: np.ndarray, tap: tuple[int, int]) -> np.ndarray:
            return a4[(Ellipsis, *[slice(tap[k] * dil[k], tap[k] * dil[k] + (out_sp[k] - 1) * st[k] + 1, st[k])
                                   for k in range(2)])]

        if kind == "max":
            xp = np.pad(x, widths, constant_values=_lowest(x.dtype))
            out = np.max([window(xp, t) for t in taps], axis=0)
        else:
            wide = np.float64 if x.dtype.kind == "f" else np.int64
            xp = np.pad(x.astype(wide), widths)
            mask = np.zeros(xp.shape[2:], np.int64)
            if a["count_include_pad"]:
                mask[: pad[0] + x.shape[2] + pad[2], : pad[1] + x.shape[3] + pad[3]] = 1
            else:
                mask[pad[0]: pad[0] + x.shape[2], pad[1]: pad[1] + x.shape[3]] = 1
            total = sum(window(xp, t) for t in taps)
            count = sum(window(mask, t) for t in taps)
            out = _divide(total, count, x.dtype)
        return _to(out, "NCHW", a["out_layout"]).astype(np.asarray(data).dtype)

    return ref


def _np_adaptive(normalize: Any) -> Any:
    def ref(data: Any, **attrs: Any) -> np.ndarray:
        a = normalize(attrs)
        x = _to(np.asarray(data), a["layout"], "NCHW")
        h, w = x.shape[2:]
        oh, ow = (h, w) if a["output_size"] is None else a["output_size"]
        wide = np.float64 if x.dtype.kind == "f" else np.int64
        out = np.zeros(x.shape[:2] + (oh, ow), x.dtype)
        for i, j in itertools.product(range(oh), range(ow)):
            rows = slice(i * h // oh, -(-(i + 1) * h // oh))
            cols = slice(j * w // ow, -(-(j + 1) * w // ow))
            win = x[:, :, rows, cols].astype(wide)
            out[:, :, i, j] = _divide(win.sum(axis=(2, 3)), np.array(win.shape[2] * win.shape[3]), x.dtype)
        return _to(out, "NCHW", a["out_layout"])

    return ref


# ---------------------------------------------------------------------------------------------
# the ops
# ---------------------------------------------------------------------------------------------
def _pool_op(kind: str) -> Any:
    normalize = normalizer(f"R.nn.{kind}_pool2d", 2, ["pool_size", "strides", "dilation"], ["padding"],
                           ("out_layout", "layout"))
    attrs = [
        Attr("pool_size", INTS, (1, 1)), Attr("strides", INTS, (1, 1)), Attr("padding", INTS, (0, 0, 0, 0)),
        Attr("dilation", INTS, (1, 1)), Attr("ceil_mode", BOOL, False), Attr("count_include_pad", BOOL, False),
        Attr("layout", STR, "NCHW"), Attr("out_layout", optional(STR), None),
    ]
    what = "maximum" if kind == "max" else "average"
    return define_op(
        f"relax.nn.{kind}_pool2d", args=["data"], attrs=attrs, infer=_infer_pool(normalize),
        legalize=_legalize_pool(kind, normalize), numpy_ref=_np_pool(kind, normalize), normalize_attrs=normalize,
        doc=f"R.nn.{kind}_pool2d(data, pool_size=(1, 1), strides=(1, 1), padding=(0, 0), dilation=(1, 1), "
            f'ceil_mode=False, count_include_pad=False, layout="NCHW", out_layout=None): the {what} of each window.',
    ).builder


def _normalize_adaptive(attrs: dict[str, Any]) -> dict[str, Any]:
    out = dict(attrs)
    if out["output_size"] is not None:
        out["output_size"] = expand("R.nn.adaptive_avg_pool2d", "output_size", out["output_size"], 2)
    if out["out_layout"] is None:
        out["out_layout"] = out["layout"]
    return out


max_pool2d = _pool_op("max")
avg_pool2d = _pool_op("avg")
adaptive_avg_pool2d = define_op(
    "relax.nn.adaptive_avg_pool2d", args=["data"],
    attrs=[Attr("output_size", optional(INTS), None), Attr("layout", STR, "NCHW"), Attr("out_layout", optional(STR), None)],
    infer=_infer_adaptive(_normalize_adaptive), legalize=_legalize_adaptive(_normalize_adaptive),
    numpy_ref=_np_adaptive(_normalize_adaptive), normalize_attrs=_normalize_adaptive,
    doc='R.nn.adaptive_avg_pool2d(data, output_size=None, layout="NCHW", out_layout=None): average pooling to a '
        "fixed output size.",
).builder
