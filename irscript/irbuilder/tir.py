"""The tensor-level builder (`T`): functions that open TIR frames or add to the current one.

Names and semantics follow TVM's `tvm.script.ir_builder.tir`::

    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name("scale")
            a = T.arg("a", T.handle())
            A = T.match_buffer(a, (16,), "float32")
            with T.serial(16) as i:
                A[i] = A[i] * 2.0
    func = ib.get()

Loop frames bind their var(s) with `with ... as`, `T.LetStmt` its var,
`T.allocate` its buffer var, `T.decl_buffer` its buffer; `T.axis.*` return
the new block var. Vars and buffers are created with the default name "v"
(buffers "buffer"); name them with `IRBuilder.name(name, value)`, as the
parser does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr, Range
from irscript.irbuilder.base import IRBuilder, register_namer, set_name_field
from irscript.irbuilder.tir_frame import (
    AllocateFrame,
    AssertFrame,
    AttrFrame,
    BlockFrame,
    BlockInitFrame,
    DeclBufferFrame,
    ElseFrame,
    ForFrame,
    IfFrame,
    LaunchThreadFrame,
    LetFrame,
    PrimFuncFrame,
    ThenFrame,
    WhileFrame,
    add_to_parent,
)
from irscript.tir import op as _op
from irscript.tir.buffer import Buffer as _Buffer
from irscript.tir.buffer import BufferRegion, MatchBufferRegion, region_extent
from irscript.tir.expr import BufferLoad, IntImm, IterVar, IterVarType, Let, PointerType, Ramp, SizeVar, StringImm, Var
from irscript.tir.stmt import AttrStmt, BufferStore, Evaluate, For, ForKind

# ---------------------------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------------------------


@register_namer(Var)
def _name_var(var: Var, name: str) -> None:
    set_name_field(var, "name_hint", name)


@register_namer(_Buffer)
def _name_buffer(buf: _Buffer, name: str) -> None:
    """Name a buffer, and the vars made with it: its data var when it was created for the buffer
    (it still has the buffer's name) and fresh stride vars — not vars the buffer only uses (a
    `data=ptr` of an allocation, a stride `m` declared by the script)."""
    old = buf.name
    set_name_field(buf, "name", name)
    if buf.data.name_hint == old:
        set_name_field(buf.data, "name_hint", name)
    for i, stride in enumerate(buf.strides):
        if isinstance(stride, Var) and stride.name_hint in ("v", f"{old}_s{i}"):
            set_name_field(stride, "name_hint", f"{name}_s{i}")


@register_namer(IterVar)
def _name_iter_var(iv: IterVar, name: str) -> None:
    set_name_field(iv.var, "name_hint", name)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _builder() -> IRBuilder:
    return IRBuilder.current()


def _prim_func_frame(method: str) -> PrimFuncFrame:
    frame = _builder().find_frame(PrimFuncFrame)
    if frame is None:
        raise IRError(f"{method} must be used inside a T.prim_func")
    return frame


def _block_frame(method: str) -> BlockFrame:
    frame = _builder().find_frame(BlockFrame)
    if frame is None:
        raise IRError(f"{method} must be used inside a T.block")
    return frame


def _shape(shape: Any) -> tuple[PrimExpr, ...]:
    if isinstance(shape, (PrimExpr, int)):
        return (_op.convert(shape),)
    if not isinstance(shape, (list, tuple)):
        raise IRError(f"a buffer shape must be a tuple of sizes, got {type(shape).__name__}")
    return tuple(_op.convert(s) for s in shape)


def _exprs(values: Any, what: str) -> tuple[PrimExpr, ...]:
    if values is None:
        return ()
    if not isinstance(values, (list, tuple)):
        raise IRError(f"{what} must be a tuple, got {type(values).__name__}")
    return tuple(_op.convert(v) for v in values)


def _buffer_decl(
    shape: Any,
    dtype: Any,
    name: str,
    data: Var | None,
    strides: Any,
    elem_offset: Any,
    scope: str,
    align: int,
    offset_factor: int,
    axis_separators: Any,
) -> _Buffer:
    """A new Buffer, with TVM's defaults (an `elem_offset` var when an offset factor is given)."""
    dims = _shape(shape)
    if data is not None and not isinstance(data, Var):
        raise IRError(f"a buffer's data must be a handle Var, got {type(data).__name__}")
    if elem_offset is None and offset_factor:
        elem_offset = Var("elem_offset", dims[0].dtype if dims else "int32")
    return _Buffer(
        data,
        dtype,
        dims,
        _exprs(strides, "strides"),
        elem_offset,
        name,
        -1 if align is None or align <= 0 else align,
        offset_factor or 1,
        tuple(axis_separators or ()),
        scope=scope,
    )


