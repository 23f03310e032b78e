"""The IRBuilder: programmatic construction of IR with frames entered by `with`.

    from irscript.irbuilder import IRBuilder, ir as I, tir as T, relax as R

`I` builds modules, `T` tensor-level functions, `R` graph-level functions. The
script parser drives exactly this API; the C++ IRBuilder mirrors its frames.
"""

from irscript.irbuilder import ir, relax, tir
from irscript.irbuilder.base import IRBuilder, IRBuilderFrame, register_namer

__all__ = ["IRBuilder", "IRBuilderFrame", "ir", "register_namer", "relax", "tir"]
