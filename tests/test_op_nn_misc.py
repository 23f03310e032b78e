"""R.nn.pad, R.nn.dropout and the R.nn.linear script function: inference, errors, references
against hand-written results, legalized TIR, and linear's composition evaluated end to end."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_op_nn_common import check_legalized, rand

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import assert_structural_equal
from irscript.relax.op import call_from_script, get_entry, nn

n, m = tir.Var("n", "int64"), tir.Var("m", "int64")


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1, name="x"):
    return relax.Var(name, T(shape, dtype, ndim))


def _ref(call, *arrays):
    return get_entry(call.op).run_numpy(call, *arrays)


# ---------------------------------------------------------------------------------------------
# pad
# ---------------------------------------------------------------------------------------------
def test_pad_inference() -> None:
    call = nn.pad(V((2, 3)), [1, 0, 2, 1])
    assert_structural_equal(call.struct_info, T((3, 6)))
    assert call.attrs == {"pad_width": (1, 0, 2, 1), "pad_mode": "constant", "pad_value": 0.0}
    assert_structural_equal(nn.pad(V((n, m)), [1, 1, 0, 0], "reflect").struct_info, T((n + 2, m)))
    assert_structural_equal(nn.pad(V(None, "int8", 2), [1, 1, 0, 0]).struct_info, T(None, "int8", 2))
    assert_structural_equal(nn.pad(V(None, ndim=-1), [1, 1, 0, 0, 2, 2]).struct_info, T(None, ndim=3))
    assert nn.pad(V((2, 3)), [0, 0, 1, 1], pad_value=2).attrs["pad_value"] == 2.0


@pytest.mark.parametrize("build, message", [
    (lambda: nn.pad(V((2, 3)), [1, 1, 1]),
     r"R.nn.pad: attribute 'pad_width' has 3 value\(s\); 2 dimension\(s\) need 4"),
    (lambda: nn.pad(V(None, ndim=-1), [1, 1, 1]), r"R.nn.pad: attribute 'pad_width' has 3 value\(s\); it needs an even"),
    (lambda: nn.pad(V((2, 3)), [1, -1, 0, 0]), r"R.nn.pad: attribute 'pad_width' must be non-negative"),
    (lambda: nn.pad(V((2, 3)), [2, 0, 0, 0], "reflect"),
     r"R.nn.pad: reflect padding of 2 needs dimension 0 to be larger, it is 2"),
    (lambda: nn.pad(V((2, 3)), [0, 0, 0, 4], "circular"),
     r"R.nn.pad: circular padding of 4 needs dimension 1 to be at least that, it is 3"),
    (lambda: nn.pad(V((2, 3)), [0, 0, 0, 1], "edge"),
     r"R.nn.pad: argument 'pad_mode' expects one of 'constant', 'reflect', 'replicate', 'circular', got str"),
    (lambda: nn.pad(V((2, 3))), r"R.nn.pad: missing argument 'pad_width'"),
    (lambda: nn.pad(relax.Tuple([]), [0, 0]), r"R.nn.pad: argument 'data' expects a tensor"),
])
def test_pad_errors(build, message) -> None:
    with pytest.raises(IRError, match=message):
        build()


def test_pad_references() -> None:
    x = np.array([[1, 2], [3, 4]], "float32")
    got = _ref(nn.pad(V((2, 2)), [1, 0, 0, 1], pad_value=9.0), x)
    np.testing.assert_array_equal(got, [[9, 9, 9], [1, 2, 9], [3, 4, 9]])
    row = np.array([1, 2, 3], "int32")
    assert _ref(nn.pad(V((3,), "int32"), [2, 1], "reflect"), row).tolist() == [3, 2, 1, 2, 3, 2]
    assert _ref(nn.pad(V((3,), "int32"), [2, 1], "replicate"), row).tolist() == [1, 1, 1, 2, 3, 3]
    assert _ref(nn.pad(V((3,), "int32"), [2, 1], "circular"), row).tolist() == [2, 3, 1, 2, 3, 1]
    padded = _ref(nn.pad(V((3,), "int32"), [1, 0], pad_value=2.7), row)
    assert padded.dtype == np.int32 and padded.tolist() == [2, 1, 2, 3]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_legalized_pad(mode) -> None:
    check_legalized(lambda x: nn.pad(x, [1, 2, 0, 1], mode, 1.5), [rand(3, 3)])
    check_legalized(lambda x: nn.pad(x, [2, 1, 1, 0], mode), [rand(3, 2)], {0: {0: "n", 1: "m"}})
    check_legalized(lambda x: nn.pad(x, [0, 0, 1, 1], mode, -2.0), [rand(2, 3, dtype="int32", lo=-9, hi=9)])


# ---------------------------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------------------------
def test_dropout() -> None:
    call = nn.dropout(V((n, 3)), 0.25)
    assert_structural_equal(call.struct_info, relax.TupleStructInfo([T((n, 3)), T((n, 3))]))
    assert call.attrs == {"rate": 0.25} and nn.dropout(V((2,))).attrs == {"rate": 0.5}
    assert_structural_equal(nn.dropout(V(None, "float16", -1)).struct_info,
                            relax.TupleStructInfo([T(None, "float16"), T(None, "float16")]))
    for rate in (1.0, -0.5):
        with pytest.raises(IRError, match=rf"R.nn.dropout: attribute 'rate' must be in \[0, 1\), got {rate}"):
            nn.dropout(V((2,)), rate)
    x = np.array([1.5, -2.0], "float32")
    out, mask = _ref(nn.dropout(V((2,))), x)
    np.testing.assert_array_equal(out, x)  # inference: nothing is dropped
    np.testing.assert_array_equal(mask, [1.0, 1.0])
    check_legalized(nn.dropout, [rand(2, 3)], {0: {0: "n"}})


# ---------------------------------------------------------------------------------------------
# linear
# ---------------------------------------------------------------------------------------------
def _evaluate(expr: Any, env: dict[relax.Var, np.ndarray]) -> np.ndarray:
    """Evaluates a tree of op calls with the ops' numpy references."""
    if isinstance(expr, relax.Var):
        return env[expr]
    return get_entry(expr.op).run_numpy(expr, *[_evaluate(a, env) for a in expr.args])


