"""The dialect-neutral IR core: nodes, data types, modules, ops, paths, equality, JSON."""

from irscript.ir.dtype import DataType
from irscript.ir.expr import BaseExpr, GlobalVar, PrimExpr, Range, RelaxExpr, StructInfo
from irscript.ir.fieldtype import register_coercion
from irscript.ir.functor import Mutator, Visitor, collect, handles, iter_children, pre_order
from irscript.ir.json import from_json, load_json, save_json, to_json
from irscript.ir.module import BaseFunc, IRModule
from irscript.ir.node import (
    DEF,
    IGNORE,
    PLAIN,
    Field,
    Node,
    field,
    make_node,
    node_type,
    registered_node_types,
    replace,
)
from irscript.ir.op import Op, register_op, registered_ops
from irscript.ir.path import ObjectPath
from irscript.ir.span import SourceText, Span
from irscript.ir.structural import (
    StructuralMismatchError,
    assert_structural_equal,
    first_mismatch,
    structural_equal,
    structural_hash,
)

__all__ = [
    "BaseExpr", "BaseFunc", "DEF", "DataType", "Field", "GlobalVar", "IGNORE", "IRModule", "Mutator",
    "Node", "ObjectPath", "Op", "PLAIN", "PrimExpr", "Range", "RelaxExpr", "SourceText", "Span",
    "StructInfo", "StructuralMismatchError", "Visitor", "assert_structural_equal", "collect", "field",
    "first_mismatch", "from_json", "handles", "iter_children", "load_json", "make_node", "node_type",
    "pre_order", "register_coercion", "register_op", "registered_node_types", "registered_ops",
    "replace", "save_json", "structural_equal", "structural_hash", "to_json",
]