def _extent(start: PrimExpr, stop: PrimExpr) -> PrimExpr:
    return region_extent(start, stop)


def _loop_bounds(start: Any, stop: Any) -> tuple[PrimExpr, PrimExpr]:
    """(min, extent) of `range(start, stop)` / `range(start)` with one integer dtype."""
    if stop is None:
        stop = start
        start = IntImm(stop.dtype, 0) if isinstance(stop, PrimExpr) else 0
    start, stop = _op.match_types(start, stop, what="loop bounds")
    if not (start.dtype.is_integer and start.dtype.lanes == 1):
        raise IRError(f"loop bounds must be scalar integers, got {start.dtype}")
    return start, _extent(start, stop)


# ---------------------------------------------------------------------------------------------
# function
# ---------------------------------------------------------------------------------------------


def prim_func(private: bool = False, *, is_private: bool | None = None) -> PrimFuncFrame:
    """The frame of a PrimFunc (`is_private` is an alias of `private`)."""
    return PrimFuncFrame(private if is_private is None else is_private)


def arg(name: str, var_or_buffer: Var | _Buffer) -> Any:
    """Add a parameter: a scalar/handle Var, or a Buffer (passed through a new handle param)."""
    frame = _prim_func_frame("T.arg")
    if isinstance(var_or_buffer, _Buffer):
        IRBuilder.name(name, var_or_buffer)
        handle = Var(f"{name}_handle", "handle")
        frame.args.append(handle)
        frame.buffer_map[handle] = var_or_buffer
        return var_or_buffer
    if isinstance(var_or_buffer, Var):
        IRBuilder.name(name, var_or_buffer)
        frame.args.append(var_or_buffer)
        return var_or_buffer
    raise IRError(f"T.arg({name!r}, ...) takes a Var or a Buffer, got {type(var_or_buffer).__name__}")


def func_name(name: str) -> None:
    frame = _prim_func_frame("T.func_name")
    if frame.name is not None:
        raise IRError(f"T.func_name was already called for this function ({frame.name!r})")
    frame.name = name


def func_attr(attrs: dict[str, Any]) -> None:
    frame = _prim_func_frame("T.func_attr")
    if not isinstance(attrs, dict):
        raise IRError(f"T.func_attr takes a dict, got {type(attrs).__name__}")
    for key, value in attrs.items():
        if key == "global_symbol" and frame.is_private:
            raise IRError("a private T.prim_func cannot have a global_symbol attribute")
        if key in frame.attrs:
            raise IRError(f"T.func_attr: duplicate function attribute {key!r}")
        frame.attrs[key] = value


def func_ret(dtype: Any) -> DataType:
    frame = _prim_func_frame("T.func_ret")
    if frame.ret_type is not None:
        raise IRError(f"T.func_ret was already called for this function ({frame.ret_type})")
    frame.ret_type = DataType(dtype.dtype if isinstance(dtype, PrimExpr) else dtype)
    return frame.ret_type


