"""Shape manipulation ops: `R.reshape permute_dims expand_dims squeeze flatten broadcast_to
concat split repeat tile`.

Laid out as in TVM Relax: the new shape of `reshape` / `broadcast_to` is a
Relax argument (a ShapeExpr, or any expression of shape struct info); axes,
sections and repeats are attributes. As TVM's builder does, `R.reshape`
resolves a -1 (and a 0, "copy this input dim") in a literal shape when the
input shape is known, so the stored call holds the final shape. Symbolic
dims are compared and simplified with the integer simplifier (shape vars
non-negative): provably wrong shapes are errors naming the op and the
argument; undecidable ones give a struct info that only knows the rank.

`R.split(x, indices_or_sections, axis=0)` gives a tuple: with a number of
sections each part has `ceildiv(dim, sections)` elements along `axis` and the
last one the rest (it may be smaller); with indices the parts are
`[0, i0), [i0, i1), ..., [ik, dim)`, each index clamped to `[0, dim]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr
from irscript.relax.expr import Call, ShapeExpr, Var
from irscript.relax.op.infer import (
    VOID,
    concat_dims,
    fail,
    int64,
    is_one,
    normalize_axes,
    normalize_axis,
    reshape_dims,
    shape_arg,
    shape_product,
    show_dim,
    show_dims,
    tensor_arg,
    tuple_tensors_arg,
)
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import INT, INTS, SHAPE, TUPLE, Arg, Attr, AttrType, Mismatch, optional
from irscript.relax.struct_info import StructInfo, TensorStructInfo, TupleStructInfo
from irscript.relax.struct_info_relations import prove, prove_equal, prove_not_equal, simplify_dim
from irscript.tir import op as T
from irscript.tir import te
from irscript.tir.expr import IntImm

__all__ = [
    "broadcast_to", "concat", "expand_dims", "flatten", "permute_dims", "repeat", "reshape", "split", "squeeze",
    "tile", "INT_OR_INTS", "flat_index", "split_bounds", "target_shape", "tensor_of_shape", "unravel",
]


# ---------------------------------------------------------------------------------------------
# helpers shared by the shape ops (and the creation ops)
# ---------------------------------------------------------------------------------------------
def _int_value(d: Any) -> int | None:
    if isinstance(d, IntImm) and not d.dtype.is_bool:
        return int(d.value)
    if isinstance(d, (int, np.integer)) and not isinstance(d, bool):
        return int(d)
    return None


def target_shape(call: Call, i: int) -> tuple[Any, tuple[PrimExpr, ...] | None, int]:
    """A shape argument as (the expression a result TensorStructInfo uses as its shape, or None;
    its dims when known; its rank, -1 when unknown)."""
    sinfo = shape_arg(call, i)
    arg = call.args[i]
    if sinfo.values is not None:
        return (arg if isinstance(arg, ShapeExpr) else ShapeExpr(sinfo.values)), sinfo.values, sinfo.ndim
    return (arg if isinstance(arg, Var) else None), None, sinfo.ndim


def tensor_of_shape(shape: Any, ndim: int, dtype: Any) -> TensorStructInfo:
    return TensorStructInfo(shape, dtype) if shape is not None else TensorStructInfo(None, dtype, ndim)


def flat_index(index: Sequence[PrimExpr], shape: Sequence[PrimExpr]) -> PrimExpr:
    """The row-major position of `index` in a tensor of `shape`."""
    flat: PrimExpr | None = None
    for i, d in zip(index, shape):
        flat = i if flat is None else flat * d + i
    return flat if flat is not None else IntImm("int64", 0)


def unravel(flat: PrimExpr, shape: Sequence[PrimExpr]) -> list[PrimExpr]:
    """The index of the row-major position `flat` in a tensor of `shape` (in bounds)."""
    out: list[PrimExpr] = []
    for k in reversed(range(len(shape))):
        d = shape[k]
        if is_one(d):
            out.append(IntImm(flat.dtype, 0))
        elif k == 0:
            out.append(flat)
        else:
            out.append(T.floormod(flat, d))
            flat = T.floordiv(flat, d)
    return out[::-1]


def _axes_names(n: int) -> list[str]:
    return [f"ax{k}" for k in range(n)]


# ---------------------------------------------------------------------------------------------
# reshape
# ---------------------------------------------------------------------------------------------
def _normalize_reshape(values: dict[str, Any]) -> dict[str, Any]:
    """TVM's builder-side rewrite of a literal new shape: a 0 copies the input dim at its
    position, a -1 becomes the remaining element count (when it divides exactly)."""
    shape = values.get("shape")
    dims = list(shape.values) if isinstance(shape, ShapeExpr) else list(shape) if isinstance(
        shape, (list, tuple)) else None
    if not dims or not any(_int_value(d) in (0, -1) for d in dims):
        return values
    sinfo = getattr(values.get("x"), "struct_info", None)
    in_dims = sinfo.values if isinstance(sinfo, TensorStructInfo) else None
    if in_dims is None or any(not isinstance(d, (int, np.integer, PrimExpr)) for d in dims):
        return values  # inference reports what cannot be resolved
    resolved: list[PrimExpr] = []
    for k, d in enumerate(dims):
        if _int_value(d) == 0 and k < len(in_dims):
            resolved.append(in_dims[k])
        else:
            resolved.append(d if isinstance(d, PrimExpr) else int64(int(d)))
    dims = resolved
    minus = [k for k, d in enumerate(dims) if _int_value(d) == -1]
    if len(minus) == 1:
        total = shape_product(in_dims)
        known = shape_product([d for k, d in enumerate(dims) if k != minus[0]])
        if _int_value(known) != 0:
            inferred = simplify_dim(total // known)
            if prove_equal(simplify_dim(inferred * known), total):
                dims[minus[0]] = inferred
    return {**values, "shape": ShapeExpr(dims)}


def _infer_reshape(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    shape, new_dims, ndim = target_shape(call, 1)
    if new_dims is None:
        return tensor_of_shape(shape, ndim, x.dtype)
    has_minus = any(_int_value(d) == -1 for d in new_dims)
    if not has_minus and x.values is not None:
        total, new_total = shape_product(x.values), shape_product(new_dims)
        if prove_not_equal(total, new_total):
            raise fail(call, f"argument 'shape' {show_dims(new_dims)} holds {show_dim(new_total)} element(s) but "
                             f"'x' of shape {show_dims(x.values)} holds {show_dim(total)}")
    out = reshape_dims(call, x.values, new_dims, "argument 'shape'")
    return TensorStructInfo(shape if not has_minus else ShapeExpr(out), x.dtype)


def _legalize_reshape(x: te.Tensor, shape: tuple[PrimExpr, ...]) -> te.Tensor:
    dims = list(shape)
    minus = [k for k, d in enumerate(dims) if _int_value(d) == -1]
    if minus:
        known = shape_product([d for k, d in enumerate(dims) if k != minus[0]])
        dims[minus[0]] = simplify_dim(shape_product(x.shape) // known)

    def body(*index: PrimExpr) -> PrimExpr:
        return x(*unravel(flat_index(index, dims), x.shape))

    return te.compute(dims, body, name="T_reshape", axis_names=_axes_names(len(dims)))


def _np_reshape(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return np.reshape(x, shape).copy()


reshape = define_op(
    "relax.reshape", args=[Arg("x"), Arg("shape", SHAPE)], infer=_infer_reshape, legalize=_legalize_reshape,
    numpy_ref=_np_reshape, normalize_args=_normalize_reshape,
    doc="R.reshape(x, shape): the elements of `x` in a new shape (one -1 is inferred; a literal 0 "
        "copies the input dim at its position).",
).builder


# ---------------------------------------------------------------------------------------------
# permute_dims, expand_dims, squeeze, flatten
# ---------------------------------------------------------------------------------------------
def _infer_permute_dims(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    axes = call.attrs["axes"]
    if x.ndim == -1:
        return TensorStructInfo(None, x.dtype, -1 if axes is None else len(axes))
    if axes is not None and len(axes) != x.ndim:
        raise fail(call, f"argument 'axes' {list(axes)} has {len(axes)} axes but 'x' has {x.ndim} dimension(s)")
    perm = list(range(x.ndim))[::-1] if axes is None else normalize_axes(call, x.ndim, axes, "axes")
    if perm == list(range(x.ndim)):
        return x
    if x.values is None:
        return TensorStructInfo(None, x.dtype, x.ndim)
    return TensorStructInfo([x.values[a] for a in perm], x.dtype)


def _perm(ndim: int, axes: Any) -> list[int]:
    return list(range(ndim))[::-1] if axes is None else [a + ndim if a < 0 else a for a in axes]


def _legalize_permute_dims(x: te.Tensor, axes: Any) -> te.Tensor:
    perm = _perm(x.ndim, axes)

    def body(*index: PrimExpr) -> PrimExpr:
        src: list[PrimExpr] = [index[0]] * x.ndim
        for k, a in enumerate(perm):
            src[a] = index[k]
        return x(*src)

    return te.compute([x.shape[a] for a in perm], body, name="T_transpose", axis_names=_axes_names(x.ndim))


permute_dims = define_op(
    "relax.permute_dims", args=["x"], attrs=[Attr("axes", optional(INTS), None)], infer=_infer_permute_dims,
    legalize=_legalize_permute_dims, numpy_ref=lambda x, axes=None: np.transpose(x, axes).copy(),
    legalize_name="transpose",
    doc="R.permute_dims(x, axes=None): dimension k of the result is dimension axes[k] of `x` "
        "(None reverses the dimensions).",
).builder


def _infer_expand_dims(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    axis = call.attrs["axis"]
    if not axis:
        return x
    if x.ndim == -1:
        return TensorStructInfo(None, x.dtype, -1)
    out_ndim = x.ndim + len(axis)
    axes = normalize_axes(call, out_ndim, axis)
    if x.values is None:
        return TensorStructInfo(None, x.dtype, out_ndim)
    it = iter(x.values)
    return TensorStructInfo([int64(1) if k in axes else next(it) for k in range(out_ndim)], x.dtype)


def _legalize_expand_dims(x: te.Tensor, axis: tuple[int, ...]) -> te.Tensor:
    out_ndim = x.ndim + len(axis)
    axes = {a + out_ndim if a < 0 else a for a in axis}
    it = iter(x.shape)
    shape = [int64(1) if k in axes else next(it) for k in range(out_ndim)]
    return te.compute(shape, lambda *i: x(*[v for k, v in enumerate(i) if k not in axes]),
                      name="T_expand_dims", axis_names=_axes_names(out_ndim))


expand_dims = define_op(
    "relax.expand_dims", args=["x"], attrs=[Attr("axis", INTS)], infer=_infer_expand_dims,
    legalize=_legalize_expand_dims, numpy_ref=lambda x, axis: np.expand_dims(x, tuple(axis)).copy(),
    doc="R.expand_dims(x, axis): new dims of size 1 at the positions `axis` of the result.",
).builder


def _infer_squeeze(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    axis = call.attrs["axis"]
    if axis is not None and not axis:
        return x
    if x.ndim == -1:
        return TensorStructInfo(None, x.dtype, -1)
    if axis is None:
        if x.values is None or any(_int_value(d) is None for d in x.values):
            return TensorStructInfo(None, x.dtype, -1)  # a symbolic dim may be 1 at run time
        return TensorStructInfo([d for d in x.values if not is_one(d)], x.dtype)
    axes = normalize_axes(call, x.ndim, axis)
    if x.values is None:
        return TensorStructInfo(None, x.dtype, x.ndim - len(axes))
    for a in axes:
        if prove_not_equal(x.values[a], int64(1)):
            raise fail(call, f"axis {a} of 'x' has size {show_dim(x.values[a])}, which is not 1; only "
                             "dims of size 1 can be squeezed (match_cast a symbolic dim to 1 first)")
    return TensorStructInfo([d for k, d in enumerate(x.values) if k not in axes], x.dtype)


def _legalize_squeeze(x: te.Tensor, axis: Any) -> te.Tensor:
    if axis is None:  # as TVM: the dims that are statically 1
        axes = {k for k, d in enumerate(x.shape) if is_one(d)}
    else:
        axes = {a + x.ndim if a < 0 else a for a in axis}
    kept = [k for k in range(x.ndim) if k not in axes]

    def body(*index: PrimExpr) -> PrimExpr:
        src = [IntImm(x.shape[k].dtype, 0) for k in range(x.ndim)]
        for i, k in zip(index, kept):
            src[k] = i
        return x(*src)

    return te.compute([x.shape[k] for k in kept], body, name="T_squeeze", axis_names=_axes_names(len(kept)))


def _np_squeeze(x: np.ndarray, axis: Any = None) -> np.ndarray:
    return np.squeeze(x, None if axis is None else tuple(axis)).copy()


squeeze = define_op(
    "relax.squeeze", args=["x"], attrs=[Attr("axis", optional(INTS), None)], infer=_infer_squeeze,
    legalize=_legalize_squeeze, numpy_ref=_np_squeeze,
    doc="R.squeeze(x, axis=None): remove the dims `axis` (which must have size 1); None removes "
        "every dim of size 1.",
).builder


def _infer_flatten(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    if x.ndim == 0:
        return TensorStructInfo([1], x.dtype)
    if x.ndim == 1:
        return x
    if x.values is None:
        return TensorStructInfo(None, x.dtype, 1)
    return TensorStructInfo([shape_product(x.values)], x.dtype)


def _legalize_flatten(x: te.Tensor) -> te.Tensor:
    size = shape_product(x.shape) if x.ndim else int64(1)
    return te.compute([size], lambda i: x(*unravel(i, x.shape)), name="T_reshape", axis_names=["ax0"])


flatten = define_op(
    "relax.flatten", args=["x"], infer=_infer_flatten, legalize=_legalize_flatten, legalize_name="reshape",
    numpy_ref=lambda x: np.reshape(x, (-1,)).copy(),
    doc="R.flatten(x): the elements of `x` as a 1-D tensor (a scalar becomes a tensor of 1 element).",
).builder


# ---------------------------------------------------------------------------------------------
# broadcast_to
# ---------------------------------------------------------------------------------------------
def _infer_broadcast_to(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    shape, dims, ndim = target_shape(call, 1)
    if x.ndim != -1 and ndim != -1 and ndim < x.ndim:
        raise fail(call, f"argument 'shape' has {ndim} dimension(s), fewer than the {x.ndim} of 'x'")
    if x.values is not None and dims is not None:
        offset = len(dims) - len(x.values)
        for k, d in enumerate(x.values):
            target = dims[offset + k]
            if not is_one(d) and prove_not_equal(d, target):
                raise fail(call, f"dimension {k} of 'x' ({show_dim(d)}) cannot broadcast to dimension "
                                 f"{offset + k} of argument 'shape' ({show_dim(target)})")
    return tensor_of_shape(shape, ndim, x.dtype)


def _legalize_broadcast_to(x: te.Tensor, shape: tuple[PrimExpr, ...]) -> te.Tensor:
    offset = len(shape) - x.ndim
    for k, d in enumerate(x.shape):
        if not is_one(d) and not prove_equal(d, shape[offset + k]):
            raise IRError(f"cannot legalize R.broadcast_to: cannot decide that dimension {k} of 'x' "
                          f"({show_dim(d)}) equals {show_dim(shape[offset + k])}")

    def body(*index: PrimExpr) -> PrimExpr:
        return x(*[IntImm(d.dtype, 0) if is_one(d) and not is_one(shape[offset + k]) else index[offset + k]
                   for k, d in enumerate(x.shape)])

    return te.compute(shape, body, name="T_broadcast_to", axis_names=_axes_names(len(shape)))


broadcast_to = define_op(
    "relax.broadcast_to", args=[Arg("x"), Arg("shape", SHAPE)], infer=_infer_broadcast_to,
    legalize=_legalize_broadcast_to, numpy_ref=lambda x, shape: np.broadcast_to(x, shape).copy(),
    doc="R.broadcast_to(x, shape): `x` broadcast (numpy rules) to `shape`.",
).builder


# ---------------------------------------------------------------------------------------------
# concat
# ---------------------------------------------------------------------------------------------
def _concat_dtype(call: Call, tensors: Sequence[TensorStructInfo]) -> Any:
    known = [(k, t.dtype) for k, t in enumerate(tensors) if not t.dtype.is_void]
    for k, d in known[1:]:
        if d != known[0][1]:
            raise fail(call, f"argument 'tensors' mixes dtypes: tensors[{known[0][0]}] is {known[0][1]} but "
                             f"tensors[{k}] is {d}")
    return VOID if len(known) < len(tensors) else tensors[0].dtype


def _infer_concat(call: Call, ctx: Any = None) -> StructInfo:
    tensors = tuple_tensors_arg(call, 0)
    if not tensors:
        raise fail(call, "argument 'tensors' is an empty tuple; concat needs at least one tensor")
    axis = call.attrs["axis"]
    dtype = _concat_dtype(call, tensors)
    ranks = [(k, t.ndim) for k, t in enumerate(tensors) if t.ndim != -1]
    for k, r in ranks:
        if axis is None and r != 1:
            raise fail(call, f"with axis=None the tensors must be 1-D, but tensors[{k}] has {r} dimension(s)")
        if r != ranks[0][1]:
            raise fail(call, f"argument 'tensors' mixes ranks: tensors[{ranks[0][0]}] has {ranks[0][1]} "
                             f"dimension(s) but tensors[{k}] has {r}")
    ndim = 1 if axis is None else ranks[0][1] if ranks else -1
    if ndim == -1:
        return tensors[0] if len(tensors) == 1 else TensorStructInfo(None, dtype, -1)
    ax = 0 if axis is None else normalize_axis(call, ndim, axis)
    if len(tensors) == 1:
        return tensors[0]
    known = [(f"tensors[{k}]", t.values) for k, t in enumerate(tensors) if t.values is not None]
    out = concat_dims(call, known, ax) if len(known) > 1 else None
    if out is None or len(known) < len(tensors):
        return TensorStructInfo(None, dtype, ndim)
    return TensorStructInfo(out, dtype)


def _legalize_concat(tensors: list[te.Tensor], axis: Any) -> te.Tensor:
    ax = 0 if axis is None else axis + tensors[0].ndim if axis < 0 else axis
    first = tensors[0]
    for t in tensors[1:]:
        for k in range(first.ndim):
            if k != ax and not prove_equal(t.shape[k], first.shape[k]):
                raise IRError(f"cannot legalize R.concat: cannot decide that dims {show_dim(first.shape[k])} and "
                              f"{show_dim(t.shape[k])} (dimension {k}) are equal")
    offsets: list[PrimExpr] = [int64(0)]
    for t in tensors:
        offsets.append(simplify_dim(offsets[-1] + t.shape[ax]) if not _int_value(offsets[-1]) == 0
                       else t.shape[ax])
    shape = list(first.shape)
    shape[ax] = offsets[-1]

    def load(k: int, index: Sequence[PrimExpr]) -> PrimExpr:
        src = list(index)
        src[ax] = index[ax] - offsets[k] if _int_value(offsets[k]) != 0 else index[ax]
        return tensors[k](*src)

    def body(*index: PrimExpr) -> PrimExpr:
        value = load(len(tensors) - 1, index)
        for k in reversed(range(len(tensors) - 1)):  # only the chosen input is read
            value = T.if_then_else(index[ax] < offsets[k + 1], load(k, index), value)
        return value

    return te.compute(shape, body, name="T_concat", axis_names=_axes_names(len(shape)))


def _np_concat(tensors: Sequence[np.ndarray], axis: Any = 0) -> np.ndarray:
    return np.concatenate(list(tensors), axis=0 if axis is None else axis)


concat = define_op(
    "relax.concat", args=[Arg("tensors", TUPLE)], attrs=[Attr("axis", optional(INT), 0)], infer=_infer_concat,
    legalize=_legalize_concat, numpy_ref=_np_concat, legalize_name="concatenate",
    doc="R.concat(tensors, axis=0): the tensors joined along `axis` (None: 1-D tensors joined).",
).builder


# ---------------------------------------------------------------------------------------------
# split
# ---------------------------------------------------------------------------------------------
class _IntOrInts(AttrType):
    """An int (a number of sections) or a tuple of ints (split indices), kept apart."""

    __slots__ = ()

    def convert(self, value: Any) -> int | tuple[int, ...]:
        single = _int_value(value)
        if single is not None:
            return single
        if isinstance(value, (list, tuple)):
            items = [_int_value(v) for v in value]
            if all(v is not None for v in items):
                return tuple(items)  # type: ignore[arg-type]
        raise Mismatch(self.name)

    def script_value(self, value: Any) -> Any:
        return list(value) if isinstance(value, tuple) else value


INT_OR_INTS = _IntOrInts("int_or_ints", "an int or a list of int")


def split_bounds(dim: PrimExpr, indices_or_sections: int | tuple[int, ...]) -> list[tuple[PrimExpr, PrimExpr]]:
    """(begin, size) of each part of a dim of length `dim` (see the module doc)."""
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        step = simplify_dim(T.ceildiv(dim, int64(n))) if n > 1 else dim
        parts = [(simplify_dim(step * k) if k else int64(0), step) for k in range(n - 1)]
        begin = simplify_dim(step * (n - 1)) if n > 1 else int64(0)
        return parts + [(begin, simplify_dim(dim - begin))]
    cuts = [int64(0)] + [simplify_dim(T.min(T.max(int64(i), int64(0)), dim)) for i in indices_or_sections] + [dim]
    return [(a, simplify_dim(T.max(b - a, int64(0)))) for a, b in zip(cuts, cuts[1:])]


def _infer_split(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    spec, axis = call.attrs["indices_or_sections"], call.attrs["axis"]
    if isinstance(spec, int) and spec <= 0:
        raise fail(call, f"argument 'indices_or_sections' must be a positive number of sections, got {spec}")
    count = spec if isinstance(spec, int) else len(spec) + 1
    if x.ndim != -1:
        axis = normalize_axis(call, x.ndim, axis)
    if count == 1:
        return TupleStructInfo([x])
    if x.values is None:
        return TupleStructInfo([TensorStructInfo(None, x.dtype, x.ndim)] * count)
    dim = x.values[axis]
    parts = split_bounds(dim, spec)
    last = parts[-1][1]
    if isinstance(spec, int) and prove(last < 0):
        raise fail(call, f"cannot split dimension {axis} of 'x' ({show_dim(dim)}) into {spec} sections: "
                         f"the last one would have {show_dim(last)} elements")
    fields = []
    for _, size in parts:
        dims = list(x.values)
        dims[axis] = size
        fields.append(TensorStructInfo(dims, x.dtype))
    return TupleStructInfo(fields)


def _legalize_split(x: te.Tensor, indices_or_sections: Any, axis: int) -> tuple[te.Tensor, ...]:
    ax = axis + x.ndim if axis < 0 else axis
    outs = []
    for k, (begin, size) in enumerate(split_bounds(x.shape[ax], indices_or_sections)):
        shape = list(x.shape)
        shape[ax] = size

        def body(*index: PrimExpr, begin: PrimExpr = begin) -> PrimExpr:
            src = list(index)
            src[ax] = index[ax] + begin if _int_value(begin) != 0 else index[ax]
            return x(*src)

        outs.append(te.compute(shape, body, name=f"T_split_{k}", axis_names=_axes_names(len(shape))))
    return tuple(outs)


def _np_split(x: np.ndarray, indices_or_sections: Any, axis: int = 0) -> tuple[np.ndarray, ...]:
    dim = x.shape[axis]
    if isinstance(indices_or_sections, int):
        step = -(-dim // indices_or_sections)
        cuts = [step * k for k in range(1, indices_or_sections)]
    else:
        cuts = [min(max(i, 0), dim) for i in indices_or_sections]
    return tuple(part.copy() for part in np.split(x, cuts, axis=axis))


split = define_op(
    "relax.split", args=["x"], attrs=[Attr("indices_or_sections", INT_OR_INTS), Attr("axis", INT, 0)],
    infer=_infer_split, legalize=_legalize_split, numpy_ref=_np_split,
    doc="R.split(x, indices_or_sections, axis=0): a tuple of the parts of `x` along `axis`, cut into "
        "a number of sections or at the given indices.",
).builder


# ---------------------------------------------------------------------------------------------
# repeat, tile
# ---------------------------------------------------------------------------------------------
def _infer_repeat(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    repeats, axis = call.attrs["repeats"], call.attrs["axis"]
    if repeats < 0:
        raise fail(call, f"argument 'repeats' must be non-negative, got {repeats}")
    if axis is not None and x.ndim != -1:
        axis = normalize_axis(call, x.ndim, axis)
    if x.values is None:
        if axis is None:
            return TensorStructInfo(None, x.dtype, 1)
        return x if repeats == 1 else TensorStructInfo(None, x.dtype, x.ndim)
    if axis is None:
        return TensorStructInfo([simplify_dim(shape_product(x.values) * repeats)], x.dtype)
    dims = list(x.values)
    dims[axis] = simplify_dim(dims[axis] * repeats)
    return TensorStructInfo(dims, x.dtype)


def _legalize_repeat(x: te.Tensor, repeats: int, axis: Any) -> te.Tensor:
    def source(i: PrimExpr) -> PrimExpr:  # (no element is read when repeats is 0)
        return T.floordiv(i, int64(repeats)) if repeats > 1 else i

    if axis is None:
        size = simplify_dim(shape_product(x.shape) * repeats) if x.ndim else int64(repeats)
        return te.compute([size], lambda i: x(*unravel(source(i), x.shape)), name="T_repeat", axis_names=["ax0"])
    ax = axis + x.ndim if axis < 0 else axis
    shape = list(x.shape)
    shape[ax] = simplify_dim(shape[ax] * repeats)

    def body(*index: PrimExpr) -> PrimExpr:
        src = list(index)
        src[ax] = source(index[ax])
        return x(*src)

    return te.compute(shape, body, name="T_repeat", axis_names=_axes_names(len(shape)))


repeat = define_op(
    "relax.repeat", args=["data"], attrs=[Attr("repeats", INT), Attr("axis", optional(INT), None)],
    infer=_infer_repeat, legalize=_legalize_repeat,
    numpy_ref=lambda data, repeats, axis=None: np.repeat(data, repeats, axis),
    doc="R.repeat(data, repeats, axis=None): each element repeated `repeats` times along `axis` "
        "(None: of the flattened tensor).",
).builder


def _infer_tile(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    reps = call.attrs["repeats"]
    if any(r < 0 for r in reps):
        raise fail(call, f"argument 'repeats' {list(reps)} has a negative count")
    if x.ndim == -1:
        return TensorStructInfo(None, x.dtype, -1)
    out_ndim = max(len(reps), x.ndim)
    if x.values is None:
        return x if len(reps) <= x.ndim and all(r == 1 for r in reps) else TensorStructInfo(None, x.dtype, out_ndim)
    return TensorStructInfo(_tile_shape(x.values, reps), x.dtype)


def _tile_shape(shape: Sequence[PrimExpr], reps: Sequence[int]) -> list[PrimExpr]:
    n = max(len(reps), len(shape))
    dims = [int64(1)] * (n - len(shape)) + list(shape)
    full = [1] * (n - len(reps)) + list(reps)
    return [d if r == 1 else simplify_dim(d * r) for d, r in zip(dims, full)]


def _legalize_tile(x: te.Tensor, repeats: tuple[int, ...]) -> te.Tensor:
    shape = _tile_shape(x.shape, repeats)
    offset = len(shape) - x.ndim

    def body(*index: PrimExpr) -> PrimExpr:
        return x(*[IntImm(d.dtype, 0) if is_one(d) else T.floormod(index[offset + k], d)
                   for k, d in enumerate(x.shape)])

    return te.compute(shape, body, name="T_tile", axis_names=_axes_names(len(shape)))


tile = define_op(
    "relax.tile", args=["data"], attrs=[Attr("repeats", INTS)], infer=_infer_tile, legalize=_legalize_tile,
    numpy_ref=lambda data, repeats: np.tile(data, tuple(repeats)),
    doc="R.tile(data, repeats): `data` repeated `repeats[k]` times along each dim (numpy.tile).",
).builder
