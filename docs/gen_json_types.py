"""Generate the type-key table of docs/json-format.md from the node registry.

    python docs/gen_json_types.py            print the table
    python docs/gen_json_types.py --write    rewrite the table inside docs/json-format.md
    python docs/gen_json_types.py --check    exit 1 if the document is stale

The table lists every node type of the core dialects (modules irscript.ir, irscript.tir,
irscript.relax) with its fields in declaration order (the order of "fields" in JSON),
each field's type, its role in structural equality and its default.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent / "json-format.md"
BEGIN, END = "<!-- type-table:begin -->\n", "<!-- type-table:end -->"
CORE_MODULES = ("irscript.ir.", "irscript.tir.", "irscript.relax.")


def _default(f: Any) -> str:
    if f.default_factory is not None:
        value = f.default_factory()
        return type(value).__name__ + "()" if not isinstance(value, (dict, tuple)) or value else repr(value)
    value = f.default
    if isinstance(value, enum.Enum):
        return value.name
    if type(value).__name__ == "DataType":
        return f'"{value}"'
    return repr(value)


ATTR = "an attribute value (None, bool, int, float, str, dtype, node, tuple or dict)"


def _field(f: Any, spec: Any) -> str:
    notes = []
    if f.role != "plain":
        notes.append(f.role)
    if not f.required:
        notes.append(f"default `{_default(f)}`")
    extra = f" ({', '.join(notes)})" if notes else ""
    return f"`{f.name}`: {spec.describe().replace(ATTR, 'attr').replace('a data type', 'dtype')}{extra}"


def type_table() -> str:
    """The markdown table of core node types (imports irscript)."""
    import irscript  # noqa: F401  (registers the core node types)
    from irscript.ir import registered_node_types
    from irscript.ir.node import field_specs

    core = {k: c for k, c in sorted(registered_node_types().items()) if c.__module__.startswith(CORE_MODULES)}
    rows = ["| type key | fields (JSON order) |", "|---|---|"]
    abstract: dict[str, type] = {}
    for key, cls in core.items():
        specs = field_specs(cls)
        fields = [_field(f, s) for f, s in zip(cls._fields, specs)]
        rows.append(f"| `{key}` | {'<br>'.join(fields) if fields else '(none)'} |")
        for spec in specs:
            for node_cls in _node_classes(spec):
                if getattr(node_cls, "type_key", None) is None:
                    abstract[node_cls.__name__] = node_cls
    rows += ["", "Abstract field types accept a node of any of these type keys:", "",
             "| field type | type keys |", "|---|---|"]
    for name, base in sorted(abstract.items()):
        keys = [f"`{k}`" for k, c in core.items() if issubclass(c, base)]
        rows.append(f"| {name} | {'any node' if name == 'Node' else ', '.join(keys)} |")
    return "\n".join(rows) + "\n"


def _node_classes(spec: Any) -> list[type]:
    """The node classes a field spec refers to (through tuples, dicts, optionals, unions)."""
    cls = getattr(spec, "cls", None)
    found = [cls] if isinstance(cls, type) and hasattr(cls, "_fields") else []
    for attr in ("elem", "key", "value", "inner"):
        inner = getattr(spec, attr, None)
        if inner is not None and hasattr(inner, "describe"):
            found += _node_classes(inner)
    for option in getattr(spec, "options", ()):
        found += _node_classes(option)
    return found


def _with_table(text: str, table: str) -> str:
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + table + text[stop:]


def main(argv: list[str]) -> int:
    table = type_table()
    if not argv:
        print(table, end="")
        return 0
    text = DOC.read_text(encoding="utf-8")
    if argv == ["--write"]:
        DOC.write_text(_with_table(text, table), encoding="utf-8")
        return 0
    if argv == ["--check"]:
        if _with_table(text, table) != text:
            print(f"{DOC} is stale: run `python docs/gen_json_types.py --write`", file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
