"""The graph-level builder (`R`): function, dataflow and if/then/else frames, and bindings.

Names and semantics follow TVM's `tvm.script.ir_builder.relax`::

    with IRBuilder() as ib:
        with R.function():
            R.func_name("main")
            x = R.arg("x", R.Tensor((n, 4), "float32"))   # struct info built by the caller
            with R.dataflow() as df:
                lv = R.emit(R.call_tir(gv, (x,), out_sinfo))
                R.output(lv)
            (gv_out,) = df.output_vars
            R.func_ret_value(gv_out)                          # `lv` would work too
    func = ib.get()

Every value goes through the normalizer (`irscript.relax.normalize`), which
deduces struct info and emits nested calls as their own bindings first.
Bindings inside `R.dataflow()` bind DataflowVars; on exit the outputs named
by `R.output` are rebound to plain Vars (same name and struct info) and any
later use of the old DataflowVar means the new Var; using a non-output
DataflowVar after its block is an IRError. An `R.If` binds its result var
(`frame.var`, named like the last binding of each branch, whose value
becomes the branch's result). A `R.function` frame inside another
function's body builds a local function and binds it (`frame.var`).
"""

from __future__ import annotations

from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr, RelaxExpr, StructInfo
from irscript.irbuilder.base import IRBuilder, IRBuilderFrame, register_namer, set_name_field
from irscript.irbuilder.ir import IRModuleFrame, add_function_to_parent
from irscript.relax.expr import (
    BindingBlock,
    DataflowVar,
    Function,
    MatchCast,
    PrimValue,
    SeqExpr,
    Tuple,
    Var,
    VarBinding,
)
from irscript.relax.expr import If as IfExpr
from irscript.relax.normalize import BlockBuilder, OpenBlock, check_return
from irscript.relax.struct_info_relations import erase_to_well_defined, substitute_vars, tir_vars_in


@register_namer(Var)
def _name_var(var: Var, name: str) -> None:
    set_name_field(var, "name_hint", name)


# ---------------------------------------------------------------------------------------------
# frames
# ---------------------------------------------------------------------------------------------


class BodyFrame(IRBuilderFrame):
    """A frame whose bindings form a SeqExpr: a function body or an If branch."""

    __slots__ = ("bb", "blocks", "block", "depth")

    def __init__(self) -> None:
        super().__init__()
        self.bb: BlockBuilder | None = None
        self.blocks: list[BindingBlock] = []
        self.block: OpenBlock | None = None
        self.depth: tuple[int, int] = (0, 0)

    def open_body(self, bb: BlockBuilder, params: tuple[Var, ...] = ()) -> None:
        self.bb = bb
        self.depth = bb.depth()
        bb.begin_scope(params)
        self.block = bb.begin_block(False)

    def on_abort(self, builder: IRBuilder) -> None:
        if self.bb is not None:
            self.bb.reset_depth(self.depth)

    def end_current_block(self) -> None:
        """Close the current plain block (keeping it if it has bindings)."""
        block = self.bb.end_block()
        finished = block.to_block()
        if finished is not None:
            self.blocks.append(finished)
        self.block = None

    def start_block(self) -> None:
        self.block = self.bb.begin_block(False)


