"""TIR generators for the hypothesis strategies: plain functions of a `Source` of choices.

`irscript.testing.strategies` wraps them into strategies. Every generator
takes a `TirScope` (what may be referred to) and returns well-formed IR:
vars and buffers in scope only, loop vars inside their loop, block bodies
using only their block's iter vars and the function-level vars, integer
indices, stored values of the buffer's dtype.

The IR is also canonical — what the IRBuilder (and so the script parser)
builds — so that it survives print and parse unchanged: flat SeqStmts, a
function body with blocks or function-level `alloc_buffer`s wrapped in the
implicit root block, thread launches keyed as `T.launch_thread` keys them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from irscript import tir
from irscript.ir import DataType, Range, pre_order
from irscript.testing.source import Source
from irscript.tir import op as top

INDEX_DTYPES = (DataType("int32"), DataType("int64"))
VALUE_DTYPES = (DataType("float32"), DataType("float16"), DataType("int32"), DataType("int8"))
BOOL = DataType("bool")
INT64 = DataType("int64")
INT32 = DataType("int32")
_UNARY_FLOAT = ("exp", "sqrt", "tanh", "fabs", "floor", "log", "sigmoid")
_EXTERN_NAMES = ("my_clamp", "lookup", "hash_u32")
_BUFFER_NAMES = ("A", "B", "C", "D", "X", "W", "Y", "Out")


class TirScope:
    """What generated TIR may refer to: scalar vars by dtype, buffers, and the function-level
    vars (shape vars, scalar params) that stay visible inside blocks."""

    __slots__ = ("index_dtype", "vars", "buffers", "base", "names")

    def __init__(
        self,
        index_dtype: Any = "int32",
        vars: Sequence[tir.Var] = (),
        buffers: Sequence[tir.Buffer] = (),
        base: Sequence[tir.Var] | None = None,
        names: dict[str, int] | None = None,
    ) -> None:
        self.index_dtype = DataType(index_dtype)
        self.vars: dict[DataType, tuple[tir.Var, ...]] = {}
        for v in vars:
            self.vars[v.dtype] = self.vars.get(v.dtype, ()) + (v,)
        self.buffers = tuple(buffers)
        self.base = tuple(vars) if base is None else tuple(base)
        self.names = {} if names is None else names

    def all_vars(self) -> tuple[tir.Var, ...]:
        return tuple(v for vs in self.vars.values() for v in vs)

    def with_vars(self, *vs: tir.Var) -> TirScope:
        return TirScope(self.index_dtype, self.all_vars() + vs, self.buffers, self.base, self.names)

    def with_buffers(self, *bs: tir.Buffer) -> TirScope:
        return TirScope(self.index_dtype, self.all_vars(), self.buffers + bs, self.base, self.names)

    def for_block(self, iter_vars: Sequence[tir.Var], buffers: Sequence[tir.Buffer]) -> TirScope:
        """Inside a block: the function-level vars and the block's own iter vars, not loop vars."""
        return TirScope(self.index_dtype, self.base + tuple(iter_vars), self.buffers + tuple(buffers),
                        self.base, self.names)

    def name(self, hint: str) -> str:
        """A plausible, unique-per-function name: `i`, `i_1`, `i_2`, ..."""
        n = self.names.get(hint, 0)
        self.names[hint] = n + 1
        return hint if n == 0 else f"{hint}_{n}"


# ---------------------------------------------------------------------------------------------
# TIR expressions
# ---------------------------------------------------------------------------------------------
def _const(src: Source, dt: DataType) -> tir.PrimExpr:
    if dt.is_bool:
        return tir.IntImm(BOOL, int(src.bool()))
    if dt.is_float:
        value = src.float()
        return tir.FloatImm(dt, value)
    lo, hi = (0, 255) if dt.is_uint else (-8, 64)
    return tir.IntImm(dt, src.int(lo, hi))


