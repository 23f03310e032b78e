"""Entry points: the decorators on Python code, and `parse(text)` / `parse_file(path)`.

Decorated Python (`@T.prim_func`, `@R.function`, `@I.ir_module`): the source is
read with `inspect` (absolute line numbers; the common indentation removed and
given back as a column offset, so spans point into the user's file), parsed to
a Doc, and evaluated with the closure, the caller's locals and the globals of
the decorated code visible (metaprogramming). A function decorated inside a
class body is returned as is: the class's `@I.ir_module` parses it.

Text (`parse`, `parse_file`): only the namespaces I, T, R and a few safe
builtins are visible; the one import allowed is `from irscript.script import
ir as I, tir as T, relax as R` before the definition; a top-level
`metadata = I.metadata("...")` (printed after the module) is evaluated
first. Text printed by Apache TVM parses too (its header lines are comments).

Both run the well-formedness check unless `check_well_formed=False` and raise
every problem as a `ScriptDiagnostic` (a ScriptError whose text is the rendered
diagnostic) without the parser's own stack frames.
"""

from __future__ import annotations

import builtins
import gc
import inspect
import linecache
import os
from types import FrameType
from typing import Any

from irscript.doc import nodes as D
from irscript.doc.frontend import parse_python
from irscript.errors import Error, ScriptError
from irscript.irbuilder.base import IRBuilder
from irscript.script.parser.core import Parser, header
from irscript.script.parser.dialect import ScriptDecorator, text_namespaces
from irscript.script.parser.errors import error_at, for_user, located

TEXT_BUILTINS: dict[str, Any] = {
    "range": range, "len": len, "int": int, "float": float, "min": min, "max": max,
    "True": True, "False": False, "None": None,
}
PYTHON_BUILTINS: dict[str, Any] = {
    **TEXT_BUILTINS,
    **{n: getattr(builtins, n) for n in ("bool", "str", "tuple", "list", "dict", "zip", "enumerate", "abs",
                                          "sum", "reversed", "sorted", "any", "all", "isinstance")},
}
SCRIPT_MODULE = "irscript.script"
_NAMESPACE_NAMES = {"ir": "ir", "tir": "tir", "tirx": "tir", "relax": "relax"}


def namespaces() -> dict[str, Any]:
    """The script namespaces by their usual names: I, T, R, and user dialects' namespaces
    registered with an alias (`register_namespace(X, alias="X")`)."""
    from irscript.script import ir, relax, tir

    return {**text_namespaces(), "I": ir, "T": tir, "R": relax}


def _base_env(python: bool) -> dict[str, Any]:
    return {**(PYTHON_BUILTINS if python else TEXT_BUILTINS), **namespaces()}


# ---------------------------------------------------------------------------------------------
# running a parse
# ---------------------------------------------------------------------------------------------


class _GCPaused:
    """Pause the garbage collector (IR is acyclic; a bulk build would trigger many passes)."""

    __slots__ = ("was_enabled",)

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: Any) -> None:
        if self.was_enabled:
            gc.enable()


def run_definition(parser: Parser, node: D.FunctionDef | D.ClassDef, decorator: ScriptDecorator) -> Any:
    """Parse one decorated definition with a fresh IRBuilder; check it unless told not to."""
    with IRBuilder() as ib:
        parser.set_decorator(node, decorator)
        parser.parse_definition(node, decorator)
    try:
        result = ib.get()
    except Error as e:
        raise located(e, header(node)) from None
    if decorator.options.get("check_well_formed", True):
        check_result(result, node)
    return result


def check_result(result: Any, node: D.FunctionDef | D.ClassDef) -> None:
    """The well-formedness check; a problem is a ScriptError at its function's definition."""
    from irscript.ir.module import IRModule
    from irscript.ir.well_formed import check_well_formed

    problems = check_well_formed(result)
    if not problems:
        return
    first = problems[0]
    where = node
    if isinstance(result, IRModule) and isinstance(node, D.ClassDef):
        for stmt in node.body:
            if isinstance(stmt, D.FunctionDef) and stmt.name == first.function:
                where = stmt
    name = first.function or getattr(node, "name", "")
    notes = [f"in function `{name}` at {first.path}"]
    notes += [f"also: {p.message} (in `{p.function}` at {p.path})" for p in problems[1:6]]
    if len(problems) > 6:
        notes.append(f"and {len(problems) - 6} more problems")
    # the statement the problem is in, when the parser stamped it with its source line
    span = first.path.innermost_span(result)
    raise error_at(header(where) if span is None else _At(span), f"not well-formed: {first.message}", notes)


