"""irscript.tir.te: a small tensor-expression layer, for writing op legalizations in a few lines.

    n = tir.Var("n", "int64")
    x = te.placeholder((n, 4), "float32", "x")
    k = te.reduce_axis(4, "k")
    y = te.compute((n,), lambda i: te.sum(x[i, k] * 2.0, axis=k), name="y")
    func = te.create_prim_func([x, y])       # a PrimFunc over handles bound with match_buffer

A `Tensor` is backed by a `tir.Buffer` from the start: `x[i, j]` is a plain
`BufferLoad`, so compute bodies are ordinary TIR expressions. `compute` calls
its function with the block vars of the future block (named `v_<arg name>`)
and records the op; `create_prim_func` emits one block per compute op in
dependency order, under `T.grid`-style serial loops, with `T.axis.remap`
style iter vars, `T.reads` / `T.writes` regions and, for reductions, a
`T.init` — the same IR the IRBuilder produces for the equivalent script.
Tensors computed but not passed as arguments become allocations of the
implicit root block. Shape vars that do not appear bare in some argument
buffer's shape must be passed as scalar arguments (`undefined_vars` lists
them).

Reductions: `sum / max / min / prod(expr, axis)`, `argmax / argmin(expr,
axes)` (two outputs: index and value), or any `Reduce(combiner, sources,
identities, axes)`; a multi-output reduction's compute returns a tuple of
tensors.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr, Range
from irscript.ir.functor import iter_children
from irscript.ir.node import Node
from irscript.tir import op as _op
from irscript.tir.analysis import complete_block_regions
from irscript.tir.buffer import Buffer
from irscript.tir.expr import BufferLoad, IntImm, IterVar, IterVarType, Select, Var
from irscript.tir.function import PrimFunc
from irscript.tir.stmt import Block, BlockRealize, BufferStore, For, ForKind, LetStmt, SeqStmt, Stmt

__all__ = [
    "ComputeOp", "PlaceholderOp", "Reduce", "ReduceAxis", "Tensor", "argmax", "argmin", "compute",
    "create_prim_func", "max", "min", "placeholder", "prod", "reduce_axis", "sum", "undefined_vars",
]

_TRUE = IntImm("bool", 1)
_PRODUCERS: dict[int, weakref.ref] = {}  # id(buffer) -> the Tensor backed by it


# ---------------------------------------------------------------------------------------------
# tensors and ops
# ---------------------------------------------------------------------------------------------
class Operation:
    """What produces a tensor: a placeholder (an input) or a compute."""

    __slots__ = ("name", "outputs", "__weakref__")

    def __init__(self, name: str) -> None:
        self.name = name
        self.outputs: list[Tensor] = []


class PlaceholderOp(Operation):
    __slots__ = ()


class ComputeOp(Operation):
    """`axis` are the block vars of the spatial dims, `reduce_axis` the reduction axes, `body` a
    PrimExpr (one output) or a Reduce; `inputs` the tensors the body reads."""

    __slots__ = ("axis", "reduce_axis", "body", "inputs")

    def __init__(self, name: str, axis: tuple[Var, ...], body: Any, inputs: list["Tensor"]) -> None:
        super().__init__(name)
        self.axis = axis
        self.body = body
        self.reduce_axis: tuple[ReduceAxis, ...] = body.axes if isinstance(body, Reduce) else ()
        self.inputs = inputs


class Tensor:
    """A tensor of the expression graph, backed by a buffer: `t[i, j]` / `t(i, j)` load from it."""

    __slots__ = ("buffer", "op", "value_index", "__weakref__")

    def __init__(self, buffer: Buffer, op: Operation, value_index: int = 0) -> None:
        self.buffer = buffer
        self.op = op
        self.value_index = value_index
        op.outputs.append(self)
        key = id(buffer)
        _PRODUCERS[key] = weakref.ref(self)
        weakref.finalize(self, _PRODUCERS.pop, key, None)

    @property
    def shape(self) -> tuple[PrimExpr, ...]:
        return self.buffer.shape

    @property
    def dtype(self) -> DataType:
        return self.buffer.dtype

    @property
    def name(self) -> str:
        return self.buffer.name

    @property
    def ndim(self) -> int:
        return len(self.buffer.shape)

    def __getitem__(self, indices: Any) -> BufferLoad:
        if not isinstance(indices, tuple):
            indices = (indices,)
        return self(*indices)

    def __call__(self, *indices: Any) -> BufferLoad:
        if len(indices) == 1 and isinstance(indices[0], (list, tuple)):
            indices = tuple(indices[0])
        if len(indices) != self.ndim:
            raise IRError(f"tensor {self.name!r} has {self.ndim} dimensions but is indexed with {len(indices)}")
        return BufferLoad(self.buffer, tuple(_index(i) for i in indices))

    def __repr__(self) -> str:
        return f"te.Tensor({self.name!r}, shape={list(self.shape)}, dtype={self.dtype})"


def _index(i: Any) -> PrimExpr:
    if isinstance(i, ReduceAxis):
        return i.var
    return _op.convert(i)


def _dims(shape: Any) -> tuple[PrimExpr, ...]:
    """Shape dims as PrimExprs; Python ints become int64 constants (shape dims are int64)."""
    if isinstance(shape, (int, PrimExpr)):
        shape = (shape,)
    out = []
    for d in shape:
        if isinstance(d, bool) or not isinstance(d, (int, PrimExpr)):
            raise IRError(f"a tensor shape holds integer sizes, got {type(d).__name__} {d!r:.40}")
        d = IntImm("int64", d) if isinstance(d, int) else d
        if not (d.dtype.is_integer and d.dtype.lanes == 1):
            raise IRError(f"a tensor dimension must be a scalar integer, got one of type {d.dtype}")
        out.append(d)
    return tuple(out)


def placeholder(shape: Any, dtype: Any = "float32", name: str = "placeholder") -> Tensor:
    """An input tensor of `shape` (ints or int64 PrimExprs, symbolic vars allowed)."""
    return Tensor(Buffer(None, DataType(dtype), _dims(shape), name=name), PlaceholderOp(name))


# ---------------------------------------------------------------------------------------------
# reductions
# ---------------------------------------------------------------------------------------------
class ReduceAxis:
    """A reduction axis over `[0, extent)`: index with it directly (`x[i, k]`); in arithmetic
    use its block var `k.var` (`x[i * 3 + k.var]`)."""

    __slots__ = ("var", "extent", "name")

    def __init__(self, extent: Any, name: str = "k") -> None:
        (self.extent,) = _dims((extent,))
        self.name = name
        self.var = Var(f"v_{name}", self.extent.dtype)


def reduce_axis(extent: Any, name: str = "k") -> ReduceAxis:
    """A reduction axis of `extent` iterations (a `(0, extent)` pair is accepted too)."""
    if isinstance(extent, tuple) and len(extent) == 2:
        lo, extent = extent
        if not (isinstance(lo, int) and lo == 0):
            raise IRError("te.reduce_axis: only ranges starting at 0 are supported")
    return ReduceAxis(extent, name)


Combiner = Callable[[list[PrimExpr], list[PrimExpr]], list[PrimExpr]]


class Reduce:
    """A commutative reduction over `axes`: the accumulators start at `identities` and each step
    replaces them by `combiner(accumulators, sources)` (lists, one entry per output)."""

    __slots__ = ("combiner", "sources", "identities", "axes", "name")

    def __init__(self, combiner: Combiner, sources: Sequence[Any], identities: Sequence[Any], axes: Any,
                 name: str = "reduce") -> None:
        self.sources = [_op.convert(s) for s in sources]
        self.identities = [_op.cast(s.dtype, i) for s, i in zip(self.sources, identities)]
        if len(self.sources) != len(identities) or not self.sources:
            raise IRError("te.Reduce needs one identity per source, and at least one source")
        self.axes = _axes(axes)
        self.combiner = combiner
        self.name = name


def _axes(axis: Any) -> tuple[ReduceAxis, ...]:
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    for a in axes:
        if not isinstance(a, ReduceAxis):
            raise IRError(f"a reduction runs over te.reduce_axis axes, got {type(a).__name__}")
    return axes


def sum(expr: Any, axis: Any) -> Reduce:
    e = _op.convert(expr)
    return Reduce(lambda a, b: [a[0] + b[0]], [e], [0], axis, "sum")


def prod(expr: Any, axis: Any) -> Reduce:
    e = _op.convert(expr)
    return Reduce(lambda a, b: [a[0] * b[0]], [e], [1], axis, "prod")


def max(expr: Any, axis: Any) -> Reduce:
    e = _op.convert(expr)
    return Reduce(lambda a, b: [_op.max(a[0], b[0])], [e], [_op.min_value(e.dtype)], axis, "max")


def min(expr: Any, axis: Any) -> Reduce:
    e = _op.convert(expr)
    return Reduce(lambda a, b: [_op.min(a[0], b[0])], [e], [_op.max_value(e.dtype)], axis, "min")


def _arg_reduce(expr: Any, axis: Any, index_dtype: str, better: Callable[[Any, Any], PrimExpr], name: str) -> Reduce:
    """Index (row-major over `axes`) and value of the first best element."""
    e = _op.convert(expr)
    axes = _axes(axis)
    index: PrimExpr = IntImm(index_dtype, 0)
    for ax in axes:
        index = index * _op.cast(index_dtype, ax.extent) + _op.cast(index_dtype, ax.var)

    def combine(acc: list[PrimExpr], new: list[PrimExpr]) -> list[PrimExpr]:
        (ai, av), (ni, nv) = acc, new
        take_new = _op.logical_or(ai < 0, _op.logical_or(better(nv, av), _op.logical_and(nv == av, ni < ai)))
        return [Select(take_new, ni, ai), Select(take_new, nv, av)]

    identity = [IntImm(index_dtype, -1), _op.min_value(e.dtype)]
    return Reduce(combine, [index, e], identity, axes, name)


def argmax(expr: Any, axis: Any, index_dtype: str = "int64") -> Reduce:
    """Two outputs: the flattened index over `axis` of the first maximum, and that maximum."""
    return _arg_reduce(expr, axis, index_dtype, lambda n, a: n > a, "argmax")


def argmin(expr: Any, axis: Any, index_dtype: str = "int64") -> Reduce:
    """Two outputs: the flattened index over `axis` of the first minimum, and that minimum."""
    return _arg_reduce(expr, axis, index_dtype, lambda n, a: n < a, "argmin")


# ---------------------------------------------------------------------------------------------
# compute
# ---------------------------------------------------------------------------------------------
def _arg_names(fcompute: Callable, ndim: int) -> list[str]:
    code = getattr(fcompute, "__code__", None)
    if code is not None and not (code.co_flags & inspect.CO_VARARGS) and code.co_argcount == ndim:
        return list(code.co_varnames[:ndim])
    return [f"i{d}" for d in range(ndim)]


def compute(shape: Any, fcompute: Callable[..., Any], name: str = "compute",
            axis_names: Sequence[str] | None = None) -> Any:
    """A tensor of `shape` whose element at `(i, j, ...)` is `fcompute(i, j, ...)` (a PrimExpr or
    a Reduce). Returns a Tensor, or a tuple of Tensors for a multi-output Reduce."""
    dims = _dims(shape)
    names = list(axis_names) if axis_names is not None else _arg_names(fcompute, len(dims))
    if len(names) != len(dims):
        raise IRError(f"te.compute {name!r}: {len(names)} axis names for {len(dims)} dimensions")
    axis = tuple(Var(f"v_{n}", d.dtype) for n, d in zip(names, dims))
    body = fcompute(*axis)
    if isinstance(body, ReduceAxis):
        body = body.var
    if not isinstance(body, Reduce):
        if isinstance(body, (list, tuple)):
            raise IRError(f"te.compute {name!r}: multi-output element-wise computes are not supported")
        body = _op.convert(body)
    exprs = body.sources + body.identities if isinstance(body, Reduce) else [body]
    op = ComputeOp(name, axis, body, _inputs_of(exprs))
    if not isinstance(body, Reduce):
        return Tensor(Buffer(None, body.dtype, dims, name=name), op)
    outs = tuple(
        Tensor(Buffer(None, s.dtype, dims, name=name if i == 0 else f"{name}_v{i}"), op, i)
        for i, s in enumerate(body.sources)
    )
    return outs[0] if len(outs) == 1 else outs


def _walk(e: PrimExpr) -> Iterator[Node]:
    """The nodes of an expression, without descending into the buffers it loads from."""
    stack: list[Node] = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed([c for c in iter_children(node) if not isinstance(c, Buffer)]))


def _loads(exprs: Sequence[PrimExpr]) -> list[BufferLoad]:
    return [n for e in exprs for n in _walk(e) if isinstance(n, BufferLoad)]


def _inputs_of(exprs: Sequence[PrimExpr]) -> list[Tensor]:
    seen: dict[int, Tensor] = {}
    for load in _loads(exprs):
        key = id(load.buffer)
        if key in seen:
            continue
        ref = _PRODUCERS.get(key)
        tensor = ref() if ref is not None else None
        if tensor is None or tensor.buffer is not load.buffer:
            raise IRError(f"te.compute reads buffer {load.buffer.name!r}, which is not a te tensor")
        seen[key] = tensor
    return list(seen.values())


# ---------------------------------------------------------------------------------------------
# create_prim_func
# ---------------------------------------------------------------------------------------------
def _topo_ops(outputs: Sequence[Tensor]) -> list[Operation]:
    order: list[Operation] = []
    state: dict[int, int] = {}  # 1 visiting, 2 done
    stack: list[tuple[Operation, int]] = [(t.op, 0) for t in reversed(outputs)]
    while stack:
        op, i = stack.pop()
        if i == 0:
            if state.get(id(op)) == 2:
                continue
            state[id(op)] = 1
        inputs = op.inputs if isinstance(op, ComputeOp) else []
        if i < len(inputs):
            stack.append((op, i + 1))
            child = inputs[i].op
            if state.get(id(child)) is None:
                stack.append((child, 0))
            continue
        if state.get(id(op)) != 2:
            state[id(op)] = 2
            order.append(op)
    return order


def _free_vars(ops: Sequence[Operation]) -> list[Var]:
    """The vars the ops' shapes and bodies use, other than their own block and reduction vars."""
    local: set[int] = set()
    exprs: list[PrimExpr] = []
    for op in ops:
        for t in op.outputs:
            exprs.extend(t.shape)
        if isinstance(op, ComputeOp):
            local.update(id(v) for v in op.axis)
            local.update(id(ax.var) for ax in op.reduce_axis)
            body = op.body
            if isinstance(body, Reduce):
                exprs.extend(body.sources)
                exprs.extend(body.identities)
                exprs.extend(ax.extent for ax in body.axes)
            else:
                exprs.append(body)
    found: dict[int, Var] = {}
    for e in exprs:
        for v in _walk(e):
            if isinstance(v, Var) and id(v) not in local:
                found.setdefault(id(v), v)
    return list(found.values())


