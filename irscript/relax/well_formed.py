"""Well-formedness rules of Relax functions, registered with the driver in
`irscript.ir.well_formed` for `relax.Function`.

Rules, each reported with the path of the offending node:

* vars: every Relax var is defined before use and in scope — params for the function,
  bindings for the rest of their SeqExpr, a var bound to a function also inside that
  function (recursion); DataflowVars only in their dataflow block (and only bound
  there; a parameter is never one); vars bound inside an If branch are not visible after
  the If; a nested function's vars are not visible outside it. Each var is bound once.
* symbolic vars (TIR vars in struct info, ShapeExpr, PrimValue, tir_vars, sinfo_args):
  defined where they first appear bare in a parameter's struct info (all parameters,
  before any parameter annotation is checked, as in TVM) or in a MatchCast's struct
  info; every other appearance is a use and must come after a definition.
* purity: no impure call inside a dataflow block (an Op whose `pure` attribute is False,
  an ExternFunc called directly, a module function with `is_pure=False`, a var whose
  FuncStructInfo is impure).
* module functions: every GlobalVar names a function of the module (when checking a
  module); `call_tir` / `call_tir_inplace` call a PrimFunc with as many parameters as
  arguments + outputs + tir_vars, and each tensor's dtype, rank and shape agree with the
  callee's buffer. Callee dims that are symbolic vars are bound to the caller's dims at
  their first appearance, consistently across all buffers; only provable mismatches are
  errors (with `irscript.tir.arith` when available, else constants and structural equality).
* the returned value's struct info does not contradict `ret_struct_info` (a less precise
  but compatible value is fine).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irscript.ir.dtype import DataType
from irscript.ir.expr import GlobalVar, PrimExpr, RelaxExpr, StructInfo
from irscript.ir.functor import Mutator, handles
from irscript.ir.op import Op
from irscript.ir.structural import structural_equal
from irscript.ir.well_formed import CheckContext, CheckVisitor, Definitions, attr_step, index_step, register_checker
from irscript.relax.expr import (
    BindingBlock,
    Call,
    DataflowBlock,
    DataflowVar,
    ExternFunc,
    Function,
    If,
    MatchCast,
    SeqExpr,
    ShapeExpr,
    Tuple,
    Var,
    VarBinding,
)
from irscript.relax.struct_info import (
    FuncStructInfo,
    ObjectStructInfo,
    PrimStructInfo,
    ShapeStructInfo,
    TensorStructInfo,
    TupleStructInfo,
)
from irscript.tir import expr as tx
from irscript.tir.function import PrimFunc

__all__ = ["check_relax_function", "format_struct_info", "register_call_check"]

_OUT_OF_SCOPE = {
    "dataflow": "dataflow variable '{}' is used outside its dataflow block",
    "branch": "variable '{}' is defined inside an if branch and used outside it",
    "function": "variable '{}' is used outside the function that defines it",
}
_OUT_OF_SCOPE_DEFAULT = "variable '{}' is used outside its scope"

_S_VAR = attr_step("var")
_S_SINFO = attr_step("struct_info")
_S_BODY = attr_step("body")
_S_ARGS = attr_step("args")


class _RelaxChecker(CheckVisitor):
    """One pass over a Relax function, keeping the Relax vars and symbolic vars in scope."""

    def __init__(self, ctx: CheckContext) -> None:
        super().__init__(ctx)
        self.vars = Definitions()
        self.sym = Definitions()
        self.in_dataflow = False

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

    @handles(tx.Var)
    def _use_sym(self, var: tx.Var) -> None:
        if id(var) not in self.sym.live:
            self.report_once(var, f"symbolic variable '{var.name_hint}' is used before it is defined")

    @handles(tx.IntImm, tx.FloatImm, tx.StringImm, Op, ExternFunc, FuncStructInfo)
    def _nothing(self, node: Any) -> None:
        pass

    @handles(GlobalVar)
    def _global_var(self, gv: GlobalVar) -> None:
        if self.ctx.has_module and self.ctx.lookup_function(gv.name_hint) is None:
            self.report(f"function '{gv.name_hint}' is not defined in the module")

    @handles(RelaxExpr)
    def _expr(self, node: RelaxExpr) -> None:
        # An expression's struct_info is derived; annotations are checked where they are declared.
        self.visit_children_except(node, "struct_info")

    def check_annotation(self, sinfo: StructInfo | None, *steps: Any) -> None:
        """Check the uses in a declared struct info (found at the current path plus `steps`)."""
        if sinfo is None or isinstance(sinfo, ObjectStructInfo):
            return
        if type(sinfo) is TensorStructInfo:  # the common case, checked without walking
            shape = sinfo.shape
            if shape is None or (type(shape) is ShapeExpr and self._dims_in_scope(shape.values)):
                return
        self.visit_at(sinfo, *steps)

    def _dims_in_scope(self, dims: tuple[PrimExpr, ...]) -> bool:
        live = self.sym.live
        for d in dims:
            t = type(d)
            if t is tx.IntImm or ((t is tx.Var or t is tx.SizeVar) and id(d) in live):
                continue
            return False
        return True

    def define_symbolic(self, sinfo: StructInfo | None, site: Any) -> None:
        """Define the symbolic vars appearing bare in `sinfo` and not yet in scope."""
        if isinstance(sinfo, TensorStructInfo):
            dims = sinfo.values
        elif isinstance(sinfo, ShapeStructInfo):
            dims = sinfo.values
        elif isinstance(sinfo, PrimStructInfo):
            dims = (sinfo.value,)
        elif isinstance(sinfo, TupleStructInfo):
            for field in sinfo.fields:
                self.define_symbolic(field, site)
            return
        else:
            return
        for dim in dims or ():
            if isinstance(dim, tx.Var) and id(dim) not in self.sym.live:
                self.sym.define(dim, site)

    # bindings ---------------------------------------------------------------------------------------
    def bind(self, var: Var, site: Any, dataflow: bool) -> None:
        """Define a binding's var (at `.var`): DataflowVars in the dataflow block's frame,
        other vars in the enclosing SeqExpr's frame."""
        if isinstance(var, DataflowVar):
            frame = -1
            if not dataflow:
                self.report(f"dataflow variable '{var.name_hint}' is bound outside a dataflow block", _S_VAR)
        else:
            frame = -2 if dataflow else -1
        if not self.vars.define(var, site, frame=frame):
            self.report(f"variable '{var.name_hint}' is defined twice", _S_VAR)

    def _var_binding(self, b: VarBinding, dataflow: bool) -> None:
        if isinstance(b.value, Function):  # a local function may call itself
            self.bind(b.var, b, dataflow)
            self.visit_field(b, "value")
        else:
            self.visit_field(b, "value")
            self.bind(b.var, b, dataflow)
        self.check_annotation(b.var.struct_info, _S_VAR, _S_SINFO)

    def _match_cast(self, b: MatchCast, dataflow: bool) -> None:
        self.visit_field(b, "value")
        self.define_symbolic(b.struct_info, b)
        self.check_annotation(b.struct_info, _S_SINFO)
        self.bind(b.var, b, dataflow)
        if b.var.struct_info is not b.struct_info:
            self.check_annotation(b.var.struct_info, _S_VAR, _S_SINFO)

    @handles(BindingBlock)
    def _binding_block(self, block: BindingBlock) -> None:
        dataflow = isinstance(block, DataflowBlock)
        outer = self.in_dataflow
        if dataflow:
            self.vars.push("dataflow")
            self.in_dataflow = True
        steps = self.path_steps
        steps.append(attr_step("bindings"))
        for i, b in enumerate(block.bindings):
            steps.append(index_step(i))
            if isinstance(b, VarBinding):
                self._var_binding(b, dataflow)
            elif isinstance(b, MatchCast):
                self._match_cast(b, dataflow)
            else:
                self.visit(b)
            steps.pop()
        steps.pop()
        if dataflow:
            self.vars.pop()
            self.in_dataflow = outer

    def visit_seq(self, seq: SeqExpr, kind: str) -> None:
        """Visit a SeqExpr (at the current path) whose bindings close with `kind`."""
        self.vars.push(kind)
        self.visit_field(seq, "blocks")
        self.visit_field(seq, "body")
        self.vars.pop()

    @handles(SeqExpr)
    def _seq(self, seq: SeqExpr) -> None:
        self.visit_seq(seq, "scope")

    @handles(If)
    def _if(self, node: If) -> None:
        self.visit_field(node, "cond")
        for name in ("true_branch", "false_branch"):
            branch = getattr(node, name)
            self.path_steps.append(attr_step(name))
            if isinstance(branch, SeqExpr):
                self.visit_seq(branch, "branch")
            else:
                self.visit(branch)
            self.path_steps.pop()

    # calls --------------------------------------------------------------------------------------------
    @handles(Call)
    def _call(self, call: Call) -> None:
        self.visit_field(call, "op")
        self.visit_field(call, "args")
        for i, sinfo in enumerate(call.sinfo_args):
            self.check_annotation(sinfo, attr_step("sinfo_args"), index_step(i))
        if self.in_dataflow:
            name = self._impure_callee(call.op)
            if name is not None:
                self.report(f"impure call to '{name}' inside a dataflow block")
        check = _CALL_CHECKS.get(call.op) if isinstance(call.op, Op) else None
        if check is not None:
            check(self, call)

    def _impure_callee(self, op: RelaxExpr) -> str | None:
        """How to name the callee if calling it is impure, else None."""
        if isinstance(op, Op):
            if Op.is_registered(op.name) and op.get_attr("pure", True) is False:
                return op_script_name(op)
        elif isinstance(op, ExternFunc):
            sinfo = op.struct_info
            if not (isinstance(sinfo, FuncStructInfo) and sinfo.purity):
                return f'R.call_packed("{op.global_symbol}")'
        elif isinstance(op, GlobalVar):
            func = self.ctx.lookup_function(op.name_hint)
            if isinstance(func, Function) and not func.is_pure:
                return f"cls.{op.name_hint}"
        elif isinstance(op, Var):
            sinfo = op.struct_info
            if isinstance(sinfo, FuncStructInfo) and not sinfo.purity:
                return op.name_hint
        return None

    # functions ------------------------------------------------------------------------------------------
    @handles(Function)
    def _function(self, fn: Function) -> None:
        outer = self.in_dataflow
        self.in_dataflow = False
        self.vars.push("function")
        self.sym.push("function")
        s_params = attr_step("params")
        for p in fn.params:
            self.define_symbolic(p.struct_info, fn)
        for i, p in enumerate(fn.params):
            if isinstance(p, DataflowVar):
                self.report(f"function parameter '{p.name_hint}' is a dataflow variable", s_params, index_step(i))
            if not self.vars.define(p, fn):
                self.report(f"variable '{p.name_hint}' is defined twice", s_params, index_step(i))
        for i, p in enumerate(fn.params):
            self.check_annotation(p.struct_info, s_params, index_step(i), _S_SINFO)
        self.path_steps.append(_S_BODY)
        if isinstance(fn.body, SeqExpr):
            self.visit_seq(fn.body, "function")
        else:
            self.visit(fn.body)
        self.path_steps.pop()
        self._check_return(fn)
        self.sym.pop()
        self.vars.pop()
        self.in_dataflow = outer

    def _check_return(self, fn: Function) -> None:
        value, steps = fn.body, [_S_BODY]
        if isinstance(value, SeqExpr):
            value, steps = value.body, [_S_BODY, _S_BODY]
        got = getattr(value, "struct_info", None)
        want = fn.ret_struct_info
        if got is not None and want is not None and sinfo_conflict(got, want):
            self.report(
                f"the function returns {format_struct_info(got)} but is annotated {format_struct_info(want)}",
                *steps,
            )


