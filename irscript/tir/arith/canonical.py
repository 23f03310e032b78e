"""Expressions to canonical forms and back: the core of the integer simplifier.

`Canonical.form_of(expr)` turns an integer scalar PrimExpr into a `Form`
(a sum of monomials over interned atoms, see `form.py`), applying the rules
for `+ - *` here and those for division and min/max in `division.py` and
`minmax.py`. `Canonical.to_expr(form)` prints a form back as a PrimExpr in the
canonical order:

* terms by degree, highest first; equal degrees by their atoms' keys (vars
  first, by name then by first-seen order; then casts, floordiv, floormod,
  min, max, unexpanded products, truncdiv/truncmod, opaque atoms);
* the constant last;
* coefficients on the right (`n * 2`), products of atoms as `n * m`;
* negative coefficients as subtraction (`n * 2 - 1`); the printed sum starts
  with its first positive term (`5 - n`), or, when none is positive, with the
  first term and a negative coefficient (`n * -1 - m`).

Anything the canonical form does not model (calls, loads, selects, lets,
casts from non-integers) becomes an opaque atom, compared by a deterministic
structural key in which vars compare by identity and integer sub-expressions
by their own canonical forms.
"""

from __future__ import annotations

import enum
from typing import Any

from irscript.ir.dtype import DataType
from irscript.ir.expr import GlobalVar, PrimExpr
from irscript.ir.node import DEF, IGNORE, Node
from irscript.ir.op import Op
from irscript.tir import expr as E
from irscript.tir.arith import build as B
from irscript.tir.arith import division, minmax
from irscript.tir.arith import form as F
from irscript.tir.arith.bounds import FormBounds, Interval, dtype_range, fits, i_union

_INT_SCALARS: dict[DataType, bool] = {}


def is_int_scalar(dtype: DataType) -> bool:
    """Signed integer scalars are what the canonical form models (uint wraps, bool is logic)."""
    hit = _INT_SCALARS.get(dtype)
    if hit is None:
        hit = _INT_SCALARS[dtype] = dtype.code == "int" and dtype.lanes == 1
    return hit


