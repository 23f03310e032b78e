"""The TIR builder (`T`) against the same IR built by hand with node constructors."""

from __future__ import annotations

import pytest

import irscript
from irscript import tir
from irscript.ir.expr import Range
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import ir as I
from irscript.irbuilder import tir as T
from irscript.testing import check_json_roundtrip
from irscript.testing.builder_models import mlp_module, tir_kitchen_sink_module
from irscript.tir import op as top
from irscript.tir.expr import IterVarType
from irscript.tir.stmt import ForKind

name = IRBuilder.name
TRUE = tir.IntImm("bool", 1)


def i32(v: int) -> tir.IntImm:
    return tir.IntImm("int32", v)


def i64(v: int) -> tir.IntImm:
    return tir.IntImm("int64", v)


def f32(v: float) -> tir.FloatImm:
    return tir.FloatImm("float32", v)


def build(body) -> tir.PrimFunc:
    """Build a standalone prim_func named "f" whose body is made by `body()`."""
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name("f")
            body()
    func = ib.get()
    check_json_roundtrip(func)
    return func


def func_of(params, body, buffer_map=None, **attrs) -> tir.PrimFunc:
    return tir.PrimFunc(tuple(params), body, buffer_map=buffer_map or {}, attrs={"global_symbol": "f", **attrs})


def expected_one_buffer(body_of) -> tir.PrimFunc:
    """The expected function over one buffer param A of 16 floats, with body `body_of(A)`."""
    A = tir.Buffer(None, "float32", (16,), name="A")
    h = tir.Var("A_handle", "handle")
    return func_of((h,), body_of(A), {h: A})


# ---------------------------------------------------------------------------------------------
# functions, params, buffers
# ---------------------------------------------------------------------------------------------


def test_dense_kernel_matches_hand_built():
    a, b, c = (tir.Var(x, "handle") for x in "abc")
    n, k, m = (tir.Var(x, "int64") for x in "nkm")
    A = tir.Buffer(None, "float32", (n, k), name="A")
    B = tir.Buffer(None, "float32", (k, m), name="B")
    C = tir.Buffer(None, "float32", (n, m), name="C")
    i, j, kk = (tir.Var(x, "int64") for x in ("i", "j", "kk"))
    vi, vj, vk = (tir.Var(x, "int64") for x in ("vi", "vj", "vk"))

    def region(buf, *idx):
        return tir.BufferRegion(buf, tuple(Range(x, i64(1)) for x in idx))

    block = tir.Block(
        (
            tir.IterVar(Range(i64(0), n), vi, IterVarType.DATA_PAR),
            tir.IterVar(Range(i64(0), m), vj, IterVarType.DATA_PAR),
            tir.IterVar(Range(i64(0), k), vk, IterVarType.COMM_REDUCE),
        ),
        (region(A, vi, vk), region(B, vk, vj)),
        (region(C, vi, vj),),
        "dense",
        tir.BufferStore(C, tir.Add(C[vi, vj], tir.Mul(A[vi, vk], B[vk, vj])), (vi, vj)),
        tir.BufferStore(C, f32(0), (vi, vj)),
    )
    loops = tir.For(
        i, i64(0), n, ForKind.SERIAL,
        tir.For(j, i64(0), m, ForKind.SERIAL,
                tir.For(kk, i64(0), k, ForKind.SERIAL, tir.BlockRealize((i, j, kk), TRUE, block))),
    )
    root = tir.BlockRealize((), TRUE, tir.Block((), (), (), "root", loops))
    expected = tir.PrimFunc(
        (a, b, c), root, buffer_map={a: A, b: B, c: C}, attrs={"tir.noalias": True, "global_symbol": "dense"}
    )
    irscript.assert_structural_equal(mlp_module()["dense"], expected)


