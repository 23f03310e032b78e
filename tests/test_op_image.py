"""R.image.resize2d: inference (sizes, layouts, symbolic and unknown), errors, the numpy
reference against independent formulations (repetition, averages, the Keys cubic kernel, the
rounding rules on half-way coordinates), legalized TIR."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_op_nn_common import check_legalized, rand

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import assert_structural_equal
from irscript.relax.op import get_entry, image

n, h, w = (tir.Var(s, "int64") for s in ("n", "h", "w"))
oh, ow = tir.Var("oh", "int64"), tir.Var("ow", "int64")


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1):
    return relax.Var("x", T(shape, dtype, ndim))


def _ref(call, x):
    return get_entry(call.op).run_numpy(call, x, tuple(int(d.value) for d in call.args[1].values))


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
def test_resize2d_inference() -> None:
    call = image.resize2d(V((1, 3, 4, 4)), (8, 6))
    assert_structural_equal(call.struct_info, T((1, 3, 8, 6)))
    assert call.attrs == {"roi": (0.0, 0.0, 0.0, 0.0), "layout": "NCHW", "method": "linear",
                          "coordinate_transformation_mode": "half_pixel", "rounding_method": "round",
                          "cubic_alpha": -0.75, "cubic_exclude": 0, "extrapolation_value": 0.0, "out_dtype": "void"}
    assert_structural_equal(image.resize2d(V((1, 3, 4, 4)), 5).struct_info, T((1, 3, 5, 5)))
    assert_structural_equal(image.resize2d(V((1, 3, 4, 4)), [7]).struct_info, T((1, 3, 7, 7)))
    assert_structural_equal(image.resize2d(V((n, h, w, 3)), (oh, ow), layout="NHWC", out_dtype="uint8").struct_info,
                            T((n, oh, ow, 3), "uint8"))
    assert image.resize2d(V((1, 3, 4, 4)), 2, roi=0.5).attrs["roi"] == (0.5, 0.5, 0.5, 0.5)
    size = relax.Var("s", relax.ShapeStructInfo(ndim=2))  # a size known only at run time
    assert_structural_equal(image.resize2d(V((1, 3, 4, 4)), size).struct_info, T(None, ndim=4))
    assert_structural_equal(image.resize2d(V(None, "float16", -1), (2, 2)).struct_info, T(None, "float16", 4))


@pytest.mark.parametrize("build, message", [
    (lambda: image.resize2d(V((3, 4, 4)), (2, 2)), r"argument 'data' has 3 dimension\(s\) but its layout 'NCHW'"),
    (lambda: image.resize2d(V((1, 3, 4, 4)), (2, 2, 2)), r"argument 'size' must be a shape of 2 dims"),
    (lambda: image.resize2d(V((1, 3, 4, 4)), V((2,))), r"argument 'size' expects a shape, got R.Tensor"),
    (lambda: image.resize2d(V((1, 3, 4, 4)), "2"), r"argument 'size' expects a size \(an int, or a shape"),
    (lambda: image.resize2d(V((1, 3, 4, 4)), 2, method="bilinear"), r"argument 'method' expects one of"),
    (lambda: image.resize2d(V((1, 3, 4, 4)), 2, coordinate_transformation_mode="corners"),
     r"argument 'coordinate_transformation_mode' expects one of 'half_pixel'"),
    (lambda: image.resize2d(V((1, 3, 4, 4)), 2, rounding_method="nearest"), r"argument 'rounding_method' expects"),
    (lambda: image.resize2d(V((1, 3, 4, 4)), 2, roi=(0.0, 1.0, 2.0)), r"attribute 'roi' takes 1 or 4 values"),
    (lambda: image.resize2d(V((1, 3, 4, 4)), 2, layout="NCWW"), r"attribute 'layout' must be a permutation"),
    (lambda: image.resize2d(V((1, 3, 4, 4)), 2, method="cubic", cubic_exclude=2),
     r"attribute 'cubic_exclude' must be 0 or 1, got 2"),
])
def test_resize2d_errors(build, message) -> None:
    with pytest.raises(IRError, match="R.image.resize2d: " + message):
        build()


# ---------------------------------------------------------------------------------------------
# numpy reference against independent formulations
# ---------------------------------------------------------------------------------------------
def test_nearest_upscaling_repeats_pixels() -> None:
    x = rand(1, 2, 3, 4)
    for mode, rounding in [("asymmetric", "floor"), ("half_pixel", "round_prefer_ceil"), ("asymmetric", "")]:
        call = image.resize2d(V(x.shape), (6, 12), method="nearest_neighbor", coordinate_transformation_mode=mode,
                              rounding_method=rounding)
        np.testing.assert_array_equal(_ref(call, x), x.repeat(2, axis=2).repeat(3, axis=3))


@pytest.mark.parametrize("rounding, picks", [
    ("round", [0, 0, 1, 2, 2, 2, 3, 4]),  # halves go to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2
    ("round_prefer_floor", [0, 0, 1, 1, 2, 2, 3, 3]),
    ("round_prefer_ceil", [0, 1, 1, 2, 2, 3, 3, 4]),
    ("floor", [0, 0, 1, 1, 2, 2, 3, 3]),
    ("ceil", [0, 1, 1, 2, 2, 3, 3, 4]),
])
def test_nearest_rounding_of_half_way_coordinates(rounding, picks) -> None:
    x = np.arange(5, dtype="float32").reshape(1, 1, 1, 5)  # asymmetric 5 -> 10: coordinates 0, 0.5, 1, ...
    call = image.resize2d(V(x.shape), (1, 10), method="nearest_neighbor", coordinate_transformation_mode="asymmetric",
                          rounding_method=rounding)
    got = _ref(call, x)[0, 0, 0]
    np.testing.assert_array_equal(got[:8], [min(p, 4) for p in picks])


def test_linear_references() -> None:
    x = rand(1, 1, 4, 6)
    half = image.resize2d(V(x.shape), (2, 3))  # half_pixel downscale by 2: the mean of each 2x2 block
    blocks = x.reshape(1, 1, 2, 2, 3, 2).mean(axis=(3, 5))
    np.testing.assert_allclose(_ref(half, x), blocks, rtol=1e-5, atol=1e-6)
    row = np.array([[[[0.0, 4.0]]]], "float32")
    corners = image.resize2d(V(row.shape), (1, 3), coordinate_transformation_mode="align_corners")
    np.testing.assert_allclose(_ref(corners, row)[0, 0, 0], [0.0, 2.0, 4.0])
    for method in ("linear", "cubic"):  # the same size: the identity
        np.testing.assert_allclose(_ref(image.resize2d(V(x.shape), (4, 6), method=method), x), x, rtol=1e-6)
    single = image.resize2d(V(row.shape), (1, 1), coordinate_transformation_mode="pytorch_half_pixel")
    np.testing.assert_allclose(_ref(single, row), [[[[0.0]]]])


def _keys(d: float, a: float) -> float:
    d = abs(d)
    if d <= 1:
        return (a + 2) * d ** 3 - (a + 3) * d ** 2 + 1
    return a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a if d < 2 else 0.0


def _cubic_axis(values: np.ndarray, coord: float, a: float) -> np.ndarray:
    """Interpolate along the last axis at `coord` with the Keys kernel, taps clamped to the edge."""
    base = math.floor(coord)
    size = values.shape[-1]
    return sum(values[..., min(max(base + k, 0), size - 1)] * _keys(coord - (base + k), a) for k in (-1, 0, 1, 2))


def test_cubic_reference_against_the_keys_kernel() -> None:
    x = rand(1, 1, 4, 5).astype("float32")
    call = image.resize2d(V(x.shape), (3, 7), method="cubic", cubic_alpha=-0.5)
    got = _ref(call, x)
    for i in range(3):
        for j in range(7):
            cy, cx = (i + 0.5) * 4 / 3 - 0.5, (j + 0.5) * 5 / 7 - 0.5
            cols = np.stack([_cubic_axis(x[0, 0, r].astype("float64"), cx, -0.5) for r in range(4)])
            assert math.isclose(got[0, 0, i, j], _cubic_axis(cols, cy, -0.5), rel_tol=1e-5, abs_tol=1e-5)


def test_crop_and_resize_extrapolates_outside_the_image() -> None:
    x = np.arange(4, dtype="float32").reshape(1, 1, 1, 4)
    call = image.resize2d(V(x.shape), (1, 4), roi=(0.0, -1 / 3, 0.0, 4 / 3),
                          coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=-7.0)
    # columns at start * 3 + j * (end - start) * 3 / 3 = -1, 2/3, 7/3, 4: the outer two lie outside
    np.testing.assert_allclose(_ref(call, x)[0, 0, 0], [-7.0, 2 / 3, 7 / 3, -7.0], rtol=1e-5)


def test_layout_and_out_dtype() -> None:
    x = rand(1, 3, 4, 2)
    nhwc = image.resize2d(V(x.shape), (6, 3), layout="NHWC", out_dtype="int32")
    nchw = image.resize2d(V((1, 2, 3, 4)), (6, 3))
    want = _ref(nchw, x.transpose(0, 3, 1, 2)).transpose(0, 2, 3, 1)
    got = _ref(nhwc, x)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, want.astype("int32"))  # float -> int truncates, as a cast does


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("attrs", [
    {},
    {"method": "nearest_neighbor", "coordinate_transformation_mode": "asymmetric", "rounding_method": "floor"},
    {"method": "nearest_neighbor", "coordinate_transformation_mode": "align_corners", "rounding_method": ""},
    {"method": "cubic", "cubic_exclude": 1},
    {"method": "cubic", "coordinate_transformation_mode": "pytorch_half_pixel"},
    {"coordinate_transformation_mode": "tf_crop_and_resize", "roi": (0.1, -0.2, 0.9, 1.1), "extrapolation_value": 5.0},
    {"coordinate_transformation_mode": "tf_half_pixel_for_nn", "method": "nearest_neighbor"},
], ids=["linear", "nearest-floor", "nearest-corners", "cubic-exclude", "cubic-pytorch", "crop", "tf-nn"])
def test_legalized_resize2d(attrs) -> None:
    check_legalized(lambda x: image.resize2d(x, (3, 5), **attrs), [rand(1, 2, 2, 3)])


def test_legalized_resize2d_symbolic_and_layouts() -> None:
    check_legalized(lambda x: image.resize2d(x, (4, 1), layout="NHWC", out_dtype="int32"),
                    [rand(1, 3, 2, 2, lo=-9, hi=9)], {0: {1: "h", 2: "w"}})
    check_legalized(lambda x: image.resize2d(x, (oh, ow), method="nearest_neighbor"), [rand(2, 1, 3, 2)],
                    {0: {0: "n", 2: "h"}}, other_vars={oh: 2, ow: 5})
    check_legalized(lambda x: image.resize2d(x, 2, method="linear", coordinate_transformation_mode="align_corners"),
                    [rand(1, 1, 3, 3, dtype="float16")], rtol=2e-3)
