"""The example models (examples/*.py, decorated scripts) through the reference interpreter.

Each model is checked against an independent numpy implementation written
here, then: after a JSON round trip and after a print/parse round trip it
gives bit-identical results; with every high-level op legalized to a TIR
kernel (`legalize_call`) it still matches the numpy implementation; and the
example runs as a program.
"""

from __future__ import annotations

import importlib.util
import math
import runpy
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from irscript import relax
from irscript.interp import run
from irscript.ir import IRModule, from_json, to_json
from irscript.ir.functor import Mutator, handles, pre_order
from irscript.relax.op import FunctionTable, get_entry, legalize_call
from irscript.testing.roundtrip import check_roundtrip

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name: str) -> ModuleType:
    """Import examples/<name>.py (registered in sys.modules so its scripts can be parsed)."""
    key = f"irscript_example_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------
# independent numpy implementations (float64)
# ---------------------------------------------------------------------------------------------
def f64(*arrays: np.ndarray) -> list[np.ndarray]:
    return [a.astype(np.float64) for a in arrays]


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def mlp_numpy(*inputs: np.ndarray) -> np.ndarray:
    x, w1, b1, w2, b2 = f64(*inputs)
    return softmax(np.maximum(x @ w1 + b1, 0) @ w2 + b2)


def conv2d_same(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Stride 1, padding 1, NCHW / OIHW."""
    n, _, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, w.shape[0], h, wd))
    for i in range(w.shape[2]):
        for j in range(w.shape[3]):
            out += np.einsum("nchw,oc->nohw", xp[:, :, i:i + h, j:j + wd], w[:, :, i, j])
    return out


def pool2(x: np.ndarray, reduce: Any) -> np.ndarray:
    n, c, h, w = x.shape
    return reduce(x.reshape(n, c, h // 2, 2, w // 2, 2), axis=(3, 5))


def cnn_numpy(*inputs: np.ndarray) -> np.ndarray:
    x, w1, b1, w2, b2, fw, fb = f64(*inputs)
    p1 = pool2(np.maximum(conv2d_same(x, w1) + b1[:, None, None], 0), np.max)
    p2 = pool2(np.maximum(conv2d_same(p1, w2) + b2[:, None, None], 0), np.mean)
    return p2.reshape(len(x), -1) @ fw + fb


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * g + b


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def transformer_numpy(*inputs: np.ndarray) -> np.ndarray:
    x, g1, be1, wq, wk, wv, wo, g2, be2, w1, b1, w2, b2 = f64(*inputs)
    s = len(x)
    h = layer_norm(x, g1, be1)
    heads = [(h @ w).reshape(s, 2, 8).transpose(1, 0, 2) for w in (wq, wk, wv)]
    scores = heads[0] @ heads[1].transpose(0, 2, 1) / math.sqrt(8)
    scores = np.where(np.tril(np.ones((s, s))) > 0, scores, -1e9)
    ctx = (softmax(scores) @ heads[2]).transpose(1, 0, 2).reshape(s, 16)
    x1 = x + ctx @ wo
    return x1 + gelu(layer_norm(x1, g2, be2) @ w1 + b1) @ w2 + b2


def mixed_numpy(*inputs: np.ndarray) -> np.ndarray:
    x, norm_w, w = f64(*inputs)
    normed = x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-5) * norm_w
    g = normed @ w
    return x + g / (1 + np.exp(-g))


MODELS = {
    "mlp": ("MLP", mlp_numpy, [{"batch": 1}, {"batch": 4}]),
    "cnn": ("CNN", cnn_numpy, [{"batch": 1}, {"batch": 2}]),
    "transformer": ("TransformerBlock", transformer_numpy, [{"seq": 1}, {"seq": 6}]),
    "mixed": ("Mixed", mixed_numpy, [{"batch": 1}, {"batch": 5}]),
}
CASES = [(name, kw) for name, (_, _, sizes) in MODELS.items() for kw in sizes]


def model(name: str) -> tuple[IRModule, Any, ModuleType]:
    example = load(name)
    cls, ref, _ = MODELS[name]
    return getattr(example, cls), ref, example


# ---------------------------------------------------------------------------------------------
# legalization of every high-level op call (a test helper, not a pass)
# ---------------------------------------------------------------------------------------------
class _Legalize(Mutator):
    def __init__(self, table: FunctionTable) -> None:
        super().__init__()
        self.table = table

    @handles(relax.Call)
    def _call(self, call: relax.Call) -> Any:
        entry = get_entry(call.op)
        if entry is not None and entry.legalize is not None:
            return legalize_call(call, self.table)
        return self.mutate_children(call)


def legalize(mod: IRModule) -> IRModule:
    table = FunctionTable(mod)
    funcs = {gv: _Legalize(table).visit(f) if isinstance(f, relax.Function) else f for gv, f in mod.functions.items()}
    funcs.update(table.functions)
    return IRModule(funcs, mod.attrs, mod.global_infos)


def high_level_calls(mod: IRModule) -> list[str]:
    return [n.op.name for n in pre_order(mod) if isinstance(n, relax.Call) and get_entry(n.op) is not None]


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,sizes", CASES, ids=[f"{n}-{next(iter(kw.values()))}" for n, kw in CASES])
def test_model_matches_numpy(name: str, sizes: dict[str, int]) -> None:
    mod, ref, example = model(name)
    inputs = example.random_inputs(**sizes)
    out = run(mod, "main", *inputs)
    want = ref(*inputs)
    assert out.shape == want.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", list(MODELS))
def test_json_and_print_parse_round_trips_give_identical_results(name: str) -> None:
    mod, _, example = model(name)
    inputs = example.random_inputs()
    out = run(mod, "main", *inputs)
    assert run(from_json(to_json(mod)), "main", *inputs).tobytes() == out.tobytes()
    parsed = check_roundtrip(mod)
    assert run(parsed, "main", *inputs).tobytes() == out.tobytes()


@pytest.mark.parametrize("name", list(MODELS))
def test_legalized_model_matches_numpy(name: str) -> None:
    mod, ref, example = model(name)
    lowered = legalize(mod)
    assert high_level_calls(mod) and high_level_calls(lowered) == []
    inputs = example.random_inputs()
    np.testing.assert_allclose(run(lowered, "main", *inputs), ref(*inputs), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", list(MODELS))
def test_example_runs_as_a_program(name: str, capsys: pytest.CaptureFixture) -> None:
    runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    assert "->" in capsys.readouterr().out