def test_bias_relu_kernel_matches_hand_built():
    a, b, c = (tir.Var(x, "handle") for x in "abc")
    n, m = tir.Var("n", "int64"), tir.Var("m", "int64")
    A = tir.Buffer(None, "float32", (n, m), name="A")
    B = tir.Buffer(None, "float32", (m,), name="B")
    C = tir.Buffer(None, "float32", (n, m), name="C")
    i, j, vi, vj = (tir.Var(x, "int64") for x in ("i", "j", "vi", "vj"))
    block = tir.Block(
        (tir.IterVar(Range(i64(0), n), vi), tir.IterVar(Range(i64(0), m), vj)),
        (tir.BufferRegion(A, (Range(vi, i64(1)), Range(vj, i64(1)))), tir.BufferRegion(B, (Range(vj, i64(1)),))),
        (tir.BufferRegion(C, (Range(vi, i64(1)), Range(vj, i64(1)))),),
        "bias_relu",
        tir.BufferStore(C, tir.Max(tir.Add(A[vi, vj], B[vj]), f32(0)), (vi, vj)),
    )
    body = tir.For(i, i64(0), n, ForKind.SERIAL, tir.For(j, i64(0), m, ForKind.SERIAL, tir.BlockRealize((i, j), TRUE, block)))
    expected = tir.PrimFunc(
        (a, b, c), tir.BlockRealize((), TRUE, tir.Block((), (), (), "root", body)),
        buffer_map={a: A, b: B, c: C}, attrs={"global_symbol": "bias_relu"},
    )
    irscript.assert_structural_equal(mlp_module()["bias_relu"], expected)


def test_buffer_param_and_scalar_params():
    def body():
        A = T.arg("A", T.Buffer((4, 4), "float16", scope="shared", align=16, axis_separators=[1]))
        n = T.arg("n", T.int32())
        s = T.arg("s", T.int64(is_size_var=True))
        A[0, 1] = top.cast("float16", n + top.cast("int32", s))

    built = build(body)
    A = tir.Buffer(None, "float16", (4, 4), name="A", data_alignment=16, axis_separators=(1,), scope="shared")
    h, n, s = tir.Var("A_handle", "handle"), tir.Var("n", "int32"), tir.SizeVar("s", "int64")
    expected = func_of((h, n, s), tir.BufferStore(A, tir.Cast("float16", n + tir.Cast("int32", s)), (i32(0), i32(1))), {h: A})
    irscript.assert_structural_equal(built, expected)
    assert [p.name_hint for p in built.params] == ["A_handle", "n", "s"]
    assert built.buffer_map[built.params[0]].name == "A"
    assert built.buffer_map[built.params[0]].scope() == "shared"


def test_match_buffer_symbolic_shape_and_strides():
    def body():
        a = T.arg("a", T.handle())
        n = name("n", T.int64())
        s0 = T.int64()
        A = name("A", T.match_buffer(a, (n, 8), "int8", strides=[s0, 1], offset_factor=4))
        A[n - 1, 0] = T.int8(3)

    built = build(body)
    buf = built.buffer_map[built.params[0]]
    assert buf.strides[0].name_hint == "A_s0"  # named with the buffer, as in TVM
    assert isinstance(buf.elem_offset, tir.Var) and buf.offset_factor == 4
    a = tir.Var("a", "handle")
    n, s0, off = tir.Var("n", "int64"), tir.Var("s", "int64"), tir.Var("elem_offset", "int64")
    A = tir.Buffer(None, "int8", (n, 8), (s0, 1), off, name="A", offset_factor=4)
    expected = func_of((a,), tir.BufferStore(A, tir.IntImm("int8", 3), (n - i64(1), i32(0))), {a: A})
    irscript.assert_structural_equal(built, expected)


def test_func_attrs_ret_and_private():
    with IRBuilder() as ib:
        with T.prim_func(private=True):
            T.func_name("g")
            T.func_attr({"tir.noalias": True})
            T.func_ret("int32")
            T.evaluate(top.ret(T.int32(7)))
    func = ib.get()
    assert func.attrs == {"tir.noalias": True} and func.is_private
    assert func.ret_type == "int32"
    assert isinstance(func.body, tir.Evaluate)


def test_unnamed_standalone_prim_func_has_no_global_symbol():
    with IRBuilder() as ib:
        with T.prim_func():
            T.evaluate(0)
    func = ib.get()
    irscript.assert_structural_equal(func, tir.PrimFunc((), tir.Evaluate(i32(0))))


def test_empty_body_is_evaluate_zero():
    irscript.assert_structural_equal(build(lambda: None), func_of((), tir.Evaluate(i32(0))))


