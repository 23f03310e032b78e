"""The Doc tree — the one syntax tree of the script language — with its Python front end,
renderer and diagnostics.

    parse_python(text) -> Module        Python text to Doc (irscript.doc.frontend)
    render(doc) -> str                  Doc to Python text (irscript.doc.render)
    format_diagnostic / render_error    ScriptError to rust-style text (irscript.doc.diagnostics)
"""

from irscript.doc.diagnostics import format_diagnostic, print_diagnostic, render_error
from irscript.doc.frontend import parse_expr, parse_python
from irscript.doc.nodes import (
    COMPOUND_STMTS,
    Assert,
    Assign,
    Attr,
    AugAssign,
    BinOp,
    BoolOp,
    Call,
    ClassDef,
    Comment,
    Compare,
    Dict,
    Doc,
    Docstring,
    Expr,
    ExprStmt,
    For,
    FunctionDef,
    If,
    IfExp,
    ImportFrom,
    Lambda,
    List,
    Literal,
    Module,
    Name,
    Op,
    Param,
    ParsedSource,
    Pass,
    Return,
    Slice,
    Stmt,
    Subscript,
    Tuple,
    UnaryOp,
    Unsupported,
    While,
    With,
    assert_doc_equal,
    doc_equal,
    doc_mismatch,
    walk,
)
from irscript.doc.render import render

__all__ = [
    "COMPOUND_STMTS", "Assert", "Assign", "Attr", "AugAssign", "BinOp", "BoolOp", "Call", "ClassDef", "Comment",
    "Compare", "Dict", "Doc", "Docstring", "Expr", "ExprStmt", "For", "FunctionDef", "If", "IfExp", "ImportFrom",
    "Lambda", "List", "Literal", "Module", "Name", "Op", "Param", "ParsedSource", "Pass", "Return", "Slice", "Stmt",
    "Subscript", "Tuple", "UnaryOp", "Unsupported", "While", "With", "assert_doc_equal", "doc_equal",
    "doc_mismatch", "format_diagnostic", "parse_expr", "parse_python", "print_diagnostic", "render",
    "render_error", "walk",
]
