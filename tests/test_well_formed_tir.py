"""The TIR well-formedness rules and the dialect-neutral driver: every rule has a failing
example built with node constructors (message and exact path asserted), valid IR passes."""

from __future__ import annotations

import pytest
from hypothesis import given

import irscript
import irscript.tir.well_formed  # registers the PrimFunc checker
from irscript import tir
from irscript.ir import BaseFunc, IRModule, Range, field
from irscript.ir.path import Attr, Index
from irscript.ir.well_formed import (
    CheckContext,
    WellFormedError,
    assert_well_formed,
    check_well_formed,
    register_checker,
)
from irscript.testing.strategies import SETTINGS, prim_funcs
from irscript.tir import (
    Allocate,
    AttrStmt,
    Block,
    BlockRealize,
    Buffer,
    BufferLoad,
    BufferRegion,
    BufferStore,
    CommReducer,
    DeclBuffer,
    Evaluate,
    For,
    ForKind,
    IntImm,
    IterVar,
    IterVarType,
    Let,
    LetStmt,
    MatchBufferRegion,
    PointerType,
    PrimFunc,
    SeqStmt,
    Var,
)

S = ForKind.SERIAL


def _problems(node) -> list[tuple[str, str]]:
    return [(e.message, str(e.path)) for e in check_well_formed(node)]


def _func(body, *buffers: Buffer, params: tuple = ()) -> PrimFunc:
    handles = [Var(b.name.lower(), "handle") for b in buffers]
    return PrimFunc(tuple(params) + tuple(handles), body, buffer_map=dict(zip(handles, buffers)))


def _realize(block: Block, values: tuple = ()) -> BlockRealize:
    return BlockRealize(values, IntImm("bool", 1), block)


@pytest.fixture
def ab():
    n = Var("n")
    return n, Buffer(None, "float32", (n, 16), name="A"), Buffer(None, "float32", (n, 16), name="B")


# ---------------------------------------------------------------------------------------------
# valid IR passes
# ---------------------------------------------------------------------------------------------
def _valid_kitchen_sink() -> PrimFunc:
    """One function using every binding construct correctly."""
    n = Var("n")
    A = Buffer(None, "float32", (n, 16), name="A")
    B = Buffer(None, "float32", (n,), name="B")
    i, j, vi, vk = Var("i"), Var("j"), Var("vi"), Var("vk")
    T_loc = Buffer(None, "float32", (16,), name="T_local", scope="local")
    sub = Buffer(None, "float32", (16,), name="A_row", strides=(Var("s0"),), elem_offset=Var("off"))
    iv_i = IterVar(Range(0, n), vi, IterVarType.DATA_PAR)
    iv_k = IterVar(Range(0, 16), vk, IterVarType.COMM_REDUCE)
    init = BufferStore(B, tir.FloatImm("float32", 0.0), (vi,))
    body = SeqStmt((
        BufferStore(T_loc, BufferLoad(sub, (vk,)), (vk,)),
        BufferStore(B, BufferLoad(B, (vi,)) + BufferLoad(T_loc, (vk,)), (vi,)),
    ))
    block = Block(
        (iv_i, iv_k), (BufferRegion.from_indices(A, (vi, slice(0, 16))),), (BufferRegion.from_indices(B, (vi,)),),
        "reduce", body, init=init, alloc_buffers=(T_loc,),
        match_buffers=(MatchBufferRegion(sub, BufferRegion.from_indices(A, (vi, slice(0, 16)))),),
    )
    loops = For(i, 0, n, S, For(j, 0, 16, S, _realize(block, (i, j))))
    # lowered-style code: allocate + decl_buffer, let, threads, a reducer
    ptr = Var("buf", "handle", PointerType("float32", "shared"))
    shared = Buffer(ptr, "float32", (32,), name="S")
    tx = IterVar(Range(0, 32), Var("threadIdx.x"), IterVarType.THREAD_INDEX, "threadIdx.x")
    x = Var("x")
    launch = AttrStmt(tx, "thread_extent", 32, LetStmt(x, tx.var * 2, BufferStore(shared, 1.0, (x,))))
    lowered = Allocate(ptr, "float32", (32,), IntImm("bool", 1), DeclBuffer(shared, launch))
    y = Var("y")
    relaunch = AttrStmt(tx, "thread_extent", 32, Evaluate(tx.var + Let(y, 1, y * 2)))
    lhs, rhs = Var("a", "float32"), Var("b", "float32")
    reducer = CommReducer((lhs,), (rhs,), (lhs + rhs,), (tir.FloatImm("float32", 0.0),))
    reduce_attr = AttrStmt(reducer, "reduce_scope", 0, Evaluate(0))
    return _func(SeqStmt((loops, lowered, reduce_attr, relaunch)), A, B)