# ---------------------------------------------------------------------------------------------
# loops
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loop", "kind"),
    [(T.serial, ForKind.SERIAL), (T.parallel, ForKind.PARALLEL), (T.vectorized, ForKind.VECTORIZED), (T.unroll, ForKind.UNROLLED)],
)
def test_simple_loops(loop, kind):
    def body():
        A = T.arg("A", T.Buffer((16,), "float32"))
        with loop(16) as i:
            A[i] = T.float32(1)
        with loop(2, 10, annotations={"k": 1}) as i:
            A[i] = A[i - 2]

    i, j = tir.Var("i"), tir.Var("j")

    def expected_body(A):
        return tir.SeqStmt((
            tir.For(i, i32(0), i32(16), kind, tir.BufferStore(A, f32(1), (i,))),
            tir.For(j, i32(2), i32(8), kind, tir.BufferStore(A, A[j - i32(2)], (j,)), annotations={"k": 1}),
        ))

    irscript.assert_structural_equal(build(body), expected_one_buffer(expected_body))


def test_loop_extent_with_symbolic_bounds_and_int64():
    def body():
        A = T.arg("A", T.Buffer((16,), "float32"))
        n = T.arg("n", T.int64())
        with T.serial(n) as i:
            A[i] = T.float32(0)
        with T.serial(n, n + 4) as i:
            A[i] = T.float32(1)
        with T.serial(1, n) as i:
            A[i] = T.float32(2)

    built = build(body)
    loops = built.body.seq
    assert loops[0].min.dtype == "int64" and loops[0].loop_var.dtype == "int64"
    n = built.params[1]
    assert loops[0].extent is n
    irscript.assert_structural_equal(loops[1].extent, i64(4))  # (n + 4) - n, as region extents simplify
    assert isinstance(loops[2].extent, tir.Sub)


def test_thread_binding_and_grid():
    def body():
        A = T.arg("A", T.Buffer((16,), "float32"))
        with T.thread_binding(0, 4, "blockIdx.x") as bx:
            with T.thread_binding(4, thread="threadIdx.x") as tx:
                A[bx * 4 + tx] = T.float32(0)
        with T.grid(2, T.int64(8)) as (i, j):
            A[i] = A[top.cast("int32", j)]
        with T.grid(3) as k:
            A[k] = T.float32(1)

    bx, tx, i, k = tir.Var("bx"), tir.Var("tx"), tir.Var("i"), tir.Var("k")
    j = tir.Var("j", "int64")

    def expected_body(A):
        def binding(tag):
            return tir.IterVar(None, tir.Var("iter"), IterVarType.THREAD_INDEX, tag)

        inner = tir.For(tx, i32(0), i32(4), ForKind.THREAD_BINDING, tir.BufferStore(A, f32(0), (bx * 4 + tx,)), binding("threadIdx.x"))
        return tir.SeqStmt((
            tir.For(bx, i32(0), i32(4), ForKind.THREAD_BINDING, inner, binding("blockIdx.x")),
            tir.For(i, i32(0), i32(2), ForKind.SERIAL,
                    tir.For(j, i64(0), i64(8), ForKind.SERIAL, tir.BufferStore(A, A[tir.Cast("int32", j)], (i,)))),
            tir.For(k, i32(0), i32(3), ForKind.SERIAL, tir.BufferStore(A, f32(1), (k,))),
        ))

    irscript.assert_structural_equal(build(body), expected_one_buffer(expected_body))


# ---------------------------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------------------------


def test_while_if_let_assert():
    def body():
        A = T.arg("A", T.Buffer((16,), "float32"))
        n = T.arg("n", T.int32())
        with T.While(n < 4):
            A[0] = T.float32(0)
        with T.If(n > 0):
            with T.Then():
                A[1] = T.float32(1)
        with T.If(n == 0):
            with T.Then():
                A[2] = T.float32(2)
            with T.Else():
                A[3] = T.float32(3)
                A[4] = T.float32(4)
        with T.LetStmt(n + 1) as v:
            with T.LetStmt(T.float32(2), type_annotation="float32") as w:
                with T.Assert(v > 0, "positive"):
                    A[v] = w

    n, v, w = tir.Var("n"), tir.Var("v"), tir.Var("w", "float32")

    A = tir.Buffer(None, "float32", (16,), name="A")
    h = tir.Var("A_handle", "handle")
    stmts = (
        tir.While(n < i32(4), tir.BufferStore(A, f32(0), (i32(0),))),
        tir.IfThenElse(n > i32(0), tir.BufferStore(A, f32(1), (i32(1),))),
        tir.IfThenElse(
            tir.EQ(n, i32(0)),
            tir.BufferStore(A, f32(2), (i32(2),)),
            tir.SeqStmt((tir.BufferStore(A, f32(3), (i32(3),)), tir.BufferStore(A, f32(4), (i32(4),)))),
        ),
        tir.LetStmt(v, n + i32(1), tir.LetStmt(w, f32(2), tir.AssertStmt(v > i32(0), "positive", tir.BufferStore(A, w, (v,))))),
    )
    irscript.assert_structural_equal(build(body), func_of((h, n), tir.SeqStmt(stmts), {h: A}))


