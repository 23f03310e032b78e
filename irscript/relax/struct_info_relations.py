"""Relations between Relax struct infos, used by the normalizer and by checks.

* `struct_info_base_check(base, derived)`: PASS when every value `derived`
  describes is described by `base`; FAIL_L0 on a contradiction; FAIL_L1 when
  it cannot be decided statically (symbolic dims, unknown parts) — as in TVM.
* `refine_struct_info(deduced, annotation)`: an annotation checked against a
  deduced struct info; the more specific of the two.
* `join_struct_info(a, b)`: the most specific struct info of both (an If).
* `erase_to_well_defined(sinfo, keep)`: forget parts that mention TIR vars
  out of scope.
* `derive_call_ret_struct_info(finfo, call)`: a call's return struct info with
  the callee's symbolic parameters replaced by the argument dims.
* substitution of TIR vars and Relax vars; `show_struct_info` for messages.

Dims are compared with `prove_equal` / `prove_not_equal`, which use the integer
simplifier (`irscript.tir.arith`) with every shape var taken as non-negative;
`simplify_dim` puts a dim expression in canonical form.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import PrimExpr, StructInfo
from irscript.ir.functor import Mutator, handles, pre_order
from irscript.ir.structural import structural_equal
from irscript.relax.expr import Call, Function, Var
from irscript.relax.struct_info import (
    FuncStructInfo,
    ObjectStructInfo,
    PrimStructInfo,
    ShapeStructInfo,
    TensorStructInfo,
    TupleStructInfo,
)
from irscript.tir.expr import IntImm
from irscript.tir.expr import Var as TirVar

# ---------------------------------------------------------------------------------------------
# deciding dims
# ---------------------------------------------------------------------------------------------


def _int_dims(*exprs: PrimExpr) -> bool:
    return all(e.dtype.is_integer and e.dtype.lanes == 1 for e in exprs)


def _analyzer(*exprs: PrimExpr) -> Any:
    """An arith Analyzer that knows the vars of `exprs` are shape vars (non-negative)."""
    from irscript.tir.arith import Analyzer

    analyzer = Analyzer()
    analyzer.non_negative(v for e in exprs for v in tir_vars_in(e))
    return analyzer


def prove_equal(a: PrimExpr, b: PrimExpr) -> bool:
    """Whether two dims are certainly equal (by the integer simplifier; shape vars are >= 0)."""
    if a is b:
        return True
    if isinstance(a, IntImm) and isinstance(b, IntImm):
        return a.value == b.value
    if structural_equal(a, b):
        return True
    if not _int_dims(a, b):
        return False
    try:
        return _analyzer(a, b).can_prove_equal(a, b)
    except IRError:
        return False


def prove_not_equal(a: PrimExpr, b: PrimExpr) -> bool:
    """Whether two dims are certainly different (by the integer simplifier; shape vars >= 0)."""
    if isinstance(a, IntImm) and isinstance(b, IntImm):
        return a.value != b.value
    if a is b or not _int_dims(a, b):
        return False
    from irscript.tir.expr import NE

    try:
        return _analyzer(a, b).can_prove(NE(a, b) if a.dtype == b.dtype else a != b)
    except IRError:
        return False


def prove(cond: PrimExpr) -> bool:
    """Whether a condition on dims certainly holds (shape vars are >= 0)."""
    try:
        return _analyzer(cond).can_prove(cond)
    except IRError:
        return False


def simplify_dim(e: PrimExpr) -> PrimExpr:
    """A dim expression in the simplifier's canonical form (shape vars are >= 0)."""
    if isinstance(e, (IntImm, TirVar)) or not _int_dims(e):
        return e
    try:
        return _analyzer(e).simplify(e)
    except IRError:
        return e


def tir_vars_in(node: Any) -> list[TirVar]:
    """The distinct TIR vars inside a struct info or expression, in pre-order."""
    if node is None:
        return []
    return [n for n in pre_order(node) if isinstance(n, TirVar)]


# ---------------------------------------------------------------------------------------------
# base check: is `base` a (possibly equal) generalization of `derived`?
# ---------------------------------------------------------------------------------------------