class Canonical:
    """Canonical forms for one analyzer: interned atoms, a memo of converted expressions."""

    __slots__ = ("az", "atoms", "var_atoms", "memo", "gmemo", "ops", "exprs", "bounds")

    def __init__(self, analyzer: Any) -> None:
        self.az = analyzer
        self.atoms: dict[tuple, F.Atom] = {}
        self.var_atoms: dict[E.Var, F.Atom] = {}
        self.memo: dict[int, tuple[PrimExpr, F.Form]] = {}
        self.gmemo: dict[int, tuple[Node, tuple]] = {}  # generic_node results by node id
        self.ops: dict[tuple, F.Form] = {}  # results of division/min/max rules by operand hkeys
        self.exprs: dict[tuple, PrimExpr] = {}  # printed forms by hkey
        self.bounds = FormBounds(analyzer._var_bound)

    def clear(self) -> None:
        self.atoms.clear()
        self.var_atoms.clear()
        self.memo.clear()
        self.gmemo.clear()
        self.ops.clear()
        self.exprs.clear()

    def size(self) -> int:
        return len(self.memo) + len(self.ops) + len(self.exprs)

    # -- atoms and bounds --------------------------------------------------------------------
    def intern(self, kind: int, hkey: tuple, args: Any, dtype: DataType, expr: Any = None,
               key: tuple | None = None) -> F.Atom:
        """The atom with hash key `hkey` (shallow: sub-forms by `Form.hkey`). A new atom takes
        the ordering key `key` (deep), or derives it from `args` when first needed."""
        atom = self.atoms.get(hkey)
        if atom is None:
            atom = self.atoms[hkey] = F.Atom(kind, key, args, dtype, expr)
        return atom

    def atom_form(self, kind: int, hkey: tuple, args: Any, dtype: DataType, expr: Any = None,
                  key: tuple | None = None) -> F.Form:
        return F.atom_form(self.intern(kind, hkey, args, dtype, expr, key))

    def bound(self, f: F.Form) -> Interval:
        return self.bounds.form(self.finish(f))

    def finish(self, f: F.Form) -> F.Form:
        """`f` after merging floordiv/floormod pairs (`x // c * c + x % c` is `x`)."""
        return f if f.done else division.merge_divmod(self, f)

    # -- expression to form ------------------------------------------------------------------
    def form_of(self, e: PrimExpr) -> F.Form:
        """The canonical form of an integer scalar expression (memoized per expression object)."""
        kind = type(e)
        if kind is E.IntImm:
            return F.const_form(e.dtype, e.value)
        hit = self.memo.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        rule = _RULES.get(kind)
        if rule is None:
            rule = _rule_for(kind)
        f = rule(self, e)
        self.memo[id(e)] = (e, f)
        return f

    def _imm(self, e: E.IntImm) -> F.Form:
        return F.const_form(e.dtype, e.value)

    def _var(self, e: E.Var) -> F.Form:
        value = self.az._subst.get(e)
        if value is not None:
            return self.form_of(value)
        atom = self.var_atoms.get(e)
        if atom is None:
            atom = F.Atom(F.VAR, (F.VAR, e.name_hint, F.var_seq(e)), e, e.dtype, e)
            self.var_atoms[e] = atom
        return F.atom_form(atom)

    def _add(self, e: E.Add) -> F.Form:
        return F.add(self.form_of(e.a), self.form_of(e.b))

    def _sub(self, e: E.Sub) -> F.Form:
        return F.sub(self.form_of(e.a), self.form_of(e.b))

    def _mul(self, e: E.Mul) -> F.Form:
        return self.mul(self.form_of(e.a), self.form_of(e.b))

    def mul(self, a: F.Form, b: F.Form) -> F.Form:
        if len(a.terms) == 1 and len(b.terms) == 1 and not a.const and not b.const:
            (ma, ca), = a.terms.items()
            (mb, cb), = b.terms.items()
            if len(ma) + len(mb) <= F.MAX_DEGREE:  # monomial times monomial
                return F.Form(a.dtype, {tuple(sorted(ma + mb, key=id)): ca * cb}, 0, False)
        if not a.terms or not b.terms or F.can_expand(a, b):
            return F.expand(a, b)
        a, b = sorted((self.finish(a), self.finish(b)), key=F.Form.key)
        return self.atom_form(F.MUL, (F.MUL, a.hkey(), b.hkey()), (a, b), a.dtype)

    def _cached(self, rule: Any, tag: Any, e: E.BinaryOp) -> F.Form:
        """Apply a division or min/max rule, memoized by the operands' structure."""
        a, b = self.form_of(e.a), self.form_of(e.b)
        key = (tag, a.hkey(), b.hkey())
        out = self.ops.get(key)
        if out is None:
            out = self.ops[key] = rule(self, a, b) if tag in _DIVISIONS else rule(self, tag, a, b)
        return out

    def _floordiv(self, e: E.FloorDiv) -> F.Form:
        return self._cached(division.floordiv, "fdiv", e)

    def _floormod(self, e: E.FloorMod) -> F.Form:
        return self._cached(division.floormod, "fmod", e)

    def _truncdiv(self, e: E.Div) -> F.Form:
        return self._cached(division.truncdiv, "tdiv", e)

    def _truncmod(self, e: E.Mod) -> F.Form:
        return self._cached(division.truncmod, "tmod", e)

    def _min(self, e: E.Min) -> F.Form:
        return self._cached(minmax.minmax, F.MIN, e)

    def _max(self, e: E.Max) -> F.Form:
        return self._cached(minmax.minmax, F.MAX, e)

    def _cast(self, e: E.Cast) -> F.Form:
        dst, src = e.dtype, e.value.dtype
        if not is_int_scalar(src):
            new, key, hkey = self.generic(e.value)
            inner = (0, 1) if src.is_bool else dtype_range(dst)
            expr = e if new is e.value else B.cast(dst, new)
            return self.atom_form(F.CAST, (F.CAST, dst, "g", hkey), (dst, None, inner), dst, expr,
                                  (F.CAST, str(dst), key))
        inner = self.form_of(e.value)
        if src == dst:
            return inner
        if not inner.terms:
            return F.const_form(dst, _wrap(inner.const, dst))
        if dst.bits >= src.bits:  # widening: cast each atom, keep the sum (no overflow assumed)
            terms = {tuple(sorted((self.cast_atom(dst, a) for a in m), key=id)): c
                     for m, c in inner.terms.items()}
            return F.Form(dst, terms, inner.const)
        return F.atom_form(self._int_cast(dst, self.finish(inner)))

    def cast_atom(self, dst: DataType, atom: F.Atom) -> F.Atom:
        return self._int_cast(dst, F.atom_form(atom))

    def _int_cast(self, dst: DataType, inner: F.Form) -> F.Atom:
        return self.intern(F.CAST, (F.CAST, dst, "a", inner.hkey()), (dst, inner, None), dst)

    def _select(self, e: E.Select) -> F.Form:
        return self._choice(e, e.condition, e.true_value, e.false_value)

    def _call(self, e: E.Call) -> F.Form:
        if e.op is _IF_THEN_ELSE and len(e.args) == 3:
            return self._choice(e, *e.args)
        return self._opaque(e)

    def _choice(self, e: PrimExpr, cond: PrimExpr, true_value: PrimExpr, false_value: PrimExpr) -> F.Form:
        """Select / if_then_else: the chosen side when the condition is decided, else opaque."""
        if self.az._prove(cond):
            return self.form_of(true_value)
        if self.az._disprove(cond):
            return self.form_of(false_value)
        t, f = self.finish(self.form_of(true_value)), self.finish(self.form_of(false_value))
        if t.hkey() == f.hkey():
            return t
        return self._opaque(e, i_union(self.bound(t), self.bound(f)))

    def _opaque(self, e: PrimExpr, bound: Interval | None = None) -> F.Form:
        new, key, hkey = self.generic_node(e)
        return self.atom_form(F.OPAQUE, (F.OPAQUE, hkey), bound, e.dtype, new, (F.OPAQUE, key))

    # -- structural keys of opaque sub-expressions -------------------------------------------
    def generic(self, v: Any) -> tuple[Any, tuple, tuple]:
        """`v` with its integer sub-expressions simplified, its deterministic ordering key and
        its hash key (integer sub-expressions by `Form.key` and `Form.hkey`)."""
        if isinstance(v, Node):
            if isinstance(v, PrimExpr) and is_int_scalar(v.dtype):
                f = self.finish(self.form_of(v))
                return self.to_expr(f), ("a", f.key()), ("a", f.hkey())
            if isinstance(v, E.Var):
                key = ("v", v.name_hint, F.var_seq(v))
                return v, key, key
            if v._binding == "auto":
                key = ("b", str(getattr(v, "name", "")), F.var_seq(v))
                return v, key, key
            if isinstance(v, Op):
                return v, ("o", v.name), ("o", v.name)
            if isinstance(v, GlobalVar):
                return v, ("g", v.name_hint), ("g", v.name_hint)
            return self.generic_node(v)
        if isinstance(v, tuple):
            parts = [self.generic(x) for x in v]
            changed = any(p[0] is not x for p, x in zip(parts, v))
            new = tuple(p[0] for p in parts) if changed else v
            return new, ("t", tuple(p[1] for p in parts)), ("t", tuple(p[2] for p in parts))
        key = _leaf_key(v)
        return v, key, key

    def generic_node(self, node: Node) -> tuple[Node, tuple, tuple]:
        hit = self.gmemo.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        values, keys, hkeys, changed = [], [], [], False
        for fld in node._fields:
            value = getattr(node, fld.name)
            if fld.role is IGNORE:
                values.append(value)
                continue
            if fld.role is DEF and isinstance(value, E.Var):
                new = value
                key = hkey = ("v", value.name_hint, F.var_seq(value))
            else:
                new, key, hkey = self.generic(value)
            changed = changed or new is not value
            values.append(new)
            keys.append(key)
            hkeys.append(hkey)
        tk = node.type_key or type(node).__name__
        out = (B.rebuild(node, values) if changed else node, ("n", tk, tuple(keys)), ("n", tk, tuple(hkeys)))
        self.gmemo[id(node)] = (node, out)
        return out

    # -- form to expression ------------------------------------------------------------------
    def to_expr(self, f: F.Form) -> PrimExpr:
        """Print a form as a PrimExpr in canonical order (see the module docstring)."""
        f = self.finish(f)
        hkey = f.hkey()
        out = self.exprs.get(hkey)
        if out is None:
            out = self.exprs[hkey] = self._print(f)
        return out

    def _print(self, f: F.Form) -> PrimExpr:
        dtype = f.dtype
        items: list[tuple[PrimExpr | None, int]] = [(self.mono_expr(m), c) for m, c in f.sorted_terms()]
        if f.const:
            items.append((None, f.const))
        if not items:
            return B.imm(dtype, 0)
        head = next((i for i, (_, c) in enumerate(items) if c > 0), 0)
        acc = _term(items[head][0], items[head][1], dtype)
        for i, (e, c) in enumerate(items):
            if i != head:
                acc = B.binary(E.Add, acc, _term(e, c, dtype)) if c > 0 else B.binary(E.Sub, acc, _term(e, -c, dtype))
        return acc

    def mono_expr(self, mono: tuple) -> PrimExpr:
        atoms = F.mono_atoms(mono)
        acc = self.atom_expr(atoms[0])
        for a in atoms[1:]:
            acc = B.binary(E.Mul, acc, self.atom_expr(a))
        return acc

    def atom_expr(self, a: F.Atom) -> PrimExpr:
        if a.expr is None:
            a.expr = self._build_atom(a)
        return a.expr

    def _build_atom(self, a: F.Atom) -> PrimExpr:
        k, args = a.kind, a.args
        if k in (F.FDIV, F.FMOD):
            cls = E.FloorDiv if k == F.FDIV else E.FloorMod
            return B.binary(cls, self.to_expr(args[0]), B.imm(a.dtype, args[1]))
        if k in (F.MIN, F.MAX):
            cls = E.Min if k == F.MIN else E.Max
            acc = self.to_expr(args[0])
            for f in args[1:]:
                acc = B.binary(cls, acc, self.to_expr(f))
            return acc
        if k == F.CAST:
            return B.cast(a.dtype, self.to_expr(args[1]))
        cls = _BINARY_ATOMS[k]
        return B.binary(cls, self.to_expr(args[0]), self.to_expr(args[1]))


