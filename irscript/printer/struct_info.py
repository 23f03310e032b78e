"""Relax struct info -> Doc, and symbolic (TIR) vars inside Relax functions.

    R.Object   R.Prim("int64")   R.Prim(value=n)   R.Shape([n, 4])   R.Shape(ndim=2)
    R.Tensor((n, 4), dtype="float32")   R.Tensor(s, dtype="float32")   R.Tensor(dtype="float32", ndim=2)
    R.Tensor   R.Tuple(a, b)   R.Tuple   R.Callable((a, b), r, True)   R.Callable(ret=r, purity=False)

Shape dims: int64 constants print bare (`R.Tensor((n, 4))`: dims are int64).

Symbolic vars in a Relax function (as Apache TVM prints them): in the signature
(params and return annotation) every dim that uses a var the signature
introduces prints as a string — `x: R.Tensor(("n", "m")), y: R.Tensor(("n",))
-> R.Tensor(("n * 2", "m"))`; every symbolic var of the function is declared at
the top of its body (`n = T.int64()`), also those first bound in the body by
`R.match_cast`, and the body uses them by name. A var first met anywhere else is
declared there too, with the comment `# undefined`.
"""

from __future__ import annotations

from typing import Any

from irscript.doc import nodes as D
from irscript.doc.render import render
from irscript.ir.dtype import DataType
from irscript.ir.functor import pre_order
from irscript.printer.core import Dialect, IRDocsifier, register
from irscript.printer.tir_expr import INT64, var_creation, var_doc
from irscript.relax import struct_info as SI
from irscript.relax.expr import ShapeExpr
from irscript.tir import expr as E

RELAX = Dialect("relax", "R", order=2)
"""The graph-level namespace `R`."""

VOID = DataType("void")


class RelaxFuncFrame:
    """Per-function state: names of its symbolic vars (by id), their declarations, whether the
    body refers to module functions (`cls = Module`), and the printing mode (signature /
    defining positions)."""

    __slots__ = ("sym", "decls", "needs_cls", "signature", "defining", "outer", "pending")

    def __init__(self, outer: RelaxFuncFrame | None) -> None:
        self.sym: dict[int, str] = {}
        self.decls: list[D.Stmt] = []
        self.needs_cls = False
        self.signature = False
        self.defining = False
        self.outer = outer
        #: ids of the vars introduced by the signature being printed
        self.pending: set[int] = set()


def relax_frame(p: IRDocsifier) -> RelaxFuncFrame | None:
    """The innermost Relax function being printed (`p.relax_frame`), or None."""
    return getattr(p, "relax_frame", None)


def _sym_name(frame: RelaxFuncFrame | None, v: Any) -> str | None:
    while frame is not None:
        name = frame.sym.get(id(v))
        if name is not None:
            return name
        frame = frame.outer
    return None


def _define_sym(p: IRDocsifier, frame: RelaxFuncFrame, v: E.Var) -> str:
    name = p.names.fresh(v.name_hint)
    p.names.pinned.add(name)  # taken until the function ends (released by `end_function`)
    frame.sym[id(v)] = name
    decl = D.Assign(D.Name(name), var_creation(p, v))
    if not (frame.signature or frame.defining):
        decl.comment = "undefined"
    frame.decls.append(decl)
    return name


@register(E.Var, RELAX)
def _relax_tir_var(p: IRDocsifier, v: E.Var) -> D.Expr:
    """A symbolic var inside a Relax function: declared at the function's top on first use."""
    name = p.names.get(v)
    if name is not None:
        return D.Name(name)
    frame = relax_frame(p)
    if frame is None:
        return var_doc(p, v)
    name = _sym_name(frame, v)
    if name is None:
        name = _define_sym(p, frame, v)
    return D.Name(name)


