"""Macros: `@T.macro` / `@R.macro` functions expanded inline where a script calls them.

A macro is a Python function whose body is script code of its dialect. A call
`m(a, b)` inside a function of that dialect parses the macro's body at the call
site with the parameters bound to the evaluated arguments (Python's binding rules,
defaults included); a final `return value` gives the call's value.

Hygiene (the default, `@T.macro(hygienic=True)`): the body sees its parameters,
the names it defines, and the environment where the macro was defined (closure,
locals, globals) — not the caller's script vars; the names it defines do not
leak into the caller. With `hygienic=False` the body also sees the caller's vars
(its own definitions still stay inside the expansion).
"""

from __future__ import annotations

import inspect
from typing import Any

from irscript.doc import nodes as D
from irscript.ir.scope import ScopedTable
from irscript.script.parser.dialect import ScriptDecorator
from irscript.script.parser.errors import error_at
from irscript.script.parser.evaluator import SPECIAL_CALLS

MAX_DEPTH = 64
_DEPTH_KEY = object()


class ScriptMacro:
    """The value `@T.macro` / `@R.macro` makes of a Python function."""

    __slots__ = ("func", "decorator", "env", "_node")

    def __init__(self, func: Any, decorator: ScriptDecorator, env: list[dict[str, Any]]) -> None:
        self.func = func
        self.decorator = decorator
        self.env = env
        self._node: D.FunctionDef | None = None

    @property
    def name(self) -> str:
        return self.func.__name__

    def node(self) -> D.FunctionDef:
        """The macro's parsed definition (read from its source once)."""
        if self._node is None:
            from irscript.script.parser.entry import parse_source

            node, _ = parse_source(self.func, self.decorator)
            self._node = node  # type: ignore[assignment]
        return self._node  # type: ignore[return-value]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{self.decorator.name} `{self.name}` can only be called inside a script function")

    def __repr__(self) -> str:
        return f"<{self.decorator.name} {self.name}>"


def expand(p: Any, call: D.Call, macro: ScriptMacro, args: list, kwargs: dict) -> Any:
    """Parse the macro's body at the call site; returns the value of its final `return`."""
    deco = macro.decorator
    if deco.dialect is not p.dialect:
        raise error_at(call.func, f"the {deco.name} `{macro.name}` cannot be used in {p.dialect_title()}")
    try:
        bound = inspect.signature(macro.func).bind(*args, **kwargs)
    except TypeError as e:
        raise error_at(call, f"{macro.name}(): {e}") from None
    bound.apply_defaults()
    depth = p.state.get(_DEPTH_KEY, 0)
    if depth >= MAX_DEPTH:
        raise error_at(call, f"macro `{macro.name}` is expanded {MAX_DEPTH} levels deep (recursion?)")
    node = macro.node()
    body, ret = list(node.body), None
    if body and type(body[-1]) is D.Return:
        ret = body.pop()
    for stmt in body:
        if type(stmt) is D.Return:
            raise error_at(stmt, "`return` must be the last statement of a macro")
    hygienic = bool(deco.options.get("hygienic", True))
    saved = (p.vars, p.env, p.gone, p.scope_descs)
    if hygienic:
        p.vars, p.env, p.gone, p.scope_descs = ScopedTable(), macro.env, {}, []
    p.state[_DEPTH_KEY] = depth + 1
    p.push_scope(f"the macro `{macro.name}`")
    try:
        for name, value in deco.dialect.prelude.items():
            p.define(name, value)
        for name, value in bound.arguments.items():
            p.define(name, value)
        p.visit_body(body)
        return None if ret is None or ret.value is None else p.eval(ret.value)
    finally:
        p.pop_scope()
        p.state[_DEPTH_KEY] = depth
        p.vars, p.env, p.gone, p.scope_descs = saved


SPECIAL_CALLS[ScriptMacro] = expand

__all__ = ["ScriptMacro", "expand"]
