"""Block access regions (irscript.tir.analysis): the regions Apache TVM's GetBlockAccessRegion
reports for its own test kernels, the inference rules one by one, the builder and parser path
that fills in a block's missing T.reads / T.writes, and properties of the interval arithmetic.

Most checks write a kernel WITH the regions TVM reports (or the rule gives) and parse it once as
written and once with its T.reads / T.writes lines removed: both must be the same IR."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irscript import tir
from irscript.errors import IRError
from irscript.ir import Range, assert_structural_equal
from irscript.ir.functor import collect
from irscript.ir.node import replace
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as T
from irscript.printer import print_script
from irscript.testing.diagnostics import assert_diag, parse_text
from irscript.testing.roundtrip import check_roundtrip
from irscript.tir import arith
from irscript.tir import op as top
from irscript.tir.analysis import (
    EVERYTHING,
    complete_block_regions,
    cover_range,
    eval_range,
    eval_set,
    get_block_access_region,
    get_block_read_write_region,
    union,
)

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

_REGION_LINE = re.compile(r"^[ \t]*T\.(?:reads|writes)\(.*\)[ \t]*\n", re.M)


def strip_regions(src: str) -> str:
    stripped = _REGION_LINE.sub("", src)
    assert stripped != src, "the kernel declares no regions to infer"
    return stripped


def check_inferred(src: str) -> tir.PrimFunc:
    """The kernel parsed as written equals the kernel with its T.reads / T.writes lines removed:
    every region written in `src` is exactly the one inferred. Returns the parsed kernel."""
    explicit = parse_text(src)
    assert_structural_equal(parse_text(strip_regions(src)), explicit)
    return explicit


def blocks(func: tir.PrimFunc) -> dict[str, tir.Block]:
    return {b.name_hint: b for b in collect(func, tir.Block)}


def outer_buffers(func: tir.PrimFunc) -> list[tir.Buffer]:
    """What a block right under the root sees: the parameters' buffers and root allocations."""
    found = list(func.buffer_map.values())
    if isinstance(func.body, tir.BlockRealize):
        found += func.body.block.alloc_buffers
    return found


def assert_detects_declared(block: tir.Block, buffers: list[tir.Buffer]) -> None:
    """TVM's own check: the detector reports exactly the regions the block declares."""
    reads, writes, opaque = get_block_access_region(block, buffers)
    assert_structural_equal(reads, block.reads)
    assert_structural_equal(writes, block.writes)
    assert opaque == ()


def regions_text(regions: tuple[tir.BufferRegion, ...]) -> list[str]:
    return [repr(r) for r in regions]


def i32(v: int) -> tir.IntImm:
    return tir.IntImm("int32", v)


# ---------------------------------------------------------------------------------------------
# 1. the kernels of TVM's tests/python/tir-analysis/test_tir_analysis_get_block_access_region.py
# ---------------------------------------------------------------------------------------------

TVM_FUNC = """
    @T.prim_func
    def func():
        A = T.alloc_buffer((128, 128), "float32")
        B = T.alloc_buffer((128, 128), "float32")
        C = T.alloc_buffer((128, 128), "float32")
        D = T.alloc_buffer((128, 128), "float32")
        with T.block("outer"):
            T.reads([B[0, 0], C[0:16, 0:16], A[4:12, 4:12]])
            T.writes([A[0:12, 0:12]])
            for i, j in T.grid(8, 8):
                A[i, j] = B[0, 0] + C[0, 0]
            for i, j in T.grid(2, 2):
                with T.block("inner"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    T.reads([A[vi * 4 + 4:vi * 4 + 4 + 4, vj * 4 + 4:vj * 4 + 4 + 4], C[12:16, 12:16]])
                    T.writes([A[vi * 4 + 4:vi * 4 + 4 + 4, vj * 4 + 4:vj * 4 + 4 + 4]])
                    for i, j in T.grid(4, 4):
                        A[vi * 4 + 4 + i, vj * 4 + 4 + j] += C[i + 12, j + 12]
            {tail}
"""


def test_tvm_block_with_loops_nested_block_and_opaque_data_use():
    func = parse_text(TVM_FUNC.format(tail="T.evaluate(D.data)"))
    found = blocks(func)
    A, B, C, D = func.body.block.alloc_buffers
    reads, writes, opaque = get_block_access_region(found["outer"], {b.data: b for b in (A, B, C, D)})
    assert_structural_equal(reads, found["outer"].reads)
    assert_structural_equal(writes, found["outer"].writes)
    assert_structural_equal(opaque, (tir.BufferRegion(D, (Range(i32(0), i32(128)), Range(i32(0), i32(128)))),))
    assert_detects_declared(found["inner"], [A, B, C, D])
    # the same kernel without the opaque use: both blocks' regions are what inference gives
    check_inferred(TVM_FUNC.format(tail=""))


