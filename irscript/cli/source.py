"""Reading the file a command works on: script text, a Python program, or JSON.

`load(path)` returns a `Loaded` (the IR node and how it was read). `path` is a
file name or `-` for standard input. What the text is, is decided by its
content, never by running it:

* JSON (the name ends in `.json`, or the text starts with `{`): `from_json`;
  the IR is then checked for well-formedness like a parsed script is.
* script text (a `.py` or `.txt` file holding one decorated definition, as
  `irscript print` writes it): `irscript.parse`.
* a Python program (it has statements a script cannot hold, such as
  `import numpy as np` or `if __name__ == "__main__":`): its one top-level
  definition decorated with `@I.ir_module`, `@T.prim_func` or `@R.function` is
  parsed as script text, in place, with spans into the file. The program is not
  run, so the definition sees I, T, R and literals only, not the program's own
  names; a diagnostic says so.

Every problem is an `irscript.Error` (a ScriptError with the span underlined,
a JSONFormatError with its JSON path, an IRError listing the well-formedness
problems with their IR paths).
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from irscript.doc import nodes as D
from irscript.doc.frontend import parse_python
from irscript.errors import Error, IRError, ScriptError
from irscript.ir.json import from_json
from irscript.ir.well_formed import check_well_formed
from irscript.script import parse
from irscript.script.parser import Parser
from irscript.script.parser.core import header
from irscript.script.parser.entry import SCRIPT_MODULE, TEXT_BUILTINS, namespaces, run_definition
from irscript.script.parser.errors import error_at, for_user

__all__ = ["Loaded", "load", "read_text", "well_formed_error"]

STDIN = "-"
_NAMESPACE_MODULES = {"ir": "I", "tir": "T", "tirx": "T", "relax": "R"}
_MAX_PROBLEMS = 8


class Loaded:
    """What a command reads: the IR `node`, the `kind` of input ("script", "program" or
    "json") and the `name` to show for it (the path, or `<stdin>`)."""

    __slots__ = ("node", "kind", "name")

    def __init__(self, node: Any, kind: str, name: str) -> None:
        self.node = node
        self.kind = kind
        self.name = name


def read_text(path: str) -> tuple[str, str]:
    """(the text of `path` or of standard input for `-`, the name to show for it)."""
    if path == STDIN:
        try:
            return sys.stdin.read(), "<stdin>"
        except UnicodeDecodeError:
            raise Error("standard input is not UTF-8 text") from None
    try:
        with open(path, encoding="utf-8-sig") as f:
            return f.read(), path
    except IsADirectoryError:
        raise Error(f"cannot read {path}: it is a directory") from None
    except OSError as e:
        raise Error(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise Error(f"cannot read {path}: it is not UTF-8 text") from None


def looks_like_json(name: str, text: str) -> bool:
    return name.lower().endswith(".json") or text.lstrip()[:1] == "{"


def load(path: str, *, check: bool = True, force_json: bool = False) -> Loaded:
    """Read and parse `path` (see the module doc); `check=False` skips the well-formedness check."""
    text, name = read_text(path)
    if force_json or looks_like_json(name, text):
        node = from_json(text)
        if check:
            problems = check_well_formed(node) if _checkable(node) else []
            if problems:
                raise well_formed_error(name, problems)
        return Loaded(node, "json", name)
    try:
        return Loaded(parse(text, name, check_well_formed=check), "script", name)
    except ScriptError as err:
        failure = err
    try:
        doc = _paused(parse_python, text, name)
    except ScriptError:
        raise failure from None
    if _script_shaped(doc):
        raise failure from None
    return Loaded(_paused(_parse_program, doc, name, check), "program", name)


def _checkable(node: Any) -> bool:
    from irscript.ir.module import BaseFunc, IRModule

    return isinstance(node, (IRModule, BaseFunc))


def well_formed_error(name: str, problems: list[Any]) -> IRError:
    """One IRError listing (the first few) well-formedness problems with their IR paths."""
    lines = [f"{name} is not well-formed ({len(problems)} problem{'s' if len(problems) != 1 else ''}):"]
    for p in problems[:_MAX_PROBLEMS]:
        where = f" in `{p.function}`" if p.function else ""
        lines.append(f"  {p.message}{where} (at {p.path})")
    if len(problems) > _MAX_PROBLEMS:
        lines.append(f"  ... and {len(problems) - _MAX_PROBLEMS} more")
    return IRError("\n".join(lines))


def _paused(fn: Any, *args: Any) -> Any:
    """`fn(*args)` with the garbage collector paused (IR is acyclic; a bulk build would trigger it
    over and over)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return fn(*args)
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------------------------------------
# Python programs
# ---------------------------------------------------------------------------------------------
def _script_shaped(doc: D.Module) -> bool:
    """Whether every top-level statement is one a script may hold (then the script's own error
    stands; otherwise the text is a Python program)."""
    for stmt in doc.body:
        t = type(stmt)
        if t is D.ImportFrom and stmt.module != SCRIPT_MODULE:
            return False
        if t is D.Assign and not (type(stmt.target) is D.Name and stmt.target.id == "metadata"):
            return False
        if t not in (D.ImportFrom, D.Assign, D.FunctionDef, D.ClassDef, D.Comment, D.Docstring, D.Pass):
            return False
    return True


def _root_name(expr: Any) -> str | None:
    """`T` for `@T.prim_func`, `@T.prim_func(private=True)`, `@I.ir_module`."""
    while True:
        t = type(expr)
        if t is D.Call:
            expr = expr.func
        elif t is D.Attr:
            expr = expr.value
        elif t is D.Name:
            return expr.id
        else:
            return None


def _script_aliases(doc: D.Module) -> dict[str, Any]:
    """The namespaces by the names the program imports them as, plus I, T and R."""
    spaces = namespaces()
    aliases = dict(spaces)
    for stmt in doc.body:
        if type(stmt) is D.ImportFrom and stmt.module == SCRIPT_MODULE:
            for name, alias in stmt.names:
                if name in _NAMESPACE_MODULES:
                    aliases[alias or name] = spaces[_NAMESPACE_MODULES[name]]
    return aliases


def _parse_program(doc: D.Module, name: str, check: bool) -> Any:
    """The one decorated definition of a Python program, parsed as script text."""
    aliases = _script_aliases(doc)
    found = [s for s in doc.body if type(s) in (D.FunctionDef, D.ClassDef)
             and any(_root_name(d) in aliases for d in s.decorators)]
    if not found:
        raise ScriptError(f"{name} is a Python program with no script definition at its top level: expected an "
                          "@I.ir_module class, a @T.prim_func or an @R.function function")
    if len(found) > 1:
        names = ", ".join(f"`{s.name}`" for s in found)
        raise for_user(error_at(header(found[1]), f"{name} holds several script definitions ({names}); irscript reads "
                                          "one per file (put the functions in one @I.ir_module class)"))
    node = found[0]
    parser = Parser([{**TEXT_BUILTINS, **aliases}], restricted=True, source_name=name)
    try:
        decorator = parser.decorator_of(node)
        if not check:
            decorator = decorator.configure(check_well_formed=False)
        return run_definition(parser, node, decorator)
    except ScriptError as err:
        err.add_note(f"`{node.name}` was read from a Python program without running it: only I, T, R and "
                     "literals are visible to it, not the program's own names")
        raise for_user(err) from None
