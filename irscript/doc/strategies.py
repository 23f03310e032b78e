"""Hypothesis strategies that generate random Doc trees (for property tests; needs `hypothesis`).

`exprs()`, `stmts()` and `modules()` generate Docs in canonical form (see
`irscript.doc.nodes`), i.e. trees for which `parse_python(render(doc))` must
give `doc` back: negative numbers as negative Literals, docstrings only at the
top of a body, no block made of comments only, no name `float` (so that
`float("inf")` stays a literal), a module body that does not open with a
comment (those are the header).

The strategy graph is built once (no flatmap, no strategy made per draw):
hypothesis spends its time drawing, not validating new strategies.
"""

from __future__ import annotations

import functools
import keyword
import math

from hypothesis import strategies as st

from irscript.doc import nodes as D
from irscript.doc.nodes import Op

_RESERVED = frozenset(keyword.kwlist) | {"float"}

identifiers = st.one_of(
    st.sampled_from(["x", "T", "R", "I", "lv0", "cls", "n", "_", "A_1", "π", "matmul_intermediate"]),
    st.tuples(st.sampled_from("abifnxyzT_"), st.text(alphabet="abdefinorsxyz_0129", max_size=5)).map("".join),
).filter(lambda s: s not in _RESERVED)

_odd_chars = st.sampled_from(['"', "'", "\\", "\n", "\r", "\t", "\x00", "é", "中", "\U0001f600", "\u2028", "{"])
strings = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)), _odd_chars), max_size=12)
ints = st.one_of(
    st.integers(-1000, 1000),
    st.integers(),
    st.sampled_from([2**63, -(2**63), 2**64 - 1, 10**30, -(10**30)]),
    # now and then an int too long for str() (rendered in hex)
    st.tuples(st.integers(0, 30), st.integers(4300, 4400)).map(lambda t: 10 ** t[1] if t[0] == 0 else t[0]),
)
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e-05, 0.1, -0.0, 0.0, 1.0000000000000001e-05, 1e300, 5e-324, -2.5, 1e16]),
)
literal_values = st.one_of(ints, floats, strings, st.booleans(), st.none())
literals = st.builds(D.Literal, literal_values)
names = st.builds(D.Name, identifiers)
comment_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=15
).map(str.rstrip)

_BINARY = [op for op in Op if op in D.BINARY_OPS]
_COMPARE = [op for op in Op if op in D.COMPARE_OPS]
_UNARY = [Op.USub, Op.UAdd, Op.Not, Op.Invert]


def _folds(v: object) -> bool:
    """True if `-<v>` would be read back as one negative literal."""
    if type(v) is int:
        return v >= 0
    if type(v) is float:
        return math.isfinite(v) and math.copysign(1.0, v) > 0
    return False


def _unary(op: Op, operand: D.Expr) -> D.Expr:
    if op is Op.USub and type(operand) is D.Literal and _folds(operand.value):
        return D.Literal(-operand.value)
    return D.UnaryOp(op, operand)


def _compare(first: D.Expr, rest: list[tuple[Op, D.Expr]]) -> D.Compare:
    return D.Compare([op for op, _ in rest], [first] + [e for _, e in rest])


def _zip(keys: list, values: list) -> list[tuple]:
    return list(zip(keys, values))


def _dict(items: list[tuple[D.Expr, D.Expr]]) -> D.Dict:
    return D.Dict([k for k, _ in items], [v for _, v in items])


def _extend(children):
    small = st.lists(children, max_size=3)
    slices = st.builds(D.Slice, st.none() | children, st.none() | children, st.none() | children)
    # unique names drawn apart from the values (a unique_by list would print huge strategy reprs)
    kwargs = st.builds(_zip, st.lists(identifiers, max_size=3, unique=True), st.lists(children, min_size=3,
                                                                                       max_size=3))
    return st.one_of(
        st.builds(D.Attr, children, identifiers),
        st.builds(D.Call, children, small, kwargs),
        st.builds(D.Subscript, children, st.lists(children | slices, max_size=3)),
        st.builds(D.Tuple, small),
        st.builds(D.List, small),
        st.lists(st.tuples(children, children), max_size=3).map(_dict),
        st.builds(D.BinOp, st.sampled_from(_BINARY), children, children),
        st.builds(_unary, st.sampled_from(_UNARY), children),
        st.builds(_compare, children, st.lists(st.tuples(st.sampled_from(_COMPARE), children), min_size=1,
                                               max_size=3)),
        st.builds(D.BoolOp, st.sampled_from([Op.And, Op.Or]), st.lists(children, min_size=2, max_size=3)),
        st.builds(D.IfExp, children, children, children),
        st.builds(D.Lambda, st.lists(identifiers, max_size=3, unique=True), children),
    )


