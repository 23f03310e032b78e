"""Ops the runtime executes as builtins rather than TIR: `R.print`, `R.assert_op`,
`R.shape_of`, `R.null_value`.

Laid out as in TVM: `R.print(*values, format="")` is the call
`relax.print(format, *values)` and `R.assert_op(condition, *format_args,
format="")` is `relax.assert_op(condition, format, *format_args)` (the format
is a StringImm argument, printed as a keyword). print and assert_op are
impure and return an empty tuple. Their numpy references do what the
runtime does: print the formatted values / raise `ExecutionError`.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from irscript.errors import ExecutionError
from irscript.relax.expr import Call
from irscript.relax.op.infer import arg_sinfo, fail, show_sinfo, tensor_arg
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import ANY, STR_ARG, Arg
from irscript.relax.struct_info import (
    ObjectStructInfo,
    PrimStructInfo,
    ShapeStructInfo,
    StructInfo,
    TensorStructInfo,
    TupleStructInfo,
)

__all__ = ["assert_op", "null_value", "print", "render", "shape_of"]


def _void(call: Call, ctx: Any = None) -> StructInfo:
    return TupleStructInfo(())


def render(value: Any) -> str:
    """A runtime value as print / assert_op show it."""
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(render(v) for v in value) + ")"
    return str(value)


def _format(fmt: str, values: tuple[Any, ...], sep: str) -> str:
    rendered = [render(v) for v in values]
    return fmt.format(*rendered) if fmt else sep.join(rendered)


def _np_print(format: str, *values: Any) -> tuple:
    builtins.print(_format(format, values, " "))  # `print` here is the R.print builder
    return ()


print = define_op(
    "relax.print", args=[Arg("format", STR_ARG, kw_only=True, default=""), Arg("values", ANY, variadic=True)],
    infer=_void, pure=False, runtime="relax.run.print", numpy_ref=_np_print,
    doc='R.print(*values, format=""): print the values at run time (formatted with str.format if given).',
).builder


def _infer_assert(call: Call, ctx: Any = None) -> StructInfo:
    cond = arg_sinfo(call, 0)
    ok = False
    if isinstance(cond, PrimStructInfo):
        ok = cond.dtype.is_bool
    elif isinstance(cond, TensorStructInfo):
        ok = (cond.dtype.is_void or cond.dtype.is_bool) and cond.ndim in (0, -1)
    if not ok:
        raise fail(call, f"argument 'condition' expects a boolean scalar (a 0-d bool tensor or R.Prim(\"bool\")), "
                         f"got {show_sinfo(cond)}")
    return TupleStructInfo(())


def _np_assert(condition: Any, format: str = "", *format_args: Any) -> tuple:
    if not bool(np.asarray(condition)):
        message = _format(format, format_args, ", ") if (format or format_args) else "Assertion Failed"
        raise ExecutionError(message)
    return ()


assert_op = define_op(
    "relax.assert_op",
    args=[Arg("condition", ANY), Arg("format", STR_ARG, kw_only=True, default=""),
          Arg("format_args", ANY, variadic=True)],
    infer=_infer_assert, pure=False, runtime="relax.run.assert_op", numpy_ref=_np_assert,
    doc='R.assert_op(condition, *format_args, format=""): fail at run time unless `condition` holds.',
).builder


def _infer_shape_of(call: Call, ctx: Any = None) -> StructInfo:
    x = tensor_arg(call, 0)
    if x.values is not None:
        return ShapeStructInfo(x.values)
    return ShapeStructInfo(ndim=x.ndim)


shape_of = define_op(
    "relax.shape_of", args=[Arg("expr")], infer=_infer_shape_of, runtime="vm.builtin.shape_of",
    numpy_ref=lambda expr: tuple(int(d) for d in np.shape(expr)),
    doc="R.shape_of(expr): the shape of a tensor, as a shape value.",
).builder

null_value = define_op(
    "relax.null_value", args=[], infer=lambda call, ctx=None: ObjectStructInfo(), runtime="vm.builtin.null_value",
    numpy_ref=lambda: None, doc="R.null_value(): the null object.",
).builder
