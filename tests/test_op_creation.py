"""Creation ops (zeros ones full zeros_like ones_like full_like arange tril triu) and the memory
ops (R.builtin.alloc_tensor, R.memory.*): layout as in TVM, struct-info inference over static,
symbolic and unknown shapes, errors naming the op and the argument, numpy references against
hand-written values, legalized TIR against the references (static and symbolic), purity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_op_manipulation import check_legalized, dims_at, expect_error, reference, show

from irscript import relax, tir
from irscript.errors import ExecutionError
from irscript.ir.well_formed import check_well_formed
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import relax as RB
from irscript.relax import op as R
from irscript.relax.op import FunctionTable, call_from_script, get_entry, legalize_call
from irscript.relax.op.memory import Storage
from irscript.relax.op.registry import constant_value
from irscript.relax.struct_info_relations import tir_vars_in

n, m, k = tir.Var("n", "int64"), tir.Var("m", "int64"), tir.Var("k", "int64")


def V(shape=None, dtype="float32", ndim=-1, name="x"):
    return relax.Var(name, relax.TensorStructInfo(shape, dtype, ndim))


def P(value):
    return relax.PrimValue(value)


X = V((n, 3))
FILL = relax.Constant(np.array(2.5, "float32"))


# ---------------------------------------------------------------------------------------------
# zeros, ones, full and the *_like ops
# ---------------------------------------------------------------------------------------------
def test_fill_ops_inference() -> None:
    assert show(R.zeros((n, 3), "int32")) == 'R.Tensor((n, 3), "int32")'
    assert show(R.ones([2], "float16")) == 'R.Tensor((2,), "float16")'
    s = relax.Var("s", relax.ShapeStructInfo(ndim=3))
    assert show(R.zeros(s, "float32")) == 'R.Tensor(s, "float32")'
    assert show(R.full((2, n), FILL)) == 'R.Tensor((2, n), "float32")'  # the dtype of fill_value
    assert show(R.full((2, n), FILL, "int8")) == 'R.Tensor((2, n), "int8")'
    assert show(R.full(relax.Var("s", relax.ShapeStructInfo([m, 2])), FILL)) == 'R.Tensor((m, 2), "float32")'
    assert R.full_like(X, FILL).struct_info is X.struct_info
    assert show(R.full_like(X, FILL, "int32")) == 'R.Tensor((n, 3), "int32")'
    assert R.zeros_like(X).struct_info is X.struct_info
    assert show(R.ones_like(V(None, "float32", 2), "bool")) == 'R.Tensor(ndim=2, dtype="bool")'
    call = R.full((2,), FILL)
    assert call.attrs == {"dtype": "void"} and get_entry("relax.full").print_form(call)[1] == [("dtype", "void")]


def test_fill_ops_errors() -> None:
    expect_error(lambda: R.zeros((2,), None), "R.zeros: argument 'dtype' must be a concrete data type, got void")
    expect_error(lambda: R.ones((2,)), "R.ones: missing argument 'dtype'")
    expect_error(lambda: R.full((2,), V((2,))), "R.full: argument 'fill_value' must be a scalar (0-d) tensor")
    expect_error(lambda: R.full_like(X, V((1,))), "R.full_like: argument 'fill_value' must be a scalar")
    expect_error(lambda: R.full(X, FILL), "R.full: argument 'shape' expects a shape, got R.Tensor")
    expect_error(lambda: R.zeros_like(relax.ShapeExpr([2])), "R.zeros_like: argument 'x' expects a tensor")
    expect_error(lambda: R.full((2,), 1.5), "R.full: argument 'fill_value' expects a Relax expression")


def test_fill_ops_references() -> None:
    assert reference(R.zeros((2, 2), "int32"), []).tolist() == [[0, 0], [0, 0]]
    got = reference(R.ones((3,), "float16"), [])
    assert got.tolist() == [1.0, 1.0, 1.0] and got.dtype == np.float16
    got = reference(R.full((2,), FILL, "int32"), [np.array(2.5, "float32")])
    assert got.tolist() == [2, 2] and got.dtype == np.int32
    got = reference(R.full_like(V((2,), "int8"), V((), "int32", name="f")), [np.array([1, 2], "int8"),
                                                                              np.array(-3, "int32")])
    assert got.tolist() == [-3, -3] and got.dtype == np.int8
    got = reference(R.ones_like(V((1, 2), "int8"), "float32"), [np.array([[5, 6]], "int8")])
    assert got.tolist() == [[1.0, 1.0]] and got.dtype == np.float32


# ---------------------------------------------------------------------------------------------
# arange
# ---------------------------------------------------------------------------------------------
def test_arange_builder_defaults_as_tvm() -> None:
    call = R.arange(10)
    assert [constant_value(a) for a in call.args] == [0, 10, 1] and call.attrs == {"dtype": "int64"}
    assert R.arange(0.5, 2).attrs["dtype"] == "float32"
    assert R.arange(1, 9, 2, "float16").attrs["dtype"] == "float16"
    assert R.arange(P(m)).attrs["dtype"] == "int64"
    pos, kw = get_entry("relax.arange").print_form(R.arange(2, 8))
    assert [constant_value(a) for a in pos] == [2, 8, 1] and kw == [("dtype", "int64")]
    parsed = call_from_script("arange", [P(tir.IntImm("int64", 5))], {})  # the script path applies them too
    assert [constant_value(a) for a in parsed.args] == [0, 5, 1] and parsed.attrs == {"dtype": "int64"}


@pytest.mark.parametrize("args, want", [
    ((10,), 10), ((1, 10, 3), 3), ((10, 1, -3), 3), ((5, 5), 0), ((5, 1), 0), ((0.5, 3.0, 0.5), 5),
    ((0, 1, 0.3), 4), ((3, -1.5, -1), 5),
])
def test_arange_static_lengths(args, want) -> None:
    call = R.arange(*args)
    assert dims_at(call.struct_info, {}) == (want,)
    assert reference(call, []).shape == (want,)


def test_arange_symbolic_and_errors() -> None:
    up = R.arange(P(m), 20, 4)
    assert [dims_at(up.struct_info, {m: v}) for v in (0, 5, 20, 19)] == [(5,), (4,), (0,), (1,)]
    down = R.arange(20, P(m), -4)
    assert [dims_at(down.struct_info, {m: v}) for v in (0, 5, 19)] == [(5,), (4,), (1,)]
    assert show(R.arange(P(m))) == 'R.Tensor((m,), "int64")'
    f = tir.Var("f", "float32")
    call = R.arange(P(f), 4.0, 0.5)
    (length,) = call.struct_info.values  # int64(ceil((4 - f) / 0.5)), as TVM
    assert call.attrs["dtype"] == "float32" and isinstance(length, tir.Cast) and length.dtype == "int64"
    assert f in tir_vars_in(length)
    unknown = relax.Var("v", relax.PrimStructInfo("int64"))
    assert show(R.arange(unknown)) == 'R.Tensor(ndim=1, dtype="int64")'
    expect_error(lambda: R.arange(0, 4, 0), "R.arange: argument 'step' must not be zero")
    flag = relax.Var("b", relax.PrimStructInfo("bool"))
    expect_error(lambda: R.arange(flag), "R.arange: argument 'end' must be a number, got an R.Prim of bool")
    expect_error(lambda: R.arange(X, 5), "R.arange: argument 'start' expects an R.Prim value, got R.Tensor")
    expect_error(lambda: R.arange("a"), "R.arange: argument 'end' expects a PrimValue or a number")  # arange(0, "a")


def test_arange_references() -> None:
    assert reference(R.arange(4), []).tolist() == [0, 1, 2, 3]
    assert reference(R.arange(10, 1, -3), []).tolist() == [10, 7, 4]
    got = reference(R.arange(0.5, 2.0, 0.5), [])
    assert got.tolist() == [0.5, 1.0, 1.5] and got.dtype == np.float32
    got = reference(R.arange(1, 4, 1, "float16"), [])
    assert got.tolist() == [1.0, 2.0, 3.0] and got.dtype == np.float16
    assert reference(R.arange(P(m), 9, 3), [], {m: 2}).tolist() == [2, 5, 8]


# ---------------------------------------------------------------------------------------------
# tril, triu
# ---------------------------------------------------------------------------------------------
def test_trilu_inference_errors_and_references() -> None:
    assert R.tril(X).struct_info is X.struct_info
    call = R.triu(X, P(k))
    assert call.args[1].value is k and call.struct_info is X.struct_info
    assert constant_value(R.tril(X, 2).args[1]) == 2 and R.tril(X).attrs == {}
    assert R.tril(V(None, ndim=-1)).struct_info.ndim == -1
    expect_error(lambda: R.tril(V((3,))), "R.tril: argument 'x' must have at least 2 dimensions")
    expect_error(lambda: R.triu(X, 0.5), "R.triu: argument 'k' must be an integer")
    a = np.arange(1, 10, dtype="int32").reshape(3, 3)
    x3 = V((3, 3), "int32")
    assert reference(R.tril(x3), [a]).tolist() == [[1, 0, 0], [4, 5, 0], [7, 8, 9]]
    assert reference(R.tril(x3, -1), [a]).tolist() == [[0, 0, 0], [4, 0, 0], [7, 8, 0]]
    assert reference(R.triu(x3, 1), [a]).tolist() == [[0, 2, 3], [0, 0, 6], [0, 0, 0]]
    assert reference(R.triu(x3, P(k)), [a], {k: 2}).tolist() == [[0, 0, 3], [0, 0, 0], [0, 0, 0]]


# ---------------------------------------------------------------------------------------------
# legalized TIR against the references
# ---------------------------------------------------------------------------------------------
F = np.array(2.5, "float32")
A = np.arange(12, dtype="float32").reshape(4, 3) - 5
CASES = [  # (id, call over static values, its inputs, call over symbolic values, its inputs, env)
    ("zeros", R.zeros((2, 3), "int32"), [], R.zeros((n, 3), "float32"), [], {n: 2}),
    ("ones", R.ones((2,), "float16"), [], R.ones((n, m), "int8"), [], {n: 2, m: 3}),
    ("full", R.full((2, 3), FILL, "int32"), [F], R.full((n,), V((), name="f")), [F], {n: 3}),
    ("full_like", R.full_like(V((4, 3)), FILL, "int8"), [A, F], R.full_like(X, V((), "int32", name="f")),
     [A, np.array(7, "int32")], {n: 4}),
    ("zeros_like", R.zeros_like(V((4, 3))), [A], R.zeros_like(X, "int32"), [A], {n: 4}),
    ("ones_like", R.ones_like(V((4, 3)), "bool"), [A], R.ones_like(X), [A], {n: 4}),
    ("arange", R.arange(10, 1, -3), [], R.arange(P(m), 20, 3), [], {m: 4}),
    ("arange-float", R.arange(0.5, 3.0, 0.5), [], R.arange(P(m), 4, 1, "float32"), [], {m: 1}),
    ("tril", R.tril(V((4, 3)), 1), [A], R.tril(X, P(k)), [A], {n: 4, k: -1}),
    ("triu", R.triu(V((2, 4, 3))), [np.stack([A, -A])], R.triu(X, P(k)), [A], {n: 4, k: 1}),
]


@pytest.mark.parametrize("symbolic", [False, True], ids=["static", "symbolic"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_legalized_tir_matches_reference(case: Any, symbolic: bool) -> None:
    _, static_call, static_inputs, symbolic_call, symbolic_inputs, env = case
    if symbolic:
        check_legalized(symbolic_call, symbolic_inputs, env)
    else:
        check_legalized(static_call, static_inputs)


def test_every_creation_op_has_a_legalization_case() -> None:
    want = {e.name for e in R.registered_entries()
            if e.legalize is not None and e.legalize.__module__ == "irscript.relax.op.creation"}
    assert want == {c[1].op.name for c in CASES} and len(want) == 9


def test_symbolic_prim_values_pass_as_tir_vars() -> None:
    call = legalize_call(R.tril(X, P(k)), FunctionTable())
    assert call.op.name == "relax.call_tir" and call.args[2].values[0] is k
    call = legalize_call(R.arange(P(m), 20, 3), FunctionTable())
    assert call.args[2].values[0] is m and dims_at(call.struct_info, {m: 4}) == (6,)


# ---------------------------------------------------------------------------------------------
# memory ops
# ---------------------------------------------------------------------------------------------
STORAGE = relax.Var("storage", relax.ObjectStructInfo())


def test_memory_ops_layout_inference_and_purity() -> None:
    s = R.memory.alloc_storage([32], 0, "global", "float32")
    assert [type(a).__name__ for a in s.args] == ["ShapeExpr", "PrimValue", "StringImm", "DataTypeImm"]
    assert isinstance(s.struct_info, relax.ObjectStructInfo)
    t = R.memory.alloc_tensor(STORAGE, 0, [2, n], "float32")
    assert len(t.args) == 5 and constant_value(t.args[4]) == 0  # runtime_device_ind, as TVM prints it
    assert show(t) == 'R.Tensor((2, n), "float32")'
    b = R.builtin.alloc_tensor((n, 4), "float16", 0)
    assert show(b) == 'R.Tensor((n, 4), "float16")' and b.args[3].value == "global"
    shape_var = relax.Var("s", relax.ShapeStructInfo(ndim=2))
    assert show(R.builtin.alloc_tensor(shape_var, "int8", 0)) == 'R.Tensor(s, "int8")'
    assert show(R.memory.alloc_tensor(STORAGE, 0, [4], relax.Var("d", relax.ObjectStructInfo()))) == "R.Tensor((4,))"
    assert R.memory.kill_tensor(relax.Var("t", relax.TensorStructInfo((2,), "float32"))).struct_info.fields == ()
    assert R.memory.kill_storage(STORAGE).struct_info.fields == ()
    pure = {e.name: e.pure for e in R.registered_entries() if e.name.startswith(("relax.memory", "relax.builtin"))}
    assert pure == {"relax.memory.alloc_storage": True, "relax.memory.alloc_tensor": True,
                    "relax.memory.kill_storage": False, "relax.memory.kill_tensor": False,
                    "relax.builtin.alloc_tensor": True}
    for call in (s, t, b, R.memory.kill_storage(STORAGE)):
        assert get_entry(call.op).legalize is None and legalize_call(call, FunctionTable()) is call


def test_memory_ops_errors() -> None:
    expect_error(lambda: R.memory.alloc_storage([4, 8], 0, "global", "uint8"),
                 "R.memory.alloc_storage: argument 'size' must be a 1-D shape")
    expect_error(lambda: R.memory.alloc_storage([4], 0.5, "global", "uint8"),
                 "R.memory.alloc_storage: argument 'virtual_device_index' must be an integer")
    expect_error(lambda: R.memory.alloc_storage([4], 0, V((1,)), "uint8"),
                 "R.memory.alloc_storage: argument 'storage_scope' expects a string")
    expect_error(lambda: R.memory.alloc_storage([4], 0, "global", "flaot32"),
                 "R.memory.alloc_storage: argument 'dtype' expects a data type, got str")
    expect_error(lambda: R.memory.alloc_tensor(STORAGE, 0, X, "float32"),
                 "R.memory.alloc_tensor: argument 'shape' expects a shape")
    expect_error(lambda: R.memory.alloc_tensor(STORAGE, 0, [2], V((1,))),
                 "R.memory.alloc_tensor: argument 'dtype' expects a data type (R.dtype(...))")
    expect_error(lambda: R.builtin.alloc_tensor([2], "float32", 1.5),
                 "R.builtin.alloc_tensor: argument 'runtime_device_index' must be an integer")
    expect_error(lambda: R.builtin.alloc_tensor([2], "float32"),
                 "R.builtin.alloc_tensor: missing argument 'runtime_device_index'")


def test_memory_references_alias_one_storage() -> None:
    storage = get_entry("relax.memory.alloc_storage").numpy_ref((16,), 0, "global", "uint8")
    assert isinstance(storage, Storage) and storage.data.nbytes == 16
    alloc = get_entry("relax.memory.alloc_tensor").numpy_ref
    a = alloc(storage, 0, (2, 2), "float32")
    b = alloc(storage, 8, (2,), "float32")
    a[1, :] = [1.5, -2.0]  # bytes 8..15: the same memory as b
    assert b.tolist() == [1.5, -2.0] and a.dtype == np.float32
    with pytest.raises(ExecutionError, match="16 bytes at offset 4 do not fit in a storage of 16 bytes"):
        alloc(storage, 4, (4,), "float32")
    with pytest.raises(ExecutionError, match="argument 'storage' is ndarray"):
        alloc(np.zeros(4), 0, (1,), "float32")
    assert get_entry("relax.memory.kill_storage").numpy_ref(storage) == ()
    assert get_entry("relax.memory.kill_tensor").numpy_ref(a) == ()
    got = get_entry("relax.builtin.alloc_tensor").numpy_ref((2, 3), "int16", 0, "global")
    assert got.shape == (2, 3) and got.dtype == np.int16


def test_kills_are_impure_in_dataflow_blocks_and_allocations_are_not() -> None:
    with IRBuilder() as ib:
        with RB.function(is_pure=False):
            RB.func_name("f")
            x = RB.arg("x", relax.TensorStructInfo((2,), "float32"))
            with RB.dataflow():
                storage = RB.emit(R.memory.alloc_storage([8], 0, "global", "float32"))
                t = RB.emit(R.memory.alloc_tensor(storage, 0, [2], "float32"))
                RB.emit(R.memory.kill_tensor(t))
                y = RB.emit(R.add(x, t))
                RB.output(y)
            RB.func_ret_value(y)
    errors = check_well_formed(ib.get())
    assert [e.message for e in errors] == ["impure call to 'R.memory.kill_tensor' inside a dataflow block"]
