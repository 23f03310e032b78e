"""Structural equality and hashing: alpha-equivalence rules, mismatch paths, hash stability."""

from __future__ import annotations

import copy
import math
import os
import runpy
import subprocess
import sys
import textwrap

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings

from irscript import IRError, relax, tir
from irscript.ir import (
    GlobalVar,
    IRModule,
    Mutator,
    ObjectPath,
    Span,
    StructuralMismatchError,
    assert_structural_equal,
    first_mismatch,
    handles,
    replace,
    structural_equal,
    structural_hash,
)
from irscript.relax.op import call_pure_packed, call_tir
from irscript.testing import check_hash_consistency
from irscript.testing.strategies import SETTINGS, ir_modules

F32 = "float32"


# ---------------------------------------------------------------------------------------------
# builders: every call makes fresh objects
# ---------------------------------------------------------------------------------------------
def build_kernel(block_name: str = "B", factor: float = 2.0, kind: str = "serial") -> tir.PrimFunc:
    """`B[i, j] = A[i, j] * factor` over a symbolic first dim, in a block."""
    n = tir.SizeVar("n", "int64")
    A = tir.Buffer(None, F32, (n, 4), name="A")
    B = tir.Buffer(None, F32, (n, 4), name="B")
    a, b = tir.Var("a", "handle"), tir.Var("b", "handle")
    i, j = tir.Var("i", "int64"), tir.Var("j", "int64")
    vi, vj = tir.Var("vi", "int64"), tir.Var("vj", "int64")
    zero = tir.IntImm("int64", 0)
    iters = (tir.IterVar(tir.Range(zero, n), vi), tir.IterVar(tir.Range(zero, tir.IntImm("int64", 4)), vj))
    block = tir.Block(iters, (A[vi, vj:vj + 1],), (B[vi, vj:vj + 1],), block_name,
                      tir.BufferStore(B, A[vi, vj] * factor, (vi, vj)))
    realize = tir.BlockRealize((i, j), tir.IntImm("bool", 1), block)
    body = tir.For(i, 0, n, kind, tir.For(j, 0, 4, "serial", realize))
    return tir.PrimFunc((a, b), body, buffer_map={a: A, b: B}, attrs={"global_symbol": "scale"})


def build_module(swap_arg: bool = False, swap_dims: bool = False) -> IRModule:
    """A Relax `main` calling the kernel; `swap_arg` changes bindings[2].value.args[1] only."""
    n = tir.Var("n", "int64")
    sinfo = relax.TensorStructInfo((n, 4), F32)
    x = relax.Var("x", sinfo)
    gv = GlobalVar("scale")
    lv0, lv1 = relax.DataflowVar("lv0", sinfo), relax.DataflowVar("lv1", sinfo)
    lv2 = relax.Var("lv2", sinfo)
    first = lv1 if swap_arg else lv0
    dataflow = relax.DataflowBlock([
        relax.VarBinding(lv0, call_tir(gv, (x,), sinfo)),
        relax.VarBinding(lv1, call_tir(gv, (lv0,), sinfo)),
        relax.VarBinding(lv2, call_pure_packed("ext.add", first, lv1, sinfo_args=sinfo)),
    ])
    k = tir.Var("k", "int64")
    cast_sinfo = relax.TensorStructInfo((k, 4), F32)
    lv3 = relax.Var("lv3", cast_sinfo)
    shape = relax.Var("shape", relax.ShapeStructInfo((k, n)))
    plain = relax.BindingBlock([
        relax.MatchCast(lv3, lv2, cast_sinfo),
        relax.VarBinding(shape, relax.ShapeExpr((n, k) if swap_dims else (k, n))),
    ])
    main = relax.Function((x,), relax.SeqExpr([dataflow, plain], lv3), relax.TensorStructInfo(None, F32, 2))
    return IRModule({gv: build_kernel(), "main": main})


# ---------------------------------------------------------------------------------------------
# alpha-equivalence
# ---------------------------------------------------------------------------------------------
def test_separately_built_prim_funcs_are_equal():
    f, g = build_kernel(), build_kernel()
    assert f.params[0] is not g.params[0]
    assert_structural_equal(f, g)
    assert structural_hash(f) == structural_hash(g)


def test_names_do_not_count():
    f = build_kernel()
    loop = f.body
    renamed_var = tir.Var("row", "int64")
    renamed = replace(f, body=replace(loop, loop_var=renamed_var, body=_subst(loop.body, loop.loop_var, renamed_var)))
    assert structural_equal(f, renamed)
    assert structural_hash(f) == structural_hash(renamed)
    buf = f.buffer_map[f.params[0]]
    assert structural_equal(buf, replace(buf, name="Other"))
    assert structural_equal(f, replace(f, span=Span("x.py", 1, 0)))