def shape_dim(p: IRDocsifier, d: Any) -> D.Expr:
    """One dim of a shape: a bare int64 constant, a string for a var's first occurrence in a
    signature, else the expression."""
    t = type(d)
    if t is E.IntImm and d.dtype is INT64:
        return D.Literal(d.value)
    frame = relax_frame(p)
    if frame is not None and frame.signature:
        if t is E.Var or t is E.SizeVar:
            if id(d) in frame.pending:
                return D.Literal(frame.sym[id(d)])
            if p.names.get(d) is None and _sym_name(frame, d) is None:
                frame.pending.add(id(d))
                return D.Literal(_define_sym(p, frame, d))
        elif t is not E.IntImm:
            fresh = False
            for n in pre_order(d):
                if type(n) in (E.Var, E.SizeVar) and p.names.get(n) is None:
                    if id(n) in frame.pending:
                        fresh = True
                    elif _sym_name(frame, n) is None:
                        _define_sym(p, frame, n)
                        frame.pending.add(id(n))
                        fresh = True
            if fresh:  # a compound dim with a var introduced here: TVM's stringified form, `"n * 2"`
                return D.Literal(render(p.expr(d)))
    return p.expr(d)


@register(SI.ObjectStructInfo)
def _object(p: IRDocsifier, s: SI.ObjectStructInfo) -> D.Expr:
    return p.ns(RELAX, "Object")


@register(SI.PrimStructInfo)
def _prim(p: IRDocsifier, s: SI.PrimStructInfo) -> D.Expr:
    if s.value is None:
        return p.call(RELAX, "Prim", [D.Literal(str(s.dtype))])
    kwargs = [("value", shape_dim(p, s.value) if type(s.value) is not E.IntImm else p.expr(s.value))]
    if s.value.dtype is not s.dtype:
        kwargs.insert(0, ("dtype", D.Literal(str(s.dtype))))
    return p.call(RELAX, "Prim", [], kwargs)


@register(SI.ShapeStructInfo)
def _shape(p: IRDocsifier, s: SI.ShapeStructInfo) -> D.Expr:
    if s.values is not None:
        return p.call(RELAX, "Shape", [D.List([shape_dim(p, d) for d in s.values])])
    return p.call(RELAX, "Shape", [], [("ndim", D.Literal(s.ndim))])


@register(SI.TensorStructInfo)
def _tensor(p: IRDocsifier, s: SI.TensorStructInfo) -> D.Expr:
    args: list[D.Expr] = []
    kwargs: list[tuple[str, D.Expr]] = []
    shape = s.shape
    if shape is not None:
        if type(shape) is ShapeExpr:
            args.append(D.Tuple([shape_dim(p, d) for d in shape.values]))
        else:
            args.append(p.expr(shape))
    if s.dtype is not VOID:
        kwargs.append(("dtype", D.Literal(str(s.dtype))))
    if shape is None and s.ndim != -1:
        kwargs.append(("ndim", D.Literal(s.ndim)))
    if not args and not kwargs:
        return p.ns(RELAX, "Tensor")
    return p.call(RELAX, "Tensor", args, kwargs)


@register(SI.TupleStructInfo)
def _tuple(p: IRDocsifier, s: SI.TupleStructInfo) -> D.Expr:
    if not s.fields:
        return p.ns(RELAX, "Tuple")
    return p.call(RELAX, "Tuple", [p.expr(f) for f in s.fields])


@register(SI.FuncStructInfo)
def _func(p: IRDocsifier, s: SI.FuncStructInfo) -> D.Expr:
    if s.params is None:
        kwargs: list[tuple[str, D.Expr]] = []
        if type(s.ret) is not SI.ObjectStructInfo:
            kwargs.append(("ret", p.expr(s.ret)))
        if not s.purity:  # as TVM: a bare `R.Callable` (the parser's default) is pure
            kwargs.append(("purity", D.Literal(False)))
        return p.call(RELAX, "Callable", [], kwargs) if kwargs else p.ns(RELAX, "Callable")
    params = D.Tuple([p.expr(x) for x in s.params])
    return p.call(RELAX, "Callable", [params, p.expr(s.ret), D.Literal(bool(s.purity))])


__all__ = ["RELAX", "RelaxFuncFrame", "relax_frame", "shape_dim"]