class BaseCheck(enum.IntEnum):
    """The result of `struct_info_base_check` (as in TVM)."""

    FAIL_L0 = 0  # a contradiction: no value can have both
    FAIL_L1 = 1  # cannot be proven statically (symbolic dims, unknown parts)
    PASS = 2  # every value of `derived` fits `base`


def _dim_check(a: PrimExpr, b: PrimExpr) -> BaseCheck:
    if prove_equal(a, b):
        return BaseCheck.PASS
    return BaseCheck.FAIL_L0 if prove_not_equal(a, b) else BaseCheck.FAIL_L1


def _dims_check(a: tuple[PrimExpr, ...], b: tuple[PrimExpr, ...]) -> BaseCheck:
    if len(a) != len(b):
        return BaseCheck.FAIL_L0
    result = BaseCheck.PASS
    for x, y in zip(a, b):
        result = min(result, _dim_check(x, y))
        if result is BaseCheck.FAIL_L0:
            break
    return result


def _ndim_check(base: int, derived: int) -> BaseCheck:
    if base == -1:
        return BaseCheck.PASS
    if derived == -1:
        return BaseCheck.FAIL_L1
    return BaseCheck.PASS if base == derived else BaseCheck.FAIL_L0


def _check_prim(base: PrimStructInfo, derived: PrimStructInfo) -> BaseCheck:
    if base.dtype != derived.dtype:
        return BaseCheck.FAIL_L0
    if base.value is None:
        return BaseCheck.PASS
    if derived.value is None:
        return BaseCheck.FAIL_L1
    return _dim_check(base.value, derived.value)


def _check_shape(base: ShapeStructInfo, derived: ShapeStructInfo) -> BaseCheck:
    result = _ndim_check(base.ndim, derived.ndim)
    if result is not BaseCheck.PASS or base.values is None:
        return result
    if derived.values is None:
        return BaseCheck.FAIL_L1
    return _dims_check(base.values, derived.values)


def _check_tensor(base: TensorStructInfo, derived: TensorStructInfo) -> BaseCheck:
    if base.dtype.is_void:
        result = BaseCheck.PASS
    elif derived.dtype.is_void:
        result = BaseCheck.FAIL_L1
    else:
        result = BaseCheck.PASS if base.dtype == derived.dtype else BaseCheck.FAIL_L0
    result = min(result, _ndim_check(base.ndim, derived.ndim))
    if result is BaseCheck.FAIL_L0 or base.shape is None:
        return result
    if base.values is not None:
        if derived.values is None:
            return min(result, BaseCheck.FAIL_L1)
        return min(result, _dims_check(base.values, derived.values))
    return result if derived.shape is base.shape else min(result, BaseCheck.FAIL_L1)


def _check_tuple(base: TupleStructInfo, derived: TupleStructInfo) -> BaseCheck:
    if len(base.fields) != len(derived.fields):
        return BaseCheck.FAIL_L0
    result = BaseCheck.PASS
    for a, b in zip(base.fields, derived.fields):
        result = min(result, struct_info_base_check(a, b))
        if result is BaseCheck.FAIL_L0:
            break
    return result


def _check_func(base: FuncStructInfo, derived: FuncStructInfo) -> BaseCheck:
    if base.purity and not derived.purity:
        return BaseCheck.FAIL_L0
    result = struct_info_base_check(base.ret, derived.ret)
    if base.params is None:
        return result
    if derived.params is None:
        return min(result, BaseCheck.FAIL_L1)
    if len(base.params) != len(derived.params):
        return BaseCheck.FAIL_L0
    for a, b in zip(base.params, derived.params):
        forward, backward = struct_info_base_check(a, b), struct_info_base_check(b, a)
        if BaseCheck.FAIL_L0 in (forward, backward):
            return BaseCheck.FAIL_L0
        if not (forward is BaseCheck.PASS and backward is BaseCheck.PASS):
            result = min(result, BaseCheck.FAIL_L1)
    return result


