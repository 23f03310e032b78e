"""The op registry: one entry per op drives the builder, the script-call binding, the print form,
the Op attrs; every registered Relax op has inference, a numpy reference and a legalization (or a
runtime builtin)."""

from __future__ import annotations

import inspect

import pytest

import irscript
from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import Op, from_json, registered_ops, structural_equal, to_json
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import relax as RB
from irscript.relax import op as R
from irscript.relax.normalize import BlockBuilder
from irscript.relax.op import call_from_script, get_entry, lookup_script
from irscript.relax.op.registry import constant_value, define_op
from irscript.relax.op.signature import INT, INTS, PRIM, Arg, Attr, optional

n = tir.Var("n", "int64")
X = relax.Var("x", relax.TensorStructInfo((n, 4), "float32"))
W = relax.Var("w", relax.TensorStructInfo((4, 3), "float32"))

SPECIAL_FORMS = {"relax.call_tir", "relax.call_tir_inplace", "relax.call_dps_packed", "relax.call_pure_packed"}


def test_every_relax_op_has_inference_numpy_reference_and_legalization() -> None:
    checked = 0
    for op in registered_ops("relax."):
        if op.get_attr("special_form"):
            assert op.name in SPECIAL_FORMS
            continue
        entry = get_entry(op)
        assert entry is not None, f"{op.name} has no registry entry"
        assert op.get_attr("entry") is entry and entry.op is op
        assert callable(op.get_attr("infer_struct_info")), op.name
        assert callable(entry.numpy_ref), f"{op.name} has no numpy reference"
        assert callable(entry.legalize) or isinstance(entry.runtime, str), f"{op.name} has no legalization"
        assert op.get_attr("script_name") == entry.script_name == f"R.{entry.path}"
        assert lookup_script(entry.path) is entry
        assert entry.builder.entry is entry and entry.builder.__name__ == entry.path.rsplit(".", 1)[-1]
        assert op.get_attr("pure") is entry.pure
        checked += 1
    assert checked >= 46


def test_builder_fills_every_attr_in_declared_order_and_deduces_struct_info() -> None:
    call = R.sum(X)
    assert call.op is Op.get("relax.sum") and call.args == (X,)
    assert list(call.attrs.items()) == [("axis", None), ("keepdims", False)]
    assert call.struct_info.values == ()
    assert R.sum(X, 1).attrs["axis"] == (1,)
    assert R.sum(X, axis=[0, -1], keepdims=True).attrs == {"axis": (0, -1), "keepdims": True}
    assert R.matmul(X, W).attrs == {"out_dtype": "void"}
    assert R.astype(X, "float16").attrs["dtype"] == "float16"
    bare = relax.Var("b")  # no struct info: no deduction
    assert R.exp(bare).struct_info is None


@pytest.mark.parametrize("build, message", [
    (lambda: R.add(X, X, X), r"R.add: takes at most 2 positional argument\(s\) \(x1, x2\), got 3"),
    (lambda: R.add(X), "R.add: missing argument 'x2'"),
    (lambda: R.add(X, x1=X), "R.add: argument 'x1' is given twice"),
    (lambda: R.add(X, 1), r"R.add: argument 'x2' expects a Relax expression \(a tensor\), got int"),
    (lambda: R.sum(X, axes=[1]), "R.sum: unexpected keyword argument 'axes'"),
    (lambda: R.sum(X, axis="a"), "R.sum: argument 'axis' expects a tuple of int or None, got str"),
    (lambda: R.sum(X, keepdims=1), "R.sum: argument 'keepdims' expects a bool, got int"),
    (lambda: R.argmax(X, axis=[1]), "R.argmax: argument 'axis' expects an int or None, got list"),
    (lambda: R.astype(X), "R.astype: missing argument 'dtype'"),
    (lambda: R.astype(X, "flot32"), "R.astype: argument 'dtype' expects a data type, got str"),
    (lambda: R.clip(X, "a", 1), "R.clip: argument 'min' expects a PrimValue or a number, got str"),
    (lambda: R.sum(X, 1, False, 3), r"R.sum: takes at most 3 positional argument\(s\)"),
])
def test_binding_errors_name_the_op_and_the_argument(build, message) -> None:
    with pytest.raises(IRError, match=message):
        build()


