"""TIR expression handlers: constants, vars, casts, arithmetic, comparisons, logic, loads,
vectors, let and calls.

Semantics (documented in docs of `irscript.interp`):

* values carry their exact dtype as numpy scalars; integer arithmetic wraps
  (two's complement), float arithmetic rounds in the dtype;
* `FloorDiv` / `FloorMod` round toward minus infinity, `Div` / `Mod` on
  integers truncate toward zero (C); on floats `Div` is true division, `Mod`
  is C's fmod and `FloorMod` is `a - floor(a / b) * b`; integer division by
  zero is an ExecutionError;
* `Min` / `Max` are `np.minimum` / `np.maximum` on floats (NaN propagates);
* casts are numpy's `astype` (float to int truncates; out-of-range and NaN
  give what the hardware gives, as C leaves them undefined);
* `And` / `Or` short-circuit and `T.if_then_else` evaluates only the chosen
  side; `Select` evaluates both.

Every handler here is batchable (see `tir_core`) except vector constructors and
calls that are not elementwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.interp.errors import fail, show_index
from irscript.interp.registry import intrinsic, register_tir
from irscript.interp.tir_core import BATCH, Lazy, TIRCompiler, bind_point
from irscript.interp.values import np_dtype, scalar
from irscript.ir.expr import GlobalVar
from irscript.ir.path import ObjectPath
from irscript.tir import expr as E

__all__ = ["check_bounds", "choose", "load_closure"]

ndarray = np.ndarray


# ---------------------------------------------------------------------------------------------
# leaves
# ---------------------------------------------------------------------------------------------
@register_tir(E.IntImm, E.FloatImm, batchable=True)
def _const(c: TIRCompiler, e: Any, path: ObjectPath) -> Any:
    value = scalar(e.value, e.dtype)
    return lambda env: value


@register_tir(E.StringImm, batchable=True)
def _string(c: TIRCompiler, e: E.StringImm, path: ObjectPath) -> Any:
    value = e.value
    return lambda env: value


@register_tir(E.Var, batchable=True)
def _var(c: TIRCompiler, e: E.Var, path: ObjectPath) -> Any:
    key, name = id(e), e.name_hint

    def run(env: dict) -> Any:
        try:
            return env[key]
        except KeyError:
            raise fail(f"var {name!r} is used before it has a value", path) from None

    return run


@register_tir(E.Cast, batchable=True)
def _cast(c: TIRCompiler, e: E.Cast, path: ObjectPath) -> Any:
    f = c.expr(e.value, path)
    if e.dtype.is_handle or e.value.dtype.is_handle:
        return f
    npd = np_dtype(e.dtype)
    return lambda env: f(env).astype(npd)


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------
def _operands(c: TIRCompiler, e: Any, path: ObjectPath) -> tuple[Any, Any]:
    return c.expr(e.a, path), c.expr(e.b, path)


@register_tir(E.Add, batchable=True)
def _add(c: TIRCompiler, e: E.Add, path: ObjectPath) -> Any:
    fa, fb = _operands(c, e, path)
    return lambda env: fa(env) + fb(env)


@register_tir(E.Sub, batchable=True)
def _sub(c: TIRCompiler, e: E.Sub, path: ObjectPath) -> Any:
    fa, fb = _operands(c, e, path)
    return lambda env: fa(env) - fb(env)


@register_tir(E.Mul, batchable=True)
def _mul(c: TIRCompiler, e: E.Mul, path: ObjectPath) -> Any:
    fa, fb = _operands(c, e, path)
    return lambda env: fa(env) * fb(env)


def _zero_divisor(b: Any) -> bool:
    if type(b) is ndarray:
        return not b.all()
    return b == 0


def _signs_differ(a: Any, b: Any) -> Any:
    return (a < 0) != (b < 0)


def trunc_div(a: Any, b: Any) -> Any:
    """C division of integers (toward zero); the divisor is known to be non-zero."""
    q = a // b
    fix = ((a % b) != 0) & _signs_differ(a, b)
    if type(fix) is ndarray:
        return q + fix.astype(q.dtype)
    return q + 1 if fix else q


def trunc_mod(a: Any, b: Any) -> Any:
    """C remainder of integers (the sign of the dividend)."""
    r = a % b
    fix = (r != 0) & _signs_differ(a, b)
    if type(fix) is ndarray:
        return np.where(fix, r - b, r)
    return r - b if fix else r


def _int_division(c: TIRCompiler, e: Any, path: ObjectPath, op: Any, what: str) -> Any:
    fa, fb = _operands(c, e, path)

    def run(env: dict) -> Any:
        a, b = fa(env), fb(env)
        if _zero_divisor(b):
            raise fail(f"integer division by zero in {what}", path)
        return op(a, b)

    return run


def _float_floordiv(a: Any, b: Any) -> Any:
    return np.floor(a / b)


def _float_floormod(a: Any, b: Any) -> Any:
    return a - np.floor(a / b) * b


@register_tir(E.Div, batchable=True)
def _div(c: TIRCompiler, e: E.Div, path: ObjectPath) -> Any:
    if e.dtype.is_float:
        fa, fb = _operands(c, e, path)
        return lambda env: fa(env) / fb(env)
    return _int_division(c, e, path, trunc_div, "T.truncdiv")


@register_tir(E.Mod, batchable=True)
def _mod(c: TIRCompiler, e: E.Mod, path: ObjectPath) -> Any:
    if e.dtype.is_float:
        fa, fb = _operands(c, e, path)
        return lambda env: np.fmod(fa(env), fb(env))
    return _int_division(c, e, path, trunc_mod, "T.truncmod")


@register_tir(E.FloorDiv, batchable=True)
def _floordiv(c: TIRCompiler, e: E.FloorDiv, path: ObjectPath) -> Any:
    if e.dtype.is_float:
        fa, fb = _operands(c, e, path)
        return lambda env: _float_floordiv(fa(env), fb(env))
    return _int_division(c, e, path, lambda a, b: a // b, "T.floordiv")


@register_tir(E.FloorMod, batchable=True)
def _floormod(c: TIRCompiler, e: E.FloorMod, path: ObjectPath) -> Any:
    if e.dtype.is_float:
        fa, fb = _operands(c, e, path)
        return lambda env: _float_floormod(fa(env), fb(env))
    return _int_division(c, e, path, lambda a, b: a % b, "T.floormod")


def _minmax(c: TIRCompiler, e: Any, path: ObjectPath, pick_first_if: Any, ufunc: Any) -> Any:
    fa, fb = _operands(c, e, path)
    if e.dtype.is_float or c.batched or e.dtype.lanes != 1:
        return lambda env: ufunc(fa(env), fb(env))

    def run(env: dict) -> Any:  # integers: exact, and cheaper than a ufunc call on scalars
        a, b = fa(env), fb(env)
        return a if pick_first_if(a, b) else b

    return run


@register_tir(E.Min, batchable=True)
def _min(c: TIRCompiler, e: E.Min, path: ObjectPath) -> Any:
    return _minmax(c, e, path, lambda a, b: a <= b, np.minimum)


@register_tir(E.Max, batchable=True)
def _max(c: TIRCompiler, e: E.Max, path: ObjectPath) -> Any:
    return _minmax(c, e, path, lambda a, b: a >= b, np.maximum)


# ---------------------------------------------------------------------------------------------
# comparisons and logic
# ---------------------------------------------------------------------------------------------
@register_tir(E.EQ, batchable=True)
def _eq(c: TIRCompiler, e: E.EQ, path: ObjectPath) -> Any:
    fa, fb = _operands(c, e, path)
    return lambda env: fa(env) == fb(env)


@register_tir(E.NE, batchable=True)
def _ne(c: TIRCompiler, e: E.NE, path: ObjectPath) -> Any:
    fa, fb = _operands(c, e, path)
    return lambda env: fa(env) != fb(env)


@register_tir(E.LT, batchable=True)
def _lt(c: TIRCompiler, e: E.LT, path: ObjectPath) -> Any:
    fa, fb = _operands(c, e, path)
    return lambda env: fa(env) < fb(env)


@register_tir(E.LE, batchable=True)
def _le(c: TIRCompiler, e: E.LE, path: ObjectPath) -> Any:
    fa, fb = _operands(c, e, path)
    return lambda env: fa(env) <= fb(env)


@register_tir(E.GT, batchable=True)
def _gt(c: TIRCompiler, e: E.GT, path: ObjectPath) -> Any:
    fa, fb = _operands(c, e, path)
    return lambda env: fa(env) > fb(env)


@register_tir(E.GE, batchable=True)
def _ge(c: TIRCompiler, e: E.GE, path: ObjectPath) -> Any:
    fa, fb = _operands(c, e, path)
    return lambda env: fa(env) >= fb(env)


@register_tir(E.Not, batchable=True)
def _not(c: TIRCompiler, e: E.Not, path: ObjectPath) -> Any:
    fa = c.expr(e.a, path)
    return lambda env: np.logical_not(fa(env))


def _batched_logic(env: dict, a: ndarray, lazy_b: Lazy, is_and: bool) -> Any:
    """`a and b` / `a or b` over a grid, evaluating b only where it decides the result."""
    if lazy_b.safe:  # nothing to guard: combine with b evaluated everywhere
        return (np.logical_and if is_and else np.logical_or)(a, lazy_b.fn(env))
    full = np.broadcast_to(a, env[BATCH].shape)
    need = full if is_and else ~full
    if not need.any():
        return a
    if need.all():
        return lazy_b.fn(env)
    out = full.copy()
    out[need] = lazy_b.on(env, need)
    return out


def _logic(c: TIRCompiler, e: Any, path: ObjectPath, is_and: bool) -> Any:
    fa, fb = _operands(c, e, path)
    if e.dtype.lanes != 1:
        ufunc = np.logical_and if is_and else np.logical_or
        return lambda env: ufunc(fa(env), fb(env))
    if c.batched:
        lazy_b = Lazy(fb, e.b)

        def batched(env: dict) -> Any:
            a = fa(env)
            if type(a) is ndarray:
                return _batched_logic(env, a, lazy_b, is_and)
            return fb(env) if bool(a) == is_and else a
        return batched
    if is_and:
        def run_and(env: dict) -> Any:
            a = fa(env)
            return fb(env) if a else a
        return run_and

    def run_or(env: dict) -> Any:
        a = fa(env)
        return a if a else fb(env)

    return run_or


@register_tir(E.And, batchable=True)
def _and(c: TIRCompiler, e: E.And, path: ObjectPath) -> Any:
    return _logic(c, e, path, True)


@register_tir(E.Or, batchable=True)
def _or(c: TIRCompiler, e: E.Or, path: ObjectPath) -> Any:
    return _logic(c, e, path, False)


@register_tir(E.Select, batchable=True)
def _select(c: TIRCompiler, e: E.Select, path: ObjectPath) -> Any:
    fc, ft, ff = c.expr(e.condition, path), c.expr(e.true_value, path), c.expr(e.false_value, path)

    def run(env: dict) -> Any:
        cond, t, f = fc(env), ft(env), ff(env)
        if type(cond) is ndarray:
            return np.where(cond, t, f)
        return t if cond else f

    return run


def choose(env: dict, cond: Any, t: Lazy, f: Lazy, npd: np.dtype) -> Any:
    """`t` where `cond` holds and `f` elsewhere over a grid, evaluating each side only on the
    points that take it (batched mode); a scalar condition picks one side."""
    if type(cond) is not ndarray:
        return t.fn(env) if cond else f.fn(env)
    shape = env[BATCH].shape
    full = np.broadcast_to(cond, shape)
    if full.all():
        return t.fn(env)
    if not full.any():
        return f.fn(env)
    if t.safe and f.safe:
        return np.where(full, t.fn(env), f.fn(env))
    out = np.empty(shape, npd)
    out[full] = t.on(env, full)
    other = ~full
    out[other] = f.on(env, other)
    return out


# ---------------------------------------------------------------------------------------------
# buffer loads and vectors
# ---------------------------------------------------------------------------------------------
def _first_bad_point(shape: tuple[int, ...], idx: tuple[Any, ...]) -> tuple[Any, ...]:
    """The indices of the first out-of-bounds point (C order) of a batch of index arrays."""
    arrays = np.broadcast_arrays(*[np.asarray(i) for i in idx])
    bad = np.zeros(arrays[0].shape, bool)
    for d, ix in enumerate(arrays):
        bad |= (ix < 0) | (ix >= shape[d])
    flat = int(np.argmax(bad))
    return tuple(ix.reshape(-1)[flat] if ix.ndim else ix[()] for ix in arrays)


def out_of_bounds(kind: str, name: str, view: ndarray, idx: tuple[Any, ...], path: ObjectPath) -> Exception:
    if any(type(i) is ndarray for i in idx):
        idx = _first_bad_point(view.shape, idx)
    return fail(f"out-of-bounds {kind} {show_index(name, idx)}: buffer {name!r} has shape {tuple(view.shape)}",
                path)


def check_bounds(kind: str, name: str, view: ndarray, idx: tuple[Any, ...], path: ObjectPath) -> None:
    """Raise unless every index (scalar or array) is inside the view's shape."""
    shape = view.shape
    if len(idx) != len(shape):
        raise fail(f"buffer {name!r} has {len(shape)} dimensions but the {kind} uses {len(idx)} indices", path)
    for d, ix in enumerate(idx):
        if type(ix) is ndarray:
            if ix.size and (ix.min() < 0 or ix.max() >= shape[d]):
                raise out_of_bounds(kind, name, view, idx, path)
        elif not 0 <= ix < shape[d]:
            raise out_of_bounds(kind, name, view, idx, path)


