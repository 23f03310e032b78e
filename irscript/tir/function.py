"""PrimFunc: a tensor-level function over scalar and buffer parameters."""

from __future__ import annotations

from typing import Any

from irscript.ir.dtype import DataType
from irscript.ir.module import BaseFunc
from irscript.ir.node import DEF, field
from irscript.tir.buffer import Buffer
from irscript.tir.expr import Var
from irscript.tir.stmt import Stmt


class PrimFunc(BaseFunc, type_key="tir.PrimFunc"):
    """`params` are scalar vars or handles; `buffer_map` binds handle params to buffers
    (whose shapes may introduce symbolic vars). `ret_type` is "void" unless it returns a value."""

    __slots__ = ()
    params: tuple[Var, ...] = field(role=DEF)
    body: Stmt
    ret_type: DataType = DataType("void")
    buffer_map: dict[Var, Buffer] = field(role=DEF, default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)

    def with_attr(self, key: str, value: Any) -> "PrimFunc":
        from irscript.ir.node import replace

        return replace(self, attrs={**self.attrs, key: value})

    @property
    def is_private(self) -> bool:
        return "global_symbol" not in self.attrs