def _index(src: Source, scope: TirScope, depth: int = 1) -> tir.PrimExpr:
    """An index expression: in-scope vars of the index dtype and small constants."""
    idx = scope.index_dtype
    vars = scope.vars.get(idx, ())
    if not vars or src.int(0, 4) == 0:
        return tir.IntImm(idx, src.int(0, 7))
    v = src.pick(vars)
    if depth > 0 and src.int(0, 2) == 0:
        cls = src.pick((tir.Add, tir.Mul, tir.FloorMod, tir.FloorDiv))
        return cls(v, _index(src, scope, depth - 1))
    return v


def _load(src: Source, scope: TirScope, buffer: tir.Buffer, lanes: int = 1) -> tir.PrimExpr:
    indices = [_index(src, scope) for _ in buffer.shape]
    if lanes > 1 and indices:
        indices[-1] = tir.Ramp(indices[-1], tir.IntImm(scope.index_dtype, 1), lanes)
    return tir.BufferLoad(buffer, indices)


def _leaf(src: Source, scope: TirScope, dt: DataType) -> tir.PrimExpr:
    vars = scope.vars.get(dt, ())
    buffers = [b for b in scope.buffers if b.dtype == dt]
    kind = src.pick(["const"] + ["var"] * bool(vars) + ["load"] * bool(buffers))
    if kind == "var":
        return src.pick(vars)
    if kind == "load":
        return _load(src, scope, src.pick(buffers))
    return _const(src, dt)


def gen_expr(src: Source, scope: TirScope, dt: DataType, depth: int) -> tir.PrimExpr:
    if dt.lanes > 1:
        return _vector(src, scope, dt, depth)
    if depth <= 0 or src.int(0, 3) == 0:
        return _leaf(src, scope, dt)
    if dt.is_bool:
        return _bool_expr(src, scope, depth)
    kinds = ["arith", "cast", "select", "let", "call", "leaf"]
    kinds.append("div" if dt.is_float else "intdiv")
    kind = src.pick(kinds)
    sub = depth - 1
    if kind == "arith":
        cls = src.pick((tir.Add, tir.Sub, tir.Mul, tir.Min, tir.Max))
        return cls(gen_expr(src, scope, dt, sub), gen_expr(src, scope, dt, sub))
    if kind == "div":
        return tir.Div(gen_expr(src, scope, dt, sub), gen_expr(src, scope, dt, sub))
    if kind == "intdiv":
        cls = src.pick((tir.FloorDiv, tir.FloorMod, tir.Div, tir.Mod))
        return cls(gen_expr(src, scope, dt, sub), gen_expr(src, scope, dt, sub))
    if kind == "cast":
        from_dt = src.pick([d for d in INDEX_DTYPES + VALUE_DTYPES + (BOOL,) if d != dt])
        return tir.Cast(dt, gen_expr(src, scope, from_dt, sub))
    if kind == "select":
        cond = _bool_expr(src, scope, sub)
        return tir.Select(cond, gen_expr(src, scope, dt, sub), gen_expr(src, scope, dt, sub))
    if kind == "let":
        vdt = src.pick((scope.index_dtype, dt))
        var = tir.Var(scope.name(src.pick(("t", "tmp", "v"))), vdt)
        value = gen_expr(src, scope, vdt, sub)
        return tir.Let(var, value, gen_expr(src, scope.with_vars(var), dt, sub))
    if kind == "call":
        return _call(src, scope, dt, sub)
    return _leaf(src, scope, dt)


def _call(src: Source, scope: TirScope, dt: DataType, depth: int) -> tir.PrimExpr:
    if dt.is_float:
        if src.bool():
            return top.MATH[src.pick(_UNARY_FLOAT)](gen_expr(src, scope, dt, depth))
        return top.if_then_else(_bool_expr(src, scope, depth), gen_expr(src, scope, dt, depth),
                                gen_expr(src, scope, dt, depth))
    if src.bool():
        name = src.pick(("bitwise_and", "bitwise_or", "bitwise_xor", "shift_left"))
        return getattr(top, name)(gen_expr(src, scope, dt, depth), gen_expr(src, scope, dt, depth))
    args = [gen_expr(src, scope, src.pick((dt, scope.index_dtype)), depth) for _ in range(src.int(0, 2))]
    return top.call_pure_extern(dt, src.pick(_EXTERN_NAMES), *args)


