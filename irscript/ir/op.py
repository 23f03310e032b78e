"""Operators: named, registered, interned. Relax calls and TIR intrinsic calls refer to them.

An Op node holds only its name; everything else about an operator (struct-info
inference, legalization, numpy reference, printing hints, purity) lives in a
per-op attribute table that dialects and the op registry fill with `set_attr`.
"""

from __future__ import annotations

from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import RelaxExpr

_OPS: dict[str, "Op"] = {}
_ATTRS: dict[str, dict[str, Any]] = {}


class Op(RelaxExpr, type_key="ir.Op"):
    """A registered operator, e.g. `relax.add` or `tir.exp`. Obtain one with `Op.get(name)`."""

    __slots__ = ()
    name: str

    @staticmethod
    def get(name: str) -> "Op":
        """The registered operator `name`; raises IRError if there is none."""
        op = _OPS.get(name)
        if op is None:
            raise IRError(f"unknown operator {name!r}")
        return op

    @staticmethod
    def is_registered(name: str) -> bool:
        return name in _OPS

    def get_attr(self, key: str, default: Any = None) -> Any:
        return _ATTRS[self.name].get(key, default)

    def set_attr(self, key: str, value: Any) -> "Op":
        _ATTRS[self.name][key] = value
        return self

    def has_attr(self, key: str) -> bool:
        return key in _ATTRS[self.name]

    def _from_json_check(self) -> str | None:
        return None if self.name in _OPS else f"unknown operator {self.name!r}"

    def _canonical(self) -> "Op":
        """The registered (interned) Op of this name, for the JSON loader."""
        return _OPS[self.name]

    def __reduce__(self):
        return (Op.get, (self.name,))

    def __copy__(self) -> "Op":
        return self

    def __deepcopy__(self, memo: dict) -> "Op":
        return self


def register_op(name: str, **attrs: Any) -> Op:
    """Register the operator `name` (or fetch it if registered) and set attributes on it."""
    op = _OPS.get(name)
    if op is None:
        op = Op(name)
        _OPS[name] = op
        _ATTRS[name] = {}
    _ATTRS[name].update(attrs)
    return op


def registered_ops(prefix: str = "") -> list[Op]:
    """All registered operators whose name starts with `prefix`, in registration order."""
    return [op for name, op in _OPS.items() if name.startswith(prefix)]
