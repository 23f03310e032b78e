"""Block access regions: which parts of which buffers a TIR block reads and writes.

`get_block_access_region(block, buffers)` walks a block the way Apache TVM's
`tir.analysis.GetBlockAccessRegion` does and returns its read, write and opaque
regions; `get_block_read_write_region` folds opaque accesses into both reads and
writes (TVM's `GetBlockReadWriteRegion`); `complete_block_regions` fills in the
regions a block was written without (what TVM's script completion does for a
`T.block` with no `T.reads` / `T.writes`). The IRBuilder uses it for such blocks.

The rules, as in TVM:

* only buffers visible at the block count (`buffers`: the function's buffers and the
  allocations of enclosing blocks); the block's own `alloc_buffer`s and buffers declared
  inside its body are local to it and never reported;
* an access through a buffer the block matches (`T.match_buffer(A[...])`) is reported on
  the source buffer, shifted into the source region;
* indices are kept over the block's iter vars; loop vars of loops inside the block are
  relaxed to the loop range (interval arithmetic; conditions of enclosing `if`s on a loop
  var narrow it), so `A[vi, k]` under `for k in range(16)` becomes `A[vi, 0:16]`; an index
  that cannot be bounded (a call, a value loaded at a place that moves with a relaxed loop var)
  covers the whole dimension, while an integer loaded at a fixed place (`A[B[vi]]`) is a point;
* nested blocks contribute their own (already complete) regions, bound to their iter values;
* regions are listed in order of first access, all accesses of a buffer merged into one
  covering region per dimension;
* a buffer both read and written stays in the reads, except in a block with `T.init()`
  (a reduction), whose written buffers are left out of its reads;
* a use of a buffer's data pointer (`A.data`) is an opaque access to the whole buffer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr, Range
from irscript.ir.functor import Visitor, handles, pre_order
from irscript.ir.node import replace
from irscript.tir import arith
from irscript.tir import expr as E
from irscript.tir import op as _op
from irscript.tir.buffer import Buffer, BufferRegion, MatchBufferRegion
from irscript.tir.stmt import (
    Allocate,
    AttrStmt,
    Block,
    BlockRealize,
    BufferStore,
    DeclBuffer,
    For,
    IfThenElse,
    LetStmt,
)

# An integer set is an inclusive interval (lo, hi); None is an unbounded side. A single point
# is (e, e) with the very same object on both sides.
IntSet = tuple[Any, Any]
EVERYTHING: IntSet = (None, None)


# ---------------------------------------------------------------------------------------------
# interval arithmetic over symbolic bounds (TVM's IntervalSetEvaluator)
# ---------------------------------------------------------------------------------------------


def _is_point(s: IntSet) -> bool:
    return s[0] is not None and s[0] is s[1]


def _const(e: PrimExpr) -> int | None:
    return e.value if type(e) is E.IntImm else None


def _add(x: PrimExpr, y: PrimExpr) -> PrimExpr:
    cx, cy = _const(x), _const(y)
    if cy == 0:
        return x
    if cx == 0:
        return y
    if cx is not None and cy is not None and x.dtype == y.dtype:
        return E.IntImm(x.dtype, cx + cy)
    return _op.add(x, y)


def _sub(x: PrimExpr, y: PrimExpr) -> PrimExpr:
    cx, cy = _const(x), _const(y)
    if cy == 0:
        return x
    if cx is not None and cy is not None and x.dtype == y.dtype:
        return E.IntImm(x.dtype, cx - cy)
    return _op.sub(x, y)


def _mul(x: PrimExpr, y: PrimExpr) -> PrimExpr:
    cx, cy = _const(x), _const(y)
    if cy == 1:
        return x
    if cx == 1:
        return y
    if cx is not None and cy is not None and x.dtype == y.dtype:
        return E.IntImm(x.dtype, cx * cy)
    return _op.mul(x, y)


def _sign(k: PrimExpr) -> int | None:
    """1 when k >= 0 is proven (0 when k is the constant 0), -1 when k < 0, else None."""
    c = _const(k)
    if c is not None:
        return (c > 0) - (c < 0)
    if arith.can_prove(k >= 0):
        return 1
    if arith.can_prove(k < 0):
        return -1
    return None


def _scale(a: IntSet, k: PrimExpr, fn: Any) -> IntSet:
    """`fn(a, k)` for a monotone `fn` and a point k of known sign (mul, floordiv, truncdiv)."""
    sign = _sign(k)
    lo, hi = a
    if sign is None:
        return EVERYTHING
    if sign < 0:
        lo, hi = hi, lo
    return (None if lo is None else fn(lo, k), None if hi is None else fn(hi, k))


def _c_add(a: IntSet, b: IntSet, e: PrimExpr) -> IntSet:
    if _is_point(a) and _is_point(b):
        p = _add(a[0], b[0])
        return (p, p)
    lo = None if a[0] is None or b[0] is None else _add(a[0], b[0])
    hi = None if a[1] is None or b[1] is None else _add(a[1], b[1])
    return (lo, hi)


def _c_sub(a: IntSet, b: IntSet, e: PrimExpr) -> IntSet:
    if _is_point(a) and _is_point(b):
        p = _sub(a[0], b[0])
        return (p, p)
    lo = None if a[0] is None or b[1] is None else _sub(a[0], b[1])
    hi = None if a[1] is None or b[0] is None else _sub(a[1], b[0])
    return (lo, hi)


def _c_mul(a: IntSet, b: IntSet, e: PrimExpr) -> IntSet:
    if _is_point(a) and _is_point(b):
        p = _mul(a[0], b[0])
        return (p, p)
    if _is_point(a):
        a, b = b, a
    if not _is_point(b):
        return EVERYTHING
    k = b[0]
    if _const(k) == 0:
        return b
    return _scale(a, k, _mul)


def _c_div(fn: Any) -> Any:
    def combine(a: IntSet, b: IntSet, e: PrimExpr) -> IntSet:
        if not _is_point(b) or _const(b[0]) == 0:
            return EVERYTHING
        k = b[0]
        if _is_point(a):
            p = fn(a[0], k)
            return (p, p)
        if _const(k) == 1:
            return a
        return _scale(a, k, fn)

    return combine


def _c_mod(floor: bool) -> Any:
    def combine(a: IntSet, b: IntSet, e: PrimExpr) -> IntSet:
        if not _is_point(b) or _const(b[0]) == 0:
            return EVERYTHING
        k = b[0]
        if _is_point(a):
            p = (_op.floormod if floor else _op.truncmod)(a[0], k)
            return (p, p)
        sign = _sign(k)
        if sign is None:
            return EVERYTHING
        if sign < 0:  # |a mod k| <= -k - 1
            low = arith.simplify(_add(k, E.IntImm(k.dtype, 1)))
            return (low, arith.simplify(_op.neg(low)))
        if floor and _const(k) is not None and a[0] is not None and a[1] is not None:
            q = _op.floordiv(a[0], k)  # one quotient over the whole interval: a mod k = a - k * q
            if arith.prove_equal(q, _op.floordiv(a[1], k)):
                return (_sub(a[0], _mul(k, q)), _sub(a[1], _mul(k, q)))
        return (E.IntImm(k.dtype, 0), _sub(k, E.IntImm(k.dtype, 1)))

    return combine


def _c_min(a: IntSet, b: IntSet, e: PrimExpr) -> IntSet:
    if _is_point(a) and _is_point(b):
        p = _op.min(a[0], b[0])
        return (p, p)
    lo = None if a[0] is None or b[0] is None else _op.min(a[0], b[0])
    hi = b[1] if a[1] is None else a[1] if b[1] is None else _op.min(a[1], b[1])
    return (lo, hi)


def _c_max(a: IntSet, b: IntSet, e: PrimExpr) -> IntSet:
    if _is_point(a) and _is_point(b):
        p = _op.max(a[0], b[0])
        return (p, p)
    lo = b[0] if a[0] is None else a[0] if b[0] is None else _op.max(a[0], b[0])
    hi = None if a[1] is None or b[1] is None else _op.max(a[1], b[1])
    return (lo, hi)


_COMBINE: dict[type, Any] = {
    E.Add: _c_add, E.Sub: _c_sub, E.Mul: _c_mul,
    E.FloorDiv: _c_div(_op.floordiv), E.Div: _c_div(_op.truncdiv),
    E.FloorMod: _c_mod(True), E.Mod: _c_mod(False),
    E.Min: _c_min, E.Max: _c_max,
}


def eval_set(e: PrimExpr, dom: Mapping[int, IntSet]) -> IntSet:
    """The interval of integer expression `e` when each var whose id is in `dom` ranges over
    its interval (other vars are fixed). An expression with no relaxed var is its own point;
    what cannot be bounded (a load, a call) is EVERYTHING."""
    kind = type(e)
    if kind is E.IntImm:
        return (e, e)
    if kind is E.Var or kind is E.SizeVar:
        s = dom.get(id(e))
        return (e, e) if s is None else s
    combine = _COMBINE.get(kind)
    if combine is not None:
        a, b = eval_set(e.a, dom), eval_set(e.b, dom)
        if a[0] is e.a and a[1] is e.a and b[0] is e.b and b[1] is e.b:
            return (e, e)
        return combine(a, b, e)
    if kind is E.Cast:
        v = eval_set(e.value, dom)
        if v[0] is e.value and v[1] is e.value:
            return (e, e)
        if _is_point(v):
            p = E.Cast(e.dtype, v[0])
            return (p, p)
        return tuple(None if x is None else E.Cast(e.dtype, x) for x in v)  # type: ignore[return-value]
    if kind is E.Ramp:
        stride = _const(e.stride)
        if stride is None:
            return EVERYTHING
        span = E.IntImm(e.base.dtype, stride * (e.lanes - 1))
        zero = E.IntImm(e.base.dtype, 0)
        return _c_add(eval_set(e.base, dom), (zero, span) if stride >= 0 else (span, zero), e)
    if kind is E.Broadcast:
        return eval_set(e.value, dom)
    if kind is E.Select:
        return union(eval_set(e.true_value, dom), eval_set(e.false_value, dom))
    if kind is E.BufferLoad:  # an integer loaded at a fixed place is its own point (TVM does so too)
        if e.dtype.is_integer and not any(_uses_relaxed(i, dom) for i in e.indices):
            return (e, e)
    return EVERYTHING


def _uses_relaxed(e: PrimExpr, dom: Mapping[int, IntSet]) -> bool:
    return bool(dom) and any(type(n) in (E.Var, E.SizeVar) and id(n) in dom for n in pre_order(e))


def eval_range(r: Range, dom: Mapping[int, IntSet]) -> IntSet:
    """The interval a Range covers when the vars in `dom` are relaxed."""
    if _const(r.extent) == 1:
        return eval_set(r.min, dom)
    last = arith.simplify(_sub(_add(r.min, r.extent), E.IntImm(r.extent.dtype, 1)))
    return (eval_set(r.min, dom)[0], eval_set(last, dom)[1])


def union(a: IntSet, b: IntSet) -> IntSet:
    """The smallest interval holding both (simplified, as TVM's arith::Union)."""
    lo = None if a[0] is None or b[0] is None else arith.simplify(_op.min(a[0], b[0]))
    hi = None if a[1] is None or b[1] is None else arith.simplify(_op.max(a[1], b[1]))
    return (lo, hi)


def cover_range(s: IntSet, full: Range) -> Range:
    """The Range covering interval `s`: one element for a (provable) point, `full` when a side
    is unbounded."""
    lo, hi = s
    if lo is None or hi is None:
        return full
    if lo is hi or arith.prove_equal(lo, hi):
        return Range(lo, E.IntImm(lo.dtype, 1))
    lo = arith.simplify(lo)
    return Range(lo, arith.simplify(_sub(_add(hi, E.IntImm(hi.dtype, 1)), lo)))


def _full_dim(extent: PrimExpr) -> Range:
    return Range(E.IntImm(extent.dtype, 0), extent)


# ---------------------------------------------------------------------------------------------
# conditions that narrow a relaxed loop var (a simple form of TVM's ConditionalBoundsContext)
# ---------------------------------------------------------------------------------------------

_FLIP = {E.LT: E.GT, E.LE: E.GE, E.GT: E.LT, E.GE: E.LE, E.EQ: E.EQ}
_NEGATE = {E.LT: E.GE, E.LE: E.GT, E.GT: E.LE, E.GE: E.LT, E.NE: E.EQ}


def _facts(cond: PrimExpr, positive: bool) -> list[tuple[type, PrimExpr, PrimExpr]]:
    """Comparisons that all hold where `cond` is `positive` (conjuncts; De Morgan for `not`)."""
    kind = type(cond)
    if kind is E.Not:
        return _facts(cond.a, not positive)
    if (kind is E.And and positive) or (kind is E.Or and not positive):
        return _facts(cond.a, positive) + _facts(cond.b, positive)
    if kind in _FLIP or kind is E.NE:
        if not positive:
            kind = _NEGATE.get(kind)
        if kind in _FLIP:
            return [(kind, cond.a, cond.b)]
    return []


def _tighten(old: Any, new: PrimExpr, lower: bool) -> PrimExpr:
    if old is None:
        return new
    return arith.simplify(_op.max(old, new) if lower else _op.min(old, new))


# ---------------------------------------------------------------------------------------------
# the detector
# ---------------------------------------------------------------------------------------------

_Table = dict[int, tuple[Buffer, list[IntSet]]]


class _Detector(Visitor):
    """Collects the accesses of one block's body (not of the blocks nested in it)."""

    def __init__(self, visible: dict[int, Buffer], matched: dict[int, MatchBufferRegion]) -> None:
        super().__init__()
        self.visible = visible  # id(buffer.data) -> buffer, for buffers that count
        self.matched = matched  # id(target.data) -> the block's match_buffer of it
        self.dom: dict[int, IntSet] = {}  # id(loop var) -> its relaxed interval
        self.lets: dict[E.Var, PrimExpr] = {}
        self.reads: _Table = {}
        self.writes: _Table = {}
        self.opaque: _Table = {}

    # -- recording --------------------------------------------------------------------------
    def _index_sets(self, indices: tuple[PrimExpr, ...]) -> list[IntSet]:
        if self.lets:
            indices = tuple(arith.substitute(i, self.lets) for i in indices)
        return [eval_set(i, self.dom) for i in indices]

    def _update(self, table: _Table, buffer: Buffer, sets: list[IntSet]) -> None:
        key = id(buffer.data)
        if key not in self.visible:
            return
        match = self.matched.get(key)
        if match is not None:
            buffer = match.source.buffer
            sets = self._to_source(match, sets)
        entry = table.get(id(buffer))
        if entry is None:
            table[id(buffer)] = (buffer, list(sets))
            return
        old = entry[1]
        if len(old) != len(sets):
            raise IRError(f"buffer {buffer.name!r} is accessed with {len(sets)} indices and with {len(old)}")
        for j, s in enumerate(sets):
            old[j] = union(old[j], s)

    def _to_source(self, match: MatchBufferRegion, sets: list[IntSet]) -> list[IntSet]:
        """Sets over a matched buffer as sets over its source buffer (TVM's ConvertRegion)."""
        target, source = match.buffer, match.source.region
        ranges = [cover_range(s, _full_dim(d)) for s, d in zip(sets, target.shape)]
        offset = len(source) - len(ranges)
        if offset < 0:  # the view has more dims than its source: count the whole source region
            return [eval_range(r, self.dom) for r in source]
        out = [eval_range(Range(r.min, E.IntImm(r.extent.dtype, 1)), self.dom) for r in source[:offset]]
        for src, r in zip(source[offset:], ranges):
            out.append(eval_range(Range(_add(src.min, r.min), r.extent), self.dom))
        return out

    def _opaque(self, buffer: Buffer, table: _Table | None = None) -> None:
        sets = [eval_range(r, self.dom) for r in buffer.region().region]
        self._update(self.opaque if table is None else table, buffer, sets)

    def collect(self, table: _Table, excluded: Iterable[int] = ()) -> tuple[BufferRegion, ...]:
        skip = set(excluded)
        out = []
        for key, (buffer, sets) in table.items():
            if key in skip:
                continue
            ranges = tuple(cover_range(s, _full_dim(d)) for s, d in zip(sets, buffer.shape))
            out.append(BufferRegion(buffer, ranges))
        return tuple(out)

    # -- the block ---------------------------------------------------------------------------
    def run(self, block: Block) -> None:
        """Visit the block as TVM does: axes, given regions, match_buffer sources, init, body."""
        for iv in block.iter_vars:
            self.visit_value(iv.dom)
        for region in (*block.reads, *block.writes):
            self.visit(region)
        for match in block.match_buffers:
            self.visit(match)
        if block.init is not None:
            self.visit(block.init)
        self.visit(block.body)

    def _nested(self, block: Block, bindings: tuple[PrimExpr, ...]) -> None:
        """A nested block: its regions, with its iter vars bound and the loops around it relaxed."""
        vmap = {}
        for iv, value in zip(block.iter_vars, bindings):
            vmap[iv.var] = value if value.dtype == iv.var.dtype else _op.cast(iv.var.dtype, value)
        for table, regions in ((self.reads, block.reads), (self.writes, block.writes)):
            for br in regions:
                ranges = [arith.substitute(r, vmap) if vmap else r for r in br.region]
                self._update(table, br.buffer, [eval_range(r, self.dom) for r in ranges])

    # -- handlers ----------------------------------------------------------------------------
    @handles(E.BufferLoad)
    def _load(self, e: E.BufferLoad) -> None:
        self._update(self.reads, e.buffer, self._index_sets(e.indices))
        self.visit_value(e.indices)
        if e.predicate is not None:
            self.visit(e.predicate)

    @handles(BufferStore)
    def _store(self, s: BufferStore) -> None:
        self._update(self.writes, s.buffer, self._index_sets(s.indices))
        self.visit(s.value)
        self.visit_value(s.indices)
        if s.predicate is not None:
            self.visit(s.predicate)

    @handles(E.Var)
    def _var(self, v: E.Var) -> None:
        buffer = self.visible.get(id(v))
        if buffer is not None:
            self._opaque(buffer)

    @handles(Buffer)
    def _buffer(self, b: Buffer) -> None:
        """Buffers appear as declarations (allocations, DeclBuffer); their fields are no access."""

    @handles(BufferRegion)
    def _region(self, r: BufferRegion) -> None:
        self.visit_value(r.region)

    @handles(MatchBufferRegion)
    def _match(self, m: MatchBufferRegion) -> None:
        self.visit(m.source)

    @handles(For)
    def _for(self, s: For) -> None:
        self.visit(s.min)
        self.visit(s.extent)
        key = id(s.loop_var)
        saved = self.dom.get(key)
        self.dom[key] = eval_range(Range(s.min, s.extent), self.dom)
        self.visit(s.body)
        if saved is None:
            del self.dom[key]
        else:
            self.dom[key] = saved

    @handles(IfThenElse)
    def _if(self, s: IfThenElse) -> None:
        self.visit(s.condition)
        self._branch(s.condition, True, s.then_case)
        if s.else_case is not None:
            self._branch(s.condition, False, s.else_case)

    def _branch(self, cond: PrimExpr, positive: bool, node: Any) -> None:
        saved: dict[int, IntSet] = {}
        for kind, a, b in _facts(cond, positive):
            if not (isinstance(a, E.Var) and id(a) in self.dom):
                if not (isinstance(b, E.Var) and id(b) in self.dom):
                    continue
                a, b, kind = b, a, _FLIP[kind]
            bound = eval_set(b, self.dom)
            if not _is_point(bound):
                continue  # the other side moves with the relaxed vars too
            x, one = bound[0], E.IntImm(bound[0].dtype, 1)
            lo, hi = self.dom[id(a)]
            if kind in (E.GT, E.GE, E.EQ):
                lo = _tighten(lo, _add(x, one) if kind is E.GT else x, lower=True)
            if kind in (E.LT, E.LE, E.EQ):
                hi = _tighten(hi, _sub(x, one) if kind is E.LT else x, lower=False)
            if lo is not None and hi is not None and arith.can_prove(lo > hi):
                continue  # a dead branch: keep the loop range rather than an empty one
            saved.setdefault(id(a), self.dom[id(a)])
            self.dom[id(a)] = (lo, hi)
        self.visit(node)
        self.dom.update(saved)

    @handles(E.Call)
    def _call(self, c: E.Call) -> None:
        name = getattr(c.op, "name", None)
        if name == "tir.if_then_else" and len(c.args) == 3:
            self.visit(c.args[0])
            self._branch(c.args[0], True, c.args[1])
            self._branch(c.args[0], False, c.args[2])
        elif name == "tir.tvm_access_ptr" and len(c.args) == 5 and isinstance(c.args[1], E.Var):
            self._access_ptr(c)
        else:
            self.visit_value(c.args)

    def _access_ptr(self, c: E.Call) -> None:
        """`T.tvm_access_ptr(dtype, A.data, offset, extent, rw_mask)`: the whole buffer, read (1),
        written (2) or both (3: opaque)."""
        buffer = self.visible.get(id(c.args[1]))
        mask = _const(c.args[4])
        if buffer is None or mask is None:
            self.visit_value(c.args)
            return
        if mask & 1 and mask & 2:
            self._opaque(buffer)
        elif mask & 1:
            self._opaque(buffer, self.reads)
        elif mask & 2:
            self._opaque(buffer, self.writes)

    @handles(LetStmt)
    def _let(self, s: LetStmt) -> None:
        self.visit(s.value)
        value = arith.substitute(s.value, self.lets) if self.lets else s.value
        self.lets[s.var] = value
        self.visit(s.body)
        del self.lets[s.var]

    @handles(BlockRealize)
    def _realize(self, r: BlockRealize) -> None:
        self._nested(r.block, r.iter_values)

    @handles(Block)
    def _block(self, b: Block) -> None:
        self._nested(b, ())

    @handles(AttrStmt)
    def _attr(self, s: AttrStmt) -> None:
        self.visit(s.value)
        self.visit(s.body)

    @handles(DeclBuffer)
    def _decl(self, s: DeclBuffer) -> None:
        self.visit(s.body)

    @handles(Allocate)
    def _allocate(self, s: Allocate) -> None:
        self.visit_value(s.extents)
        self.visit(s.condition)
        self.visit(s.body)

    @handles(E.IterVar)
    def _iter_var(self, iv: E.IterVar) -> None:
        if iv.dom is not None:
            self.visit(iv.dom)


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------

Regions = tuple[BufferRegion, ...]


def _detect(block: Block, buffers: Iterable[Buffer] | Mapping[Any, Buffer]) -> _Detector:
    if isinstance(buffers, Mapping):
        buffers = buffers.values()
    visible = {id(b.data): b for b in buffers}
    for b in block.alloc_buffers:
        visible.pop(id(b.data), None)
    matched: dict[int, MatchBufferRegion] = {}
    for m in block.match_buffers:
        key = id(m.buffer.data)
        visible.pop(key, None)
        if id(m.source.buffer.data) in visible:
            matched[key] = m
            visible[key] = m.buffer
    detector = _Detector(visible, matched)
    detector.run(block)
    return detector


def get_block_access_region(
    block: Block, buffers: Iterable[Buffer] | Mapping[Any, Buffer]
) -> tuple[Regions, Regions, Regions]:
    """(reads, writes, opaque) regions of `block` over `buffers`, the buffers visible at the
    block (a list, or TVM's map from data var to buffer). See the module docstring."""
    d = _detect(block, buffers)
    writes = d.collect(d.writes)
    excluded = [id(w.buffer) for w in writes] if block.init is not None else []
    return d.collect(d.reads, excluded), writes, d.collect(d.opaque)


def get_block_read_write_region(
    block: Block, buffers: Iterable[Buffer] | Mapping[Any, Buffer]
) -> tuple[Regions, Regions]:
    """(reads, writes) of `block`, with opaquely accessed buffers read and written whole."""
    reads, writes, opaque = get_block_access_region(block, buffers)
    opaque_ids = {id(r.buffer) for r in opaque}
    reads = tuple(r for r in reads if id(r.buffer) not in opaque_ids) + opaque
    writes = tuple(w for w in writes if id(w.buffer) not in opaque_ids) + opaque
    return reads, writes


def complete_block_regions(
    block: Block, buffers: Iterable[Buffer] | Mapping[Any, Buffer], reads: bool = True, writes: bool = True
) -> Block:
    """`block` with its reads (if `reads`) and writes (if `writes`) replaced by the detected
    regions, as TVM completes a `T.block` written without `T.reads` / `T.writes`."""
    if not (reads or writes):
        return block
    found_reads, found_writes, opaque = get_block_access_region(block, buffers)
    if opaque:
        names = ", ".join(repr(r.buffer.name) for r in opaque)
        raise IRError(
            f"block {block.name_hint!r}: cannot infer its read/write regions: buffer {names} is accessed "
            "through its data pointer; give the regions with T.reads(...) and T.writes(...)"
        )
    changes = {}
    if reads:
        changes["reads"] = found_reads
    if writes:
        changes["writes"] = found_writes
    return replace(block, **changes)


__all__ = [
    "EVERYTHING", "complete_block_regions", "cover_range", "eval_range", "eval_set", "get_block_access_region",
    "get_block_read_write_region", "union",
]