def test_valid_function_passes():
    func = _valid_kitchen_sink()
    assert _problems(func) == []
    assert _problems(IRModule({"main": func})) == []


def test_valid_elementwise_passes(ab):
    n, A, B = ab
    i, j = Var("i"), Var("j")
    body = For(i, 0, n, S, For(j, 0, 16, S, BufferStore(B, BufferLoad(A, (i, j)) * 2.0, (i, j))))
    func = _func(body, A, B)
    assert check_well_formed(func) == []
    assert_well_formed(func)
    assert_well_formed(IRModule({"main": func}))


def test_scalar_param_and_composite_shape(ab):
    m = Var("m")
    C = Buffer(None, "float32", (m * 2,), name="C")
    i = Var("i")
    func = _func(For(i, 0, m * 2, S, BufferStore(C, 0.0, (i,))), C, params=(m,))
    assert _problems(func) == []


def test_shared_subtree_is_not_a_redefinition(ab):
    n, A, B = ab
    i = Var("i")
    loop = For(i, 0, n, S, BufferStore(A, 0.0, (i, 0)))
    assert _problems(_func(SeqStmt((loop, loop)), A)) == []


@given(prim_funcs())
@SETTINGS
def test_generated_prim_funcs_are_well_formed(func):
    assert check_well_formed(func) == []


# ---------------------------------------------------------------------------------------------
# undefined and out-of-scope vars
# ---------------------------------------------------------------------------------------------
def test_undefined_var(ab):
    n, A, B = ab
    i, k = Var("i"), Var("k")
    func = _func(For(i, 0, n, S, BufferStore(B, BufferLoad(A, (i, k)), (i, 0))), A, B)
    assert _problems(func) == [("variable 'k' is used but not defined", "body.body.value.indices[1]")]


def test_undefined_var_reported_once(ab):
    n, A, B = ab
    k = Var("k")
    func = _func(SeqStmt((BufferStore(A, 0.0, (k, k)), BufferStore(A, 1.0, (k, 0)))), A)
    assert _problems(func) == [("variable 'k' is used but not defined", "body.seq[0].indices[0]")]


def test_loop_var_outside_loop(ab):
    n, A, B = ab
    i = Var("i")
    func = _func(SeqStmt((For(i, 0, n, S, BufferStore(A, 0.0, (i, 0))), BufferStore(A, 1.0, (i, 1)))), A)
    assert _problems(func) == [("loop variable 'i' is used outside its loop", "body.seq[1].indices[0]")]


def test_loop_extent_uses_outer_scope(ab):
    n, A, B = ab
    i = Var("i")
    func = _func(For(i, 0, i + 1, S, BufferStore(A, 0.0, (i, 0))), A)
    assert _problems(func) == [("variable 'i' is used but not defined", "body.extent.a")]


def test_let_var_outside_let(ab):
    n, A, B = ab
    x = Var("x")
    func = _func(SeqStmt((LetStmt(x, 1, BufferStore(A, 0.0, (x, 0))), BufferStore(A, 0.0, (0, x)))), A)
    assert _problems(func) == [("variable 'x' is used outside its let scope", "body.seq[1].indices[1]")]


def test_let_expression_scope(ab):
    n, A, B = ab
    x = Var("x")
    value = Let(x, 2, x * 3) + x
    func = _func(BufferStore(A, 0.0, (value, 0)), A)
    assert _problems(func) == [("variable 'x' is used outside its let scope", "body.indices[0].b")]


def _block_with(vi: Var, body, reads=(), writes=(), **kw) -> Block:
    return Block((IterVar(Range(0, 16), vi),), reads, writes, "B", body, **kw)


