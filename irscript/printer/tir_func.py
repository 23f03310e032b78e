"""TIR blocks and PrimFuncs -> Doc.

Blocks::

    with T.block("name"):                       # T.sblock with syntax="tvm-0.25"
        vi, vk = T.axis.remap("SR", [i, k])     # axes bound to enclosing loop vars over the loop's range
        vj = T.axis.spatial(16, j * 2)          # any other axis
        T.where(pred)
        T.reads(A[vi, vk])
        T.writes(C[vi])
        T.block_attr({...})
        buf = T.alloc_buffer(...)               # before T.reads when the regions name it
        sub = T.match_buffer(A[vi, 0:16], (16,))
        with T.init():
            ...
        ...

PrimFuncs: decorator, params (`A: T.Buffer((16, 16), "float32")` for
buffers TVM's rule allows, else `a: T.handle` + `A = T.match_buffer(a, ...)`
after the new symbolic vars' declarations), `T.func_attr({...})`, and the
implicit root block as the comment `# with T.block("root"):` followed by its
`T.alloc_buffer`s at function level.
"""

from __future__ import annotations

from typing import Any

from irscript.doc import nodes as D
from irscript.ir.dtype import DataType
from irscript.ir.node import Node
from irscript.ir.structural import structural_equal
from irscript.printer.core import IRDocsifier, register
from irscript.printer.ir import function_site
from irscript.printer.tir_buffer import (
    buffer_args,
    define_buffer,
    is_simple_param_buffer,
    match_buffer_stmt,
    region_doc,
)
from irscript.printer.tir_expr import BOOL, INT32, TIR, stop_doc
from irscript.printer.tir_stmt import TIRFrame, declare_relaunched_threads, print_body, tir_frame, var_annotation
from irscript.tir import expr as E
from irscript.tir import stmt as S
from irscript.tir.buffer import Buffer
from irscript.tir.expr import IterVarType
from irscript.tir.function import PrimFunc

VOID = DataType("void")
_AXIS_KINDS = {
    IterVarType.DATA_PAR: "spatial", IterVarType.COMM_REDUCE: "reduce", IterVarType.ORDERED: "scan",
    IterVarType.OPAQUE: "opaque",
}


_TVM_NAMES = {"block": "sblock", "block_attr": "sblock_attr", "alloc_buffer": "sblock_alloc_buffer"}


def _tvm_name(p: IRDocsifier, name: str) -> str:
    """`block` -> `sblock`, `block_attr` -> `sblock_attr`, `alloc_buffer` -> `sblock_alloc_buffer`
    in TVM 0.25's spelling."""
    return _TVM_NAMES[name] if p.opts.tvm else name


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is E.IntImm and type(b) is E.IntImm:
        return a.value == b.value and a.dtype is b.dtype
    return structural_equal(a, b)


def alloc_buffer_stmt(p: IRDocsifier, buf: Buffer) -> D.Stmt:
    """`name = T.alloc_buffer(...)` (`T.sblock_alloc_buffer` in TVM 0.25's spelling)."""
    name = define_buffer(p, buf)
    args, kwargs = buffer_args(p, buf, "alloc", name)
    lhs = D.Name(name)
    p.note(buf, lhs)
    return p.emit(D.Assign(lhs, p.call(TIR, _tvm_name(p, "alloc_buffer"), args, kwargs)))


# ---------------------------------------------------------------------------------------------
# blocks
# ---------------------------------------------------------------------------------------------
def _remappable(p: IRDocsifier, frame: TIRFrame, iv: E.IterVar, value: Any) -> bool:
    """Whether `T.axis.remap` rebuilds this axis: an S/R axis bound to an enclosing loop's var
    over exactly that loop's range, with the loop var's dtype."""
    if iv.iter_type is not IterVarType.DATA_PAR and iv.iter_type is not IterVarType.COMM_REDUCE:
        return False
    loop = frame.loops.get(id(value)) if type(value) is E.Var else None
    if loop is None or iv.dom is None or iv.var.dtype is not value.dtype or type(iv.var) is not E.Var:
        return False
    dom = iv.dom
    return _same(dom.min, loop.min) and _same(dom.extent, loop.extent) and max(
        dom.min.dtype.bits, dom.extent.dtype.bits) <= value.dtype.bits


