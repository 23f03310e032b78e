"""A transformer block as a script, for a sequence of symbolic length `s`: pre-norm causal
multi-head self-attention (layer_norm, Q/K/V projections, scaled scores, causal mask, softmax,
output projection) with a residual, then a GELU feed-forward network with a residual.

    python examples/transformer.py   # runs the block in the reference interpreter on random inputs
"""

from __future__ import annotations

import numpy as np

from irscript.interp import run
from irscript.script import ir as I
from irscript.script import relax as R
from irscript.script import tir as T

D, HEADS, HEAD_DIM, FFN = 16, 2, 8, 32


@I.ir_module
class TransformerBlock:
    @R.function
    def main(
        x: R.Tensor(("s", 16), "float32"),
        ln1_g: R.Tensor((16,), "float32"),
        ln1_b: R.Tensor((16,), "float32"),
        wq: R.Tensor((16, 16), "float32"),
        wk: R.Tensor((16, 16), "float32"),
        wv: R.Tensor((16, 16), "float32"),
        wo: R.Tensor((16, 16), "float32"),
        ln2_g: R.Tensor((16,), "float32"),
        ln2_b: R.Tensor((16,), "float32"),
        w1: R.Tensor((16, 32), "float32"),
        b1: R.Tensor((32,), "float32"),
        w2: R.Tensor((32, 16), "float32"),
        b2: R.Tensor((16,), "float32"),
    ) -> R.Tensor(("s", 16), "float32"):
        s = T.int64()
        with R.dataflow():
            # attention
            h = R.nn.layer_norm(x, ln1_g, ln1_b, axes=[-1])
            q = R.permute_dims(R.reshape(R.matmul(h, wq), (s, 2, 8)), [1, 0, 2])
            k = R.permute_dims(R.reshape(R.matmul(h, wk), (s, 2, 8)), [1, 2, 0])
            v = R.permute_dims(R.reshape(R.matmul(h, wv), (s, 2, 8)), [1, 0, 2])
            scores = R.multiply(R.matmul(q, k), R.const(0.35355339, "float32"))
            causal = R.greater(R.tril(R.ones((s, s), "float32")), R.const(0.0, "float32"))
            masked = R.where(causal, scores, R.const(-1e9, "float32"))
            attn = R.nn.softmax(masked, axis=-1)
            ctx = R.reshape(R.permute_dims(R.matmul(attn, v), [1, 0, 2]), (s, 16))
            x1 = R.add(x, R.matmul(ctx, wo))
            # feed-forward
            h2 = R.nn.layer_norm(x1, ln2_g, ln2_b, axes=[-1])
            f = R.nn.gelu(R.add(R.matmul(h2, w1), b1))
            out = R.add(x1, R.add(R.matmul(f, w2), b2))
            R.output(out)
        return out


def random_inputs(seq: int = 5, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)

    def mat(rows: int, cols: int) -> np.ndarray:
        return (rng.standard_normal((rows, cols)) / np.sqrt(rows)).astype("float32")

    def vec(n: int, center: float = 0.0) -> np.ndarray:
        return (center + 0.1 * rng.standard_normal(n)).astype("float32")

    return [rng.standard_normal((seq, D)).astype("float32"), vec(D, 1.0), vec(D),
            mat(D, D), mat(D, D), mat(D, D), mat(D, D), vec(D, 1.0), vec(D),
            mat(D, FFN), vec(FFN), mat(FFN, D), vec(D)]


def main() -> None:
    for seq in (3, 7):
        inputs = random_inputs(seq)
        out = run(TransformerBlock, "main", *inputs)
        print(f"transformer block (d={D}, {HEADS} heads): sequence {inputs[0].shape} -> {out.shape} {out.dtype}, "
              f"mean |out - x| = {np.abs(out - inputs[0]).mean():.3f}")


if __name__ == "__main__":
    main()
