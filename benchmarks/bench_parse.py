"""Script parser benchmark: text -> IRModule for large generated modules, by phase.

Texts (in the printed form):
* a Relax function of N bindings (1k, 10k, 100k at scale 1) in a dataflow block, each
  `lvI: R.Tensor((n, 128), dtype="float32") = R.call_tir(cls.dense, (lvJ, w), out_sinfo=...)`,
  next to the `dense` kernel it calls;
* a module of 200 prim_funcs (scale 1): matmul + relu kernels with blocks, remapped axes,
  reads/writes, init and a root allocation, sizes varying per function.

Phases (GC paused, as `parse` pauses it): text -> ast (`ast.parse`), ast -> Doc, Doc -> IR
(the parser driving the IRBuilder), the well-formedness check. `parse()` is the whole call as a
user makes it; its baseline is `ast.parse` of the same text, both with the default garbage
collector settings, best of `repeat`. Growth rows compare the whole parse at 10x the bindings
(target: at most 11x). Targets from the issue: parse(10k bindings) <= 3x ast.parse.

    python -m benchmarks parse        or   python -m benchmarks.bench_parse [--scale S] [--repeat R]
"""

from __future__ import annotations

import argparse
import ast
import gc
import time
from collections.abc import Callable
from typing import Any

from benchmarks import Row

HEADER = "# from irscript.script import ir as I, tir as T, relax as R\n\n@I.ir_module\nclass Module:\n"

DENSE = '''    @T.prim_func
    def dense(var_a: T.handle, w: T.Buffer((128, 128), "float32"), var_c: T.handle):
        T.func_attr({"tir.noalias": True})
        n = T.int64()
        A = T.match_buffer(var_a, (n, 128))
        C = T.match_buffer(var_c, (n, 128))
        # with T.block("root"):
        for i, j, k in T.grid(n, 128, 128):
            with T.block("dense"):
                vi, vj, vk = T.axis.remap("SSR", [i, j, k])
                T.reads(A[vi, vk], w[vk, vj])
                T.writes(C[vi, vj])
                with T.init():
                    C[vi, vj] = T.float32(0.0)
                C[vi, vj] = C[vi, vj] + A[vi, vk] * w[vk, vj]

'''


def relax_text(n: int) -> str:
    """A module whose `main` has a dataflow block of `n` call_tir bindings."""
    lines = [
        HEADER + DENSE,
        "    @R.function",
        '    def main(x: R.Tensor(("n", 128), dtype="float32"), w: R.Tensor((128, 128), dtype="float32")) '
        '-> R.Tensor(("n", 128), dtype="float32"):',
        "        n = T.int64()",
        "        cls = Module",
        "        with R.dataflow():",
    ]
    sinfo = 'R.Tensor((n, 128), dtype="float32")'
    prev = "x"
    for i in range(n):
        lines.append(f"            lv{i}: {sinfo} = R.call_tir(cls.dense, ({prev}, w), out_sinfo={sinfo})")
        prev = f"lv{i}"
    lines += [f"            gv: {sinfo} = {prev}", "            R.output(gv)", "        return gv", ""]
    return "\n".join(lines)


KERNEL = '''    @T.prim_func
    def {name}(A: T.Buffer(({m}, {k}), "float32"), B: T.Buffer(({k}, {n}), "float32"), C: T.Buffer(({m}, {n}), "float32")):
        T.func_attr({{"tir.noalias": True}})
        # with T.block("root"):
        D = T.alloc_buffer(({m}, {n}))
        for i, j, k in T.grid({m}, {n}, {k}):
            with T.block("matmul"):
                vi, vj, vk = T.axis.remap("SSR", [i, j, k])
                T.reads(A[vi, vk], B[vk, vj])
                T.writes(D[vi, vj])
                with T.init():
                    D[vi, vj] = T.float32(0.0)
                D[vi, vj] = D[vi, vj] + A[vi, vk] * B[vk, vj]
        for i, j in T.grid({m}, {n}):
            with T.block("relu"):
                vi, vj = T.axis.remap("SS", [i, j])
                T.reads(D[vi, vj])
                T.writes(C[vi, vj])
                C[vi, vj] = T.max(D[vi, vj] * T.float32({scale}), T.float32(0.0))

'''
_SIZES = (16, 32, 48, 64, 96, 128, 256)


