"""`assert_diag`: the one check negative script tests make — the error, its message, its place.

    assert_diag('''
        @T.prim_func
        def f(A: T.Buffer((4,), "float32")):
            A[0] = foo
    ''', "unknown name `foo`", 3, 12)

The source is dedented and a leading newline dropped, so line 1 is its first
line; `col` is 1-based, as diagnostics show it (`file:3:12`). `src` may also be a
callable (a test that applies a decorator), which must raise the error.
`parse_text(src)` parses a source written the same way.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from irscript.errors import ScriptError


def script_text(src: str) -> str:
    """`src` dedented, without its leading newline (what `assert_diag` parses)."""
    text = textwrap.dedent(src)
    return text[1:] if text.startswith("\n") else text


def assert_diag(src: str | Callable[[], Any], message: str, line: int, col: int, *,
                source_name: str = "<string>") -> ScriptError:
    """Assert that parsing `src` (with `irscript.script.parse`) raises a ScriptError whose
    message contains `message`, located at `line`:`col` (1-based). Returns the error."""
    from irscript.script import parse

    try:
        if callable(src):
            src()
        else:
            parse(script_text(src), source_name)
    except ScriptError as err:
        span = err.span
        if message not in err.message:
            raise AssertionError(f"expected a message containing {message!r}, got {err.message!r}") from None
        if span is None:
            raise AssertionError(f"the error {err.message!r} has no location (expected {line}:{col})") from None
        if (span.line, span.col + 1) != (line, col):
            raise AssertionError(f"the error {err.message!r} is at {span.line}:{span.col + 1}, expected "
                                 f"{line}:{col}") from None
        return err
    raise AssertionError(f"no ScriptError was raised (expected {message!r} at {line}:{col})")


def parse_text(src: str, **options: Any) -> Any:
    """`irscript.script.parse` of `src` dedented (as `assert_diag` reads it)."""
    from irscript.script import parse

    return parse(script_text(src), **options)


__all__ = ["assert_diag", "parse_text", "script_text"]