_BASE_CHECKS: dict[type, Callable[[Any, Any], BaseCheck]] = {
    PrimStructInfo: _check_prim,
    ShapeStructInfo: _check_shape,
    TensorStructInfo: _check_tensor,
    TupleStructInfo: _check_tuple,
    FuncStructInfo: _check_func,
}


def struct_info_base_check(base: StructInfo, derived: StructInfo) -> BaseCheck:
    """PASS if every value described by `derived` is described by `base`; FAIL_L0 on a
    contradiction; FAIL_L1 when it cannot be decided statically."""
    if isinstance(base, ObjectStructInfo):
        return BaseCheck.PASS
    if isinstance(derived, ObjectStructInfo):
        return BaseCheck.FAIL_L1
    if type(base) is not type(derived):
        return BaseCheck.FAIL_L0
    check = _BASE_CHECKS.get(type(base))
    if check is None:  # a struct info kind from another dialect: only equality is known
        return BaseCheck.PASS if structural_equal(base, derived) else BaseCheck.FAIL_L1
    return check(base, derived)


def is_base_of(base: StructInfo, derived: StructInfo) -> bool:
    return struct_info_base_check(base, derived) is BaseCheck.PASS


def refine_struct_info(deduced: StructInfo | None, annotation: StructInfo | None, what: str) -> StructInfo | None:
    """Combine a deduced struct info with an annotation: IRError on a contradiction; the
    annotation when it is at least as specific, else the deduced one."""
    if annotation is None:
        return deduced
    if deduced is None:
        return annotation
    if struct_info_base_check(annotation, deduced) is BaseCheck.FAIL_L0:
        raise IRError(
            f"{what}: the annotation {show_struct_info(annotation)} contradicts the deduced struct info "
            f"{show_struct_info(deduced)}"
        )
    return annotation if is_base_of(deduced, annotation) else deduced


# ---------------------------------------------------------------------------------------------
# join (least common ancestor) and erasure
# ---------------------------------------------------------------------------------------------


def join_struct_info(a: StructInfo, b: StructInfo) -> StructInfo:
    """The most specific struct info describing values of both `a` and `b` (an If's result)."""
    if a is b or structural_equal(a, b):
        return a
    if type(a) is not type(b) or isinstance(a, ObjectStructInfo):
        return ObjectStructInfo()
    if isinstance(a, PrimStructInfo):
        if a.dtype != b.dtype:
            return ObjectStructInfo()
        same = a.value is not None and b.value is not None and prove_equal(a.value, b.value)
        return a if same else PrimStructInfo(a.dtype)
    if isinstance(a, ShapeStructInfo):
        if a.ndim != b.ndim:
            return ShapeStructInfo(ndim=-1)
        if a.values is not None and b.values is not None and _dims_check(a.values, b.values) is BaseCheck.PASS:
            return a
        return ShapeStructInfo(ndim=a.ndim)
    if isinstance(a, TensorStructInfo):
        return _join_tensor(a, b)
    if isinstance(a, TupleStructInfo):
        if len(a.fields) != len(b.fields):
            return ObjectStructInfo()
        return TupleStructInfo(tuple(join_struct_info(x, y) for x, y in zip(a.fields, b.fields)))
    if isinstance(a, FuncStructInfo):
        return FuncStructInfo.opaque(join_struct_info(a.ret, b.ret), a.purity and b.purity)
    return ObjectStructInfo()


def _join_tensor(a: TensorStructInfo, b: TensorStructInfo) -> TensorStructInfo:
    dtype = a.dtype if a.dtype == b.dtype else "void"
    ndim = a.ndim if a.ndim == b.ndim else -1
    shape: Any = None
    if a.values is not None and b.values is not None and _dims_check(a.values, b.values) is BaseCheck.PASS:
        shape = a.shape
    elif a.shape is not None and a.shape is b.shape:
        shape = a.shape
    return TensorStructInfo(shape, dtype, ndim)