TVM_MATCH_BUFFER = """
    @T.prim_func
    def match_buffer_func():
        with T.block("root"):
            A = T.alloc_buffer((128, 128), "float32")
            B = T.alloc_buffer((128, 128), "float32")
            T.reads([])
            T.writes([])
            for i, j in T.grid(8, 8):
                with T.block("block"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    T.reads(B[vi * 16 + 2:vi * 16 + 2 + 10, vj * 16 + 2:vj * 16 + 2 + 14])
                    T.writes(A[vi * 16:vi * 16 + 16, vj * 16:vj * 16 + 16])
                    AA = T.match_buffer(A[vi * 16:vi * 16 + 16, vj * 16:vj * 16 + 16], (16, 16))
                    B0 = T.match_buffer(B[vi * 16 + 2:vi * 16 + 6, vj * 16 + 2:vj * 16 + 6], (4, 4))
                    B1 = T.match_buffer(B[vi * 16 + 8:vi * 16 + 12, vj * 16 + 8:vj * 16 + 16], (4, 8))
                    for ii, jj in T.grid(16, 16):
                        with T.block("AAA"):
                            vii, vjj = T.axis.remap("SS", [ii, jj])
                            T.reads([])
                            T.writes(AA[vii, vjj])
                            AAA = T.match_buffer(AA[vii, vjj], ())
                            AAA[()] = 1.0
                    {uses}
"""


def test_tvm_match_buffer_accesses_map_to_the_source():
    # loads through two views of B: their union, on B, is the block's read region
    func = check_inferred(TVM_MATCH_BUFFER.format(uses="T.evaluate(B0[0, 0] + B0[3, 3] + B1[0, 0] + B1[3, 7])"))
    found = blocks(func)
    outer = list(found["root"].alloc_buffers)
    block, inner = found["block"], found["AAA"]
    # TVM's kernel uses B0.data and B1.data instead: opaque uses of the parts of B they view
    B0, B1 = (m.buffer for m in block.match_buffers[1:])
    loop = block.body.seq[0]
    opaque_block = replace(block, body=tir.SeqStmt((loop, tir.Evaluate(B0.data), tir.Evaluate(B1.data))))
    reads, writes, opaque = get_block_access_region(opaque_block, outer)
    assert reads == ()
    assert_structural_equal(writes, block.writes)
    assert_structural_equal(opaque, block.reads)
    # the inner block sees AA only once the outer block's match_buffers are visible
    assert get_block_access_region(inner, outer) == ((), (), ())
    assert_detects_declared(inner, outer + [m.buffer for m in block.match_buffers])


def test_tvm_opaque_blocks_without_axes_inside_loops():
    func = check_inferred("""
        @T.prim_func
        def opaque_block_func():
            with T.block("root"):
                A = T.alloc_buffer((16, 16), "float32")
                B = T.alloc_buffer((16, 16), "float32")
                T.reads([])
                T.writes([])
                for i in range(0, 16):
                    with T.block("row"):
                        T.reads(A[i, 0:16])
                        T.writes([B[i, 0:16]])
                        for j in range(0, 16):
                            with T.block("elem"):
                                T.reads(A[i, j])
                                T.writes(B[i, j])
                                B[i, j] = A[i, j] + 1.0
    """)
    found = blocks(func)
    assert found["root"].reads == () and found["root"].writes == ()
    for name in ("row", "elem"):
        assert_detects_declared(found[name], list(found["root"].alloc_buffers))


def test_tvm_opaque_access_through_call_extern():
    func = parse_text("""
        @T.prim_func
        def opaque_access_func():
            A = T.alloc_buffer([1024])
            B = T.alloc_buffer([1024])
            for i in T.serial(0, 8):
                with T.block("b"):
                    v = T.axis.S(8, i)
                    T.reads([A[v * 128:v * 128 + 128]])
                    T.writes([B[v * 128:v * 128 + 128]])
                    T.evaluate(T.call_extern("float32", "test", B.data, v * 128, 128, A.data, v * 128, 128))
    """)
    block = blocks(func)["b"]
    outer = outer_buffers(func)
    reads, writes, opaque = get_block_access_region(block, outer)
    assert reads == () and writes == ()
    assert regions_text(opaque) == ["B[0:1024]", "A[0:1024]"]  # in order of first use
    rw_reads, rw_writes = get_block_read_write_region(block, outer)
    assert regions_text(rw_reads) == regions_text(rw_writes) == ["B[0:1024]", "A[0:1024]"]
    with pytest.raises(IRError, match=r"block 'b': cannot infer .* buffer 'B', 'A' is accessed through its data "
                                      r"pointer; give the regions with T.reads\(...\) and T.writes\(...\)"):
        complete_block_regions(block, outer)


