"""Hostile text: `irscript.parse(text)` reaches only I, T, R, IR values and a few safe builtins.
Every escape attempt is a ScriptError and runs nothing (a canary file stays absent)."""

from __future__ import annotations

import pytest

from irscript.errors import ScriptError
from irscript.script import parse

PLACES = {
    "body": '@T.prim_func\ndef f(A: T.Buffer((4,), "float32")):\n    A[0] = {expr}\n',
    "statement": '@T.prim_func\ndef f(A: T.Buffer((4,), "float32")):\n    {expr}\n',
    "annotation": '@T.prim_func\ndef f(A: {expr}):\n    A[0] = T.float32(0.0)\n',
    "decorator": '@{expr}\ndef f(A: T.Buffer((4,), "float32")):\n    A[0] = T.float32(0.0)\n',
    "relax_body": '@R.function\ndef f(x: R.Tensor((4,), "float32")):\n    y = {expr}\n    return x\n',
    "module_body": "@I.ir_module\nclass M:\n    I.module_attrs({{'k': {expr}}})\n",
    "metadata": '@T.prim_func\ndef f(A: T.Buffer((4,), "float32")):\n    A[0] = T.float32(0.0)\n\nmetadata = {expr}\n',
}

ATTACKS = {
    "import": '__import__("os").system("touch {canary}")',
    "class_bases": "().__class__.__bases__[0].__subclasses__()",
    "open": 'open("{canary}", "w")',
    "getattr_globals": 'getattr(T.evaluate, "__globals__")',
    "eval": 'eval("1")',
    "exec": 'exec("import os")',
    "compile": 'compile("1", "x", "eval")',
    "globals": "globals()",
    "vars": "vars(T)",
    "type": "type(T)",
    "function_globals": "T.evaluate.fn.__globals__",
    "private_attr": "T._B",
    "namespace_dict": "T.__dict__",
    "module_reach": "T.prim_func.dialect.handlers",
    "str_format": '"{{0.__class__}}".format(T)',
    "builtins_name": "__builtins__",
    "lambda_escape": "(lambda: 0)()",
    "breakpoint": "breakpoint()",
    "setattr": 'setattr(T, "x", 1)',
}


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_escape_attempts_raise_script_errors_and_run_nothing(tmp_path, place, attack):
    canary = tmp_path / "canary"
    expr = ATTACKS[attack].format(canary=canary)
    text = PLACES[place].format(expr=expr)
    with pytest.raises(ScriptError) as info:
        parse(text)
    assert info.value.span is not None
    assert not canary.exists()


def test_the_messages_say_why():
    cases = {
        '__import__("os").system("true")': "special names like `__import__` are not available in scripts",
        "().__class__.__bases__": "access to the special attribute `__class__` is not allowed in scripts",
        'open("x")': "unknown name `open`",
        'getattr(A, "__globals__")': "unknown name `getattr`",
        "T._B": "access to the private attribute `_B` is not allowed in scripts",
        '"{}".format(1)': "`str.format` is not allowed in scripts",
    }
    for expr, message in cases.items():
        text = PLACES["body"].format(expr=expr)
        with pytest.raises(ScriptError) as info:
            parse(text)
        assert message in info.value.message, (expr, info.value.message)
        assert (info.value.span.line, info.value.span.col) == (3, 11)


def test_only_public_namespace_names_are_reachable():
    for expr in ("T.Any", "T.annotations", "R.np", "I.new_dialect"):
        with pytest.raises(ScriptError):
            parse(PLACES["body"].format(expr=expr))


def test_deep_nesting_is_an_error_not_a_crash():
    expr = "(" * 200 + "1" + ")" * 200
    deep = "-" * 3000 + "1"
    for e in (expr, deep, "+".join(["1"] * 5000)):
        try:
            parse(PLACES["statement"].format(expr=f"T.evaluate({e})"))
        except ScriptError:
            pass
