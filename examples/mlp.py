"""An MLP classifier as a script: two dense layers with ReLU and a softmax, batch size symbolic.

    python examples/mlp.py          # runs the model in the reference interpreter on random inputs

Every layer is a high-level Relax op (`R.matmul`, `R.add`, `R.nn.relu`,
`R.nn.softmax`); the interpreter runs them through the ops' numpy references,
and the same module can be legalized to TIR kernels (see tests/test_examples.py).
"""

from __future__ import annotations

import numpy as np

from irscript.interp import run
from irscript.script import ir as I
from irscript.script import relax as R

IN, HIDDEN, CLASSES = 784, 128, 10


@I.ir_module
class MLP:
    @R.function
    def main(
        x: R.Tensor(("n", 784), "float32"),
        w1: R.Tensor((784, 128), "float32"),
        b1: R.Tensor((128,), "float32"),
        w2: R.Tensor((128, 10), "float32"),
        b2: R.Tensor((10,), "float32"),
    ) -> R.Tensor(("n", 10), "float32"):
        with R.dataflow():
            h = R.matmul(x, w1)
            h_b = R.add(h, b1)
            a = R.nn.relu(h_b)
            o = R.matmul(a, w2)
            logits = R.add(o, b2)
            probs = R.nn.softmax(logits, axis=-1)
            R.output(probs)
        return probs


def random_inputs(batch: int = 4, seed: int = 0) -> list[np.ndarray]:
    """An input batch and weights (scaled like a trained layer's)."""
    rng = np.random.default_rng(seed)
    return [
        rng.standard_normal((batch, IN)).astype("float32"),
        (rng.standard_normal((IN, HIDDEN)) / np.sqrt(IN)).astype("float32"),
        (rng.standard_normal(HIDDEN) * 0.1).astype("float32"),
        (rng.standard_normal((HIDDEN, CLASSES)) / np.sqrt(HIDDEN)).astype("float32"),
        (rng.standard_normal(CLASSES) * 0.1).astype("float32"),
    ]


def main() -> None:
    inputs = random_inputs()
    probs = run(MLP, "main", *inputs)
    print(f"MLP {IN}-{HIDDEN}-{CLASSES}: input {inputs[0].shape} -> probabilities {probs.shape} {probs.dtype}")
    print(f"  rows sum to 1: {np.allclose(probs.sum(-1), 1)}; predicted classes: {probs.argmax(-1).tolist()}")


if __name__ == "__main__":
    main()