def test_linear_composes_permute_dims_matmul_and_add() -> None:
    x, w, b = V((n, 3), name="x"), V((4, 3), name="w"), V((4,), name="b")
    out = nn.linear(x, w, b)
    assert_structural_equal(out.struct_info, T((n, 4)))
    assert [out.op.name, out.args[0].op.name, out.args[0].args[1].op.name] == \
        ["relax.add", "relax.matmul", "relax.permute_dims"]
    assert nn.linear(x, w).op.name == "relax.matmul"
    assert nn.linear(x, w, out_dtype="float16").struct_info.dtype == "float16"
    xs, ws, bs = rand(2, 3), rand(4, 3), rand(4)
    np.testing.assert_allclose(_evaluate(out, {x: xs, w: ws, b: bs}), xs @ ws.T + bs, rtol=1e-5, atol=1e-6)
    vec = nn.linear(x, V((3,), name="v"))  # a 1-D weight: a matrix-vector product
    assert_structural_equal(vec.struct_info, T((n,)))


def test_linear_in_scripts_and_its_errors() -> None:
    x, w = V((2, 3), name="x"), V((4, 3), name="w")
    assert call_from_script("linear", [x, w], {}).op.name == "relax.matmul"  # TVM's R.linear spelling
    with pytest.raises(IRError, match="R.nn.linear: too many positional arguments"):
        call_from_script("nn.linear", [x, w, w, "float32", 1], {})
    with pytest.raises(IRError, match="R.matmul: the reduction dims differ"):
        nn.linear(x, V((3, 4)))
