"""Round trips of the Doc layer: render(parse(t)) parses back to the same Doc, and is a fixed point."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from irscript.doc import assert_doc_equal, parse_expr, parse_python, render
from irscript.doc.strategies import exprs, modules
from irscript.testing.text import assert_same_lines

# text printed by Apache TVM 0.25 (regenerate with tests/data/tvm-0.25/generate.py)
SAMPLES = Path(__file__).resolve().parent / "data" / "tvm-0.25"

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=400, deadline=None, suppress_health_check=_SLOW_OK)
@given(exprs())
def test_generated_expressions_round_trip(e):
    text = render(e)
    assert_doc_equal(parse_expr(text), e)


@settings(max_examples=150, deadline=None, suppress_health_check=_SLOW_OK)
@given(modules())
def test_generated_modules_round_trip(m):
    text = render(m)
    again = parse_python(text)
    assert_doc_equal(again, m)
    assert render(again) == text


# Canonical TVMScript-like text: rendering the parse reproduces it character for character.
SNIPPETS = [
    '''# from irscript.script import ir as I, tir as T, relax as R

@I.ir_module
class Module:
    @T.prim_func
    def add(A: T.Buffer((128,), "float32"), B: T.Buffer((128,), "float32"), C: T.Buffer((128,), "float32")):
        T.func_attr({"global_symbol": "add", "tir.noalias": True})
        for i in T.serial(128):
            with T.block("C"):
                vi = T.axis.spatial(128, i)
                T.reads(A[vi], B[vi])
                T.writes(C[vi])
                C[vi] = A[vi] + B[vi]

    @R.function
    def main(x: R.Tensor(("n", 128), dtype="float32")) -> R.Tensor(("n", 128), dtype="float32"):
        n = T.int64()
        cls = Module
        with R.dataflow():
            lv = R.call_tir(cls.add, (x, x), out_sinfo=R.Tensor((n, 128), dtype="float32"))
            gv: R.Tensor((n, 128), dtype="float32") = lv
            R.output(gv)
        return gv''',
    '''# from irscript.script import tir as T

@T.prim_func
def reduce(a: T.handle, b: T.handle, n: T.int32):
    A = T.match_buffer(a, (n, 16), "float32", strides=(16, 1), offset_factor=1)
    B = T.match_buffer(b, (n,), "float32")
    for i, k in T.grid(n, 16):
        with T.block("reduce"):
            vi, vk = T.axis.remap("SR", [i, k])
            T.reads(A[vi, 0:16])
            T.writes(B[vi])
            with T.init():
                B[vi] = T.float32(0.0)
            B[vi] = B[vi] + A[vi, vk] * T.float32(-1.5e-05)
    j: T.int32 = 0
    while j < n // 2 and not j % 3 == 1:
        if T.likely(j >= -1):
            B[j] = T.Select(j <= n - 1, T.max(B[j], T.float32("-inf")), T.exp(-B[j]) ** 2)
        elif 0 <= j < n:
            T.evaluate(T.call_extern("int32", "printf", "%d\\n", j))
        else:
            T.Assert(j != 0, "j must be nonzero")
        j = j + 1  # next
    T.evaluate(T.if_then_else(n > 0, (n + 1) * (n - 1), -(n + 1)))''',
    '''from irscript.script import ir as I, relax as R


@R.function(pure=False, private=True)
def f(x: R.Tensor((2, 3), "float32"), s: R.Shape(["m", 4]), p: R.Prim("int64")) -> R.Tuple(R.Tensor, R.Object):
    """Relax bindings and calls."""
    R.func_attr({"num_input": 1, "relax.force_pure": False})
    y = R.call_packed("vm.print", x, sinfo_args=(R.Object,))
    z = R.match_cast(y, R.Tensor((2, 3), "float32"))
    c = R.const([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "float32")
    m = metadata["relax.expr.Constant"][0]
    t = (z, c)
    if R.prim_value(True):
        w = t[0]
    else:
        w = t[1]
    return (w, R.str('a"b'))''',
    '''# from irscript.script import tir as T

@T.prim_func(private=True)
def reducer(A: T.Buffer((64,), "float32"), B: T.Buffer((1,), "float32")):
    # with T.block("root"):
    red = T.comm_reducer(lambda x, y: x + y, [T.float32(0.0)])
    for i in T.thread_binding(64, thread="threadIdx.x", annotations={"pragma_auto_unroll_max_step": 16}):
        B[0] = T.call_extern("float32", "atomicAdd", T.address_of(B[0]), A[i])
        T.evaluate(A[i:i + 4:2].shape[0] + A[-1] + (-1) ** 2 + 2 ** -1 + (1).real)''',
]


@pytest.mark.parametrize("text", SNIPPETS, ids=[f"snippet{i}" for i in range(len(SNIPPETS))])
def test_snippets_render_back_exactly(text):
    doc = parse_python(text)
    assert render(doc) == text
    assert_doc_equal(parse_python(render(doc)), doc)


def _sample_files() -> list[Path]:
    files = sorted(p for p in SAMPLES.glob("*.py") if p.name != "generate.py")
    assert files, f"the TVM sample texts are missing: expected *.py under {SAMPLES.resolve()}"
    return files


def test_tvm_samples_round_trip():
    for path in _sample_files():
        text = path.read_text()
        doc = parse_python(text, str(path))
        out = render(doc)
        assert_doc_equal(parse_python(out), doc)
        assert render(parse_python(out)) == out, path.name
        # same layout line for line; only float spellings may differ (1.0000000000000001e-05 vs 1e-05)
        assert_same_lines(out, text, path.name)


def test_tvm_samples_keep_comments():
    (path,) = [p for p in _sample_files() if p.name == "mlp__fused.py"]
    text = path.read_text()
    doc = parse_python(text)
    assert doc.header[0] == "from tvm.script import ir as I"
    out = render(doc)
    assert '        # with T.sblock("root"):\n' in out