class FunctionFrame(BodyFrame):
    """`with R.function():` — params, attributes, bindings and the return value of a function."""

    __slots__ = (
        "name", "is_pure", "is_private", "params", "attrs", "ret_struct_info", "output", "is_local",
        "var", "result",
    )
    kind = "R.function"

    def __init__(self, is_pure: bool = True, is_private: bool = False) -> None:
        super().__init__()
        self.name: str | None = None
        self.is_pure = bool(is_pure)
        self.is_private = bool(is_private)
        self.params: list[Var] = []
        self.attrs: dict[str, Any] = {}
        self.ret_struct_info: StructInfo | None = None
        self.output: RelaxExpr | None = None
        self.is_local = False
        self.var: Var | None = None
        self.result: Function | None = None

    def on_enter(self, builder: IRBuilder) -> None:
        top = builder.frames[-1] if builder.frames else None
        if isinstance(top, (BodyFrame, DataflowFrame)):
            self.is_local = True
            outer = builder.find_frame(FunctionFrame)
            bb = outer.bb
            bb.open_block("a local R.function")  # fails early after R.output / R.func_ret_value
        elif top is None or isinstance(top, IRModuleFrame):
            lookup = None
            if isinstance(top, IRModuleFrame):
                module = top
                lookup = lambda gv: module.signature(gv.name_hint)  # noqa: E731
            bb = BlockBuilder(lookup)
        else:
            raise IRError(
                f"R.function must be at the top level, directly inside I.ir_module or inside a Relax function "
                f"body, not inside {top.kind}"
            )
        self.open_body(bb)

    def on_exit(self, builder: IRBuilder) -> None:
        bb = self.bb
        if self.output is None:
            raise IRError(f"R.function {self.name or ''!r} has no return value: call R.func_ret_value(...)")
        self.end_current_block()
        param_ids = {id(v) for p in self.params for v in tir_vars_in(p.struct_info)}

        def keep(v: Any) -> bool:
            return id(v) in param_ids or bb.is_defined(v, skip_innermost=True)

        body_sinfo = erase_to_well_defined(self.output.struct_info, keep)
        bb.end_scope()
        if self.ret_struct_info is not None:
            check_return(self.ret_struct_info, self.output.struct_info, f"R.function {self.name or ''!r}")
            ret = self.ret_struct_info
        else:
            ret = body_sinfo
        attrs = dict(self.attrs)
        if not self.is_private and not self.is_local and self.name and "global_symbol" not in attrs:
            attrs["global_symbol"] = self.name
        body = bb.mark_normalized(SeqExpr(self.blocks, self.output, body_sinfo))
        func = Function(tuple(self.params), body, ret, self.is_pure, attrs)
        self.result = bb.mark_normalized(func)
        if self.is_local:
            self.var = bb.emit(func, name_hint=self.name or "f")
        elif not add_function_to_parent(builder, func, self.name, self.kind):
            raise IRError(f"cannot place a R.function inside {builder.frames[-1].kind}")


class DataflowFrame(IRBuilderFrame):
    """`with R.dataflow() as df:` — a dataflow block; `df.output_vars` are the rebound outputs."""

    __slots__ = ("parent", "block", "outputs", "output_vars")
    kind = "R.dataflow"

    def __init__(self) -> None:
        super().__init__()
        self.parent: BodyFrame | None = None
        self.block: OpenBlock | None = None
        self.outputs: list[Var] = []
        self.output_vars: list[Var] = []

    def on_enter(self, builder: IRBuilder) -> None:
        top = builder.frames[-1] if builder.frames else None
        if isinstance(top, DataflowFrame):
            raise IRError("R.dataflow blocks cannot be nested")
        if builder.find_frame(FunctionFrame) is None:
            raise IRError("R.dataflow must be used inside a R.function")
        if not isinstance(top, BodyFrame):
            raise IRError(f"R.dataflow cannot be used directly inside {top.kind}")
        top.bb.open_block("R.dataflow")
        self.parent = top
        top.end_current_block()
        self.block = top.bb.begin_block(True)

    def on_abort(self, builder: IRBuilder) -> None:
        if self.parent is not None and self.parent.bb.current_block is self.block:
            self.parent.bb.end_block()
            self.parent.start_block()

    def on_exit(self, builder: IRBuilder) -> None:
        parent = self.parent
        bb = parent.bb
        bb.end_block()
        mapping: dict[int, Var] = {}
        for v in self.outputs:
            if isinstance(v, DataflowVar) and id(v) not in mapping:
                mapping[id(v)] = Var(v.name_hint, v.struct_info)
        self.output_vars = [mapping.get(id(v), v) for v in self.outputs]
        bindings = self.block.bindings
        if mapping:  # outputs are used only by bindings from the first output's own on
            first = next(i for i, b in enumerate(bindings) if id(b.var) in mapping)
            bindings = bindings[:first] + list(substitute_vars(tuple(bindings[first:]), mapping))
        for b in self.block.bindings:
            if isinstance(b.var, DataflowVar) and id(b.var) not in mapping:
                bb.retire_var(b.var, "it is a dataflow var that is not an output (R.output) of its dataflow block")
        for b in self.block.bindings:
            new = mapping.get(id(b.var))
            if new is not None:
                bb.remap_var(b.var, new)
        finished = self.block.to_block(bindings)
        if finished is not None:
            parent.blocks.append(finished)
        parent.start_block()


