"""The vectorized fast path gives the same bits as the scalar path, and is only taken when safe.

Each kernel runs twice, `vectorize=True` and `vectorize=False`; results must be
bit-identical. The runner's `stats` tell whether a nest ran batched or fell back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irscript import tir
from irscript.interp.tir_func import TIRRunner
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as T
from irscript.tir import op as top
from irscript.tir import te


def prim(body: Callable[[], Any]) -> tir.PrimFunc:
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name("f")
            body()
    return ib.get()


def both_paths(func: tir.PrimFunc, args: list[Any]) -> tuple[list[Any], dict[str, int]]:
    """Run on copies of `args` on both paths; assert the results have the same bits; return the
    vectorized run's arrays and its stats."""
    results = []
    stats = {}
    for vectorize in (True, False):
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        runner = TIRRunner(None, vectorize)
        runner.call(func, copies)
        results.append(copies)
        if vectorize:
            stats = dict(runner.stats)
    for x, y in zip(*results):
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), f"paths differ:\n{x}\n{y}"
    return results[0], stats


def matmul(n: int, m: int, k: int, dtype: str, acc: str | None = None) -> tir.PrimFunc:
    a = te.placeholder((n, k), dtype, "A")
    b = te.placeholder((k, m), dtype, "B")
    r = te.reduce_axis(k, "r")
    acc = acc or dtype
    c = te.compute((n, m), lambda i, j: te.sum(top.cast(acc, a[i, r]) * top.cast(acc, b[r, j]), axis=r), name="C")
    return te.create_prim_func([a, b, c])


rng = np.random.default_rng(5)


@pytest.mark.parametrize("dtype,acc", [("float32", None), ("float16", None), ("float16", "float32"),
                                       ("float64", None), ("int32", None), ("int8", "int32")])
def test_matmul_is_bit_identical_and_batched(dtype: str, acc: str | None) -> None:
    func = matmul(7, 5, 9, dtype, acc)
    if dtype.startswith("int"):
        a, b = rng.integers(-100, 100, (7, 9)).astype(dtype), rng.integers(-100, 100, (9, 5)).astype(dtype)
    else:
        a, b = rng.standard_normal((7, 9)).astype(dtype), rng.standard_normal((9, 5)).astype(dtype)
    out, stats = both_paths(func, [a, b, np.zeros((7, 5), acc or dtype)])
    assert stats == {"batched": 1}
    # sequential accumulation in the accumulator dtype, as the kernel defines it
    want = np.zeros((7, 5), acc or dtype)
    with np.errstate(over="ignore"):
        for r in range(9):
            want = want + a[:, r:r + 1].astype(acc or dtype) * b[r:r + 1, :].astype(acc or dtype)
    assert out[2].tobytes() == want.astype(acc or dtype).tobytes()


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "erf", "sqrt", "sin", "cos", "rsqrt", "exp2",
                                  "log1p", "atan"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_transcendentals_are_bit_identical(name: str, dtype: str) -> None:
    n = 1000
    a = te.placeholder((n,), dtype, "A")
    b = te.compute((n,), lambda i: top.MATH[name](a[i]) if name in top.MATH else getattr(top, name)(a[i]), name="B")
    func = te.create_prim_func([a, b])
    x = rng.uniform(0.01, 4.0, n).astype(dtype)
    x[:4] = [np.inf, 0.0, 1e-30, 80.0]
    out, stats = both_paths(func, [x, np.zeros(n, dtype)])
    assert stats == {"batched": 1}


def test_min_max_signed_zero_and_nan_are_bit_identical() -> None:
    vals = np.array([0.0, -0.0, np.nan, 1.0, -np.inf, np.inf], "float32")
    a = np.repeat(vals, 6)
    b = np.tile(vals, 6)
    for build in (top.min, top.max):
        A = te.placeholder((36,), "float32", "A")
        B = te.placeholder((36,), "float32", "B")
        C = te.compute((36,), lambda i, build=build, A=A, B=B: build(A[i], B[i]), name="C")
        both_paths(te.create_prim_func([A, B, C]), [a, b, np.zeros(36, "float32")])


