"""A model mixing the three ways to compute in irscript: a hand-written tensor-level kernel
(`T.prim_func`, called with `R.call_tir`), high-level Relax ops, and a library function
registered from Python (`R.call_dps_packed`), plus a call of another Relax function.

    python examples/mixed.py        # runs the model in the reference interpreter on random inputs

`rms_norm` is written by hand: one block reduces each row's sum of squares into
a scratch buffer (with `T.init`), a second scales the row. `example.gemm` is a
numpy matmul registered with `irscript.interp.register_func`.
"""

from __future__ import annotations

import numpy as np

from irscript.interp import register_func, run
from irscript.script import ir as I
from irscript.script import relax as R
from irscript.script import tir as T


@register_func("example.gemm", override=True)
def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """The library kernel: out = a @ b (destination-passing style)."""
    np.matmul(a, b, out=out)


@I.ir_module
class Mixed:
    @T.prim_func(private=True)
    def rms_norm(a: T.handle, w: T.handle, out: T.handle):
        T.func_attr({"tir.noalias": True})
        n, m = T.int64(), T.int64()
        A = T.match_buffer(a, (n, m), "float32")
        W = T.match_buffer(w, (m,), "float32")
        Out = T.match_buffer(out, (n, m), "float32")
        sq = T.alloc_buffer((n,), "float32")
        for i, k in T.grid(n, m):
            with T.block("sum_sq"):
                vi, vk = T.axis.remap("SR", [i, k])
                with T.init():
                    sq[vi] = T.float32(0)
                sq[vi] = sq[vi] + A[vi, vk] * A[vi, vk]
        for i, j in T.grid(n, m):
            with T.block("scale"):
                vi, vj = T.axis.remap("SS", [i, j])
                Out[vi, vj] = A[vi, vj] * T.rsqrt(sq[vi] / T.Cast("float32", m) + T.float32(1e-5)) * W[vj]

    @R.function
    def ffn(h: R.Tensor(("n", 8), "float32"), w: R.Tensor((8, 8), "float32")) -> R.Tensor(("n", 8), "float32"):
        n = T.int64()
        with R.dataflow():
            g = R.call_dps_packed("example.gemm", (h, w), out_sinfo=R.Tensor((n, 8), "float32"))
            a = R.nn.silu(g)
            R.output(a)
        return a

    @R.function
    def main(
        x: R.Tensor(("n", 8), "float32"),
        norm_w: R.Tensor((8,), "float32"),
        w: R.Tensor((8, 8), "float32"),
    ) -> R.Tensor(("n", 8), "float32"):
        n = T.int64()
        cls = Mixed
        with R.dataflow():
            h = R.call_tir(cls.rms_norm, (x, norm_w), out_sinfo=R.Tensor((n, 8), "float32"))
            R.output(h)
        f = cls.ffn(h, w)
        out = R.add(x, f)
        return out


def random_inputs(batch: int = 3, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((batch, 8)).astype("float32"),
            (1 + 0.1 * rng.standard_normal(8)).astype("float32"),
            (rng.standard_normal((8, 8)) / np.sqrt(8)).astype("float32")]


def main() -> None:
    inputs = random_inputs()
    out = run(Mixed, "main", *inputs)
    first = ", ".join(f"{v:.3f}" for v in out[0, :4])
    print(f"mixed model (T.prim_func rms_norm + example.gemm + R ops): {inputs[0].shape} -> {out.shape} "
          f"{out.dtype}, first row [{first}, ...]")


if __name__ == "__main__":
    main()
