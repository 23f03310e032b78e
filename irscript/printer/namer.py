"""The printer's namer: every printed var gets one unique, stable, readable name in its scope.

`Namer` is three `irscript.ir.scope.ScopedTable`s that open and close frames
together: name -> object (is a name taken?), object id -> name (what is this
var called?), and hint -> next suffix to try. `define(obj, hint)` picks
`hint`, else `hint_1`, `hint_2`, ... (the first free one from the hint's
counter), and the frame that defined a name releases it when it closes, so
sibling scopes reuse names (`for i` twice gives `i` twice). Counters are
scoped too, so suffixes restart where names were released.

Names are legal Python identifiers: a hint is sanitized once (characters
outside `[A-Za-z0-9_]` become `_`, a leading digit gets a `_` prefix, an
empty hint becomes `v`) and cached. Reserved names — the dialect aliases
(`I`, `T`, `R`), `cls`, `Module`, `metadata`, Python keywords and the
builtins scripts use — are never given out, so printed names never shadow
them. Stability: a hint that is already free is kept as it is, so printing
a parsed printout gives the same names again.
"""

from __future__ import annotations

import keyword
from typing import Any

from irscript.ir.scope import ScopedTable

#: builtins a script may refer to, which printed names must not shadow
SCRIPT_BUILTINS = frozenset((
    "range", "float", "int", "bool", "str", "len", "list", "tuple", "dict", "min", "max", "abs",
    "print", "slice", "True", "False", "None",
))
RESERVED = frozenset(keyword.kwlist) | SCRIPT_BUILTINS | frozenset(
    ("I", "T", "R", "cls", "Module", "metadata"))

_SANITIZED: dict[str, str] = {}


def sanitize(hint: str) -> str:
    """`hint` as a legal identifier (cached: no per-node string scanning)."""
    out = _SANITIZED.get(hint)
    if out is None:
        if hint.isidentifier() and hint.isascii():
            out = hint
        else:
            chars = [c if (c.isascii() and (c.isalnum() or c == "_")) else "_" for c in hint]
            out = "".join(chars) or "v"
            if out[0].isdigit():
                out = "_" + out
        _SANITIZED[hint] = out
    return out


class Namer:
    """Object -> name in nested scopes, with unique names (see the module docstring)."""

    __slots__ = ("_names", "_objs", "_counters", "pinned", "_pinned_objs")

    def __init__(self, reserved: Any = RESERVED) -> None:
        self._names: ScopedTable[str, Any] = ScopedTable()
        self._objs: ScopedTable[int, str] = ScopedTable()
        self._counters: ScopedTable[str, int] = ScopedTable()
        #: names taken for the whole printout (reserved words, names of undefined vars)
        self.pinned: set[str] = set(reserved)
        self._pinned_objs: dict[int, str] = {}

    def push(self) -> None:
        """Open a scope."""
        self._names.push()
        self._objs.push()
        self._counters.push()

    def pop(self) -> None:
        """Close the innermost scope, releasing the names it defined."""
        self._names.pop()
        self._objs.pop()
        self._counters.pop()

    def taken(self, name: str) -> bool:
        return name in self._names or name in self.pinned

    def fresh(self, hint: str) -> str:
        """A name for `hint` that is free now (not yet bound to anything)."""
        base = sanitize(hint)
        if base not in self._names and base not in self.pinned:
            return base
        counters = self._counters
        k = counters.get(base, 1)
        name = f"{base}_{k}"
        while name in self._names or name in self.pinned:
            k += 1
            name = f"{base}_{k}"
        counters.define(base, k + 1)
        return name

    def define(self, obj: Any, hint: str) -> str:
        """Give `obj` a new unique name in the innermost scope and return it."""
        name = self.fresh(hint)
        self._names.define(name, obj)
        self._objs.define(id(obj), name)
        return name

    def define_as(self, obj: Any, name: str) -> None:
        """Bind `obj` to a name chosen elsewhere (e.g. a doc spelling like `A.data`)."""
        self._objs.define(id(obj), name)

    def pin(self, obj: Any, hint: str) -> str:
        """A name for `obj` reserved for the rest of the printout (an undefined var): the same
        name every time it is asked for."""
        name = self._pinned_objs.get(id(obj))
        if name is None:
            name = self.fresh(hint)
            self.pinned.add(name)
            self._pinned_objs[id(obj)] = name
        return name

    def get(self, obj: Any) -> str | None:
        """The name of `obj` in scope, or None (pinned names are not in scope: see `pin`)."""
        return self._objs.get(id(obj))

    def __contains__(self, obj: Any) -> bool:
        return id(obj) in self._objs
