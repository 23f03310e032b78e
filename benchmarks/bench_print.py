"""Printer benchmark: IR -> Doc -> text against `ast.unparse` of the same text.

Workloads (benchmarks/generators.py): the Relax module with a function of
10,000 and of 100,000 bindings (plus its kernels), and a module of 200
PrimFuncs (~30 printed lines each). For each: `print_script` (IR -> Doc ->
text, everything included), its two phases, lines per second, and as the
baseline `ast.unparse` of the printed text's `ast` tree (measured in the
same run). Target: print_script <= 2x ast.unparse, linear growth (compare
the us/line figures of the two Relax sizes).

    python -m benchmarks print        or   python -m benchmarks.bench_print [--scale S] [--repeat R]
"""

from __future__ import annotations

import argparse
import ast
import sys

from benchmarks import Row, best_time
from benchmarks.generators import build_prim_funcs_module, build_relax_module
from irscript.doc import render
from irscript.ir import IRModule
from irscript.printer import PrinterOptions, print_script, to_doc

UNPARSE = "ast.unparse"


def _workload(label: str, mod: IRModule, repeat: int) -> list[Row]:
    opts = PrinterOptions()
    t_print, text = best_time(lambda: print_script(mod), repeat)
    t_doc, (doc, _) = best_time(lambda: to_doc(mod, opts), repeat)
    t_render, again = best_time(lambda: render(doc, opts.indent), repeat)
    if again != text:  # sanity, not timed
        raise AssertionError(f"{label}: rendering the Doc twice gave different text")
    tree = ast.parse(text)
    t_unparse, _ = best_time(lambda: ast.unparse(tree), repeat)
    lines = text.count("\n") + 1
    ms = 1e3
    return [
        Row(f"{label}: lines printed", lines, "lines"),
        Row(f"{label}: print_script", t_print * ms, "ms", UNPARSE, t_unparse * ms),
        Row(f"{label}: IR -> Doc", t_doc * ms, "ms", UNPARSE, t_unparse * ms),
        Row(f"{label}: Doc -> text", t_render * ms, "ms", UNPARSE, t_unparse * ms),
        Row(f"{label}: print_script rate", lines / t_print, "lines/s", f"{UNPARSE} rate", lines / t_unparse),
        Row(f"{label}: print_script per line", t_print / lines * 1e6, "us/line"),
    ]


def run(scale: float = 1.0, repeat: int = 3) -> list[Row]:
    """Rows for 10,000 and 100,000 bindings and 200 PrimFuncs, times `scale`."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    small, big, funcs = (max(10, round(n * scale)) for n in (10_000, 100_000, 200))
    rows = _workload(f"Relax {small:,} bindings", build_relax_module(small), repeat)
    rows += _workload(f"Relax {big:,} bindings", build_relax_module(big), max(1, repeat - 1))
    rows += _workload(f"{funcs:,} PrimFuncs", build_prim_funcs_module(funcs), repeat)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for row in run(args.scale, args.repeat):
        ratio = f"  ({row.ratio:.2f}x {row.baseline} = {row.baseline_value:,.1f})" if row.ratio else ""
        print(f"{row.figure:48s} {row.value:12,.1f} {row.unit}{ratio}")


if __name__ == "__main__":
    main()
