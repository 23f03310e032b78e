"""Source spans: where in a user's file a node came from. Equality and hashing ignore them.

While the script parser drives the IRBuilder it sets the *current span* (the statement
being parsed, or the header of the frame being closed); the builder and the Relax
normalizer stamp statements and bindings they create with it, so problems found later
in the IR (the well-formedness checker) can be reported at the user's line."""

from __future__ import annotations

import threading


class Span:
    """A range in a source text: 1-based lines, 0-based columns, end exclusive."""

    __slots__ = ("source_name", "line", "col", "end_line", "end_col", "source")

    def __init__(
        self,
        source_name: str,
        line: int,
        col: int,
        end_line: int | None = None,
        end_col: int | None = None,
        source: "SourceText | None" = None,
    ) -> None:
        self.source_name = source_name
        self.line = line
        self.col = col
        self.end_line = line if end_line is None else end_line
        self.end_col = col + 1 if end_col is None else end_col
        self.source = source

    def __repr__(self) -> str:
        return f"Span({self.source_name}:{self.line}:{self.col + 1})"

    def __str__(self) -> str:
        return f"{self.source_name}:{self.line}:{self.col + 1}"

    def __reduce__(self):
        return (Span, (self.source_name, self.line, self.col, self.end_line, self.end_col))

    def __deepcopy__(self, memo):
        return self


class SourceText:
    """The text a set of spans points into, with its lines split once."""

    __slots__ = ("name", "text", "_lines")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def line(self, lineno: int) -> str:
        lines = self.lines
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""


class _Location(threading.local):
    span: Span | None = None


_LOCATION = _Location()


def current_span() -> Span | None:
    """Where in the user's source the IR being built now comes from (set by the script parser
    statement by statement; None when IR is built from plain Python)."""
    return _LOCATION.span


def set_current_span(span: Span | None) -> Span | None:
    """Make `span` the current source location; returns the previous one to restore later."""
    loc = _LOCATION
    old = loc.span
    loc.span = span
    return old