def check_relax_function(func: Function, ctx: CheckContext) -> None:
    """Report the well-formedness problems of `func` to `ctx`."""
    _RelaxChecker(ctx).visit(func)


register_checker(Function, check_relax_function)


# ---------------------------------------------------------------------------------------------
# per-op call checks
# ---------------------------------------------------------------------------------------------
CallCheck = Callable[[_RelaxChecker, Call], None]
_CALL_CHECKS: dict[Op, CallCheck] = {}


def register_call_check(op: Op, fn: CallCheck) -> CallCheck:
    """Run `fn(checker, call)` on every call of `op` (the checker's path is at the call;
    report with `checker.report(message, *steps)`)."""
    _CALL_CHECKS[op] = fn
    return fn


def op_script_name(op: Op) -> str:
    """How a script names an op: its `script_name` attribute, else `relax.x` as `R.x`."""
    name = op.get_attr("script_name") if Op.is_registered(op.name) else None
    if isinstance(name, str):
        return name
    return "R." + op.name[len("relax."):] if op.name.startswith("relax.") else op.name


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class _CallTir:
    """The facts of one call_tir / call_tir_inplace call checked against its callee."""

    def __init__(self, checker: _RelaxChecker, call: Call, inplace: bool) -> None:
        self.checker = checker
        self.call = call
        self.opname = "call_tir_inplace" if inplace else "call_tir"
        self.inplace = inplace
        self.name = ""  # the callee's name, once known
        self.func: PrimFunc | None = None

    def run(self) -> None:
        call, checker = self.call, self.checker
        if len(call.args) < 2:
            checker.report(f"{self.opname} needs a callee and a tuple of arguments")
            return
        callee = call.args[0]
        if not isinstance(callee, GlobalVar):
            checker.report(f"the callee of {self.opname} must be a module function", _S_ARGS, index_step(0))
            return
        func = checker.ctx.lookup_function(callee.name_hint)
        if func is None:  # not a module (nothing to check against) or reported by the GlobalVar check
            return
        self.name = callee.name_hint
        if not isinstance(func, PrimFunc):
            checker.report(f"{self.opname} callee '{self.name}' is not a PrimFunc", _S_ARGS, index_step(0))
            return
        self.func = func
        args = self._arguments()
        outs = self._outputs(len(args) if args is not None else None)
        tir_vars = self._tir_vars()
        if args is None or outs is None or tir_vars is None:
            return
        passed, in_place = outs
        if not self._check_count(args, passed, tir_vars):
            return
        params = func.params
        items = [(s, st, params[i], f"argument {i}") for i, (s, st) in enumerate(args)]
        items += [(s, st, params[len(args) + k], f"output {j}") for k, (j, s, st) in enumerate(passed)]
        items += [(s, st, params[a], f"output {j}") for j, s, st, a in in_place]
        first_var = len(args) + len(passed)
        self._check_buffers(items, {id(params[first_var + k]): v for k, v in enumerate(tir_vars)})

    def _arguments(self) -> list[tuple[StructInfo | None, tuple]] | None:
        tup = self.call.args[1]
        base = (_S_ARGS, index_step(1))
        if isinstance(tup, Tuple):
            return [(f.struct_info, base + (attr_step("fields"), index_step(i))) for i, f in enumerate(tup.fields)]
        sinfo = tup.struct_info
        if isinstance(sinfo, TupleStructInfo):
            return [(s, base) for s in sinfo.fields]
        return None

    def _outputs(self, n_args: int | None) -> tuple[list, list] | None:
        """(passed outputs as (index, sinfo, steps), in-place outputs as (index, sinfo, steps, arg))."""
        call = self.call
        if not call.sinfo_args:
            self.checker.report(f"{self.opname} to '{self.name}' has no output struct info")
            return None
        out = call.sinfo_args[0]
        base = (attr_step("sinfo_args"), index_step(0))
        if isinstance(out, TupleStructInfo):
            outs = [(s, base + (attr_step("fields"), index_step(j))) for j, s in enumerate(out.fields)]
        else:
            outs = [(out, base)]
        if not self.inplace:
            return [(j, s, st) for j, (s, st) in enumerate(outs)], []
        indices = call.attrs.get("inplace_indices", ())
        indices = (indices,) if isinstance(indices, int) else tuple(indices)
        if len(indices) != len(outs):
            self.checker.report(
                f"call_tir_inplace to '{self.name}' has {_plural(len(outs), 'output', 'outputs')}"
                f" but {_plural(len(indices), 'in-place index', 'in-place indices')}"
            )
            return None
        passed, in_place = [], []
        for j, ((s, st), a) in enumerate(zip(outs, indices)):
            if a == -1:
                passed.append((j, s, st))
            elif n_args is not None and not 0 <= a < n_args:
                self.checker.report(
                    f"call_tir_inplace output {j} is in place on argument {a}, but there are only"
                    f" {_plural(n_args, 'argument', 'arguments')}"
                )
                return None
            else:
                in_place.append((j, s, st, a))
        return passed, in_place

    def _tir_vars(self) -> tuple[PrimExpr, ...] | None:
        if len(self.call.args) < 3:
            return ()
        shape = self.call.args[2]
        if isinstance(shape, ShapeExpr):
            return shape.values
        sinfo = shape.struct_info
        if isinstance(sinfo, ShapeStructInfo) and sinfo.values is not None:
            return sinfo.values
        return None

    def _check_count(self, args: list, passed: list, tir_vars: tuple) -> bool:
        n = len(args) + len(passed) + len(tir_vars)
        if n == len(self.func.params):
            return True
        what = [_plural(len(args), "argument", "arguments"), _plural(len(passed), "output", "outputs")]
        if tir_vars:
            what.append(_plural(len(tir_vars), "tir_var", "tir_vars"))
        passes = ", ".join(what[:-1]) + " and " + what[-1]
        takes = _plural(len(self.func.params), "parameter", "parameters")
        self.checker.report(f"{self.opname} to '{self.name}' passes {passes}, but the PrimFunc takes {takes}")
        return False

    def _check_buffers(self, items: list, bindings: dict[int, PrimExpr]) -> None:
        buffer_map = {id(k): b for k, b in self.func.buffer_map.items()}
        pairs = []
        for sinfo, steps, param, label in items:
            buf = buffer_map.get(id(param))
            if buf is not None and isinstance(sinfo, TensorStructInfo):
                pairs.append((sinfo, steps, buf, label))
        for sinfo, _, buf, _ in pairs:  # bind the callee's symbolic dims at first appearance
            dims = sinfo.values
            if dims is not None and len(dims) == len(buf.shape):
                for want, got in zip(buf.shape, dims):
                    if isinstance(want, tx.Var) and id(want) not in bindings:
                        bindings[id(want)] = got
        subst = _Substitute(bindings)
        for sinfo, steps, buf, label in pairs:
            message = self._buffer_mismatch(sinfo, buf, label, subst)
            if message is not None:
                self.checker.report(message, *steps)

    def _buffer_mismatch(self, sinfo: TensorStructInfo, buf: Any, label: str, subst: _Substitute) -> str | None:
        where = f"buffer '{buf.name}' of '{self.name}' expects"
        if not sinfo.dtype.is_void and sinfo.dtype != buf.dtype:
            return f"{self.opname} {label} has dtype {sinfo.dtype} but {where} {buf.dtype}"
        ndim = len(buf.shape)
        if sinfo.ndim != -1 and sinfo.ndim != ndim:
            return f"{self.opname} {label} has {_plural(sinfo.ndim, 'dimension', 'dimensions')} but {where} {ndim}"
        dims = sinfo.values
        if dims is None:
            return None
        expected = [subst.apply(d) for d in buf.shape]
        if any(provably_different(w, g) for w, g in zip(expected, dims)):
            return f"{self.opname} {label} has shape {format_shape(dims)} but {where} {format_shape(expected)}"
        return None


