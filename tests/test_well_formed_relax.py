"""The Relax well-formedness rules: every rule has a failing example built with node
constructors (message and exact path asserted); valid IR, including generated IR, passes."""

from __future__ import annotations

import pytest
from hypothesis import given

import irscript
import irscript.relax.well_formed  # registers the Function checker
import irscript.tir.well_formed  # registers the PrimFunc checker
from irscript import tir
from irscript.ir import GlobalVar, IRModule, Op
from irscript.ir.well_formed import assert_well_formed, check_well_formed
from irscript.relax import (
    BindingBlock,
    DataflowBlock,
    DataflowVar,
    ExternFunc,
    FuncStructInfo,
    Function,
    If,
    MatchCast,
    ObjectStructInfo,
    PrimStructInfo,
    PrimValue,
    SeqExpr,
    ShapeExpr,
    ShapeStructInfo,
    TensorStructInfo,
    Tuple,
    TupleGetItem,
    TupleStructInfo,
    Var,
    VarBinding,
)
from irscript.relax.op import call_packed, call_pure_packed, call_tir, call_tir_inplace
from irscript.relax.well_formed import format_struct_info, provably_different, sinfo_conflict
from irscript.testing.builder_models import all_builder_modules
from irscript.testing.strategies import SETTINGS, ir_modules, relax_functions

n, m = tir.Var("n", "int64"), tir.Var("m", "int64")


def T(*shape, dtype="float32") -> TensorStructInfo:
    return TensorStructInfo(shape, dtype)


def _problems(node) -> list[tuple[str, str]]:
    return [(e.message, str(e.path)) for e in check_well_formed(node)]


def _fn(params, blocks, result, ret=None, **kw) -> Function:
    return Function(tuple(params), SeqExpr(tuple(blocks), result), ret, **kw)


def _packed(*args, sinfo=None):
    """A pure call with any arguments (a call_pure_packed of a library function)."""
    return call_pure_packed("lib.f", *args, sinfo_args=sinfo or T(n, 4))


def _dense() -> tir.PrimFunc:
    """dense(A: (k, 128), W: (128, 10), C: (k, 10))"""
    k = tir.Var("k", "int64")
    bufs = [
        tir.Buffer(None, "float32", (k, 128), name="A"),
        tir.Buffer(None, "float32", (128, 10), name="W"),
        tir.Buffer(None, "float32", (k, 10), name="C"),
    ]
    handles = [tir.Var(b.name.lower(), "handle") for b in bufs]
    return tir.PrimFunc(tuple(handles), tir.Evaluate(0), buffer_map=dict(zip(handles, bufs)))


def _module(main: Function, **others) -> IRModule:
    return IRModule({"dense": _dense(), **others, "main": main})


# ---------------------------------------------------------------------------------------------
# valid IR passes
# ---------------------------------------------------------------------------------------------
def _valid_main() -> Function:
    x, w = Var("x", T(n, 128)), Var("w", T(128, 10))
    lv0 = DataflowVar("lv0", T(n, 10))
    lv1 = DataflowVar("lv1", T(n, 10))
    gv = Var("gv", T(n, 10))
    dataflow = DataflowBlock((
        VarBinding(lv0, call_tir(GlobalVar("dense"), (x, w), T(n, 10))),
        VarBinding(lv1, _packed(lv0, sinfo=T(n, 10))),
        VarBinding(gv, lv1),
    ))
    # outside dataflow: impure calls, match_cast defining m, an If with its own binding
    y = Var("y", T(m, 10))
    s = Var("s", ObjectStructInfo())
    cond = Var("cond", PrimStructInfo("bool"))
    t1, t2 = Var("t1", T(m, 10)), Var("t2", T(m, 10))
    r = Var("r", T(m, 10))
    branch_true = SeqExpr((BindingBlock((VarBinding(t1, _packed(y, sinfo=T(m, 10))),)),), t1)
    branch_false = SeqExpr((BindingBlock((VarBinding(t2, y),)),), t2)
    # a local function that calls itself, and a tuple round trip
    f = Var("f", FuncStructInfo((T(m, 10),), T(m, 10)))
    p = Var("p", T(m, 10))
    inner = Function((p,), SeqExpr((), Tuple((p, y))[0]), T(m, 10))
    tup = Var("tup", TupleStructInfo((T(m, 10), PrimStructInfo("int64"))))
    out = Var("out", T(m, 10))
    outer = BindingBlock((
        MatchCast(y, gv, T(m, 10)),
        VarBinding(s, call_packed("lib.print", y, ShapeExpr((m, 10)), PrimValue(m))),
        VarBinding(cond, _packed(sinfo=PrimStructInfo("bool"))),
        VarBinding(r, If(cond, branch_true, branch_false)),
        VarBinding(f, inner),
        VarBinding(tup, Tuple((r, PrimValue(m)))),
        VarBinding(out, TupleGetItem(tup, 0)),
    ))
    return _fn((x, w), (dataflow, outer), out, TensorStructInfo(dtype="float32", ndim=2))


