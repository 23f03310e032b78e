"""TIR builder frames: prim_func, block, init, loops, if/then/else, let, assert, while, attr,
launch_thread, allocate, decl_buffer.

Every statement frame collects the statements added inside it and, on exit,
wraps them into its node and adds that to the enclosing frame. The functions
of `irbuilder.tir` create these frames; the C++ builder mirrors them by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr, Range
from irscript.ir.node import replace, stamp_span
from irscript.irbuilder.base import IRBuilder, IRBuilderFrame
from irscript.irbuilder.ir import add_function_to_parent
from irscript.tir.analysis import complete_block_regions
from irscript.tir.buffer import Buffer, BufferRegion, MatchBufferRegion
from irscript.tir.expr import IntImm, IterVar, Var
from irscript.tir.function import PrimFunc
from irscript.tir.stmt import (
    Allocate,
    AssertStmt,
    AttrStmt,
    Block,
    BlockRealize,
    DeclBuffer,
    Evaluate,
    IfThenElse,
    LetStmt,
    SeqStmt,
    Stmt,
    While,
)

TRUE = IntImm("bool", 1)


def as_stmt(stmts: list[Stmt]) -> Stmt:
    """A statement list as one statement: nothing is `Evaluate(0)`, one is itself, more a SeqStmt."""
    if not stmts:
        return Evaluate(IntImm("int32", 0))
    if len(stmts) == 1:
        return stmts[0]
    return SeqStmt.flatten(stmts)


class TIRFrame(IRBuilderFrame):
    """A frame that collects TIR statements."""

    __slots__ = ("stmts",)
    accepts_stmts = True
    kind = "T.frame"

    def __init__(self) -> None:
        super().__init__()
        self.stmts: list[Stmt] = []

    def on_enter(self, builder: IRBuilder) -> None:
        statement_parent(builder, self.kind)

    def add_stmt(self, stmt: Stmt) -> None:
        self.stmts.append(stamp_span(stmt))

    def body(self) -> Stmt:
        return as_stmt(self.stmts)


def statement_parent(builder: IRBuilder, what: str) -> TIRFrame:
    """The frame a TIR statement built now goes into, or a clear IRError."""
    top = builder.frames[-1] if builder.frames else None
    if isinstance(top, TIRFrame) and top.accepts_stmts:
        return top
    if builder.find_frame(PrimFuncFrame) is None:
        raise IRError(f"{what} must be used inside a T.prim_func")
    if isinstance(top, IfFrame):
        raise IRError(f"{what} inside T.If must be in a T.Then() or T.Else() frame")
    raise IRError(f"{what} cannot be used directly inside {top.kind if top else 'nothing'}")


def add_to_parent(builder: IRBuilder, stmt: Stmt, what: str) -> None:
    statement_parent(builder, what).add_stmt(stmt)


class PrimFuncFrame(TIRFrame):
    """`with T.prim_func():` — parameters, buffer map, attributes and the body of a PrimFunc."""

    __slots__ = (
        "name", "is_private", "args", "buffer_map", "attrs", "ret_type", "env_threads",
        "root_alloc_buffers", "contains_block", "pending_blocks", "result",
    )
    kind = "T.prim_func"

    def __init__(self, is_private: bool = False) -> None:
        super().__init__()
        self.name: str | None = None
        self.is_private = bool(is_private)
        self.args: list[Var] = []
        self.buffer_map: dict[Var, Buffer] = {}
        self.attrs: dict[str, Any] = {}
        self.ret_type: DataType | None = None
        self.env_threads: dict[int, tuple[Var, IterVar]] = {}
        self.root_alloc_buffers: list[Buffer] = []
        self.contains_block = False
        # blocks directly in the function body with no axes and regions to infer: the function's
        # explicit root block if one turns out to be its only statement (never inferred, as in
        # TVM), an ordinary block otherwise; (realize, infer reads, infer writes)
        self.pending_blocks: list[tuple[BlockRealize, bool, bool]] = []
        self.result: PrimFunc | None = None

    def on_enter(self, builder: IRBuilder) -> None:
        from irscript.irbuilder.ir import IRModuleFrame

        if builder.frames and not isinstance(builder.frames[-1], IRModuleFrame):
            raise IRError(
                f"T.prim_func must be at the top level or directly inside I.ir_module, not inside {builder.frames[-1].kind}"
            )

    def on_exit(self, builder: IRBuilder) -> None:
        attrs = dict(self.attrs)
        if not self.is_private and self.name and "global_symbol" not in attrs:
            attrs["global_symbol"] = self.name
        # the buffer map in parameter order, however the buffers were bound (T.arg / T.match_buffer)
        buffer_map = {a: self.buffer_map[a] for a in self.args if a in self.buffer_map}
        func = PrimFunc(tuple(self.args), self._complete_body(), self.ret_type or "void", buffer_map, attrs)
        self.result = func
        if not add_function_to_parent(builder, func, self.name, self.kind):
            raise IRError(f"cannot place a T.prim_func inside {builder.frames[-1].kind}")

    def _complete_pending_blocks(self) -> None:
        """Infer the regions of the blocks left pending, unless the only one is the root block."""
        pending = self.pending_blocks
        if not pending:
            return
        stmts = self.stmts
        if len(stmts) == 1 and stmts[0] is pending[0][0] and not self.root_alloc_buffers:
            return
        visible = [*self.buffer_map.values(), *self.root_alloc_buffers]
        done = {
            id(realize): replace(realize, block=complete_block_regions(realize.block, visible, reads, writes))
            for realize, reads, writes in pending
        }
        self.stmts = [done.get(id(s), s) for s in stmts]

    def _complete_body(self) -> Stmt:
        """The body, wrapped in the implicit root block when it has blocks or root allocations."""
        self._complete_pending_blocks()
        body = self.body()
        if not (self.contains_block or self.root_alloc_buffers):
            return body
        explicit_root = (
            not self.root_alloc_buffers and isinstance(body, BlockRealize) and not body.block.iter_vars
        )
        if explicit_root:
            return body
        root = Block((), (), (), "root", body, None, tuple(self.root_alloc_buffers))
        return BlockRealize((), TRUE, root)


class BlockFrame(TIRFrame):
    """`with T.block(name):` — axes, reads/writes, predicate, init, allocations, annotations."""

    __slots__ = (
        "name", "no_realize", "iter_vars", "iter_values", "reads", "writes", "predicate", "init",
        "has_init", "alloc_buffers", "match_buffers", "annotations",
    )
    kind = "T.block"

    def __init__(self, name: str = "", no_realize: bool = False) -> None:
        super().__init__()
        self.name = name
        self.no_realize = bool(no_realize)
        self.iter_vars: list[IterVar] = []
        self.iter_values: list[PrimExpr] = []
        self.reads: tuple[BufferRegion, ...] | None = None
        self.writes: tuple[BufferRegion, ...] | None = None
        self.predicate: PrimExpr | None = None
        self.init: Stmt | None = None
        self.has_init = False
        self.alloc_buffers: list[Buffer] = []
        self.match_buffers: list[MatchBufferRegion] = []
        self.annotations: dict[str, Any] | None = None

    def on_enter(self, builder: IRBuilder) -> None:
        super().on_enter(builder)
        builder.find_frame(PrimFuncFrame).contains_block = True

    def on_exit(self, builder: IRBuilder) -> None:
        block = Block(
            tuple(self.iter_vars), self.reads or (), self.writes or (), self.name, self.body(), self.init,
            tuple(self.alloc_buffers), tuple(self.match_buffers), dict(self.annotations or {}),
        )
        if self.no_realize:
            if self.iter_values:
                raise IRError(f"block {self.name!r}: axis bindings are not allowed with no_realize=True")
            if self.predicate is not None:
                raise IRError(f"block {self.name!r}: T.where is not allowed with no_realize=True")
        infer_reads, infer_writes = self.reads is None, self.writes is None
        parent = statement_parent(builder, self.kind)
        func = builder.find_frame(PrimFuncFrame)
        # a block right in the function body with no axes may be the function's root block, whose
        # regions TVM leaves empty: decide when the function ends
        pending = (infer_reads or infer_writes) and parent is func and not self.iter_vars and not self.no_realize
        if (infer_reads or infer_writes) and not pending:
            block = complete_block_regions(block, visible_buffers(builder), infer_reads, infer_writes)
        if self.no_realize:
            parent.add_stmt(block)
        else:
            realize = BlockRealize(tuple(self.iter_values), TRUE if self.predicate is None else self.predicate, block)
            parent.add_stmt(realize)
            if pending:
                func.pending_blocks.append((realize, infer_reads, infer_writes))


def visible_buffers(builder: IRBuilder) -> list[Buffer]:
    """The buffers a block opened now can access from outside: the function's buffers and root
    allocations, and the allocations, match_buffers and declared buffers of enclosing frames."""
    out: list[Buffer] = []
    for frame in builder.frames:
        if isinstance(frame, PrimFuncFrame):
            out.extend(frame.buffer_map.values())
            out.extend(frame.root_alloc_buffers)
        elif isinstance(frame, BlockFrame):
            out.extend(frame.alloc_buffers)
            out.extend(m.buffer for m in frame.match_buffers)
        elif isinstance(frame, DeclBufferFrame):
            out.append(frame.buffer)
    return out


class BlockInitFrame(TIRFrame):
    """`with T.init():` — the reduction initialisation of the enclosing block."""

    __slots__ = ()
    kind = "T.init"

    def on_enter(self, builder: IRBuilder) -> None:
        block = builder.last_frame(BlockFrame)
        if block is None:
            raise IRError("T.init must be used directly inside a T.block")
        if block.has_init:
            raise IRError(f"block {block.name!r} already has a T.init")
        block.has_init = True

    def on_exit(self, builder: IRBuilder) -> None:
        builder.last_frame(BlockFrame).init = self.body()


class ForFrame(TIRFrame):
    """A loop frame (`T.serial`, `T.grid`, ...); `with` binds its var, or its vars for a grid."""

    __slots__ = ("vars", "doms", "make_loop", "_kind")

    def __init__(
        self, vars: list[Var], doms: list[Range], make_loop: Callable[[list[Var], list[Range], Stmt], Stmt], kind: str
    ) -> None:
        super().__init__()
        self.vars = vars
        self.doms = doms
        self.make_loop = make_loop
        self._kind = kind

    @property
    def kind(self) -> str:  # type: ignore[override]
        """The loop function that made this frame ("T.serial", "T.grid", ...)."""
        return self._kind

    def enter_value(self) -> Any:
        return self.vars[0] if len(self.vars) == 1 else list(self.vars)

    def on_exit(self, builder: IRBuilder) -> None:
        add_to_parent(builder, self.make_loop(self.vars, self.doms, self.body()), self.kind)


class AssertFrame(TIRFrame):
    """`with T.Assert(cond, message):` — an AssertStmt guarding the statements inside."""

    __slots__ = ("condition", "message")
    kind = "T.Assert"

    def __init__(self, condition: PrimExpr, message: PrimExpr) -> None:
        super().__init__()
        self.condition = condition
        self.message = message

    def on_exit(self, builder: IRBuilder) -> None:
        add_to_parent(builder, AssertStmt(self.condition, self.message, self.body()), self.kind)


class LetFrame(TIRFrame):
    """`with T.LetStmt(value) as v:` — a LetStmt; binds the var."""

    __slots__ = ("var", "value")
    kind = "T.LetStmt"

    def __init__(self, var: Var, value: PrimExpr) -> None:
        super().__init__()
        self.var = var
        self.value = value

    def enter_value(self) -> Var:
        return self.var

    def on_exit(self, builder: IRBuilder) -> None:
        add_to_parent(builder, LetStmt(self.var, self.value, self.body()), self.kind)


class LaunchThreadFrame(TIRFrame):
    """`with T.launch_thread(tx, extent):` — AttrStmt "thread_extent" on an env thread."""

    __slots__ = ("iter_var", "extent", "attr_key")
    kind = "T.launch_thread"

    def __init__(self, iter_var: IterVar, extent: PrimExpr, attr_key: str) -> None:
        super().__init__()
        self.iter_var = iter_var
        self.extent = extent
        self.attr_key = attr_key

    def enter_value(self) -> Var:
        return self.iter_var.var

    def on_exit(self, builder: IRBuilder) -> None:
        add_to_parent(builder, AttrStmt(self.iter_var, self.attr_key, self.extent, self.body()), self.kind)


class AllocateFrame(TIRFrame):
    """`with T.allocate(extents, dtype, scope) as ptr:` — binds the buffer var (a handle)."""

    __slots__ = ("buffer_var", "dtype", "extents", "condition", "annotations")
    kind = "T.allocate"

    def __init__(
        self, buffer_var: Var, dtype: DataType, extents: tuple, condition: PrimExpr, annotations: dict[str, Any]
    ) -> None:
        super().__init__()
        self.buffer_var = buffer_var
        self.dtype = dtype
        self.extents = extents
        self.condition = condition
        self.annotations = annotations

    def enter_value(self) -> Var:
        return self.buffer_var

    def on_exit(self, builder: IRBuilder) -> None:
        node = Allocate(self.buffer_var, self.dtype, self.extents, self.condition, self.body(), self.annotations)
        add_to_parent(builder, node, self.kind)


class DeclBufferFrame(TIRFrame):
    """`with T.decl_buffer(...) as buf:` — a DeclBuffer (inside an Allocate unless `data` was given)."""

    __slots__ = ("buffer", "allocated")
    kind = "T.decl_buffer"

    def __init__(self, buffer: Buffer, allocated: bool) -> None:
        super().__init__()
        self.buffer = buffer
        self.allocated = allocated

    def enter_value(self) -> Buffer:
        return self.buffer

    def on_exit(self, builder: IRBuilder) -> None:
        node: Stmt = DeclBuffer(self.buffer, self.body())
        if not self.allocated:
            buf = self.buffer
            node = Allocate(buf.data, buf.dtype, buf.shape, TRUE, node)
        add_to_parent(builder, node, self.kind)


class AttrFrame(TIRFrame):
    """`with T.attr(node, key, value):` — an AttrStmt."""

    __slots__ = ("node", "attr_key", "value")
    kind = "T.attr"

    def __init__(self, node: Any, attr_key: str, value: PrimExpr) -> None:
        super().__init__()
        self.node = node
        self.attr_key = attr_key
        self.value = value

    def on_exit(self, builder: IRBuilder) -> None:
        add_to_parent(builder, AttrStmt(self.node, self.attr_key, self.value, self.body()), self.kind)


class WhileFrame(TIRFrame):
    """`with T.While(cond):` — a While loop."""

    __slots__ = ("condition",)
    kind = "T.While"

    def __init__(self, condition: PrimExpr) -> None:
        super().__init__()
        self.condition = condition

    def on_exit(self, builder: IRBuilder) -> None:
        add_to_parent(builder, While(self.condition, self.body()), self.kind)


class IfFrame(TIRFrame):
    """`with T.If(cond):` holding a `T.Then()` frame and optionally a `T.Else()` frame."""

    __slots__ = ("condition", "then_stmts", "else_stmts")
    accepts_stmts = False
    kind = "T.If"

    def __init__(self, condition: PrimExpr) -> None:
        super().__init__()
        self.condition = condition
        self.then_stmts: list[Stmt] | None = None
        self.else_stmts: list[Stmt] | None = None

    def on_exit(self, builder: IRBuilder) -> None:
        if self.then_stmts is None:
            raise IRError("T.If needs a T.Then() frame")
        else_case = as_stmt(self.else_stmts) if self.else_stmts is not None else None
        add_to_parent(builder, IfThenElse(self.condition, as_stmt(self.then_stmts), else_case), self.kind)


def _if_frame(builder: IRBuilder, method: str) -> IfFrame:
    frame = builder.last_frame(IfFrame)
    if frame is not None:
        return frame
    if builder.find_frame(IfFrame) is not None:
        raise IRError(f"{method} must be directly inside T.If; other frames were opened since")
    raise IRError(f"{method} must be used inside T.If")


class ThenFrame(TIRFrame):
    __slots__ = ()
    kind = "T.Then"

    def on_enter(self, builder: IRBuilder) -> None:
        frame = _if_frame(builder, "T.Then")
        if frame.then_stmts is not None:
            raise IRError("T.If already has a T.Then() frame")

    def on_exit(self, builder: IRBuilder) -> None:
        builder.last_frame(IfFrame).then_stmts = self.stmts


class ElseFrame(TIRFrame):
    __slots__ = ()
    kind = "T.Else"

    def on_enter(self, builder: IRBuilder) -> None:
        frame = _if_frame(builder, "T.Else")
        if frame.then_stmts is None:
            raise IRError("T.Else must follow a T.Then() frame")
        if frame.else_stmts is not None:
            raise IRError("T.If already has a T.Else() frame")

    def on_exit(self, builder: IRBuilder) -> None:
        builder.last_frame(IfFrame).else_stmts = self.stmts


__all__ = [
    "AllocateFrame", "AssertFrame", "AttrFrame", "BlockFrame", "BlockInitFrame", "DeclBufferFrame", "ElseFrame",
    "ForFrame", "IfFrame", "LaunchThreadFrame", "LetFrame", "PrimFuncFrame", "TIRFrame", "ThenFrame",
    "WhileFrame", "add_to_parent", "as_stmt", "statement_parent", "visible_buffers",
]
