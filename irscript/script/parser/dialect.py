"""Dialects of the script parser and their registration points (no dialect is named here).

A `Dialect` is the token the parser dispatches on: the function decorator in
force (`@T.prim_func`, `@R.function`, a class's `@I.ir_module`, or a user's
own) names its dialect, and every statement of that function's body goes to
the handler registered for (dialect, Doc node class)::

    CALC = Dialect("C", "a C.kernel")

    @register_handler(CALC, doc.Assign)
    def visit_assign(parser, node): ...

Hooks a dialect sets: `parse_definition(parser, node, decorator)` parses a
decorated definition of the dialect (a `def` or `class` whose decorator is a
`ScriptDecorator` of the dialect) and returns the IR; `declare_function(parser,
node, decorator)` is the signature pass of a module (returns a GlobalVar);
`call_global(gv, args, kwargs)` is what `cls.f(...)` builds inside the
dialect's functions; `prelude` holds names defined at the start of each of the
dialect's functions and macros (`range` is a loop in a T.prim_func).

`ScriptDecorator` is the decorator object of a dialect (`T.prim_func`,
`R.function`, `I.ir_module`, macros): on Python code it parses the decorated
source; in a script it names the dialect and carries the options
(`@T.prim_func(private=True)`).

`ScriptFunc` wraps a namespace function (`T.block`, `R.add`) with its script
name and dialect: the evaluator refuses a dialect's statement-level functions
inside another dialect's function ("T.block cannot be used in a Relax
function") while expression helpers marked `anywhere` (`T.int64()`,
`T.floordiv`) work in every dialect. `register_namespace` records the objects
that text scripts may reach (`I`, `T`, `R`, `R.nn`, ...; a user dialect's namespace with
`alias="X"` is visible to text scripts as `X`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irscript.doc import nodes as D
from irscript.errors import IRError

Handler = Callable[[Any, Any], Any]

# Statement classes every dialect table covers (a missing one is "not allowed here").
STMT_CLASSES: tuple[type, ...] = (
    D.Assign, D.AugAssign, D.ExprStmt, D.If, D.For, D.While, D.With, D.Assert, D.Return, D.Pass,
    D.FunctionDef, D.ClassDef, D.Comment, D.Docstring, D.ImportFrom, D.Unsupported,
)

_CORE_HANDLERS: dict[type, Handler] = {}


class Dialect:
    """A dispatch token: a name ("T"), where its code sits in words ("a T.prim_func"), its
    statement handlers and hooks."""

    __slots__ = ("name", "title", "handlers", "parse_definition", "declare_function", "call_global", "prelude",
                 "_table")

    def __init__(self, name: str, title: str) -> None:
        self.name = name
        self.title = title
        self.handlers: dict[type, Handler] = {}
        self.parse_definition: Callable[..., Any] | None = None
        self.declare_function: Callable[..., Any] | None = None
        self.call_global: Callable[..., Any] | None = None
        self.prelude: dict[str, Any] = {}
        self._table: dict[type, Handler] | None = None

    def table(self) -> dict[type, Handler]:
        """Handlers by Doc class: the dialect's own over the core defaults, one entry per
        statement class (built once, rebuilt after a registration)."""
        table = self._table
        if table is None:
            table = {cls: _not_allowed for cls in STMT_CLASSES}
            table.update(_CORE_HANDLERS)
            table.update(self.handlers)
            self._table = table
        return table

    def __repr__(self) -> str:
        return f"Dialect({self.name!r})"


def register_handler(dialect: Dialect | None, doc_class: type) -> Callable[[Handler], Handler]:
    """Register `fn(parser, node)` for statements of `doc_class` in functions of `dialect`
    (None: the default for every dialect)."""

    def deco(fn: Handler) -> Handler:
        if dialect is None:
            _CORE_HANDLERS[doc_class] = fn
            for d in _ALL_DIALECTS:
                d._table = None
        else:
            dialect.handlers[doc_class] = fn
            dialect._table = None
        return fn

    return deco


_ALL_DIALECTS: list[Dialect] = []


def new_dialect(name: str, title: str) -> Dialect:
    """Create and record a dialect (use this rather than `Dialect(...)` directly)."""
    d = Dialect(name, title)
    _ALL_DIALECTS.append(d)
    return d


_STMT_WORDS = {
    D.Assign: "an assignment", D.AugAssign: "an augmented assignment", D.ExprStmt: "an expression statement",
    D.If: "an `if` statement", D.For: "a `for` loop", D.While: "a `while` loop", D.With: "a `with` statement",
    D.Assert: "an `assert` statement", D.Return: "a `return` statement", D.FunctionDef: "a function definition",
    D.ClassDef: "a class definition", D.ImportFrom: "an import",
}


def _not_allowed(parser: Any, node: Any) -> None:
    from irscript.script.parser.errors import error_at

    what = _STMT_WORDS.get(type(node), type(node).__name__)
    raise error_at(node, f"{what} is not allowed in {parser.dialect_title()}")


# ---------------------------------------------------------------------------------------------
# namespace functions
# ---------------------------------------------------------------------------------------------


class ScriptFunc:
    """A namespace function with its script name and dialect.

    `anywhere`: usable in any dialect's functions (expression helpers); otherwise only
    in functions of `dialect`. `is_type`: a bare use as an annotation means a call with
    no arguments (`n: T.int32`, `x: R.Tensor`). `lambda_args`: the call may take a
    `lambda` argument (`T.comm_reducer`).
    """

    __slots__ = ("fn", "name", "dialect", "anywhere", "is_type", "lambda_args")

    def __init__(self, fn: Callable[..., Any], name: str, dialect: Dialect | None, *, anywhere: bool = False,
                 is_type: bool = False, lambda_args: bool = False) -> None:
        self.fn = fn
        self.name = name
        self.dialect = dialect
        self.anywhere = anywhere
        self.is_type = is_type
        self.lambda_args = lambda_args

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return getattr(self.fn, "__doc__", None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<script function {self.name}>"


def wrap_all(namespace: dict[str, Any], prefix: str, dialect: Dialect | None, names: list[str],
             source: Any, **flags: Any) -> None:
    """Put `ScriptFunc(getattr(source, n), prefix + n, dialect, **flags)` into `namespace` for
    each name."""
    for n in names:
        namespace[n] = ScriptFunc(getattr(source, n), f"{prefix}.{n}", dialect, **flags)


_NAMESPACES: dict[int, Any] = {}
_TEXT_NAMES: dict[str, Any] = {}
_BUILT_IN_NAMES = ("I", "T", "R")


def register_namespace(obj: Any, alias: str | None = None) -> Any:
    """Record `obj` (a namespace module or object) as reachable from text scripts. With `alias`
    (a user dialect's top-level namespace, e.g. "X"), text scripts see it under that name the
    way they see I, T and R, so the text the printer writes for the dialect parses back."""
    if alias is not None:
        if not isinstance(alias, str) or not alias.isidentifier():
            raise IRError(f"a namespace alias must be an identifier, got {alias!r}")
        taken = _TEXT_NAMES.get(alias)
        if alias in _BUILT_IN_NAMES or (taken is not None and taken is not obj):
            raise IRError(f"the script name {alias!r} is already taken by another namespace")
        _TEXT_NAMES[alias] = obj
    _NAMESPACES[id(obj)] = obj
    return obj


def text_namespaces() -> dict[str, Any]:
    """User namespaces registered with an alias, by alias."""
    return dict(_TEXT_NAMES)


def is_namespace(obj: Any) -> bool:
    return _NAMESPACES.get(id(obj)) is obj


# ---------------------------------------------------------------------------------------------
# decorators
# ---------------------------------------------------------------------------------------------


class ScriptDecorator:
    """`@T.prim_func`, `@T.prim_func(private=True)`, `@R.function`, `@I.ir_module`, `@T.macro`.

    `kind` is what it makes ("function", "module" or "macro"); `defaults` the options it takes
    with their default values; `options` the values in force.
    """

    __slots__ = ("dialect", "name", "kind", "defaults", "options")

    def __init__(self, dialect: Dialect, name: str, kind: str, defaults: dict[str, Any],
                 options: dict[str, Any] | None = None) -> None:
        self.dialect = dialect
        self.name = name
        self.kind = kind
        self.defaults = defaults
        self.options = dict(defaults) if options is None else options

    def configure(self, **options: Any) -> ScriptDecorator:
        """A copy with `options` set; an unknown option is a TypeError naming it."""
        for key in options:
            if key not in self.defaults:
                allowed = ", ".join(self.defaults) or "none"
                raise TypeError(f"{self.name}() got an unexpected keyword argument {key!r} (options: {allowed})")
        return ScriptDecorator(self.dialect, self.name, self.kind, self.defaults, {**self.options, **options})

    def __call__(self, obj: Any = None, /, **options: Any) -> Any:
        import sys

        caller = sys._getframe(1)
        deco = self.configure(**options) if options else self
        if obj is None:
            return deco
        from irscript.script.parser.entry import apply_decorator

        return apply_decorator(deco, obj, caller)

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.options.items() if self.defaults.get(k) != v}
        args = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"<decorator {self.name}({args})>" if args else f"<decorator {self.name}>"


__all__ = [
    "STMT_CLASSES", "Dialect", "ScriptDecorator", "ScriptFunc", "is_namespace", "new_dialect", "register_handler",
    "register_namespace", "text_namespaces", "wrap_all",
]
