"""The tensor-expression layer: compute / reductions / create_prim_func emit the same IR the
IRBuilder builds for the equivalent script, well-formed, with clear errors on misuse."""

from __future__ import annotations

import pytest

from irscript import tir
from irscript.errors import IRError
from irscript.ir import assert_structural_equal
from irscript.ir.well_formed import check_well_formed
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as T
from irscript.tir import te
from irscript.tir.op import max_value, min_value


def _i64(v: int) -> tir.IntImm:
    return tir.IntImm("int64", v)


def _func_frame():
    frame = T.prim_func(private=True)
    return frame


def test_elementwise_compute_matches_the_builder() -> None:
    n = tir.Var("n", "int64")
    x = te.placeholder((n, 4), "float32", "x")
    y = te.compute((n, 4), lambda i, j: x[i, j] * 2.0 + 1.0, name="y")
    got = te.create_prim_func([x, y])

    with IRBuilder() as ib:
        with T.prim_func(private=True):
            T.func_attr({"tir.noalias": True})
            hx = T.arg("var_x", T.handle())
            hy = T.arg("var_y", T.handle())
            m = T.int64()
            X = T.match_buffer(hx, (m, _i64(4)), "float32")
            Y = T.match_buffer(hy, (m, _i64(4)), "float32")
            with T.grid(m, _i64(4)) as (i, j):
                with T.block("y"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    T.reads(X[vi, vj])
                    T.writes(Y[vi, vj])
                    T.buffer_store(Y, X[vi, vj] * 2.0 + 1.0, [vi, vj])
    assert_structural_equal(got, ib.get())
    assert check_well_formed(got) == []
    loop = got.body.block.body
    assert loop.loop_var.name_hint == "i" and loop.body.loop_var.name_hint == "j"
    assert [iv.var.name_hint for iv in loop.body.body.block.iter_vars] == ["v_i", "v_j"]


def test_reduction_with_init_matches_the_builder() -> None:
    a = te.placeholder((3, 5), "float32", "a")
    b = te.placeholder((5, 2), "float32", "b")
    k = te.reduce_axis(5, "k")
    c = te.compute((3, 2), lambda i, j: te.sum(a[i, k] * b[k, j], axis=k), name="matmul")
    got = te.create_prim_func([a, b, c])

    with IRBuilder() as ib:
        with T.prim_func(private=True):
            T.func_attr({"tir.noalias": True})
            ha, hb, hc = (T.arg(s, T.handle()) for s in ("a", "b", "c"))
            A = T.match_buffer(ha, (_i64(3), _i64(5)), "float32")
            B = T.match_buffer(hb, (_i64(5), _i64(2)), "float32")
            Cb = T.match_buffer(hc, (_i64(3), _i64(2)), "float32")
            with T.grid(_i64(3), _i64(2), _i64(5)) as (i, j, kk):
                with T.block("matmul"):
                    vi, vj, vk = T.axis.remap("SSR", [i, j, kk])
                    T.reads(A[vi, vk], B[vk, vj])
                    T.writes(Cb[vi, vj])
                    with T.init():
                        T.buffer_store(Cb, tir.FloatImm("float32", 0.0), [vi, vj])
                    T.buffer_store(Cb, Cb[vi, vj] + A[vi, vk] * B[vk, vj], [vi, vj])
    assert_structural_equal(got, ib.get())


def test_intermediates_are_root_allocations_in_dependency_order() -> None:
    x = te.placeholder((4,), "float32", "x")
    sq = te.compute((4,), lambda i: x[i] * x[i], name="sq")
    k = te.reduce_axis(4, "k")
    total = te.compute((), lambda: te.sum(sq[k], axis=k), name="total")
    out = te.compute((4,), lambda i: x[i] / total[()], name="out")
    func = te.create_prim_func([x, out])
    root = func.body.block
    assert [b.name for b in root.alloc_buffers] == ["sq", "total"]
    blocks = [s for s in root.body.seq]
    names = []
    for s in blocks:
        while isinstance(s, tir.For):
            s = s.body
        names.append(s.block.name_hint)
    assert names == ["sq", "total", "out"]
    scalar_block = blocks[1].body.block  # one loop (the reduction), no spatial axis
    assert [iv.iter_type.name for iv in scalar_block.iter_vars] == ["COMM_REDUCE"]
    assert scalar_block.writes[0].region == ()
    assert check_well_formed(func) == []


@pytest.mark.parametrize("reducer, identity", [
    (te.sum, lambda dt: tir.FloatImm(dt, 0.0)), (te.prod, lambda dt: tir.FloatImm(dt, 1.0)),
    (te.max, min_value), (te.min, max_value),
])
def test_reduction_identities(reducer, identity) -> None:
    x = te.placeholder((2, 3), "float32", "x")
    k = te.reduce_axis(3, "k")
    y = te.compute((2,), lambda i: reducer(x[i, k], axis=k), name="y")
    func = te.create_prim_func([x, y])
    block = func.body.block.body.body.body.block
    assert_structural_equal(block.init.value, identity("float32"))
    assert check_well_formed(func) == []


def test_argmax_has_two_outputs_written_by_one_block() -> None:
    x = te.placeholder((2, 3, 4), "int32", "x")
    k1, k2 = te.reduce_axis(3, "k1"), te.reduce_axis(4, "k2")
    idx, val = te.compute((2,), lambda i: te.argmax(x[i, k1, k2], [k1, k2]), name="am")
    assert idx.dtype == "int64" and val.dtype == "int32" and val.name == "am_v1"
    func = te.create_prim_func([x, idx])
    assert [b.name for b in func.body.block.alloc_buffers] == ["am_v1"]
    block = func.body.block.body.body.body.body.block
    assert [w.buffer.name for w in block.writes] == ["am", "am_v1"]
    assert isinstance(block.body, tir.LetStmt) and isinstance(block.init, tir.SeqStmt)
    assert check_well_formed(func) == []


def test_reads_cover_several_accesses() -> None:
    x = te.placeholder((5,), "float32", "x")
    y = te.compute((4,), lambda i: x[i] + x[i + 1], name="y")
    block = te.create_prim_func([x, y]).body.block.body.body.block
    (region,) = block.reads
    # as TVM's create_prim_func (the block access-region detector): the two reads merged into
    # one covering region over the block's iter var, x[v_i:v_i + 2]
    (rng,) = region.region
    assert region.buffer.name == "x"
    assert rng.min is block.iter_vars[0].var and rng.extent.value == 2


def test_vars_only_inside_expressions_must_be_passed() -> None:
    n = tir.Var("n", "int64")
    x = te.placeholder((n * 2,), "float32", "x")
    y = te.compute((n * 2,), lambda i: x[i], name="y")
    assert te.undefined_vars([x, y]) == [n]
    with pytest.raises(IRError, match="shape var.* n are not defined by any argument buffer's shape"):
        te.create_prim_func([x, y])
    func = te.create_prim_func([x, y, n])
    assert func.params[2] is n and check_well_formed(func) == []


def test_misuse_is_reported() -> None:
    x = te.placeholder((2, 3), "float32", "x")
    with pytest.raises(IRError, match="has 2 dimensions but is indexed with 1"):
        x[0]
    y = te.compute((2, 3), lambda i, j: x[i, j] + 1.0, name="y")
    with pytest.raises(IRError, match="placeholder 'x' is used but not an argument"):
        te.create_prim_func([y])
    with pytest.raises(IRError, match="passed twice"):
        te.create_prim_func([x, x, y])
    with pytest.raises(IRError, match="takes te.Tensor and tir.Var arguments"):
        te.create_prim_func([x, "y"])
    with pytest.raises(IRError, match="integer sizes"):
        te.placeholder((2.5,), "float32")
    with pytest.raises(IRError, match="2 axis names for 1 dimensions"):
        te.compute((2,), lambda i: x[i, 0], axis_names=["a", "b"])
    with pytest.raises(IRError, match="reduce_axis"):
        te.sum(x[0, 0], axis="k")
    foreign = tir.Buffer(None, "float32", (3,), name="foreign")
    with pytest.raises(IRError, match="not a te tensor"):
        te.compute((3,), lambda i: foreign[i])


def test_axis_names_default_from_the_function_and_reduce_axis_arithmetic() -> None:
    x = te.placeholder((6,), "float32", "x")
    k = te.reduce_axis((0, 3), "r")
    y = te.compute((2,), lambda *i: te.sum(x[i[0] * 3 + k.var], axis=k), name="y")
    func = te.create_prim_func([x, y])
    loop = func.body.block.body
    assert [loop.loop_var.name_hint, loop.body.loop_var.name_hint] == ["i0", "r"]
    assert check_well_formed(func) == []
    z = te.compute((2,), lambda i: x[2 * k.var], name="z")
    assert z.shape[0].value == 2