def match_buffer(
    param: Any,
    shape: Any = None,
    dtype: Any = "float32",
    data: Var | None = None,
    strides: Any = None,
    elem_offset: Any = None,
    scope: str = "global",
    align: int = -1,
    offset_factor: int = 0,
    axis_separators: Any = None,
) -> _Buffer:
    """Bind a handle parameter to a new buffer (function level), or view a buffer region
    (`A[i, 0:16]`, or an element `A[i, j]`) as a new buffer inside a block."""
    if isinstance(param, BufferLoad):
        param = BufferRegion.from_indices(param.buffer, param.indices)
    if shape is None:
        if not isinstance(param, BufferRegion):
            raise IRError("T.match_buffer needs a shape")
        shape = tuple(r.extent for r in param.region)
    buffer = _buffer_decl(shape, dtype, "buffer", data, strides, elem_offset, scope, align, offset_factor, axis_separators)
    if isinstance(param, Var):
        frame = _prim_func_frame("T.match_buffer")
        if not any(a is param for a in frame.args):
            raise IRError(f"T.match_buffer: {param.name_hint!r} is not a parameter of this T.prim_func")
        if param in frame.buffer_map:
            raise IRError(f"T.match_buffer: parameter {param.name_hint!r} is already bound to a buffer")
        frame.buffer_map[param] = buffer
    elif isinstance(param, BufferRegion):
        _block_frame("T.match_buffer of a buffer region").match_buffers.append(MatchBufferRegion(buffer, param))
    else:
        raise IRError(f"T.match_buffer takes a handle parameter or a buffer region, got {type(param).__name__}")
    return buffer


def Buffer(
    shape: Any,
    dtype: Any = "float32",
    data: Var | None = None,
    strides: Any = None,
    elem_offset: Any = None,
    scope: str = "global",
    align: int = -1,
    offset_factor: int = 0,
    axis_separators: Any = None,
) -> _Buffer:
    """Declare a buffer (e.g. the type of a buffer parameter: `T.Buffer((16,), "float32")`)."""
    return _buffer_decl(shape, dtype, "buffer", data, strides, elem_offset, scope, align, offset_factor, axis_separators)


def alloc_buffer(
    shape: Any,
    dtype: Any = "float32",
    data: Var | None = None,
    strides: Any = None,
    elem_offset: Any = None,
    scope: str = "global",
    align: int = -1,
    offset_factor: int = 0,
    axis_separators: Any = None,
) -> _Buffer:
    """Allocate a buffer in the current block (at function level: in the implicit root block)."""
    builder = _builder()
    buffer = _buffer_decl(shape, dtype, "buffer", data, strides, elem_offset, scope, align, offset_factor, axis_separators)
    block = builder.last_frame(BlockFrame)
    if block is not None:
        block.alloc_buffers.append(buffer)
        return buffer
    func = builder.last_frame(PrimFuncFrame)
    if func is not None:
        func.root_alloc_buffers.append(buffer)
        return buffer
    raise IRError("T.alloc_buffer must be used directly inside a T.block or a T.prim_func")


# ---------------------------------------------------------------------------------------------
# loops
# ---------------------------------------------------------------------------------------------


def _simple_loop(kind: ForKind, script_name: str, start: Any, stop: Any, annotations: Any) -> ForFrame:
    lo, extent = _loop_bounds(start, stop)
    ann = dict(annotations or {})

    def make(vars: list[Var], doms: list[Range], body: Any) -> For:
        return For(vars[0], doms[0].min, doms[0].extent, kind, body, None, ann)

    return ForFrame([Var("v", lo.dtype)], [Range(lo, extent)], make, script_name)


def serial(start: Any, stop: Any = None, annotations: dict[str, Any] | None = None) -> ForFrame:
    return _simple_loop(ForKind.SERIAL, "T.serial", start, stop, annotations)


def parallel(start: Any, stop: Any = None, annotations: dict[str, Any] | None = None) -> ForFrame:
    return _simple_loop(ForKind.PARALLEL, "T.parallel", start, stop, annotations)


def vectorized(start: Any, stop: Any = None, annotations: dict[str, Any] | None = None) -> ForFrame:
    return _simple_loop(ForKind.VECTORIZED, "T.vectorized", start, stop, annotations)


def unroll(start: Any, stop: Any = None, annotations: dict[str, Any] | None = None) -> ForFrame:
    return _simple_loop(ForKind.UNROLLED, "T.unroll", start, stop, annotations)