def test_valid_module_passes():
    mod = _module(_valid_main())
    assert _problems(mod) == []
    assert_well_formed(mod)


def test_param_symbolic_vars_defined_by_any_param():
    # n first appears bare in the second parameter; TVM accepts this order too
    x = Var("x", T(n * 2, 4))
    y = Var("y", T(n, 4))
    assert _problems(_fn((x, y), (), x, T(n * 2, 4))) == []


@pytest.mark.parametrize("index", range(len(all_builder_modules())))
def test_builder_models_are_well_formed(index):
    mod = all_builder_modules()[index]
    assert _problems(mod) == []
    assert_well_formed(mod)


@given(relax_functions())
@SETTINGS
def test_generated_relax_functions_are_well_formed(func):
    assert check_well_formed(func) == []


@given(ir_modules())
@SETTINGS
def test_generated_module_functions_are_well_formed(mod):
    # Each function on its own: the generator's call_tir calls do not (yet) match their
    # callees' signatures, which the module-level call_tir rule checks.
    for func in mod.functions.values():
        assert check_well_formed(func) == []


def test_ten_thousand_bindings():
    x = Var("x", T(n, 16))
    bindings, prev = [], x
    for i in range(10_000):
        v = DataflowVar(f"lv{i}", T(n, 16))
        bindings.append(VarBinding(v, _packed(prev, x, sinfo=T(n, 16))))
        prev = v
    gv = Var("gv", T(n, 16))
    bindings.append(VarBinding(gv, prev))
    assert check_well_formed(_fn((x,), (DataflowBlock(tuple(bindings)),), gv, T(n, 16))) == []


# ---------------------------------------------------------------------------------------------
# vars
# ---------------------------------------------------------------------------------------------
def test_undefined_var():
    x = Var("x", T(n, 4))
    lv3 = DataflowVar("lv3", T(n, 4))
    lvs = [DataflowVar(f"lv{i}", T(n, 4)) for i in range(3)]
    gv = Var("gv", T(n, 4))
    block = DataflowBlock((
        VarBinding(lvs[0], _packed(x)),
        VarBinding(lvs[1], _packed(lvs[0])),
        VarBinding(lvs[2], _packed(lvs[1], lv3)),
        VarBinding(gv, lvs[2]),
    ))
    mod = IRModule({"main": _fn((x,), (block,), gv, T(n, 4))})
    assert _problems(mod) == [
        ("variable 'lv3' is used but not defined", 'functions["main"].body.blocks[0].bindings[2].value.args[2]')
    ]


def test_var_defined_twice():
    x = Var("x", T(n, 4))
    y = Var("y", T(n, 4))
    block = BindingBlock((VarBinding(y, _packed(x)), VarBinding(y, _packed(y))))
    assert _problems(_fn((x,), (block,), y)) == [("variable 'y' is defined twice", "body.blocks[0].bindings[1].var")]
    assert _problems(_fn((x, x), (), x)) == [("variable 'x' is defined twice", "params[1]")]