def undefined_vars(args: Sequence[Any]) -> list[Var]:
    """The vars used by the tensors in `args` (their shapes, and the shapes and bodies of every
    tensor they are computed from) that no argument buffer's shape defines bare and that are not
    themselves scalar arguments: they must be passed as scalar parameters."""
    tensors = [a for a in args if isinstance(a, Tensor)]
    defined = {id(a) for a in args if isinstance(a, Var)}
    for t in tensors:
        defined.update(id(d) for d in t.shape if isinstance(d, Var))
    return [v for v in _free_vars(_topo_ops(tensors)) if id(v) not in defined]


def create_prim_func(args: Sequence[Any], attrs: dict[str, Any] | None = None) -> PrimFunc:
    """A PrimFunc computing the output tensors among `args` from the input tensors among them.

    `args` are Tensors (each becomes a handle parameter bound with match_buffer, in order) and
    scalar `tir.Var`s (scalar parameters). `attrs` default to {"tir.noalias": True}; the result
    has no global_symbol (a private function)."""
    tensors: list[Tensor] = []
    params: list[Var] = []
    buffer_map: dict[Var, Buffer] = {}
    for a in args:
        if isinstance(a, Tensor):
            if any(t is a for t in tensors):
                raise IRError(f"te.create_prim_func: tensor {a.name!r} is passed twice")
            tensors.append(a)
            handle = Var(f"var_{a.name}", "handle")
            params.append(handle)
            buffer_map[handle] = a.buffer
        elif isinstance(a, Var):
            params.append(a)
        else:
            raise IRError(f"te.create_prim_func takes te.Tensor and tir.Var arguments, got {type(a).__name__}")
    missing = undefined_vars(args)
    if missing:
        names = ", ".join(v.name_hint for v in missing)
        raise IRError(f"te.create_prim_func: shape var(s) {names} are not defined by any argument buffer's "
                      "shape; pass them as scalar arguments")
    arg_ops = {id(t.op) for t in tensors}
    visible = [t.buffer for op in _topo_ops(tensors) for t in op.outputs]
    allocs: list[Buffer] = []
    stmts: list[Stmt] = []
    for op in _topo_ops(tensors):
        if isinstance(op, PlaceholderOp):
            if id(op) not in arg_ops:
                raise IRError(f"te.create_prim_func: placeholder {op.name!r} is used but not an argument")
            continue
        for t in op.outputs:
            if not any(t is a for a in tensors):
                allocs.append(t.buffer)
        stmts.append(_emit(op, visible))
    body = stmts[0] if len(stmts) == 1 else SeqStmt(tuple(stmts))
    root = Block((), (), (), "root", body, None, tuple(allocs))
    func_attrs = {"tir.noalias": True} if attrs is None else dict(attrs)
    return PrimFunc(tuple(params), BlockRealize((), _TRUE, root), "void", buffer_map, func_attrs)


