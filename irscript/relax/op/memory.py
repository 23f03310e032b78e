"""Explicit memory ops that memory planning emits: `R.memory.alloc_storage alloc_tensor
kill_storage kill_tensor` (and `Storage`, the value their numpy references pass around).

Laid out as in TVM Relax, every operand a Relax argument:
`R.memory.alloc_storage(size, virtual_device_index, storage_scope, dtype)`
(`size` a shape holding the byte count) gives an object;
`R.memory.alloc_tensor(storage, offset, shape, dtype, runtime_device_ind=0)`
gives a tensor of `shape` / `dtype` placed at byte `offset` of the storage;
`R.memory.kill_storage(storage)` / `R.memory.kill_tensor(tensor)` end their
lifetimes and return an empty tuple. As in TVM the allocations are pure (an
allocation is no visible effect) and the kills impure. They run as runtime
builtins (no TIR legalization). The numpy references model aliasing: a
storage is a byte array and the tensors placed in it are views of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.errors import ExecutionError
from irscript.ir.dtype import DataType
from irscript.relax.expr import Call, DataTypeImm, StringImm
from irscript.relax.op.infer import VOID, arg_sinfo, fail, prim_arg, shape_arg, show_sinfo
from irscript.relax.op.manipulation import target_shape, tensor_of_shape
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import ANY, DTYPE_ARG, PRIM, SHAPE, STR_ARG, Arg
from irscript.relax.struct_info import ObjectStructInfo, StructInfo, TupleStructInfo

__all__ = ["Storage", "alloc_storage", "alloc_tensor", "kill_storage", "kill_tensor"]


class Storage:
    """A block of `nbytes` bytes (numpy references): `data` is a uint8 array; tensors placed in
    it are views of it."""

    __slots__ = ("data", "device_index", "scope", "dtype")

    def __init__(self, nbytes: int, device_index: int = 0, scope: str = "global", dtype: Any = "uint8") -> None:
        self.data = np.zeros(nbytes, np.uint8)
        self.device_index = device_index
        self.scope = scope
        self.dtype = DataType(dtype)

    def __repr__(self) -> str:
        return f"Storage({self.data.size} bytes, scope={self.scope!r})"


# ---------------------------------------------------------------------------------------------
# checks shared with R.builtin.alloc_tensor
# ---------------------------------------------------------------------------------------------
def dtype_literal(call: Call, i: int, name: str = "dtype") -> DataType:
    """The value of a DataTypeImm argument (void when it is not a literal of known value)."""
    arg = call.args[i]
    if isinstance(arg, DataTypeImm):
        return arg.value
    sinfo = arg_sinfo(call, i)
    if not isinstance(sinfo, ObjectStructInfo):
        raise fail(call, f"argument {name!r} expects a data type (R.dtype(...)), got {show_sinfo(sinfo)}")
    return VOID


def string_literal(call: Call, i: int, name: str) -> str | None:
    arg = call.args[i]
    if isinstance(arg, StringImm):
        return arg.value
    sinfo = arg_sinfo(call, i)
    if not isinstance(sinfo, ObjectStructInfo):
        raise fail(call, f"argument {name!r} expects a string (R.str(...)), got {show_sinfo(sinfo)}")
    return None


def int_prim(call: Call, i: int, name: str) -> None:
    sinfo = prim_arg(call, i)
    if not sinfo.dtype.is_integer:
        raise fail(call, f"argument {name!r} must be an integer, got an R.Prim of {sinfo.dtype}")


# ---------------------------------------------------------------------------------------------
# the ops
# ---------------------------------------------------------------------------------------------
def _infer_alloc_storage(call: Call, ctx: Any = None) -> StructInfo:
    size = shape_arg(call, 0)
    if size.ndim not in (-1, 1):
        raise fail(call, f"argument 'size' must be a 1-D shape holding the byte count, got {show_sinfo(size)}")
    int_prim(call, 1, "virtual_device_index")
    string_literal(call, 2, "storage_scope")
    dtype_literal(call, 3)
    return ObjectStructInfo()


def _np_alloc_storage(size: tuple[int, ...], virtual_device_index: int, storage_scope: str,
                      dtype: Any) -> Storage:
    return Storage(int(np.prod(size, dtype=np.int64)), int(virtual_device_index), storage_scope, dtype)


alloc_storage = define_op(
    "relax.memory.alloc_storage",
    args=[Arg("size", SHAPE), Arg("virtual_device_index", PRIM), Arg("storage_scope", STR_ARG),
          Arg("dtype", DTYPE_ARG)],
    infer=_infer_alloc_storage, runtime="vm.builtin.alloc_storage", numpy_ref=_np_alloc_storage,
    doc="R.memory.alloc_storage(size, virtual_device_index, storage_scope, dtype): a block of "
        "`size` bytes on a device.",
).builder


def _infer_alloc_tensor(call: Call, ctx: Any = None) -> StructInfo:
    int_prim(call, 1, "offset")
    shape, _, ndim = target_shape(call, 2)
    dtype = dtype_literal(call, 3)
    int_prim(call, 4, "runtime_device_ind")
    return tensor_of_shape(shape, ndim, dtype)


def _np_alloc_tensor(storage: Storage, offset: int, shape: tuple[int, ...], dtype: Any,
                     runtime_device_ind: int = 0) -> np.ndarray:
    if not isinstance(storage, Storage):
        raise ExecutionError(f"R.memory.alloc_tensor: argument 'storage' is {type(storage).__name__}, "
                             "not a storage from R.memory.alloc_storage")
    np_dtype = np.dtype(DataType(dtype).numpy_dtype())
    nbytes = int(np.prod(shape, dtype=np.int64)) * np_dtype.itemsize
    if offset < 0 or offset + nbytes > storage.data.size:
        raise ExecutionError(f"R.memory.alloc_tensor: {nbytes} bytes at offset {offset} do not fit in a "
                             f"storage of {storage.data.size} bytes")
    return storage.data[offset:offset + nbytes].view(np_dtype).reshape(shape)


alloc_tensor = define_op(
    "relax.memory.alloc_tensor",
    args=[Arg("storage", ANY), Arg("offset", PRIM), Arg("shape", SHAPE), Arg("dtype", DTYPE_ARG),
          Arg("runtime_device_ind", PRIM, default=0)],
    infer=_infer_alloc_tensor, runtime="vm.builtin.alloc_tensor", numpy_ref=_np_alloc_tensor,
    doc="R.memory.alloc_tensor(storage, offset, shape, dtype, runtime_device_ind=0): a tensor placed "
        "at byte `offset` of `storage`.",
).builder


def _void(call: Call, ctx: Any = None) -> StructInfo:
    return TupleStructInfo(())


kill_storage = define_op(
    "relax.memory.kill_storage", args=[Arg("storage", ANY)], infer=_void, pure=False,
    runtime="relax.run.kill_storage", numpy_ref=lambda storage: (),
    doc="R.memory.kill_storage(storage): end the lifetime of a storage.",
).builder

kill_tensor = define_op(
    "relax.memory.kill_tensor", args=[Arg("tensor", ANY)], infer=_void, pure=False,
    runtime="relax.run.kill_tensor", numpy_ref=lambda tensor: (),
    doc="R.memory.kill_tensor(tensor): end the lifetime of a tensor.",
).builder