def test_dataflow_var_used_outside_its_block():
    x = Var("x", T(n, 4))
    lv = DataflowVar("lv", T(n, 4))
    gv = Var("gv", T(n, 4))
    blocks = (DataflowBlock((VarBinding(lv, _packed(x)),)), BindingBlock((VarBinding(gv, _packed(lv)),)))
    assert _problems(_fn((x,), blocks, gv)) == [
        ("dataflow variable 'lv' is used outside its dataflow block", "body.blocks[1].bindings[0].value.args[1]")
    ]
    # returning it is a use outside the block too
    assert _problems(_fn((x,), blocks[:1], lv)) == [
        ("dataflow variable 'lv' is used outside its dataflow block", "body.body")
    ]


def test_dataflow_var_bound_outside_dataflow_block():
    x = Var("x", T(n, 4))
    lv = DataflowVar("lv", T(n, 4))
    assert _problems(_fn((x,), (BindingBlock((VarBinding(lv, _packed(x)),)),), x)) == [
        ("dataflow variable 'lv' is bound outside a dataflow block", "body.blocks[0].bindings[0].var")
    ]


def test_dataflow_var_param():
    p = DataflowVar("p", T(n, 4))
    assert _problems(_fn((p,), (), p)) == [("function parameter 'p' is a dataflow variable", "params[0]")]


def test_if_branch_vars_not_visible_after():
    x = Var("x", T(n, 4))
    cond = Var("c", PrimStructInfo("bool"))
    t = Var("t", T(n, 4))
    r = Var("r", T(n, 4))
    out = Var("out", T(n, 4))
    then = SeqExpr((BindingBlock((VarBinding(t, _packed(x)),)),), t)
    otherwise = SeqExpr((), x)
    block = BindingBlock((VarBinding(r, If(cond, then, otherwise)), VarBinding(out, _packed(r, t))))
    assert _problems(_fn((x, cond), (block,), out)) == [
        ("variable 't' is defined inside an if branch and used outside it", "body.blocks[0].bindings[1].value.args[2]")
    ]


def test_nested_function_scope_and_recursion():
    x = Var("x", T(n, 4))
    f = Var("f", FuncStructInfo((T(n, 4),), T(n, 4)))
    p, q = Var("p", T(n, 4)), Var("q", T(n, 4))
    inner = Function((p,), SeqExpr((BindingBlock((VarBinding(q, f(p)),)),), q), T(n, 4))  # recursion
    out = Var("out", T(n, 4))
    block = BindingBlock((VarBinding(f, inner), VarBinding(out, _packed(x, q))))
    assert _problems(_fn((x,), (block,), out)) == [
        ("variable 'q' is used outside the function that defines it", "body.blocks[0].bindings[1].value.args[2]")
    ]


# ---------------------------------------------------------------------------------------------
# symbolic vars
# ---------------------------------------------------------------------------------------------
def test_symbolic_var_in_annotation_before_definition():
    x = Var("x", T(n, 4))
    y = Var("y", T(m, 4))
    z = Var("z", T(m, 4))
    block = BindingBlock((VarBinding(y, _packed(x, sinfo=T(m, 4))), MatchCast(z, x, T(m, 4))))
    assert _problems(_fn((x,), (block,), z)) == [
        ("symbolic variable 'm' is used before it is defined", "body.blocks[0].bindings[0].value.sinfo_args[0].shape.values[0]")
    ]
    block = BindingBlock((VarBinding(y, x), MatchCast(z, x, T(m, 4))))
    assert _problems(_fn((x,), (block,), z)) == [
        ("symbolic variable 'm' is used before it is defined", "body.blocks[0].bindings[0].var.struct_info.shape.values[0]")
    ]