class _At:
    """A bare span standing in for a Doc node in error reports."""

    __slots__ = ("span",)

    def __init__(self, span: Any) -> None:
        self.span = span


# ---------------------------------------------------------------------------------------------
# decorated Python
# ---------------------------------------------------------------------------------------------


def apply_decorator(decorator: ScriptDecorator, obj: Any, caller: FrameType | None) -> Any:
    """What `@decorator` does to `obj` (see the module doc)."""
    if decorator.kind == "macro":
        from irscript.script.parser.macro import ScriptMacro

        if not inspect.isfunction(obj):
            raise TypeError(f"{decorator.name} decorates a function, not {type(obj).__name__}")
        return ScriptMacro(obj, decorator, capture_env(obj, caller))
    if decorator.kind == "module":
        if not inspect.isclass(obj):
            raise TypeError(f"{decorator.name} decorates a class, not {type(obj).__name__}")
    elif not inspect.isfunction(obj):
        raise TypeError(f"{decorator.name} decorates a function, not {type(obj).__name__}")
    if _defined_in_class(obj):
        return obj  # the enclosing @I.ir_module class parses it
    try:
        with _GCPaused():
            node, source_name = parse_source(obj, decorator)
            parser = Parser(capture_env(obj, caller), restricted=False, source_name=source_name)
            return run_definition(parser, node, decorator)
    except ScriptError as e:
        raise for_user(e)  # noqa: B904  (for_user keeps a useful cause, hides the context)


def _defined_in_class(obj: Any) -> bool:
    qual = getattr(obj, "__qualname__", "")
    parts = qual.split(".")
    return len(parts) >= 2 and parts[-2] != "<locals>"


def capture_env(obj: Any, caller: FrameType | None) -> list[dict[str, Any]]:
    """The outer environment of decorated code: closure, caller locals, globals, namespaces."""
    layers: list[dict[str, Any]] = []
    code = getattr(obj, "__code__", None)
    closure = getattr(obj, "__closure__", None)
    if code is not None and closure:
        cells = {}
        for name, cell in zip(code.co_freevars, closure):
            try:
                cells[name] = cell.cell_contents
            except ValueError:  # an empty cell: assigned later in the enclosing function
                continue
        layers.append(cells)
    globals_ = getattr(obj, "__globals__", None)
    if caller is not None:
        if caller.f_locals is not caller.f_globals:
            layers.append(dict(caller.f_locals))
        if globals_ is None:
            globals_ = caller.f_globals
    if globals_ is None:
        module = inspect.getmodule(obj)
        globals_ = vars(module) if module is not None else {}
    layers.append(globals_)
    layers.append(_base_env(python=True))
    return layers


def parse_source(obj: Any, decorator: ScriptDecorator) -> tuple[D.FunctionDef | D.ClassDef, str]:
    """The Doc of a decorated function or class, with absolute positions in its file."""
    kind = "class" if inspect.isclass(obj) else "function"
    name = getattr(obj, "__name__", "?")
    try:
        lines, lnum = inspect.getsourcelines(obj)
        path = inspect.getsourcefile(obj) or inspect.getfile(obj)
    except (OSError, TypeError) as e:
        raise ScriptError(
            f"cannot read the source of {kind} `{name}` decorated with {decorator.name}: {e}. irscript parses "
            "the source text, which Python does not keep for code typed at the interactive prompt or run "
            "with exec(); put the code in a file, or pass its text to irscript.parse()") from None
    if lnum == 0:
        lnum = 1
    indent = _indentation(lines[0]) if lines else ""
    text = "".join(line[len(indent):] if line.startswith(indent) else line for line in lines)
    file_lines = linecache.getlines(path)
    file_text = "".join(file_lines) if file_lines else None
    doc = parse_python(text, path, lnum - 1, len(indent), file_text=file_text)
    for stmt in doc.body:
        if isinstance(stmt, (D.FunctionDef, D.ClassDef)):
            return stmt, path
    raise ScriptError(f"cannot find the definition of {kind} `{name}` in its source")  # pragma: no cover


