"""Diagnostics: rust-style rendering of located errors, plain or colored."""

from __future__ import annotations

import io

import pytest

from irscript.doc import format_diagnostic, parse_python, print_diagnostic, render_error
from irscript.errors import IRError, ScriptError
from irscript.ir.span import Span


def _syntax_error(text: str, **kw) -> ScriptError:
    with pytest.raises(ScriptError) as info:
        parse_python(text, "model.py", **kw)
    return info.value


def test_syntax_error_diagnostic_with_offsets():
    err = _syntax_error("def f():\n    y = (1 +\n", line_offset=40, col_offset=4)
    assert render_error(err) == (
        "error: syntax error: '(' was never closed\n"
        "  --> model.py:42:13\n"
        "   |\n"
        "42 |         y = (1 +\n"
        "   |             ^"
    )


def test_span_of_a_doc_node_with_message():
    text = "x = 1\ny = T.foo(x, 2)\n"
    call = parse_python(text, "s.py").body[1].value
    assert format_diagnostic(call.span, "unknown function T.foo") == (
        "error: unknown function T.foo\n"
        " --> s.py:2:5\n"
        "  |\n"
        "2 | y = T.foo(x, 2)\n"
        "  |     ^^^^^^^^^^^"
    )


def test_error_object_and_explicit_source_text():
    text = "a = 1\nb = c + 1\n"
    err = ScriptError("name `c` is not defined", span=Span("f.py", 2, 4, 2, 5))
    out = format_diagnostic(err, None, text)
    assert out.splitlines()[-2:] == ["2 | b = c + 1", "  |     ^"]
    assert format_diagnostic(err, "other message", text).startswith("error: other message\n")


def test_multi_line_span_is_shortened():
    text = "".join(f"line{i} = {i}\n" for i in range(1, 11))
    out = format_diagnostic(Span("m.py", 2, 0, 9, 5), "spans many lines", text)
    lines = out.splitlines()
    assert "2 | line2 = 2" in lines and "9 | line9 = 9" in lines and "..." in lines
    assert "5 | line5 = 5" not in lines
    assert lines[-1] == "  | ^^^^^"


def test_without_span_or_source():
    assert format_diagnostic(IRError("bad IR")) == "error: bad IR"
    out = format_diagnostic(Span("gone.py", 3, 1), "no text")
    assert out == "error: no text\n --> gone.py:3:2"


def test_notes_are_shown():
    err = _syntax_error("x = (\n")
    err.add_note("while parsing function `main`")
    assert render_error(err).endswith("= note: while parsing function `main`")


def test_tabs_keep_carets_aligned():
    text = "if x:\n\ty = z\n"
    out = format_diagnostic(Span("t.py", 2, 5, 2, 6), "bad z", text)
    assert out.splitlines()[-2:] == ["2 |     y = z", "  |         ^"]


def test_color_only_when_asked_or_terminal():
    err = _syntax_error("x = (\n")
    assert "\x1b[" in render_error(err, color=True)
    assert "\x1b[" not in render_error(err)
    buf = io.StringIO()
    print_diagnostic(err, file=buf)
    assert buf.getvalue().rstrip("\n") == render_error(err)


def test_rejects_other_objects():
    with pytest.raises(TypeError):
        format_diagnostic("not a span", "message")
