"""Structural equality and hashing with alpha-equivalence, over declared fields.

Rules:
* Fields with role IGNORE (spans, name hints, derived struct info) do not count.
* Variables (`_binding = "var"`) met in a defining position (a field with role
  DEF, or inside a binding object being defined) are mapped to each other;
  later uses must follow the map. A node's DEF fields are compared before its
  other fields, so definitions are met before uses whatever the declaration
  order (a PrimFunc's buffer_map, declared after its body, defines the shape
  vars the body uses). Free variables compare by identity, unless
  `map_free_vars=True`, which maps them at first sight too.
* Buffers (`_binding = "auto"`) are mapped at their first occurrence.
* Dicts with string keys and dicts keyed by GlobalVar (an IRModule's functions)
  are matched by key/name regardless of order; other dicts pairwise in order.
* Floats compare by exact value (NaN equals NaN; 0.0 differs from -0.0);
  numpy arrays by dtype, shape and bytes; bool is not an int.

`first_mismatch(a, b)` returns the path of the first difference (or None);
`structural_equal` and `assert_structural_equal` build on it, and
`structural_hash` agrees with it and is stable across processes.
"""

from __future__ import annotations

import enum
import hashlib
import sys
from typing import Any

import numpy as np

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import GlobalVar
from irscript.ir.node import DEF, IGNORE, Node
from irscript.ir.path import Attr, Index, Key, MapKey, ObjectPath

_RECURSION_LIMIT = 30000


class _deep_recursion:
    """Raise the interpreter's recursion limit for walks of deeply nested IR."""

    def __enter__(self) -> None:
        self.old = sys.getrecursionlimit()
        if self.old < _RECURSION_LIMIT:
            sys.setrecursionlimit(_RECURSION_LIMIT)

    def __exit__(self, *exc: Any) -> None:
        sys.setrecursionlimit(self.old)


deep_recursion = _deep_recursion


_ORDER: dict[type, tuple[tuple[str, bool], ...]] = {}


def _compare_order(cls: type) -> tuple[tuple[str, bool], ...]:
    """(field name, is DEF) of the compared fields of `cls`: DEF fields first, IGNORE left out."""
    hit = _ORDER.get(cls)
    if hit is None:
        defs = [(f.name, True) for f in cls._fields if f.role is DEF]
        rest = [(f.name, False) for f in cls._fields if f.role is not DEF and f.role is not IGNORE]
        hit = _ORDER[cls] = tuple(defs + rest)
    return hit


def _named_keys(d: dict) -> dict[Any, Any] | None:
    """Keys of `d` as comparable labels when matched by name; None if matched in order."""
    out = {}
    for k in d:
        if isinstance(k, (str, int)) and not isinstance(k, bool):
            out[k] = k
        elif isinstance(k, GlobalVar):
            out[k.name_hint] = k
        else:
            return None
    return out