def test_match_cast_defines_symbolic_vars():
    x = Var("x", T(n, 4))
    z = Var("z", T(m * 2, m))
    y = Var("y", T(m * 2, 4))
    block = BindingBlock((MatchCast(z, x, T(m * 2, m)), VarBinding(y, _packed(z, sinfo=T(m * 2, 4)))))
    assert _problems(_fn((x,), (block,), y)) == []


def test_symbolic_var_uses_in_values():
    x = Var("x", T(n, 4))
    s, pv = Var("s", ShapeStructInfo(ndim=2)), Var("pv", PrimStructInfo("int64"))
    block = BindingBlock((VarBinding(s, ShapeExpr((n, m))), VarBinding(pv, PrimValue(m + 1))))
    assert _problems(_fn((x,), (block,), x)) == [
        ("symbolic variable 'm' is used before it is defined", "body.blocks[0].bindings[0].value.values[1]")
    ]


def test_symbolic_var_composite_param_never_bare():
    x = Var("x", T(n + 1, 4))
    assert _problems(_fn((x,), (), x)) == [
        ("symbolic variable 'n' is used before it is defined", "params[0].struct_info.shape.values[0].a")
    ]


# ---------------------------------------------------------------------------------------------
# purity
# ---------------------------------------------------------------------------------------------
def _in_dataflow(value, *params) -> Function:
    lv = DataflowVar("lv", ObjectStructInfo())
    gv = Var("gv", ObjectStructInfo())
    block = DataflowBlock((VarBinding(lv, value), VarBinding(gv, lv)))
    return _fn(params, (block,), gv)


def test_impure_extern_call_in_dataflow():
    x = Var("x", T(n, 4))
    assert _problems(_in_dataflow(call_packed("my.print", x), x)) == [
        ("impure call to 'R.call_packed(\"my.print\")' inside a dataflow block", "body.blocks[0].bindings[0].value")
    ]
    # the same call outside a dataflow block is fine, and so is a pure extern call inside one
    y = Var("y", ObjectStructInfo())
    assert _problems(_fn((x,), (BindingBlock((VarBinding(y, call_packed("my.print", x)),)),), x)) == []
    pure = ExternFunc("my.pure", FuncStructInfo(None, ObjectStructInfo(), True))
    assert _problems(_in_dataflow(pure(x), x)) == []


def test_impure_op_in_dataflow():
    op = Op.get("relax.call_dps_packed")
    old = op.get_attr("pure")
    op.set_attr("pure", False)
    try:
        x = Var("x", T(n, 4))
        from irscript.relax.op import call_dps_packed

        assert _problems(_in_dataflow(call_dps_packed("lib.g", (x,), T(n, 4)), x)) == [
            ("impure call to 'R.call_dps_packed' inside a dataflow block", "body.blocks[0].bindings[0].value")
        ]
    finally:
        op.set_attr("pure", old)


def test_impure_global_and_callable_in_dataflow():
    x = Var("x", T(n, 4))
    q = Var("q", T(n, 4))
    impure = Function((q,), SeqExpr((), q), T(n, 4), is_pure=False)
    mod = IRModule({"effect": impure, "main": _in_dataflow(GlobalVar("effect")(x), x)})
    assert _problems(mod) == [
        ("impure call to 'cls.effect' inside a dataflow block", 'functions["main"].body.blocks[0].bindings[0].value')
    ]
    g = Var("g", FuncStructInfo((T(n, 4),), T(n, 4), purity=False))
    assert _problems(_in_dataflow(g(x), x, g)) == [
        ("impure call to 'g' inside a dataflow block", "body.blocks[0].bindings[0].value")
    ]


# ---------------------------------------------------------------------------------------------
# module functions and call_tir
# ---------------------------------------------------------------------------------------------
def _call_main(call, out_sinfo, *params) -> Function:
    lv = DataflowVar("lv", out_sinfo)
    gv = Var("gv", out_sinfo)
    return _fn(params, (DataflowBlock((VarBinding(lv, call), VarBinding(gv, lv))),), gv)


