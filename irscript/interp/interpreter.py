"""The public entry points: `Interpreter(mod)["main"](*arrays)` and `run(mod, "main", *arrays)`.

A Relax function gets its arguments checked against its signature (kind,
dtype, rank, static dims, consistent symbolic dims) and returns numpy arrays
(tuples for tuple results, Python tuples for shapes). The caller's arrays are
never modified: they enter as read-only views, and an in-place kernel that
targets one works on a copy. A PrimFunc runs in destination-passing style on
the given arrays, writing its outputs in place, and returns its `T.ret` value
(or None).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from irscript.errors import ExecutionError
from irscript.interp import relax_ops as _relax_ops  # noqa: F401  (registers the call handlers)
from irscript.interp import tir_intrinsics as _tir_intrinsics  # noqa: F401  (registers the intrinsics)
from irscript.interp.relax import RelaxInterpreter, read_only
from irscript.interp.tir_func import TIRRunner
from irscript.interp.values import ShapeTuple, int_range, scalar
from irscript.ir.expr import GlobalVar
from irscript.ir.module import BaseFunc, IRModule
from irscript.relax.expr import Function
from irscript.relax.struct_info import PrimStructInfo, ShapeStructInfo, TensorStructInfo, TupleStructInfo
from irscript.tir.function import PrimFunc

__all__ = ["Interpreter", "run"]

_RECURSION_LIMIT = 20000


def _as_module(mod: Any) -> IRModule:
    if isinstance(mod, IRModule):
        return mod
    if isinstance(mod, (PrimFunc, Function)):
        return IRModule({"main": mod})
    raise ExecutionError(f"the interpreter runs an IRModule, a PrimFunc or a Relax function, got "
                         f"{type(mod).__name__}")


def _input(value: Any, sinfo: Any) -> Any:
    """A caller's argument in the interpreter's value conventions (checked afterwards): arrays as
    read-only views, Python numbers as numpy scalars of an `R.Prim`'s dtype (when they fit its
    kind), sequences of ints as shapes, tuples field by field."""
    if isinstance(value, np.ndarray):
        return read_only(value)
    if isinstance(sinfo, TensorStructInfo) and isinstance(value, (np.generic, bool, int, float)):
        return read_only(np.asarray(value))
    if isinstance(sinfo, PrimStructInfo) and type(value) in (bool, int, float):
        dt = sinfo.dtype
        fits = dt.is_float or (dt.is_bool if type(value) is bool else dt.is_integer and type(value) is int)
        if fits and (not dt.is_integer or int_range(dt)[0] <= value <= int_range(dt)[1]):
            return scalar(value, dt)
        return value  # the signature check reports it
    if isinstance(sinfo, ShapeStructInfo) and isinstance(value, (tuple, list)) \
            and all(isinstance(v, (int, np.integer)) for v in value):
        return ShapeTuple(int(v) for v in value)
    if isinstance(sinfo, TupleStructInfo) and isinstance(value, (tuple, list)):
        fields = sinfo.fields
        return tuple(_input(v, fields[i] if i < len(fields) else None) for i, v in enumerate(value))
    return value


def _output(value: Any) -> Any:
    """A result as the caller gets it: writable arrays the interpreter does not keep."""
    if isinstance(value, np.ndarray):
        return value if value.flags.writeable else np.array(value)
    if isinstance(value, ShapeTuple):
        return tuple(value)
    if isinstance(value, tuple):
        return tuple(_output(v) for v in value)
    return value


class Interpreter:
    """Runs the functions of a module on numpy values: `Interpreter(mod)["main"](*arrays)`.

    `vectorize=False` keeps every TIR loop on the scalar path (for checking the fast path)."""

    def __init__(self, mod: IRModule | BaseFunc, *, vectorize: bool = True) -> None:
        self.module = _as_module(mod)
        self.tir = TIRRunner(self.module, vectorize)

    def _function(self, name: str) -> Any:
        func = self.tir.functions.get(name)
        if func is None:
            names = ", ".join(self.tir.functions)
            raise ExecutionError(f"the module has no function named {name!r} (it has: {names})")
        return func

    def __getitem__(self, name: str | GlobalVar) -> Callable[..., Any]:
        name = name.name_hint if isinstance(name, GlobalVar) else name
        self._function(name)

        def call(*args: Any) -> Any:
            return self.run(name, *args)

        call.__name__ = name
        return call

    def run(self, name: str, *args: Any) -> Any:
        """Run the function `name` on `args`."""
        func = self._function(name)
        if isinstance(func, PrimFunc):
            return self.tir.call(name, list(args))
        if not isinstance(func, Function):
            raise ExecutionError(f"{name!r} is a {type(func).__name__}, which the interpreter cannot run")
        params = func.params
        values = [_input(a, params[i].struct_info if i < len(params) else None) for i, a in enumerate(args)]
        interp = RelaxInterpreter(self.module, self.tir)
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))  # Relax recursion nests Python calls
        try:
            result = interp.call_function(func, values, name, self.tir.paths[name], what=name)
        except RecursionError:
            raise ExecutionError(f"{name}: recursion too deep") from None
        finally:
            sys.setrecursionlimit(limit)
        return _output(result)


def run(mod: IRModule | BaseFunc, name: str = "main", *args: Any, vectorize: bool = True) -> Any:
    """Run function `name` of `mod` on numpy arrays: `irscript.run(mod, "main", x, w)`."""
    return Interpreter(mod, vectorize=vectorize).run(name, *args)

