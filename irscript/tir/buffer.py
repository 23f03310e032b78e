"""Buffers, buffer regions and match-buffer regions.

A Buffer is a typed multi-dimensional view over the memory a handle var
points to. Buffers are binding objects: structural equality maps two buffers
at their first occurrence and compares their layout there (data var, shape,
strides and offset act as definitions, so symbolic dims bind there).
"""

from __future__ import annotations

from typing import Any

from irscript.errors import IRError
from irscript.ir.dtype import DataType
from irscript.ir.expr import PrimExpr, Range
from irscript.ir.node import DEF, IGNORE, Node, field
from irscript.tir.expr import BufferLoad, IntImm, PointerType, Var

DEFAULT_ALIGNMENT = 64


class Buffer(Node, type_key="tir.Buffer"):
    """A buffer: `data` (a handle var with a PointerType naming the element type and scope),
    `dtype`, `shape`, `strides` (empty: compact row-major), `elem_offset`, alignment, offset
    factor and axis separators."""

    __slots__ = ()
    _binding = "auto"
    data: Var = field(role=DEF)
    dtype: DataType
    shape: tuple[PrimExpr, ...] = field(role=DEF)
    strides: tuple[PrimExpr, ...] = field(role=DEF, default=())
    elem_offset: PrimExpr = field(role=DEF)
    name: str = field(default="buffer", role=IGNORE)
    data_alignment: int = DEFAULT_ALIGNMENT
    offset_factor: int = 1
    axis_separators: tuple[int, ...] = ()

    def __init__(
        self,
        data: Var | None = None,
        dtype: Any = "float32",
        shape: Any = (),
        strides: Any = (),
        elem_offset: Any = None,
        name: str = "buffer",
        data_alignment: int = DEFAULT_ALIGNMENT,
        offset_factor: int = 1,
        axis_separators: Any = (),
        *,
        scope: str = "global",
        span: Any = None,
    ) -> None:
        from irscript.tir.op import convert

        dt = DataType(dtype)
        shape = tuple(convert(s) for s in shape)
        if data is None:
            data = Var(name, "handle", PointerType(dt, scope))
        if elem_offset is None:
            index_dtype = shape[0].dtype if shape else DataType("int32")
            elem_offset = IntImm(index_dtype, 0)
        self._set_fields(
            data,
            dt,
            shape,
            tuple(convert(s) for s in strides),
            convert(elem_offset),
            name,
            int(data_alignment) if data_alignment not in (None, -1) else DEFAULT_ALIGNMENT,
            int(offset_factor) if offset_factor not in (None, 0) else 1,
            tuple(int(a) for a in axis_separators),
            span=span,
        )

    def scope(self) -> str:
        """The storage scope ("global", "shared", "local", ...), from the data var's type."""
        ann = self.data.type_annotation
        return ann.storage_scope if ann is not None else "global"

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __getitem__(self, indices: Any) -> Any:
        """`A[i, j]` is a BufferLoad; `A[i, 0:16]` (any slice) a BufferRegion."""
        if not isinstance(indices, tuple):
            indices = (indices,)
        if any(isinstance(i, slice) for i in indices):
            return BufferRegion.from_indices(self, indices)
        if len(indices) != len(self.shape) and not (len(self.shape) == 0 and indices == ()):
            raise IRError(
                f"buffer {self.name!r} has {len(self.shape)} dimensions but is indexed with {len(indices)}"
            )
        return BufferLoad(self, indices)

    def __setitem__(self, indices: Any, value: Any) -> None:
        """`A[i, j] = v` inside an IRBuilder function adds a BufferStore."""
        from irscript.irbuilder.tir import buffer_store

        if not isinstance(indices, tuple):
            indices = (indices,)
        buffer_store(self, value, indices)

    def vload(self, indices: Any, dtype: Any = None) -> BufferLoad:
        return BufferLoad(self, indices if isinstance(indices, (tuple, list)) else (indices,))

    def region(self) -> "BufferRegion":
        """The whole buffer as a region."""
        zero = [IntImm(s.dtype, 0) for s in self.shape]
        return BufferRegion(self, tuple(Range(z, s) for z, s in zip(zero, self.shape)))


class BufferRegion(Node, type_key="tir.BufferRegion"):
    """A rectangular part of a buffer (`A[i, 0:16]`), as used in reads/writes and match_buffer."""

    __slots__ = ()
    buffer: Buffer
    region: tuple[Range, ...]

    @staticmethod
    def from_indices(buffer: Buffer, indices: tuple) -> "BufferRegion":
        from irscript.tir.op import convert

        ranges = []
        for i, idx in enumerate(indices):
            if isinstance(idx, slice):
                if idx.step not in (None, 1):
                    raise IRError("buffer regions do not support slice steps")
                start = convert(0 if idx.start is None else idx.start)
                if idx.stop is None:
                    if i >= len(buffer.shape):
                        raise IRError(f"region of buffer {buffer.name!r} has too many dimensions")
                    stop = buffer.shape[i]
                else:
                    stop = convert(idx.stop)
                ranges.append(Range(start, region_extent(start, stop)))
            elif isinstance(idx, Range):
                ranges.append(idx)
            else:
                idx = convert(idx)
                ranges.append(Range(idx, IntImm(idx.dtype if idx.dtype.is_integer else "int32", 1)))
        return BufferRegion(buffer, tuple(ranges))

    @staticmethod
    def full(buffer: Buffer) -> "BufferRegion":
        return buffer.region()


def _is_zero(e: PrimExpr) -> bool:
    return isinstance(e, IntImm) and e.value == 0


def region_extent(start: PrimExpr, stop: PrimExpr) -> PrimExpr:
    """`stop - start`, simplified for the forms a printed region takes (`i:i + 16`, `0:n`)."""
    from irscript.ir.structural import structural_equal
    from irscript.tir.expr import Add
    from irscript.tir.op import sub

    if _is_zero(start):
        return stop
    if isinstance(stop, Add) and structural_equal(stop.a, start, map_free_vars=False):
        return stop.b
    if isinstance(start, IntImm) and isinstance(stop, IntImm):
        return IntImm(stop.dtype, stop.value - start.value)
    return sub(stop, start)


class MatchBufferRegion(Node, type_key="tir.MatchBufferRegion"):
    """`buffer = T.match_buffer(source_region, ...)` inside a block: `buffer` views the region."""

    __slots__ = ()
    buffer: Buffer = field(role=DEF)
    source: BufferRegion