def test_tvm_access_ptr_masks_read_write_and_both():
    A, B, C = (tir.Buffer(None, "float32", (1024,), name=n) for n in "ABC")

    def ptr(buf: tir.Buffer, mask: int) -> tir.Stmt:
        return tir.Evaluate(top.call_intrin("handle", "tvm_access_ptr", top.const(0.0, "float32"), buf.data,
                                            i32(0), i32(1024), i32(mask)))

    block = tir.Block((), (), (), "opaque", tir.SeqStmt((ptr(A, 1), ptr(B, 2), ptr(C, 3))))
    reads, writes, opaque = get_block_access_region(block, [A, B, C])
    assert (regions_text(reads), regions_text(writes), regions_text(opaque)) == (
        ["A[0:1024]"], ["B[0:1024]"], ["C[0:1024]"])
    rw_reads, rw_writes = get_block_read_write_region(block, [A, B, C])
    assert regions_text(rw_reads) == ["A[0:1024]", "C[0:1024]"]  # TVM's declared T.reads / T.writes
    assert regions_text(rw_writes) == ["B[0:1024]", "C[0:1024]"]


def test_tvm_access_in_if_then_else_and_branches():
    check_inferred("""
        @T.prim_func
        def access_in_if_then_else_func():
            A = T.alloc_buffer([8])
            B = T.alloc_buffer([8])
            with T.block("select"):
                T.reads([A[0:5]])
                T.writes([B[0:8]])
                for i in T.serial(0, 8):
                    B[i] = T.if_then_else(i < 5, A[i], T.float32(0))
            with T.block("branch"):
                T.reads([A[0:7]])
                T.writes([B[0:8]])
                for i in T.serial(0, 8):
                    if i < 5:
                        B[i] = A[i] + 1.0
                    else:
                        B[i] = A[i - 1]
    """)


GEMM = """
    @T.prim_func
    def gemm():
        A = T.alloc_buffer([16, 16], "float32")
        B = T.alloc_buffer([16, 16], "float32")
        C = T.alloc_buffer([16, 16], "float32")
        for i, j, k, ii, jj in T.grid(4, 4, 16, 4, 4):
            with T.block("update"):
                vi = T.axis.S(16, i * 4 + ii)
                vj = T.axis.S(16, j * 4 + jj)
                vk = T.axis.R(16, k)
                T.reads(A[vi, vk], B[vj, vk])
                T.writes(C[vi, vj])
                with T.init():
                    C[vi, vj] = 0.0
                C[vi, vj] += A[vi, vk] * B[vj, vk]
"""

DECOMPOSED_GEMM = """
    @T.prim_func
    def decomposed_gemm():
        A = T.alloc_buffer([16, 16], "float32")
        B = T.alloc_buffer([16, 16], "float32")
        C = T.alloc_buffer([16, 16], "float32")
        for i, j in T.grid(4, 4):
            for ii, jj in T.grid(4, 4):
                with T.block("init"):
                    vi = T.axis.S(16, i * 4 + ii)
                    vj = T.axis.S(16, j * 4 + jj)
                    T.reads([])
                    T.writes(C[vi, vj])
                    C[vi, vj] = 0.0
            for k, ii, jj in T.grid(16, 4, 4):
                with T.block("update"):
                    vi = T.axis.S(16, i * 4 + ii)
                    vj = T.axis.S(16, j * 4 + jj)
                    vk = T.axis.R(16, k)
                    T.reads(C[vi, vj], A[vi, vk], B[vj, vk])
                    T.writes(C[vi, vj])
                    C[vi, vj] += A[vi, vk] * B[vj, vk]
"""


def test_tvm_reduction_leaves_its_output_out_of_reads_and_decomposed_update_keeps_it():
    gemm = check_inferred(GEMM)
    assert [r.buffer.name for r in blocks(gemm)["update"].reads] == ["A", "B"]
    decomposed = check_inferred(DECOMPOSED_GEMM)
    assert [r.buffer.name for r in blocks(decomposed)["update"].reads] == ["C", "A", "B"]
    for func in (gemm, decomposed):
        for block in blocks(func).values():
            if block.name_hint != "root":
                assert_detects_declared(block, outer_buffers(func))


