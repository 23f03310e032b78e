"""Regenerate the TVM-printed fixtures in this folder with Apache TVM 0.25 (not irscript).

    /path/to/tvm25-venv/bin/python tests/data/tvm-0.25/generate.py

(see docs/tvm-oracle.md for installing TVM 0.25). A small model written here in TVM's own
script spelling — layer norm, a dense layer with bias, GELU, a second dense layer and a
residual add over a symbolic batch `n` — is printed by TVM at three stages: as written
(`mlp__relax.py`), after `LegalizeOps` (`mlp__legalized.py`) and after
`AnnotateTIROpPattern + FuseOps + FuseTIR + DeadCodeElimination` (`mlp__fused.py`).
The tests read these texts to check that irscript reads what TVM prints.
"""

from __future__ import annotations

import pathlib

import tvm
from tvm import relax
from tvm.script import ir as I  # noqa: F401  (used by the script below)
from tvm.script import relax as R  # noqa: F401

MODEL = '''
@I.ir_module
class Module:
    @R.function
    def main(x: R.Tensor(("n", 16), "float32"), gamma: R.Tensor((16,), "float32"),
             beta: R.Tensor((16,), "float32"), w1: R.Tensor((16, 32), "float32"),
             b1: R.Tensor((32,), "float32"), w2: R.Tensor((32, 16), "float32")) -> R.Tensor(("n", 16), "float32"):
        R.func_attr({"num_input": 1})
        with R.dataflow():
            h = R.nn.layer_norm(x, gamma, beta, axes=[-1], epsilon=1e-5)
            a = R.matmul(h, w1)
            b = R.add(a, b1)
            g = R.nn.gelu(b)
            o = R.matmul(g, w2)
            y = R.add(o, x)
            R.output(y)
        return y
'''


def main() -> None:
    here = pathlib.Path(__file__).resolve().parent
    mod = tvm.script.from_source(MODEL)
    stages = {"relax": mod}
    mod = relax.transform.LegalizeOps()(mod)
    stages["legalized"] = mod
    seq = tvm.transform.Sequential([
        relax.transform.AnnotateTIROpPattern(),
        relax.transform.FuseOps(),
        relax.transform.FuseTIR(),
        relax.transform.DeadCodeElimination(),
    ])
    stages["fused"] = seq(mod)
    for name, m in stages.items():
        (here / f"mlp__{name}.py").write_text(m.script())
        print("wrote", here / f"mlp__{name}.py")


if __name__ == "__main__":
    main()