def _bool_expr(src: Source, scope: TirScope, depth: int) -> tir.PrimExpr:
    if depth <= 0:
        cls = src.pick((tir.EQ, tir.NE, tir.LT, tir.LE, tir.GT, tir.GE))
        return cls(_leaf(src, scope, scope.index_dtype), _const(src, scope.index_dtype))
    kind = src.pick(("cmp", "cmp", "and", "or", "not", "leaf"))
    sub = depth - 1
    if kind == "cmp":
        cls = src.pick((tir.EQ, tir.NE, tir.LT, tir.LE, tir.GT, tir.GE))
        odt = src.pick((scope.index_dtype,) + VALUE_DTYPES)
        return cls(gen_expr(src, scope, odt, sub), gen_expr(src, scope, odt, sub))
    if kind == "and":
        return tir.And(_bool_expr(src, scope, sub), _bool_expr(src, scope, sub))
    if kind == "or":
        return tir.Or(_bool_expr(src, scope, sub), _bool_expr(src, scope, sub))
    if kind == "not":
        return tir.Not(_bool_expr(src, scope, sub))
    return _leaf(src, scope, BOOL)


def _vector(src: Source, scope: TirScope, dt: DataType, depth: int) -> tir.PrimExpr:
    elem, lanes = dt.element_of(), dt.lanes
    buffers = [b for b in scope.buffers if b.dtype == elem and b.shape]
    kinds = ["broadcast"] + ["ramp"] * elem.is_integer + ["load"] * bool(buffers) + ["add"] * (depth > 0)
    kind = src.pick(kinds)
    if kind == "ramp":
        return tir.Ramp(gen_expr(src, scope, elem, depth - 1), _const(src, elem), lanes)
    if kind == "load":
        return _load(src, scope, src.pick(buffers), lanes)
    if kind == "add":
        return tir.Add(_vector(src, scope, dt, depth - 1), _vector(src, scope, dt, depth - 1))
    return tir.Broadcast(gen_expr(src, scope, elem, depth - 1), lanes)



# ---------------------------------------------------------------------------------------------
# TIR statements
# ---------------------------------------------------------------------------------------------
def gen_stmt(src: Source, scope: TirScope, depth: int) -> tir.Stmt:
    kinds = ["store", "store", "evaluate"]
    if depth > 0:
        kinds += ["let", "attr", "assert", "if", "for", "for", "while", "alloc", "decl", "seq", "block"]
    kind = src.pick(kinds)
    sub = depth - 1
    if kind == "store":
        return _store(src, scope)
    if kind == "evaluate":
        return _evaluate(src, scope)
    if kind == "let":
        vdt = src.pick((scope.index_dtype,) + VALUE_DTYPES)
        var = tir.Var(scope.name(src.pick(("x", "acc", "s"))), vdt)
        return tir.LetStmt(var, gen_expr(src, scope, vdt, 1), gen_stmt(src, scope.with_vars(var), sub))
    if kind == "attr":
        return _attr(src, scope, sub)
    if kind == "assert":
        cond = _bool_expr(src, scope, 1)
        return tir.AssertStmt(cond, src.pick(("index out of range", "bad shape")), gen_stmt(src, scope, sub))
    if kind == "if":
        other = gen_stmt(src, scope, sub) if src.bool() else None
        return tir.IfThenElse(_bool_expr(src, scope, 1), gen_stmt(src, scope, sub), other)
    if kind == "for":
        return _for(src, scope, sub)
    if kind == "while":
        return _while(src, scope, sub)
    if kind == "alloc":
        return _allocate(src, scope, sub)
    if kind == "decl":
        buf = _local_buffer(src, scope, "local")
        return tir.DeclBuffer(buf, gen_stmt(src, scope.with_buffers(buf), sub))
    if kind == "seq":
        return tir.SeqStmt.flatten([gen_stmt(src, scope, sub) for _ in range(src.int(2, 3))])
    return _block_nest(src, scope, sub)