class _Substitute(Mutator):
    """Callee dims in the caller's terms: the callee's symbolic vars replaced by the values
    bound to them, arithmetic rebuilt in int64 (Relax shapes are int64, PrimFunc shapes may be
    int32); other sub-expressions are kept whole, as opaque atoms."""

    def __init__(self, bindings: dict[int, PrimExpr]) -> None:
        super().__init__()
        self.bindings = bindings

    def apply(self, dim: PrimExpr) -> PrimExpr:
        if isinstance(dim, tx.Var):  # a bare dim takes the caller's value as it is
            return self.bindings.get(id(dim), dim)
        return self.visit(dim)

    @handles(tx.Var)
    def _var(self, var: tx.Var) -> PrimExpr:
        return _as_dtype(self.bindings.get(id(var), var), _INT64)

    @handles(tx.IntImm)
    def _int(self, imm: tx.IntImm) -> PrimExpr:
        return imm if imm.dtype.is_bool else _as_dtype(imm, _INT64)

    @handles(tx.Add, tx.Sub, tx.Mul, tx.FloorDiv, tx.FloorMod, tx.Min, tx.Max)
    def _arith(self, node: tx.BinaryOp) -> PrimExpr:
        a, b = self.visit(node.a), self.visit(node.b)
        if a.dtype != _INT64 or b.dtype != _INT64:
            return _as_dtype(node, _INT64)
        return type(node)(a, b)

    @handles(PrimExpr)
    def _opaque(self, node: PrimExpr) -> PrimExpr:
        return _as_dtype(node, _INT64) if node.dtype.is_integer else node


