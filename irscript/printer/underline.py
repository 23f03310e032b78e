"""Underlining IR paths: which Docs hold the text of the objects that given paths name.

`Tracker(root, paths)` resolves each path (an `ObjectPath` from the printed
root) to its chain of objects root -> ... -> target, then wraps the
docsifier's dispatch: whenever an object of a chain is printed, the Doc it
produced is recorded — if the object printing it (the innermost object being
dispatched) is an earlier object of the same chain, so that a var shared by
many expressions is underlined where the path goes through it, not
everywhere. Objects printed inline by their parent (ranges, regions, tuples)
are covered by the deepest chain object that has a Doc. Handlers record the
Docs of definitions they print without dispatch (parameters, bound vars)
with `p.note(obj, doc)`.

When a path's object is printed at several places (a var defined and used),
the Doc printed under the deepest object of the chain wins.

Tracking costs a little per dispatched node, so it is installed only when
`path_to_underline` is given.
"""

from __future__ import annotations

from typing import Any

from irscript.doc import nodes as D
from irscript.ir.path import ObjectPath


class Tracker:
    __slots__ = ("positions", "index", "stack", "hits")

    def __init__(self, root: Any, paths: tuple[ObjectPath, ...]) -> None:
        self.positions: list[dict[int, int]] = []
        self.index: dict[int, list[tuple[int, int]]] = {}
        for t, path in enumerate(paths):
            chain = [root]
            obj = root
            for step in path:
                try:
                    obj = step.get(obj)
                except (KeyError, IndexError, AttributeError, TypeError):
                    break
                chain.append(obj)
            pos = {}
            for i, o in enumerate(chain):
                pos.setdefault(id(o), i)
                self.index.setdefault(id(o), []).append((t, i))
            self.positions.append(pos)
        self.stack: list[int] = []
        self.hits: list[dict[int, list[tuple[int, D.Doc]]]] = [{} for _ in paths]

    def install(self, p: Any) -> None:
        """Wrap `p`'s dispatch with recording."""
        plain = p._dispatch
        stack = self.stack
        index = self.index

        def tracked(node: Any) -> Any:
            i = id(node)
            body = p.body
            start = len(body)
            stack.append(i)
            try:
                doc = plain(node)
            finally:
                stack.pop()
            if i in index:
                if doc is None and p.body is body and len(body) > start:
                    doc = body[start]
                if isinstance(doc, D.Doc):
                    self.record(node, doc)
            return doc

        p.expr = p.stmt = tracked
        p.tracker = self

    def record(self, obj: Any, doc: D.Doc) -> None:
        """`doc` is the text of `obj` where the innermost object being printed prints it."""
        entries = self.index.get(id(obj))
        if not entries:
            return
        parent = self.stack[-1] if self.stack else None
        for t, pos in entries:
            where = -1 if pos == 0 else self.positions[t].get(parent, pos)
            if where < pos:
                self.hits[t].setdefault(pos, []).append((where, doc))

    def docs(self) -> list[D.Doc]:
        """For each path, the Docs of the deepest object of its chain that has any — those printed
        by the deepest chain object (a var's use inside the path's call, not its definition)."""
        out: list[D.Doc] = []
        for hits in self.hits:
            if hits:
                found = hits[max(hits)]
                best = max(where for where, _ in found)
                out.extend(doc for where, doc in found if where == best)
        return out


__all__ = ["Tracker"]