def test_let_forms():
    def body():
        A = T.arg("A", T.Buffer((16,), "int32"))
        x = name("x", T.int32())
        with T.let(x, 5):
            A[0] = x
        y = T.int32()
        A[1] = T.let(y, 2, y * 3)
        with T.LetStmt(T.int32(1), var=x):
            A[2] = x
        with T.LetStmt(T.int64(1), type_annotation=T.int64()) as z:
            A[3] = top.cast("int32", z)

    built = build(body)
    seq = built.body.seq
    assert isinstance(seq[0], tir.LetStmt) and seq[0].var.name_hint == "x"
    assert isinstance(seq[1].value, tir.Let)
    assert seq[2].var is seq[0].var
    assert seq[3].var.dtype == "int64"


def test_allocate_decl_buffer_attr_launch_thread():
    def body():
        A = T.arg("A", T.Buffer((16,), "float32"))
        with T.allocate([16], "float32", "shared") as ptr:
            with T.decl_buffer((16,), "float32", data=ptr) as S:
                S[0] = A[0]
        with T.decl_buffer((4,), "int32", scope="local") as L:
            L[0] = 1
        with T.attr(A.data, "storage_alignment", 128):
            A[1] = T.float32(1)
        tx = T.env_thread("threadIdx.x")
        with T.launch_thread(tx, 16):
            A[tx] = T.float32(2)
        with T.launch_thread("vthread", 2) as vt:
            A[vt] = T.float32(3)

    ptr = tir.Var("ptr", "handle", tir.PointerType("float32", "shared"))
    tx, vt = tir.Var("tx"), tir.Var("vt")

    def expected_body(A):
        S = tir.Buffer(ptr, "float32", (16,), name="S")
        L = tir.Buffer(None, "int32", (4,), name="L", scope="local")
        return tir.SeqStmt((
            tir.Allocate(ptr, "float32", (i32(16),), TRUE, tir.DeclBuffer(S, tir.BufferStore(S, A[0], (i32(0),)))),
            tir.Allocate(L.data, "int32", (i32(4),), TRUE, tir.DeclBuffer(L, tir.BufferStore(L, i32(1), (i32(0),)))),
            tir.AttrStmt(A.data, "storage_alignment", i32(128), tir.BufferStore(A, f32(1), (i32(1),))),
            tir.AttrStmt(
                tir.IterVar(Range(i32(0), i32(16)), tx, IterVarType.THREAD_INDEX, "threadIdx.x"),
                "thread_extent", i32(16), tir.BufferStore(A, f32(2), (tx,)),
            ),
            tir.AttrStmt(
                tir.IterVar(Range(i32(0), i32(2)), vt, IterVarType.THREAD_INDEX, "vthread"),
                "virtual_thread", i32(2), tir.BufferStore(A, f32(3), (vt,)),
            ),
        ))

    irscript.assert_structural_equal(build(body), expected_one_buffer(expected_body))


def test_launch_thread_reuses_env_thread_iter_var():
    def body():
        A = T.arg("A", T.Buffer((16,), "float32"))
        tx = T.env_thread("threadIdx.x")
        with T.launch_thread(tx, 8):
            A[tx] = T.float32(0)
        with T.launch_thread(tx, 8):
            A[tx] = T.float32(1)

    built = build(body)
    first, second = built.body.seq
    assert first.node.var is second.node.var and first.node.dom.extent.value == 8


def test_buffer_store_converts_and_vectorizes():
    def body():
        A = T.arg("A", T.Buffer((16,), "float32"))
        B = T.arg("B", T.Buffer((4,), "bool"))
        A[0] = 1  # a Python number takes the buffer's dtype
        A[1] = T.int32(2)  # an expression of another dtype is cast
        A[0:4] = tir.Broadcast(f32(0), 4)
        A[4:5] = f32(5)  # a one-lane slice is a scalar index
        B[0] = True
        T.buffer_store(A, A[tir.Ramp(i32(0), i32(1), 4)], [tir.Ramp(i32(8), i32(1), 4)])

    built = build(body)
    s = built.body.seq
    assert isinstance(s[0].value, tir.FloatImm) and s[0].value.value == 1.0
    assert isinstance(s[1].value, tir.Cast) and s[1].value.dtype == "float32"
    assert isinstance(s[2].indices[0], tir.Ramp) and s[2].indices[0].lanes == 4
    irscript.assert_structural_equal(s[3].indices[0], i32(4))
    assert s[4].value.dtype == "bool"
    assert s[5].value.dtype == "float32x4"


