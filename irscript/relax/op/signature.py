"""Op signatures: Relax-expression arguments (`Arg`) and typed attributes (`Attr`, `AttrType`).

An op's arguments are Relax expressions stored in `Call.args` in declared
order; an `Arg` says what kind of value it takes (a tensor, a tuple of
tensors, a PrimValue, a shape, a string, a dtype, anything), whether it is
variadic (`R.print(a, b, c)`), keyword-only (`format=` of `R.print`) and
its default. `Arg.convert` turns the friendly Python values a builder
accepts (a list of tensors for a tuple, an int for a PrimValue, ...) into
Relax expressions.

Attributes are plain Python values stored in `Call.attrs` in declared order,
defaults included: ints, floats, bools, strings, `DataType`s, tuples of ints,
or None. An `AttrType` checks and converts one (`INTS` turns `1` or `[1, 2]`
into `(1,)` / `(1, 2)`), names itself in errors ("a tuple of int"), and
gives the printer `script_value` (a dtype as its string, a tuple as a list).
Add a new attribute type by subclassing `AttrType`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr, RelaxExpr
from irscript.relax.expr import Constant, DataTypeImm, PrimValue, ShapeExpr, StringImm, Tuple
from irscript.tir.expr import FloatImm, IntImm

__all__ = [
    "ANY", "Arg", "Attr", "AttrType", "BOOL", "DTYPE", "FLOAT", "INT", "INTS", "PRIM", "SHAPE", "STR",
    "STR_ARG", "DTYPE_ARG", "TENSOR", "TUPLE", "FLOATS", "ArgKind", "Mismatch", "one_of", "optional",
    "type_name",
]


class Mismatch(Exception):
    """Raised by a conversion when a value does not fit; carries what was expected."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def type_name(value: Any) -> str:
    """How an error message names the type of a value given to an op."""
    if isinstance(value, RelaxExpr):
        return getattr(value, "type_key", type(value).__name__)
    if isinstance(value, (list, tuple)):
        return "list" if isinstance(value, list) else "tuple"
    return type(value).__name__


# ---------------------------------------------------------------------------------------------
# argument kinds
# ---------------------------------------------------------------------------------------------
class ArgKind:
    """What a Relax argument holds; `convert` makes a Relax expression of a friendly value."""

    __slots__ = ("name", "expected")

    def __init__(self, name: str, expected: str) -> None:
        self.name = name
        self.expected = expected

    def convert(self, value: Any) -> RelaxExpr:
        if isinstance(value, RelaxExpr):
            return value
        if isinstance(value, np.ndarray):
            return Constant(value)
        raise Mismatch(self.expected)

    def __repr__(self) -> str:
        return f"ArgKind({self.name})"


class _TupleKind(ArgKind):
    __slots__ = ()

    def convert(self, value: Any) -> RelaxExpr:
        if isinstance(value, (list, tuple)):
            return Tuple([TENSOR.convert(v) for v in value])
        return super().convert(value)


class _PrimKind(ArgKind):
    __slots__ = ()

    def convert(self, value: Any) -> RelaxExpr:
        if isinstance(value, (bool, np.bool_)):
            return PrimValue(IntImm("bool", int(value)))
        if isinstance(value, (int, np.integer)):
            return PrimValue(IntImm("int64", int(value)))
        if isinstance(value, (float, np.floating)):
            return PrimValue(FloatImm("float64", float(value)))
        if isinstance(value, PrimExpr):
            return PrimValue(value)
        return super().convert(value)


class _ShapeKind(ArgKind):
    __slots__ = ()

    def convert(self, value: Any) -> RelaxExpr:
        if isinstance(value, (list, tuple)) and all(
            isinstance(v, (int, np.integer, PrimExpr)) and not isinstance(v, bool) for v in value
        ):
            return ShapeExpr([int(v) if isinstance(v, np.integer) else v for v in value])
        return super().convert(value)


class _StrKind(ArgKind):
    __slots__ = ()

    def convert(self, value: Any) -> RelaxExpr:
        if isinstance(value, str):
            return StringImm(value)
        return super().convert(value)


class _DTypeKind(ArgKind):
    __slots__ = ()

    def convert(self, value: Any) -> RelaxExpr:
        if isinstance(value, (str, DataType)):
            try:
                return DataTypeImm(DataType(value))
            except Exception:
                raise Mismatch(self.expected) from None
        return super().convert(value)


class _AnyKind(ArgKind):
    __slots__ = ()

    def convert(self, value: Any) -> RelaxExpr:
        if isinstance(value, str):
            return StringImm(value)
        if isinstance(value, (bool, int, float, np.generic, PrimExpr)):
            return PRIM.convert(value)
        return super().convert(value)


TENSOR = ArgKind("tensor", "a Relax expression (a tensor)")
TUPLE = _TupleKind("tuple", "a tuple of tensors")
PRIM = _PrimKind("prim", "a PrimValue or a number")
SHAPE = _ShapeKind("shape", "a shape (a tuple of int or PrimExpr)")
STR_ARG = _StrKind("str", "a string")
DTYPE_ARG = _DTypeKind("dtype", "a data type")
ANY = _AnyKind("any", "a Relax expression")


