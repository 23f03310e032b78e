"""The Relax operator set: the registry (`registry`, `signature`, `infer`, `legalize`) and the op
families, each a module of op entries (`elementwise`, `reduction`, `linalg`, `runtime`).

Every op is one `define_op` entry (see `irscript.relax.op.registry` and docs/adding-an-op.md);
its builder is exported here (`irscript.relax.op.add(x, y)`), or in the sub-namespace of its
script name (`irscript.relax.op.nn.relu`). `base` holds the irregular call-into-tensor-level and
library ops (call_tir & co). A new family module is imported below.
"""

from irscript.relax.op import builtin, image, memory, nn  # sub-namespaces: R.builtin.*, R.image.*, ...
from irscript.relax.op.base import call_dps_packed, call_packed, call_pure_packed, call_tir, call_tir_inplace
from irscript.relax.op.creation import arange, full, full_like, ones, ones_like, tril, triu, zeros, zeros_like
from irscript.relax.op.elementwise import (
    abs,
    add,
    astype,
    ceil,
    clip,
    cos,
    divide,
    equal,
    erf,
    exp,
    floor,
    floor_divide,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    power,
    round,
    rsqrt,
    sigmoid,
    sin,
    sqrt,
    subtract,
    tanh,
)
from irscript.relax.op.indexing import strided_slice, take, where
from irscript.relax.op.legalize import FunctionTable, legalize_call
from irscript.relax.op.linalg import matmul
from irscript.relax.op.manipulation import (
    broadcast_to,
    concat,
    expand_dims,
    flatten,
    permute_dims,
    repeat,
    reshape,
    split,
    squeeze,
    tile,
)
from irscript.relax.op.reduction import argmax, argmin, max, mean, min, prod, sum, variance
from irscript.relax.op.registry import (
    OpEntry,
    call_from_script,
    define_op,
    get_entry,
    lookup_script,
    registered_entries,
    script_namespaces,
)
from irscript.relax.op.runtime import assert_op, null_value, print, shape_of

__all__ = [
    "FunctionTable", "OpEntry", "abs", "add", "argmax", "argmin", "assert_op", "astype", "call_dps_packed",
    "call_from_script", "call_packed", "call_pure_packed", "call_tir", "call_tir_inplace", "ceil", "clip", "cos",
    "define_op", "divide", "equal", "erf", "exp", "floor", "floor_divide", "get_entry", "greater", "greater_equal",
    "legalize_call", "less", "less_equal", "log", "logical_and", "logical_not", "logical_or", "lookup_script",
    "matmul", "max", "maximum", "mean", "min", "minimum", "multiply", "negative", "not_equal", "null_value",
    "power", "print", "prod", "registered_entries", "round", "rsqrt", "script_namespaces", "shape_of", "sigmoid",
    "sin", "sqrt", "subtract", "sum", "tanh", "variance",
]
__all__ += [  # the manipulation, indexing, creation and memory families
    "arange", "broadcast_to", "builtin", "concat", "expand_dims", "flatten", "full", "full_like", "memory", "ones",
    "ones_like", "permute_dims", "repeat", "reshape", "split", "squeeze", "strided_slice", "take", "tile", "tril",
    "triu", "where", "zeros", "zeros_like",
]
__all__ += ["image", "nn"]  # the nn and image families
