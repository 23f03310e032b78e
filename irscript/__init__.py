"""irscript: TVMScript-style IR in Python — parse, build, print, serialize, check and run
mixed graph-level (Relax) and tensor-level (TIR) modules."""

from irscript import ir, relax, tir  # the dialects register their nodes and ops on import
from irscript.errors import Error, ExecutionError, IRError, JSONFormatError, ScriptError
from irscript.interp import Interpreter, register_extern, register_func, run
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
from irscript.ir.well_formed import assert_well_formed, check_well_formed
from irscript.printer import print_script
from irscript.script import parse, parse_file

__version__ = "0.1.0"

__all__ = [
    "Error", "ExecutionError", "IRError", "IRModule", "Interpreter", "JSONFormatError", "ScriptError",
    "assert_structural_equal", "assert_well_formed", "check_well_formed", "from_json", "ir", "load_json",
    "parse", "parse_file", "print_script", "register_extern", "register_func", "relax", "run", "save_json",
    "structural_equal", "structural_hash", "tir", "to_json",
]