def tir_text(count: int) -> str:
    """A module of `count` matmul + relu kernels, no two alike."""
    parts = [HEADER]
    for i in range(count):
        m, n, k = _SIZES[i % 7], _SIZES[(i // 7) % 7], _SIZES[(i * 3 + 1) % 7]
        parts.append(KERNEL.format(name=f"kernel{i}", m=m, n=n, k=k, scale=float(i % 5 + 1)))
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# timing
# ---------------------------------------------------------------------------------------------


def _best(fn: Callable[[], Any], repeat: int, gc_paused: bool) -> tuple[float, Any]:
    """Best wall time of `fn()`; the collector paused, or left as Python runs by default."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        if gc_paused:
            gc.disable()
        try:
            t0 = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
    return best, result


def measure(text: str, repeat: int) -> dict[str, float]:
    """Seconds per phase for one text (see the module doc)."""
    from irscript.doc.frontend import _Converter
    from irscript.doc.nodes import ParsedSource
    from irscript.script import parse
    from irscript.script.parser import entry
    from irscript.script.parser.core import Parser

    out: dict[str, float] = {}
    out["ast.parse"], _ = _best(lambda: ast.parse(text), repeat, gc_paused=False)
    out["text -> ast"], tree = _best(lambda: ast.parse(text), repeat, gc_paused=True)
    out["ast -> Doc"], doc = _best(lambda: _Converter(ParsedSource("<bench>", text)).module(tree), repeat, True)

    def to_ir() -> tuple[Any, Any]:
        parser = Parser([entry._base_env(python=False)], restricted=True)
        node, decorator = entry._top_level(parser, doc)
        return entry.run_definition(parser, node, decorator.configure(check_well_formed=False)), node

    out["Doc -> IR"], (ir, node) = _best(to_ir, repeat, True)
    out["well-formedness"], _ = _best(lambda: entry.check_result(ir, node), repeat, True)
    out["parse()"], _ = _best(lambda: parse(text), repeat, gc_paused=False)
    return out


def _rows(label: str, t: dict[str, float]) -> list[Row]:
    rows = [Row(f"{label}: {phase}", t[phase], "s") for phase in ("text -> ast", "ast -> Doc", "Doc -> IR",
                                                                   "well-formedness")]
    rows.append(Row(f"{label}: parse() total", t["parse()"], "s", "ast.parse, GC on", t["ast.parse"]))
    return rows


def run(scale: float = 1.0, repeat: int = 3) -> list[Row]:
    """Rows for Relax functions of 1k/10k/100k bindings and a module of 200 prim_funcs (x scale)."""
    rows: list[Row] = []
    totals: list[tuple[int, float]] = []
    for n in (1_000, 10_000, 100_000):
        n = max(10, round(n * scale))
        t = measure(relax_text(n), repeat)
        rows += _rows(f"{n:,} bindings", t)
        totals.append((n, t["parse()"]))
    for (n0, t0), (n1, t1) in zip(totals, totals[1:]):
        rows.append(Row(f"growth {n0:,} -> {n1:,} bindings ({n1 // n0}x)", t1 / t0, "x", "target <= 11x"))
    count = max(2, round(200 * scale))
    rows += _rows(f"{count} prim_funcs", measure(tir_text(count), repeat))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for row in run(args.scale, args.repeat):
        ratio = f"  ({row.ratio:.2f}x {row.baseline} = {row.baseline_value:.3f} s)" if row.ratio else ""
        print(f"{row.figure:48s} {row.value:9.3f} {row.unit}{ratio}")


if __name__ == "__main__":
    main()
