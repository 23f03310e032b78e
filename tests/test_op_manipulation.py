"""Shape manipulation and indexing ops (reshape permute_dims expand_dims squeeze flatten
broadcast_to concat split repeat tile strided_slice take where): struct-info inference over
static, symbolic and unknown shapes; errors naming the op and the argument; numpy references
against hand-written values; legalized TIR (well-formed, run by the evaluator of
test_op_legalize) against the references on static and symbolic shapes.

`legalize_and_run` / `reference` are shared with tests/test_op_creation.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_op_legalize import run_prim_func

from irscript import relax, tir
from irscript.errors import ExecutionError, IRError
from irscript.ir import from_json, structural_equal, to_json
from irscript.ir.well_formed import check_well_formed
from irscript.relax import op as R
from irscript.relax.op import FunctionTable, get_entry, legalize_call
from irscript.relax.op.infer import show_sinfo
from irscript.relax.op.legalize import legalize_to_prim_func
from irscript.relax.op.registry import constant_value
from irscript.tir.arith import evaluate

n, m = tir.Var("n", "int64"), tir.Var("m", "int64")


def T(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def V(shape=None, dtype="float32", ndim=-1, name="x"):
    return relax.Var(name, T(shape, dtype, ndim))


def show(call) -> str:
    return show_sinfo(call.struct_info)


# ---------------------------------------------------------------------------------------------
# harness: numpy reference and legalized TIR of a call
# ---------------------------------------------------------------------------------------------
def _value(arg: Any, env: dict) -> Any:
    if isinstance(arg, relax.ShapeExpr):
        return tuple(int(evaluate(d, env)) for d in arg.values)
    if isinstance(arg, relax.PrimValue):
        return evaluate(arg.value, env)
    if isinstance(arg, relax.Tuple):
        return tuple(_value(f, env) for f in arg.fields)
    return constant_value(arg)


def _is_tensor(sinfo: Any) -> bool:
    return isinstance(sinfo, relax.TensorStructInfo)


def reference(call: relax.Call, inputs: list[np.ndarray], env: dict | None = None) -> Any:
    """The op's numpy reference on `inputs` (the tensor arguments in order, tuple fields
    expanded); other arguments are evaluated with the symbolic values `env`."""
    feed, values = iter(inputs), []
    for a in call.args:
        s = a.struct_info
        if _is_tensor(s):
            values.append(next(feed))
        elif isinstance(s, relax.TupleStructInfo) and s.fields and all(_is_tensor(f) for f in s.fields):
            values.append([next(feed) for _ in s.fields])
        else:
            values.append(_value(a, env or {}))
    return get_entry(call.op).run_numpy(call, *values)


def legalize_and_run(call: relax.Call, inputs: list[np.ndarray], env: dict | None = None) -> list[np.ndarray]:
    """Legalize `call`, check the PrimFunc, run it on `inputs`; the outputs."""
    env = env or {}
    func, _, out_sinfo, tir_vars = legalize_to_prim_func(call)
    assert check_well_formed(func) == []
    assert func.is_private and func.attrs == {"tir.noalias": True}
    assert structural_equal(from_json(to_json(func)), func)
    sinfos = out_sinfo.fields if isinstance(out_sinfo, relax.TupleStructInfo) else [out_sinfo]
    outs = [np.zeros([int(evaluate(d, env)) for d in s.values], s.dtype.numpy_dtype()) for s in sinfos]
    run_prim_func(func, [*inputs, *outs, *[int(evaluate(v, env)) for v in tir_vars]])
    return outs


def check_legalized(call: relax.Call, inputs: list[np.ndarray], env: dict | None = None) -> None:
    """Legalized TIR == numpy reference (shapes, dtypes, values; NaN where NaN)."""
    want = reference(call, inputs, env)
    wants = list(want) if isinstance(want, tuple) else [want]
    got = legalize_and_run(call, inputs, env)
    assert len(got) == len(wants)
    for g, w in zip(got, wants):
        assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, w.shape, g.dtype, w.dtype)
        np.testing.assert_array_equal(g, w)


def dims_at(sinfo: relax.TensorStructInfo, env: dict) -> tuple[int, ...]:
    """The dims of a struct info for given values of its symbolic vars."""
    return tuple(int(evaluate(d, env)) for d in sinfo.values)


def expect_error(build, *fragments: str) -> None:
    with pytest.raises(IRError) as info:
        build()
    for f in fragments:
        assert f in str(info.value), (f, str(info.value))


A = np.arange(24, dtype="float32").reshape(2, 3, 4)
X = V((2, 3, 4))
XS = V((n, 3, 4))  # legalized with n = 2
ENV = {n: 2}


# ---------------------------------------------------------------------------------------------
# reshape, flatten
# ---------------------------------------------------------------------------------------------
def test_reshape_inference_and_builder_resolution() -> None:
    assert show(R.reshape(X, (6, 4))) == 'R.Tensor((6, 4), "float32")'
    call = R.reshape(XS, (-1, 6))  # -1 resolved by the builder, as TVM's
    assert show(call) == 'R.Tensor((n * 2, 6), "float32")' and show_sinfo(call.args[1].struct_info) == "R.Shape([n * 2, 6])"
    assert show(R.reshape(XS, (0, 12))) == 'R.Tensor((n, 12), "float32")'  # 0 copies the input dim
    assert show(R.reshape(V((n, m)), (m, n))) == 'R.Tensor((m, n), "float32")'
    s = relax.Var("s", relax.ShapeStructInfo(ndim=2))
    assert show(R.reshape(X, s)) == 'R.Tensor(s, "float32")'  # an unknown target shape is used as is
    assert show(R.reshape(V(None, ndim=3), (4, 6))) == 'R.Tensor((4, 6), "float32")'
    assert show(R.reshape(V((2, 3), "void"), (3, 2))) == "R.Tensor((3, 2))"
    # a hand-built call with a -1 (no builder) infers it too
    raw = relax.Call(R.reshape.entry.op, (XS, relax.ShapeExpr([4, -1])))
    assert show_sinfo(R.reshape.entry.infer_call(raw)) == 'R.Tensor((4, n * 3), "float32")'


def test_reshape_errors() -> None:
    expect_error(lambda: R.reshape(X, (4, 5)), "R.reshape: argument 'shape' (4, 5) holds 20 element(s)",
                 "'x' of shape (2, 3, 4) holds 24")
    expect_error(lambda: R.reshape(XS, (n + 1, 12)), "R.reshape: argument 'shape' (n + 1, 12) holds n * 12 + 12")
    assert show(R.reshape(XS, (n, 5))) == 'R.Tensor((n, 5), "float32")'  # n = 0 fits: accepted
    expect_error(lambda: R.reshape(X, (-1, -1)), "R.reshape: argument 'shape' (-1, -1) has more than one -1")
    expect_error(lambda: R.reshape(V(None, ndim=2), (-1,)), "R.reshape: cannot infer the -1 in argument 'shape'")
    expect_error(lambda: R.reshape(X, (5, -1)), "R.reshape:", "not a multiple of 5")
    expect_error(lambda: R.reshape(X, relax.PrimValue(3)), "R.reshape: argument 'shape' expects a shape")
    expect_error(lambda: R.reshape(relax.Tuple([X]), (24,)), "R.reshape: argument 'x' expects a tensor")


def test_flatten_inference() -> None:
    assert show(R.flatten(XS)) == 'R.Tensor((n * 12,), "float32")'
    assert show(R.flatten(V((), "int32"))) == 'R.Tensor((1,), "int32")'
    assert show(R.flatten(V((n,)))) == 'R.Tensor((n,), "float32")'
    assert show(R.flatten(V(None, ndim=-1))) == 'R.Tensor(ndim=1, dtype="float32")'


def test_reshape_and_flatten_references() -> None:
    a = np.array([[1, 2, 3], [4, 5, 6]], "int32")
    np.testing.assert_array_equal(reference(R.reshape(V((2, 3), "int32"), (3, 2)), [a]), [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(reference(R.flatten(V((2, 3), "int32")), [a]), [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(reference(R.flatten(V((), "int32")), [np.array(7, "int32")]), [7])


# ---------------------------------------------------------------------------------------------
# permute_dims, expand_dims, squeeze
# ---------------------------------------------------------------------------------------------
def test_permute_expand_squeeze_inference() -> None:
    assert show(R.permute_dims(XS)) == 'R.Tensor((4, 3, n), "float32")'
    assert show(R.permute_dims(XS, [0, -1, 1])) == 'R.Tensor((n, 4, 3), "float32")'
    assert R.permute_dims(XS, [0, 1, 2]).struct_info is XS.struct_info  # identity
    assert show(R.permute_dims(V(None, ndim=-1), [1, 0])) == 'R.Tensor(ndim=2, dtype="float32")'
    assert show(R.expand_dims(XS, [0, -1])) == 'R.Tensor((1, n, 3, 4, 1), "float32")'
    assert show(R.expand_dims(XS, 2)) == 'R.Tensor((n, 3, 1, 4), "float32")'
    assert show(R.expand_dims(V(None, ndim=2), [0])) == 'R.Tensor(ndim=3, dtype="float32")'
    assert show(R.squeeze(V((1, 3, 1)))) == 'R.Tensor((3,), "float32")'
    assert show(R.squeeze(V((1, n, 1)))) == 'R.Tensor(dtype="float32")'  # n may be 1 at run time
    assert show(R.squeeze(V((1, n, 1)), [0, -1])) == 'R.Tensor((n,), "float32")'
    assert show(R.squeeze(V((n, 3)), [0])) == 'R.Tensor((3,), "float32")'  # a symbolic dim is trusted
    assert show(R.squeeze(V(None, ndim=3), [1])) == 'R.Tensor(ndim=2, dtype="float32")'


def test_permute_expand_squeeze_errors() -> None:
    expect_error(lambda: R.permute_dims(X, [1, 0]), "R.permute_dims: argument 'axes' [1, 0] has 2 axes but 'x' has 3")
    expect_error(lambda: R.permute_dims(X, [0, 1, 3]), "R.permute_dims: axes 3 is out of range")
    expect_error(lambda: R.permute_dims(X, [0, 1, -3]), "R.permute_dims: axes [0, 1, -3] refers to dimension 0")
    expect_error(lambda: R.expand_dims(X, [5]), "R.expand_dims: axis 5 is out of range for a tensor of 4")
    expect_error(lambda: R.expand_dims(X, [0, -5]), "R.expand_dims: axis [0, -5] refers to dimension 0 more than once")
    expect_error(lambda: R.squeeze(X, [1]), "R.squeeze: axis 1 of 'x' has size 3, which is not 1")
    expect_error(lambda: R.squeeze(X, [3]), "R.squeeze: axis 3 is out of range")
    expect_error(lambda: R.expand_dims(X), "R.expand_dims: missing argument 'axis'")


def test_permute_expand_squeeze_references() -> None:
    a = np.array([[1, 2, 3], [4, 5, 6]], "int32")
    np.testing.assert_array_equal(reference(R.permute_dims(V((2, 3), "int32")), [a]), [[1, 4], [2, 5], [3, 6]])
    b = np.arange(6, dtype="int32").reshape(1, 2, 3)
    got = reference(R.permute_dims(V((1, 2, 3), "int32"), [2, 0, 1]), [b])
    assert got.shape == (3, 1, 2) and got[2, 0, 1] == b[0, 1, 2] == 5
    got = reference(R.expand_dims(V((2, 3), "int32"), [0, 3]), [a])
    assert got.shape == (1, 2, 3, 1) and got[0, 1, 2, 0] == 6
    np.testing.assert_array_equal(reference(R.squeeze(V((1, 3, 1), "int32")), [np.array([[[7], [8], [9]]], "int32")]),
                                  [7, 8, 9])


# ---------------------------------------------------------------------------------------------
# broadcast_to, concat, split
# ---------------------------------------------------------------------------------------------
def test_broadcast_to_inference_and_errors() -> None:
    assert show(R.broadcast_to(V((3, 1)), (2, 3, 4))) == 'R.Tensor((2, 3, 4), "float32")'
    assert show(R.broadcast_to(V((n, 1)), (n, m))) == 'R.Tensor((n, m), "float32")'
    assert show(R.broadcast_to(V(None, ndim=2), (5, 6))) == 'R.Tensor((5, 6), "float32")'
    expect_error(lambda: R.broadcast_to(X, (3, 4)), "R.broadcast_to: argument 'shape' has 2 dimension(s), fewer than")
    expect_error(lambda: R.broadcast_to(V((3, 2)), (3, 4)),
                 "R.broadcast_to: dimension 1 of 'x' (2) cannot broadcast to dimension 1 of argument 'shape' (4)")
    expect_error(lambda: R.broadcast_to(V((n + 1,)), (n,)), "R.broadcast_to: dimension 0 of 'x' (n + 1)")
    got = reference(R.broadcast_to(V((2, 1), "int32"), (3, 2, 2)), [np.array([[1], [2]], "int32")])
    np.testing.assert_array_equal(got, [[[1, 1], [2, 2]]] * 3)


def test_concat_inference() -> None:
    a, b = V((n, 3), name="a"), V((m, 3), name="b")
    assert show(R.concat([a, b, a])) == 'R.Tensor((m + n * 2, 3), "float32")'
    assert show(R.concat([V((2, n)), V((2, n))], axis=-1)) == 'R.Tensor((2, n * 2), "float32")'
    assert show(R.concat([V((n, 3)), V((m, 4))], axis=1)) == 'R.Tensor(ndim=2, dtype="float32")'  # n vs m
    assert show(R.concat([V((2, 3)), V(None, ndim=2)])) == 'R.Tensor(ndim=2, dtype="float32")'
    assert show(R.concat([V((2, 3)), V(None, ndim=-1)])) == 'R.Tensor(ndim=2, dtype="float32")'
    assert show(R.concat([V((2, 3)), V((1, 3), "void")])) == "R.Tensor((3, 3))"
    assert show(R.concat([V((4,)), V((n,))], axis=None)) == 'R.Tensor((n + 4,), "float32")'
    assert R.concat([XS]).struct_info is XS.struct_info


def test_concat_errors() -> None:
    expect_error(lambda: R.concat([]), "R.concat: argument 'tensors' is an empty tuple")
    expect_error(lambda: R.concat([V((2,)), V((2,), "int32")]),
                 "R.concat: argument 'tensors' mixes dtypes: tensors[0] is float32 but tensors[1] is int32")
    expect_error(lambda: R.concat([V((2,)), V((2, 2))]), "R.concat: argument 'tensors' mixes ranks")
    expect_error(lambda: R.concat([V((2, 3)), V((2, 4))]),
                 "R.concat: 'tensors[0]' and 'tensors[1]' differ in dimension 1 (3 vs 4)")
    expect_error(lambda: R.concat([V((2, 3)), V((2, 3))], axis=2), "R.concat: axis 2 is out of range")
    expect_error(lambda: R.concat([V((2, 3))], axis=None), "R.concat: with axis=None the tensors must be 1-D")
    expect_error(lambda: R.concat(X), "R.concat: argument 'tensors' expects a tuple of tensors")


def test_split_inference() -> None:
    def parts(call):
        return [show_sinfo(f) for f in call.struct_info.fields]

    assert parts(R.split(V((7, 2)), 3)) == ['R.Tensor((3, 2), "float32")'] * 2 + ['R.Tensor((1, 2), "float32")']
    assert parts(R.split(V((2, n)), 2, axis=1)) == ['R.Tensor((2, (n + 1) // 2), "float32")',
                                                    'R.Tensor((2, n - (n + 1) // 2), "float32")']
    assert parts(R.split(V((10,)), [2, 5, 20])) == ['R.Tensor((2,), "float32")', 'R.Tensor((3,), "float32")',
                                                    'R.Tensor((5,), "float32")', 'R.Tensor((0,), "float32")']
    cut = R.split(V((n,)), [3]).struct_info.fields
    assert [[dims_at(f, {n: v}) for f in cut] for v in (0, 2, 5)] == [[(0,), (0,)], [(2,), (0,)], [(3,), (2,)]]
    assert parts(R.split(XS, 1)) == ['R.Tensor((n, 3, 4), "float32")']
    assert parts(R.split(V(None, ndim=2), [1, 2])) == ['R.Tensor(ndim=2, dtype="float32")'] * 3
    call = R.split(X, 2, axis=-1)
    assert call.attrs == {"indices_or_sections": 2, "axis": -1}
    assert R.split(X, [1, 2]).attrs["indices_or_sections"] == (1, 2)
    assert get_entry("relax.split").print_form(R.split(X, [1]))[1] == [("indices_or_sections", [1]), ("axis", 0)]
    assert get_entry("relax.split").print_form(call)[1] == [("indices_or_sections", 2), ("axis", -1)]
    back = from_json(to_json(R.split(X, [1, 2])))
    assert back.attrs["indices_or_sections"] == (1, 2)


def test_split_errors() -> None:
    expect_error(lambda: R.split(X, 0), "R.split: argument 'indices_or_sections' must be a positive number")
    expect_error(lambda: R.split(V((1, 2)), 3), "R.split: cannot split dimension 0 of 'x' (1) into 3 sections")
    expect_error(lambda: R.split(X, 2, axis=3), "R.split: axis 3 is out of range")
    expect_error(lambda: R.split(X, "2"), "R.split: argument 'indices_or_sections' expects an int or a list of int")


def test_concat_and_split_references() -> None:
    a, b = np.array([[1, 2]], "int32"), np.array([[3, 4], [5, 6]], "int32")
    np.testing.assert_array_equal(reference(R.concat([V((1, 2), "int32"), V((2, 2), "int32")]), [a, b]),
                                  [[1, 2], [3, 4], [5, 6]])
    got = reference(R.split(V((5,), "int32"), 2), [np.array([1, 2, 3, 4, 5], "int32")])
    assert [p.tolist() for p in got] == [[1, 2, 3], [4, 5]]
    got = reference(R.split(V((5,), "int32"), [-1, 2, 9]), [np.array([1, 2, 3, 4, 5], "int32")])
    assert [p.tolist() for p in got] == [[], [1, 2], [3, 4, 5], []]  # indices clamped to [0, 5]


# ---------------------------------------------------------------------------------------------
# repeat, tile
# ---------------------------------------------------------------------------------------------
def test_repeat_tile_inference_and_errors() -> None:
    assert show(R.repeat(XS, 2, axis=0)) == 'R.Tensor((n * 2, 3, 4), "float32")'
    assert show(R.repeat(XS, 3)) == 'R.Tensor((n * 36,), "float32")'
    assert show(R.repeat(V(None, ndim=2), 2, axis=1)) == 'R.Tensor(ndim=2, dtype="float32")'
    assert show(R.repeat(V(None, ndim=2), 2)) == 'R.Tensor(ndim=1, dtype="float32")'
    assert show(R.tile(XS, [2, 1, 1, 3])) == 'R.Tensor((2, n, 3, 12), "float32")'
    assert show(R.tile(XS, 2)) == 'R.Tensor((n, 3, 8), "float32")'
    assert show(R.tile(V(None, ndim=2), [2, 2, 2])) == 'R.Tensor(ndim=3, dtype="float32")'
    expect_error(lambda: R.repeat(X, -1), "R.repeat: argument 'repeats' must be non-negative")
    expect_error(lambda: R.repeat(X, 2, axis=-4), "R.repeat: axis -4 is out of range")
    expect_error(lambda: R.tile(X, [1, -2]), "R.tile: argument 'repeats' [1, -2] has a negative count")
    a = np.array([[1, 2], [3, 4]], "int32")
    np.testing.assert_array_equal(reference(R.repeat(V((2, 2), "int32"), 2), [a]), [1, 1, 2, 2, 3, 3, 4, 4])
    np.testing.assert_array_equal(reference(R.repeat(V((2, 2), "int32"), 2, axis=1), [a]),
                                  [[1, 1, 2, 2], [3, 3, 4, 4]])
    np.testing.assert_array_equal(reference(R.tile(V((2, 2), "int32"), [1, 2]), [a]), [[1, 2, 1, 2], [3, 4, 3, 4]])
    np.testing.assert_array_equal(reference(R.tile(V((2,), "int32"), [2, 1]), [a[0]]), [[1, 2], [1, 2]])


# ---------------------------------------------------------------------------------------------
# strided_slice
# ---------------------------------------------------------------------------------------------
def test_strided_slice_layout_as_tvm() -> None:
    call = R.strided_slice(X, [0], [1], [2])
    assert len(call.args) == 4 and call.attrs == {"assume_inbound": False}  # no strides: left out
    assert isinstance(call.args[1], relax.Tuple) and call.args[1].fields[0].value.dtype == "int64"
    pos, kw = get_entry("relax.strided_slice").print_form(call)
    assert len(pos) == 4 and kw == [("assume_inbound", False)]
    full = R.strided_slice(X, [0], [1], [2], [1], assume_inbound=True)
    assert len(full.args) == 5 and constant_value(full.args[4]) == (1,)


def test_strided_slice_inference() -> None:
    x = V((8, 9, 10, 10))  # TVM's printed example
    call = R.strided_slice(x, [0, 1, 3], [1, 0, 8], [8, 9, 0], [2, 1, -3])
    assert show(call) == 'R.Tensor((4, 9, 10, 3), "float32")'
    assert show(R.strided_slice(V((10, n)), [0], [1], [8], [3])) == 'R.Tensor((3, n), "float32")'
    assert show(R.strided_slice(V((10,)), [0], [-3], [100])) == 'R.Tensor((3,), "float32")'
    assert show(R.strided_slice(V((10,)), [0], [5], [2])) == 'R.Tensor((0,), "float32")'
    sliced = R.strided_slice(V((n,)), [0], [1], [n]).struct_info
    assert [dims_at(sliced, {n: v}) for v in (0, 1, 4)] == [(0,), (0,), (3,)]
    back = R.strided_slice(V((n, 2)), [0], [-1], [-100], [-2]).struct_info  # x[::-2] along n
    assert [dims_at(back, {n: v}) for v in (0, 1, 4, 5)] == [(0, 2), (1, 2), (2, 2), (3, 2)]
    assert show(R.strided_slice(V((n,)), [0], [1], [n], assume_inbound=True)) == 'R.Tensor((n - 1,), "float32")'
    b = tir.Var("b", "int64")
    call = R.strided_slice(V((n,)), [0], [relax.PrimValue(b)], [n], assume_inbound=True)
    assert show(call) == 'R.Tensor((n - b,), "float32")'
    s = tir.Var("s", "int64")
    call = R.strided_slice(V((n, 4)), [0], [0], [n], [relax.PrimValue(s)])
    assert show(call) == 'R.Tensor(ndim=2, dtype="float32")'  # a symbolic stride: rank only
    assert R.strided_slice(X, [], [], []).struct_info is X.struct_info
    assert show(R.strided_slice(V(None, ndim=3), [0], [0], [1])) == 'R.Tensor(ndim=3, dtype="float32")'
    obj = relax.Var("axes", relax.ObjectStructInfo())
    assert show(R.strided_slice(X, obj, [0], [1])) == 'R.Tensor(ndim=3, dtype="float32")'


def test_strided_slice_errors() -> None:
    expect_error(lambda: R.strided_slice(X, [0, 1], [0], [1]),
                 "R.strided_slice: argument 'begin' has 1 value(s) but 'axes' has 2")
    expect_error(lambda: R.strided_slice(X, [0], [0], [1], [0]), "R.strided_slice: argument 'strides' [0] has a zero")
    expect_error(lambda: R.strided_slice(X, [3], [0], [1]), "R.strided_slice: axes 3 is out of range")
    expect_error(lambda: R.strided_slice(X, [0, -3], [0, 0], [1, 1]), "R.strided_slice: axes [0, -3] refers")
    i32 = relax.Tuple([relax.PrimValue(tir.Var("k", "int32"))])
    expect_error(lambda: R.strided_slice(X, [0], i32, [1]),
                 "R.strided_slice: argument 'begin' expects a tuple of int64 PrimValues, but field 0 is")
    expect_error(lambda: R.strided_slice(X, V((1,), "int64"), [0], [1]),
                 "R.strided_slice: argument 'axes' expects a tuple of int64 PrimValues, got R.Tensor")
    expect_error(lambda: R.strided_slice(X, [0.5], [0], [1]), "R.strided_slice: argument 'axes' expects a tuple")


def test_strided_slice_reference() -> None:
    a = np.arange(10, dtype="int32")
    ref = get_entry("relax.strided_slice").numpy_ref
    assert ref(a, (0,), (2,), (7,), (2,)).tolist() == [2, 4, 6]
    assert ref(a, (0,), (-2,), (-100,), (-3,)).tolist() == [8, 5, 2]
    assert ref(a, (0,), (8,), (100,)).tolist() == [8, 9]
    b = a.reshape(2, 5)
    assert ref(b, (1, 0), (4, 1), (0, 2), (-2, 1)).tolist() == [[9, 7]]


# ---------------------------------------------------------------------------------------------
# take, where
# ---------------------------------------------------------------------------------------------
def test_take_inference_and_errors() -> None:
    idx = V((5, m), "int32", name="i")
    assert show(R.take(XS, idx, axis=1)) == 'R.Tensor((n, 5, m, 4), "float32")'
    assert show(R.take(V((n,)), V((3,), "int64", name="i"))) == 'R.Tensor((3,), "float32")'
    assert show(R.take(XS, relax.PrimValue(tir.IntImm("int64", 1)), axis=0)) == 'R.Tensor((3, 4), "float32")'
    assert show(R.take(XS, V(None, "int32", ndim=2), axis=0)) == 'R.Tensor(ndim=4, dtype="float32")'
    assert show(R.take(XS, V(None, "int32", ndim=-1), axis=0)) == 'R.Tensor(dtype="float32")'
    assert R.take(XS, idx, axis=1).attrs == {"axis": 1, "mode": "fast"}
    expect_error(lambda: R.take(XS, V((2,)), axis=0), "R.take: argument 'indices' must have an integer dtype")
    expect_error(lambda: R.take(XS, idx), "R.take: with axis=None 'x' must be 1-D, but it has 3")
    expect_error(lambda: R.take(XS, idx, axis=3), "R.take: axis 3 is out of range")
    expect_error(lambda: R.take(V((3,), "int32"), idx, mode="nan"), "R.take: mode 'nan' needs a float tensor")
    expect_error(lambda: R.take(XS, idx, axis=0, mode="raise"), "R.take: argument 'mode' expects one of 'fast'")
    expect_error(lambda: R.take(XS, relax.ShapeExpr([1]), axis=0), "R.take: argument 'indices' expects a tensor")


def test_take_reference_modes() -> None:
    ref = get_entry("relax.take").numpy_ref
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "float32")
    idx = np.array([2, 0], "int32")
    assert ref(a, idx, axis=1).tolist() == [[3.0, 1.0], [6.0, 4.0]]
    assert ref(a, np.array([[1]], "int64"), axis=0).tolist() == [[[4.0, 5.0, 6.0]]]
    assert ref(a[0], np.array(2, "int64")).tolist() == 3.0
    bad = np.array([-1, 3], "int32")
    assert ref(a, bad, axis=1, mode="clip").tolist() == [[1.0, 3.0], [4.0, 6.0]]
    assert ref(a, bad, axis=1, mode="wrap").tolist() == [[3.0, 1.0], [6.0, 4.0]]
    assert np.isnan(ref(a, bad, axis=1, mode="nan")).all()
    with pytest.raises(ExecutionError, match=r"R.take: index -1 is out of range for axis 1 of size 3"):
        ref(a, bad, axis=1)


def test_where_inference_errors_and_reference() -> None:
    c = V((n, 1), "bool", name="c")
    assert show(R.where(c, V((4,)), V((1, 4)))) == 'R.Tensor((n, 4), "float32")'
    assert show(R.where(c, V((m,)), V((4,)))) == 'R.Tensor(ndim=2, dtype="float32")'  # m vs 4 undecided
    assert show(R.where(V(None, "bool", ndim=-1), V((4,)), V((4,)))) == 'R.Tensor(dtype="float32")'
    assert show(R.where(V((2,), "void"), V((2,), "void"), V((2,)))) == "R.Tensor((2,))"
    expect_error(lambda: R.where(V((2,)), V((2,)), V((2,))), "R.where: argument 'condition' must have dtype bool")
    expect_error(lambda: R.where(c, V((2,)), V((2,), "int32")),
                 "R.where: argument 'x1' has dtype float32 but 'x2' has dtype int32")
    expect_error(lambda: R.where(V((3,), "bool"), V((2,)), V((2,))), "R.where: cannot broadcast 'condition' and 'x1'")
    ref = get_entry("relax.where").numpy_ref
    got = ref(np.array([True, False, True]), np.array([1, 2, 3], "int32"), np.array([9], "int32"))
    assert got.tolist() == [1, 9, 3] and got.dtype == np.int32


# ---------------------------------------------------------------------------------------------
# legalized TIR against the references
# ---------------------------------------------------------------------------------------------
I_TAKE = np.array([[0, 3], [1, 1]], "int32")
I_OOB = np.array([0, -1, 5, 2], "int64")
COND = np.array([[True], [False], [True]])
B31 = np.arange(3, dtype="float32").reshape(3, 1)
S72 = np.arange(14, dtype="float32").reshape(7, 2)
IV = V((2, 2), "int32", name="i")
OOB = V((4,), "int64", name="i")
CASES = [  # (id, call over static shapes, its inputs, call over symbolic shapes (n = 2), its inputs)
    ("reshape", R.reshape(X, (4, -1)), [A], R.reshape(XS, (-1, 6)), [A]),
    ("flatten", R.flatten(X), [A], R.flatten(XS), [A]),
    ("permute_dims", R.permute_dims(X), [A], R.permute_dims(XS, [1, 2, 0]), [A]),
    ("expand_dims", R.expand_dims(X, [0, -1]), [A], R.expand_dims(XS, [1]), [A]),
    ("squeeze", R.squeeze(V((1, 3, 1))), [B31.reshape(1, 3, 1)], R.squeeze(V((n, 1, 4)), [1]), [A[:, :1]]),
    ("broadcast_to", R.broadcast_to(V((3, 1)), (2, 3, 4)), [B31], R.broadcast_to(V((3, 1)), (n, 3, 4)), [B31]),
    ("concat", R.concat([X, X], axis=1), [A, A], R.concat([XS, XS, XS], axis=-1), [A, A, A]),
    ("split-sections", R.split(V((7, 2)), 3), [S72], R.split(XS, 3, axis=2), [A]),
    ("split-indices", R.split(X, [1, 3], axis=2), [A], R.split(XS, [-1, 2, 9], axis=2), [A]),
    ("split-one", R.split(X, 1), [A], R.split(XS, 1, axis=1), [A]),
    ("repeat", R.repeat(X, 2, axis=1), [A], R.repeat(XS, 3), [A]),
    ("tile", R.tile(X, [2, 1, 1, 2]), [A], R.tile(XS, [2, 1]), [A]),
    ("strided_slice", R.strided_slice(X, [2, 0], [3, 1], [0, 2], [-1, 1]), [A],
     R.strided_slice(XS, [0, 2], [-1, 1], [-100, 100], [-1, 2]), [A]),
    ("strided_slice-inbound", R.strided_slice(X, [1], [0], [3], assume_inbound=True), [A],
     R.strided_slice(XS, [0], [1], [n], assume_inbound=True), [A]),
    ("take", R.take(X, IV, axis=2), [A, I_TAKE], R.take(XS, IV, axis=2), [A, I_TAKE]),
    ("take-clip", R.take(X, OOB, axis=2, mode="clip"), [A, I_OOB], R.take(XS, OOB, axis=1, mode="clip"), [A, I_OOB]),
    ("take-wrap", R.take(X, OOB, axis=1, mode="wrap"), [A, I_OOB], R.take(XS, OOB, axis=2, mode="wrap"), [A, I_OOB]),
    ("take-nan", R.take(X, OOB, axis=2, mode="nan"), [A, I_OOB], R.take(XS, OOB, axis=0, mode="nan"), [A, I_OOB]),
    ("take-scalar", R.take(X, relax.PrimValue(tir.IntImm("int64", 2)), axis=2), [A],
     R.take(XS, relax.PrimValue(tir.IntImm("int64", 1)), axis=1), [A]),
    ("where", R.where(V((3, 1), "bool", name="c"), X, V((4,), name="y")), [COND, A, np.full(4, -1.0, "float32")],
     R.where(V((3, 1), "bool", name="c"), XS, V((4,), name="y")), [COND, A, np.full(4, -1.0, "float32")]),
]


@pytest.mark.parametrize("symbolic", [False, True], ids=["static", "symbolic"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_legalized_tir_matches_reference(case: Any, symbolic: bool) -> None:
    _, static_call, static_inputs, symbolic_call, symbolic_inputs = case
    if symbolic:
        assert any(v is n for v in _vars_of(symbolic_call)), "the symbolic case must use n"
        check_legalized(symbolic_call, symbolic_inputs, ENV)
    else:
        check_legalized(static_call, static_inputs)


def _vars_of(call: relax.Call) -> list[Any]:
    from irscript.relax.struct_info_relations import tir_vars_in

    return [v for a in call.args for v in tir_vars_in(a.struct_info)]


def test_every_op_of_these_families_has_a_legalization_case() -> None:
    families = {"irscript.relax.op.manipulation", "irscript.relax.op.indexing"}
    want = {e.name for e in R.registered_entries() if e.legalize is not None and e.legalize.__module__ in families}
    assert want == {c[1].op.name for c in CASES} and len(want) == 13


def test_legalize_call_of_split_keeps_the_tuple_and_passes_tir_vars() -> None:
    table = FunctionTable()
    one = legalize_call(R.split(XS, 1), table)
    assert isinstance(one, relax.Tuple) and one.fields[0].op.name == "relax.call_tir"
    two = legalize_call(R.split(XS, 2, axis=1), table)
    assert two.op.name == "relax.call_tir" and len(two.struct_info.fields) == 2
    b = tir.Var("b", "int64")
    call = legalize_call(R.strided_slice(XS, [0], [relax.PrimValue(b)], [n], assume_inbound=True), table)
    assert call.args[2].values[0] is b  # a begin var is passed as a tir_var
    func = table.functions[call.args[0]]
    out = np.zeros((1, 3, 4), "float32")
    run_prim_func(func, [A, out, 1])
    np.testing.assert_array_equal(out, A[1:])


def test_undecidable_dims_are_refused_at_legalization() -> None:
    with pytest.raises(IRError, match=r"cannot legalize R.broadcast_to: cannot decide that dimension 0 of 'x' \(n\)"):
        legalize_call(R.broadcast_to(V((n,)), (m,)), FunctionTable())
    with pytest.raises(IRError, match=r"cannot legalize R.concat: cannot decide that dims n and m"):
        legalize_call(R.concat([V((n, 2)), V((m, 2))], axis=1), FunctionTable())


def test_zero_repeats_legalize_to_empty_tensors() -> None:
    check_legalized(R.repeat(X, 0, axis=1), [A])
    check_legalized(R.repeat(X, 0), [A])
    check_legalized(R.tile(X, [0, 1]), [A])


def test_script_calls_and_hand_built_calls_get_the_same_treatment() -> None:
    from irscript.relax.normalize import BlockBuilder
    from irscript.relax.op import call_from_script

    call = call_from_script("reshape", [XS, relax.ShapeExpr([-1, 4])], {})
    assert show_sinfo(call.args[1].struct_info) == "R.Shape([n * 3, 4])"
    call = call_from_script("strided_slice", [X, (relax.PrimValue(tir.IntImm("int64", 1)),), [0], [2]],
                            {"assume_inbound": True})
    assert show(call) == 'R.Tensor((2, 2, 4), "float32")' and len(call.args) == 4
    bare = relax.Call(R.strided_slice.entry.op, (X, relax.Tuple([relax.PrimValue(tir.IntImm("int64", 2))]),
                                                  relax.Tuple([relax.PrimValue(tir.IntImm("int64", 1))]),
                                                  relax.Tuple([relax.PrimValue(tir.IntImm("int64", 3))])))
    assert show_sinfo(BlockBuilder().normalize(bare).struct_info) == 'R.Tensor((2, 3, 2), "float32")'
    with pytest.raises(IRError, match=r"R.strided_slice: takes 4 to 5 argument\(s\), the call has 3"):
        BlockBuilder().normalize(relax.Call(R.strided_slice.entry.op, bare.args[:3]))


# ---------------------------------------------------------------------------------------------
# property: inferred shapes agree with the references
# ---------------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data())
def test_inferred_shapes_agree_with_references(shape, data) -> None:
    x = np.arange(int(np.prod(shape)), dtype="float32").reshape(shape)
    xv = V(tuple(shape))
    ndim = len(shape)
    axis = data.draw(st.integers(-ndim, ndim - 1))
    perm = data.draw(st.permutations(range(ndim)))
    reps = data.draw(st.lists(st.integers(0, 2), min_size=1, max_size=4))
    cut = data.draw(st.lists(st.integers(-1, 4), max_size=3))
    begin, end, step = data.draw(st.integers(-4, 4)), data.draw(st.integers(-5, 5)), data.draw(
        st.sampled_from([-2, -1, 1, 3]))
    calls = [
        R.reshape(xv, (-1,)), R.permute_dims(xv, list(perm)), R.expand_dims(xv, [axis]), R.flatten(xv),
        R.concat([xv, xv], axis=axis), R.repeat(xv, 2, axis=axis), R.tile(xv, reps),
        R.strided_slice(xv, [axis], [begin], [end], [step]), R.split(xv, cut, axis=axis),
    ]
    for call in calls:
        got = reference(call, [x, x] if call.op.name == "relax.concat" else [x])
        sinfos = call.struct_info.fields if isinstance(call.struct_info, relax.TupleStructInfo) else [call.struct_info]
        gots = got if isinstance(got, tuple) else (got,)
        assert [tuple(int(d.value) for d in s.values) for s in sinfos] == [g.shape for g in gots], call.op.name
