"""`R.builtin.alloc_tensor(shape, dtype, runtime_device_index, storage_scope="global")`: the
allocation of an output tensor that lowering emits before memory planning.

As in TVM Relax every operand is a Relax argument (a shape, an `R.dtype`, a
PrimValue, an `R.str`), the result is a tensor of that shape and dtype, the
op is pure (an allocation is no visible effect) and runs as a runtime builtin.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.ir.dtype import DataType
from irscript.relax.expr import Call
from irscript.relax.op.manipulation import target_shape, tensor_of_shape
from irscript.relax.op.memory import dtype_literal, int_prim, string_literal
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import DTYPE_ARG, PRIM, SHAPE, STR_ARG, Arg
from irscript.relax.struct_info import StructInfo

__all__ = ["alloc_tensor"]


def _infer_alloc_tensor(call: Call, ctx: Any = None) -> StructInfo:
    shape, _, ndim = target_shape(call, 0)
    dtype = dtype_literal(call, 1)
    int_prim(call, 2, "runtime_device_index")
    string_literal(call, 3, "storage_scope")
    return tensor_of_shape(shape, ndim, dtype)


def _np_alloc_tensor(shape: tuple[int, ...], dtype: Any, runtime_device_index: int,
                     storage_scope: str = "global") -> np.ndarray:
    return np.zeros(shape, DataType(dtype).numpy_dtype())


alloc_tensor = define_op(
    "relax.builtin.alloc_tensor",
    args=[Arg("shape", SHAPE), Arg("dtype", DTYPE_ARG), Arg("runtime_device_index", PRIM),
          Arg("storage_scope", STR_ARG, default="global")],
    infer=_infer_alloc_tensor, runtime="relax.run.alloc_tensor", numpy_ref=_np_alloc_tensor,
    doc='R.builtin.alloc_tensor(shape, dtype, runtime_device_index, storage_scope="global"): a new '
        "tensor of `shape` and `dtype` (its contents are unspecified; the reference gives zeros).",
).builder
