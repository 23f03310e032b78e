"""The Relax operator set: the registry (`registry`, `signature`, `infer`, `legalize`) and the op
families, each a module of op entries (`elementwise`, `reduction`, `linalg`, `runtime`).

Every op is one `define_op` entry (see `irscript.relax.op.registry` and docs/adding-an-op.md);
its builder is exported here (`irscript.relax.op.add(x, y)`), or in the sub-namespace of its
script name (`irscript.relax.op.nn.relu`). `base` holds the irregular call-into-tensor-level and
library ops (call_tir & co). A new family module is imported below.
"""

from irscript.relax.op.base import call_dps_packed, call_packed, call_pure_packed, call_tir, call_tir_inplace
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
from irscript.relax.op.legalize import FunctionTable, legalize_call
from irscript.relax.op.registry import (
    OpEntry,
    call_from_script,
    define_op,
    get_entry,
    lookup_script,
    registered_entries,
    script_namespaces,
)

__all__ = [
    "FunctionTable", "OpEntry", "abs", "add", "astype", "call_dps_packed", "call_from_script", "call_packed",
    "call_pure_packed", "call_tir", "call_tir_inplace", "ceil", "clip", "cos", "define_op", "divide", "equal",
    "erf", "exp", "floor", "floor_divide", "get_entry", "greater", "greater_equal", "legalize_call", "less",
    "less_equal", "log", "logical_and", "logical_not", "logical_or", "lookup_script", "maximum", "minimum",
    "multiply", "negative", "not_equal", "power", "registered_entries", "round", "rsqrt", "script_namespaces",
    "sigmoid", "sin", "sqrt", "subtract", "tanh",
]
