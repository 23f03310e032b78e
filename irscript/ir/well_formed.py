"""Well-formedness checking: the dialect-neutral driver, the error record and shared helpers.

`check_well_formed(node)` returns the problems found in an IRModule or in a
single function; `assert_well_formed(node)` raises an `IRError` listing them.
The driver knows no dialect: it looks up the checker registered for the
function's node class (`register_checker(PrimFunc, fn)` in the dialect's own
`well_formed` module) and hands it a `CheckContext` that knows the module (so
a checker can look up other functions by name), the function's name and where
the function sits under the checked root. A function class without a
registered checker has nothing to check.

Each problem is a `WellFormedError`: a one-line message in the user's words,
the function name and the `ObjectPath` of the offending node from the checked
root. `CheckVisitor` (a path-tracking `Visitor` with cached path steps) and
`Definitions` (scoped definitions with SSA and "why did this go out of
scope" bookkeeping) are the pieces dialect checkers share; both run in time
linear in the IR.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irscript.errors import IRError
from irscript.ir.functor import Visitor
from irscript.ir.module import BaseFunc, IRModule
from irscript.ir.node import Node
from irscript.ir.path import Attr, Index, Key, ObjectPath

__all__ = [
    "CheckContext", "CheckVisitor", "Definitions", "WellFormedError", "assert_well_formed",
    "check_well_formed", "register_checker",
]


class WellFormedError:
    """One well-formedness problem: `message`, the `function` it is in, and its IR `path`."""

    __slots__ = ("message", "function", "path")

    def __init__(self, message: str, path: ObjectPath, function: str | None = None) -> None:
        self.message = message
        self.path = path
        self.function = function

    def __str__(self) -> str:
        return f"{self.message} (at {self.path})"

    def __repr__(self) -> str:
        return f"WellFormedError({self.message!r}, path={str(self.path)!r}, function={self.function!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WellFormedError):
            return NotImplemented
        return (self.message, self.path, self.function) == (other.message, other.path, other.function)

    def __hash__(self) -> int:
        return hash((self.message, self.path, self.function))


class CheckContext:
    """What a checker knows besides its function: the module, the function's name, where the
    function sits under the checked root, and the list errors go to."""

    __slots__ = ("module", "function_name", "root_steps", "errors", "_by_name")

    def __init__(
        self,
        module: IRModule | None,
        function_name: str | None,
        root_steps: tuple = (),
        errors: list[WellFormedError] | None = None,
        by_name: dict[str, BaseFunc] | None = None,
    ) -> None:
        self.module = module
        self.function_name = function_name
        self.root_steps = tuple(root_steps)
        self.errors: list[WellFormedError] = [] if errors is None else errors
        self._by_name = by_name

    def report(self, message: str, steps: Any = ()) -> None:
        """Record a problem at `steps` (path steps from the function)."""
        path = ObjectPath(self.root_steps + tuple(steps))
        self.errors.append(WellFormedError(message, path, self.function_name))

    def lookup_function(self, name: str) -> BaseFunc | None:
        """The module's function called `name`, or None (also when no module is being checked)."""
        if self.module is None:
            return None
        if self._by_name is None:
            self._by_name = {gv.name_hint: f for gv, f in self.module.functions.items()}
        return self._by_name.get(name)

    @property
    def has_module(self) -> bool:
        return self.module is not None


Checker = Callable[[Any, CheckContext], None]
_CHECKERS: dict[type, Checker] = {}


def register_checker(node_cls: type, fn: Checker) -> Checker:
    """Register `fn(func, ctx)` as the well-formedness checker of functions of class `node_cls`
    (and its subclasses without a checker of their own). `fn` reports through `ctx.report`."""
    _CHECKERS[node_cls] = fn
    return fn


def _checker_for(cls: type) -> Checker | None:
    for klass in cls.__mro__:
        fn = _CHECKERS.get(klass)
        if fn is not None:
            return fn
    return None


