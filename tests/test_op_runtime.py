"""Runtime-builtin ops: R.print, R.assert_op, R.shape_of, R.null_value — layout as in TVM,
inference, purity, numpy references."""

from __future__ import annotations

import numpy as np
import pytest

from irscript import relax, tir
from irscript.errors import ExecutionError, IRError
from irscript.ir import assert_structural_equal
from irscript.ir.well_formed import check_well_formed
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import relax as RB
from irscript.relax import op as R
from irscript.relax.op import get_entry

n = tir.Var("n", "int64")
X = relax.Var("x", relax.TensorStructInfo((n, 3), "float32"))
COND = relax.Var("c", relax.TensorStructInfo((), "bool"))


def test_print_layout_inference_and_reference(capsys) -> None:
    call = R.print(X, COND, format="x={} c={}")
    assert call.args[0].value == "x={} c={}" and call.args[1:] == (X, COND)
    assert_structural_equal(call.struct_info, relax.TupleStructInfo(()))
    assert R.print(X).args[0].value == ""
    entry = get_entry("relax.print")
    assert entry.pure is False and entry.runtime == "relax.run.print" and entry.legalize is None
    assert entry.numpy_ref("v={} w={}", np.array([1, 2]), 3) == ()
    assert entry.numpy_ref("", np.array([1.5]), (1, 2)) == ()
    assert capsys.readouterr().out == "v=[1 2] w=3\n[1.5] (1, 2)\n"


def test_assert_op_layout_inference_and_reference() -> None:
    call = R.assert_op(COND, X, format="bad {}")
    assert call.args[0] is COND and call.args[1].value == "bad {}" and call.args[2] is X
    assert_structural_equal(call.struct_info, relax.TupleStructInfo(()))
    R.assert_op(relax.PrimValue(tir.IntImm("bool", 1)))
    R.assert_op(relax.Var("u", relax.TensorStructInfo(None, "void", -1)))
    with pytest.raises(IRError, match=r"R.assert_op: argument 'condition' expects a boolean scalar .* got "
                                      r"R.Tensor\(\(n, 3\), \"float32\"\)"):
        R.assert_op(X)
    with pytest.raises(IRError, match="expects a boolean scalar"):
        R.assert_op(relax.Var("v", relax.TensorStructInfo((2,), "bool")))
    ref = get_entry("relax.assert_op").numpy_ref
    assert ref(np.array(True), "never") == ()
    with pytest.raises(ExecutionError, match="^bad 7$"):
        ref(np.array(False), "bad {}", 7)
    with pytest.raises(ExecutionError, match="^Assertion Failed$"):
        ref(False, "")
    with pytest.raises(ExecutionError, match="^1, 2$"):
        ref(False, "", 1, 2)


def test_shape_of_and_null_value() -> None:
    assert_structural_equal(R.shape_of(X).struct_info, relax.ShapeStructInfo([n, 3]))
    unknown = relax.Var("u", relax.TensorStructInfo(None, "float32", 2))
    assert_structural_equal(R.shape_of(unknown).struct_info, relax.ShapeStructInfo(ndim=2))
    with pytest.raises(IRError, match="R.shape_of: argument 'expr' expects a tensor"):
        R.shape_of(relax.ShapeExpr([1]))
    assert get_entry("relax.shape_of").numpy_ref(np.zeros((2, 5))) == (2, 5)
    call = R.null_value()
    assert call.args == () and isinstance(call.struct_info, relax.ObjectStructInfo)
    assert get_entry("relax.null_value").numpy_ref() is None
    with pytest.raises(IRError, match=r"R.null_value: takes at most 0 positional argument"):
        R.null_value(X)


def test_print_inside_a_dataflow_block_is_reported_as_impure() -> None:
    with IRBuilder() as ib:
        with RB.function(is_pure=False):
            RB.func_name("f")
            x = RB.arg("x", relax.TensorStructInfo((2,), "float32"))
            RB.emit(R.print(x, format="{}"))
            with RB.dataflow():
                y = RB.emit(R.exp(x))
                RB.emit(R.print(y))
                RB.output(y)
            RB.func_ret_value(y)
    errors = check_well_formed(ib.get())
    assert [e.message for e in errors] == ["impure call to 'R.print' inside a dataflow block"]