def thread_binding(
    start: Any, stop: Any = None, thread: str | None = "threadIdx.x", annotations: dict[str, Any] | None = None
) -> ForFrame:
    """A loop bound to a thread axis: `T.thread_binding(8, thread="threadIdx.x")` (or
    `T.thread_binding(8, "threadIdx.x")`)."""
    if isinstance(stop, str):
        thread, stop = stop, None
    if not thread:
        raise IRError("T.thread_binding needs a thread tag, e.g. thread=\"threadIdx.x\"")
    lo, extent = _loop_bounds(start, stop)
    ann = dict(annotations or {})

    def make(vars: list[Var], doms: list[Range], body: Any) -> For:
        iv = IterVar(None, Var("iter", lo.dtype), IterVarType.THREAD_INDEX, thread)
        return For(vars[0], doms[0].min, doms[0].extent, ForKind.THREAD_BINDING, body, iv, ann)

    return ForFrame([Var("v", lo.dtype)], [Range(lo, extent)], make, "T.thread_binding")


def grid(*extents: Any) -> ForFrame:
    """Nested serial loops over `extents`; `with` binds the list of vars (one var for one extent)."""
    if len(extents) == 1 and isinstance(extents[0], (list, tuple)):
        extents = tuple(extents[0])
    if not extents:
        raise IRError("T.grid needs at least one extent")
    vars_: list[Var] = []
    doms: list[Range] = []
    for e in extents:
        e = _op.convert(e)
        if not e.dtype.is_integer:
            raise IRError(f"T.grid extents must be integers, got {e.dtype}")
        vars_.append(Var("v", e.dtype))
        doms.append(Range(IntImm(e.dtype, 0), e))

    def make(vs: list[Var], ds: list[Range], body: Any) -> Any:
        for v, d in zip(reversed(vs), reversed(ds)):
            body = For(v, d.min, d.extent, ForKind.SERIAL, body)
        return body

    return ForFrame(vars_, doms, make, "T.grid")


# ---------------------------------------------------------------------------------------------
# blocks
# ---------------------------------------------------------------------------------------------


def block(name: str = "", no_realize: bool = False) -> BlockFrame:
    """The frame of a block; inside loops it is realized with the axis bindings."""
    return BlockFrame(name, no_realize)


def init() -> BlockInitFrame:
    """The frame of the enclosing block's reduction init."""
    return BlockInitFrame()


def where(predicate: Any) -> None:
    frame = _block_frame("T.where")
    if frame.predicate is not None:
        raise IRError(f"block {frame.name!r} already has a T.where predicate")
    frame.predicate = _op.as_bool(predicate)


def _regions(regions: tuple, method: str) -> tuple[BufferRegion, ...]:
    if len(regions) == 1 and isinstance(regions[0], (list, tuple)):
        regions = tuple(regions[0])
    out = []
    for r in regions:
        if isinstance(r, BufferRegion):
            out.append(r)
        elif isinstance(r, BufferLoad):
            out.append(BufferRegion.from_indices(r.buffer, r.indices))
        elif isinstance(r, _Buffer):
            out.append(r.region())
        else:
            raise IRError(f"{method} takes buffer regions like A[i, 0:16], got {type(r).__name__}")
    return tuple(out)


def reads(*regions: Any) -> None:
    frame = _block_frame("T.reads")
    if frame.reads is not None:
        raise IRError(f"block {frame.name!r} already has T.reads")
    frame.reads = _regions(regions, "T.reads")


def writes(*regions: Any) -> None:
    frame = _block_frame("T.writes")
    if frame.writes is not None:
        raise IRError(f"block {frame.name!r} already has T.writes")
    frame.writes = _regions(regions, "T.writes")


def block_attr(attrs: dict[str, Any]) -> None:
    frame = _block_frame("T.block_attr")
    if frame.annotations is not None:
        raise IRError(f"block {frame.name!r} already has T.block_attr")
    if not isinstance(attrs, dict):
        raise IRError(f"T.block_attr takes a dict, got {type(attrs).__name__}")
    frame.annotations = dict(attrs)


