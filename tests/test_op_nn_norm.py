"""R.nn normalizations: layer_norm, rms_norm, group_norm, batch_norm — inference, errors naming
the argument, numpy references against hand-computed statistics, legalized TIR."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from test_op_nn_common import check_legalized, rand

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import assert_structural_equal
from irscript.relax.op import get_entry, nn

n, m = tir.Var("n", "int64"), tir.Var("m", "int64")


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1, name="x"):
    return relax.Var(name, T(shape, dtype, ndim))


def _ref(call, *arrays):
    return get_entry(call.op).run_numpy(call, *arrays)


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
def test_layer_norm_inference() -> None:
    call = nn.layer_norm(V((n, 3, 4)), V((3, 4)), V((3, 4)), axes=[1, -1])
    assert_structural_equal(call.struct_info, T((n, 3, 4)))
    assert call.attrs == {"axes": (1, -1), "epsilon": 1e-5, "center": True, "scale": True}
    assert_structural_equal(nn.layer_norm(V((n, m)), V((m,)), V((m,)), axes=-1).struct_info, T((n, m)))
    # a parameter size that cannot be decided: only the rank is known
    assert_structural_equal(nn.layer_norm(V((n, 4)), V((m,)), V((4,)), axes=[1]).struct_info, T(None, "float32", 2))
    assert_structural_equal(nn.layer_norm(V(None, ndim=3), V((4,)), V((4,)), axes=[2]).struct_info, T(None, ndim=3))
    assert_structural_equal(nn.layer_norm(V(None, ndim=-1), V((4,)), V((4,)), axes=[2]).struct_info, T(None))


@pytest.mark.parametrize("build, message", [
    (lambda: nn.layer_norm(V((2, 4)), V((3,)), V((4,)), axes=[1]),
     r"R.nn.layer_norm: argument 'gamma' has size 3 in dimension 0 but the data has 4 there"),
    (lambda: nn.layer_norm(V((2, 4)), V((4,)), V((2, 4)), axes=[1]),
     r"R.nn.layer_norm: argument 'beta' must have 1 dimension\(s\), got 2"),
    (lambda: nn.layer_norm(V((2, 4)), V((4,), "float16"), V((4,)), axes=[1]),
     r"R.nn.layer_norm: argument 'gamma' has dtype float16 but 'data' has dtype float32"),
    (lambda: nn.layer_norm(V((2, 4), "int32"), V((4,), "int32"), V((4,), "int32"), axes=[1]),
     r"R.nn.layer_norm: argument 'data' must have a float dtype, got int32"),
    (lambda: nn.layer_norm(V((2, 4)), V((4,)), V((4,)), axes=[2]),
     r"R.nn.layer_norm: axes 2 is out of range for a tensor of 2 dimension\(s\)"),
    (lambda: nn.layer_norm(V((2, 4)), V((4, 4)), V((4, 4)), axes=[1, -1]),
     r"R.nn.layer_norm: axes \[1, -1\] refers to dimension 1 more than once"),
    (lambda: nn.layer_norm(V((2, 4)), V((4,)), axes=[1]), "R.nn.layer_norm: missing argument 'beta'"),
    (lambda: nn.rms_norm(V((n, m)), V((m + 1,))),
     r"R.nn.rms_norm: argument 'weight' has size m \+ 1 in dimension 0 but the data has m there"),
    (lambda: nn.rms_norm(V((2, 4)), relax.Tuple([])), "R.nn.rms_norm: argument 'weight' expects a tensor"),
])
def test_layer_and_rms_norm_errors(build, message) -> None:
    with pytest.raises(IRError, match=message):
        build()


def test_rms_norm_inference() -> None:
    call = nn.rms_norm(V((n, 3, 4)), V((4,)))
    assert call.attrs == {"axes": (-1,), "epsilon": 1e-5}
    assert_structural_equal(call.struct_info, T((n, 3, 4)))
    assert_structural_equal(nn.rms_norm(V((2, n)), V((n,)), axes=1, epsilon=0.1).struct_info, T((2, n)))


def test_group_norm_inference_and_errors() -> None:
    call = nn.group_norm(V((n, 6, 4, 4)), V((6,)), V((6,)), num_groups=3, channel_axis=1, axes=[2, 3])
    assert_structural_equal(call.struct_info, T((n, 6, 4, 4)))
    assert_structural_equal(nn.group_norm(V((2, m, 4)), V((m,)), V((m,)), num_groups=2, channel_axis=1,
                                          axes=[2]).struct_info, T((2, m, 4)))
    cases = [
        (dict(num_groups=4, channel_axis=1, axes=[2, 3]),
         r"argument 'data' has 6 channels, which do not divide into 4 groups \(attribute 'num_groups'\)"),
        (dict(num_groups=3, channel_axis=1, axes=[1, 2]), r"channel_axis 1 must not be in axes \[1, 2\]"),
        (dict(num_groups=0, channel_axis=1, axes=[2]), "attribute 'num_groups' must be positive, got 0"),
        (dict(num_groups=3, channel_axis=4, axes=[2]), r"channel_axis 4 is out of range"),
    ]
    for attrs, message in cases:
        with pytest.raises(IRError, match="R.nn.group_norm: " + message):
            nn.group_norm(V((2, 6, 4, 4)), V((6,)), V((6,)), **attrs)
    with pytest.raises(IRError, match="R.nn.group_norm: argument 'beta' has size 5 in dimension 0"):
        nn.group_norm(V((2, 6, 4)), V((6,)), V((5,)), num_groups=3, channel_axis=1, axes=[2])


def test_batch_norm_inference_and_errors() -> None:
    stat = V((3,))
    call = nn.batch_norm(V((n, 3, 4)), stat, stat, stat, stat, axis=1)
    assert_structural_equal(call.struct_info, relax.TupleStructInfo([T((n, 3, 4)), T((3,)), T((3,))]))
    assert call.attrs == {"axis": 1, "epsilon": 1e-5, "center": True, "scale": True, "momentum": 0.1,
                          "training": True}
    undecided = nn.batch_norm(V((2, m)), stat, stat, stat, stat, axis=-1).struct_info
    assert_structural_equal(undecided, relax.TupleStructInfo([T(None, ndim=2), T(None, ndim=1), T(None, ndim=1)]))
    with pytest.raises(IRError, match="R.nn.batch_norm: argument 'moving_var' has size 4 in dimension 0"):
        nn.batch_norm(V((2, 3)), stat, stat, stat, V((4,)), axis=1)
    with pytest.raises(IRError, match=r"R.nn.batch_norm: attribute 'momentum' must be in \[0, 1\], got 1.5"):
        nn.batch_norm(V((2, 3)), stat, stat, stat, stat, axis=1, momentum=1.5)
    with pytest.raises(IRError, match="R.nn.batch_norm: missing argument 'axis'"):
        nn.batch_norm(V((2, 3)), stat, stat, stat, stat)


# ---------------------------------------------------------------------------------------------
# numpy references against hand-computed statistics
# ---------------------------------------------------------------------------------------------
def test_layer_norm_reference() -> None:
    x = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 6.0]])
    gamma, beta = np.array([1.0, 2.0, 1.0, 0.5]), np.array([0.0, 1.0, 0.0, -1.0])
    call = nn.layer_norm(V((2, 4), "float64"), V((4,), "float64"), V((4,), "float64"), axes=[1], epsilon=0.0)
    s1 = math.sqrt(1.25)  # row 1: mean 2.5, variance 1.25; row 2: mean 3, variance 3
    want = np.array([[-1.5 / s1, -0.5 / s1 * 2 + 1, 0.5 / s1, 1.5 / s1 * 0.5 - 1],
                     [-1 / math.sqrt(3), -2 / math.sqrt(3) + 1, -1 / math.sqrt(3), 3 / math.sqrt(3) * 0.5 - 1]])
    np.testing.assert_allclose(_ref(call, x, gamma, beta), want, rtol=1e-12)
    plain = nn.layer_norm(V((2, 4), "float64"), V((4,), "float64"), V((4,), "float64"), axes=[1], epsilon=0.0,
                          center=False, scale=False)
    np.testing.assert_allclose(_ref(plain, x, gamma, beta)[0], [-1.5 / s1, -0.5 / s1, 0.5 / s1, 1.5 / s1])


def test_layer_norm_parameters_follow_the_order_of_axes() -> None:
    x = rand(2, 3, 4).astype("float64")
    gamma = rand(4, 3).astype("float64")  # axes [2, 1]: gamma is (dim 2, dim 1)
    call = nn.layer_norm(V((2, 3, 4), "float64"), V((4, 3), "float64"), V((4, 3), "float64"), axes=[2, 1])
    got = _ref(call, x, gamma, np.zeros((4, 3)))
    for b in range(2):
        block = x[b]
        norm = (block - block.mean()) / np.sqrt(block.var() + 1e-5)
        np.testing.assert_allclose(got[b], norm * gamma.T, rtol=1e-12)


def test_rms_norm_reference() -> None:
    x = np.array([[3.0, 4.0], [1.0, -1.0]])
    call = nn.rms_norm(V((2, 2), "float64"), V((2,), "float64"), epsilon=0.0)
    rms1 = math.sqrt(12.5)
    np.testing.assert_allclose(_ref(call, x, np.array([1.0, 2.0])), [[3 / rms1, 8 / rms1], [1.0, -2.0]])


def test_group_norm_reference_against_loops() -> None:
    x = rand(2, 4, 3).astype("float64")
    gamma, beta = rand(4).astype("float64"), rand(4).astype("float64")
    call = nn.group_norm(V((2, 4, 3), "float64"), V((4,), "float64"), V((4,), "float64"), num_groups=2,
                         channel_axis=1, axes=[2], epsilon=1e-3)
    got = _ref(call, x, gamma, beta)
    for b in range(2):
        for g in range(2):
            values = [float(v) for v in x[b, 2 * g: 2 * g + 2].reshape(-1)]
            mean, var = statistics.fmean(values), statistics.pvariance(values)
            for c in (2 * g, 2 * g + 1):
                for k in range(3):
                    want = (x[b, c, k] - mean) / math.sqrt(var + 1e-3) * gamma[c] + beta[c]
                    assert math.isclose(got[b, c, k], want, rel_tol=1e-9, abs_tol=1e-12)


def test_batch_norm_reference_in_both_modes() -> None:
    x = np.array([[1.0, 10.0], [3.0, 30.0]])  # channels on axis 1: batch means (2, 20), variances (1, 100)
    gamma, beta = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    mean, var = np.array([0.0, 10.0]), np.array([4.0, 25.0])
    args = [V((2, 2), "float64")] + [V((2,), "float64", name=k) for k in ("g", "b", "m", "v")]
    infer = nn.batch_norm(*args, axis=1, epsilon=0.0, training=False)
    out, new_mean, new_var = _ref(infer, x, gamma, beta, mean, var)
    np.testing.assert_allclose(out, [[0.5, 1.0], [1.5, 9.0]])  # (x - m) / sqrt(v) * gamma + beta
    np.testing.assert_array_equal(new_mean, mean)
    np.testing.assert_array_equal(new_var, var)
    train = nn.batch_norm(*args, axis=1, epsilon=0.0, momentum=0.25)
    out, new_mean, new_var = _ref(train, x, gamma, beta, mean, var)
    np.testing.assert_allclose(out, [[-1.0, -1.0], [1.0, 3.0]])
    np.testing.assert_allclose(new_mean, [0.75 * 0 + 0.25 * 2, 0.75 * 10 + 0.25 * 20])
    np.testing.assert_allclose(new_var, [0.75 * 4 + 0.25 * 1, 0.75 * 25 + 0.25 * 100])


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
def test_legalized_layer_norm() -> None:
    check_legalized(lambda x, g, b: nn.layer_norm(x, g, b, axes=[-1]), [rand(3, 4), rand(4), rand(4)])
    check_legalized(lambda x, g, b: nn.layer_norm(x, g, b, axes=[2, 1], center=False),
                    [rand(2, 3, 2), rand(2, 3), rand(2, 3)], {0: {0: "n"}})
    check_legalized(lambda x, g, b: nn.layer_norm(x, g, b, axes=[1], scale=False, epsilon=0.5),
                    [rand(3, 4), rand(4), rand(4)], {0: {0: "n", 1: "m"}, 1: {0: "m"}, 2: {0: "m"}})


def test_legalized_rms_norm() -> None:
    check_legalized(nn.rms_norm, [rand(3, 4), rand(4)], {0: {0: "n"}})
    check_legalized(lambda x, w: nn.rms_norm(x, w, axes=[0, 1]), [rand(2, 3), rand(2, 3)])


def test_legalized_group_norm() -> None:
    build = lambda x, g, b: nn.group_norm(x, g, b, num_groups=2, channel_axis=1, axes=[2])  # noqa: E731
    check_legalized(build, [rand(2, 4, 3), rand(4), rand(4)])
    check_legalized(build, [rand(1, 4, 3), rand(4), rand(4)], {0: {2: "w"}})
    check_legalized(lambda x, g, b: nn.group_norm(x, g, b, num_groups=3, channel_axis=-1, axes=[0], center=False),
                    [rand(2, 6), rand(6), rand(6)], {0: {1: "c"}, 1: {0: "c"}, 2: {0: "c"}})


@pytest.mark.parametrize("training", [False, True])
def test_legalized_batch_norm(training) -> None:
    arrays = [rand(2, 3, 2), rand(3), rand(3), rand(3), rand(3, lo=0.5, hi=2.0)]
    check_legalized(lambda *a: nn.batch_norm(*a, axis=1, training=training), arrays)
    check_legalized(lambda *a: nn.batch_norm(*a, axis=-1, training=training, scale=False, momentum=0.3),
                    [rand(3, 2), *(rand(2, lo=0.5, hi=2.0) for _ in range(4))], {0: {0: "n"}})
