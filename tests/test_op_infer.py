"""Shared inference helpers for op authors: symbolic dim arithmetic (struct_info_relations),
reshape with -1, concatenation, conv/pool output sizes, layouts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from irscript import relax, tir
from irscript.errors import IRError
from irscript.relax import op as R
from irscript.relax.op.infer import (
    Layout,
    broadcast_shapes,
    concat_dims,
    conv_out_dim,
    normalize_axes,
    pool_out_dim,
    reshape_dims,
    shape_product,
)
from irscript.relax.struct_info_relations import (
    BaseCheck,
    prove_equal,
    prove_not_equal,
    simplify_dim,
    struct_info_base_check,
)
from irscript.tir.arith import evaluate

n, m = tir.Var("n", "int64"), tir.Var("m", "int64")
CALL = R.sum(relax.Var("x", relax.TensorStructInfo((2,), "float32")))  # carries the op name for messages


def i64(v):
    return tir.IntImm("int64", v)


def dims(*ds):
    return tuple(i64(d) if isinstance(d, int) else d for d in ds)


def same(a, b) -> bool:
    return a is not None and len(a) == len(b) and all(prove_equal(x, y) for x, y in zip(a, b))


def test_dim_proofs_use_the_simplifier_with_non_negative_shape_vars() -> None:
    assert prove_equal(n * 2, n + n) and prove_equal(n * m, m * n)
    assert not prove_equal(n, m) and not prove_not_equal(n, m)
    assert prove_not_equal(n + 1, n) and prove_not_equal(n + 1, i64(0))  # n >= 0
    assert not prove_not_equal(n, i64(0))
    assert prove_equal(simplify_dim((n * 4) // 2), n * 2)
    assert prove_equal(tir.FloatImm("float32", 1.0), tir.FloatImm("float32", 1.0)) is True
    a = relax.TensorStructInfo((n + 1, 4), "float32")
    b = relax.TensorStructInfo((n, 4), "float32")
    assert struct_info_base_check(a, b) is BaseCheck.FAIL_L0  # n + 1 == n never holds
    c = relax.TensorStructInfo((n * 2, 4), "float32")
    assert struct_info_base_check(c, relax.TensorStructInfo((n + n, 4), "float32")) is BaseCheck.PASS


def test_normalize_axes_and_broadcast() -> None:
    assert normalize_axes(CALL, 3, [-1, 0]) == [2, 0]
    with pytest.raises(IRError, match=r"R.sum: axis 3 is out of range"):
        normalize_axes(CALL, 3, [3])
    assert same(broadcast_shapes(CALL, [("a", dims(n, 1)), ("b", dims(3)), ("c", dims(2, 1, 1))]), dims(2, n, 3))
    with pytest.raises(IRError, match="cannot broadcast 'a' and 'c'"):
        broadcast_shapes(CALL, [("a", dims(n + 2)), ("b", dims(1)), ("c", dims(n + 3))])


@pytest.mark.parametrize("src, new, want", [
    ((2, 3, 4), (6, -1), (6, 4)),
    ((2, 3, 4), (-1,), (24,)),
    ((2, 3, 4), (4, 3, 2), (4, 3, 2)),
    ((n, 4), (-1, 2), (n * 2, 2)),
    ((n, m, 4), (n * m, -1), (n * m, 4)),
    ((n * 2, 3), (n, -1), (n, 6)),
])
def test_reshape_infers_minus_one(src, new, want) -> None:
    assert same(reshape_dims(CALL, dims(*src), dims(*new)), dims(*want))


@pytest.mark.parametrize("src, new, message", [
    ((2, 3), (4, 2), r"cannot reshape \(2, 3\) \(6 elements\) into \(4, 2\) \(8 elements\)"),
    ((2, 3), (4, -1), "6 elements are not a multiple of 4"),
    ((n + 1, 4), (n + 1, 4, 2), "cannot reshape"),
    ((2, 3), (-1, -1), "has more than one -1"),
    ((2, 3), (0, -1), "the other dims hold no elements"),
])
def test_reshape_errors(src, new, message) -> None:
    with pytest.raises(IRError, match=f"^R.sum: .*{message}"):
        reshape_dims(CALL, dims(*src), dims(*new))


def test_reshape_of_unknown_or_undecidable_shapes() -> None:
    assert same(reshape_dims(CALL, dims(n, m), dims(m, n)), dims(m, n))  # n * m == m * n
    assert same(reshape_dims(CALL, dims(n), dims(m)), dims(m))  # undecidable: accepted
    assert same(reshape_dims(CALL, dims(n, 4), dims(n, 4, 1)), dims(n, 4, 1))
    assert same(reshape_dims(CALL, dims(n, 4), dims(n, 8)), dims(n, 8))  # n = 0 fits both: accepted
    assert same(reshape_dims(CALL, None, dims(2, 3)), dims(2, 3))
    with pytest.raises(IRError, match="the input shape is unknown"):
        reshape_dims(CALL, None, dims(2, -1))


def test_shape_product_is_simplified() -> None:
    assert shape_product(dims(2, 3, 4)).value == 24
    assert prove_equal(shape_product(dims(n, 2, m)), n * m * 2)
    assert shape_product(()).value == 1


def test_concat_sums_symbolic_dims() -> None:
    got = concat_dims(CALL, [("a", dims(n, 3)), ("b", dims(m, 3)), ("c", dims(2, 3))], 0)
    assert prove_equal(got[0], n + m + 2) and got[1].value == 3
    got = concat_dims(CALL, [("a", dims(n, 3)), ("b", dims(n, n))], 1)
    assert got[0] is n and prove_equal(got[1], n + 3)
    assert concat_dims(CALL, [("a", dims(n, 3)), ("b", dims(m, 3))], 1) is None  # n vs m undecided
    with pytest.raises(IRError, match=r"'a' and 'b' differ in dimension 1 \(3 vs 4\)"):
        concat_dims(CALL, [("a", dims(2, 3)), ("b", dims(2, 4))], 0)
    with pytest.raises(IRError, match=r"'a' has 2 dimension\(s\) but 'b' has 1"):
        concat_dims(CALL, [("a", dims(2, 3)), ("b", dims(2))], 0)


@given(size=st.integers(1, 40), kernel=st.integers(1, 5), stride=st.integers(1, 3),
       pad=st.tuples(st.integers(0, 2), st.integers(0, 2)), dilation=st.integers(1, 2))
def test_conv_and_pool_sizes_match_direct_counting(size, kernel, stride, pad, dilation) -> None:
    span = (kernel - 1) * dilation + 1
    padded = size + pad[0] + pad[1]
    windows = len(range(0, padded - span + 1, stride)) if padded >= span else 0
    if padded >= span:
        assert conv_out_dim(i64(size), kernel, stride, pad[0], pad[1], dilation).value == windows
        got = conv_out_dim(n, kernel, stride, pad[0], pad[1], dilation)
        assert evaluate(got, {n: size}) == windows
        ceil_windows = -(-(padded - span) // stride) + 1
        assert evaluate(pool_out_dim(n, kernel, stride, pad[0], pad[1], dilation, True), {n: size}) == ceil_windows


def test_conv_sizes_simplify() -> None:
    assert conv_out_dim(n, 3, 1, 1, 1, 1) is n or prove_equal(conv_out_dim(n, 3, 1, 1, 1, 1), n)
    assert conv_out_dim(i64(32), i64(3), 2, 1, 1, 1).value == 16
    assert prove_equal(conv_out_dim(n * 4, 2, 2, 0, 0, 1), n * 2)


def test_layouts() -> None:
    assert Layout("NHWC").permutation("NCHW") == [0, 3, 1, 2]
    assert Layout("HWIO").permutation("OIHW") == [3, 2, 0, 1]
    assert Layout("NCHW").convert(["n", "c", "h", "w"], "NHWC") == ["n", "h", "w", "c"]
    assert Layout("OIHW").index("I") == 1 and Layout("NCW").ndim == 3
    with pytest.raises(IRError, match="unsupported layout 'NCHW16c'"):
        Layout("NCHW16c")
    with pytest.raises(IRError, match="different axes"):
        Layout("NCHW").permutation("NCDHW")
    with pytest.raises(IRError, match="has no axis 'D'"):
        Layout("NCHW").index("D")
