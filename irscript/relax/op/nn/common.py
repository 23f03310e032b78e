"""Helpers shared by the nn op families: attribute canonicalization (TVM's normalization of
`strides=1` / `padding=(1, 2)` into full tuples), layout checks, checks of norm-style
parameter tensors, and the guarded reads legalizations use for implicit padding.

Attribute normalizers are idempotent: the builder applies them (`normalize_attrs`), and
inference, legalization and the numpy reference apply them again, so hand-built calls with
short tuples mean the same thing. Errors name the op and the attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr
from irscript.relax.expr import Call
from irscript.relax.op.infer import Layout, fail, show_dim, tensor_arg
from irscript.relax.struct_info import TensorStructInfo
from irscript.relax.struct_info_relations import prove_equal, prove_not_equal
from irscript.tir import op as T
from irscript.tir import te

__all__ = [
    "check_float", "check_layout", "check_params", "complete_padding", "expand", "guarded", "in_range",
    "layout_dims", "load", "normalizer", "positive", "spatial_letters",
]

SPATIAL = {1: "W", 2: "HW"}


def spatial_letters(n: int) -> str:
    return SPATIAL[n]


# ---------------------------------------------------------------------------------------------
# attributes
# ---------------------------------------------------------------------------------------------
def expand(script_name: str, name: str, values: Sequence[int], n: int) -> tuple[int, ...]:
    """`values` as `n` ints: one value is repeated (`strides=2` -> (2, 2))."""
    values = tuple(values)
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise IRError(f"{script_name}: attribute {name!r} takes 1 or {n} value(s), got {list(values)}")
    return values


def complete_padding(script_name: str, name: str, values: Sequence[int], n: int) -> tuple[int, ...]:
    """Padding as (before..., after...) per spatial dim, as TVM completes it: one value pads every
    side; `n` values pad both sides of each dim; `2n` values are (before..., after...)."""
    values = tuple(values)
    if len(values) == 1:
        return values * (2 * n)
    if len(values) == n:
        return values * 2
    if len(values) == 2 * n:
        return values
    counts = "1 or 2" if n == 1 else f"1, {n} or {2 * n}"
    raise IRError(f"{script_name}: attribute {name!r} takes {counts} value(s), got {list(values)}")


def normalizer(script_name: str, n: int, ints: Sequence[str] = (), pads: Sequence[str] = (),
               out_layout: tuple[str, str] | None = None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A `normalize_attrs` function: the `ints` attrs expanded to `n` values, the `pads` attrs
    completed to `2n`, and `out_layout[0]` defaulting to the layout attr `out_layout[1]`."""

    def normalize(attrs: dict[str, Any]) -> dict[str, Any]:
        out = dict(attrs)
        for name in ints:
            out[name] = expand(script_name, name, out[name], n)
        for name in pads:
            out[name] = complete_padding(script_name, name, out[name], n)
        if out_layout is not None and out[out_layout[0]] is None:
            out[out_layout[0]] = out[out_layout[1]]
        return out

    return normalize


def positive(call: Call, attrs: dict[str, Any], names: Sequence[str], minimum: int = 1) -> None:
    """Every value of the named int / int-tuple attrs is at least `minimum`."""
    for name in names:
        values = attrs[name] if isinstance(attrs[name], tuple) else (attrs[name],)
        if any(v < minimum for v in values):
            what = "positive" if minimum == 1 else f"at least {minimum}"
            raise fail(call, f"attribute {name!r} must be {what}, got {attrs[name]}")


# ---------------------------------------------------------------------------------------------
# layouts and dtypes
# ---------------------------------------------------------------------------------------------
def check_layout(call: Call, attr: str, name: str, canonical: str) -> Layout:
    """The layout `name` of attribute `attr`, which must be a permutation of `canonical`."""
    if not isinstance(name, str) or sorted(name) != sorted(canonical) or len(set(name)) != len(name):
        raise fail(call, f"attribute {attr!r} must be a permutation of {canonical!r}, got {name!r}")
    return Layout(name)


def layout_dims(call: Call, sinfo: TensorStructInfo, layout: Layout, arg: str) -> dict[str, PrimExpr] | None:
    """The dims of a tensor by layout letter; an error when its rank differs from the layout's;
    None when its shape is unknown."""
    if sinfo.ndim != -1 and sinfo.ndim != layout.ndim:
        raise fail(call, f"argument {arg!r} has {sinfo.ndim} dimension(s) but its layout {layout.name!r} "
                         f"has {layout.ndim}")
    if sinfo.values is None:
        return None
    return dict(zip(layout.name, sinfo.values))


def check_float(call: Call, sinfo: TensorStructInfo, arg: str) -> None:
    if not (sinfo.dtype.is_void or sinfo.dtype.is_float):
        raise fail(call, f"argument {arg!r} must have a float dtype, got {sinfo.dtype}")


def check_params(call: Call, first: int, names: Sequence[str], data: TensorStructInfo,
                 expected: Sequence[PrimExpr] | None, ndim: int) -> bool:
    """Checks parameter tensors (gamma, beta, ...) at argument positions `first`, ... against the
    data: the same dtype, `ndim` dims, dims equal to `expected` (the data's dims they scale).
    Returns whether every dim is proven equal (False: the result shape is less precise)."""
    decided = True
    for k, name in enumerate(names):
        p = tensor_arg(call, first + k)
        if not (p.dtype.is_void or data.dtype.is_void) and p.dtype != data.dtype:
            raise fail(call, f"argument {name!r} has dtype {p.dtype} but 'data' has dtype {data.dtype}; "
                             "they must be equal")
        if p.ndim != -1 and p.ndim != ndim:
            raise fail(call, f"argument {name!r} must have {ndim} dimension(s), got {p.ndim}")
        if p.values is None or expected is None:
            decided = False
            continue
        for pos, (got, want) in enumerate(zip(p.values, expected)):
            if prove_not_equal(got, want):
                raise fail(call, f"argument {name!r} has size {show_dim(got)} in dimension {pos} but the data "
                                 f"has {show_dim(want)} there")
            decided = decided and prove_equal(got, want)
    return decided


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
def in_range(index: PrimExpr, extent: PrimExpr, low: Any = 0) -> PrimExpr:
    """`low <= index < extent`."""
    return T.logical_and(index >= low, index < extent)


def guarded(conditions: Sequence[PrimExpr], value: Callable[[], PrimExpr], fill: Any) -> PrimExpr:
    """`value()` where every condition holds, else `fill` (`T.if_then_else`, so an out-of-range
    load is never evaluated); `value()` unguarded when there are no conditions."""
    v = value()
    if not conditions:
        return v
    cond = conditions[0] if len(conditions) == 1 else T.logical_and(*conditions)
    return T.if_then_else(cond, v, T.cast(v.dtype, fill))


def load(x: te.Tensor, layout: str, index: dict[str, PrimExpr]) -> PrimExpr:
    """`x` read at the position given by layout letter."""
    return x(*[index[a] for a in layout])
