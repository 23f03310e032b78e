"""The TIR memory model: handle vars own flat memory, buffers are numpy views of it.

A handle var (a buffer's `data`) holds a numpy array: the caller's array for a
parameter, a zero-filled 1-D array for `T.allocate` / `alloc_buffer`
(allocations are zeroed, so reading before writing is deterministic, not an
error). A `Buffer` is a view of its data's memory with the buffer's dtype,
shape, strides (in elements; empty means compact row-major) and
`elem_offset`, made with `as_strided` after checking that every element
falls inside the memory. Two buffers over one data var (`T.decl_buffer(...,
data=...)`, `match_buffer` views) therefore alias exactly as in TIR.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.interp.errors import fail
from irscript.interp.tir_core import TIRCompiler
from irscript.interp.values import np_dtype, scalar
from irscript.ir.path import ObjectPath
from irscript.tir.buffer import Buffer
from irscript.tir.expr import Var

__all__ = ["CompiledBuffer", "allocate"]

ndarray = np.ndarray


def _compact_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    out = []
    acc = 1
    for d in reversed(shape):
        out.append(acc)
        acc *= d
    return tuple(reversed(out))


def allocate(shape: tuple[int, ...], npd: np.dtype) -> ndarray:
    """Zero-filled memory for an allocation."""
    return np.zeros(shape, npd)


class CompiledBuffer:
    """A buffer's layout as closures (its dims may be symbolic), and how to view memory with it."""

    __slots__ = ("buffer", "key", "data_key", "name", "npd", "shape", "strides", "offset")

    def __init__(self, c: TIRCompiler, buffer: Buffer, path: ObjectPath) -> None:
        self.buffer = buffer
        self.key = id(buffer)
        self.data_key = id(buffer.data)
        self.name = buffer.name
        self.npd = np_dtype(buffer.dtype) if buffer.dtype.lanes == 1 else np_dtype(buffer.dtype.element_of())
        self.shape = [c.expr(d, path) for d in buffer.shape]
        self.strides = [c.expr(s, path) for s in buffer.strides]
        self.offset = c.expr(buffer.elem_offset, path)

    def dims(self, env: dict, path: ObjectPath) -> tuple[int, ...]:
        shape = tuple(int(f(env)) for f in self.shape)
        if any(d < 0 for d in shape):
            raise fail(f"buffer {self.name!r} has a negative dimension: shape {shape}", path)
        return shape

    def new_memory(self, env: dict, path: ObjectPath) -> ndarray:
        """Fresh zeroed memory for the buffer (alloc_buffer); also binds its data var."""
        mem = allocate(self.dims(env, path), self.npd)
        env[self.data_key] = mem
        env[self.key] = self.view(env, mem, path)
        return mem

    def view(self, env: dict, memory: Any, path: ObjectPath) -> ndarray:
        """The buffer's view of `memory` (an array) under the current var values."""
        if not isinstance(memory, ndarray):
            raise fail(f"buffer {self.name!r} is declared over a value that is not memory ({type(memory).__name__})",
                       path)
        shape = self.dims(env, path)
        strides = tuple(int(f(env)) for f in self.strides) if self.strides else None
        offset = int(self.offset(env))
        npd = self.npd
        if memory.dtype == npd and offset == 0 and memory.shape == shape and (
                strides is None or strides == tuple(s // npd.itemsize for s in memory.strides)):
            return memory
        flat = self._flat(memory, path)
        if strides is None:
            strides = _compact_strides(shape)
        if any(d == 0 for d in shape):
            return np.zeros(shape, npd)
        lo = offset + sum((d - 1) * s for d, s in zip(shape, strides) if s < 0)
        hi = offset + sum((d - 1) * s for d, s in zip(shape, strides) if s > 0)
        if lo < 0 or hi >= flat.size:
            raise fail(f"buffer {self.name!r} (shape {shape}, strides {strides}, elem_offset {offset}) does not "
                       f"fit in its memory of {flat.size} {npd} elements", path)
        item = npd.itemsize
        return np.lib.stride_tricks.as_strided(flat[offset:], shape, tuple(s * item for s in strides))

    def _flat(self, memory: ndarray, path: ObjectPath) -> ndarray:
        flat = memory
        if flat.ndim != 1:
            if not flat.flags.c_contiguous:
                raise fail(f"buffer {self.name!r} views its memory with another layout, which needs a "
                           "C-contiguous array", path)
            flat = flat.reshape(-1)
        if flat.dtype != self.npd:
            if not flat.flags.c_contiguous or flat.nbytes % self.npd.itemsize:
                raise fail(f"buffer {self.name!r} of {self.npd} cannot view memory of {flat.dtype}", path)
            flat = flat.view(self.npd)
        return flat

    # -- parameters -----------------------------------------------------------------------------
    def bind_vars(self, env: dict, array: ndarray) -> None:
        """Bind the symbolic dims, strides and offset of a parameter buffer from `array` (the first
        binding wins; the check comes later in `check_param`)."""
        buf = self.buffer
        for d, e in enumerate(buf.shape):
            if isinstance(e, Var) and id(e) not in env and d < array.ndim:
                env[id(e)] = scalar(array.shape[d], e.dtype)
        item = array.dtype.itemsize
        for d, e in enumerate(buf.strides):
            if isinstance(e, Var) and id(e) not in env and d < array.ndim:
                env[id(e)] = scalar(array.strides[d] // item, e.dtype)
        off = buf.elem_offset
        if isinstance(off, Var) and id(off) not in env:
            env[id(off)] = scalar(0, off.dtype)

    def check_param(self, env: dict, array: Any, what: str, path: ObjectPath) -> ndarray:
        """The view of a parameter array after checking its dtype, rank and dims."""
        if not isinstance(array, ndarray):
            raise fail(f"{what} must be a numpy array for buffer {self.name!r}, got {type(array).__name__}", path)
        if array.dtype != self.npd:
            raise fail(f"{what}: buffer {self.name!r} holds {self.buffer.dtype}, the array is {array.dtype}", path)
        if array.ndim != len(self.shape):
            raise fail(f"{what}: buffer {self.name!r} has {len(self.shape)} dimensions, the array has shape "
                       f"{tuple(array.shape)}", path)
        shape = self.dims(env, path)
        if shape != array.shape:
            raise fail(f"{what}: buffer {self.name!r} needs shape {shape}, the array has shape {tuple(array.shape)}",
                       path)
        env[self.data_key] = array
        return self.view(env, array, path)
