"""The script layer: decorated Python and script text to IR.

    from irscript.script import ir as I, tir as T, relax as R   # the namespaces
    from irscript.script import parse, parse_file                # text -> IR

`@I.ir_module` (a class), `@T.prim_func` and `@R.function` (functions) parse the
decorated source; `parse(text)` / `parse_file(path)` parse script text with
only the namespaces and a few safe builtins in reach. See
`irscript.script.parser` for how.
"""

from irscript.script.parser.entry import parse, parse_file

__all__ = ["parse", "parse_file"]
