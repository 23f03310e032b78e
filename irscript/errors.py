"""The project's exception hierarchy: every error irscript raises on purpose derives `Error`.

Each error may carry a location: a source span (scripts), an IR path (IR checks,
structural equality) or a JSON path (the JSON loader). `str(err)` is the
one-line message with the location; diagnostics with underlined source are
rendered by `irscript.doc.diagnostics` for `ScriptError`.
"""

from __future__ import annotations

import sys
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

    if sys.version_info < (3, 11):  # BaseException.add_note is new in 3.11

        def add_note(self, note: str) -> None:
            """Attach a note (shown as `= note:` lines), as Python 3.11's `add_note` does."""
            if not isinstance(note, str):
                raise TypeError("note must be a str")
            notes = self.__dict__.setdefault("__notes__", [])
            notes.append(note)


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