def _subst(node, old, new):
    class Subst(Mutator):
        @handles(tir.Var)
        def var(self, v):
            return new if v is old else v

    return Subst().visit(node)


def test_swapped_param_uses_are_unequal_with_path():
    x, y = tir.Var("x"), tir.Var("y")
    f = tir.PrimFunc((x, y), tir.Evaluate(x - y))
    x2, y2 = tir.Var("x"), tir.Var("y")
    assert structural_equal(f, tir.PrimFunc((x2, y2), tir.Evaluate(x2 - y2)))
    mismatch = first_mismatch(f, tir.PrimFunc((x2, y2), tir.Evaluate(y2 - x2)))
    assert str(mismatch.path) == "body.value.a"
    assert "'x' was bound to 'x'" in mismatch.reason and "'y'" in mismatch.reason


def test_free_vars_compare_by_identity_unless_mapped():
    x, other = tir.Var("x"), tir.Var("x")
    assert structural_equal(x + 1, x + 1)
    mismatch = first_mismatch(x + 1, other + 1)
    assert str(mismatch.path) == "a" and "free variables" in mismatch.reason
    assert structural_equal(x + 1, other + 1, map_free_vars=True)
    assert structural_hash(x + 1, map_free_vars=True) == structural_hash(other + 1, map_free_vars=True)
    # mapped consistently: x + x is not y + z
    y, z = tir.Var("y"), tir.Var("z")
    assert not structural_equal(x + x, y + z, map_free_vars=True)
    assert structural_equal(x + x, y + y, map_free_vars=True)


def test_defining_one_var_twice_vs_two_vars():
    x, y, a, b = tir.Var("x"), tir.Var("y"), tir.Var("a"), tir.Var("b")
    lhs = tir.SeqStmt([tir.LetStmt(x, 1, tir.Evaluate(x)), tir.LetStmt(y, 1, tir.Evaluate(y))])
    same = tir.SeqStmt([tir.LetStmt(a, 1, tir.Evaluate(a)), tir.LetStmt(b, 1, tir.Evaluate(b))])
    reused = tir.SeqStmt([tir.LetStmt(a, 1, tir.Evaluate(a)), tir.LetStmt(a, 1, tir.Evaluate(a))])
    assert structural_equal(lhs, same)
    assert str(first_mismatch(lhs, reused).path) == "seq[1].var"


def test_buffers_are_mapped_at_first_occurrence():
    def build(reuse: bool, alloc: bool) -> tir.Stmt:
        X = tir.Buffer(None, F32, (4,), name="X", scope="local")
        Y = tir.Buffer(None, F32, (4,), name="Y", scope="local")
        i = tir.Var("i")
        body = tir.SeqStmt([tir.BufferStore(X, 1.0, (i,)), tir.BufferStore(X if reuse else Y, X[i], (i,))])
        if alloc:
            body = tir.BlockRealize((), True, tir.Block((), (), (), "root", body, alloc_buffers=(X, Y)))
        return tir.For(i, 0, 4, "serial", body)

    for alloc in (False, True):  # declared or not, a buffer maps where it is first met
        assert structural_equal(build(False, alloc), build(False, alloc))
        assert structural_equal(build(True, alloc), build(True, alloc))
        assert check_hash_consistency(build(True, alloc), build(True, alloc))
    mismatch = first_mismatch(build(True, False), build(False, False))
    assert str(mismatch.path) == "body.seq[1].buffer" and "was bound to" in mismatch.reason
    mismatch = first_mismatch(build(True, True), build(False, True))
    assert str(mismatch.path) == "body.block.body.seq[1].buffer"


def test_symbolic_vars_defined_by_relax_signature_and_match_cast():
    assert_structural_equal(build_module(), build_module())
    assert structural_hash(build_module()) == structural_hash(build_module())
    mismatch = first_mismatch(build_module(), build_module(swap_dims=True))
    assert str(mismatch.path) == 'functions["main"].body.blocks[1].bindings[1].value.values[0]'


def test_params_sharing_a_dim_differ_from_params_with_two_dims():
    def func(shared: bool) -> relax.Function:
        n, m = tir.Var("n", "int64"), tir.Var("m", "int64")
        x = relax.Var("x", relax.TensorStructInfo((n,), F32))
        y = relax.Var("y", relax.TensorStructInfo((n if shared else m,), F32))
        return relax.Function((x, y), relax.SeqExpr([], x))

    assert structural_equal(func(True), func(True)) and structural_equal(func(False), func(False))
    mismatch = first_mismatch(func(True), func(False))
    assert str(mismatch.path) == "params[1].struct_info.shape.values[0]"


