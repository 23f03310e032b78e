"""Printer options (`node.script(**options)`, `irscript.print_script(node, **options)`).

    indent=4                 spaces per indentation level
    show_meta=True           print the metadata section (large constants). False is for display
                             only: the section is replaced by a comment saying the text does
                             not parse
    verbose_expr=False       when printing a fragment (an expression, a statement, ...), first
                             declare the vars and buffers it uses but does not define
                             (`x = T.int32()`, `A = T.Buffer(...)`)
    path_to_underline=()     IR paths (irscript.ir.ObjectPath, from the printed root) whose text
                             is underlined with carets
    syntax="classic"         "classic" (irscript / classic TVMScript) or "tvm-0.25" (the spelling
                             Apache TVM 0.25 parses: `tirx`, `T.sblock`, `s_tir=True`)
    inline_constant_limit=16 Relax constants with at most this many elements print inline as
                             exact literals (`R.const([1.0, 2.0], "float32")`); larger ones (and
                             any that a literal cannot spell exactly, e.g. NaN payloads) go to
                             the metadata section
    header=None              print the `# from irscript.script import ...` line: None means for
                             modules and functions only
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from irscript.errors import IRError
from irscript.ir.path import ObjectPath

SYNTAXES = ("classic", "tvm-0.25")


class PrinterOptions:
    """Validated printer options (see the module docstring)."""

    __slots__ = ("indent", "show_meta", "verbose_expr", "path_to_underline", "syntax",
                 "inline_constant_limit", "header")

    def __init__(
        self,
        indent: int = 4,
        show_meta: bool = True,
        verbose_expr: bool = False,
        path_to_underline: Iterable[ObjectPath] | ObjectPath | None = None,
        syntax: str = "classic",
        inline_constant_limit: int = 16,
        header: bool | None = None,
    ) -> None:
        if not isinstance(indent, int) or isinstance(indent, bool) or indent < 1:
            raise IRError(f"printer option indent must be a positive int, got {indent!r}")
        if syntax not in SYNTAXES:
            raise IRError(f"printer option syntax must be one of {', '.join(map(repr, SYNTAXES))}, got {syntax!r}")
        if not isinstance(inline_constant_limit, int) or inline_constant_limit < 0:
            raise IRError(f"printer option inline_constant_limit must be an int >= 0, got {inline_constant_limit!r}")
        if isinstance(path_to_underline, ObjectPath):
            paths: tuple[ObjectPath, ...] = (path_to_underline,)
        else:
            paths = tuple(path_to_underline or ())
        for p in paths:
            if not isinstance(p, ObjectPath):
                raise IRError(f"printer option path_to_underline takes ObjectPaths, got {type(p).__name__}")
        self.indent = indent
        self.show_meta = bool(show_meta)
        self.verbose_expr = bool(verbose_expr)
        self.path_to_underline = paths
        self.syntax = syntax
        self.inline_constant_limit = inline_constant_limit
        self.header = header

    @staticmethod
    def make(options: dict[str, Any]) -> PrinterOptions:
        """Options from keyword arguments; an unknown name is an IRError listing the valid ones."""
        unknown = [k for k in options if k not in PrinterOptions.__slots__]
        if unknown:
            raise IRError(f"unknown printer option {unknown[0]!r}; options are: {', '.join(PrinterOptions.__slots__)}")
        return PrinterOptions(**options)

    @property
    def tvm(self) -> bool:
        """Whether to print Apache TVM 0.25's spelling."""
        return self.syntax == "tvm-0.25"
