"""Generic traversal driven by declared fields: Visitor, Mutator, and iteration helpers.

No node writes its own visit or rebuild code. A subclass of Visitor or
Mutator registers handlers for the node classes it cares about with
`@handles(cls, ...)`; a handler for a base class (say `PrimExpr`) serves
every subclass without a more specific handler. Everything else is walked
through its fields in declaration order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from irscript.ir.node import Node
from irscript.ir.path import Attr, Index, Key, ObjectPath

Handler = Callable[[Any, Any], Any]


def handles(*classes: type) -> Callable[[Handler], Handler]:
    """Mark a Visitor/Mutator method as the handler of `classes` (and their subclasses)."""

    def mark(fn: Handler) -> Handler:
        fn._handles = classes  # type: ignore[attr-defined]
        return fn

    return mark


class _Dispatching:
    """Shared handler table for Visitor and Mutator: class -> method, resolved along the MRO."""

    _handlers: ClassVar[dict[type, Handler]] = {}
    _cache: ClassVar[dict[type, Handler | None]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        table = dict(getattr(cls, "_handlers", {}))
        for value in cls.__dict__.values():
            for klass in getattr(value, "_handles", ()):
                table[klass] = value
        cls._handlers = table
        cls._cache = {}

    @classmethod
    def _handler_for(cls, node_cls: type) -> Handler | None:
        try:
            return cls._cache[node_cls]
        except KeyError:
            pass
        found = None
        for klass in node_cls.__mro__:
            found = cls._handlers.get(klass)
            if found is not None:
                break
        cls._cache[node_cls] = found
        return found


class Visitor(_Dispatching):
    """Pre-order walk over IR. Handlers call `self.visit_children(node)` to go deeper.

    Set `track_path = True` on a subclass to keep `self.path_steps` (the steps
    from the root to the node being visited); `self.current_path()` renders it.
    """

    track_path: ClassVar[bool] = False

    def __init__(self) -> None:
        self.path_steps: list[Any] = []

    def visit(self, node: Node) -> None:
        handler = self._handler_for(type(node))
        if handler is None:
            self.visit_children(node)
        else:
            handler(self, node)

    def visit_children(self, node: Node) -> None:
        if self.track_path:
            steps = self.path_steps
            for f in node._fields:
                steps.append(Attr(f.name))
                self._visit_value_tracked(getattr(node, f.name))
                steps.pop()
        else:
            for name in node._field_names:
                self.visit_value(getattr(node, name))

    def visit_value(self, value: Any) -> None:
        """Visit every node inside a field value (a node, a tuple, a dict)."""
        if isinstance(value, Node):
            self.visit(value)
        elif isinstance(value, tuple):
            for v in value:
                if isinstance(v, (Node, tuple, dict)):
                    self.visit_value(v)
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, Node):
                    self.visit(k)
                if isinstance(v, (Node, tuple, dict)):
                    self.visit_value(v)

    def _visit_value_tracked(self, value: Any) -> None:
        steps = self.path_steps
        if isinstance(value, Node):
            self.visit(value)
        elif isinstance(value, tuple):
            for i, v in enumerate(value):
                steps.append(Index(i))
                self._visit_value_tracked(v)
                steps.pop()
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, Node):
                    self.visit(k)
                steps.append(Key(k))
                self._visit_value_tracked(v)
                steps.pop()

    def visit_field(self, node: Node, name: str) -> None:
        """Visit one field of `node` (keeping the path when tracked)."""
        if self.track_path:
            self.path_steps.append(Attr(name))
            self._visit_value_tracked(getattr(node, name))
            self.path_steps.pop()
        else:
            self.visit_value(getattr(node, name))

    def current_path(self) -> ObjectPath:
        return ObjectPath(tuple(self.path_steps))


class Mutator(_Dispatching):
    """Rebuilding walk: `visit(node)` returns the node or a replacement.

    The default rebuilds a node only when one of its children changed, so
    unchanged subtrees (and their sharing) are kept. Results are memoized per
    node object, so a node shared in a DAG is rewritten once.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Node, Node]] = {}

    def visit(self, node: Node) -> Node:
        hit = self._memo.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        handler = self._handler_for(type(node))
        out = self.mutate_children(node) if handler is None else handler(self, node)
        self._memo[id(node)] = (node, out)
        return out

    def mutate_children(self, node: Node) -> Node:
        values = None
        names = node._field_names
        for i, name in enumerate(names):
            old = getattr(node, name)
            new = self.visit_value(old)
            if new is not old:
                if values is None:
                    values = [getattr(node, n) for n in names]
                values[i] = new
        if values is None:
            return node
        cls = type(node)
        obj = cls.__new__(cls)
        cls._set_fields(obj, *values, span=node.span)
        return obj

    def visit_value(self, value: Any) -> Any:
        if isinstance(value, Node):
            return self.visit(value)
        if isinstance(value, tuple):
            out = None
            for i, v in enumerate(value):
                if isinstance(v, (Node, tuple, dict)):
                    nv = self.visit_value(v)
                    if nv is not v:
                        if out is None:
                            out = list(value)
                        out[i] = nv
            return value if out is None else tuple(out)
        if isinstance(value, dict):
            changed = False
            items = []
            for k, v in value.items():
                nk = self.visit(k) if isinstance(k, Node) else k
                nv = self.visit_value(v) if isinstance(v, (Node, tuple, dict)) else v
                changed = changed or nk is not k or nv is not v
                items.append((nk, nv))
            return dict(items) if changed else value
        return value


def iter_children(node: Node) -> Iterator[Node]:
    """The nodes directly inside `node`'s fields, in field order."""
    stack: list[Any] = []
    for name in node._field_names:
        stack.append(getattr(node, name))
        while stack:
            value = stack.pop()
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                stack.extend(reversed(value))
            elif isinstance(value, dict):
                for k, v in reversed(list(value.items())):
                    stack.append(v)
                    stack.append(k)


def pre_order(root: Node) -> Iterator[Node]:
    """Every node reachable from `root`, each once, parents before children."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(reversed(list(iter_children(node))))


def collect(root: Node, cls: type | tuple[type, ...]) -> list[Node]:
    """All distinct nodes of class `cls` reachable from `root`, in pre-order."""
    return [n for n in pre_order(root) if isinstance(n, cls)]
