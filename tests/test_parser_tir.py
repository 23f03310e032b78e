"""The T dialect: every tensor-level construct of LANGUAGE.md parsed from text, compared with
the same IR built by the IRBuilder."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import irscript
from irscript import tir
from irscript.ir import Range
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as T
from irscript.testing.builder_models import tir_kitchen_sink_module
from irscript.testing.diagnostics import assert_diag, parse_text
from irscript.tir import op

name = IRBuilder.name


def prim(body, fname="f", private=False, ret=None):
    """A PrimFunc built with the IRBuilder: `body()` adds params and statements."""
    with IRBuilder() as ib:
        with T.prim_func(private=private):
            T.func_name(fname)
            if ret is not None:
                T.func_ret(ret)
            body()
    return ib.get()


def check(src, expected):
    irscript.assert_structural_equal(parse_text(src), expected)


def buf(pname, shape, dtype="float32", **kw):
    return T.arg(pname, T.Buffer(shape, dtype, **kw))


# ---------------------------------------------------------------------------------------------
# types and signatures


def test_scalar_params_of_every_dtype_and_handle():
    names = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
             "float64", "bfloat16", "bool"]
    params = ", ".join(f"p_{n}: T.{n}" for n in names)

    def body():
        for n in names:
            T.arg(f"p_{n}", getattr(T, n)())
        T.arg("h", T.handle())
        T.arg("s", T.int32(is_size_var=True))
        T.evaluate(0)

    check(f"""
        @T.prim_func
        def f({params}, h: T.handle, s: T.int32(is_size_var=True)):
            T.evaluate(0)
    """, prim(body))


def test_constants_and_vector_dtypes():
    def body():
        A = buf("A", (4,), "float32x4")
        A[0] = T.float32x4(T.float32(1))
        T.evaluate(T.int64(4) + T.int64(1))
        T.evaluate(T.float16(1.5))
        T.evaluate(T.bool(True))
        T.evaluate(T.uint8(3))

    check("""
        @T.prim_func
        def f(A: T.Buffer((4,), "float32x4")):
            A[0] = T.float32x4(T.float32(1.0))
            T.evaluate(T.int64(4) + T.int64(1))
            T.evaluate(T.float16(1.5))
            T.evaluate(T.bool(True))
            T.evaluate(T.uint8(3))
    """, prim(body))


def test_buffer_param_options():
    def body():
        buf("A", (16, 16), "float16", scope="shared", strides=(16, 1), elem_offset=0, align=64, offset_factor=1,
            axis_separators=[1])
        T.evaluate(0)

    check("""
        @T.prim_func
        def f(A: T.Buffer((16, 16), "float16", scope="shared", strides=(16, 1), elem_offset=0, align=64,
                          offset_factor=1, axis_separators=[1])):
            T.evaluate(0)
    """, prim(body))


def test_match_buffer_symbolic_shape_func_attr_and_scalar_param():
    def body():
        T.func_attr({"tir.noalias": True, "note": "x"})
        a = T.arg("a", T.handle())
        k = T.arg("k", T.int32())
        n = name("n", T.int64())
        A = name("A", T.match_buffer(a, (n, k * 2), "float16"))
        A[0, 0] = T.float16(0)

    check("""
        @T.prim_func
        def f(a: T.handle, k: T.int32):
            T.func_attr({"tir.noalias": True, "note": "x"})
            n = T.int64()
            A = T.match_buffer(a, (n, k * 2), "float16")
            A[0, 0] = T.float16(0.0)
    """, prim(body))


def test_private_and_return_value():
    def body():
        a = T.arg("a", T.int32())
        T.evaluate(op.ret(a + 1))

    check("""
        @T.prim_func(private=True)
        def g(a: T.int32) -> T.int32:
            return a + 1
    """, prim(body, "g", private=True, ret="int32"))


# ---------------------------------------------------------------------------------------------
# loops


def test_loop_kinds_and_annotations():
    def body():
        A = buf("A", (16,))
        with T.serial(0, 16) as i:
            A[i] = T.float32(0)
        with T.serial(2, 8, annotations={"pragma_unroll": 1}) as i:
            A[i] = T.float32(1)
        with T.parallel(16) as i:
            A[i] = T.float32(2)
        with T.vectorized(4) as i:
            A[i] = T.float32(3)
        with T.unroll(4) as i:
            A[i] = T.float32(4)
        with T.thread_binding(0, 16, thread="blockIdx.x") as bx:
            A[bx] = T.float32(5)
        with T.grid(4, 2, 2) as (i, j, k):
            A[i * 4 + j * 2 + k] = T.float32(6)

    check("""
        @T.prim_func
        def f(A: T.Buffer((16,), "float32")):
            for i in range(16):
                A[i] = T.float32(0.0)
            for i in T.serial(2, 8, annotations={"pragma_unroll": 1}):
                A[i] = T.float32(1.0)
            for i in T.parallel(16):
                A[i] = T.float32(2.0)
            for i in T.vectorized(4):
                A[i] = T.float32(3.0)
            for i in T.unroll(4):
                A[i] = T.float32(4.0)
            for bx in T.thread_binding(0, 16, thread="blockIdx.x"):
                A[bx] = T.float32(5.0)
            for i, j, k in T.grid(4, 2, 2):
                A[i * 4 + j * 2 + k] = T.float32(6.0)
    """, prim(body))


def test_range_with_two_bounds_and_symbolic_extent():
    def body():
        n = T.arg("n", T.int32())
        A = buf("A", (16,))
        with T.serial(1, n) as i:
            A[i] = A[i - 1]

    check("""
        @T.prim_func
        def f(n: T.int32, A: T.Buffer((16,), "float32")):
            for i in range(1, n):
                A[i] = A[i - 1]
    """, prim(body))


def test_while_loop():
    def body():
        A = buf("A", (4,), "int32")
        with T.While(A[0] < 10):
            A[0] = A[0] + 1

    check("""
        @T.prim_func
        def f(A: T.Buffer((4,), "int32")):
            while A[0] < 10:
                A[0] = A[0] + 1
    """, prim(body))


# ---------------------------------------------------------------------------------------------
# blocks


def _matmul_body(root_alloc: bool):
    def body():
        A = buf("A", (16, 16))
        B = buf("B", (16, 16))
        C = buf("C", (16, 16))
        if root_alloc:
            D = name("D", T.alloc_buffer((16,), "float32", scope="local"))
        with T.grid(16, 16, 16) as (i, j, k):
            with T.block("matmul"):
                vi, vj, vk = (name(n, v) for n, v in zip(("vi", "vj", "vk"), T.axis.remap("SSR", [i, j, k])))
                T.reads(A[vi, vk], B[vk, vj])
                T.writes(C[vi, vj])
                T.block_attr({"meta_schedule.tiling": "SSRSRS"})
                with T.init():
                    C[vi, vj] = T.float32(0)
                C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
        if root_alloc:
            D[0] = C[0, 0]

    return body


MATMUL = """
    @T.prim_func
    def f(A: T.Buffer((16, 16), "float32"), B: T.Buffer((16, 16), "float32"), C: T.Buffer((16, 16), "float32")):
        {alloc}
        for i, j, k in T.grid(16, 16, 16):
            with T.{block}("matmul"):
                vi, vj, vk = T.axis.remap("SSR", [i, j, k])
                T.reads(A[vi, vk], B[vk, vj])
                T.writes(C[vi, vj])
                T.{block_attr}({{"meta_schedule.tiling": "SSRSRS"}})
                with T.init():
                    C[vi, vj] = T.float32(0.0)
                C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
        {tail}
