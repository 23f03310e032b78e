"""The example of docs/adding-an-op.md: an op defined outside the package (`my.hard_swish`) with
inference, numpy reference and legalization — all three work, and the op is reachable from the
builder, the script lookup and legalize_call like a built-in one."""

from __future__ import annotations

import numpy as np
import pytest

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import assert_structural_equal
from irscript.ir.well_formed import check_well_formed
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as T

# --- the example, as in docs/adding-an-op.md ---------------------------------------------------
from irscript.relax.op import FunctionTable, define_op, legalize_call, lookup_script
from irscript.relax.op.infer import fail, tensor_arg
from irscript.relax.op.signature import Arg
from irscript.tir import op as tir_op
from irscript.tir import te


def infer_hard_swish(call, ctx):
    x = tensor_arg(call, 0)  # "my.hard_swish: argument 'x' expects a tensor, got ..." otherwise
    if not (x.dtype.is_void or x.dtype.is_float):
        raise fail(call, f"argument 'x' must have a float dtype, got {x.dtype}")
    return x  # same shape and dtype


def hard_swish_value(v):
    return v * tir_op.min(tir_op.max(v + 3.0, 0.0), 6.0) / 6.0


def legalize_hard_swish(x):
    return te.compute(x.shape, lambda *i: hard_swish_value(x(*i)), name="hard_swish")


def numpy_hard_swish(x):
    return (x * np.clip(x + 3.0, 0.0, 6.0) / 6.0).astype(x.dtype)


hard_swish = define_op(
    "my.hard_swish",
    args=[Arg("x")],
    infer=infer_hard_swish,
    legalize=legalize_hard_swish,
    numpy_ref=numpy_hard_swish,
    doc="R.my.hard_swish(x): x * relu6(x + 3) / 6.",
).builder
# --- end of the example ------------------------------------------------------------------------

n = tir.Var("n", "int64")


def test_inference() -> None:
    x = relax.Var("x", relax.TensorStructInfo((n, 4), "float16"))
    assert_structural_equal(hard_swish(x).struct_info, x.struct_info)
    with pytest.raises(IRError, match="R.my.hard_swish: argument 'x' must have a float dtype, got int32"):
        hard_swish(relax.Var("i", relax.TensorStructInfo((2,), "int32")))
    with pytest.raises(IRError, match="R.my.hard_swish: argument 'x' expects a tensor"):
        hard_swish(relax.ShapeExpr([2]))


def test_numpy_reference_against_hand_values() -> None:
    x = np.array([-4.0, -3.0, -1.5, 0.0, 1.0, 3.0, 5.0], "float32")
    want = np.array([0.0, 0.0, -0.375, 0.0, 4.0 / 6.0, 3.0, 5.0], "float32")
    np.testing.assert_allclose(numpy_hard_swish(x), want, rtol=1e-6)


def test_legalization_is_the_expected_tir() -> None:
    x = relax.Var("x", relax.TensorStructInfo((n, 4), "float32"))
    table = FunctionTable()
    call = legalize_call(hard_swish(x), table)
    assert call.op.name == "relax.call_tir" and call.args[0].name_hint == "hard_swish"
    (func,) = table.functions.values()
    assert check_well_formed(func) == []

    four = tir.IntImm("int64", 4)
    with IRBuilder() as ib:
        with T.prim_func(private=True):
            T.func_attr({"tir.noalias": True})
            hx, hy = T.arg("var_x", T.handle()), T.arg("var_y", T.handle())
            m = T.int64()
            X = T.match_buffer(hx, (m, four), "float32")
            Y = T.match_buffer(hy, (m, four), "float32")
            with T.grid(m, four) as (i, j):
                with T.block("hard_swish"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    T.reads(X[vi, vj])
                    T.writes(Y[vi, vj])
                    T.buffer_store(Y, hard_swish_value(X[vi, vj]), [vi, vj])
    assert_structural_equal(func, ib.get())


def test_script_lookup_finds_the_user_op() -> None:
    entry = lookup_script("my.hard_swish")
    assert entry is hard_swish.entry and entry.script_name == "R.my.hard_swish"
    x = relax.Var("x", relax.TensorStructInfo((2,), "float32"))
    assert entry.make_call([x], {}).op.name == "my.hard_swish"
    with pytest.raises(IRError, match="R.my.hard_swish: unexpected keyword argument 'alpha'"):
        entry.make_call([x], {"alpha": 1.0})
    from irscript.relax.op import script_namespaces

    assert "my" in script_namespaces()