def test_evaluate_forms():
    def body():
        T.evaluate(0)
        T.evaluate("note")
        T.evaluate(top.call_extern("int32", "f", 1))

    s = build(body).body.seq
    assert isinstance(s[0].value, tir.IntImm)
    assert isinstance(s[1].value, tir.StringImm) and s[1].value.value == "note"
    assert isinstance(s[2].value, tir.Call)


def test_dtype_helpers():
    v = T.int64()
    assert isinstance(v, tir.Var) and v.dtype == "int64"
    assert isinstance(T.int32(is_size_var=True), tir.SizeVar)
    irscript.assert_structural_equal(T.float32(1), f32(1.0))
    assert T.float32("inf").value == float("inf")
    assert T.uint8(255).value == 255 and T.uint8(255).dtype == "uint8"
    assert isinstance(T.float16(v), tir.Cast)
    assert T.float32x4(0).dtype == "float32x4"
    assert T.bool(True).dtype == "bool" and T.bfloat16().dtype == "bfloat16"
    h = T.handle()
    assert h.dtype == "handle" and h.type_annotation is None
    p = T.handle("float32", "shared")
    irscript.assert_structural_equal(p.type_annotation, tir.PointerType("float32", "shared"))


# ---------------------------------------------------------------------------------------------
# blocks
# ---------------------------------------------------------------------------------------------


def test_block_with_everything_matches_hand_built():
    def body():
        A = T.arg("A", T.Buffer((16, 16), "float32"))
        B = T.arg("B", T.Buffer((16,), "float32"))
        with T.grid(16, 16) as (i, j):
            with T.block("b"):
                vi = T.axis.spatial(16, i)
                vj = T.axis.reduce((0, 16), j)
                T.where(i + j < 30)
                T.reads(A[vi, 0:16], B[vi])
                T.writes(B[vi])
                T.block_attr({"x": 1})
                with T.init():
                    B[vi] = T.float32(0)
                tmp = T.alloc_buffer((1,), "float32", scope="local")
                row = T.match_buffer(A[vi, 0:16], (16,), "float32")
                tmp[0] = row[vj]
                B[vi] = B[vi] + tmp[0]

    A = tir.Buffer(None, "float32", (16, 16), name="A")
    B = tir.Buffer(None, "float32", (16,), name="B")
    ha, hb = tir.Var("A_handle", "handle"), tir.Var("B_handle", "handle")
    i, j, vi, vj = (tir.Var(x) for x in ("i", "j", "vi", "vj"))
    tmp = tir.Buffer(None, "float32", (1,), name="tmp", scope="local")
    row = tir.Buffer(None, "float32", (16,), name="row")
    a_row = tir.BufferRegion(A, (Range(vi, i32(1)), Range(i32(0), i32(16))))
    b_vi = tir.BufferRegion(B, (Range(vi, i32(1)),))
    block = tir.Block(
        (tir.IterVar(Range(i32(0), i32(16)), vi), tir.IterVar(Range(i32(0), i32(16)), vj, IterVarType.COMM_REDUCE)),
        (a_row, b_vi), (b_vi,), "b",
        tir.SeqStmt((tir.BufferStore(tmp, row[vj], (i32(0),)), tir.BufferStore(B, B[vi] + tmp[0], (vi,)))),
        tir.BufferStore(B, f32(0), (vi,)),
        (tmp,),
        (tir.MatchBufferRegion(row, a_row),),
        {"x": 1},
    )
    loops = tir.For(i, i32(0), i32(16), ForKind.SERIAL,
                    tir.For(j, i32(0), i32(16), ForKind.SERIAL, tir.BlockRealize((i, j), i + j < i32(30), block)))
    expected = func_of((ha, hb), tir.BlockRealize((), TRUE, tir.Block((), (), (), "root", loops)), {ha: A, hb: B})
    irscript.assert_structural_equal(build(body), expected)


