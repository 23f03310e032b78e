"""How the script parser reports errors: every problem becomes a `ScriptError` at a Doc span.

* `error_at(node, message)` — a new ScriptError at the node's span.
* `located(err, node)` — an irscript `Error` raised while the node was parsed (an
  IRError from the IRBuilder or the op registry) as a ScriptError at the node's
  span; a ScriptError that already has a span is returned as is, so the innermost
  location wins.
* `from_python(exc, node, what)` — a Python exception raised by code the script
  called (a TypeError for a wrong argument, a ValueError from a helper) as a
  ScriptError; the original stays as `__cause__` so a bug is still traceable.
* `ScriptDiagnostic` — the ScriptError the entry points raise: `str(err)` is the
  rendered diagnostic (source line, span underlined), so even an uncaught error
  reads like a compiler error. `for_user(err)` makes one, with the parser's own
  stack frames cut from the traceback.
"""

from __future__ import annotations

import sys
from typing import Any

from irscript.errors import Error, ScriptError

# Python exceptions that a script's own mistakes raise inside called code.
PYTHON_ERRORS = (TypeError, ValueError, ArithmeticError, LookupError, AttributeError)


def _span(node: Any) -> Any:
    return None if node is None else node.span


def error_at(node: Any, message: str, notes: list[str] | tuple[str, ...] = ()) -> ScriptError:
    """A ScriptError at `node`'s span (a Doc node, or None for no location)."""
    err = ScriptError(message, span=_span(node))
    for note in notes:
        err.add_note(note)
    return err


def located(err: Error, node: Any) -> ScriptError:
    """`err` as a ScriptError located at `node`, unless it already carries a span."""
    if isinstance(err, ScriptError):
        if err.span is None:
            err.span = _span(node)
        return err
    new = ScriptError(err.message, span=_span(node), path=err.path)
    for note in getattr(err, "__notes__", ()):
        new.add_note(note)
    return new


def from_python(exc: BaseException, node: Any, what: str | None = None) -> ScriptError:
    """A ScriptError for a Python exception raised by code that the script called."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, KeyError) and exc.args:
        text = f"no key {exc.args[0]!r}"
    message = f"{what}: {text}" if what and not text.startswith(what) else text
    err = ScriptError(message, span=_span(node))
    err.__cause__ = exc
    return err


class ScriptDiagnostic(ScriptError):
    """A ScriptError whose `str()` is the full rendered diagnostic."""

    def __str__(self) -> str:
        from irscript.doc.diagnostics import format_diagnostic

        # Python 3.11+ prints the notes after this text (they stay in __notes__ for render_error);
        # 3.10 does not know notes, so they go into the text
        text = "\n" + format_diagnostic(self.span, self.message)
        if sys.version_info < (3, 11):
            text += "".join(f"\n= note: {n}" for n in getattr(self, "__notes__", ()))
        return text


def for_user(err: ScriptError) -> ScriptDiagnostic:
    """The error to raise to a user: same message, span, path and notes; the cause is kept
    only when it is not an irscript error (a bug in called Python code stays traceable)."""
    if isinstance(err, ScriptDiagnostic):
        out = err
    else:
        out = ScriptDiagnostic(err.message, span=err.span, path=err.path)
        for note in getattr(err, "__notes__", ()):
            out.add_note(note)
        cause = err.__cause__
        if cause is not None and not isinstance(cause, Error):
            out.__cause__ = cause
    out.__suppress_context__ = True
    return out.with_traceback(None)


__all__ = ["PYTHON_ERRORS", "ScriptDiagnostic", "error_at", "for_user", "from_python", "located"]
