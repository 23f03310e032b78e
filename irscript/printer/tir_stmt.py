"""TIR statements -> Doc: stores, evaluate, let/assert/attr/launch_thread, allocate/decl_buffer,
loops (with `T.grid` folding), while, if/else, sequences.

Scoping statements (LetStmt, AssertStmt, AttrStmt, Allocate, DeclBuffer)
print concisely — `x: T.int32 = v`, `assert c, "msg"`, `T.attr(...)`,
`p = T.allocate(...)`, `B = T.decl_buffer(...)` followed by their body at the
same indentation — when they are the last statement of their sequence (the
parser then scopes them over the rest of the block), and as `with ...:`
otherwise, as TVM prints them.

Loops: `for i in range(n)`, `range(a, b)`, `T.serial/parallel/vectorized/
unroll(...)` with annotations, `T.thread_binding(n, thread="threadIdx.x")`,
and `for i, j in T.grid(n, m)` for perfectly nested serial loops from 0
without annotations whose extents do not use the outer loop vars.
"""

from __future__ import annotations

from typing import Any

from irscript.doc import nodes as D
from irscript.ir.functor import pre_order
from irscript.ir.node import Node
from irscript.printer.core import IRDocsifier, register
from irscript.printer.namer import sanitize
from irscript.printer.tir_buffer import buffer_args, buffer_doc, define_buffer
from irscript.printer.tir_expr import BOOL, INT32, TIR, explicit_int, stop_doc, var_creation
from irscript.tir import expr as E
from irscript.tir import stmt as S
from irscript.tir.buffer import Buffer
from irscript.tir.expr import IterVarType


class TIRFrame:
    """Per-printout TIR state: the loops enclosing the statement being printed (by loop var id),
    for `T.axis.remap`."""

    __slots__ = ("loops",)

    def __init__(self) -> None:
        self.loops: dict[int, S.For] = {}


def tir_frame(p: IRDocsifier) -> TIRFrame:
    f = p.find_frame(TIRFrame)
    if f is None:
        f = TIRFrame()
        p.frames.append(f)
    return f


def print_body(p: IRDocsifier, stmt: S.Stmt) -> None:
    """Print `stmt` into p.body (a SeqStmt as its statements; the last may scope concisely)."""
    p.concise = True
    p.stmt(stmt)


def nested(p: IRDocsifier, stmt: S.Stmt) -> list[D.Stmt]:
    """`stmt` printed as the body of a compound statement (its own name scope)."""
    outer = p.open_body()
    print_body(p, stmt)
    return p.close_body(outer)


def scoped(p: IRDocsifier, concise: bool, lhs: D.Expr | None, rhs: D.Expr, body: S.Stmt,
           notes: list[str] | None, define: Any = None) -> D.Stmt:
    """A scoping statement: concise (`lhs = rhs` then the body in the same list) or
    `with rhs as lhs:` around the body. `define()` names the bound object inside the scope."""
    if concise:
        if define is not None:
            define()
        head = p.emit(D.Assign(lhs, rhs) if lhs is not None else D.ExprStmt(rhs), notes)
        print_body(p, body)
        return head
    outer = p.open_body()
    if define is not None:
        define()
    print_body(p, body)
    stmts = p.close_body(outer)
    return p.emit(D.With([(rhs, lhs)], stmts), notes)


@register(S.SeqStmt)
def _seq(p: IRDocsifier, s: S.SeqStmt) -> None:
    concise = p.concise
    last = len(s.seq) - 1
    for i, x in enumerate(s.seq):
        p.concise = concise and i == last
        p.stmt(x)


# ---------------------------------------------------------------------------------------------
# simple statements
# ---------------------------------------------------------------------------------------------
def _store_index(p: IRDocsifier, i: Any) -> D.Expr:
    """A store index; a unit-stride int32 Ramp from a constant prints as the slice `a:b`."""
    if type(i) is E.Ramp:
        base, stride = i.base, i.stride
        if (type(base) is E.IntImm and type(stride) is E.IntImm and stride.value == 1
                and base.dtype is INT32 and stride.dtype is INT32):
            return D.Slice(D.Literal(base.value), D.Literal(base.value + i.lanes))
    return p.expr(i)


@register(S.BufferStore)
def _store(p: IRDocsifier, s: S.BufferStore) -> D.Stmt:
    if s.predicate is not None:
        call = p.call(TIR, "buffer_store", [buffer_doc(p, s.buffer), p.expr(s.value),
                                            D.List([p.expr(i) for i in s.indices]), p.expr(s.predicate)])
        return p.emit(D.ExprStmt(call))
    target = D.Subscript(buffer_doc(p, s.buffer), [_store_index(p, i) for i in s.indices])
    return p.emit(D.Assign(target, p.expr(s.value)))


