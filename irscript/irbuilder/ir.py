"""The module-level builder (`I`): the `ir_module()` frame and function declarations.

Functions are declared before they are defined so that they can refer to each
other (the script parser declares every function's signature first)::

    with I.ir_module():
        f = I.decl_function("f", signature)   # a GlobalVar usable from now on
        with R.function():
            R.func_name("main")                 # added to the module on exit
            ...
        with R.function():
            R.func_name("f")                    # defines the declared "f"
            ...

A `T.prim_func` / `R.function` frame that closes inside a module declares
itself if needed and defines itself under its name. Module order is
declaration order. Two definitions of one name, or a declaration that is
never defined, are errors.
"""

from __future__ import annotations

from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import GlobalVar, StructInfo
from irscript.ir.module import BaseFunc, IRModule
from irscript.irbuilder.base import IRBuilder, IRBuilderFrame


class IRModuleFrame(IRBuilderFrame):
    """`with I.ir_module():` — collects functions, attributes and global infos into an IRModule."""

    __slots__ = ("global_vars", "functions", "signatures", "attrs", "global_infos", "_attrs_set", "_infos_set")
    kind = "I.ir_module"

    def __init__(self) -> None:
        super().__init__()
        self.global_vars: dict[str, GlobalVar] = {}
        self.functions: dict[str, BaseFunc | None] = {}
        self.signatures: dict[str, BaseFunc | StructInfo] = {}
        self.attrs: dict[str, Any] = {}
        self.global_infos: dict[str, Any] = {}
        self._attrs_set = False
        self._infos_set = False

    def on_enter(self, builder: IRBuilder) -> None:
        if builder.frames:
            raise IRError(f"I.ir_module must be the outermost frame, but it is opened inside {builder.frames[-1].kind}")

    def on_exit(self, builder: IRBuilder) -> None:
        missing = [name for name, func in self.functions.items() if func is None]
        if missing:
            raise IRError(f"function {missing[0]!r} was declared with I.decl_function but never defined")
        funcs = {self.global_vars[name]: func for name, func in self.functions.items()}
        builder.set_result(IRModule(funcs, self.attrs, self.global_infos))

    # declarations ---------------------------------------------------------------------------
    def declare(self, name: str, signature: BaseFunc | StructInfo) -> GlobalVar:
        if not isinstance(name, str) or not name:
            raise IRError("I.decl_function needs a non-empty function name")
        if not isinstance(signature, (BaseFunc, StructInfo)):
            raise IRError(
                f"I.decl_function({name!r}, ...): the signature must be a function or a function struct info, "
                f"got {type(signature).__name__}"
            )
        if name in self.global_vars:
            raise IRError(f"function {name!r} is already declared in this module")
        gv = GlobalVar(name)
        self.global_vars[name] = gv
        self.functions[name] = None
        self.signatures[name] = signature
        return gv

    def define(self, name: str, func: BaseFunc) -> GlobalVar:
        if not isinstance(func, BaseFunc):
            raise IRError(f"I.def_function({name!r}, ...) needs a function, got {type(func).__name__}")
        gv = self.global_vars.get(name)
        if gv is None:
            gv = self.declare(name, func)
        elif self.functions[name] is not None:
            raise IRError(f"the module already has a function named {name!r}")
        else:
            declared = self.signatures[name]
            if isinstance(declared, BaseFunc) and type(declared) is not type(func):
                raise IRError(
                    f"function {name!r} was declared as a {declared.type_key} but is defined as a {func.type_key}"
                )
        self.functions[name] = func
        self.signatures[name] = func
        return gv

    def signature(self, name: str) -> BaseFunc | StructInfo | None:
        """The definition of `name`, else its declared signature, else None."""
        return self.signatures.get(name)


def find_module_frame(method: str) -> IRModuleFrame:
    frame = IRBuilder.current().find_frame(IRModuleFrame)
    if frame is None:
        raise IRError(f"{method} must be called inside I.ir_module()")
    return frame


def ir_module() -> IRModuleFrame:
    """The frame of an IRModule; `ib.get()` returns the module once it closes."""
    return IRModuleFrame()


def decl_function(name: str, signature: BaseFunc | StructInfo) -> GlobalVar:
    """Declare the function `name` (defined later) and return its GlobalVar.

    `signature` is a function whose parameters and return type stand for the
    real one (its body is not used), or a Relax FuncStructInfo.
    """
    return find_module_frame("I.decl_function").declare(name, signature)


def def_function(name_or_gv: str | GlobalVar, func: BaseFunc) -> GlobalVar:
    """Define the function `name_or_gv` of the module as `func` (declaring it if needed)."""
    name = name_or_gv.name_hint if isinstance(name_or_gv, GlobalVar) else name_or_gv
    if not isinstance(name, str) or not name:
        raise IRError("I.def_function needs a function name or GlobalVar")
    return find_module_frame("I.def_function").define(name, func)


def module_attrs(attrs: dict[str, Any]) -> None:
    """Set the module's attributes (once)."""
    frame = find_module_frame("I.module_attrs")
    if frame._attrs_set:
        raise IRError("I.module_attrs was already called for this module")
    if not isinstance(attrs, dict):
        raise IRError(f"I.module_attrs takes a dict, got {type(attrs).__name__}")
    frame.attrs = dict(attrs)
    frame._attrs_set = True


def module_global_infos(global_infos: dict[str, Any]) -> None:
    """Set the module's global infos (once): a dict from name to a list of info nodes."""
    frame = find_module_frame("I.module_global_infos")
    if frame._infos_set:
        raise IRError("I.module_global_infos was already called for this module")
    if not isinstance(global_infos, dict):
        raise IRError(f"I.module_global_infos takes a dict, got {type(global_infos).__name__}")
    frame.global_infos = {k: tuple(v) if isinstance(v, (list, tuple)) else (v,) for k, v in global_infos.items()}
    frame._infos_set = True


def add_function_to_parent(builder: IRBuilder, func: BaseFunc, name: str | None, kind: str) -> bool:
    """Hand a finished top-level function to its place: the builder's result (no open frame)
    or the module (a module frame directly below). Returns False when neither applies."""
    if not builder.frames:
        builder.set_result(func)
        return True
    parent = builder.frames[-1]
    if isinstance(parent, IRModuleFrame):
        if not name:
            raise IRError(f"a {kind} inside I.ir_module needs a name: call {kind.split('.')[0]}.func_name(...)")
        parent.define(name, func)
        return True
    return False


__all__ = [
    "IRModuleFrame", "add_function_to_parent", "decl_function", "def_function", "find_module_frame",
    "ir_module", "module_attrs", "module_global_infos",
]