_INT64 = DataType("int64")


def _as_dtype(e: PrimExpr, dtype: Any) -> PrimExpr:
    if e.dtype == dtype:
        return e
    if isinstance(e, tx.IntImm):
        return tx.IntImm(dtype, e.value)
    return tx.Cast(dtype, e)


def _check_call_tir(checker: _RelaxChecker, call: Call) -> None:
    _CallTir(checker, call, inplace=False).run()


def _check_call_tir_inplace(checker: _RelaxChecker, call: Call) -> None:
    _CallTir(checker, call, inplace=True).run()


register_call_check(Op.get("relax.call_tir"), _check_call_tir)
register_call_check(Op.get("relax.call_tir_inplace"), _check_call_tir_inplace)


# ---------------------------------------------------------------------------------------------
# comparing struct info and dims
# ---------------------------------------------------------------------------------------------
_ANALYZER: Any = None


def _analyzer() -> Any:
    """The integer analyzer of `irscript.tir.arith`, or False when it is not available."""
    global _ANALYZER
    if _ANALYZER is None:
        try:
            from irscript.tir.arith import Analyzer
        except ImportError:
            _ANALYZER = False
        else:
            _ANALYZER = Analyzer()
    return _ANALYZER


def provably_different(a: PrimExpr, b: PrimExpr) -> bool:
    """Whether two integer dims are provably unequal (unknown counts as equal)."""
    if isinstance(a, tx.IntImm) and isinstance(b, tx.IntImm):
        return a.value != b.value
    if a is b or structural_equal(a, b, map_free_vars=False):
        return False
    analyzer = _analyzer()
    if not analyzer:
        return False
    try:
        diff = analyzer.simplify(tx.Sub(_as_dtype(a, "int64"), _as_dtype(b, "int64")))
    except Exception:  # an expression the analyzer cannot handle proves nothing
        return False
    return isinstance(diff, tx.IntImm) and diff.value != 0