def test_tvm_padding_pattern_conditions_on_block_vars_do_not_narrow():
    check_inferred("""
        @T.prim_func
        def access_of_padding_pattern():
            X = T.alloc_buffer([28, 28])
            X_pad = T.alloc_buffer([32, 32])
            Y = T.alloc_buffer([28, 28])
            for i, j in T.grid(32, 32):
                with T.block("padding"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    T.reads([X[vi - 2, vj - 2]])
                    T.writes([X_pad[vi, vj]])
                    X_pad[vi, vj] = T.if_then_else(
                        2 <= vi and vi < 30 and 2 <= vj and vj < 30, X[vi - 2, vj - 2], T.float32(0))
                with T.block("padding_reverse"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    T.reads([X_pad[vi, vj]])
                    T.writes([Y[vi - 2, vj - 2]])
                    if 2 <= vi and vi < 30 and 2 <= vj and vj < 30:
                        Y[vi - 2, vj - 2] = X_pad[vi, vj]
    """)


def test_tvm_let_bound_indices_are_substituted():
    func = check_inferred("""
        @T.prim_func
        def func(storage: T.Buffer((16, 16, 16), "float32"), seq_slot_ids: T.Buffer((16,), "int32"),
                 history_slot_ids: T.Buffer((16,), "int32"), output: T.Buffer((16, 16), "float32")):
            for i, s in T.grid(16, 16):
                with T.block("copy"):
                    vi, vs = T.axis.remap("SS", [i, s])
                    T.reads(seq_slot_ids[vi], history_slot_ids[vi], storage[seq_slot_ids[vi], history_slot_ids[vi], vs])
                    T.writes(output[vi, vs])
                    seq_id: T.int32 = seq_slot_ids[vi]
                    history_id: T.int32 = history_slot_ids[vi]
                    output[vi, vs] = storage[seq_id, history_id, vs]
    """)
    storage_region = blocks(func)["copy"].reads[2]
    assert isinstance(storage_region.region[0].min, tir.BufferLoad)  # a point at the loaded index
    check_inferred("""
        @T.prim_func
        def func(A: T.Buffer((16, 16), "float32"), B: T.Buffer((16, 16), "float32"),
                 C: T.Buffer((16, 16), "float32")):
            for i, s in T.grid(16, 16):
                with T.block("copy"):
                    vi, vs = T.axis.remap("SS", [i, s])
                    T.reads(A[vi, vs], B[vi, vs])
                    T.writes(C[vi, vs])
                    vi1: T.int32 = vi
                    vi2: T.int32 = vi1
                    vs1: T.int32 = vs
                    vs2: T.int32 = vs1
                    vs3: T.int32 = vs2
                    C[vi, vs1] = A[vi1, vs2] + B[vi2, vs3]
    """)


# ---------------------------------------------------------------------------------------------
# 2. the rules
# ---------------------------------------------------------------------------------------------


def test_loop_vars_inside_the_block_are_relaxed_to_their_range():
    check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((8, 16), "float32"), B: T.Buffer((8,), "float32"), C: T.Buffer((8, 20), "float32")):
            for i in range(8):
                with T.block("rowsum"):
                    vi = T.axis.spatial(8, i)
                    T.reads(B[vi], A[vi, 0:16])
                    T.writes(B[vi], C[vi, 2:2 + 11])
                    for k in range(16):
                        B[vi] = B[vi] + A[vi, k]
                    for k in range(1, 6):
                        C[vi, k * 2] = B[vi]
                    for k in T.serial(3, 9):
                        C[vi, k + 4] = B[vi]
    """)


def test_symbolic_extents_and_offsets():
    check_inferred("""
        @T.prim_func
        def f(a: T.handle, b: T.handle, c: T.handle):
            n = T.int32()
            m = T.int32()
            A = T.match_buffer(a, (n, m))
            B = T.match_buffer(b, (n, m))
            C = T.match_buffer(c, (n, m * 2))
            for i in range(n):
                with T.block("shift"):
                    vi = T.axis.spatial(n, i)
                    T.reads(A[vi, 1:m])
                    T.writes(B[vi, 0:m - 1], C[vi, vi:vi + m])
                    for k in range(m - 1):
                        B[vi, k] = A[vi, k + 1]
                    for k in range(m):
                        C[vi, vi + k] = T.float32(0)
    """)


def test_if_conditions_on_a_loop_var_narrow_it():
    check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32"), C: T.Buffer((16,), "float32"),
              D: T.Buffer((16,), "float32"), E: T.Buffer((16,), "float32"), F: T.Buffer((16,), "float32"),
              G: T.Buffer((16,), "float32"), H: T.Buffer((16,), "float32")):
            with T.block("b"):
                T.reads(A[0:8], C[0:16])
                T.writes(B[8:16], D[4:12], E[0:2], F[5], G[10:16], H[0:16])
                for k in range(16):
                    if k < 8:
                        T.evaluate(A[k])
                    else:
                        B[k] = T.float32(0)
                    if 4 <= k and k < 12:
                        D[k] = T.float32(0)
                    if not (k >= 2):
                        E[k] = T.float32(0)
                    if k == 5:
                        F[k] = T.float32(0)
                    if 9 < k:
                        G[k] = T.float32(0)
                    if k < 4 or k > 12:
                        H[k] = C[k]
            with T.block("dead"):
                T.reads()
                T.writes(A[0:16])
                for k in range(16):
                    if k > 20:
                        A[k] = T.float32(0)
    """)


