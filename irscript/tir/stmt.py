"""TIR statements: stores, evaluation, let/attr/assert, control flow, allocation, blocks."""

from __future__ import annotations

import enum
from typing import Any

from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr, Range
from irscript.ir.node import DEF, Node, field
from irscript.tir.buffer import Buffer, BufferRegion, MatchBufferRegion
from irscript.tir.expr import IterVar, StringImm, Var


class Stmt(Node):
    """Base class of TIR statements."""

    __slots__ = ()


class BufferStore(Stmt, type_key="tir.BufferStore"):
    """`buffer[indices] = value`."""

    __slots__ = ()
    buffer: Buffer
    value: PrimExpr
    indices: tuple[PrimExpr, ...]
    predicate: PrimExpr | None = None


class Evaluate(Stmt, type_key="tir.Evaluate"):
    """Evaluate an expression for its side effect (`T.evaluate(e)`)."""

    __slots__ = ()
    value: PrimExpr


class LetStmt(Stmt, type_key="tir.LetStmt"):
    """`var = value` for the rest of `body` (`x: T.int32 = e` in a script)."""

    __slots__ = ()
    var: Var = field(role=DEF)
    value: PrimExpr
    body: Stmt


class AttrStmt(Stmt, type_key="tir.AttrStmt"):
    """An attribute on a node for the scope of `body` (`T.attr(node, key, value)`,
    `T.launch_thread` as key "thread_extent")."""

    __slots__ = ()
    node: Any
    attr_key: str
    value: PrimExpr
    body: Stmt


class AssertStmt(Stmt, type_key="tir.AssertStmt"):
    """`assert condition, message` guarding `body` (`T.Assert`)."""

    __slots__ = ()
    condition: PrimExpr
    message: PrimExpr
    body: Stmt

    def __init__(self, condition: Any, message: Any, body: Stmt, *, span: Any = None) -> None:
        if isinstance(message, str):
            message = StringImm(message)
        self._set_fields(condition, message, body, span=span)


class IfThenElse(Stmt, type_key="tir.IfThenElse"):
    __slots__ = ()
    condition: PrimExpr
    then_case: Stmt
    else_case: Stmt | None = None


class ForKind(enum.Enum):
    """How a loop runs; the script spells each kind with its own loop function."""

    SERIAL = 0
    PARALLEL = 1
    VECTORIZED = 2
    UNROLLED = 3
    THREAD_BINDING = 4


class For(Stmt, type_key="tir.For"):
    """`for loop_var in range(min, min + extent)` of a given kind."""

    __slots__ = ()
    loop_var: Var = field(role=DEF)
    min: PrimExpr
    extent: PrimExpr
    kind: ForKind
    body: Stmt
    thread_binding: IterVar | None = None
    annotations: dict[str, Any] = field(default_factory=dict)


class While(Stmt, type_key="tir.While"):
    __slots__ = ()
    condition: PrimExpr
    body: Stmt


class SeqStmt(Stmt, type_key="tir.SeqStmt"):
    """Statements in order. Use `SeqStmt.flatten` to build one without nesting or singletons."""

    __slots__ = ()
    seq: tuple[Stmt, ...]

    @staticmethod
    def flatten(stmts: "list[Stmt] | tuple[Stmt, ...]") -> Stmt:
        flat: list[Stmt] = []
        for s in stmts:
            if isinstance(s, SeqStmt):
                flat.extend(s.seq)
            elif s is not None:
                flat.append(s)
        if len(flat) == 1:
            return flat[0]
        return SeqStmt(tuple(flat))


class Allocate(Stmt, type_key="tir.Allocate"):
    """Allocate memory for `buffer_var` (a handle var with a PointerType) for `body`."""

    __slots__ = ()
    buffer_var: Var = field(role=DEF)
    dtype: DataType
    extents: tuple[PrimExpr, ...]
    condition: PrimExpr
    body: Stmt
    annotations: dict[str, Any] = field(default_factory=dict)


class DeclBuffer(Stmt, type_key="tir.DeclBuffer"):
    """Declare `buffer` for `body` (`T.decl_buffer`)."""

    __slots__ = ()
    buffer: Buffer = field(role=DEF)
    body: Stmt


class Block(Stmt, type_key="tir.Block"):
    """A block (`with T.block(name):`): iteration axes, declared reads and writes, an optional
    reduction init, allocations, match buffers and annotations around `body`."""

    __slots__ = ()
    iter_vars: tuple[IterVar, ...] = field(role=DEF)
    reads: tuple[BufferRegion, ...]
    writes: tuple[BufferRegion, ...]
    name_hint: str
    body: Stmt
    init: Stmt | None = None
    alloc_buffers: tuple[Buffer, ...] = field(role=DEF, default=())
    match_buffers: tuple[MatchBufferRegion, ...] = field(role=DEF, default=())
    annotations: dict[str, Any] = field(default_factory=dict)


class BlockRealize(Stmt, type_key="tir.BlockRealize"):
    """A block executed with its axes bound to `iter_values`, guarded by `predicate`."""

    __slots__ = ()
    iter_values: tuple[PrimExpr, ...]
    predicate: PrimExpr
    block: Block


__all__ = [
    "Allocate", "AssertStmt", "AttrStmt", "Block", "BlockRealize", "BufferStore", "DeclBuffer",
    "Evaluate", "For", "ForKind", "IfThenElse", "LetStmt", "Range", "SeqStmt", "Stmt", "While",
]