def sinfo_conflict(got: StructInfo, want: StructInfo) -> bool:
    """Whether a value of struct info `got` provably cannot have struct info `want`."""
    if isinstance(want, ObjectStructInfo) or isinstance(got, ObjectStructInfo):
        return False
    if type(got) is not type(want):
        return True
    if isinstance(got, TensorStructInfo):
        if not got.dtype.is_void and not want.dtype.is_void and got.dtype != want.dtype:
            return True
        return _dims_conflict(got.ndim, got.values, want.ndim, want.values)
    if isinstance(got, ShapeStructInfo):
        return _dims_conflict(got.ndim, got.values, want.ndim, want.values)
    if isinstance(got, PrimStructInfo):
        if got.dtype != want.dtype:
            return True
        return got.value is not None and want.value is not None and provably_different(got.value, want.value)
    if isinstance(got, TupleStructInfo):
        if len(got.fields) != len(want.fields):
            return True
        return any(sinfo_conflict(g, w) for g, w in zip(got.fields, want.fields))
    return False


def _dims_conflict(ndim_a: int, dims_a: Any, ndim_b: int, dims_b: Any) -> bool:
    if ndim_a != -1 and ndim_b != -1 and ndim_a != ndim_b:
        return True
    if dims_a is None or dims_b is None:
        return False
    return any(provably_different(a, b) for a, b in zip(dims_a, dims_b))


