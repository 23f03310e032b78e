"""Bad scripts: each raises a ScriptError with a message in the user's words at the right
line:column (1-based), never a Python traceback from inside the parser or the IRBuilder."""

from __future__ import annotations

import pytest

from irscript.doc import render_error
from irscript.errors import ScriptError
from irscript.script import parse
from irscript.testing.diagnostics import assert_diag, script_text

TIR = """
@T.prim_func
def f(A: T.Buffer((4,), "float32"), n: T.int32):
    {body}
"""
RELAX = """
@R.function
def f(x: R.Tensor((4,), "float32")):
    {body}
"""
MODULE_DUP = """
@I.ir_module
class M:
    @T.prim_func
    def f(A: T.Buffer((4,), "float32")):
        A[0] = T.float32(0.0)

    @T.prim_func
    def f(A: T.Buffer((4,), "float32")):
        A[0] = T.float32(0.0)
"""

CASES = [
    # names
    ("unknown_name", TIR.format(body="A[0] = foo"), "unknown name `foo`", 3, 12),
    ("unknown_namespace_name", TIR.format(body='with T.blok("b"):\n        pass'), "unknown name `T.blok`", 3, 10),
    ("unknown_relax_op", RELAX.format(body="y = R.foo(x)\n    return y"),
     "R.foo is not a registered operator or R function", 3, 9),
    ("name_out_of_scope", TIR.format(body="for i in range(4):\n        A[i] = T.float32(0.0)\n    A[i] = T.float32(1.0)"),
     "`i` is not defined here: it was defined in the `for` loop at line 3, which has ended", 5, 7),
    ("undefined_symbolic_var", RELAX.format(body='y: R.Tensor((k, 4), "float32") = R.add(x, x)\n    return y'),
     "unknown name `k`", 3, 18),
    ("dataflow_var_not_output", RELAX.format(body="with R.dataflow():\n        lv = R.add(x, x)\n        gv = R.add(lv, x)\n"
                                                  "        R.output(gv)\n    y = R.add(lv, x)\n    return y"),
     "variable 'lv' is not visible here: it is a dataflow var that is not an output", 7, 5),
    ("unknown_module_function", '@I.ir_module\nclass M:\n    @R.function\n    def f(x: R.Tensor((4,), "float32")):\n'
                                "        y = M.g(x)\n        return y\n", "the module `M` has no function `g`", 5, 13),
    # arity, keywords, argument types
    ("op_missing_argument", RELAX.format(body="y = R.add(x)\n    return y"), "R.add: missing argument 'x2'", 3, 9),
    ("op_unknown_keyword", RELAX.format(body="y = R.add(x, x, foo=1)\n    return y"),
     "R.add: unexpected keyword argument 'foo'", 3, 25),
    ("python_arity", TIR.format(body="T.evaluate(1, 2)"), "T.evaluate(): too many positional arguments", 3, 5),
    ("op_argument_type", RELAX.format(body='y = R.sum(x, axis="a")\n    return y'),
     "R.sum: argument 'axis' expects a tuple of int or None, got str", 3, 23),
    ("bad_dtype", TIR.format(body='B = T.alloc_buffer((4,), "floaty32")'), "unknown data type 'floaty32'", 3, 9),
    ("decorator_option", '@T.prim_func(bogus=True)\ndef f(A: T.Buffer((4,), "float32")):\n    A[0] = T.float32(0.0)\n',
     "T.prim_func() got an unexpected keyword argument 'bogus'", 1, 2),
    ("call_a_value", TIR.format(body="A[0] = n(1)"), "`n` is a tir.Var `n`, not a function", 3, 12),
    ("operand_types", TIR.format(body="A[0] = A + 1"), "cannot apply `+` to a tir.Buffer `A` and an int", 3, 12),
    # dialects
    ("t_block_in_relax", RELAX.format(body='with T.block("b"):\n        pass\n    return x'),
     "T.block cannot be used in a Relax function (R.function)", 3, 10),
    ("relax_op_in_tir", TIR.format(body="A[0] = R.add(A[0], A[1])"), "R.add cannot be used in a T.prim_func", 3, 12),
    ("prim_func_in_relax", RELAX.format(body='@T.prim_func\n    def g(A: T.Buffer((4,), "float32")):\n'
                                             "        A[0] = T.float32(0.0)\n    return x"),
     "only an @R.function can be defined inside a Relax function", 4, 5),
    ("while_in_relax", RELAX.format(body="while True:\n        pass\n    return x"),
     "a `while` loop is not allowed in a Relax function (R.function)", 3, 5),
    ("reads_outside_block", TIR.format(body="T.reads(A[0])"), "T.reads must be used inside a T.block", 3, 5),
    ("nested_def_in_tir", TIR.format(body="def g():\n        pass"), "functions cannot be defined inside a T.prim_func", 3, 5),
    # annotations and signatures
    ("annotation_mismatch", RELAX.format(body='y: R.Tensor((8,), "float32") = R.add(x, x)\n    return y'),
     'the annotation R.Tensor((8,), "float32") contradicts the deduced struct info R.Tensor((4,), "float32")', 3, 8),
    ("tir_param_without_type", "@T.prim_func\ndef f(a):\n    T.evaluate(0)\n", "parameter `a` needs a type", 2, 7),
    ("relax_param_without_sinfo", "@R.function\ndef f(a):\n    return a\n", "parameter `a` needs struct info", 2, 7),
    ("star_args", "@T.prim_func\ndef f(*args):\n    T.evaluate(0)\n",
     "a *args parameter is not allowed in a T.prim_func signature", 2, 8),
    ("annotation_without_value", TIR.format(body="x: T.int32"), "`x: ...` declares nothing: give it a value", 3, 5),
    ("match_cast_never", RELAX.format(body="y = R.match_cast(x, R.Shape([4]))\n    return y"),
     'R.match_cast: a value of struct info R.Tensor((4,), "float32") can never match R.Shape([4])', 3, 5),
    # Relax control flow and bindings
    ("if_without_else", '@R.function\ndef f(c: R.Prim("bool"), x: R.Tensor((4,), "float32")):\n    if c:\n        y = x\n'
                        "    return x\n", "an `if` in a Relax function needs an `else` branch", 3, 5),
    ("branches_bind_different_names", '@R.function\ndef f(c: R.Prim("bool"), x: R.Tensor((4,), "float32")):\n'
                                      "    if c:\n        y = x\n    else:\n        z = x\n    return x\n",
     "both branches of R.If must end by binding the same variable", 3, 5),
    ("return_inside_dataflow", RELAX.format(body="with R.dataflow():\n        y = R.add(x, x)\n        return y"),
     "`return` must be the last statement of the function body", 5, 9),
    ("missing_return", RELAX.format(body="y = R.add(x, x)"), "the Relax function `f` ends without `return`", 2, 1),
    ("unused_value", RELAX.format(body="R.add(x, x)\n    return x"), "the value of this expression is not used", 3, 5),
    ("output_not_in_block", RELAX.format(body="y = R.add(x, x)\n    with R.dataflow():\n        R.output(y)\n    return y"),
     "R.output: 'y' is not bound in this dataflow block", 5, 9),
    ("assign_into_relax_value", RELAX.format(body="x[0] = x\n    return x"),
     "Relax values cannot be assigned into", 3, 5),
    ("relax_for_over_a_tensor", RELAX.format(body="for i in x:\n        pass\n    return x"),
     "a `for` loop in a Relax function runs at parse time over a Python list", 3, 14),
    # TIR statements
    ("tir_for_over_int", TIR.format(body="for i in 5:\n        pass"), "a `for` loop in a T.prim_func runs over range(...)",
     3, 14),
    ("store_into_a_var", TIR.format(body="n[0] = 1"), "only buffer elements can be assigned: `n` is a tir.Var `n`", 3, 5),
    ("store_index_count", TIR.format(body="A[0, 1] = T.float32(0.0)"),
     "buffer 'A' has 1 dimensions but is stored with 2 indices", 3, 5),
    ("with_a_non_frame", TIR.format(body="with 3:\n        pass"), "`with` needs a T frame", 3, 10),
    ("unpack_count", TIR.format(body='for i in range(4):\n        with T.block("b"):\n            vi, vj = T.axis.remap("S", [i])'),
     "cannot unpack 1 values into 2 names", 5, 13),
    ("if_on_a_buffer", TIR.format(body="if A:\n        A[0] = T.float32(0.0)"),
     "an `if` condition in a T.prim_func is a boolean expression or a Python bool, got a tir.Buffer `A`", 3, 8),
    ("symbolic_truth", TIR.format(body="if min(n, 3) > 0:\n        A[0] = T.float32(0.0)"),
     "cannot decide the truth of the symbolic expression", 3, 8),
    ("conditional_expression_on_ir", TIR.format(body="A[0] = T.float32(1.0) if n > 0 else T.float32(0.0)"),
     "a conditional expression (x if c else y) needs a Python condition", 3, 12),
    ("assert_false_at_parse_time", TIR.format(body='assert 1 == 2, "sizes differ"'), "assertion failed: sizes differ", 3, 5),
    # Python constructs outside the language
    ("list_comprehension", TIR.format(body="A[0] = T.float32(len([i for i in range(3)]))"),
     "a list comprehension is not part of the script language", 3, 26),
    ("try_statement", TIR.format(body="try:\n        A[0] = T.float32(0.0)\n    except Exception:\n        pass"),
     "a try statement is not part of the script language", 3, 5),
    ("lambda_not_allowed", TIR.format(body="g = lambda v: v"),
     "a lambda is only allowed as the combiner of T.comm_reducer", 3, 9),
    ("f_string", TIR.format(body='T.evaluate(T.call_extern("int32", f"x{n}"))'),
     "an f-string is not part of the script language", 3, 39),
    ("double_star_argument", TIR.format(body='T.evaluate(**{"value": 0})'),
     "a ** argument is not part of the script language", 3, 16),
    ("import_in_body", TIR.format(body="import os"), "imports are not allowed here: the only import is", 3, 5),
    ("import_of_another_module", "from os import path\n" + TIR.format(body="A[0] = T.float32(0.0)"),
     "only `from irscript.script import ir as I, tir as T, relax as R` may be imported, not from `os`", 1, 1),
    ("import_after_definition", TIR.format(body="A[0] = T.float32(0.0)") + "from irscript.script import tir as T\n",
     "imports must come at the top of the file", 4, 1),
    ("dunder_attribute", TIR.format(body="A[0] = A.__class__"),
     "access to the special attribute `__class__` is not allowed in scripts", 3, 12),
    ("syntax_error", TIR.format(body="A[0] = (1 +"), "syntax error: '(' was never closed", 3, 12),
    # file and module structure
    ("two_definitions", TIR.format(body="A[0] = T.float32(0.0)") + TIR.format(body="A[0] = T.float32(0.0)"),
     "a script holds one definition; this is a second one", 6, 1),
    ("no_decorator", 'def f(A: T.Buffer((4,), "float32")):\n    A[0] = T.float32(0.0)\n',
     "`f` needs a script decorator", 1, 1),
    ("module_function_without_decorator", "@I.ir_module\nclass M:\n    def f(x):\n        return x\n",
     "function `f` of module `M` needs a function decorator", 3, 5),
    ("duplicate_module_function", MODULE_DUP, "the module already has a function named `f`", 8, 5),
    ("statement_in_module_body", "@I.ir_module\nclass M:\n    x = 5\n",
     "an assignment is not allowed in the body of an @I.ir_module class", 3, 5),
    ("empty_script", "# nothing here\n", "the script has no definition", 0, 0),
]