def _function_name(func: Node) -> str | None:
    attrs = getattr(func, "attrs", None)
    sym = attrs.get("global_symbol") if isinstance(attrs, dict) else None
    return sym if isinstance(sym, str) else None


def check_well_formed(node: Node) -> list[WellFormedError]:
    """The well-formedness problems of an IRModule or of a single function (empty if none).

    Paths start at `node`: `functions["main"].body...` for a module, `body...` for a function.
    """
    errors: list[WellFormedError] = []
    if isinstance(node, IRModule):
        by_name = {gv.name_hint: f for gv, f in node.functions.items()}
        for gv, func in node.functions.items():
            fn = _checker_for(type(func))
            if fn is None:
                continue
            ctx = CheckContext(node, gv.name_hint, (Attr("functions"), Key(gv)), errors, by_name)
            fn(func, ctx)
        return errors
    fn = _checker_for(type(node))
    if fn is None:
        if isinstance(node, BaseFunc):
            return errors
        what = getattr(node, "type_key", None) or type(node).__name__
        raise IRError(f"check_well_formed expects an IRModule or a function, got {what}")
    fn(node, CheckContext(None, _function_name(node), (), errors))
    return errors


def assert_well_formed(node: Node) -> None:
    """Raise an IRError listing every well-formedness problem of `node` (a module or function).

    The message lists each problem with its path and, when the printer can underline paths,
    the printed IR with the offending parts underlined. The error's `errors` attribute holds
    the `WellFormedError` records.
    """
    errors = check_well_formed(node)
    if not errors:
        return
    count = f"{len(errors)} problem" + ("s" if len(errors) != 1 else "")
    lines = [f"the IR is not well-formed ({count}):"]
    lines.extend(f"  {e}" for e in errors)
    try:
        text = node.script(path_to_underline=[e.path for e in errors])
    except Exception:  # the printer may not exist yet, or not support underlining
        text = None
    if isinstance(text, str) and text:
        lines.append("")
        lines.append(text)
    err = IRError("\n".join(lines))
    err.errors = errors  # type: ignore[attr-defined]
    raise err


# ---------------------------------------------------------------------------------------------
# shared pieces for dialect checkers
# ---------------------------------------------------------------------------------------------
_ATTR_STEPS: dict[str, Attr] = {}
_N_CACHED = 64
_INDEX_STEPS: list[Index] = [Index(i) for i in range(_N_CACHED)]
_UNRESOLVED: Any = object()


def attr_step(name: str) -> Attr:
    """A shared `.name` path step (steps are never mutated, so one per name suffices)."""
    step = _ATTR_STEPS.get(name)
    if step is None:
        step = _ATTR_STEPS[name] = Attr(name)
    return step


def index_step(i: int) -> Index:
    """A shared `[i]` path step."""
    if i >= len(_INDEX_STEPS):
        _INDEX_STEPS.extend(Index(j) for j in range(len(_INDEX_STEPS), 2 * i + 1))
    return _INDEX_STEPS[i]


