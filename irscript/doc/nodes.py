"""The Doc tree: one set of syntax nodes for the Python subset that scripts use.

The front end (`irscript.doc.parse_python`) and the printer produce these nodes;
the renderer, the script parser and the C++ generator consume them. They are
syntax, not IR: plain slotted classes, cheap to build, mutable, hashed by
identity, compared structurally with `doc_equal`.

Positions. Every node carries an optional position in four private int slots
(`_line`, 1-based; `_col`, 0-based; `_end_line`; `_end_col`, exclusive) that
are RELATIVE to the text that was parsed, plus `_src`, the `ParsedSource` of
that parse (or None, or an explicit `Span` given through the `span` setter,
e.g. by the printer). The public `node.span` builds an `irscript.ir.span.Span`
on demand with ABSOLUTE lines and columns in the user's file (the source adds
its line/column offsets and turns UTF-8 byte columns into character columns).
Read positions through `.span`; the front end fills the slots directly so that
no Span object is made per node.

Conventions the front end and the printer share (the renderer relies on them
for `parse(render(doc)) == doc`):
* a minus sign in front of a plain int/float literal is folded into the
  literal: `-1` is `Literal(-1)`, not `UnaryOp(USub, Literal(1))`;
* `float("inf")`, `float("-inf")` and `float("nan")` are float Literals;
* a subscript holds its index list: `A[i, j]` -> `indices=[i, j]`, `A[i]` and
  `A[i,]` -> `[i]`, `A[()]` -> `[]`;
* a string expression statement that opens a module, class or function body
  is a `Docstring`; a comment line is a `Comment` statement, except the
  comments before the first statement of a module, which are `Module.header`.
"""

from __future__ import annotations

import math
from enum import IntEnum
from typing import Any

from irscript.ir.span import SourceText, Span

# ----------------------------------------------------------------------------- operators


class Op(IntEnum):
    """Operators of binary, unary, comparison and boolean expressions."""

    Add = 0
    Sub = 1
    Mult = 2
    Div = 3
    FloorDiv = 4
    Mod = 5
    Pow = 6
    LShift = 7
    RShift = 8
    BitAnd = 9
    BitOr = 10
    BitXor = 11
    MatMult = 12
    USub = 13
    UAdd = 14
    Not = 15
    Invert = 16
    Eq = 17
    NotEq = 18
    Lt = 19
    LtE = 20
    Gt = 21
    GtE = 22
    Is = 23
    IsNot = 24
    In = 25
    NotIn = 26
    And = 27
    Or = 28

    @property
    def symbol(self) -> str:
        """The Python spelling of the operator (`+`, `not in`, `and`, ...)."""
        return OP_SYMBOLS[self]


OP_SYMBOLS: tuple[str, ...] = (
    "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@",
    "-", "+", "not", "~",
    "==", "!=", "<", "<=", ">", ">=", "is", "is not", "in", "not in",
    "and", "or",
)

BINARY_OPS = frozenset(Op(i) for i in range(0, 13))
UNARY_OPS = frozenset((Op.USub, Op.UAdd, Op.Not, Op.Invert))
COMPARE_OPS = frozenset(Op(i) for i in range(17, 27))
BOOL_OPS = frozenset((Op.And, Op.Or))


# ----------------------------------------------------------------------------- sources


