"""Comparing script texts written by different printers: token by token, with numbers compared
by value, so `1e-05` and TVM's `1.0000000000000001e-05` count as the same literal."""

from __future__ import annotations

import io
import tokenize


def tokens_by_value(text: str) -> list[tuple[int, object]]:
    """The Python tokens of `text` (line breaks left out), numbers as their float value."""
    out: list[tuple[int, object]] = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER):
            continue
        out.append((tok.type, float(tok.string) if tok.type == tokenize.NUMBER else tok.string))
    return out


def assert_same_lines(ours: str, theirs: str, what: str = "") -> None:
    """The two texts have the same lines, except for the spelling of numbers."""
    a, b = ours.rstrip("\n").splitlines(), theirs.rstrip("\n").splitlines()
    assert len(a) == len(b), f"{what}: {len(a)} lines vs {len(b)}"
    for k, (x, y) in enumerate(zip(a, b), 1):
        if x != y and tokens_by_value(x) != tokens_by_value(y):
            raise AssertionError(f"{what}: line {k} differs:\n  ours:   {x}\n  theirs: {y}")


__all__ = ["assert_same_lines", "tokens_by_value"]
