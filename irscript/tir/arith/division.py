"""Division rules of the canonical form: floordiv/floormod/truncdiv/truncmod and their merge.

Facts used (c, a > 0 integers, x integer):
* `floordiv(x, -c) == floordiv(-x, c)`, `floormod(x, -c) == -floormod(-x, c)`;
* terms whose coefficient is a multiple of c leave a floordiv as a quotient and
  vanish from a floormod; the constant splits by Python's `divmod`;
* `floordiv(g*y + K, g*c) == floordiv(y + K // g, c)` for `0 <= K`, and
  `floormod(g*y + K, g*c) == g * floormod(y + K // g, c) + K % g`;
* `floordiv(floordiv(x, a) + K, c) == floordiv(x + K*a, a*c)`;
* `floormod(k*floormod(x, a) + y, c) == floormod(k*x + y, c)` when c divides a;
* a dividend whose bounds lie in one block `[m*c, (m+1)*c)` gives `m` / `x - m*c`;
* `floordiv(x, c) * c + floormod(x, c) == x` (merged by `merge_divmod`, both ways);
* truncdiv/truncmod equal floordiv/floormod when the dividend is known
  non-negative (with sign flips for a non-positive dividend or a negative divisor).
Rules that divide by a symbolic value hold wherever the original expression is
defined (its divisor is not zero), as in TVM.
"""

from __future__ import annotations

from math import gcd
from typing import Any

from irscript.tir.arith import form as F

Form = F.Form


