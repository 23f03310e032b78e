"""The module dialect `I`: an `@I.ir_module` class parsed into an IRModule.

The class body holds `I.module_attrs({...})` / `I.module_global_infos({...})`
and decorated functions. Parsing is two passes: first every function's
signature is declared (its dialect's `declare_function` hook), so functions can
refer to each other in any order; then every function is parsed with its own
dialect. In the module scope `cls` and the class name (for the printer's
`cls = Module` line) are a `ModuleRef` whose attributes are the GlobalVars, and
each function name is its GlobalVar.
"""

from __future__ import annotations

from typing import Any

from irscript.doc import nodes as D
from irscript.errors import IRError
from irscript.ir.expr import GlobalVar
from irscript.irbuilder import ir as I_builder
from irscript.script.parser.core import Parser, header
from irscript.script.parser.dialect import ScriptDecorator, new_dialect, register_handler
from irscript.script.parser.errors import error_at
from irscript.script.parser.evaluator import register_attribute_type

IR = new_dialect("I", "the body of an @I.ir_module class")


class ModuleRef:
    """`cls` / `Module` inside a module: `cls.f` is the GlobalVar of function `f`."""

    __slots__ = ("name", "global_vars")

    def __init__(self, name: str) -> None:
        self.name = name
        self.global_vars: dict[str, GlobalVar] = {}

    def __getattr__(self, name: str) -> GlobalVar:
        try:
            return self.global_vars[name]
        except KeyError:
            raise AttributeError(f"the module `{self.name}` has no function `{name}`") from None

    def __repr__(self) -> str:
        return f"<module {self.name}>"


register_attribute_type(ModuleRef)


def parse_module(p: Parser, node: D.Doc, decorator: ScriptDecorator) -> None:
    """`@I.ir_module class Module:` — the IRModule goes to the builder's result."""
    if not isinstance(node, D.ClassDef):
        raise error_at(header(node), f"{decorator.name} decorates a class")
    ref = ModuleRef(node.name)
    saved = p.enter_dialect(IR)
    p.push_scope()
    try:
        with I_builder.ir_module():
            p.define("cls", ref)
            p.define(node.name, ref)
            _declare_functions(p, node, ref)
            p.visit_body(node.body)
    finally:
        p.pop_scope()
        p.restore_dialect(saved)


def _declare_functions(p: Parser, node: D.ClassDef, ref: ModuleRef) -> None:
    for stmt in node.body:
        if not isinstance(stmt, D.FunctionDef):
            continue
        deco = p.decorator_of(stmt)
        if deco is None or deco.kind != "function":
            where = stmt.decorators[0] if stmt.decorators else header(stmt)
            raise error_at(where, f"function `{stmt.name}` of module `{node.name}` needs a function decorator "
                                  "(@T.prim_func or @R.function)")
        if stmt.name in ref.global_vars:
            raise error_at(header(stmt), f"the module already has a function named `{stmt.name}`")
        hook = deco.dialect.declare_function
        if hook is None:
            raise error_at(header(stmt), f"{deco.name} functions cannot be declared in a module")
        saved = p.enter_dialect(deco.dialect)
        try:
            gv = hook(p, stmt, deco)
        except IRError as e:
            raise error_at(header(stmt), e.message) from None
        finally:
            p.restore_dialect(saved)
        ref.global_vars[stmt.name] = gv
        p.define(stmt.name, gv)


@register_handler(IR, D.FunctionDef)
def _function(p: Parser, node: D.FunctionDef) -> None:
    deco = p.decorator_of(node)
    p.parse_definition(node, deco)


@register_handler(IR, D.ExprStmt)
def _expr_stmt(p: Parser, node: D.ExprStmt) -> None:
    value = p.eval(node.value)
    if value is not None:
        raise error_at(node, "an @I.ir_module class body holds functions and I.module_attrs / "
                             "I.module_global_infos calls; this value is not used")


def metadata(text: str) -> Any:
    """`I.metadata('''...''')`: the metadata section of a printed module (irscript JSON of
    {"relax.expr.Constant": [...], ...})."""
    from irscript.ir.json import from_json

    if not isinstance(text, str):
        raise IRError(f"I.metadata takes the JSON text of the metadata section, got {type(text).__name__}")
    value = from_json(text)
    if not isinstance(value, dict):
        raise IRError("the metadata section must hold a dict from kind to a list of values")
    return value


def module_attrs(attrs: dict[str, Any]) -> None:
    """`I.module_attrs({...})` (a no-op when Python runs the class body outside a parse)."""
    from irscript.irbuilder.base import IRBuilder

    if IRBuilder.is_in_scope():
        I_builder.module_attrs(attrs)


def module_global_infos(infos: dict[str, Any]) -> None:
    """`I.module_global_infos({...})` (a no-op when Python runs the class body outside a parse)."""
    from irscript.irbuilder.base import IRBuilder

    if IRBuilder.is_in_scope():
        I_builder.module_global_infos(infos)


IR.parse_definition = parse_module

__all__ = ["IR", "ModuleRef", "metadata", "module_attrs", "module_global_infos", "parse_module"]