def _as_range(dom: Any) -> Range:
    if isinstance(dom, Range):
        return dom
    if isinstance(dom, (list, tuple)):
        if len(dom) != 2:
            raise IRError("an axis domain is an extent, a Range or a (start, stop) pair")
        start, stop = _op.match_types(dom[0], dom[1], what="axis domain")
        return Range(start, _extent(start, stop))
    extent = _op.convert(dom)
    return Range(IntImm(extent.dtype, 0), extent)


class axis:
    """Block axes: each call adds an iter var to the enclosing block and returns its var."""

    @staticmethod
    def _push(kind: IterVarType, method: str, dom: Any, binding: Any, dtype: Any) -> Var:
        frame = _builder().last_frame(BlockFrame)
        if frame is None:
            raise IRError(f"{method} must be used directly inside a T.block")
        rng = _as_range(dom)
        dt = DataType(dtype)
        bits = max(rng.min.dtype.bits, rng.extent.dtype.bits, dt.bits)
        var = Var("v", dt.with_bits(bits))
        frame.iter_vars.append(IterVar(rng, var, kind))
        frame.iter_values.append(_op.convert(binding))
        return var

    @staticmethod
    def spatial(dom: Any, binding: Any, dtype: Any = "int32") -> Var:
        return axis._push(IterVarType.DATA_PAR, "T.axis.spatial", dom, binding, dtype)

    @staticmethod
    def reduce(dom: Any, binding: Any, dtype: Any = "int32") -> Var:
        return axis._push(IterVarType.COMM_REDUCE, "T.axis.reduce", dom, binding, dtype)

    @staticmethod
    def scan(dom: Any, binding: Any, dtype: Any = "int32") -> Var:
        return axis._push(IterVarType.ORDERED, "T.axis.scan", dom, binding, dtype)

    @staticmethod
    def opaque(dom: Any, binding: Any, dtype: Any = "int32") -> Var:
        return axis._push(IterVarType.OPAQUE, "T.axis.opaque", dom, binding, dtype)

    @staticmethod
    def remap(kinds: str, bindings: Sequence[Any], dtype: Any = "int32") -> list[Var]:
        """One spatial ("S") or reduction ("R") axis per loop var, over the loop's range."""
        builder = _builder()
        if builder.last_frame(BlockFrame) is None:
            raise IRError("T.axis.remap must be used directly inside a T.block")
        bindings = list(bindings)
        if len(kinds) != len(bindings):
            raise IRError(f"T.axis.remap: {len(kinds)} kinds ({kinds!r}) for {len(bindings)} loop vars")
        out = []
        for kind, v in zip(kinds, bindings):
            if kind not in "SR":
                raise IRError(f"T.axis.remap: unknown axis kind {kind!r} (use 'S' or 'R')")
            if not isinstance(v, Var):
                raise IRError("T.axis.remap binds loop vars only")
            dom = _loop_domain(builder, v)
            iter_type = IterVarType.DATA_PAR if kind == "S" else IterVarType.COMM_REDUCE
            method = "T.axis.spatial" if kind == "S" else "T.axis.reduce"
            out.append(axis._push(iter_type, method, dom, v, v.dtype))
        return out

    S = spatial
    R = reduce


def _loop_domain(builder: IRBuilder, var: Var) -> Range:
    for frame in reversed(builder.frames):
        if isinstance(frame, ForFrame):
            for v, d in zip(frame.vars, frame.doms):
                if v is var:
                    return d
    raise IRError(f"T.axis.remap: {var.name_hint!r} is not the var of an enclosing loop")


# ---------------------------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------------------------


def If(condition: Any) -> IfFrame:
    return IfFrame(_op.as_bool(condition))


def Then() -> ThenFrame:
    return ThenFrame()


def Else() -> ElseFrame:
    return ElseFrame()


def While(condition: Any) -> WhileFrame:
    return WhileFrame(_op.as_bool(condition))


def Assert(condition: Any, message: Any) -> AssertFrame:
    msg = StringImm(message) if isinstance(message, str) else _op.convert(message)
    return AssertFrame(_op.as_bool(condition), msg)


