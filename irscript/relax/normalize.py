"""Relax normalization: struct-info deduction for every expression kind, and A-normal form.

`BlockBuilder` is what `R.emit` uses: it normalizes a value (deducing the
struct info of every sub-expression, and emitting nested non-leaf call
arguments as their own bindings first, as TVM's BlockBuilder does), checks
an annotation against the deduced struct info, and appends the binding to
the innermost open block. `normalize(expr)` does the deduction alone.

Struct info of calls:
* an Op: the op's `infer_struct_info(call, ctx)` attribute (the op registry
  plugs in there; `ctx` is the BlockBuilder), else what the caller gave
  (`Call.struct_info`, or the emit annotation), else an IRError;
* a GlobalVar: the callee's declared return struct info from the module,
  with the callee's symbolic parameters replaced by the argument's dims;
* a Var or ExternFunc with FuncStructInfo: likewise; opaque callees give
  `sinfo_args[0]` (or their declared return).

The struct-info relations used here (base check, join, erasure, call-return
derivation) live in `irscript.relax.struct_info_relations` and are
re-exported. Symbolic dims that cannot be decided are accepted, never
reported as contradictions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import GlobalVar, RelaxExpr, StructInfo
from irscript.ir.node import replace, stamp_span
from irscript.ir.op import Op
from irscript.relax.expr import (
    Binding,
    BindingBlock,
    Call,
    Constant,
    DataflowBlock,
    DataflowVar,
    DataTypeImm,
    ExternFunc,
    Function,
    If,
    MatchCast,
    PrimValue,
    SeqExpr,
    ShapeExpr,
    StringImm,
    Tuple,
    TupleGetItem,
    Var,
    VarBinding,
)
from irscript.relax.struct_info import (
    FuncStructInfo,
    ObjectStructInfo,
    PrimStructInfo,
    ShapeStructInfo,
    TupleStructInfo,
)
from irscript.relax.struct_info_relations import (
    BaseCheck,
    callee_name,
    derive_call_ret_struct_info,
    erase_to_well_defined,
    function_signature_struct_info,
    is_base_of,
    join_struct_info,
    prove_equal,
    prove_not_equal,
    refine_struct_info,
    show_struct_info,
    struct_info_base_check,
    substitute_tir_vars,
    substitute_vars,
    tir_vars_in,
)
from irscript.tir.expr import Var as TirVar

# ---------------------------------------------------------------------------------------------
# the block builder
# ---------------------------------------------------------------------------------------------


LEAF_OR_TUPLE = (Var, GlobalVar, Op, Constant, ShapeExpr, PrimValue, StringImm, DataTypeImm, ExternFunc, Tuple)


class OpenBlock:
    """A binding block being built: its bindings, whether it is a dataflow block, the vars it
    binds (by id) and, once closed to further bindings, why."""

    __slots__ = ("bindings", "is_dataflow", "defined", "closed_reason")

    def __init__(self, is_dataflow: bool) -> None:
        self.bindings: list[Binding] = []
        self.is_dataflow = is_dataflow
        self.defined: dict[int, Var] = {}
        self.closed_reason: str | None = None

    def to_block(self, bindings: list[Binding] | None = None) -> BindingBlock | None:
        """The finished block (None when it has no bindings)."""
        bindings = self.bindings if bindings is None else bindings
        if not bindings:
            return None
        return DataflowBlock(tuple(bindings)) if self.is_dataflow else BindingBlock(tuple(bindings))


class BlockBuilder:
    """Normalizes Relax expressions and emits bindings into the innermost open block.

    `function_lookup(gv)` returns the definition or declared signature of a
    module function (a Function, a PrimFunc or a FuncStructInfo), or None.
    """

    def __init__(self, function_lookup: Callable[[GlobalVar], Any] | None = None) -> None:
        self.function_lookup = function_lookup
        self._blocks: list[OpenBlock] = []
        self._scopes: list[dict[int, TirVar]] = []
        self._remap: dict[int, tuple[Var, Var]] = {}
        self._retired: dict[int, tuple[Var, str]] = {}
        self._done: dict[int, RelaxExpr] = {}

    # blocks and scopes -------------------------------------------------------------------------
    def begin_block(self, is_dataflow: bool = False) -> OpenBlock:
        block = OpenBlock(is_dataflow)
        self._blocks.append(block)
        return block

    def end_block(self) -> OpenBlock:
        if not self._blocks:
            raise IRError("BlockBuilder.end_block: no block is open")
        return self._blocks.pop()

    @property
    def current_block(self) -> OpenBlock | None:
        return self._blocks[-1] if self._blocks else None

    def begin_scope(self, params: Iterable[Var] = ()) -> None:
        """Open a scope of symbolic vars; the params' struct info defines vars in it."""
        self._scopes.append({})
        for p in params:
            self.define_tir_vars(p.struct_info)

    def end_scope(self) -> None:
        self._scopes.pop()

    def define_tir_vars(self, sinfo: Any) -> None:
        """Make the TIR vars of `sinfo` defined in the innermost scope."""
        if not self._scopes:
            self._scopes.append({})
        top = self._scopes[-1]
        for v in tir_vars_in(sinfo):
            top.setdefault(id(v), v)

    def is_defined(self, var: TirVar, skip_innermost: bool = False) -> bool:
        scopes = self._scopes[:-1] if skip_innermost else self._scopes
        key = id(var)
        return any(s.get(key) is var for s in scopes)

    # var identity ------------------------------------------------------------------------------
    def remap_var(self, old: Var, new: Var) -> None:
        """From now on, uses of `old` mean `new` (dataflow outputs, an If's branch results)."""
        self._remap[id(old)] = (old, new)

    def retire_var(self, var: Var, reason: str) -> None:
        """From now on, using `var` is an error explaining `reason`."""
        self._retired[id(var)] = (var, reason)

    def mark_normalized(self, expr: RelaxExpr) -> RelaxExpr:
        """Record that `expr` (a SeqExpr or Function built by the builder) is already normal."""
        self._done[id(expr)] = expr
        return expr

    def function_struct_info(self, gv: GlobalVar) -> StructInfo | None:
        if self.function_lookup is None:
            return None
        return function_signature_struct_info(self.function_lookup(gv))

    # emission ----------------------------------------------------------------------------------
    def depth(self) -> tuple[int, int]:
        """The numbers of open blocks and scopes (to restore after an error)."""
        return len(self._blocks), len(self._scopes)

    def reset_depth(self, depth: tuple[int, int]) -> None:
        del self._blocks[depth[0]:]
        del self._scopes[depth[1]:]

    def open_block(self, method: str) -> OpenBlock:
        """The block new bindings go into; IRError if there is none or it takes no more."""
        block = self.current_block
        if block is None:
            raise IRError(f"{method}: no binding block is open")
        if block.closed_reason is not None:
            raise IRError(block.closed_reason)
        return block

    def _append(self, block: OpenBlock, binding: Binding) -> None:
        block.bindings.append(stamp_span(binding))
        block.defined[id(binding.var)] = binding.var

    def emit(self, value: RelaxExpr, annotate_struct_info: StructInfo | None = None, name_hint: str | None = None) -> Var:
        """Bind the normalized `value` to a new var (a DataflowVar inside a dataflow block)."""
        block = self.open_block("R.emit")
        value = self.normalize(value, annotate_struct_info)
        sinfo = _refine(value.struct_info, annotate_struct_info, "R.emit")
        cls = DataflowVar if block.is_dataflow else Var
        var = cls(name_hint or ("lv" if block.is_dataflow else "gv"), sinfo)
        self._append(block, VarBinding(var, value))
        return var

    def emit_match_cast(self, value: RelaxExpr, struct_info: StructInfo, name_hint: str | None = None) -> Var:
        """Bind `value` checked against `struct_info` to a new var of that struct info."""
        if not isinstance(struct_info, StructInfo):
            raise IRError(f"R.match_cast needs struct info, got {type(struct_info).__name__}")
        block = self.open_block("R.emit_match_cast")
        value = self.normalize(value)
        self._check_match_cast(value, struct_info)
        cls = DataflowVar if block.is_dataflow else Var
        var = cls(name_hint or ("lv" if block.is_dataflow else "gv"), struct_info)
        self.define_tir_vars(struct_info)
        self._append(block, MatchCast(var, value, struct_info))
        return var

    @staticmethod
    def _check_match_cast(value: RelaxExpr, struct_info: StructInfo) -> None:
        if struct_info_base_check(struct_info, value.struct_info) is BaseCheck.FAIL_L0:
            raise IRError(
                f"R.match_cast: a value of struct info {show_struct_info(value.struct_info)} can never match "
                f"{show_struct_info(struct_info)}"
            )

    def emit_binding(self, binding: Binding) -> Binding:
        """Normalize and append an existing binding (keeping its var when it has struct info)."""
        block = self.open_block("R.emit_var_binding")
        var = binding.var
        if isinstance(var, DataflowVar) and not block.is_dataflow:
            raise IRError(f"the DataflowVar {var.name_hint!r} can only be bound inside a dataflow block")
        if isinstance(binding, MatchCast):
            value = self.normalize(binding.value)
            self._check_match_cast(value, binding.struct_info)
            self.define_tir_vars(binding.struct_info)
            out: Binding = binding if value is binding.value else replace(binding, value=value)
        elif isinstance(binding, VarBinding):
            value = self.normalize(binding.value, var.struct_info)
            sinfo = _refine(value.struct_info, var.struct_info, f"the binding of {var.name_hint!r}")
            if var.struct_info is None:
                new_var = replace(var, struct_info=sinfo)
                self.remap_var(var, new_var)
                var = new_var
            out = binding if (value is binding.value and var is binding.var) else VarBinding(var, value)
        else:
            raise IRError(f"cannot emit a {type(binding).__name__} as a binding")
        self._append(block, out)
        return out

    # normalization -----------------------------------------------------------------------------
    def normalize(self, expr: Any, annotation: StructInfo | None = None) -> RelaxExpr:
        """`expr` with struct info deduced everywhere; nested non-leaf arguments are emitted
        into the open block (if any). `annotation` stands in for a call's unknown struct info."""
        if not isinstance(expr, RelaxExpr):
            raise IRError(f"expected a Relax expression, got {type(expr).__name__}")
        done = self._done.get(id(expr))
        if done is expr:
            return expr
        handler = _NORMALIZERS.get(type(expr))
        if handler is None:
            handler = _lookup_normalizer(type(expr))
        return handler(self, expr, annotation)

    def normalize_argument(self, expr: Any) -> RelaxExpr:
        """`expr` normalized and, unless it is a leaf or a tuple, emitted as its own binding."""
        out = self.normalize(expr)
        if self._blocks and not isinstance(out, LEAF_OR_TUPLE):
            return self.emit(out)
        return out

    def _cannot_deduce(self, call: Call) -> IRError:
        op = call.op
        if isinstance(op, Op):
            return IRError(
                f"cannot deduce the struct info of a call to {op.name}: the op has no struct info inference; "
                "annotate the binding with its struct info"
            )
        return IRError(
            f"cannot deduce the struct info of a call to {callee_name(call)}: it is not a function of the "
            "enclosing module (declare it with I.decl_function) — or annotate the binding"
        )

    def infer_call(self, call: Call) -> StructInfo | None:
        """The deduced struct info of a call whose op and args are normalized, or None."""
        op = call.op
        if isinstance(op, Op):
            infer = op.get_attr("infer_struct_info")
            return infer(call, self) if infer is not None else None
        if isinstance(op, GlobalVar):
            finfo = self.function_struct_info(op)
            if finfo is None:
                return None
        else:
            finfo = op.struct_info
        if not isinstance(finfo, FuncStructInfo):
            raise IRError(f"cannot call {callee_name(call)}: it has struct info {show_struct_info(finfo)}, not a function")
        return derive_call_ret_struct_info(finfo, call, self)

    def with_new_scope(self, expr: RelaxExpr) -> SeqExpr:
        """`expr` (an If branch) normalized in its own scope, as a SeqExpr."""
        if self._done.get(id(expr)) is expr:
            return expr  # type: ignore[return-value]
        self.begin_scope()
        try:
            seq = expr if isinstance(expr, SeqExpr) else SeqExpr((), expr)
            return _normalize_seq(self, seq, None, erase_local=True)
        finally:
            self.end_scope()