def _store(src: Source, scope: TirScope) -> tir.Stmt:
    buffers = [b for b in scope.buffers if b.shape]
    if not buffers:
        return _evaluate(src, scope)
    buf = src.pick(buffers)
    indices = [_index(src, scope) for _ in buf.shape]
    if not buf.dtype.is_bool and src.int(0, 5) == 0:  # a vector store
        lanes = src.pick((2, 4))
        indices[-1] = tir.Ramp(indices[-1], tir.IntImm(scope.index_dtype, 1), lanes)
        return tir.BufferStore(buf, _vector(src, scope, buf.dtype.with_lanes(lanes), 2), indices)
    return tir.BufferStore(buf, gen_expr(src, scope, buf.dtype, 2), indices)


def _evaluate(src: Source, scope: TirScope) -> tir.Stmt:
    if src.bool():
        return tir.Evaluate(tir.IntImm("int32", 0))
    args = [gen_expr(src, scope, scope.index_dtype, 1) for _ in range(src.int(0, 2))]
    return tir.Evaluate(top.call_extern("int32", src.pick(("print_value", "trace", "sync")), *args))


def _attr(src: Source, scope: TirScope, depth: int) -> tir.Stmt:
    kind = src.pick(("var", "str", "reducer", "itervar"))
    value = gen_expr(src, scope, INT32, 1)
    if kind == "reducer":
        dt = src.pick(VALUE_DTYPES)
        x, y = tir.Var(scope.name("x"), dt), tir.Var(scope.name("y"), dt)
        node: Any = tir.CommReducer((x,), (y,), (tir.Add(x, y),), (_const(src, dt),))
        return tir.AttrStmt(node, "reduce_scope", value, gen_stmt(src, scope, depth))
    if kind == "itervar":
        tag = src.pick(("blockIdx.x", "threadIdx.x", "vthread"))
        tv = tir.Var(tag, scope.index_dtype)
        extent = tir.IntImm(scope.index_dtype, src.int(1, 64))
        iv = tir.IterVar(Range(tir.IntImm(scope.index_dtype, 0), extent), tv, tir.IterVarType.THREAD_INDEX, tag)
        key = "virtual_thread" if tag.startswith("vthread") else "thread_extent"  # as T.launch_thread picks
        return tir.AttrStmt(iv, key, extent, gen_stmt(src, scope.with_vars(tv), depth))
    all_vars = scope.all_vars()
    node = src.pick(all_vars) if kind == "var" and all_vars else tir.StringImm("default")
    key = src.pick(("pragma_unroll_explicit", "pragma_import_c", "storage_alignment"))
    return tir.AttrStmt(node, key, value, gen_stmt(src, scope, depth))


def _loop_var(src: Source, scope: TirScope) -> tir.Var:
    return tir.Var(scope.name(src.pick(("i", "j", "k", "ax0", "ax1"))), scope.index_dtype)


def _extent(src: Source, scope: TirScope) -> tir.PrimExpr:
    shape_vars = [v for v in scope.base if v.dtype == scope.index_dtype and isinstance(v, tir.SizeVar)]
    if shape_vars and src.int(0, 2) == 0:
        return src.pick(shape_vars)
    return tir.IntImm(scope.index_dtype, src.int(1, 128))


