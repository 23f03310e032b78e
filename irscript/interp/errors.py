"""Run-time error helpers: every failure of the interpreter is an `ExecutionError` carrying the IR
path of the statement (TIR) or binding (Relax) at fault."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from irscript.errors import Error, ExecutionError
from irscript.ir.path import ObjectPath

__all__ = ["add_note", "fail", "show_index", "wrap_foreign"]


def fail(message: str, path: ObjectPath | None = None) -> ExecutionError:
    """An ExecutionError with `message` at `path` (raise it)."""
    return ExecutionError(message, path=path)


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()] if v.ndim else v.item()
    if isinstance(v, np.generic):
        return v.item()
    return v


def show_index(name: str, indices: Sequence[Any]) -> str:
    """`A[3, 17]` for messages (lane vectors as lists)."""
    return f"{name}[{', '.join(str(_plain(i)) for i in indices)}]"


_MAX_NOTES = 6


def add_note(err: Error, note: str) -> Error:
    """Append a note to an error's message, keeping its own (innermost) location. Past a few
    notes (deep recursion) the rest is summarized in one line."""
    count = err.message.count("\n  note: ")
    if count < _MAX_NOTES:
        err.message = f"{err.message}\n  note: {note}"
    elif count == _MAX_NOTES:
        err.message = f"{err.message}\n  note: ... (more callers)"
    err.args = (err.message,)
    return err


def wrap_foreign(exc: BaseException, what: str, path: ObjectPath | None) -> ExecutionError:
    """An ExecutionError for a non-irscript exception raised by user or reference code."""
    return ExecutionError(f"{what} raised {type(exc).__name__}: {exc}", path=path)
