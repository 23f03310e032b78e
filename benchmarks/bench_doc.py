"""Micro-benchmark of the Doc layer: ast.parse vs ast -> Doc, and ast.unparse vs doc.render.

    python benchmarks/bench_doc.py [--lines 10000] [--repeat 5]

Text: a Relax-style function of N bindings such as
`lvI: R.Tensor((n, 784), dtype="float32") = R.call_tir(cls.dense, (x, w), out_sinfo=...)`.
Each phase is timed with the garbage collector off (as parse_python runs) and
the best of `repeat` runs is reported, with the ratios the Doc layer aims at:
ast->Doc <= 0.5x ast.parse, render well under ast.unparse.
"""

from __future__ import annotations

import argparse
import ast
import gc
import time

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


def _best(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    text = make_text(args.lines)
    tree = ast.parse(text)
    t_parse, _ = _best(lambda: ast.parse(text), args.repeat)
    t_conv, _ = _best(lambda: _Converter(ParsedSource("<bench>", text)).module(tree), args.repeat)
    t_full, doc = _best(lambda: parse_python(text), args.repeat)
    t_unparse, _ = _best(lambda: ast.unparse(tree), args.repeat)
    t_render, out = _best(lambda: render(doc), args.repeat)
    print(f"{args.lines} lines, {len(text) / 1e6:.2f} MB")
    print(f"ast.parse            {t_parse * 1e3:8.1f} ms")
    print(f"ast -> Doc           {t_conv * 1e3:8.1f} ms   ({t_conv / t_parse:.2f}x ast.parse)")
    print(f"parse_python (both)  {t_full * 1e3:8.1f} ms")
    print(f"ast.unparse          {t_unparse * 1e3:8.1f} ms")
    print(f"doc.render           {t_render * 1e3:8.1f} ms   ({t_render / t_unparse:.2f}x ast.unparse)")
    assert len(out) > len(text) * 0.9


if __name__ == "__main__":
    main()