@register(S.Evaluate)
def _evaluate(p: IRDocsifier, s: S.Evaluate) -> D.Stmt:
    value = p.expr(s.value)
    if type(s.value) is E.Call:
        return p.emit(D.ExprStmt(value))
    return p.emit(D.ExprStmt(p.call(TIR, "evaluate", [value])))


def var_annotation(p: IRDocsifier, v: E.Var) -> D.Expr:
    """The annotation that makes a var like `v`: `T.int32`, `T.handle`, or a creating call."""
    if type(v) is E.Var and v.type_annotation is None:
        return p.ns(TIR, str(v.dtype))
    return var_creation(p, v)


@register(S.LetStmt)
def _let_stmt(p: IRDocsifier, s: S.LetStmt) -> D.Stmt:
    concise = p.concise
    value = p.expr(s.value)
    var = s.var
    known = p.names.get(var)
    notes = p.take_notes()
    if known is not None:  # a var bound again: `with T.LetStmt(value, var=x):`
        rhs = p.call(TIR, "LetStmt", [value], [("var", D.Name(known))])
        return scoped(p, False, None, rhs, s.body, notes)
    if concise:
        name = p.define(var, var.name_hint)
        head = p.emit(D.Assign(D.Name(name), value, var_annotation(p, var)), notes)
        print_body(p, s.body)
        return head
    args = [value]
    if type(var) is not E.Var or var.type_annotation is not None or var.dtype is not s.value.dtype:
        args.append(var_creation(p, var))
    outer = p.open_body()
    name = p.define(var, var.name_hint)
    print_body(p, s.body)
    stmts = p.close_body(outer)
    return p.emit(D.With([(p.call(TIR, "LetStmt", args), D.Name(name))], stmts), notes)


@register(S.AssertStmt)
def _assert(p: IRDocsifier, s: S.AssertStmt) -> D.Stmt:
    concise = p.concise
    cond = condition(p, s.condition)
    msg = D.Literal(s.message.value) if type(s.message) is E.StringImm else p.expr(s.message)
    notes = p.take_notes()
    if concise:
        head = p.emit(D.Assert(cond, msg), notes)
        print_body(p, s.body)
        return head
    return scoped(p, False, None, p.call(TIR, "Assert", [cond, msg]), s.body, notes)


def _launch_thread(p: IRDocsifier, s: S.AttrStmt) -> tuple[D.Expr | None, D.Expr, Any] | None:
    """(lhs, rhs, define) of `T.launch_thread` for a thread-extent AttrStmt the builder rebuilds:
    the IterVar is a thread index over [0, value) and the key is the one the builder picks."""
    iv = s.node
    if type(iv) is not E.IterVar or iv.iter_type is not IterVarType.THREAD_INDEX or iv.dom is None:
        return None
    key = "virtual_thread" if iv.thread_tag.startswith("vthread") else "thread_extent"
    dom, value = iv.dom, s.value
    if s.attr_key != key or not (type(dom.min) is E.IntImm and dom.min.value == 0 and dom.min.dtype is value.dtype
                                 and (dom.extent is value or _same_int(dom.extent, value))):
        return None
    var = iv.var
    name = p.names.get(var)
    extent = p.expr(value)
    if name is not None:
        return None, p.call(TIR, "launch_thread", [D.Name(name), extent]), None
    if var.dtype is INT32 and type(var) is E.Var:
        lhs = D.Name(p.names.fresh(var.name_hint))

        def define() -> None:
            p.names.define(var, lhs.id)

        return lhs, p.call(TIR, "launch_thread", [D.Literal(iv.thread_tag), extent]), define
    name = p.define(var, var.name_hint)
    env = p.call(TIR, "env_thread", [D.Literal(iv.thread_tag)], [("dtype", D.Literal(str(var.dtype)))])
    p.body.append(D.Assign(D.Name(name), env))
    return None, p.call(TIR, "launch_thread", [D.Name(name), extent]), None


def declare_relaunched_threads(p: IRDocsifier, body: S.Stmt) -> None:
    """`tx = T.env_thread("threadIdx.x")` at function level for each thread var that more than
    one `T.launch_thread` launches (the builder then reuses its IterVar): one var for all."""
    counts: dict[int, list[Any]] = {}
    stack = [body]
    while stack:
        s = stack.pop()
        if type(s) is S.AttrStmt and s.attr_key in ("thread_extent", "virtual_thread") and type(s.node) is E.IterVar:
            entry = counts.setdefault(id(s.node.var), [s.node, 0])
            entry[1] += 1
        if type(s) is S.SeqStmt:
            stack.extend(reversed(s.seq))
        elif isinstance(s, Node):
            stack.extend(reversed([v for v in s.field_values() if isinstance(v, S.Stmt)]))
    for iv, count in counts.values():
        if count > 1 and iv.iter_type is IterVarType.THREAD_INDEX and p.names.get(iv.var) is None:
            var = iv.var
            kwargs = [] if var.dtype is INT32 else [("dtype", D.Literal(str(var.dtype)))]
            name = p.define(var, var.name_hint)
            p.emit(D.Assign(D.Name(name), p.call(TIR, "env_thread", [D.Literal(iv.thread_tag)], kwargs)))


