"""The renderer: minimal parentheses, literal spellings, layout and underlining."""

from __future__ import annotations

import math

import pytest

from irscript.doc import (
    Assign,
    Attr,
    BinOp,
    BoolOp,
    Call,
    ClassDef,
    Comment,
    Compare,
    Docstring,
    ExprStmt,
    For,
    FunctionDef,
    If,
    IfExp,
    Lambda,
    Literal,
    Module,
    Name,
    Op,
    Param,
    Pass,
    Return,
    Subscript,
    Tuple,
    UnaryOp,
    With,
    doc_equal,
    parse_expr,
    parse_python,
    render,
)
from irscript.errors import IRError

a, b, c, d = Name("a"), Name("b"), Name("c"), Name("d")

PRECEDENCE = [
    (BinOp(Op.Sub, a, BinOp(Op.Sub, b, c)), "a - (b - c)"),
    (BinOp(Op.Sub, BinOp(Op.Sub, a, b), c), "a - b - c"),
    (BinOp(Op.Mult, BinOp(Op.Add, a, b), c), "(a + b) * c"),
    (BinOp(Op.Add, a, BinOp(Op.Mult, b, c)), "a + b * c"),
    (UnaryOp(Op.USub, BinOp(Op.Add, a, b)), "-(a + b)"),
    (BinOp(Op.Pow, a, UnaryOp(Op.USub, b)), "a ** -b"),
    (BinOp(Op.Pow, BinOp(Op.Pow, a, b), c), "(a ** b) ** c"),
    (BinOp(Op.Pow, a, BinOp(Op.Pow, b, c)), "a ** b ** c"),
    (BinOp(Op.Pow, UnaryOp(Op.USub, a), b), "(-a) ** b"),
    (UnaryOp(Op.USub, BinOp(Op.Pow, a, b)), "-a ** b"),
    (BinOp(Op.Pow, Literal(-1), Literal(2)), "(-1) ** 2"),
    (BinOp(Op.Pow, Literal(2), Literal(-1)), "2 ** -1"),
    (BinOp(Op.Sub, a, Literal(-1)), "a - -1"),
    (Attr(Literal(1), "real"), "(1).real"),
    (Attr(Literal(-1.5), "real"), "(-1.5).real"),
    (Attr(Literal("s"), "join"), '"s".join'),
    (Compare([Op.Lt, Op.Lt], [a, b, c]), "a < b < c"),
    (Compare([Op.Lt], [Compare([Op.Lt], [a, b]), c]), "(a < b) < c"),
    (UnaryOp(Op.Not, Compare([Op.Eq], [a, b])), "not a == b"),
    (Compare([Op.Eq], [UnaryOp(Op.Not, a), b]), "(not a) == b"),
    (Compare([Op.IsNot, Op.NotIn], [a, b, c]), "a is not b not in c"),
    (BoolOp(Op.And, [a, BoolOp(Op.And, [b, c])]), "a and (b and c)"),
    (BoolOp(Op.Or, [BoolOp(Op.And, [a, b]), c]), "a and b or c"),
    (BoolOp(Op.And, [BoolOp(Op.Or, [a, b]), c]), "(a or b) and c"),
    (BoolOp(Op.And, [UnaryOp(Op.Not, a), b]), "not a and b"),
    (UnaryOp(Op.Not, BoolOp(Op.And, [a, b])), "not (a and b)"),
    (IfExp(c, a, IfExp(d, b, c)), "a if c else b if d else c"),
    (IfExp(c, IfExp(d, a, b), c), "(a if d else b) if c else c"),
    (IfExp(Lambda([], a), a, b), "a if (lambda: a) else b"),
    (IfExp(c, a, Lambda(["x"], a)), "a if c else lambda x: a"),
    (Call(Lambda(["x", "y"], BinOp(Op.Add, Name("x"), Name("y"))), [a, b]), "(lambda x, y: x + y)(a, b)"),
    (Call(Name("f"), [Lambda([], a)], [("k", IfExp(c, a, b))]), "f(lambda: a, k=a if c else b)"),
    (Subscript(BinOp(Op.Add, a, b), [Literal(0)]), "(a + b)[0]"),
    (Attr(Call(Name("f"), []), "x"), "f().x"),
    (BinOp(Op.BitOr, BinOp(Op.BitXor, a, b), BinOp(Op.BitAnd, c, d)), "a ^ b | c & d"),
    (BinOp(Op.BitAnd, BinOp(Op.BitOr, a, b), c), "(a | b) & c"),
    (BinOp(Op.LShift, BinOp(Op.Add, a, b), c), "a + b << c"),
    (BinOp(Op.Add, BinOp(Op.LShift, a, b), c), "(a << b) + c"),
    (BinOp(Op.MatMult, a, BinOp(Op.Mult, b, c)), "a @ (b * c)"),
    (UnaryOp(Op.Invert, UnaryOp(Op.USub, a)), "~-a"),
    (UnaryOp(Op.USub, Literal(-1)), "--1"),
    (Tuple([a]), "(a,)"),
    (Tuple([]), "()"),
    (Subscript(a, []), "a[()]"),
    (Subscript(a, [Tuple([b, c])]), "a[(b, c),]"),
    (Subscript(a, [b, Tuple([c])]), "a[b, (c,)]"),
]


