"""Shared test helpers: the checks tests use to prove an invariant, written once.

`check_json_roundtrip(node)` and `check_hash_consistency(a, b)` need only the
core; hypothesis strategies live in `irscript.testing.strategies` (which
imports hypothesis), so importing this package never requires hypothesis.
"""

from __future__ import annotations

from typing import Any

from irscript.ir.json import from_json, to_json
from irscript.ir.structural import assert_structural_equal, first_mismatch, structural_hash

__all__ = ["check_hash_consistency", "check_json_roundtrip"]


def check_json_roundtrip(node: Any, map_free_vars: bool = False) -> Any:
    """Assert that `from_json(to_json(node))` is structurally equal to `node`, hashes the same,
    and serializes to identical text. Returns the loaded copy.

    Free variables of `node` (vars used but not defined inside it) come back as new
    objects, so pass `map_free_vars=True` to compare an open fragment.
    """
    text = to_json(node)
    loaded = from_json(text)
    assert_structural_equal(node, loaded, map_free_vars=map_free_vars)
    if structural_hash(node, map_free_vars) != structural_hash(loaded, map_free_vars):
        raise AssertionError("JSON round trip: structurally equal but the structural hashes differ")
    again = to_json(loaded)
    if again != text:
        raise AssertionError(f"JSON round trip: re-serialized text differs{_first_difference(text, again)}")
    return loaded


def check_hash_consistency(a: Any, b: Any, map_free_vars: bool = False) -> bool:
    """Assert that structural_hash agrees with structural equality on (a, b): equal objects
    hash equal. Returns whether they are equal (unequal objects may collide, so nothing is
    asserted for them beyond each hash being stable when recomputed)."""
    equal = first_mismatch(a, b, map_free_vars) is None
    ha, hb = structural_hash(a, map_free_vars), structural_hash(b, map_free_vars)
    if ha != structural_hash(a, map_free_vars) or hb != structural_hash(b, map_free_vars):
        raise AssertionError("structural_hash is not stable across calls")
    if equal and ha != hb:
        raise AssertionError(f"structurally equal objects hash differently: {ha:016x} vs {hb:016x}")
    return equal


def _first_difference(a: str, b: str) -> str:
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f" at character {n}: ...{a[max(0, n - 40):n + 40]!r} vs ...{b[max(0, n - 40):n + 40]!r}"
