"""The print/parse round trip check (`check_roundtrip`), used by the printer and parser tests.

    check_roundtrip(node, **print_options) -> parsed

prints `node` (`irscript.printer.print_script`), parses the text with
`irscript.parse`, and asserts the two invariants of the script format:
`parse(print(m))` is structurally equal to `m`, and `print(parse(print(m)))`
equals `print(m)` character for character. Failures raise AssertionError
with the printed text and where it differs.
"""

from __future__ import annotations

from typing import Any

from irscript.ir.structural import StructuralMismatchError, assert_structural_equal


def _parse(text: str) -> Any:
    from irscript.script import parse  # the script layer (imported late: optional for printer tests)

    return parse(text)


def _first_difference(a: str, b: str) -> str:
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    line = a.count("\n", 0, n) + 1
    return f"line {line}: {a[max(0, n - 60):n + 60]!r}\n    vs {b[max(0, n - 60):n + 60]!r}"


def check_roundtrip(node: Any, map_free_vars: bool = False, **print_options: Any) -> Any:
    """Assert `parse(print(node)) == node` structurally and `print(parse(print(node))) ==
    print(node)`; returns the parsed object. Pass `map_free_vars=True` for a node with free vars."""
    from irscript.printer import print_script

    text = print_script(node, **print_options)
    try:
        parsed = _parse(text)
    except Exception as e:
        raise AssertionError(f"the printed text does not parse: {e}\n--- printed ---\n{text}") from e
    try:
        assert_structural_equal(node, parsed, map_free_vars=map_free_vars)
    except StructuralMismatchError as e:
        raise AssertionError(f"parse(print(m)) differs from m: {e}\n--- printed ---\n{text}") from None
    again = print_script(parsed, **print_options)
    if again != text:
        raise AssertionError(f"print(parse(print(m))) differs from print(m) at {_first_difference(text, again)}"
                             f"\n--- printed ---\n{text}\n--- reprinted ---\n{again}")
    return parsed


__all__ = ["check_roundtrip"]
