"""Every node prints: coverage of all node kinds (builder models, hypothesis IR, single nodes), the
spelling rules of expressions, statements and Relax forms, options, `show`, and a user dialect
registering its own printer handlers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from irscript import relax, tir
from irscript.doc import nodes as D
from irscript.errors import IRError
from irscript.ir import GlobalVar, IRModule, Node, field, pre_order, registered_node_types
from irscript.ir.expr import PrimExpr
from irscript.printer import Dialect, IRDocsifier, print_script, register, show
from irscript.printer.core import _generic_node, handler_for
from irscript.printer.tir_expr import TIR
from irscript.relax.op import call_dps_packed, call_packed, call_pure_packed, call_tir, call_tir_inplace
from irscript.relax.op.registry import get_entry
from irscript.testing.builder_models import all_builder_modules
from irscript.testing.strategies import SETTINGS, ir_modules
from irscript.tir import op as top

CORE = ("irscript.ir.", "irscript.tir.", "irscript.relax.")
I32, I64 = "int32", "int64"
OPTION_SETS = ({}, {"verbose_expr": True}, {"syntax": "tvm-0.25"}, {"show_meta": False, "indent": 2})


def _print_every_node(root: Node) -> set[str]:
    kinds = set()
    for node in pre_order(root):
        for opts in OPTION_SETS:
            text = print_script(node, **opts)
            assert isinstance(text, str) and text.strip(), (node.type_key, opts)
        kinds.add(node.type_key)
    return kinds


def test_every_core_node_type_has_a_printer():
    missing = [k for k, c in registered_node_types().items()
               if c.__module__.startswith(CORE) and handler_for(c) is _generic_node]
    assert missing == []


def test_every_node_of_the_builder_models_prints_alone():
    kinds = set()
    for mod in all_builder_modules():
        kinds |= _print_every_node(mod)
    assert {"tir.Block", "tir.Allocate", "tir.CommReducer", "relax.If", "relax.MatchCast", "relax.Function"} <= kinds


@settings(SETTINGS, max_examples=25)
@given(ir_modules())
def test_every_node_of_generated_modules_prints_alone(mod):
    _print_every_node(mod)


# ---------------------------------------------------------------------------------------------
# expressions
# ---------------------------------------------------------------------------------------------
n = tir.Var("n", I64)
i = tir.Var("i", I32)
x = tir.Var("x", "float32")
b = tir.Var("b", "bool")


def _i(v: int, dtype: str = I64) -> tir.IntImm:
    return tir.IntImm(dtype, v)


@pytest.mark.parametrize("expr, text", [
    (n + 1, "n + 1"),                                   # the int64 dtype is implied by n
    (1 + n, "1 + n"),
    (_i(3), "T.int64(3)"),                              # not implied on its own
    (tir.IntImm(I32, 3), "3"),
    (n < 5, "n < 5"),
    (tir.LT(_i(5), n), "T.int64(5) < n"),               # a bare `5 < n` would read as `n > 5`
    (tir.EQ(tir.IntImm(I32, 3), i), "T.int32(3) == i"),
    (tir.Add(_i(1), _i(2)), "T.int64(1) + 2"),          # `1 + 2` would fold in Python
    (tir.Add(tir.IntImm(I32, 1), tir.IntImm(I32, 2)), "T.int32(1) + 2"),
    (i * -1, "i * -1"),
    (x * 2.0, "x * T.float32(2.0)"),
    (x / 2.0, "x / T.float32(2.0)"),
    (tir.Div(i, i), "T.truncdiv(i, i)"),
    (tir.Mod(i, i), "T.truncmod(i, i)"),
    (top.floordiv(n, 2), "n // 2"),
    (top.floormod(n, 2), "n % 2"),
    (tir.And(tir.And(b, b), tir.Not(b)), "b and b and not b"),
    (tir.And(b, tir.Or(b, b)), "b and (b or b)"),
    (top.min(i, 3), "T.min(i, 3)"),
    (top.exp(x), "T.exp(x)"),
    (top.MATH["isnan"](x), "T.isnan(x)"),
    (top.power(x, 2.0), "T.pow(x, T.float32(2.0))"),
    (top.bitwise_and(i, 3), "T.bitwise_and(i, 3)"),
    (top.if_then_else(b, x, x), "T.if_then_else(b, x, x)"),
    (top.call_extern("int32", "f", i, 1), 'T.call_extern("int32", "f", i, 1)'),
    (top.call_packed("g", i, dtype="float32"), 'T.call_packed("g", i, dtype="float32")'),
    (top.reinterpret("float32", i), 'T.reinterpret("float32", i)'),
    (tir.Call("float32", "tir.exp", [i]), 'T.call_intrin("float32", "exp", i)'),  # not what T.exp(i) makes
    (tir.Call(I32, "tir.tvm_storage_sync", ["shared"]), 'T.call_intrin("int32", "tvm_storage_sync", "shared")'),
    (tir.Select(b, x, x), "T.Select(b, x, x)"),
    (tir.Cast("float16", x), 'T.Cast("float16", x)'),
    (tir.Ramp(i, 1, 4), "T.Ramp(i, 1, 4)"),
    (tir.Broadcast(x, 4), "T.Broadcast(x, 4)"),
    (tir.IntImm("bool", 1), "True"),
    (tir.IntImm("uint8", 7), "T.uint8(7)"),
    (tir.FloatImm("float16", float("-inf")), 'T.float16(float("-inf"))'),
    (tir.StringImm("s"), '"s"'),
    (tir.Var("m", I64) + tir.SizeVar("k", I64), "m + k"),
])
def test_expression_spelling(expr, text):
    assert print_script(expr) == text


def test_let_expression_declares_its_var():
    w = tir.Var("w", I32)
    let = tir.Let(w, 1, w + i)
    assert print_script(let) == "w = T.int32()\nT.let(w, 1, w + i)"
    assert print_script(let, syntax="tvm-0.25") == "w = T.int32()\nT.Let(w + i, where={w: 1})"


def test_other_tir_nodes_alone():
    A = tir.Buffer(None, "float16", (16, n), name="A")
    assert print_script(A) == 'n = T.int64()\nA = T.Buffer((16, n), "float16")'
    assert print_script(A[i, 0:4]) == "A[i, 0:4]"
    assert print_script(tir.Range(_i(0), n)) == "T.Range(T.int64(0), n)"
    iv = tir.IterVar(tir.Range(tir.IntImm(I32, 0), tir.IntImm(I32, 8)), i, tir.IterVarType.THREAD_INDEX, "threadIdx.x")
    assert print_script(iv) == 'T.iter_var(i, T.Range(0, 8), "ThreadIndex", "threadIdx.x")'
    lhs, rhs = tir.Var("x", "float32"), tir.Var("y", "float32")
    red = tir.CommReducer((lhs,), (rhs,), (lhs + rhs,), (tir.FloatImm("float32", 0.0),))
    assert print_script(red) == "T.comm_reducer(lambda x, y: x + y, [T.float32(0.0)])"
    view = tir.Buffer(None, "float16", (4,), name="V")
    match = tir.MatchBufferRegion(view, A[0, 0:4])
    assert print_script(match) == "V = T.match_buffer(A[0, 0:4], (4,), \"float16\")  # undefined: A"
    assert print_script(GlobalVar("f")) == 'I.GlobalVar("f")'


# ---------------------------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------------------------
def _func(body: tir.Stmt, *params: tir.Var, buffer_map=None, **attrs) -> tir.PrimFunc:
    return tir.PrimFunc(params, body, "void", buffer_map or {}, {"global_symbol": "f", **attrs})


def _body(text: str) -> str:
    return text.split("):\n", 1)[1]


A16 = tir.Buffer(None, "float32", (16,), name="A")
STORE = tir.BufferStore(A16, tir.FloatImm("float32", 1.0), (tir.IntImm(I32, 0),))


def test_loops():
    j = tir.Var("j", I32)
    serial = tir.For(j, tir.IntImm(I32, 2), tir.IntImm(I32, 4), tir.ForKind.SERIAL, STORE)
    assert "for j in range(2, 6):" in print_script(serial)
    ann = tir.For(j, tir.IntImm(I32, 0), n.astype(I32), tir.ForKind.SERIAL, STORE, None, {"pragma": 1})
    assert 'for j in T.serial(T.Cast("int32", n), annotations={"pragma": 1}):' in print_script(ann)
    k = tir.Var("k", I64)
    par = tir.For(k, _i(1), n, tir.ForKind.PARALLEL, STORE)
    assert "for k in T.parallel(T.int64(1), 1 + n):" in print_script(par)
    tb = tir.IterVar(None, tir.Var("t", I32), tir.IterVarType.THREAD_INDEX, "threadIdx.y")
    bound = tir.For(j, tir.IntImm(I32, 0), tir.IntImm(I32, 8), tir.ForKind.THREAD_BINDING, STORE, tb)
    assert 'for j in T.thread_binding(8, thread="threadIdx.y"):' in print_script(bound)
    vec = tir.For(j, tir.IntImm(I32, 0), tir.IntImm(I32, 4), tir.ForKind.VECTORIZED, STORE)
    unroll = tir.For(i, tir.IntImm(I32, 0), tir.IntImm(I32, 2), tir.ForKind.UNROLLED, vec)
    assert print_script(unroll).startswith("for i in T.unroll(2):\n    for j in T.vectorized(4):")
    grid = tir.For(i, tir.IntImm(I32, 0), tir.IntImm(I32, 2), tir.ForKind.SERIAL, serial)
    assert print_script(grid).startswith("for i in range(2):\n    for j in range(2, 6):")  # not from 0: no grid
    nest = tir.For(i, tir.IntImm(I32, 0), tir.IntImm(I32, 2), tir.ForKind.SERIAL,
                   tir.For(j, tir.IntImm(I32, 0), tir.IntImm(I32, 4), tir.ForKind.SERIAL, STORE))
    assert print_script(nest).startswith("for i, j in T.grid(2, 4):")


def body_of(stmt: tir.Stmt) -> str:
    """The printed body of a function with params i, b and A (so nothing is undefined)."""
    handle = tir.Var("a", "handle")
    return _body(print_script(_func(stmt, i, b, handle, buffer_map={handle: A16})))


def test_scoping_statements_concise_when_last_else_with():
    v = tir.Var("v", I32)
    let = tir.LetStmt(v, i + 1, STORE)
    assert body_of(let) == "    v: T.int32 = i + 1\n    A[0] = T.float32(1.0)"
    assert body_of(tir.SeqStmt((let, STORE))).startswith("    with T.LetStmt(i + 1) as v:\n        A[0] = T.")
    wide = tir.LetStmt(tir.Var("w", I64), tir.Cast(I64, i), STORE)
    assert body_of(tir.SeqStmt((wide, STORE))).startswith('    with T.LetStmt(T.Cast("int64", i)) as w:')
    retyped = tir.LetStmt(tir.Var("w", I64), i, STORE)  # the var's dtype is not the value's
    assert body_of(tir.SeqStmt((retyped, STORE))).startswith("    with T.LetStmt(i, T.int64()) as w:")
    asrt = tir.AssertStmt(i > 0, "positive", STORE)
    assert body_of(asrt) == '    assert i > 0, "positive"\n    A[0] = T.float32(1.0)'
    assert body_of(tir.SeqStmt((asrt, STORE))).startswith('    with T.Assert(i > 0, "positive"):\n        A[0]')
    attr = tir.AttrStmt(i, "pragma_x", tir.IntImm(I32, 1), STORE)
    assert body_of(attr) == '    T.attr(i, "pragma_x", 1)\n    A[0] = T.float32(1.0)'
    node = tir.AttrStmt(tir.StringImm("default"), "k", tir.IntImm(I32, 1), STORE)
    assert body_of(tir.SeqStmt((node, STORE))).startswith('    with T.attr(T.StringImm("default"), "k", 1):')
    cond = tir.IfThenElse(tir.IntImm("bool", 1), STORE, tir.IfThenElse(b, STORE))
    # a bare `if True:` would be decided while parsing (metaprogramming)
    assert body_of(cond) == ("    if T.bool(True):\n        A[0] = T.float32(1.0)\n    elif b:\n"
                             "        A[0] = T.float32(1.0)")
    assert body_of(tir.While(i < 3, STORE)) == "    while i < 3:\n        A[0] = T.float32(1.0)"
    assert body_of(tir.Evaluate(i)) == "    T.evaluate(i)"
    assert body_of(tir.Evaluate(top.call_extern("int32", "f"))) == '    T.call_extern("int32", "f")'


def test_launch_thread_and_env_thread():
    tx = tir.Var("tx", I32)
    iv = tir.IterVar(tir.Range(tir.IntImm(I32, 0), tir.IntImm(I32, 32)), tx, tir.IterVarType.THREAD_INDEX, "threadIdx.x")
    store = tir.BufferStore(A16, tir.FloatImm("float32", 1.0), (tx,))
    launch = tir.AttrStmt(iv, "thread_extent", tir.IntImm(I32, 32), store)
    assert print_script(launch).startswith('tx = T.launch_thread("threadIdx.x", 32)\nA[tx] = ')
    assert print_script(tir.SeqStmt((launch, launch))).startswith(
        'with T.launch_thread("threadIdx.x", 32) as tx:\n    A[tx]')
    t64 = tir.Var("t", I64)
    iv64 = tir.IterVar(tir.Range(_i(0), _i(4)), t64, tir.IterVarType.THREAD_INDEX, "blockIdx.x")
    text = print_script(tir.AttrStmt(iv64, "thread_extent", _i(4), STORE))
    assert text.startswith('t = T.env_thread("blockIdx.x", dtype="int64")\nT.launch_thread(t, T.int64(4))')
    vthread = tir.IterVar(tir.Range(tir.IntImm(I32, 0), tir.IntImm(I32, 2)), tx, tir.IterVarType.THREAD_INDEX, "vthread")
    odd = tir.AttrStmt(vthread, "thread_extent", tir.IntImm(I32, 2), STORE)  # the builder would say virtual_thread
    assert print_script(odd).startswith('T.attr(T.iter_var(tx, T.Range(T.int32(0), T.int32(2)), "ThreadIndex", '
                                        '"vthread"), "thread_extent", 2)')


def test_allocate_and_decl_buffer():
    data = tir.Var("buf", "handle", tir.PointerType("float32", "shared"))
    buf = tir.Buffer(data, "float32", (8,), name="buf")
    store = tir.BufferStore(buf, tir.FloatImm("float32", 0.0), (tir.IntImm(I32, 0),))
    sugar = tir.Allocate(data, "float32", (tir.IntImm(I32, 8),), tir.IntImm("bool", 1), tir.DeclBuffer(buf, store))
    assert print_script(sugar) == 'buf = T.decl_buffer((8,), scope="shared")\nbuf[0] = T.float32(0.0)'
    plain = tir.Allocate(data, "float32", (tir.IntImm(I32, 8),), tir.IntImm("bool", 1), tir.DeclBuffer(buf, store),
                         {"pragma": True})
    assert print_script(plain) == ('buf_data = T.allocate([8], "float32", "shared", annotations={"pragma": True})\n'
                                   'buf = T.decl_buffer((8,), data=buf_data)\nbuf[0] = T.float32(0.0)')
    alone = tir.DeclBuffer(buf, store)
    assert print_script(alone) == ('buf_data = T.handle("float32", "shared")\nbuf = T.decl_buffer((8,), data=buf_data)\n'
                                   'buf[0] = T.float32(0.0)')


def test_buffer_declarations():
    a = tir.Var("a", "handle")
    m = tir.Var("m", I32)
    strided = tir.Buffer(None, "int8", (m, 4), (4, 1), None, "B", 16, 2, (1,), scope="local")
    text = print_script(_func(tir.Evaluate(0), a, buffer_map={a: strided}))
    # elem_offset=0 is spelled out: `offset_factor=` alone would make a new offset var
    assert ('    m = T.int32()\n    B = T.match_buffer(a, (m, 4), "int8", strides=(4, 1), elem_offset=T.int32(0), '
            'scope="local", align=16, offset_factor=2, axis_separators=[1])') in text
    factor = tir.Buffer(None, "float32", (8,), (), tir.Var("off", I32), "E", 64, 4)
    text = print_script(_func(tir.Evaluate(0), a, buffer_map={a: factor}))
    assert "    E = T.match_buffer(a, (8,), offset_factor=4)" in text
    offset = tir.Buffer(None, "float32", (16,), (), tir.IntImm(I32, 4), "C")
    text = print_script(_func(tir.Evaluate(0), a, buffer_map={a: offset}))
    assert "    C = T.match_buffer(a, (16,), elem_offset=T.int32(4))" in text
    shared = tir.Buffer(A16.data, "float32", (4, 4), name="D")  # a second view of A's memory
    b_ = tir.Var("b", "handle")
    text = print_script(_func(tir.Evaluate(0), a, b_, buffer_map={a: A16, b_: shared}))
    assert 'def f(A: T.Buffer((16,), "float32"), b: T.handle):\n    D = T.match_buffer(b, (4, 4), data=A.data)' in text


# ---------------------------------------------------------------------------------------------
# Relax
# ---------------------------------------------------------------------------------------------
T4 = relax.TensorStructInfo((4,), "float32")


def _relax(bindings, result, *params, pure=True, dataflow=False) -> relax.Function:
    block = (relax.DataflowBlock if dataflow else relax.BindingBlock)(bindings)
    return relax.Function(params, relax.SeqExpr([block], result), result.struct_info, pure, {"global_symbol": "main"})


def test_relax_calls():
    x = relax.Var("x", T4)
    gv = GlobalVar("k")
    calls = {
        call_tir(gv, [x], T4): "R.call_tir(I.GlobalVar(\"k\"), (x,), out_sinfo=R.Tensor((4,), dtype=\"float32\"))",
        call_tir(gv, [x], [T4, T4], [n]): ('R.call_tir(I.GlobalVar("k"), (x,), out_sinfo=[R.Tensor((4,), dtype="float32"), '
                                          'R.Tensor((4,), dtype="float32")], tir_vars=R.shape([n]))'),
        call_tir_inplace(gv, [x, x], [0], T4): ('R.call_tir_inplace(I.GlobalVar("k"), (x, x), inplace_indices=[0], '
                                                'out_sinfo=R.Tensor((4,), dtype="float32"))'),
        call_dps_packed("lib.f", [x], T4): 'R.call_dps_packed("lib.f", (x,), out_sinfo=R.Tensor((4,), dtype="float32"))',
        call_packed("lib.p", x, sinfo_args=relax.ObjectStructInfo()): 'R.call_packed("lib.p", x, sinfo_args=R.Object)',
        call_pure_packed("lib.q", x, x, sinfo_args=T4): ('R.call_pure_packed("lib.q", x, x, '
                                                        'sinfo_args=R.Tensor((4,), dtype="float32"))'),
        get_entry("relax.add")(x, x): "R.add(x, x)",
        get_entry("relax.sum")(x, axis=0): "R.sum(x, axis=[0], keepdims=False)",
        relax.Call(x, (x,)): "x(x)",
    }
    for call, text in calls.items():
        assert print_script(call) == text
    assert print_script(relax.Tuple([])) == "R.tuple()"
    assert print_script(relax.Tuple([x])) == "(x,)"
    assert print_script(relax.TupleGetItem(relax.Tuple([x, x]), 1)) == "R.tuple(x, x)[1]"  # not a Python tuple
    assert print_script(relax.ShapeExpr([2, n])) == "R.shape([2, n])"
    assert print_script(relax.PrimValue(_i(3))) == "R.prim_value(T.int64(3))"
    assert print_script(relax.StringImm("s")) == 'R.str("s")'
    assert print_script(relax.DataTypeImm("int8")) == 'R.dtype("int8")'
    assert print_script(relax.ExternFunc("f")) == 'R.ExternFunc("f")'


def test_struct_info_spelling():
    cases = {
        relax.ObjectStructInfo(): "R.Object",
        relax.PrimStructInfo("int64"): 'R.Prim("int64")',
        relax.PrimStructInfo(value=n): "R.Prim(value=n)",
        relax.PrimStructInfo(value=_i(3)): "R.Prim(value=T.int64(3))",
        relax.ShapeStructInfo([n, 4]): "R.Shape([n, 4])",
        relax.ShapeStructInfo(ndim=2): "R.Shape(ndim=2)",
        relax.TensorStructInfo((n, 4), "float32"): 'R.Tensor((n, 4), dtype="float32")',
        relax.TensorStructInfo(None, "float32", 2): 'R.Tensor(dtype="float32", ndim=2)',
        relax.TensorStructInfo(): "R.Tensor",
        relax.TupleStructInfo((relax.ObjectStructInfo(), T4)): 'R.Tuple(R.Object, R.Tensor((4,), dtype="float32"))',
        relax.TupleStructInfo(()): "R.Tuple",
        relax.FuncStructInfo((T4,), T4, False): ('R.Callable((R.Tensor((4,), dtype="float32"),), '
                                                 'R.Tensor((4,), dtype="float32"), False)'),
        relax.FuncStructInfo.opaque(): "R.Callable(purity=False)",
        relax.FuncStructInfo.opaque(purity=True): "R.Callable",
        relax.FuncStructInfo.opaque(T4, True): 'R.Callable(ret=R.Tensor((4,), dtype="float32"))',
        relax.FuncStructInfo.opaque(T4): 'R.Callable(ret=R.Tensor((4,), dtype="float32"), purity=False)',
    }
    for sinfo, text in cases.items():
        assert print_script(sinfo) == text


def test_relax_bindings_blocks_and_decorators():
    x = relax.Var("x", T4)
    lv = relax.DataflowVar("lv", T4)
    gv = relax.Var("gv", T4)
    tup = relax.Var("t", relax.TupleStructInfo(()))
    f = _relax([relax.VarBinding(lv, get_entry("relax.add")(x, x)), relax.VarBinding(gv, lv),
                relax.VarBinding(tup, relax.Tuple([]))], gv, x, dataflow=True)
    assert _body(print_script(f)) == (
        "    with R.dataflow():\n"
        '        lv: R.Tensor((4,), dtype="float32") = R.add(x, x)\n'
        '        gv: R.Tensor((4,), dtype="float32") = lv\n'
        "        t: R.Tuple = R.tuple()\n"
        "        R.output(gv, t)\n"
        "    return gv")
    impure = relax.Function((x,), relax.SeqExpr([], x), T4, False, {})
    assert print_script(impure).startswith("# from irscript.script import relax as R\n\n"
                                           "@R.function(pure=False, private=True)\ndef main(")
    named = relax.Function((x,), relax.SeqExpr([], x), T4, True, {"global_symbol": "fwd", "num_input": 1})
    text = print_script(named)
    assert "@R.function\ndef fwd(x:" in text and '    R.func_attr({"num_input": 1})\n    return x' in text
    other = print_script(IRModule({"main": named}))
    assert '        R.func_attr({"global_symbol": "fwd", "num_input": 1})' in other


def test_relax_local_function_and_standalone_if():
    x = relax.Var("x", T4)
    p = relax.Var("p", T4)
    local = relax.Function((p,), relax.SeqExpr([], p), T4)
    fvar = relax.Var("f", local.struct_info)
    out = relax.Var("y", T4)
    f = _relax([relax.VarBinding(fvar, local), relax.VarBinding(out, relax.Call(fvar, (x,)))], out, x)
    assert ('    @R.function\n    def f(p: R.Tensor((4,), dtype="float32")) -> R.Tensor((4,), dtype="float32"):\n'
            '        return p\n\n    y: R.Tensor((4,), dtype="float32") = f(x)\n') in print_script(f)
    cond = relax.Var("c", relax.PrimStructInfo("bool"))
    assert print_script(relax.If(cond, relax.SeqExpr([], x), relax.SeqExpr([], p))) == (
        "if c:  # undefined: c\n    x  # undefined: x\nelse:\n    p  # undefined: p")


# ---------------------------------------------------------------------------------------------
# options and show
# ---------------------------------------------------------------------------------------------
def test_options_are_checked():
    with pytest.raises(IRError, match="unknown printer option 'colour'"):
        print_script(n, colour=True)
    with pytest.raises(IRError, match="syntax must be one of"):
        print_script(n, syntax="tvm-0.1")
    with pytest.raises(IRError, match="indent"):
        print_script(n, indent=0)
    assert print_script(_func(STORE), indent=2).endswith("def f():\n  A[0] = T.float32(1.0)  # undefined: A")
    assert print_script(_i(3), header=True) == "# from irscript.script import tir as T\n\nT.int64(3)"  # on request
    assert print_script(_func(STORE), header=False).startswith("@T.prim_func\n")


def test_show_prints_plain_text_off_a_terminal(capsys):
    show(n + 1)
    assert capsys.readouterr().out == "n + 1\n"
    (n + 1).show()
    assert capsys.readouterr().out == "n + 1\n"


def test_show_highlights_on_a_terminal(monkeypatch, capsys):
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    show(n + 1)
    out = capsys.readouterr().out
    assert "n" in out and "1" in out


def test_show_on_a_narrow_terminal_keeps_long_lines_whole(monkeypatch, capsys):
    import re
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("COLUMNS", "30")
    expr = n
    for i in range(1, 25):
        expr = expr + i
    show(expr)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    assert plain.rstrip("\n") == expr.script()  # not cropped at 30 columns
    assert len(expr.script()) > 60


def test_repr_never_raises():
    class Broken(Node, type_key="test.printer.Broken"):
        __slots__ = ()
        value: object = field(default=None)

    @register(Broken)
    def _broken(p: IRDocsifier, node: Broken) -> D.Expr:
        raise RuntimeError("printer bug")

    assert repr(Broken(1)) == "test.printer.Broken(value=1)"
    assert print_script(np.float64(1.5)) == "1.5"  # a plain value prints as a literal


# ---------------------------------------------------------------------------------------------
# a user dialect
# ---------------------------------------------------------------------------------------------
TOY = Dialect("toy", "X", module="toy.script", order=5)


class ToyClamp(tir.PrimExprWithOp, type_key="test.toy.Clamp"):
    """clamp(value, lo, hi) — an expression node of a dialect that lives outside irscript."""

    __slots__ = ()
    value: PrimExpr
    lo: int
    hi: int


class ToyKernel(tir.Stmt, type_key="test.toy.Kernel"):
    """A statement of the toy dialect whose body prints in the toy dialect's context."""

    __slots__ = ()
    name: str
    body: tir.Stmt