@functools.cache
def exprs(max_leaves: int = 12):
    """Random expressions."""
    # deferred keeps the repr short (hypothesis may print a strategy's repr)
    return st.deferred(lambda: st.recursive(st.one_of(names, literals), _extend, max_leaves=max_leaves))


def _no_str(e: D.Expr) -> bool:
    return not (type(e) is D.Literal and type(e.value) is str)


_opt_comment = st.none() | comment_texts
_simple_targets = st.one_of(
    names,
    st.builds(D.Attr, exprs(3), identifiers),
    st.builds(D.Subscript, exprs(3), st.lists(exprs(3), max_size=2)),
)
_targets = _simple_targets | st.builds(D.Tuple, st.lists(_simple_targets, max_size=3))
_loop_targets = names | st.builds(D.Tuple, st.lists(names, min_size=1, max_size=3))


def _params(specs: list[tuple[str, D.Expr | None, D.Expr | None]]) -> list[D.Param]:
    """Parameters; defaults only on a suffix (as Python requires)."""
    last_plain = max((i for i, (_, _, d) in enumerate(specs) if d is None), default=-1)
    return [D.Param(name, ann, default if i > last_plain else None) for i, (name, ann, default) in enumerate(specs)]


_E = exprs(6)
_SIMPLE = st.one_of(
    st.builds(D.Assign, _targets, _E, st.none(), _opt_comment),
    st.builds(D.Assign, _simple_targets, st.none() | _E, _E, _opt_comment),
    st.builds(D.AugAssign, _simple_targets, st.sampled_from(_BINARY), _E, _opt_comment),
    st.builds(D.ExprStmt, _E.filter(_no_str), _opt_comment),
    st.builds(D.Assert, _E, st.none() | _E, _opt_comment),
    st.builds(D.Return, st.none() | _E, _opt_comment),
    st.builds(D.Pass, _opt_comment),
    st.builds(D.ImportFrom, st.lists(identifiers, min_size=1, max_size=3).map(".".join),
              st.lists(st.tuples(identifiers, st.none() | identifiers), min_size=1, max_size=3), _opt_comment),
    st.builds(D.Comment, comment_texts),
)
_PARAMS = st.builds(
    lambda names_, anns, defaults: _params(list(zip(names_, anns, defaults))),
    st.lists(identifiers, max_size=3, unique=True),
    st.lists(st.none() | exprs(3), min_size=3, max_size=3),
    st.lists(st.none() | exprs(3), min_size=3, max_size=3),
)


def _ensure_stmt(body: list[D.Stmt]) -> list[D.Stmt]:
    return body if any(type(s) is not D.Comment for s in body) else body + [D.Pass()]


def _with_doc(doc_and_body: tuple[D.Docstring | None, list[D.Stmt]]) -> list[D.Stmt]:
    doc, body = doc_and_body
    return body if doc is None else [doc] + body


@functools.cache
def stmts(depth: int = 2):
    """Random statements; compound ones nest up to `depth` levels."""
    if depth == 0:
        return _SIMPLE
    inner = stmts(depth - 1)
    block = st.lists(inner, min_size=1, max_size=3).map(_ensure_stmt)
    doc_block = st.tuples(st.none() | st.builds(D.Docstring, strings, _opt_comment), block).map(_with_doc)
    cond = exprs(4)
    compound = st.one_of(
        st.builds(D.If, cond, block, st.just([]) | block | st.builds(D.If, cond, block, st.just([]) | block).map(
            lambda s: [s]), _opt_comment),
        st.builds(D.For, _loop_targets, cond, block, _opt_comment),
        st.builds(D.While, cond, block, _opt_comment),
        st.builds(D.With, st.lists(st.tuples(cond, st.none() | _loop_targets), min_size=1, max_size=2), block,
                  _opt_comment),
        st.builds(D.FunctionDef, identifiers, _PARAMS, st.none() | cond, st.lists(cond, max_size=2), doc_block,
                  _opt_comment),
        st.builds(D.ClassDef, identifiers, st.lists(cond, max_size=2), doc_block, _opt_comment),
    )
    return st.deferred(lambda: st.one_of(_SIMPLE, compound))


def _drop_leading_comments(body: list[D.Stmt]) -> list[D.Stmt]:
    i = 0
    while i < len(body) and type(body[i]) is D.Comment:
        i += 1
    return body[i:]


@functools.cache
def modules(depth: int = 2):
    """Random modules: header comments and a body that does not open with a comment."""
    body = st.lists(stmts(depth), max_size=4).map(_drop_leading_comments)
    with_doc = st.tuples(st.none() | st.builds(D.Docstring, strings), body).map(_with_doc)
    return st.builds(D.Module, with_doc, st.lists(comment_texts, max_size=3))