class IfFrame(IRBuilderFrame):
    """`with R.If(cond) as f:` with `R.Then()` and `R.Else()` frames; binds `f.var`."""

    __slots__ = ("condition", "bb", "then_expr", "else_expr", "var_name", "branch_vars", "var")
    kind = "R.If"

    def __init__(self, condition: RelaxExpr) -> None:
        super().__init__()
        self.condition = condition
        self.bb: BlockBuilder | None = None
        self.then_expr: SeqExpr | None = None
        self.else_expr: SeqExpr | None = None
        self.var_name: str | None = None
        self.branch_vars: list[Var] = []
        self.var: Var | None = None

    def on_enter(self, builder: IRBuilder) -> None:
        if builder.find_frame(DataflowFrame) is not None:
            raise IRError("R.If cannot be used inside a dataflow block")
        top = _body_frame(builder, "R.If")
        self.bb = top.bb
        self.condition = self.bb.normalize_argument(self.condition)

    def on_exit(self, builder: IRBuilder) -> None:
        if self.then_expr is None or self.else_expr is None:
            raise IRError("R.If needs both a R.Then() and a R.Else() frame")
        self.var = self.bb.emit(IfExpr(self.condition, self.then_expr, self.else_expr), name_hint=self.var_name)
        for v in self.branch_vars:
            self.bb.remap_var(v, self.var)


class BranchFrame(BodyFrame):
    """Base of `R.Then()` / `R.Else()`: the branch's last binding gives its value."""

    __slots__ = ()

    def if_frame(self, builder: IRBuilder) -> IfFrame:
        frame = builder.last_frame(IfFrame)
        if frame is None:
            raise IRError(f"{self.kind} must be used directly inside R.If")
        return frame

    def on_enter(self, builder: IRBuilder) -> None:
        frame = self.if_frame(builder)
        self.check_order(frame)
        self.open_body(frame.bb)

    def check_order(self, frame: IfFrame) -> None:
        raise NotImplementedError

    def finish(self, builder: IRBuilder) -> tuple[SeqExpr, str, IfFrame]:
        self.end_current_block()
        bb = self.bb
        if not self.blocks:
            raise IRError(f"the {self.kind} branch is empty: its last binding gives the branch's value")
        last_block = self.blocks[-1]
        last = last_block.bindings[-1]
        if isinstance(last.var, DataflowVar):
            raise IRError(f"the last binding of {self.kind} must not be inside a dataflow block")
        blocks = list(self.blocks)
        if isinstance(last, MatchCast):
            body: RelaxExpr = last.var
        else:
            body = last.value
            rest = last_block.bindings[:-1]
            blocks[-1:] = [BindingBlock(rest)] if rest else []
        sinfo = erase_to_well_defined(body.struct_info, lambda v: bb.is_defined(v, skip_innermost=True))
        bb.end_scope()
        seq = bb.mark_normalized(SeqExpr(blocks, body, sinfo))
        frame = self.if_frame(builder)
        frame.branch_vars.append(last.var)
        return seq, last.var.name_hint, frame  # type: ignore[return-value]