def test_a_symbolic_condition_bounds_the_region():
    func = parse_text("""
        @T.prim_func
        def f(A: T.Buffer((16,), "float32"), n: T.int32):
            with T.block("b"):
                v = T.axis.spatial(1, 0)
                for k in range(16):
                    if k < n:
                        A[k] = T.float32(0)
        """)
    n = func.params[1]
    (write,) = blocks(func)["b"].writes
    for value in (0, 3, 16, 40):
        extent = arith.evaluate(write.region[0].extent, {n: value})
        assert (arith.evaluate(write.region[0].min, {n: value}), extent) == (0, min(value, 16))


def test_match_buffer_views_are_reported_on_their_source():
    check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((16, 16), "float32"), B: T.Buffer((4,), "float32"), C: T.Buffer((16, 16), "float32")):
            for i in range(4):
                with T.block("tile"):
                    vi = T.axis.spatial(4, i)
                    T.reads(B[vi], A[vi * 4:vi * 4 + 4, 2:2 + 12])
                    T.writes(B[vi], C[vi, 0:16])
                    tile = T.match_buffer(A[vi * 4:vi * 4 + 4, 0:16], (4, 16))
                    row = T.match_buffer(C[vi, 0:16], (16,))
                    for x, y in T.grid(4, 12):
                        B[vi] = B[vi] + tile[x, y + 2]
                    for y in range(16):
                        row[y] = T.float32(0)
    """)


def test_nested_blocks_contribute_their_regions_bound_to_iter_values():
    check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32"), C: T.Buffer((4, 4), "float32")):
            for io in range(4):
                with T.block("outer"):
                    vo = T.axis.spatial(4, io)
                    T.reads(A[vo * 4:vo * 4 + 4])
                    T.writes(B[vo * 4:vo * 4 + 4], C[vo, 0:4])
                    for ii in range(4):
                        with T.block("inner"):
                            vi = T.axis.spatial(16, vo * 4 + ii)
                            vj = T.axis.spatial(4, ii)
                            T.reads(A[vi])
                            T.writes(B[vi], C[vo, vj])
                            B[vi] = A[vi]
                            C[vo, vj] = A[vi]
    """)


def test_the_blocks_own_allocations_are_left_out():
    func = check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((8, 4), "float32"), B: T.Buffer((8,), "float32")):
            for i in range(8):
                with T.block("outer"):
                    vi = T.axis.spatial(8, i)
                    T.reads(A[vi, 0:4])
                    T.writes(B[vi])
                    tmp = T.alloc_buffer((4,), scope="local")
                    for k in range(4):
                        with T.block("fill"):
                            vk = T.axis.spatial(4, k)
                            T.reads(A[vi, vk])
                            T.writes(tmp[vk])
                            tmp[vk] = A[vi, vk] * T.float32(2)
                    B[vi] = tmp[0] + tmp[3]
    """)
    outer = blocks(func)["outer"]
    tmp = outer.alloc_buffers[0]
    assert [w.buffer for w in blocks(func)["fill"].writes] == [tmp]  # the inner block sees it
    assert tmp not in [r.buffer for r in (*outer.reads, *outer.writes)]
    # even when the caller counts it among the visible buffers
    reads, writes, _ = get_block_access_region(outer, outer_buffers(func) + [tmp])
    assert_structural_equal((reads, writes), (outer.reads, outer.writes))


def test_reduction_with_init_drops_its_outputs_from_reads_an_in_place_update_keeps_them():
    check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((8, 8), "float32"), B: T.Buffer((8,), "float32"), C: T.Buffer((8,), "float32")):
            for i, k in T.grid(8, 8):
                with T.block("reduce"):
                    vi, vk = T.axis.remap("SR", [i, k])
                    T.reads(A[vi, vk])
                    T.writes(B[vi])
                    with T.init():
                        B[vi] = T.float32(0)
                    B[vi] = B[vi] + A[vi, vk]
            for i in range(8):
                with T.block("scale"):
                    vi = T.axis.spatial(8, i)
                    T.reads(C[vi], B[vi])
                    T.writes(C[vi])
                    C[vi] = C[vi] * B[vi]
    """)


