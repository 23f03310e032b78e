"""R.nn activations: relu, gelu, gelu_tanh, silu, softmax, log_softmax — inference (static,
symbolic, unknown), errors, numpy references against known values, legalized TIR."""

from __future__ import annotations

import numpy as np
import pytest
from test_op_nn_common import check_legalized, rand

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import assert_structural_equal
from irscript.relax.op import get_entry, nn

n = tir.Var("n", "int64")
UNARY = ["relu", "gelu", "gelu_tanh", "silu", "softmax", "log_softmax"]


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1):
    return relax.Var("x", T(shape, dtype, ndim))


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("sinfo", [T((2, 3)), T((n, 4)), T(None, "float32", 3), T(None, "float16"), T((n,), "void")],
                         ids=["static", "symbolic", "unknown-shape", "unknown-ndim", "void-dtype"])
def test_activations_keep_the_struct_info(name, sinfo) -> None:
    call = getattr(nn, name)(relax.Var("x", sinfo))
    assert_structural_equal(call.struct_info, sinfo)
    assert call.op.name == f"relax.nn.{name}"


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu", "softmax", "log_softmax"])
def test_float_activations_reject_integer_data(name) -> None:
    with pytest.raises(IRError, match=f"R.nn.{name}: argument 'data' must have a float dtype, got int32"):
        getattr(nn, name)(V((2, 3), "int32"))
    assert nn.relu(V((2, 3), "int32")).struct_info.dtype == "int32"


@pytest.mark.parametrize("name", UNARY)
def test_non_tensor_data_is_an_error(name) -> None:
    with pytest.raises(IRError, match=f"R.nn.{name}: argument 'data' expects a tensor"):
        getattr(nn, name)(relax.Tuple([V((2,))]))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_axis(name) -> None:
    op = getattr(nn, name)
    assert op(V((2, 3))).attrs == {"axis": -1}
    assert_structural_equal(op(V((n, 3)), axis=0).struct_info, T((n, 3)))
    with pytest.raises(IRError, match=rf"R.nn.{name}: axis 2 is out of range for a tensor of 2 dimension\(s\)"):
        op(V((2, 3)), axis=2)
    with pytest.raises(IRError, match=rf"R.nn.{name}: argument 'data' is a scalar"):
        op(V(()))
    with pytest.raises(IRError, match=rf"R.nn.{name}: argument 'axis' expects an int, got list"):
        op(V((2, 3)), axis=[0])
    assert op(V(None, ndim=-1), axis=5).struct_info.ndim == -1  # unknown rank: the axis cannot be checked


# ---------------------------------------------------------------------------------------------
# numpy references against known values
# ---------------------------------------------------------------------------------------------
def _ref(name, x, **attrs):
    call = getattr(nn, name)(V(x.shape, str(x.dtype)), **attrs)
    return get_entry(call.op).run_numpy(call, x)


def test_pointwise_references() -> None:
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0], "float64")
    np.testing.assert_array_equal(_ref("relu", x), [0, 0, 0, 1, 2])
    np.testing.assert_array_equal(_ref("relu", np.array([-3, 4], "int32")), np.array([0, 4], "int32"))
    # Phi(x) * x with the normal CDF at -2, -1, 0, 1, 2
    np.testing.assert_allclose(_ref("gelu", x), [-0.04550026389635842, -0.15865525393145707, 0.0,
                                                 0.8413447460685429, 1.9544997361036416], rtol=1e-12)
    np.testing.assert_allclose(_ref("gelu_tanh", x[1:]), [-0.15880800939172324, 0.0, 0.8411919906082768,
                                                          1.954597694087775], rtol=1e-12)
    np.testing.assert_allclose(_ref("silu", x), [-0.2384058440442351, -0.2689414213699951, 0.0,
                                                 0.7310585786300049, 1.7615941559557646], rtol=1e-12)
    assert _ref("gelu", x.astype("float16")).dtype == np.float16


def test_softmax_references() -> None:
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]], "float32")
    want = np.array([0.09003057317038046, 0.24472847105479767, 0.6652409557748219])
    np.testing.assert_allclose(_ref("softmax", x), [want, want], rtol=1e-6)  # shifted by the max: no overflow
    np.testing.assert_allclose(_ref("log_softmax", x), np.log([want, want]), rtol=1e-6)
    cols = _ref("softmax", x[:, :2], axis=0)
    np.testing.assert_allclose(cols.sum(axis=0), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(cols[0], [0.0, 0.0], atol=1e-6)


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("symbolic", [False, True], ids=["static", "symbolic"])
def test_legalized_activations_match_the_reference(name, symbolic) -> None:
    check_legalized(getattr(nn, name), [rand(3, 4)], {0: {0: "n"}} if symbolic else None)


def test_legalized_variants() -> None:
    check_legalized(lambda x: nn.softmax(x, axis=0), [rand(3, 2)], {0: {0: "n", 1: "m"}})
    check_legalized(lambda x: nn.log_softmax(x, axis=-2), [rand(2, 3, 2)])
    check_legalized(nn.relu, [rand(5, dtype="int32", lo=-5, hi=5)])
    check_legalized(nn.gelu, [rand(2, 3, dtype="float16")], rtol=2e-3)
