"""The inputs of `irscript run`: arrays from .npy / .npz files, random arrays made from a function's
signature, and the `--shape n=8` values of its symbolic dims.

`parse_shape_spec("n=8,m=4")` reads a `--shape` argument (a ValueError for a
bad spec: the CLI turns it into a usage error). `make_inputs(func, files,
random, shapes, seed)` returns the argument list and a description of each
argument: arrays loaded from files fill the first parameters; with `random`,
the rest are generated from their declared struct info (Relax) or buffers
(TIR): floats from a standard normal distribution, integers in [-8, 8)
([0, 8) unsigned), booleans half true, all from `numpy.random.default_rng(seed)`,
symbolic dims from `shapes`. A dim whose var has no `--shape` value is a
`MissingShape` (usage); anything else that cannot be made is an `irscript.Error`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from irscript.errors import Error
from irscript.interp.values import np_dtype
from irscript.ir.dtype import DataType
from irscript.ir.functor import pre_order
from irscript.relax import expr as RX
from irscript.relax.struct_info import PrimStructInfo, ShapeStructInfo, TensorStructInfo, TupleStructInfo
from irscript.tir import expr as TX
from irscript.tir.arith.evaluate import evaluate
from irscript.tir.function import PrimFunc

__all__ = ["Argument", "MissingShape", "load_arrays", "make_inputs", "parse_shape_spec"]

INT_RANGE = (-8, 8)


class MissingShape(Exception):
    """Symbolic dims without a `--shape` value (`names`), needed for `param`."""

    def __init__(self, names: list[str], param: str) -> None:
        super().__init__(", ".join(names))
        self.names = names
        self.param = param


class Argument:
    """One argument of the call: its parameter `name`, `value` and where it came from (`source`)."""

    __slots__ = ("name", "value", "source")

    def __init__(self, name: str, value: Any, source: str) -> None:
        self.name = name
        self.value = value
        self.source = source


def parse_shape_spec(text: str) -> dict[str, int]:
    """`"n=8"` or `"n=8,m=4"` -> {"n": 8, "m": 4}; a ValueError says what is wrong."""
    out: dict[str, int] = {}
    for part in text.split(","):
        name, eq, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name.isidentifier():
            raise ValueError(f"{part.strip()!r} is not NAME=INT (e.g. n=8)")
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"the value of {name} must be an integer, not {value!r}") from None
        if number < 0:
            raise ValueError(f"the value of {name} must be >= 0, not {number}")
        out[name] = number
    return out


def load_arrays(path: str) -> list[tuple[str, np.ndarray]]:
    """The arrays of a .npy file (one) or a .npz file (all, in stored order), with their names."""
    try:
        data = np.load(path, allow_pickle=False)
    except OSError as e:
        raise Error(f"cannot read {path}: {e.strerror or e}") from None
    except (ValueError, EOFError) as e:
        raise Error(f"cannot read {path} as a .npy/.npz array file: {e}") from None
    if isinstance(data, np.ndarray):
        return [(os.path.basename(path), data)]
    with data:
        try:
            return [(f"{os.path.basename(path)}:{k}", data[k]) for k in data.files]
        except (ValueError, OSError) as e:
            raise Error(f"cannot read {path}: {e}") from None


# ---------------------------------------------------------------------------------------------
# the parameters of a function
# ---------------------------------------------------------------------------------------------
def parameters(func: Any) -> list[tuple[str, Any]]:
    """(name, declared type) per parameter: a Relax param's struct info; a PrimFunc handle's
    Buffer, or a scalar param's Var."""
    if isinstance(func, PrimFunc):
        out = []
        for p in func.params:
            buf = func.buffer_map.get(p)
            out.append((p.name_hint, p) if buf is None else (buf.name, buf))
        return out
    if isinstance(func, RX.Function):
        return [(p.name_hint, p.struct_info) for p in func.params]
    raise Error(f"cannot make inputs for a {type(func).__name__}")