def buffer_view(env: dict, key: int, name: str, path: ObjectPath) -> ndarray:
    try:
        return env[key]
    except KeyError:
        raise fail(f"buffer {name!r} is used outside the scope that defines it", path) from None


def load_closure(c: TIRCompiler, e: E.BufferLoad, path: ObjectPath) -> Any:
    """The closure of a load (shared by the batched compiler)."""
    key, name = id(e.buffer), e.buffer.name
    fs = [c.expr(i, path) for i in e.indices]
    if e.predicate is not None:
        return _masked_load(c, e, path, fs)
    scalar = not c.batched and e.dtype.lanes == 1 and all(i.dtype.lanes == 1 for i in e.indices)
    if scalar and len(fs) == 2 and all(type(i) in (E.Var, E.SizeVar) for i in e.indices):
        return _load2_vars(key, name, [id(i) for i in e.indices], fs, path)
    if scalar and len(fs) == 2:
        return _load2(key, name, fs, path)
    return loadn_closure(key, name, fs, path)


def _masked_load(c: TIRCompiler, e: E.BufferLoad, path: ObjectPath, fs: list) -> Any:
    key, name = id(e.buffer), e.buffer.name
    fp = c.expr(e.predicate, path)
    zero = np_dtype(e.dtype).type(0)

    def masked(env: dict) -> Any:
        view, mask = buffer_view(env, key, name, path), fp(env)
        idx = tuple(np.where(mask, f(env), 0) for f in fs)
        check_bounds("load", name, view, idx, path)
        return np.where(mask, view[idx], zero)

    return masked


