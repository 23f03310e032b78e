"""Well-formedness rules of TIR functions, registered with the driver in
`irscript.ir.well_formed` for `PrimFunc`.

Rules, each reported with the path of the offending node:

* every var is defined before use, in scope:
  params (the whole function); buffer_map buffers define their data var and the vars
  first appearing (bare) in their shape / strides / elem_offset; a For loop var, a
  LetStmt / Let var, an Allocate buffer var, a CommReducer's lhs/rhs hold in their body;
  block iteration vars hold in the block (match sources, reads, writes, init, body) while
  their domains and the BlockRealize values use the outer scope; block alloc_buffers and
  match_buffers define their buffer, its data var and the vars first appearing in its
  layout, for the block's reads, writes, init and body (a match buffer's source region
  uses the scope outside it); DeclBuffer defines its buffer (its data
  var comes from the enclosing scope, or is defined there if it is not in scope);
  `AttrStmt("thread_extent" / "virtual_thread")` on an IterVar defines that var in its
  body (a thread var may be launched again once its previous launch has ended);
* a var used after its scope closed gets its own message ("loop variable 'i' is used
  outside its loop");
* every buffer accessed is defined (buffer_map, alloc_buffers, match_buffers, DeclBuffer)
  or its data var is in scope;
* buffer accesses (loads, stores) have one index per dimension; regions in reads/writes
  and match_buffer sources one range per dimension; a BlockRealize binds every block var;
* a var or buffer is defined once per function (visiting a shared subtree again is not a
  redefinition).
"""

from __future__ import annotations

from typing import Any

from irscript.ir.expr import PrimExpr
from irscript.ir.functor import handles
from irscript.ir.path import Key
from irscript.ir.well_formed import CheckContext, CheckVisitor, Definitions, attr_step, index_step, register_checker
from irscript.tir.buffer import Buffer, BufferRegion
from irscript.tir.expr import BufferLoad, CommReducer, FloatImm, IntImm, IterVar, Let, StringImm, Var
from irscript.tir.function import PrimFunc
from irscript.tir.stmt import Allocate, AttrStmt, Block, BlockRealize, BufferStore, DeclBuffer, For, LetStmt

__all__ = ["check_prim_func"]

_THREAD_KEYS = frozenset({"thread_extent", "virtual_thread"})

_OUT_OF_SCOPE = {
    "loop": "loop variable '{}' is used outside its loop",
    "block": "block variable '{}' is used outside its block",
    "let": "variable '{}' is used outside its let scope",
    "thread": "thread variable '{}' is used outside its launch",
}
_OUT_OF_SCOPE_DEFAULT = "variable '{}' is used outside its scope"

