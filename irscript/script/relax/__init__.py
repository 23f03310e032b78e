"""The script namespace `R` (`from irscript.script import relax as R`): the graph level.

Decorators: `R.function` (options `pure`, `private`, `check_well_formed`),
`R.macro` (`hygienic`). Struct info: `R.Tensor`, `R.Shape`, `R.Tuple`,
`R.Object`, `R.Prim`, `R.Callable` (a string dim such as `"n"` names a symbolic
var). Literals: `R.const`, `R.shape`, `R.prim_value`, `R.str`, `R.dtype`,
`R.ExternFunc`. Calls into the tensor level and libraries: `R.call_tir`,
`R.call_tir_inplace`, `R.call_dps_packed`, `R.call_packed`,
`R.call_pure_packed`. Bindings: `R.dataflow()`, `R.output(...)`,
`R.match_cast(value, sinfo)`, `R.func_attr({...})`.

Every registered Relax operator is here too, by its script name (`R.add`,
`R.nn.relu`, `R.image.resize2d`): attribute lookup (PEP 562) goes to the op
registry (`irscript.relax.op.registry.lookup_script`), so adding an op adds its
script spelling. While a function is parsed, equal `R.Tensor(...)` annotations
of one parse share one struct info object (IR is immutable, so sharing is safe).
"""

from __future__ import annotations

import builtins as _builtins
from typing import Any as _Any

import numpy as _np

from irscript.errors import IRError as _IRError
from irscript.ir.dtype import DataType as _DataType
from irscript.ir.expr import StructInfo as _StructInfo
from irscript.irbuilder import relax as _B
from irscript.irbuilder.relax import _as_relax
from irscript.relax import expr as _expr
from irscript.relax import struct_info as _si
from irscript.relax.op import base as _base
from irscript.relax.op.registry import lookup_script as _lookup_script
from irscript.relax.op.registry import script_namespaces as _script_namespaces
from irscript.script.parser.dialect import ScriptDecorator as _Decorator
from irscript.script.parser.dialect import ScriptFunc as _F
from irscript.script.parser.dialect import register_namespace as _register_namespace
from irscript.script.parser.relax import RELAX as _RELAX
from irscript.script.parser.relax import MatchCastPair as _MatchCastPair
from irscript.script.parser.relax import context as _context
from irscript.script.parser.relax import symbolic_var as _symbolic_var
from irscript.tir.expr import IntImm as _IntImm

function = _Decorator(_RELAX, "R.function", "function", {"pure": True, "private": False, "check_well_formed": True})
macro = _Decorator(_RELAX, "R.macro", "macro", {"hygienic": True})

_CTX = _context()


# ---------------------------------------------------------------------------------------------
# struct info
# ---------------------------------------------------------------------------------------------


def _dim(d: _Any) -> _Any:
    return _symbolic_var(d) if type(d) is _builtins.str else d


def _sinfo(value: _Any, what: _Any) -> _StructInfo:
    if type(value) is _F and value.is_type:
        value = value.fn()
    if isinstance(value, (list, _builtins.tuple)):
        return _si.TupleStructInfo(_builtins.tuple(_sinfo(v, what) for v in value))
    if not isinstance(value, _StructInfo):
        raise _IRError(f"{what} takes struct info like R.Tensor((n, 4), \"float32\"), got {type(value).__name__}")
    return value


def _Tensor(shape: _Any = None, dtype: _Any = None, ndim: int = -1) -> _si.TensorStructInfo:
    """`R.Tensor((n, 4), "float32")`, `R.Tensor(dtype="float32", ndim=2)`, `R.Tensor`."""
    if type(shape) is _builtins.str and dtype is None:
        shape, dtype = None, shape
    if isinstance(shape, (_builtins.tuple, list)):
        shape = _builtins.tuple([_dim(d) for d in shape])
    cache = _CTX.cache
    if cache is None:
        return _si.TensorStructInfo(shape, dtype, ndim)
    key = (shape, dtype, ndim)
    try:
        hit = cache.get(key)
    except TypeError:  # an unhashable part: build without sharing
        return _si.TensorStructInfo(shape, dtype, ndim)
    if hit is None:
        hit = cache[key] = _si.TensorStructInfo(shape, dtype, ndim)
    return hit


def _Shape(values: _Any = None, ndim: int = -1) -> _si.ShapeStructInfo:
    """`R.Shape([n, m])`, `R.Shape(ndim=2)`, `R.Shape`."""
    if values is not None:
        values = [_dim(d) for d in values]
    return _si.ShapeStructInfo(values, ndim)