def _refine(deduced: StructInfo | None, annotation: StructInfo | None, what: str) -> StructInfo | None:
    """`refine_struct_info`, skipping the check when the annotation is the deduced object itself
    (the script parser shares one struct info object between equal annotations)."""
    if annotation is None or annotation is deduced:
        return deduced
    return refine_struct_info(deduced, annotation, what)


# ---------------------------------------------------------------------------------------------
# per-kind normalizers
# ---------------------------------------------------------------------------------------------

Normalizer = Callable[[BlockBuilder, Any, Any], RelaxExpr]
_NORMALIZERS: dict[type, Normalizer] = {}


def _normalizes(*classes: type) -> Callable[[Normalizer], Normalizer]:
    def deco(fn: Normalizer) -> Normalizer:
        for cls in classes:
            _NORMALIZERS[cls] = fn
        return fn

    return deco


def _lookup_normalizer(cls: type) -> Normalizer:
    for klass in cls.__mro__:
        fn = _NORMALIZERS.get(klass)
        if fn is not None:
            _NORMALIZERS[cls] = fn
            return fn
    raise IRError(f"cannot normalize a {getattr(cls, 'type_key', None) or cls.__name__} expression")


@_normalizes(Var, DataflowVar)
def _normalize_var(bb: BlockBuilder, var: Var, annotation: Any) -> RelaxExpr:
    hit = bb._remap.get(id(var))
    if hit is not None and hit[0] is var:
        return hit[1]
    gone = bb._retired.get(id(var))
    if gone is not None and gone[0] is var:
        raise IRError(f"variable {var.name_hint!r} is not visible here: {gone[1]}")
    if var.struct_info is None:
        raise IRError(f"the Relax var {var.name_hint!r} has no struct info")
    return var