def _same_int(a: Any, b: Any) -> bool:
    return type(a) is E.IntImm and type(b) is E.IntImm and a.value == b.value and a.dtype is b.dtype


@register(S.AttrStmt)
def _attr(p: IRDocsifier, s: S.AttrStmt) -> D.Stmt:
    concise = p.concise
    launch = _launch_thread(p, s) if s.attr_key in ("thread_extent", "virtual_thread") else None
    if launch is not None:
        lhs, rhs, define = launch
        return scoped(p, concise, lhs, rhs, s.body, p.take_notes(), define)
    rhs = p.call(TIR, "attr", [p.value(s.node), D.Literal(s.attr_key), p.expr(s.value)])
    return scoped(p, concise, None, rhs, s.body, p.take_notes())


# ---------------------------------------------------------------------------------------------
# allocation
# ---------------------------------------------------------------------------------------------
def _decl_sugar(a: S.Allocate) -> S.DeclBuffer | None:
    """The DeclBuffer that `T.decl_buffer(...)` (without data) would make around this Allocate."""
    d = a.body
    if type(d) is not S.DeclBuffer or a.annotations:
        return None
    buf = d.buffer
    cond = a.condition
    if buf.data is not a.buffer_var or buf.dtype is not a.dtype or len(buf.shape) != len(a.extents):
        return None
    if not (type(cond) is E.IntImm and cond.value == 1 and cond.dtype is BOOL):
        return None
    if any(x is not y and not _same_int(x, y) for x, y in zip(buf.shape, a.extents)):
        return None
    ann = a.buffer_var.type_annotation
    return d if ann is not None and ann.element_type is a.dtype and type(a.buffer_var) is E.Var else None


@register(S.Allocate)
def _allocate(p: IRDocsifier, a: S.Allocate) -> D.Stmt:
    concise = p.concise
    decl = _decl_sugar(a)
    if decl is not None:
        return _decl_buffer_stmt(p, decl, concise, None)
    scope = a.buffer_var.type_annotation.storage_scope if a.buffer_var.type_annotation is not None else "global"
    args: list[D.Expr] = [D.List([p.expr(e) for e in a.extents]), D.Literal(str(a.dtype)), D.Literal(scope)]
    kwargs: list[tuple[str, D.Expr]] = []
    cond = a.condition
    if not (type(cond) is E.IntImm and cond.value == 1):
        kwargs.append(("condition", p.expr(cond)))
    if a.annotations:
        kwargs.append(("annotations", p.value(a.annotations)))
    rhs = p.call(TIR, "allocate", args, kwargs)
    var = a.buffer_var
    body = a.body
    hint = _data_hint(var, body.buffer) if type(body) is S.DeclBuffer and body.buffer.data is var else var.name_hint
    lhs = D.Name(p.names.fresh(hint))

    def define() -> None:
        p.names.define(var, lhs.id)

    return scoped(p, concise, lhs, rhs, a.body, p.take_notes(), define)


def _data_hint(var: E.Var, buf: Buffer) -> str:
    """The name hint of the data var of a buffer declared with `T.decl_buffer(..., data=var)`.

    `<buffer>_data` when the var is named like the buffer (it was made for it); else the var's own
    hint — never the builder's initial buffer name "buffer": naming the buffer renames a data var
    that still has that name (irbuilder's buffer namer). Either way the printed name parses back
    to a var of that very name, so reprinting the parsed function keeps it."""
    hint = var.name_hint
    return f"{buf.name}_data" if hint == buf.name or sanitize(hint) == "buffer" else hint


@register(S.DeclBuffer)
def _decl_buffer(p: IRDocsifier, d: S.DeclBuffer) -> D.Stmt:
    concise = p.concise
    buf = d.buffer
    data = p.names.get(buf.data)
    if data is None:  # its data var is new here: declare it (`T.decl_buffer` without data allocates)
        data = p.define(buf.data, _data_hint(buf.data, buf))
        p.body.append(D.Assign(D.Name(data), var_creation(p, buf.data)))
    return _decl_buffer_stmt(p, d, concise, D.Name(data))


