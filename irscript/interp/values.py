"""Runtime values of the interpreter and the dtype helpers both dialects share.

TIR scalars are numpy scalars of their exact dtype (`np.int32`, `np.float16`,
`ml_dtypes.bfloat16`, `np.bool_`, ...), so arithmetic wraps and rounds as the
dtype does; vector lanes are 1-D numpy arrays. Relax values are numpy arrays
(tensors), Python tuples (tuples), `ShapeTuple` (shape values), numpy scalars
(`R.Prim` values), `str` / `DataType` (string and dtype immediates), `None`
(the null object) and the callables below (functions).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.errors import ExecutionError
from irscript.ir.dtype import DataType, int_range

__all__ = [
    "Closure", "FuncRef", "PackedFunc", "ShapeTuple", "describe", "int_range", "np_dtype", "scalar", "wrap_int",
]

_NP: dict[DataType, np.dtype] = {}


def np_dtype(dtype: DataType) -> np.dtype:
    """The numpy dtype of one lane of `dtype` (cached); ExecutionError when numpy has none."""
    hit = _NP.get(dtype)
    if hit is None:
        try:
            hit = np.dtype(dtype.numpy_dtype())
        except Exception as exc:  # IRError from DataType: re-raise as a run-time error
            raise ExecutionError(f"the interpreter cannot hold values of type {dtype}: {exc}") from None
        _NP[dtype] = hit
    return hit


def wrap_int(value: int, dtype: DataType) -> int:
    """`value` wrapped into the range of the integer `dtype` (two's complement)."""
    lo, hi = int_range(dtype)
    if lo <= value <= hi:
        return value
    span = hi - lo + 1
    return (value - lo) % span + lo


def scalar(value: Any, dtype: DataType) -> Any:
    """A Python or numpy number as a numpy scalar of `dtype` (integers wrap, floats round)."""
    npd = np_dtype(dtype)
    if dtype.is_bool:
        return np.bool_(bool(value))
    if dtype.is_integer:
        if isinstance(value, (float, np.floating)):
            raise ExecutionError(f"expected an integer for a {dtype} value, got the float {value!r}")
        return npd.type(wrap_int(int(value), dtype))
    return npd.type(value)


class ShapeTuple(tuple):
    """A Relax shape value: a tuple of ints that remembers it is a shape (not a tuple value)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"ShapeTuple({tuple(self)!r})"


class FuncRef:
    """A module function as a value (a GlobalVar evaluated in Relax)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"FuncRef({self.name!r})"


class Closure:
    """A local Relax function with the values of the outer vars it uses."""

    __slots__ = ("func", "captured", "path", "name")

    def __init__(self, func: Any, captured: dict[Any, Any], path: Any, name: str) -> None:
        self.func = func
        self.captured = captured
        self.path = path
        self.name = name

    def __repr__(self) -> str:
        return f"Closure({self.name!r})"


class PackedFunc:
    """A registered Python callable, as the value of `R.ExternFunc(name)`."""

    __slots__ = ("name", "fn")

    def __init__(self, name: str, fn: Any) -> None:
        self.name = name
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)

    def __repr__(self) -> str:
        return f"PackedFunc({self.name!r})"


def describe(value: Any) -> str:
    """A short description of a runtime value for error messages."""
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    if isinstance(value, ShapeTuple):
        return f"the shape {tuple(value)}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} ({', '.join(describe(v) for v in value)})"
    if isinstance(value, np.generic):
        return f"the {value.dtype} scalar {value!r}"
    if isinstance(value, (bool, int, float)):
        return f"the Python {type(value).__name__} {value!r}"
    if value is None:
        return "the null object"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"a {type(value).__name__}"