# ---------------------------------------------------------------------------------------------
# formatting for messages
# ---------------------------------------------------------------------------------------------
_BINARY = {
    tx.Add: ("+", 1), tx.Sub: ("-", 1), tx.Mul: ("*", 2), tx.FloorDiv: ("//", 2), tx.FloorMod: ("%", 2),
    tx.Div: ("/", 2),
}
_CALLS = {tx.Min: "T.min", tx.Max: "T.max", tx.Mod: "T.truncmod"}


def format_dim(e: PrimExpr) -> str:
    """A dim as the script writes it: `n`, `4`, `n * 2 + 1`."""
    return _fmt(e, 0)


def _fmt(e: PrimExpr, outer: int) -> str:
    if isinstance(e, tx.IntImm):
        return str(bool(e.value)) if e.dtype.is_bool else str(e.value)
    if isinstance(e, tx.Var):
        return e.name_hint
    if isinstance(e, tx.FloatImm):
        return repr(e.value)
    spec = _BINARY.get(type(e))
    if spec is not None:
        sym, level = spec
        # The right operand binds tighter: `a - (b - c)` keeps its parentheses.
        text = f"{_fmt(e.a, level)} {sym} {_fmt(e.b, level + 1)}"
        return f"({text})" if level < outer else text
    name = _CALLS.get(type(e))
    if name is not None:
        return f"{name}({_fmt(e.a, 0)}, {_fmt(e.b, 0)})"
    if isinstance(e, tx.Cast):
        return _fmt(e.value, outer)
    return getattr(e, "type_key", None) or type(e).__name__


