"""Metaprogramming in decorated Python: closure values (sizes, dtypes, helper functions),
`T.meta_var`, `@T.macro` / `@R.macro` with hygiene, parse-time loops and conditions."""

from __future__ import annotations

import pytest

import irscript
from irscript.errors import ScriptError
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import relax as RB
from irscript.irbuilder import tir as TB
from irscript.relax import TensorStructInfo
from irscript.relax import op as rop
from irscript.script import relax as R
from irscript.script import tir as T
from irscript.testing.diagnostics import parse_text

name = IRBuilder.name


def built(fn):
    with IRBuilder() as ib:
        fn()
    return ib.get()


def expected_scale(n, dtype, factor):
    def make():
        with TB.prim_func():
            TB.func_name("scale")
            A = TB.arg("A", TB.Buffer((n,), dtype))
            with TB.serial(n) as i:
                A[i] = A[i] * TB.__dict__[dtype](factor)

    return built(make)


@pytest.mark.parametrize("n,dtype", [(8, "float32"), (16, "float16")])
def test_closure_sizes_dtypes_and_helper_functions(n, dtype):
    def factor():
        return 3.0

    def typed(value):
        return getattr(T, dtype)(value)

    @T.prim_func
    def scale(A: T.Buffer((n,), dtype)):
        for i in range(n):
            A[i] = A[i] * typed(factor())

    irscript.assert_structural_equal(scale, expected_scale(n, dtype, 3.0))


def test_meta_var_python_loops_and_static_conditions():
    sizes = [2, 4]
    use_bias = False

    @T.prim_func
    def f(A: T.Buffer((8,), "float32")):
        offsets = T.meta_var([0, 4])
        for k in [0, 1]:
            for i in range(sizes[k]):
                A[offsets[k] + i] = T.float32(k)
        if use_bias:
            A[0] = A[0] + T.float32(1.0)
        else:
            A[7] = T.float32(9.0)
        assert len(sizes) == 2, "two pieces"

    def make():
        with TB.prim_func():
            TB.func_name("f")
            A = TB.arg("A", TB.Buffer((8,), "float32"))
            for k in (0, 1):
                with TB.serial(sizes[k]) as i:
                    A[[0, 4][k] + i] = TB.float32(k)
            A[7] = TB.float32(9)

    irscript.assert_structural_equal(f, built(make))


def test_tir_macro_is_hygienic_and_returns_a_value():
    @T.macro
    def clamp_store(buf, idx, value):
        tmp = T.max(value, T.float32(0.0))
        buf[idx] = tmp
        return idx + 1

    @T.prim_func
    def f(A: T.Buffer((4,), "float32"), tmp: T.float32):
        nxt = T.meta_var(clamp_store(A, 0, tmp))
        A[nxt] = tmp

    def make():
        with TB.prim_func():
            TB.func_name("f")
            A = TB.arg("A", TB.Buffer((4,), "float32"))
            t = TB.arg("tmp", TB.float32())
            from irscript.tir import op

            with TB.LetStmt(op.max(t, TB.float32(0))) as inner:
                A[0] = inner
            A[1] = t

    # the macro's `tmp` (a LetStmt) neither sees nor replaces the caller's `tmp` parameter
    irscript.assert_structural_equal(f, built(make))


def test_hygienic_macro_does_not_see_caller_names_but_unhygienic_does():
    @T.macro
    def store_x(buf):
        buf[0] = x  # noqa: F821  (a caller name: not visible to a hygienic macro)

    @T.macro(hygienic=False)
    def store_x_open(buf):
        buf[0] = x  # noqa: F821

    with pytest.raises(ScriptError, match="unknown name `x`"):
        @T.prim_func
        def f(A: T.Buffer((4,), "float32"), x: T.float32):
            store_x(A)

    @T.prim_func
    def g(A: T.Buffer((4,), "float32"), x: T.float32):
        store_x_open(A)

    assert g.body.value.name_hint == "x"


def test_relax_macro_and_python_loop():
    @R.macro
    def double(v):
        w = R.add(v, v)
        return w

    @R.function
    def f(x: R.Tensor((4,), "float32")):
        y = x
        for _ in range(2):
            y = double(y)
        return y

    def make():
        with RB.function():
            RB.func_name("f")
            x = RB.arg("x", TensorStructInfo((4,), "float32"))
            y = name("y", RB.emit(x))
            for _ in range(2):
                w = name("w", RB.emit(rop.add(y, y)))
                y = name("y", RB.emit(w))
            RB.func_ret_value(y)

    irscript.assert_structural_equal(f, built(make))


def test_macro_misuse():
    @T.macro
    def m(buf):
        buf[0] = T.float32(0.0)

    with pytest.raises(ScriptError, match="the T.macro `m` cannot be used in a Relax function"):
        @R.function
        def f(x: R.Tensor((4,), "float32")):
            m(x)
            return x

    with pytest.raises(ScriptError, match=r"m\(\): missing a required argument: 'buf'"):
        @T.prim_func
        def g(A: T.Buffer((4,), "float32")):
            m()

    with pytest.raises(TypeError, match="can only be called inside a script function"):
        m(None)


def test_builtins_available_to_python_and_text():
    @T.prim_func
    def f(A: T.Buffer((8,), "float32")):
        for i, s in enumerate([1, 2]):
            A[i] = T.float32(float(max(s, len([0, 0, 0]))))

    assert f.body.seq[1].value.value == 3.0
    g = parse_text("""
        @T.prim_func
        def g(A: T.Buffer((8,), "float32")):
            A[0] = T.float32(float(min(int(2.7), len([1, 2, 3]))))
    """)
    assert g.body.value.value == 2.0


def test_errors_in_helper_functions_keep_their_cause():
    def helper(x):
        return x / 0

    with pytest.raises(ScriptError, match="helper: division by zero") as info:
        @T.prim_func
        def f(A: T.Buffer((4,), "float32")):
            A[0] = T.float32(helper(1))

    assert isinstance(info.value.__cause__, ZeroDivisionError)
