"""IR paths: where a sub-object sits inside a root object, e.g.
`functions["main"].body.blocks[0].bindings[2].value.args[1]`.

Paths are immutable tuples of steps. Structural equality reports the first
mismatch as a path, the printer underlines the text of given paths, and the
well-formedness checker and interpreter name the statement at fault by path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class Attr:
    """Step into a field: `.name`."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def render(self) -> str:
        return f".{self.name}"

    def key(self) -> Any:
        return ("attr", self.name)

    def get(self, obj: Any) -> Any:
        return getattr(obj, self.name)


class Index:
    """Step into a sequence element: `[i]`."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def render(self) -> str:
        return f"[{self.index}]"

    def key(self) -> Any:
        return ("index", self.index)

    def get(self, obj: Any) -> Any:
        return obj[self.index]


class Key:
    """Step into a mapping value: `["name"]`. `key` is the mapping's key object; `label` is
    how it renders (a string key, or a GlobalVar/Var by its name)."""

    __slots__ = ("mapkey", "label")

    def __init__(self, mapkey: Any, label: str | None = None) -> None:
        self.mapkey = mapkey
        self.label = label if label is not None else _label(mapkey)

    def render(self) -> str:
        return f"[{self.label}]"

    def key(self) -> Any:
        return ("key", self.label)

    def get(self, obj: Any) -> Any:
        if self.mapkey in obj:
            return obj[self.mapkey]
        for k, v in obj.items():  # keys compared by name (GlobalVars of another module)
            if _label(k) == self.label:
                return v
        raise KeyError(self.label)


class MapKey:
    """Step into a mapping key itself (for node-keyed maps such as a buffer map): `.keys[i]`."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def render(self) -> str:
        return f".keys()[{self.index}]"

    def key(self) -> Any:
        return ("mapkey", self.index)

    def get(self, obj: Any) -> Any:
        return list(obj.keys())[self.index]


Step = Attr | Index | Key | MapKey


def _label(k: Any) -> str:
    if isinstance(k, str):
        return _quote(k)
    name = getattr(k, "name_hint", None)
    if isinstance(name, str):
        return _quote(name)
    return repr(k)


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ObjectPath:
    """A path from a root object to a sub-object, as a tuple of steps."""

    __slots__ = ("steps",)

    def __init__(self, steps: tuple[Step, ...] = ()) -> None:
        self.steps = tuple(steps)

    @staticmethod
    def root() -> "ObjectPath":
        return _ROOT

    def attr(self, name: str) -> "ObjectPath":
        return ObjectPath(self.steps + (Attr(name),))

    def index(self, i: int) -> "ObjectPath":
        return ObjectPath(self.steps + (Index(i),))

    def map_value(self, key: Any) -> "ObjectPath":
        return ObjectPath(self.steps + (Key(key),))

    def extend(self, steps: "ObjectPath | tuple[Step, ...]") -> "ObjectPath":
        more = steps.steps if isinstance(steps, ObjectPath) else tuple(steps)
        return ObjectPath(self.steps + more)

    def parent(self) -> "ObjectPath":
        return ObjectPath(self.steps[:-1])

    def is_prefix_of(self, other: "ObjectPath") -> bool:
        n = len(self.steps)
        return len(other.steps) >= n and all(
            a.key() == b.key() for a, b in zip(self.steps, other.steps[:n])
        )

    def resolve(self, root: Any) -> Any:
        """The object this path names inside `root`."""
        obj = root
        for step in self.steps:
            obj = step.get(obj)
        return obj

    def innermost_span(self, root: Any) -> Any:
        """The source span of the innermost object on this path inside `root` that has one
        (None if none does, or the path does not resolve): where a problem at this path is
        reported in the user's source."""
        obj, span = root, getattr(root, "span", None)
        for step in self.steps:
            try:
                obj = step.get(obj)
            except (AttributeError, IndexError, KeyError, TypeError):
                break
            found = getattr(obj, "span", None)
            if found is not None:
                span = found
        return span

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ObjectPath):
            return NotImplemented
        return [s.key() for s in self.steps] == [s.key() for s in other.steps]

    def __hash__(self) -> int:
        return hash(tuple(s.key() for s in self.steps))

    def __str__(self) -> str:
        if not self.steps:
            return "<root>"
        text = "".join(s.render() for s in self.steps)
        return text[1:] if text.startswith(".") else text

    def __repr__(self) -> str:
        return f"ObjectPath({str(self)!r})"


_ROOT = ObjectPath(())
