"""Reductions: inference over axis / keepdims (negative axes, symbolic and unknown shapes), errors,
numpy references against hand-computed values."""

from __future__ import annotations

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
STAT = ["sum", "mean", "max", "min", "prod", "variance"]


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1):
    return relax.Var("x", T(shape, dtype, ndim))


@pytest.mark.parametrize("name", STAT)
@pytest.mark.parametrize("shape, axis, keepdims, want", [
    ((2, 3, 4), [1], False, (2, 4)),
    ((2, 3, 4), [-1, 0], False, (3,)),
    ((2, 3, 4), [1], True, (2, 1, 4)),
    ((2, 3, 4), None, False, ()),
    ((2, 3, 4), None, True, (1, 1, 1)),
    ((n, m, 4), [2], False, (n, m)),
    ((n, m, 4), [-2], True, (n, 1, 4)),
    ((n,), 0, False, ()),
])
def test_statistical_shapes(name, shape, axis, keepdims, want) -> None:
    call = getattr(R, name)(V(shape), axis=axis, keepdims=keepdims)
    assert_structural_equal(call.struct_info, T(want))


@pytest.mark.parametrize("sinfo, axis, keepdims, want", [
    (T(None, "float32", 3), [0], False, T(None, "float32", 2)),
    (T(None, "float32", 3), [0], True, T(None, "float32", 3)),
    (T(None, "float32", 3), None, True, T((1, 1, 1))),
    (T(None, "float32", 3), None, False, T(())),
    (T(None, "float32", -1), [0], False, T(None, "float32", -1)),
    (T(None, "float32", -1), None, False, T(())),
    (T((2, 3), "void"), [1], False, T((2,), "void")),
])
def test_unknown_shapes(sinfo, axis, keepdims, want) -> None:
    assert_structural_equal(R.sum(relax.Var("x", sinfo), axis=axis, keepdims=keepdims).struct_info, want)


@pytest.mark.parametrize("name", STAT)
def test_axis_errors(name) -> None:
    with pytest.raises(IRError, match=rf"R.{name}: axis 2 is out of range for a tensor of 2 dimension\(s\) "
                                      r"\(expected \[-2, 2\)\)"):
        getattr(R, name)(V((3, 4)), axis=[2])
    with pytest.raises(IRError, match=rf"R.{name}: axis \[0, -2\] refers to dimension 0 more than once"):
        getattr(R, name)(V((3, 4)), axis=[0, -2])
    with pytest.raises(IRError, match=rf"R.{name}: argument 'x' expects a tensor"):
        getattr(R, name)(relax.Tuple([V((3,))]))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reductions(name) -> None:
    op = getattr(R, name)
    assert_structural_equal(op(V((n, 4)), axis=1).struct_info, T((n,), "int64"))
    assert_structural_equal(op(V((n, 4)), axis=-2, keepdims=True).struct_info, T((1, 4), "int64"))
    assert_structural_equal(op(V((n, 4))).struct_info, T((), "int64"))
    assert_structural_equal(op(V((n, 4)), keepdims=True).struct_info, T((1, 1), "int64"))
    assert_structural_equal(op(V(None, ndim=3), axis=0).struct_info, T(None, "int64", 2))
    with pytest.raises(IRError, match=f"R.{name}: axis -3 is out of range"):
        op(V((2, 2)), axis=-3)


# ---------------------------------------------------------------------------------------------
# numpy references
# ---------------------------------------------------------------------------------------------
def ref(name, x, **attrs):
    attrs.setdefault("axis", None)
    attrs.setdefault("keepdims", False)
    return get_entry(f"relax.{name}").numpy_ref(x, **attrs)


A = np.array([[1, 2], [3, 5]], "int32")
F = np.array([[1.0, 2.0], [3.0, 6.0]], "float32")


@pytest.mark.parametrize("name, x, attrs, want", [
    ("sum", A, {"axis": (1,)}, [3, 8]),
    ("sum", F, {}, 12.0),
    ("sum", F, {"axis": (0,), "keepdims": True}, [[4.0, 8.0]]),
    ("prod", A, {"axis": (0,)}, [3, 10]),
    ("max", F, {"axis": (-1,)}, [2.0, 6.0]),
    ("min", A, {}, 1),
    ("mean", F, {"axis": (1,)}, [1.5, 4.5]),
    ("mean", A, {"axis": (1,)}, [1, 4]),  # 3 // 2 and 8 // 2: integer division
    ("mean", np.array([-3, -4], "int32"), {}, -3),  # -3.5 truncates toward zero
    ("variance", np.array([1.0, 2.0, 3.0, 4.0], "float32"), {}, 1.25),
    ("variance", F, {"axis": (0,), "keepdims": True}, [[1.0, 4.0]]),
    ("variance", np.array([1, 2, 4], "int32"), {}, 1),  # mean 7 // 3 = 2; (1 + 0 + 4) // 3 = 1
])
def test_statistical_references(name, x, attrs, want) -> None:
    got = ref(name, x, **attrs)
    assert got.dtype == x.dtype
    np.testing.assert_allclose(got, np.array(want, x.dtype), rtol=1e-6)


def test_arg_references_pick_the_first_extremum() -> None:
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]], "float32")
    assert ref("argmax", x, axis=1).tolist() == [1, 0]
    assert ref("argmin", x, axis=1).tolist() == [0, 2]
    assert ref("argmax", x, axis=0, keepdims=True).tolist() == [[1, 0, 0]]
    assert ref("argmax", np.array([[1, 5], [5, 0]], "int8")).tolist() == 1  # flat index
    got = ref("argmin", x, keepdims=True)
    assert got.shape == (1, 1) and got.dtype == np.int64 and got.tolist() == [[0]]


@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=4), data=st.data(), keepdims=st.booleans())
def test_inferred_shapes_agree_with_the_reference(shape, data, keepdims) -> None:
    axes = data.draw(st.none() | st.lists(st.integers(-len(shape), len(shape) - 1), unique_by=lambda a: a % len(shape)))
    x = np.arange(int(np.prod(shape)), dtype="float32").reshape(shape)
    for name in STAT:
        call = getattr(R, name)(V(tuple(shape)), axis=axes, keepdims=keepdims)
        got = ref(name, x, axis=None if axes is None else tuple(axes), keepdims=keepdims)
        assert tuple(d.value for d in call.struct_info.values) == got.shape
    axis = None if not axes else axes[0]
    call = R.argmax(V(tuple(shape)), axis=axis, keepdims=keepdims)
    assert tuple(d.value for d in call.struct_info.values) == ref("argmax", x, axis=axis, keepdims=keepdims).shape