def LetStmt(value: Any, type_annotation: Any = None, var: Var | None = None) -> LetFrame:
    """A LetStmt frame binding a new var (of `type_annotation`, else the value's dtype)."""
    value = _op.convert(value)
    if var is None:
        if type_annotation is None:
            var = Var("v", value.dtype)
        elif isinstance(type_annotation, PointerType):
            var = Var("v", "handle", type_annotation)
        elif isinstance(type_annotation, Var):
            var = Var("v", type_annotation.dtype, type_annotation.type_annotation)
        else:
            var = Var("v", DataType(type_annotation))
    elif not isinstance(var, Var):
        raise IRError(f"T.LetStmt: var must be a Var, got {type(var).__name__}")
    return LetFrame(var, value)


def let(v: Var, value: Any, body: Any = None) -> Any:
    """`T.let(v, value)`: a LetStmt frame binding `v`; with `body`: the Let expression."""
    if body is None:
        return LetFrame(v, _op.convert(value))
    return Let(v, _op.convert(value), body)


def allocate(
    extents: Any, dtype: Any, scope: str = "global", condition: Any = True, annotations: dict[str, Any] | None = None
) -> AllocateFrame:
    """An Allocate frame; `with` binds the buffer var (a handle with a PointerType)."""
    dt = DataType(dtype)
    buffer_var = Var("v", "handle", PointerType(dt, scope))
    return AllocateFrame(buffer_var, dt, _shape(extents), _op.as_bool(condition), dict(annotations or {}))


def decl_buffer(
    shape: Any,
    dtype: Any = "float32",
    scope: str = "global",
    data: Var | None = None,
    strides: Any = None,
    elem_offset: Any = None,
    align: int = -1,
    offset_factor: int = 0,
    axis_separators: Any = None,
) -> DeclBufferFrame:
    """A DeclBuffer frame (allocating the buffer unless `data` is given); binds the buffer."""
    buffer = _buffer_decl(shape, dtype, "buffer", data, strides, elem_offset, scope, align, offset_factor, axis_separators)
    return DeclBufferFrame(buffer, data is not None)


def attr(node: Any, attr_key: str | None = None, value: Any = None) -> AttrFrame:
    """`T.attr(node, key, value)`: an AttrStmt frame. TVM 0.25's `T.attr({key: value, ...})`
    puts each pair on the node 0, as `T.attr(0, key, value)` does (several pairs nest,
    the first outermost)."""
    if isinstance(node, dict):
        if attr_key is not None or value is not None:
            raise IRError("T.attr({key: value, ...}) takes no other arguments")
        if not node:
            raise IRError("T.attr({...}) needs at least one key")
        for key in node:
            if not isinstance(key, str):
                raise IRError(f"the keys of T.attr({{...}}) are strings, got {type(key).__name__}")
        return _AttrsFrame(0, [(k, _op.convert(v)) for k, v in node.items()])
    if not isinstance(attr_key, str) or value is None:
        raise IRError("T.attr takes a node, a string key and a value, or a dict {key: value}")
    return AttrFrame(node, attr_key, _op.convert(value))


class _AttrsFrame(AttrFrame):
    """`T.attr({k1: v1, k2: v2})`: AttrStmts on one node, nested in key order."""

    __slots__ = ("pairs",)

    def __init__(self, node: Any, pairs: list[tuple[str, PrimExpr]]) -> None:
        super().__init__(node, pairs[0][0], pairs[0][1])
        self.pairs = pairs

    def on_exit(self, builder: IRBuilder) -> None:
        body = self.body()
        for key, value in reversed(self.pairs):
            body = AttrStmt(self.node, key, value, body)
        add_to_parent(builder, body, self.kind)


def env_thread(thread_tag: str, dtype: Any = "int32") -> Var:
    """A thread axis var for `T.launch_thread` (as in TVM, the var of the thread IterVar)."""
    frame = _prim_func_frame("T.env_thread")
    var = Var("v", dtype)
    frame.env_threads[id(var)] = (var, IterVar(None, var, IterVarType.THREAD_INDEX, thread_tag))
    return var


