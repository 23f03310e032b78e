"""Relax expressions, bindings, blocks and functions.

Every expression has a `struct_info` field (its last), filled by the
normalizer. It is ignored by structural equality except on Vars, where it is
the declared type of the binding (and where symbolic dims get defined).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr, RelaxExpr, StructInfo
from irscript.ir.module import BaseFunc
from irscript.ir.node import DEF, IGNORE, Node, field
from irscript.relax.struct_info import (
    ObjectStructInfo,
    PrimStructInfo,
    ShapeStructInfo,
    TensorStructInfo,
    TupleStructInfo,
    shape_dims,
)


class ExprWithOp:
    """Python conveniences on Relax expressions: `t[i]` for tuple items, `f(x)` for calls."""

    __slots__ = ()

    def __getitem__(self, index: int) -> "TupleGetItem":
        if not isinstance(index, int):
            raise IRError("only integer indices select tuple elements of a Relax value")
        return TupleGetItem(self, index)

    def __call__(self, *args: Any, **kwargs: Any) -> "Call":
        return Call(self, args, **kwargs)


class Var(ExprWithOp, RelaxExpr, type_key="relax.Var"):
    """A Relax variable: a function parameter or the result of a binding."""

    __slots__ = ()
    _binding = "var"
    name_hint: str = field(default="v", role=IGNORE)
    struct_info: StructInfo | None = None

    def __init__(self, name_hint: str = "v", struct_info: StructInfo | None = None, *, span: Any = None) -> None:
        self._set_fields(name_hint, struct_info, span=span)


class DataflowVar(Var, type_key="relax.DataflowVar"):
    """A variable local to a dataflow block (not visible after it unless output)."""

    __slots__ = ()


class Constant(ExprWithOp, RelaxExpr, type_key="relax.Constant"):
    """A tensor constant holding a numpy array (`R.const(value, dtype)`)."""

    __slots__ = ()
    data: np.ndarray
    struct_info: StructInfo | None = field(default=None, role=IGNORE)

    def __init__(self, data: Any, struct_info: StructInfo | None = None, *, span: Any = None) -> None:
        if not isinstance(data, np.ndarray):
            data = np.asarray(data)
        if struct_info is None:
            struct_info = TensorStructInfo(shape_dims(data.shape), DataType.from_numpy(data.dtype))
        self._set_fields(data, struct_info, span=span)


class Tuple(ExprWithOp, RelaxExpr, type_key="relax.Tuple"):
    __slots__ = ()
    fields: tuple[RelaxExpr, ...]
    struct_info: StructInfo | None = field(default=None, role=IGNORE)

    def __init__(self, fields: Any, struct_info: StructInfo | None = None, *, span: Any = None) -> None:
        fields = tuple(fields)
        if struct_info is None and all(getattr(f, "struct_info", None) is not None for f in fields):
            struct_info = TupleStructInfo(tuple(f.struct_info for f in fields))
        self._set_fields(fields, struct_info, span=span)


class TupleGetItem(ExprWithOp, RelaxExpr, type_key="relax.TupleGetItem"):
    __slots__ = ()
    tuple_value: RelaxExpr
    index: int
    struct_info: StructInfo | None = field(default=None, role=IGNORE)


class Call(ExprWithOp, RelaxExpr, type_key="relax.Call"):
    """A call of an Op, a GlobalVar, a local function value or an ExternFunc."""

    __slots__ = ()
    op: RelaxExpr
    args: tuple[RelaxExpr, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)
    sinfo_args: tuple[StructInfo, ...] = ()
    struct_info: StructInfo | None = field(default=None, role=IGNORE)


class If(ExprWithOp, RelaxExpr, type_key="relax.If"):
    """`if cond: ... else: ...`; each branch is a SeqExpr."""

    __slots__ = ()
    cond: RelaxExpr
    true_branch: RelaxExpr
    false_branch: RelaxExpr
    struct_info: StructInfo | None = field(default=None, role=IGNORE)


class ShapeExpr(ExprWithOp, RelaxExpr, type_key="relax.ShapeExpr"):
    """A shape value `R.shape([2, n])`; dims are int64 PrimExprs."""

    __slots__ = ()
    values: tuple[PrimExpr, ...]
    struct_info: StructInfo | None = field(default=None, role=IGNORE)

    def __init__(self, values: Any, struct_info: StructInfo | None = None, *, span: Any = None) -> None:
        values = shape_dims(values)
        if struct_info is None:
            struct_info = ShapeStructInfo(values)
        self._set_fields(values, struct_info, span=span)


class PrimValue(ExprWithOp, RelaxExpr, type_key="relax.PrimValue"):
    """A scalar value `R.prim_value(3)`."""

    __slots__ = ()
    value: PrimExpr
    struct_info: StructInfo | None = field(default=None, role=IGNORE)

    def __init__(self, value: Any, struct_info: StructInfo | None = None, *, span: Any = None) -> None:
        from irscript.tir.op import convert

        value = convert(value)
        if struct_info is None:
            struct_info = PrimStructInfo(value=value)
        self._set_fields(value, struct_info, span=span)


class StringImm(ExprWithOp, RelaxExpr, type_key="relax.StringImm"):
    """A string value `R.str("...")`."""

    __slots__ = ()
    value: str
    struct_info: StructInfo | None = field(default_factory=ObjectStructInfo, role=IGNORE)


class DataTypeImm(ExprWithOp, RelaxExpr, type_key="relax.DataTypeImm"):
    """A data type value `R.dtype("float32")`."""

    __slots__ = ()
    value: DataType
    struct_info: StructInfo | None = field(default_factory=ObjectStructInfo, role=IGNORE)


class ExternFunc(ExprWithOp, RelaxExpr, type_key="relax.ExternFunc"):
    """A function provided by a library, by name (`R.ExternFunc("my.lib.gemm")`)."""

    __slots__ = ()
    global_symbol: str
    struct_info: StructInfo | None = field(default=None, role=IGNORE)

    def __init__(self, global_symbol: str, struct_info: StructInfo | None = None, *, span: Any = None) -> None:
        from irscript.relax.struct_info import FuncStructInfo

        self._set_fields(global_symbol, struct_info or FuncStructInfo.opaque(), span=span)


class Binding(Node):
    """Base class of bindings in a block."""

    __slots__ = ()
    var: Var


class VarBinding(Binding, type_key="relax.VarBinding"):
    """`var = value`."""

    __slots__ = ()
    var: Var = field(role=DEF)
    value: RelaxExpr


class MatchCast(Binding, type_key="relax.MatchCast"):
    """`var = R.match_cast(value, struct_info)`: checks `value` and binds new symbolic vars."""

    __slots__ = ()
    var: Var = field(role=DEF)
    value: RelaxExpr
    struct_info: StructInfo = field(role=DEF)


class BindingBlock(Node, type_key="relax.BindingBlock"):
    __slots__ = ()
    bindings: tuple[Binding, ...]


class DataflowBlock(BindingBlock, type_key="relax.DataflowBlock"):
    """A pure block (`with R.dataflow():`); only its outputs are visible after it."""

    __slots__ = ()


class SeqExpr(ExprWithOp, RelaxExpr, type_key="relax.SeqExpr"):
    """Blocks of bindings followed by a result expression."""

    __slots__ = ()
    blocks: tuple[BindingBlock, ...]
    body: RelaxExpr
    struct_info: StructInfo | None = field(default=None, role=IGNORE)

    def __init__(self, blocks: Any, body: RelaxExpr, struct_info: StructInfo | None = None, *, span: Any = None) -> None:
        if struct_info is None:
            struct_info = getattr(body, "struct_info", None)
        self._set_fields(tuple(blocks), body, struct_info, span=span)


class Function(ExprWithOp, BaseFunc, type_key="relax.Function"):
    """A Relax function: parameters (whose struct info may introduce symbolic vars), a SeqExpr
    body, the declared return struct info, purity and attributes."""

    __slots__ = ()
    params: tuple[Var, ...] = field(role=DEF)
    body: RelaxExpr
    ret_struct_info: StructInfo
    is_pure: bool = True
    attrs: dict[str, Any] = field(default_factory=dict)
    struct_info: StructInfo | None = field(default=None, role=IGNORE)

    def __init__(
        self,
        params: Any,
        body: RelaxExpr,
        ret_struct_info: StructInfo | None = None,
        is_pure: bool = True,
        attrs: dict[str, Any] | None = None,
        struct_info: StructInfo | None = None,
        *,
        span: Any = None,
    ) -> None:
        from irscript.relax.struct_info import FuncStructInfo

        params = tuple(params)
        if ret_struct_info is None:
            ret_struct_info = getattr(body, "struct_info", None) or ObjectStructInfo()
        if struct_info is None:
            param_sinfo = tuple(p.struct_info or ObjectStructInfo() for p in params)
            struct_info = FuncStructInfo(param_sinfo, ret_struct_info, is_pure)
        self._set_fields(params, body, ret_struct_info, is_pure, dict(attrs or {}), struct_info, span=span)

    @property
    def is_private(self) -> bool:
        return "global_symbol" not in self.attrs


__all__ = [
    "Binding", "BindingBlock", "Call", "Constant", "DataTypeImm", "DataflowBlock", "DataflowVar",
    "ExprWithOp", "ExternFunc", "Function", "If", "MatchCast", "PrimValue", "SeqExpr", "ShapeExpr",
    "StringImm", "Tuple", "TupleGetItem", "Var", "VarBinding",
]
