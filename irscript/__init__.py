"""irscript: TVMScript-style IR in Python — parse, build, print, serialize, check and run
mixed graph-level (Relax) and tensor-level (TIR) modules."""

from irscript import ir, relax, tir
from irscript.errors import Error, ExecutionError, IRError, JSONFormatError, ScriptError
from irscript.ir import (
    IRModule,
    assert_structural_equal,
    from_json,
    load_json,
    save_json,
    structural_equal,
    structural_hash,
    to_json,
)

__version__ = "0.1.0"

__all__ = [
    "Error", "ExecutionError", "IRError", "IRModule", "JSONFormatError", "ScriptError",
    "assert_structural_equal", "from_json", "ir", "load_json", "relax", "save_json",
    "structural_equal", "structural_hash", "tir", "to_json",
]
