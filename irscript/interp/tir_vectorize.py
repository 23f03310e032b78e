"""The vectorized fast path: a loop nest whose iterations provably do not interact runs as numpy
array operations over the iterations, giving the same bits as the scalar path.

The rule (`plan_nest`), checked when the nest is compiled and when it runs:

1. Shape: a perfect nest of `For` loops (any kind) around one `BlockRealize`
   (iter vars spatial or reduction, no `alloc_buffer` / `match_buffer`) or
   one bare statement; the block body and init are stores, `LetStmt`s and
   `SeqStmt`s only. Loop bounds do not depend on the nest's loop vars.
2. Accesses: every store to a buffer uses the same indices, and every load of
   a written buffer uses exactly those indices (the accumulator pattern
   `C[i, j] = C[i, j] + ...`); no other access touches a written buffer.
3. Batched loops: the loops the store indices depend on (through the block's
   iter var bindings). All other loops are sequential and run in their
   original nesting order, one numpy step each. So every iteration point
   sees its own operations in the original order (float accumulation order
   included), and a point writes one location, the same at every step.
4. At run time: the stores map distinct points to distinct, in-bounds
   locations (checked on the indices before anything is written), written
   buffers are writable and share no memory with each other or with any
   buffer the nest reads (`np.may_share_memory`).
5. Every expression compiles in batched mode: vector lanes, extern calls and
   calls of other PrimFuncs keep the scalar path. `T.if_then_else`, `And` and
   `Or` evaluate their lazy side only on the grid points that take it.

If any condition fails the nest runs on the scalar path. Under these
conditions executing all points of one sequential step together is a
reordering of independent computations, so results are bit-identical.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from irscript.interp.errors import fail
from irscript.interp.tir_core import BATCH, Batch, NotBatchable, TIRCompiler, bind_point, restrict
from irscript.interp.values import np_dtype
from irscript.ir.functor import pre_order
from irscript.ir.path import ObjectPath
from irscript.ir.structural import structural_equal
from irscript.tir import expr as E
from irscript.tir import stmt as S

__all__ = ["BatchedNest", "plan_nest"]

ndarray = np.ndarray
_KINDS = (E.IterVarType.DATA_PAR, E.IterVarType.COMM_REDUCE)


def plan_nest(c: TIRCompiler, loop: S.For, path: ObjectPath) -> "BatchedNest | None":
    """A batched plan for the nest rooted at `loop`, or None when the rule does not hold."""
    try:
        return _plan(c, loop, path)
    except NotBatchable:
        return None


def _group(stmt: S.Stmt | None, stores: list, lets: list) -> bool:
    """Collect the stores and lets of a block body made only of them."""
    if stmt is None:
        return True
    if isinstance(stmt, S.BufferStore):
        stores.append(stmt)
        return stmt.predicate is None
    if isinstance(stmt, S.LetStmt):
        lets.append(stmt)
        return _group(stmt.body, stores, lets)
    if isinstance(stmt, S.SeqStmt):
        return all(_group(s, stores, lets) for s in stmt.seq)
    return False


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(structural_equal(x, y) for x, y in zip(a, b))


class _Deps:
    """Which loops of the nest each var depends on."""

    def __init__(self, loops: list[S.For]) -> None:
        self.of: dict[int, frozenset[int]] = {id(lp.loop_var): frozenset((k,)) for k, lp in enumerate(loops)}

    def __call__(self, expr: Any) -> frozenset[int]:
        out: frozenset[int] = frozenset()
        for n in pre_order(expr):
            if isinstance(n, E.Var):
                out |= self.of.get(id(n), frozenset())
        return out


def _plan(c: TIRCompiler, loop: S.For, path: ObjectPath) -> "BatchedNest | None":
    loops, paths = [], []
    node, p = loop, path
    while isinstance(node, S.For):
        loops.append(node)
        paths.append(p)
        node, p = node.body, p.attr("body")
    realize, bpath = None, p
    if isinstance(node, S.BlockRealize):
        realize, block, bpath = node, node.block, p.attr("block")
        if block.alloc_buffers or block.match_buffers:
            return None
        if any(iv.iter_type not in _KINDS or iv.dom is None for iv in block.iter_vars):
            return None
        body_stmt, init_stmt = block.body, block.init
    else:
        body_stmt, init_stmt = node, None
    stores: list[S.BufferStore] = []
    lets: list[S.LetStmt] = []
    if not (_group(body_stmt, stores, lets) and _group(init_stmt, stores, lets)) or not stores:
        return None
    written: dict[int, S.BufferStore] = {}
    for st in stores:
        first = written.setdefault(id(st.buffer), st)
        if not _same(first.indices, st.indices):
            return None
    roots: list[Any] = [st.value for st in stores] + [i for st in stores for i in st.indices]
    roots += [lt.value for lt in lets]
    if realize is not None:
        roots += list(realize.iter_values) + [realize.predicate]
    reads: dict[int, Any] = {}
    for root in roots:
        for n in pre_order(root):
            if isinstance(n, E.BufferLoad):
                if id(n.buffer) in written:
                    if not _same(n.indices, written[id(n.buffer)].indices):
                        return None
                else:
                    reads[id(n.buffer)] = n.buffer
    deps = _Deps(loops)
    if realize is not None:
        for iv, v in zip(realize.block.iter_vars, realize.iter_values):
            deps.of[id(iv.var)] = deps(v)
    let_ids = {id(lt.var) for lt in lets}
    for lt in lets:
        deps.of[id(lt.var)] = deps(lt.value)
    batched: set[int] = set()
    for st in written.values():
        for i in st.indices:
            if any(isinstance(n, E.Var) and id(n) in let_ids for n in pre_order(i)):
                return None
            batched |= deps(i)
    if not batched or any(deps(lp.min) or deps(lp.extent) for lp in loops):
        return None
    return BatchedNest(c, loops, paths, realize, bpath, body_stmt, init_stmt, written, reads, batched, deps)


class _Iter:
    __slots__ = ("key", "name", "lo", "ext", "reduce")

    def __init__(self, bc: TIRCompiler, iv: E.IterVar, path: ObjectPath) -> None:
        self.key, self.name = id(iv.var), iv.var.name_hint
        self.lo, self.ext = bc.expr(iv.dom.min, path), bc.expr(iv.dom.extent, path)
        self.reduce = iv.iter_type is E.IterVarType.COMM_REDUCE


class BatchedNest:
    """A nest compiled for batched execution (see the module doc)."""

    def __init__(self, c: TIRCompiler, loops: list[S.For], paths: list[ObjectPath], realize: Any,
                 bpath: ObjectPath, body_stmt: Any, init_stmt: Any, written: dict, reads: dict,
                 batched: set[int], deps: _Deps) -> None:
        bc = c.batched_compiler()
        self.stats = getattr(c.runner, "stats", None)
        self.keys = [id(lp.loop_var) for lp in loops]
        self.npds = [np_dtype(lp.loop_var.dtype) for lp in loops]
        self.mins = [c.expr(lp.min, p) for lp, p in zip(loops, paths)]
        self.exts = [c.expr(lp.extent, p) for lp, p in zip(loops, paths)]
        self.bpos = sorted(batched)
        self.spos = [k for k in range(len(loops)) if k not in batched]
        self.path = bpath
        self.block_name = realize.block.name_hint if realize is not None else ""
        rpath = bpath.parent() if realize is not None else bpath
        self.fvals = [bc.expr(v, rpath) for v in realize.iter_values] if realize is not None else []
        self.ivs = [_Iter(bc, iv, bpath) for iv in realize.block.iter_vars] if realize is not None else []
        pred = realize.predicate if realize is not None else None
        const_true = pred is None or isinstance(pred, E.IntImm) and pred.value
        self.pred = None if const_true else bc.expr(pred, rpath)
        self.pred_static = const_true or deps(pred) <= batched
        if realize is not None:
            self.body = bc.stmt(body_stmt, bpath.attr("body"))
            self.init = bc.stmt(init_stmt, bpath.attr("init")) if init_stmt is not None else None
        else:
            self.body, self.init = bc.stmt(body_stmt, bpath), None
        self.written = [(k, st.buffer.name, [bc.expr(i, bpath) for i in st.indices]) for k, st in written.items()]
        self.rkeys = list(reads)

    # -- run -------------------------------------------------------------------------------------
    def run(self, env: dict, fallback: Any) -> None:
        los = [int(f(env)) for f in self.mins]
        exts = [int(f(env)) for f in self.exts]
        if min(exts) <= 0:
            return
        if not self._memory_ok(env):
            self._count("fallback")
            fallback(env)
            return
        benv = dict(env)
        shape = tuple(exts[k] for k in self.bpos)
        benv[BATCH] = Batch(shape, [])
        n = len(self.bpos)
        for axis, k in enumerate(self.bpos):
            arr = np.arange(los[k], los[k] + exts[k], dtype=self.npds[k])
            bind_point(benv, self.keys[k], arr.reshape([-1 if a == axis else 1 for a in range(n)]))
        ranges = [np.arange(los[k], los[k] + exts[k], dtype=self.npds[k]) for k in self.spos]
        checked = False
        for step in itertools.product(*ranges):
            for k, v in zip(self.spos, step):
                benv[self.keys[k]] = v
            mask = self.pred(benv) if self.pred is not None else None
            first = self._bind_iters(benv, mask, shape)
            if not checked:
                if not self._injective(benv, mask, shape):
                    self._count("fallback")
                    fallback(env)
                    return
                checked = True
                self._count("batched")
            if self.init is not None:
                _run_masked(self.init, benv, _both(mask, first), shape)
            _run_masked(self.body, benv, mask, shape)

    def _count(self, what: str) -> None:
        if self.stats is not None:
            self.stats[what] = self.stats.get(what, 0) + 1

    def _memory_ok(self, env: dict) -> bool:
        ws = [env.get(k) for k, _, _ in self.written]
        rs = [env.get(k) for k in self.rkeys]
        if any(type(v) is not ndarray for v in ws + rs) or not all(w.flags.writeable for w in ws):
            return False  # the scalar path reports the problem where it happens
        if not all(_distinct_elements(w) for w in ws):
            return False  # a view whose elements overlap (strides 0, ...): locations != indices
        for i, w in enumerate(ws):
            if any(np.may_share_memory(w, other) for other in rs + ws[i + 1:]):
                return False
        return True

    def _bind_iters(self, benv: dict, mask: Any, shape: tuple[int, ...]) -> Any:
        """Bind the block iter vars (checking their domains); returns where the init runs."""
        first: Any = True
        for iv, f in zip(self.ivs, self.fvals):
            v = f(benv)
            lo = iv.lo(benv)
            hi = lo + iv.ext(benv)
            bad = np.broadcast_to((v < lo) | (v >= hi), shape)
            if mask is not None:
                bad = bad & np.broadcast_to(mask, shape)
            if bad.any():
                at = int(np.argmax(bad))
                value = np.broadcast_to(v, shape).reshape(-1)[at]
                raise fail(f"block {self.block_name!r}: iter var {iv.name} = {value} is outside its domain "
                           f"[{lo}, {hi})", self.path)
            bind_point(benv, iv.key, v)
            if iv.reduce:
                first = _both(first, v == lo)
        return first

    def _injective(self, benv: dict, mask: Any, shape: tuple[int, ...]) -> bool:
        """Whether the stores write distinct in-bounds locations for distinct points."""
        sel = None
        if mask is not None and self.pred_static:
            if type(mask) is not ndarray:
                return True if not mask else self._injective(benv, None, shape)
            sel = np.broadcast_to(mask, shape)
        for key, _, fidx in self.written:
            view = benv[key]
            idx = [np.broadcast_to(f(benv), shape) for f in fidx]
            idx = [i[sel] if sel is not None else i.reshape(-1) for i in idx]
            count = int(np.count_nonzero(sel)) if sel is not None else int(np.prod(shape))
            if not idx:
                if count > 1:
                    return False
                continue
            for d, i in enumerate(idx):
                if i.size and (i.min() < 0 or i.max() >= view.shape[d]):
                    return False
            flat = np.ravel_multi_index([i.astype(np.int64) for i in idx], view.shape)
            if np.unique(flat).size != flat.size:
                return False
        return True


def _distinct_elements(view: ndarray) -> bool:
    """Whether distinct indices of `view` are distinct memory (a sufficient stride condition)."""
    if view.flags.c_contiguous or view.flags.f_contiguous:
        return True
    dims = sorted((abs(st), n) for st, n in zip(view.strides, view.shape) if n > 1)
    span = view.itemsize
    for stride, n in dims:
        if stride < span:
            return False
        span = stride * n
    return True


def _both(a: Any, b: Any) -> Any:
    if a is None or a is True:
        return b
    if b is None or b is True:
        return a
    return a & b


def _run_masked(group: Any, benv: dict, mask: Any, shape: tuple[int, ...]) -> None:
    if mask is None or mask is True:
        group(benv)
        return
    if type(mask) is not ndarray:
        if mask:
            group(benv)
        return
    full = np.broadcast_to(mask, shape)
    if full.all():
        group(benv)
    elif full.any():
        group(restrict(benv, full))