def test_block_var_outside_block(ab):
    n, A, B = ab
    vi, i = Var("vi"), Var("i")
    block = _block_with(vi, BufferStore(A, 0.0, (vi, 0)))
    body = For(i, 0, 16, S, SeqStmt((_realize(block, (i,)), BufferStore(A, 0.0, (vi, 1)))))
    assert _problems(_func(body, A)) == [
        ("block variable 'vi' is used outside its block", "body.body.seq[1].indices[0]")
    ]


def test_block_iter_dom_and_values_use_outer_scope(ab):
    n, A, B = ab
    vi, vj = Var("vi"), Var("vj")
    block = Block((IterVar(Range(0, vi), vi),), (), (), "B", BufferStore(A, 0.0, (vi, 0)))
    assert _problems(_func(_realize(block, (0,)), A)) == [
        ("variable 'vi' is used but not defined", "body.block.iter_vars[0].dom.extent"),
    ]
    block = Block((IterVar(Range(0, 16), vj),), (), (), "B", BufferStore(A, 0.0, (vj, 0)))
    assert _problems(_func(_realize(block, (vj,)), A)) == [
        ("variable 'vj' is used but not defined", "body.iter_values[0]"),
    ]


def test_block_realize_value_count(ab):
    n, A, B = ab
    vi = Var("vi")
    block = _block_with(vi, BufferStore(A, 0.0, (vi, 0)))
    assert _problems(_func(_realize(block, (0, 1)), A)) == [
        ("block 'B' has 1 iteration variable but is given 2 values", "body")
    ]


def test_thread_var_scope_and_relaunch(ab):
    n, A, B = ab
    tx = IterVar(Range(0, 32), Var("threadIdx.x"), IterVarType.THREAD_INDEX, "threadIdx.x")
    launch = AttrStmt(tx, "thread_extent", 32, BufferStore(A, 0.0, (tx.var, 0)))
    after = BufferStore(A, 0.0, (0, tx.var))
    assert _problems(_func(SeqStmt((launch, launch, after)), A)) == [
        ("thread variable 'threadIdx.x' is used outside its launch", "body.seq[2].indices[1]")
    ]
    nested = AttrStmt(tx, "thread_extent", 32, AttrStmt(tx, "thread_extent", 32, Evaluate(tx.var)))
    assert _problems(_func(nested, A)) == [("variable 'threadIdx.x' is defined twice", "body.body.node.var")]


def test_comm_reducer_vars_scope(ab):
    n, A, B = ab
    lhs, rhs = Var("x", "float32"), Var("y", "float32")
    reducer = CommReducer((lhs,), (rhs,), (lhs + rhs,), (lhs,))
    func = _func(AttrStmt(reducer, "reduce_scope", 0, Evaluate(0)), A)
    assert _problems(func) == [("variable 'x' is used outside its scope", "body.node.identity_element[0]")]


def test_allocate_var_scope(ab):
    n, A, B = ab
    ptr = Var("p", "handle", PointerType("float32"))
    buf = Buffer(ptr, "float32", (4,), name="P")
    alloc = Allocate(ptr, "float32", (4,), IntImm("bool", 1), BufferStore(buf, 0.0, (0,)))
    assert _problems(_func(alloc, A)) == []
    func = _func(SeqStmt((alloc, BufferStore(buf, 0.0, (1,)))), A)
    assert _problems(func) == [("buffer 'P' is used outside its scope", "body.seq[1].buffer")]


# ---------------------------------------------------------------------------------------------
# buffers
# ---------------------------------------------------------------------------------------------
def test_undefined_buffer(ab):
    n, A, B = ab
    C = Buffer(None, "float32", (16,), name="C")
    i = Var("i")
    func = _func(For(i, 0, 16, S, BufferStore(A, BufferLoad(C, (i,)), (0, i))), A)
    assert _problems(func) == [("buffer 'C' is used but not defined", "body.body.value.buffer")]