def _store(buffer: Buffer, value: PrimExpr, indices: tuple[PrimExpr, ...]) -> BufferStore:
    if value.dtype != buffer.dtype:
        value = _op.cast(buffer.dtype, value)
    return BufferStore(buffer, value, indices)


def _emit(op: ComputeOp, visible: list[Buffer]) -> Stmt:
    """The loop nest and block of one compute op; its regions are detected as TVM's
    create_prim_func does (`tir.analysis`), over the function's buffers `visible`."""
    idx = op.axis
    outs = [t.buffer for t in op.outputs]
    body = op.body
    iter_vars = [IterVar(Range(IntImm(v.dtype, 0), d), v, IterVarType.DATA_PAR) for v, d in zip(idx, outs[0].shape)]
    loop_names = [v.name_hint[2:] for v in idx]
    init: Stmt | None = None
    if isinstance(body, Reduce):
        for ax in body.axes:
            iter_vars.append(IterVar(Range(IntImm(ax.var.dtype, 0), ax.extent), ax.var, IterVarType.COMM_REDUCE))
            loop_names.append(ax.name)
        accs = [BufferLoad(b, idx) for b in outs]
        new = body.combiner(accs, body.sources)
        inits = [_store(b, i, idx) for b, i in zip(outs, body.identities)]
        init = inits[0] if len(inits) == 1 else SeqStmt(tuple(inits))
        if len(outs) == 1:
            stmt: Stmt = _store(outs[0], new[0], idx)
        else:
            temps = [Var(f"v_{b.name}", b.dtype) for b in outs]
            stmt = SeqStmt(tuple(_store(b, t, idx) for b, t in zip(outs, temps)))
            for t, value in reversed(list(zip(temps, new))):
                stmt = LetStmt(t, _op.cast(t.dtype, value), stmt)
    else:
        stmt = _store(outs[0], body, idx)
    block = complete_block_regions(Block(tuple(iter_vars), (), (), op.name, stmt, init), visible)
    loop_vars = [Var(n, iv.var.dtype) for n, iv in zip(loop_names, iter_vars)]
    nest: Stmt = BlockRealize(tuple(loop_vars), _TRUE, block)
    for lv, iv in zip(reversed(loop_vars), reversed(iter_vars)):
        nest = For(lv, iv.dom.min, iv.dom.extent, ForKind.SERIAL, nest)
    return nest
