"""The Python front end: Python text -> Doc, built on the standard `ast` module.

`parse_python(text, source_name, line_offset, col_offset)` parses with
`ast.parse` and converts the tree with one dispatch dict keyed by ast class;
positions are copied into the Doc nodes' slots as they are (made absolute
lazily by `Doc.span`). The result is the same Doc on Python 3.10-3.13.

What is kept besides the ast:
* full-line comments: those before the first statement become
  `Module.header`; the others become `Comment` statements in the body whose
  statements surround them (a comment after the last statement of a block
  stays in that block when it is indented at least as deep as the block);
  full-line comments inside a multi-line expression are dropped, and those
  inside a multi-line statement header move to the start of its body;
* trailing comments (`x = 1  # note`) on simple statements and on the header
  line of compound statements (`for ...:  # note`), as `Stmt.comment`;
  a comment after `else:` is dropped.
Blank lines and the exact spelling of literals are not kept.

Constructs outside the script subset become `Unsupported` nodes (with the
user-facing name and span) so the script parser can report them where they
are; a Python syntax error raises `ScriptError` at the error's position.
"""

from __future__ import annotations

import ast
import gc
import re
import sys
import warnings

from irscript.doc import nodes as D
from irscript.doc.nodes import (
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
    Docstring,
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
    ParsedSource,
    Pass,
    Return,
    Slice,
    Subscript,
    Tuple,
    UnaryOp,
    Unsupported,
    While,
    With,
)
from irscript.errors import ScriptError

_OPS: dict[type, Op] = {
    ast.Add: Op.Add, ast.Sub: Op.Sub, ast.Mult: Op.Mult, ast.Div: Op.Div, ast.FloorDiv: Op.FloorDiv,
    ast.Mod: Op.Mod, ast.Pow: Op.Pow, ast.LShift: Op.LShift, ast.RShift: Op.RShift, ast.BitAnd: Op.BitAnd,
    ast.BitOr: Op.BitOr, ast.BitXor: Op.BitXor, ast.MatMult: Op.MatMult,
    ast.USub: Op.USub, ast.UAdd: Op.UAdd, ast.Not: Op.Not, ast.Invert: Op.Invert,
    ast.Eq: Op.Eq, ast.NotEq: Op.NotEq, ast.Lt: Op.Lt, ast.LtE: Op.LtE, ast.Gt: Op.Gt, ast.GtE: Op.GtE,
    ast.Is: Op.Is, ast.IsNot: Op.IsNot, ast.In: Op.In, ast.NotIn: Op.NotIn,
    ast.And: Op.And, ast.Or: Op.Or,
}

# user-facing names of the Python constructs outside the subset (by ast class name)
_UNSUPPORTED_NAMES = {
    "ListComp": "a list comprehension", "SetComp": "a set comprehension", "DictComp": "a dict comprehension",
    "GeneratorExp": "a generator expression", "Set": "a set literal",
    "NamedExpr": "an assignment expression (:=)", "Await": "an await expression",
    "Yield": "a yield expression", "YieldFrom": "a yield from expression",
    "JoinedStr": "an f-string", "FormattedValue": "an f-string", "Starred": "a starred expression (*x)",
    "AsyncFunctionDef": "an async function", "AsyncFor": "an async for loop",
    "AsyncWith": "an async with statement", "Delete": "a del statement", "Raise": "a raise statement",
    "Try": "a try statement", "TryStar": "a try/except* statement", "Match": "a match statement",
    "Import": "an import statement", "Global": "a global statement", "Nonlocal": "a nonlocal statement",
    "Break": "a break statement", "Continue": "a continue statement", "TypeAlias": "a type alias statement",
}

_LITERAL_TYPES = frozenset((int, float, str, bool, type(None)))
_FLOAT_SPECIALS = {"inf": float("inf"), "-inf": float("-inf"), "nan": float("nan")}
_COMPOUND_AST = frozenset((ast.If, ast.For, ast.While, ast.With, ast.FunctionDef, ast.ClassDef))
_COLON_OR_HASH = re.compile(r"[:#]")
_DETECTED_AT = re.compile(r"\(detected at line (\d+)\)")
_INF = float("inf")
_AstName = ast.Name