class _Equal:
    __slots__ = ("lmap", "rmap", "map_free", "rev", "reason")

    def __init__(self, map_free_vars: bool) -> None:
        self.lmap: dict[int, Any] = {}
        self.rmap: dict[int, Any] = {}
        self.map_free = map_free_vars
        self.rev: list[Any] = []  # path steps, innermost first, filled on mismatch
        self.reason = ""

    def fail(self, reason: str) -> bool:
        self.reason = reason
        return False

    def value(self, a: Any, b: Any, defining: bool) -> bool:
        if isinstance(a, Node):
            if not isinstance(b, Node):
                return self.fail(f"a {a.type_key} node vs {type(b).__name__} {_short(b)}")
            return self.node(a, b, defining)
        ta = type(a)
        if ta is not type(b):
            return self.fail(f"{ta.__name__} {_short(a)} vs {type(b).__name__} {_short(b)}")
        if ta is tuple or ta is list:
            if len(a) != len(b):
                return self.fail(f"{len(a)} elements vs {len(b)}")
            for i in range(len(a)):
                if not self.value(a[i], b[i], defining):
                    self.rev.append(Index(i))
                    return False
            return True
        if ta is dict:
            return self.dict(a, b, defining)
        if ta is float:
            if a == b and (a != 0.0 or str(a) == str(b)) or (a != a and b != b):
                return True
            return self.fail(f"{a!r} vs {b!r}")
        if ta is np.ndarray:
            if a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes():
                return True
            return self.fail(f"arrays differ ({a.dtype}{list(a.shape)} vs {b.dtype}{list(b.shape)})")
        if a == b:
            return True
        return self.fail(f"{_short(a)} vs {_short(b)}")

    def node(self, a: Node, b: Node, defining: bool) -> bool:
        ta = type(a)
        if ta is not type(b):
            return self.fail(f"{ta.type_key} vs {type(b).type_key}")
        binding = ta._binding
        if binding is not None:
            ma = self.lmap.get(id(a))
            mb = self.rmap.get(id(b))
            if ma is not None or mb is not None:
                if ma is b and mb is a:
                    return True
                return self.fail(_map_conflict(a, b, ma, mb))
            if binding == "var" and not defining and not self.map_free:
                if a is b:
                    return True
                return self.fail(f"free variables {_name(a)} and {_name(b)} are different objects")
            self.lmap[id(a)] = b
            self.rmap[id(b)] = a
            defining = True
        order = _ORDER.get(ta)
        for name, is_def in order if order is not None else _compare_order(ta):
            if not self.value(getattr(a, name), getattr(b, name), defining or is_def):
                self.rev.append(Attr(name))
                return False
        return True

    def dict(self, a: dict, b: dict, defining: bool) -> bool:
        ka = _named_keys(a)
        kb = _named_keys(b)
        if ka is not None and kb is not None:
            for label, key in ka.items():
                if label not in kb:
                    self.rev.append(Key(key))
                    return self.fail("missing on the right-hand side")
            for label, key in kb.items():
                if label not in ka:
                    self.rev.append(Key(key))
                    return self.fail("missing on the left-hand side")
            for label, key in ka.items():
                if not self.value(a[key], b[kb[label]], defining):
                    self.rev.append(Key(key))
                    return False
            return True
        if len(a) != len(b):
            return self.fail(f"{len(a)} entries vs {len(b)}")
        for i, ((k1, v1), (k2, v2)) in enumerate(zip(a.items(), b.items())):
            if not self.value(k1, k2, defining):
                self.rev.append(MapKey(i))
                return False
            if not self.value(v1, v2, defining):
                self.rev.append(Key(k1))
                return False
        return True


def _name(v: Any) -> str:
    name = getattr(v, "name_hint", None) or getattr(v, "name", None)
    return repr(name) if name else v.type_key


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _map_conflict(a: Any, b: Any, ma: Any, mb: Any) -> str:
    if ma is not None:
        return f"{_name(a)} was bound to {_name(ma)} on the right-hand side, here it meets {_name(b)}"
    return f"{_name(b)} was bound to {_name(mb)} on the left-hand side, here it meets {_name(a)}"


class Mismatch:
    """Where and why two objects differ structurally."""

    __slots__ = ("path", "reason")

    def __init__(self, path: ObjectPath, reason: str) -> None:
        self.path = path
        self.reason = reason

    def __repr__(self) -> str:
        return f"Mismatch({self.path}, {self.reason!r})"


def first_mismatch(lhs: Any, rhs: Any, map_free_vars: bool = False) -> Mismatch | None:
    """The first structural difference between `lhs` and `rhs`, or None if they are equal."""
    eq = _Equal(map_free_vars)
    with deep_recursion():
        if eq.value(lhs, rhs, False):
            return None
    return Mismatch(ObjectPath(tuple(reversed(eq.rev))), eq.reason)


def structural_equal(lhs: Any, rhs: Any, map_free_vars: bool = False) -> bool:
    """Whether `lhs` and `rhs` are the same IR up to variable renaming (alpha-equivalence)."""
    return first_mismatch(lhs, rhs, map_free_vars) is None