def test_global_var_must_be_in_module():
    x = Var("x", T(n, 4))
    mod = IRModule({"main": _in_dataflow(GlobalVar("missing")(x), x)})
    assert _problems(mod) == [
        ("function 'missing' is not defined in the module", 'functions["main"].body.blocks[0].bindings[0].value.op')
    ]
    # on its own, a function may name functions of a module it will join
    assert _problems(mod["main"]) == []


def test_call_tir_argument_count():
    x = Var("x", T(n, 128))
    main = _call_main(call_tir(GlobalVar("dense"), (x,), T(n, 10)), T(n, 10), x)
    assert _problems(_module(main)) == [
        (
            "call_tir to 'dense' passes 1 argument and 1 output, but the PrimFunc takes 3 parameters",
            'functions["main"].body.blocks[0].bindings[0].value',
        )
    ]
    w = Var("w", T(128, 10))
    call = call_tir(GlobalVar("dense"), (x, w), T(n, 10), tir_vars=ShapeExpr((n,)))
    assert _problems(_module(_call_main(call, T(n, 10), x, w)))[0][0] == (
        "call_tir to 'dense' passes 2 arguments, 1 output and 1 tir_var, but the PrimFunc takes 3 parameters"
    )


def test_call_tir_argument_shape():
    x, w = Var("x", T(n, 784)), Var("w", T(128, 10))
    main = _call_main(call_tir(GlobalVar("dense"), (x, w), T(n, 10)), T(n, 10), x, w)
    assert _problems(_module(main)) == [
        (
            "call_tir argument 0 has shape (n, 784) but buffer 'A' of 'dense' expects (n, 128)",
            'functions["main"].body.blocks[0].bindings[0].value.args[1].fields[0]',
        )
    ]


def test_call_tir_binds_symbolic_dims_consistently():
    x, w = Var("x", T(4, 128)), Var("w", T(128, 10))
    main = _call_main(call_tir(GlobalVar("dense"), (x, w), T(5, 10)), T(5, 10), x, w)
    assert _problems(_module(main)) == [
        (
            "call_tir output 0 has shape (5, 10) but buffer 'C' of 'dense' expects (4, 10)",
            'functions["main"].body.blocks[0].bindings[0].value.sinfo_args[0]',
        )
    ]
    # different symbolic dims cannot be proven unequal: accepted
    x = Var("x", T(n, 128))
    main = _call_main(call_tir(GlobalVar("dense"), (x, w), T(m, 10)), T(m, 10), x, w)
    assert _problems(_module(main)) == [
        ("symbolic variable 'm' is used before it is defined", 'functions["main"].body.blocks[0].bindings[0].value.sinfo_args[0].shape.values[0]'),
    ]


def test_call_tir_dtype_and_rank():
    x, w = Var("x", T(n, 128, dtype="float16")), Var("w", T(128, 10))
    main = _call_main(call_tir(GlobalVar("dense"), (x, w), T(n, 10)), T(n, 10), x, w)
    assert _problems(_module(main))[0][0] == (
        "call_tir argument 0 has dtype float16 but buffer 'A' of 'dense' expects float32"
    )
    x = Var("x", TensorStructInfo(dtype="float32", ndim=3))
    main = _call_main(call_tir(GlobalVar("dense"), (x, w), T(4, 10)), T(4, 10), x, w)
    assert _problems(_module(main))[0][0] == (
        "call_tir argument 0 has 3 dimensions but buffer 'A' of 'dense' expects 2"
    )
    # unknown rank and dtype are not contradictions
    x = Var("x", TensorStructInfo())
    main = _call_main(call_tir(GlobalVar("dense"), (x, w), T(4, 10)), T(4, 10), x, w)
    assert _problems(_module(main)) == []