def _axis_stmt(p: IRDocsifier, iv: E.IterVar, value: Any) -> None:
    """`v = T.axis.spatial(dom, value[, dtype=...])`."""
    dom = iv.dom
    if dom is None:  # not something the builder makes: display form
        lhs = D.Name(p.define(iv.var, iv.var.name_hint))
        p.emit(D.Assign(lhs, D.Call(p.ns(TIR, "axis", _AXIS_KINDS.get(iv.iter_type, "opaque")),
                                    [D.Literal(None), p.expr(value)])))
        return
    lo, ext = dom.min, dom.extent
    if type(lo) is E.IntImm and lo.value == 0 and lo.dtype is ext.dtype:
        dom_doc: D.Expr = p.expr(ext)
    else:
        dom_doc = D.Tuple([p.expr(lo), stop_doc(p, lo, ext)])
    args = [dom_doc, p.expr(value)]
    kwargs: list[tuple[str, D.Expr]] = []
    default = INT32.with_bits(max(lo.dtype.bits, ext.dtype.bits, 32))
    if iv.var.dtype is not default:
        kwargs.append(("dtype", D.Literal(str(iv.var.dtype))))
    kind = _AXIS_KINDS.get(iv.iter_type, iv.iter_type.name.lower())
    rhs = D.Call(p.ns(TIR, "axis", kind), args, kwargs)
    lhs = D.Name(p.define(iv.var, iv.var.name_hint))
    p.note(iv, lhs)
    p.emit(D.Assign(lhs, rhs))


def _remap_stmt(p: IRDocsifier, group: list[tuple[E.IterVar, Any]]) -> None:
    """`vi, vj = T.axis.remap("SR", [i, j])` (a single axis prints with `T.axis.spatial`)."""
    if len(group) == 1:
        _axis_stmt(p, *group[0])
        return
    kinds = "".join("S" if iv.iter_type is IterVarType.DATA_PAR else "R" for iv, _ in group)
    values = D.List([p.expr(v) for _, v in group])
    names = [D.Name(p.define(iv.var, iv.var.name_hint)) for iv, _ in group]
    for (iv, _), lhs in zip(group, names):
        p.note(iv, lhs)
    p.emit(D.Assign(D.Tuple(names), D.Call(p.ns(TIR, "axis", "remap"), [D.Literal(kinds), values])))


def _iter_vars(p: IRDocsifier, block: S.Block, realize: S.BlockRealize | None) -> None:
    frame = tir_frame(p)
    group: list[tuple[E.IterVar, Any]] = []
    values = realize.iter_values if realize is not None else (None,) * len(block.iter_vars)
    for iv, value in zip(block.iter_vars, values):
        if value is not None and _remappable(p, frame, iv, value):
            group.append((iv, value))
            continue
        if group:
            _remap_stmt(p, group)
            group = []
        if value is None:
            name = p.define(iv.var, iv.var.name_hint)
            p.emit(D.Assign(D.Name(name), D.Call(p.ns(TIR, "axis", _AXIS_KINDS.get(iv.iter_type, "opaque")),
                                                 [p.expr(iv.dom.extent) if iv.dom else D.Literal(None),
                                                  D.Literal(None)])))
        else:
            _axis_stmt(p, iv, value)
    if group:
        _remap_stmt(p, group)


def _regions_use_own_buffers(block: S.Block) -> bool:
    if not block.alloc_buffers and not block.match_buffers:
        return False
    own = {id(b) for b in block.alloc_buffers} | {id(m.buffer) for m in block.match_buffers}
    return any(id(r.buffer) in own for r in (*block.reads, *block.writes))


def _block_buffers(p: IRDocsifier, block: S.Block) -> None:
    for buf in block.alloc_buffers:
        alloc_buffer_stmt(p, buf)
    for m in block.match_buffers:
        match_buffer_stmt(p, m)


def print_block(p: IRDocsifier, block: S.Block, realize: S.BlockRealize | None) -> D.Stmt:
    kwargs = [] if realize is not None else [("no_realize", D.Literal(True))]
    head = p.call(TIR, _tvm_name(p, "block"), [D.Literal(block.name_hint)], kwargs)
    notes = p.take_notes()
    outer = p.open_body()
    _iter_vars(p, block, realize)
    if realize is not None:
        pred = realize.predicate
        if not (type(pred) is E.IntImm and pred.value == 1 and pred.dtype is BOOL):
            p.emit(D.ExprStmt(p.call(TIR, "where", [p.expr(pred)])))
    early = _regions_use_own_buffers(block)
    if early:  # the regions name buffers the block itself declares: declare them first
        _block_buffers(p, block)
    p.emit(D.ExprStmt(p.call(TIR, "reads", [region_doc(p, r) for r in block.reads])))
    p.emit(D.ExprStmt(p.call(TIR, "writes", [region_doc(p, r) for r in block.writes])))
    if block.annotations:
        p.emit(D.ExprStmt(p.call(TIR, _tvm_name(p, "block_attr"), [p.value(block.annotations)])))
    if not early:
        _block_buffers(p, block)
    if block.init is not None:
        init_outer = p.open_body()
        print_body(p, block.init)
        p.emit(D.With([(p.call(TIR, "init"), None)], p.close_body(init_outer)))
    print_body(p, block.body)
    stmts = p.close_body(outer)
    return p.emit(D.With([(head, None)], stmts), notes)


