"""The printer: IR -> Doc (dispatch on dialect and node class) -> text (`irscript.doc.render`).

    print_script(node, **options) -> str     also node.script(**options)
    show(node, **options)                    highlighted in a terminal (node.show())
    short_repr(node) -> str                  repr(node)
    PrinterOptions                           indent, show_meta, verbose_expr, path_to_underline,
                                             syntax ("classic" | "tvm-0.25"), inline_constant_limit,
                                             header

A dialect adds printing for its nodes with `register(node_cls, dialect)`, the
same way the TIR and Relax printers do::

    from irscript.doc import nodes as D
    from irscript.printer import Dialect, register

    TOY = Dialect("toy", "X", module="toy.script")    # header: `# from toy.script import toy as X`

    @register(ToyClamp)                                # an expression node: return a Doc expression
    def _clamp(p, e):
        return p.call(TOY, "clamp", [p.expr(e.value)], [("lo", D.Literal(e.lo))])

    @register(ToyKernel)                               # a statement: append to p.body, return it
    def _kernel(p, k):
        prev = p.enter_dialect(TOY)                    # handlers registered for TOY apply inside
        outer = p.open_body()
        p.stmt(k.body)
        body = p.close_body(outer)
        p.exit_dialect(prev)
        return p.emit(D.With([(p.call(TOY, "kernel", [D.Literal(k.name)]), None)], body))

    @register(tir.Var, TOY)                            # how a TIR var prints inside TOY frames
    def _var(p, v): ...

`p.call` / `p.ns` record that the dialect's namespace is used (for the
header); `p.names.define(obj, hint)` names what a construct defines;
`p.undefined(obj, hint)` names what is used but not defined. See
tests/test_printer_nodes.py for the complete toy dialect. Modules: core (dispatch, docsifier), namer, options, metadata,
underline, ir (modules, functions' names), tir_expr / tir_buffer / tir_stmt /
tir_func (TIR), struct_info / relax (Relax), highlight, api (entry points).
"""

from irscript.printer import ir, relax, struct_info, tir_buffer, tir_expr, tir_func, tir_stmt  # noqa: F401
from irscript.printer.api import print_script, short_repr, show, to_doc
from irscript.printer.core import IR, Dialect, IRDocsifier, register
from irscript.printer.options import PrinterOptions
from irscript.printer.relax import RELAX
from irscript.printer.tir_expr import TIR

__all__ = [
    "IR", "RELAX", "TIR", "Dialect", "IRDocsifier", "PrinterOptions", "print_script", "register", "short_repr",
    "show", "to_doc",
]
