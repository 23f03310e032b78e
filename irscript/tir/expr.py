"""TIR expressions: vars, constants, arithmetic, comparisons, logic, loads, vectors, calls.

Python operators on expressions build IR (`A[i] * 2 + 1`), with type
promotion and constant conversion as in TVM (see `irscript.tir.op`). No
constant folding happens here: folding is the simplifier's job, and it keeps
print/parse round trips exact.

`==` and `!=` build EQ / NE nodes; nodes stay hashable by identity. `bool()`
of an EQ / NE node decides by identity (`x == x` is true, `x == y` false), so
Python containers keep working; `bool()` of any other symbolic comparison or
logical node raises IRError instead of guessing.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from irscript.errors import IRError
from irscript.ir.dtype import _INT_RANGES, DataType
from irscript.ir.dtype import int_range as _int_range
from irscript.ir.expr import GlobalVar, PrimExpr
from irscript.ir.node import DEF, IGNORE, Node, field
from irscript.ir.op import Op


class ExprOp:
    """Python operator overloads shared by concrete TIR expressions."""

    __slots__ = ()

    def __add__(self, other: Any) -> PrimExpr:
        return _ops().add(self, other)

    def __radd__(self, other: Any) -> PrimExpr:
        return _ops().add(other, self)

    def __sub__(self, other: Any) -> PrimExpr:
        return _ops().sub(self, other)

    def __rsub__(self, other: Any) -> PrimExpr:
        return _ops().sub(other, self)

    def __mul__(self, other: Any) -> PrimExpr:
        return _ops().mul(self, other)

    def __rmul__(self, other: Any) -> PrimExpr:
        return _ops().mul(other, self)

    def __truediv__(self, other: Any) -> PrimExpr:
        return _ops().truediv(self, other)

    def __rtruediv__(self, other: Any) -> PrimExpr:
        return _ops().truediv(other, self)

    def __floordiv__(self, other: Any) -> PrimExpr:
        return _ops().floordiv(self, other)

    def __rfloordiv__(self, other: Any) -> PrimExpr:
        return _ops().floordiv(other, self)

    def __mod__(self, other: Any) -> PrimExpr:
        return _ops().floormod(self, other)

    def __rmod__(self, other: Any) -> PrimExpr:
        return _ops().floormod(other, self)

    def __pow__(self, other: Any) -> PrimExpr:
        return _ops().power(self, other)

    def __rpow__(self, other: Any) -> PrimExpr:
        return _ops().power(other, self)

    def __neg__(self) -> PrimExpr:
        return _ops().neg(self)

    def __lshift__(self, other: Any) -> PrimExpr:
        return _ops().shift_left(self, other)

    def __rlshift__(self, other: Any) -> PrimExpr:
        return _ops().shift_left(other, self)

    def __rshift__(self, other: Any) -> PrimExpr:
        return _ops().shift_right(self, other)

    def __rrshift__(self, other: Any) -> PrimExpr:
        return _ops().shift_right(other, self)

    def __and__(self, other: Any) -> PrimExpr:
        return _ops().bitwise_and(self, other)

    def __rand__(self, other: Any) -> PrimExpr:
        return _ops().bitwise_and(other, self)

    def __or__(self, other: Any) -> PrimExpr:
        return _ops().bitwise_or(self, other)

    def __ror__(self, other: Any) -> PrimExpr:
        return _ops().bitwise_or(other, self)

    def __xor__(self, other: Any) -> PrimExpr:
        return _ops().bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> PrimExpr:
        return _ops().bitwise_xor(other, self)

    def __invert__(self) -> PrimExpr:
        return _ops().bitwise_not(self)

    def __lt__(self, other: Any) -> PrimExpr:
        return _ops().less(self, other)

    def __le__(self, other: Any) -> PrimExpr:
        return _ops().less_equal(self, other)

    def __gt__(self, other: Any) -> PrimExpr:
        return _ops().greater(self, other)

    def __ge__(self, other: Any) -> PrimExpr:
        return _ops().greater_equal(self, other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        if not isinstance(other, _OPERAND_TYPES):  # e.g. `x == None`: plain Python identity
            return NotImplemented
        return _ops().equal(self, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return _ops().not_equal(self, other)

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise IRError(
            f"cannot decide the truth of the symbolic expression {self!r}; "
            "use T.if_then_else / T.Select or an `if` statement in a script"
        )

    def astype(self, dtype: Any) -> PrimExpr:
        return _ops().cast(dtype, self)


_OPS_MODULE: Any = None
_OPERAND_TYPES: tuple[type, ...] = (PrimExpr, bool, int, float, str, np.generic)


def _ops() -> Any:
    global _OPS_MODULE
    if _OPS_MODULE is None:
        from irscript.tir import op

        _OPS_MODULE = op
    return _OPS_MODULE


class PrimExprWithOp(ExprOp, PrimExpr):
    """A PrimExpr with Python operators; every concrete TIR expression derives it."""

    __slots__ = ()


class PointerType(Node, type_key="ir.PointerType"):
    """The type annotation of a handle var that points to `element_type` data in `storage_scope`."""

    __slots__ = ()
    element_type: DataType
    storage_scope: str = "global"


class Var(PrimExprWithOp, type_key="tir.Var"):
    """A scalar variable. `name_hint` is ignored by equality; vars are defined at binding sites."""

    __slots__ = ()
    _binding = "var"
    name_hint: str = field(default="v", role=IGNORE)
    type_annotation: PointerType | None = None

    def __init__(
        self,
        name_hint: str = "v",
        dtype: Any = "int32",
        type_annotation: PointerType | None = None,
        *,
        span: Any = None,
    ) -> None:
        self._set_fields(dtype, name_hint, type_annotation, span=span)


class SizeVar(Var, type_key="tir.SizeVar"):
    """A variable known to be non-negative (a shape dimension)."""

    __slots__ = ()


class IntImm(PrimExprWithOp, type_key="tir.IntImm"):
    """An integer (or bool) constant."""

    __slots__ = ()
    value: int

    def __init__(self, dtype: Any, value: int, *, span: Any = None) -> None:
        dt = dtype if type(dtype) is DataType else DataType(dtype)
        bounds = _INT_RANGES.get(dt)
        if bounds is None:
            if not (dt.is_integer or dt.is_bool) or dt.lanes != 1:
                raise IRError(f"IntImm needs a scalar integer or bool type, got {dt}")
            bounds = _int_range(dt)
        if type(value) is not int:
            value = int(value) if isinstance(value, bool) else _as_int(value)
        if not bounds[0] <= value <= bounds[1]:
            raise IRError(f"{value} does not fit in {dt}")
        self._set_fields(dt, value, span=span)

    def _from_json_check(self) -> str | None:
        """The constructor's checks, for nodes loaded from JSON."""
        dt = self.dtype
        if not (dt.is_integer or dt.is_bool) or dt.lanes != 1:
            return f"IntImm needs a scalar integer or bool type, got {dt}"
        lo, hi = _int_range(dt)
        return None if lo <= self.value <= hi else f"{self.value} does not fit in {dt}"

    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value != 0