def _for(src: Source, scope: TirScope, depth: int) -> tir.Stmt:
    var = _loop_var(src, scope)
    kind = src.pick(list(tir.ForKind))
    extent = _extent(src, scope)
    start = tir.IntImm(scope.index_dtype, src.pick((0, 0, 0, 1, 2)))
    binding = None
    if kind is tir.ForKind.THREAD_BINDING:
        tag = src.pick(("threadIdx.x", "threadIdx.y", "blockIdx.x"))
        binding = tir.IterVar(None, tir.Var(tag, scope.index_dtype), tir.IterVarType.THREAD_INDEX, tag)
    annotations = {} if src.int(0, 3) else {"pragma_auto_unroll_max_step": src.pick((16, 64))}
    body = gen_stmt(src, scope.with_vars(var), depth)
    return tir.For(var, start, extent, kind, body, binding, annotations)


def _while(src: Source, scope: TirScope, depth: int) -> tir.Stmt:
    """`while B[0] < c` over a buffer the body may store to, or a scalar condition."""
    int_buffers = [b for b in scope.buffers if b.dtype.is_integer and b.shape]
    if int_buffers:
        buf = src.pick(int_buffers)
        load = tir.BufferLoad(buf, [tir.IntImm(scope.index_dtype, 0) for _ in buf.shape])
        cond = tir.LT(load, tir.IntImm(buf.dtype, src.int(1, 10)))
    else:
        cond = _bool_expr(src, scope, 0)
    return tir.While(cond, gen_stmt(src, scope, depth))


def _local_buffer(src: Source, scope: TirScope, storage: str) -> tir.Buffer:
    dt = src.pick(VALUE_DTYPES)
    shape = [tir.IntImm(scope.index_dtype, src.int(1, 16)) for _ in range(src.int(1, 2))]
    return tir.Buffer(None, dt, shape, name=scope.name(src.pick(("buf", "local", "tile"))), scope=storage)


def _allocate(src: Source, scope: TirScope, depth: int) -> tir.Stmt:
    """`Allocate` of a handle var followed by the DeclBuffer that views it."""
    dt = src.pick(VALUE_DTYPES)
    storage = src.pick(("global", "local", "shared"))
    name = scope.name(src.pick(("tmp", "cache")))
    data = tir.Var(name, "handle", tir.PointerType(dt, storage))
    extents = tuple(tir.IntImm(scope.index_dtype, src.int(1, 32)) for _ in range(src.int(1, 2)))
    buf = tir.Buffer(data, dt, extents, name=name)
    body = tir.DeclBuffer(buf, gen_stmt(src, scope.with_buffers(buf), depth))
    annotations = {} if src.bool() else {"disable_lower_builtin": True}
    return tir.Allocate(data, dt, extents, tir.IntImm(BOOL, 1), body, annotations)


def _region(scope: TirScope, buf: tir.Buffer, indices: Sequence[tir.PrimExpr]) -> tir.BufferRegion:
    """The region an access at `indices` touches (a Ramp index covers its lanes)."""
    idx = scope.index_dtype
    ranges = []
    for i in indices:
        if isinstance(i, tir.Ramp):
            ranges.append(Range(i.base, tir.IntImm(idx, i.lanes)))
        else:
            ranges.append(Range(i, tir.IntImm(idx, 1)))
    return tir.BufferRegion(buf, tuple(ranges))


