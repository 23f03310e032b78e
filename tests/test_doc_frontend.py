"""The Python front end: Doc shapes, absolute spans, comments, unsupported constructs, syntax errors."""

from __future__ import annotations

import math

import pytest

from irscript.doc import (
    Assign,
    BinOp,
    Call,
    ClassDef,
    Comment,
    Compare,
    Docstring,
    ExprStmt,
    For,
    FunctionDef,
    If,
    ImportFrom,
    Literal,
    Module,
    Name,
    Op,
    Param,
    Subscript,
    Tuple,
    UnaryOp,
    Unsupported,
    With,
    doc_equal,
    parse_expr,
    parse_python,
    render,
    walk,
)
from irscript.errors import ScriptError


def _span(node):
    s = node.span
    return (s.source_name, s.line, s.col, s.end_line, s.end_col)


# ----------------------------------------------------------------------------- shapes


def test_binding_with_annotation_and_call():
    m = parse_python('lv: R.Tensor((n, 4), dtype="float32") = R.call_tir(cls.f, (x,), out_sinfo=y)\n')
    (a,) = m.body
    assert type(a) is Assign and a.target.id == "lv"
    assert type(a.annotation) is Call and a.annotation.kwargs[0][0] == "dtype"
    call = a.value
    assert call.func.name == "call_tir" and call.func.value.id == "R"
    assert type(call.args[1]) is Tuple and len(call.args[1].elts) == 1
    assert [k for k, _ in call.kwargs] == ["out_sinfo"]


def test_subscript_indices_and_literals():
    e = parse_expr("A[i, 0:16, ::2]")
    assert type(e) is Subscript and len(e.indices) == 3
    assert e.indices[1].start.value == 0 and e.indices[1].stop.value == 16 and e.indices[1].step is None
    assert e.indices[2].start is None and e.indices[2].step.value == 2
    assert parse_expr("A[()]").indices == []
    assert doc_equal(parse_expr("A[i,]"), parse_expr("A[i]"))
    assert type(parse_expr("A[(1, 2),]").indices[0]) is Tuple


def test_negative_numbers_fold_into_literals():
    assert doc_equal(parse_expr("-1"), Literal(-1))
    lit = parse_expr("-0.0")
    assert type(lit) is Literal and math.copysign(1.0, lit.value) < 0
    assert doc_equal(parse_expr("--1"), UnaryOp(Op.USub, Literal(-1)))
    assert doc_equal(parse_expr("-x"), UnaryOp(Op.USub, Name("x")))
    assert doc_equal(parse_expr("-True"), UnaryOp(Op.USub, Literal(True)))
    assert doc_equal(parse_expr("2 ** -1"), BinOp(Op.Pow, Literal(2), Literal(-1)))


def test_float_specials_are_literals():
    assert parse_expr('float("inf")').value == math.inf
    assert parse_expr('float("-inf")').value == -math.inf
    assert math.isnan(parse_expr('float("nan")').value)
    assert type(parse_expr('float("1.5")')) is Call
    assert type(parse_expr("1e999")) is Literal and parse_expr("1e999").value == math.inf


def test_comparison_chain_and_ops():
    e = parse_expr("a < b <= c is not d not in e")
    assert type(e) is Compare
    assert e.ops == [Op.Lt, Op.LtE, Op.IsNot, Op.NotIn] and len(e.operands) == 5


def test_long_left_chain_converts_and_renders_without_recursion():
    # ast itself refuses much deeper trees (RecursionError in 3.11+); the Doc side is iterative
    text = "x = " + " + ".join(f"a{i}" for i in range(1500)) + "\n"
    m = parse_python(text)
    assert render(m) == text.rstrip("\n")
    deep = Name("a")
    for i in range(20000):
        deep = BinOp(Op.Sub, deep, Literal(i))
    out = render(deep)
    assert out.startswith("a - 0 - 1 - 2") and out.endswith(" - 19999")
    assert doc_equal(deep, deep)


def test_too_deep_for_ast_is_a_script_error():
    deep = " + ".join(["a"] * 100000)
    with pytest.raises(ScriptError, match="nested too deeply"):  # 3.10 builds such trees: refused alike
        parse_python(f"x = {deep}\n")
    # on every version a script this deep is a located ScriptError, never a RecursionError
    import irscript

    text = f"from irscript.script import tir as T\n@T.prim_func\ndef f(a: T.int32):\n    T.evaluate({deep})\n"
    with pytest.raises(ScriptError, match="nested too deeply") as info:
        irscript.parse(text)
    assert info.value.span is not None