def launch_thread(thread: Var | IterVar | str, extent: Any) -> LaunchThreadFrame:
    """Launch a thread axis (a var from `T.env_thread`, or a tag like "threadIdx.x")."""
    frame = _prim_func_frame("T.launch_thread")
    if isinstance(thread, str):
        thread = env_thread(thread)
    if isinstance(thread, IterVar):
        thread = thread.var
    entry = frame.env_threads.get(id(thread)) if isinstance(thread, Var) else None
    if entry is None or entry[0] is not thread:
        name = getattr(thread, "name_hint", type(thread).__name__)
        raise IRError(f"T.launch_thread: {name!r} is not a thread var made by T.env_thread")
    extent = _op.convert(extent)
    iv = entry[1]
    if iv.dom is None:
        iv = IterVar(Range(IntImm(extent.dtype, 0), extent), thread, iv.iter_type, iv.thread_tag)
        frame.env_threads[id(thread)] = (thread, iv)
    elif not _same_value(iv.dom.extent, extent):
        raise IRError(f"T.launch_thread: thread {iv.thread_tag!r} was launched with another extent")
    key = "virtual_thread" if iv.thread_tag.startswith("vthread") else "thread_extent"
    return LaunchThreadFrame(iv, extent, key)


def _same_value(a: PrimExpr, b: PrimExpr) -> bool:
    from irscript.ir.structural import structural_equal

    if isinstance(a, IntImm) and isinstance(b, IntImm):
        return a.value == b.value
    return structural_equal(a, b)


def buffer_store(buffer: _Buffer, value: Any, indices: Any) -> None:
    """`buffer[indices] = value` (a slice of constant length makes a vector store, `vector_index`)."""
    if not isinstance(buffer, _Buffer):
        raise IRError(f"T.buffer_store needs a Buffer, got {type(buffer).__name__}")
    if not isinstance(indices, (list, tuple)):
        indices = (indices,)
    if len(indices) != len(buffer.shape):
        raise IRError(f"buffer {buffer.name!r} has {len(buffer.shape)} dimensions but is stored with {len(indices)} indices")
    idx = tuple(_store_index(i) for i in indices)
    lanes = idx[-1].dtype.lanes if idx else 1
    target = buffer.dtype.with_lanes(buffer.dtype.lanes * lanes)
    if not isinstance(value, PrimExpr):
        try:
            if isinstance(value, BufferRegion):
                raise TypeError
            value = _op.const(value, target)
        except (TypeError, ValueError):
            raise IRError(f"cannot store {_what(value)} into buffer {buffer.name!r}: the value must be a PrimExpr "
                          "or a number") from None
    elif value.dtype != target:
        if value.dtype.lanes != target.lanes and value.dtype.lanes != 1:
            raise IRError(f"cannot store a {value.dtype} value into {target} elements of buffer {buffer.name!r}")
        value = _op.cast(target, value)
    add_to_parent(_builder(), BufferStore(buffer, value, idx), "a buffer store")


def _what(value: Any) -> str:
    if isinstance(value, BufferRegion):
        return "a buffer region (a slice of a buffer that is not read as a vector)"
    return f"a {type(value).__name__} value"


def _store_index(index: Any) -> PrimExpr:
    if isinstance(index, slice):
        return vector_index(index.start, index.stop, index.step)
    return _op.convert(index)


def vector_index(start: Any, stop: Any, step: Any = None) -> PrimExpr:
    """The index `start:stop:step` of a vector access: `start` for one lane, else
    `Ramp(start, step, lanes)`. The lane count must be a constant: `stop - start` is
    simplified, so symbolic bounds like `i * 4:i * 4 + 4` are fine."""
    from irscript.tir.arith import simplify

    if start is None or stop is None:
        raise IRError("a vector store slice needs both bounds, like A[0:4]")
    start, stop = _op.convert(start), _op.convert(stop)
    _check_slice_bound(stop)  # ramp_index checks start
    return ramp_index(start, simplify(_op.sub(stop, start)), step, f"the slice {start}:{stop}", "store")