def _load2_vars(key: int, name: str, keys: list[int], fs: list, path: ObjectPath) -> Any:
    """`A[i, j]` with plain vars: the hot case of most kernels."""
    k0, k1 = keys
    slow = loadn_closure(key, name, fs, path)

    def load2v(env: dict) -> Any:
        try:
            i, j, view = env[k0], env[k1], env[key]
        except KeyError:
            return slow(env)  # reports what is missing
        if i >= 0 and j >= 0:
            try:
                return view[i, j]
            except IndexError:
                pass
        raise out_of_bounds("load", name, view, (i, j), path)

    return load2v


def _load2(key: int, name: str, fs: list, path: ObjectPath) -> Any:
    f0, f1 = fs

    def load2(env: dict) -> Any:
        i, j = f0(env), f1(env)
        if i >= 0 and j >= 0:
            try:
                return env[key][i, j]
            except IndexError:
                pass
            except KeyError:
                buffer_view(env, key, name, path)
        raise out_of_bounds("load", name, buffer_view(env, key, name, path), (i, j), path)

    return load2


def loadn_closure(key: int, name: str, fs: list, path: ObjectPath) -> Any:
    """A load of any rank, lanes or batch (numpy indexing after an explicit bounds check)."""
    def loadn(env: dict) -> Any:
        view = buffer_view(env, key, name, path)
        idx = tuple(f(env) for f in fs)
        check_bounds("load", name, view, idx, path)
        return view[idx]

    return loadn


