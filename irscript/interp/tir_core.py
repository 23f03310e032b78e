"""The TIR compiler core: turns TIR nodes into Python closures over an environment.

Each node is compiled once (per PrimFunc) by the handler registered for its
class (`irscript.interp.registry.register_tir`): a statement becomes
`closure(env) -> None`, an expression `closure(env) -> value`. Closures are
plain Python functions built from the handlers (no `eval`/`exec`), so running
a loop body is a chain of calls with no per-node dispatch.

The environment `env` is a dict keyed by `id(node)`: a scalar var's value (a
numpy scalar of its dtype), a buffer's numpy view, a handle var's memory.

Batched mode (`compiler.batched`, used by `tir_vectorize`) compiles the same
nodes so that the values of some loop vars are numpy arrays over a grid of
iterations (`env[BATCH]` describes the grid). Handlers registered with
`batchable=True` support it; compiling any other node in batched mode raises
`NotBatchable` and the caller keeps the scalar path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from irscript.errors import ExecutionError
from irscript.interp.registry import tir_handler
from irscript.ir.path import ObjectPath

__all__ = ["BATCH", "Batch", "Lazy", "NotBatchable", "TIRCompiler", "bind_point", "restrict"]

Closure = Callable[[dict], Any]
BATCH = "batch"  # env key of the current Batch (ids are ints, so no clash)


class NotBatchable(Exception):
    """Raised while compiling in batched mode for a node that only runs on the scalar path."""


class Batch:
    """The grid of iterations a batched evaluation covers: `shape`, and the env keys whose values
    vary over it (arrays broadcastable to `shape`)."""

    __slots__ = ("shape", "keys")

    def __init__(self, shape: tuple[int, ...], keys: list[int]) -> None:
        self.shape = shape
        self.keys = keys


def bind_point(env: dict, key: int, value: Any) -> None:
    """Bind `key` to `value`, recording it as grid-varying when in batched mode."""
    env[key] = value
    batch = env.get(BATCH)
    if batch is not None and type(value) is np.ndarray and key not in batch.keys:
        batch.keys.append(key)


def restrict(env: dict, mask: np.ndarray, keys: frozenset[int] | None = None) -> dict:
    """The environment of the grid points where `mask` holds (a 1-D grid of them). With `keys`,
    only those grid-varying values are restricted: pass the vars an expression uses to evaluate
    just that expression."""
    batch: Batch = env[BATCH]
    full = np.broadcast_to(mask, batch.shape)
    out = dict(env)
    kept = [k for k in batch.keys if keys is None or k in keys]
    for key in kept:
        v = env[key]
        if type(v) is np.ndarray:
            out[key] = np.broadcast_to(v, batch.shape)[full]
    out[BATCH] = Batch((int(np.count_nonzero(full)),), kept)
    return out


class Lazy:
    """An operand evaluated only on the grid points that need it: its closure, the vars it uses,
    and whether it can fail (a load, an integer division, a call) — an operand that cannot fail
    is simply evaluated everywhere."""

    __slots__ = ("fn", "keys", "safe")

    def __init__(self, fn: Closure, expr: Any) -> None:
        from irscript.ir.functor import pre_order
        from irscript.tir import expr as E

        self.fn = fn
        nodes = list(pre_order(expr))
        self.keys = frozenset(id(n) for n in nodes if isinstance(n, E.Var))
        self.safe = all(_cannot_fail(n) for n in nodes)

    def on(self, env: dict, mask: np.ndarray) -> Any:
        """The operand's values at the points of `mask` (a 1-D array or a scalar)."""
        if self.safe:
            return np.broadcast_to(self.fn(env), env[BATCH].shape)[np.broadcast_to(mask, env[BATCH].shape)]
        return self.fn(restrict(env, mask, self.keys))


def _cannot_fail(node: Any) -> bool:
    from irscript.tir import expr as E

    if isinstance(node, (E.BufferLoad, E.Call)):
        return False
    if isinstance(node, (E.Div, E.Mod, E.FloorDiv, E.FloorMod)):
        return node.dtype.is_float
    return True


class TIRCompiler:
    """Compiles the nodes of one PrimFunc. `runner` is the PrimFunc runner (for calls of other
    PrimFuncs and the extern registry); `batched` selects batched mode."""

    __slots__ = ("runner", "batched", "func_name")

    def __init__(self, runner: Any, func_name: str, batched: bool = False) -> None:
        self.runner = runner
        self.func_name = func_name
        self.batched = batched

    def batched_compiler(self) -> "TIRCompiler":
        return TIRCompiler(self.runner, self.func_name, batched=True)

    def _handler(self, node: Any, path: ObjectPath | None) -> Callable:
        h = tir_handler(type(node))
        if h is None:
            raise ExecutionError(f"the interpreter cannot run a {getattr(node, 'type_key', type(node).__name__)} "
                                 "(no handler is registered for it)", path=path)
        if self.batched and not h.batchable:
            raise NotBatchable(node.type_key)
        return h.fn

    def expr(self, e: Any, path: ObjectPath | None) -> Closure:
        """The closure computing expression `e` (`path`: the enclosing statement, for errors)."""
        if self.batched and e.dtype.lanes != 1:
            raise NotBatchable("vector lanes")
        return self._handler(e, path)(self, e, path)

    def stmt(self, s: Any, path: ObjectPath) -> Closure:
        """The closure running statement `s` at `path`."""
        return self._handler(s, path)(self, s, path)