def _block_nest(src: Source, scope: TirScope, depth: int) -> tir.Stmt:
    """Loops binding a block: `for i, j in T.grid(...)` around `with T.block(...)`."""
    n_axes = src.pick((0, 1, 1, 2, 2))  # no axes: a scalar block (no loops, no bindings)
    loop_vars = [_loop_var(src, scope) for _ in range(n_axes)]
    extents = [_extent(src, scope) for _ in range(n_axes)]
    reduce_axes = [src.int(0, 3) == 0 for _ in range(n_axes)]
    iter_vars = []
    for lv, ext, red in zip(loop_vars, extents, reduce_axes):
        v = tir.Var(scope.name("v" + lv.name_hint), scope.index_dtype)
        kind = tir.IterVarType.COMM_REDUCE if red else tir.IterVarType.DATA_PAR
        iter_vars.append(tir.IterVar(Range(tir.IntImm(scope.index_dtype, 0), ext), v, kind))
    allocs = [_local_buffer(src, scope, "local")] if src.int(0, 2) == 0 else []
    block_vars = [iv.var for iv in iter_vars]
    inner = scope.for_block(block_vars, allocs)
    matches = []
    targets = [b for b in scope.buffers if b.shape]
    if targets and src.int(0, 3) == 0:
        target = src.pick(targets)
        view = tir.Buffer(None, target.dtype, [tir.IntImm(scope.index_dtype, 1) for _ in target.shape],
                          name=scope.name(target.name + "_view"))
        starts = [_index(src, inner, 0) for _ in target.shape]
        matches.append(tir.MatchBufferRegion(view, _region(inner, target, starts)))
        inner = inner.with_buffers(view)
    body = _block_body(src, inner, depth)
    writes = tuple(_region(inner, s.buffer, s.indices) for s in _stores_in(body))[:2]
    reads = tuple(_region(inner, b, [_index(src, inner, 0) for _ in b.shape])
                  for b in inner.buffers[: src.int(0, 2)] if b.shape)
    init = None
    if any(reduce_axes) and writes:
        w = writes[0]
        init = tir.BufferStore(w.buffer, _const(src, w.buffer.dtype), tuple(r.min for r in w.region))
    # (a vector store's region starts at the Ramp base: the init stores one scalar there)
    annotations = {} if src.bool() else {"schedule_rule": "default"}
    block = tir.Block(tuple(iter_vars), reads, writes, scope.name("block"), body, init, tuple(allocs),
                      tuple(matches), annotations)
    if not loop_vars or src.bool():
        predicate: tir.PrimExpr = tir.IntImm(BOOL, 1)
    else:
        predicate = tir.LT(loop_vars[0], tir.IntImm(scope.index_dtype, src.int(1, 64)))
    stmt: tir.Stmt = tir.BlockRealize(tuple(loop_vars), predicate, block)
    for lv, ext in reversed(list(zip(loop_vars, extents))):
        stmt = tir.For(lv, tir.IntImm(scope.index_dtype, 0), ext, tir.ForKind.SERIAL, stmt)
    return stmt


def _block_body(src: Source, scope: TirScope, depth: int) -> tir.Stmt:
    stmts = [_store(src, scope)]
    if depth > 0 and src.bool():
        stmts.append(gen_stmt(src, scope, depth - 1))
    return tir.SeqStmt.flatten(stmts)


def _stores_in(stmt: tir.Stmt) -> list[tir.BufferStore]:
    if isinstance(stmt, tir.BufferStore):
        return [stmt]
    if isinstance(stmt, tir.SeqStmt):
        return [s for x in stmt.seq for s in _stores_in(x)]
    return []


# ---------------------------------------------------------------------------------------------
# PrimFuncs
# ---------------------------------------------------------------------------------------------
def _function_body(src: Source, scope: TirScope, depth: int) -> tir.Stmt:
    """A function body as the IRBuilder completes it: when it contains blocks or allocates
    function-level buffers (`T.alloc_buffer` outside any block), it is wrapped in the implicit
    root block (`T.block("root")`: no iter vars, true predicate) that owns those buffers."""
    allocs = [_local_buffer(src, scope, "global")] if src.int(0, 4) == 0 else []
    body = gen_stmt(src, scope.with_buffers(*allocs), depth)
    if not allocs and not _contains_block(body):
        return body
    if not allocs and isinstance(body, tir.BlockRealize) and not body.block.iter_vars:
        return body  # already a root-like block: the builder keeps it as it is
    root = tir.Block((), (), (), "root", body, None, tuple(allocs))
    return tir.BlockRealize((), tir.IntImm(BOOL, 1), root)


def _contains_block(stmt: tir.Stmt) -> bool:
    return any(isinstance(n, (tir.Block, tir.BlockRealize)) for n in pre_order(stmt))