def _as_int(value: Any) -> int:
    if isinstance(value, np.integer):
        return int(value)
    raise IRError(f"IntImm value must be an int, got {type(value).__name__}")


class FloatImm(PrimExprWithOp, type_key="tir.FloatImm"):
    """A floating-point constant."""

    __slots__ = ()
    value: float

    def __init__(self, dtype: Any, value: float, *, span: Any = None) -> None:
        dt = DataType(dtype)
        if not dt.is_float or dt.lanes != 1:
            raise IRError(f"FloatImm needs a scalar float type, got {dt}")
        self._set_fields(dt, float(value), span=span)

    def _from_json_check(self) -> str | None:
        dt = self.dtype
        return None if dt.is_float and dt.lanes == 1 else f"FloatImm needs a scalar float type, got {dt}"

    def __float__(self) -> float:
        return self.value


class StringImm(PrimExprWithOp, type_key="tir.StringImm"):
    """A string constant (dtype handle), e.g. an extern function name or an assert message."""

    __slots__ = ()
    value: str

    def __init__(self, value: str, *, span: Any = None) -> None:
        self._set_fields(DataType("handle"), value, span=span)


class Cast(PrimExprWithOp, type_key="tir.Cast"):
    __slots__ = ()
    value: PrimExpr

    def __init__(self, dtype: Any, value: Any, *, span: Any = None) -> None:
        self._set_fields(dtype, value, span=span)


