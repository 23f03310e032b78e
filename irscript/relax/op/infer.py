"""Building blocks of struct-info inference, shared by every op family.

Argument access that names the op and the argument in errors
(`tensor_arg(call, 0)` -> "R.add: argument 'x1' expects a tensor, got
R.Tuple(...)"), dtype unification (equal dtypes, "void" propagates),
axis normalization, broadcasting over symbolic dims, reductions, element
counts, reshape with -1, concatenation, conv/pool output sizes and layouts.

Dims are compared with the integer simplifier (`prove_equal`,
`prove_not_equal` of `irscript.relax.struct_info_relations`, shape vars
non-negative): provably incompatible dims are errors; dims that cannot be
decided give a less precise result (as Relax does), never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr, StructInfo
from irscript.relax.expr import Call
from irscript.relax.struct_info import PrimStructInfo, ShapeStructInfo, TensorStructInfo, TupleStructInfo
from irscript.relax.struct_info_relations import prove_equal, prove_not_equal, simplify_dim
from irscript.tir.expr import IntImm

__all__ = [
    "VOID", "arg_sinfo", "broadcast_shapes", "concat_dims", "conv_out_dim", "entry_of", "fail", "int64",
    "is_one", "normalize_axes", "normalize_axis", "pool_out_dim", "prim_arg", "reduce_sinfo", "reshape_dims",
    "shape_arg", "shape_product", "show_dim", "show_dims", "show_sinfo", "tensor_arg", "tensor_or_prim_arg",
    "tuple_tensors_arg", "unify_dtypes", "Layout",
]

VOID = DataType("void")


# ---------------------------------------------------------------------------------------------
# messages and argument access
# ---------------------------------------------------------------------------------------------
def entry_of(call: Call) -> Any:
    from irscript.relax.op.registry import get_entry

    entry = get_entry(call.op)
    if entry is None:
        raise IRError(f"{getattr(call.op, 'name', call.op)} is not a registered Relax operator")
    return entry


def fail(call: Call, message: str) -> IRError:
    """An IRError "R.<op>: message" for this call."""
    return IRError(f"{entry_of(call).script_name}: {message}")


def show_sinfo(s: StructInfo | None) -> str:
    from irscript.relax.well_formed import format_struct_info

    return format_struct_info(s)


def show_dims(dims: Sequence[PrimExpr]) -> str:
    from irscript.relax.well_formed import format_shape

    return format_shape(dims) if dims else "()"


def _arg(call: Call, i: int) -> tuple[str, StructInfo]:
    entry = entry_of(call)
    if i >= len(call.args):
        raise fail(call, f"missing argument {entry.arg_name(i, call)!r}")
    sinfo = call.args[i].struct_info
    if sinfo is None:
        raise fail(call, f"argument {entry.arg_name(i, call)!r} has no struct info")
    return entry.arg_name(i, call), sinfo


def arg_sinfo(call: Call, i: int) -> StructInfo:
    return _arg(call, i)[1]


def tensor_arg(call: Call, i: int) -> TensorStructInfo:
    """The struct info of argument `i`, which must be a tensor."""
    name, sinfo = _arg(call, i)
    if not isinstance(sinfo, TensorStructInfo):
        raise fail(call, f"argument {name!r} expects a tensor, got {show_sinfo(sinfo)}")
    return sinfo


def tensor_or_prim_arg(call: Call, i: int) -> TensorStructInfo | PrimStructInfo:
    name, sinfo = _arg(call, i)
    if not isinstance(sinfo, (TensorStructInfo, PrimStructInfo)):
        raise fail(call, f"argument {name!r} expects a tensor or an R.Prim value, got {show_sinfo(sinfo)}")
    return sinfo


def prim_arg(call: Call, i: int) -> PrimStructInfo:
    name, sinfo = _arg(call, i)
    if not isinstance(sinfo, PrimStructInfo):
        raise fail(call, f"argument {name!r} expects an R.Prim value, got {show_sinfo(sinfo)}")
    return sinfo


def shape_arg(call: Call, i: int) -> ShapeStructInfo:
    name, sinfo = _arg(call, i)
    if not isinstance(sinfo, ShapeStructInfo):
        raise fail(call, f"argument {name!r} expects a shape, got {show_sinfo(sinfo)}")
    return sinfo


def tuple_tensors_arg(call: Call, i: int) -> list[TensorStructInfo]:
    """The tensors of argument `i`, which must be a tuple of tensors."""
    name, sinfo = _arg(call, i)
    if not isinstance(sinfo, TupleStructInfo):
        raise fail(call, f"argument {name!r} expects a tuple of tensors, got {show_sinfo(sinfo)}")
    for k, f in enumerate(sinfo.fields):
        if not isinstance(f, TensorStructInfo):
            raise fail(call, f"argument {name!r} expects a tuple of tensors, but field {k} is {show_sinfo(f)}")
    return list(sinfo.fields)


# ---------------------------------------------------------------------------------------------
# dtypes and axes
# ---------------------------------------------------------------------------------------------
def unify_dtypes(call: Call, named: Sequence[tuple[str, DataType]]) -> DataType:
    """The common dtype of the named dtypes: void when any is void; an error when two differ."""
    if any(d.is_void for _, d in named):
        return VOID
    first_name, first = named[0]
    for name, d in named[1:]:
        if d != first:
            raise fail(call, f"argument {first_name!r} has dtype {first} but {name!r} has dtype {d}; "
                             "the dtypes must be equal")
    return first


def normalize_axis(call: Call, ndim: int, axis: int, what: str = "axis") -> int:
    """`axis` in [0, ndim) (negative axes count from the end); an error when out of range."""
    if not -ndim <= axis < ndim:
        raise fail(call, f"{what} {axis} is out of range for a tensor of {ndim} dimension(s) "
                         f"(expected [{-ndim}, {ndim}))")
    return axis + ndim if axis < 0 else axis


def normalize_axes(call: Call, ndim: int, axes: Sequence[int], what: str = "axis") -> list[int]:
    """Each axis normalized; an error when one is out of range or repeated."""
    out: list[int] = []
    for a in axes:
        n = normalize_axis(call, ndim, a, what)
        if n in out:
            raise fail(call, f"{what} {list(axes)} refers to dimension {n} more than once")
        out.append(n)
    return out


# ---------------------------------------------------------------------------------------------
# dims
# ---------------------------------------------------------------------------------------------
def int64(v: int | PrimExpr) -> PrimExpr:
    return IntImm("int64", v) if isinstance(v, int) else v


def is_one(d: PrimExpr) -> bool:
    return isinstance(d, IntImm) and d.value == 1


def broadcast_shapes(call: Call, shapes: Sequence[tuple[str, Sequence[PrimExpr]]]) -> tuple[PrimExpr, ...] | None:
    """Numpy-style broadcast of named shapes over symbolic dims: equal dims give that dim, a 1
    gives the other; dims provably different (and provably not 1) are an error naming the
    arguments; when some pair cannot be decided the result is None (only the rank is known)."""
    out: list[PrimExpr] = list(shapes[0][1])
    owner = [shapes[0][0]] * len(out)
    decided = True
    for name, dims in shapes[1:]:
        dims = list(dims)
        if len(dims) > len(out):
            out = dims[: len(dims) - len(out)] + out
            owner = [name] * (len(dims) - len(owner)) + owner
        offset = len(out) - len(dims)
        for k in reversed(range(len(dims))):
            d, pos = dims[k], offset + k
            cur = out[pos]
            if is_one(d) or prove_equal(cur, d):
                continue
            if is_one(cur):
                out[pos], owner[pos] = d, name
                continue
            if prove_not_equal(cur, d) and prove_not_equal(cur, int64(1)) and prove_not_equal(d, int64(1)):
                raise fail(call, f"cannot broadcast {owner[pos]!r} and {name!r}: dimension {pos} of the result "
                                 f"would be both {show_dim(cur)} and {show_dim(d)}")
            decided = False
    return tuple(out) if decided else None


def show_dim(d: PrimExpr) -> str:
    from irscript.relax.well_formed import format_dim

    return format_dim(d)


def shape_product(dims: Sequence[PrimExpr]) -> PrimExpr:
    """The element count of a shape, simplified."""
    total: PrimExpr = IntImm("int64", 1)
    for d in dims:
        total = total * d if not is_one(total) else d
    return simplify_dim(total)


def reduce_sinfo(call: Call, x: TensorStructInfo, axis: Sequence[int] | None, keepdims: bool,
                 dtype: Any = None) -> TensorStructInfo:
    """The result of reducing `x` over `axis` (None: all axes), keeping reduced dims as 1 when
    `keepdims`; `dtype` overrides the element type."""
    out_dtype = x.dtype if dtype is None else DataType(dtype)
    if x.ndim == -1:
        if axis is None:
            return TensorStructInfo((), out_dtype) if not keepdims else TensorStructInfo(None, out_dtype, -1)
        return TensorStructInfo(None, out_dtype, -1)
    axes = list(range(x.ndim)) if axis is None else normalize_axes(call, x.ndim, axis)
    out_ndim = x.ndim if keepdims else x.ndim - len(axes)
    values = x.values
    if values is None:
        if keepdims and axis is None:
            return TensorStructInfo([1] * x.ndim, out_dtype)
        return TensorStructInfo((), out_dtype) if out_ndim == 0 else TensorStructInfo(None, out_dtype, out_ndim)
    dims = [int64(1) if k in axes else d for k, d in enumerate(values) if keepdims or k not in axes]
    return TensorStructInfo(dims, out_dtype)


def reshape_dims(call: Call, in_dims: Sequence[PrimExpr] | None, new_dims: Sequence[PrimExpr],
                 what: str = "shape") -> tuple[PrimExpr, ...]:
    """`new_dims` with at most one -1 inferred from the input's element count; an error when the
    element counts provably differ (unknown input dims: -1 cannot be inferred)."""
    minus = [k for k, d in enumerate(new_dims) if isinstance(d, IntImm) and d.value == -1]
    if len(minus) > 1:
        raise fail(call, f"{what} {show_dims(new_dims)} has more than one -1")
    for d in new_dims:
        if isinstance(d, IntImm) and d.value < -1:
            raise fail(call, f"{what} {show_dims(new_dims)} has a negative dimension")
    if in_dims is None:
        if minus:
            raise fail(call, f"cannot infer the -1 in {what} {show_dims(new_dims)}: the input shape is unknown")
        return tuple(new_dims)
    total = shape_product(in_dims)
    if minus:
        known = shape_product([d for k, d in enumerate(new_dims) if k != minus[0]])
        if isinstance(known, IntImm) and known.value == 0:
            raise fail(call, f"cannot infer the -1 in {what} {show_dims(new_dims)}: the other dims hold no elements")
        inferred = simplify_dim(total // known)
        if prove_not_equal(simplify_dim(inferred * known), total):
            raise fail(call, f"cannot reshape {show_dims(in_dims)} into {show_dims(new_dims)}: "
                             f"{show_dim(total)} elements are not a multiple of {show_dim(known)}")
        return tuple(inferred if k == minus[0] else d for k, d in enumerate(new_dims))
    new_total = shape_product(new_dims)
    if prove_not_equal(total, new_total):
        raise fail(call, f"cannot reshape {show_dims(in_dims)} ({show_dim(total)} elements) into "
                         f"{show_dims(new_dims)} ({show_dim(new_total)} elements)")
    return tuple(new_dims)


def concat_dims(call: Call, shapes: Sequence[tuple[str, Sequence[PrimExpr]]], axis: int) -> tuple[PrimExpr, ...] | None:
    """The shape of concatenating equally-ranked shapes along `axis` (already normalized): the
    axis dims summed (simplified), the others equal. Provably different dims are an error;
    when some other dims cannot be proven equal the result is None (only the rank is known)."""
    first_name, first = shapes[0]
    out = list(first)
    total: PrimExpr = first[axis]
    for name, dims in shapes[1:]:
        if len(dims) != len(first):
            raise fail(call, f"{first_name!r} has {len(first)} dimension(s) but {name!r} has {len(dims)}")
        for k, d in enumerate(dims):
            if k == axis:
                continue
            if prove_not_equal(out[k], d):
                raise fail(call, f"{first_name!r} and {name!r} differ in dimension {k} "
                                 f"({show_dim(out[k])} vs {show_dim(d)}), which is not the concatenation axis")
        total = total + dims[axis]
    if any(not prove_equal(out[k], d) for _, dims in shapes[1:] for k, d in enumerate(dims) if k != axis):
        return None
    out[axis] = simplify_dim(total)
    return tuple(out)


def conv_out_dim(size: PrimExpr, kernel: PrimExpr, stride: int, pad_before: int, pad_after: int,
                 dilation: int) -> PrimExpr:
    """`(size + pads - dilation * (kernel - 1) - 1) // stride + 1`, simplified."""
    size, kernel = int64(size), int64(kernel)
    span = (kernel - 1) * dilation + 1
    return simplify_dim((size + (pad_before + pad_after) - span) // stride + 1)


def pool_out_dim(size: PrimExpr, kernel: int, stride: int, pad_before: int, pad_after: int, dilation: int,
                 ceil_mode: bool = False) -> PrimExpr:
    """The output size of a pooling window; with `ceil_mode` the last partial window counts."""
    size = int64(size)
    numer = size + (pad_before + pad_after) - ((kernel - 1) * dilation + 1)
    if ceil_mode:
        numer = numer + (stride - 1)
    return simplify_dim(numer // stride + 1)


class Layout:
    """A tensor layout like "NCHW" / "NHWC" / "OIHW" / "HWIO": one upper-case letter per dim.
    `permutation(to)` gives, for each dim of `to`, its position in this layout."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        if not name or not name.isalpha() or not name.isupper() or len(set(name)) != len(name):
            raise IRError(f"unsupported layout {name!r}: use distinct upper-case letters like 'NCHW'")
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.name)

    def index(self, axis: str) -> int:
        pos = self.name.find(axis)
        if pos < 0:
            raise IRError(f"layout {self.name!r} has no axis {axis!r}")
        return pos

    def permutation(self, to: "Layout | str") -> list[int]:
        to = Layout(to) if isinstance(to, str) else to
        if sorted(to.name) != sorted(self.name):
            raise IRError(f"cannot convert layout {self.name!r} to {to.name!r}: they have different axes")
        return [self.index(a) for a in to.name]

    def convert(self, dims: Sequence[Any], to: "Layout | str") -> list[Any]:
        """`dims` (in this layout) rearranged into layout `to`."""
        return [dims[k] for k in self.permutation(to)]

    def __repr__(self) -> str:
        return f"Layout({self.name!r})"