register_tir(E.BufferLoad, batchable=True)(load_closure)


@register_tir(E.Ramp)
def _ramp(c: TIRCompiler, e: E.Ramp, path: ObjectPath) -> Any:
    fb, fs = c.expr(e.base, path), c.expr(e.stride, path)
    lanes = np.arange(e.lanes, dtype=np_dtype(e.base.dtype))
    return lambda env: fb(env) + fs(env) * lanes


@register_tir(E.Broadcast)
def _broadcast(c: TIRCompiler, e: E.Broadcast, path: ObjectPath) -> Any:
    fv, lanes, npd = c.expr(e.value, path), e.lanes, np_dtype(e.value.dtype)
    return lambda env: np.full(lanes, fv(env), npd)


@register_tir(E.Let, batchable=True)
def _let(c: TIRCompiler, e: E.Let, path: ObjectPath) -> Any:
    fv, fb, key = c.expr(e.value, path), c.expr(e.body, path), id(e.var)
    if c.batched:
        def batched(env: dict) -> Any:
            bind_point(env, key, fv(env))
            return fb(env)
        return batched

    def run(env: dict) -> Any:
        env[key] = fv(env)
        return fb(env)

    return run


# ---------------------------------------------------------------------------------------------
# calls
# ---------------------------------------------------------------------------------------------
class _NoIntrinsic:
    """A call the interpreter cannot run: an error when (and only if) it is executed."""

    def __init__(self, message: str, path: ObjectPath) -> None:
        self.message = message
        self.path = path

    def __call__(self, env: dict) -> Any:
        raise fail(self.message, self.path)