def test_statements_and_docstrings():
    text = '''"""module doc"""
from irscript.script import ir as I, tir as T


@I.ir_module
class Module:
    """class doc"""

    @T.prim_func(private=True)
    def f(a: T.handle, n: T.int32 = 4) -> None:
        """func doc"""
        for i, j in T.grid(n, n):
            with T.block("b") as blk, T.init():
                x: T.int32
                x += 1
        "not a docstring"
        return
'''
    m = parse_python(text)
    assert type(m.body[0]) is Docstring and m.body[0].text == "module doc"
    imp = m.body[1]
    assert type(imp) is ImportFrom and imp.module == "irscript.script" and imp.names == [("ir", "I"), ("tir", "T")]
    cls = m.body[2]
    assert type(cls) is ClassDef and cls.body[0].text == "class doc"
    f = cls.body[1]
    assert type(f) is FunctionDef and [p.name for p in f.params] == ["a", "n"]
    assert type(f.params[1]) is Param and f.params[1].default.value == 4
    assert type(f.body[0]) is Docstring and type(f.body[2]) is ExprStmt
    loop = f.body[1]
    assert type(loop) is For and type(loop.target) is Tuple
    w = loop.body[0]
    assert type(w) is With and w.items[0][1].id == "blk" and w.items[1][1] is None
    assert w.body[0].value is None and w.body[0].annotation is not None


# ----------------------------------------------------------------------------- comments


def test_header_comments_and_body_comments():
    text = """# from tvm.script import ir as I
# from tvm.script import tir as T

@T.prim_func
def f():
    # with T.block("root"):
    x = 1  # trailing
    for i in range(2):  # loop
        y = 2
        # end of loop body
    # after the loop
    if x:
        pass
    elif y:
        pass
        # in elif
    else:
        pass
# module level
"""
    m = parse_python(text)
    assert m.header == ["from tvm.script import ir as I", "from tvm.script import tir as T"]
    f = m.body[0]
    assert type(f.body[0]) is Comment and f.body[0].text == 'with T.block("root"):'
    assert f.body[1].comment == "trailing"
    loop = f.body[2]
    assert loop.comment == "loop" and type(loop.body[-1]) is Comment
    assert type(f.body[3]) is Comment and f.body[3].text == "after the loop"
    elif_ = f.body[4].else_body[0]
    assert type(elif_) is If and elif_.then_body[-1].text == "in elif"
    assert type(m.body[-1]) is Comment and m.body[-1].text == "module level"
    out = render(m)
    assert render(parse_python(out)) == out
    assert "    elif y:\n" in out


def test_comments_inside_expressions_and_strings_are_not_statements():
    text = 'x = (1 +  # one\n     # inside\n     2)\ns = """\n# not a comment\n"""\n'
    m = parse_python(text)
    assert [type(s) for s in m.body] == [Assign, Assign]
    assert m.body[0].comment is None


# ----------------------------------------------------------------------------- spans


def test_spans_are_absolute_with_offsets():
    text = "@R.function\ndef main(x):\n    y = R.add(x, x)\n    return y\n"
    m = parse_python(text, "model.py", line_offset=40, col_offset=4)
    f = m.body[0]
    assert _span(f.decorators[0]) == ("model.py", 41, 5, 41, 15)
    call = f.body[0].value
    assert _span(call) == ("model.py", 43, 12, 43, 23)
    assert _span(call.args[1]) == ("model.py", 43, 21, 43, 22)
    assert _span(f.params[0]) == ("model.py", 42, 13, 42, 14)
    assert str(call.span) == "model.py:43:13"
    assert f.body[0].span.source.line(43) == "        y = R.add(x, x)"


def test_spans_count_characters_not_bytes():
    m = parse_python('s = "héllo" + x  # ü\n')
    x = m.body[0].value.rhs
    assert _span(x)[2:] == (14, 1, 15)
    assert m.body[0].comment == "ü"


def test_file_text_supplies_source_lines():
    file_text = "import irscript\n\nclass A:\n    def f(self):\n        return 1\n"
    snippet = "def f(self):\n    return 1\n"
    m = parse_python(snippet, "a.py", line_offset=3, col_offset=4, file_text=file_text)
    ret = m.body[0].body[0]
    assert ret.span.line == 5 and ret.span.source.line(5) == "        return 1"


