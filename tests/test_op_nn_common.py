"""Shared checks of the nn / image op tests, and the registry features they brought: optional
trailing arguments (attention's `bias`), script functions (`R.nn.linear`,
`R.nn.attention_bias`), TVM-style attribute normalization and layout checks.

`check_legalized(build, arrays, sym)` is the one legalization check the nn / image test files
use: it builds the call on Relax vars (dims named in `sym` become shared symbolic vars),
legalizes it, checks the PrimFunc is well-formed, private, `tir.noalias` and survives JSON,
checks the numpy reference's output shape against the inferred struct info, runs the PrimFunc
with the TIR evaluator of tests/test_op_legalize.py and compares with the numpy reference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from test_op_legalize import run_prim_func

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import Op, from_json, structural_equal, to_json
from irscript.ir.well_formed import check_well_formed
from irscript.relax.op import call_from_script, define_op, get_entry, lookup_script, nn, script_namespaces
from irscript.relax.op.infer import tensor_arg
from irscript.relax.op.legalize import legalize_to_prim_func
from irscript.relax.op.nn.common import complete_padding, expand
from irscript.relax.op.registry import ScriptFunction, constant_value, define_script_function
from irscript.relax.op.signature import Arg
from irscript.relax.struct_info_relations import simplify_dim, substitute_tir_vars

rng = np.random.default_rng(11)


def rand(*shape: int, dtype: str = "float32", lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    if np.dtype(dtype).kind in "iu":
        return rng.integers(int(lo), int(hi) + 1, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def relax_vars(arrays: Sequence[np.ndarray], sym: dict[int, dict[int, str]] | None = None
               ) -> tuple[list[relax.Var], dict[str, tir.Var], dict[str, int]]:
    """Relax vars for the arrays; `sym[i][d] = "h"` makes dim d of input i the shape var h
    (one var per name, shared between inputs). Returns the vars, the shape vars and their values."""
    shape_vars: dict[str, tir.Var] = {}
    values: dict[str, int] = {}
    out = []
    for i, a in enumerate(arrays):
        dims: list[Any] = list(a.shape)
        for d, name in (sym or {}).get(i, {}).items():
            var = shape_vars.setdefault(name, tir.Var(name, "int64"))
            assert values.setdefault(name, a.shape[d]) == a.shape[d], f"{name} bound to two sizes"
            dims[d] = var
        out.append(relax.Var(f"x{i}", relax.TensorStructInfo(dims, str(a.dtype))))
    return out, shape_vars, values


def _close(got: np.ndarray, want: np.ndarray, rtol: float) -> None:
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape, got.dtype, want.dtype)
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(got, want)


def check_legalized(build: Callable[..., relax.Call], arrays: Sequence[np.ndarray],
                    sym: dict[int, dict[int, str]] | None = None, rtol: float = 1e-5,
                    other_vars: dict[tir.Var, int] | None = None) -> None:
    """`other_vars` gives the values of shape vars the call uses outside the inputs' shapes
    (e.g. in a size argument)."""
    vars_, shape_vars, values = relax_vars(arrays, sym)
    call = build(*vars_)
    entry = get_entry(call.op)
    func, _, out_sinfo, tir_vars = legalize_to_prim_func(call)
    assert check_well_formed(func) == []
    assert func.attrs == {"tir.noalias": True} and func.is_private
    assert structural_equal(from_json(to_json(func)), func)
    bind = {id(shape_vars[n]): tir.IntImm("int64", v) for n, v in values.items()}
    bind.update({id(v): tir.IntImm("int64", k) for v, k in (other_vars or {}).items()})
    values.update({v.name_hint: k for v, k in (other_vars or {}).items()})
    feed = iter(arrays)
    inputs = [next(feed) if isinstance(a.struct_info, relax.TensorStructInfo)
              else constant_value(substitute_tir_vars(a, bind)) for a in call.args]
    want = entry.run_numpy(call, *inputs)
    wants = list(want) if isinstance(want, list) else [want]
    sinfos = list(call.struct_info.fields) if isinstance(call.struct_info, relax.TupleStructInfo) \
        else [call.struct_info]
    for w, s in zip(wants, sinfos):  # the reference agrees with inference on the output shape
        dims = substitute_tir_vars(s.shape, bind).values
        assert tuple(int(simplify_dim(d).value) for d in dims) == w.shape, (dims, w.shape)
        assert w.dtype == s.dtype.numpy_dtype()
    outs = [np.zeros(w.shape, w.dtype) for w in wants]
    run_prim_func(func, [*arrays, *outs, *[values[v.name_hint] for v in tir_vars]])
    for got, w in zip(outs, wants):
        _close(got, w, rtol)


# ---------------------------------------------------------------------------------------------
# optional arguments
# ---------------------------------------------------------------------------------------------
def _qkv() -> list[relax.Var]:
    return [relax.Var(n, relax.TensorStructInfo((1, 3, 2, 4), "float32")) for n in ("q", "k", "v")]


def test_an_optional_argument_is_left_out_of_the_call() -> None:
    q, k, v = _qkv()
    b = relax.Var("b", relax.TensorStructInfo((1, 2, 3, 3), "float32"))
    entry = get_entry("relax.nn.attention")
    plain, explicit_none, with_bias = nn.attention(q, k, v), nn.attention(q, k, v, None), nn.attention(q, k, v, b)
    assert plain.args == (q, k, v) and explicit_none.args == (q, k, v)
    assert with_bias.args == (q, k, v, b) and nn.attention(q, k, v, bias=b).args == (q, k, v, b)
    assert entry.split_args(plain)["bias"] is None and entry.split_args(with_bias)["bias"] is b
    assert entry.print_form(plain)[0] == [q, k, v] and entry.print_form(with_bias)[0] == [q, k, v, b]
    assert entry.arg_name(3, with_bias) == "bias"


def test_hand_built_calls_with_too_few_or_many_arguments_are_rejected() -> None:
    q, k, v = _qkv()
    op = Op.get("relax.nn.attention")
    with pytest.raises(IRError, match=r"R.nn.attention: takes 3 to 4 argument\(s\), the call has 2"):
        op.get_attr("infer_struct_info")(relax.Call(op, (q, k)), None)
    with pytest.raises(IRError, match=r"R.nn.attention: takes 3 to 4 argument\(s\), the call has 5"):
        op.get_attr("infer_struct_info")(relax.Call(op, (q, k, v, v, v)), None)


def _infer_first(call: relax.Call, ctx: Any = None) -> Any:
    return tensor_arg(call, 0)


def test_optional_arguments_come_last_and_are_given_in_order() -> None:
    with pytest.raises(IRError, match="argument 'y' follows an optional argument"):
        define_op("test_nn.bad_order", args=[Arg("x"), Arg("o", default=None), Arg("y")], infer=_infer_first)
    with pytest.raises(IRError, match="a variadic argument and optional arguments do not mix"):
        define_op("test_nn.bad_mix", args=[Arg("x", variadic=True), Arg("o", default=None)], infer=_infer_first)
    two = define_op("test_nn.two_optional", args=[Arg("x"), Arg("a", default=None), Arg("b", default=None)],
                    infer=_infer_first)
    x = relax.Var("x", relax.TensorStructInfo((2,), "float32"))
    assert len(two(x).args) == 1 and len(two(x, x).args) == 2 and len(two(x, x, x).args) == 3
    with pytest.raises(IRError, match="R.test_nn.two_optional: argument 'b' needs argument 'a'"):
        two(x, b=x)


# ---------------------------------------------------------------------------------------------
# script functions
# ---------------------------------------------------------------------------------------------
def test_script_functions_are_found_like_ops_and_build_calls_of_ops() -> None:
    x = relax.Var("x", relax.TensorStructInfo((2, 3), "float32"))
    w = relax.Var("w", relax.TensorStructInfo((4, 3), "float32"))
    b = relax.Var("b", relax.TensorStructInfo((4,), "float32"))
    helper = lookup_script("nn.linear")
    assert isinstance(helper, ScriptFunction) and helper.script_name == "R.nn.linear"
    assert lookup_script("R.linear").fn is helper.fn and "nn" in script_namespaces()
    out = call_from_script("nn.linear", [x, w], {"bias": b})
    assert out.op.name == "relax.add" and out.args[1] is b
    mm = out.args[0]
    assert mm.op.name == "relax.matmul" and mm.args[0] is x and mm.args[1].op.name == "relax.permute_dims"
    assert mm.args[1].args[0] is w
    assert [int(d.value) for d in out.struct_info.shape.values] == [2, 4]
    with pytest.raises(IRError, match="R.nn.linear: missing a required argument: 'weight'"):
        call_from_script("nn.linear", [x], {})
    with pytest.raises(IRError, match="R.nn.linear: got an unexpected keyword argument 'bais'"):
        call_from_script("nn.linear", [x, w], {"bais": b})


def test_script_function_names_are_unique() -> None:
    with pytest.raises(IRError, match="R.nn.conv2d is already taken by 'relax.nn.conv2d'"):
        define_script_function("nn.conv2d", lambda x: x)
    with pytest.raises(IRError, match="R.nn.linear is already taken by 'R.nn.linear'"):
        define_script_function("R.nn.linear", lambda x: x)
    with pytest.raises(IRError, match="R.nn.linear is already taken"):
        define_op("relax.test_nn.linear", script_name="R.nn.linear", infer=_infer_first)


def test_a_span_goes_to_the_outermost_expression() -> None:
    from irscript.ir.span import Span

    x = relax.Var("x", relax.TensorStructInfo((2, 3), "float32"))
    w = relax.Var("w", relax.TensorStructInfo((4, 3), "float32"))
    span = Span("f.py", 3, 4, 3, 20)
    assert lookup_script("nn.linear").make_call([x, w], {}, span).span is span


def test_attention_bias_builds_an_attention_with_a_bias() -> None:
    q, k, v = _qkv()
    b = relax.Var("b", relax.TensorStructInfo((1, 1, 3, 3), "float32"))
    call = call_from_script("nn.attention_bias", [q, k, v, b], {"causal_mask": "TopLeft"})
    assert call.op.name == "relax.nn.attention" and call.args[3] is b
    assert call.attrs == {"scale": None, "causal_mask": "TopLeft", "window_size": None}


# ---------------------------------------------------------------------------------------------
# attribute normalization
# ---------------------------------------------------------------------------------------------
def test_int_tuples_and_paddings_are_completed_as_tvm_does() -> None:
    assert expand("R.op", "strides", (2,), 2) == (2, 2) and expand("R.op", "strides", (1, 3), 2) == (1, 3)
    assert complete_padding("R.op", "padding", (1,), 2) == (1, 1, 1, 1)
    assert complete_padding("R.op", "padding", (1, 2), 2) == (1, 2, 1, 2)
    assert complete_padding("R.op", "padding", (1, 2, 3, 4), 2) == (1, 2, 3, 4)
    assert complete_padding("R.op", "padding", (3,), 1) == (3, 3)
    with pytest.raises(IRError, match=r"R.op: attribute 'strides' takes 1 or 2 value\(s\), got \[1, 2, 3\]"):
        expand("R.op", "strides", (1, 2, 3), 2)
    with pytest.raises(IRError, match=r"R.op: attribute 'padding' takes 1, 2 or 4 value\(s\), got \[1, 2, 3\]"):
        complete_padding("R.op", "padding", (1, 2, 3), 2)


def test_hand_built_calls_are_normalized_by_inference_and_legalization() -> None:
    x = relax.Var("x", relax.TensorStructInfo((1, 2, 5, 5), "float32"))
    w = relax.Var("w", relax.TensorStructInfo((3, 2, 3, 3), "float32"))
    op = Op.get("relax.nn.conv2d")
    call = relax.Call(op, (x, w), {"strides": (2,), "padding": (1,)})
    sinfo = op.get_attr("infer_struct_info")(call, None)
    assert [int(d.value) for d in sinfo.shape.values] == [1, 3, 3, 3]
    built = nn.conv2d(x, w, strides=2, padding=1)
    assert built.attrs["padding"] == (1, 1, 1, 1) and built.attrs["out_layout"] == "NCHW"
    a, b = rand(1, 2, 5, 5), rand(3, 2, 3, 3)
    entry = get_entry(op)
    np.testing.assert_allclose(entry.run_numpy(relax.Call(op, (x, w), {"strides": (2,), "padding": (1,)}), a, b),
                               entry.run_numpy(built, a, b))


def test_symbolic_helper_binds_shared_vars() -> None:
    vars_, shape_vars, values = relax_vars([rand(2, 3), rand(3, 2)], {0: {1: "n"}, 1: {0: "n"}})
    assert vars_[0].struct_info.shape.values[1] is shape_vars["n"] is vars_[1].struct_info.shape.values[0]
    assert values == {"n": 3}
    with pytest.raises(AssertionError, match="n bound to two sizes"):
        relax_vars([rand(2, 3), rand(4, 2)], {0: {1: "n"}, 1: {0: "n"}})
