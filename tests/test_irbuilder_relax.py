"""The Relax builder (`R`) and the normalizer, against IR built by hand; coverage of every
node type by the builder-made modules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import irscript
from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import GlobalVar, Op, Range, pre_order, register_op, registered_node_types
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import ir as I
from irscript.irbuilder import relax as R
from irscript.irbuilder import tir as T
from irscript.relax import op as rop
from irscript.relax.normalize import (
    BaseCheck,
    BlockBuilder,
    erase_to_well_defined,
    join_struct_info,
    normalize,
    refine_struct_info,
    struct_info_base_check,
)
from irscript.testing import check_json_roundtrip
from irscript.testing.builder_models import all_builder_modules, mlp_module, relax_kitchen_sink_module
from irscript.tir.buffer import BufferRegion
from irscript.tir.stmt import ForKind

name = IRBuilder.name
TRUE = tir.IntImm("bool", 1)


def Tn(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def i64(v):
    return tir.IntImm("int64", v)


def build_function(body, *, pure=True):
    """A standalone function "f" whose params and body are made by `body()`."""
    with IRBuilder() as ib:
        with R.function(is_pure=pure):
            R.func_name("f")
            body()
    func = ib.get()
    check_json_roundtrip(func)
    return func


def rfunc(params, body, ret):
    """The expected form of a function made by `build_function`."""
    return relax.Function(params, body, ret, attrs={"global_symbol": "f"})


def packed(name_, *args, sinfo):
    return rop.call_pure_packed(name_, *args, sinfo_args=sinfo)


# ---------------------------------------------------------------------------------------------
# whole modules against hand-built IR
# ---------------------------------------------------------------------------------------------


def test_mlp_main_matches_hand_built():
    n = tir.Var("n", "int64")
    x = relax.Var("x", Tn((n, 784)))
    w1, b1 = relax.Var("w1", Tn((784, 128))), relax.Var("b1", Tn((128,)))
    w2, b2 = relax.Var("w2", Tn((128, 10))), relax.Var("b2", Tn((10,)))
    dense, bias_relu, bias_add = GlobalVar("dense"), GlobalVar("bias_relu"), GlobalVar("bias_add")
    lv0 = relax.DataflowVar("lv0", Tn((n, 128)))
    lv1 = relax.DataflowVar("lv1", Tn((n, 128)))
    lv2 = relax.DataflowVar("lv2", Tn((n, 10)))
    gv = relax.Var("gv", Tn((n, 10)))
    block = relax.DataflowBlock((
        relax.VarBinding(lv0, rop.call_tir(dense, (x, w1), Tn((n, 128)))),
        relax.VarBinding(lv1, rop.call_tir(bias_relu, (lv0, b1), Tn((n, 128)))),
        relax.VarBinding(lv2, rop.call_tir(dense, (lv1, w2), Tn((n, 10)))),
        relax.VarBinding(gv, rop.call_tir(bias_add, (lv2, b2), Tn((n, 10)))),
    ))
    expected = relax.Function(
        (x, w1, b1, w2, b2), relax.SeqExpr((block,), gv), Tn((n, 10)), attrs={"global_symbol": "main"}
    )
    mod = mlp_module()
    irscript.assert_structural_equal(mod["main"], expected)
    assert [gv.name_hint for gv in mod.functions] == ["dense", "bias_relu", "bias_add", "main"]
    assert mod["main"].body.blocks[0].bindings[3].var.name_hint == "gv"


def _expected_add_inplace():
    m = tir.Var("m", "int64")
    A = tir.Buffer(None, "float32", (m, 4), name="A")
    B = tir.Buffer(None, "float32", (4,), name="B")
    ha, hb = tir.Var("A_handle", "handle"), tir.Var("B_handle", "handle")
    i, vi = tir.Var("i", "int64"), tir.Var("vi", "int64")
    j, vj = tir.Var("j", "int32"), tir.Var("vj", "int32")
    block = tir.Block(
        (tir.IterVar(Range(i64(0), m), vi), tir.IterVar(Range(tir.IntImm("int32", 0), tir.IntImm("int32", 4)), vj)),
        # no T.reads/T.writes: inferred as TVM does, A both read and written (no init)
        (BufferRegion.from_indices(A, (vi, vj)), BufferRegion.from_indices(B, (vj,))),
        (BufferRegion.from_indices(A, (vi, vj)),),
        "add", tir.BufferStore(A, A[vi, vj] + B[vj], (vi, vj)),
    )
    loops = tir.For(i, i64(0), m, ForKind.SERIAL, tir.For(j, 0, 4, ForKind.SERIAL, tir.BlockRealize((i, j), TRUE, block)))
    body = tir.BlockRealize((), TRUE, tir.Block((), (), (), "root", loops))
    return tir.PrimFunc((ha, hb), body, buffer_map={ha: A, hb: B})


def _expected_helper():
    n = tir.Var("n", "int64")
    x = relax.Var("x", Tn((n, 4)))
    cat = relax.Var("cat", Tn((n, 8)))
    block = relax.DataflowBlock((relax.VarBinding(cat, packed("my.lib.concat", x, x, sinfo=Tn((n, 8)))),))
    return relax.Function((x,), relax.SeqExpr((block,), cat), Tn((n, 8)))


def _expected_main():
    m, k = tir.Var("m", "int64"), tir.Var("k", "int64")
    x, c = relax.Var("x", Tn((m, 4))), relax.Var("c", relax.PrimStructInfo("bool"))
    y, z = relax.Var("y", Tn((m, 8))), relax.Var("z", Tn((k, 8)))
    t = relax.Var("t", relax.TupleStructInfo((Tn((m, 4)), Tn((k, 8)))))
    t0 = relax.Var("t0", Tn((m, 4)))
    shape = relax.Var("shape", relax.ShapeStructInfo((m, 4)))
    pv = relax.Var("pv", relax.PrimStructInfo(value=m))
    const = relax.Var("const", Tn((4,)))
    printed = relax.Var("gv", relax.ObjectStructInfo())
    print_call = rop.call_packed("vm.builtin.print", relax.StringImm("hi"), relax.DataTypeImm("float32"), pv, shape)
    first = relax.BindingBlock((
        relax.VarBinding(y, relax.Call(GlobalVar("helper"), (x,))),
        relax.MatchCast(z, y, Tn((k, 8))),
        relax.VarBinding(t, relax.Tuple((x, z))),
        relax.VarBinding(t0, relax.TupleGetItem(t, 0)),
        relax.VarBinding(shape, relax.ShapeExpr((m, 4))),
        relax.VarBinding(pv, relax.PrimValue(m)),
        relax.VarBinding(const, relax.Constant(np.arange(4, dtype="float32"))),
        relax.VarBinding(printed, print_call),
    ))
    d0, d1 = relax.DataflowVar("d0", Tn((m, 4))), relax.Var("d1", Tn((m, 4)))
    dataflow = relax.DataflowBlock((
        relax.VarBinding(d0, rop.call_dps_packed("my.lib.scale", (t0, const), Tn((m, 4)))),
        relax.VarBinding(d1, rop.call_tir_inplace(GlobalVar("add_inplace"), (d0, const), 0, Tn((m, 4)))),
    ))
    p = relax.Var("p", Tn((m, 4)))
    local_fn = relax.Function((p,), relax.SeqExpr((), p), Tn((m, 4)))
    local, local_out, r = relax.Var("local", local_fn.struct_info), relax.Var("local", Tn((m, 4))), relax.Var("r", Tn((m, 4)))
    branches = relax.If(
        c, relax.SeqExpr((), local_out), relax.SeqExpr((), packed("my.lib.neg", local_out, sinfo=Tn((m, 4))))
    )
    last = relax.BindingBlock((
        relax.VarBinding(local, local_fn),
        relax.VarBinding(local_out, relax.Call(local, (d1,))),
        relax.VarBinding(r, branches),
    ))
    ret = relax.TupleStructInfo((Tn((m, 4)), Tn(None, "float32", 2)))
    body = relax.SeqExpr((first, dataflow, last), relax.Tuple((r, z)))
    return relax.Function((x, c), body, ret, False, {"num_input": 2, "global_symbol": "main"})


def test_relax_kitchen_sink_matches_hand_built():
    expected = irscript.IRModule(
        {"main": _expected_main(), "helper": _expected_helper(), "add_inplace": _expected_add_inplace()},
        global_infos={"devices": ()},
    )
    built = relax_kitchen_sink_module()
    irscript.assert_structural_equal(built, expected)
    assert [gv.name_hint for gv in built.functions] == ["main", "helper", "add_inplace"]


def test_builder_modules_round_trip_and_rebuild_equal():
    for first, second in zip(all_builder_modules(), all_builder_modules()):
        check_json_roundtrip(first)
        irscript.assert_structural_equal(first, second)


# Node types the builder does not make, and why. (None today: every tir.* and relax.* node
# type is reachable through the builder API or as an expression handed to it.)
NOT_BUILDER_CONSTRUCTIBLE: dict[str, str] = {}


def test_builder_modules_cover_every_node_type():
    seen: set[str] = set()
    for mod in all_builder_modules():
        seen.update(n.type_key for n in pre_order(mod))
    registered = {k for k in registered_node_types() if k.startswith(("tir.", "relax."))}
    missing = registered - seen - set(NOT_BUILDER_CONSTRUCTIBLE)
    assert not missing, f"node types no builder-made module contains: {sorted(missing)}"


# ---------------------------------------------------------------------------------------------
# dataflow blocks
# ---------------------------------------------------------------------------------------------


def test_dataflow_outputs_become_vars_and_later_uses_follow():
    holder = {}

    def body():
        x = R.arg("x", Tn((4,)))
        with R.dataflow() as df:
            lv = name("lv", R.emit(packed("a", x, sinfo=Tn((4,)))))
            out = name("out", R.emit(packed("b", lv, sinfo=Tn((4,)))))
            again = name("again", R.emit(packed("c", out, sinfo=Tn((4,)))))
            R.output(out, again)
        holder["df"] = df
        y = name("y", R.emit(packed("d", out, again, sinfo=Tn((4,)))))  # the old DataflowVar objects
        R.func_ret_value(relax.Tuple((out, y)))

    built = build_function(body)
    x = relax.Var("x", Tn((4,)))
    lv = relax.DataflowVar("lv", Tn((4,)))
    out, again, y = (relax.Var(s, Tn((4,))) for s in ("out", "again", "y"))
    expected = rfunc(
        (x,),
        relax.SeqExpr(
            (
                relax.DataflowBlock((
                    relax.VarBinding(lv, packed("a", x, sinfo=Tn((4,)))),
                    relax.VarBinding(out, packed("b", lv, sinfo=Tn((4,)))),
                    relax.VarBinding(again, packed("c", out, sinfo=Tn((4,)))),
                )),
                relax.BindingBlock((relax.VarBinding(y, packed("d", out, again, sinfo=Tn((4,)))),)),
            ),
            relax.Tuple((out, y)),
        ),
        relax.TupleStructInfo((Tn((4,)), Tn((4,)))),
    )
    irscript.assert_structural_equal(built, expected)
    new_out, new_again = holder["df"].output_vars
    assert type(new_out) is relax.Var and new_out.name_hint == "out"
    bindings = built.body.blocks[0].bindings
    assert bindings[1].var is new_out and bindings[2].var is new_again


def test_dataflow_without_output_and_empty_blocks():
    def body():
        x = R.arg("x", Tn((4,)))
        with R.dataflow():
            pass
        with R.dataflow():
            R.emit(packed("a", x, sinfo=Tn((4,))))
        R.func_ret_value(x)

    built = build_function(body)
    assert len(built.body.blocks) == 1 and isinstance(built.body.blocks[0], relax.DataflowBlock)


# ---------------------------------------------------------------------------------------------
# normalization: A-normal form and struct info
# ---------------------------------------------------------------------------------------------


def test_nested_calls_are_flattened_into_bindings():
    def body():
        x = R.arg("x", Tn((4,)))
        with R.dataflow():
            inner = packed("inner", x, sinfo=Tn((4,)))
            lv = name("lv", R.emit(packed("outer", relax.Tuple((inner, x)), relax.TupleGetItem(relax.Tuple((x, x)), 1), sinfo=Tn((4,)))))
            R.output(lv)
        R.func_ret_value(packed("ret", lv, packed("arg", lv, sinfo=Tn((4,))), sinfo=Tn((4,))))

    built = build_function(body)
    x = relax.Var("x", Tn((4,)))
    a = relax.DataflowVar("lv", Tn((4,)))
    b = relax.DataflowVar("lv", Tn((4,)))
    lv = relax.Var("lv", Tn((4,)))
    c = relax.Var("gv", Tn((4,)))
    expected = rfunc(
        (x,),
        relax.SeqExpr(
            (
                relax.DataflowBlock((
                    relax.VarBinding(a, packed("inner", x, sinfo=Tn((4,)))),
                    relax.VarBinding(b, relax.TupleGetItem(relax.Tuple((x, x)), 1)),
                    relax.VarBinding(lv, packed("outer", relax.Tuple((a, x)), b, sinfo=Tn((4,)))),
                )),
                relax.BindingBlock((relax.VarBinding(c, packed("arg", lv, sinfo=Tn((4,)))),)),
            ),
            packed("ret", lv, c, sinfo=Tn((4,))),
        ),
        Tn((4,)),
    )
    irscript.assert_structural_equal(built, expected)
    assert built.body.blocks[1].bindings[0].var.name_hint == "gv"


def test_calls_between_module_functions_substitute_symbolic_dims():
    with IRBuilder() as ib:
        with I.ir_module():
            n = name("n", T.int64())
            px = relax.Var("x", Tn((n, 4)))
            f = I.decl_function("f", relax.Function((px,), relax.SeqExpr((), px), Tn((n * 2, 8))))
            with R.function():
                R.func_name("main")
                m = name("m", T.int64())
                y = R.arg("y", Tn((m, 4)))
                w = R.arg("w", Tn(ndim=2, dtype="float32"))
                a = R.emit(f(y))
                c = R.emit(f(w))
                R.func_ret_value(relax.Tuple((a, c)))
            with R.function():
                R.func_name("f")
                k = name("k", T.int64())
                x = R.arg("x", Tn((k, 4)))
                R.func_ret_struct_info(Tn((k * 2, 8)))
                R.func_ret_value(packed("dup", x, sinfo=Tn((k * 2, 8))))
    mod = ib.get()
    check_json_roundtrip(mod)
    a_sinfo, c_sinfo = mod["main"].ret_struct_info.fields
    m = mod["main"].params[0].struct_info.values[0]
    assert isinstance(a_sinfo.values[0], tir.Mul) and a_sinfo.values[0].a is m  # (n * 2, 8) with n := m
    assert a_sinfo.values[1].value == 8
    assert c_sinfo.values is None and c_sinfo.ndim == 2  # n unresolved: erased to the rank


def test_call_sinfo_from_static_arguments_and_errors():
    n = tir.Var("n", "int64")
    px = relax.Var("x", Tn((n, 4)))
    sig = relax.Function((px,), relax.SeqExpr((), px), Tn((n, 8)))
    f = relax.Var("f", sig.struct_info)
    bb = BlockBuilder()
    out = bb.normalize(relax.Call(f, (relax.Var("a", Tn((3, 4))),)))
    irscript.assert_structural_equal(out.struct_info, Tn((3, 8)))
    with pytest.raises(IRError, match="takes 1 arguments, got 2"):
        bb.normalize(relax.Call(f, (relax.Var("a", Tn((3, 4))), relax.Var("b", Tn((3, 4))))))
    with pytest.raises(IRError, match=r"argument 0 of the call to 'f': expected R.Tensor\(\(3, 4\)"):
        bb.normalize(relax.Call(f, (relax.Var("a", Tn((3, 5))),)))
    with pytest.raises(IRError, match="not a function"):
        bb.normalize(relax.Call(relax.Var("t", Tn((3,))), ()))


_DOUBLE = register_op(
    "test.irbuilder.double_rows",
    infer_struct_info=lambda call, ctx: Tn((call.args[0].struct_info.values[0] * 2, *call.args[0].struct_info.values[1:]),
                                          call.args[0].struct_info.dtype),
)
_OPAQUE = register_op("test.irbuilder.no_inference")


def test_op_struct_info_comes_from_the_op_attribute():
    def body():
        x = R.arg("x", Tn((3, 4)))
        y = R.emit(relax.Call(Op.get("test.irbuilder.double_rows"), (x,)))
        R.func_ret_value(y)

    built = build_function(body)
    assert built.ret_struct_info.values[0].a.value == 3 and built.ret_struct_info.dtype == "float32"


def test_op_without_inference_needs_an_annotation():
    def body():
        x = R.arg("x", Tn((3, 4)))
        y = R.emit(relax.Call(_OPAQUE, (x,)), Tn((3, 4)))
        R.func_ret_value(y)

    irscript.assert_structural_equal(build_function(body).ret_struct_info, Tn((3, 4)))

    def unannotated():
        x = R.arg("x", Tn((3, 4)))
        R.emit(relax.Call(_OPAQUE, (x,)))

    with pytest.raises(IRError, match="cannot deduce the struct info of a call to test.irbuilder.no_inference"):
        build_function(unannotated)


def test_annotations_are_checked_and_refine():
    n = tir.Var("n", "int64")
    holder = {}

    def body():
        x = R.arg("x", Tn((n, 4)))
        holder["same"] = R.emit(x, Tn((n, 4)))
        holder["looser"] = R.emit(x, Tn(ndim=2, dtype="float32"))
        holder["object"] = R.emit(x, relax.ObjectStructInfo())
        loose = R.emit_match_cast(x, Tn(ndim=2, dtype="float32"))
        holder["finer"] = R.emit(loose, Tn((n, 4)))
        holder["unprovable"] = R.emit(x, Tn((tir.Var("m", "int64"), 4)))
        R.func_ret_value(x)

    build_function(body)
    irscript.assert_structural_equal(holder["same"].struct_info, Tn((n, 4)))
    irscript.assert_structural_equal(holder["looser"].struct_info, Tn((n, 4)))  # deduced is more specific
    irscript.assert_structural_equal(holder["object"].struct_info, Tn((n, 4)))
    irscript.assert_structural_equal(holder["finer"].struct_info, Tn((n, 4)))  # annotation is more specific
    irscript.assert_structural_equal(holder["unprovable"].struct_info, Tn((n, 4)))


@pytest.mark.parametrize(
    ("annotation", "shown"),
    [
        (Tn((3, 4), "int32"), 'R.Tensor((3, 4), "int32")'),
        (Tn((3, 4, 1)), "R.Tensor((3, 4, 1)"),
        (Tn((3, 5)), "R.Tensor((3, 5)"),
        (relax.ShapeStructInfo(ndim=2), "R.Shape(ndim=2)"),
    ],
)
def test_contradicting_annotations_are_errors(annotation, shown):
    def body():
        x = R.arg("x", Tn((3, 4)))
        R.emit(x, annotation)

    with pytest.raises(IRError, match=r"R.emit: the annotation " + shown.replace("(", r"\(").replace(")", r"\)")):
        build_function(body)


# ---------------------------------------------------------------------------------------------
# If, match_cast, local functions, bindings
# ---------------------------------------------------------------------------------------------


def test_if_builds_branches_and_join_var():
    holder = {}

    def body():
        c = R.arg("c", relax.PrimStructInfo("bool"))
        x = R.arg("x", Tn((4,)))
        with R.If(c) as frame:
            with R.Then():
                lv = name("lv", R.emit(packed("a", x, sinfo=Tn((4,)))))
                holder["then_var"] = name("r", R.emit(packed("b", lv, sinfo=Tn((4,)))))
            with R.Else():
                name("r", R.emit(x))
        holder["frame"] = frame
        R.func_ret_value(holder["then_var"])  # a branch's result var means the If's var afterwards

    built = build_function(body)
    c, x = relax.Var("c", relax.PrimStructInfo("bool")), relax.Var("x", Tn((4,)))
    lv, r = relax.Var("lv", Tn((4,))), relax.Var("r", Tn((4,)))
    then = relax.SeqExpr((relax.BindingBlock((relax.VarBinding(lv, packed("a", x, sinfo=Tn((4,)))),)),), packed("b", lv, sinfo=Tn((4,))))
    expected = rfunc(
        (c, x), relax.SeqExpr((relax.BindingBlock((relax.VarBinding(r, relax.If(c, then, relax.SeqExpr((), x))),)),), r), Tn((4,))
    )
    irscript.assert_structural_equal(built, expected)
    assert holder["frame"].var.name_hint == "r" and holder["frame"].var_name == "r"
    assert built.body.body is holder["frame"].var


@pytest.mark.parametrize(
    ("then_sinfo", "else_sinfo", "joined"),
    [
        (Tn((4,)), Tn((4,)), Tn((4,))),
        (Tn((4,)), Tn((5,)), Tn(None, "float32", 1)),
        (Tn((4,)), Tn((4,), "int32"), Tn((4,), "void")),
        (Tn((4,)), Tn((4, 1)), Tn(None, "float32")),
        (Tn((4,)), relax.ShapeStructInfo((4,)), relax.ObjectStructInfo()),
    ],
)
def test_if_struct_info_is_the_join(then_sinfo, else_sinfo, joined):
    def body():
        c = R.arg("c", relax.PrimStructInfo("bool"))
        with R.If(c) as frame:
            with R.Then():
                R.emit(packed("a", sinfo=then_sinfo))
            with R.Else():
                R.emit(packed("b", sinfo=else_sinfo))
        R.func_ret_value(frame.var)

    irscript.assert_structural_equal(build_function(body).ret_struct_info, joined)


def test_if_condition_forms_and_branch_match_cast():
    def body():
        n = R.arg("n", relax.PrimStructInfo("int64"))
        x = R.arg("x", Tn(ndim=1, dtype="float32"))
        with R.If(tir.IntImm("bool", 1)) as frame:  # a PrimExpr condition becomes a PrimValue
            with R.Then():
                k = name("k", T.int64())
                R.emit_match_cast(x, Tn((k,)))
            with R.Else():
                R.emit_match_cast(x, Tn((i64(3),)))
        R.func_ret_value(relax.Tuple((frame.var, n)))

    built = build_function(body)
    if_expr = built.body.blocks[0].bindings[0].value
    assert isinstance(if_expr.true_branch.blocks[0].bindings[0], relax.MatchCast)
    assert if_expr.true_branch.body is if_expr.true_branch.blocks[0].bindings[0].var
    irscript.assert_structural_equal(built.ret_struct_info.fields[0], Tn(None, "float32", 1))  # k erased


def test_match_cast_defines_vars_and_function_ret_erases_them():
    def body():
        x = R.arg("x", Tn(ndim=2, dtype="float32"))
        k = name("k", T.int64())
        y = R.emit_match_cast(x, Tn((k, 4)))
        z = R.emit(packed("f", y, sinfo=Tn((k, 4))))
        R.func_ret_value(z)

    built = build_function(body)
    binding = built.body.blocks[0].bindings[0]
    assert isinstance(binding, relax.MatchCast)
    irscript.assert_structural_equal(built.ret_struct_info, Tn(None, "float32", 2))


def test_local_function_binds_a_var():
    holder = {}

    def body():
        x = R.arg("x", Tn((4,)))
        with R.function(is_pure=True) as inner:
            R.func_name("inner")
            y = R.arg("y", Tn((4,)))
            R.func_ret_value(packed("g", y, x, sinfo=Tn((4,))))
        holder["inner"] = inner
        R.func_ret_value(R.emit(relax.Call(inner.var, (x,))))

    built = build_function(body)
    x, y = relax.Var("x", Tn((4,))), relax.Var("y", Tn((4,)))
    inner_fn = relax.Function((y,), relax.SeqExpr((), packed("g", y, x, sinfo=Tn((4,)))), Tn((4,)))
    inner_var, out = relax.Var("inner", inner_fn.struct_info), relax.Var("gv", Tn((4,)))
    expected = rfunc(
        (x,),
        relax.SeqExpr((relax.BindingBlock((relax.VarBinding(inner_var, inner_fn), relax.VarBinding(out, relax.Call(inner_var, (x,))))),), out),
        Tn((4,)),
    )
    irscript.assert_structural_equal(built, expected)
    assert holder["inner"].result.attrs == {}  # local functions get no global_symbol


def test_emit_var_binding_and_function_attrs():
    def body():
        R.func_attr({"opt_level": 2})
        x = R.arg("x", Tn((4,)))
        v = relax.Var("v", Tn((4,)))
        assert R.emit_var_binding(relax.VarBinding(v, x)) is v
        untyped = relax.Var("u")
        u = R.emit_var_binding(relax.VarBinding(untyped, v))
        assert u is not untyped
        irscript.assert_structural_equal(u.struct_info, Tn((4,)))
        R.func_ret_value(untyped)  # the untyped var now means the typed one

    built = build_function(body, pure=False)
    assert built.attrs == {"opt_level": 2, "global_symbol": "f"} and not built.is_pure
    assert built.body.body is built.body.blocks[0].bindings[1].var


def test_private_function_in_module():
    with IRBuilder() as ib:
        with I.ir_module():
            with R.function(is_private=True):
                R.func_name("p")
                x = R.arg("x", relax.ObjectStructInfo())
                R.func_ret_value(x)
    assert ib.get()["p"].attrs == {}


# ---------------------------------------------------------------------------------------------
# the normalizer on its own
# ---------------------------------------------------------------------------------------------


def test_normalize_standalone_deduces_without_flattening():
    x = relax.Var("x", Tn((2,)))
    tup = relax.Tuple((x, relax.ShapeExpr((1, 2)), relax.PrimValue(tir.IntImm("int64", 3))), None)
    out = normalize(relax.TupleGetItem(tup, 1))
    irscript.assert_structural_equal(out.struct_info, relax.ShapeStructInfo((1, 2)))
    call = normalize(packed("f", packed("g", x, sinfo=Tn((2,))), sinfo=Tn((2,))))
    assert isinstance(call.args[1], relax.Call)  # no block open: nothing to flatten into
    s = relax.StringImm("s", None)
    assert isinstance(normalize(s).struct_info, relax.ObjectStructInfo)
    seq = normalize(relax.SeqExpr((relax.BindingBlock((relax.VarBinding(relax.Var("y"), x),)),), relax.ExternFunc("e")))
    assert isinstance(seq.struct_info, relax.FuncStructInfo)
    with pytest.raises(IRError, match="out of range"):
        normalize(relax.TupleGetItem(relax.Tuple((x,)), 3))


def test_normalize_user_built_function_and_if():
    c = relax.Var("c", relax.PrimStructInfo("bool"))
    x = relax.Var("x", Tn((2,)))
    iff = relax.If(c, x, packed("f", x, sinfo=Tn((3,))))
    fn = relax.Function((c, x), iff, relax.ObjectStructInfo())
    out = normalize(fn)
    irscript.assert_structural_equal(out.body.struct_info, Tn(None, "float32", 1))
    bad = relax.Function((c, x), x, relax.ShapeStructInfo(ndim=1))
    with pytest.raises(IRError, match="contradicts its declared return struct info"):
        normalize(bad)


def _sinfos():
    dims = st.sampled_from([i64(1), i64(2), tir.Var("n", "int64")])
    tensor = st.builds(
        lambda shape, dtype: Tn(shape, dtype) if shape is not None else Tn(None, dtype, 2),
        st.one_of(st.none(), st.lists(dims, min_size=1, max_size=2).map(tuple)),
        st.sampled_from(["float32", "int32", "void"]),
    )
    leaf = st.one_of(tensor, st.just(relax.ObjectStructInfo()), st.just(relax.PrimStructInfo("int64")))
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=2).map(lambda f: relax.TupleStructInfo(tuple(f))), max_leaves=4)


@given(_sinfos(), _sinfos())
def test_join_is_a_common_base(a, b):
    j = join_struct_info(a, b)
    assert struct_info_base_check(j, a) is not BaseCheck.FAIL_L0
    assert struct_info_base_check(j, b) is not BaseCheck.FAIL_L0
    assert struct_info_base_check(a, a) is BaseCheck.PASS
    irscript.assert_structural_equal(join_struct_info(a, a), a)
    assert refine_struct_info(a, None, "x") is a


def test_base_check_levels():
    n = tir.Var("n", "int64")
    assert struct_info_base_check(Tn((n, 4)), Tn((n, 4))) is BaseCheck.PASS
    assert struct_info_base_check(Tn(ndim=2, dtype="float32"), Tn((n, 4))) is BaseCheck.PASS
    assert struct_info_base_check(Tn((n, 4)), Tn(ndim=2, dtype="float32")) is BaseCheck.FAIL_L1
    assert struct_info_base_check(Tn((tir.Var("m", "int64"), 4)), Tn((n, 4))) is BaseCheck.FAIL_L1
    assert struct_info_base_check(Tn((n, 4)), Tn((n, 5))) is BaseCheck.FAIL_L0
    assert struct_info_base_check(relax.PrimStructInfo(value=n), relax.PrimStructInfo("int64")) is BaseCheck.FAIL_L1
    f_pure = relax.FuncStructInfo((Tn((4,)),), Tn((4,)))
    f_impure = relax.FuncStructInfo((Tn((4,)),), Tn((4,)), False)
    assert struct_info_base_check(f_pure, f_impure) is BaseCheck.FAIL_L0
    assert struct_info_base_check(relax.FuncStructInfo.opaque(), f_impure) is BaseCheck.PASS
    erased = erase_to_well_defined(relax.TupleStructInfo((Tn((n,)), relax.ShapeStructInfo((n,)), relax.PrimStructInfo(value=n))), lambda v: False)
    irscript.assert_structural_equal(
        erased, relax.TupleStructInfo((Tn(None, "float32", 1), relax.ShapeStructInfo(ndim=1), relax.PrimStructInfo("int64")))
    )
