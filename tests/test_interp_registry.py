"""The interpreter's registration points: a user dialect plugs in its own TIR and Relax nodes and
op kernels, every registered op and intrinsic has an implementation, and the library registries
refuse bad registrations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from irscript import relax
from irscript.errors import ExecutionError
from irscript.interp import (
    Interpreter,
    register_extern,
    register_func,
    register_relax,
    register_relax_op,
    register_tir,
    run_prim_func,
)
from irscript.interp.registry import relax_op_kernel, tir_handler
from irscript.interp.tir_func import TIRRunner
from irscript.interp.tir_intrinsics import UNSUPPORTED
from irscript.ir import IRModule
from irscript.ir.expr import PrimExpr, RelaxExpr, StructInfo
from irscript.ir.node import field
from irscript.ir.op import registered_ops
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as T
from irscript.relax.op import define_op, registered_entries
from irscript.relax.op.infer import tensor_arg
from irscript.tir.expr import PrimExprWithOp


# ---------------------------------------------------------------------------------------------
# a tiny dialect, defined here
# ---------------------------------------------------------------------------------------------
class Clamp01(PrimExprWithOp, type_key="test_interp.Clamp01"):
    """clamp(value, 0, 1): a TIR expression node of a user dialect."""

    __slots__ = ()
    value: PrimExpr

    def __init__(self, value: PrimExpr, *, span: Any = None) -> None:
        self._set_fields(value.dtype, value, span=span)


@register_tir(Clamp01, batchable=True)
def _clamp01(c: Any, e: Clamp01, path: Any) -> Any:
    f = c.expr(e.value, path)
    lo, hi = np.float32(0), np.float32(1)
    return lambda env: np.minimum(np.maximum(f(env), lo), hi)


class Twice(RelaxExpr, type_key="test_interp.Twice"):
    """`value + value`: a Relax expression node of a user dialect."""

    __slots__ = ()
    value: RelaxExpr
    struct_info: StructInfo | None = field(default=None)


@register_relax(Twice)
def _twice(interp: Any, e: Twice, path: Any) -> Any:
    v = interp.eval(e.value, path.attr("value"))
    return v + v


def test_a_user_tir_node_runs_on_both_paths() -> None:
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name("clamp")
            A = T.arg("A", T.Buffer((5,), "float32"))
            B = T.arg("B", T.Buffer((5,), "float32"))
            with T.serial(5) as i:
                B[i] = Clamp01(A[i] * T.float32(2))
    func = ib.get()
    a = np.array([-1, 0.1, 0.3, 0.6, 2], "float32")
    for vectorize in (True, False):
        out = np.zeros(5, "float32")
        runner = TIRRunner(None, vectorize)
        runner.call(func, [a, out])
        np.testing.assert_array_equal(out, np.clip(a * 2, 0, 1))
        assert runner.stats == ({"batched": 1} if vectorize else {})
    assert tir_handler(Clamp01) is not None


def test_a_user_relax_node_and_op_kernel() -> None:
    x = relax.Var("x", relax.TensorStructInfo((3,), "float32"))
    y = relax.Var("y", relax.TensorStructInfo((3,), "float32"))
    body = relax.SeqExpr([relax.BindingBlock([relax.VarBinding(y, Twice(x, x.struct_info))])], y)
    func = relax.Function([x], body, y.struct_info)
    np.testing.assert_array_equal(Interpreter(IRModule({"main": func}))["main"](np.arange(3, dtype="float32")),
                                  [0, 2, 4])

    square = define_op("test_interp.square", args=["x"], infer=lambda call, ctx=None: tensor_arg(call, 0),
                       numpy_ref=lambda x: x * x)
    z = relax.Var("z", relax.TensorStructInfo((3,), "float32"))
    body = relax.SeqExpr([relax.BindingBlock([relax.VarBinding(z, square(x))])], z)
    mod = IRModule({"main": relax.Function([x], body, z.struct_info)})
    a = np.array([1, 2, 3], "float32")
    np.testing.assert_array_equal(Interpreter(mod)["main"](a), [1, 4, 9])

    @register_relax_op("test_interp.square")
    def _cube(x: np.ndarray) -> np.ndarray:   # an interpreter kernel takes precedence
        return x * x * x

    np.testing.assert_array_equal(Interpreter(mod)["main"](a), [1, 8, 27])


# ---------------------------------------------------------------------------------------------
# coverage of the registries
# ---------------------------------------------------------------------------------------------
def test_every_registered_relax_op_has_an_implementation() -> None:
    missing = [e.name for e in registered_entries() if e.numpy_ref is None and relax_op_kernel(e.name) is None]
    assert missing == []
    special = [op.name for op in registered_ops("relax.") if op.get_attr("special_form")]
    assert special and all(relax_op_kernel(n) is not None and relax_op_kernel(n).raw for n in special)


def test_every_tir_intrinsic_has_an_implementation() -> None:
    from irscript.interp.registry import intrinsic

    missing = [op.name for op in registered_ops("tir.") if intrinsic(op.name) is None]
    assert sorted(missing) == sorted(UNSUPPORTED)


def test_library_registries_refuse_bad_registrations() -> None:
    with pytest.raises(ExecutionError, match="needs a non-empty string name"):
        register_func("", lambda: None)
    with pytest.raises(ExecutionError, match="is not callable"):
        register_extern("test_interp.x", 3)
    register_extern("test_interp.once", lambda: 1)
    with pytest.raises(ExecutionError, match="extern function 'test_interp.once' is already registered"):
        register_extern("test_interp.once", lambda: 2)


def test_extern_results_are_converted_to_the_call_dtype() -> None:
    from irscript.tir import op as top

    register_extern("test_interp.half", lambda x: x / 2, override=True)
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name("f")
            A = T.arg("A", T.Buffer((2,), "int32"))
            A[0] = top.call_extern("int32", "test_interp.half", T.int32(9))
            A[1] = top.cast("int32", top.call_extern("float32", "test_interp.half", T.float32(9)))
    out = np.zeros(2, "int32")
    with pytest.raises(ExecutionError, match="returned 4.5, which is not a int32 value"):
        run_prim_func(ib.get(), [out])
    register_extern("test_interp.half", lambda x: x // 2 if isinstance(x, np.integer) else x / 2, override=True)
    run_prim_func(ib.get(), [out])
    np.testing.assert_array_equal(out, [4, 4])
