"""Running PrimFuncs: argument binding and checking, and the per-module cache of compiled functions.

`TIRRunner(module).call(name_or_func, args)` runs a PrimFunc on numpy arrays
(buffer parameters, written in place) and scalars (scalar parameters). Buffer
parameters bind the symbolic vars of their shapes, strides and offsets from
the arrays (first binding wins), then every array is checked against its
buffer: dtype, rank and every dim.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.errors import Error
from irscript.interp.errors import add_note, fail
from irscript.interp.tir_core import TIRCompiler
from irscript.interp.tir_intrinsics import Return
from irscript.interp.tir_memory import CompiledBuffer
from irscript.interp.values import int_range, np_dtype
from irscript.ir.expr import GlobalVar
from irscript.ir.module import IRModule
from irscript.ir.path import ObjectPath
from irscript.tir import expr as E
from irscript.tir.function import PrimFunc

__all__ = ["CompiledPrimFunc", "TIRRunner", "function_path", "run_prim_func"]

# importing the handler modules registers them
from irscript.interp import tir_expr as _tir_expr  # noqa: F401
from irscript.interp import tir_stmt as _tir_stmt  # noqa: F401


def function_path(module: IRModule | None, name: str) -> ObjectPath:
    """The path of a module function (`functions["name"]`), or the root for a lone function."""
    if module is None:
        return ObjectPath.root()
    return ObjectPath.root().attr("functions").map_value(module.get_global_var(name))


def scalar_arg(value: Any, var: E.Var, what: str, path: ObjectPath) -> Any:
    """A scalar argument converted to the parameter's dtype, refusing lossy conversions."""
    dtype = var.dtype
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if dtype.is_handle:
        return value
    npd = np_dtype(dtype)
    if dtype.is_bool:
        if not isinstance(value, (bool, np.bool_)):
            raise fail(f"{what} is a bool parameter, got {value!r}", path)
        return np.bool_(value)
    if dtype.is_integer:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise fail(f"{what} is an {dtype} parameter, got {value!r}", path)
        lo, hi = int_range(dtype)
        if not lo <= int(value) <= hi:
            raise fail(f"{what}: {int(value)} does not fit in {dtype}", path)
        return npd.type(int(value))
    if not isinstance(value, (int, float, np.integer, np.floating)) and getattr(value, "dtype", None) is None:
        raise fail(f"{what} is a {dtype} parameter, got {value!r}", path)
    return npd.type(value)


class CompiledPrimFunc:
    """A PrimFunc compiled to closures; calling it runs the function on `args`."""

    __slots__ = ("func", "name", "path", "buffers", "body")

    def __init__(self, runner: "TIRRunner", func: PrimFunc, name: str, path: ObjectPath) -> None:
        self.func, self.name, self.path = func, name, path
        c = TIRCompiler(runner, name)
        self.buffers = {id(p): CompiledBuffer(c, b, path.attr("buffer_map")) for p, b in func.buffer_map.items()}
        self.body = c.stmt(func.body, path.attr("body"))

    def __call__(self, args: list[Any] | tuple[Any, ...]) -> Any:
        func, path = self.func, self.path
        params = func.params
        if len(args) != len(params):
            raise fail(f"PrimFunc {self.name!r} takes {len(params)} argument(s), got {len(args)}", path)
        env: dict = {}
        for i, (p, a) in enumerate(zip(params, args)):
            cb = self.buffers.get(id(p))
            if cb is None:
                env[id(p)] = scalar_arg(a, p, f"argument {i} ({p.name_hint!r}) of {self.name!r}",
                                        path.attr("params").index(i))
            elif isinstance(a, np.ndarray):
                cb.bind_vars(env, a)
        for i, (p, a) in enumerate(zip(params, args)):
            cb = self.buffers.get(id(p))
            if cb is not None:
                what = f"argument {i} ({p.name_hint!r}) of {self.name!r}"
                env[cb.key] = cb.check_param(env, a, what, path.attr("params").index(i))
        with np.errstate(all="ignore"):
            try:
                self.body(env)
            except Return as r:
                return r.value
            except RecursionError:
                raise fail(f"PrimFunc {self.name!r}: recursion too deep", path) from None
        return None


class TIRRunner:
    """Compiles and runs the PrimFuncs of one module (or lone PrimFuncs), caching the closures.
    `vectorize=False` keeps every loop on the scalar path; `stats` counts loop nests that ran
    batched ("batched") and nests that fell back to the scalar path at run time ("fallback")."""

    __slots__ = ("module", "vectorize", "stats", "functions", "paths", "_compiled")

    def __init__(self, module: IRModule | None = None, vectorize: bool = True) -> None:
        self.module = module
        self.vectorize = vectorize
        self.stats: dict[str, int] = {}
        # name -> function and name -> IR path, for O(1) lookups (IRModule looks names up linearly)
        self.functions: dict[str, Any] = {}
        self.paths: dict[str, ObjectPath] = {}
        if module is not None:
            root = ObjectPath.root().attr("functions")
            for gv, f in module.functions.items():
                self.functions[gv.name_hint] = f
                self.paths[gv.name_hint] = root.map_value(gv)
        self._compiled: dict[int, tuple[PrimFunc, CompiledPrimFunc]] = {}

    def compiled(self, func: PrimFunc, name: str = "prim_func") -> CompiledPrimFunc:
        hit = self._compiled.get(id(func))
        if hit is not None and hit[0] is func:
            return hit[1]
        in_module = self.functions.get(name) is func
        compiled = CompiledPrimFunc(self, func, name, self.paths[name] if in_module else ObjectPath.root())
        self._compiled[id(func)] = (func, compiled)
        return compiled

    def lookup(self, name: str, path: ObjectPath | None = None) -> PrimFunc:
        func = self.functions.get(name)
        if func is None:
            raise fail(f"the module has no function named {name!r}", path)
        if not isinstance(func, PrimFunc):
            raise fail(f"{name!r} is not a PrimFunc", path)
        return func

    def call(self, func: PrimFunc | str, args: list[Any] | tuple[Any, ...]) -> Any:
        """Run a PrimFunc (or the module's PrimFunc of that name) on `args`."""
        if isinstance(func, str):
            name = func
            func = self.lookup(name)
        else:
            name = func.global_symbol or "prim_func"
        return self.compiled(func, name)(args)

    def call_closure(self, c: TIRCompiler, e: E.Call, path: ObjectPath) -> Any:
        """The closure of a TIR call of another PrimFunc (`Call(GlobalVar, args)`)."""
        gv: GlobalVar = e.op
        fs = [c.expr(a, path) for a in e.args]

        def run(env: dict) -> Any:
            callee = self.lookup(gv.name_hint, path)
            args = [f(env) for f in fs]
            try:
                result = self.compiled(callee, gv.name_hint)(args)
            except Error as err:
                raise add_note(err, f"called from {c.func_name!r} at {path}") from None
            if e.dtype.is_void or result is None:
                return np.int32(0)
            return result

        return run


def run_prim_func(func: PrimFunc, args: list[Any], vectorize: bool = True) -> Any:
    """Run a lone PrimFunc (helper for tests and tools)."""
    return TIRRunner(None, vectorize).call(func, args)