@_normalizes(GlobalVar, Op)
def _normalize_global(bb: BlockBuilder, expr: RelaxExpr, annotation: Any) -> RelaxExpr:
    return expr


def _leaf_struct_info(expr: RelaxExpr) -> StructInfo:
    if isinstance(expr, ShapeExpr):
        return ShapeStructInfo(expr.values)
    if isinstance(expr, PrimValue):
        return PrimStructInfo(value=expr.value)
    if isinstance(expr, ExternFunc):
        return FuncStructInfo.opaque()
    if isinstance(expr, Constant):
        return Constant(expr.data).struct_info
    return ObjectStructInfo()


@_normalizes(Constant, ShapeExpr, PrimValue, StringImm, DataTypeImm, ExternFunc)
def _normalize_leaf(bb: BlockBuilder, expr: RelaxExpr, annotation: Any) -> RelaxExpr:
    if expr.struct_info is not None:
        return expr
    return replace(expr, struct_info=_leaf_struct_info(expr))


@_normalizes(Tuple)
def _normalize_tuple(bb: BlockBuilder, tup: Tuple, annotation: Any) -> RelaxExpr:
    fields = tuple(bb.normalize_argument(f) for f in tup.fields)
    if tup.struct_info is not None and all(a is b for a, b in zip(fields, tup.fields)):
        return tup
    return Tuple(fields, TupleStructInfo(tuple(f.struct_info for f in fields)), span=tup.span)