@register(ToyClamp)
def _toy_clamp(p: IRDocsifier, e: ToyClamp) -> D.Expr:
    return p.call(TOY, "clamp", [p.expr(e.value)], [("lo", D.Literal(e.lo)), ("hi", D.Literal(e.hi))])


@register(ToyKernel)
def _toy_kernel(p: IRDocsifier, k: ToyKernel) -> D.Stmt:
    prev = p.enter_dialect(TOY)  # inside: TIR vars print through the toy dialect's handler
    outer = p.open_body()
    p.stmt(k.body)
    stmts = p.close_body(outer)
    p.exit_dialect(prev)
    return p.emit(D.With([(p.call(TOY, "kernel", [D.Literal(k.name)]), None)], stmts))


@register(tir.Var, TOY)
def _toy_var(p: IRDocsifier, v: tir.Var) -> D.Expr:
    return p.call(TOY, "var", [D.Literal(v.name_hint)])


def test_a_user_dialect_registers_its_printers():
    clamp = ToyClamp("float32", x, 0, 6)
    store = tir.BufferStore(A16, clamp, (tir.IntImm(I32, 0),))
    text = print_script(_func(tir.SeqStmt((store, ToyKernel("k", store)))), )
    assert text.startswith("# from irscript.script import tir as T\n# from toy.script import toy as X\n\n")
    assert "    A[0] = X.clamp(x, lo=0, hi=6)  # undefined: A, x\n" in text  # by default: the TIR var printer
    assert '    with X.kernel("k"):\n        A[0] = X.clamp(X.var("x"), lo=0, hi=6)' in text  # the toy dialect's
    assert handler_for(tir.Var, TOY) is _toy_var and handler_for(tir.SizeVar, TOY) is _toy_var
    assert handler_for(tir.Var, TIR) is not _toy_var
    assert "X.clamp" in print_script(clamp, syntax="tvm-0.25")

