"""IRModule (functions by GlobalVar, in order; module attrs; global infos) and BaseFunc."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import GlobalVar, RelaxExpr
from irscript.ir.node import Node, field


class BaseFunc(RelaxExpr):
    """Base class of functions that can live in an IRModule (PrimFunc, relax Function)."""

    __slots__ = ()

    @property
    def global_symbol(self) -> str | None:
        attrs = getattr(self, "attrs", None) or {}
        sym = attrs.get("global_symbol")
        return sym if isinstance(sym, str) else None


class IRModule(Node, type_key="ir.IRModule"):
    """A set of named functions plus module attributes and global infos.

    Function order is kept (it is the print order); equality matches functions
    by name regardless of order.
    """

    __slots__ = ()
    functions: dict[GlobalVar, BaseFunc] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    global_infos: dict[str, tuple[Node, ...]] = field(default_factory=dict)

    def __init__(
        self,
        functions: "dict[GlobalVar | str, BaseFunc] | None" = None,
        attrs: dict[str, Any] | None = None,
        global_infos: dict[str, Any] | None = None,
        *,
        span: Any = None,
    ) -> None:
        funcs: dict[GlobalVar, BaseFunc] = {}
        seen: set[str] = set()
        for key, func in (functions or {}).items():
            gv = GlobalVar(key) if isinstance(key, str) else key
            if not isinstance(gv, GlobalVar):
                raise IRError(f"IRModule keys must be GlobalVars or names, got {type(key).__name__}")
            if gv.name_hint in seen:
                raise IRError(f"IRModule has two functions named {gv.name_hint!r}")
            seen.add(gv.name_hint)
            funcs[gv] = func
        self._set_fields(funcs, dict(attrs or {}), dict(global_infos or {}), span=span)

    def _from_json_check(self) -> str | None:
        """Invariants the constructor enforces, re-checked on nodes loaded from JSON."""
        seen: set[str] = set()
        for gv in self.functions:
            if gv.name_hint in seen:
                return f"IRModule has two functions named {gv.name_hint!r}"
            seen.add(gv.name_hint)
        return None

    # lookup ------------------------------------------------------------------------------
    def get_global_var(self, name: str) -> GlobalVar:
        for gv in self.functions:
            if gv.name_hint == name:
                return gv
        raise IRError(f"IRModule has no function named {name!r}")

    def get_global_vars(self) -> list[GlobalVar]:
        return list(self.functions)

    def __getitem__(self, key: "str | GlobalVar") -> BaseFunc:
        name = key if isinstance(key, str) else key.name_hint
        for gv, func in self.functions.items():
            if gv.name_hint == name:
                return func
        raise IRError(f"IRModule has no function named {name!r}")

    def __contains__(self, key: "str | GlobalVar") -> bool:
        name = key if isinstance(key, str) else key.name_hint
        return any(gv.name_hint == name for gv in self.functions)

    def __len__(self) -> int:
        return len(self.functions)

    def __iter__(self) -> Iterator[GlobalVar]:
        return iter(self.functions)

    def items(self) -> Iterator[tuple[GlobalVar, BaseFunc]]:  # type: ignore[override]
        return iter(self.functions.items())

    # functional updates --------------------------------------------------------------------
    def with_function(self, key: "str | GlobalVar", func: BaseFunc) -> "IRModule":
        """A module with `func` under `key`, replacing a function of that name in place."""
        name = key if isinstance(key, str) else key.name_hint
        funcs: dict[GlobalVar, BaseFunc] = {}
        placed = False
        for gv, f in self.functions.items():
            if gv.name_hint == name:
                funcs[gv] = func
                placed = True
            else:
                funcs[gv] = f
        if not placed:
            funcs[GlobalVar(name) if isinstance(key, str) else key] = func
        return IRModule(funcs, self.attrs, self.global_infos)

    def without_function(self, key: "str | GlobalVar") -> "IRModule":
        name = key if isinstance(key, str) else key.name_hint
        funcs = {gv: f for gv, f in self.functions.items() if gv.name_hint != name}
        return IRModule(funcs, self.attrs, self.global_infos)

    def with_attrs(self, **attrs: Any) -> "IRModule":
        return IRModule(self.functions, {**self.attrs, **attrs}, self.global_infos)

    @staticmethod
    def from_expr(func: BaseFunc, name: str = "main") -> "IRModule":
        return IRModule({name: func})
