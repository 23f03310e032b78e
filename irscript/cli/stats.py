"""What `irscript stats` counts: functions, bindings, ops used, nodes by type key.

`module_stats(node)` walks the IR once per function (each distinct node once:
IR is a DAG and a shared node is counted once) and knows no dialect: a binding
is any node whose class is named `VarBinding` or `MatchCast` (a Relax binding,
or a user dialect's), an op use is any node with an `op` field holding a
registered `Op`, a function is any `BaseFunc` in the module.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from irscript.ir.functor import pre_order
from irscript.ir.module import BaseFunc, IRModule
from irscript.ir.node import Node
from irscript.ir.op import Op

__all__ = ["BINDING_CLASSES", "module_stats", "render_stats"]

BINDING_CLASSES = frozenset({"VarBinding", "MatchCast"})


def _function_kind(func: BaseFunc) -> str:
    return getattr(type(func), "type_key", None) or type(func).__name__


def _count(root: Node) -> tuple[int, int]:
    """(distinct nodes, bindings) under `root`."""
    total = bindings = 0
    for n in pre_order(root):
        total += 1
        if type(n).__name__ in BINDING_CLASSES:
            bindings += 1
    return total, bindings


def module_stats(node: Any) -> dict[str, Any]:
    """{"functions": [{name, kind, params, bindings, nodes}], "bindings", "ops": {name: count},
    "nodes": {type_key: count}, "total_nodes"} for a module, a function or any node."""
    if isinstance(node, IRModule):
        items = [(gv.name_hint, f) for gv, f in node.functions.items()]
    elif isinstance(node, BaseFunc):
        attrs = getattr(node, "attrs", None) or {}
        items = [(str(attrs.get("global_symbol", "main")), node)]
    else:
        items = []
    functions = []
    for name, func in items:
        total, bindings = _count(func)
        functions.append({"name": name, "kind": _function_kind(func),
                          "params": len(getattr(func, "params", ()) or ()), "bindings": bindings, "nodes": total})
    ops: Counter = Counter()
    nodes: Counter = Counter()
    if isinstance(node, Node):
        for n in pre_order(node):
            cls = type(n)
            nodes[cls.type_key or cls.__name__] += 1
            op = getattr(n, "op", None)
            if type(op) is Op:
                ops[op.name] += 1
    return {
        "functions": functions,
        "bindings": sum(f["bindings"] for f in functions),
        "ops": dict(sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))),
        "nodes": dict(sorted(nodes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "total_nodes": sum(nodes.values()),
    }


def render_stats(name: str, stats: dict[str, Any]) -> list[Any]:
    """Rich tables of `module_stats` output: functions, ops used, nodes by type key."""
    from rich.table import Table
    from rich.text import Text

    out: list[Any] = []
    n_funcs = len(stats["functions"])
    out.append(Text(f"{name}: {n_funcs} function{'s' if n_funcs != 1 else ''}, {stats['bindings']} bindings, "
                    f"{stats['total_nodes']} nodes", style="bold"))
    funcs = Table(show_edge=False)
    for col, justify in (("function", "left"), ("kind", "left"), ("params", "right"), ("bindings", "right"),
                         ("nodes", "right")):
        funcs.add_column(col, justify=justify)
    for f in stats["functions"]:
        funcs.add_row(f["name"], f["kind"], str(f["params"]), str(f["bindings"]), str(f["nodes"]))
    out += [funcs, Text("")]
    ops = Table(title="ops used", title_justify="left", show_edge=False)
    ops.add_column("op")
    ops.add_column("count", justify="right")
    for op, count in stats["ops"].items():
        ops.add_row(op, str(count))
    if not stats["ops"]:
        ops.add_row("(none)", "")
    nodes = Table(title="nodes by type", title_justify="left", show_edge=False)
    nodes.add_column("type key")
    nodes.add_column("count", justify="right")
    for key, count in stats["nodes"].items():
        nodes.add_row(key, str(count))
    return out + [ops, Text(""), nodes]