@pytest.mark.parametrize("src,message,line,col", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_script(src, message, line, col):
    if line == 0:  # no location to point at
        with pytest.raises(ScriptError, match=message) as info:
            parse(script_text(src))
        assert info.value.span is None
        return
    err = assert_diag(src, message, line, col)
    # no traceback from inside the parser: only the entry point that raised it (and the caller)
    inside = [f for f in _files(err.__traceback__) if "/irscript/" in f and not f.endswith(_ALLOWED)]
    assert inside == []


_ALLOWED = ("parser/entry.py", "testing/diagnostics.py")


def _files(tb):
    while tb is not None:
        yield tb.tb_frame.f_code.co_filename
        tb = tb.tb_next


def test_rendered_diagnostic_shows_the_line_and_underlines_the_span():
    err = assert_diag(TIR.format(body="A[0] = A[1] + undefined_thing"), "unknown name `undefined_thing`", 3, 19)
    assert render_error(err) == (
        "error: unknown name `undefined_thing`\n"
        " --> <string>:3:19\n"
        "  |\n"
        "3 |     A[0] = A[1] + undefined_thing\n"
        "  |                   ^^^^^^^^^^^^^^^"
    )
    assert "^^^^^^^^^^^^^^^" in str(err)  # the raised error reads like a compiler error too


def test_errors_raised_inside_the_irbuilder_are_located():
    # the IRBuilder raises IRError("block 'b' already has T.reads"); the user sees it at the call
    err = assert_diag(TIR.format(body='with T.block("b"):\n        T.reads(A[0])\n        T.reads(A[1])'),
                      "block 'b' already has T.reads", 5, 9)
    assert err.__cause__ is None
