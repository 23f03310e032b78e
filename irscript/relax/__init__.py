"""The graph-level dialect: struct info, expressions, bindings, blocks, functions, ops."""

from irscript.relax import op
from irscript.relax.expr import (
    Binding,
    BindingBlock,
    Call,
    Constant,
    DataflowBlock,
    DataflowVar,
    DataTypeImm,
    ExternFunc,
    Function,
    If,
    MatchCast,
    PrimValue,
    SeqExpr,
    ShapeExpr,
    StringImm,
    Tuple,
    TupleGetItem,
    Var,
    VarBinding,
)
from irscript.relax.struct_info import (
    FuncStructInfo,
    ObjectStructInfo,
    PrimStructInfo,
    ShapeStructInfo,
    StructInfo,
    TensorStructInfo,
    TupleStructInfo,
)

__all__ = [
    "Binding", "BindingBlock", "Call", "Constant", "DataTypeImm", "DataflowBlock", "DataflowVar",
    "ExternFunc", "FuncStructInfo", "Function", "If", "MatchCast", "ObjectStructInfo", "PrimStructInfo",
    "PrimValue", "SeqExpr", "ShapeExpr", "ShapeStructInfo", "StringImm", "StructInfo", "TensorStructInfo",
    "Tuple", "TupleGetItem", "TupleStructInfo", "Var", "VarBinding", "op",
]
from irscript.relax import well_formed  # noqa: F401  (registers the Relax checker)