def test_global_vars_compare_by_name():
    sinfo = relax.TensorStructInfo((4,), F32)
    x = relax.Var("x", sinfo)
    assert structural_equal(call_tir(GlobalVar("k"), (x,), sinfo), call_tir(GlobalVar("k"), (x,), sinfo))
    mismatch = first_mismatch(call_tir(GlobalVar("k"), (x,), sinfo), call_tir(GlobalVar("j"), (x,), sinfo))
    assert str(mismatch.path) == "args[0].name_hint"


def test_module_function_order_does_not_matter():
    f, g = build_kernel(), build_kernel("other")
    m1 = IRModule({"a": f, "b": g})
    m2 = IRModule({"b": copy.deepcopy(g), "a": copy.deepcopy(f)})
    assert_structural_equal(m1, m2)
    assert structural_hash(m1) == structural_hash(m2)
    assert str(first_mismatch(m1, IRModule({"a": f})).path) == 'functions["b"]'
    assert str(first_mismatch(m1, IRModule({"b": f, "a": f})).path).startswith('functions["b"]')


@pytest.mark.parametrize(
    "a, b, equal",
    [(math.nan, math.nan, True), (0.0, -0.0, False), (-0.0, -0.0, True), (1.0, 1.0000001, False),
     (math.inf, math.inf, True), (math.inf, -math.inf, False)],
)
def test_floats_compare_exactly(a, b, equal):
    assert structural_equal(tir.FloatImm(F32, a), tir.FloatImm(F32, b)) is equal
    assert check_hash_consistency(tir.FloatImm(F32, a), tir.FloatImm(F32, b)) is equal
    if not equal:
        assert str(first_mismatch(tir.FloatImm(F32, a), tir.FloatImm(F32, b)).path) == "value"
        assert structural_hash(tir.FloatImm(F32, a)) != structural_hash(tir.FloatImm(F32, b))


def test_bool_is_not_int():
    f = build_kernel()
    assert not structural_equal(f.with_attr("flag", True), f.with_attr("flag", 1))
    assert "bool True vs int 1" in first_mismatch(f.with_attr("flag", True), f.with_attr("flag", 1)).reason
    assert structural_hash(f.with_attr("flag", True)) != structural_hash(f.with_attr("flag", 1))
    assert not structural_equal(tir.IntImm("bool", 1), tir.IntImm("int32", 1))


def test_numpy_constants_compare_by_dtype_shape_and_bytes():
    def const(a):
        return relax.Constant(np.asarray(a))

    base = np.arange(6, dtype="float32").reshape(2, 3)
    assert structural_equal(const(base), const(base.copy()))
    assert structural_equal(const(np.asfortranarray(base)), const(base))  # same values, any layout
    assert not structural_equal(const(base), const(base.reshape(3, 2)))
    assert not structural_equal(const(base), const(base.astype("float16")))
    assert not structural_equal(const(base), const(base.astype(ml_dtypes.bfloat16)))
    nan = np.array([np.nan], dtype="float32")
    assert structural_equal(const(nan), const(nan.copy()))
    assert not structural_equal(const(np.array([0.0], "float32")), const(np.array([-0.0], "float32")))
    other_payload = nan.view("uint32").copy()
    other_payload[0] ^= 1
    assert not structural_equal(const(nan), const(other_payload.view("float32")))
    mismatch = first_mismatch(const(base), const(base + 1))
    assert str(mismatch.path) == "data" and "arrays differ" in mismatch.reason
    assert structural_hash(const(base)) == structural_hash(const(base.copy()))
    assert structural_hash(const(base)) != structural_hash(const(base + 1))


def test_ignored_fields_do_not_count():
    sinfo = relax.TensorStructInfo((4,), F32)
    x = relax.Var("x", sinfo)
    a = call_tir(GlobalVar("k"), (x,), sinfo)
    b = replace(a, struct_info=relax.ObjectStructInfo())  # derived struct info of a non-var
    assert structural_equal(a, b) and structural_hash(a) == structural_hash(b)
    # ... but a Var's struct info is its declared type and counts
    y = relax.Var("x", relax.TensorStructInfo((5,), F32))
    assert not structural_equal(relax.Function((x,), relax.SeqExpr([], x)), relax.Function((y,), relax.SeqExpr([], y)))