_DIVISIONS = ("fdiv", "fmod", "tdiv", "tmod")
_IF_THEN_ELSE = Op.get("tir.if_then_else")
_BINARY_ATOMS = {F.SFDIV: E.FloorDiv, F.SFMOD: E.FloorMod, F.MUL: E.Mul, F.TDIV: E.Div, F.TMOD: E.Mod}


def _term(e: PrimExpr | None, c: int, dtype: DataType) -> PrimExpr:
    if e is None:
        return B.imm(dtype, c)
    return e if c == 1 else B.binary(E.Mul, e, B.imm(dtype, c))


def _wrap(value: int, dtype: DataType) -> int:
    """Two's-complement wrap of a constant to an integer dtype (cast of a constant)."""
    lo, hi = dtype_range(dtype)
    if fits((value, value), dtype):
        return value
    span = hi - lo + 1
    return (value - lo) % span + lo


def _leaf_key(v: Any) -> tuple:
    if v is None:
        return ("0",)
    if isinstance(v, bool):
        return ("B", int(v))
    if isinstance(v, int):
        return ("i", v)
    if isinstance(v, float):
        return ("f", repr(v))
    if isinstance(v, str):
        return ("s", v)
    if isinstance(v, DataType):
        return ("d", str(v))
    if isinstance(v, enum.Enum):
        return ("e", type(v).__name__, v.name)
    return ("x", type(v).__name__, repr(v))


_RULES: dict[type, Any] = {
    E.IntImm: Canonical._imm,
    E.Var: Canonical._var,
    E.SizeVar: Canonical._var,
    E.Add: Canonical._add,
    E.Sub: Canonical._sub,
    E.Mul: Canonical._mul,
    E.FloorDiv: Canonical._floordiv,
    E.FloorMod: Canonical._floormod,
    E.Div: Canonical._truncdiv,
    E.Mod: Canonical._truncmod,
    E.Min: Canonical._min,
    E.Max: Canonical._max,
    E.Cast: Canonical._cast,
    E.Select: Canonical._select,
    E.Call: Canonical._call,
}


def _rule_for(cls: type) -> Any:
    """The rule of the nearest registered base class (user subclasses), else opaque."""
    for klass in cls.__mro__:
        rule = _RULES.get(klass)
        if rule is not None:
            break
    else:
        rule = Canonical._opaque
    _RULES[cls] = rule
    return rule
