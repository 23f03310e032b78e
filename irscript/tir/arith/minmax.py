"""min/max rules of the canonical form.

`min(a, b)` (and `max`) is flattened into one list of operands (nested mins
with a positive scale and an offset are distributed: `min(x, y) * g + r` is
`min(x*g + r, y*g + r)`), duplicates dropped, and operands proven not to
matter removed by bounds (`min(a, b) == a` when `a - b <= 0`). What is left
becomes one MIN/MAX atom, after pulling out the part common to all operands
(shared terms, the smallest constant) and the positive gcd of the rest:
`min(n + 2, m + 3)` is `min(n, m + 1) + 2`, `max(n * 4, m * 4)` is
`max(n, m) * 4`. The operands of the atom are sorted by key, so `min(a, b)`
and `min(b, a)` are the same atom; a constant operand comes last (`max(n, 1)`).
"""

from __future__ import annotations

from typing import Any

from irscript.tir.arith import form as F

Form = F.Form
_PRUNE_LIMIT = 8


def minmax(cx: Any, kind: int, a: Form, b: Form) -> Form:
    ops: dict[tuple, Form] = {}
    for f in (*_flatten(cx, kind, a), *_flatten(cx, kind, b)):
        ops.setdefault(f.hkey(), f)
    ordered = sorted(ops.values(), key=Form.key)
    if len(ordered) <= _PRUNE_LIMIT:
        ordered = _prune(cx, kind, ordered)
    if len(ordered) == 1:
        return ordered[0]
    return _build(cx, kind, ordered)


def _flatten(cx: Any, kind: int, f: Form) -> list[Form]:
    f = cx.finish(f)
    found = [(m[0], g) for m, g in f.terms.items() if len(m) == 1 and m[0].kind == kind and g > 0]
    if len(found) != 1:
        return [f]
    atom, g = found[0]
    rest = F.sub(f, Form(f.dtype, {(atom,): g}, 0))
    return [cx.finish(F.add(rest, F.scale(o, g))) for o in atom.args]


def _prune(cx: Any, kind: int, ops: list[Form]) -> list[Form]:
    """Drop operands that another operand is proven to beat (`a <= b` drops b from a min)."""
    kept: list[Form] = []
    for o in ops:
        if any(_beats(cx, kind, k, o) for k in kept):
            continue
        kept = [k for k in kept if not _beats(cx, kind, o, k)]
        kept.append(o)
    return kept


def _beats(cx: Any, kind: int, a: Form, b: Form) -> bool:
    lo, hi = cx.bound(F.sub(a, b))
    return hi <= 0 if kind == F.MIN else lo >= 0


def _build(cx: Any, kind: int, ops: list[Form]) -> Form:
    dtype = ops[0].dtype
    first, others = ops[0], ops[1:]
    common = {m: c for m, c in first.terms.items() if all(o.terms.get(m) == c for o in others)}
    base = Form(dtype, common, min(o.const for o in ops))
    rest = [F.sub(o, base) for o in ops]
    g = F.content_gcd(rest)
    if g > 1:
        rest = [F.divide_exact(r, g) for r in rest]
    rest = sorted((cx.finish(r) for r in rest), key=_operand_order)
    atom = cx.intern(kind, (kind, tuple(r.hkey() for r in rest)), tuple(rest), dtype)
    return F.add(base, Form(dtype, {(atom,): g}, 0))


def _operand_order(f: Form) -> tuple:
    return (not f.terms, f.key())
