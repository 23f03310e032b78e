"""The Relax interpreter: every construct, call_tir & co with symbolic shapes, library functions,
recursion and closures, input checking, and the same results after a JSON round trip.

Expected values come from independent numpy code written here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import irscript.interp as interp
from irscript import relax, tir
from irscript.errors import ExecutionError
from irscript.interp import Interpreter, register_func, run
from irscript.interp.registry import unregister_func
from irscript.ir import IRModule, from_json, to_json
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import ir as I
from irscript.irbuilder import relax as R
from irscript.irbuilder import tir as T
from irscript.relax import op as rop
from irscript.relax.op import FunctionTable, legalize_call
from irscript.testing.builder_models import mlp_module, relax_kitchen_sink_module

name = IRBuilder.name
rng = np.random.default_rng(3)


def tensor(shape: tuple, dtype: str = "float32") -> relax.TensorStructInfo:
    return relax.TensorStructInfo(shape, dtype)


def mlp_inputs(n: int) -> list[np.ndarray]:
    shapes = [(n, 784), (784, 128), (128,), (128, 10), (10,)]
    return [rng.standard_normal(s).astype("float32") for s in shapes]


def mlp_numpy(x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    hidden = np.maximum(x.astype(np.float64) @ w1 + b1, 0)
    return hidden @ w2 + b2


@pytest.fixture
def kitchen_sink_lib() -> Any:
    printed: list[tuple] = []
    fns = {
        "vm.builtin.print": lambda *a: printed.append(a),
        "my.lib.scale": lambda x, c, out: np.multiply(x, c, out=out),
        "my.lib.neg": lambda x: -x,
        "my.lib.concat": lambda a, b: np.concatenate([a, b], axis=1),
    }
    for k, fn in fns.items():
        register_func(k, fn, override=True)
    yield printed
    for k in fns:
        unregister_func(k)


# ---------------------------------------------------------------------------------------------
# whole modules
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 3])
def test_mlp_with_symbolic_batch(n: int) -> None:
    args = mlp_inputs(n)
    out = run(mlp_module(), "main", *args)
    assert out.shape == (n, 10) and out.dtype == np.float32
    np.testing.assert_allclose(out, mlp_numpy(*args), rtol=1e-4, atol=1e-4)


def test_results_survive_a_json_round_trip(kitchen_sink_lib: Any) -> None:
    args = mlp_inputs(2)
    mod = mlp_module()
    again = from_json(to_json(mod))
    assert run(mod, "main", *args).tobytes() == run(again, "main", *args).tobytes()
    sink = relax_kitchen_sink_module()
    x = rng.standard_normal((3, 4)).astype("float32")
    for cond in (True, False):
        a = run(sink, "main", x, cond)
        b = run(from_json(to_json(sink)), "main", x, cond)
        assert all(p.tobytes() == q.tobytes() for p, q in zip(a, b))


def test_kitchen_sink_every_construct(kitchen_sink_lib: Any) -> None:
    x = np.arange(12, dtype="float32").reshape(3, 4)
    const = np.arange(4, dtype="float32")
    for cond in (True, False):
        r, z = run(relax_kitchen_sink_module(), "main", x, cond)
        want = x * const + const
        np.testing.assert_array_equal(r, want if cond else -want)
        np.testing.assert_array_equal(z, np.concatenate([x, x], axis=1))
    assert kitchen_sink_lib[-1][0] == "hi" and kitchen_sink_lib[-1][2] == 3
    assert kitchen_sink_lib[-1][3] == (3, 4) and isinstance(kitchen_sink_lib[-1][3], interp.ShapeTuple)


def test_inputs_and_constants_are_never_modified(kitchen_sink_lib: Any) -> None:
    x = np.arange(12, dtype="float32").reshape(3, 4)
    keep = x.copy()
    mod = relax_kitchen_sink_module()
    first = run(mod, "main", x, True)
    second = run(mod, "main", x, True)
    np.testing.assert_array_equal(x, keep)
    assert first[0].tobytes() == second[0].tobytes()
    assert first[0].flags.writeable and first[1].flags.writeable


# ---------------------------------------------------------------------------------------------
# building blocks for small functions
# ---------------------------------------------------------------------------------------------
def _add_one_kernel(func_name: str = "add_one") -> None:
    with T.prim_func(private=True):
        T.func_name(func_name)
        n = name("n", T.int64())
        A = T.arg("A", T.Buffer((n,), "float32"))
        B = T.arg("B", T.Buffer((n,), "float32"))
        with T.serial(n) as i:
            B[i] = A[i] + T.float32(1)


def test_if_tuples_match_cast_and_call_tir() -> None:
    with IRBuilder() as ib:
        with I.ir_module():
            add_one = I.decl_function("add_one", tir.PrimFunc((tir.Var("a", "handle"), tir.Var("b", "handle")),
                                                              tir.Evaluate(0)))
            with R.function():
                R.func_name("main")
                x = R.arg("x", relax.TensorStructInfo(ndim=1, dtype="float32"))
                flag = R.arg("flag", tensor((), "bool"))
                m = name("m", T.int64())
                y = name("y", R.emit_match_cast(x, tensor((m,))))
                z = name("z", R.emit(rop.call_tir(add_one, (y,), tensor((m,)))))
                t = name("t", R.emit(relax.Tuple((y, z))))
                with R.If(flag) as branch:
                    with R.Then():
                        name("r", R.emit(relax.TupleGetItem(t, 1)))
                    with R.Else():
                        name("r", R.emit(rop.multiply(relax.TupleGetItem(t, 0), relax.TupleGetItem(t, 1))))
                R.func_ret_value(relax.Tuple((branch.var, relax.ShapeExpr((m,)), relax.PrimValue(m))))
            _add_one_kernel()
    mod = ib.get()
    x = np.array([1.0, 2.0, 3.0], "float32")
    r, shape, m_value = run(mod, "main", x, np.array(True))
    np.testing.assert_array_equal(r, x + 1)
    assert shape == (3,) and m_value == 3 and m_value.dtype == np.int64
    r, _, _ = run(mod, "main", x, np.array(False))
    np.testing.assert_array_equal(r, x * (x + 1))


def _cast_module(target: relax.TensorStructInfo) -> IRModule:
    with IRBuilder() as ib:
        with I.ir_module():
            with R.function():
                R.func_name("main")
                x = R.arg("x", relax.TensorStructInfo(ndim=2))
                y = name("y", R.emit_match_cast(x, target))
                R.func_ret_value(y)
    return ib.get()


def test_match_cast_mismatch_names_the_binding_and_both_shapes() -> None:
    k = tir.Var("k", "int64")
    mod = _cast_module(tensor((k, k)))
    np.testing.assert_array_equal(run(mod, "main", np.ones((2, 2), "float32")), np.ones((2, 2)))
    with pytest.raises(ExecutionError) as info:
        run(mod, "main", np.ones((2, 3), "float32"))
    message = str(info.value)
    assert "match_cast of 'y'" in message and "shape (2, 3)" in message and "R.Tensor((k, k)" in message
    assert "dim 1 is 3, expected k = 2" in message
    assert str(info.value.path) == 'functions["main"].body.blocks[0].bindings[0]'
    with pytest.raises(ExecutionError, match=r"dtype is float32, expected float16"):
        run(_cast_module(tensor((k, 2), "float16")), "main", np.ones((2, 2), "float32"))


def test_input_checking() -> None:
    mod = mlp_module()
    x, w1, b1, w2, b2 = mlp_inputs(2)
    with pytest.raises(ExecutionError, match=r"function 'main' takes 5 argument\(s\), got 4"):
        run(mod, "main", x, w1, b1, w2)
    with pytest.raises(ExecutionError, match=r"argument 'x' \(#0\) expects R.Tensor\(\(n, 784\), \"float32\"\), "
                                             r"got a float32 tensor of shape \(2, 784, 1\): rank is 3, expected 2"):
        run(mod, "main", x[..., None], w1, b1, w2, b2)
    with pytest.raises(ExecutionError, match="dim 0 is 5, expected 128"):
        run(mod, "main", x, w1, np.zeros(5, "float32"), w2, b2)
    with pytest.raises(ExecutionError, match="got the string 'x': not a tensor"):
        run(mod, "main", "x", w1, b1, w2, b2)

    n = tir.Var("n", "int64")
    with IRBuilder() as ib:
        with R.function():
            R.func_name("pair")
            a = R.arg("a", tensor((n, 2)))
            R.arg("b", tensor((n,)))
            R.arg("p", relax.PrimStructInfo("int32"))
            R.func_ret_value(a)
    pair = ib.get()
    with pytest.raises(ExecutionError) as info:
        run(pair, "main", np.zeros((3, 2), "float32"), np.zeros(4, "float32"), 1)
    assert "argument 'b' (#1)" in str(info.value)
    assert "dim 0 is 4, expected n = 3 (n was bound by dim 0 of argument 'a')" in str(info.value)
    with pytest.raises(ExecutionError, match="got a float64 tensor of shape \\(1,\\): not an R.Prim value"):
        run(pair, "main", np.zeros((3, 2), "float32"), np.zeros(3, "float32"), np.zeros(1))
    out = run(pair, "main", np.zeros((3, 2), "float32"), np.zeros(3, "float32"), 7)
    assert out.shape == (3, 2)
    with pytest.raises(ExecutionError, match=r"argument 'p' \(#2\) .*: 2147483648 is not a int32 value"):
        run(pair, "main", np.zeros((3, 2), "float32"), np.zeros(3, "float32"), 2**31)
    with pytest.raises(ExecutionError, match=r"dtype is int64, expected int32"):
        run(pair, "main", np.zeros((3, 2), "float32"), np.zeros(3, "float32"), np.int64(1))
    with pytest.raises(ExecutionError, match=r"the module has no function named 'nope' \(it has: main\)"):
        Interpreter(pair)["nope"]


# ---------------------------------------------------------------------------------------------
# calls: recursion, closures, call_tir_inplace, tir_vars
# ---------------------------------------------------------------------------------------------
def _factorial_module() -> IRModule:
    scalar = tensor((), "int64")
    with IRBuilder() as ib:
        with I.ir_module():
            fact = I.decl_function("fact", relax.FuncStructInfo((scalar,), scalar))
            with R.function():
                R.func_name("fact")
                n = R.arg("n", scalar)
                R.func_ret_struct_info(scalar)
                one = relax.Constant(np.array(1, "int64"))
                stop = name("stop", R.emit(rop.less_equal(n, one)))
                with R.If(stop) as branch:
                    with R.Then():
                        name("r", R.emit(one))
                    with R.Else():
                        m = name("m", R.emit(rop.subtract(n, one)))
                        rest = name("rest", R.emit(relax.Call(fact, (m,))))
                        name("r", R.emit(rop.multiply(n, rest)))
                R.func_ret_value(branch.var)
    return ib.get()


def test_recursion_through_the_module() -> None:
    mod = _factorial_module()
    for k in (1, 5, 12):
        assert int(run(mod, "fact", np.array(k, "int64"))) == int(np.prod(np.arange(1, k + 1)))
    assert int(run(mod, "fact", np.array(300, "int64"))) == 0  # deep, and int64 wraps (2^64 divides 300!)


def test_a_recursive_local_function() -> None:
    scalar = tensor((), "int64")
    one = relax.Constant(np.array(1, "int64"))
    f = relax.Var("f", relax.FuncStructInfo((scalar,), scalar))
    p = relax.Var("p", scalar)
    stop, m, r = relax.Var("stop", tensor((), "bool")), relax.Var("m", scalar), relax.Var("r", scalar)
    recurse = relax.SeqExpr([relax.BindingBlock([relax.VarBinding(m, rop.subtract(p, one)),
                                                 relax.VarBinding(r, relax.Call(f, (m,), struct_info=scalar))])],
                            rop.add(r, one))
    branch = relax.If(stop, relax.SeqExpr([], p), recurse)
    count = relax.Function([p], relax.SeqExpr([relax.BindingBlock([
        relax.VarBinding(stop, rop.less_equal(p, relax.Constant(np.array(0, "int64")))),
        relax.VarBinding(r2 := relax.Var("r2", scalar), branch)])], r2), scalar)
    x, y = relax.Var("x", scalar), relax.Var("y", scalar)
    main = relax.Function([x], relax.SeqExpr([relax.BindingBlock([
        relax.VarBinding(f, count), relax.VarBinding(y, relax.Call(f, (x,), struct_info=scalar))])], y), scalar)
    assert int(run(IRModule({"main": main}), "main", np.array(7, "int64"))) == 7


def test_local_functions_capture_outer_values() -> None:
    with IRBuilder() as ib:
        with R.function():
            R.func_name("main")
            x = R.arg("x", tensor((3,)))
            y = name("y", R.emit(rop.multiply(x, relax.Constant(np.array(2, "float32")))))
            with R.function() as local:
                R.func_name("shift")
                p = R.arg("p", tensor((3,)))
                R.func_ret_value(R.emit(rop.add(p, y)))   # uses the outer y
            a = name("a", R.emit(relax.Call(local.var, (x,))))
            R.func_ret_value(R.emit(relax.Call(local.var, (a,))))
    x = np.array([1, 2, 3], "float32")
    np.testing.assert_array_equal(run(ib.get(), "main", x), x + 4 * x)


def test_call_tir_inplace_copies_values_it_may_not_change() -> None:
    with IRBuilder() as ib:
        with I.ir_module():
            gv = I.decl_function("bump", tir.PrimFunc((tir.Var("a", "handle"),), tir.Evaluate(0)))
            with R.function():
                R.func_name("main")
                x = R.arg("x", tensor((4,)))
                c = relax.Constant(np.ones(4, "float32"))
                y = name("y", R.emit(rop.call_tir_inplace(gv, (x,), 0, tensor((4,)))))
                z = name("z", R.emit(rop.call_tir_inplace(gv, (c,), 0, tensor((4,)))))
                w = name("w", R.emit(rop.call_tir_inplace(gv, (y,), 0, tensor((4,)))))
                R.func_ret_value(relax.Tuple((y, z, w)))
            with T.prim_func(private=True):
                T.func_name("bump")
                A = T.arg("A", T.Buffer((4,), "float32"))
                with T.serial(4) as i:
                    A[i] = A[i] * T.float32(10)
    mod = ib.get()
    x = np.arange(4, dtype="float32")
    y, z, w = run(mod, "main", x)
    np.testing.assert_array_equal(x, np.arange(4))                 # the caller's array is intact
    np.testing.assert_array_equal(z, np.full(4, 10))
    np.testing.assert_array_equal(w, np.arange(4) * 100)
    np.testing.assert_array_equal(y, w)                            # w was computed in y's memory
    assert run(mod, "main", x)[1].tobytes() == z.tobytes()         # the constant is intact


def test_call_tir_with_tir_vars_and_tuple_outputs() -> None:
    n = tir.Var("n", "int64")
    x = relax.Var("x", tensor((n * 2, 3)))
    y = relax.Var("y", tensor((n,)))   # defines n
    table = FunctionTable()
    summed = legalize_call(rop.sum(x, axis=[0]), table)
    assert len(summed.args) == 3  # n is passed as a tir_var
    split = legalize_call(rop.split(x, 2, axis=0), table)
    s = relax.Var("s", summed.struct_info)
    p = relax.Var("p", split.struct_info)
    body = relax.SeqExpr([relax.BindingBlock([relax.VarBinding(s, summed), relax.VarBinding(p, split)])],
                         relax.Tuple((s, p)))
    main = relax.Function((x, y), body, relax.Tuple((s, p)).struct_info)
    mod = IRModule({"main": main, **table.functions})
    a = rng.standard_normal((4, 3)).astype("float32")
    got_sum, (top, bottom) = run(mod, "main", a, np.zeros(2, "float32"))
    np.testing.assert_allclose(got_sum, a.sum(0), rtol=1e-6)
    np.testing.assert_array_equal(top, a[:2])
    np.testing.assert_array_equal(bottom, a[2:])
    with pytest.raises(ExecutionError, match=r"argument 'x' \(#0\) .* dim 0 is 4, expected n \* 2 = 6"):
        run(mod, "main", a, np.zeros(3, "float32"))


def test_errors_inside_tir_keep_their_path_and_name_the_call() -> None:
    with IRBuilder() as ib:
        with I.ir_module():
            gv = I.decl_function("bad", tir.PrimFunc((tir.Var("a", "handle"), tir.Var("b", "handle")),
                                                     tir.Evaluate(0)))
            with R.function():
                R.func_name("main")
                x = R.arg("x", tensor((4,)))
                y = name("y", R.emit(rop.call_tir(gv, (x,), tensor((4,)))))
                R.func_ret_value(y)
            with T.prim_func(private=True):
                T.func_name("bad")
                A = T.arg("A", T.Buffer((4,), "float32"))
                B = T.arg("B", T.Buffer((4,), "float32"))
                with T.serial(4) as i:
                    B[i] = A[i + 1]
    with pytest.raises(ExecutionError) as info:
        run(ib.get(), "main", np.zeros(4, "float32"))
    err = info.value
    assert "out-of-bounds load A[4]" in str(err)
    assert str(err.path) == 'functions["bad"].body.body'
    assert "in relax.call_tir of 'bad' at functions[\"main\"].body.blocks[0].bindings[0].value" in str(err)


# ---------------------------------------------------------------------------------------------
# library functions
# ---------------------------------------------------------------------------------------------
def _library_module() -> IRModule:
    with IRBuilder() as ib:
        with R.function(is_pure=False):
            R.func_name("main")
            a = R.arg("a", tensor((2, 3)))
            b = R.arg("b", tensor((3, 4)))
            c = name("c", R.emit(rop.call_dps_packed("test.gemm", (a, b), tensor((2, 4)))))
            f = name("f", R.emit(relax.ExternFunc("test.scale")))
            d = name("d", R.emit(relax.Call(f, (c, relax.PrimValue(tir.FloatImm("float32", 0.5))),
                                            sinfo_args=(tensor((2, 4)),))))
            e = name("e", R.emit(rop.call_packed("test.stats", d, sinfo_args=relax.TupleStructInfo(
                (tensor((), "float32"), relax.ShapeStructInfo(ndim=2))))))
            R.func_ret_value(e)
    return ib.get()


def test_library_functions_through_the_registry() -> None:
    @register_func("test.gemm")
    def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        np.matmul(a, b, out=out)

    register_func("test.scale", lambda x, s: x * s)
    register_func("test.stats", lambda x: (x.sum(), x.shape))
    try:
        a, b = rng.standard_normal((2, 3)).astype("float32"), rng.standard_normal((3, 4)).astype("float32")
        total, shape = run(_library_module(), "main", a, b)
        np.testing.assert_allclose(total, (a @ b * 0.5).sum(), rtol=1e-5)
        assert shape == (2, 4)
        with pytest.raises(ExecutionError, match="'test.gemm' is already registered"):
            register_func("test.gemm", lambda *a: None)
        register_func("test.stats", lambda x: (x.sum(), x.shape, 1), override=True)
        with pytest.raises(ExecutionError, match=r"binding 'e': the value is a tuple of 3 .* the tuple has 3 "
                                                 r"fields, expected 2") as info:
            run(_library_module(), "main", a, b)
        assert str(info.value.path) == 'functions["main"].body.blocks[0].bindings[3]'
        register_func("test.stats", lambda x: 1 / 0, override=True)
        with pytest.raises(ExecutionError, match="library function 'test.stats' raised ZeroDivisionError"):
            run(_library_module(), "main", a, b)
    finally:
        for k in ("test.gemm", "test.scale", "test.stats"):
            unregister_func(k)
    with pytest.raises(ExecutionError, match="no library function 'test.gemm' is registered"):
        run(_library_module(), "main", a, b)


def test_high_level_ops_run_through_numpy_references() -> None:
    with IRBuilder() as ib:
        with R.function():
            R.func_name("main")
            x = R.arg("x", tensor((2, 3)))
            w = R.arg("w", tensor((3, 3)))
            with R.dataflow():
                h = name("h", R.emit(rop.matmul(x, w)))
                r = name("r", R.emit(rop.nn.relu(h)))
                s = name("s", R.emit(rop.nn.softmax(r, axis=-1)))
                R.output(s)
            R.func_ret_value(s)
    x, w = rng.standard_normal((2, 3)).astype("float32"), rng.standard_normal((3, 3)).astype("float32")
    h = np.maximum(x @ w, 0)
    want = np.exp(h - h.max(-1, keepdims=True))
    np.testing.assert_allclose(run(ib.get(), "main", x, w), want / want.sum(-1, keepdims=True), rtol=1e-6)
