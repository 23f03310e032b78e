"""The Relax evaluator: bindings over numpy values, with handlers registered per node class.

Bindings run in order (dataflow blocks like plain blocks); after each
`VarBinding` the value is checked against the var's struct info (dtype, rank
and every dim whose symbolic vars are bound), and a `MatchCast` checks and
binds new symbolic vars. Function calls (module functions, local functions
with the outer values they use, recursion) open a scope in one `ScopedTable`
holding Relax vars and TIR vars alike. Values: see `irscript.interp.values`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irscript.errors import Error
from irscript.interp.errors import add_note, fail
from irscript.interp.registry import packed_function, register_relax, relax_handler
from irscript.interp.relax_match import eval_prim, match_all
from irscript.interp.tir_func import TIRRunner
from irscript.interp.values import Closure, FuncRef, PackedFunc, ShapeTuple, describe, scalar
from irscript.ir.expr import GlobalVar
from irscript.ir.functor import pre_order
from irscript.ir.module import IRModule
from irscript.ir.path import ObjectPath
from irscript.ir.scope import ScopedTable
from irscript.relax import expr as X
from irscript.relax.struct_info import PrimStructInfo, ShapeStructInfo, TensorStructInfo, TupleStructInfo
from irscript.relax.struct_info_relations import show_struct_info
from irscript.tir.expr import Var as TirVar
from irscript.tir.function import PrimFunc

__all__ = ["RelaxInterpreter", "normalize_result", "read_only"]


def read_only(value: Any) -> Any:
    """A read-only view of an array (tuples recursively); other values unchanged."""
    if isinstance(value, np.ndarray):
        if not value.flags.writeable:
            return value
        v = value.view()
        v.flags.writeable = False
        return v
    if isinstance(value, tuple) and not isinstance(value, ShapeTuple):
        return tuple(read_only(v) for v in value)
    return value


def normalize_result(value: Any, sinfo: Any) -> Any:
    """A kernel's result in the interpreter's value conventions, guided by the struct info."""
    if isinstance(sinfo, TensorStructInfo):
        return value if isinstance(value, np.ndarray) else np.asarray(value)
    if isinstance(sinfo, TupleStructInfo) and isinstance(value, (tuple, list)):
        fields = sinfo.fields
        return tuple(normalize_result(v, fields[i] if i < len(fields) else None) for i, v in enumerate(value))
    if isinstance(sinfo, ShapeStructInfo) and isinstance(value, (tuple, list)):
        return ShapeTuple(int(v) for v in value)
    if isinstance(sinfo, PrimStructInfo) and isinstance(value, (int, float, bool, np.generic)):
        return scalar(value, sinfo.dtype)
    if isinstance(value, list):
        return tuple(value)
    return value


class RelaxInterpreter:
    """Runs the Relax functions of `module`; PrimFuncs go to `tir`."""

    def __init__(self, module: IRModule, tir: TIRRunner) -> None:
        self.module = module
        self.tir = tir
        self.table: ScopedTable = ScopedTable()
        self._free: dict[int, tuple[Any, list[Any]]] = {}
        self._consts: dict[int, tuple[Any, np.ndarray]] = {}

    # -- evaluation ------------------------------------------------------------------------------
    def eval(self, expr: Any, path: ObjectPath) -> Any:
        handler = relax_handler(type(expr))
        if handler is None:
            raise fail(f"the interpreter cannot evaluate a {getattr(expr, 'type_key', type(expr).__name__)}", path)
        return handler(self, expr, path)

    def lookup(self, var: Any, path: ObjectPath) -> Any:
        stack = self.table._stacks.get(var)
        if not stack:
            raise fail(f"var {getattr(var, 'name_hint', var)!r} is used before it has a value", path)
        return stack[-1]

    def prim(self, e: Any, path: ObjectPath) -> Any:
        value = eval_prim(e, self.table)
        if value is None:
            names = ", ".join(v.name_hint for v in pre_order(e) if isinstance(v, TirVar) and v not in self.table)
            raise fail(f"symbolic var(s) {names} have no value here", path)
        return value

    def constant(self, node: X.Constant) -> np.ndarray:
        hit = self._consts.get(id(node))
        if hit is None or hit[0] is not node:
            hit = (node, read_only(np.asarray(node.data)))
            self._consts[id(node)] = hit
        return hit[1]

    # -- functions -------------------------------------------------------------------------------
    def function_of(self, name: str, path: ObjectPath) -> Any:
        func = self.tir.functions.get(name)
        if func is None:
            raise fail(f"the module has no function named {name!r}", path)
        return func

    def call_function(self, func: X.Function, args: list[Any], name: str, path: ObjectPath,
                      captured: dict | None = None, what: str = "") -> Any:
        """Run a Relax function on `args` (checked against its parameters) in a new scope."""
        params = func.params
        if len(args) != len(params):
            raise fail(f"function {name!r} takes {len(params)} argument(s), got {len(args)}", path)
        table = self.table
        table.push()
        try:
            for k, v in (captured or {}).items():
                table.define(k, v)
            items = [(p.struct_info, a, f"argument {p.name_hint!r}") for p, a in zip(params, args)]
            bad = match_all(items, table, bind=True)
            if bad is not None:
                p = params[bad.index]
                raise fail(f"{what or name}: argument {p.name_hint!r} (#{bad.index}) expects "
                           f"{show_struct_info(p.struct_info)}, got {describe(args[bad.index])}: {bad.reason}",
                           path.attr("params").index(bad.index))
            for p, a in zip(params, args):
                table.define(p, a)
            result = self.eval(func.body, path.attr("body"))
            bad = match_all([(func.ret_struct_info, result, "")], table, bind=False)
            if bad is not None:
                raise fail(f"function {name!r} returns {describe(result)}, but declares "
                           f"{show_struct_info(func.ret_struct_info)}: {bad.reason}", path.attr("ret_struct_info"))
            return result
        finally:
            table.pop()

    def apply(self, callee: Any, args: list[Any], path: ObjectPath, sinfo: Any = None) -> Any:
        """Call a function value."""
        if isinstance(callee, FuncRef):
            func = self.function_of(callee.name, path)
            fpath = self.tir.paths[callee.name]
            if isinstance(func, PrimFunc):
                return self._call_prim_func(callee.name, args, path)
            try:
                return self.call_function(func, args, callee.name, fpath)
            except Error as err:
                raise add_note(err, f"called from {path}") from None
        if isinstance(callee, Closure):
            try:
                return self.call_function(callee.func, args, callee.name, callee.path, callee.captured)
            except Error as err:
                raise add_note(err, f"called from {path}") from None
        if isinstance(callee, PackedFunc):
            return normalize_result(call_library(callee.name, callee.fn, args, path), sinfo)
        raise fail(f"cannot call {describe(callee)}", path)

    def _call_prim_func(self, name: str, args: list[Any], path: ObjectPath) -> Any:
        try:
            return self.tir.call(name, args)
        except Error as err:
            raise add_note(err, f"called from {path}") from None

    def closure(self, func: X.Function, path: ObjectPath, name: str) -> Closure:
        """A local function value with the current values of the outer vars it uses."""
        hit = self._free.get(id(func))
        if hit is None or hit[0] is not func:
            params = {id(p) for p in func.params}
            used = [n for n in pre_order(func) if isinstance(n, (X.Var, TirVar)) and id(n) not in params]
            hit = (func, used)
            self._free[id(func)] = hit
        table = self.table
        captured = {v: table[v] for v in hit[1] if v in table}
        return Closure(func, captured, path, name)


def call_library(name: str, fn: Any, args: list[Any], path: ObjectPath) -> Any:
    """Call a registered library function, turning foreign exceptions into ExecutionErrors."""
    try:
        return fn(*args)
    except Error:
        raise
    except RecursionError:
        raise
    except Exception as exc:
        raise fail(f"library function {name!r} raised {type(exc).__name__}: {exc}", path) from exc


def resolve_library(name: str, path: ObjectPath) -> PackedFunc:
    fn = packed_function(name)
    if fn is None:
        raise fail(f"no library function {name!r} is registered (register one with "
                   "@irscript.interp.register_func)", path)
    return PackedFunc(name, fn)


# ---------------------------------------------------------------------------------------------
# expression handlers
# ---------------------------------------------------------------------------------------------
@register_relax(X.Var)
def _var(interp: RelaxInterpreter, e: X.Var, path: ObjectPath) -> Any:
    return interp.lookup(e, path)


@register_relax(X.Constant)
def _constant(interp: RelaxInterpreter, e: X.Constant, path: ObjectPath) -> Any:
    return interp.constant(e)


@register_relax(X.Tuple)
def _tuple(interp: RelaxInterpreter, e: X.Tuple, path: ObjectPath) -> Any:
    fp = path.attr("fields")
    return tuple(interp.eval(f, fp.index(i)) for i, f in enumerate(e.fields))


@register_relax(X.TupleGetItem)
def _get_item(interp: RelaxInterpreter, e: X.TupleGetItem, path: ObjectPath) -> Any:
    value = interp.eval(e.tuple_value, path.attr("tuple_value"))
    if not isinstance(value, tuple) or isinstance(value, ShapeTuple):
        raise fail(f"item {e.index} of {describe(value)}: not a tuple", path)
    if not 0 <= e.index < len(value):
        raise fail(f"item {e.index} of a tuple of {len(value)}", path)
    return value[e.index]


@register_relax(X.ShapeExpr)
def _shape(interp: RelaxInterpreter, e: X.ShapeExpr, path: ObjectPath) -> Any:
    return ShapeTuple(int(interp.prim(d, path)) for d in e.values)


@register_relax(X.PrimValue)
def _prim_value(interp: RelaxInterpreter, e: X.PrimValue, path: ObjectPath) -> Any:
    return scalar(interp.prim(e.value, path), e.value.dtype)


@register_relax(X.StringImm, X.DataTypeImm)
def _immediate(interp: RelaxInterpreter, e: Any, path: ObjectPath) -> Any:
    return e.value


@register_relax(X.ExternFunc)
def _extern_func(interp: RelaxInterpreter, e: X.ExternFunc, path: ObjectPath) -> Any:
    return resolve_library(e.global_symbol, path)


@register_relax(GlobalVar)
def _global_var(interp: RelaxInterpreter, e: GlobalVar, path: ObjectPath) -> Any:
    interp.function_of(e.name_hint, path)
    return FuncRef(e.name_hint)


@register_relax(X.Function)
def _function(interp: RelaxInterpreter, e: X.Function, path: ObjectPath) -> Any:
    return interp.closure(e, path, "local function")


@register_relax(X.If)
def _if(interp: RelaxInterpreter, e: X.If, path: ObjectPath) -> Any:
    cond = interp.eval(e.cond, path.attr("cond"))
    if isinstance(cond, np.ndarray):
        if cond.ndim != 0:
            raise fail(f"the condition of an `if` must be a scalar, got {describe(cond)}", path.attr("cond"))
        cond = cond[()]
    if not isinstance(cond, (bool, np.bool_, np.integer, int)):
        raise fail(f"the condition of an `if` must be a boolean scalar, got {describe(cond)}", path.attr("cond"))
    if cond:
        return interp.eval(e.true_branch, path.attr("true_branch"))
    return interp.eval(e.false_branch, path.attr("false_branch"))


@register_relax(X.SeqExpr)
def _seq(interp: RelaxInterpreter, e: X.SeqExpr, path: ObjectPath) -> Any:
    bp = path.attr("blocks")
    for i, block in enumerate(e.blocks):
        lp = bp.index(i).attr("bindings")
        for j, binding in enumerate(block.bindings):
            interp.eval(binding, lp.index(j))
    return interp.eval(e.body, path.attr("body"))


# ---------------------------------------------------------------------------------------------
# bindings
# ---------------------------------------------------------------------------------------------
def _binding_error(err: Error, var: Any, path: ObjectPath) -> Error:
    if err.path is None:
        err.path = path
        return err
    return add_note(err, f"in the binding of {var.name_hint!r} at {path}")


@register_relax(X.VarBinding)
def _var_binding(interp: RelaxInterpreter, b: X.VarBinding, path: ObjectPath) -> None:
    var = b.var
    try:
        value = interp.eval(b.value, path.attr("value"))
    except Error as err:
        raise _binding_error(err, var, path) from None
    except RecursionError:
        raise fail(f"binding {var.name_hint!r}: recursion too deep", path) from None
    if isinstance(value, Closure) and isinstance(b.value, X.Function):
        value.name = var.name_hint
        if any(v is var for v in interp._free[id(b.value)][1]):
            value.captured[var] = value  # a recursive local function sees itself
    sinfo = var.struct_info
    if sinfo is not None:
        bad = match_all([(sinfo, value, "")], interp.table, bind=False)
        if bad is not None:
            raise fail(f"binding {var.name_hint!r}: the value is {describe(value)}, but its struct info is "
                       f"{show_struct_info(sinfo)}: {bad.reason}", path)
    interp.table.define(var, value)


@register_relax(X.MatchCast)
def _match_cast(interp: RelaxInterpreter, b: X.MatchCast, path: ObjectPath) -> None:
    var = b.var
    try:
        value = interp.eval(b.value, path.attr("value"))
    except Error as err:
        raise _binding_error(err, var, path) from None
    bad = match_all([(b.struct_info, value, "")], interp.table, bind=True)
    if bad is not None:
        raise fail(f"match_cast of {var.name_hint!r}: the value is {describe(value)}, which does not match "
                   f"{show_struct_info(b.struct_info)}: {bad.reason}", path)
    interp.table.define(var, value)
