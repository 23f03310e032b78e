"""Element-wise ops: struct-info inference (static, symbolic, unknown parts), errors naming the op
and the argument, numpy references against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import assert_structural_equal
from irscript.relax import op as R
from irscript.relax.op import get_entry

n, m = tir.Var("n", "int64"), tir.Var("m", "int64")


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1, name="x"):
    return relax.Var(name, T(shape, dtype, ndim))


def i64(v):
    return tir.IntImm("int64", v)


BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "power", "maximum", "minimum",
          "logical_and", "logical_or"]
COMPARE = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", BINARY + COMPARE)
@pytest.mark.parametrize("a, b, want", [
    ((3, 1, 4), (5, 1), (3, 5, 4)),
    ((4,), (2, 3, 4), (2, 3, 4)),
    ((), (2, 3), (2, 3)),
    ((n, 4), (1, 4), (n, 4)),
    ((n, m), (m,), (n, m)),
    ((1, m), (n, 1), (n, m)),
])
def test_binary_broadcast_shapes(name, a, b, want) -> None:
    call = getattr(R, name)(V(a), V(b, name="y"))
    dtype = "bool" if name in COMPARE else "float32"
    assert_structural_equal(call.struct_info, T(want, dtype))


def test_symbolic_dims_equal_by_arithmetic() -> None:
    call = R.add(V((n * 2 - n, 4)), V((n, 4), name="y"))
    assert call.struct_info.values[0].a.a is n  # the first argument's dim is kept, proven equal to n


@pytest.mark.parametrize("a, b, ndim", [
    ((n,), (m,), 1),  # cannot decide: only the rank is known
    ((n,), (n + 1,), 1),  # n + 1 may be 1 (n = 0): not an error
    ((2, n), (3, 1, m), 3),
])
def test_undecidable_broadcast_keeps_only_the_rank(a, b, ndim) -> None:
    assert_structural_equal(R.multiply(V(a), V(b, name="y")).struct_info, T(None, "float32", ndim))


@pytest.mark.parametrize("a, b, message", [
    ((3, 4), (5, 4), "dimension 0 of the result would be both 3 and 5"),
    ((n + 2,), (n + 3,), "dimension 0 of the result would be both n \\+ 2 and n \\+ 3"),
    ((2, 4), (3, 2, 5), "dimension 2 of the result would be both 4 and 5"),
])
def test_provably_incompatible_dims_are_errors(a, b, message) -> None:
    with pytest.raises(IRError, match=f"R.add: cannot broadcast 'x1' and 'x2': {message}"):
        R.add(V(a), V(b, name="y"))


def test_dtypes_unknown_parts_and_prim_operands() -> None:
    with pytest.raises(IRError, match="R.subtract: argument 'x1' has dtype float32 but 'x2' has dtype int32"):
        R.subtract(V((2,)), V((2,), "int32"))
    assert R.add(V((2,), "void"), V((2,))).struct_info.dtype.is_void
    assert_structural_equal(R.add(V(ndim=-1), V((2, 3))).struct_info, T(None, "float32", -1))
    assert_structural_equal(R.add(V(None, ndim=2), V((2, 3))).struct_info, T(None, "float32", 2))
    s = relax.Var("s", relax.ShapeStructInfo(ndim=2))
    a, b = relax.Var("a", T(s, "float32")), relax.Var("b", T(s, "float32"))
    assert R.add(a, b).struct_info.shape is s  # both share the same shape var
    p = relax.PrimValue(tir.FloatImm("float32", 1.0))
    assert_structural_equal(R.add(V((2, 3)), p).struct_info, T((2, 3)))
    assert_structural_equal(R.add(p, p).struct_info, relax.PrimStructInfo("float32"))
    assert_structural_equal(R.less(p, V((4,))).struct_info, T((4,), "bool"))
    with pytest.raises(IRError, match="R.add: argument 'x1' has dtype float32 but 'x2' has dtype int64"):
        R.add(V((2,)), relax.PrimValue(tir.IntImm("int64", 1)))
    assert R.equal(V((2,)), V((2,), "int32")).struct_info.dtype == "bool"  # comparisons do not unify


def test_non_tensor_arguments_are_errors() -> None:
    tup = relax.Tuple([V((2,))])
    with pytest.raises(IRError, match=r"R.add: argument 'x1' expects a tensor or an R.Prim value, got R.Tuple"):
        R.add(tup, V((2,)))
    with pytest.raises(IRError, match=r"R.exp: argument 'x' expects a tensor, got R.Shape\(\[2\]\)"):
        R.exp(relax.ShapeExpr([2]))


UNARY_FLOAT = ["exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "sin", "cos", "erf"]
UNARY_ANY = ["negative", "abs", "floor", "ceil", "round", "logical_not"]


@pytest.mark.parametrize("name", UNARY_FLOAT + UNARY_ANY)
def test_unary_keeps_struct_info(name) -> None:
    for sinfo in (T((n, 3)), T(None, "float16", 2), T(None, "void", -1)):
        assert_structural_equal(getattr(R, name)(relax.Var("x", sinfo)).struct_info, sinfo)


@pytest.mark.parametrize("name", UNARY_FLOAT)
def test_transcendental_ops_need_a_float_dtype(name) -> None:
    with pytest.raises(IRError, match=f"R.{name}: argument 'x' must have a float dtype, got int32"):
        getattr(R, name)(V((2,), "int32"))


@pytest.mark.parametrize("name", UNARY_ANY)
def test_other_unary_ops_take_integers(name) -> None:
    assert getattr(R, name)(V((2,), "int32")).struct_info.dtype == "int32"


def test_clip_and_astype() -> None:
    x = V((n, 3))
    call = R.clip(x, 0, 6.5)
    assert_structural_equal(call.struct_info, x.struct_info)
    assert call.args[1].value.dtype == "int64" and call.args[2].value.dtype == "float64"
    with pytest.raises(IRError, match=r"R.clip: argument 'min' expects an R.Prim value, got R.Tensor"):
        R.clip(x, x, 1)
    assert_structural_equal(R.astype(x, "int8").struct_info, T((n, 3), "int8"))
    assert_structural_equal(R.astype(V(None, ndim=3), "float16").struct_info, T(None, "float16", 3))
    with pytest.raises(IRError, match="R.astype: argument 'dtype' must be a concrete data type, got void"):
        R.astype(x, "void")


# ---------------------------------------------------------------------------------------------
# numpy references, against values computed by hand
# ---------------------------------------------------------------------------------------------
def ref(name, *args, **attrs):
    return get_entry(f"relax.{name}").numpy_ref(*args, **attrs)


def arr(values, dtype):
    return np.array(values, dtype=dtype)


@pytest.mark.parametrize("name, a, b, want", [
    ("add", arr([1, 2], "int32"), arr([[10], [20]], "int32"), arr([[11, 12], [21, 22]], "int32")),
    ("subtract", arr([1.5], "float32"), arr([0.25, 2.0], "float32"), arr([1.25, -0.5], "float32")),
    ("multiply", arr([3, -2], "int8"), arr([4, 5], "int8"), arr([12, -10], "int8")),
    ("divide", arr([7, -7, 7, -7], "int32"), arr([2, 2, -2, -2], "int32"), arr([3, -3, -3, 3], "int32")),
    ("divide", arr([1.0, -3.0], "float32"), arr([4.0, 2.0], "float32"), arr([0.25, -1.5], "float32")),
    ("floor_divide", arr([7, -7, 7, -7], "int32"), arr([2, 2, -2, -2], "int32"), arr([3, -4, -4, 3], "int32")),
    ("floor_divide", arr([7.0, -7.0], "float32"), arr([2.0, 2.0], "float32"), arr([3.0, -4.0], "float32")),
    ("power", arr([2.0, 9.0], "float32"), arr([3.0, 0.5], "float32"), arr([8.0, 3.0], "float32")),
    ("maximum", arr([1, 5], "int64"), arr([3, 2], "int64"), arr([3, 5], "int64")),
    ("minimum", arr([1, 5], "int64"), arr([3, 2], "int64"), arr([1, 2], "int64")),
    ("equal", arr([1, 2], "int32"), arr([1, 3], "int32"), arr([True, False], "bool")),
    ("not_equal", arr([1, 2], "int32"), arr([1, 3], "int32"), arr([False, True], "bool")),
    ("less", arr([1, 2, 3], "float32"), arr([2, 2, 2], "float32"), arr([True, False, False], "bool")),
    ("less_equal", arr([1, 2, 3], "float32"), arr([2, 2, 2], "float32"), arr([True, True, False], "bool")),
    ("greater", arr([1, 2, 3], "float32"), arr([2, 2, 2], "float32"), arr([False, False, True], "bool")),
    ("greater_equal", arr([1, 2, 3], "float32"), arr([2, 2, 2], "float32"), arr([False, True, True], "bool")),
    ("logical_and", arr([True, True, False], "bool"), arr([True, False, False], "bool"), arr([1, 0, 0], "bool")),
    ("logical_or", arr([0, 2, 0], "int32"), arr([0, 0, -1], "int32"), arr([0, 1, 1], "int32")),
    ("logical_and", arr([0, 2, 3], "int32"), arr([1, 0, 5], "int32"), arr([0, 0, 1], "int32")),
])
def test_binary_numpy_references(name, a, b, want) -> None:
    got = ref(name, a, b)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_scalar_operands_take_the_tensor_dtype() -> None:
    got = ref("add", arr([1.0, 2.0], "float16"), 0.5)
    assert got.dtype == np.float16 and got.tolist() == [1.5, 2.5]
    assert ref("subtract", 10, arr([1, 2], "int8")).tolist() == [9, 8]


@pytest.mark.parametrize("name, x, want", [
    ("exp", [0.0, 1.0], [1.0, math.e]),
    ("log", [1.0, math.e], [0.0, 1.0]),
    ("sqrt", [4.0, 2.25], [2.0, 1.5]),
    ("rsqrt", [4.0, 0.25], [0.5, 2.0]),
    ("tanh", [0.0, 0.5], [0.0, 0.46211715726000974]),
    ("sigmoid", [0.0, 2.0, -2.0], [0.5, 0.8807970779778823, 0.11920292202211755]),
    ("sin", [0.0, math.pi / 2], [0.0, 1.0]),
    ("cos", [0.0, math.pi], [1.0, -1.0]),
    ("erf", [0.0, 1.0, -0.5], [0.0, 0.8427007929497149, -0.5204998778130465]),
    ("negative", [1.5, -2.0], [-1.5, 2.0]),
    ("abs", [-1.5, 2.0], [1.5, 2.0]),
    ("floor", [1.5, -1.5], [1.0, -2.0]),
    ("ceil", [1.5, -1.5], [2.0, -1.0]),
    ("round", [0.5, 1.5, 2.5, -0.5, -2.5, 0.6], [0.0, 2.0, 2.0, -0.0, -2.0, 1.0]),  # halves to even
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_numpy_references(name, x, want, dtype) -> None:
    got = ref(name, arr(x, dtype))
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, arr(want, dtype), rtol=1e-6, atol=1e-7)


def test_integer_unary_references() -> None:
    x = arr([-3, 0, 4], "int32")
    assert ref("negative", x).tolist() == [3, 0, -4]
    assert ref("abs", x).tolist() == [3, 0, 4]
    assert ref("floor", x).dtype == np.int32 and ref("round", x).tolist() == [-3, 0, 4]
    assert ref("logical_not", arr([True, False], "bool")).tolist() == [False, True]
    assert ref("logical_not", x).tolist() == [0, 1, 0]


def test_clip_and_astype_references() -> None:
    x = arr([-3.0, 0.5, 9.0], "float32")
    assert ref("clip", x, min=0, max=6).tolist() == [0.0, 0.5, 6.0]
    assert ref("clip", x, 5, 1).tolist() == [5.0, 5.0, 5.0]  # max(min(x, hi), lo) when lo > hi
    assert ref("clip", arr([-7, 3], "int8"), -5, 5).dtype == np.int8
    from irscript.ir import DataType

    got = ref("astype", arr([1.7, -1.7, 0.0], "float32"), dtype=DataType("int32"))
    assert got.dtype == np.int32 and got.tolist() == [1, -1, 0]
    assert ref("astype", arr([2, 0], "int32"), dtype=DataType("bool")).tolist() == [True, False]



@given(a=st.lists(st.sampled_from([1, 2, 3]), max_size=4), b=st.lists(st.sampled_from([1, 2, 3]), max_size=4))
def test_broadcast_inference_agrees_with_numpy(a, b) -> None:
    try:
        want = np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:
        with pytest.raises(IRError, match="R.add: cannot broadcast 'x1' and 'x2'"):
            R.add(V(tuple(a)), V(tuple(b), name="y"))
        return
    got = R.add(V(tuple(a)), V(tuple(b), name="y")).struct_info
    assert tuple(d.value for d in got.values) == want
    out = ref("add", np.ones(a, "float32"), np.ones(b, "float32"))
    assert out.shape == want