class CheckVisitor(Visitor):
    """A path-tracking Visitor for checkers: `report(message)` records a problem at the node
    being visited; `visit_field` / `visit_children` keep `path_steps` current."""

    track_path = True

    def __init__(self, ctx: CheckContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._reported: set[tuple[int, str]] = set()

    def report(self, message: str, *extra_steps: Any) -> None:
        """Record `message` at the current path (plus `extra_steps`)."""
        self.ctx.report(message, (*self.path_steps, *extra_steps))

    def report_once(self, obj: Any, message: str, *extra_steps: Any) -> None:
        """Like `report`, but only the first time for this object and message (a var used
        a thousand times outside its scope is one problem)."""
        key = (id(obj), message)
        if key not in self._reported:
            self._reported.add(key)
            self.report(message, *extra_steps)

    def visit_children(self, node: Node) -> None:
        steps = self.path_steps
        for name in node._field_names:
            value = getattr(node, name)
            if isinstance(value, (Node, tuple)):
                steps.append(attr_step(name))
                self._visit_value_tracked(value)
                steps.pop()

    def visit_children_except(self, node: Node, skip: str) -> None:
        """Visit every field of `node` but `skip` (e.g. a derived `struct_info`)."""
        steps = self.path_steps
        for name in node._field_names:
            if name == skip:
                continue
            value = getattr(node, name)
            if isinstance(value, (Node, tuple)):
                steps.append(attr_step(name))
                self._visit_value_tracked(value)
                steps.pop()

    def visit(self, node: Node) -> None:
        handler = self._cache.get(type(node), _UNRESOLVED)
        if handler is _UNRESOLVED:
            handler = self._handler_for(type(node))
        if handler is None:
            self.visit_children(node)
        else:
            handler(self, node)

    def _visit_value_tracked(self, value: Any) -> None:
        """Visit the nodes in a field value. Dicts (attrs, annotations) are not walked: they
        hold metadata, and checkers walk the maps that bind things (buffer maps) themselves."""
        if isinstance(value, Node):
            self.visit(value)
        elif isinstance(value, tuple):
            steps = self.path_steps
            for i, v in enumerate(value):
                if isinstance(v, Node):
                    steps.append(_INDEX_STEPS[i] if i < _N_CACHED else index_step(i))
                    self.visit(v)
                    steps.pop()
                elif isinstance(v, tuple):
                    steps.append(index_step(i))
                    self._visit_value_tracked(v)
                    steps.pop()

    def visit_field(self, node: Node, name: str) -> None:
        steps = self.path_steps
        steps.append(attr_step(name))
        self._visit_value_tracked(getattr(node, name))
        steps.pop()

    def visit_at(self, value: Any, *steps_: Any) -> None:
        """Visit `value` found at the current path plus `steps_`."""
        steps = self.path_steps
        n = len(steps)
        steps.extend(steps_)
        self._visit_value_tracked(value)
        del steps[n:]


class Definitions:
    """Scoped definitions of binding objects (vars, buffers), keyed by identity.

    Tracks what is in scope now (`live`), where each object was defined (for the
    single-definition rule) and, for objects whose scope has closed, the kind of that scope
    (so a use after it can say "used outside its loop" rather than "not defined").
    `push(kind)` opens a frame; `pop()` closes every object the frame defined, each with the
    kind it was defined with (the frame's kind unless `define` was given another).
    """

    __slots__ = ("live", "site", "closed", "frames")

    def __init__(self) -> None:
        self.live: dict[int, Any] = {}
        self.site: dict[int, Any] = {}
        self.closed: dict[int, str] = {}
        self.frames: list[tuple[str, list[tuple[int, str]]]] = [("root", [])]

    def push(self, kind: str) -> None:
        self.frames.append((kind, []))

    def pop(self) -> None:
        _, entries = self.frames.pop()
        live, closed = self.live, self.closed
        for oid, kind in entries:
            del live[oid]
            closed[oid] = kind

    def define(
        self, obj: Any, site: Any, kind: str | None = None, frame: int = -1, allow_redefine: bool = False
    ) -> bool:
        """Define `obj` (at binding node `site`) in a frame (default: the innermost).

        Returns False when this breaks the single-definition rule: `obj` is in scope already
        (then nothing changes) or was defined before at another site (then it is defined
        again, so its later uses are not reported as well). Visiting the same site twice (a
        shared subtree) is not a redefinition; with `allow_redefine` nothing out of scope is.
        """
        oid = id(obj)
        if oid in self.live:
            return False
        prev = self.site.get(oid)
        ok = prev is None or prev is site or allow_redefine
        self.live[oid] = obj
        self.site[oid] = site
        self.closed.pop(oid, None)
        frame_kind, entries = self.frames[frame]
        entries.append((oid, kind or frame_kind))
        return ok

    def is_live(self, obj: Any) -> bool:
        return id(obj) in self.live

    def was_defined(self, obj: Any) -> bool:
        return id(obj) in self.site

    def closed_kind(self, obj: Any) -> str | None:
        """The kind of scope `obj` was defined in if that scope has closed, else None."""
        return self.closed.get(id(obj))