def erase_to_well_defined(sinfo: StructInfo | None, keep: Callable[[TirVar], bool]) -> StructInfo | None:
    """`sinfo` with every part that mentions a TIR var not kept (out of scope) forgotten:
    such shapes keep only their rank, such prim values only their dtype."""
    if sinfo is None:
        return None

    def ok(exprs: Iterable[PrimExpr]) -> bool:
        return all(keep(v) for e in exprs for v in tir_vars_in(e))

    if isinstance(sinfo, TensorStructInfo):
        values = sinfo.values
        if values is not None and not ok(values):
            return TensorStructInfo(None, sinfo.dtype, sinfo.ndim)
        return sinfo
    if isinstance(sinfo, ShapeStructInfo):
        if sinfo.values is not None and not ok(sinfo.values):
            return ShapeStructInfo(ndim=sinfo.ndim)
        return sinfo
    if isinstance(sinfo, PrimStructInfo):
        if sinfo.value is not None and not ok((sinfo.value,)):
            return PrimStructInfo(sinfo.dtype)
        return sinfo
    if isinstance(sinfo, TupleStructInfo):
        fields = tuple(erase_to_well_defined(f, keep) for f in sinfo.fields)
        if all(x is y for x, y in zip(fields, sinfo.fields)):
            return sinfo
        return TupleStructInfo(fields)
    return sinfo


# ---------------------------------------------------------------------------------------------
# substitution
# ---------------------------------------------------------------------------------------------


class _TirVarSubstituter(Mutator):
    def __init__(self, mapping: dict[int, PrimExpr]) -> None:
        super().__init__()
        self.mapping = mapping

    @handles(TirVar)
    def _tir_var(self, var: TirVar) -> PrimExpr:
        return self.mapping.get(id(var), var)

    @handles(Var)
    def _relax_var(self, var: Var) -> Var:
        return var


def substitute_tir_vars(node: Any, mapping: dict[int, PrimExpr]) -> Any:
    """`node` (a node or a tuple of nodes) with TIR vars replaced by `mapping` (keyed by
    `id(var)`); Relax vars are kept."""
    if not mapping or node is None:
        return node
    return _TirVarSubstituter(mapping).visit_value(node)


class _VarSubstituter(Mutator):
    def __init__(self, mapping: dict[int, Var]) -> None:
        super().__init__()
        self.mapping = mapping

    @handles(Var)
    def _var(self, var: Var) -> Var:
        return self.mapping.get(id(var), var)


def substitute_vars(node: Any, mapping: dict[int, Var]) -> Any:
    """`node` (a node or a tuple of nodes) with Relax vars, uses and definitions, replaced by
    `mapping` (keyed by `id(var)`)."""
    if not mapping:
        return node
    return _VarSubstituter(mapping).visit_value(node)


# ---------------------------------------------------------------------------------------------
# calls of functions
# ---------------------------------------------------------------------------------------------


def _bind_dims(params: tuple[PrimExpr, ...] | None, args: tuple[PrimExpr, ...] | None, bound: dict) -> None:
    if params is None or args is None or len(params) != len(args):
        return
    for p, a in zip(params, args):
        if isinstance(p, TirVar) and id(p) not in bound:
            bound[id(p)] = a


def _match_symbolic(param: StructInfo, arg: StructInfo | None, bound: dict[int, PrimExpr]) -> None:
    """Bind the callee's symbolic vars (bare dims of `param`) to the dims of `arg`."""
    if isinstance(param, (TensorStructInfo, ShapeStructInfo)) and type(arg) is type(param):
        _bind_dims(param.values, arg.values, bound)
    elif isinstance(param, PrimStructInfo) and isinstance(arg, PrimStructInfo):
        if param.value is not None and arg.value is not None:
            _bind_dims((param.value,), (arg.value,), bound)
    elif isinstance(param, TupleStructInfo) and isinstance(arg, TupleStructInfo):
        for p, a in zip(param.fields, arg.fields):
            _match_symbolic(p, a, bound)


def callee_name(call: Call) -> str:
    op = call.op
    for attr in ("name_hint", "name", "global_symbol"):
        name = getattr(op, attr, None)
        if isinstance(name, str):
            return repr(name)
    return f"a {op.type_key} value"