class BinaryOp(PrimExprWithOp):
    """Base of two-operand arithmetic nodes; operands must have the same dtype."""

    __slots__ = ()
    a: PrimExpr
    b: PrimExpr

    def __init__(self, a: Any, b: Any, *, span: Any = None) -> None:
        a, b = _ops().match_types(a, b, strict=True, what=type(self).__name__)
        self._set_fields(a.dtype, a, b, span=span)


class Add(BinaryOp, type_key="tir.Add"):
    __slots__ = ()


class Sub(BinaryOp, type_key="tir.Sub"):
    __slots__ = ()


class Mul(BinaryOp, type_key="tir.Mul"):
    __slots__ = ()


class Div(BinaryOp, type_key="tir.Div"):
    """Division: true division for floats, truncating for integers (T.truncdiv prints for ints)."""

    __slots__ = ()


class Mod(BinaryOp, type_key="tir.Mod"):
    """Truncated remainder (C semantics)."""

    __slots__ = ()


class FloorDiv(BinaryOp, type_key="tir.FloorDiv"):
    __slots__ = ()


class FloorMod(BinaryOp, type_key="tir.FloorMod"):
    __slots__ = ()


class Min(BinaryOp, type_key="tir.Min"):
    __slots__ = ()


class Max(BinaryOp, type_key="tir.Max"):
    __slots__ = ()


class CmpOp(PrimExprWithOp):
    """Base of comparisons: the result is bool (with the operands' lanes)."""

    __slots__ = ()
    a: PrimExpr
    b: PrimExpr

    def __init__(self, a: Any, b: Any, *, span: Any = None) -> None:
        a, b = _ops().match_types(a, b, strict=True, what=type(self).__name__)
        self._set_fields(DataType("bool").with_lanes(a.dtype.lanes), a, b, span=span)


class EQ(CmpOp, type_key="tir.EQ"):
    __slots__ = ()

    def __bool__(self) -> bool:
        return self.a is self.b


class NE(CmpOp, type_key="tir.NE"):
    __slots__ = ()

    def __bool__(self) -> bool:
        return self.a is not self.b


class LT(CmpOp, type_key="tir.LT"):
    __slots__ = ()


class LE(CmpOp, type_key="tir.LE"):
    __slots__ = ()


class GT(CmpOp, type_key="tir.GT"):
    __slots__ = ()


class GE(CmpOp, type_key="tir.GE"):
    __slots__ = ()


class And(PrimExprWithOp, type_key="tir.And"):
    __slots__ = ()
    a: PrimExpr
    b: PrimExpr

    def __init__(self, a: Any, b: Any, *, span: Any = None) -> None:
        a, b = _ops().as_bool(a), _ops().as_bool(b)
        self._set_fields(a.dtype, a, b, span=span)


class Or(PrimExprWithOp, type_key="tir.Or"):
    __slots__ = ()
    a: PrimExpr
    b: PrimExpr

    def __init__(self, a: Any, b: Any, *, span: Any = None) -> None:
        a, b = _ops().as_bool(a), _ops().as_bool(b)
        self._set_fields(a.dtype, a, b, span=span)


class Not(PrimExprWithOp, type_key="tir.Not"):
    __slots__ = ()
    a: PrimExpr

    def __init__(self, a: Any, *, span: Any = None) -> None:
        a = _ops().as_bool(a)
        self._set_fields(a.dtype, a, span=span)


class Select(PrimExprWithOp, type_key="tir.Select"):
    """`condition ? true_value : false_value`, evaluating both sides."""

    __slots__ = ()
    condition: PrimExpr
    true_value: PrimExpr
    false_value: PrimExpr

    def __init__(self, condition: Any, true_value: Any, false_value: Any, *, span: Any = None) -> None:
        t, f = _ops().match_types(true_value, false_value, strict=False, what="Select")
        self._set_fields(t.dtype, _ops().as_bool(condition), t, f, span=span)


