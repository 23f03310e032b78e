"""Relax expressions, bindings, blocks and functions -> Doc.

    @R.function                      # (private=True), (pure=False)
    def main(x: R.Tensor(("n", 784), dtype="float32")) -> R.Tensor((n, 10), dtype="float32"):
        n = T.int64()                # symbolic vars of the function (see printer.struct_info)
        R.func_attr({...})
        cls = Module                 # when the body refers to module functions
        with R.dataflow():
            lv = R.call_tir(cls.dense, (x, w), out_sinfo=R.Tensor((n, 128), dtype="float32"))
            gv: R.Tensor((n, 128), dtype="float32") = R.nn.relu(lv)
            R.output(gv)
        return gv

Every binding carries its var's struct info as an annotation, as TVM prints
it: omitted only for `R.call_tir` / `R.call_dps_packed` whose `out_sinfo` is
that struct info. Registry ops print as `R.<name>(args..., attr=value...)`
with every attribute (`OpEntry.print_form`); call_tir, call_tir_inplace,
call_dps_packed, call_packed and call_pure_packed have their own forms.
`if`: both branches end by binding the If's var. A local function prints as a
nested `def` named by its var. Constants up to `inline_constant_limit`
elements print as exact `R.const(...)` literals, others as metadata.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.doc import nodes as D
from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import GlobalVar, RelaxExpr
from irscript.ir.op import Op
from irscript.ir.structural import structural_equal
from irscript.printer.core import IRDocsifier, register
from irscript.printer.ir import MODULE_NAME, function_site
from irscript.printer.metadata import metadata_ref
from irscript.printer.struct_info import RELAX, RelaxFuncFrame, relax_frame, shape_dim
from irscript.relax import expr as X
from irscript.relax import struct_info as SI
from irscript.relax.op.registry import get_entry

CONSTANT_KEY = "relax.expr.Constant"
"""The metadata table of Relax constants (TVM's name for it)."""
CALL_TIR = Op.get("relax.call_tir")
CALL_TIR_INPLACE = Op.get("relax.call_tir_inplace")
CALL_DPS_PACKED = Op.get("relax.call_dps_packed")
CALL_PURE_PACKED = Op.get("relax.call_pure_packed")


# ---------------------------------------------------------------------------------------------
# leaves
# ---------------------------------------------------------------------------------------------
def _declare_free_var(p: IRDocsifier, v: X.Var, name: str) -> D.Stmt:
    ann = p.expr(v.struct_info) if v.struct_info is not None else None
    return D.Assign(D.Name(name), None, ann)


@register(X.Var)
def _var(p: IRDocsifier, v: X.Var) -> D.Expr:
    name = p.names.get(v)
    if name is None:
        name = p.undefined(v, v.name_hint, lambda n: _declare_free_var(p, v, n))
    return D.Name(name)


@register(GlobalVar, RELAX)
def _global_var(p: IRDocsifier, gv: GlobalVar) -> D.Expr:
    """`cls.f` for a function of the printed module; `I.GlobalVar("f")` for any other."""
    names = p.module
    if names is not None and gv.name_hint in names:
        frame = relax_frame(p)
        if frame is not None:
            while frame.outer is not None:  # one `cls = Module`, in the outermost function
                frame = frame.outer
            frame.needs_cls = True
        return D.Attr(D.Name("cls"), gv.name_hint)
    from irscript.printer.ir import global_var_doc

    return global_var_doc(p, gv)


def _const_values(data: np.ndarray) -> Any:
    """The nested Python values of `data` if `R.const(values, dtype)` rebuilds it bit for bit
    (a NaN prints as `float("nan")`, so only the canonical NaN of the dtype qualifies)."""
    if data.dtype.kind in "biu":
        values = data.tolist()
        wide = None
    else:
        wide = data.astype(np.float64)
        values = wide.tolist()
    try:
        back = np.array(values, dtype=data.dtype)
        if wide is not None:
            nan = np.isnan(wide)
            if nan.any():  # what the printed `float("nan")` becomes
                back = np.where(nan, np.float64("nan"), wide).astype(data.dtype)
    except (ValueError, TypeError, OverflowError):
        return None
    if back.shape != data.shape or back.tobytes() != data.tobytes():
        return None
    return values


@register(X.Constant)
def _constant(p: IRDocsifier, c: X.Constant) -> D.Expr:
    data = c.data
    if data.size <= p.opts.inline_constant_limit and data.dtype.kind in "biufV":
        values = _const_values(data)
        if values is not None:
            dtype = str(DataType.from_numpy(data.dtype))
            return p.call(RELAX, "const", [p.value(values), D.Literal(dtype)])
    return metadata_ref(p, c, CONSTANT_KEY)


@register(X.Tuple)
def _tuple(p: IRDocsifier, t: X.Tuple) -> D.Expr:
    if not t.fields:
        return p.call(RELAX, "tuple")
    return D.Tuple([p.expr(f) for f in t.fields])


@register(X.TupleGetItem)
def _tuple_get_item(p: IRDocsifier, t: X.TupleGetItem) -> D.Expr:
    value = t.tuple_value
    if type(value) is X.Tuple:  # `(a, b)[1]` would index the Python tuple: `R.tuple(a, b)[1]`
        tup: D.Expr = p.call(RELAX, "tuple", [p.expr(f) for f in value.fields])
    else:
        tup = p.expr(value)
    return D.Subscript(tup, [D.Literal(t.index)])


@register(X.ShapeExpr)
def _shape_expr(p: IRDocsifier, s: X.ShapeExpr) -> D.Expr:
    return p.call(RELAX, "shape", [D.List([shape_dim(p, d) for d in s.values])])


@register(X.PrimValue)
def _prim_value(p: IRDocsifier, v: X.PrimValue) -> D.Expr:
    return p.call(RELAX, "prim_value", [p.expr(v.value)])


@register(X.StringImm)
def _string_imm(p: IRDocsifier, s: X.StringImm) -> D.Expr:
    return p.call(RELAX, "str", [D.Literal(s.value)])


@register(X.DataTypeImm)
def _dtype_imm(p: IRDocsifier, s: X.DataTypeImm) -> D.Expr:
    return p.call(RELAX, "dtype", [D.Literal(str(s.value))])


@register(X.ExternFunc)
def _extern_func(p: IRDocsifier, f: X.ExternFunc) -> D.Expr:
    return p.call(RELAX, "ExternFunc", [D.Literal(f.global_symbol)])


# ---------------------------------------------------------------------------------------------
# calls
# ---------------------------------------------------------------------------------------------
def _sinfo_list(p: IRDocsifier, sinfo: Any) -> D.Expr:
    """out_sinfo: one struct info, or a list for a tuple of several outputs."""
    if type(sinfo) is SI.TupleStructInfo and len(sinfo.fields) != 1:
        return D.List([p.expr(f) for f in sinfo.fields])
    return p.expr(sinfo)


def _args_tuple(p: IRDocsifier, args: Any) -> D.Expr:
    if type(args) is X.Tuple:
        doc = D.Tuple([p.expr(a) for a in args.fields])
        p.note(args, doc)
        return doc
    return p.expr(args)


def _sinfo_args_kw(p: IRDocsifier, c: X.Call, bare: bool = True) -> list[tuple[str, D.Expr]]:
    """`sinfo_args=...`: one struct info bare (the `R.*` builders take it so) unless `bare` is
    False (a call of a Relax value builds the Call directly: it needs the tuple)."""
    s = c.sinfo_args
    if not s:
        return []
    if len(s) == 1 and bare:
        return [("sinfo_args", p.expr(s[0]))]
    return [("sinfo_args", D.Tuple([p.expr(x) for x in s]))]


def _callee_name(p: IRDocsifier, f: Any) -> D.Expr:
    return D.Literal(f.global_symbol) if type(f) is X.ExternFunc else p.expr(f)


def _call_tir(p: IRDocsifier, c: X.Call) -> D.Expr | None:
    args = c.args
    if len(args) not in (2, 3) or len(c.sinfo_args) != 1:
        return None
    inplace = c.op is CALL_TIR_INPLACE
    kwargs: list[tuple[str, D.Expr]] = []
    if inplace:
        indices = c.attrs.get("inplace_indices")
        if indices is None:
            return None
        kwargs.append(("inplace_indices", D.List([D.Literal(int(i)) for i in indices])))
    kwargs.append(("out_sinfo", _sinfo_list(p, c.sinfo_args[0])))
    if len(args) == 3:
        kwargs.append(("tir_vars", p.expr(args[2])))
    name = "call_tir_inplace" if inplace else "call_tir"
    return p.call(RELAX, name, [p.expr(args[0]), _args_tuple(p, args[1])], kwargs)


def _call_dps_packed(p: IRDocsifier, c: X.Call) -> D.Expr | None:
    if len(c.args) != 2 or len(c.sinfo_args) != 1:
        return None
    kwargs = [("out_sinfo", _sinfo_list(p, c.sinfo_args[0]))]
    return p.call(RELAX, "call_dps_packed", [_callee_name(p, c.args[0]), _args_tuple(p, c.args[1])], kwargs)


def _call_pure_packed(p: IRDocsifier, c: X.Call) -> D.Expr | None:
    if not c.args:
        return None
    args = [_callee_name(p, c.args[0])] + [p.expr(a) for a in c.args[1:]]
    return p.call(RELAX, "call_pure_packed", args, _sinfo_args_kw(p, c))


_SPECIAL = {
    "relax.call_tir": _call_tir, "relax.call_tir_inplace": _call_tir,
    "relax.call_dps_packed": _call_dps_packed, "relax.call_pure_packed": _call_pure_packed,
}
_PATHS: dict[str, tuple[str, ...]] = {}


def _kw_value(p: IRDocsifier, v: Any) -> D.Expr:
    return p.expr(v) if isinstance(v, RelaxExpr) else p.value(v)


def _op_call(p: IRDocsifier, c: X.Call, op: Op) -> D.Expr:
    special = _SPECIAL.get(op.name)
    if special is not None:
        doc = special(p, c)
        if doc is not None:
            return doc
    else:
        entry = get_entry(op)
        if entry is not None:
            try:
                positional, keywords = entry.print_form(c)
            except IRError:
                positional = None
            if positional is not None:
                path = _PATHS.get(op.name)
                if path is None:
                    path = _PATHS[op.name] = tuple(entry.path.split("."))
                kwargs = [(k, _kw_value(p, v)) for k, v in keywords] + _sinfo_args_kw(p, c)
                return D.Call(p.ns(RELAX, *path), [p.expr(a) for a in positional], kwargs)
    # an op without an entry (or a call that does not fit it): TVM's generic form
    name = op.name[6:] if op.name.startswith("relax.") else op.name
    kwargs = [(k, p.value(v)) for k, v in c.attrs.items()] + _sinfo_args_kw(p, c)
    return D.Call(p.ns(RELAX, *name.split(".")), [p.expr(a) for a in c.args], kwargs)


@register(X.Call)
def _call(p: IRDocsifier, c: X.Call) -> D.Expr:
    op = c.op
    if type(op) is Op:
        return _op_call(p, c, op)
    if type(op) is X.ExternFunc:  # R.call_packed("name", args..., sinfo_args=...)
        args = [D.Literal(op.global_symbol)] + [p.expr(a) for a in c.args]
        return p.call(RELAX, "call_packed", args, _sinfo_args_kw(p, c))
    return D.Call(p.expr(op), [p.expr(a) for a in c.args], _sinfo_args_kw(p, c, bare=False))


# ---------------------------------------------------------------------------------------------
# bindings and blocks
# ---------------------------------------------------------------------------------------------
def _annotation(p: IRDocsifier, var: X.Var, value: Any) -> D.Expr | None:
    """The var's struct info, unless it is call_tir / call_dps_packed's out_sinfo (TVM's rule)."""
    sinfo = var.struct_info
    if sinfo is None:
        return None
    if type(value) is X.Call and (value.op is CALL_TIR or value.op is CALL_DPS_PACKED) and value.sinfo_args:
        out = value.sinfo_args[0]
        if out is sinfo or structural_equal(out, sinfo):
            return None
    frame = relax_frame(p)
    if frame is None:
        return p.expr(sinfo)
    defining = frame.defining
    frame.defining = True  # symbolic vars first met in a binding's struct info are defined there
    doc = p.expr(sinfo)
    frame.defining = defining
    return doc


@register(X.VarBinding)
def _var_binding(p: IRDocsifier, b: X.VarBinding) -> D.Stmt:
    value = b.value
    t = type(value)
    if t is X.Function:
        name = p.define(b.var, b.var.name_hint)
        p.func_site = ("local", name)
        return p.stmt(value)
    if t is X.If:
        return _if_binding(p, b)
    rhs = p.expr(value)
    ann = _annotation(p, b.var, value)
    lhs = D.Name(p.define(b.var, b.var.name_hint))
    p.note(b.var, lhs)
    return p.emit(D.Assign(lhs, rhs, ann))


@register(X.MatchCast)
def _match_cast(p: IRDocsifier, b: X.MatchCast) -> D.Stmt:
    frame = relax_frame(p)
    ann = _annotation(p, b.var, b.value)
    if frame is not None:
        defining, frame.defining = frame.defining, True
    sinfo = p.expr(b.struct_info)
    if frame is not None:
        frame.defining = defining
    rhs = p.call(RELAX, "match_cast", [p.expr(b.value), sinfo])
    lhs = D.Name(p.define(b.var, b.var.name_hint))
    p.note(b.var, lhs)
    return p.emit(D.Assign(lhs, rhs, ann))


def _branch(p: IRDocsifier, seq: Any, name: str, var: X.Var) -> list[D.Stmt]:
    outer = p.open_body()
    if type(seq) is X.SeqExpr:
        for block in seq.blocks:
            p.stmt(block)
        body = seq.body
    else:
        body = seq
    rhs = p.expr(body)
    p.emit(D.Assign(D.Name(name), rhs, _annotation(p, var, body)))
    return p.close_body(outer)


def _if_binding(p: IRDocsifier, b: X.VarBinding) -> D.Stmt:
    """`if c:` ... `x: ann = then_value` `else:` ... `x: ann = else_value`."""
    value = b.value
    cond = p.expr(value.cond)
    notes = p.take_notes()
    name = p.define(b.var, b.var.name_hint)
    then = _branch(p, value.true_branch, name, b.var)
    other = _branch(p, value.false_branch, name, b.var)
    return p.emit(D.If(cond, then, other), notes)


@register(X.If)
def _if(p: IRDocsifier, e: X.If) -> D.Stmt:
    """An If on its own (not bound): each branch's value as an expression statement."""
    cond = p.expr(e.cond)
    notes = p.take_notes()
    branches = []
    for seq in (e.true_branch, e.false_branch):
        outer = p.open_body()
        p.stmt(seq) if type(seq) is X.SeqExpr else p.emit(D.ExprStmt(p.expr(seq)))
        branches.append(p.close_body(outer))
    return p.emit(D.If(cond, branches[0], branches[1]), notes)


@register(X.BindingBlock)
def _binding_block(p: IRDocsifier, block: X.BindingBlock) -> None:
    for b in block.bindings:
        p.stmt(b)


@register(X.DataflowBlock)
def _dataflow_block(p: IRDocsifier, block: X.DataflowBlock) -> D.Stmt:
    outer = p.body
    p.body = []
    outputs = []
    for b in block.bindings:
        p.stmt(b)
        if type(b.var) is not X.DataflowVar:
            outputs.append(p.expr(b.var))
    p.emit(D.ExprStmt(p.call(RELAX, "output", outputs)))
    stmts = p.body
    p.body = outer
    return p.emit(D.With([(p.call(RELAX, "dataflow"), None)], stmts))


@register(X.SeqExpr)
def _seq_expr(p: IRDocsifier, s: X.SeqExpr) -> D.Stmt:
    """A SeqExpr on its own: its blocks, then its value as an expression statement."""
    for block in s.blocks:
        p.stmt(block)
    return p.emit(D.ExprStmt(p.expr(s.body)))


# ---------------------------------------------------------------------------------------------
# functions
# ---------------------------------------------------------------------------------------------
def _signature(p: IRDocsifier, f: X.Function, frame: RelaxFuncFrame) -> tuple[list[D.Param], D.Expr]:
    frame.signature = True
    params = []
    for v in f.params:
        ann = p.expr(v.struct_info) if v.struct_info is not None else None
        params.append(D.Param(p.define(v, v.name_hint), ann))
        p.note(v, params[-1])
    ret = p.expr(f.ret_struct_info)
    frame.pending.clear()
    frame.signature = False
    return params, ret


@register(X.Function)
def _function(p: IRDocsifier, f: X.Function) -> D.Stmt:
    name, private, attrs, top = function_site(p, f)
    prev = p.enter_dialect(RELAX)
    outer_frame = relax_frame(p)
    frame = p.relax_frame = RelaxFuncFrame(outer_frame)
    outer = p.open_body()
    params, ret = _signature(p, f, frame)
    sig_notes = p.take_notes()
    body = f.body
    if type(body) is X.SeqExpr:
        for block in body.blocks:
            p.stmt(block)
        result = body.body
    else:
        result = body
    p.emit(D.Return(p.expr(result)))
    stmts = p.close_body(outer)
    head: list[D.Stmt] = list(frame.decls)
    if attrs:
        head.append(D.ExprStmt(p.call(RELAX, "func_attr", [p.value(attrs)])))
    if frame.needs_cls:
        head.append(D.Assign(D.Name("cls"), D.Name(MODULE_NAME)))
    for n in frame.sym.values():
        p.names.pinned.discard(n)
    p.relax_frame = outer_frame
    p.exit_dialect(prev)
    deco_kwargs = []
    if not f.is_pure:
        deco_kwargs.append(("pure", D.Literal(False)))
    if private:
        deco_kwargs.append(("private", D.Literal(True)))
    deco = p.ns(RELAX, "function")
    if deco_kwargs:
        deco = D.Call(deco, [], deco_kwargs)
    return p.emit(D.FunctionDef(name, params, ret, [deco], head + stmts), sig_notes)


__all__ = ["RELAX"]
