"""TIR expression builders: constants, conversion, type promotion, operators and intrinsics.

The Python operators of TIR expressions and the `T.*` expression functions of
the script namespace call these. Intrinsics are registered Ops named
`tir.<name>`, each with a `script_name` attribute the printer uses and an
`arity` (None: variadic). No constant folding happens here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from irscript.errors import IRError
from irscript.ir.dtype import DataType, int_range
from irscript.ir.expr import GlobalVar, PrimExpr
from irscript.ir.fieldtype import register_coercion
from irscript.ir.op import Op, register_op
from irscript.tir import expr as _e

BOOL = DataType("bool")
INT32 = DataType("int32")
INT64 = DataType("int64")
FLOAT32 = DataType("float32")


# ---------------------------------------------------------------------------------------------
# constants and conversion
# ---------------------------------------------------------------------------------------------
def const(value: Any, dtype: Any = None) -> PrimExpr:
    """A constant: int -> IntImm (int32, or int64 if it does not fit), float -> FloatImm
    (float32), bool -> IntImm bool; `dtype` overrides."""
    if isinstance(value, (np.generic,)):
        value = value.item()
    if dtype is None:
        if isinstance(value, bool):
            return _e.IntImm(BOOL, int(value))
        if isinstance(value, int):
            return _e.IntImm(INT32 if -(2**31) <= value < 2**31 else INT64, value)
        if isinstance(value, float):
            return _e.FloatImm(FLOAT32, value)
        raise IRError(f"cannot make a constant of {type(value).__name__} {value!r}")
    dt = DataType(dtype)
    if dt.lanes > 1:
        return _e.Broadcast(const(value, dt.element_of()), dt.lanes)
    if dt.is_float:
        return _e.FloatImm(dt, float(value))
    if dt.is_integer or dt.is_bool:
        if isinstance(value, float):
            if not value.is_integer():
                raise IRError(f"{value!r} is not an integer, cannot make a {dt} constant")
            value = int(value)
        return _e.IntImm(dt, int(value))
    raise IRError(f"cannot make a constant of type {dt}")


def convert(value: Any) -> PrimExpr:
    """`value` as a PrimExpr: expressions pass through, Python numbers become constants."""
    if isinstance(value, PrimExpr):
        return value
    if isinstance(value, (bool, int, float, np.generic)):
        return const(value)
    if isinstance(value, str):
        return _e.StringImm(value)
    raise IRError(f"expected a TIR expression, got {type(value).__name__} {value!r:.60}")


def _coerce_prim(value: Any) -> PrimExpr:
    if isinstance(value, (bool, int, float, np.generic)):
        return const(value)
    raise TypeError


register_coercion(PrimExpr, _coerce_prim)


def _const_like(value: Any, dtype: DataType) -> PrimExpr:
    """A Python number as a constant of `dtype` (for `x + 1` where x has that dtype)."""
    elem = dtype.element_of()
    if isinstance(value, bool):
        c = _e.IntImm(BOOL, int(value)) if elem.is_bool else const(int(value), elem)
    elif isinstance(value, int):
        if elem.is_float:
            c = _e.FloatImm(elem, float(value))
        elif elem.is_integer:
            lo, hi = int_range(elem)
            c = _e.IntImm(elem, value) if lo <= value <= hi else const(value)
        else:
            c = const(value)
    elif isinstance(value, float):
        c = _e.FloatImm(elem, value) if elem.is_float else const(value)
    else:
        return convert(value)
    if dtype.lanes > 1 and c.dtype.lanes == 1:
        return _e.Broadcast(c, dtype.lanes)
    return c


def _promote(a: PrimExpr, b: PrimExpr) -> tuple[PrimExpr, PrimExpr]:
    ta, tb = a.dtype, b.dtype
    if ta == tb:
        return a, b
    if ta.lanes != tb.lanes:
        if ta.lanes == 1:
            a = _e.Broadcast(a, tb.lanes)
        elif tb.lanes == 1:
            b = _e.Broadcast(b, ta.lanes)
        else:
            raise IRError(f"cannot combine vectors of {ta.lanes} and {tb.lanes} lanes")
        return _promote(a, b)
    for t in (ta, tb):
        if not (t.is_integer or t.is_float or t.is_bool):
            raise IRError(f"cannot combine values of types {ta} and {tb}")
    if ta.is_float and not tb.is_float:
        return a, cast(ta, b)
    if tb.is_float and not ta.is_float:
        return cast(tb, a), b
    if ta.is_float and tb.is_float:
        return (cast(tb, a), b) if tb.bits > ta.bits else (a, cast(ta, b))
    if ta.is_bool:
        return cast(tb, a), b
    if tb.is_bool:
        return a, cast(ta, b)
    if ta.code == tb.code:
        return (cast(tb, a), b) if tb.bits > ta.bits else (a, cast(ta, b))
    # int with uint: the signed type of the larger width
    bits = ta.bits if ta.bits >= tb.bits else tb.bits  # (`max` here is the TIR builder)
    target = DataType.make("int", bits, ta.lanes)
    return (a if ta == target else cast(target, a)), (b if tb == target else cast(target, b))


def match_types(a: Any, b: Any, strict: bool = False, what: str = "operation") -> tuple[PrimExpr, PrimExpr]:
    """Make two operands one dtype. Python numbers take the other side's dtype. With
    `strict`, two expressions of different dtypes are an error (node constructors);
    otherwise they are promoted as TVM does (operators)."""
    a_expr = isinstance(a, PrimExpr)
    b_expr = isinstance(b, PrimExpr)
    if a_expr and not b_expr:
        b = _const_like(b, a.dtype)
    elif b_expr and not a_expr:
        a = _const_like(a, b.dtype)
    elif not a_expr and not b_expr:
        a, b = convert(a), convert(b)
    if a.dtype != b.dtype:
        if strict:
            raise IRError(f"{what} operands have different types: {a.dtype} and {b.dtype}")
        a, b = _promote(a, b)
    return a, b


def as_bool(x: Any) -> PrimExpr:
    x = convert(x)
    if not x.dtype.is_bool:
        raise IRError(f"expected a boolean expression, got one of type {x.dtype}")
    return x


# ---------------------------------------------------------------------------------------------
# arithmetic, comparison, logic
# ---------------------------------------------------------------------------------------------
def add(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.Add(a, b)


def sub(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.Sub(a, b)


def mul(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.Mul(a, b)


def truediv(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    if not a.dtype.is_float:
        raise IRError(
            "`/` on integers is ambiguous: use `//` (floor division), T.floordiv or T.truncdiv"
        )
    return _e.Div(a, b)


def div(a: Any, b: Any) -> PrimExpr:
    """`T.Div`: true division for floats, truncating division for integers."""
    a, b = match_types(a, b)
    return _e.Div(a, b)


def truncdiv(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.Div(a, b)


def truncmod(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.Mod(a, b)


def floordiv(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.FloorDiv(a, b)


def floormod(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.FloorMod(a, b)


def ceildiv(a: Any, b: Any) -> PrimExpr:
    """Ceiling division of integers: `(a + b - 1) // b`."""
    a, b = match_types(a, b)
    return floordiv(sub(add(a, b), 1), b)


def min(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.Min(a, b)


def max(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.Max(a, b)


def neg(a: Any) -> PrimExpr:
    """`-a`, built as `a * -1` (as TVM does)."""
    a = convert(a)
    return _e.Mul(a, _const_like(-1, a.dtype))


def equal(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.EQ(a, b)


def not_equal(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.NE(a, b)


def less(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.LT(a, b)


def less_equal(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.LE(a, b)


def greater(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.GT(a, b)


def greater_equal(a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    return _e.GE(a, b)


def logical_and(*args: Any) -> PrimExpr:
    out = as_bool(args[0])
    for x in args[1:]:
        out = _e.And(out, as_bool(x))
    return out


def logical_or(*args: Any) -> PrimExpr:
    out = as_bool(args[0])
    for x in args[1:]:
        out = _e.Or(out, as_bool(x))
    return out


def logical_not(a: Any) -> PrimExpr:
    return _e.Not(as_bool(a))


def cast(dtype: Any, value: Any) -> PrimExpr:
    """`value` converted to `dtype` (a Cast node; a Python number becomes a constant of `dtype`)."""
    dt = DataType(dtype)
    if not isinstance(value, PrimExpr):
        return const(value, dt)
    if value.dtype == dt:
        return value
    if value.dtype.lanes == 1 and dt.lanes > 1:
        return _e.Broadcast(cast(dt.element_of(), value), dt.lanes)
    return _e.Cast(dt, value)


def select(condition: Any, true_value: Any, false_value: Any) -> PrimExpr:
    return _e.Select(condition, true_value, false_value)


# ---------------------------------------------------------------------------------------------
# intrinsics
# ---------------------------------------------------------------------------------------------
def register_intrinsic(name: str, script_name: str | None = None, arity: int | None = None, pure: bool = True) -> Op:
    """Register the TIR intrinsic `tir.<name>`, spelled `T.<script_name>` in scripts."""
    return register_op(f"tir.{name}", script_name=script_name or name, arity=arity, pure=pure, dialect="tir")


UNARY_MATH = (
    "exp", "exp2", "exp10", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "tanh", "sigmoid",
    "erf", "floor", "ceil", "round", "trunc", "nearbyint", "fabs", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "isnan", "isinf", "isfinite",
    "popcount", "clz", "abs",
)
BINARY_MATH = ("pow", "atan2", "hypot", "copysign", "fmod", "nextafter", "ldexp")
_BOOL_RESULT = {"isnan", "isinf", "isfinite"}

for _name in UNARY_MATH:
    register_intrinsic(_name, arity=1)
for _name in BINARY_MATH:
    register_intrinsic(_name, arity=2)
for _name in ("bitwise_and", "bitwise_or", "bitwise_xor", "shift_left", "shift_right"):
    register_intrinsic(_name, arity=2)
register_intrinsic("bitwise_not", arity=1)
register_intrinsic("if_then_else", arity=3)
register_intrinsic("likely", arity=1)
register_intrinsic("reinterpret", arity=1)
register_intrinsic("call_extern", pure=False)
register_intrinsic("call_pure_extern")
register_intrinsic("call_packed", pure=False)
register_intrinsic("call_cpacked", pure=False)
register_intrinsic("call_intrin", pure=False)
register_intrinsic("address_of", arity=1)
register_intrinsic("ret", arity=1, pure=False)
register_intrinsic("assume", arity=1)
register_intrinsic("undef", arity=0)
register_intrinsic("tvm_access_ptr", arity=5)
register_intrinsic("tvm_thread_allreduce", pure=False)
register_intrinsic("tvm_storage_sync", pure=False)
register_intrinsic("isnullptr", arity=1)


def call_intrin(dtype: Any, name: str, *args: Any) -> PrimExpr:
    """A call of the intrinsic `tir.<name>` (or a full op name) returning `dtype`."""
    op = Op.get(name if "." in name else f"tir.{name}")
    arity = op.get_attr("arity")
    if arity is not None and len(args) != arity:
        raise IRError(f"T.{op.get_attr('script_name')} takes {arity} argument(s), got {len(args)}")
    return _e.Call(dtype, op, [convert(a) for a in args])


def _unary_math(name: str) -> Any:
    def build(x: Any) -> PrimExpr:
        x = convert(x)
        dtype = BOOL.with_lanes(x.dtype.lanes) if name in _BOOL_RESULT else x.dtype
        return _e.Call(dtype, Op.get(f"tir.{name}"), [x])

    build.__name__ = name
    build.__doc__ = f"The TIR intrinsic `tir.{name}` of one operand."
    return build


def _binary_math(name: str) -> Any:
    def build(x: Any, y: Any) -> PrimExpr:
        x, y = match_types(x, y)
        return _e.Call(x.dtype, Op.get(f"tir.{name}"), [x, y])

    build.__name__ = name
    build.__doc__ = f"The TIR intrinsic `tir.{name}` of two operands."
    return build


MATH: dict[str, Any] = {n: _unary_math(n) for n in UNARY_MATH}
MATH.update({n: _binary_math(n) for n in BINARY_MATH})
exp = MATH["exp"]
log = MATH["log"]
sqrt = MATH["sqrt"]
rsqrt = MATH["rsqrt"]
tanh = MATH["tanh"]
sigmoid = MATH["sigmoid"]
erf = MATH["erf"]
floor = MATH["floor"]
ceil = MATH["ceil"]
abs = MATH["abs"]


def power(a: Any, b: Any) -> PrimExpr:
    return MATH["pow"](a, b)


def _bitwise(name: str, a: Any, b: Any) -> PrimExpr:
    a, b = match_types(a, b)
    if a.dtype.is_bool and name in ("bitwise_and", "bitwise_or"):
        return _e.And(a, b) if name == "bitwise_and" else _e.Or(a, b)
    if not (a.dtype.is_integer or a.dtype.is_bool):
        raise IRError(f"{name} needs integer operands, got {a.dtype}")
    return _e.Call(a.dtype, Op.get(f"tir.{name}"), [a, b])


def bitwise_and(a: Any, b: Any) -> PrimExpr:
    return _bitwise("bitwise_and", a, b)


def bitwise_or(a: Any, b: Any) -> PrimExpr:
    return _bitwise("bitwise_or", a, b)


def bitwise_xor(a: Any, b: Any) -> PrimExpr:
    return _bitwise("bitwise_xor", a, b)


def shift_left(a: Any, b: Any) -> PrimExpr:
    return _bitwise("shift_left", a, b)


def shift_right(a: Any, b: Any) -> PrimExpr:
    return _bitwise("shift_right", a, b)


def bitwise_not(a: Any) -> PrimExpr:
    a = convert(a)
    if a.dtype.is_bool:
        return _e.Not(a)
    return _e.Call(a.dtype, Op.get("tir.bitwise_not"), [a])


def if_then_else(condition: Any, true_value: Any, false_value: Any) -> PrimExpr:
    """`condition ? t : f` evaluating only the chosen side (unlike Select)."""
    t, f = match_types(true_value, false_value)
    return _e.Call(t.dtype, Op.get("tir.if_then_else"), [as_bool(condition), t, f])


def likely(condition: Any) -> PrimExpr:
    c = as_bool(condition)
    return _e.Call(c.dtype, Op.get("tir.likely"), [c])


def call_extern(dtype: Any, name: str, *args: Any) -> PrimExpr:
    """A call of the external C function `name` (resolved by the interpreter's extern registry)."""
    return _e.Call(dtype, Op.get("tir.call_extern"), [_e.StringImm(name), *[convert(a) for a in args]])


def call_pure_extern(dtype: Any, name: str, *args: Any) -> PrimExpr:
    return _e.Call(dtype, Op.get("tir.call_pure_extern"), [_e.StringImm(name), *[convert(a) for a in args]])


def call_packed(name: str, *args: Any, dtype: Any = "int32") -> PrimExpr:
    return _e.Call(dtype, Op.get("tir.call_packed"), [_e.StringImm(name), *[convert(a) for a in args]])


def address_of(load: Any) -> PrimExpr:
    if not isinstance(load, _e.BufferLoad):
        raise IRError("T.address_of takes a buffer element, like T.address_of(A[i])")
    return _e.Call("handle", Op.get("tir.address_of"), [load])


def reinterpret(dtype: Any, value: Any) -> PrimExpr:
    return _e.Call(dtype, Op.get("tir.reinterpret"), [convert(value)])


def ret(value: Any) -> PrimExpr:
    value = convert(value)
    return _e.Call(value.dtype, Op.get("tir.ret"), [value])


def call_tir_function(gv: GlobalVar, *args: Any, dtype: Any = "void") -> PrimExpr:
    """A call of another PrimFunc of the module."""
    return _e.Call(dtype, gv, [convert(a) for a in args])


def max_value(dtype: Any) -> PrimExpr:
    """The largest finite value of `dtype`."""
    dt = DataType(dtype)
    if dt.is_integer or dt.is_bool:
        return _e.IntImm(dt, int_range(dt)[1])
    if dt.is_float:
        return _e.FloatImm(dt, float(_finfo(dt).max))
    raise IRError(f"T.max_value: {dt} has no maximum")


def min_value(dtype: Any) -> PrimExpr:
    """The smallest finite value of `dtype`."""
    dt = DataType(dtype)
    if dt.is_integer or dt.is_bool:
        return _e.IntImm(dt, int_range(dt)[0])
    if dt.is_float:
        return _e.FloatImm(dt, float(_finfo(dt).min))
    raise IRError(f"T.min_value: {dt} has no minimum")


def infinity(dtype: Any) -> PrimExpr:
    return _e.FloatImm(DataType(dtype), math.inf)


def _finfo(dt: DataType) -> Any:
    np_dtype = dt.numpy_dtype()
    try:
        return np.finfo(np_dtype)
    except ValueError:
        import ml_dtypes

        return ml_dtypes.finfo(np_dtype)