class StructuralMismatchError(IRError, AssertionError):
    """Raised by assert_structural_equal; `path` is the first differing IR path."""


def assert_structural_equal(lhs: Any, rhs: Any, map_free_vars: bool = False) -> None:
    """Raise StructuralMismatchError naming the first differing path and showing both sides."""
    mismatch = first_mismatch(lhs, rhs, map_free_vars)
    if mismatch is None:
        return
    path = mismatch.path
    lines = [f"structural mismatch at {path}: {mismatch.reason}"]
    for side, root in (("lhs", lhs), ("rhs", rhs)):
        lines.append(f"--- {side} ---")
        lines.append(_show_side(root, path))
    raise StructuralMismatchError("\n".join(lines), path=path)


def _show_side(root: Any, path: ObjectPath) -> str:
    """The printed root with `path` underlined, or the differing sub-object alone."""
    if isinstance(root, Node):
        try:
            text = root.script(path_to_underline=[path])
        except Exception:  # the printer may not handle every object; fall back below
            text = None
        if text:
            return text
    obj: Any = root
    for step in path:
        try:
            obj = step.get(obj)
        except (KeyError, IndexError, AttributeError, TypeError):
            break
    return repr(obj)


class _Hasher:
    __slots__ = ("ids", "out", "map_free")

    def __init__(self, map_free_vars: bool) -> None:
        self.ids: dict[int, int] = {}
        self.out: list[str] = []
        self.map_free = map_free_vars

    def value(self, v: Any, defining: bool) -> None:
        out = self.out
        if isinstance(v, Node):
            self.node(v, defining)
            return
        t = type(v)
        if t is tuple or t is list:
            out.append(f"({len(v)}")
            for x in v:
                self.value(x, defining)
        elif t is dict:
            self.dict(v, defining)
        elif t is str:
            out.append("s" + v.replace("\\", "\\\\").replace("\0", "\\0"))
        elif t is bool:
            out.append("T" if v else "F")
        elif t is int:
            out.append(f"i{v}")
        elif t is float:
            out.append(f"f{v!r}")
        elif v is None:
            out.append("N")
        elif t is DataType:
            out.append(f"t{v}")
        elif isinstance(v, enum.Enum):
            out.append(f"e{type(v).__name__}.{v.name}")
        elif t is np.ndarray:
            digest = hashlib.blake2b(v.tobytes(), digest_size=16).hexdigest()
            out.append(f"a{v.dtype}{v.shape}{digest}")
        else:
            out.append(f"?{t.__name__}:{v!r}")

    def node(self, n: Node, defining: bool) -> None:
        t = type(n)
        binding = t._binding
        if binding is not None:
            idx = self.ids.get(id(n))
            if idx is not None:
                self.out.append(f"r{idx}")
                return
            if binding == "var" and not defining and not self.map_free:
                self.out.append(f"free:{t.type_key}:{getattr(n, 'name_hint', '')}")
                return
            self.ids[id(n)] = len(self.ids)
            defining = True
        self.out.append(t.type_key or t.__name__)
        order = _ORDER.get(t)
        for name, is_def in order if order is not None else _compare_order(t):
            self.value(getattr(n, name), defining or is_def)
        self.out.append(")")

    def dict(self, d: dict, defining: bool) -> None:
        out = self.out
        out.append(f"{{{len(d)}")
        named = _named_keys(d)
        if named is not None:
            for label in sorted(named, key=lambda x: (isinstance(x, str), x)):
                self.value(label, False)
                self.value(d[named[label]], defining)
        else:
            for k, v in d.items():
                self.value(k, defining)
                self.value(v, defining)


def structural_hash(node: Any, map_free_vars: bool = False) -> int:
    """A 64-bit hash that agrees with structural_equal and is the same in every process."""
    h = _Hasher(map_free_vars)
    with deep_recursion():
        h.value(node, False)
    data = "\x00".join(h.out).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")
