"""Relax struct info: the static description of a Relax value (object, prim, shape, tensor,
tuple, function), with symbolic dimensions as TIR expressions."""

from __future__ import annotations

from typing import Any

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr, RelaxExpr, StructInfo
from irscript.ir.node import field
from irscript.tir.expr import IntImm
from irscript.tir.op import convert

VOID = DataType("void")


_SHAPE_EXPR: Any = None


def _shape_expr_cls() -> Any:
    global _SHAPE_EXPR
    if _SHAPE_EXPR is None:
        from irscript.relax.expr import ShapeExpr

        _SHAPE_EXPR = ShapeExpr
    return _SHAPE_EXPR


class ObjectStructInfo(StructInfo, type_key="relax.ObjectStructInfo"):
    """Any value (`R.Object`)."""

    __slots__ = ()


class PrimStructInfo(StructInfo, type_key="relax.PrimStructInfo"):
    """A scalar (`R.Prim("int64")`), optionally with a known value (`R.Prim(value=n)`)."""

    __slots__ = ()
    dtype: DataType
    value: PrimExpr | None = None

    def __init__(self, dtype: Any = None, value: Any = None, *, span: Any = None) -> None:
        if value is not None:
            from irscript.tir.op import convert

            value = convert(value)
            if dtype is None:
                dtype = value.dtype
        if dtype is None:
            raise IRError("PrimStructInfo needs a dtype or a value")
        self._set_fields(dtype, value, span=span)


class ShapeStructInfo(StructInfo, type_key="relax.ShapeStructInfo"):
    """A shape value (`R.Shape([n, m])`, `R.Shape(ndim=2)`); `ndim` -1 means unknown rank."""

    __slots__ = ()
    values: tuple[PrimExpr, ...] | None = None
    ndim: int = -1

    def __init__(self, values: Any = None, ndim: int = -1, *, span: Any = None) -> None:
        if values is not None:
            values = shape_dims(values)
            if ndim not in (-1, len(values)):
                raise IRError(f"R.Shape: ndim={ndim} contradicts {len(values)} values")
            ndim = len(values)
        self._set_fields(values, ndim, span=span)


class TensorStructInfo(StructInfo, type_key="relax.TensorStructInfo"):
    """A tensor (`R.Tensor((n, 4), "float32")`): `shape` is a ShapeExpr (known dims), a Relax
    var holding the shape, or None; dtype "void" means unknown; ndim -1 means unknown rank."""

    __slots__ = ()
    shape: RelaxExpr | None = None
    dtype: DataType = VOID
    ndim: int = -1

    def __init__(self, shape: Any = None, dtype: Any = "void", ndim: int = -1, *, span: Any = None) -> None:
        if shape is not None and not isinstance(shape, RelaxExpr):
            shape = _shape_expr_cls()(shape)
        if type(shape) is _shape_expr_cls():
            if ndim not in (-1, len(shape.values)):
                raise IRError(f"R.Tensor: ndim={ndim} contradicts a shape of {len(shape.values)} dims")
            ndim = len(shape.values)
        elif shape is not None:
            sinfo = getattr(shape, "struct_info", None)
            if isinstance(sinfo, ShapeStructInfo) and sinfo.ndim != -1:
                ndim = sinfo.ndim
        self._set_fields(shape, dtype if dtype is not None else VOID, ndim, span=span)

    @property
    def values(self) -> tuple[PrimExpr, ...] | None:
        """The dims when the shape is a ShapeExpr, else None."""
        from irscript.relax.expr import ShapeExpr

        return self.shape.values if isinstance(self.shape, ShapeExpr) else None

    @property
    def is_unknown_dtype(self) -> bool:
        return self.dtype.is_void

    @property
    def is_unknown_ndim(self) -> bool:
        return self.ndim == -1


class TupleStructInfo(StructInfo, type_key="relax.TupleStructInfo"):
    """A tuple (`R.Tuple(a, b)`)."""

    __slots__ = ()
    fields: tuple[StructInfo, ...]


class FuncStructInfo(StructInfo, type_key="relax.FuncStructInfo"):
    """A function (`R.Callable((params...), ret, purity)`); params None means any arguments."""

    __slots__ = ()
    params: tuple[StructInfo, ...] | None
    ret: StructInfo
    purity: bool = True

    @staticmethod
    def opaque(ret: StructInfo | None = None, purity: bool = False) -> "FuncStructInfo":
        return FuncStructInfo(None, ret or ObjectStructInfo(), purity)


_INT64 = DataType("int64")


def _int64(v: PrimExpr) -> PrimExpr:
    """Shape dims are int64; int32 constants are widened, symbolic int32 vars are kept."""
    if type(v) is IntImm and v.dtype is not _INT64:
        return IntImm(_INT64, v.value)
    return v


def shape_dims(values: Any) -> tuple[PrimExpr, ...]:
    """Dims as int64 PrimExprs (ints widened)."""
    out = []
    for v in values:
        t = type(v)
        if t is int:
            out.append(IntImm(_INT64, v))
        elif t is IntImm:
            out.append(v if v.dtype is _INT64 else IntImm(_INT64, v.value))
        elif isinstance(v, PrimExpr):
            out.append(v)
        else:
            out.append(_int64(convert(v)))
    return tuple(out)


__all__ = [
    "FuncStructInfo", "ObjectStructInfo", "PrimStructInfo", "ShapeStructInfo", "StructInfo",
    "TensorStructInfo", "TupleStructInfo", "field", "shape_dims",
]