class Arg:
    """A Relax-expression argument: `name`, `kind`, variadic / keyword-only, optional default
    (a Python value converted by the kind when the argument is omitted). A default of None makes
    the argument optional: when it is None it is left out of `Call.args` (TVM's `Optional<Expr>`
    arguments, e.g. the `bias` of `R.nn.attention`); optional arguments come last."""

    __slots__ = ("name", "kind", "variadic", "kw_only", "default", "has_default")

    def __init__(self, name: str, kind: ArgKind = TENSOR, *, variadic: bool = False, kw_only: bool = False,
                 default: Any = ...) -> None:
        self.name = name
        self.kind = kind
        self.variadic = variadic
        self.kw_only = kw_only
        self.has_default = default is not ...
        self.default = default if self.has_default else None

    @property
    def optional(self) -> bool:
        """Whether the argument may be left out of the call (its default is None)."""
        return self.has_default and self.default is None and not self.variadic

    def __repr__(self) -> str:
        return f"Arg({self.name!r}, {self.kind.name})"


# ---------------------------------------------------------------------------------------------
# attribute types
# ---------------------------------------------------------------------------------------------
class AttrType:
    """The type of an attribute: `convert(value)` returns the stored value or raises Mismatch;
    `script_value(value)` is the Python literal a printer writes; `kind` names the type."""

    __slots__ = ("kind", "name")

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name

    def convert(self, value: Any) -> Any:
        raise NotImplementedError

    def script_value(self, value: Any) -> Any:
        return value

    def __repr__(self) -> str:
        return f"AttrType({self.name})"


def _as_int(value: Any) -> int | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, IntImm) and not value.dtype.is_bool:
        return int(value.value)
    return None


class _IntType(AttrType):
    __slots__ = ()

    def convert(self, value: Any) -> int:
        v = _as_int(value)
        if v is None:
            raise Mismatch(self.name)
        return v


class _FloatType(AttrType):
    __slots__ = ()

    def convert(self, value: Any) -> float:
        if isinstance(value, (bool, np.bool_)):
            raise Mismatch(self.name)
        if isinstance(value, (int, float, np.integer, np.floating)):
            return float(value)
        if isinstance(value, (IntImm, FloatImm)) and not value.dtype.is_bool:
            return float(value.value)
        raise Mismatch(self.name)


class _BoolType(AttrType):
    __slots__ = ()

    def convert(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        if isinstance(value, IntImm) and value.dtype.is_bool:
            return bool(value.value)
        raise Mismatch(self.name)


class _StrType(AttrType):
    __slots__ = ()

    def convert(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, StringImm):
            return value.value
        raise Mismatch(self.name)


class _DTypeType(AttrType):
    __slots__ = ()

    def convert(self, value: Any) -> DataType:
        if value is None or (isinstance(value, str) and value == ""):
            return DataType("void")
        if isinstance(value, DataTypeImm):
            return value.value
        if isinstance(value, (str, DataType)):
            try:
                return DataType(value)
            except Exception:
                raise Mismatch(self.name) from None
        raise Mismatch(self.name)

    def script_value(self, value: Any) -> Any:
        return str(value)


class _IntsType(AttrType):
    """A tuple of ints; a single int is accepted as a one-element tuple."""

    __slots__ = ()

    def convert(self, value: Any) -> tuple[int, ...]:
        single = _as_int(value)
        if single is not None:
            return (single,)
        if isinstance(value, (list, tuple, ShapeExpr)):
            items = value.values if isinstance(value, ShapeExpr) else value
            out = [_as_int(v) for v in items]
            if all(v is not None for v in out):
                return tuple(out)  # type: ignore[arg-type]
        raise Mismatch(self.name)

    def script_value(self, value: Any) -> Any:
        return list(value)


class _FloatsType(AttrType):
    __slots__ = ()

    def convert(self, value: Any) -> tuple[float, ...]:
        items = value if isinstance(value, (list, tuple)) else (value,)
        return tuple(FLOAT.convert(v) for v in items)

    def script_value(self, value: Any) -> Any:
        return list(value)


class _Optional(AttrType):
    __slots__ = ("inner",)

    def __init__(self, inner: AttrType) -> None:
        super().__init__(inner.kind, f"{inner.name} or None")
        self.inner = inner

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            return self.inner.convert(value)
        except Mismatch:
            raise Mismatch(self.name) from None

    def script_value(self, value: Any) -> Any:
        return None if value is None else self.inner.script_value(value)


class _OneOf(AttrType):
    __slots__ = ("choices",)

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__("str", "one of " + ", ".join(repr(c) for c in choices))
        self.choices = tuple(choices)

    def convert(self, value: Any) -> str:
        v = STR.convert(value)
        if v not in self.choices:
            raise Mismatch(self.name)
        return v


INT = _IntType("int", "an int")
FLOAT = _FloatType("float", "a float")
BOOL = _BoolType("bool", "a bool")
STR = _StrType("str", "a str")
DTYPE = _DTypeType("dtype", "a data type")
INTS = _IntsType("ints", "a tuple of int")
FLOATS = _FloatsType("floats", "a tuple of float")


def optional(inner: AttrType) -> AttrType:
    """`inner` or None."""
    return _Optional(inner)


def one_of(*choices: str) -> AttrType:
    """A string among `choices` (e.g. layouts, modes)."""
    return _OneOf(choices)


class Attr:
    """An attribute: `name`, `type` (an AttrType) and `default` (already in stored form after
    conversion; `...` means required)."""

    __slots__ = ("name", "type", "default", "required")

    def __init__(self, name: str, type: AttrType, default: Any = ...) -> None:
        self.name = name
        self.type = type
        self.required = default is ...
        self.default = None if self.required else type.convert(default)

    def __repr__(self) -> str:
        return f"Attr({self.name!r}, {self.type.name})"
