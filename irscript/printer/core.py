"""The printer core: IR -> Doc by dispatch on (dialect, node class). Knows no dialect.

A dialect registers handlers for its node classes with `register`::

    TOY = Dialect("toy", "X", module="toy.script")

    @register(ToyAdd, TOY)          # or register(ToyAdd) for every dialect context
    def _toy_add(p: IRDocsifier, node: ToyAdd) -> D.Expr:
        return p.call(TOY, "add", [p.expr(node.a), p.expr(node.b)])

A handler takes the docsifier and the node. Expression-like nodes return an
expression Doc; statement-like nodes append statement Docs to `p.body` (the
list being filled) and return their main statement (or None). `p.expr(node)`
and `p.stmt(node)` dispatch; `p.value(v)` prints any attribute value (None,
bools, numbers, strings, dtypes, tuples, lists, dicts, nodes).

Dispatch: the handler for `(current dialect, class)`, else `(None, class)`,
walking the class's MRO; resolved once per (dialect, class) and cached in a
flat dict, so a dispatch is one dict lookup. The current dialect is set by
the frame being printed (`p.enter_dialect(d)`): a TIR var inside a Relax
function prints through the Relax-specific handler, elsewhere through the
default one. Nodes without any handler print in a generic call form
(`type_key(field=value, ...)`), which is display-only.

State that handlers share: `p.names` (the `Namer`), `p.frames` (dialect
frame objects: `p.find_frame(cls)`), `p.meta` (metadata collection),
`p.used` (dialects whose namespace the text uses, for the header), `p.opts`.

Vars used but not defined in the printed object: `p.undefined(obj, hint,
declare)` names them once for the whole printout and marks the statement
that uses them with a trailing `# undefined: x` comment; when printing a
fragment with `verbose_expr=True` it declares them first instead
(`declare(name)` makes the declaration statement).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from irscript.doc import nodes as D
from irscript.ir.dtype import DataType
from irscript.ir.node import Node
from irscript.printer.namer import Namer
from irscript.printer.options import PrinterOptions

Handler = Callable[["IRDocsifier", Any], Any]


class Dialect:
    """A script namespace the printer writes into: `name` ("tir") imported from `module` as
    `alias` ("T"); `tvm_name` is Apache TVM's module name for it ("tirx"); `order` places it
    in the header line."""

    __slots__ = ("name", "alias", "module", "tvm_name", "order")

    def __init__(self, name: str, alias: str, module: str = "irscript.script", tvm_name: str | None = None,
                 order: int = 100) -> None:
        self.name = name
        self.alias = alias
        self.module = module
        self.tvm_name = tvm_name or name
        self.order = order

    def __repr__(self) -> str:
        return f"Dialect({self.name!r} as {self.alias})"


IR = Dialect("ir", "I", order=0)
"""The dialect-neutral module layer (`I.ir_module`, `I.module_attrs`, `I.metadata`, ...)."""

_HANDLERS: dict[tuple[Dialect | None, type], Handler] = {}
_TABLES: dict[Dialect | None, dict[type, Handler]] = {}


def register(node_cls: type, dialect: Dialect | None = None) -> Callable[[Handler], Handler]:
    """Register the decorated function as the printer of `node_cls` (and its subclasses without
    their own handler) inside `dialect` frames, or everywhere when `dialect` is None."""

    def deco(fn: Handler) -> Handler:
        _HANDLERS[(dialect, node_cls)] = fn
        _TABLES.clear()
        return fn

    return deco


def handler_for(node_cls: type, dialect: Dialect | None = None) -> Handler:
    """The handler dispatch uses for `node_cls` in `dialect` (resolving and caching it)."""
    table = _TABLES.get(dialect)
    if table is None:
        table = _TABLES[dialect] = {}
    h = table.get(node_cls)
    if h is None:
        for k in node_cls.__mro__:
            h = _HANDLERS.get((dialect, k)) if dialect is not None else None
            if h is None:
                h = _HANDLERS.get((None, k))
            if h is not None:
                break
        else:
            h = _generic_node
        table[node_cls] = h
    return h


def _generic_node(p: IRDocsifier, node: Any) -> D.Expr:
    """Display form of a node nobody registered a printer for."""
    if not isinstance(node, Node):
        return p.value(node)
    name = (node.type_key or type(node).__name__).replace(".", "_")
    kwargs = [(f, p.value(getattr(node, f))) for f in node._field_names]
    return D.Call(D.Name(name), [], kwargs)


class IRDocsifier:
    """The state of one printout (see the module docstring)."""

    def __init__(self, opts: PrinterOptions, root: Any = None) -> None:
        self.opts = opts
        self.root = root
        self.names = Namer()
        self.dialect: Dialect | None = None
        self.table: dict[type, Handler] = _TABLES.get(None) or _TABLES.setdefault(None, {})
        self.body: list[D.Stmt] = []
        self.used: set[Dialect] = set()
        self.frames: list[Any] = []
        self.meta: Any = None  # set by the metadata module on first use
        self.notes: list[str] | None = None
        #: whether the statement being printed is the last of its list (may scope over the rest)
        self.concise = True
        self.preamble: list[D.Stmt] = []
        self.declare_free = False
        self.declared: set[int] = set()
        self.explicit = False
        self.tracker: Any = None
        #: names of the functions of the module being printed (None outside a module)
        self.module: set[str] | None = None
        #: where the next function printed sits: ("module", name), ("local", name) or None (root)
        self.func_site: tuple[str, str] | None = None
        self.expr: Callable[[Any], Any] = self._dispatch
        self.stmt: Callable[[Any], Any] = self._dispatch

    # -- dispatch ------------------------------------------------------------------------------
    def _dispatch(self, node: Any) -> Any:
        try:
            h = self.table[type(node)]
        except KeyError:
            h = handler_for(type(node), self.dialect)
        return h(self, node)

    def enter_dialect(self, dialect: Dialect | None) -> Dialect | None:
        """Print in `dialect` from now on; returns the previous dialect for `exit_dialect`."""
        prev = self.dialect
        self.dialect = dialect
        table = _TABLES.get(dialect)
        if table is None:
            table = _TABLES[dialect] = {}
        self.table = table
        return prev

    exit_dialect = enter_dialect

    # -- values --------------------------------------------------------------------------------
    def value(self, v: Any) -> D.Expr:
        """Any attribute value as an expression that evaluates to it."""
        t = type(v)
        if t is str or t is int or t is float or t is bool or v is None:
            return D.Literal(v)
        if t is DataType:
            return D.Literal(str(v))
        if t is tuple:
            return D.Tuple([self.value(x) for x in v])
        if t is list:
            return D.List([self.value(x) for x in v])
        if t is dict:
            return D.Dict([self.value(k) for k in v], [self.value(x) for x in v.values()])
        if isinstance(v, Node):
            prev = self.explicit
            self.explicit = True
            doc = self.expr(v)
            self.explicit = prev
            return doc
        if isinstance(v, enum.Enum):
            return D.Literal(v.name)
        if hasattr(v, "item") and isinstance(v.item(), (bool, int, float)):  # numpy scalars
            return D.Literal(v.item())
        for base in (bool, int, float, str):  # subclasses of the plain types
            if isinstance(v, base):
                return D.Literal(base(v))
        return D.Unsupported("a value the printer cannot spell", repr(v))

    # -- namespaces ----------------------------------------------------------------------------
    def ns(self, dialect: Dialect, *names: str) -> D.Expr:
        """`T.grid`, `T.axis.remap`, ...: an attribute path under the dialect's alias."""
        self.used.add(dialect)
        doc: D.Expr = D.Name(dialect.alias)
        for n in names:
            doc = D.Attr(doc, n)
        return doc

    def call(self, dialect: Dialect, name: str, args: list[D.Expr] | None = None,
             kwargs: list[tuple[str, D.Expr]] | None = None) -> D.Call:
        """`T.name(args..., k=v...)`."""
        self.used.add(dialect)
        return D.Call(D.Attr(D.Name(dialect.alias), name), args, kwargs)

    # -- frames and scopes ---------------------------------------------------------------------
    def open_body(self) -> list[D.Stmt]:
        """Start a nested statement list in a new name scope; returns the outer list."""
        outer = self.body
        self.body = []
        self.names.push()
        return outer

    def close_body(self, outer: list[D.Stmt]) -> list[D.Stmt]:
        """End the nested list started by `open_body`; returns its statements."""
        stmts = self.body
        self.body = outer
        self.names.pop()
        if not stmts or (type(stmts[-1]) is D.Comment and all(type(s) is D.Comment for s in stmts)):
            stmts.append(D.Pass())
        return stmts

    def find_frame(self, cls: type) -> Any:
        """The innermost frame object of class `cls`, or None."""
        for f in reversed(self.frames):
            if type(f) is cls:
                return f
        return None

    # -- names ---------------------------------------------------------------------------------
    def define(self, obj: Any, hint: str) -> str:
        return self.names.define(obj, hint)

    def undefined(self, obj: Any, hint: str, declare: Callable[[str], D.Stmt] | None = None) -> str:
        """The name of an object used but not defined in the printed object (see the module doc)."""
        name = self.names.pin(obj, hint)
        if self.declare_free and declare is not None:
            if id(obj) not in self.declared:
                self.declared.add(id(obj))
                self.preamble.append(declare(name))
        else:
            if self.notes is None:
                self.notes = [name]
            elif name not in self.notes:
                self.notes.append(name)
        return name

    def note(self, obj: Any, doc: D.Doc) -> None:
        """Record that `doc` is the text of `obj` printed without dispatch (for underlining)."""
        if self.tracker is not None:
            self.tracker.record(obj, doc)

    def take_notes(self) -> list[str] | None:
        """The undefined-var notes collected since the last statement (and clear them)."""
        notes = self.notes
        self.notes = None
        return notes

    def emit(self, doc: D.Stmt, notes: list[str] | None = None) -> D.Stmt:
        """Append a statement; pending undefined-var notes become its trailing comment."""
        if self.notes is not None:
            notes = self.notes if notes is None else notes + [n for n in self.notes if n not in notes]
            self.notes = None
        if notes:
            text = "undefined: " + ", ".join(notes)
            doc.comment = text if not doc.comment else f"{doc.comment}; {text}"
        self.body.append(doc)
        return doc


__all__ = ["IR", "Dialect", "IRDocsifier", "handler_for", "register"]