@_normalizes(TupleGetItem)
def _normalize_get_item(bb: BlockBuilder, item: TupleGetItem, annotation: Any) -> RelaxExpr:
    value = bb.normalize_argument(item.tuple_value)
    sinfo = value.struct_info
    if not isinstance(sinfo, TupleStructInfo):
        raise IRError(f"cannot take item {item.index} of a value of struct info {show_struct_info(sinfo)}: not a tuple")
    if not 0 <= item.index < len(sinfo.fields):
        raise IRError(f"tuple index {item.index} is out of range for a tuple of {len(sinfo.fields)} fields")
    return TupleGetItem(value, item.index, sinfo.fields[item.index], span=item.span)


@_normalizes(Call)
def _normalize_call(bb: BlockBuilder, call: Call, annotation: Any) -> RelaxExpr:
    op = call.op if isinstance(call.op, (Op, GlobalVar)) else bb.normalize_argument(call.op)
    args = tuple(bb.normalize_argument(a) for a in call.args)
    changed = op is not call.op or any(a is not b for a, b in zip(args, call.args))
    norm = replace(call, op=op, args=args) if changed else call
    sinfo = bb.infer_call(norm)
    if call.struct_info is not None:
        if call.struct_info is not sinfo:
            sinfo = refine_struct_info(sinfo, call.struct_info, f"the call to {callee_name(call)}")
    if sinfo is None:
        if annotation is None:
            raise bb._cannot_deduce(norm)
        sinfo = annotation
    if sinfo is norm.struct_info:
        return norm
    return replace(norm, struct_info=sinfo)