def test_script_lookup_and_call_from_script() -> None:
    assert lookup_script("add") is get_entry("relax.add") is lookup_script("R.add")
    assert lookup_script("no_such_op") is None
    call = call_from_script("matmul", [X, W], {"out_dtype": "float32"})
    assert call.attrs == {"out_dtype": "float32"} and call.struct_info.dtype == "float32"
    with pytest.raises(IRError, match="R.no_such_op is not a registered operator"):
        call_from_script("no_such_op", [], {})
    with pytest.raises(IRError, match="R.sum: unexpected keyword argument 'dim'"):
        call_from_script("sum", [X], {"dim": 1})


def test_print_form_lists_every_attr_as_a_script_value() -> None:
    entry = get_entry("relax.matmul")
    assert entry.print_form(R.matmul(X, W)) == ([X, W], [("out_dtype", "void")])
    assert get_entry("relax.sum").print_form(R.sum(X, axis=1)) == ([X], [("axis", [1]), ("keepdims", False)])
    assert get_entry("relax.argmax").print_form(R.argmax(X)) == ([X], [("axis", None), ("keepdims", False)])
    pos, kw = get_entry("relax.print").print_form(R.print(X, W, format="{} {}"))
    assert pos == [X, W] and kw[0][0] == "format" and kw[0][1].value == "{} {}"
    pos, kw = get_entry("relax.assert_op").print_form(R.assert_op(relax.PrimValue(True), X, format="bad {}"))
    assert len(pos) == 2 and pos[1] is X and kw[0][1].value == "bad {}"


def test_builder_signatures_read_like_tvm() -> None:
    assert str(inspect.signature(R.sum)) == "(x, axis=None, keepdims=False)"
    assert str(inspect.signature(R.matmul)) == "(x1, x2, out_dtype='void')"
    assert str(inspect.signature(R.print)) == "(*values, format='')"
    assert str(inspect.signature(R.assert_op)) == "(condition, *format_args, format='')"
    assert R.clip.__doc__.startswith("R.clip(x, min, max)")


def test_calls_roundtrip_json_and_compare_by_attrs() -> None:
    call = R.sum(X, axis=[1], keepdims=True)
    back = from_json(to_json(call))
    assert back.op is call.op and back.attrs == call.attrs and structural_equal(back, call, map_free_vars=True)
    assert not structural_equal(call, R.sum(X, axis=[0], keepdims=True))
    assert from_json(to_json(R.matmul(X, W, out_dtype="float16"))).attrs["out_dtype"] == "float16"


def test_normalizer_uses_the_entry_and_fills_missing_attrs() -> None:
    bb = BlockBuilder()
    bare = relax.Call(Op.get("relax.sum"), (X,))  # built by hand, without attrs
    assert bb.normalize(bare).struct_info.values == ()
    with pytest.raises(IRError, match="R.astype: the call has no attribute 'dtype'"):
        bb.normalize(relax.Call(Op.get("relax.astype"), (X,)))
    with pytest.raises(IRError, match="R.sum: unexpected attribute 'dims'"):
        bb.normalize(relax.Call(Op.get("relax.sum"), (X,), {"dims": 1}))
    assert bb.normalize(relax.Call(Op.get("relax.sum"), (X,), {"axis": 1})).struct_info.values[0] is n
    with pytest.raises(IRError, match="R.sum: attribute 'axis' expects a tuple of int or None, got str"):
        bb.normalize(relax.Call(Op.get("relax.sum"), (X,), {"axis": "1", "keepdims": False}))
    with pytest.raises(IRError, match=r"R.exp: takes 1 argument\(s\), the call has 2"):
        bb.normalize(relax.Call(Op.get("relax.exp"), (X, X)))