"""


@pytest.mark.parametrize("alias", [False, True])
def test_block_with_remap_reads_writes_init_attr(alias):
    words = dict(block="sblock", block_attr="sblock_attr") if alias else dict(block="block", block_attr="block_attr")
    check(MATMUL.format(alloc="# with T.block(\"root\"):", tail="", **words), prim(_matmul_body(False)))


@pytest.mark.parametrize("alloc", ["alloc_buffer", "sblock_alloc_buffer"])
def test_root_alloc_buffer_makes_the_implicit_root_block(alloc):
    text = MATMUL.format(alloc=f'D = T.{alloc}((16,), scope="local")', tail="D[0] = C[0, 0]", block="block",
                         block_attr="block_attr")
    check(text, prim(_matmul_body(True)))


def test_block_axes_where_match_buffer_alloc_and_opaque():
    def body():
        A = buf("A", (16, 16))
        B = buf("B", (16,))
        with T.grid(4, 4) as (i, j):
            with T.block("b"):
                vi = name("vi", T.axis.spatial((0, 16), i * 4))
                vj = name("vj", T.axis.reduce(Range(tir.IntImm("int32", 0), tir.IntImm("int32", 4)), j))
                vs = name("vs", T.axis.scan(4, i, dtype="int64"))
                vo = name("vo", T.axis.opaque(4, j))
                T.where(i < 3)
                sub = name("sub", T.match_buffer(A[vi, 0:4], (4,), "float32"))
                tmp = name("tmp", T.alloc_buffer((1,), "float32"))
                tmp[0] = sub[vj] + T.float32(1)
                B[vi] = tmp[0] + tir.Cast("float32", vs) + tir.Cast("float32", vo)
        with T.block("nr", no_realize=True):
            B[0] = B[1]

    check("""
        @T.prim_func
        def f(A: T.Buffer((16, 16), "float32"), B: T.Buffer((16,), "float32")):
            for i, j in T.grid(4, 4):
                with T.block("b"):
                    vi = T.axis.spatial((0, 16), i * 4)
                    vj = T.axis.reduce(4, j)
                    vs = T.axis.scan(4, i, dtype="int64")
                    vo = T.axis.opaque(4, j)
                    T.where(i < 3)
                    sub = T.match_buffer(A[vi, 0:4], (4,))
                    tmp = T.alloc_buffer((1,))
                    tmp[0] = sub[vj] + T.float32(1.0)
                    B[vi] = tmp[0] + T.Cast("float32", vs) + T.Cast("float32", vo)
            with T.block("nr", no_realize=True):
                B[0] = B[1]
    """, prim(body))


# ---------------------------------------------------------------------------------------------
# statements


def test_if_else_and_elif():
    def body():
        n = T.arg("n", T.int32())
        A = buf("A", (4,))
        with T.If(n > 0):
            with T.Then():
                A[0] = T.float32(1)
            with T.Else():
                with T.If(n < -5):
                    with T.Then():
                        A[1] = T.float32(2)
                    with T.Else():
                        A[2] = T.float32(3)
        with T.If(n == 3):
            with T.Then():
                A[3] = T.float32(4)

    check("""
        @T.prim_func
        def f(n: T.int32, A: T.Buffer((4,), "float32")):
            if n > 0:
                A[0] = T.float32(1.0)
            elif n < -5:
                A[1] = T.float32(2.0)
            else:
                A[2] = T.float32(3.0)
            if n == 3:
                A[3] = T.float32(4.0)
    """, prim(body))


def _let_body(annotated: bool):
    def body():
        n = T.arg("n", T.int32())
        A = buf("A", (4,), "int32")
        with T.LetStmt(n * 2, "int32" if annotated else None) as x:
            name("x", x)
            A[0] = x
            A[1] = x + 1

    return body


def test_let_forms():
    src = """
        @T.prim_func
        def f(n: T.int32, A: T.Buffer((4,), "int32")):
            {let}
            A[0] = x
            A[1] = x + 1
    """
    expected = prim(_let_body(True))
    check(src.format(let="x: T.int32 = n * 2"), expected)
    check(src.format(let="x = n * 2"), expected)
    check("""
        @T.prim_func
        def f(n: T.int32, A: T.Buffer((4,), "int32")):
            with T.LetStmt(n * 2) as x:
                A[0] = x
                A[1] = x + 1
    """, expected)


def test_let_expression():
    def body():
        n = T.arg("n", T.int32())
        w = name("w", T.int32())
        T.evaluate(T.let(w, 1, w + n))

    check("""
        @T.prim_func
        def f(n: T.int32):
            w = T.int32()
            T.evaluate(T.let(w, 1, w + n))
    """, prim(body))


def test_assert_statement_and_frame():
    def body():
        n = T.arg("n", T.int32())
        A = buf("A", (4,), "int32")
        with T.Assert(n > 0, "n must be positive"):
            with T.Assert(n < 100, "small"):
                A[0] = n
        with T.Assert(n != 7, ""):
            A[1] = n
            A[2] = n

    check("""
        @T.prim_func
        def f(n: T.int32, A: T.Buffer((4,), "int32")):
            with T.Assert(n > 0, "n must be positive"):
                assert n < 100, "small"
                A[0] = n
            assert n != 7
            A[1] = n
            A[2] = n
    """, prim(body))


def test_allocate_decl_buffer_attr_and_threads():
    def body():
        A = buf("A", (16,))
        with T.allocate((16,), "float32", "shared") as ptr:
            with T.decl_buffer((16,), "float32", data=ptr) as S:
                S[0] = A[0]
                with T.decl_buffer((4,), "int32", scope="local") as L:
                    L[0] = 1
                    tx = name("tx", T.env_thread("threadIdx.x"))
                    with T.launch_thread(tx, 16):
                        with T.launch_thread("blockIdx.x", 2) as bx:
                            with T.attr(A.data, "storage_alignment", 16):
                                A[tx] = S[bx]

    check("""
        @T.prim_func
        def f(A: T.Buffer((16,), "float32")):
            ptr = T.allocate([16], "float32", "shared")
            S = T.decl_buffer((16,), data=ptr)
            S[0] = A[0]
            L = T.decl_buffer((4,), "int32", scope="local")
            L[0] = 1
            tx = T.env_thread("threadIdx.x")
            T.launch_thread(tx, 16)
            bx = T.launch_thread("blockIdx.x", 2)
            T.attr(A.data, "storage_alignment", 16)
            A[tx] = S[bx]
    """, prim(body))


def test_vector_stores_loads_and_aug_assign():
    def body():
        A = buf("A", (16,))
        A[0:4] = tir.Broadcast(T.float32(1), 4)
        A[4:8] = A[tir.Ramp(T.int32(0), T.int32(1), 4)]
        A[8] = A[8] + T.float32(2)
        A[9] = A[9] * A[8]

    check("""
        @T.prim_func
        def f(A: T.Buffer((16,), "float32")):
            A[0:4] = T.Broadcast(T.float32(1.0), 4)
            A[4:8] = A[T.Ramp(0, 1, 4)]
            A[8] += T.float32(2.0)
            A[9] *= A[8]
    """, prim(body))


def test_evaluate_extern_packed_address_of():
    def body():
        A = buf("A", (4,))
        T.evaluate(op.call_extern("int32", "printf", tir.StringImm("%f"), A[0]))
        T.evaluate(op.call_packed("my.func", op.address_of(A[1]), 3))
        T.evaluate(op.call_pure_extern("float32", "expf", A[2]))
        T.evaluate(0)

    check("""
        @T.prim_func
        def f(A: T.Buffer((4,), "float32")):
            T.evaluate(T.call_extern("int32", "printf", "%f", A[0]))
            T.call_packed("my.func", T.address_of(A[1]), 3)
            T.evaluate(T.call_pure_extern("float32", "expf", A[2]))
            T.evaluate(0)
    """, prim(body))


# ---------------------------------------------------------------------------------------------
# expressions


def test_arithmetic_comparison_and_logic_operators():
    def body():
        a = T.arg("a", T.int32())
        b = T.arg("b", T.int32())
        x = T.arg("x", T.float32())
        A = buf("A", (16,), "int32")
        B = buf("B", (16,), "bool")
        C = buf("C", (4,), "float32")
        A[0] = a + b - a * b
        A[1] = op.floordiv(a, b) + op.floormod(a, b)
        A[2] = op.truncdiv(a, b) + op.truncmod(a, b)
        A[3] = op.bitwise_and(a, b) + op.bitwise_or(a, b) + op.bitwise_xor(a, b)
        A[4] = op.shift_left(a, 1) + op.shift_right(a, 1) + op.bitwise_not(a)
        A[5] = op.neg(a) + op.min(a, b) + op.max(a, b) + op.ceildiv(a, b)
        B[0] = op.logical_and(a < b, op.logical_or(a <= b, op.logical_not(a > b)))
        B[1] = op.logical_and(op.equal(a, b), op.not_equal(a, b), a >= b)
        B[2] = op.less(0, a)
        C[0] = x / T.float32(2) + op.power(x, T.float32(2))
        C[1] = op.abs(x) + op.exp(x) + op.log(x) + op.sqrt(x) + op.rsqrt(x) + op.tanh(x)
        C[2] = op.sigmoid(x) + op.erf(x) + op.MATH["pow"](x, x) + op.floor(x) + op.ceil(x) + op.MATH["round"](x)
        C[3] = op.cast("float32", a) + tir.Cast("float32", b)

    check("""
        @T.prim_func
        def f(a: T.int32, b: T.int32, x: T.float32, A: T.Buffer((16,), "int32"), B: T.Buffer((16,), "bool"),
              C: T.Buffer((4,), "float32")):
            A[0] = a + b - a * b
            A[1] = a // b + a % b
            A[2] = T.truncdiv(a, b) + T.truncmod(a, b)
            A[3] = (a & b) + (a | b) + (a ^ b)
            A[4] = (a << 1) + (a >> 1) + ~a
            A[5] = -a + T.min(a, b) + T.max(a, b) + T.ceildiv(a, b)
            B[0] = a < b and (a <= b or not a > b)
            B[1] = a == b and a != b and a >= b
            B[2] = 0 < a
            C[0] = x / T.float32(2.0) + x ** T.float32(2.0)
            C[1] = T.abs(x) + T.exp(x) + T.log(x) + T.sqrt(x) + T.rsqrt(x) + T.tanh(x)
            C[2] = T.sigmoid(x) + T.erf(x) + T.pow(x, x) + T.floor(x) + T.ceil(x) + T.round(x)
            C[3] = T.cast(a, "float32") + T.Cast("float32", b)
    """, prim(body))


def test_select_if_then_else_likely_and_limits():
    def body():
        a = T.arg("a", T.int32())
        A = buf("A", (4,), "int32")
        B = buf("B", (4,), "float32")
        A[0] = tir.Select(a > 0, a, 0)
        A[1] = op.if_then_else(op.likely(a < 4), a, 1)
        A[2] = op.max_value("int32") - op.min_value("int32")
        B[0] = op.max_value("float32")

    check("""
        @T.prim_func
        def f(a: T.int32, A: T.Buffer((4,), "int32"), B: T.Buffer((4,), "float32")):
            A[0] = T.Select(a > 0, a, 0)
            A[1] = T.if_then_else(T.likely(a < 4), a, 1)
            A[2] = T.max_value("int32") - T.min_value("int32")
            B[0] = T.max_value("float32")
    """, prim(body))


def test_comm_reducer_with_lambda():
    def body():
        A = buf("A", (4,))
        lhs, rhs = tir.Var("x", "float32"), tir.Var("y", "float32")
        reducer = tir.CommReducer((lhs,), (rhs,), (op.max(lhs, rhs),), (op.min_value("float32"),))
        with T.attr(reducer, "reduce_scope", op.reinterpret("handle", T.uint64(0))):
            A[0] = T.float32(0)

    check("""
        @T.prim_func
        def f(A: T.Buffer((4,), "float32")):
            with T.attr(T.comm_reducer(lambda x, y: T.max(x, y), [T.min_value("float32")]), "reduce_scope",
                        T.reinterpret("handle", T.uint64(0))):
                A[0] = T.float32(0.0)
    """, prim(body))


def test_kitchen_sink_module_text():
    check("""
        # from irscript.script import ir as I, tir as T

        @I.ir_module
        class Module:
            I.module_attrs({"kind": "tir kitchen sink"})

            @T.prim_func
            def loops(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32"), n: T.int32,
                      m: T.int32(is_size_var=True)):
                for i in range(16):
                    B[i] = A[i] + T.float32(1.0)
                for i in T.parallel(0, 16, annotations={"pragma": "p"}):
                    B[i] = T.Cast("float32", i) * A[i]
                for i in T.vectorized(4):
                    B[i] = A[i] - A[i]
                for i in T.unroll(2, 6):
                    B[i] = A[i] / T.float32(2.0)
                for tx in T.thread_binding(16, thread="threadIdx.x"):
                    B[tx] = T.min(T.max(A[tx], T.float32(0.0)), T.float32(6.0))
                for i, j in T.grid(4, 4):
                    B[i * 4 + j] = A[(i * 4 + j) // 2 + j % 2 + T.truncmod(i, 2)]
                with T.decl_buffer((1,), "int32", scope="local") as cnt:
                    cnt[0] = 0
                    while cnt[0] < 16 and not cnt[0] == m:
                        cnt[0] = cnt[0] + 1
                if n > 0 or m != n:
                    B[0] = T.Select(n <= m, A[0], A[1])
                else:
                    B[0] = T.if_then_else(n >= 3, A[2], T.float32(0.0))
                with T.LetStmt(n * 2) as v:
                    with T.Assert(v >= 0, "v must be non-negative"):
                        B[1] = T.Cast("float32", T.truncdiv(v, 3))
                with T.allocate([16], "float32", "global") as ptr:
                    with T.decl_buffer((16,), data=ptr) as C:
                        C[0] = A[0]
                        B[2] = C[0]
                B[0:4] = T.Broadcast(T.float32(1.0), 4)
                B[4:8] = A[T.Ramp(0, 1, 4)]
                w = T.int32()
                B[8] = T.Cast("float32", T.let(w, 1, w + n))
                with T.attr(T.comm_reducer(lambda x, y: x + y, [T.float32(0.0)]), "reduce_scope",
                            T.reinterpret("handle", T.uint64(0))):
                    T.evaluate(T.call_extern("int32", "printf", "%f", A[0]))
                tx = T.env_thread("threadIdx.x")
                with T.launch_thread(tx, 16):
                    B[tx] = A[tx]
                bx = T.launch_thread("blockIdx.x", 1)
                B[bx] = A[bx]

            @T.prim_func
            def blocks(a: T.handle, b: T.handle):
                T.func_attr({"tir.noalias": True})
                A = T.match_buffer(a, (16, 16))
                B = T.match_buffer(b, (16,), offset_factor=1)
                # with T.block("root"):
                scratch = T.alloc_buffer((16,))
                for i, j in T.grid(16, 16):
                    with T.block("reduce"):
                        vi = T.axis.spatial(16, i)
                        vj = T.axis.reduce((0, 16), j)
                        T.where(i * 16 + j < 256)
                        T.reads(A[vi, 0:16])
                        T.writes(scratch[vi])
                        T.block_attr({"schedule_rule": "none"})
                        with T.init():
                            scratch[vi] = T.float32(0.0)
                        local = T.alloc_buffer((1,), scope="local")
                        row = T.match_buffer(A[vi, 0:16], (16,))
                        local[0] = row[vj]
                        scratch[vi] = scratch[vi] + local[0]
                for i in range(16):
                    with T.block("scan"):
                        vs = T.axis.scan(16, i)
                        vo = T.axis.opaque(16, i)
                        B[vs] = scratch[vo]
                with T.block("no_realize", no_realize=True):
                    B[0] = B[0]
    """, tir_kitchen_sink_module())


def test_standalone_prim_func_names_and_global_symbol():
    f = parse_text("""
        @T.prim_func
        def scale(A: T.Buffer((4,), "float32")):
            A[0] = A[0] * T.float32(2.0)
    """)
    assert isinstance(f, tir.PrimFunc) and f.attrs["global_symbol"] == "scale"
    g = parse_text("""
        @T.prim_func(private=True)
        def scale(A: T.Buffer((4,), "float32")):
            A[0] = A[0]
    """)
    assert "global_symbol" not in g.attrs
    h = parse_text("""
        @T.prim_func
        def scale(A: T.Buffer((4,), "float32")):
            T.func_attr({"global_symbol": "other"})
            A[0] = A[0]
    """)
    assert h.attrs["global_symbol"] == "other"


def test_printer_special_forms():
    def body():
        A = buf("A", (8,))
        n = T.arg("n", T.int32())
        t = name("t", T.int32())
        A[0] = T.float32(0) + tir.Cast("float32", tir.Let(t, n, t * 2))
        iv = tir.IterVar(Range(T.int32(0), T.int32(4)), tir.Var("vt", "int32"), tir.IterVarType.THREAD_INDEX, "vthread")
        with T.attr(iv, "virtual_thread", 4):
            T.evaluate(tir.BufferLoad(A, (tir.Ramp(T.int32(0), T.int32(1), 4),), tir.Broadcast(tir.IntImm("bool", 1), 4)))
        with T.attr(A.data, "pragma", T.int32(1)):
            from irscript.irbuilder.tir_frame import add_to_parent
            from irscript.tir.stmt import BufferStore

            pred = tir.Broadcast(tir.IntImm("bool", 1), 4)
            add_to_parent(IRBuilder.current(), BufferStore(A, tir.Broadcast(T.float32(1), 4),
                                                           (tir.Ramp(T.int32(4), T.int32(1), 4),), pred), "store")
        T.evaluate(op.call_intrin("int32", "tir.assume", n > 0))

    check("""
        @T.prim_func
        def f(A: T.Buffer((8,), "float32"), n: T.int32):
            t = T.int32()
            A[0] = T.float32(0.0) + T.Cast("float32", T.Let(t * 2, where={t: n}))
            vt = T.int32()
            with T.attr(T.iter_var(vt, T.Range(0, 4), "ThreadIndex", "vthread"), "virtual_thread", 4):
                T.evaluate(T.BufferLoad(A, [T.Ramp(0, 1, 4)], T.Broadcast(T.bool(True), 4)))
            with T.attr(A.data, "pragma", 1):
                T.buffer_store(A, T.Broadcast(T.float32(1.0), 4), [T.Ramp(4, 1, 4)], T.Broadcast(T.bool(True), 4))
            T.evaluate(T.call_intrin("int32", "tir.assume", n > 0))
    """, prim(body))


# ---------------------------------------------------------------------------------------------
# TVM 0.25 spellings: each parses to the IR of the classic spelling
# ---------------------------------------------------------------------------------------------
_TVM_HEAD = '@T.prim_func\ndef f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32"), n: T.int32):\n'
TVM_SPELLINGS = {
    "assert": ('assert n >= 0, ("RuntimeError", ["n must be ", "non-", "negative"])\nB[0] = A[0]',
               'assert n >= 0, "n must be non-negative"\nB[0] = A[0]'),
    "assert_one_part": ('assert n >= 0, ("RuntimeError", "msg")', 'assert n >= 0, "msg"'),
    "attr_dict": ('with T.attr({"pragma_x": 1}):\n    B[0] = A[0]\nB[1] = A[1]',
                  'with T.attr(0, "pragma_x", 1):\n    B[0] = A[0]\nB[1] = A[1]'),
    "attr_dict_nested": ('with T.attr({"pragma_x": 1, "pragma_y": True}):\n    B[0] = A[0]',
                         'with T.attr(0, "pragma_x", 1):\n    with T.attr(0, "pragma_y", True):\n        B[0] = A[0]'),
    "alloc_local": ('buf = T.alloc_local((1,), "int32")\nbuf[0] = n\nB[0] = T.Cast("float32", buf[0])',
                    'with T.decl_buffer((1,), "int32", scope="local") as buf:\n    buf[0] = n\n'
                    '    B[0] = T.Cast("float32", buf[0])'),
    "alloc_shared": ('buf = T.alloc_shared((4,))\nbuf[0] = A[0]',
                     'with T.decl_buffer((4,), "float32", scope="shared") as buf:\n    buf[0] = A[0]'),
    "vector_const": ("B[4:8] = A[0:4]", "B[4:8] = A[T.Ramp(0, 1, 4)]"),
    "vector_symbolic": ("for i in range(4):\n    B[i * 4:i * 4 + 4] = A[i * 4:i * 4 + 4]",
                        "for i in range(4):\n    B[T.Ramp(i * 4, 1, 4)] = A[T.Ramp(i * 4, 1, 4)]"),
    "vector_one_lane": ("B[n:n + 1] = A[3:4]", "B[n] = A[3]"),
    "vector_in_ops": ("B[0:4] = T.exp(A[0:4]) + T.float32(2) * A[4:8]",
                      "B[0:4] = T.exp(A[T.Ramp(0, 1, 4)]) + T.float32(2) * A[T.Ramp(4, 1, 4)]"),
    "vector_aug_assign": ("B[0:4] += A[0:4]", "B[T.Ramp(0, 1, 4)] = B[T.Ramp(0, 1, 4)] + A[T.Ramp(0, 1, 4)]"),
    "vector_buffer_store": ("T.buffer_store(B, A[0:4], [T.Ramp(0, 1, 4)])", "B[0:4] = A[T.Ramp(0, 1, 4)]"),
}


def _tvm_form(body: str) -> str:
    return _TVM_HEAD + "".join(f"    {line}\n" for line in body.splitlines())


@pytest.mark.parametrize("label", list(TVM_SPELLINGS))
def test_tvm_025_spelling_parses_as_the_classic_one(label):
    tvm_text, classic = TVM_SPELLINGS[label]
    irscript.assert_structural_equal(irscript.parse(_tvm_form(classic)), irscript.parse(_tvm_form(tvm_text)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.integers(0, 3), offset=st.integers(0, 4), lanes=st.integers(1, 4))
def test_slice_reads_and_stores_are_ramps(scale, offset, lanes):
    base = f"i * {scale} + {offset}"
    sliced = f"for i in range(2):\n    B[{base}:{base} + {lanes}] = A[{base}:{base} + {lanes}]"
    index = base if lanes == 1 else f"T.Ramp({base}, 1, {lanes})"
    ramp = f"for i in range(2):\n    B[{index}] = A[{index}]"
    irscript.assert_structural_equal(irscript.parse(_tvm_form(ramp)), irscript.parse(_tvm_form(sliced)))


@pytest.mark.parametrize("body, message, col", [
    ("B[0:4] = A[0:n]", "a vector load slice needs constant bounds, like A[0:4]: the slice of 'A' from 0 has length n", 14),
    ("B[0:n] = A[0]", "a vector store slice needs constant bounds, like A[0:4]: the slice 0:n has length n", 5),
    ("B[0:4] = A[0:4] + A[4:n]", "the slice of 'A' from 4 has length n - 4", 14),
    ('assert n >= 0, ("ValueError", ["x"])', 'the error kind of an assert is "RuntimeError"', 21),
    ('assert n >= 0, ("RuntimeError", ["a", n])', "the message parts of an assert are strings", 37),
    ('assert n >= 0, ("RuntimeError", ["a"], 3)', "an assert message tuple is (kind, [parts...])", 20),
    ('with T.attr({}):\n    B[0] = A[0]', "T.attr({...}) needs at least one key", 10),
    ('with T.attr({"k": 1}, "k", 1):\n    B[0] = A[0]', "takes no other arguments", 10),
    ('buf = T.alloc_local((1,), "int32", 3)', "too many positional arguments", 11),
])
def test_tvm_025_spelling_errors_are_located(body, message, col):
    assert_diag(_tvm_form(body), message, 3, col)
