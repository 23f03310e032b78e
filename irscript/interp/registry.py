"""The interpreter's registration points: handlers per node class, kernels per op name, and the
user-facing registries of library functions.

Dialects (tir and relax included) plug into the interpreter only through these
tables; the core never names a dialect's nodes:

* `register_tir(*classes, batchable=False)` — a TIR node handler
  `handler(compiler, node, path) -> closure`: statements compile to
  `closure(env) -> None`, expressions to `closure(env) -> value` (`path` is the
  enclosing statement's IR path). `batchable=True` promises the handler also
  works when `compiler.batched` is set (values may be numpy arrays over a grid
  of loop iterations; see `tir_vectorize`).
* `register_intrinsic(op_name, batchable=True)` — a TIR intrinsic implemented by a
  numeric function `fn(dtype, *values) -> value` (numpy scalars, lane vectors
  or arrays in, same out); `register_tir_call(op_name)` one that needs its own
  closure (lazy or side-effecting intrinsics).
* `register_relax(*classes)` — a Relax expression or binding evaluator
  `handler(interp, node, path) -> value`.
* `register_relax_op(op_name, raw=False)` — a kernel for a Relax op: with `raw`,
  `kernel(interp, call, path) -> value` (special forms such as call_tir);
  otherwise `kernel(*values, **attrs) -> value` like a numpy reference, and it
  takes precedence over the op entry's `numpy_ref`.
* `register_func(name)` — a Python callable behind `R.ExternFunc(name)`,
  `R.call_packed`, `R.call_pure_packed` and `R.call_dps_packed`;
  `register_extern(name)` — one behind TIR's `T.call_extern(dtype, name, ...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irscript.errors import ExecutionError

__all__ = [
    "extern_function", "intrinsic", "packed_function", "register_extern", "register_func", "register_intrinsic",
    "register_relax", "register_relax_op", "register_tir", "register_tir_call", "relax_handler", "relax_op_kernel",
    "tir_handler",
]


class TirHandler:
    __slots__ = ("fn", "batchable")

    def __init__(self, fn: Callable, batchable: bool) -> None:
        self.fn = fn
        self.batchable = batchable


class Intrinsic:
    """A TIR intrinsic: `numeric(dtype, *values)` or `compile(compiler, call, path) -> closure`."""

    __slots__ = ("numeric", "compile", "batchable")

    def __init__(self, numeric: Callable | None, compile: Callable | None, batchable: bool) -> None:
        self.numeric = numeric
        self.compile = compile
        self.batchable = batchable


class RelaxKernel:
    __slots__ = ("fn", "raw")

    def __init__(self, fn: Callable, raw: bool) -> None:
        self.fn = fn
        self.raw = raw


_TIR: dict[type, TirHandler] = {}
_TIR_CACHE: dict[type, TirHandler | None] = {}
_INTRINSICS: dict[str, Intrinsic] = {}
_RELAX: dict[type, Callable] = {}
_RELAX_CACHE: dict[type, Callable | None] = {}
_RELAX_OPS: dict[str, RelaxKernel] = {}
_PACKED: dict[str, Callable] = {}
_EXTERN: dict[str, Callable] = {}


def _by_mro(table: dict, cache: dict, cls: type) -> Any:
    try:
        return cache[cls]
    except KeyError:
        pass
    found = next((table[k] for k in cls.__mro__ if k in table), None)
    cache[cls] = found
    return found


# ---------------------------------------------------------------------------------------------
# node handlers and op kernels
# ---------------------------------------------------------------------------------------------
def register_tir(*classes: type, batchable: bool = False) -> Callable[[Callable], Callable]:
    """Register a TIR node handler for `classes` (and subclasses without their own)."""

    def deco(fn: Callable) -> Callable:
        for cls in classes:
            _TIR[cls] = TirHandler(fn, batchable)
        _TIR_CACHE.clear()
        return fn

    return deco


def tir_handler(cls: type) -> TirHandler | None:
    return _by_mro(_TIR, _TIR_CACHE, cls)


def register_intrinsic(name: str, batchable: bool = True) -> Callable[[Callable], Callable]:
    """Register `fn(dtype, *values) -> value` as the TIR intrinsic `name` ("tir.exp")."""

    def deco(fn: Callable) -> Callable:
        _INTRINSICS[name] = Intrinsic(fn, None, batchable)
        return fn

    return deco


def register_tir_call(name: str, batchable: bool = False) -> Callable[[Callable], Callable]:
    """Register `compile(compiler, call, path) -> closure` for the TIR intrinsic `name`."""

    def deco(fn: Callable) -> Callable:
        _INTRINSICS[name] = Intrinsic(None, fn, batchable)
        return fn

    return deco


def intrinsic(name: str) -> Intrinsic | None:
    return _INTRINSICS.get(name)


def register_relax(*classes: type) -> Callable[[Callable], Callable]:
    """Register a Relax expression / binding evaluator for `classes`."""

    def deco(fn: Callable) -> Callable:
        for cls in classes:
            _RELAX[cls] = fn
        _RELAX_CACHE.clear()
        return fn

    return deco


def relax_handler(cls: type) -> Callable | None:
    return _by_mro(_RELAX, _RELAX_CACHE, cls)


def register_relax_op(name: str, raw: bool = False) -> Callable[[Callable], Callable]:
    """Register the interpreter kernel of the Relax op `name` (see the module doc)."""

    def deco(fn: Callable) -> Callable:
        _RELAX_OPS[name] = RelaxKernel(fn, raw)
        return fn

    return deco


def relax_op_kernel(name: str) -> RelaxKernel | None:
    return _RELAX_OPS.get(name)


# ---------------------------------------------------------------------------------------------
# library functions
# ---------------------------------------------------------------------------------------------
def _register(table: dict[str, Callable], kind: str, name: str, fn: Callable | None, override: bool) -> Any:
    if not isinstance(name, str) or not name:
        raise ExecutionError(f"a {kind} needs a non-empty string name, got {name!r}")

    def deco(f: Callable) -> Callable:
        if not callable(f):
            raise ExecutionError(f"{kind} {name!r}: {f!r} is not callable")
        if name in table and table[name] is not f and not override:
            raise ExecutionError(f"{kind} {name!r} is already registered (pass override=True to replace it)")
        table[name] = f
        return f

    return deco if fn is None else deco(fn)


def register_func(name: str, fn: Callable | None = None, *, override: bool = False) -> Any:
    """Register a library function for Relax (`R.ExternFunc(name)`, `R.call_packed`,
    `R.call_dps_packed`): `@register_func("my.lib.gemm") def gemm(a, b, out): ...`.
    Destination-passing calls get the outputs as extra arguments and fill them in place."""
    return _register(_PACKED, "library function", name, fn, override)


def register_extern(name: str, fn: Callable | None = None, *, override: bool = False) -> Any:
    """Register an external scalar function for TIR's `T.call_extern(dtype, name, *args)`; it gets
    numpy scalars (and strings) and returns a number (converted to the call's dtype)."""
    return _register(_EXTERN, "extern function", name, fn, override)


def packed_function(name: str) -> Callable | None:
    return _PACKED.get(name)


def extern_function(name: str) -> Callable | None:
    return _EXTERN.get(name)


def unregister_func(name: str) -> None:
    """Forget a library function (tests)."""
    _PACKED.pop(name, None)


def unregister_extern(name: str) -> None:
    _EXTERN.pop(name, None)
