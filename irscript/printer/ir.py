"""The module layer -> Doc: IRModule, GlobalVar, Op, and what functions of any dialect share
(their name, `private=True`, which attrs print).

    @I.ir_module
    class Module:
        I.module_attrs({...})
        I.module_global_infos({...})
        @T.prim_func
        def f(...): ...

Functions print in module order. A function's `def` name and decorator follow
the site it is printed at (`p.func_site`, set by whoever prints it):
in a module, the GlobalVar's name — `global_symbol` equal to it is implied
(not printed), a missing one prints `private=True`, a different one stays in
the attrs; standalone (the printed root), the name is the global symbol
(else "main" and `private=True`); a local function (a Relax binding) takes
the bound var's name and keeps all its attrs.
"""

from __future__ import annotations

from typing import Any

from irscript.doc import nodes as D
from irscript.ir.expr import GlobalVar
from irscript.ir.module import BaseFunc, IRModule
from irscript.ir.op import Op
from irscript.printer.core import IR, IRDocsifier, register
from irscript.printer.namer import sanitize

MODULE_NAME = "Module"
GLOBAL_SYMBOL = "global_symbol"


@register(IRModule)
def _module(p: IRDocsifier, mod: IRModule) -> D.Stmt:
    outer_module = p.module
    p.module = {gv.name_hint for gv in mod.functions}
    outer = p.open_body()
    if mod.attrs:
        p.emit(D.ExprStmt(p.call(IR, "module_attrs", [p.value(mod.attrs)])))
    if mod.global_infos:
        infos = {k: list(v) for k, v in mod.global_infos.items()}
        p.emit(D.ExprStmt(p.call(IR, "module_global_infos", [p.value(infos)])))
    for gv, func in mod.functions.items():
        p.func_site = ("module", gv.name_hint)
        p.stmt(func)
    body = p.close_body(outer)
    p.module = outer_module
    return p.emit(D.ClassDef(MODULE_NAME, [p.ns(IR, "ir_module")], body))


def global_var_doc(p: IRDocsifier, gv: GlobalVar) -> D.Expr:
    """A function of the printed module by its name; any other GlobalVar as `I.GlobalVar("f")`."""
    names = p.module
    if names is not None and gv.name_hint in names:
        return D.Name(gv.name_hint)
    return p.call(IR, "GlobalVar", [D.Literal(gv.name_hint)])


@register(GlobalVar)
def _global_var(p: IRDocsifier, gv: GlobalVar) -> D.Expr:
    return global_var_doc(p, gv)


@register(Op)
def _op(p: IRDocsifier, op: Op) -> D.Expr:
    return p.call(IR, "Op", [D.Literal(op.name)])


def function_site(p: IRDocsifier, func: BaseFunc) -> tuple[str, bool, dict[str, Any], bool]:
    """(def name, print `private=True`, attrs to print, is top level) for the function being
    printed at `p.func_site` (which this consumes)."""
    site = p.func_site
    p.func_site = None
    attrs = dict(getattr(func, "attrs", None) or {})
    symbol = attrs.get(GLOBAL_SYMBOL)
    if site is not None and site[0] == "local":
        return site[1], False, attrs, False
    if site is not None and site[0] == "module":
        name = site[1]
    elif isinstance(symbol, str):
        name = sanitize(symbol)
    else:
        name = "main"
    if symbol is None:
        return name, True, attrs, True
    if symbol == name:
        del attrs[GLOBAL_SYMBOL]
    return name, False, attrs, True


__all__ = ["GLOBAL_SYMBOL", "MODULE_NAME", "function_site", "global_var_doc"]