@register_tir(E.Call, batchable=True)
def _call(c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
    from irscript.interp.tir_core import NotBatchable

    op = e.op
    if isinstance(op, GlobalVar):
        if c.batched:
            raise NotBatchable("call of a PrimFunc")
        return c.runner.call_closure(c, e, path)
    intr = intrinsic(op.name)
    if intr is None:
        if c.batched:
            raise NotBatchable(op.name)
        return _NoIntrinsic(f"the interpreter has no implementation of the intrinsic {op.name}", path)
    if c.batched and not intr.batchable:
        raise NotBatchable(op.name)
    if intr.compile is not None:
        return intr.compile(c, e, path)
    return _numeric_call(c, e, path, intr.numeric)


def _numeric_call(c: TIRCompiler, e: E.Call, path: ObjectPath, fn: Any) -> Any:
    dtype = e.dtype
    fs = [c.expr(a, path) for a in e.args]
    name = e.op.name

    def report(exc: Exception) -> Exception:
        if isinstance(exc, ArithmeticError | ValueError | TypeError):
            return fail(f"{name} failed: {exc}", path)
        return exc

    if len(fs) == 1:
        (f0,) = fs

        def unary(env: dict) -> Any:
            try:
                return fn(dtype, f0(env))
            except (ArithmeticError, ValueError, TypeError) as exc:
                raise report(exc) from None

        return unary
    if len(fs) == 2:
        f0, f1 = fs

        def binary(env: dict) -> Any:
            try:
                return fn(dtype, f0(env), f1(env))
            except (ArithmeticError, ValueError, TypeError) as exc:
                raise report(exc) from None

        return binary

    def nary(env: dict) -> Any:
        try:
            return fn(dtype, *[f(env) for f in fs])
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise report(exc) from None

    return nary
