"""The script parser core: walks a Doc, keeps the var table, dispatches statements to the
dialect in force. It knows no dialect; `irscript.script.parser.{ir,tir,relax}` register into it.

One `Parser` parses one top-level definition (a decorated function or class) and
drives one IRBuilder. Its state:

* `vars`: the scoped var table (`irscript.ir.scope.ScopedTable`) of script names —
  a dict of stacks, so a lookup is one dict access however many names are in scope,
  and leaving a scope pops exactly what it defined (no table copies);
* `env`: the dicts searched after the script vars — for decorated Python the
  closure, the caller's locals and the globals, then always the namespaces and the
  safe builtins (`restricted` is set for text, which gets only the last one);
* `dialect` / `handlers`: the dialect of the function being parsed and its handler
  table (one dict lookup per statement);
* implicit frames: IRBuilder frames a statement opens for the rest of its body
  (`assert` in TIR, `x: T.int32 = v`, `T.launch_thread(...)`), closed when the body ends.

Errors: `eval` turns an irscript error raised while evaluating a node into a
ScriptError at that node; `visit_body` does the same per statement; a ScriptError
that already has a span keeps it (the innermost location wins).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from irscript.doc import nodes as D
from irscript.errors import Error, IRError, ScriptError
from irscript.ir.node import Node
from irscript.ir.scope import ScopedTable
from irscript.ir.span import current_span, set_current_span
from irscript.irbuilder.base import IRBuilderFrame
from irscript.script.parser.dialect import Dialect, ScriptDecorator, register_handler
from irscript.script.parser.errors import PYTHON_ERRORS, error_at, from_python, located
from irscript.script.parser.evaluator import EVAL, MISSING

_NO_PLACE = "a script"
_COMPOUND = frozenset({D.If, D.For, D.While, D.With, D.FunctionDef, D.ClassDef})


class HeaderSpan:
    """Stands in for a compound statement in error reports: its first line only."""

    __slots__ = ("node",)

    def __init__(self, node: D.Doc) -> None:
        self.node = node

    @property
    def span(self) -> Any:
        node = self.node
        src = node._src
        if src is None or not hasattr(src, "raw_lines"):
            return node.span
        lines = src.raw_lines
        text = lines[node._line - 1] if 0 < node._line <= len(lines) else ""
        end = len(text.rstrip().encode("utf-8"))
        if node._end_line == node._line:
            end = node._end_col
        return src.make_span(node._line, node._col, node._line, max(end, node._col + 1))


def header(node: D.Doc) -> HeaderSpan:
    """The first line of `node`, for errors about a whole function or block."""
    return HeaderSpan(node)


class Parser:
    """Parses Doc definitions into IR by driving the IRBuilder (see the module doc)."""

    __slots__ = (
        "vars", "env", "restricted", "dialect", "handlers", "implicit", "scope_descs", "gone", "bound",
        "decorators", "state", "source_name",
    )

    def __init__(self, env: list[dict[str, Any]], restricted: bool, source_name: str = "<string>") -> None:
        self.vars: ScopedTable = ScopedTable()
        self.env = env
        self.restricted = restricted
        self.dialect: Dialect | None = None
        self.handlers: dict[type, Callable[[Parser, Any], Any]] = {}
        self.implicit: list[tuple[Any, Any]] = []
        self.scope_descs: list[str | None] = []
        self.gone: dict[str, str] = {}
        self.bound: dict[int, Any] = {}
        self.decorators: dict[int, ScriptDecorator] = {}
        self.state: dict[Any, Any] = {}
        self.source_name = source_name

    # expressions ------------------------------------------------------------------------------
    def eval(self, node: Any) -> Any:
        """The value of a Doc expression."""
        try:
            return EVAL[type(node)](self, node)
        except ScriptError as e:
            if e.span is None:
                e.span = node.span
            raise
        except Error as e:
            raise located(e, node) from None
        except KeyError:
            if type(node) not in EVAL:
                raise error_at(node, f"{type(node).__name__} is not an expression") from None
            raise
        except RecursionError:
            raise error_at(node, "the expression is nested too deeply") from None

    def lookup_outer(self, node: D.Name) -> Any:
        """A name that is not a script var: the outer environment, else an error."""
        name = node.id
        if name[:2] == "__":
            raise error_at(node, f"special names like `{name}` are not available in scripts")
        for layer in self.env:
            v = layer.get(name, MISSING)
            if v is not MISSING:
                return v
        where = self.gone.get(name)
        if where is not None:
            raise error_at(node, f"`{name}` is not defined here: it was defined in {where}, which has ended")
        raise error_at(node, f"unknown name `{name}`")

    # scopes -----------------------------------------------------------------------------------
    def push_scope(self, desc: str | None = None) -> None:
        """Open a scope; `desc` ("the `for` loop at line 3") explains later uses of its names."""
        self.vars.push()
        self.scope_descs.append(desc)

    def pop_scope(self) -> None:
        keys = self.vars.pop()
        desc = self.scope_descs.pop()
        if desc is not None:
            gone, table = self.gone, self.vars
            for k in keys:
                if k not in table:
                    gone[k] = desc

    def define(self, name: str, value: Any) -> Any:
        """Bind a script name in the innermost scope."""
        self.vars.define(name, value)
        return value

    def mark_bound(self, value: Any) -> None:
        """Record that an IR var or buffer got a script name (later it is not "fresh")."""
        self.bound[id(value)] = value

    def is_bound(self, value: Any) -> bool:
        return self.bound.get(id(value)) is value

    # dialects ---------------------------------------------------------------------------------
    def enter_dialect(self, dialect: Dialect | None) -> tuple[Dialect | None, dict]:
        """Make `dialect` the one in force; returns what to pass to `restore_dialect`."""
        saved = (self.dialect, self.handlers)
        self.dialect = dialect
        self.handlers = dialect.table() if dialect is not None else {}
        return saved

    def restore_dialect(self, saved: tuple[Dialect | None, dict]) -> None:
        self.dialect, self.handlers = saved

    def dialect_title(self) -> str:
        return self.dialect.title if self.dialect is not None else _NO_PLACE

    def decorator_of(self, node: D.FunctionDef | D.ClassDef) -> ScriptDecorator | None:
        """The script decorator of a definition (evaluated once), or None if it has none."""
        hit = self.decorators.get(id(node))
        if hit is not None:
            return hit
        found = None
        for d in node.decorators:
            value = self.eval(d)
            if isinstance(value, ScriptDecorator):
                if found is not None:
                    raise error_at(d, "a definition takes one script decorator")
                found = value
            else:
                raise error_at(d, f"`{_render(d)}` is not a script decorator (like @T.prim_func or @R.function)")
        if found is not None:
            self.decorators[id(node)] = found
        return found

    def set_decorator(self, node: Any, decorator: ScriptDecorator) -> None:
        self.decorators[id(node)] = decorator

    def parse_definition(self, node: D.FunctionDef | D.ClassDef, decorator: ScriptDecorator) -> Any:
        """Parse a decorated definition with its dialect's `parse_definition` hook."""
        hook = decorator.dialect.parse_definition
        if hook is None:
            raise error_at(header(node), f"{decorator.name} cannot decorate a definition here")
        outer = set_current_span(header(node).span)
        try:
            return hook(self, node, decorator)
        except ScriptError:
            raise
        except Error as e:
            raise located(e, header(node)) from None
        finally:
            set_current_span(outer)

    # statements -------------------------------------------------------------------------------
    def visit_body(self, stmts: list[Any]) -> None:
        """Parse a statement list with the handlers of the dialect in force; implicit frames
        opened by its statements close when it ends."""
        handlers = self.handlers
        base = len(self.implicit)
        outer = current_span()
        try:
            for stmt in stmts:
                # IR built for this statement is stamped with its location (a compound
                # statement's first line: its body's statements get their own)
                kind = type(stmt)
                set_current_span(HeaderSpan(stmt).span if kind in _COMPOUND else stmt.span)
                try:
                    handlers[kind](self, stmt)
                except ScriptError as e:
                    if e.span is None:
                        e.span = stmt.span
                    raise
                except Error as e:
                    raise located(e, stmt) from None
                except PYTHON_ERRORS as e:  # a bad value reached IR code that did not check it
                    raise from_python(e, stmt) from e
                except RecursionError:  # Python 3.10's ast accepts deeper code than 3.11+ does
                    raise error_at(stmt, "the code is nested too deeply to parse") from None
        except BaseException as e:
            self.close_implicit(base, e)
            raise
        finally:
            set_current_span(outer)
        self.close_implicit(base, None)

    def enter_implicit(self, frame: Any, node: Any) -> Any:
        """Enter an IRBuilder frame that lasts until the enclosing body ends; returns its value."""
        value = frame.__enter__()
        self.implicit.append((frame, node))
        return value

    def close_implicit(self, base: int, exc: BaseException | None) -> None:
        implicit = self.implicit
        while len(implicit) > base:
            frame, node = implicit.pop()
            if exc is None:
                try:
                    frame.__exit__(None, None, None)
                except Error as e:
                    raise located(e, node) from None
            else:
                try:
                    frame.__exit__(type(exc), exc, exc.__traceback__)
                except Error:  # pragma: no cover - aborting a frame does not raise
                    pass

    def in_frame(self, frame: Any, where: Any, body: Callable[[Any], None]) -> Any:
        """Run `body(value)` inside an IRBuilder frame; errors entering or finalising the frame
        are located at `where`. Returns the frame."""
        try:
            value = frame.__enter__()
        except Error as e:
            raise located(e, where) from None
        try:
            body(value)
        except BaseException as e:
            frame.__exit__(type(e), e, e.__traceback__)
            raise
        try:
            frame.__exit__(None, None, None)
        except Error as e:
            raise located(e, where) from None
        return frame

    # binding ------------------------------------------------------------------------------------
    def bind_target(self, target: Any, value: Any, bind_one: Callable[[Any, D.Name, Any], Any]) -> None:
        """Bind `value` to an assignment / loop / with target: a name, or a tuple or list of
        targets unpacking a Python sequence. `bind_one(parser, name_node, value)` binds one name."""
        t = type(target)
        if t is D.Name:
            bind_one(self, target, value)
            return
        if t is D.Tuple or t is D.List:
            elts = target.elts
            if isinstance(value, dict) or not hasattr(value, "__len__") or not hasattr(value, "__getitem__"):
                raise error_at(target, f"cannot unpack {_describe(value)} into {len(elts)} names")
            if len(value) != len(elts):
                raise error_at(target, f"cannot unpack {len(value)} values into {len(elts)} names")
            for t_i, v_i in zip(elts, value):
                self.bind_target(t_i, v_i, bind_one)
            return
        raise error_at(target, f"cannot assign to `{_render(target)}` here")


