"""TIR statement handlers: stores, evaluation, let/attr/assert, if/while/for, allocation and
buffer declaration, blocks.

Loops of every kind (serial, parallel, vectorized, unrolled, thread-bound,
`T.launch_thread`) run sequentially in order. A loop nest that the vectorizer
can prove safe runs batched (`tir_vectorize`); everything else runs here one
iteration at a time.

Blocks: the predicate (`T.where`) is evaluated first and skips the block when
false; then each iter var is bound to its value, which must lie in the iter
var's domain (an ExecutionError otherwise); `alloc_buffer`s get fresh zeroed
memory; `match_buffer`s view their source region; the init statement runs
when every reduction iter var is at the start of its domain; then the body.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.interp.errors import fail
from irscript.interp.registry import register_tir
from irscript.interp.tir_core import BATCH, TIRCompiler, bind_point
from irscript.interp.tir_expr import buffer_view, check_bounds, out_of_bounds
from irscript.interp.tir_memory import CompiledBuffer, allocate
from irscript.interp.values import np_dtype
from irscript.ir.path import ObjectPath
from irscript.tir import expr as E
from irscript.tir import stmt as S
from irscript.tir.buffer import MatchBufferRegion

__all__: list[str] = []

ndarray = np.ndarray


def _store_failed(name: str, view: Any, exc: ValueError, path: ObjectPath) -> Exception:
    if isinstance(view, ndarray) and not view.flags.writeable:
        return fail(f"store into buffer {name!r}, which is read-only (an input of call_tir, a constant, or a "
                    "value the caller does not let the function change)", path)
    return fail(f"store into buffer {name!r} failed: {exc}", path)


# ---------------------------------------------------------------------------------------------
# stores and simple statements
# ---------------------------------------------------------------------------------------------
@register_tir(S.BufferStore, batchable=True)
def _store(c: TIRCompiler, s: S.BufferStore, path: ObjectPath) -> Any:
    key, name = id(s.buffer), s.buffer.name
    fv = c.expr(s.value, path)
    fs = [c.expr(i, path) for i in s.indices]
    if s.predicate is not None:
        return _masked_store(c, s, path, fv, fs)
    if c.batched:
        def batched(env: dict) -> None:
            view = buffer_view(env, key, name, path)
            raw = tuple(f(env) for f in fs)
            value = fv(env)
            check_bounds("store", name, view, raw, path)
            shape = env[BATCH].shape
            try:
                view[tuple(np.broadcast_to(i, shape) for i in raw)] = value
            except ValueError as exc:
                raise _store_failed(name, view, exc, path) from None
        return batched
    scalar = s.value.dtype.lanes == 1 and all(i.dtype.lanes == 1 for i in s.indices)
    if len(fs) == 2 and scalar and all(type(i) in (E.Var, E.SizeVar) for i in s.indices):
        return _store2_vars(key, name, [id(i) for i in s.indices], fv, fs, path)
    if len(fs) == 2 and scalar:
        f0, f1 = fs

        def store2(env: dict) -> None:
            value = fv(env)
            i, j = f0(env), f1(env)
            if i >= 0 and j >= 0:
                try:
                    env[key][i, j] = value
                    return
                except IndexError:
                    pass
                except KeyError:
                    buffer_view(env, key, name, path)
                except ValueError as exc:
                    raise _store_failed(name, env[key], exc, path) from None
            raise out_of_bounds("store", name, buffer_view(env, key, name, path), (i, j), path)

        return store2
    return _general_store(key, name, fv, fs, path)


def _general_store(key: int, name: str, fv: Any, fs: list, path: ObjectPath) -> Any:
    def store(env: dict) -> None:
        view = buffer_view(env, key, name, path)
        value = fv(env)
        idx = tuple(f(env) for f in fs)
        check_bounds("store", name, view, idx, path)
        try:
            view[idx] = value
        except ValueError as exc:
            raise _store_failed(name, view, exc, path) from None

    return store


def _store2_vars(key: int, name: str, keys: list[int], fv: Any, fs: list, path: ObjectPath) -> Any:
    """`A[i, j] = v` with plain vars: the hot case of most kernels."""
    k0, k1 = keys
    slow = _general_store(key, name, fv, fs, path)

    def store2v(env: dict) -> None:
        value = fv(env)
        try:
            i, j, view = env[k0], env[k1], env[key]
        except KeyError:
            slow(env)  # reports what is missing
            return
        if i >= 0 and j >= 0:
            try:
                view[i, j] = value
                return
            except IndexError:
                pass
            except ValueError as exc:
                raise _store_failed(name, view, exc, path) from None
        raise out_of_bounds("store", name, view, (i, j), path)

    return store2v


def _masked_store(c: TIRCompiler, s: S.BufferStore, path: ObjectPath, fv: Any, fs: list) -> Any:
    key, name = id(s.buffer), s.buffer.name
    fp = c.expr(s.predicate, path)

    def run(env: dict) -> None:
        view, mask = buffer_view(env, key, name, path), np.asarray(fp(env), bool)
        value = np.broadcast_to(fv(env), mask.shape)
        idx = tuple(np.broadcast_to(f(env), mask.shape)[mask] for f in fs)
        check_bounds("store", name, view, idx, path)
        try:
            view[idx] = value[mask]
        except ValueError as exc:
            raise _store_failed(name, view, exc, path) from None

    return run


@register_tir(S.Evaluate)
def _evaluate(c: TIRCompiler, s: S.Evaluate, path: ObjectPath) -> Any:
    f = c.expr(s.value, path.attr("value"))

    def run(env: dict) -> None:
        f(env)

    return run


@register_tir(S.SeqStmt, batchable=True)
def _seq(c: TIRCompiler, s: S.SeqStmt, path: ObjectPath) -> Any:
    fs = [c.stmt(x, path.attr("seq").index(i)) for i, x in enumerate(s.seq)]

    def run(env: dict) -> None:
        for f in fs:
            f(env)

    return run


@register_tir(S.LetStmt, batchable=True)
def _let_stmt(c: TIRCompiler, s: S.LetStmt, path: ObjectPath) -> Any:
    fv, fb, key = c.expr(s.value, path), c.stmt(s.body, path.attr("body")), id(s.var)
    if c.batched:
        def batched(env: dict) -> None:
            bind_point(env, key, fv(env))
            fb(env)
        return batched

    def run(env: dict) -> None:
        env[key] = fv(env)
        fb(env)

    return run


@register_tir(S.AttrStmt)
def _attr(c: TIRCompiler, s: S.AttrStmt, path: ObjectPath) -> Any:
    body = c.stmt(s.body, path.attr("body"))
    if s.attr_key not in ("thread_extent", "virtual_thread") or not isinstance(s.node, E.IterVar):
        return body
    fext, key, npd = c.expr(s.value, path), id(s.node.var), np_dtype(s.node.var.dtype)

    def launch(env: dict) -> None:  # each thread in turn
        for t in np.arange(int(fext(env)), dtype=npd):
            env[key] = t
            body(env)

    return launch


@register_tir(S.AssertStmt)
def _assert(c: TIRCompiler, s: S.AssertStmt, path: ObjectPath) -> Any:
    fc, fm, fb = c.expr(s.condition, path), c.expr(s.message, path), c.stmt(s.body, path.attr("body"))

    def run(env: dict) -> None:
        if not fc(env):
            raise fail(f"assertion failed: {fm(env)}", path)
        fb(env)

    return run


@register_tir(S.IfThenElse)
def _if(c: TIRCompiler, s: S.IfThenElse, path: ObjectPath) -> Any:
    fc, ft = c.expr(s.condition, path), c.stmt(s.then_case, path.attr("then_case"))
    fe = c.stmt(s.else_case, path.attr("else_case")) if s.else_case is not None else None

    def run(env: dict) -> None:
        if fc(env):
            ft(env)
        elif fe is not None:
            fe(env)

    return run


@register_tir(S.While)
def _while(c: TIRCompiler, s: S.While, path: ObjectPath) -> Any:
    fc, fb = c.expr(s.condition, path), c.stmt(s.body, path.attr("body"))

    def run(env: dict) -> None:
        while fc(env):
            fb(env)

    return run


# ---------------------------------------------------------------------------------------------
# loops
# ---------------------------------------------------------------------------------------------
def scalar_for(c: TIRCompiler, s: S.For, path: ObjectPath) -> Any:
    """A loop run one iteration at a time."""
    flo, fext, body = c.expr(s.min, path), c.expr(s.extent, path), c.stmt(s.body, path.attr("body"))
    key, npd = id(s.loop_var), np_dtype(s.loop_var.dtype)

    def run(env: dict) -> None:
        lo = int(flo(env))
        for v in np.arange(lo, lo + int(fext(env)), dtype=npd):
            env[key] = v
            body(env)

    return run


@register_tir(S.For)
def _for(c: TIRCompiler, s: S.For, path: ObjectPath) -> Any:
    from irscript.interp.tir_vectorize import plan_nest

    scalar_run = scalar_for(c, s, path)
    if not getattr(c.runner, "vectorize", True):
        return scalar_run
    plan = plan_nest(c, s, path)
    if plan is None:
        return scalar_run

    def run(env: dict) -> None:
        plan.run(env, scalar_run)

    return run


# ---------------------------------------------------------------------------------------------
# memory
# ---------------------------------------------------------------------------------------------
@register_tir(S.Allocate)
def _allocate(c: TIRCompiler, s: S.Allocate, path: ObjectPath) -> Any:
    key, lanes = id(s.buffer_var), s.dtype.lanes
    npd = np_dtype(s.dtype.element_of())
    fexts = [c.expr(e, path) for e in s.extents]
    body = c.stmt(s.body, path.attr("body"))

    def run(env: dict) -> None:
        count = lanes
        for f in fexts:
            count *= int(f(env))
        if count < 0:
            raise fail(f"allocation of a negative size ({count} elements)", path)
        env[key] = allocate((count,), npd)
        body(env)

    return run


@register_tir(S.DeclBuffer)
def _decl_buffer(c: TIRCompiler, s: S.DeclBuffer, path: ObjectPath) -> Any:
    cb = CompiledBuffer(c, s.buffer, path)
    body = c.stmt(s.body, path.attr("body"))

    def run(env: dict) -> None:
        memory = env.get(cb.data_key)
        if memory is None:
            raise fail(f"buffer {cb.name!r} is declared over data {s.buffer.data.name_hint!r}, which is not "
                       "allocated here", path)
        env[cb.key] = cb.view(env, memory, path)
        body(env)

    return run


class _MatchBuffer:
    """`T.match_buffer(source[region], shape)` inside a block: a view of the region."""

    __slots__ = ("target", "src_key", "src_data", "src_offset", "src_name", "ranges", "path", "owned")

    def __init__(self, c: TIRCompiler, m: MatchBufferRegion, path: ObjectPath) -> None:
        self.target = CompiledBuffer(c, m.buffer, path)
        src = m.source.buffer
        self.src_key, self.src_data, self.src_name = id(src), id(src.data), src.name
        self.src_offset = c.expr(src.elem_offset, path)
        self.ranges = [(c.expr(r.min, path), c.expr(r.extent, path)) for r in m.source.region]
        self.path = path
        self.owned: set[int] | None = None

    def __call__(self, env: dict) -> None:
        path, t = self.path, self.target
        src = buffer_view(env, self.src_key, self.src_name, path)
        starts = [int(lo(env)) for lo, _ in self.ranges]
        exts = [int(ext(env)) for _, ext in self.ranges]
        for d, (lo, n) in enumerate(zip(starts, exts)):
            if lo < 0 or n < 0 or lo + n > src.shape[d]:
                raise fail(f"match_buffer {t.name!r}: region {lo}:{lo + n} of dim {d} is outside buffer "
                           f"{self.src_name!r} of shape {tuple(src.shape)}", path)
        region = src[tuple(slice(lo, lo + n) for lo, n in zip(starts, exts))]
        ndim = len(t.shape)
        lead = len(exts) - ndim
        if lead < 0 or any(n != 1 for n in exts[:lead]):
            raise fail(f"match_buffer {t.name!r}: a region of extents {tuple(exts)} cannot be viewed with "
                       f"{ndim} dimensions", path)
        view = region[(0,) * lead]
        item = view.dtype.itemsize
        src_strides = [st // item for st in src.strides]
        offset = int(self.src_offset(env)) + sum(lo * st for lo, st in zip(starts, src_strides))
        buf = t.buffer
        if self.owned is None:  # the vars this match_buffer defines: those unbound the first time
            self.owned = {id(e) for e in (*buf.shape, *buf.strides, buf.elem_offset)
                          if isinstance(e, E.Var) and id(e) not in env}
        owned = self.owned
        for d, e in enumerate(buf.shape):
            if id(e) in owned:
                env[id(e)] = np_dtype(e.dtype).type(view.shape[d])
        for d, e in enumerate(buf.strides):
            if id(e) in owned:
                env[id(e)] = np_dtype(e.dtype).type(view.strides[d] // item)
        if id(buf.elem_offset) in owned:
            env[id(buf.elem_offset)] = np_dtype(buf.elem_offset.dtype).type(offset)
        shape = t.dims(env, path)
        if shape != view.shape:
            raise fail(f"match_buffer {t.name!r} has shape {shape}, the region has extents {tuple(view.shape)}", path)
        strides = tuple(int(f(env)) for f in t.strides)
        if strides and strides != tuple(st // item for st in view.strides):
            raise fail(f"match_buffer {t.name!r} declares strides {strides}, the region has "
                       f"{tuple(st // item for st in view.strides)}", path)
        env[t.data_key] = env.get(self.src_data)
        env[t.key] = view


# ---------------------------------------------------------------------------------------------
# blocks
# ---------------------------------------------------------------------------------------------
class _IterVar:
    __slots__ = ("key", "name", "bounds", "reduce")

    def __init__(self, c: TIRCompiler, iv: E.IterVar, path: ObjectPath) -> None:
        self.key, self.name = id(iv.var), iv.var.name_hint
        self.bounds = _bounds(c, iv.dom, path) if iv.dom is not None else None
        self.reduce = iv.iter_type is E.IterVarType.COMM_REDUCE


def _bounds(c: TIRCompiler, dom: Any, path: ObjectPath) -> Any:
    """`bounds(env) -> (lo, hi)` of an iter var domain, constant-folded when it is constant."""
    if isinstance(dom.min, E.IntImm) and isinstance(dom.extent, E.IntImm):
        fixed = (dom.min.value, dom.min.value + dom.extent.value)
        return lambda env: fixed
    flo, fext = c.expr(dom.min, path), c.expr(dom.extent, path)
    if isinstance(dom.min, E.IntImm):
        lo = dom.min.value
        return lambda env: (lo, lo + fext(env))

    def bounds(env: dict) -> tuple[Any, Any]:
        lo = flo(env)
        return lo, lo + fext(env)

    return bounds


def block_runner(c: TIRCompiler, block: S.Block, path: ObjectPath) -> Any:
    """`run(env, values)`: bind the iter vars to `values` and run the block (scalar path)."""
    ivs = [_IterVar(c, iv, path) for iv in block.iter_vars]
    allocs = [CompiledBuffer(c, b, path) for b in block.alloc_buffers]
    matches = [_MatchBuffer(c, m, path) for m in block.match_buffers]
    init = c.stmt(block.init, path.attr("init")) if block.init is not None else None
    body = c.stmt(block.body, path.attr("body"))
    bname = block.name_hint
    setup = allocs or matches

    def run(env: dict, values: list) -> None:
        first = True
        for iv, v in zip(ivs, values):
            if iv.bounds is not None:
                lo, hi = iv.bounds(env)
                if not lo <= v < hi:
                    raise fail(f"block {bname!r}: iter var {iv.name} = {v} is outside its domain [{lo}, {hi})", path)
                if iv.reduce and v != lo:
                    first = False
            env[iv.key] = v
        if setup:
            for a in allocs:
                a.new_memory(env, path)
            for m in matches:
                m(env)
        if init is not None and first:
            init(env)
        body(env)

    return run


@register_tir(S.BlockRealize)
def _block_realize(c: TIRCompiler, s: S.BlockRealize, path: ObjectPath) -> Any:
    fvals = [c.expr(v, path) for v in s.iter_values]
    pred = s.predicate
    fpred = None if isinstance(pred, E.IntImm) and pred.value else c.expr(pred, path)
    run_block = block_runner(c, s.block, path.attr("block"))
    if fpred is None and all(type(v) in (E.Var, E.SizeVar) for v in s.iter_values):
        keys = [id(v) for v in s.iter_values]

        def run_vars(env: dict) -> None:  # iter vars bound to plain loop vars: the common case
            try:
                values = [env[k] for k in keys]
            except KeyError:
                values = [f(env) for f in fvals]  # reports the unbound var
            run_block(env, values)

        return run_vars

    def run(env: dict) -> None:
        if fpred is not None and not fpred(env):
            return
        run_block(env, [f(env) for f in fvals])

    return run


@register_tir(S.Block)
def _block(c: TIRCompiler, s: S.Block, path: ObjectPath) -> Any:
    """A block used as a statement without a BlockRealize (no iter vars to bind)."""
    if s.iter_vars:
        raise fail(f"block {s.name_hint!r} has iter vars but no BlockRealize binds them", path)
    run_block = block_runner(c, s, path)
    return lambda env: run_block(env, [])