class ThenFrame(BranchFrame):
    __slots__ = ()
    kind = "R.Then"

    def check_order(self, frame: IfFrame) -> None:
        if frame.then_expr is not None:
            raise IRError("R.If already has a R.Then() frame")

    def on_exit(self, builder: IRBuilder) -> None:
        seq, name, frame = self.finish(builder)
        frame.then_expr = seq
        frame.var_name = name


class ElseFrame(BranchFrame):
    __slots__ = ()
    kind = "R.Else"

    def check_order(self, frame: IfFrame) -> None:
        if frame.then_expr is None:
            raise IRError("R.Else must follow a R.Then() frame")
        if frame.else_expr is not None:
            raise IRError("R.If already has a R.Else() frame")

    def on_exit(self, builder: IRBuilder) -> None:
        seq, name, frame = self.finish(builder)
        if name != frame.var_name:
            raise IRError(
                f"both branches of R.If must end by binding the same variable: R.Then binds {frame.var_name!r}, "
                f"R.Else binds {name!r}"
            )
        frame.else_expr = seq


# ---------------------------------------------------------------------------------------------
# frame lookup
# ---------------------------------------------------------------------------------------------


def _function_frame(method: str) -> FunctionFrame:
    frame = IRBuilder.current().find_frame(FunctionFrame)
    if frame is None:
        raise IRError(f"{method} must be used inside a R.function")
    return frame


def _body_frame(builder: IRBuilder, method: str) -> BodyFrame:
    """The function body or branch that bindings made now go into."""
    top = builder.frames[-1] if builder.frames else None
    if isinstance(top, BodyFrame):
        return top
    if builder.find_frame(FunctionFrame) is None:
        raise IRError(f"{method} must be used inside a R.function")
    if isinstance(top, IfFrame):
        raise IRError(f"{method} inside R.If must be in a R.Then() or R.Else() frame")
    raise IRError(f"{method} cannot be used directly inside {top.kind}")


def _binding_bb(method: str) -> BlockBuilder:
    builder = IRBuilder.current()
    top = builder.frames[-1] if builder.frames else None
    if isinstance(top, DataflowFrame):
        return top.parent.bb
    return _body_frame(builder, method).bb


# ---------------------------------------------------------------------------------------------
# function
# ---------------------------------------------------------------------------------------------


def function(is_pure: bool = True, is_private: bool = False) -> FunctionFrame:
    """The frame of a Relax function (a local function inside another function's body)."""
    return FunctionFrame(is_pure, is_private)


def arg(name: str, struct_info: StructInfo) -> Var:
    """Add a parameter `name` of `struct_info`; its symbolic dims become defined."""
    frame = IRBuilder.current().last_frame(FunctionFrame)
    if frame is None:
        _function_frame("R.arg")
        raise IRError("R.arg must be used directly inside R.function, before its bindings")
    if not isinstance(struct_info, StructInfo):
        raise IRError(f"R.arg({name!r}, ...) needs struct info, got {type(struct_info).__name__}")
    var = Var(name, struct_info)
    frame.params.append(var)
    frame.bb.define_tir_vars(struct_info)
    return var


def func_name(name: str) -> None:
    frame = _function_frame("R.func_name")
    if frame.name is not None:
        raise IRError(f"R.func_name was already called for this function ({frame.name!r})")
    frame.name = name


def func_attr(attrs: dict[str, Any]) -> None:
    frame = _function_frame("R.func_attr")
    if not isinstance(attrs, dict):
        raise IRError(f"R.func_attr takes a dict, got {type(attrs).__name__}")
    for key, value in attrs.items():
        if key == "global_symbol" and frame.is_private:
            raise IRError("a private R.function cannot have a global_symbol attribute")
        if key in frame.attrs:
            raise IRError(f"R.func_attr: duplicate function attribute {key!r}")
        frame.attrs[key] = value


def func_ret_struct_info(struct_info: StructInfo) -> None:
    frame = _function_frame("R.func_ret_struct_info")
    if frame.ret_struct_info is not None:
        raise IRError("R.func_ret_struct_info was already called for this function")
    if not isinstance(struct_info, StructInfo):
        raise IRError(f"R.func_ret_struct_info needs struct info, got {type(struct_info).__name__}")
    frame.ret_struct_info = struct_info