MAX_UNROLL = 1_000_000


def python_iterable(value: Any) -> Any:
    """The items of a Python iterable a parse-time loop runs over (not an IR value), else None."""
    if isinstance(value, (Node, IRBuilderFrame, str)) or not hasattr(value, "__iter__"):
        return None
    if isinstance(value, (list, tuple, range, dict)):
        n = len(value)
    else:
        value = list(itertools.islice(value, MAX_UNROLL + 1))
        n = len(value)
    if n > MAX_UNROLL:
        raise IRError(f"a parse-time loop runs at most {MAX_UNROLL:,} times")
    return value


def _render(node: Any) -> str:
    from irscript.doc.render import render

    return render(node)


def _describe(value: Any) -> str:
    from irscript.script.parser.evaluator import describe

    return describe(value)


# ---------------------------------------------------------------------------------------------
# statements every dialect treats alike
# ---------------------------------------------------------------------------------------------


@register_handler(None, D.Comment)
@register_handler(None, D.Docstring)
@register_handler(None, D.Pass)
def _ignore(p: Parser, node: Any) -> None:
    return None


@register_handler(None, D.Unsupported)
def _unsupported(p: Parser, node: D.Unsupported) -> None:
    if node.what == "an import statement":
        _import(p, node)
    raise error_at(node, f"{node.what} is not part of the script language")


@register_handler(None, D.ImportFrom)
def _import(p: Parser, node: D.ImportFrom) -> None:
    raise error_at(node, "imports are not allowed here: the only import is "
                         "`from irscript.script import ir as I, tir as T, relax as R` at the top of a file")


__all__ = ["HeaderSpan", "Parser", "header", "python_iterable"]