@pytest.mark.parametrize("doc,text", PRECEDENCE, ids=[t for _, t in PRECEDENCE])
def test_minimal_parentheses(doc, text):
    assert render(doc) == text
    assert doc_equal(parse_expr(text), doc)


@pytest.mark.parametrize("value,text", [
    ("float32", '"float32"'),
    ('say "hi"', "'say \"hi\"'"),
    ("it's", '"it\'s"'),
    ("a\\b\n\t\x00", '"a\\\\b\\n\\t\\x00"'),
    ("é中", '"é中"'),
    (1e-05, "1e-05"),
    (0.1, "0.1"),
    (-0.0, "-0.0"),
    (1e16, "1e+16"),
    (math.inf, 'float("inf")'),
    (-math.inf, 'float("-inf")'),
    (True, "True"),
    (None, "None"),
    (2**64, "18446744073709551616"),
    (-5, "-5"),
])
def test_literal_spellings(value, text):
    assert render(Literal(value)) == text
    back = parse_expr(text)
    assert doc_equal(back, Literal(value))


def test_nan_and_huge_ints_read_back():
    assert render(Literal(math.nan)) == 'float("nan")'
    assert math.isnan(parse_expr(render(Literal(math.nan))).value)
    huge = 10**5000
    text = render(Literal(-huge))
    assert text.startswith("-0x")
    assert parse_expr(text).value == -huge


def test_bad_literal_is_an_error():
    with pytest.raises(IRError, match="Literal"):
        render(Literal(b"bytes"))


def test_statement_layout():
    f1 = FunctionDef("f", [Param("x", Name("int")), Param("y", None, Literal(1)), Param("z", Name("T"), Literal(2))],
                     Name("int"), [Attr(Name("T"), "prim_func")],
                     [Docstring("doc"), Assign(Name("y"), BinOp(Op.Add, Name("x"), Literal(1)), comment="note"),
                      Return(Name("y"))])
    f2 = FunctionDef("g", [], None, [], [Pass()])
    mod = Module([ClassDef("M", [Attr(Name("I"), "ir_module")], [f1, Comment("about g"), f2]),
                  Assign(Tuple([Name("a"), Name("b")]), Tuple([Literal(1), Literal(2)]))],
                 header=["from irscript.script import ir as I"])
    assert render(mod) == '''# from irscript.script import ir as I

@I.ir_module
class M:
    @T.prim_func
    def f(x: int, y=1, z: T = 2) -> int:
        """doc"""
        y = x + 1  # note
        return y

    # about g
    def g():
        pass


a, b = (1, 2)'''
    assert doc_equal(parse_python(render(mod)), mod)


def test_compound_statements():
    body = [If(Compare([Op.Gt], [a, Literal(0)]), [ExprStmt(Call(Name("f"), []))],
               [If(b, [Pass()], [Pass()], comment="second")], comment="first"),
            For(Tuple([Name("i"), Name("j")]), Call(Name("range"), [Literal(3)]), [Pass()]),
            With([(Call(Name("ctx"), []), Name("x")), (Tuple([a, b]), None)], [Pass()]),
            With([(Tuple([a, b]), None)], [Pass()])]
    assert render(body) == '''if a > 0:  # first
    f()
elif b:  # second
    pass
else:
    pass
for i, j in range(3):
    pass
with ctx() as x, (a, b):
    pass
with ((a, b)):
    pass'''
    assert doc_equal(parse_python(render(body)).body, body)


def test_indent_width():
    assert render(If(a, [Pass()]), indent=2) == "if a:\n  pass"


def test_empty_block_is_an_error():
    with pytest.raises(IRError, match="block"):
        render(If(a, []))
    with pytest.raises(IRError, match="block"):
        render(FunctionDef("f", [], None, [], [Comment("only a comment")]))


def test_underline_marks_nodes():
    call = Call(Attr(Name("T"), "exp"), [Name("x")])
    stmt = Assign(Name("y"), BinOp(Op.Add, call, Literal(1)))
    loop = For(Name("i"), Call(Name("range"), [Literal(4)]), [stmt])
    assert render(loop, underline={id(call)}) == (
        "for i in range(4):\n"
        "    y = T.exp(x) + 1\n"
        "        ^^^^^^^^"
    )
    # several nodes on one line, a statement header, and nodes passed directly
    assert render(loop, underline=[loop, stmt.target, call.args[0]]) == (
        "for i in range(4):\n"
        "^^^^^^^^^^^^^^^^^^\n"
        "    y = T.exp(x) + 1\n"
        "    ^         ^"
    )


def test_underline_in_elif_and_def_header():
    inner = If(b, [Pass()])
    outer = If(a, [Pass()], [inner])
    assert render(outer, underline=[inner]) == "if a:\n    pass\nelif b:\n^^^^^^^\n    pass"
    f = FunctionDef("f", [Param("x")], None, [Name("deco")], [Pass()])
    assert render(f, underline=[f]) == "@deco\ndef f(x):\n^^^^^^^^^\n    pass"
    assert render(f, underline=[f.params[0], f.decorators[0]]) == "@deco\n ^^^^\ndef f(x):\n      ^\n    pass"
