"""The tensor-level dialect: expressions, buffers, statements, PrimFunc, operator builders."""

from irscript.ir.expr import PrimExpr, Range
from irscript.tir import op
from irscript.tir.buffer import Buffer, BufferRegion, MatchBufferRegion
from irscript.tir.expr import (
    EQ,
    GE,
    GT,
    LE,
    LT,
    NE,
    Add,
    And,
    BinaryOp,
    Broadcast,
    BufferLoad,
    Call,
    Cast,
    CmpOp,
    CommReducer,
    Div,
    FloatImm,
    FloorDiv,
    FloorMod,
    IntImm,
    IterVar,
    IterVarType,
    Let,
    Max,
    Min,
    Mod,
    Mul,
    Not,
    Or,
    PointerType,
    PrimExprWithOp,
    Ramp,
    Select,
    SizeVar,
    StringImm,
    Sub,
    Var,
)
from irscript.tir.function import PrimFunc
from irscript.tir.op import const, convert
from irscript.tir.stmt import (
    Allocate,
    AssertStmt,
    AttrStmt,
    Block,
    BlockRealize,
    BufferStore,
    DeclBuffer,
    Evaluate,
    For,
    ForKind,
    IfThenElse,
    LetStmt,
    SeqStmt,
    Stmt,
    While,
)

__all__ = [
    "EQ", "GE", "GT", "LE", "LT", "NE", "Add", "Allocate", "And", "AssertStmt", "AttrStmt", "BinaryOp",
    "Block", "BlockRealize", "Broadcast", "Buffer", "BufferLoad", "BufferRegion", "BufferStore", "Call",
    "Cast", "CmpOp", "CommReducer", "DeclBuffer", "Div", "Evaluate", "FloatImm", "FloorDiv", "FloorMod",
    "For", "ForKind", "IfThenElse", "IntImm", "IterVar", "IterVarType", "Let", "LetStmt",
    "MatchBufferRegion", "Max", "Min", "Mod", "Mul", "NE", "Not", "Or", "PointerType", "PrimExpr",
    "PrimExprWithOp", "PrimFunc", "Ramp", "Range", "Select", "SeqStmt", "SizeVar", "Stmt", "StringImm",
    "Sub", "Var", "While", "const", "convert", "op",
]
from irscript.tir import well_formed  # noqa: F401  (registers the TIR checker)
