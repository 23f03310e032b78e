"""ScopedTable: nested lexical scopes with O(1) lookup, shared by the parser (name -> value),
the printer (object -> name) and the interpreter (var -> value).

It is a dict of stacks plus, per open frame, the list of keys that frame
defined: entering a frame is an append, leaving pops exactly what the frame
added, and lookup is one dict access — its cost does not grow with the number
of names in scope, and no table is ever copied.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING: Any = object()


class ScopedTable(Generic[K, V]):
    """A mapping with nested scopes: `with table.frame(): table.define(k, v)`."""

    __slots__ = ("_stacks", "_frames")

    def __init__(self) -> None:
        self._stacks: dict[K, list[V]] = {}
        self._frames: list[list[K]] = [[]]

    # frames ----------------------------------------------------------------------------------
    def push(self) -> None:
        """Open a new innermost scope."""
        self._frames.append([])

    def pop(self) -> list[K]:
        """Close the innermost scope, forgetting what it defined; returns its keys."""
        if len(self._frames) == 1:
            raise RuntimeError("ScopedTable.pop: no open scope")
        keys = self._frames.pop()
        stacks = self._stacks
        for k in reversed(keys):
            stack = stacks[k]
            stack.pop()
            if not stack:
                del stacks[k]
        return keys

    def frame(self) -> "_Frame":
        """A context manager for one scope."""
        return _Frame(self)

    @property
    def depth(self) -> int:
        return len(self._frames) - 1

    # definitions -----------------------------------------------------------------------------
    def define(self, key: K, value: V) -> None:
        """Bind `key` in the innermost scope (shadowing outer bindings; a second definition in the
        same scope shadows the first until the scope closes)."""
        stack = self._stacks.get(key)
        if stack is None:
            self._stacks[key] = [value]
        else:
            stack.append(value)
        self._frames[-1].append(key)

    def get(self, key: K, default: Any = None) -> Any:
        stack = self._stacks.get(key)
        return stack[-1] if stack else default

    def __getitem__(self, key: K) -> V:
        stack = self._stacks.get(key)
        if not stack:
            raise KeyError(key)
        return stack[-1]

    def __contains__(self, key: object) -> bool:
        return key in self._stacks

    def defined_in_current(self, key: K) -> bool:
        """Whether the innermost scope itself defines `key`."""
        return key in self._frames[-1]

    def keys_in_current(self) -> list[K]:
        return list(self._frames[-1])

    def __iter__(self) -> Iterator[K]:
        return iter(self._stacks)

    def __len__(self) -> int:
        return len(self._stacks)


class _Frame:
    __slots__ = ("table",)

    def __init__(self, table: ScopedTable) -> None:
        self.table = table

    def __enter__(self) -> ScopedTable:
        self.table.push()
        return self.table

    def __exit__(self, *exc: Any) -> None:
        self.table.pop()