def _Tuple(*fields: _Any) -> _si.TupleStructInfo:
    """`R.Tuple(a, b)` (or `R.Tuple([a, b])`)."""
    if len(fields) == 1 and isinstance(fields[0], (list, _builtins.tuple)):
        fields = _builtins.tuple(fields[0])
    return _si.TupleStructInfo(_builtins.tuple(_sinfo(f, "R.Tuple") for f in fields))


def _Object() -> _si.ObjectStructInfo:
    """`R.Object`: any value."""
    return _si.ObjectStructInfo()


def _Prim(dtype: _Any = None, value: _Any = None) -> _si.PrimStructInfo:
    """`R.Prim("int64")`, `R.Prim(value=n)`."""
    return _si.PrimStructInfo(dtype, _dim(value))


def _Callable(params: _Any = None, ret: _Any = None, purity: bool = True) -> _si.FuncStructInfo:
    """`R.Callable((params...), ret, purity)`; params None means any arguments."""
    ps = None if params is None else _builtins.tuple(_sinfo(p, "R.Callable") for p in params)
    return _si.FuncStructInfo(ps, _si.ObjectStructInfo() if ret is None else _sinfo(ret, "R.Callable"), bool(purity))


# ---------------------------------------------------------------------------------------------
# literals and special calls
# ---------------------------------------------------------------------------------------------


_DEFAULT_DTYPE = {"i": "int32", "u": "int32", "f": "float32", "b": "bool"}


def _const(value: _Any, dtype: _Any = None) -> _expr.Constant:
    """`R.const(value, "float32")`: a tensor constant (int -> int32, float -> float32 by default)."""
    if dtype is None:
        arr = _np.asarray(value)
        default = _DEFAULT_DTYPE.get(arr.dtype.kind)
        if default is None and arr.dtype.kind not in "iufb":
            raise _IRError(f"R.const cannot hold a value of numpy type {arr.dtype}")
        dtype = default or _builtins.str(arr.dtype)
    dt = _DataType(dtype)
    try:
        arr = _np.array(value, dtype=dt.numpy_dtype())
    except (TypeError, ValueError, OverflowError) as e:
        raise _IRError(f"R.const: cannot make a {dt} tensor of {value!r:.60}: {e}") from None
    return _expr.Constant(arr)


def _shape(values: _Any) -> _expr.ShapeExpr:
    """`R.shape([2, n])`: a shape value."""
    if not isinstance(values, (list, _builtins.tuple)):
        raise _IRError(f"R.shape takes a list of dims, got {type(values).__name__}")
    return _expr.ShapeExpr(_builtins.tuple(values))


def _prim_value(value: _Any) -> _expr.PrimValue:
    """`R.prim_value(3)`: a scalar value (a Python int is an int64)."""
    if type(value) is int:
        value = _IntImm("int64", value)
    return _expr.PrimValue(value)


def _str(value: _Any) -> _expr.StringImm:
    """`R.str("...")`: a string value."""
    if not isinstance(value, _builtins.str):
        raise _IRError(f"R.str takes a str, got {type(value).__name__}")
    return _expr.StringImm(value)


def _dtype(value: _Any) -> _expr.DataTypeImm:
    """`R.dtype("float32")`: a data type value."""
    return _expr.DataTypeImm(_DataType(value))


def _extern_func(name: _Any) -> _expr.ExternFunc:
    """`R.ExternFunc("name")`: a library function."""
    return _expr.ExternFunc(name)


def _args(args: _Any) -> _Any:
    return _builtins.tuple(_as_relax(a) for a in args) if isinstance(args, (list, _builtins.tuple)) else _as_relax(args)


def _call_tir(gvar: _Any, args: _Any, out_sinfo: _Any, tir_vars: _Any = None) -> _expr.Call:
    """`R.call_tir(cls.f, (x, y), out_sinfo=R.Tensor(...), tir_vars=R.shape([n]))`."""
    return _base.call_tir(gvar, _args(args), _sinfo(out_sinfo, "R.call_tir: out_sinfo"), _tir_vars(tir_vars))


def _tir_vars(tir_vars: _Any) -> _Any:
    if tir_vars is None or isinstance(tir_vars, _expr.ShapeExpr):
        return tir_vars
    if isinstance(tir_vars, (list, _builtins.tuple)):
        return _expr.ShapeExpr(_builtins.tuple(tir_vars))
    raise _IRError(f"tir_vars takes R.shape([...]), got {type(tir_vars).__name__}")


def _call_tir_inplace(gvar: _Any, args: _Any, inplace_indices: _Any, out_sinfo: _Any,
                      tir_vars: _Any = None) -> _expr.Call:
    """`R.call_tir_inplace(cls.f, (x,), inplace_indices=[0], out_sinfo=...)`."""
    return _base.call_tir_inplace(gvar, _args(args), inplace_indices, _sinfo(out_sinfo, "R.call_tir_inplace"),
                                  _tir_vars(tir_vars))