def test_conv_with_padding_guards_is_batched() -> None:
    x = te.placeholder((1, 2, 6, 6), "float32", "x")
    w = te.placeholder((3, 2, 3, 3), "float32", "w")
    rc, ry, rx = te.reduce_axis(2, "rc"), te.reduce_axis(3, "ry"), te.reduce_axis(3, "rx")

    def body(n: Any, c: Any, h: Any, wi: Any) -> Any:
        hh, ww = h + ry.var - 1, wi + rx.var - 1
        inside = top.logical_and(top.logical_and(hh >= 0, hh < 6), top.logical_and(ww >= 0, ww < 6))
        return te.sum(top.if_then_else(inside, x[n, rc, hh, ww], T.float32(0)) * w[c, rc, ry, rx],
                      axis=[rc, ry, rx])

    y = te.compute((1, 3, 6, 6), body, name="y")
    xs, ws = rng.standard_normal((1, 2, 6, 6)).astype("float32"), rng.standard_normal((3, 2, 3, 3)).astype("float32")
    out, stats = both_paths(te.create_prim_func([x, w, y]), [xs, ws, np.zeros((1, 3, 6, 6), "float32")])
    assert stats == {"batched": 1}
    padded = np.pad(xs, ((0, 0), (0, 0), (1, 1), (1, 1)))
    want = np.zeros((1, 3, 6, 6), "float32")
    for c in range(3):
        for h in range(6):
            for wi in range(6):
                want[0, c, h, wi] = np.sum(padded[0, :, h:h + 3, wi:wi + 3] * ws[c])
    np.testing.assert_allclose(out[2], want, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------------
# when the fast path must not be taken
# ---------------------------------------------------------------------------------------------
def test_aliased_input_and_output_fall_back() -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((8,), "float32"))
        B = T.arg("B", T.Buffer((8,), "float32"))
        with T.serial(7) as i:
            B[i] = A[i + 1] * T.float32(2)
    func = prim(body)
    shared = np.arange(8, dtype="float32")
    runner = TIRRunner(None, True)
    runner.call(func, [shared, shared])  # one array as input and output: B[i] = A[i + 1] in order
    assert runner.stats == {"fallback": 1}
    want = np.arange(8, dtype="float32")
    for i in range(7):
        want[i] = want[i + 1] * 2
    np.testing.assert_array_equal(shared, want)


def test_colliding_stores_fall_back() -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((8,), "float32"))
        C = T.arg("C", T.Buffer((4,), "float32"))
        with T.serial(8) as i:
            C[top.floordiv(i, 2)] = C[top.floordiv(i, 2)] + A[i]
    a = np.arange(8, dtype="float32")
    out, stats = both_paths(prim(body), [a, np.zeros(4, "float32")])
    assert stats == {"fallback": 1}
    np.testing.assert_array_equal(out[1], a.reshape(4, 2).sum(1))


def test_data_dependent_scatter_is_batched_only_without_collisions() -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((4,), "float32"))
        idx = T.arg("idx", T.Buffer((4,), "int32"))
        C = T.arg("C", T.Buffer((6,), "float32"))
        with T.serial(4) as i:
            C[idx[i]] = C[idx[i]] + A[i]
    a = np.arange(1, 5, dtype="float32")
    out, stats = both_paths(prim(body), [a, np.array([5, 0, 2, 3], "int32"), np.zeros(6, "float32")])
    assert stats == {"batched": 1}
    np.testing.assert_array_equal(out[2], [2, 0, 3, 4, 0, 1])
    out, stats = both_paths(prim(body), [a, np.array([1, 1, 2, 1], "int32"), np.zeros(6, "float32")])
    assert stats == {"fallback": 1}
    np.testing.assert_array_equal(out[2], [0, 7, 3, 0, 0, 0])


def test_loop_carried_dependences_are_not_batched() -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((8,), "float32"))
        with T.serial(1, 8) as i:
            A[i] = A[i - 1] + A[i]
    a = np.arange(8, dtype="float32")
    out, stats = both_paths(prim(body), [a])
    assert stats == {}
    np.testing.assert_array_equal(out[0], np.cumsum(np.arange(8, dtype="float32")))


def test_triangular_loops_are_not_batched() -> None:
    def body() -> None:
        A = T.arg("A", T.Buffer((4, 4), "int32"))
        with T.serial(4) as i:
            with T.serial(i + 1) as j:
                A[i, j] = i * 10 + j
    out, stats = both_paths(prim(body), [np.zeros((4, 4), "int32")])
    assert stats.get("batched", 0) == 4  # the inner loop alone is batched, once per i
    np.testing.assert_array_equal(out[0], np.tril(np.arange(4)[:, None] * 10 + np.arange(4)))


# ---------------------------------------------------------------------------------------------
# random kernels
# ---------------------------------------------------------------------------------------------
N0, N1, NK = 4, 5, 3


def _index(draw: Any, loop_vars: list[tir.Var], extent: int) -> Any:
    coeffs = [draw(st.integers(-3, 3)) for _ in loop_vars]
    expr: Any = T.int32(draw(st.integers(-5, 5)))
    for c, v in zip(coeffs, loop_vars):
        expr = expr + v * c
    return top.floormod(expr, extent)


