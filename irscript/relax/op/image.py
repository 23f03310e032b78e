"""The `R.image` operators: `R.image.resize2d`.

`resize2d(data, size, roi=None, layout="NCHW", method="linear",
coordinate_transformation_mode="half_pixel", rounding_method="round", cubic_alpha=-0.75,
cubic_exclude=0, extrapolation_value=0.0, out_dtype=None)`, as TVM: `size` is a Relax argument
(a shape of two dims; an int or a one-element list means a square); `roi` (start_h, start_w,
end_h, end_w) is only used by "tf_crop_and_resize" (None means zeros).

Semantics follow TOPI's `resize2d`: each output coordinate maps to an input coordinate in
float32 by the coordinate transformation mode ("half_pixel", "align_corners", "asymmetric",
"pytorch_half_pixel", "tf_half_pixel_for_nn", "tf_crop_and_resize"); "nearest_neighbor" rounds
it ("round" halves to even, "round_prefer_floor", "round_prefer_ceil", "floor" and "ceil" with
TOPI's 1e-5 nudge, "" = "round" for align_corners, else "floor"), "linear" interpolates the two
neighbours per axis, "cubic" the four with the Keys kernel of `cubic_alpha` (`cubic_exclude`
drops taps outside the image and renormalizes). Taps are clamped to the image; with
"tf_crop_and_resize" positions outside it give `extrapolation_value`. Interpolation is in
float32; the result is cast to `out_dtype` (default: the data's dtype).

Deviations from TVM: an output size of 1 with "align_corners" maps to coordinate 0 (TVM divides
by zero); TVM's integer-division shortcut for "asymmetric" nearest-neighbour upscaling by an
integer factor (which ignores `rounding_method`) is not taken: the rounding method always applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr
from irscript.relax.expr import Call
from irscript.relax.op.infer import fail, shape_arg, tensor_arg
from irscript.relax.op.nn.common import check_layout, layout_dims
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import (
    DTYPE,
    FLOAT,
    FLOATS,
    INT,
    SHAPE,
    STR,
    Arg,
    ArgKind,
    Attr,
    Mismatch,
    one_of,
    optional,
)
from irscript.relax.struct_info import StructInfo, TensorStructInfo
from irscript.tir import op as T
from irscript.tir import te

__all__ = ["resize2d"]

F32 = DataType("float32")
I64 = DataType("int64")
_MODES = ("half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "tf_half_pixel_for_nn",
          "tf_crop_and_resize")
_ROUNDING = ("round", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil", "")
_EPS = 1e-5


class _SizeKind(ArgKind):
    """A 2-D output size: an int or PrimExpr (a square), a list of one or two, or a shape."""

    __slots__ = ()

    def convert(self, value: Any) -> Any:
        if isinstance(value, (int, np.integer, PrimExpr)) and not isinstance(value, bool):
            value = (value, value)
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = (value[0], value[0])
        try:
            return SHAPE.convert(value)
        except Mismatch:
            raise Mismatch(self.expected) from None


SIZE = _SizeKind("size", "a size (an int, or a shape of 1 or 2 dims)")


def _normalize(attrs: dict[str, Any]) -> dict[str, Any]:
    out = dict(attrs)
    roi = out["roi"]
    if roi is None:
        out["roi"] = (0.0, 0.0, 0.0, 0.0)
    elif len(roi) == 1:
        out["roi"] = tuple(roi) * 4
    elif len(roi) != 4:
        raise IRError(f"R.image.resize2d: attribute 'roi' takes 1 or 4 values (start_h, start_w, end_h, end_w), "
                      f"got {list(roi)}")
    return out


def _rounding(a: dict[str, Any]) -> str:
    if a["rounding_method"]:
        return a["rounding_method"]
    return "round" if a["coordinate_transformation_mode"] == "align_corners" else "floor"


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
def _infer_resize2d(call: Call, ctx: Any = None) -> StructInfo:
    data, size = tensor_arg(call, 0), shape_arg(call, 1)
    a = _normalize(call.attrs)
    if size.ndim != -1 and size.ndim != 2:
        raise fail(call, f"argument 'size' must be a shape of 2 dims (height, width), got {size.ndim}")
    layout = check_layout(call, "layout", a["layout"], "NCHW")
    if a["method"] == "cubic" and a["cubic_exclude"] not in (0, 1):
        raise fail(call, f"attribute 'cubic_exclude' must be 0 or 1, got {a['cubic_exclude']}")
    dtype = data.dtype if a["out_dtype"].is_void else a["out_dtype"]
    d = layout_dims(call, data, layout, "data")
    if d is None or size.values is None:
        return TensorStructInfo(None, dtype, 4)
    out = {"N": d["N"], "C": d["C"], "H": size.values[0], "W": size.values[1]}
    return TensorStructInfo([out[c] for c in layout.name], dtype)


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
def _f(v: float) -> PrimExpr:
    return T.const(v, F32)


def _in_coord(x: PrimExpr, size: PrimExpr, out: PrimExpr, mode: str, start: float, end: float) -> PrimExpr:
    """The float32 input coordinate of output index `x` along a dim of `size` -> `out`."""
    xf, scale = T.cast(F32, x), T.cast(F32, size) / T.cast(F32, out)
    if mode in ("half_pixel", "pytorch_half_pixel"):
        value = (xf + _f(0.5)) * scale - _f(0.5)
        return value if mode == "half_pixel" else T.if_then_else(out > 1, value, _f(0.0))
    if mode == "asymmetric":
        return scale * xf
    if mode == "tf_half_pixel_for_nn":
        return (xf + _f(0.5)) * scale
    last = T.cast(F32, size - 1)
    if mode == "align_corners":
        return T.if_then_else(out > 1, last / T.cast(F32, out - 1) * xf, _f(0.0))
    crop = _f(start) * last + xf * _f(end - start) * last / T.cast(F32, out - 1)  # tf_crop_and_resize
    return T.if_then_else(out > 1, crop, _f(0.5 * (start + end)) * last)


def _nearest(c: PrimExpr, rounding: str) -> PrimExpr:
    rounded = {
        "round": lambda: T.MATH["round"](c), "round_prefer_floor": lambda: T.ceil(c - _f(0.5)),
        "round_prefer_ceil": lambda: T.floor(c + _f(0.5)), "floor": lambda: T.floor(c + _f(_EPS)),
        "ceil": lambda: T.ceil(c - _f(_EPS)),
    }[rounding]()
    return T.cast(I64, rounded)


def _cubic_weights(t: PrimExpr, alpha: float) -> list[PrimExpr]:
    a, t2 = _f(alpha), t * t
    t3 = t2 * t
    return [a * (t3 - _f(2.0) * t2 + t), (a + _f(2.0)) * t3 - (a + _f(3.0)) * t2 + _f(1.0),
            -(a + _f(2.0)) * t3 + (_f(3.0) + _f(2.0) * a) * t2 - a * t, -a * t3 + a * t2]


_TAPS = {"nearest_neighbor": 1, "linear": 2, "cubic": 4}


def _taps_1d(c: PrimExpr, a: dict[str, Any]) -> tuple[list[PrimExpr], list[PrimExpr]]:
    """The input indices (unclamped) and weights of the taps along one axis for coordinate `c`."""
    method = a["method"]
    if method == "nearest_neighbor":
        return [_nearest(c, _rounding(a))], [_f(1.0)]
    base = T.cast(I64, T.floor(c))
    if method == "linear":
        t = c - T.cast(F32, base)
        return [base, base + 1], [_f(1.0) - t, t]
    return [base + (k - 1) for k in range(4)], _cubic_weights(c - T.floor(c), a["cubic_alpha"])


def _pick(k: PrimExpr, exprs: Sequence[PrimExpr]) -> PrimExpr:
    """`exprs[k]` for a tap index `k` (a Select chain over the few taps)."""
    out = exprs[-1]
    for j in reversed(range(len(exprs) - 1)):
        out = T.select(k == j, exprs[j], out)
    return out


def _axis_tables(axis: str, out: PrimExpr, size: PrimExpr, start: float, end: float,
                 a: dict[str, Any]) -> tuple[te.Tensor, te.Tensor, te.Tensor]:
    """Per output position along one axis: its input coordinate, and the (clamped) input index
    and weight of each tap, as small tensors the main compute reads."""
    mode = a["coordinate_transformation_mode"]
    coord = te.compute((out,), lambda i: _in_coord(i, size, out, mode, start, end), name=f"coord_{axis}")
    n = _TAPS[a["method"]]
    index = te.compute((out, n), lambda i, k: T.max(T.min(_pick(k, _taps_1d(coord[i], a)[0]), size - 1), 0),
                       name=f"index_{axis}")
    weight = te.compute((out, n), lambda i, k: _pick(k, _taps_1d(coord[i], a)[1]), name=f"weight_{axis}")
    if a["method"] == "cubic" and a["cubic_exclude"]:
        raw = weight

        def excluded(i: PrimExpr, k: PrimExpr) -> PrimExpr:
            tap = _pick(k, _taps_1d(coord[i], a)[0])
            return T.if_then_else(T.logical_or(tap < 0, tap >= size), _f(0.0), raw[i, k])

        kept = te.compute((out, n), excluded, name=f"kept_weight_{axis}")
        weight = te.compute((out, n), lambda i, k: kept[i, k] / (kept[i, 0] + kept[i, 1] + kept[i, 2] + kept[i, 3]),
                            name=f"norm_weight_{axis}")
    return coord, index, weight


def _legalize_resize2d(data: te.Tensor, size: tuple[PrimExpr, PrimExpr], **attrs: Any) -> te.Tensor:
    a = _normalize(attrs)
    layout, roi = a["layout"], a["roi"]
    d = dict(zip(layout, data.shape))
    out = {"N": d["N"], "C": d["C"], "H": size[0], "W": size[1]}
    cy, iy, wy = _axis_tables("h", size[0], d["H"], roi[0], roi[2], a)
    cx, ix, wx = _axis_tables("w", size[1], d["W"], roi[1], roi[3], a)
    n = _TAPS[a["method"]]
    dtype = data.dtype if a["out_dtype"].is_void else a["out_dtype"]

    def body(*idx: PrimExpr) -> PrimExpr:
        o = dict(zip(layout, idx))
        y, x = o["H"], o["W"]

        def pixel(ky: int, kx: int) -> PrimExpr:
            pos = {**o, "H": iy[y, ky], "W": ix[x, kx]}
            return T.cast(F32, data(*[pos[c] for c in layout]))

        if n == 1:
            value = pixel(0, 0)
        else:  # rows (along x) first, then along y, in TOPI's order
            rows = [_dot([pixel(ky, kx) for kx in range(n)], [wx[x, kx] for kx in range(n)]) for ky in range(n)]
            value = _dot(rows, [wy[y, ky] for ky in range(n)])
        if a["coordinate_transformation_mode"] == "tf_crop_and_resize":
            outside = T.logical_or(T.logical_or(cy[y] < _f(0.0), cy[y] > T.cast(F32, d["H"] - 1)),
                                   T.logical_or(cx[x] < _f(0.0), cx[x] > T.cast(F32, d["W"] - 1)))
            value = T.if_then_else(outside, _f(a["extrapolation_value"]), value)
        return T.cast(dtype, value)

    return te.compute([out[c] for c in layout], body, name="resize", axis_names=[c.lower() for c in layout])


def _dot(values: Sequence[PrimExpr], weights: Sequence[PrimExpr]) -> PrimExpr:
    total = values[0] * weights[0]
    for v, w in zip(values[1:], weights[1:]):
        total = total + v * w
    return total


# ---------------------------------------------------------------------------------------------
# numpy reference (float32 arithmetic in the same order as the legalization)
# ---------------------------------------------------------------------------------------------
def _np_coord(size: int, out: int, mode: str, start: float, end: float) -> np.ndarray:
    f = np.float32
    x = np.arange(out).astype(f)
    scale = f(size) / f(out)
    if mode in ("half_pixel", "pytorch_half_pixel"):
        c = (x + f(0.5)) * scale - f(0.5)
        return c if mode == "half_pixel" or out > 1 else np.zeros_like(x)
    if mode == "asymmetric":
        return scale * x
    if mode == "tf_half_pixel_for_nn":
        return (x + f(0.5)) * scale
    if out == 1:
        return np.full(1, f(0.5 * (start + end)) * f(size - 1) if mode == "tf_crop_and_resize" else f(0.0), f)
    if mode == "align_corners":
        return f(size - 1) / f(out - 1) * x
    return f(start) * f(size - 1) + x * f(end - start) * f(size - 1) / f(out - 1)


def _np_taps(c: np.ndarray, size: int, a: dict[str, Any]) -> list[tuple[np.ndarray, np.ndarray]]:
    f = np.float32
    method = a["method"]
    if method == "nearest_neighbor":
        rounded = {
            "round": lambda: np.round(c), "round_prefer_floor": lambda: np.ceil(c - f(0.5)),
            "round_prefer_ceil": lambda: np.floor(c + f(0.5)), "floor": lambda: np.floor(c + f(_EPS)),
            "ceil": lambda: np.ceil(c - f(_EPS)),
        }[_rounding(a)]()
        return [(rounded.astype(np.int64), np.ones_like(c))]
    base = np.floor(c).astype(np.int64)
    t = (c - base.astype(f)).astype(f)
    if method == "linear":
        return [(base, f(1.0) - t), (base + 1, t)]
    al = f(a["cubic_alpha"])
    t2 = t * t
    t3 = t2 * t
    ws = [al * (t3 - f(2.0) * t2 + t), (al + f(2.0)) * t3 - (al + f(3.0)) * t2 + f(1.0),
          -(al + f(2.0)) * t3 + (f(3.0) + f(2.0) * al) * t2 - al * t, -al * t3 + al * t2]
    idx = [base + (k - 1) for k in range(4)]
    if a["cubic_exclude"]:
        ws = [np.where((i < 0) | (i >= size), f(0.0), w) for i, w in zip(idx, ws)]
        total = ws[0] + ws[1] + ws[2] + ws[3]
        ws = [w / total for w in ws]
    return list(zip(idx, ws))


def _np_resize2d(data: Any, size: Sequence[int], **attrs: Any) -> np.ndarray:
    a = _normalize(attrs)
    x = np.asarray(data)
    nchw = np.transpose(x, [a["layout"].index(c) for c in "NCHW"]).astype(np.float32)
    h, w = nchw.shape[2:]
    oh, ow = int(size[0]), int(size[1])
    mode, roi = a["coordinate_transformation_mode"], a["roi"]
    cy, cx = _np_coord(h, oh, mode, roi[0], roi[2]), _np_coord(w, ow, mode, roi[1], roi[3])
    ty, tx = _np_taps(cy, h, a), _np_taps(cx, w, a)

    def pixels(iy: np.ndarray, ix: np.ndarray) -> np.ndarray:
        return nchw[:, :, np.clip(iy, 0, h - 1)[:, None], np.clip(ix, 0, w - 1)[None, :]]

    if a["method"] == "nearest_neighbor":
        value = pixels(ty[0][0], tx[0][0])
    else:
        rows = []
        for iy, _ in ty:
            row = None
            for ix, wx in tx:
                term = pixels(iy, ix) * wx[None, :]
                row = term if row is None else row + term
            rows.append(row)
        value = None
        for row, (_, wy) in zip(rows, ty):
            term = row * wy[:, None]
            value = term if value is None else value + term
    if mode == "tf_crop_and_resize":
        outside = ((cy < 0) | (cy > np.float32(h - 1)))[:, None] | ((cx < 0) | (cx > np.float32(w - 1)))[None, :]
        value = np.where(outside, np.float32(a["extrapolation_value"]), value)
    dtype = x.dtype if a["out_dtype"].is_void else a["out_dtype"].numpy_dtype()
    return np.transpose(value, ["NCHW".index(c) for c in a["layout"]]).astype(dtype)


resize2d = define_op(
    "relax.image.resize2d", args=[Arg("data"), Arg("size", SIZE)],
    attrs=[
        Attr("roi", optional(FLOATS), (0.0, 0.0, 0.0, 0.0)), Attr("layout", STR, "NCHW"),
        Attr("method", one_of("nearest_neighbor", "linear", "cubic"), "linear"),
        Attr("coordinate_transformation_mode", one_of(*_MODES), "half_pixel"),
        Attr("rounding_method", one_of(*_ROUNDING), "round"), Attr("cubic_alpha", FLOAT, -0.75),
        Attr("cubic_exclude", INT, 0), Attr("extrapolation_value", FLOAT, 0.0), Attr("out_dtype", DTYPE, None),
    ],
    infer=_infer_resize2d, legalize=_legalize_resize2d, numpy_ref=_np_resize2d, normalize_attrs=_normalize,
    doc='R.image.resize2d(data, size, roi=None, layout="NCHW", method="linear", '
        'coordinate_transformation_mode="half_pixel", rounding_method="round", cubic_alpha=-0.75, cubic_exclude=0, '
        "extrapolation_value=0.0, out_dtype=None).",
).builder
