"""The script namespace `I` (`from irscript.script import ir as I`): modules.

`@I.ir_module` on a class (option `check_well_formed`), `I.module_attrs({...})`
and `I.module_global_infos({...})` as the first statements of the class body,
and `I.metadata('''...''')`, the metadata section printed after a module;
`I.GlobalVar("f")` and `I.Op("relax.add")` for references the printer cannot
spell otherwise.
"""

from __future__ import annotations

from irscript.ir.expr import GlobalVar as _GlobalVar
from irscript.ir.op import Op as _Op
from irscript.script.parser import ir as _ir
from irscript.script.parser.dialect import ScriptDecorator as _Decorator
from irscript.script.parser.dialect import ScriptFunc as _F
from irscript.script.parser.dialect import register_namespace as _register_namespace

ir_module = _Decorator(_ir.IR, "I.ir_module", "module", {"check_well_formed": True})
module_attrs = _F(_ir.module_attrs, "I.module_attrs", _ir.IR)
module_global_infos = _F(_ir.module_global_infos, "I.module_global_infos", _ir.IR)
metadata = _F(_ir.metadata, "I.metadata", None, anywhere=True)
GlobalVar = _F(_GlobalVar, "I.GlobalVar", None, anywhere=True)
Op = _F(_Op.get, "I.Op", None, anywhere=True)

__all__ = ["GlobalVar", "Op", "ir_module", "metadata", "module_attrs", "module_global_infos"]

_register_namespace(__import__("sys").modules[__name__])
