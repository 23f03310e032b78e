"""`irscript run`: call one function of a module in the reference interpreter and summarize the
result (shape, dtype, a few values, the time taken); `--save` writes the outputs to a .npz file.

Inputs come from `irscript.cli.inputs`. A Relax function's results are its
return value (arrays, tuples of them, shapes, scalars); a PrimFunc runs in
destination-passing style, so its results are its buffer arguments after the
call (and its `T.ret` value, if any).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from irscript.cli.inputs import Argument, make_inputs
from irscript.errors import Error, ExecutionError
from irscript.fileio import atomic_write
from irscript.interp import Interpreter
from irscript.ir.module import BaseFunc, IRModule
from irscript.relax.expr import Function
from irscript.tir.function import PrimFunc

__all__ = ["Outcome", "as_module", "execute", "pick_function", "prepare", "save_npz", "summary"]

PREVIEW = 6  # values shown per output


class Outcome:
    """A finished call: the function `name`, its `args`, named `outputs` and `seconds` taken."""

    __slots__ = ("name", "args", "outputs", "seconds")

    def __init__(self, name: str, args: list[Argument], outputs: list[tuple[str, Any]], seconds: float) -> None:
        self.name = name
        self.args = args
        self.outputs = outputs
        self.seconds = seconds


def as_module(node: Any, what: str) -> IRModule:
    """`node` as a module: a module as is, a single function under its `global_symbol` (or main)."""
    if isinstance(node, IRModule):
        return node
    if isinstance(node, BaseFunc):
        attrs = getattr(node, "attrs", None) or {}
        return IRModule({str(attrs.get("global_symbol", "main")): node})
    raise Error(f"{what} holds a {getattr(node, 'type_key', type(node).__name__)}, not a module or a function")


def pick_function(mod: IRModule, name: str | None) -> tuple[str, BaseFunc]:
    """The function to run: `name`, else `main`, else the module's only function."""
    funcs = {gv.name_hint: f for gv, f in mod.functions.items()}
    if name is None:
        if "main" in funcs:
            name = "main"
        elif len(funcs) == 1:
            name = next(iter(funcs))
        else:
            raise Error(f"the module has no function `main`; choose one with --func ({', '.join(funcs)})")
    func = funcs.get(name)
    if func is None:
        raise Error(f"the module has no function `{name}` (it has: {', '.join(funcs) or 'none'})")
    return name, func


def execute(mod: IRModule, name: str, func: BaseFunc, args: list[Argument]) -> Outcome:
    """Run `name` on `args` and collect its named outputs."""
    values = [a.value for a in args]
    interp = Interpreter(mod)
    start = time.perf_counter()
    result = interp.run(name, *values)
    seconds = time.perf_counter() - start
    outputs: list[tuple[str, Any]] = []
    if isinstance(func, PrimFunc):
        outputs = [(a.name, a.value) for a in args if isinstance(a.value, np.ndarray)]
        if result is not None:
            outputs.append(("return", result))
    else:
        _flatten("output", result, outputs)
    return Outcome(name, args, outputs, seconds)


def _flatten(name: str, value: Any, out: list[tuple[str, Any]]) -> None:
    if isinstance(value, tuple) and not (value and all(type(v) is int for v in value)):  # a tuple, not a shape
        for i, v in enumerate(value):
            _flatten(f"{name}_{i}", v, out)
    else:
        out.append((name, value))


# ---------------------------------------------------------------------------------------------
# showing and saving
# ---------------------------------------------------------------------------------------------
def _describe(value: Any) -> tuple[str, str, str]:
    """(shape, dtype, a few values) of a result for the summary table."""
    if isinstance(value, np.ndarray):
        flat = value.reshape(-1)
        head = np.array2string(flat[:PREVIEW], precision=4, separator=", ", max_line_width=10_000)
        if flat.size > PREVIEW:
            head = head[:-1] + ", ...]"
        return str(list(value.shape)), str(value.dtype), head
    if isinstance(value, np.generic):
        return "scalar", str(value.dtype), repr(value.item())
    if isinstance(value, tuple):
        return "shape", "", str(list(value))
    return "", type(value).__name__, repr(value)[:60]


def _duration(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def summary(outcome: Outcome) -> list[Any]:
    """Rich renderables: the inputs, the outputs, the time taken."""
    from rich.table import Table
    from rich.text import Text

    inputs = Table(title=f"inputs of {outcome.name}", title_justify="left", show_edge=False)
    for col in ("param", "shape", "dtype", "from"):
        inputs.add_column(col)
    for a in outcome.args:
        shape, dtype, _ = _describe(a.value)
        inputs.add_row(a.name, shape, dtype, a.source)
    outputs = Table(title="outputs", title_justify="left", show_edge=False)
    for col in ("name", "shape", "dtype", "values"):
        outputs.add_column(col, overflow="fold")
    for name, value in outcome.outputs:
        outputs.add_row(name, *_describe(value))
    done = Text(f"ran {outcome.name} in {_duration(outcome.seconds)} (reference interpreter)", style="bold")
    return [inputs, Text(""), outputs, Text(""), done] if outcome.args else [outputs, Text(""), done]


def save_npz(path: str, outputs: list[tuple[str, Any]]) -> None:
    """Write the outputs to `path` (.npz, one array per output) atomically."""
    arrays = {name: np.asarray(value) for name, value in outputs}
    atomic_write(path, lambda f: np.savez(f, **arrays), binary=True)


def prepare(mod: IRModule, func_name: str | None, files: list[str], random: bool, shapes: dict[str, int],
            seed: int) -> tuple[str, BaseFunc, list[Argument]]:
    """(name, function, arguments) of the call `irscript run` makes."""
    name, func = pick_function(mod, func_name)
    if not isinstance(func, (PrimFunc, Function)):
        raise ExecutionError(f"`{name}` is a {type(func).__name__}, which the interpreter cannot run")
    return name, func, make_inputs(func, files, random, shapes, seed)
