"""The printer's entry points: `to_doc`, `print_script`, `show`, `short_repr`.

Any node prints. An IRModule or a function prints as a parseable script with
the header comment naming the namespaces it uses (only those, in the order
I, T, R); any other node prints as a fragment: statements (a TIR statement,
a Relax binding or block, a buffer declaration) or an expression. Vars a
fragment uses but does not define print by name (statements get an
`# undefined: x` comment), or, with `verbose_expr=True`, are declared first.
A metadata section follows when large constants were printed by reference.
"""

from __future__ import annotations

import threading
from typing import Any

from irscript.doc import nodes as D
from irscript.doc.render import render
from irscript.ir.module import BaseFunc, IRModule
from irscript.ir.node import generic_repr
from irscript.ir.structural import deep_recursion
from irscript.printer.core import IRDocsifier
from irscript.printer.highlight import print_highlighted
from irscript.printer.metadata import metadata_section
from irscript.printer.options import PrinterOptions
from irscript.printer.underline import Tracker

REPR_MAX_LINES = 40


def header_lines(p: IRDocsifier) -> list[str]:
    """`from irscript.script import ir as I, tir as T` (TVM 0.25: one `from tvm.script ...` per
    namespace) for the namespaces the text uses."""
    used = sorted(p.used, key=lambda d: (d.order, d.name))
    if not used:
        return []
    if p.opts.tvm:
        return [f"from tvm.script import {d.tvm_name} as {d.alias}" if d.module == "irscript.script"
                else f"from {d.module} import {d.name} as {d.alias}" for d in used]
    by_module: dict[str, list[str]] = {}
    for d in used:
        by_module.setdefault(d.module, []).append(f"{d.name} as {d.alias}")
    return [f"from {m} import {', '.join(names)}" for m, names in by_module.items()]


def to_doc(node: Any, opts: PrinterOptions) -> tuple[D.Doc, list[D.Doc]]:
    """(the Doc of `node`, the Docs to underline)."""
    p = IRDocsifier(opts, node)
    script = isinstance(node, (IRModule, BaseFunc))
    # a buffer (a binding object defined where first seen) prints as its declaration
    declaration = getattr(type(node), "_binding", None) == "auto"
    p.declare_free = (opts.verbose_expr or declaration) and not script
    tracker = None
    if opts.path_to_underline:
        tracker = Tracker(node, opts.path_to_underline)
        tracker.install(p)
    with deep_recursion():
        doc = p.expr(node)
    body = p.body
    underline = tracker.docs() if tracker is not None else []
    if not body and not p.preamble and p.meta is None and not opts.header:
        return doc, underline
    if doc is not None and not isinstance(doc, D.Stmt) and not (declaration and p.preamble):
        body.append(D.ExprStmt(doc))
    notes = p.take_notes()
    if notes and not isinstance(doc, D.Expr):
        body.append(D.Comment("undefined: " + ", ".join(notes)))
    stmts = p.preamble + body + metadata_section(p)
    show_header = opts.header if opts.header is not None else script
    return D.Module(stmts, header_lines(p) if show_header else []), underline


def print_script(node: Any, **options: Any) -> str:
    """`node` as script text. Options: see `irscript.printer.options`."""
    opts = PrinterOptions.make(options)
    doc, underline = to_doc(node, opts)
    return render(doc, opts.indent, underline or None)


def show(node: Any, **options: Any) -> None:
    """Print `node`'s script text, highlighted when standard output is a terminal."""
    print_highlighted(print_script(node, **options))


_GUARD = threading.local()


def short_repr(node: Any) -> str:
    """The short script form used by `repr(node)`: no header, metadata hidden, at most
    REPR_MAX_LINES lines; the generic field repr if printing fails (or re-enters)."""
    if getattr(_GUARD, "active", False):
        return generic_repr(node)
    _GUARD.active = True
    try:
        text = print_script(node, show_meta=False, header=False)
    except Exception:  # repr must never raise
        return generic_repr(node)
    finally:
        _GUARD.active = False
    lines = text.split("\n")
    if len(lines) > REPR_MAX_LINES:
        text = "\n".join(lines[:REPR_MAX_LINES] + [f"# ... {len(lines) - REPR_MAX_LINES} more lines"])
    return text


__all__ = ["header_lines", "print_script", "short_repr", "show", "to_doc"]
