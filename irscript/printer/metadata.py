"""Metadata: IR objects printed by reference, with their data in a section after the printout.

Large Relax constants (and any object a handler decides not to spell inline)
print as `metadata["relax.expr.Constant"][0]`; the objects are collected per
type key, each object once, in order of first use. After the module (or
function, or fragment) comes the section::

    # Metadata
    metadata = I.metadata("<irscript JSON of {type_key: [objects...]}>")

which `irscript.parse` reads back (it pre-scans the top level for that
assignment and binds `metadata` while parsing the rest). With the display-only
option `show_meta=False` the section is replaced by a comment saying that the
text does not parse.
"""

from __future__ import annotations

from typing import Any

from irscript.doc import nodes as D
from irscript.ir.json import to_json
from irscript.ir.node import Node
from irscript.printer.core import IR, IRDocsifier

METADATA_NAME = "metadata"
OMITTED = "Metadata omitted (not parseable): print with show_meta=True to include it"


class Metadata:
    """The objects referenced so far: `tables[type_key]` in order, and where each one is."""

    __slots__ = ("tables", "where")

    def __init__(self) -> None:
        self.tables: dict[str, list[Node]] = {}
        self.where: dict[int, tuple[str, int]] = {}


def metadata_ref(p: IRDocsifier, node: Node, key: str | None = None) -> D.Expr:
    """`metadata["<key>"][i]` for `node` (added to the section on first use); the key defaults
    to the node's type key (Relax constants use TVM's "relax.expr.Constant")."""
    meta = p.meta
    if meta is None:
        meta = p.meta = Metadata()
    hit = meta.where.get(id(node))
    if hit is None:
        key = key or node.type_key or type(node).__name__
        table = meta.tables.setdefault(key, [])
        hit = meta.where[id(node)] = (key, len(table))
        table.append(node)
    key, i = hit
    return D.Subscript(D.Subscript(D.Name(METADATA_NAME), [D.Literal(key)]), [D.Literal(i)])


def metadata_section(p: IRDocsifier) -> list[D.Stmt]:
    """The statements that close a printout with metadata references (none without any)."""
    meta = p.meta
    if meta is None or not meta.tables:
        return []
    if not p.opts.show_meta:
        return [D.Comment(OMITTED)]
    data: dict[str, Any] = {k: list(v) for k, v in meta.tables.items()}
    call = p.call(IR, "metadata", [D.Literal(to_json(data))])
    return [D.Comment("Metadata"), D.Assign(D.Name(METADATA_NAME), call)]


__all__ = ["METADATA_NAME", "Metadata", "metadata_ref", "metadata_section"]
