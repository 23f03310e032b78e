"""R.nn.attention (and R.nn.attention_bias): inference over BSNH shapes, grouped heads and
biases, errors naming the argument, the numpy reference against per-row loops, legalized TIR."""

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

b, s, t = (tir.Var(x, "int64") for x in ("b", "s", "t"))


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1, name="x"):
    return relax.Var(name, T(shape, dtype, ndim))


def test_attention_inference() -> None:
    call = nn.attention(V((2, 3, 4, 8)), V((2, 5, 4, 8)), V((2, 5, 4, 6)))
    assert_structural_equal(call.struct_info, T((2, 3, 4, 6)))
    assert call.attrs == {"scale": None, "causal_mask": None, "window_size": None}
    gqa = nn.attention(V((b, s, 8, 16)), V((b, t, 2, 16)), V((b, t, 2, 16)), scale=0.5, causal_mask="TopLeft")
    assert_structural_equal(gqa.struct_info, T((b, s, 8, 16)))
    assert gqa.attrs["scale"] == 0.5 and gqa.attrs["causal_mask"] == "TopLeft"
    biased = nn.attention(V((b, s, 4, 8)), V((b, t, 4, 8)), V((b, t, 4, 8)), V((1, 4, 1, t)))
    assert_structural_equal(biased.struct_info, T((b, s, 4, 8)))
    assert_structural_equal(nn.attention(V(None, ndim=4), V((2, 5, 4, 8)), V((2, 5, 4, 6))).struct_info,
                            T(None, ndim=4))
    assert_structural_equal(nn.attention(V(None, "float16", -1), V(None, "float16", -1),
                                         V(None, "float16", -1)).struct_info, T(None, "float16", 4))


@pytest.mark.parametrize("args, attrs, message", [
    (((2, 3, 4), (2, 5, 4, 8), (2, 5, 4, 8)), {}, r"argument 'query' must have 4 dimensions .*got 3"),
    (((2, 3, 4, 8), (3, 5, 4, 8), (2, 5, 4, 8)), {}, r"the batch size of 'query' \(2\) and of 'key' \(3\) differ"),
    (((2, 3, 4, 8), (2, 5, 4, 8), (2, 6, 4, 8)), {}, r"the sequence length of 'key' \(5\) and of 'value' \(6\)"),
    (((2, 3, 4, 8), (2, 5, 4, 7), (2, 5, 4, 8)), {}, r"the head size of 'query' \(8\) and of 'key' \(7\) differ"),
    (((2, 3, 4, 8), (2, 5, 3, 8), (2, 5, 3, 8)), {}, r"the 4 query heads are not a multiple of the 3 key heads"),
    (((2, 3, 4, 8), (2, 5, 2, 8), (2, 5, 1, 8)), {}, r"the number of heads of 'key' \(2\) and of 'value' \(1\)"),
    (((2, 3, 4, 8), (2, 5, 4, 8), (2, 5, 4, 8), (2, 4, 3, 4)), {},
     r"argument 'bias' has 4 in dimension 3 \(key length\); expected 5"),
    (((2, 3, 4, 8), (2, 5, 4, 8), (2, 5, 4, 8), (2, 2, 3, 5)), {},
     r"argument 'bias' has 2 in dimension 1 \(number of heads\); expected 4 or 1"),
    (((2, 3, 4, 8), (2, 5, 4, 8), (2, 5, 4, 8), (3, 5)), {}, r"argument 'bias' must have 4 dimensions"),
    (((2, 3, 4, 8), (2, 5, 4, 8), (2, 5, 4, 8)), {"window_size": 0}, "attribute 'window_size' must be positive"),
])
def test_attention_errors(args, attrs, message) -> None:
    with pytest.raises(IRError, match="R.nn.attention: " + message):
        nn.attention(*[V(a, name=f"a{k}") for k, a in enumerate(args)], **attrs)


def test_attention_attribute_and_dtype_errors() -> None:
    q = V((1, 2, 1, 4))
    with pytest.raises(IRError, match=r"R.nn.attention: argument 'causal_mask' expects one of 'TopLeft', "
                                      r"'BottomRight' or None, got str"):
        nn.attention(q, q, q, causal_mask="Top")
    with pytest.raises(IRError, match="R.nn.attention: argument 'query' has dtype float32 but 'key' has dtype float16"):
        nn.attention(q, V((1, 2, 1, 4), "float16"), q)
    with pytest.raises(IRError, match="R.nn.attention: argument 'query' must have a float dtype, got int32"):
        nn.attention(*[V((1, 2, 1, 4), "int32")] * 3)