def test_root_block_rules():
    def with_root_alloc():
        A = T.arg("A", T.Buffer((4,), "float32"))
        C = T.alloc_buffer((4,), "float32")
        C[0] = A[0]

    func = build(with_root_alloc)
    assert isinstance(func.body, tir.BlockRealize) and func.body.block.name_hint == "root"
    assert len(func.body.block.alloc_buffers) == 1 and not func.body.block.iter_vars

    def explicit_root():
        A = T.arg("A", T.Buffer((4,), "float32"))
        with T.block("root"):
            with T.block("inner"):
                A[0] = T.float32(1)

    func = build(explicit_root)
    assert func.body.block.name_hint == "root"
    assert isinstance(func.body.block.body, tir.BlockRealize)
    assert func.body.block.body.block.name_hint == "inner"  # not wrapped twice

    def no_blocks():
        A = T.arg("A", T.Buffer((4,), "float32"))
        A[0] = T.float32(1)

    assert isinstance(build(no_blocks).body, tir.BufferStore)


def test_block_axes_kinds_remap_and_no_realize():
    def body():
        A = T.arg("A", T.Buffer((8, 8), "float32"))
        n = T.arg("n", T.int64())
        with T.grid(8, 8) as (i, j):
            with T.block("remap"):
                vi, vj = T.axis.remap("SR", [i, j])
                A[vi, vj] = T.float32(0)
        with T.serial(n) as k:
            with T.block("kinds"):
                vs = T.axis.scan(8, 0)
                vo = T.axis.opaque(Range(i64(0), n), k)
                A[vs, top.cast("int32", vo)] = T.float32(1)
        with T.block("bare", no_realize=True):
            A[0, 0] = T.float32(2)

    root = build(body).body.block.body
    remap = root.seq[0].body.body.block
    assert [iv.iter_type for iv in remap.iter_vars] == [IterVarType.DATA_PAR, IterVarType.COMM_REDUCE]
    irscript.assert_structural_equal(remap.iter_vars[1].dom, Range(i32(0), i32(8)))
    kinds = root.seq[1].body
    assert [iv.iter_type for iv in kinds.block.iter_vars] == [IterVarType.ORDERED, IterVarType.OPAQUE]
    assert kinds.block.iter_vars[1].var.dtype == "int64"  # widened to the domain's bits
    assert isinstance(root.seq[2], tir.Block)


def test_block_without_reads_writes_has_empty_regions():
    def body():
        A = T.arg("A", T.Buffer((4,), "float32"))
        with T.block("b"):
            A[0] = T.float32(1)

    block = build(body).body.block  # a lone block without axes serves as the root, as in TVM
    assert block.name_hint == "b"
    assert block.reads == () and block.writes == () and block.annotations == {}


# ---------------------------------------------------------------------------------------------
# modules
# ---------------------------------------------------------------------------------------------


def test_module_of_prim_funcs():
    with IRBuilder() as ib:
        with I.ir_module():
            I.module_attrs({"target": "c"})
            with T.prim_func():
                T.func_name("a")
                T.evaluate(0)
            with T.prim_func(private=True):
                T.func_name("b")
                T.evaluate(1)
    mod = ib.get()
    assert [gv.name_hint for gv in mod.functions] == ["a", "b"]
    assert mod.attrs == {"target": "c"}
    assert mod["a"].attrs == {"global_symbol": "a"} and mod["b"].attrs == {}
    check_json_roundtrip(mod)


def test_kitchen_sink_module_builds_and_round_trips():
    mod = tir_kitchen_sink_module()
    check_json_roundtrip(mod)
    assert set(mod["loops"].body.seq[i].kind for i in range(5)) == {
        ForKind.SERIAL, ForKind.PARALLEL, ForKind.VECTORIZED, ForKind.UNROLLED, ForKind.THREAD_BINDING
    }
    # fresh vars on every call: two builds are equal but share no vars
    again = tir_kitchen_sink_module()
    irscript.assert_structural_equal(mod, again)
    assert mod["loops"].params[0] is not again["loops"].params[0]


def test_name_sets_display_names_only():
    v = T.int32()
    h1 = irscript.structural_hash(tir.Add(v, 1), map_free_vars=True)
    assert IRBuilder.name("i", v) is v and v.name_hint == "i"
    assert irscript.structural_hash(tir.Add(v, 1), map_free_vars=True) == h1
    buf = T.Buffer((4,), "float32")
    IRBuilder.name("X", buf)
    assert buf.name == "X" and buf.data.name_hint == "X"
    assert IRBuilder.name("ignored", 5) == 5  # values without names are returned unchanged
    assert IRBuilder.name_many(["p", "q"], [T.int32(), T.int32()])[1].name_hint == "q"
