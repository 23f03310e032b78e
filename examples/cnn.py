"""A small CNN as a script: two conv2d + bias + ReLU + pooling stages and a dense classifier, on
16x16 single-channel images with a symbolic batch size.

    python examples/cnn.py          # runs the model in the reference interpreter on random inputs
"""

from __future__ import annotations

import numpy as np

from irscript.interp import run
from irscript.script import ir as I
from irscript.script import relax as R
from irscript.script import tir as T


@I.ir_module
class CNN:
    @R.function
    def main(
        x: R.Tensor(("n", 1, 16, 16), "float32"),
        conv1_w: R.Tensor((8, 1, 3, 3), "float32"),
        conv1_b: R.Tensor((8,), "float32"),
        conv2_w: R.Tensor((16, 8, 3, 3), "float32"),
        conv2_b: R.Tensor((16,), "float32"),
        fc_w: R.Tensor((256, 10), "float32"),
        fc_b: R.Tensor((10,), "float32"),
    ) -> R.Tensor(("n", 10), "float32"):
        n = T.int64()
        with R.dataflow():
            c1 = R.nn.conv2d(x, conv1_w, padding=1)
            c1_b = R.add(c1, R.reshape(conv1_b, (1, 8, 1, 1)))
            r1 = R.nn.relu(c1_b)
            p1 = R.nn.max_pool2d(r1, pool_size=2, strides=2)
            c2 = R.nn.conv2d(p1, conv2_w, padding=1)
            c2_b = R.add(c2, R.reshape(conv2_b, (1, 16, 1, 1)))
            r2 = R.nn.relu(c2_b)
            p2 = R.nn.avg_pool2d(r2, pool_size=2, strides=2)
            flat = R.reshape(p2, (n, 256))
            logits = R.add(R.matmul(flat, fc_w), fc_b)
            R.output(logits)
        return logits


def random_inputs(batch: int = 2, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)

    def weights(*shape: int) -> np.ndarray:
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype("float32")

    return [
        rng.standard_normal((batch, 1, 16, 16)).astype("float32"),
        weights(8, 1, 3, 3), (rng.standard_normal(8) * 0.1).astype("float32"),
        weights(16, 8, 3, 3), (rng.standard_normal(16) * 0.1).astype("float32"),
        (rng.standard_normal((256, 10)) / 16).astype("float32"), (rng.standard_normal(10) * 0.1).astype("float32"),
    ]


def main() -> None:
    inputs = random_inputs()
    logits = run(CNN, "main", *inputs)
    print(f"CNN: images {inputs[0].shape} -> logits {logits.shape} {logits.dtype}")
    print(f"  predicted classes: {logits.argmax(-1).tolist()}; logit range [{logits.min():.3f}, {logits.max():.3f}]")


if __name__ == "__main__":
    main()
