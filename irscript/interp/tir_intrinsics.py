"""TIR intrinsics (`tir.<name>` ops): math, bit operations, `if_then_else`, `likely`,
`reinterpret`, extern calls and the few runtime intrinsics a sequential interpreter can run.

Math is computed with numpy ufuncs in the value's dtype; float16, bfloat16 and
the float8 kinds are computed in float32 and rounded back (as numpy itself
does for float16), `erf` in float64 with `math.erf` and rounded back,
`rsqrt` as `1 / sqrt(x)` and `sigmoid` as `1 / (1 + exp(-x))` in the dtype.
The same function serves numpy scalars, lane vectors and batched arrays, so
the scalar and the vectorized paths compute the same bits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from irscript.errors import Error, ExecutionError
from irscript.interp.errors import fail
from irscript.interp.registry import extern_function, packed_function, register_intrinsic, register_tir_call
from irscript.interp.tir_core import Lazy, TIRCompiler
from irscript.interp.tir_expr import check_bounds, choose
from irscript.interp.values import np_dtype, scalar
from irscript.ir.dtype import DataType
from irscript.ir.path import ObjectPath
from irscript.tir import expr as E

__all__ = ["UNSUPPORTED", "Pointer", "Return"]

ndarray = np.ndarray
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


def _narrow(dtype: DataType) -> bool:
    """Floats numpy computes through float32 (float16, bfloat16, float8 ...)."""
    return dtype.is_float and (dtype.bits < 32 or dtype.code != "float")


def _float_fn(ufunc: Any) -> Any:
    def fn(dtype: DataType, *xs: Any) -> Any:
        if _narrow(dtype):
            npd = np_dtype(dtype)
            return ufunc(*[np.asarray(x).astype(_F32) for x in xs]).astype(npd)[()]
        return ufunc(*xs)

    return fn


_UFUNCS = {
    "exp": np.exp, "exp2": np.exp2, "log": np.log, "log2": np.log2, "log10": np.log10, "log1p": np.log1p,
    "sqrt": np.sqrt, "tanh": np.tanh, "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin,
    "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "asinh": np.arcsinh,
    "acosh": np.arccosh, "atanh": np.arctanh, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc,
    "round": np.rint, "nearbyint": np.rint, "fabs": np.abs, "atan2": np.arctan2, "hypot": np.hypot,
    "copysign": np.copysign, "fmod": np.fmod, "nextafter": np.nextafter,
}
for _name, _ufunc in _UFUNCS.items():
    register_intrinsic(f"tir.{_name}")(_float_fn(_ufunc))


def _exp10(x: Any) -> Any:
    return np.power(x.dtype.type(10), x)


def _rsqrt(x: Any) -> Any:
    return x.dtype.type(1) / np.sqrt(x)


def _sigmoid(x: Any) -> Any:
    one = x.dtype.type(1)
    return one / (one + np.exp(-x))


register_intrinsic("tir.exp10")(_float_fn(_exp10))
register_intrinsic("tir.rsqrt")(_float_fn(_rsqrt))
register_intrinsic("tir.sigmoid")(_float_fn(_sigmoid))

_ERF = np.frompyfunc(math.erf, 1, 1)


@register_intrinsic("tir.erf")
def _erf(dtype: DataType, x: Any) -> Any:
    wide = np.asarray(x).astype(_F64)
    return np.asarray(_ERF(wide), dtype=_F64).astype(np_dtype(dtype))[()]


@register_intrinsic("tir.abs")
def _abs(dtype: DataType, x: Any) -> Any:
    if _narrow(dtype):
        return _float_fn(np.abs)(dtype, x)
    return np.abs(x)


@register_intrinsic("tir.pow")
def _pow(dtype: DataType, x: Any, y: Any) -> Any:
    if dtype.is_float:
        return _float_fn(np.power)(dtype, x, y)
    return np.power(x, y)


@register_intrinsic("tir.ldexp")
def _ldexp(dtype: DataType, x: Any, y: Any) -> Any:
    exp = np.asarray(y).astype(np.int32)
    if _narrow(dtype):
        return np.ldexp(np.asarray(x).astype(_F32), exp).astype(np_dtype(dtype))[()]
    return np.ldexp(x, exp)


def _predicate(ufunc: Any) -> Any:
    def fn(dtype: DataType, x: Any) -> Any:
        if x.dtype.kind != "f" or x.dtype.itemsize < 4:  # float16, ml_dtypes kinds (and ints)
            x = np.asarray(x).astype(_F32)[()]
        return ufunc(x)

    return fn


register_intrinsic("tir.isnan")(_predicate(np.isnan))
register_intrinsic("tir.isinf")(_predicate(np.isinf))
register_intrinsic("tir.isfinite")(_predicate(np.isfinite))


def _bits_fn(per_int: Any) -> Any:
    vectorized = np.frompyfunc(per_int, 2, 1)

    def fn(dtype: DataType, x: Any) -> Any:
        bits = np_dtype(dtype).itemsize * 8
        if type(x) is ndarray:
            return vectorized(x.astype(object), bits).astype(x.dtype)
        return x.dtype.type(per_int(int(x), bits))

    return fn


register_intrinsic("tir.popcount")(_bits_fn(lambda v, bits: bin(v & ((1 << bits) - 1)).count("1")))
register_intrinsic("tir.clz")(_bits_fn(lambda v, bits: bits - (v & ((1 << bits) - 1)).bit_length()))

register_intrinsic("tir.bitwise_and")(lambda dtype, a, b: a & b)
register_intrinsic("tir.bitwise_or")(lambda dtype, a, b: a | b)
register_intrinsic("tir.bitwise_xor")(lambda dtype, a, b: a ^ b)
register_intrinsic("tir.bitwise_not")(lambda dtype, a: ~a)
register_intrinsic("tir.shift_left")(lambda dtype, a, b: a << b)
register_intrinsic("tir.shift_right")(lambda dtype, a, b: a >> b)
register_intrinsic("tir.likely")(lambda dtype, x: x)


@register_intrinsic("tir.reinterpret", batchable=False)
def _reinterpret(dtype: DataType, x: Any) -> Any:
    if dtype.is_handle:
        return x
    return np.asarray(x).view(np_dtype(dtype))[()]


# ---------------------------------------------------------------------------------------------
# intrinsics with their own closures
# ---------------------------------------------------------------------------------------------
@register_tir_call("tir.if_then_else", batchable=True)
def _if_then_else(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    fc, ft, ff = (c.expr(a, path) for a in e.args)
    if e.dtype.lanes != 1 or e.args[0].dtype.lanes != 1:
        return lambda env: np.where(fc(env), ft(env), ff(env))  # lanes: both sides (as TVM does)
    if c.batched:
        npd = np_dtype(e.dtype)
        lazy_t, lazy_f = Lazy(ft, e.args[1]), Lazy(ff, e.args[2])
        return lambda env: choose(env, fc(env), lazy_t, lazy_f, npd)
    return lambda env: ft(env) if fc(env) else ff(env)


def _extern_call(c: TIRCompiler, e: E.Call, path: ObjectPath, lookup: Any, kind: str) -> Any:
    if not e.args or not isinstance(e.args[0], E.StringImm):
        raise fail(f"{e.op.name} needs the function name as its first argument", path)
    name = e.args[0].value
    fs = [c.expr(a, path) for a in e.args[1:]]
    dtype = e.dtype

    def run(env: dict) -> Any:
        fn = lookup(name)
        if fn is None:
            hint = "irscript.interp.register_extern" if kind == "extern" else "irscript.interp.register_func"
            raise fail(f"no {kind} function {name!r} is registered (register one with {hint})", path)
        args = [f(env) for f in fs]
        try:
            result = fn(*args)
        except (Error, RecursionError):
            raise
        except Exception as exc:
            raise fail(f"{kind} function {name!r} raised {type(exc).__name__}: {exc}", path) from exc
        if dtype.is_void or dtype.is_handle:
            return result
        try:
            return scalar(result, dtype) if dtype.lanes == 1 else np.asarray(result, np_dtype(dtype))
        except (TypeError, ValueError, OverflowError, ExecutionError):
            raise fail(f"{kind} function {name!r} returned {result}, which is not a {dtype} value", path) from None

    return run


@register_tir_call("tir.call_extern")
def _call_extern(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    return _extern_call(c, e, path, extern_function, "extern")


register_tir_call("tir.call_pure_extern")(_call_extern)


@register_tir_call("tir.call_packed")
def _call_packed(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    return _extern_call(c, e, path, packed_function, "library")


register_tir_call("tir.call_cpacked")(_call_packed)

# Not runnable here: `tir.call_intrin` (a call of an arbitrary named intrinsic), `tir.tvm_access_ptr`
# (raw pointer arithmetic) and `tir.tvm_thread_allreduce` (needs threads running together); a call
# of one is an ExecutionError when it executes.
UNSUPPORTED = ("tir.call_intrin", "tir.tvm_access_ptr", "tir.tvm_thread_allreduce")


class Pointer:
    """The value of `T.address_of(A[i, j])`: the buffer's view and the element's indices."""

    __slots__ = ("view", "indices")

    def __init__(self, view: ndarray, indices: tuple[Any, ...]) -> None:
        self.view = view
        self.indices = indices

    def load(self) -> Any:
        return self.view[self.indices]

    def __repr__(self) -> str:
        return f"Pointer({tuple(int(i) for i in self.indices)})"


@register_tir_call("tir.address_of")
def _address_of(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    load = e.args[0]
    if not isinstance(load, E.BufferLoad):
        raise fail("T.address_of needs a buffer element", path)
    key, name = id(load.buffer), load.buffer.name
    fs = [c.expr(i, path) for i in load.indices]

    def run(env: dict) -> Pointer:
        view = env[key]
        idx = tuple(f(env) for f in fs)
        check_bounds("address_of", name, view, idx, path)
        return Pointer(view, idx)

    return run


class Return(Exception):
    """`T.ret(value)`: unwinds to the PrimFunc runner with the function's result."""

    def __init__(self, value: Any) -> None:
        self.value = value


@register_tir_call("tir.ret")
def _ret(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    fv = c.expr(e.args[0], path)

    def run(env: dict) -> Any:
        raise Return(fv(env))

    return run


@register_tir_call("tir.assume")
def _assume(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    zero = scalar(0, e.dtype) if not e.dtype.is_void and not e.dtype.is_handle else None
    return lambda env: zero


@register_tir_call("tir.undef")
def _undef(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    zero = np_dtype(e.dtype).type(0)  # an undefined value: the interpreter gives zero
    return lambda env: zero


@register_tir_call("tir.tvm_storage_sync")
def _storage_sync(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    zero = np.int32(0)  # threads run one after another: synchronization is a no-op
    return lambda env: zero


@register_tir_call("tir.isnullptr")
def _isnullptr(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    fv = c.expr(e.args[0], path)
    return lambda env: np.bool_(fv(env) is None)
