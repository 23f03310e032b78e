"""R.matmul: inference with 1-D operands, batch broadcasting, symbolic and unknown shapes,
out_dtype; errors; numpy reference against hand-computed products."""

from __future__ import annotations

import numpy as np
import pytest

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import DataType, assert_structural_equal
from irscript.relax import op as R
from irscript.relax.op import get_entry

n, m, b = tir.Var("n", "int64"), tir.Var("m", "int64"), tir.Var("b", "int64")


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1, name="x"):
    return relax.Var(name, T(shape, dtype, ndim))


@pytest.mark.parametrize("a, w, want", [
    ((3, 4), (4, 5), (3, 5)),
    ((n, 4), (4, 5), (n, 5)),
    ((4,), (4, 3), (3,)),
    ((2, 4), (4,), (2,)),
    ((4,), (4,), ()),
    ((4,), (2, 4, 3), (2, 3)),
    ((2, 1, 3, 4), (5, 4, 6), (2, 5, 3, 6)),
    ((b, 3, 4), (4, 5), (b, 3, 5)),
    ((b, n, m), (b, m, n), (b, n, n)),
])
def test_matmul_shapes(a, w, want) -> None:
    assert_structural_equal(R.matmul(V(a), V(w, name="w")).struct_info, T(want))


def test_matmul_out_dtype_and_unknown_parts() -> None:
    call = R.matmul(V((2, 3), "float16"), V((3, 4), "float16"), out_dtype="float32")
    assert_structural_equal(call.struct_info, T((2, 4), "float32"))
    assert R.matmul(V((2, 3), "int8"), V((3, 4), "int8"), "int32").struct_info.dtype == "int32"
    assert_structural_equal(R.matmul(V(ndim=-1), V((3, 4))).struct_info, T(None, "float32", -1))
    assert_structural_equal(R.matmul(V(None, ndim=3), V((3, 4))).struct_info, T(None, "float32", 3))
    assert_structural_equal(R.matmul(V(None, ndim=1), V(None, ndim=1)).struct_info, T(None, "float32", 0))
    assert_structural_equal(R.matmul(V((n, 3, 4)), V((m, 4, 2))).struct_info, T(None, "float32", 3))
    assert R.matmul(V((2, 3), "void"), V((3, 4))).struct_info.dtype.is_void
    assert_structural_equal(R.matmul(V((2, n)), V((m, 4))).struct_info, T((2, 4)))  # n vs m: undecided


@pytest.mark.parametrize("a, w, message", [
    ((3, 4), (5, 6), "the reduction dims differ: 4 \\(last dim of 'x1'\\) and 5 \\(second to last dim of 'x2'\\)"),
    ((3, n), (n + 1, 2), "the reduction dims differ: n \\(last dim of 'x1'\\) and n \\+ 1"),
    ((4,), (3,), "the reduction dims differ: 4 \\(last dim of 'x1'\\) and 3 \\(only dim of 'x2'\\)"),
    ((2, 3, 4), (5, 4, 2), "cannot broadcast 'x1' and 'x2': dimension 0 of the result would be both 2 and 5"),
    ((), (3,), "argument 'x1' is a scalar"),
])
def test_matmul_errors(a, w, message) -> None:
    with pytest.raises(IRError, match=f"R.matmul: {message}"):
        R.matmul(V(a), V(w, name="w"))
    with pytest.raises(IRError, match="R.matmul: argument 'x1' has dtype float32 but 'x2' has dtype int32"):
        R.matmul(V((2, 3)), V((3, 2), "int32"))


def ref(a, w, out_dtype="void"):
    return get_entry("relax.matmul").numpy_ref(a, w, out_dtype=DataType(out_dtype))


def test_matmul_reference() -> None:
    a = np.array([[1, 2], [3, 4]], "int32")
    got = ref(a, np.array([[5], [6]], "int32"))
    assert got.dtype == np.int32 and got.tolist() == [[17], [39]]
    assert ref(np.array([1.0, 2.0], "float32"), np.array([3.0, 4.0], "float32")).tolist() == 11.0
    batch = ref(np.ones((2, 1, 1, 3), "float32"), np.arange(6, dtype="float32").reshape(2, 3, 1))
    assert batch.shape == (2, 2, 1, 1) and batch[0, 1, 0, 0] == 3.0 + 4.0 + 5.0
    half = ref(np.array([[0.5, 0.25]], "float16"), np.array([[2.0], [4.0]], "float16"), "float32")
    assert half.dtype == np.float32 and half.tolist() == [[2.0]]