def test_undefined_buffer_in_region(ab):
    n, A, B = ab
    C = Buffer(None, "float32", (16,), name="C")
    vi = Var("vi")
    block = _block_with(vi, Evaluate(0), reads=(BufferRegion.from_indices(C, (vi,)),))
    assert _problems(_func(_realize(block, (0,)), A)) == [
        ("buffer 'C' is used but not defined", "body.block.reads[0].buffer")
    ]


def test_alloc_buffer_outside_block(ab):
    n, A, B = ab
    vi = Var("vi")
    local = Buffer(None, "float32", (16,), name="local")
    block = _block_with(vi, BufferStore(local, 0.0, (vi,)), alloc_buffers=(local,))
    func = _func(SeqStmt((_realize(block, (0,)), BufferStore(A, BufferLoad(local, (0,)), (0, 0)))), A)
    assert _problems(func) == [("buffer 'local' is used outside its scope", "body.seq[1].value.buffer")]


def test_decl_buffer_scope(ab):
    n, A, B = ab
    view = Buffer(A.data, "float32", (16 * 16,), name="A_flat")
    func = _func(SeqStmt((DeclBuffer(view, BufferStore(view, 0.0, (3,))), BufferStore(view, 0.0, (4,)))), A)
    assert _problems(func) == []  # A_flat aliases A's data, which is in scope for the whole function
    other = Buffer(None, "float32", (4,), name="D")
    func = _func(SeqStmt((DeclBuffer(other, BufferStore(other, 0.0, (3,))), BufferStore(other, 0.0, (1,)))), A)
    assert _problems(func) == [("buffer 'D' is used outside its scope", "body.seq[1].buffer")]


def test_match_buffer_defines_buffer_and_layout_vars(ab):
    n, A, B = ab
    vi = Var("vi")
    stride = Var("stride")
    view = Buffer(None, "float32", (16,), name="row", strides=(stride,))
    body = BufferStore(view, tir.Cast("float32", stride), (vi,))
    match = MatchBufferRegion(view, BufferRegion.from_indices(A, (vi, slice(0, 16))))
    block = _block_with(vi, body, match_buffers=(match,))
    assert _problems(_func(_realize(block, (0,)), A)) == []
    bad_source = MatchBufferRegion(view, BufferRegion.from_indices(A, (Var("q"), slice(0, 16))))
    block = _block_with(vi, body, match_buffers=(bad_source,))
    assert _problems(_func(_realize(block, (0,)), A)) == [
        ("variable 'q' is used but not defined", "body.block.match_buffers[0].source.region[0].min")
    ]


def test_buffer_map_shape_vars_and_uses():
    n = Var("n")
    A = Buffer(None, "float32", (n * 2,), name="A")  # n never appears bare
    i = Var("i")
    func = _func(For(i, 0, 4, S, BufferStore(A, 0.0, (i,))), A)
    assert _problems(func) == [("variable 'n' is used but not defined", 'buffer_map["a"].shape[0].a')]


def test_buffer_map_key_must_be_a_param(ab):
    n, A, B = ab
    stray = Var("stray", "handle")
    func = PrimFunc((), Evaluate(0), buffer_map={stray: A})
    assert _problems(func) == [("buffer_map key 'stray' is not a parameter of the function", 'buffer_map["stray"]')]


def test_wrong_number_of_indices(ab):
    n, A, B = ab
    i = Var("i")
    store = BufferStore(B, BufferLoad(A, (i,)), (i, 0, 1))
    func = _func(For(i, 0, n, S, store), A, B)
    assert _problems(func) == [
        ("buffer 'B' has 2 dimensions but is accessed with 3 indices", "body.body"),
        ("buffer 'A' has 2 dimensions but is accessed with 1 index", "body.body.value"),
    ]


def test_wrong_region_rank(ab):
    n, A, B = ab
    vi = Var("vi")
    region = BufferRegion(A, (Range(vi, 1),))
    block = _block_with(vi, Evaluate(0), writes=(region,))
    assert _problems(_func(_realize(block, (0,)), A)) == [
        ("buffer 'A' has 2 dimensions but its region has 1 range", "body.block.writes[0]")
    ]