def gen_prim_func(src: Source, name: str, max_depth: int = 3) -> tir.PrimFunc:
    idx = src.pick(INDEX_DTYPES)
    names: dict[str, int] = {}
    shape_vars = [tir.SizeVar(n, idx) for n in ("n", "m")[: src.int(0, 2)]]
    params: list[tir.Var] = []
    buffer_map: dict[tir.Var, tir.Buffer] = {}
    n_buffers = src.int(1, 3)
    for k in range(n_buffers):
        ndim = src.int(max(1, len(shape_vars)) if k == 0 else 1, 2)
        dims: list[tir.PrimExpr] = []
        for d in range(ndim):
            if k == 0 and d < len(shape_vars):
                dims.append(shape_vars[d])  # the first buffer defines every shape var
            elif shape_vars and src.int(0, 2) == 0:
                dims.append(src.pick(shape_vars))
            else:
                dims.append(tir.IntImm(idx, src.int(1, 64)))
        bname = _BUFFER_NAMES[k]
        strides = ()
        if ndim == 2 and src.int(0, 4) == 0:
            strides = (dims[1], tir.IntImm(idx, 1))
        buf = tir.Buffer(None, src.pick(VALUE_DTYPES), dims, strides, name=bname)
        handle = tir.Var(f"{bname}_handle" if src.bool() else bname.lower(), "handle")
        params.append(handle)
        buffer_map[handle] = buf
    scalars = []
    if src.int(0, 2) == 0:
        scalars.append(tir.Var(src.pick(("alpha", "k", "offset")), src.pick((idx, DataType("float32")))))
    params = scalars + params if src.bool() else params + scalars
    base = list(shape_vars) + scalars
    scope = TirScope(idx, base, list(buffer_map.values()), names=names)
    body = _function_body(src, scope, max_depth)
    attrs: dict[str, Any] = {}
    if src.bool():
        attrs["global_symbol"] = name
    if src.int(0, 2) == 0:
        attrs["tir.noalias"] = True
    return tir.PrimFunc(tuple(params), body, "void", buffer_map, attrs)


def gen_kernel(src: Source, name: str, tensors: Sequence[Any], n_scalars: int = 0, max_depth: int = 2) -> tir.PrimFunc:
    """A PrimFunc that `call_tir` can call with tensors of these struct infos (the inputs, then
    the outputs; each needs known dims and dtype), then `n_scalars` int64 scalars (tir_vars).
    A symbolic dim (the same Relax var wherever it repeats) becomes one shape var."""
    dims: dict[int, tir.SizeVar] = {}
    shape_vars: list[tir.Var] = []
    params: list[tir.Var] = []
    buffer_map: dict[tir.Var, tir.Buffer] = {}
    for k, sinfo in enumerate(tensors):
        shape: list[tir.PrimExpr] = []
        for d in sinfo.values:
            if isinstance(d, tir.IntImm):
                shape.append(tir.IntImm(INT64, d.value))
                continue
            var = dims.get(id(d)) if isinstance(d, tir.Var) else None
            if var is None:
                var = tir.SizeVar(("n", "m", "p", "q")[len(shape_vars) % 4] + "_" * (len(shape_vars) // 4), INT64)
                shape_vars.append(var)
                if isinstance(d, tir.Var):
                    dims[id(d)] = var
            shape.append(var)
        bname = _BUFFER_NAMES[k % len(_BUFFER_NAMES)]
        handle = tir.Var(bname.lower(), "handle")
        params.append(handle)
        buffer_map[handle] = tir.Buffer(None, sinfo.dtype, shape, name=bname)
    scalars = [tir.Var(f"s{i}", INT64) for i in range(n_scalars)]
    scope = TirScope(INT64, shape_vars + scalars, list(buffer_map.values()))
    body = _function_body(src, scope, max_depth)
    attrs = {"global_symbol": name} if src.bool() else {}
    return tir.PrimFunc(tuple(params + scalars), body, "void", buffer_map, attrs)

