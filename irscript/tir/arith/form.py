"""Canonical sums of monomials: the data the integer simplifier computes with.

A `Form` is `sum(coeff * monomial) + const` over one integer dtype. A monomial
is a tuple of `Atom`s (repeated for powers: `n * n` is `(n, n)`); atoms are
interned per analyzer, so equal atoms are the same object and a monomial is
kept in `id` order internally (a cheap canonical order for hashing). Printed
order comes from the atoms' deterministic `key`s, never from `id`.

An atom's `key` is a tuple whose first element is its kind, which is also its
rank in printed order: vars first, then casts, floordiv, floormod, symbolic
floordiv/floormod, min, max, unexpanded products, truncdiv/truncmod, and last
opaque sub-expressions. A var's key is `(VAR, name_hint, sequence)` where the
sequence number counts vars in the order this module first met them (see
`var_seq`), so equal names are ordered the same way in every run.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

from irscript.ir.dtype import DataType

VAR, CAST, FDIV, FMOD, SFDIV, SFMOD, MIN, MAX, MUL, TDIV, TMOD, OPAQUE = range(12)
KIND_NAMES = ("var", "cast", "floordiv", "floormod", "floordiv", "floormod", "min", "max", "mul",
              "truncdiv", "truncmod", "opaque")

# Expansion caps: products of sums with more terms than this (or monomials of a higher degree)
# stay unexpanded as a MUL atom, so repeated products cannot blow up.
MAX_EXPAND_TERMS = 64
MAX_DEGREE = 16

_SEQ: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_COUNTER = itertools.count()


def var_seq(obj: Any) -> int:
    """A per-process sequence number for a var or buffer: the order arith first met it."""
    seq = _SEQ.get(obj)
    if seq is None:
        seq = next(_COUNTER)
        _SEQ[obj] = seq
    return seq


class Atom:
    """An irreducible factor: a var or a sub-expression the canonical form does not look into."""

    __slots__ = ("kind", "key", "args", "dtype", "expr", "bound")

    def __init__(self, kind: int, key: tuple | None, args: Any, dtype: DataType, expr: Any = None) -> None:
        self.kind = kind
        self.key = key  # the ordering key; None until `atom_key` derives it from `args`
        self.args = args
        self.dtype = dtype
        self.expr = expr  # the PrimExpr printed for this atom (built lazily for composite atoms)
        self.bound: tuple | None = None  # cached (lo, hi)

    def __repr__(self) -> str:
        return f"Atom({KIND_NAMES[self.kind]}, {atom_key(self)!r:.60})"


def _item_key(item: tuple) -> tuple:
    return mono_key(item[0])


def atom_key(a: Atom) -> tuple:
    """The deterministic ordering key of an atom (derived from its arguments on first use)."""
    k = a.key
    if k is None:
        kind, args = a.kind, a.args
        if kind == FDIV or kind == FMOD:
            k = (kind, args[0].key(), args[1])
        elif kind == MIN or kind == MAX:
            k = (kind, tuple(f.key() for f in args))
        elif kind == MUL:
            k = (kind, (args[0].key(), args[1].key()))
        elif kind == CAST:
            k = (kind, str(a.dtype), ("a", args[1].key()))
        else:  # SFDIV, SFMOD, TDIV, TMOD
            k = (kind, args[0].key(), args[1].key())
        a.key = k
    return k


_by_key = atom_key


def mono_key(mono: tuple) -> tuple:
    """Printed order of monomials: higher degree first, then by atom keys."""
    if len(mono) == 1:
        return (-1, (atom_key(mono[0]),))
    return (-len(mono), tuple(sorted([atom_key(a) for a in mono])))


def mono_atoms(mono: tuple) -> list[Atom]:
    """The atoms of a monomial in printed order."""
    return sorted(mono, key=_by_key)


_EMPTY: dict = {}


class Form:
    """`sum(terms[m] * m) + const` in `dtype`. Immutable by convention: never edit `terms`."""

    __slots__ = ("dtype", "terms", "const", "_key", "_hkey", "_sorted", "divs", "done")

    def __init__(self, dtype: DataType, terms: dict, const: int, divs: bool = True) -> None:
        self.dtype = dtype
        self.terms = terms
        self.const = const
        self._key: tuple | None = None
        self._hkey: tuple | None = None
        self._sorted: list | None = None
        self.divs = divs  # False when surely no term is a lone floordiv/floormod atom
        self.done = not divs  # True once the floordiv/floormod merge pass has run (or is moot)

    @property
    def is_const(self) -> bool:
        return not self.terms

    def sorted_terms(self) -> list[tuple[tuple, int]]:
        """(monomial, coefficient) pairs in printed order."""
        if self._sorted is None:
            items = list(self.terms.items())
            self._sorted = items if len(items) < 2 else sorted(items, key=_item_key)
        return self._sorted

    def hkey(self) -> tuple:
        """A shallow hash key: equal for equal forms over the same interned atoms. Cheap to hash
        at any nesting depth (atoms hash by identity); never used for ordering."""
        if self._hkey is None:
            terms = self.terms
            items = tuple(terms.items()) if len(terms) < 2 else frozenset(terms.items())
            self._hkey = (items, self.const, self.dtype)
        return self._hkey

    def key(self) -> tuple:
        """A deterministic structural ordering key: equal keys mean equal forms. Deep (it holds
        the keys of nested forms, shared), so it is compared but never hashed."""
        if self._key is None:
            self._key = (
                tuple((mono_key(m), c) for m, c in self.sorted_terms()),
                self.const,
                str(self.dtype),
            )
        return self._key

    def single_atom(self) -> Atom | None:
        """The atom if this form is exactly `1 * atom`."""
        if self.const == 0 and len(self.terms) == 1:
            (mono, coeff), = self.terms.items()
            if coeff == 1 and len(mono) == 1:
                return mono[0]
        return None

    def __repr__(self) -> str:
        parts = [f"{c}*{'*'.join(str(atom_key(a)[1]) if a.kind == VAR else KIND_NAMES[a.kind] for a in mono_atoms(m))}"
                 for m, c in self.sorted_terms()]
        return f"Form({' + '.join(parts + [str(self.const)])} : {self.dtype})"


def const_form(dtype: DataType, value: int) -> Form:
    return Form(dtype, _EMPTY, value, False)


def atom_form(atom: Atom) -> Form:
    f = Form(atom.dtype, {(atom,): 1}, 0, atom.kind == FDIV or atom.kind == FMOD)
    f.done = True  # a lone atom has nothing to merge with
    return f


def add(a: Form, b: Form) -> Form:
    if not b.terms:
        return a if b.const == 0 else _with_const(a, a.const + b.const)
    if not a.terms:
        return b if a.const == 0 else _with_const(b, a.const + b.const)
    terms = dict(a.terms)
    for m, c in b.terms.items():
        v = terms.get(m, 0) + c
        if v:
            terms[m] = v
        else:
            del terms[m]
    return Form(a.dtype, terms, a.const + b.const, a.divs or b.divs)


def sub(a: Form, b: Form) -> Form:
    if not b.terms:
        return a if b.const == 0 else _with_const(a, a.const - b.const)
    terms = dict(a.terms)
    for m, c in b.terms.items():
        v = terms.get(m, 0) - c
        if v:
            terms[m] = v
        else:
            del terms[m]
    return Form(a.dtype, terms, a.const - b.const, a.divs or b.divs)


def _with_const(a: Form, const: int) -> Form:
    f = Form(a.dtype, a.terms, const, a.divs)
    f.done = a.done
    return f


def scale(a: Form, k: int) -> Form:
    if k == 1:
        return a
    if k == 0:
        return Form(a.dtype, _EMPTY, 0, False)
    return Form(a.dtype, {m: c * k for m, c in a.terms.items()}, a.const * k, a.divs)


def _degree(a: Form) -> int:
    return max((len(m) for m in a.terms), default=0)


def can_expand(a: Form, b: Form) -> bool:
    """Whether the product of two sums stays within the expansion caps."""
    return ((len(a.terms) + 1) * (len(b.terms) + 1) <= MAX_EXPAND_TERMS
            and _degree(a) + _degree(b) <= MAX_DEGREE)


def expand(a: Form, b: Form) -> Form:
    """The product of two forms, multiplied out (callers check `can_expand`)."""
    if not a.terms:
        return scale(b, a.const)
    if not b.terms:
        return scale(a, b.const)
    terms: dict = {}
    get = terms.get
    for m1, c1 in a.terms.items():
        for m2, c2 in b.terms.items():
            m = tuple(sorted(m1 + m2, key=id))
            terms[m] = get(m, 0) + c1 * c2
        if b.const:
            terms[m1] = get(m1, 0) + c1 * b.const
    if a.const:
        for m2, c2 in b.terms.items():
            terms[m2] = get(m2, 0) + a.const * c2
    return Form(a.dtype, {m: c for m, c in terms.items() if c}, a.const * b.const, a.divs or b.divs)


def content_gcd(forms: list[Form], start: int = 0) -> int:
    """The gcd of every coefficient and constant of `forms` (and `start`)."""
    from math import gcd

    g = start
    for f in forms:
        for c in f.terms.values():
            g = gcd(g, c)
            if g == 1:
                return 1
        g = gcd(g, f.const)
    return g


def divide_exact(a: Form, k: int) -> Form:
    """`a / k` where `k` divides every coefficient and the constant."""
    return Form(a.dtype, {m: c // k for m, c in a.terms.items()}, a.const // k)