def derive_call_ret_struct_info(finfo: FuncStructInfo, call: Call, ctx: Any = None) -> StructInfo:
    """The struct info of `call` to a function of struct info `finfo`: its return, with the
    callee's symbolic params replaced by the arguments' dims (unresolved ones erased)."""
    if finfo.params is None:
        return call.sinfo_args[0] if call.sinfo_args else finfo.ret
    params = finfo.params
    if len(params) != len(call.args):
        raise IRError(f"function {callee_name(call)} takes {len(params)} arguments, got {len(call.args)}")
    bound: dict[int, PrimExpr] = {}
    for p, a in zip(params, call.args):
        _match_symbolic(p, a.struct_info, bound)
    for i, (p, a) in enumerate(zip(params, call.args)):
        expected = substitute_tir_vars(p, bound)
        if a.struct_info is not None and struct_info_base_check(expected, a.struct_info) is BaseCheck.FAIL_L0:
            raise IRError(
                f"argument {i} of the call to {callee_name(call)}: expected {show_struct_info(expected)}, "
                f"got {show_struct_info(a.struct_info)}"
            )
    param_vars = {id(v) for p in params for v in tir_vars_in(p)}
    ret = substitute_tir_vars(finfo.ret, bound)
    return erase_to_well_defined(ret, lambda v: id(v) not in param_vars or id(v) in bound)


def function_signature_struct_info(signature: Any) -> StructInfo | None:
    """The FuncStructInfo of a module function, from its definition or declared signature."""
    if signature is None:
        return None
    if isinstance(signature, StructInfo):
        return signature
    if isinstance(signature, Function):
        return signature.struct_info
    from irscript.tir.function import PrimFunc

    if isinstance(signature, PrimFunc):
        params = tuple(ObjectStructInfo() if p.dtype.is_handle else PrimStructInfo(p.dtype) for p in signature.params)
        ret = TupleStructInfo(()) if signature.ret_type.is_void else PrimStructInfo(signature.ret_type)
        return FuncStructInfo(params, ret, False)
    return getattr(signature, "struct_info", None)


# ---------------------------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------------------------


def _show_dim(e: PrimExpr) -> str:
    if isinstance(e, IntImm):
        return str(e.value)
    if isinstance(e, TirVar):
        return e.name_hint
    return type(e).__name__


def show_struct_info(s: Any) -> str:
    """A short script-like spelling of a struct info, for messages."""
    if isinstance(s, TensorStructInfo):
        if s.values is not None:
            dims = ", ".join(_show_dim(d) for d in s.values)
            shape = f"({dims},)" if len(s.values) == 1 else f"({dims})"
        elif s.shape is not None:
            shape = getattr(s.shape, "name_hint", "shape")
        else:
            shape = f"ndim={s.ndim}"
        dtype = "" if s.dtype.is_void else f', "{s.dtype}"'
        return f"R.Tensor({shape}{dtype})"
    if isinstance(s, ShapeStructInfo):
        if s.values is not None:
            return f"R.Shape([{', '.join(_show_dim(d) for d in s.values)}])"
        return f"R.Shape(ndim={s.ndim})"
    if isinstance(s, PrimStructInfo):
        return f'R.Prim("{s.dtype}")' if s.value is None else f"R.Prim(value={_show_dim(s.value)})"
    if isinstance(s, TupleStructInfo):
        return f"R.Tuple({', '.join(show_struct_info(f) for f in s.fields)})"
    if isinstance(s, FuncStructInfo):
        return f"R.Callable(-> {show_struct_info(s.ret)})"
    if isinstance(s, ObjectStructInfo):
        return "R.Object"
    return type(s).__name__


__all__ = [
    "BaseCheck", "callee_name", "derive_call_ret_struct_info", "erase_to_well_defined",
    "function_signature_struct_info", "is_base_of", "join_struct_info", "prove", "prove_equal", "prove_not_equal",
    "refine_struct_info", "show_struct_info", "simplify_dim", "struct_info_base_check", "substitute_tir_vars",
    "substitute_vars", "tir_vars_in",
]
