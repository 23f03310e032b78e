"""The script format's invariants over printer output: `parse(print(m))` is structurally equal to
`m`, and `print(parse(print(m)))` equals `print(m)` character for character (default options).

Over every module the IRBuilder models build, hand-made IR the printer has special forms for, and a
few hundred hypothesis-generated modules and functions per run (also in TVM 0.25's spelling). Every
module any test builds is round-tripped as well (tests/conftest.py); examples and builder models in
both syntaxes: tests/test_roundtrip_examples.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from irscript import relax, tir
from irscript.ir import GlobalVar, IRModule
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as T
from irscript.relax.op import call_tir
from irscript.testing.builder_models import mlp_module, relax_kitchen_sink_module, tir_kitchen_sink_module
from irscript.testing.roundtrip import check_roundtrip
from irscript.testing.strategies import SETTINGS, ir_modules, prim_funcs, relax_functions


@pytest.mark.parametrize("build", [mlp_module, tir_kitchen_sink_module, relax_kitchen_sink_module])
def test_builder_models_round_trip(build):
    check_roundtrip(build())


def _kernel() -> tir.PrimFunc:
    """A reduction with a symbolic dim, a scalar param, a where-clause and remapped axes."""
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name("row_sum")
            a = T.arg("a", T.handle())
            scale = IRBuilder.name("scale", T.arg("scale", T.float32()))
            n = IRBuilder.name("n", T.int64())
            A = IRBuilder.name("A", T.match_buffer(a, (n, 16), "float32"))
            S = IRBuilder.name("S", T.alloc_buffer((n,), "float32"))
            with T.grid(n, 16) as (i, k):
                IRBuilder.name_many(["i", "k"], [i, k])
                with T.block("sum"):
                    vi, vk = IRBuilder.name_many(["vi", "vk"], T.axis.remap("SR", [i, k]))
                    T.where(k < 15)
                    T.reads(A[vi, vk])
                    T.writes(S[vi])
                    with T.init():
                        S[vi] = T.float32(0)
                    S[vi] = S[vi] + A[vi, vk] * scale
    return ib.get()


def test_a_reduction_kernel_round_trips():
    check_roundtrip(_kernel())
    check_roundtrip(IRModule({"row_sum": _kernel()}))


def test_large_and_small_constants_round_trip():
    s = relax.TensorStructInfo((3, 8), "float32")
    x = relax.Var("x", s)
    big = relax.Constant(np.linspace(-1, 1, 24, dtype="float32").reshape(3, 8))
    small = relax.Constant(np.array([1.5, -0.0, np.inf], "float32"))
    c, d = relax.Var("c", s), relax.Var("d", small.struct_info)
    body = relax.SeqExpr([relax.BindingBlock([relax.VarBinding(c, big), relax.VarBinding(d, small)])], c)
    mod = IRModule({"main": relax.Function((x,), body, s, True, {"global_symbol": "main"})})
    parsed = check_roundtrip(mod)
    assert np.array_equal(parsed["main"].body.blocks[0].bindings[0].value.data, big.data)


def test_names_that_collide_round_trip_stably():
    n = tir.Var("n", "int64")
    gv = GlobalVar("k")
    s = relax.TensorStructInfo((n, 4), "float32")
    x = relax.Var("x", s)
    lvs = [relax.DataflowVar("x", s) for _ in range(3)]  # every binding hints "x"
    bindings = []
    prev = x
    for v in lvs:
        bindings.append(relax.VarBinding(v, call_tir(gv, [prev], s)))
        prev = v
    out = relax.Var("x", s)
    bindings.append(relax.VarBinding(out, prev))
    body = relax.SeqExpr([relax.DataflowBlock(bindings)], out)
    main = relax.Function((x,), body, s, True, {"global_symbol": "main"})
    a, b = tir.Var("a", "handle"), tir.Var("b", "handle")
    m = tir.Var("n", "int64")
    A = tir.Buffer(None, "float32", (m, 4), name="A")
    B = tir.Buffer(None, "float32", (m, 4), name="A")
    kernel = tir.PrimFunc((a, b), tir.Evaluate(0), "void", {a: A, b: B}, {"global_symbol": "k"})
    check_roundtrip(IRModule({"main": main, "k": kernel}))


# Generated IR is canonical (what the IRBuilder and the parser build), so it round-trips exactly.
# A few hundred examples per run; a one-off run with max_examples=1000 each found nothing more.
@settings(SETTINGS, max_examples=300)
@given(ir_modules())
def test_generated_modules_round_trip(mod):
    check_roundtrip(mod)


@settings(SETTINGS, max_examples=100)
@given(ir_modules())
def test_generated_modules_round_trip_in_tvm_syntax(mod):
    check_roundtrip(mod, syntax="tvm-0.25")


@settings(SETTINGS, max_examples=300)
@given(prim_funcs())
def test_generated_prim_funcs_round_trip(func):
    check_roundtrip(func)


@settings(SETTINGS, max_examples=300)
@given(relax_functions())
def test_generated_relax_functions_round_trip(func):
    check_roundtrip(func)