class BufferLoad(PrimExprWithOp, type_key="tir.BufferLoad"):
    """`buffer[indices]`; a Ramp index makes a vector load."""

    __slots__ = ()
    buffer: "Buffer"
    indices: tuple[PrimExpr, ...]
    predicate: PrimExpr | None = None

    def __init__(self, buffer: Any, indices: Any, predicate: Any = None, *, span: Any = None) -> None:
        from irscript.tir.op import convert

        indices = tuple(convert(i) for i in indices)
        lanes = indices[-1].dtype.lanes if indices else 1
        dtype = buffer.dtype.with_lanes(buffer.dtype.lanes * lanes) if lanes > 1 else buffer.dtype
        self._set_fields(dtype, buffer, indices, predicate, span=span)


class Ramp(PrimExprWithOp, type_key="tir.Ramp"):
    """The vector `base, base + stride, ..., base + (lanes - 1) * stride`."""

    __slots__ = ()
    base: PrimExpr
    stride: PrimExpr
    lanes: int

    def __init__(self, base: Any, stride: Any, lanes: int, *, span: Any = None) -> None:
        base, stride = _ops().match_types(base, stride, strict=False, what="Ramp")
        self._set_fields(base.dtype.with_lanes(int(lanes)), base, stride, int(lanes), span=span)


class Broadcast(PrimExprWithOp, type_key="tir.Broadcast"):
    """The vector of `lanes` copies of a scalar."""

    __slots__ = ()
    value: PrimExpr
    lanes: int

    def __init__(self, value: Any, lanes: int, *, span: Any = None) -> None:
        value = _ops().convert(value)
        self._set_fields(value.dtype.with_lanes(int(lanes)), value, int(lanes), span=span)


class Let(PrimExprWithOp, type_key="tir.Let"):
    """`let var = value in body` as an expression."""

    __slots__ = ()
    var: Var = field(role=DEF)
    value: PrimExpr
    body: PrimExpr

    def __init__(self, var: Var, value: Any, body: Any, *, span: Any = None) -> None:
        body = _ops().convert(body)
        self._set_fields(body.dtype, var, value, body, span=span)


class Call(PrimExprWithOp, type_key="tir.Call"):
    """A call of an intrinsic Op (e.g. `tir.exp`, `tir.call_extern`) or of a GlobalVar."""

    __slots__ = ()
    op: Op | GlobalVar
    args: tuple[PrimExpr, ...]

    def __init__(self, dtype: Any, op: Any, args: Any = (), *, span: Any = None) -> None:
        if isinstance(op, str):
            op = Op.get(op)
        from irscript.tir.op import convert

        self._set_fields(dtype, op, tuple(convert(a) for a in args), span=span)


class IterVarType(enum.Enum):
    """What an iteration variable does (TVM's IterVarType)."""

    DATA_PAR = 0
    THREAD_INDEX = 1
    COMM_REDUCE = 2
    ORDERED = 3
    OPAQUE = 4
    UNROLLED = 5
    VECTORIZED = 6
    PARALLELIZED = 7
    TENSORIZED = 8


class IterVar(Node, type_key="tir.IterVar"):
    """A block axis (`T.axis.spatial/reduce/...`) or a thread axis (`T.env_thread`)."""

    __slots__ = ()
    dom: "Range | None"
    var: Var = field(role=DEF)
    iter_type: IterVarType = IterVarType.DATA_PAR
    thread_tag: str = ""


class CommReducer(Node, type_key="tir.CommReducer"):
    """A commutative reducer: `result(lhs, rhs)` with identity elements (`T.comm_reducer`)."""

    __slots__ = ()
    lhs: tuple[Var, ...] = field(role=DEF)
    rhs: tuple[Var, ...] = field(role=DEF)
    result: tuple[PrimExpr, ...]
    identity_element: tuple[PrimExpr, ...]


from irscript.ir.expr import Range  # noqa: E402  (annotation of IterVar.dom)
from irscript.tir.buffer import Buffer  # noqa: E402  (annotation of BufferLoad.buffer)