def _call_dps_packed(func: _Any, args: _Any, out_sinfo: _Any) -> _expr.Call:
    """`R.call_dps_packed("lib.func", (x,), out_sinfo=...)`."""
    return _base.call_dps_packed(func, _args(args), _sinfo(out_sinfo, "R.call_dps_packed"))


def _sinfo_args(sinfo_args: _Any) -> _Any:
    if sinfo_args is None:
        return None
    if isinstance(sinfo_args, (list, _builtins.tuple)):
        return _builtins.tuple(_sinfo(s, "sinfo_args") for s in sinfo_args)
    return _sinfo(sinfo_args, "sinfo_args")


def _call_packed(func: _Any, *args: _Any, sinfo_args: _Any = None) -> _expr.Call:
    """`R.call_packed("name", x, sinfo_args=(...))`: an (impure) library call."""
    return _base.call_packed(func, *[_as_relax(a) for a in args], sinfo_args=_sinfo_args(sinfo_args))


def _call_pure_packed(func: _Any, *args: _Any, sinfo_args: _Any = None) -> _expr.Call:
    """`R.call_pure_packed("name", x, sinfo_args=...)`: a library call declared pure."""
    return _base.call_pure_packed(func, *[_as_relax(a) for a in args], sinfo_args=_sinfo_args(sinfo_args))


def _tuple(*fields: _Any) -> _expr.Tuple:
    """`R.tuple()` (the empty tuple), `R.tuple(a, b)`."""
    return _expr.Tuple(_builtins.tuple(_as_relax(f) for f in fields))


def _match_cast(value: _Any, struct_info: _Any) -> _MatchCastPair:
    """`x = R.match_cast(value, R.Tensor((m, n), "float32"))`: bind value checked against sinfo."""
    return _MatchCastPair(value, _sinfo(struct_info, "R.match_cast"))


def _output(*vars: _Any) -> None:
    """`R.output(a, b)`: the outputs of the dataflow block."""
    _B.output(*vars)


_g = globals()
_FUNCTIONS: dict[str, tuple[_Any, bool]] = {
    "Tensor": (_Tensor, True), "Shape": (_Shape, True), "Tuple": (_Tuple, True), "Object": (_Object, True),
    "Prim": (_Prim, False), "Callable": (_Callable, True),
    "const": (_const, False), "shape": (_shape, False), "prim_value": (_prim_value, False), "str": (_str, False),
    "dtype": (_dtype, False), "ExternFunc": (_extern_func, False), "call_tir": (_call_tir, False),
    "call_tir_inplace": (_call_tir_inplace, False), "call_dps_packed": (_call_dps_packed, False),
    "call_packed": (_call_packed, False), "call_pure_packed": (_call_pure_packed, False),
    "match_cast": (_match_cast, False), "tuple": (_tuple, False), "output": (_output, False), "dataflow": (_B.dataflow, False),
    "func_attr": (_B.func_attr, False), "func_ret_struct_info": (_B.func_ret_struct_info, False),
}
for _name, (_fn, _is_type) in _FUNCTIONS.items():
    _g[_name] = _F(_fn, f"R.{_name}", _RELAX, is_type=_is_type)


# ---------------------------------------------------------------------------------------------
# operators from the registry (PEP 562)
# ---------------------------------------------------------------------------------------------


class _OpNamespace:
    """`R.nn`, `R.image`, ...: the registered ops under a dotted prefix."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: _Any) -> None:
        self.prefix = prefix

    def __getattr__(self, name: _Any) -> _Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _lookup(f"{self.prefix}.{name}")

    def __repr__(self) -> _Any:
        return f"<namespace R.{self.prefix}>"


_OPS: dict[str, _Any] = {}


def _lookup(path: _Any) -> _Any:
    hit = _OPS.get(path)
    if hit is not None:
        return hit
    entry = _lookup_script(path)
    if entry is not None:
        hit = _F(entry.builder, f"R.{path}", _RELAX)
    elif path in _script_namespaces():
        hit = _register_namespace(_OpNamespace(path))
    else:
        raise AttributeError(f"R.{path} is not a registered operator or R function")
    _OPS[path] = hit
    return hit


def __getattr__(name: _Any) -> _Any:
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = _lookup(name)
    _g[name] = value
    return value


__all__ = ["function", "macro", *_FUNCTIONS]

_register_namespace(__import__("sys").modules[__name__])
del _name, _fn, _is_type