def format_shape(dims: Any) -> str:
    parts = [format_dim(d) for d in dims]
    return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"


def format_struct_info(s: StructInfo | None) -> str:
    """Struct info as a script annotation: `R.Tensor((n, 10), "float32")`, `R.Tuple(...)`."""
    if isinstance(s, TensorStructInfo):
        dtype = None if s.dtype.is_void else f'"{s.dtype}"'
        if s.values is not None:
            shape = format_shape(s.values)
        elif isinstance(s.shape, Var):
            shape = s.shape.name_hint
        else:
            parts = ([f"ndim={s.ndim}"] if s.ndim != -1 else []) + ([f"dtype={dtype}"] if dtype else [])
            return f"R.Tensor({', '.join(parts)})" if parts else "R.Tensor"
        return f"R.Tensor({shape}, {dtype})" if dtype else f"R.Tensor({shape})"
    if isinstance(s, ShapeStructInfo):
        if s.values is not None:
            return f"R.Shape([{', '.join(format_dim(d) for d in s.values)}])"
        return f"R.Shape(ndim={s.ndim})" if s.ndim != -1 else "R.Shape"
    if isinstance(s, PrimStructInfo):
        return f"R.Prim(value={format_dim(s.value)})" if s.value is not None else f'R.Prim("{s.dtype}")'
    if isinstance(s, TupleStructInfo):
        return f"R.Tuple({', '.join(format_struct_info(f) for f in s.fields)})"
    if isinstance(s, FuncStructInfo):
        return "R.Callable"
    return "R.Object"
