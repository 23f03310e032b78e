"""Field type specs: what a declared node field may hold, compiled from its annotation.

A spec checks a value deeply (the JSON loader uses this), coerces friendly
inputs at construction (a list into a tuple, "float32" into a DataType, an int
into a PrimExpr once the tir dialect registers that coercion) and describes
itself for error messages. Dialects add coercions with `register_coercion`.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from typing import Any

import numpy as np

from irscript.ir.dtype import DataType

# target class -> function(value) returning the coerced value or raising TypeError
_COERCIONS: dict[type, Callable[[Any], Any]] = {}


def register_coercion(target: type, fn: Callable[[Any], Any]) -> None:
    """Let fields declared as `target` accept other Python values, converted by `fn`.

    `fn` returns the converted value or raises TypeError when it does not apply.
    """
    _COERCIONS[target] = fn


class Mismatch(Exception):
    """A value does not fit a spec; `expected` describes what would."""

    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(expected)
        self.expected = expected
        self.value = value


class Spec:
    """Base class of field type specs."""

    __slots__ = ()

    def check(self, value: Any) -> bool:
        raise NotImplementedError

    def coerce(self, value: Any) -> Any:
        """Return `value` converted to fit, or raise Mismatch."""
        if self.check(value):
            return value
        raise Mismatch(self.describe(), value)

    def describe(self) -> str:
        raise NotImplementedError


class AnySpec(Spec):
    """An attribute value: None, bool, int, float, str, DataType, node, ndarray, or
    tuples and str/int-keyed dicts of those. Lists become tuples."""

    __slots__ = ()

    def check(self, value: Any) -> bool:
        from irscript.ir.node import Node

        if value is None or isinstance(value, (bool, int, float, str, DataType, Node, np.ndarray)):
            return True
        if isinstance(value, tuple):
            return all(self.check(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, (str, int)) and self.check(v) for k, v in value.items())
        return False

    def coerce(self, value: Any) -> Any:
        from irscript.ir.node import Node

        if value is None or isinstance(value, (bool, int, float, str, DataType, Node, np.ndarray)):
            return value
        if isinstance(value, (list, tuple)):
            return tuple(self.coerce(v) for v in value)
        if isinstance(value, dict):
            return {k: self.coerce(v) for k, v in value.items()}
        if isinstance(value, np.generic):
            return value.item()
        raise Mismatch(self.describe(), value)

    def describe(self) -> str:
        return "an attribute value (None, bool, int, float, str, dtype, node, tuple or dict)"


class NodeSpec(Spec):
    __slots__ = ("cls",)

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def check(self, value: Any) -> bool:
        return isinstance(value, self.cls)

    def coerce(self, value: Any) -> Any:
        if isinstance(value, self.cls):
            return value
        for klass in self.cls.__mro__:
            fn = _COERCIONS.get(klass)
            if fn is not None:
                try:
                    out = fn(value)
                except TypeError:
                    break
                if isinstance(out, self.cls):
                    return out
                break
        raise Mismatch(self.describe(), value)

    def describe(self) -> str:
        return getattr(self.cls, "type_key", None) or self.cls.__name__


class PrimSpec(Spec):
    """int, float, str or bool; bool is not accepted as an int; an int is accepted as a float."""

    __slots__ = ("cls",)

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def check(self, value: Any) -> bool:
        if self.cls is int:
            return isinstance(value, int) and not isinstance(value, bool)
        if self.cls is float:
            return isinstance(value, float)
        return isinstance(value, self.cls)

    def coerce(self, value: Any) -> Any:
        if self.check(value):
            return value
        if self.cls is float and isinstance(value, (int, np.floating, np.integer)) and not isinstance(value, bool):
            return float(value)
        if self.cls is int and isinstance(value, np.integer):
            return int(value)
        if self.cls is bool and isinstance(value, np.bool_):
            return bool(value)
        raise Mismatch(self.describe(), value)

    def describe(self) -> str:
        return self.cls.__name__


class DTypeSpec(Spec):
    __slots__ = ()

    def check(self, value: Any) -> bool:
        return isinstance(value, DataType)

    def coerce(self, value: Any) -> Any:
        if isinstance(value, DataType):
            return value
        from irscript.errors import IRError

        try:
            return DataType(value)
        except (IRError, TypeError):
            raise Mismatch(self.describe(), value) from None

    def describe(self) -> str:
        return "a data type"


class NDArraySpec(Spec):
    __slots__ = ()

    def check(self, value: Any) -> bool:
        return isinstance(value, np.ndarray)

    def coerce(self, value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return value
        if isinstance(value, (np.generic, int, float, bool)):
            return np.asarray(value)
        raise Mismatch(self.describe(), value)

    def describe(self) -> str:
        return "a numpy array"


class EnumSpec(Spec):
    __slots__ = ("cls",)

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def check(self, value: Any) -> bool:
        return isinstance(value, self.cls)

    def coerce(self, value: Any) -> Any:
        if isinstance(value, self.cls):
            return value
        if isinstance(value, str):
            try:
                return self.cls[value.upper()] if value.upper() in self.cls.__members__ else self.cls(value)
            except ValueError:
                pass
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                return self.cls(value)
            except ValueError:
                pass
        raise Mismatch(self.describe(), value)

    def describe(self) -> str:
        return f"one of {', '.join(m.name for m in self.cls)}"


class TupleSpec(Spec):
    """`tuple[X, ...]`; lists are accepted and frozen into tuples."""

    __slots__ = ("elem",)

    def __init__(self, elem: Spec) -> None:
        self.elem = elem

    def check(self, value: Any) -> bool:
        return isinstance(value, tuple) and all(self.elem.check(v) for v in value)

    def coerce(self, value: Any) -> Any:
        if not isinstance(value, (tuple, list)):
            raise Mismatch(self.describe(), value)
        coerce = self.elem.coerce
        return tuple([coerce(v) for v in value])

    def describe(self) -> str:
        return f"a tuple of {self.elem.describe()}"


class DictSpec(Spec):
    __slots__ = ("key", "value")

    def __init__(self, key: Spec, value: Spec) -> None:
        self.key = key
        self.value = value

    def check(self, value: Any) -> bool:
        return isinstance(value, dict) and all(
            self.key.check(k) and self.value.check(v) for k, v in value.items()
        )

    def coerce(self, value: Any) -> Any:
        if not isinstance(value, dict):
            raise Mismatch(self.describe(), value)
        return {self.key.coerce(k): self.value.coerce(v) for k, v in value.items()}

    def describe(self) -> str:
        return f"a dict of {self.key.describe()} to {self.value.describe()}"


class OptionalSpec(Spec):
    __slots__ = ("inner",)

    def __init__(self, inner: Spec) -> None:
        self.inner = inner

    def check(self, value: Any) -> bool:
        return value is None or self.inner.check(value)

    def coerce(self, value: Any) -> Any:
        return None if value is None else self.inner.coerce(value)

    def describe(self) -> str:
        return f"None or {self.inner.describe()}"


class UnionSpec(Spec):
    __slots__ = ("options",)

    def __init__(self, options: tuple[Spec, ...]) -> None:
        self.options = options

    def check(self, value: Any) -> bool:
        return any(o.check(value) for o in self.options)

    def coerce(self, value: Any) -> Any:
        for o in self.options:
            if o.check(value):
                return value
        for o in self.options:
            try:
                return o.coerce(value)
            except Mismatch:
                continue
        raise Mismatch(self.describe(), value)

    def describe(self) -> str:
        return " or ".join(o.describe() for o in self.options)


_ANY = AnySpec()


def compile_spec(ann: Any) -> Spec:
    """Compile a resolved annotation into a Spec."""
    from irscript.ir.node import Node

    if ann is Any or ann is object:
        return _ANY
    if ann is DataType:
        return DTypeSpec()
    if ann is np.ndarray:
        return NDArraySpec()
    if ann in (int, float, str, bool):
        return PrimSpec(ann)
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        return EnumSpec(ann)
    if isinstance(ann, type) and issubclass(ann, Node):
        return NodeSpec(ann)
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = compile_spec(options[0]) if len(options) == 1 else UnionSpec(tuple(compile_spec(a) for a in options))
        return OptionalSpec(inner) if len(options) < len(args) else inner
    if origin in (tuple, list) and args:
        return TupleSpec(compile_spec(args[0]))
    if origin is dict and args:
        return DictSpec(compile_spec(args[0]), compile_spec(args[1]))
    if isinstance(ann, type):  # another plain class (e.g. a value type of a dialect)
        return NodeSpec(ann)
    raise TypeError(f"cannot use {ann!r} as a node field type")
