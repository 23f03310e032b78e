"""The renderer: Doc -> Python text. Holds the one precedence table of the project.

`render(doc, indent=4, underline=None)` writes minimal parentheses that keep
the tree (`parse_python(render(doc))` gives `doc` back, given the Doc
conventions in `irscript.doc.nodes`), strings in double quotes where that
needs no escaping (`repr` otherwise), floats with `repr` (`inf`/`nan` as
`float("inf")`, `float("-inf")`, `float("nan")`), integers too long for
`str()` in hex, 1-tuples as `(x,)`, tuple targets without parentheses
(`a, b = ...`, `for i, j in ...`), a subscript whose one index is a tuple as
`x[(a, b),]`, a lone tuple with-item as `with ((a, b)):`, and an `elif` for
an else-branch that is exactly one `if`.
Layout: a blank line after the module header comments, blank lines around
function and class definitions (two at module level, one inside a block,
none before the first statement of a block or between a comment and the
definition it precedes). The text has no trailing newline.

Underlining: `underline` is a collection of Doc nodes (or their `id()`s);
under each output line that holds one, the renderer writes a line of `^`
beneath the node's text (for a compound statement, beneath its header line).

Output is built with list appends and one join; the node dispatch is a dict
keyed by Doc class.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from irscript.doc.nodes import (
    OP_SYMBOLS,
    Assert,
    Assign,
    Attr,
    AugAssign,
    BinOp,
    BoolOp,
    Call,
    ClassDef,
    Comment,
    Compare,
    Dict,
    Doc,
    Docstring,
    Expr,
    ExprStmt,
    For,
    FunctionDef,
    If,
    IfExp,
    ImportFrom,
    Lambda,
    List,
    Literal,
    Module,
    Name,
    Op,
    Param,
    Pass,
    Return,
    Slice,
    Stmt,
    Subscript,
    Tuple,
    UnaryOp,
    Unsupported,
    While,
    With,
)
from irscript.errors import IRError

# ----------------------------------------------------------------------------- precedence table

P_LAMBDA, P_IFEXP, P_OR, P_AND, P_NOT, P_CMP, P_BOR, P_BXOR, P_BAND, P_SHIFT, P_ARITH, P_TERM, P_FACTOR, P_POWER, \
    P_ATOM = range(1, 16)

#: precedence of each operator, indexed by Op
OP_PREC: tuple[int, ...] = (
    P_ARITH, P_ARITH, P_TERM, P_TERM, P_TERM, P_TERM, P_POWER, P_SHIFT, P_SHIFT, P_BAND, P_BOR, P_BXOR, P_TERM,
    P_FACTOR, P_FACTOR, P_NOT, P_FACTOR,
    P_CMP, P_CMP, P_CMP, P_CMP, P_CMP, P_CMP, P_CMP, P_CMP, P_CMP, P_CMP,
    P_AND, P_OR,
)
_SPACED = tuple(f" {s} " for s in OP_SYMBOLS)
_AUG = tuple(f" {s}= " for s in OP_SYMBOLS)
_POW = Op.Pow
_DEFS = (FunctionDef, ClassDef)

# ----------------------------------------------------------------------------- literals

_INF = float("inf")


def quote_str(s: str) -> str:
    """A Python string literal for `s` that reads back exactly, in double quotes when possible."""
    r = repr(s)
    if r[0] == "'" and '"' not in s:
        return '"' + r[1:-1] + '"'
    return r


def literal_text(v: Any) -> str:
    """The source spelling of a Literal value."""
    t = type(v)
    if t is str:
        return quote_str(v)
    if t is int:
        try:
            return repr(v)
        except ValueError:  # more digits than int->str allows
            return hex(v)
    if t is float:
        if v != v:
            return 'float("nan")'
        if v == _INF:
            return 'float("inf")'
        if v == -_INF:
            return 'float("-inf")'
        return repr(v)
    if t is bool:
        return "True" if v else "False"
    if v is None:
        return "None"
    raise IRError(f"a Doc Literal holds None, bool, int, float or str, not {t.__name__}: {v!r}")


def docstring_text(text: str) -> str:
    """A triple-quoted literal that reads back as exactly `text`.

    Backslashes and unprintable characters are escaped (a raw \\r would read
    back as \\n); a quote is escaped when another quote or the end follows, so
    no run of two unescaped quotes can close the literal early.
    """
    out = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch == '"':
            out.append('\\"' if i == last or text[i + 1] == '"' else '"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n" or ch == "\t" or ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return '"""' + "".join(out) + '"""'


# ----------------------------------------------------------------------------- expressions
# Each function renders node `n` into `r` in a context that needs precedence >= p.


def _e_name(r, n, p):
    r.w(n.id)


def _e_literal(r, n, p):
    text = literal_text(n.value)
    if p > P_FACTOR and text[0] == "-":
        r.w("(" + text + ")")
    else:
        r.w(text)


def _e_attr(r, n, p):
    v = n.value
    tv = type(v)
    if tv is Name and r.ul is None:
        r.w(v.id)
    elif tv is Literal and (type(v.value) is int or type(v.value) is float):
        r.w("(" + literal_text(v.value) + ")")
    else:
        r.E[tv](r, v, P_ATOM)
    r.w("." + n.name)


def _e_call(r, n, p):
    w, E = r.w, r.E
    f = n.func
    if type(f) is Name and r.ul is None:
        w(f.id)
    else:
        E[type(f)](r, f, P_ATOM)
    w("(")
    first = True
    for a in n.args:
        if first:
            first = False
        else:
            w(", ")
        E[type(a)](r, a, P_LAMBDA)
    for k, v in n.kwargs:
        if first:
            first = False
        else:
            w(", ")
        if k is not None:
            w(k + "=")
        E[type(v)](r, v, P_LAMBDA)
    w(")")


def _e_subscript(r, n, p):
    w, E = r.w, r.E
    v = n.value
    if type(v) is Name and r.ul is None:
        w(v.id)
    else:
        E[type(v)](r, v, P_ATOM)
    idx = n.indices
    if not idx:
        w("[()]")
        return
    w("[")
    first = True
    for i in idx:
        if first:
            first = False
        else:
            w(", ")
        E[type(i)](r, i, P_LAMBDA)
    w(",]" if len(idx) == 1 and type(idx[0]) is Tuple else "]")


def _e_slice(r, n, p):
    w, E = r.w, r.E
    if n.start is not None:
        E[type(n.start)](r, n.start, P_IFEXP)
    w(":")
    if n.stop is not None:
        E[type(n.stop)](r, n.stop, P_IFEXP)
    if n.step is not None:
        w(":")
        E[type(n.step)](r, n.step, P_IFEXP)


def _elements(r, elts):
    w, E = r.w, r.E
    first = True
    for e in elts:
        if first:
            first = False
        else:
            w(", ")
        E[type(e)](r, e, P_LAMBDA)


def _e_tuple(r, n, p):
    r.w("(")
    _elements(r, n.elts)
    r.w(",)" if len(n.elts) == 1 else ")")


def _e_list(r, n, p):
    r.w("[")
    _elements(r, n.elts)
    r.w("]")


def _e_dict(r, n, p):
    w, E = r.w, r.E
    w("{")
    first = True
    for k, v in zip(n.keys, n.values):
        if first:
            first = False
        else:
            w(", ")
        E[type(k)](r, k, P_IFEXP)
        w(": ")
        E[type(v)](r, v, P_LAMBDA)
    w("}")


def _e_binop(r, n, p):
    w, E = r.w, r.E
    op = n.op
    q = OP_PREC[op]
    if p > q:
        w("(")
    if op is _POW:
        lhs = n.lhs
        E[type(lhs)](r, lhs, P_POWER + 1)
        w(" ** ")
        E[type(n.rhs)](r, n.rhs, P_FACTOR)
    else:
        # left-associative: walk a chain of same-precedence operators without recursion
        spine = [n]
        lhs = n.lhs
        if r.ul is None:
            while type(lhs) is BinOp and OP_PREC[lhs.op] == q:
                spine.append(lhs)
                lhs = lhs.lhs
        E[type(lhs)](r, lhs, q)
        for b in reversed(spine):
            w(_SPACED[b.op])
            E[type(b.rhs)](r, b.rhs, q + 1)
    if p > q:
        w(")")


def _e_unaryop(r, n, p):
    op = n.op
    q = OP_PREC[op]
    if p > q:
        r.w("(")
    r.w("not " if op is Op.Not else OP_SYMBOLS[op])
    r.E[type(n.operand)](r, n.operand, q)
    if p > q:
        r.w(")")


def _e_compare(r, n, p):
    w, E = r.w, r.E
    if p > P_CMP:
        w("(")
    ops, operands = n.ops, n.operands
    E[type(operands[0])](r, operands[0], P_CMP + 1)
    for i, op in enumerate(ops):
        w(_SPACED[op])
        E[type(operands[i + 1])](r, operands[i + 1], P_CMP + 1)
    if p > P_CMP:
        w(")")


def _e_boolop(r, n, p):
    w, E = r.w, r.E
    q = OP_PREC[n.op]
    if p > q:
        w("(")
    sep = _SPACED[n.op]
    first = True
    for v in n.values:
        if first:
            first = False
        else:
            w(sep)
        E[type(v)](r, v, q + 1)
    if p > q:
        w(")")


def _e_ifexp(r, n, p):
    w, E = r.w, r.E
    if p > P_IFEXP:
        w("(")
    E[type(n.then_value)](r, n.then_value, P_OR)
    w(" if ")
    E[type(n.cond)](r, n.cond, P_OR)
    w(" else ")
    E[type(n.else_value)](r, n.else_value, P_LAMBDA)
    if p > P_IFEXP:
        w(")")


def _e_lambda(r, n, p):
    w = r.w
    if p > P_LAMBDA:
        w("(")
    w("lambda " + ", ".join(n.params) + ": " if n.params else "lambda: ")
    r.E[type(n.body)](r, n.body, P_LAMBDA)
    if p > P_LAMBDA:
        w(")")


def _e_unsupported(r, n, p):
    r.w("(" + n.text + ")" if p > P_LAMBDA else n.text)


def _e_param(r, n, p):
    w, E = r.w, r.E
    w(n.name)
    if n.annotation is not None:
        w(": ")
        E[type(n.annotation)](r, n.annotation, P_IFEXP)
        if n.default is not None:
            w(" = ")
            E[type(n.default)](r, n.default, P_LAMBDA)
    elif n.default is not None:
        w("=")
        E[type(n.default)](r, n.default, P_LAMBDA)


_EXPR = {
    Name: _e_name, Literal: _e_literal, Attr: _e_attr, Call: _e_call, Subscript: _e_subscript, Slice: _e_slice,
    Tuple: _e_tuple, List: _e_list, Dict: _e_dict, BinOp: _e_binop, UnaryOp: _e_unaryop, Compare: _e_compare,
    BoolOp: _e_boolop, IfExp: _e_ifexp, Lambda: _e_lambda, Unsupported: _e_unsupported, Param: _e_param,
}


def _marking(f):
    """Wrap an expression renderer so that it records the columns of underlined nodes."""

    def render_marked(r, n, p):
        if id(n) in r.ul:
            start = r.col()
            f(r, n, p)
            r.marks.append((start, r.col()))
        else:
            f(r, n, p)

    return render_marked


_EXPR_MARKING = {cls: _marking(f) for cls, f in _EXPR.items()}


# ----------------------------------------------------------------------------- statements
# Each function renders statement `s` at indentation `ind` (block depth `level`).


def _target(r, t):
    """An assignment or loop target: a tuple without parentheses."""
    if type(t) is Tuple and t.elts:
        _elements(r, t.elts)
        if len(t.elts) == 1:
            r.w(",")
    else:
        r.E[type(t)](r, t, P_LAMBDA)


def _s_assign(r, s, ind, level):
    w, E = r.w, r.E
    w(ind)
    _target(r, s.target)
    if s.annotation is not None:
        w(": ")
        E[type(s.annotation)](r, s.annotation, P_IFEXP)
    if s.value is not None:
        w(" = ")
        E[type(s.value)](r, s.value, P_LAMBDA)
    r.eol(s.comment)


def _s_augassign(r, s, ind, level):
    r.w(ind)
    r.E[type(s.target)](r, s.target, P_ATOM)
    r.w(_AUG[s.op])
    r.E[type(s.value)](r, s.value, P_LAMBDA)
    r.eol(s.comment)


def _s_expr(r, s, ind, level):
    r.w(ind)
    r.E[type(s.value)](r, s.value, P_LAMBDA)
    r.eol(s.comment)


def _s_assert(r, s, ind, level):
    r.w(ind + "assert ")
    r.E[type(s.cond)](r, s.cond, P_IFEXP)
    if s.msg is not None:
        r.w(", ")
        r.E[type(s.msg)](r, s.msg, P_IFEXP)
    r.eol(s.comment)


def _s_return(r, s, ind, level):
    if s.value is None:
        r.w(ind + "return")
    else:
        r.w(ind + "return ")
        r.E[type(s.value)](r, s.value, P_LAMBDA)
    r.eol(s.comment)


def _s_pass(r, s, ind, level):
    r.w(ind + "pass")
    r.eol(s.comment)


def _s_importfrom(r, s, ind, level):
    names = ", ".join(n if a is None else f"{n} as {a}" for n, a in s.names)
    r.w(f"{ind}from {s.module} import {names}")
    r.eol(s.comment)


def _s_comment(r, s, ind, level):
    for line in s.text.split("\n"):
        r.w(f"{ind}# {line}" if line else ind + "#")
        r.eol(None)


def _s_docstring(r, s, ind, level):
    r.w(ind + docstring_text(s.text))
    r.eol(s.comment)


def _s_unsupported(r, s, ind, level):
    lines = s.text.split("\n")
    for line in lines[:-1]:
        r.w(ind + line + "\n")
    r.w(ind + lines[-1])
    r.eol(None)


def _s_if(r, s, ind, level):
    w, E = r.w, r.E
    kw = "if "
    while True:
        if kw == "elif " and r.ul is not None and id(s) in r.ul:
            r.open_stmt = len(ind)
        w(ind + kw)
        E[type(s.cond)](r, s.cond, P_IFEXP)
        w(":")
        r.eol(s.comment)
        r.body(s.then_body, level + 1)
        e = s.else_body
        if len(e) == 1 and type(e[0]) is If:
            s, kw = e[0], "elif "
            continue
        if e:
            w(ind + "else:")
            r.eol(None)
            r.body(e, level + 1)
        return


def _s_for(r, s, ind, level):
    r.w(ind + "for ")
    _target(r, s.target)
    r.w(" in ")
    r.E[type(s.iter)](r, s.iter, P_IFEXP)
    r.w(":")
    r.eol(s.comment)
    r.body(s.body, level + 1)


def _s_while(r, s, ind, level):
    r.w(ind + "while ")
    r.E[type(s.cond)](r, s.cond, P_IFEXP)
    r.w(":")
    r.eol(s.comment)
    r.body(s.body, level + 1)


def _s_with(r, s, ind, level):
    w, E = r.w, r.E
    w(ind + "with ")
    items = s.items
    # `with (a, b):` would read as two items: a lone tuple item gets its own parentheses
    lone_tuple = len(items) == 1 and items[0][1] is None and type(items[0][0]) is Tuple
    first = True
    for e, t in items:
        if first:
            first = False
        else:
            w(", ")
        if lone_tuple:
            w("(")
            E[type(e)](r, e, P_IFEXP)
            w(")")
            break
        E[type(e)](r, e, P_IFEXP)
        if t is not None:
            w(" as ")
            E[type(t)](r, t, P_LAMBDA)
    w(":")
    r.eol(s.comment)
    r.body(s.body, level + 1)


def _decorators(r, s, ind):
    for d in s.decorators:
        r.w(ind + "@")
        r.E[type(d)](r, d, P_IFEXP)
        r.eol(None)
    if r.ul is not None and id(s) in r.ul:
        r.open_stmt = len(ind)


def _s_functiondef(r, s, ind, level):
    w, E = r.w, r.E
    _decorators(r, s, ind)
    w(f"{ind}def {s.name}(")
    first = True
    for prm in s.params:
        if first:
            first = False
        else:
            w(", ")
        E[type(prm)](r, prm, P_LAMBDA)
    if s.returns is not None:
        w(") -> ")
        E[type(s.returns)](r, s.returns, P_IFEXP)
        w(":")
    else:
        w("):")
    r.eol(s.comment)
    r.body(s.body, level + 1)


def _s_classdef(r, s, ind, level):
    _decorators(r, s, ind)
    r.w(f"{ind}class {s.name}:")
    r.eol(s.comment)
    r.body(s.body, level + 1)


_STMT = {
    Assign: _s_assign, AugAssign: _s_augassign, ExprStmt: _s_expr, Assert: _s_assert, Return: _s_return,
    Pass: _s_pass, ImportFrom: _s_importfrom, Comment: _s_comment, Docstring: _s_docstring,
    Unsupported: _s_unsupported, If: _s_if, For: _s_for, While: _s_while, With: _s_with,
    FunctionDef: _s_functiondef, ClassDef: _s_classdef,
}


# ----------------------------------------------------------------------------- the renderer


class _Renderer:
    __slots__ = ("parts", "w", "unit", "indents", "E", "ul", "marks", "open_stmt", "line_start")

    def __init__(self, indent: int, underline: Iterable[Any] | None) -> None:
        self.parts: list[str] = []
        self.w = self.parts.append
        self.unit = " " * indent
        self.indents = [""]
        if underline:
            self.ul = {x if type(x) is int else id(x) for x in underline}
            self.E = _EXPR_MARKING
        else:
            self.ul = None
            self.E = _EXPR
        self.marks: list[tuple[int, int]] = []
        self.open_stmt: int | None = None
        self.line_start = 0

    def col(self) -> int:
        """Column of the write position (used only when underlining)."""
        s = "".join(self.parts[self.line_start:])
        return len(s) - s.rfind("\n") - 1

    def eol(self, comment: str | None) -> None:
        """End a line: trailing comment, newline, and a caret line under marked nodes."""
        if self.ul is None:
            if comment is not None:
                self.w(f"  # {comment}\n" if comment else "  #\n")
            else:
                self.w("\n")
            return
        if self.open_stmt is not None:
            self.marks.append((self.open_stmt, self.col()))
            self.open_stmt = None
        if comment is not None:
            self.w(f"  # {comment}" if comment else "  #")
        self.w("\n")
        if self.marks:
            width = max(e for _, e in self.marks)
            carets = [" "] * width
            for s, e in self.marks:
                carets[s:e] = "^" * max(e - s, 1)
            self.w("".join(carets).rstrip() + "\n")
            self.marks.clear()
        self.line_start = len(self.parts)

    def indent(self, level: int) -> str:
        indents = self.indents
        while len(indents) <= level:
            indents.append(indents[-1] + self.unit)
        return indents[level]

    def body(self, stmts: list[Stmt], level: int, top: bool = False) -> None:
        if not top and not any(type(s) is not Comment for s in stmts):
            raise IRError("Doc: a block needs at least one statement that is not a comment")
        ind = self.indent(level)
        blank = "\n\n" if level == 0 else "\n"
        ul = self.ul
        prev = None
        for s in stmts:
            t = type(s)
            if prev is not None and ((t in _DEFS and type(prev) is not Comment) or type(prev) in _DEFS):
                self.w(blank)
            if ul is not None and id(s) in ul and t not in _DEFS:
                self.open_stmt = len(ind)
            _STMT[t](self, s, ind, level)
            prev = s

    def module(self, m: Module) -> None:
        for line in m.header:
            self.w(f"# {line}\n" if line else "#\n")
        if m.header and m.body:
            self.w("\n")
        self.line_start = len(self.parts)
        self.body(m.body, 0, top=True)

    def finish(self) -> str:
        parts = self.parts
        if parts and parts[-1].endswith("\n"):
            parts[-1] = parts[-1][:-1]
        return "".join(parts)


def render(doc: Doc | list[Stmt], indent: int = 4, underline: Iterable[Any] | None = None) -> str:
    """Render a Doc (module, statement, statement list, expression or parameter) as Python text."""
    r = _Renderer(indent, underline)
    if isinstance(doc, Module):
        r.module(doc)
    elif isinstance(doc, list):
        r.body(doc, 0, top=True)
    elif isinstance(doc, Stmt) and type(doc) is not Unsupported:
        r.body([doc], 0, top=True)
    elif isinstance(doc, (Expr, Param)):
        r.E[type(doc)](r, doc, P_LAMBDA)
        if r.ul is not None:
            r.eol(None)
    else:
        raise IRError(f"cannot render {type(doc).__name__} as Python text")
    return r.finish()