def ramp_index(start: PrimExpr, extent: PrimExpr, step: Any = None, what: str = "the slice",
               access: str = "load") -> PrimExpr:
    """The index of `extent` elements from `start` every `step` (a constant, default 1):
    `start` for one lane, else a Ramp. `extent` must be a constant (simplify it first);
    `what` names the slice and `access` ("load" / "store") its use in messages."""
    _check_slice_bound(start)
    if step is None:
        step = 1
    if isinstance(step, IntImm):
        step = step.value
    if type(step) is not int or step < 1:
        raise IRError(f"the step of a vector {access} slice is a positive integer constant, got {step!r}")
    if not isinstance(extent, IntImm):
        raise IRError(f"a vector {access} slice needs constant bounds, like A[0:4]: {what} has length {extent}")
    if extent.value < 1:
        raise IRError(f"a vector {access} slice needs a positive length: {what} has length {extent.value}")
    lanes = (extent.value + step - 1) // step
    if lanes == 1:
        return start
    return Ramp(start, IntImm(start.dtype, step), lanes)


def _check_slice_bound(bound: PrimExpr) -> None:
    if not (bound.dtype.is_integer and bound.dtype.lanes == 1):
        raise IRError(f"the bounds of a vector access slice are scalar integers, got a {bound.dtype} bound")


def evaluate(value: Any) -> None:
    """Evaluate an expression for its side effects."""
    if isinstance(value, str):
        value = StringImm(value)
    add_to_parent(_builder(), Evaluate(_op.convert(value)), "T.evaluate")


# ---------------------------------------------------------------------------------------------
# dtype helpers: T.int32() makes a var, T.int32(x) a constant or cast
# ---------------------------------------------------------------------------------------------


def _dtype_func(dtype: str) -> Any:
    dt = DataType(dtype)

    def func(expr: Any = None, is_size_var: bool = False) -> PrimExpr:
        if expr is None:
            return SizeVar("v", dt) if is_size_var else Var("v", dt)
        if isinstance(expr, str):
            expr = float(expr)
        if isinstance(expr, PrimExpr):
            return _op.cast(dt, expr)
        return _op.const(expr, dt)

    func.__name__ = func.__qualname__ = dtype
    func.__doc__ = f"`T.{dtype}()`: a new {dtype} var; `T.{dtype}(x)`: x as a {dtype} constant or cast."
    return func


_SCALAR_NAMES = [
    *(f"{code}{bits}" for code in ("int", "uint") for bits in (8, 16, 32, 64)),
    "float16", "float32", "float64", "bfloat16",
    # the minifloats, as TVM's `T` spells them (`T.float8_e4m3fn(1.5)`)
    "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e4m3", "float8_e8m0fnu",
    "float6_e2m3fn", "float6_e3m2fn", "float4_e2m1fn",
]
DTYPE_NAMES: list[str] = ["bool", *_SCALAR_NAMES, *(f"{n}x{lanes}" for n in _SCALAR_NAMES for lanes in (4, 8, 16, 32, 64))]
for _name in DTYPE_NAMES:
    globals()[_name] = _dtype_func(_name)
del _name


def handle(dtype: Any = None, storage_scope: str = "global", *, is_size_var: bool = False) -> Var:
    """A handle var; with `dtype`, one typed as a pointer to `dtype` in `storage_scope`."""
    cls = SizeVar if is_size_var else Var
    if dtype is None and storage_scope == "global":
        return cls("v", "handle")
    return cls("v", "handle", PointerType(DataType(dtype or "void"), storage_scope))


# aliases spelled by newer TVM releases
sblock = block
sblock_attr = block_attr
sblock_alloc_buffer = alloc_buffer


__all__ = [
    "Assert", "Buffer", "Else", "If", "LetStmt", "Then", "While", "alloc_buffer", "allocate", "arg", "attr",
    "axis", "block", "block_attr", "buffer_store", "decl_buffer", "env_thread", "evaluate", "func_attr",
    "func_name", "func_ret", "grid", "handle", "init", "launch_thread", "let", "match_buffer", "parallel",
    "prim_func", "ramp_index", "reads", "sblock", "sblock_alloc_buffer", "sblock_attr", "serial", "thread_binding", "unroll",
    "vector_index", "vectorized", "where", "writes", *DTYPE_NAMES,
]