def _indentation(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


# ---------------------------------------------------------------------------------------------
# text
# ---------------------------------------------------------------------------------------------


def parse(text: str, source_name: str = "<string>", *, check_well_formed: bool = True) -> Any:
    """Parse script text into an IRModule, PrimFunc or Relax Function (see the module doc)."""
    try:
        with _GCPaused():
            doc = parse_python(text, source_name)
            parser = Parser([_base_env(python=False)], restricted=True, source_name=source_name)
            node, decorator = _top_level(parser, doc)
            if not check_well_formed:
                decorator = decorator.configure(check_well_formed=False)
            return run_definition(parser, node, decorator)
    except ScriptError as e:
        raise for_user(e)  # noqa: B904  (for_user keeps a useful cause, hides the context)


def parse_file(path: str | os.PathLike, *, check_well_formed: bool = True) -> Any:
    """Parse the script in a file (UTF-8)."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as e:
        raise ScriptError(f"cannot read {name}: {e.strerror or e}") from None
    return parse(text, name, check_well_formed=check_well_formed)


def _top_level(p: Parser, doc: D.Module) -> tuple[D.FunctionDef | D.ClassDef, ScriptDecorator]:
    """The one decorated definition of a script, after its import line and metadata section."""
    p.push_scope()
    definitions: list[D.FunctionDef | D.ClassDef] = []
    metadata: list[D.Assign] = []
    for stmt in doc.body:
        t = type(stmt)
        if t is D.ImportFrom:
            if definitions or metadata:
                raise error_at(stmt, "imports must come at the top of the file, before the definition")
            _bind_import(p, stmt)
        elif t is D.FunctionDef or t is D.ClassDef:
            definitions.append(stmt)
        elif t is D.Assign and type(stmt.target) is D.Name and stmt.target.id == "metadata":
            metadata.append(stmt)
        elif t is D.Comment or t is D.Docstring or t is D.Pass:
            continue
        elif t is D.Unsupported:
            raise error_at(stmt, f"{stmt.what} is not part of the script language")
        else:
            raise error_at(stmt, "only one decorated definition (@I.ir_module class, @T.prim_func or @R.function "
                                 "function), its import line and its metadata section may appear at the top level")
    if not definitions:
        raise error_at(None, "the script has no definition: expected an @I.ir_module class, a @T.prim_func or "
                             "an @R.function")
    if len(definitions) > 1:
        raise error_at(header(definitions[1]), "a script holds one definition; this is a second one "
                                               "(put functions together in an @I.ir_module class)")
    for stmt in metadata:
        p.define("metadata", p.eval(stmt.value))
    node = definitions[0]
    decorator = p.decorator_of(node)
    if decorator is None:
        raise error_at(header(node), f"`{node.name}` needs a script decorator: @I.ir_module, @T.prim_func or "
                                     "@R.function")
    return node, decorator


def _bind_import(p: Parser, stmt: D.ImportFrom) -> None:
    if stmt.module != SCRIPT_MODULE:
        raise error_at(stmt, f"only `from {SCRIPT_MODULE} import ir as I, tir as T, relax as R` may be imported, "
                             f"not from `{stmt.module}`")
    spaces = {"ir": "I", "tir": "T", "relax": "R"}
    ns = namespaces()
    for name, alias in stmt.names:
        canon = _NAMESPACE_NAMES.get(name)
        if canon is None:
            raise error_at(stmt, f"`{SCRIPT_MODULE}` has no namespace `{name}` (use ir, tir or relax)")
        p.define(alias or name, ns[spaces[canon]])


__all__ = ["apply_decorator", "capture_env", "namespaces", "parse", "parse_file", "parse_source", "run_definition"]