def c_div(a: int, b: int) -> int:
    """C (truncating) integer division."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def c_mod(a: int, b: int) -> int:
    """C remainder: takes the sign of the dividend."""
    return a - b * c_div(a, b)


def _pinned(cx: Any, f: Form) -> int | None:
    """The value of `f` if it is a constant or its bounds pin it to one non-zero value."""
    if not f.terms:
        return f.const
    lo, hi = cx.bound(f)
    if lo == hi and type(lo) is int and lo != 0:
        return lo
    return None


# -- floordiv ----------------------------------------------------------------------------------
def floordiv(cx: Any, a: Form, b: Form) -> Form:
    c = _pinned(cx, b)
    if c is not None and c != 0:
        return fdiv_const(cx, a, c)
    if c == 0:
        return _sym_atom(cx, F.SFDIV, a, b)
    if not a.terms and a.const == 0:
        return a
    q = _quotient(a, b)
    if q is not None:
        return q
    if _bounded_below(cx, a, b):
        return F.const_form(a.dtype, 0)
    return _sym_atom(cx, F.SFDIV, a, b)


def fdiv_const(cx: Any, a: Form, c: int) -> Form:
    """floordiv(a, c) for a non-zero constant c."""
    if c < 0:
        return fdiv_const(cx, F.scale(a, -1), -c)
    if c == 1:
        return a
    dtype = a.dtype
    if not a.terms:
        return F.const_form(dtype, a.const // c)
    q: dict = {}
    r: dict = {}
    for m, k in a.terms.items():
        if k % c:
            r[m] = k
        else:
            q[m] = k // c
    qc, rc = divmod(a.const, c)
    quotient = Form(dtype, q, qc)
    if not r:
        return quotient
    g = gcd(c, *r.values())
    if g > 1:
        r = {m: k // g for m, k in r.items()}
        rc //= g
        c //= g
        if c == 1:
            return F.add(quotient, Form(dtype, r, rc))
    return F.add(quotient, _fdiv_rest(cx, Form(dtype, r, rc), c))


def _fdiv_rest(cx: Any, r: Form, c: int) -> Form:
    r = cx.finish(r)
    lo, hi = cx.bounds.form(r)
    if type(lo) is int and type(hi) is int and lo // c == hi // c:
        return F.const_form(r.dtype, lo // c)
    if len(r.terms) == 1:
        (m, k), = r.terms.items()
        if k == 1 and len(m) == 1 and m[0].kind == F.FDIV:
            x, inner = m[0].args
            return fdiv_const(cx, F.add(x, F.const_form(r.dtype, r.const * inner)), inner * c)
    return cx.atom_form(F.FDIV, (F.FDIV, r.hkey(), c), (r, c), r.dtype)


# -- floormod ----------------------------------------------------------------------------------
def floormod(cx: Any, a: Form, b: Form) -> Form:
    c = _pinned(cx, b)
    if c is not None and c != 0:
        return fmod_const(cx, a, c)
    zero = F.const_form(a.dtype, 0)
    if c == 0:
        return _sym_atom(cx, F.SFMOD, a, b)
    if (not a.terms and a.const == 0) or _quotient(a, b) is not None:
        return zero
    if _bounded_below(cx, a, b):
        return a
    return _sym_atom(cx, F.SFMOD, a, b)


def fmod_const(cx: Any, a: Form, c: int) -> Form:
    """floormod(a, c) for a non-zero constant c."""
    if c < 0:
        return F.scale(fmod_const(cx, F.scale(a, -1), -c), -1)
    dtype = a.dtype
    if c == 1:
        return F.const_form(dtype, 0)
    r = {m: k for m, k in a.terms.items() if k % c}
    rc = a.const % c
    if not r:
        return F.const_form(dtype, rc)
    stripped = _strip_inner_mods(Form(dtype, r, rc), c)
    if stripped is not None:
        return fmod_const(cx, stripped, c)
    g = gcd(c, *r.values())
    if g > 1:
        inner = Form(dtype, {m: k // g for m, k in r.items()}, rc // g)
        return F.add(F.scale(fmod_const(cx, inner, c // g), g), F.const_form(dtype, rc % g))
    rest = cx.finish(Form(dtype, r, rc))
    lo, hi = cx.bounds.form(rest)
    if type(lo) is int and type(hi) is int and lo // c == hi // c:
        return F.add(rest, F.const_form(dtype, -(lo // c) * c))
    return cx.atom_form(F.FMOD, (F.FMOD, rest.hkey(), c), (rest, c), dtype)


def _strip_inner_mods(f: Form, c: int) -> Form | None:
    """Replace `k * floormod(x, a)` by `k * x` where c divides a (the same value mod c)."""
    out = None
    for m, k in f.terms.items():
        if len(m) == 1 and m[0].kind == F.FMOD and m[0].args[1] % c == 0:
            base = out or f
            out = F.add(F.sub(base, Form(f.dtype, {m: k}, 0)), F.scale(m[0].args[0], k))
    return out


# -- truncdiv / truncmod -----------------------------------------------------------------------
def truncdiv(cx: Any, a: Form, b: Form) -> Form:
    c = _pinned(cx, b)
    if c is not None and c != 0:
        if not a.terms:
            return F.const_form(a.dtype, c_div(a.const, c))
        lo, hi = cx.bound(a)
        if lo >= 0:
            return fdiv_const(cx, a, c) if c > 0 else F.scale(fdiv_const(cx, a, -c), -1)
        if hi <= 0:
            return F.scale(fdiv_const(cx, F.scale(a, -1), c), -1) if c > 0 else fdiv_const(cx, a, c)
    elif c is None:
        q = _quotient(a, b)
        if q is not None:
            return q
    return _sym_atom(cx, F.TDIV, a, b)


def truncmod(cx: Any, a: Form, b: Form) -> Form:
    c = _pinned(cx, b)
    if c is not None and c != 0:
        if not a.terms:
            return F.const_form(a.dtype, c_mod(a.const, c))
        lo, hi = cx.bound(a)
        if lo >= 0:
            return fmod_const(cx, a, abs(c))
        if hi <= 0:
            return F.scale(fmod_const(cx, F.scale(a, -1), abs(c)), -1)
    elif c is None and _quotient(a, b) is not None:
        return F.const_form(a.dtype, 0)
    return _sym_atom(cx, F.TMOD, a, b)


# -- helpers -----------------------------------------------------------------------------------
def _sym_atom(cx: Any, kind: int, a: Form, b: Form) -> Form:
    a, b = cx.finish(a), cx.finish(b)
    return cx.atom_form(kind, (kind, a.hkey(), b.hkey()), (a, b), a.dtype)


def _bounded_below(cx: Any, a: Form, b: Form) -> bool:
    """0 <= a < b with b > 0: then floordiv(a, b) == 0 and floormod(a, b) == a."""
    alo, ahi = cx.bound(a)
    blo, _ = cx.bound(b)
    return alo >= 0 and blo > 0 and ahi < blo


def _quotient(a: Form, b: Form) -> Form | None:
    """`a / b` when b is `k * monomial` dividing every term of a, or a is a multiple of b."""
    if not b.terms:
        return None
    if len(b.terms) == 1 and b.const == 0:
        (bm, bk), = b.terms.items()
        if a.const or not a.terms:
            return None
        terms: dict = {}
        const = 0
        for m, k in a.terms.items():
            rest = _mono_div(m, bm)
            if rest is None or k % bk:
                return None
            if rest:
                terms[rest] = k // bk
            else:
                const = k // bk
        return Form(a.dtype, terms, const)
    ratio = _ratio(a, b)
    return None if ratio is None else F.const_form(a.dtype, ratio)


def _mono_div(m: tuple, d: tuple) -> tuple | None:
    rest = list(m)
    for atom in d:
        for i, x in enumerate(rest):
            if x is atom:
                del rest[i]
                break
        else:
            return None
    return tuple(rest)


def _ratio(a: Form, b: Form) -> int | None:
    """The integer k with a == k * b, if any."""
    if a.terms.keys() != b.terms.keys():
        return None
    (m, bk), *_ = b.terms.items()
    ak = a.terms[m]
    if ak % bk:
        return None
    k = ak // bk
    if a.const != k * b.const or any(a.terms[x] != k * y for x, y in b.terms.items()):
        return None
    return k


_DIVMOD = (F.FDIV, F.FMOD)


# -- floordiv/floormod merge -------------------------------------------------------------------
def merge_divmod(cx: Any, f: Form) -> Form:
    """Rewrite `k*c*floordiv(x, c) + k*floormod(x, c)` to `k*x`, and `t*x - t*c*floordiv(x, c)`
    to `t*floormod(x, c)`, until neither applies (a few rounds at most)."""
    for _ in range(8):
        cands = [m[0] for m in f.terms if len(m) == 1 and m[0].kind in _DIVMOD]
        if not cands:
            break
        g = _merge_once(cx, f, sorted(cands, key=F.atom_key))
        if g is None:
            break
        f = g
    f.done = True
    return f


def _merge_once(cx: Any, f: Form, cands: list) -> Form | None:
    dtype = f.dtype
    for atom in cands:
        k = f.terms.get((atom,))
        if k is None:
            continue
        x, c = atom.args
        if atom.kind == F.FMOD:
            partner = cx.atoms.get((F.FDIV, x.hkey(), c))
            if partner is not None and f.terms.get((partner,)) == k * c:
                rest = F.sub(f, Form(dtype, {(atom,): k, (partner,): k * c}, 0))
                return F.add(rest, F.scale(x, k))
        elif k % c == 0:
            t = -k // c
            if x.terms and all(f.terms.get(m) == t * v for m, v in x.terms.items()):
                rest = F.sub(F.sub(f, F.scale(x, t)), Form(dtype, {(atom,): k}, 0))
                return F.add(rest, F.scale(fmod_const(cx, x, c), t))
    return None