# ---------------------------------------------------------------------------------------------
# assert_structural_equal messages
# ---------------------------------------------------------------------------------------------
def test_assert_structural_equal_names_the_exact_path_and_both_sides():
    with pytest.raises(StructuralMismatchError) as info:
        assert_structural_equal(build_module(), build_module(swap_arg=True))
    err = info.value
    path = 'functions["main"].body.blocks[0].bindings[2].value.args[1]'
    assert isinstance(err, IRError) and isinstance(err, AssertionError)
    assert str(err.path) == path and isinstance(err.path, ObjectPath)
    text = str(err)
    assert text.startswith(f"structural mismatch at {path}: ")
    assert "'lv0' was bound to 'lv0' on the right-hand side, here it meets 'lv1'" in text
    lhs, rhs = text.split("--- lhs ---")[1].split("--- rhs ---")
    assert "lv0" in lhs and "lv1" in rhs
    lhs_node = err.path.resolve(build_module())
    assert isinstance(lhs_node, relax.DataflowVar) and lhs_node.name_hint == "lv0"


def test_assert_structural_equal_on_prim_func_value():
    with pytest.raises(StructuralMismatchError) as info:
        assert_structural_equal(build_kernel(factor=2.0), build_kernel(factor=3.0))
    assert str(info.value.path) == "body.body.body.block.body.value.b.value"
    assert "2.0 vs 3.0" in str(info.value)


# ---------------------------------------------------------------------------------------------
# hashing
# ---------------------------------------------------------------------------------------------
@settings(SETTINGS, max_examples=40)
@given(ir_modules())
def test_hash_agrees_with_deepcopy(mod):
    dup = copy.deepcopy(mod)
    assert structural_equal(mod, dup)
    assert structural_hash(mod) == structural_hash(dup)


def test_hash_differs_for_mutations():
    base = build_module()
    kernel = base["scale"]
    mutants = {
        "factor": base.with_function("scale", build_kernel(factor=3.0)),
        "block name": base.with_function("scale", build_kernel(block_name="C")),
        "loop kind": base.with_function("scale", build_kernel(kind="parallel")),
        "kernel attr": base.with_function("scale", kernel.with_attr("tir.noalias", True)),
        "call arg": build_module(swap_arg=True),
        "shape dims": build_module(swap_dims=True),
        "module attr": base.with_attrs(opt_level=3),
        "function name": base.without_function("main").with_function("main2", base["main"]),
        "dropped function": base.without_function("main"),
    }
    hashes = {name: structural_hash(m) for name, m in mutants.items()}
    assert structural_hash(base) not in hashes.values()
    assert len(set(hashes.values())) == len(hashes)
    for m in mutants.values():
        assert not structural_equal(base, m)


HASH_SCRIPT = textwrap.dedent("""
    from irscript import relax, tir
    from irscript.ir import IRModule, structural_hash

    n = tir.SizeVar("n", "int64")
    A = tir.Buffer(None, "float32", (n,), name="A")
    a, i = tir.Var("a", "handle"), tir.Var("i", "int64")
    kernel = tir.PrimFunc((a,), tir.For(i, 0, n, "serial", tir.BufferStore(A, A[i] * 0.5, (i,))),
                          buffer_map={a: A}, attrs={"global_symbol": "half", "note": "ünïcode"})
    x = relax.Var("x", relax.TensorStructInfo((n,), "float32"))
    main = relax.Function((x,), relax.SeqExpr([], x))
    mod = IRModule({"half": kernel, "main": main}, attrs={"k": (1, 2.5, None)})
    if __name__ == "__main__":
        print(structural_hash(mod))
""")


def test_hash_is_the_same_in_another_process(tmp_path):
    script = tmp_path / "hash_module.py"
    script.write_text(HASH_SCRIPT, encoding="utf-8")
    here = structural_hash(runpy.run_path(str(script))["mod"])
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, check=True)
    assert int(out.stdout.strip()) == here


def test_block_match_buffers_are_definitions():
    """A block's match_buffers define their views (as TVM's SEqHashDef), so a body that uses a
    view's data pointer before any element of it compares as a use of the defined view."""
    import irscript

    text = textwrap.dedent("""
        from irscript.script import tir as T

        @T.prim_func
        def f(A: T.Buffer((16,), "float32")):
            for i in range(4):
                with T.block("b"):
                    vi = T.axis.spatial(4, i)
                    T.reads(A[vi * 4:vi * 4 + 4])
                    T.writes(A[vi * 4:vi * 4 + 4])
                    V = T.match_buffer(A[vi * 4:vi * 4 + 4], (4,))
                    T.evaluate(T.call_extern("int32", "touch", V.data))
                    V[0] = T.float32(1)
    """)
    first, second = irscript.parse(text), irscript.parse(text)
    assert_structural_equal(first, second)
    assert structural_hash(first) == structural_hash(second)
    assert_structural_equal(first, irscript.parse(irscript.print_script(first)))