@register(S.BlockRealize)
def _block_realize(p: IRDocsifier, r: S.BlockRealize) -> D.Stmt:
    return print_block(p, r.block, r)


@register(S.Block)
def _block(p: IRDocsifier, b: S.Block) -> D.Stmt:
    return print_block(p, b, None)


# ---------------------------------------------------------------------------------------------
# PrimFunc
# ---------------------------------------------------------------------------------------------
def contains_block(stmt: Any) -> bool:
    """Whether a Block or BlockRealize occurs among the statements under `stmt` (expressions
    are not searched; the search stops at the first block)."""
    stack = [stmt]
    while stack:
        s = stack.pop()
        t = type(s)
        if t is S.Block or t is S.BlockRealize:
            return True
        if t is S.SeqStmt:
            stack.extend(s.seq)
        elif t is S.IfThenElse:
            stack.append(s.then_case)
            if s.else_case is not None:
                stack.append(s.else_case)
        elif t is S.BufferStore or t is S.Evaluate:
            continue
        elif hasattr(s, "body") and isinstance(s.body, Node):
            stack.append(s.body)
        elif isinstance(s, Node):
            stack.extend(v for v in s.field_values() if isinstance(v, S.Stmt))
    return False


def implicit_root(body: S.Stmt) -> S.Block | None:
    """The root block the builder adds around a function body, when `body` is one."""
    if type(body) is not S.BlockRealize or body.iter_values:
        return None
    pred = body.predicate
    if not (type(pred) is E.IntImm and pred.value == 1 and pred.dtype is BOOL):
        return None
    root = body.block
    if (root.name_hint != "root" or root.iter_vars or root.reads or root.writes or root.init is not None
            or root.match_buffers or root.annotations):
        return None
    inner = root.body
    if root.alloc_buffers:
        return root
    if type(inner) is S.BlockRealize:
        return root if inner.block.iter_vars else None
    return root if contains_block(inner) else None


def _func_attrs(p: IRDocsifier, attrs: dict[str, Any]) -> D.Expr:
    if p.opts.tvm:  # TVM 0.25 names TIR attributes "tirx.*"
        attrs = {("tirx." + k[4:] if k.startswith("tir.") else k): v for k, v in attrs.items()}
    return p.value(attrs)


@register(PrimFunc)
def _prim_func(p: IRDocsifier, f: PrimFunc) -> D.Stmt:
    name, private, attrs, _ = function_site(p, f)
    prev = p.enter_dialect(TIR)
    frame = TIRFrame()
    p.frames.append(frame)
    outer = p.open_body()
    params: list[D.Param] = []
    matched: list[tuple[E.Var, Buffer]] = []
    seen: set[int] = set()
    buffer_map = f.buffer_map
    for param in f.params:
        buf = buffer_map.get(param)
        if buf is not None and id(buf) not in seen and is_simple_param_buffer(p, param, buf):
            seen.add(id(buf))
            bname = define_buffer(p, buf)
            args, kwargs = buffer_args(p, buf, "param", bname)
            params.append(D.Param(bname, p.call(TIR, "Buffer", args, kwargs)))
            p.note(param, params[-1])
            p.note(buf, params[-1])
            continue
        params.append(D.Param(p.define(param, param.name_hint), var_annotation(p, param)))
        p.note(param, params[-1])
        if buf is not None:
            matched.append((param, buf))
    returns = None if f.ret_type is VOID else p.ns(TIR, str(f.ret_type))
    sig_notes = p.take_notes()
    if attrs:
        p.emit(D.ExprStmt(p.call(TIR, "func_attr", [_func_attrs(p, attrs)])))
    for param, buf in matched:
        bname = define_buffer(p, buf)
        args, kwargs = buffer_args(p, buf, "match", bname)
        lhs = D.Name(bname)
        p.note(buf, lhs)
        p.emit(D.Assign(lhs, p.call(TIR, "match_buffer", [D.Name(p.names.get(param)), *args], kwargs)))
    declare_relaunched_threads(p, f.body)
    root = implicit_root(f.body)
    if root is not None:
        p.body.append(D.Comment(f'with T.{_tvm_name(p, "block")}("root"):'))
        for buf in root.alloc_buffers:
            alloc_buffer_stmt(p, buf)
        print_body(p, root.body)
    else:
        print_body(p, f.body)
    stmts = p.close_body(outer)
    p.frames.pop()
    p.exit_dialect(prev)
    deco_kwargs = [("private", D.Literal(True))] if private else []
    if p.opts.tvm:
        deco_kwargs.append(("s_tir", D.Literal(True)))
    deco = p.ns(TIR, "prim_func")
    if deco_kwargs:
        deco = D.Call(deco, [], deco_kwargs)
    return p.emit(D.FunctionDef(name, params, returns, [deco], stmts), sig_notes)


__all__ = ["alloc_buffer_stmt", "contains_block", "implicit_root", "print_block"]
