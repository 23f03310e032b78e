"""Doc layer benchmark: ast.parse vs ast -> Doc, and ast.unparse vs doc.render.

Text: a Relax-style function of N bindings (10,000 at scale 1) such as
`lvI: R.Tensor((n, 784), dtype="float32") = R.call_tir(cls.dense, (x, w), out_sinfo=...)`.
Baselines, in the same run on the same text: `ast.parse` (GC off, as for every
figure unless noted) for the conversion and for parse_python, `ast.unparse`
of the same tree for the renderer. Targets: ast -> Doc <= 0.5x ast.parse,
render well under ast.unparse. "ast -> Doc" converts an already parsed tree;
parse_python also parses and pays for freeing the ast; it switches the GC off
inside, which is why it beats a plain `ast.parse` call with the GC on.

    python -m benchmarks doc        or   python -m benchmarks.bench_doc [--lines N] [--repeat R]
"""

from __future__ import annotations

import argparse
import ast

from benchmarks import Row, best_time
from irscript.doc import parse_python, render
from irscript.doc.frontend import _Converter
from irscript.doc.nodes import ParsedSource


def make_text(n: int) -> str:
    lines = [
        "# from irscript.script import ir as I, tir as T, relax as R", "",
        "@I.ir_module", "class Module:", "    @R.function",
        '    def main(x: R.Tensor(("n", 784), dtype="float32"), w: R.Tensor((784, 128), dtype="float32")):',
        "        n = T.int64()", "        cls = Module",
    ]
    for i in range(n):
        lines.append(f'        lv{i}: R.Tensor((n, 784), dtype="float32") = R.call_tir(cls.dense, (x, w), '
                     f'out_sinfo=R.Tensor((n, 128), dtype="float32"))')
    lines.append(f"        return lv{n - 1}")
    return "\n".join(lines) + "\n"


def _gc_on_parse(text: str, repeat: int) -> float:
    import gc
    import time

    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        ast.parse(text)
        best = min(best, time.perf_counter() - t0)
    return best


def run(scale: float = 1.0, repeat: int = 3) -> list[Row]:
    """Rows for a function of `10,000 * scale` bindings."""
    n = max(100, round(10_000 * scale))
    text = make_text(n)
    tree = ast.parse(text)
    t_parse, _ = best_time(lambda: ast.parse(text), repeat)
    t_conv, _ = best_time(lambda: _Converter(ParsedSource("<bench>", text)).module(tree), repeat)
    t_full, doc = best_time(lambda: parse_python(text), repeat)
    t_parse_gc = _gc_on_parse(text, repeat)
    t_unparse, _ = best_time(lambda: ast.unparse(tree), repeat)
    t_render, out = best_time(lambda: render(doc), repeat)
    if len(out) < len(text) * 0.9:  # sanity, not timed
        raise AssertionError("render lost text")
    ms, label = 1e3, f"{n:,} bindings"
    return [
        Row(f"{label}: ast -> Doc", t_conv * ms, "ms", "ast.parse", t_parse * ms),
        Row(f"{label}: parse_python", t_full * ms, "ms", "ast.parse", t_parse * ms),
        Row(f"{label}: parse_python", t_full * ms, "ms", "ast.parse, GC on", t_parse_gc * ms),
        Row(f"{label}: render", t_render * ms, "ms", "ast.unparse", t_unparse * ms),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    for row in run(args.lines / 10_000, args.repeat):
        ratio = f"  ({row.ratio:.2f}x {row.baseline} = {row.baseline_value:.1f} ms)" if row.ratio else ""
        print(f"{row.figure:42s} {row.value:8.1f} {row.unit}{ratio}")


if __name__ == "__main__":
    main()