def test_regions_come_in_order_of_first_access_merged_per_buffer():
    check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((16, 16), "float32"), B: T.Buffer((17,), "float32"), C: T.Buffer((16,), "float32"),
              D: T.Buffer((16,), "float32")):
            for i in range(16):
                with T.block("b"):
                    vi = T.axis.spatial(16, i)
                    T.reads(B[vi:vi + 2], A[vi, 0:4], C[vi])
                    T.writes(D[vi], C[vi])
                    D[vi] = B[vi] + A[vi, 0] + B[vi + 1]
                    C[vi] = C[vi] + A[vi, 3]
    """)


def test_data_pointer_use_needs_declared_regions():
    src = """
        @T.prim_func
        def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32")):
            for i in range(16):
                with T.block("ext"):
                    vi = T.axis.spatial(16, i)
                    T.reads(A[0:16])
                    T.writes(B[vi])
                    B[vi] = T.call_extern("float32", "first", A.data)
    """
    func = parse_text(src)  # with both regions given nothing is inferred
    block = blocks(func)["ext"]
    message = r"block 'ext': cannot infer its read/write regions: buffer 'A' is accessed through its data pointer"
    with pytest.raises(IRError, match=message):
        complete_block_regions(block, outer_buffers(func), reads=False, writes=True)
    assert complete_block_regions(block, outer_buffers(func), reads=False, writes=False) is block
    assert_diag(re.sub(r"\n *T\.reads\(.*\)", "", src), message, 4, 9)


def test_let_bound_loop_indices_are_relaxed():
    check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((8, 16), "float32"), B: T.Buffer((8,), "float32")):
            for i in range(8):
                with T.block("b"):
                    vi = T.axis.spatial(8, i)
                    T.reads(B[vi], A[vi, 1:1 + 7])
                    T.writes(B[vi])
                    for k in range(4):
                        idx: T.int32 = k * 2
                        nxt: T.int32 = idx + 1
                        B[vi] = B[vi] + A[vi, nxt]
    """)


def test_ramp_and_broadcast_indices():
    check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32"), C: T.Buffer((4,), "float32")):
            for i in range(4):
                with T.block("vec"):
                    vi = T.axis.spatial(4, i)
                    T.reads(A[vi * 4:vi * 4 + 4], C[vi])
                    T.writes(B[vi * 4:vi * 4 + 4])
                    B[T.Ramp(vi * 4, 1, 4)] = A[T.Ramp(vi * 4 + 3, -1, 4)] + C[T.Broadcast(vi, 4)]
    """)


def test_loaded_and_called_indices():
    check_inferred("""
        @T.prim_func
        def f(A: T.Buffer((32,), "float32"), idx: T.Buffer((8, 4), "int32"), B: T.Buffer((8,), "float32"),
              C: T.Buffer((32,), "float32"), D: T.Buffer((32,), "float32")):
            for i in range(8):
                with T.block("gather"):
                    vi = T.axis.spatial(8, i)
                    T.reads(B[vi], A[0:32], idx[vi, 0:4], C[idx[vi, 0]], D[0:32])
                    T.writes(B[vi])
                    for k in range(4):
                        B[vi] = B[vi] + A[idx[vi, k]]
                    B[vi] = B[vi] + C[idx[vi, 0]] + D[T.call_extern("int32", "pick", vi)]
    """)


# ---------------------------------------------------------------------------------------------
# 3. the builder and the parser fill in what a block leaves out
# ---------------------------------------------------------------------------------------------


def _build_rowsum(reads: bool, writes: bool) -> tir.PrimFunc:
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name("rowsum")
            A = T.arg("A", T.Buffer((8, 16), "float32"))
            B = T.arg("B", T.Buffer((8,), "float32"))
            with T.grid(8, 16) as (i, k):
                with T.block("sum"):
                    vi, vk = T.axis.remap("SR", [i, k])
                    if reads:
                        T.reads(A[vi, vk])
                    if writes:
                        T.writes(B[vi])
                    with T.init():
                        B[vi] = T.float32(0)
                    B[vi] = B[vi] + A[vi, vk]
            with T.serial(8) as i:
                with T.block("halve"):
                    vi = T.axis.spatial(8, i)
                    if reads:
                        T.reads(B[vi])
                    if writes:
                        T.writes(B[vi])
                    with T.serial(2):
                        B[vi] = B[vi] * T.float32(0.5)
    return ib.get()


def test_the_irbuilder_infers_missing_regions():
    explicit = _build_rowsum(True, True)
    found = blocks(explicit)
    assert [r.buffer.name for r in found["sum"].reads] == ["A"]  # a reduction: B is not read
    assert [r.buffer.name for r in found["halve"].reads] == ["B"]
    for reads, writes in ((False, False), (True, False), (False, True)):
        assert_structural_equal(_build_rowsum(reads, writes), explicit)


def test_given_regions_are_kept_as_written():
    src = """
        @T.prim_func
        def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32")):
            for i in range(16):
                with T.block("b"):
                    vi = T.axis.spatial(16, i)
                    {regions}
                    B[vi] = A[vi]
    """
    only_reads = blocks(parse_text(src.format(regions="T.reads(A[0:16])")))["b"]
    assert regions_text(only_reads.reads) == ["A[0:16]"]  # wider than the access: kept
    assert regions_text(only_reads.writes) == ["B[vi]"]  # inferred
    only_writes = blocks(parse_text(src.format(regions="T.writes(B[0:16])")))["b"]
    assert regions_text(only_writes.reads) == ["A[vi]"]
    assert regions_text(only_writes.writes) == ["B[0:16]"]
    empty = blocks(parse_text(src.format(regions="T.reads()\n                    T.writes()")))["b"]
    assert empty.reads == () and empty.writes == ()  # given as empty: nothing inferred


ROOT_ONLY = """
    @T.prim_func
    def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32")):
        with T.block("{name}"):
            for i in range(16):
                with T.block("copy"):
                    vi = T.axis.spatial(16, i)
                    B[vi] = A[vi]
        {tail}
