"""The TIR interpreter: every statement and expression kind, dtype-exact arithmetic, block
semantics, memory views, and errors that name the buffer, the indices and the IR path.

Kernels are built with the IRBuilder; most run on both the vectorized and the
scalar path (`vectorize` fixture), which must agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ml_dtypes
import numpy as np
import pytest

from irscript import tir
from irscript.errors import ExecutionError
from irscript.interp import Interpreter, register_extern, run, run_prim_func
from irscript.interp.registry import unregister_extern
from irscript.ir import IRModule
from irscript.ir.expr import GlobalVar
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as T
from irscript.testing.builder_models import mlp_module, tir_kitchen_sink_module
from irscript.tir import op as top


def prim(body: Callable[[], Any], name: str = "f", ret: str | None = None) -> tir.PrimFunc:
    """A PrimFunc whose parameters and body `body()` declares with the builder."""
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name(name)
            if ret is not None:
                T.func_ret(ret)
            body()
    return ib.get()


@pytest.fixture(params=[True, False], ids=["vectorized", "scalar"])
def vectorize(request: pytest.FixtureRequest) -> bool:
    return request.param


def elementwise(dtype: str, n: int, fn: Callable[..., Any], n_in: int = 2, out_dtype: str | None = None) -> Any:
    """Out[i] = fn(In0[i], In1[i], ...)."""
    def body() -> None:
        ins = [T.arg(f"I{k}", T.Buffer((n,), dtype)) for k in range(n_in)]
        out = T.arg("O", T.Buffer((n,), out_dtype or dtype))
        with T.serial(n) as i:
            out[i] = fn(*[b[i] for b in ins])
    return prim(body)


def run_elementwise(func: tir.PrimFunc, ins: list[np.ndarray], out_dtype: Any, vectorize: bool = True) -> np.ndarray:
    out = np.zeros(ins[0].shape, out_dtype)
    run_prim_func(func, [*ins, out], vectorize=vectorize)
    return out


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------
def test_int32_and_int64_arithmetic_wraps(vectorize: bool) -> None:
    big = np.array([2**31 - 1, -(2**31), 123456789, -7], "int32")
    for fn, ref in [(lambda a, b: a + b, lambda a, b: a + b), (lambda a, b: a * b, lambda a, b: a * b),
                    (lambda a, b: a - b, lambda a, b: a - b)]:
        got = run_elementwise(elementwise("int32", 4, fn), [big, big[::-1].copy()], "int32", vectorize)
        with np.errstate(over="ignore"):
            np.testing.assert_array_equal(got, ref(big, big[::-1]))
    one = run_elementwise(elementwise("int32", 1, lambda a: a + 1, 1), [np.array([2**31 - 1], "int32")], "int32")
    assert one[0] == -(2**31)
    wide = run_elementwise(elementwise("int64", 1, lambda a: a * 4, 1), [np.array([2**62], "int64")], "int64")
    assert wide[0] == 0
    small = run_elementwise(elementwise("int8", 2, lambda a: a + a, 1), [np.array([100, -100], "int8")], "int8")
    np.testing.assert_array_equal(small, [-56, 56])


@pytest.mark.parametrize("dtype", ["int32", "int64", "int8"])
def test_floor_and_truncating_division_on_negatives(dtype: str, vectorize: bool) -> None:
    pairs = [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (-6, 3), (0, -5), (-1, 5), (1, -5)]
    a = np.array([p[0] for p in pairs], dtype)
    b = np.array([p[1] for p in pairs], dtype)
    n = len(pairs)

    def trunc_q(x: int, y: int) -> int:
        q = abs(x) // abs(y)
        return q if (x < 0) == (y < 0) else -q

    ops = {
        "floordiv": (top.floordiv, lambda x, y: x // y),
        "floormod": (top.floormod, lambda x, y: x % y),
        "truncdiv": (top.truncdiv, trunc_q),
        "truncmod": (top.truncmod, lambda x, y: x - trunc_q(x, y) * y),
    }
    for name, (build, ref) in ops.items():
        got = run_elementwise(elementwise(dtype, n, build), [a, b], dtype, vectorize)
        assert got.tolist() == [ref(x, y) for x, y in pairs], name


def test_integer_division_by_zero_is_an_error(vectorize: bool) -> None:
    func = elementwise("int32", 3, top.floordiv)
    with pytest.raises(ExecutionError, match="integer division by zero in T.floordiv") as info:
        run_elementwise(func, [np.array([1, 2, 3], "int32"), np.array([1, 0, 1], "int32")], "int32", vectorize)
    assert str(info.value.path).startswith("body")


def test_float_division_and_modulo(vectorize: bool) -> None:
    a = np.array([7.5, -7.5, 1.0, -0.0], "float32")
    b = np.array([2.0, 2.0, 0.0, 3.0], "float32")
    got = run_elementwise(elementwise("float32", 4, top.floordiv), [a, b], "float32", vectorize)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(got, np.floor(a / b))
    got = run_elementwise(elementwise("float32", 4, top.floormod), [a, b], "float32", vectorize)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(got, a - np.floor(a / b) * b)
    got = run_elementwise(elementwise("float32", 4, top.truncmod), [a, b], "float32", vectorize)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(got, np.fmod(a, b))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float8_e4m3fn"])
def test_narrow_floats_round_like_numpy(dtype: str, vectorize: bool) -> None:
    npd = np.dtype(getattr(ml_dtypes, dtype) if dtype != "float16" else dtype)
    bits = np.uint16 if npd.itemsize == 2 else np.uint8
    rng = np.random.default_rng(1)
    a = rng.uniform(-3, 3, 64).astype(npd)
    b = rng.uniform(-3, 3, 64).astype(npd)
    got = run_elementwise(elementwise(dtype, 64, lambda x, y: x * y + x), [a, b], npd, vectorize)
    np.testing.assert_array_equal(got.view(bits), (a * b + a).view(bits))
    got = run_elementwise(elementwise(dtype, 64, lambda x: top.exp(x), 1), [a], npd, vectorize)
    want = np.exp(a.astype(np.float32)).astype(npd)
    np.testing.assert_array_equal(got.view(bits), want.view(bits))
    wide = rng.uniform(-3, 3, 64).astype("float32")
    got = run_elementwise(elementwise("float32", 64, lambda x: top.cast(dtype, x), 1, dtype), [wide], npd, vectorize)
    np.testing.assert_array_equal(got.view(bits), wide.astype(npd).view(bits))


def test_casts(vectorize: bool) -> None:
    f = np.array([-2.7, -0.5, 0.5, 2.7, 300.0], "float32")
    got = run_elementwise(elementwise("float32", 5, lambda x: top.cast("int32", x), 1, "int32"), [f], "int32")
    np.testing.assert_array_equal(got, [-2, 0, 0, 2, 300])
    got = run_elementwise(elementwise("float32", 5, lambda x: top.cast("bool", x), 1, "bool"), [f], "bool")
    np.testing.assert_array_equal(got, [True] * 5)
    i = np.array([300, -129, 5], "int32")
    got = run_elementwise(elementwise("int32", 3, lambda x: top.cast("int8", x), 1, "int8"), [i], "int8", vectorize)
    np.testing.assert_array_equal(got, [44, 127, 5])
    got = run_elementwise(elementwise("int32", 3, lambda x: top.cast("float16", x), 1, "float16"), [i], "float16")
    np.testing.assert_array_equal(got, i.astype("float16"))


def test_math_intrinsics_match_numpy(vectorize: bool) -> None:
    x = np.linspace(0.1, 3.0, 17).astype("float32")
    for name, ref in [("exp", np.exp), ("log", np.log), ("sqrt", np.sqrt), ("tanh", np.tanh), ("sin", np.sin),
                      ("floor", np.floor), ("ceil", np.ceil), ("log2", np.log2), ("log1p", np.log1p),
                      ("fabs", np.abs), ("trunc", np.trunc), ("atan", np.arctan)]:
        got = run_elementwise(elementwise("float32", 17, top.MATH[name], 1), [x], "float32", vectorize)
        np.testing.assert_array_equal(got, ref(x), err_msg=name)
    got = run_elementwise(elementwise("float32", 17, top.rsqrt, 1), [x], "float32", vectorize)
    np.testing.assert_array_equal(got, np.float32(1) / np.sqrt(x))
    got = run_elementwise(elementwise("float32", 17, top.sigmoid, 1), [x], "float32", vectorize)
    np.testing.assert_array_equal(got, np.float32(1) / (np.float32(1) + np.exp(-x)))
    got = run_elementwise(elementwise("float32", 17, top.erf, 1), [x], "float32", vectorize)
    np.testing.assert_array_equal(got, np.array([math.erf(float(v)) for v in x], "float32"))
    halves = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4], "float32")
    got = run_elementwise(elementwise("float32", 6, top.MATH["round"], 1), [halves], "float32", vectorize)
    np.testing.assert_array_equal(got, [0.0, 2.0, 2.0, -0.0, -2.0, 2.0])
    got = run_elementwise(elementwise("float32", 17, top.power), [x, x[::-1].copy()], "float32", vectorize)
    np.testing.assert_array_equal(got, np.power(x, x[::-1]))
    nan = np.array([np.nan, 1.0, np.inf], "float32")
    got = run_elementwise(elementwise("float32", 3, top.MATH["isnan"], 1, "bool"), [nan], "bool", vectorize)
    np.testing.assert_array_equal(got, [True, False, False])


def test_bit_intrinsics_and_min_max() -> None:
    a = np.array([0b1011, -1, 0, 255], "int32")
    got = run_elementwise(elementwise("int32", 4, top.MATH["popcount"], 1), [a], "int32")
    np.testing.assert_array_equal(got, [3, 32, 0, 8])
    got = run_elementwise(elementwise("int32", 4, top.MATH["clz"], 1), [a], "int32")
    np.testing.assert_array_equal(got, [28, 0, 32, 24])
    b = np.array([3, 3, 3, 3], "int32")
    for build, ref in [(top.bitwise_and, np.bitwise_and), (top.bitwise_xor, np.bitwise_xor),
                       (top.shift_left, np.left_shift), (top.min, np.minimum), (top.max, np.maximum)]:
        np.testing.assert_array_equal(run_elementwise(elementwise("int32", 4, build), [a, b], "int32"), ref(a, b))


# ---------------------------------------------------------------------------------------------
# control flow and laziness
# ---------------------------------------------------------------------------------------------
def _guarded(kind: str) -> tir.PrimFunc:
    """O[i] = A[i + 4] guarded by i < 4 through `kind`."""
    def body() -> None:
        A = T.arg("A", T.Buffer((8,), "float32"))
        O = T.arg("O", T.Buffer((8,), "float32"))
        with T.serial(8) as i:
            if kind == "if_then_else":
                O[i] = top.if_then_else(i < 4, A[i + 4], T.float32(-1))
            elif kind == "select":
                O[i] = tir.Select(i < 4, A[i + 4], T.float32(-1))
            else:
                O[i] = top.if_then_else(top.logical_and(i < 4, A[i + 4] > T.float32(0)), T.float32(1),
                                        T.float32(0))
    return prim(body)


def test_if_then_else_and_logic_are_lazy_select_is_not(vectorize: bool) -> None:
    a = np.arange(8, dtype="float32") - 5
    got = run_elementwise(_guarded("if_then_else"), [a], "float32", vectorize)
    np.testing.assert_array_equal(got, [-1, 0, 1, 2, -1, -1, -1, -1])
    got = run_elementwise(_guarded("and"), [a], "float32", vectorize)
    np.testing.assert_array_equal(got, [0, 0, 1, 1, 0, 0, 0, 0])
    with pytest.raises(ExecutionError, match=r"out-of-bounds load A\[8\]: buffer 'A' has shape \(8,\)"):
        run_elementwise(_guarded("select"), [a], "float32", vectorize)


def test_out_of_bounds_access_names_buffer_indices_and_path(vectorize: bool) -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((4, 3), "float32"))
        B = T.arg("B", T.Buffer((4, 3), "float32"))
        with T.grid(4, 3) as (i, j):
            B[i, j] = A[i, j + i]
    func = prim(body, "shift")
    a = np.ones((4, 3), "float32")
    with pytest.raises(ExecutionError) as info:
        run_prim_func(func, [a, np.zeros_like(a)], vectorize=vectorize)
    assert "out-of-bounds load A[1, 3]: buffer 'A' has shape (4, 3)" in str(info.value)
    assert str(info.value.path) == "body.body.body"
    assert isinstance(info.value.path.resolve(func), tir.BufferStore)

    def store_body() -> None:
        A = T.arg("A", T.Buffer((4,), "float32"))
        with T.serial(5) as i:
            A[i - 1] = T.float32(1)
    with pytest.raises(ExecutionError, match=r"out-of-bounds store A\[-1\]: buffer 'A' has shape \(4,\)"):
        run_prim_func(prim(store_body), [np.zeros(4, "float32")], vectorize=vectorize)


def test_failed_assert_names_message_and_path() -> None:
    def body() -> None:
        n = T.arg("n", T.int32())
        A = T.arg("A", T.Buffer((1,), "int32"))
        with T.Assert(n > 0, "n must be positive"):
            A[0] = n
    func = prim(body)
    out = np.zeros(1, "int32")
    run_prim_func(func, [3, out])
    assert out[0] == 3
    with pytest.raises(ExecutionError, match="assertion failed: n must be positive") as info:
        run_prim_func(func, [-1, out])
    assert isinstance(info.value.path.resolve(func), tir.AssertStmt)


def test_while_let_if_and_extern_calls() -> None:
    seen: list[Any] = []
    register_extern("test.log_value", lambda fmt, v: seen.append(fmt % v) or 7, override=True)
    try:
        def body() -> None:
            n = T.arg("n", T.int32())
            A = T.arg("A", T.Buffer((3,), "int32"))
            with T.decl_buffer((1,), "int32") as acc:
                acc[0] = 0
                with T.While(acc[0] * acc[0] < n):
                    acc[0] = acc[0] + 1
                A[0] = acc[0]
            with T.LetStmt(n * 2) as v:
                with T.If(v > 10):
                    with T.Then():
                        A[1] = v
                    with T.Else():
                        A[1] = -v
            w = tir.Var("w", "int32")
            A[2] = T.let(w, n + 1, w * w) + top.call_extern("int32", "test.log_value", "n=%d", n)
        func = prim(body)
        out = np.zeros(3, "int32")
        run_prim_func(func, [10, out])
        assert out.tolist() == [4, 20, 121 + 7] and seen == ["n=10"]
        run_prim_func(func, [3, out])
        assert out.tolist() == [2, -6, 16 + 7]
    finally:
        unregister_extern("test.log_value")
    with pytest.raises(ExecutionError, match="no extern function 'test.log_value' is registered"):
        run_prim_func(func, [3, out])


def test_vector_loads_and_stores() -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((8,), "float32"))
        B = T.arg("B", T.Buffer((8,), "float32"))
        B[0:4] = A[tir.Ramp(T.int32(0), T.int32(2), 4)] * tir.Broadcast(T.float32(2), 4)
        B[4:8] = tir.Broadcast(A[7], 4)
    a = np.arange(8, dtype="float32")
    out = np.zeros(8, "float32")
    run_prim_func(prim(body), [a, out])
    np.testing.assert_array_equal(out, [0, 4, 8, 12, 7, 7, 7, 7])


def test_every_loop_kind_runs_in_order(vectorize: bool) -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((6,), "int32"))
        with T.serial(6) as i:
            A[i] = i
        with T.parallel(6) as i:
            A[i] = A[i] * 2
        with T.vectorized(6) as i:
            A[i] = A[i] + 1
        with T.unroll(1, 6) as i:
            A[i] = A[i] + A[i - 1]   # a carried dependence: must run in order
        with T.thread_binding(6, thread="threadIdx.x") as t:
            A[t] = A[t] * 10
        tx = T.env_thread("threadIdx.y")
        with T.launch_thread(tx, 6):
            A[tx] = A[tx] + 1
    out = np.zeros(6, "int32")
    run_prim_func(prim(body), [out], vectorize=vectorize)
    want = np.cumsum(np.arange(6) * 2 + 1) * 10 + 1
    np.testing.assert_array_equal(out, want)


# ---------------------------------------------------------------------------------------------
# blocks and memory
# ---------------------------------------------------------------------------------------------
def test_block_init_where_and_reduction(vectorize: bool) -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((10, 6), "float32"))
        S = T.arg("S", T.Buffer((10,), "float32"))
        with T.grid(3, 4, 6) as (io, ii, k):   # 3 * 4 = 12 > 10: the predicate skips the tail
            with T.block("rowsum"):
                vi = T.axis.spatial(10, io * 4 + ii)
                vk = T.axis.reduce(6, k)
                T.where(io * 4 + ii < 10)
                with T.init():
                    S[vi] = T.float32(100)
                S[vi] = S[vi] + A[vi, vk]
    a = np.arange(60, dtype="float32").reshape(10, 6)
    out = np.zeros(10, "float32")
    run_prim_func(prim(body), [a, out], vectorize=vectorize)
    np.testing.assert_array_equal(out, 100 + a.sum(1))


def test_iter_var_outside_its_domain_is_an_error(vectorize: bool) -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((12,), "float32"))
        with T.grid(3, 4) as (io, ii):
            with T.block("b"):
                vi = T.axis.spatial(10, io * 4 + ii)
                A[vi] = T.float32(1)
    with pytest.raises(ExecutionError, match=r"block 'b': iter var .* = 10 is outside its domain \[0, 10\)"):
        run_prim_func(prim(body), [np.zeros(12, "float32")], vectorize=vectorize)


def test_match_buffer_views_with_offsets_and_strides(vectorize: bool) -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((4, 8), "float32"))
        B = T.arg("B", T.Buffer((4,), "float32"))
        with T.serial(4) as i:
            with T.block("rows"):
                vi = T.axis.spatial(4, i)
                s0 = tir.Var("s0", "int32")
                off = tir.Var("off", "int32")
                row = T.match_buffer(A[vi, 2:6], (4,), "float32", strides=[s0], elem_offset=off)
                B[vi] = row[0] + row[3] + top.cast("float32", off) * T.float32(1000) + top.cast("float32", s0)
    a = np.arange(32, dtype="float32").reshape(4, 8)
    out = np.zeros(4, "float32")
    run_prim_func(prim(body), [a, out], vectorize=vectorize)
    offsets = np.arange(4) * 8 + 2
    np.testing.assert_array_equal(out, a[:, 2] + a[:, 5] + offsets * 1000 + 1)


def test_decl_buffers_alias_their_allocation_and_strided_params() -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((2, 3), "float32"))
        O = T.arg("O", T.Buffer((6,), "float32"))
        with T.decl_buffer((6,), "float32", data=A.data) as flat:   # the same memory, flattened
            with T.serial(6) as i:
                O[i] = flat[i]
        with T.allocate((8,), "float32", "global") as ptr:
            with T.decl_buffer((2, 4), "float32", data=ptr) as grid:
                with T.decl_buffer((3,), "float32", data=ptr, strides=[2], elem_offset=1) as odd:
                    with T.grid(2, 4) as (i, j):
                        grid[i, j] = top.cast("float32", i * 4 + j)
                    O[0] = odd[0] + odd[1] * T.float32(10) + odd[2] * T.float32(100)
    a = np.arange(6, dtype="float32").reshape(2, 3)
    out = np.zeros(6, "float32")
    run_prim_func(prim(body), [a, out])
    np.testing.assert_array_equal(out, [1 + 30 + 500, 1, 2, 3, 4, 5])


def test_alloc_buffer_is_zeroed_per_block_instance() -> None:
    def body() -> None:
        O = T.arg("O", T.Buffer((3,), "int32"))
        with T.serial(3) as i:
            with T.block("b"):
                vi = T.axis.spatial(3, i)
                tmp = T.alloc_buffer((1,), "int32")
                tmp[0] = tmp[0] + vi + 1
                O[vi] = tmp[0]
    out = np.zeros(3, "int32")
    run_prim_func(prim(body), [out])
    np.testing.assert_array_equal(out, [1, 2, 3])


def test_prim_func_return_value_and_calls_between_prim_funcs() -> None:
    def callee() -> None:
        x = T.arg("x", T.int32())
        T.evaluate(top.ret(x * x + 1))
    sq = prim(callee, "sq", ret="int32")
    gv = GlobalVar("sq")

    def caller() -> None:
        A = T.arg("A", T.Buffer((3,), "int32"))
        with T.serial(3) as i:
            A[i] = top.call_tir_function(gv, i, dtype="int32")
    mod = IRModule({"sq": sq, "main": prim(caller, "main")})
    out = np.zeros(3, "int32")
    assert run(mod, "sq", 4) == 17
    run(mod, "main", out)
    np.testing.assert_array_equal(out, [1, 2, 5])


def test_argument_checking() -> None:
    mod = mlp_module()
    a, b = np.zeros((2, 3), "float32"), np.zeros((3, 4), "float32")
    with pytest.raises(ExecutionError, match=r"PrimFunc 'dense' takes 3 argument\(s\), got 2"):
        run(mod, "dense", a, b)
    with pytest.raises(ExecutionError, match=r"buffer 'C' needs shape \(2, 4\), the array has shape \(2, 5\)"):
        run(mod, "dense", a, b, np.zeros((2, 5), "float32"))
    with pytest.raises(ExecutionError, match="buffer 'A' holds float32, the array is float64") as info:
        run(mod, "dense", a.astype("float64"), b, np.zeros((2, 4), "float32"))
    assert str(info.value.path) == 'functions["dense"].params[0]'
    frozen = np.zeros((2, 4), "float32")
    frozen.flags.writeable = False
    with pytest.raises(ExecutionError, match="store into buffer 'C', which is read-only"):
        run(mod, "dense", a, b, frozen, vectorize=False)

    def scalar_body() -> None:
        n = T.arg("n", T.int8())
        A = T.arg("A", T.Buffer((1,), "int8"))
        A[0] = n
    with pytest.raises(ExecutionError, match="300 does not fit in int8"):
        run_prim_func(prim(scalar_body), [300, np.zeros(1, "int8")])
    with pytest.raises(ExecutionError, match="is an int8 parameter, got 1.5"):
        run_prim_func(prim(scalar_body), [1.5, np.zeros(1, "int8")])


def test_kitchen_sink_runs_every_statement_kind(vectorize: bool) -> None:
    printed: list[str] = []
    register_extern("printf", lambda fmt, v: printed.append(fmt % v) or 0, override=True)
    try:
        mod = tir_kitchen_sink_module()
        interp = Interpreter(mod, vectorize=vectorize)
        a = np.arange(16, dtype="float32")
        out = np.zeros(16, "float32")
        interp["loops"](a, out, 5, 3)
        np.testing.assert_array_equal(out, a)   # the last statements copy A into B
        assert printed == ["0.000000"]
        a2 = np.arange(256, dtype="float32").reshape(16, 16)
        out2 = np.zeros(16, "float32")
        interp["blocks"](a2, out2)
        np.testing.assert_array_equal(out2, a2.sum(1))
    finally:
        unregister_extern("printf")


def test_unknown_node_is_an_error_only_when_run() -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((1,), "int32"))
        n = T.arg("n", T.int32())
        with T.If(n > 0):
            with T.Then():
                T.evaluate(tir.Call("int32", "tir.tvm_thread_allreduce", []))
        A[0] = n
    func = prim(body)
    out = np.zeros(1, "int32")
    run_prim_func(func, [out, 0])
    assert out[0] == 0
    with pytest.raises(ExecutionError, match="no implementation of the intrinsic tir.tvm_thread_allreduce"):
        run_prim_func(func, [out, 1])


def test_scalar_parameters_and_symbolic_buffers() -> None:
    n = tir.Var("n", "int64")

    def body() -> None:
        A = T.arg("A", T.Buffer((n * 2,), "float32"))
        B = T.arg("B", T.Buffer((n,), "float32"))
        with T.serial(n) as i:
            B[i] = A[i * 2] + A[i * 2 + 1]
    func = prim(body)
    a = np.arange(6, dtype="float32")
    out = np.zeros(3, "float32")
    run_prim_func(func, [a, out])
    np.testing.assert_array_equal(out, [1, 5, 9])
    with pytest.raises(ExecutionError, match=r"buffer 'A' needs shape \(8,\), the array has shape \(6,\)"):
        run_prim_func(func, [a, np.zeros(4, "float32")])