class ParsedSource(SourceText):
    """The text one `parse_python` call read, and where it sits in the user's file.

    `line_offset`/`col_offset` turn positions in `text` into absolute ones;
    `file_text`, when given, is the whole file (used to show source lines in
    diagnostics). `line(n)` takes an ABSOLUTE line number.
    """

    __slots__ = ("line_offset", "col_offset", "is_ascii", "file_text", "_raw_lines")

    def __init__(self, name: str, text: str, line_offset: int = 0, col_offset: int = 0,
                 file_text: str | None = None) -> None:
        super().__init__(name, text)
        self.line_offset = line_offset
        self.col_offset = col_offset
        self.is_ascii = text.isascii()
        self.file_text = file_text
        self._raw_lines: list[str] | None = None

    @property
    def raw_lines(self) -> list[str]:
        """Lines of `text`, split exactly where Python's tokenizer splits them."""
        if self._raw_lines is None:
            self._raw_lines = split_lines(self.text)
        return self._raw_lines

    def line(self, lineno: int) -> str:
        if self.file_text is not None:
            if self._lines is None:
                self._lines = split_lines(self.file_text)
            lines = self._lines
            return lines[lineno - 1] if 0 < lineno <= len(lines) else ""
        rel = lineno - self.line_offset
        lines = self.raw_lines
        if not 0 < rel <= len(lines):
            return ""
        text = lines[rel - 1]
        return " " * self.col_offset + text if self.col_offset and text else text

    def char_col(self, line: int, byte_col: int) -> int:
        """Character column of a UTF-8 byte column on a (relative) line."""
        if self.is_ascii or byte_col <= 0:
            return byte_col
        lines = self.raw_lines
        if not 0 < line <= len(lines):
            return byte_col
        text = lines[line - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def make_span(self, line: int, col: int, end_line: int, end_col: int, *, byte_cols: bool = True) -> Span:
        """An absolute Span from positions relative to `text`."""
        if byte_cols:
            col = self.char_col(line, col)
            end_col = self.char_col(end_line, end_col)
        lo, co = self.line_offset, self.col_offset
        return Span(self.name, line + lo, col + co, end_line + lo, end_col + co, self)


def split_lines(text: str) -> list[str]:
    """Split like Python's tokenizer: on \\r\\n, \\r and \\n only (not form feeds etc.)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


# ----------------------------------------------------------------------------- base classes


class Doc:
    """Base of every Doc node: a position (see the module docstring) and structural fields."""

    __slots__ = ("_line", "_col", "_end_line", "_end_col", "_src")
    _fields: tuple[str, ...] = ()

    @property
    def span(self) -> Span | None:
        """The absolute source span of this node, or None when it has none."""
        src = self._src
        if src is None or type(src) is Span:
            return src
        return src.make_span(self._line, self._col, self._end_line, self._end_col)

    @span.setter
    def span(self, span: Span | None) -> None:
        self._line = self._col = self._end_line = self._end_col = 0
        self._src = span

    def copy_span(self, other: Doc) -> Doc:
        """Give this node the position of `other`; returns self."""
        self._line, self._col, self._end_line, self._end_col = other._line, other._col, other._end_line, other._end_col
        self._src = other._src
        return self

    def fields(self) -> list[tuple[str, Any]]:
        """The (name, value) pairs of the structural fields, in declaration order."""
        return [(f, getattr(self, f)) for f in self._fields]

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={_safe_repr(getattr(self, f))}" for f in self._fields)
        return f"{type(self).__name__}({inner})"


def _safe_repr(v: Any) -> str:
    try:
        return repr(v)
    except ValueError:  # an int too long for str()
        return hex(v) if type(v) is int else object.__repr__(v)


class Expr(Doc):
    """Base of expression nodes."""

    __slots__ = ()


class Stmt(Doc):
    """Base of statement nodes; `comment` is a trailing `# comment` on the (header) line."""

    __slots__ = ("comment",)


# ----------------------------------------------------------------------------- expressions


class Name(Expr):
    __slots__ = ("id",)
    _fields = ("id",)

    def __init__(self, id: str, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.id = id
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Attr(Expr):
    __slots__ = ("value", "name")
    _fields = ("value", "name")

    def __init__(self, value: Expr, name: str, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.value = value
        self.name = name
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Call(Expr):
    """`func(*args, **kwargs)`; kwargs is an ordered list of (name, value) pairs."""

    __slots__ = ("func", "args", "kwargs")
    _fields = ("func", "args", "kwargs")

    def __init__(self, func: Expr, args: list[Expr] | None = None, kwargs: list[tuple[str, Expr]] | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.func = func
        self.args = [] if args is None else args
        self.kwargs = [] if kwargs is None else kwargs
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Subscript(Expr):
    """`value[i, j, ...]`; `indices` holds the index expressions (possibly `Slice`s)."""

    __slots__ = ("value", "indices")
    _fields = ("value", "indices")

    def __init__(self, value: Expr, indices: list[Expr], _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.value = value
        self.indices = indices
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Slice(Expr):
    """`start:stop:step` inside a subscript; each part optional."""

    __slots__ = ("start", "stop", "step")
    _fields = ("start", "stop", "step")

    def __init__(self, start: Expr | None = None, stop: Expr | None = None, step: Expr | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.start = start
        self.stop = stop
        self.step = step
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Literal(Expr):
    """None, a bool, an int, a float or a str."""

    __slots__ = ("value",)
    _fields = ("value",)

    def __init__(self, value: Any, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.value = value
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Tuple(Expr):
    __slots__ = ("elts",)
    _fields = ("elts",)

    def __init__(self, elts: list[Expr], _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.elts = elts
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class List(Expr):
    __slots__ = ("elts",)
    _fields = ("elts",)

    def __init__(self, elts: list[Expr], _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.elts = elts
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Dict(Expr):
    """`{k: v, ...}` with keys and values in order."""

    __slots__ = ("keys", "values")
    _fields = ("keys", "values")

    def __init__(self, keys: list[Expr], values: list[Expr], _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.keys = keys
        self.values = values
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class BinOp(Expr):
    __slots__ = ("op", "lhs", "rhs")
    _fields = ("op", "lhs", "rhs")

    def __init__(self, op: Op, lhs: Expr, rhs: Expr, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class UnaryOp(Expr):
    __slots__ = ("op", "operand")
    _fields = ("op", "operand")

    def __init__(self, op: Op, operand: Expr, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.op = op
        self.operand = operand
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Compare(Expr):
    """A comparison chain: `operands[0] ops[0] operands[1] ops[1] ...` (len(operands) == len(ops) + 1)."""

    __slots__ = ("ops", "operands")
    _fields = ("ops", "operands")

    def __init__(self, ops: list[Op], operands: list[Expr], _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.ops = ops
        self.operands = operands
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class BoolOp(Expr):
    """`a and b and c` (op And) or `a or b` (op Or); two or more values."""

    __slots__ = ("op", "values")
    _fields = ("op", "values")

    def __init__(self, op: Op, values: list[Expr], _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.op = op
        self.values = values
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class IfExp(Expr):
    """`then_value if cond else else_value`."""

    __slots__ = ("cond", "then_value", "else_value")
    _fields = ("cond", "then_value", "else_value")

    def __init__(self, cond: Expr, then_value: Expr, else_value: Expr,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.cond = cond
        self.then_value = then_value
        self.else_value = else_value
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Lambda(Expr):
    """`lambda a, b: body` with plain positional parameters."""

    __slots__ = ("params", "body")
    _fields = ("params", "body")

    def __init__(self, params: list[str], body: Expr, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.params = params
        self.body = body
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


# ----------------------------------------------------------------------------- statements


class Assign(Stmt):
    """`target = value`, `target: annotation = value` or bare `target: annotation` (value None).

    `target` is one target; several targets are a `Tuple` (`a, b = ...`).
    """

    __slots__ = ("target", "value", "annotation")
    _fields = ("target", "value", "annotation", "comment")

    def __init__(self, target: Expr, value: Expr | None, annotation: Expr | None = None, comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.target = target
        self.value = value
        self.annotation = annotation
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class AugAssign(Stmt):
    """`target op= value`."""

    __slots__ = ("target", "op", "value")
    _fields = ("target", "op", "value", "comment")

    def __init__(self, target: Expr, op: Op, value: Expr, comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.target = target
        self.op = op
        self.value = value
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class ExprStmt(Stmt):
    __slots__ = ("value",)
    _fields = ("value", "comment")

    def __init__(self, value: Expr, comment: str | None = None, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.value = value
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class If(Stmt):
    """`if cond: then_body else: else_body`; `elif` is an else_body holding one `If`."""

    __slots__ = ("cond", "then_body", "else_body")
    _fields = ("cond", "then_body", "else_body", "comment")

    def __init__(self, cond: Expr, then_body: list[Stmt], else_body: list[Stmt] | None = None, comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.cond = cond
        self.then_body = then_body
        self.else_body = [] if else_body is None else else_body
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class For(Stmt):
    __slots__ = ("target", "iter", "body")
    _fields = ("target", "iter", "body", "comment")

    def __init__(self, target: Expr, iter: Expr, body: list[Stmt], comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.target = target
        self.iter = iter
        self.body = body
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class While(Stmt):
    __slots__ = ("cond", "body")
    _fields = ("cond", "body", "comment")

    def __init__(self, cond: Expr, body: list[Stmt], comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.cond = cond
        self.body = body
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class With(Stmt):
    """`with e1 as t1, e2: body`; items are (context expression, target or None) pairs."""

    __slots__ = ("items", "body")
    _fields = ("items", "body", "comment")

    def __init__(self, items: list[tuple[Expr, Expr | None]], body: list[Stmt], comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.items = items
        self.body = body
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Assert(Stmt):
    __slots__ = ("cond", "msg")
    _fields = ("cond", "msg", "comment")

    def __init__(self, cond: Expr, msg: Expr | None = None, comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.cond = cond
        self.msg = msg
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Return(Stmt):
    __slots__ = ("value",)
    _fields = ("value", "comment")

    def __init__(self, value: Expr | None = None, comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.value = value
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Pass(Stmt):
    __slots__ = ()
    _fields = ("comment",)

    def __init__(self, comment: str | None = None, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Param(Doc):
    """A function parameter: `name: annotation = default` (annotation and default optional)."""

    __slots__ = ("name", "annotation", "default")
    _fields = ("name", "annotation", "default")

    def __init__(self, name: str, annotation: Expr | None = None, default: Expr | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.name = name
        self.annotation = annotation
        self.default = default
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class FunctionDef(Stmt):
    """`@decorators def name(params) -> returns: body`. Params are `Param`s (or `Unsupported`)."""

    __slots__ = ("name", "params", "returns", "decorators", "body")
    _fields = ("name", "params", "returns", "decorators", "body", "comment")

    def __init__(self, name: str, params: list[Param], returns: Expr | None, decorators: list[Expr], body: list[Stmt],
                 comment: str | None = None, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.name = name
        self.params = params
        self.returns = returns
        self.decorators = decorators
        self.body = body
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class ClassDef(Stmt):
    """`@decorators class name: body` (no base classes or keywords)."""

    __slots__ = ("name", "decorators", "body")
    _fields = ("name", "decorators", "body", "comment")

    def __init__(self, name: str, decorators: list[Expr], body: list[Stmt], comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.name = name
        self.decorators = decorators
        self.body = body
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Comment(Stmt):
    """A full-line `# text` comment; `text` excludes the `#` and one following space."""

    __slots__ = ("text",)
    _fields = ("text",)

    def __init__(self, text: str, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.text = text
        self.comment = None
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Docstring(Stmt):
    """The string that opens a module, class or function body."""

    __slots__ = ("text",)
    _fields = ("text", "comment")

    def __init__(self, text: str, comment: str | None = None, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.text = text
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class ImportFrom(Stmt):
    """`from module import name as alias, ...`; names are (name, alias or None) pairs."""

    __slots__ = ("module", "names")
    _fields = ("module", "names", "comment")

    def __init__(self, module: str, names: list[tuple[str, str | None]], comment: str | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.module = module
        self.names = names
        self.comment = comment
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Unsupported(Stmt, Expr):
    """A Python construct outside the script subset, kept so the parser can report it.

    `what` is the user-facing name ("a list comprehension", "a try statement");
    `text` is the construct as Python source (`ast.unparse`), which the renderer
    writes back verbatim. It stands in expression, statement or parameter position.
    """

    __slots__ = ("what", "text")
    _fields = ("what", "text")

    def __init__(self, what: str, text: str, _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.what = what
        self.text = text
        self.comment = None
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


class Module(Doc):
    """The root: `header` comment lines (before the first statement) and the statements."""

    __slots__ = ("body", "header")
    _fields = ("header", "body")

    def __init__(self, body: list[Stmt], header: list[str] | None = None,
                 _line=0, _col=0, _end_line=0, _end_col=0, _src=None) -> None:
        self.body = body
        self.header = [] if header is None else header
        self._line = _line; self._col = _col; self._end_line = _end_line; self._end_col = _end_col; self._src = _src  # noqa: E702


COMPOUND_STMTS = (If, For, While, With, FunctionDef, ClassDef)


# ----------------------------------------------------------------------------- equality


def _literal_equal(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is float:
        if a != a:  # nan
            return b != b
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


def doc_mismatch(a: Any, b: Any, ignore_spans: bool = True) -> str | None:
    """The path of the first structural difference between two Doc values, or None if equal.

    Literal values compare by type and value (`1 != 1.0 != True`, `0.0 != -0.0`,
    nan equals nan). With `ignore_spans=False`, absolute spans must agree too.
    Iterative, so arbitrarily deep trees are fine.
    """
    stack: list[tuple[Any, Any, str]] = [(a, b, "")]
    while stack:
        x, y, path = stack.pop()
        tx = type(x)
        if tx is not type(y):
            return f"{path or '<root>'}: {tx.__name__} vs {type(y).__name__}"
        if isinstance(x, Doc):
            if not ignore_spans and _span_key(x) != _span_key(y):
                return f"{path or '<root>'}: span {x.span} vs {y.span}"
            if tx is Literal:
                if not _literal_equal(x.value, y.value):
                    return f"{path}.value: {x.value!r} vs {y.value!r}"
                continue
            for f in reversed(x._fields):
                stack.append((getattr(x, f), getattr(y, f), f"{path}.{f}"))
        elif tx is list or tx is tuple:
            if len(x) != len(y):
                return f"{path}: length {len(x)} vs {len(y)}"
            for i in range(len(x) - 1, -1, -1):
                stack.append((x[i], y[i], f"{path}[{i}]"))
        elif not _literal_equal(x, y):
            return f"{path or '<root>'}: {x!r} vs {y!r}"
    return None


def _span_key(node: Doc) -> tuple | None:
    s = node.span
    return None if s is None else (s.source_name, s.line, s.col, s.end_line, s.end_col)


def doc_equal(a: Any, b: Any, ignore_spans: bool = True) -> bool:
    """Structural equality of Doc trees (see `doc_mismatch`)."""
    return doc_mismatch(a, b, ignore_spans) is None


def assert_doc_equal(a: Any, b: Any, ignore_spans: bool = True) -> None:
    """Raise AssertionError naming the first difference (for tests)."""
    where = doc_mismatch(a, b, ignore_spans)
    if where is not None:
        raise AssertionError(f"Doc trees differ at {where}")


def walk(doc: Any):
    """Yield every Doc node under `doc` (a node or a list of nodes), parents first."""
    stack = [doc]
    while stack:
        x = stack.pop()
        if isinstance(x, Doc):
            yield x
            for f in reversed(x._fields):
                stack.append(getattr(x, f))
        elif type(x) is list or type(x) is tuple:
            stack.extend(reversed(x))