"""


@pytest.mark.parametrize("name", ["root", "top"])
def test_a_lone_block_without_axes_is_the_root_and_keeps_empty_regions(name):
    func = parse_text(ROOT_ONLY.format(name=name, tail=""))
    root = func.body.block
    assert root.name_hint == name and root.reads == () and root.writes == ()
    assert regions_text(blocks(func)["copy"].reads) == ["A[vi]"]  # blocks inside it are inferred
    # with a second statement (or a root allocation, below) the block is an ordinary one
    for tail in ("B[0] = A[0]", 'with T.block("again"):\n            B[1] = A[1]'):
        block = blocks(parse_text(ROOT_ONLY.format(name=name, tail=tail)))[name]
        assert regions_text(block.reads) == ["A[0:16]"] and regions_text(block.writes) == ["B[0:16]"]
    with_alloc = parse_text("""
        @T.prim_func
        def f(A: T.Buffer((16,), "float32")):
            C = T.alloc_buffer((16,))
            with T.block("top"):
                C[0] = A[0]
    """)
    assert regions_text(blocks(with_alloc)["top"].reads) == ["A[0]"]
    assert regions_text(blocks(with_alloc)["top"].writes) == ["C[0]"]


def test_the_irbuilder_leaves_an_explicit_root_block_alone():
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name("f")
            A = T.arg("A", T.Buffer((4,), "float32"))
            with T.block("root"):
                with T.block("inner"):
                    A[0] = A[1] + T.float32(1)
    root = ib.get().body.block
    assert root.reads == () and root.writes == ()
    inner = root.body.block
    assert regions_text(inner.reads) == ["A[1]"] and regions_text(inner.writes) == ["A[0]"]


def test_inferred_regions_survive_print_and_parse():
    func = parse_text(strip_regions(GEMM))
    text = print_script(func)
    assert "T.reads(A[vi, vk], B[vj, vk])" in text and "T.writes(C[vi, vj])" in text
    check_roundtrip(func)
    check_roundtrip(parse_text(strip_regions(TVM_MATCH_BUFFER.format(uses="T.evaluate(B0[1, 1])"))))


# ---------------------------------------------------------------------------------------------
# 4. properties of the interval arithmetic
# ---------------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(a=st.integers(-4, 4), b=st.integers(-6, 6), lo=st.integers(-3, 3), extent=st.integers(1, 9),
       threshold=st.none() | st.integers(-4, 12), vi_value=st.integers(-5, 5))
def test_affine_index_region_is_the_exact_min_max(a, b, lo, extent, threshold, vi_value):
    """`A[vi + a * k + b]` for k in range(lo, lo + extent) (under `if k < threshold`): the read
    region runs from the smallest to the largest index, as computed in Python."""
    A = tir.Buffer(None, "float32", (64,), name="A")
    B = tir.Buffer(None, "float32", (4,), name="B")
    vi, k = tir.Var("vi"), tir.Var("k")
    body: tir.Stmt = tir.BufferStore(B, A[vi + k * a + b], (vi,))
    ks = range(lo, lo + extent)
    if threshold is not None:
        body = tir.IfThenElse(k < threshold, body)
        if any(x < threshold for x in ks):  # a dead branch keeps the loop's range
            ks = [x for x in ks if x < threshold]
    loop = tir.For(k, i32(lo), i32(extent), tir.ForKind.SERIAL, body)
    block = tir.Block((tir.IterVar(Range(i32(0), i32(4)), vi),), (), (), "b", loop)
    reads, writes, _ = get_block_access_region(block, [A, B])
    (region,) = reads[0].region
    values = [a * x + b for x in ks]
    env = {vi: vi_value}
    assert arith.evaluate(region.min, env) == vi_value + min(values)
    assert arith.evaluate(region.extent, env) == max(values) - min(values) + 1
    assert regions_text(writes) == ["B[vi]"]


_LEAF = st.one_of(st.just("k"), st.just("x"), st.integers(-6, 6))
_DIVISOR = st.integers(-4, 4).filter(bool)


def _trees(children):
    binary = st.tuples(st.sampled_from(["add", "sub", "mul", "min", "max"]), children, children)
    division = st.tuples(st.sampled_from(["floordiv", "floormod", "truncdiv"]), children, _DIVISOR)
    select = st.tuples(st.just("select"), st.integers(-4, 8), children, children)
    return binary | division | select


_TREES = st.recursive(_LEAF, _trees, max_leaves=8)


def _expr(tree, k: tir.Var, x: tir.Var) -> tir.PrimExpr:
    if tree == "k":
        return k
    if tree == "x":
        return x
    if isinstance(tree, int):
        return i32(tree)
    kind, *args = tree
    if kind == "select":
        return tir.Select(k < args[0], _expr(args[1], k, x), _expr(args[2], k, x))
    lhs = _expr(args[0], k, x)
    rhs = i32(args[1]) if kind in ("floordiv", "floormod", "truncdiv") else _expr(args[1], k, x)
    ops = {"add": top.add, "sub": top.sub, "mul": top.mul, "min": top.min, "max": top.max,
           "floordiv": top.floordiv, "floormod": top.floormod, "truncdiv": top.truncdiv}
    return ops[kind](lhs, rhs)


@settings(max_examples=150, deadline=None)
@given(tree=_TREES, lo=st.integers(-6, 6), extent=st.integers(1, 6), x_value=st.integers(-5, 5))
def test_eval_set_holds_every_value_the_relaxed_var_takes(tree, lo, extent, x_value):
    k, x = tir.Var("k"), tir.Var("x")
    expr = _expr(tree, k, x)
    found = eval_range(Range(i32(lo), i32(extent)), {})
    low, high = eval_set(expr, {id(k): found})
    bounds = [None if side is None else arith.evaluate(side, {x: x_value}) for side in (low, high)]
    for k_value in range(lo, lo + extent):
        value = arith.evaluate(expr, {k: k_value, x: x_value})
        assert bounds[0] is None or bounds[0] <= value, (expr, bounds, k_value)
        assert bounds[1] is None or value <= bounds[1], (expr, bounds, k_value)
    if "k" not in repr(tree) and "select" not in repr(tree):  # nothing relaxed: its own point
        assert low is expr and high is expr


def test_interval_helpers():
    n = tir.Var("n")
    k = tir.Var("k")
    dom = {id(k): (i32(0), n - 1)}
    lo, hi = eval_set(k * 2 + 1, dom)
    assert (arith.evaluate(lo, {n: 9}), arith.evaluate(hi, {n: 9})) == (1, 17)
    assert eval_set(top.floordiv(k, n), dom) == EVERYTHING  # a divisor of unknown sign
    assert eval_set(top.call_extern("int32", "f", k), dom) == EVERYTHING
    assert eval_set(k * k, dom) == EVERYTHING
    fixed = n + 1
    assert eval_set(fixed, dom) == (fixed, fixed)  # no relaxed var: a point, the very expression
    full = Range(i32(0), i32(16))
    assert cover_range(EVERYTHING, full) is full and cover_range((i32(3), None), full) is full
    r = cover_range(union((i32(2), i32(5)), (i32(9), i32(9))), full)
    assert (r.min.value, r.extent.value) == (2, 8)
    point = cover_range((n, n), full)
    assert point.min is n and point.extent.value == 1
    m = tir.Var("m")
    one = eval_range(Range(m, i32(1)), {})
    assert one[0] is m and one[1] is m
