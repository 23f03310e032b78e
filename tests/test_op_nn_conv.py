"""R.nn.conv1d / conv2d / conv2d_transpose: inference over layouts and symbolic sizes, errors
naming the op and argument, numpy references against the definition written as explicit loops,
legalized TIR."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from test_op_nn_common import check_legalized, rand

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import assert_structural_equal
from irscript.relax.op import get_entry, nn
from irscript.relax.struct_info_relations import prove_equal

n, h, w = (tir.Var(s, "int64") for s in ("n", "h", "w"))


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1, name="x"):
    return relax.Var(name, T(shape, dtype, ndim))


def _dims(call):
    return list(call.struct_info.shape.values)


def _same_dims(got, want) -> None:
    assert len(got) == len(want) and all(prove_equal(g, tir.op.convert(x) if isinstance(x, int) else x)
                                         for g, x in zip(got, want)), (got, want)


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
def test_conv2d_static_shapes_and_attrs() -> None:
    call = nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3), name="w"), strides=2, padding=1)
    assert_structural_equal(call.struct_info, T((1, 4, 4, 4)))
    assert call.attrs == {"strides": (2, 2), "padding": (1, 1, 1, 1), "dilation": (1, 1), "groups": 1,
                          "data_layout": "NCHW", "kernel_layout": "OIHW", "out_layout": "NCHW", "out_dtype": "void"}
    assert nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3)), padding=(1, 2)).attrs["padding"] == (1, 2, 1, 2)
    assert_structural_equal(nn.conv2d(V((1, 3, 8, 9)), V((4, 3, 3, 3)), padding=(1, 2, 0, 0), dilation=(1, 2)
                                      ).struct_info, T((1, 4, 7, 7)))
    nhwc = nn.conv2d(V((2, 8, 8, 3)), V((3, 3, 3, 4)), data_layout="NHWC", kernel_layout="HWIO")
    assert_structural_equal(nhwc.struct_info, T((2, 6, 6, 4)))
    mixed = nn.conv2d(V((2, 8, 8, 3)), V((3, 3, 3, 4)), data_layout="NHWC", kernel_layout="HWIO", out_layout="NCHW")
    assert_structural_equal(mixed.struct_info, T((2, 4, 6, 6)))
    grouped = nn.conv2d(V((1, 4, 5, 5)), V((6, 2, 1, 1)), groups=2, out_dtype="float16")
    assert_structural_equal(grouped.struct_info, T((1, 6, 5, 5), "float16"))


def test_conv_symbolic_shapes() -> None:
    same = nn.conv2d(V((n, 3, h, w)), V((4, 3, 3, 3)), padding=1)
    assert_structural_equal(same.struct_info, T((n, 4, h, w)))  # simplified to the vars themselves
    strided = nn.conv2d(V((n, 3, h, w)), V((4, 3, 3, 3)), strides=2, padding=1)
    _same_dims(_dims(strided), [n, 4, (h - 1) // 2 + 1, (w - 1) // 2 + 1])
    _same_dims(_dims(nn.conv1d(V((n, 2, w)), V((3, 2, 3)))), [n, 3, w - 2])
    _same_dims(_dims(nn.conv1d(V((n, 2, w * 2)), V((3, 2, 3)), strides=2, padding=1)), [n, 3, w])
    _same_dims(_dims(nn.conv2d_transpose(V((n, 4, h, w)), V((4, 2, 3, 3)), strides=2, padding=1,
                                         output_padding=1)), [n, 2, h * 2, w * 2])
    # the channel counts cannot be checked: the call is trusted
    assert_structural_equal(nn.conv2d(V((1, n, 5, 5)), V((4, 3, 1, 1))).struct_info, T((1, 4, 5, 5)))


def test_conv_unknown_shapes_and_dtypes() -> None:
    assert_structural_equal(nn.conv2d(V(None, ndim=4), V((4, 3, 3, 3))).struct_info, T(None, ndim=4))
    assert_structural_equal(nn.conv2d(V(None, ndim=-1), V(None, ndim=-1)).struct_info, T(None, ndim=4))
    assert_structural_equal(nn.conv1d(V(None, "void", 3), V((4, 3, 3))).struct_info, T(None, "void", 3))
    assert_structural_equal(nn.conv2d(V((1, 3, 5, 5), "void"), V((4, 3, 3, 3))).struct_info,
                            T((1, 4, 3, 3), "void"))


@pytest.mark.parametrize("build, message", [
    (lambda: nn.conv2d(V((1, 3, 8)), V((4, 3, 3, 3))),
     r"R.nn.conv2d: argument 'data' has 3 dimension\(s\) but its layout 'NCHW' has 4"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3))),
     r"R.nn.conv2d: argument 'weight' has 3 dimension\(s\) but its layout 'OIHW' has 4"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 2, 3, 3))),
     r"R.nn.conv2d: argument 'data' has 3 channels but argument 'weight' expects 2 input channels x 1 group"),
    (lambda: nn.conv2d(V((1, 4, 8, 8)), V((5, 2, 3, 3)), groups=2),
     r"R.nn.conv2d: argument 'weight' has 5 output channels, which do not divide into 2 groups"),
    (lambda: nn.conv2d(V((1, h * 2 + 1, 8, 8)), V((4, h, 3, 3)), groups=2),
     r"R.nn.conv2d: argument 'data' has h \* 2 \+ 1 channels but argument 'weight' expects h input channels x 2"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3), "float16")),
     r"R.nn.conv2d: argument 'data' has dtype float32 but 'weight' has dtype float16"),
    (lambda: nn.conv2d(V((1, 3, 2, 2)), V((4, 3, 3, 3))),
     r"R.nn.conv2d: the output would have size 0 in dimension 'H': the dilated kernel of argument 'weight'"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3)), data_layout="NCHX"),
     r"R.nn.conv2d: attribute 'data_layout' must be a permutation of 'NCHW', got 'NCHX'"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3)), kernel_layout="OIHH"),
     r"R.nn.conv2d: attribute 'kernel_layout' must be a permutation of 'OIHW', got 'OIHH'"),
    (lambda: nn.conv1d(V((1, 3, 8)), V((4, 3, 3)), out_layout="NCHW"),
     r"R.nn.conv1d: attribute 'out_layout' must be a permutation of 'NCW', got 'NCHW'"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3)), strides=0),
     r"R.nn.conv2d: attribute 'strides' must be positive, got \(0, 0\)"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3)), groups=0),
     r"R.nn.conv2d: attribute 'groups' must be positive, got 0"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3)), padding=-1),
     r"R.nn.conv2d: attribute 'padding' must be at least 0"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3)), strides=(1, 2, 3)),
     r"R.nn.conv2d: attribute 'strides' takes 1 or 2 value\(s\), got \[1, 2, 3\]"),
    (lambda: nn.conv2d(V((1, 3, 8, 8)), V((4, 3, 3, 3)), dilation="2"),
     r"R.nn.conv2d: argument 'dilation' expects a tuple of int, got str"),
    (lambda: nn.conv2d(relax.Tuple([]), V((4, 3, 3, 3))), r"R.nn.conv2d: argument 'data' expects a tensor"),
    (lambda: nn.conv2d_transpose(V((1, 3, 4, 4)), V((4, 2, 3, 3))),
     r"R.nn.conv2d_transpose: argument 'data' has 3 channels but argument 'weight' has 4 input channels"),
    (lambda: nn.conv2d_transpose(V((1, 3, 4, 4)), V((3, 2, 3, 3)), groups=2),
     r"R.nn.conv2d_transpose: argument 'weight' has 3 input channels, which do not divide into 2 groups"),
    (lambda: nn.conv2d_transpose(V((1, 4, 4, 4)), V((4, 2, 3, 3)), strides=2, output_padding=2),
     r"R.nn.conv2d_transpose: attribute 'output_padding' \[2, 2\] must be less than the strides \[2, 2\]"),
])
def test_conv_errors(build, message) -> None:
    with pytest.raises(IRError, match=message):
        build()


def test_conv2d_transpose_inference() -> None:
    call = nn.conv2d_transpose(V((1, 4, 3, 3)), V((4, 2, 3, 3)), strides=2, padding=1, output_padding=1)
    assert_structural_equal(call.struct_info, T((1, 2, 6, 6)))
    assert call.attrs["kernel_layout"] == "IOHW" and call.attrs["output_padding"] == (1, 1)
    grouped = nn.conv2d_transpose(V((1, 4, 3, 3)), V((4, 1, 2, 2)), groups=2, dilation=2)
    assert_structural_equal(grouped.struct_info, T((1, 2, 5, 5)))


# ---------------------------------------------------------------------------------------------
# numpy references against loops over the definition
# ---------------------------------------------------------------------------------------------
def _loop_conv2d(x, k, strides, pad, dilation, groups):
    """out[b, o, y, x] = sum over the group's input channels and taps of
    data[b, c, y*s + ky*d - top, x*s + kx*d - left] * weight[o, c', ky, kx] (out-of-range reads are 0)."""
    nb, c, hh, ww = x.shape
    o, ci, kh, kw = k.shape
    oh = (hh + pad[0] + pad[2] - dilation[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (ww + pad[1] + pad[3] - dilation[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((nb, o, oh, ow))
    for b, oc, y, xx in itertools.product(range(nb), range(o), range(oh), range(ow)):
        g = oc // (o // groups)
        for cc, ky, kx in itertools.product(range(ci), range(kh), range(kw)):
            iy, ix = y * strides[0] + ky * dilation[0] - pad[0], xx * strides[1] + kx * dilation[1] - pad[1]
            if 0 <= iy < hh and 0 <= ix < ww:
                out[b, oc, y, xx] += x[b, g * ci + cc, iy, ix] * k[oc, cc, ky, kx]
    return out


def _loop_conv2d_transpose(x, k, strides, pad, output_padding, dilation, groups):
    """Scatter form: data[b, c, iy, ix] * weight[c, o', ky, kx] lands on
    out[b, group * O + o', iy*s + ky*d - top, ix*s + kx*d - left]."""
    nb, c, hh, ww = x.shape
    _, og, kh, kw = k.shape
    oh = (hh - 1) * strides[0] - pad[0] - pad[2] + dilation[0] * (kh - 1) + output_padding[0] + 1
    ow = (ww - 1) * strides[1] - pad[1] - pad[3] + dilation[1] * (kw - 1) + output_padding[1] + 1
    out = np.zeros((nb, og * groups, oh, ow))
    for b, ic, iy, ix, oc, ky, kx in itertools.product(range(nb), range(c), range(hh), range(ww), range(og),
                                                       range(kh), range(kw)):
        y, xx = iy * strides[0] + ky * dilation[0] - pad[0], ix * strides[1] + kx * dilation[1] - pad[1]
        if 0 <= y < oh and 0 <= xx < ow:
            out[b, (ic // (c // groups)) * og + oc, y, xx] += x[b, ic, iy, ix] * k[ic, oc, ky, kx]
    return out


def _ref(call, *arrays):
    return get_entry(call.op).run_numpy(call, *arrays)


def test_conv_reference_on_a_hand_computed_case() -> None:
    x = np.arange(9, dtype="float64").reshape(1, 1, 3, 3)
    box = np.ones((1, 1, 2, 2))
    call = nn.conv2d(V((1, 1, 3, 3), "float64"), V((1, 1, 2, 2), "float64"))
    np.testing.assert_array_equal(_ref(call, x, box)[0, 0], [[8, 12], [20, 24]])
    padded = nn.conv2d(V((1, 1, 3, 3), "float64"), V((1, 1, 2, 2), "float64"), strides=2, padding=(1, 1, 0, 0))
    np.testing.assert_array_equal(_ref(padded, x, box)[0, 0], [[0, 3], [9, 24]])
    ints = nn.conv1d(V((1, 1, 4), "int8"), V((1, 1, 2), "int8"), out_dtype="int32")
    got = _ref(ints, np.array([[[100, 100, -100, 1]]], "int8"), np.array([[[2, 1]]], "int8"))
    assert got.dtype == np.int32 and got.tolist() == [[[300, 100, -199]]]  # no int8 overflow


@pytest.mark.parametrize("strides, padding, dilation, groups", [
    ((1, 1), (0, 0, 0, 0), (1, 1), 1), ((2, 1), (1, 0, 2, 1), (1, 1), 1), ((1, 2), (1, 1, 1, 1), (2, 1), 2),
])
def test_conv2d_reference_against_loops(strides, padding, dilation, groups) -> None:
    x, k = rand(2, 4, 6, 5).astype("float64"), rand(6, 4 // groups, 3, 2).astype("float64")
    call = nn.conv2d(V(x.shape, "float64"), V(k.shape, "float64"), strides=strides, padding=padding,
                     dilation=dilation, groups=groups)
    want = _loop_conv2d(x, k, strides, padding, dilation, groups)
    np.testing.assert_allclose(_ref(call, x, k), want, rtol=1e-12)
    nhwc = nn.conv2d(V((2, 6, 5, 4), "float64"), V((3, 2, 4 // groups, 6), "float64"), strides=strides,
                     padding=padding, dilation=dilation, groups=groups, data_layout="NHWC", kernel_layout="HWIO")
    got = _ref(nhwc, x.transpose(0, 2, 3, 1), k.transpose(2, 3, 1, 0))
    np.testing.assert_allclose(got, want.transpose(0, 2, 3, 1), rtol=1e-12)


def test_conv1d_reference_against_loops() -> None:
    x, k = rand(1, 2, 7).astype("float64"), rand(3, 2, 3).astype("float64")
    call = nn.conv1d(V(x.shape, "float64"), V(k.shape, "float64"), strides=2, padding=(2, 1), dilation=2)
    want = _loop_conv2d(x[:, :, None, :], k[:, :, None, :], (1, 2), (0, 2, 0, 1), (1, 2), 1)[:, :, 0, :]
    np.testing.assert_allclose(_ref(call, x, k), want, rtol=1e-12)


@pytest.mark.parametrize("strides, padding, output_padding, dilation, groups", [
    ((1, 1), (0, 0, 0, 0), (0, 0), (1, 1), 1), ((2, 2), (1, 0, 0, 1), (1, 0), (1, 1), 1),
    ((2, 1), (0, 1, 1, 0), (1, 0), (2, 1), 2),
])
def test_conv2d_transpose_reference_against_loops(strides, padding, output_padding, dilation, groups) -> None:
    x, k = rand(1, 4, 3, 2).astype("float64"), rand(4, 2, 3, 2).astype("float64")
    call = nn.conv2d_transpose(V(x.shape, "float64"), V(k.shape, "float64"), strides=strides, padding=padding,
                               output_padding=output_padding, dilation=dilation, groups=groups)
    want = _loop_conv2d_transpose(x, k, strides, padding, output_padding, dilation, groups)
    np.testing.assert_allclose(_ref(call, x, k), want, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
def test_legalized_conv1d() -> None:
    check_legalized(lambda x, k: nn.conv1d(x, k, strides=2, padding=1, dilation=2), [rand(1, 2, 7), rand(3, 2, 2)])
    check_legalized(lambda x, k: nn.conv1d(x, k, padding=(1, 0)), [rand(2, 2, 4), rand(2, 2, 3)],
                    {0: {0: "n", 2: "w"}})


def test_legalized_conv2d() -> None:
    check_legalized(nn.conv2d, [rand(1, 2, 4, 4), rand(2, 2, 3, 3)])
    check_legalized(lambda x, k: nn.conv2d(x, k, strides=2, padding=1, groups=2),
                    [rand(1, 4, 5, 4), rand(2, 2, 3, 3)], {0: {0: "n", 2: "h", 3: "w"}})
    check_legalized(lambda x, k: nn.conv2d(x, k, padding=(1, 0), dilation=(1, 2), data_layout="NHWC",
                                           kernel_layout="HWIO", out_layout="NCHW"),
                    [rand(1, 3, 5, 2), rand(2, 2, 2, 3)])
    check_legalized(lambda x, k: nn.conv2d(x, k, out_dtype="float32"),
                    [rand(1, 2, 3, 3, dtype="float16"), rand(2, 2, 2, 2, dtype="float16")], rtol=1e-3)
    check_legalized(lambda x, k: nn.conv2d(x, k, padding=1), [rand(1, 1, 3, 3, dtype="int32", lo=-5, hi=5),
                                                              rand(1, 1, 2, 2, dtype="int32", lo=-5, hi=5)])


def test_legalized_conv2d_transpose() -> None:
    check_legalized(lambda x, k: nn.conv2d_transpose(x, k, strides=2, padding=1, output_padding=1),
                    [rand(1, 2, 3, 3), rand(2, 2, 3, 3)])
    check_legalized(lambda x, k: nn.conv2d_transpose(x, k, strides=(2, 1), padding=(0, 1, 1, 0), dilation=(1, 2),
                                                     groups=2),
                    [rand(1, 4, 2, 3), rand(4, 1, 2, 2)], {0: {0: "n", 2: "h", 3: "w"}})