def test_every_node_has_a_span():
    text = open(__file__).read()
    for node in walk(parse_python(text)):
        if type(node) is not Module:
            assert node.span is not None and node.span.line >= 1, node


# ----------------------------------------------------------------------------- unsupported constructs

UNSUPPORTED = [
    ("x = [i for i in y]", "a list comprehension", (1, 4)),
    ("x = {i: i for i in y}", "a dict comprehension", (1, 4)),
    ("x = (i for i in y)", "a generator expression", (1, 4)),
    ("x = {1, 2}", "a set literal", (1, 4)),
    ("x = f'{a}'", "an f-string", (1, 4)),
    ("x = b'a'", "a bytes literal", (1, 4)),
    ("f(*a)", "a starred expression (*x)", (1, 2)),
    ("f(**k)", "a ** argument", (1, 2)),
    ("x = {**a}", "a dict unpacking (**x)", (1, 4)),
    ("x = (y := 1)", "an assignment expression (:=)", (1, 5)),
    ("x = lambda a=1: a", "a lambda with default, variadic or keyword-only parameters", (1, 4)),
    ("try:\n    pass\nexcept E:\n    pass", "a try statement", (1, 0)),
    ("import os", "an import statement", (1, 0)),
    ("from . import a", "a relative import", (1, 0)),
    ("del x", "a del statement", (1, 0)),
    ("x = a = 1", "a chained assignment (a = b = ...)", (1, 0)),
    ("global x", "a global statement", (1, 0)),
    ("raise E", "a raise statement", (1, 0)),
    ("while x:\n    break", "a break statement", (2, 4)),
    ("for i in x:\n    pass\nelse:\n    pass", "a for loop with an else clause", (1, 0)),
    ("async def f():\n    pass", "an async function", (1, 0)),
    ("def f():\n    yield 1", "a yield expression", (2, 4)),
    ("class A(B):\n    pass", "a class with base classes or keywords", (1, 0)),
    ("def f(a, *args):\n    pass", "a *args parameter", (1, 10)),
    ("def f(*, k):\n    pass", "a keyword-only parameter", (1, 9)),
    ("match x:\n    case 1:\n        pass", "a match statement", (1, 0)),
]


@pytest.mark.parametrize("text,what,pos", UNSUPPORTED, ids=[u[1] for u in UNSUPPORTED])
def test_unsupported_constructs_become_nodes(text, what, pos):
    m = parse_python(text, "u.py", line_offset=10)
    found = [n for n in walk(m) if type(n) is Unsupported]
    assert found, f"no Unsupported node for {text!r}"
    u = found[0]
    assert u.what == what
    assert (u.span.line - 10, u.span.col) == pos
    # the renderer writes the construct back, and the text parses to the same Doc
    assert doc_equal(parse_python(render(m)), m)


# ----------------------------------------------------------------------------- syntax errors

SYNTAX_ERRORS = [
    ("x = (1 +\n", 1, 4),
    ("x = 1 +* 2\n", 1, 7),
    ("def f(:\n    pass\n", 1, 6),
    ('s = "éé" $ 1\n', 1, 9),
    ("if x:\npass\n", 2, 0),
    ("x = 1\n  y = 2\n", 2, 2),
]


@pytest.mark.parametrize("text,line,col", SYNTAX_ERRORS)
def test_syntax_error_is_script_error_at_position(text, line, col):
    with pytest.raises(ScriptError) as info:
        parse_python(text, "bad.py", line_offset=20, col_offset=4)
    span = info.value.span
    assert span.source_name == "bad.py"
    assert (span.line, span.col) == (line + 20, col + 4)
    assert "bad.py" in str(info.value)


def test_syntax_error_message_uses_absolute_lines():
    with pytest.raises(ScriptError) as info:
        parse_python('x = """abc\n', "bad.py", line_offset=10)
    assert "detected at line 11" in info.value.message


def test_null_byte_and_deep_nesting_are_script_errors():
    with pytest.raises(ScriptError) as info:
        parse_python("x = 1\ny = 2\0\n")
    assert info.value.span is not None
    with pytest.raises(ScriptError, match="nested too deeply"):
        parse_python("x = " + "-" * 20000 + "1\n")