_S_BUFFER = attr_step("buffer")
_S_DATA = attr_step("data")
_S_SHAPE = attr_step("shape")
_S_STRIDES = attr_step("strides")
_S_ELEM_OFFSET = attr_step("elem_offset")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class _TirChecker(CheckVisitor):
    """One pass over a PrimFunc, keeping the vars and buffers in scope."""

    def __init__(self, ctx: CheckContext) -> None:
        super().__init__(ctx)
        self.vars = Definitions()
        self.buffers = Definitions()

    # scopes ------------------------------------------------------------------------------------
    def _push(self, kind: str) -> None:
        self.vars.push(kind)
        self.buffers.push(kind)

    def _pop(self) -> None:
        self.vars.pop()
        self.buffers.pop()

    def def_var(self, var: Var, site: Any, *steps: Any, kind: str | None = None, allow_redefine: bool = False) -> None:
        if not self.vars.define(var, site, kind, allow_redefine=allow_redefine):
            self.report(f"variable '{var.name_hint}' is defined twice", *steps)

    def _def_layout_var(self, expr: PrimExpr, site: Any) -> None:
        """A bare var in a buffer's layout is defined there unless it is in scope already (a
        var whose scope has closed is left for the use check to report)."""
        if isinstance(expr, Var) and not self.vars.was_defined(expr):
            self.vars.define(expr, site, "scope")

    def def_buffer(self, buf: Buffer, site: Any, steps: tuple, data_is_def: bool = True) -> None:
        """Define `buf`, its data var (or use it, for DeclBuffer) and its bare layout vars; the
        layout expressions are checked as uses by `check_buffer_layout`."""
        if not self.buffers.define(buf, site, "scope"):
            self.report(f"buffer '{buf.name}' is defined twice", *steps)
            return
        if data_is_def or not self.vars.was_defined(buf.data):
            self.def_var(buf.data, site, *steps, _S_DATA, kind="scope")
        elif not self.vars.is_live(buf.data):
            self.visit_at(buf.data, *steps, _S_DATA)
        for dim in buf.shape:
            self._def_layout_var(dim, site)
        for stride in buf.strides:
            self._def_layout_var(stride, site)
        self._def_layout_var(buf.elem_offset, site)

    def check_buffer_layout(self, buf: Buffer, steps: tuple) -> None:
        self.visit_at(buf.shape, *steps, _S_SHAPE)
        self.visit_at(buf.strides, *steps, _S_STRIDES)
        self.visit_at(buf.elem_offset, *steps, _S_ELEM_OFFSET)

    # uses ----------------------------------------------------------------------------------------
    @handles(Var)
    def _use_var(self, var: Var) -> None:
        if id(var) in self.vars.live:
            return
        kind = self.vars.closed_kind(var)
        if kind is None:
            message = f"variable '{var.name_hint}' is used but not defined"
        else:
            message = _OUT_OF_SCOPE.get(kind, _OUT_OF_SCOPE_DEFAULT).format(var.name_hint)
        self.report_once(var, message)

    @handles(IntImm, FloatImm, StringImm)
    def _constant(self, node: PrimExpr) -> None:
        pass

    def use_buffer(self, buf: Buffer) -> None:
        """Check that `buf` (the `buffer` field of the node being visited) is defined."""
        if id(buf) in self.buffers.live or id(buf.data) in self.vars.live:
            return
        if self.buffers.closed_kind(buf) is not None or self.vars.closed_kind(buf.data) is not None:
            message = f"buffer '{buf.name}' is used outside its scope"
        else:
            message = f"buffer '{buf.name}' is used but not defined"
        self.report_once(buf, message, _S_BUFFER)

    def _check_indices(self, buf: Buffer, count: int) -> None:
        ndim = len(buf.shape)
        if count != ndim:
            dims = _plural(ndim, "dimension", "dimensions")
            self.report(f"buffer '{buf.name}' has {dims} but is accessed with {_plural(count, 'index', 'indices')}")

    @handles(BufferLoad)
    def _load(self, node: BufferLoad) -> None:
        self.use_buffer(node.buffer)
        self._check_indices(node.buffer, len(node.indices))
        self.visit_field(node, "indices")
        if node.predicate is not None:
            self.visit_field(node, "predicate")

    @handles(BufferStore)
    def _store(self, node: BufferStore) -> None:
        self.use_buffer(node.buffer)
        self._check_indices(node.buffer, len(node.indices))
        self.visit_field(node, "value")
        self.visit_field(node, "indices")
        if node.predicate is not None:
            self.visit_field(node, "predicate")

    @handles(BufferRegion)
    def _region(self, node: BufferRegion) -> None:
        buf = node.buffer
        self.use_buffer(buf)
        if len(node.region) != len(buf.shape):
            dims = _plural(len(buf.shape), "dimension", "dimensions")
            ranges = _plural(len(node.region), "range", "ranges")
            self.report(f"buffer '{buf.name}' has {dims} but its region has {ranges}")
        self.visit_field(node, "region")

    # binding constructs ----------------------------------------------------------------------------
    @handles(For)
    def _for(self, node: For) -> None:
        self.visit_field(node, "min")
        self.visit_field(node, "extent")
        self._push("loop")
        self.def_var(node.loop_var, node, attr_step("loop_var"))
        self.visit_field(node, "body")
        self._pop()

    @handles(LetStmt, Let)
    def _let(self, node: LetStmt | Let) -> None:
        self.visit_field(node, "value")
        self._push("let")
        self.def_var(node.var, node, attr_step("var"))
        self.visit_field(node, "body")
        self._pop()

    @handles(AttrStmt)
    def _attr(self, node: AttrStmt) -> None:
        self.visit_field(node, "value")
        target = node.node
        if isinstance(target, IterVar) and node.attr_key in _THREAD_KEYS:
            if target.dom is not None:
                self.visit_at(target.dom, attr_step("node"), attr_step("dom"))
            self._push("thread")
            self.def_var(target.var, node, attr_step("node"), attr_step("var"), allow_redefine=True)
            self.visit_field(node, "body")
            self._pop()
            return
        if isinstance(target, (PrimExpr, CommReducer)):
            self.visit_field(node, "node")
        self.visit_field(node, "body")

    @handles(Allocate)
    def _allocate(self, node: Allocate) -> None:
        self.visit_field(node, "extents")
        self.visit_field(node, "condition")
        self._push("scope")
        self.def_var(node.buffer_var, node, attr_step("buffer_var"))
        self.visit_field(node, "body")
        self._pop()

    @handles(DeclBuffer)
    def _decl_buffer(self, node: DeclBuffer) -> None:
        self._push("scope")
        self.def_buffer(node.buffer, node, (_S_BUFFER,), data_is_def=False)
        self.check_buffer_layout(node.buffer, (_S_BUFFER,))
        self.visit_field(node, "body")
        self._pop()

    @handles(CommReducer)
    def _comm_reducer(self, node: CommReducer) -> None:
        self._push("scope")
        for name in ("lhs", "rhs"):
            for i, v in enumerate(getattr(node, name)):
                self.def_var(v, node, attr_step(name), index_step(i), allow_redefine=True)
        self.visit_field(node, "result")
        self._pop()
        self.visit_field(node, "identity_element")

    @handles(BlockRealize)
    def _block_realize(self, node: BlockRealize) -> None:
        n_vars, n_values = len(node.block.iter_vars), len(node.iter_values)
        if n_vars != n_values:
            self.report(
                f"block '{node.block.name_hint}' has {_plural(n_vars, 'iteration variable', 'iteration variables')}"
                f" but is given {_plural(n_values, 'value', 'values')}"
            )
        self.visit_field(node, "iter_values")
        self.visit_field(node, "predicate")
        self.visit_field(node, "block")

    @handles(Block)
    def _block(self, node: Block) -> None:
        self._push("block")
        s_iter = attr_step("iter_vars")
        for i, iv in enumerate(node.iter_vars):
            if iv.dom is not None:
                self.visit_at(iv.dom, s_iter, index_step(i), attr_step("dom"))
        for i, iv in enumerate(node.iter_vars):
            self.def_var(iv.var, node, s_iter, index_step(i), attr_step("var"))
        s_alloc = attr_step("alloc_buffers")
        for i, buf in enumerate(node.alloc_buffers):
            self.def_buffer(buf, node, (s_alloc, index_step(i)))
        for i, buf in enumerate(node.alloc_buffers):
            self.check_buffer_layout(buf, (s_alloc, index_step(i)))
        s_match = attr_step("match_buffers")
        for i, match in enumerate(node.match_buffers):
            self.visit_at(match.source, s_match, index_step(i), attr_step("source"))
            steps = (s_match, index_step(i), _S_BUFFER)
            self.def_buffer(match.buffer, match, steps)
            self.check_buffer_layout(match.buffer, steps)
        # reads/writes may name the block's own allocated and matched buffers
        self.visit_field(node, "reads")
        self.visit_field(node, "writes")
        if node.init is not None:
            self.visit_field(node, "init")
        self.visit_field(node, "body")
        self._pop()

    # the function ----------------------------------------------------------------------------------
    def check(self, func: PrimFunc) -> None:
        s_params = attr_step("params")
        for i, p in enumerate(func.params):
            self.def_var(p, func, s_params, index_step(i), kind="param")
        params = {id(p) for p in func.params}
        s_map = attr_step("buffer_map")
        entries = [((s_map, Key(key)), key, buf) for key, buf in func.buffer_map.items()]
        for steps, key, buf in entries:
            if id(key) not in params:
                self.report(f"buffer_map key '{key.name_hint}' is not a parameter of the function", *steps)
            self.def_buffer(buf, func, steps)
        for steps, _, buf in entries:
            self.check_buffer_layout(buf, steps)
        self.visit_field(func, "body")


def check_prim_func(func: PrimFunc, ctx: CheckContext) -> None:
    """Report the well-formedness problems of `func` to `ctx`."""
    _TirChecker(ctx).check(func)


register_checker(PrimFunc, check_prim_func)