def _value(draw: Any, depth: int, bufs: dict[str, tir.Buffer], loop_vars: list[tir.Var], dtype: str) -> Any:
    if depth == 0 or draw(st.booleans()):
        if draw(st.integers(0, 3)) == 0:
            return T.float32(draw(st.floats(-3, 3, width=32))) if dtype == "float32" else T.int32(
                draw(st.integers(-50, 50)))
        buf = bufs[draw(st.sampled_from(sorted(bufs)))]
        return top.cast(dtype, buf[tuple(_index(draw, loop_vars, d.value) for d in buf.shape)])
    a = _value(draw, depth - 1, bufs, loop_vars, dtype)
    b = _value(draw, depth - 1, bufs, loop_vars, dtype)
    kinds = ["add", "sub", "mul", "min", "max", "select", "ite", "div", "mod"]
    if dtype == "float32":
        kinds += ["exp", "tanh", "sqrt", "f16"]
    kind = draw(st.sampled_from(kinds))
    if kind in ("add", "sub", "mul"):
        return {"add": a + b, "sub": a - b, "mul": a * b}[kind]
    if kind in ("min", "max"):
        return (top.min if kind == "min" else top.max)(a, b)
    if kind == "select":
        return tir.Select(a < b, a, b)
    if kind == "ite":
        return top.if_then_else(b > a, a * b, b)
    if kind in ("div", "mod"):
        d = b * b + (T.float32(1) if dtype == "float32" else T.int32(1))
        if dtype == "float32":
            return a / d if kind == "div" else top.floormod(a, d)
        return top.floordiv(a, d) if kind == "div" else top.truncmod(a, d)
    if kind == "exp":
        return top.exp(top.min(a, T.float32(10)))
    if kind == "tanh":
        return top.tanh(a)
    if kind == "sqrt":
        return top.sqrt(top.fabs(a) if hasattr(top, "fabs") else top.MATH["fabs"](a))
    return top.cast("float32", top.cast("float16", a))


@st.composite
def random_kernels(draw: Any) -> tuple[tir.PrimFunc, list[np.ndarray]]:
    dtype = draw(st.sampled_from(["float32", "int32"]))
    reduce = draw(st.booleans())
    depth = draw(st.integers(1, 3))

    def body() -> None:
        A = T.arg("A", T.Buffer((N0, N1), dtype))
        B = T.arg("B", T.Buffer((N1,), "float32"))
        C = T.arg("C", T.Buffer((N0, N1), dtype))
        bufs = {"A": A, "B": B}
        extents = (N0, N1, NK) if reduce else (N0, N1)
        with T.grid(*extents) as loops:
            with T.block("k"):
                vi = T.axis.spatial(N0, loops[0])
                vj = T.axis.spatial(N1, loops[1])
                axes = [vi, vj]
                if reduce:
                    axes.append(T.axis.reduce(NK, loops[2]))
                value = _value(draw, depth, bufs, axes, dtype)
                if reduce:
                    with T.init():
                        C[vi, vj] = top.cast(dtype, 0)
                    C[vi, vj] = C[vi, vj] + value
                else:
                    C[vi, vj] = value

    func = prim(body)
    r = np.random.default_rng(draw(st.integers(0, 2**31)))
    a = (r.standard_normal((N0, N1)) * 3).astype(dtype) if dtype == "float32" else r.integers(
        -1000, 1000, (N0, N1)).astype(dtype)
    return func, [a, r.standard_normal(N1).astype("float32"), np.zeros((N0, N1), dtype)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_kernels())
def test_random_kernels_are_bit_identical(kernel: tuple[tir.PrimFunc, list[np.ndarray]]) -> None:
    func, args = kernel
    _, stats = both_paths(func, args)
    assert stats == {"batched": 1}


def test_self_overlapping_views_fall_back() -> None:
    def body() -> None:
        O = T.arg("O", T.Buffer((5,), "int32"))
        with T.allocate((5,), "int32", "global") as ptr:
            with T.decl_buffer((3, 3), "int32", data=ptr, strides=[1, 1]) as diag:   # (i, j) -> i + j
                with T.grid(3, 3) as (i, j):
                    diag[i, j] = diag[i, j] + 1
                with T.decl_buffer((5,), "int32", data=ptr) as flat:
                    with T.serial(5) as k:
                        O[k] = flat[k]
    out, stats = both_paths(prim(body), [np.zeros(5, "int32")])
    assert stats["fallback"] == 4  # the (i, j) nest, then the j loop for each i
    np.testing.assert_array_equal(out[0], [1, 2, 3, 2, 1])