# ---------------------------------------------------------------------------------------------
# single definition
# ---------------------------------------------------------------------------------------------
def test_var_defined_twice_in_sibling_loops(ab):
    n, A, B = ab
    i = Var("i")
    first = For(i, 0, n, S, BufferStore(A, 0.0, (i, 0)))
    second = For(i, 0, n, S, BufferStore(A, 1.0, (i, 0)))
    assert _problems(_func(SeqStmt((first, second)), A)) == [
        ("variable 'i' is defined twice", "body.seq[1].loop_var")
    ]


def test_var_defined_twice_nested(ab):
    n, A, B = ab
    i = Var("i")
    func = _func(For(i, 0, n, S, For(i, 0, 4, S, BufferStore(A, 0.0, (i, 0)))), A)
    assert _problems(func) == [("variable 'i' is defined twice", "body.body.loop_var")]


def test_param_redefined_by_let(ab):
    n, A, B = ab
    func = _func(LetStmt(n, 3, Evaluate(n)), A, params=(n,))
    assert _problems(func) == [("variable 'n' is defined twice", "body.var")]


def test_buffer_allocated_twice(ab):
    n, A, B = ab
    local = Buffer(None, "float32", (4,), name="L")
    b1 = _block_with(Var("v1"), Evaluate(0), alloc_buffers=(local,))
    b2 = _block_with(Var("v2"), Evaluate(0), alloc_buffers=(local,))
    func = _func(SeqStmt((_realize(b1, (0,)), _realize(b2, (0,)))), A)
    assert _problems(func) == [("buffer 'L' is defined twice", "body.seq[1].block.alloc_buffers[0]")]


# ---------------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------------
def test_module_paths_and_function_names(ab):
    n, A, B = ab
    k = Var("k")
    good = _func(Evaluate(0), A)
    bad = _func(BufferStore(A, 0.0, (k, 0)), A)
    errors = check_well_formed(IRModule({"good": good, "bad": bad}))
    assert errors == [
        WellFormedError("variable 'k' is used but not defined", errors[0].path, "bad"),
    ]
    assert str(errors[0].path) == 'functions["bad"].body.indices[0]'
    assert errors[0].path.resolve(IRModule({"good": good, "bad": bad})) is k
    assert str(errors[0]) == "variable 'k' is used but not defined (at functions[\"bad\"].body.indices[0])"


def test_function_name_from_global_symbol(ab):
    n, A, B = ab
    func = _func(Evaluate(Var("k")), A).with_attr("global_symbol", "kernel")
    (err,) = check_well_formed(func)
    assert err.function == "kernel"
    assert str(err.path) == "body.value"


def test_assert_well_formed_lists_problems(ab):
    n, A, B = ab
    i, k = Var("i"), Var("k")
    func = _func(SeqStmt((BufferStore(A, 0.0, (k, 0)), BufferStore(A, 0.0, (i,)))), A)
    with pytest.raises(irscript.IRError) as info:
        assert_well_formed(func)
    text = str(info.value)
    assert "not well-formed (3 problems)" in text
    assert "variable 'k' is used but not defined (at body.seq[0].indices[0])" in text
    assert "buffer 'A' has 2 dimensions but is accessed with 1 index (at body.seq[1])" in text
    assert [e.message for e in info.value.errors][2] == "variable 'i' is used but not defined"


class _ToyFunc(BaseFunc, type_key="test_wf.ToyFunc"):
    """A function of a user dialect, to show the driver dispatches by registered class."""

    __slots__ = ()
    names: tuple[str, ...] = field(default=())


def test_driver_dispatches_to_registered_checkers():
    assert check_well_formed(_ToyFunc(("x",))) == []  # no checker: nothing to check

    def toy_checker(func: _ToyFunc, ctx: CheckContext) -> None:
        seen = set()
        for i, name in enumerate(func.names):
            if name in seen:
                ctx.report(f"name '{name}' is repeated", (Attr("names"), Index(i)))
            seen.add(name)

    register_checker(_ToyFunc, toy_checker)
    mod = IRModule({"toy": _ToyFunc(("a", "b", "a"))})
    assert _problems(mod) == [("name 'a' is repeated", 'functions["toy"].names[2]')]


def test_driver_rejects_non_functions():
    with pytest.raises(irscript.IRError, match="expects an IRModule or a function"):
        check_well_formed(IntImm("int32", 1))
