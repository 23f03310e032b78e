"""R.nn.max_pool2d / avg_pool2d / adaptive_avg_pool2d: inference (ceil_mode's last-window rule,
layouts, symbolic sizes), errors, numpy references against explicit loops, legalized TIR."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from test_op_nn_common import check_legalized, rand

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import assert_structural_equal
from irscript.relax.op import FunctionTable, get_entry, legalize_call, nn
from irscript.relax.struct_info_relations import prove_equal

n, c, h, w = (tir.Var(s, "int64") for s in ("n", "c", "h", "w"))


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1):
    return relax.Var("x", T(shape, dtype, ndim))


def _same_dims(call, want) -> None:
    got = call.struct_info.shape.values
    assert len(got) == len(want) and all(prove_equal(g, tir.op.convert(x) if isinstance(x, int) else x)
                                         for g, x in zip(got, want)), (got, want)


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pool", [nn.max_pool2d, nn.avg_pool2d])
def test_pool_shapes(pool) -> None:
    call = pool(V((1, 2, 5, 5)), pool_size=3, strides=2, padding=1)
    assert_structural_equal(call.struct_info, T((1, 2, 3, 3)))
    assert call.attrs == {"pool_size": (3, 3), "strides": (2, 2), "padding": (1, 1, 1, 1), "dilation": (1, 1),
                          "ceil_mode": False, "count_include_pad": False, "layout": "NCHW", "out_layout": "NCHW"}
    assert_structural_equal(pool(V((1, 1, 5, 5)), 2, 2).struct_info, T((1, 1, 2, 2)))
    assert_structural_equal(pool(V((1, 1, 5, 5)), 2, 2, ceil_mode=True).struct_info, T((1, 1, 3, 3)))
    # ceil_mode's extra window would start in the padding: dropped (4 -> 3)
    assert_structural_equal(pool(V((1, 1, 5, 5)), 2, 2, padding=1, ceil_mode=True).struct_info, T((1, 1, 3, 3)))
    assert_structural_equal(pool(V((1, 6, 7, 2)), (2, 1), dilation=(3, 1), layout="NHWC").struct_info,
                            T((1, 3, 7, 2)))
    assert_structural_equal(pool(V((1, 6, 7, 2)), 1, layout="NHWC", out_layout="NCHW").struct_info, T((1, 2, 6, 7)))
    assert_structural_equal(pool(V(None, ndim=4), 2).struct_info, T(None, ndim=4))
    assert_structural_equal(pool(V(None, "int8", -1), 2).struct_info, T(None, "int8", 4))


@pytest.mark.parametrize("pool", [nn.max_pool2d, nn.avg_pool2d])
def test_pool_symbolic_shapes(pool) -> None:
    _same_dims(pool(V((n, c, h, w)), 2, 2), [n, c, h // 2, w // 2])
    _same_dims(pool(V((n, c, h, w)), 2, 2, ceil_mode=True), [n, c, (h + 1) // 2, (w + 1) // 2])
    _same_dims(pool(V((n, c, h, w)), 3, 2, padding=1, ceil_mode=True), [n, c, h // 2 + 1, w // 2 + 1])
    # whether the last ceil_mode window starts in the padding depends on h: only the rank is known
    undecided = pool(V((n, c, h, w)), 2, 3, padding=1, ceil_mode=True)
    assert_structural_equal(undecided.struct_info, T(None, ndim=4))
    with pytest.raises(IRError, match="cannot legalize R.nn.*_pool2d: the ceil_mode output size of dimension 'H'"):
        legalize_call(undecided, FunctionTable())


@pytest.mark.parametrize("build, message", [
    (lambda: nn.max_pool2d(V((1, 2, 5)), 2), r"R.nn.max_pool2d: argument 'data' has 3 dimension\(s\)"),
    (lambda: nn.avg_pool2d(V((1, 2, 5, 5)), 0), r"R.nn.avg_pool2d: attribute 'pool_size' must be positive"),
    (lambda: nn.max_pool2d(V((1, 2, 5, 5)), 2, strides=(1, 0)), r"attribute 'strides' must be positive"),
    (lambda: nn.max_pool2d(V((1, 2, 5, 5)), 2, padding=(0, -1)), r"attribute 'padding' must be at least 0"),
    (lambda: nn.max_pool2d(V((1, 2, 5, 5)), 2, layout="NCWH2"),
     r"R.nn.max_pool2d: attribute 'layout' must be a permutation of 'NCHW', got 'NCWH2'"),
    (lambda: nn.avg_pool2d(V((1, 2, 2, 2)), 3),
     r"R.nn.avg_pool2d: the output would have size 0 in dimension 'H': the window of attribute 'pool_size'"),
    (lambda: nn.max_pool2d(V((1, 2, 5, 5)), (1, 2, 3)), r"attribute 'pool_size' takes 1 or 2 value\(s\)"),
    (lambda: nn.max_pool2d(V((1, 2, 5, 5)), 2, ceil_mode=1), r"argument 'ceil_mode' expects a bool, got int"),
    (lambda: nn.adaptive_avg_pool2d(V((1, 2, 5, 5)), (0, 2)),
     r"R.nn.adaptive_avg_pool2d: attribute 'output_size' must be positive"),
    (lambda: nn.adaptive_avg_pool2d(V((1, 2, 5)), 2), r"R.nn.adaptive_avg_pool2d: argument 'data' has 3 dimension"),
    (lambda: nn.adaptive_avg_pool2d(V((1, 2, 5, 5)), 2, layout="NC"), r"attribute 'layout' must be a permutation"),
])
def test_pool_errors(build, message) -> None:
    with pytest.raises(IRError, match=message):
        build()


def test_adaptive_pool_shapes() -> None:
    assert_structural_equal(nn.adaptive_avg_pool2d(V((n, c, h, w))).struct_info, T((n, c, h, w)))
    call = nn.adaptive_avg_pool2d(V((n, c, h, w)), 3)
    assert call.attrs == {"output_size": (3, 3), "layout": "NCHW", "out_layout": "NCHW"}
    assert_structural_equal(call.struct_info, T((n, c, 3, 3)))
    assert_structural_equal(nn.adaptive_avg_pool2d(V((1, 5, 6, 2)), (2, 3), layout="NHWC", out_layout="NCHW"
                                                   ).struct_info, T((1, 2, 2, 3)))
    assert_structural_equal(nn.adaptive_avg_pool2d(V(None, ndim=4), 2).struct_info, T(None, ndim=4))


# ---------------------------------------------------------------------------------------------
# numpy references against loops
# ---------------------------------------------------------------------------------------------
def _loop_pool(x, kind, k, s, pad, d, out_hw, include_pad):
    """Each output position's window taps y*s + ky*d - top; max / mean over the taps inside the
    input; with include_pad the mean divides by the taps inside [-top, size + bottom)."""
    nb, ch, hh, ww = x.shape
    out = np.zeros((nb, ch) + tuple(out_hw))
    for y, xx in itertools.product(range(out_hw[0]), range(out_hw[1])):
        taps = [(y * s[0] + ky * d[0] - pad[0], xx * s[1] + kx * d[1] - pad[1])
                for ky, kx in itertools.product(range(k[0]), range(k[1]))]
        inside = [(i, j) for i, j in taps if 0 <= i < hh and 0 <= j < ww]
        values = np.array([x[:, :, i, j] for i, j in inside])
        if kind == "max":
            out[:, :, y, xx] = values.max(axis=0)
            continue
        count = len(inside) if not include_pad else sum(
            1 for i, j in taps if -pad[0] <= i < hh + pad[2] and -pad[1] <= j < ww + pad[3])
        out[:, :, y, xx] = values.sum(axis=0) / count
    return out


def _ref(call, *arrays):
    return get_entry(call.op).run_numpy(call, *arrays)


def test_pool_references_on_hand_computed_cases() -> None:
    x = np.arange(16, dtype="float32").reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(_ref(nn.max_pool2d(V(x.shape), 2, 2), x)[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(_ref(nn.avg_pool2d(V(x.shape), 2, 2), x)[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    ones = np.ones((1, 1, 2, 2), "float32")
    np.testing.assert_allclose(_ref(nn.avg_pool2d(V(ones.shape), 3, padding=1), ones)[0, 0], np.ones((2, 2)))
    np.testing.assert_allclose(_ref(nn.avg_pool2d(V(ones.shape), 3, padding=1, count_include_pad=True), ones)[0, 0],
                               np.full((2, 2), 4 / 9), rtol=1e-6)
    neg = -np.ones((1, 1, 2, 2), "float32")
    np.testing.assert_array_equal(_ref(nn.max_pool2d(V(neg.shape), 3, padding=1), neg), -np.ones((1, 1, 2, 2)))
    ints = np.array([[[[-3, 4], [0, 0]]]], "int32")
    got = _ref(nn.avg_pool2d(V(ints.shape, "int32"), (1, 2)), ints)
    assert got.dtype == np.int32 and got.tolist() == [[[[0], [0]]]]  # 1/2 truncates toward zero


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("k, s, pad, d, ceil, include", [
    ((2, 2), (2, 2), (0, 0, 0, 0), (1, 1), False, False), ((3, 2), (2, 1), (1, 0, 1, 1), (1, 1), True, False),
    ((3, 3), (2, 2), (1, 1, 1, 1), (1, 1), True, True), ((2, 2), (1, 2), (1, 1, 0, 0), (2, 1), True, True),
])
def test_pool_reference_against_loops(kind, k, s, pad, d, ceil, include) -> None:
    x = rand(1, 2, 6, 5)
    op = nn.max_pool2d if kind == "max" else nn.avg_pool2d
    call = op(V(x.shape), k, s, pad, d, ceil_mode=ceil, count_include_pad=include)
    want = _loop_pool(x.astype("float64"), kind, k, s, pad, d, call.struct_info.shape.values[2:], include)
    np.testing.assert_allclose(_ref(call, x), want, rtol=1e-6)
    nhwc = op(V((1, 6, 5, 2)), k, s, pad, d, ceil_mode=ceil, count_include_pad=include, layout="NHWC")
    np.testing.assert_allclose(_ref(nhwc, x.transpose(0, 2, 3, 1)), want.transpose(0, 2, 3, 1), rtol=1e-6)


def test_adaptive_pool_reference_against_loops() -> None:
    x = rand(1, 2, 5, 7).astype("float64")
    for out_hw in [(2, 3), (5, 7), (1, 1), (3, 7)]:
        got = _ref(nn.adaptive_avg_pool2d(V(x.shape, "float64"), out_hw), x)
        for i, j in itertools.product(range(out_hw[0]), range(out_hw[1])):
            rows = range(math.floor(i * 5 / out_hw[0]), math.ceil((i + 1) * 5 / out_hw[0]))
            cols = range(math.floor(j * 7 / out_hw[1]), math.ceil((j + 1) * 7 / out_hw[1]))
            want = np.mean([x[:, :, r, q] for r in rows for q in cols], axis=0)
            np.testing.assert_allclose(got[:, :, i, j], want, rtol=1e-12)
    row = np.arange(5, dtype="float32").reshape(1, 1, 1, 5)
    np.testing.assert_array_equal(_ref(nn.adaptive_avg_pool2d(V(row.shape), (1, 2)), row)[0, 0, 0], [1.0, 3.0])


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", [nn.max_pool2d, nn.avg_pool2d])
def test_legalized_pools(op) -> None:
    check_legalized(lambda x: op(x, 3, 2, padding=1), [rand(1, 2, 5, 4)])
    check_legalized(lambda x: op(x, 2, 2, ceil_mode=True, count_include_pad=True), [rand(1, 1, 5, 5)],
                    {0: {0: "n", 2: "h"}})
    check_legalized(lambda x: op(x, (2, 3), (1, 2), padding=(1, 0, 0, 1), dilation=(2, 1), ceil_mode=True,
                                 layout="NHWC", out_layout="NCHW"), [rand(1, 5, 4, 2)])
    check_legalized(lambda x: op(x, 2, padding=1), [rand(1, 1, 3, 3, dtype="int32", lo=-9, hi=9)])


def test_legalized_avg_pool_counts_padding_when_asked() -> None:
    check_legalized(lambda x: nn.avg_pool2d(x, 3, 2, padding=1, count_include_pad=True, ceil_mode=True),
                    [rand(1, 1, 4, 4)])


def test_legalized_adaptive_pool() -> None:
    check_legalized(lambda x: nn.adaptive_avg_pool2d(x, (2, 3)), [rand(1, 2, 5, 4)])
    check_legalized(nn.adaptive_avg_pool2d, [rand(1, 1, 2, 3)], {0: {2: "h", 3: "w"}})
    check_legalized(lambda x: nn.adaptive_avg_pool2d(x, 2, layout="NHWC"), [rand(1, 3, 5, 2)], {0: {1: "h", 2: "w"}})
    check_legalized(lambda x: nn.adaptive_avg_pool2d(x, (1, 2)), [rand(1, 1, 3, 4, dtype="int32", lo=-9, hi=9)])