# ---------------------------------------------------------------------------------------------
# numpy reference against loops
# ---------------------------------------------------------------------------------------------
def _loop_attention(q, k, v, bias=None, scale=None, causal=None):
    """Row by row: scores of query i against every key j its head group may see, softmax, sum."""
    nb, sq, nh, hd = q.shape
    skv, nkv = k.shape[1], k.shape[2]
    scale = 1 / math.sqrt(hd) if scale is None else scale
    offset = 0 if causal == "TopLeft" else abs(sq - skv)
    out = np.zeros((nb, sq, nh, v.shape[3]))
    for bi, hi, i in itertools.product(range(nb), range(nh), range(sq)):
        kh = hi // (nh // nkv)
        keys = [j for j in range(skv) if causal is None or j <= i + offset]
        scores = []
        for j in keys:
            sc = sum(q[bi, i, hi, d] * k[bi, j, kh, d] for d in range(hd)) * scale
            if bias is not None:
                sc += bias[bi % bias.shape[0], hi % bias.shape[1], i % bias.shape[2], j]
            scores.append(sc)
        top = max(scores)
        weights = [math.exp(x - top) for x in scores]
        for j, wgt in zip(keys, weights):
            out[bi, i, hi] += wgt / sum(weights) * v[bi, j, kh]
    return out


def _ref(call, *arrays):
    return get_entry(call.op).run_numpy(call, *arrays)


def test_attention_reference_on_a_hand_computed_case() -> None:
    q = np.zeros((1, 1, 1, 2))  # equal scores: the mean of the values
    k = np.array([[[[1.0, 2.0]], [[3.0, 4.0]]]])
    v = np.array([[[[2.0]], [[6.0]]]])
    call = nn.attention(V(q.shape, "float64"), V(k.shape, "float64"), V(v.shape, "float64"))
    np.testing.assert_allclose(_ref(call, q, k, v), [[[[4.0]]]])
    biased = nn.attention(*[V(a.shape, "float64") for a in (q, k, v)], V((1, 1, 1, 2), "float64"))
    np.testing.assert_allclose(_ref(biased, q, k, v, np.log([[[[3.0, 1.0]]]])), [[[[3.0]]]])  # weights 3/4, 1/4


@pytest.mark.parametrize("shapes, bias_shape, scale, causal", [
    (((1, 3, 2, 4), (1, 4, 2, 4), (1, 4, 2, 3)), None, None, None),
    (((2, 4, 4, 2), (2, 2, 2, 2), (2, 2, 2, 3)), (2, 1, 4, 2), 0.7, "TopLeft"),
    (((1, 2, 2, 3), (1, 4, 1, 3), (1, 4, 1, 2)), (1, 2, 1, 4), None, "BottomRight"),
    (((1, 4, 1, 2), (1, 2, 1, 2), (1, 2, 1, 2)), None, 1.0, "BottomRight"),
])
def test_attention_reference_against_loops(shapes, bias_shape, scale, causal) -> None:
    q, k, v = (rand(*shp).astype("float64") for shp in shapes)
    bias = rand(*bias_shape).astype("float64") if bias_shape else None
    args = [V(a.shape, "float64", name=f"a{i}") for i, a in enumerate((q, k, v))]
    if bias is not None:
        args.append(V(bias.shape, "float64", name="bias"))
    call = nn.attention(*args, scale=scale, causal_mask=causal)
    inputs = [q, k, v] + ([bias] if bias is not None else [])
    np.testing.assert_allclose(_ref(call, *inputs), _loop_attention(q, k, v, bias, scale, causal), rtol=1e-10)


# ---------------------------------------------------------------------------------------------
# legalization
# ---------------------------------------------------------------------------------------------
def test_legalized_attention() -> None:
    check_legalized(nn.attention, [rand(1, 3, 2, 4), rand(1, 4, 2, 4), rand(1, 4, 2, 3)])
    check_legalized(lambda q, k, v, bias: nn.attention(q, k, v, bias, scale=0.5, causal_mask="TopLeft"),
                    [rand(2, 3, 4, 2), rand(2, 2, 2, 2), rand(2, 2, 2, 3), rand(1, 4, 3, 2)])
    check_legalized(lambda q, k, v: nn.attention(q, k, v, causal_mask="BottomRight"),
                    [rand(1, 2, 2, 3), rand(1, 3, 2, 3), rand(1, 3, 2, 2)],
                    {0: {0: "b", 1: "s"}, 1: {0: "b", 1: "t"}, 2: {0: "b", 1: "t"}})


def test_sliding_window_attention_is_not_legalized() -> None:
    q = V((1, 2, 1, 4))
    call = nn.attention(q, q, q, window_size=2)
    assert_structural_equal(call.struct_info, T((1, 2, 1, 4)))
    with pytest.raises(IRError, match="cannot legalize R.nn.attention: sliding-window attention"):
        legalize_call(call, FunctionTable())
    with pytest.raises(IRError, match="R.nn.attention: sliding-window attention .* no reference implementation"):
        _ref(call, *[np.zeros((1, 2, 1, 4), "float32")] * 3)
