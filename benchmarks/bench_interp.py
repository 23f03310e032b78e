"""Reference interpreter benchmark: TIR kernels on the vectorized and the scalar path, and a Relax
model end to end.

Figures (scale 1.0; `--quick` shrinks every size):
* a 256x256x256 float32 matmul PrimFunc (te-built, one block with init) on the vectorized
  path; baseline: `numpy.matmul` of the same arrays (BLAS, so the ratio is large by design);
* the same kernel at 32^3 on the scalar path (one iteration at a time), with the
  microseconds per innermost iteration; baseline: the vectorized path at that size;
* a legalized `R.nn.conv2d` (1x16x32x32 input, 32 3x3 filters, padding 1) on the
  vectorized path; baseline: a numpy im2col + matmul;
* the 2-layer MLP of `irscript.testing.builder_models` (batch 64, call_tir into TIR
  kernels) through `irscript.interp.run`; baseline: the numpy forward pass.

    python -m benchmarks interp        or   python -m benchmarks.bench_interp [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks import Row, best_time
from irscript import relax, tir
from irscript.interp import run as interp_run
from irscript.interp.tir_func import TIRRunner
from irscript.ir import IRModule
from irscript.relax.op import FunctionTable, legalize_call, nn
from irscript.testing.builder_models import mlp_module
from irscript.tir import te

MS = 1e3


def matmul_func(n: int) -> tir.PrimFunc:
    a = te.placeholder((n, n), "float32", "A")
    b = te.placeholder((n, n), "float32", "B")
    k = te.reduce_axis(n, "k")
    c = te.compute((n, n), lambda i, j: te.sum(a[i, k] * b[k, j], axis=k), name="C")
    return te.create_prim_func([a, b, c])


def _time_matmul(size: int, vectorize: bool, repeat: int) -> tuple[float, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    func = matmul_func(size)
    a, b = rng.standard_normal((size, size)).astype("float32"), rng.standard_normal((size, size)).astype("float32")
    out = np.zeros((size, size), "float32")
    runner = TIRRunner(None, vectorize)
    t, _ = best_time(lambda: runner.call(func, [a, b, out]), repeat)
    return t, a, b


def _matmul_rows(n: int, n_scalar: int, repeat: int) -> list[Row]:
    t_vec, a, b = _time_matmul(n, True, repeat)
    t_np, _ = best_time(lambda: np.matmul(a, b), repeat)
    t_scalar, _, _ = _time_matmul(n_scalar, False, 1)
    t_small, _, _ = _time_matmul(n_scalar, True, repeat)
    return [
        Row(f"matmul {n}^3 PrimFunc, vectorized", t_vec * MS, "ms", "numpy.matmul", t_np * MS),
        Row(f"matmul {n_scalar}^3 PrimFunc, scalar path", t_scalar * MS, "ms", "vectorized path", t_small * MS),
        Row("scalar path per innermost iteration", t_scalar / n_scalar**3 * 1e6, "us"),
    ]


def _conv_rows(channels: int, size: int, repeat: int) -> list[Row]:
    rng = np.random.default_rng(1)
    x = relax.Var("x", relax.TensorStructInfo((1, channels, size, size), "float32"))
    w = relax.Var("w", relax.TensorStructInfo((2 * channels, channels, 3, 3), "float32"))
    table = FunctionTable()
    call = legalize_call(nn.conv2d(x, w, padding=1), table)
    y = relax.Var("y", call.struct_info)
    body = relax.SeqExpr([relax.BindingBlock([relax.VarBinding(y, call)])], y)
    mod = IRModule({"main": relax.Function([x, w], body, y.struct_info), **table.functions})
    xs = rng.standard_normal((1, channels, size, size)).astype("float32")
    ws = rng.standard_normal((2 * channels, channels, 3, 3)).astype("float32")
    t, got = best_time(lambda: interp_run(mod, "main", xs, ws), repeat)

    def numpy_conv() -> np.ndarray:
        p = np.pad(xs[0], ((0, 0), (1, 1), (1, 1)))
        cols = np.stack([p[:, i:i + size, j:j + size] for i in range(3) for j in range(3)], axis=1)
        return (ws.reshape(2 * channels, -1) @ cols.reshape(channels * 9, -1)).reshape(1, 2 * channels, size, size)

    t_np, want = best_time(numpy_conv, repeat)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)
    return [Row(f"conv2d 1x{channels}x{size}x{size}, {2 * channels} 3x3 filters (legalized)", t * MS, "ms",
                "numpy im2col+matmul", t_np * MS)]


def _mlp_rows(batch: int, repeat: int) -> list[Row]:
    rng = np.random.default_rng(2)
    shapes = [(batch, 784), (784, 128), (128,), (128, 10), (10,)]
    args = [rng.standard_normal(s).astype("float32") for s in shapes]
    mod = mlp_module()
    t, got = best_time(lambda: interp_run(mod, "main", *args), repeat)
    x, w1, b1, w2, b2 = args
    t_np, want = best_time(lambda: np.maximum(x @ w1 + b1, 0) @ w2 + b2, repeat)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)
    return [Row(f"MLP 784-128-10, batch {batch} (Relax + call_tir)", t * MS, "ms", "numpy forward", t_np * MS)]


def run(scale: float = 1.0, repeat: int = 3) -> list[Row]:
    """The rows at `scale` (below 1.0: small sizes)."""
    quick = scale < 1.0
    rows = _matmul_rows(64 if quick else 256, 16 if quick else 32, repeat)
    rows += _conv_rows(4 if quick else 16, 16 if quick else 32, repeat)
    rows += _mlp_rows(8 if quick else 64, repeat)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ns = ap.parse_args()
    for row in run(0.1 if ns.quick else 1.0, ns.repeat):
        ratio = f"  ({row.ratio:.1f}x {row.baseline})" if row.ratio else ""
        print(f"{row.figure}: {row.value:,.2f} {row.unit}{ratio}")
