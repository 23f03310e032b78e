"""The script parser: Doc -> IRBuilder calls -> IR.

* `core` — the `Parser` (var table, statement dispatch, implicit frames);
* `dialect` — `Dialect`, `register_handler`, `ScriptFunc`, `ScriptDecorator`:
  the registration points the built-in dialects and user dialects share;
* `evaluator` — Doc expressions to values (never eval/exec);
* `errors` — everything as a located `ScriptError`;
* `entry` — the decorators' machinery, `parse`, `parse_file`;
* `ir`, `tir`, `relax` — the handlers of the I, T and R dialects; `macro` — macros.
"""

from irscript.script.parser.core import Parser
from irscript.script.parser.dialect import (
    Dialect,
    ScriptDecorator,
    ScriptFunc,
    new_dialect,
    register_handler,
    register_namespace,
)
from irscript.script.parser.evaluator import register_bool_ops

__all__ = [
    "Dialect", "Parser", "ScriptDecorator", "ScriptFunc", "new_dialect", "register_bool_ops", "register_handler",
    "register_namespace",
]