def _decl_buffer_stmt(p: IRDocsifier, d: S.DeclBuffer, concise: bool, data: D.Expr | None) -> D.Stmt:
    buf = d.buffer
    name = define_buffer(p, buf)
    args, kwargs = buffer_args(p, buf, "decl", name, data)
    rhs = p.call(TIR, "decl_buffer", args, kwargs)
    return scoped(p, concise, D.Name(name), rhs, d.body, p.take_notes())


# ---------------------------------------------------------------------------------------------
# control flow
# ---------------------------------------------------------------------------------------------
def _from_zero(loop: S.For) -> bool:
    lo = loop.min
    dt = loop.loop_var.dtype
    return type(lo) is E.IntImm and lo.value == 0 and lo.dtype is dt and loop.extent.dtype is dt


def _grid_chain(loop: S.For) -> list[S.For]:
    """The perfectly nested serial loops from 0, without annotations, that `T.grid` rebuilds."""
    chain = [loop]
    ids = {id(loop.loop_var)}
    cur = loop
    while True:
        inner = cur.body
        if type(inner) is not S.For or not _plain_serial(inner):
            return chain
        ext = inner.extent
        if type(ext) is not E.IntImm:
            if any(id(n) in ids for n in pre_order(ext)):
                return chain
        chain.append(inner)
        ids.add(id(inner.loop_var))
        cur = inner


def _plain_serial(loop: S.For) -> bool:
    return (loop.kind is S.ForKind.SERIAL and not loop.annotations and loop.thread_binding is None
            and _from_zero(loop))


_KIND_FUNCS = {
    S.ForKind.SERIAL: "serial", S.ForKind.PARALLEL: "parallel", S.ForKind.VECTORIZED: "vectorized",
    S.ForKind.UNROLLED: "unroll", S.ForKind.THREAD_BINDING: "thread_binding",
}


def _loop_iter(p: IRDocsifier, loop: S.For) -> D.Expr:
    """`range(n)`, `range(a, b)`, `T.parallel(n)`, `T.thread_binding(n, thread="...")`, ..."""
    bounds = [p.expr(loop.extent)] if _from_zero(loop) else [p.expr(loop.min), stop_doc(p, loop.min, loop.extent)]
    kwargs: list[tuple[str, D.Expr]] = []
    kind = loop.kind
    if kind is S.ForKind.THREAD_BINDING and loop.thread_binding is not None:
        kwargs.append(("thread", D.Literal(loop.thread_binding.thread_tag)))
    if loop.annotations:
        kwargs.append(("annotations", p.value(loop.annotations)))
    if kind is S.ForKind.SERIAL and not kwargs:
        return D.Call(D.Name("range"), bounds)
    return p.call(TIR, _KIND_FUNCS[kind], bounds, kwargs)


@register(S.For)
def _for(p: IRDocsifier, loop: S.For) -> D.Stmt:
    loops = tir_frame(p).loops
    chain = _grid_chain(loop) if _plain_serial(loop) else [loop]
    if len(chain) > 1:
        it: D.Expr = p.call(TIR, "grid", [p.expr(x.extent) for x in chain])
    else:
        it = _loop_iter(p, loop)
    notes = p.take_notes()
    outer = p.open_body()
    names = []
    for x in chain:
        names.append(D.Name(p.define(x.loop_var, x.loop_var.name_hint)))
        p.note(x.loop_var, names[-1])
        loops[id(x.loop_var)] = x
    print_body(p, chain[-1].body)
    for x in chain:
        del loops[id(x.loop_var)]
    stmts = p.close_body(outer)
    target = names[0] if len(names) == 1 else D.Tuple(names)
    return p.emit(D.For(target, it, stmts), notes)


def condition(p: IRDocsifier, cond: Any) -> D.Expr:
    """A statement's condition: a constant one spelled `T.bool(True)` (a bare `True` would be
    decided while parsing, as Python metaprogramming)."""
    return explicit_int(p, cond) if type(cond) is E.IntImm else p.expr(cond)


@register(S.While)
def _while(p: IRDocsifier, w: S.While) -> D.Stmt:
    cond = condition(p, w.condition)
    notes = p.take_notes()
    return p.emit(D.While(cond, nested(p, w.body)), notes)


@register(S.IfThenElse)
def _if(p: IRDocsifier, s: S.IfThenElse) -> D.Stmt:
    cond = condition(p, s.condition)
    notes = p.take_notes()
    then = nested(p, s.then_case)
    other = nested(p, s.else_case) if s.else_case is not None else []
    return p.emit(D.If(cond, then, other), notes)


__all__ = ["TIRFrame", "declare_relaunched_threads", "nested", "print_body", "tir_frame", "var_annotation"]
