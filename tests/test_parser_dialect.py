"""A third dialect that lives outside the package registers with the parser exactly as T and R
do: a Dialect, a ScriptDecorator, statement handlers, a namespace of ScriptFuncs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import irscript
from irscript import tir
from irscript.doc import nodes as D
from irscript.errors import ScriptError
from irscript.irbuilder import IRBuilder
from irscript.script import relax as R
from irscript.script import tir as T
from irscript.script.parser import ScriptDecorator, ScriptFunc, new_dialect, register_handler
from irscript.script.parser.core import header
from irscript.script.parser.errors import error_at
from irscript.tir import op

# --- the "calc" dialect: `@C.kernel` functions of int32 scalars, straight-line code, a return

CALC = new_dialect("C", "a C.kernel")
_RESULT = object()


def _parse_kernel(p, node, decorator):
    saved = p.enter_dialect(CALC)
    p.push_scope(f"the C.kernel `{node.name}`")
    try:
        params = []
        for prm in node.params:
            var = tir.Var(prm.name, "int32")
            params.append(var)
            p.define(prm.name, var)
        p.visit_body(node.body)
        if _RESULT not in p.state:
            raise error_at(header(node), "a C.kernel ends with `return`")
        func = tir.PrimFunc(tuple(params), tir.Evaluate(op.ret(p.state.pop(_RESULT))), "int32",
                            attrs={"global_symbol": node.name})
    finally:
        p.pop_scope()
        p.restore_dialect(saved)
    IRBuilder.current().set_result(func)
    return func


CALC.parse_definition = _parse_kernel


@register_handler(CALC, D.Assign)
def _assign(p, node):
    if type(node.target) is not D.Name:
        raise error_at(node.target, "a C.kernel assigns names only")
    p.define(node.target.id, p.eval(node.value))


@register_handler(CALC, D.Return)
def _return(p, node):
    p.state[_RESULT] = p.eval(node.value)


C = SimpleNamespace(
    kernel=ScriptDecorator(CALC, "C.kernel", "function", {"check_well_formed": True}),
    square=ScriptFunc(lambda x: x * x, "C.square", CALC),
)


def test_user_dialect_parses_its_functions():
    @C.kernel
    def f(x, y):
        z = C.square(x) + y
        w = T.max(z, 0)  # an `anywhere` T helper works in any dialect
        return w * 2

    x, y = tir.Var("x", "int32"), tir.Var("y", "int32")
    expected = tir.PrimFunc((x, y), tir.Evaluate(op.ret(op.max(x * x + y, 0) * 2)), "int32",
                            attrs={"global_symbol": "f"})
    irscript.assert_structural_equal(f, expected)


def test_dialect_functions_stay_in_their_dialect():
    with pytest.raises(ScriptError, match=r"T.evaluate cannot be used in a C.kernel"):
        @C.kernel
        def f(x):
            y = T.evaluate(x)  # noqa: F841
            return x

    with pytest.raises(ScriptError, match=r"C.square cannot be used in a T.prim_func"):
        @T.prim_func
        def g(A: T.Buffer((4,), "int32")):
            A[0] = C.square(A[1])

    with pytest.raises(ScriptError, match=r"R.add cannot be used in a C.kernel"):
        @C.kernel
        def h(x):
            return R.add(x, x)


def test_statements_without_a_handler_are_refused():
    with pytest.raises(ScriptError, match="a `for` loop is not allowed in a C.kernel"):
        @C.kernel
        def f(x):
            for i in range(3):
                x = x + i
            return x