def func_ret_value(value: RelaxExpr) -> RelaxExpr:
    """Set the function's return value (normalized; nested calls are bound first)."""
    builder = IRBuilder.current()
    top = builder.frames[-1] if builder.frames else None
    if isinstance(top, DataflowFrame):
        raise IRError("R.func_ret_value cannot be used inside a dataflow block")
    frame = _function_frame("R.func_ret_value")
    if top is not frame:
        raise IRError(f"R.func_ret_value must be used directly in the R.function body, not inside {top.kind}")
    if frame.output is not None:
        raise IRError("R.func_ret_value was already called for this function")
    frame.output = frame.bb.normalize(_as_relax(value))
    frame.block.closed_reason = "no bindings may follow R.func_ret_value in a function"
    return frame.output


# ---------------------------------------------------------------------------------------------
# blocks and bindings
# ---------------------------------------------------------------------------------------------


def dataflow() -> DataflowFrame:
    """The frame of a dataflow block."""
    return DataflowFrame()


def output(*vars: Var) -> None:
    """Mark the outputs of the current dataflow block (once, after its last binding)."""
    builder = IRBuilder.current()
    frame = builder.last_frame(DataflowFrame)
    if frame is None:
        raise IRError("R.output must be used directly inside a R.dataflow() block")
    if frame.block.closed_reason is not None:
        raise IRError("R.output was already called for this dataflow block")
    if len(vars) == 1 and isinstance(vars[0], (list, tuple)):
        vars = tuple(vars[0])
    for v in vars:
        if not isinstance(v, Var) or frame.block.defined.get(id(v)) is not v:
            name = getattr(v, "name_hint", type(v).__name__)
            raise IRError(f"R.output: {name!r} is not bound in this dataflow block")
    frame.outputs.extend(vars)
    frame.block.closed_reason = "no bindings may follow R.output in a dataflow block"


def emit(value: RelaxExpr, annotate_struct_info: StructInfo | None = None) -> Var:
    """Bind `value` (normalized) to a new var; `annotate_struct_info` is checked against the
    deduced struct info (and stands in for it when it cannot be deduced)."""
    return _binding_bb("R.emit").emit(_as_relax(value), annotate_struct_info)


def emit_match_cast(value: RelaxExpr, struct_info: StructInfo) -> Var:
    """Bind `value` cast to `struct_info`, defining the new symbolic vars it mentions."""
    return _binding_bb("R.emit_match_cast").emit_match_cast(_as_relax(value), struct_info)


def emit_var_binding(binding: VarBinding) -> Var:
    """Emit an existing binding; returns its var."""
    if not isinstance(binding, (VarBinding, MatchCast)):
        raise IRError(f"R.emit_var_binding takes a VarBinding, got {type(binding).__name__}")
    return _binding_bb("R.emit_var_binding").emit_binding(binding).var


def _as_relax(value: Any) -> RelaxExpr:
    if isinstance(value, PrimExpr):
        return PrimValue(value)
    if isinstance(value, (list, tuple)):
        return Tuple(tuple(_as_relax(v) for v in value))
    if not isinstance(value, RelaxExpr):
        raise IRError(f"expected a Relax expression, got {type(value).__name__}")
    return value


def If(condition: Any) -> IfFrame:
    return IfFrame(_as_relax(condition))


def Then() -> ThenFrame:
    return ThenFrame()


def Else() -> ElseFrame:
    return ElseFrame()


__all__ = [
    "DataflowFrame", "Else", "ElseFrame", "FunctionFrame", "If", "IfFrame", "Then", "ThenFrame", "arg",
    "dataflow", "emit", "emit_match_cast", "emit_var_binding", "func_attr", "func_name", "func_ret_struct_info",
    "func_ret_value", "function", "output",
]