def test_call_tir_callee_must_be_prim_func():
    x = Var("x", T(n, 4))
    q = Var("q", T(n, 4))
    relax_fn = Function((q,), SeqExpr((), q), T(n, 4))
    main = _call_main(call_tir(GlobalVar("helper"), (x,), T(n, 4)), T(n, 4), x)
    assert _problems(IRModule({"helper": relax_fn, "main": main})) == [
        ("call_tir callee 'helper' is not a PrimFunc", 'functions["main"].body.blocks[0].bindings[0].value.args[0]')
    ]
    assert _problems(IRModule({"main": main})) == [
        ("function 'helper' is not defined in the module", 'functions["main"].body.blocks[0].bindings[0].value.args[0]')
    ]


def test_call_tir_with_tir_vars():
    k = tir.Var("k", "int64")
    A = tir.Buffer(None, "float32", (k * 2,), name="A")
    B = tir.Buffer(None, "float32", (k,), name="B")
    a, b = tir.Var("a", "handle"), tir.Var("b", "handle")
    kernel = tir.PrimFunc((a, b, k), tir.Evaluate(0), buffer_map={a: A, b: B})
    x = Var("x", T(8))
    good = call_tir(GlobalVar("half"), (x,), T(4), tir_vars=ShapeExpr((4,)))
    assert _problems(IRModule({"half": kernel, "main": _call_main(good, T(4), x)})) == []
    bad = call_tir(GlobalVar("half"), (x,), T(3), tir_vars=ShapeExpr((4,)))
    assert _problems(IRModule({"half": kernel, "main": _call_main(bad, T(3), x)})) == [
        ("call_tir output 0 has shape (3,) but buffer 'B' of 'half' expects (4,)",
         'functions["main"].body.blocks[0].bindings[0].value.sinfo_args[0]')
    ]


def test_call_tir_inplace():
    k = tir.Var("k", "int64")
    A = tir.Buffer(None, "float32", (k,), name="A")
    a = tir.Var("a", "handle")
    kernel = tir.PrimFunc((a,), tir.Evaluate(0), buffer_map={a: A})
    x = Var("x", T(n))
    good = call_tir_inplace(GlobalVar("relu_"), (x,), 0, T(n))
    assert _problems(IRModule({"relu_": kernel, "main": _call_main(good, T(n), x)})) == []
    wrong_out = call_tir_inplace(GlobalVar("relu_"), (x,), 0, T(n, dtype="int32"))
    assert _problems(IRModule({"relu_": kernel, "main": _call_main(wrong_out, T(n), x)}))[0][0] == (
        "call_tir_inplace output 0 has dtype int32 but buffer 'A' of 'relu_' expects float32"
    )
    extra = call_tir_inplace(GlobalVar("relu_"), (x,), -1, T(n))
    assert _problems(IRModule({"relu_": kernel, "main": _call_main(extra, T(n), x)}))[0][0] == (
        "call_tir_inplace to 'relu_' passes 1 argument and 1 output, but the PrimFunc takes 1 parameter"
    )


# ---------------------------------------------------------------------------------------------
# return struct info
# ---------------------------------------------------------------------------------------------
def test_return_contradicts_annotation():
    x = Var("x", T(n, 10))
    assert _problems(_fn((x,), (), x, T(n, 12))) == [
        ('the function returns R.Tensor((n, 10), "float32") but is annotated R.Tensor((n, 12), "float32")', "body.body")
    ]
    assert _problems(_fn((x,), (), x, T(n, 10, dtype="int8")))[0][0] == (
        'the function returns R.Tensor((n, 10), "float32") but is annotated R.Tensor((n, 10), "int8")'
    )
    assert _problems(_fn((x,), (), x, ShapeStructInfo(ndim=2)))[0][0] == (
        'the function returns R.Tensor((n, 10), "float32") but is annotated R.Shape(ndim=2)'
    )