def make_inputs(func: Any, files: list[str], random: bool, shapes: Mapping[str, int], seed: int) -> list[Argument]:
    """The arguments of a call of `func` (see the module doc)."""
    args: list[Argument] = []
    for path in files:
        args.extend(Argument("", a, name) for name, a in load_arrays(path))
    params = parameters(func)
    for i, arg in enumerate(args):
        if i < len(params):
            arg.name = params[i][0]
    if not random:
        return args
    rng = np.random.default_rng(seed)
    gen = _Generator(rng, shapes)
    for name, declared in params[len(args):]:
        args.append(Argument(name, gen.value(declared, name), f"random (seed {seed})"))
    return args


class _Generator:
    __slots__ = ("rng", "shapes")

    def __init__(self, rng: np.random.Generator, shapes: Mapping[str, int]) -> None:
        self.rng = rng
        self.shapes = shapes

    def dim(self, e: Any, param: str) -> int:
        if type(e) is TX.IntImm:
            return int(e.value)
        env: dict[TX.Var, int] = {}
        missing = []
        for v in pre_order(e):
            if isinstance(v, TX.Var):
                if v.name_hint in self.shapes:
                    env[v] = self.shapes[v.name_hint]
                elif v.name_hint not in missing:
                    missing.append(v.name_hint)
        if missing:
            raise MissingShape(missing, param)
        try:
            value = int(evaluate(e, env))
        except (Error, ArithmeticError, TypeError, ValueError) as err:
            raise Error(f"cannot compute a dim of {param}: {err}") from None
        if value < 0:
            raise Error(f"a dim of {param} is {value} with the given --shape values")
        return value

    def dims(self, values: Any, param: str) -> tuple[int, ...]:
        out, missing = [], []
        for e in values:
            try:
                out.append(self.dim(e, param))
            except MissingShape as m:
                missing += [n for n in m.names if n not in missing]
        if missing:
            raise MissingShape(missing, param)
        return tuple(out)

    def value(self, declared: Any, param: str) -> Any:
        if isinstance(declared, TensorStructInfo):
            shape = declared.shape
            if not isinstance(shape, RX.ShapeExpr):
                raise Error(f"cannot make a random value for {param}: its shape is not declared")
            return self.array(self.dims(shape.values, param), declared.dtype, param)
        if isinstance(declared, TX.Buffer):
            return self.array(self.dims(declared.shape, param), declared.dtype, param)
        if isinstance(declared, TupleStructInfo):
            return tuple(self.value(f, f"{param}[{i}]") for i, f in enumerate(declared.fields))
        if isinstance(declared, ShapeStructInfo):
            if declared.values is None:
                raise Error(f"cannot make a random value for {param}: its shape values are not declared")
            return self.dims(declared.values, param)
        if isinstance(declared, PrimStructInfo):
            if declared.value is not None:
                return self.dim(declared.value, param)
            return self.scalar(declared.dtype, param)
        if isinstance(declared, TX.Var):  # a PrimFunc's scalar parameter
            if declared.name_hint in self.shapes:
                return self.shapes[declared.name_hint]
            return self.scalar(declared.dtype, param)
        what = getattr(declared, "type_key", type(declared).__name__)
        raise Error(f"cannot make a random value for {param} (of type {what}); give it with --input")

    def array(self, shape: tuple[int, ...], dtype: DataType, param: str) -> np.ndarray:
        if dtype.is_void:
            raise Error(f"cannot make a random value for {param}: its dtype is not declared")
        np_type = np_dtype(dtype)
        if dtype.is_bool:
            return self.rng.random(shape) < 0.5
        if dtype.is_float:
            return self.rng.standard_normal(shape).astype(np_type)
        if dtype.is_integer:
            low = 0 if dtype.is_uint else INT_RANGE[0]
            return self.rng.integers(low, INT_RANGE[1], shape).astype(np_type)
        raise Error(f"cannot make a random value for {param} of dtype {dtype}")

    def scalar(self, dtype: DataType, param: str) -> Any:
        if dtype.is_handle or dtype.is_void:
            raise Error(f"cannot make a random value for {param} of type {dtype}; give it with --input")
        return self.array((), dtype, param)[()].item()