def _all_ast_classes(base: type) -> list[type]:
    out, stack = [], [base]
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


_EXPR_CLASSES = [c for c in _all_ast_classes(ast.expr) if c is not ast.expr]
_STMT_CLASSES = [c for c in _all_ast_classes(ast.stmt) if c is not ast.stmt]


def _comment_text(s: str) -> str:
    """`# text` -> `text` (drops `#`, one following space and trailing blanks)."""
    t = s[1:]
    if t[:1] == " ":
        t = t[1:]
    return t.rstrip()


def _unparse(n: ast.AST) -> str:
    try:
        return ast.unparse(n)
    except Exception:  # pragma: no cover - ast.unparse handles every node the parser makes
        return "..."


class _Converter:
    """One conversion of an ast.Module into a Doc Module (state: source, comments, dispatch)."""

    def __init__(self, src: ParsedSource) -> None:
        self.src = src
        text = src.text
        self.has_hash = "#" in text
        self.lines: list[str] = src.raw_lines if self.has_hash else []
        self.comments: list[tuple[int, int, str, int]] = self._scan_comments() if self.has_hash else []
        self.ci = 0
        unsupported_expr, unsupported_stmt = self._unsupported_expr, self._unsupported_stmt
        self.E = {cls: unsupported_expr for cls in _EXPR_CLASSES}
        self.E.update({
            ast.Name: self._name, ast.Attribute: self._attr, ast.Call: self._call, ast.Constant: self._constant,
            ast.Tuple: self._tuple, ast.List: self._list, ast.Dict: self._dict, ast.Subscript: self._subscript,
            ast.Slice: self._slice, ast.BinOp: self._binop, ast.UnaryOp: self._unaryop, ast.Compare: self._compare,
            ast.BoolOp: self._boolop, ast.IfExp: self._ifexp, ast.Lambda: self._lambda,
        })
        self.S = {cls: unsupported_stmt for cls in _STMT_CLASSES}
        self.S.update({
            ast.Assign: self._assign, ast.AnnAssign: self._annassign, ast.AugAssign: self._augassign,
            ast.Expr: self._exprstmt, ast.If: self._if, ast.For: self._for, ast.While: self._while,
            ast.With: self._with, ast.Assert: self._assert, ast.Return: self._return, ast.Pass: self._pass,
            ast.FunctionDef: self._functiondef, ast.ClassDef: self._classdef, ast.ImportFrom: self._importfrom,
        })

    # ------------------------------------------------------------------ comments

    def _scan_comments(self) -> list[tuple[int, int, str, int]]:
        """Every line that holds only a comment: (line, col, text, end byte col)."""
        out = []
        for i, line in enumerate(self.lines):
            if "#" in line:
                s = line.lstrip()
                if s[:1] == "#":
                    end = len(line) if line.isascii() else len(line.encode("utf-8"))
                    out.append((i + 1, len(line) - len(s), _comment_text(s), end))
        return out

    def _make_comment(self, c: tuple[int, int, str, int]) -> Comment:
        return Comment(c[2], c[0], c[1], c[0], c[3], self.src)

    def _rest_of_line(self, line: int, byte_col: int) -> str:
        text = self.lines[line - 1]
        if text.isascii():
            return text[byte_col:]
        return text.encode("utf-8")[byte_col:].decode("utf-8", "replace")

    def _trailing_comment(self, line: int, byte_col: int) -> str | None:
        rest = self._rest_of_line(line, byte_col)
        if "#" in rest:
            rest = rest.lstrip()
            if rest[:1] == "#":
                return _comment_text(rest)
        return None

    def _header_comment(self, line: int, byte_col: int) -> str | None:
        """The comment after the `:` that ends a compound statement's header.

        Scanning starts after the header's last expression, so only punctuation
        (no strings) can come before the colon.
        """
        lines = self.lines
        while line <= len(lines):
            text = self._rest_of_line(line, byte_col)
            m = _COLON_OR_HASH.search(text)
            if m is not None and m.group() == ":":
                after = text[m.end():].lstrip()
                return _comment_text(after) if after[:1] == "#" else None
            line, byte_col = line + 1, 0
        return None

    def _else_line(self, then_end: int, orelse_start: int) -> int:
        """The line of the `else:` between a then-body and its else-body (or the else-body start)."""
        lines = self.lines
        for ln in range(orelse_start - 1, then_end, -1):
            if lines[ln - 1].lstrip().startswith("else"):
                return ln
        return orelse_start

    # ------------------------------------------------------------------ bodies

    def body(self, stmts: list[ast.stmt], limit: float, allow_doc: bool = False,
             claim_trailing: bool = True) -> list[D.Stmt]:
        """Convert a statement list; `limit` is the line where the next outer statement starts.

        Comments after the last statement that are indented at least as deep as
        the block belong to it (unless `claim_trailing` is off: an `elif` chain).
        """
        S = self.S
        if not self.has_hash:
            out = [S[type(s)](s, 0) for s in stmts]
        else:
            out = self._body_with_comments(stmts, limit, claim_trailing)
        if allow_doc and stmts:
            s0 = stmts[0]
            if type(s0) is ast.Expr and type(s0.value) is ast.Constant and type(s0.value.value) is str:
                for i, d in enumerate(out):
                    if type(d) is ExprStmt:
                        out[i] = Docstring(s0.value.value, d.comment).copy_span(d)
                        break
        return out

    def _body_with_comments(self, stmts: list[ast.stmt], limit: float, claim_trailing: bool) -> list[D.Stmt]:
        S, comments, lines, out = self.S, self.comments, self.lines, []
        nc, n = len(comments), len(stmts)
        nxt_start = _start_line(stmts[0]) if stmts else limit
        for i, s in enumerate(stmts):
            start = nxt_start
            nxt_start = _start_line(stmts[i + 1]) if i + 1 < n else limit
            ci = self.ci
            while ci < nc and comments[ci][0] < start:
                out.append(self._make_comment(comments[ci]))
                ci += 1
            self.ci = ci
            d = S[type(s)](s, nxt_start)
            if "#" in lines[s.end_lineno - 1] and type(s) not in _COMPOUND_AST and type(d) is not Unsupported:
                d.comment = self._trailing_comment(s.end_lineno, s.end_col_offset)
            out.append(d)
            end, ci = s.end_lineno, self.ci
            while ci < nc and comments[ci][0] <= end:
                ci += 1
            self.ci = ci
        if stmts and claim_trailing:
            col, ci = stmts[0].col_offset, self.ci
            while ci < nc and comments[ci][0] < limit and comments[ci][1] >= col:
                out.append(self._make_comment(comments[ci]))
                ci += 1
            self.ci = ci
        return out

    def module(self, tree: ast.Module) -> Module:
        header: list[str] = []
        stmts = tree.body
        if self.comments:
            first = _start_line(stmts[0]) if stmts else _INF
            comments, ci = self.comments, 0
            while ci < len(comments) and comments[ci][0] < first:
                header.append(comments[ci][2])
                ci += 1
            self.ci = ci
        body = self.body(stmts, _INF, allow_doc=True)
        src = self.src
        nlines = len(src.raw_lines)
        last = src.raw_lines[-1]
        return Module(body, header, 1, 0, nlines, len(last.encode("utf-8")), src)

    # ------------------------------------------------------------------ unsupported

    def _unsupported_expr(self, n: ast.AST, what: str | None = None) -> Unsupported:
        what = what or _UNSUPPORTED_NAMES.get(type(n).__name__) or f"this Python construct ({type(n).__name__})"
        return Unsupported(what, _unparse(n), n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _unsupported_stmt(self, n: ast.AST, limit: float = 0, what: str | None = None) -> Unsupported:
        return self._unsupported_expr(n, what)

    # ------------------------------------------------------------------ expressions

    def _name(self, n: ast.Name) -> Name:
        return Name(n.id, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _attr(self, n: ast.Attribute) -> Attr:
        v, src = n.value, self.src
        if type(v) is _AstName:  # the common `R.xxx` / `cls.f`: skip a dispatch
            v = Name(v.id, v.lineno, v.col_offset, v.end_lineno, v.end_col_offset, src)
        else:
            v = self.E[type(v)](v)
        return Attr(v, n.attr, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, src)

    def _call(self, n: ast.Call) -> D.Expr:
        E, src = self.E, self.src
        f = n.func
        args = [Name(a.id, a.lineno, a.col_offset, a.end_lineno, a.end_col_offset, src) if type(a) is _AstName
                else E[type(a)](a) for a in n.args]
        kws = n.keywords
        if kws:
            kwargs = [(k.arg, E[type(k.value)](k.value)) if k.arg is not None
                      else (None, self._unsupported_expr(k, "a ** argument")) for k in kws]
        else:
            kwargs = []
            if type(f) is ast.Name and f.id == "float" and len(args) == 1:
                a = args[0]
                if type(a) is Literal and type(a.value) is str and a.value in _FLOAT_SPECIALS:
                    return Literal(_FLOAT_SPECIALS[a.value], n.lineno, n.col_offset, n.end_lineno,
                                   n.end_col_offset, self.src)
        return Call(E[type(f)](f), args, kwargs, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _constant(self, n: ast.Constant) -> D.Expr:
        v = n.value
        if type(v) in _LITERAL_TYPES:
            return Literal(v, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)
        what = ("a bytes literal" if type(v) is bytes else "a complex number literal" if type(v) is complex
                else "an ellipsis (...)" if v is Ellipsis else f"a {type(v).__name__} constant")
        return self._unsupported_expr(n, what)

    def _tuple(self, n: ast.Tuple) -> Tuple:
        E, src = self.E, self.src
        return Tuple([Name(e.id, e.lineno, e.col_offset, e.end_lineno, e.end_col_offset, src) if type(e) is _AstName
                      else E[type(e)](e) for e in n.elts], n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, src)

    def _list(self, n: ast.List) -> List:
        E = self.E
        return List([E[type(e)](e) for e in n.elts], n.lineno, n.col_offset, n.end_lineno, n.end_col_offset,
                    self.src)

    def _dict(self, n: ast.Dict) -> D.Expr:
        E = self.E
        if any(k is None for k in n.keys):
            return self._unsupported_expr(n, "a dict unpacking (**x)")
        return Dict([E[type(k)](k) for k in n.keys], [E[type(v)](v) for v in n.values],
                    n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _subscript(self, n: ast.Subscript) -> Subscript:
        E = self.E
        v, s = n.value, n.slice
        if type(s) is ast.Tuple:
            src = self.src
            indices = [Name(e.id, e.lineno, e.col_offset, e.end_lineno, e.end_col_offset, src) if type(e) is _AstName
                       else E[type(e)](e) for e in s.elts]
        else:
            indices = [E[type(s)](s)]
        return Subscript(E[type(v)](v), indices, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _slice(self, n: ast.Slice) -> Slice:
        E = self.E
        a, b, c = n.lower, n.upper, n.step
        return Slice(None if a is None else E[type(a)](a), None if b is None else E[type(b)](b),
                     None if c is None else E[type(c)](c), n.lineno, n.col_offset, n.end_lineno,
                     n.end_col_offset, self.src)

    def _binop(self, n: ast.BinOp) -> BinOp:
        # walk the left spine iteratively: long `a + b + c + ...` chains are deep on the left
        spine = []
        while type(n) is ast.BinOp:
            spine.append(n)
            n = n.left
        E, src = self.E, self.src
        acc = E[type(n)](n)
        for b in reversed(spine):
            r = b.right
            acc = BinOp(_OPS[type(b.op)], acc, E[type(r)](r), b.lineno, b.col_offset, b.end_lineno,
                        b.end_col_offset, src)
        return acc

    def _unaryop(self, n: ast.UnaryOp) -> D.Expr:
        op = _OPS[type(n.op)]
        o = n.operand
        if op is Op.USub and type(o) is ast.Constant and (type(o.value) is int or type(o.value) is float):
            return Literal(-o.value, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)
        return UnaryOp(op, self.E[type(o)](o), n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _compare(self, n: ast.Compare) -> Compare:
        E = self.E
        operands = [E[type(n.left)](n.left)]
        operands += [E[type(c)](c) for c in n.comparators]
        return Compare([_OPS[type(o)] for o in n.ops], operands, n.lineno, n.col_offset, n.end_lineno,
                       n.end_col_offset, self.src)

    def _boolop(self, n: ast.BoolOp) -> BoolOp:
        E = self.E
        return BoolOp(_OPS[type(n.op)], [E[type(v)](v) for v in n.values], n.lineno, n.col_offset, n.end_lineno,
                      n.end_col_offset, self.src)

    def _ifexp(self, n: ast.IfExp) -> IfExp:
        E = self.E
        return IfExp(E[type(n.test)](n.test), E[type(n.body)](n.body), E[type(n.orelse)](n.orelse),
                     n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _lambda(self, n: ast.Lambda) -> D.Expr:
        a = n.args
        if a.posonlyargs or a.vararg or a.kwonlyargs or a.kwarg or a.defaults:
            return self._unsupported_expr(n, "a lambda with default, variadic or keyword-only parameters")
        body = n.body
        return Lambda([p.arg for p in a.args], self.E[type(body)](body), n.lineno, n.col_offset, n.end_lineno,
                      n.end_col_offset, self.src)

    def _opt(self, n: ast.expr | None) -> D.Expr | None:
        return None if n is None else self.E[type(n)](n)

    # ------------------------------------------------------------------ simple statements

    def _assign(self, n: ast.Assign, limit: float) -> D.Stmt:
        if len(n.targets) != 1:
            return self._unsupported_expr(n, "a chained assignment (a = b = ...)")
        E = self.E
        t, v = n.targets[0], n.value
        return Assign(E[type(t)](t), E[type(v)](v), None, None, n.lineno, n.col_offset, n.end_lineno,
                      n.end_col_offset, self.src)

    def _annassign(self, n: ast.AnnAssign, limit: float) -> Assign:
        E = self.E
        t, v, a = n.target, n.value, n.annotation
        return Assign(E[type(t)](t), None if v is None else E[type(v)](v), E[type(a)](a), None,
                      n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _augassign(self, n: ast.AugAssign, limit: float) -> AugAssign:
        E = self.E
        t, v = n.target, n.value
        return AugAssign(E[type(t)](t), _OPS[type(n.op)], E[type(v)](v), None, n.lineno, n.col_offset,
                         n.end_lineno, n.end_col_offset, self.src)

    def _exprstmt(self, n: ast.Expr, limit: float) -> ExprStmt:
        v = n.value
        return ExprStmt(self.E[type(v)](v), None, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _assert(self, n: ast.Assert, limit: float) -> Assert:
        return Assert(self.E[type(n.test)](n.test), self._opt(n.msg), None, n.lineno, n.col_offset, n.end_lineno,
                      n.end_col_offset, self.src)

    def _return(self, n: ast.Return, limit: float) -> Return:
        return Return(self._opt(n.value), None, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _pass(self, n: ast.Pass, limit: float) -> Pass:
        return Pass(None, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _importfrom(self, n: ast.ImportFrom, limit: float) -> D.Stmt:
        if n.level:
            return self._unsupported_expr(n, "a relative import")
        return ImportFrom(n.module or "", [(a.name, a.asname) for a in n.names], None, n.lineno, n.col_offset,
                          n.end_lineno, n.end_col_offset, self.src)

    # ------------------------------------------------------------------ compound statements

    def _hdr(self, line: int, col: int) -> str | None:
        return self._header_comment(line, col) if self.has_hash else None

    def _if(self, n: ast.If, limit: float) -> If:
        test = n.test
        comment = self._hdr(test.end_lineno, test.end_col_offset)
        cond = self.E[type(test)](test)
        orelse = n.orelse
        then_limit, is_elif = limit, False
        if orelse and self.has_hash:
            then_limit = self._else_line(n.body[-1].end_lineno, _start_line(orelse[0]))
            is_elif = len(orelse) == 1 and type(orelse[0]) is ast.If and then_limit == orelse[0].lineno and \
                self.lines[then_limit - 1].lstrip().startswith("elif")
        then_body = self.body(n.body, then_limit)
        else_body = self.body(orelse, limit, claim_trailing=not is_elif) if orelse else []
        return If(cond, then_body, else_body, comment, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset,
                  self.src)

    def _for(self, n: ast.For, limit: float) -> D.Stmt:
        if n.orelse:
            return self._unsupported_expr(n, "a for loop with an else clause")
        E = self.E
        it = n.iter
        comment = self._hdr(it.end_lineno, it.end_col_offset)
        return For(E[type(n.target)](n.target), E[type(it)](it), self.body(n.body, limit), comment,
                   n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _while(self, n: ast.While, limit: float) -> D.Stmt:
        if n.orelse:
            return self._unsupported_expr(n, "a while loop with an else clause")
        test = n.test
        comment = self._hdr(test.end_lineno, test.end_col_offset)
        return While(self.E[type(test)](test), self.body(n.body, limit), comment, n.lineno, n.col_offset,
                     n.end_lineno, n.end_col_offset, self.src)

    def _with(self, n: ast.With, limit: float) -> With:
        E = self.E
        items = [(E[type(i.context_expr)](i.context_expr), self._opt(i.optional_vars)) for i in n.items]
        last = n.items[-1]
        last = last.optional_vars or last.context_expr
        comment = self._hdr(last.end_lineno, last.end_col_offset)
        return With(items, self.body(n.body, limit), comment, n.lineno, n.col_offset, n.end_lineno,
                    n.end_col_offset, self.src)

    def _params(self, a: ast.arguments) -> list:
        """Params; the kinds outside the subset become Unsupported (rendering back as written)."""
        positional = a.posonlyargs + a.args
        first_default = len(positional) - len(a.defaults)
        nposonly = len(a.posonlyargs)
        src, params = self.src, []
        for i, p in enumerate(positional):
            d = a.defaults[i - first_default] if i >= first_default else None
            if i < nposonly:
                u = self._unsupported_expr(p, "a positional-only parameter")
                if d is not None:
                    u.text += "=" + _unparse(d)
                if i == nposonly - 1:
                    u.text += ", /"
                params.append(u)
                continue
            params.append(Param(p.arg, self._opt(p.annotation), self._opt(d), p.lineno, p.col_offset,
                                p.end_lineno, p.end_col_offset, src))
        if a.vararg is not None:
            u = self._unsupported_expr(a.vararg, "a *args parameter")
            u.text = "*" + u.text
            params.append(u)
        for i, p in enumerate(a.kwonlyargs):
            u = self._unsupported_expr(p, "a keyword-only parameter")
            if a.vararg is None and i == 0:
                u.text = "*, " + u.text
            if a.kw_defaults[i] is not None:
                u.text += "=" + _unparse(a.kw_defaults[i])
            params.append(u)
        if a.kwarg is not None:
            u = self._unsupported_expr(a.kwarg, "a **kwargs parameter")
            u.text = "**" + u.text
            params.append(u)
        return params

    def _def_header_end(self, n: ast.FunctionDef) -> tuple[int, int]:
        a = n.args
        ends = [(x.end_lineno, x.end_col_offset) for x in (*a.posonlyargs, *a.args, *a.defaults, a.vararg,
                                                           *a.kwonlyargs, *a.kw_defaults, a.kwarg, n.returns)
                if x is not None]
        return max(ends) if ends else (n.lineno, n.col_offset)

    def _functiondef(self, n: ast.FunctionDef, limit: float) -> D.Stmt:
        if getattr(n, "type_params", None):
            return self._unsupported_expr(n, "a function with type parameters")
        E = self.E
        comment = self._hdr(*self._def_header_end(n)) if self.has_hash else None
        decorators = [E[type(x)](x) for x in n.decorator_list]
        params = self._params(n.args)
        return FunctionDef(n.name, params, self._opt(n.returns), decorators, self.body(n.body, limit, True),
                           comment, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, self.src)

    def _classdef(self, n: ast.ClassDef, limit: float) -> D.Stmt:
        if n.bases or n.keywords:
            return self._unsupported_expr(n, "a class with base classes or keywords")
        if getattr(n, "type_params", None):
            return self._unsupported_expr(n, "a class with type parameters")
        E = self.E
        comment = self._hdr(n.lineno, n.col_offset)
        decorators = [E[type(x)](x) for x in n.decorator_list]
        return ClassDef(n.name, decorators, self.body(n.body, limit, True), comment, n.lineno, n.col_offset,
                        n.end_lineno, n.end_col_offset, self.src)


def _start_line(s: ast.stmt) -> int:
    """First line of a statement, counting its decorators."""
    decorators = getattr(s, "decorator_list", None)
    return decorators[0].lineno if decorators else s.lineno


# ----------------------------------------------------------------------------- entry points


# Python 3.11+'s parser refuses trees nested deeper than about 3,000 levels (RecursionError);
# 3.10's builds them, and every later recursive stage would then overflow. Same limit everywhere.
_MAX_DEPTH = 3000


def _too_deep(tree: ast.AST) -> bool:
    """Whether `tree` nests deeper than _MAX_DEPTH (iterative: safe on any depth)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return False


def _parse_ast(text: str, src: ParsedSource, mode: str = "exec") -> ast.AST:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=src.name, mode=mode)
        if sys.version_info < (3, 11) and _too_deep(tree):
            raise RecursionError
        return tree
    except SyntaxError as e:
        raise _syntax_error(e, src) from None
    except ValueError as e:  # null bytes (Python < 3.12)
        pos = text.find("\0")
        line = text.count("\n", 0, pos) + 1 if pos >= 0 else 1
        col = pos - text.rfind("\n", 0, pos) - 1 if pos >= 0 else 0
        raise ScriptError(f"invalid source: {e}", span=src.make_span(line, col, line, col + 1,
                                                                       byte_cols=False)) from None
    except (RecursionError, MemoryError):
        raise ScriptError("the code is nested too deeply to parse",
                          span=src.make_span(1, 0, 1, 0, byte_cols=False)) from None


def _syntax_error(e: SyntaxError, src: ParsedSource) -> ScriptError:
    line = e.lineno or 1
    col = max((e.offset or 1) - 1, 0)
    if isinstance(e, IndentationError) and e.msg == "unexpected indent":
        text = src.raw_lines[line - 1] if 0 < line <= len(src.raw_lines) else ""
        col = len(text) - len(text.lstrip())  # at the statement, not inside its indentation
    end_line = getattr(e, "end_lineno", None) or line
    end_col = (getattr(e, "end_offset", None) or 0) - 1
    if end_line < line or (end_line == line and end_col <= col):
        end_line, end_col = line, col + 1
    msg = e.msg or "invalid syntax"
    if src.line_offset:
        msg = _DETECTED_AT.sub(lambda m: f"(detected at line {int(m.group(1)) + src.line_offset})", msg)
    return ScriptError(f"syntax error: {msg}" if msg != "invalid syntax" else msg,
                       span=src.make_span(line, col, end_line, end_col, byte_cols=False))


def parse_python(text: str, source_name: str = "<string>", line_offset: int = 0, col_offset: int = 0,
                 *, file_text: str | None = None) -> Module:
    """Parse Python text into a Doc `Module`.

    `line_offset`/`col_offset` place `text` in the user's file (a function
    extracted from line 41 and dedented by 4 has line_offset=40, col_offset=4),
    so spans are absolute; `file_text` (the whole file) lets diagnostics show
    the user's lines. A syntax error raises `ScriptError` at its position.
    """
    if text[:1] == "\ufeff":  # a byte-order mark left by a utf-8 (not utf-8-sig) read
        text = text[1:]
    src = ParsedSource(source_name, text, line_offset, col_offset, file_text)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the trees are acyclic: skip the collector passes a bulk build would trigger
    try:
        tree = _parse_ast(text, src)
        try:
            return _Converter(src).module(tree)
        except RecursionError:
            raise ScriptError("the code is nested too deeply to parse",
                              span=src.make_span(1, 0, 1, 0, byte_cols=False)) from None
    finally:
        if gc_was_enabled:
            gc.enable()


def parse_expr(text: str, source_name: str = "<string>", line_offset: int = 0, col_offset: int = 0) -> D.Expr:
    """Parse one Python expression into a Doc expression."""
    src = ParsedSource(source_name, text, line_offset, col_offset)
    tree = _parse_ast(text, src, mode="eval")
    conv = _Converter(src)
    body = tree.body
    return conv.E[type(body)](body)