def test_irbuilder_emits_nested_op_calls_in_a_normal_form() -> None:
    with IRBuilder() as ib:
        with RB.function():
            RB.func_name("f")
            x = RB.arg("x", relax.TensorStructInfo((n, 4), "float32"))
            w = RB.arg("w", relax.TensorStructInfo((4, 3), "float32"))
            with RB.dataflow():
                y = RB.emit(R.sum(R.matmul(R.exp(x), w), axis=[1]))
                RB.output(y)
            RB.func_ret_value(y)
    func = ib.get()
    bindings = func.body.blocks[0].bindings
    assert [b.value.op.name for b in bindings] == ["relax.exp", "relax.matmul", "relax.sum"]
    assert func.ret_struct_info.values[0] is n
    assert irscript.ir.well_formed.check_well_formed(func) == []


def test_impure_ops_are_flagged() -> None:
    assert get_entry("relax.print").pure is False and get_entry("relax.assert_op").pure is False
    assert Op.get("relax.add").get_attr("pure") is True


def test_constant_values_of_arguments() -> None:
    assert constant_value(relax.PrimValue(tir.IntImm("int64", 3))) == 3
    assert constant_value(relax.StringImm("s")) == "s"
    assert constant_value(relax.ShapeExpr([2, 3])) == (2, 3)
    assert constant_value(X, None) is None
    with pytest.raises(IRError, match="not a constant"):
        constant_value(X)


def test_definition_errors() -> None:
    def infer(call, ctx):
        return relax.ObjectStructInfo()

    with pytest.raises(IRError, match="'relax.add' is already defined"):
        define_op("relax.add", infer=infer)
    with pytest.raises(IRError, match="R.add is already taken"):
        define_op("other.add", script_name="add", infer=infer)
    with pytest.raises(IRError, match="duplicate argument name"):
        define_op("test.registry.dup", args=["x", "x"], infer=infer)
    with pytest.raises(IRError, match="at most one variadic"):
        define_op("test.registry.var", args=[Arg("a", variadic=True), Arg("b", variadic=True)], infer=infer)


def test_a_test_op_with_every_signature_feature() -> None:
    seen = {}

    def infer(call, ctx):
        seen["attrs"] = dict(call.attrs)
        return relax.TupleStructInfo(())

    entry = define_op(
        "test.registry.kitchen",
        args=[Arg("first"), Arg("scale", PRIM, default=1.0), Arg("label", R.signature.STR_ARG, kw_only=True,
                                                                   default="none"),
              Arg("rest", variadic=True)],
        attrs=[Attr("count", INT, 2), Attr("axes", optional(INTS), None)],
        infer=infer, pure=False, runtime="test.kitchen", numpy_ref=lambda *a, **k: (a, k),
    )
    assert entry.path == "test.registry.kitchen" and "test.registry" in R.script_namespaces()
    call = entry(X, 2, W, W, label="hi", count=5)
    assert call.args[0] is X and call.args[3] is W and call.args[4] is W and len(call.args) == 5
    assert constant_value(call.args[1]) == 2 and call.args[2].value == "hi"
    assert seen["attrs"] == {"count": 5, "axes": None}
    assert entry.split_args(call)["rest"] == (W, W)
    assert [entry.arg_name(i, call) for i in range(5)] == ["first", "scale", "label", "rest", "rest"]
    default = entry(X)
    assert constant_value(default.args[1]) == 1.0 and default.args[2].value == "none" and len(default.args) == 3
    values, kwargs = entry.run_numpy(call, "a", 2, "hi", 0, 0)
    assert values == ("a", 2, "hi", 0, 0) and kwargs == {"count": 5, "axes": None}
    with pytest.raises(IRError, match="R.test.registry.kitchen: missing argument 'first'"):
        entry(label="x")
