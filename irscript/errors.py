"""The project's exception hierarchy: every error irscript raises on purpose derives `Error`.

Each error may carry a location: a source span (scripts), an IR path (IR checks,
structural equality) or a JSON path (the JSON loader). `str(err)` is the
one-line message with the location; diagnostics with underlined source are
rendered by `irscript.doc.diagnostics` for `ScriptError`.
"""

from __future__ import annotations

from typing import Any


class Error(Exception):
    """Base class of every error irscript raises deliberately."""

    def __init__(self, message: str, *, span: Any = None, path: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.path = path

    def __str__(self) -> str:
        where = []
        if self.span is not None:
            where.append(str(self.span))
        if self.path is not None:
            where.append(f"at {self.path}")
        return f"{self.message} ({', '.join(where)})" if where else self.message


class IRError(Error):
    """Ill-formed IR or misuse of the IR/IRBuilder API."""


class ScriptError(Error):
    """An error in a script, located at a source span (file, line, column)."""


class JSONFormatError(Error):
    """Corrupt, unsupported or ill-typed JSON; `path` is the JSON path of the problem."""

    def __str__(self) -> str:
        return f"{self.message} (at JSON path {self.path})" if self.path else self.message


class ExecutionError(Error):
    """A failure while running IR (interpreter or compiled executor)."""