@_normalizes(If)
def _normalize_if(bb: BlockBuilder, expr: If, annotation: Any) -> RelaxExpr:
    cond = bb.normalize_argument(expr.cond)
    then_branch = bb.with_new_scope(expr.true_branch)
    else_branch = bb.with_new_scope(expr.false_branch)
    joined = join_struct_info(then_branch.struct_info, else_branch.struct_info)
    sinfo = erase_to_well_defined(joined, bb.is_defined)
    return If(cond, then_branch, else_branch, sinfo, span=expr.span)


@_normalizes(SeqExpr)
def _normalize_seq(bb: BlockBuilder, seq: SeqExpr, annotation: Any, erase_local: bool = False) -> SeqExpr:
    """Re-emit the bindings of `seq` block by block, then normalize its body."""
    blocks: list[BindingBlock] = []
    for block in seq.blocks:
        bb.begin_block(isinstance(block, DataflowBlock))
        try:
            for binding in block.bindings:
                bb.emit_binding(binding)
        finally:
            done = bb.end_block()
        finished = done.to_block()
        if finished is not None:
            blocks.append(finished)
    bb.begin_block(False)
    try:
        body = bb.normalize(seq.body, annotation)
    finally:
        tail = bb.end_block().to_block()
    if tail is not None:
        blocks.append(tail)
    keep = (lambda v: bb.is_defined(v, skip_innermost=True)) if erase_local else bb.is_defined
    sinfo = erase_to_well_defined(body.struct_info, keep)
    return bb.mark_normalized(SeqExpr(blocks, body, sinfo, span=seq.span))  # type: ignore[return-value]


@_normalizes(Function)
def _normalize_function(bb: BlockBuilder, func: Function, annotation: Any) -> RelaxExpr:
    blocks_before = len(bb._blocks)
    bb.begin_scope(func.params)
    try:
        body = _normalize_seq(bb, func.body if isinstance(func.body, SeqExpr) else SeqExpr((), func.body), None, False)
        assert len(bb._blocks) == blocks_before
        check_return(func.ret_struct_info, body.struct_info, "the function")
    finally:
        bb.end_scope()
    out = Function(func.params, body, func.ret_struct_info, func.is_pure, func.attrs, span=func.span)
    return bb.mark_normalized(out)


def check_return(declared: StructInfo, body: StructInfo | None, what: str) -> None:
    """IRError when a function's declared return struct info contradicts its body's."""
    if body is not None and struct_info_base_check(declared, body) is BaseCheck.FAIL_L0:
        raise IRError(
            f"{what} returns {show_struct_info(body)}, which contradicts its declared return struct info "
            f"{show_struct_info(declared)}"
        )


def normalize(expr: RelaxExpr, ctx: BlockBuilder | None = None) -> RelaxExpr:
    """`expr` with struct info deduced for every sub-expression. With a BlockBuilder that has
    an open block, nested non-leaf arguments are emitted there (A-normal form)."""
    return (ctx or BlockBuilder()).normalize(expr)


__all__ = [
    "BaseCheck", "BlockBuilder", "LEAF_OR_TUPLE", "OpenBlock", "callee_name", "check_return",
    "derive_call_ret_struct_info", "erase_to_well_defined", "function_signature_struct_info", "is_base_of",
    "join_struct_info", "normalize", "prove_equal", "prove_not_equal", "refine_struct_info", "show_struct_info",
    "struct_info_base_check", "substitute_tir_vars", "substitute_vars", "tir_vars_in",
]
