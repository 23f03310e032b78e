"""Diagnostics: a located error rendered like a compiler error, with rich.

    error: unknown name `foo`
      --> model.py:12:9
       |
    12 |         x = foo(1)
       |             ^^^
       = note: while parsing function `main`

`format_diagnostic(error_or_span, message, source_text)` returns that text
(plain unless `color=True`); `print_diagnostic(...)` writes it to stderr (or a
given file) through a rich Console, in color only when that is a terminal;
`render_error(err)` is the text for any irscript error (a CLI prints it).
The source line comes from `source_text` when given (the whole file, or a
SourceText; absolute line numbers), else from the span's own source.
Python exception notes (`err.add_note`) are shown as `= note:` lines.
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Any, TextIO

from irscript.errors import Error
from irscript.ir.span import SourceText, Span

if TYPE_CHECKING:
    from rich.text import Text

_MAX_LINES = 4
_TAB = 4
_STYLE = {"error": "bold red", "warning": "bold yellow", "note": "bold cyan"}


def _source_line(span: Span, lineno: int, source_text: str | SourceText | None, cache: dict) -> str | None:
    if isinstance(source_text, str):
        lines = cache.get("lines")
        if lines is None:
            lines = cache["lines"] = source_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return lines[lineno - 1] if 0 < lineno <= len(lines) else None
    src = source_text if source_text is not None else span.source
    if src is None:
        return None
    line = src.line(lineno)
    return line if line or lineno == span.line else None


def _visual(line: str, col: int) -> int:
    """Column after expanding tabs (carets must line up with the shown text)."""
    return len(line[:col].expandtabs(_TAB))


def _caret_range(line: str, lineno: int, span: Span) -> tuple[int, int]:
    start = span.col if lineno == span.line else len(line) - len(line.lstrip())
    end = span.end_col if lineno == span.end_line else len(line.rstrip())
    start = min(start, len(line))
    end = max(min(end, len(line)), start + 1)
    return _visual(line, start), _visual(line, end)


def _build(span: Span | None, message: str, source_text: Any, notes: list[str], severity: str) -> Text:
    from rich.text import Text  # rich is imported only when a diagnostic is shown

    out = Text()
    out.append(severity, style=_STYLE.get(severity, "bold"))
    out.append(": ", style="bold")
    out.append(message + "\n", style="bold")
    if span is None:
        for note in notes:
            out.append(f"  = note: {note}\n")
        return out
    last = max(span.end_line, span.line)
    shown = list(range(span.line, last + 1))
    if len(shown) > _MAX_LINES:
        shown = shown[:_MAX_LINES - 1] + [None, last]
    width = len(str(last))
    pad = " " * width
    out.append(f"{pad}--> ", style="bold blue")
    out.append(f"{span}\n")
    cache: dict = {}
    lines = [(ln, _source_line(span, ln, source_text, cache)) if ln is not None else (None, None) for ln in shown]
    if any(text is not None for _, text in lines):
        out.append(f"{pad} |\n", style="bold blue")
        for ln, text in lines:
            if ln is None:
                out.append("...\n", style="bold blue")
                continue
            if text is None:
                continue
            out.append(f"{ln:>{width}} | ", style="bold blue")
            out.append(text.expandtabs(_TAB).rstrip() + "\n")
            start, end = _caret_range(text, ln, span)
            out.append(f"{pad} | ", style="bold blue")
            out.append(" " * start + "^" * (end - start) + "\n", style=_STYLE.get(severity, "bold"))
    for note in notes:
        out.append(f"{pad} = ", style="bold blue")
        out.append(f"note: {note}\n")
    return out


def _split(error_or_span: Any, message: str | None) -> tuple[Span | None, str, list[str]]:
    if isinstance(error_or_span, BaseException):
        span = getattr(error_or_span, "span", None)
        msg = getattr(error_or_span, "message", None) or str(error_or_span)
        if isinstance(error_or_span, Error) and error_or_span.path is not None:
            msg = f"{msg} (at {error_or_span.path})"
        notes = [str(n) for n in getattr(error_or_span, "__notes__", ())]
        return (span if isinstance(span, Span) else None), (message or msg), notes
    if error_or_span is None or isinstance(error_or_span, Span):
        return error_or_span, message or "", []
    raise TypeError(f"format_diagnostic takes an exception or a Span, not {type(error_or_span).__name__}")


def format_diagnostic(error_or_span: BaseException | Span | None, message: str | None = None,
                      source_text: str | SourceText | None = None, *, color: bool = False,
                      severity: str = "error") -> str:
    """The rust-style text of a diagnostic: `error: message`, `--> file:line:col`, source, carets."""
    span, msg, notes = _split(error_or_span, message)
    text = _build(span, msg, source_text, notes, severity)
    if not color:
        return text.plain.rstrip("\n")
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, force_terminal=True, color_system="standard", width=10_000, highlight=False,
            soft_wrap=True).print(text, end="")
    return buf.getvalue().rstrip("\n")


def print_diagnostic(error_or_span: BaseException | Span | None, message: str | None = None,
                     source_text: str | SourceText | None = None, *, file: TextIO | None = None,
                     severity: str = "error") -> None:
    """Print a diagnostic (to stderr by default), colored only when the output is a terminal."""
    span, msg, notes = _split(error_or_span, message)
    text = _build(span, msg, source_text, notes, severity)
    from rich.console import Console

    console = Console(file=file if file is not None else sys.stderr, highlight=False, soft_wrap=True)
    console.print(text, end="")


def render_error(err: BaseException, source_text: str | SourceText | None = None, *, color: bool = False) -> str:
    """The diagnostic text of an error (a ScriptError with its span underlined; others as one line)."""
    return format_diagnostic(err, None, source_text, color=color)