@pytest.mark.parametrize(
    "got, want",
    [
        (T(n, 10), TensorStructInfo(ndim=2)),
        (TensorStructInfo(ndim=2, dtype="float32"), T(n, 10)),
        (T(n, 10), ObjectStructInfo()),
        (ObjectStructInfo(), T(n, 10)),
        (T(n, 10), T(m, 10)),
        (TupleStructInfo((T(n), PrimStructInfo("int64"))), TupleStructInfo((T(n), PrimStructInfo(value=m)))),
    ],
)
def test_compatible_struct_info(got, want):
    assert not sinfo_conflict(got, want)


@pytest.mark.parametrize(
    "got, want",
    [
        (T(n, 10), T(n, 10, 1)),
        (TensorStructInfo(ndim=3), T(n, 10)),
        (TupleStructInfo((T(n),)), TupleStructInfo((T(n), T(n)))),
        (TupleStructInfo((T(n, dtype="int32"),)), TupleStructInfo((T(n),))),
        (PrimStructInfo(value=3), PrimStructInfo(value=4)),
        (ShapeStructInfo((n, 2)), ShapeStructInfo((n, 3))),
        (T(n), ShapeStructInfo((n,))),
    ],
)
def test_conflicting_struct_info(got, want):
    assert sinfo_conflict(got, want)


def test_formatting_and_dim_comparison():
    assert format_struct_info(T(n * 2 + 1, (n + 1) * 2)) == 'R.Tensor((n * 2 + 1, (n + 1) * 2), "float32")'
    assert format_struct_info(TensorStructInfo(ndim=2, dtype="int8")) == 'R.Tensor(ndim=2, dtype="int8")'
    assert format_struct_info(TupleStructInfo((T(4), PrimStructInfo("int64")))) == (
        'R.Tuple(R.Tensor((4,), "float32"), R.Prim("int64"))'
    )
    assert provably_different(tir.IntImm("int64", 3), tir.IntImm("int32", 4))
    assert not provably_different(n, m)
    assert not provably_different(n + 1, n + 1)


def test_assert_well_formed_raises_with_paths():
    x = Var("x", T(n, 4))
    func = _fn((x,), (), Var("ghost", T(n, 4)), T(n, 4))
    with pytest.raises(irscript.IRError, match=r"variable 'ghost' is used but not defined \(at body.body\)"):
        assert_well_formed(func)


def _doubling(dtype: str) -> IRModule:
    """double(A: (k,), B: (k * 2,)) with index dtype `dtype`."""
    k = tir.Var("k", dtype)
    A = tir.Buffer(None, "float32", (k,), name="A")
    B = tir.Buffer(None, "float32", (k * 2,), name="B")
    a, b = tir.Var("a", "handle"), tir.Var("b", "handle")
    return tir.PrimFunc((a, b), tir.Evaluate(0), buffer_map={a: A, b: B})


@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_call_tir_symbolic_dims_use_the_simplifier(dtype):
    x = Var("x", T(n))
    for out, ok in [(T(n + n), True), (T(n * 2 + 1), False), (T(m), True), (T((n + 1) * 2), False)]:
        call = call_tir(GlobalVar("double"), (x,), out)
        params = (x, Var("y", T(m)))  # y defines m
        problems = _problems(IRModule({"double": _doubling(dtype), "main": _call_main(call, out, *params)}))
        if ok:  # provably equal, or unknown (m against n * 2): accepted
            assert problems == []
        else:
            shape = format_struct_info(out).split("(", 1)[1].rsplit(",", 1)[0]
            assert problems == [(
                f"call_tir output 0 has shape {shape} but buffer 'B' of 'double' expects (n * 2,)",
                'functions["main"].body.blocks[0].bindings[0].value.sinfo_args[0]',
            )]
    x = Var("x", T(4))
    for size, ok in [(8, True), (9, False)]:
        call = call_tir(GlobalVar("double"), (x,), T(size))
        problems = _problems(IRModule({"double": _doubling(dtype), "main": _call_main(call, T(size), x)}))
        assert (problems == []) is ok
