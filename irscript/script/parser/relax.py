"""The graph-level dialect `R`: statement handlers that turn an `@R.function` body into
IRBuilder calls (`irscript.irbuilder.relax`).

* Signature: each parameter needs struct info; a string dim (`R.Tensor(("n", 4))`)
  introduces the symbolic var `n` (int64) the first time and means it after that,
  so parameters share it; the return annotation may use it too.
* `x = value` / `x: sinfo = value`: a Relax value is emitted (the annotation is
  checked against the deduced struct info); `R.match_cast(v, sinfo)` is a
  MatchCast; a fresh `T.int64()` declares (or, when the name is already a
  symbolic var, refers to) a symbolic var; any other Python value is bound as is
  (`cls = Module`, sizes, helpers).
* `with R.dataflow():` ... `R.output(a, b)`; afterwards `a`, `b` name the outputs.
* `if c:` ... `else:` on a Relax / PrimExpr condition is an If whose branches end by
  binding the same name; on a Python bool it is decided at parse time. `for` over a
  Python list / range is unrolled. `return v` sets the function's value.
* An `@R.function` inside a function body is a local function bound to its name.

While a Relax function is parsed, `context()` lets the R namespace resolve string
dims and share struct info objects between equal annotations of one parse.
"""

from __future__ import annotations

import threading
from typing import Any

from irscript.doc import nodes as D
from irscript.errors import Error, IRError
from irscript.ir.expr import GlobalVar, PrimExpr, RelaxExpr, StructInfo
from irscript.irbuilder import ir as I_builder
from irscript.irbuilder import relax as R_builder
from irscript.irbuilder.base import IRBuilder
from irscript.irbuilder.relax import FunctionFrame, _as_relax
from irscript.relax.expr import Call
from irscript.relax.struct_info import FuncStructInfo, ObjectStructInfo, TupleStructInfo
from irscript.script.parser.core import Parser, header, python_iterable
from irscript.script.parser.dialect import ScriptDecorator, ScriptFunc, new_dialect, register_handler
from irscript.script.parser.errors import error_at, located
from irscript.script.parser.evaluator import describe, register_bool_ops
from irscript.tir.expr import Var as TirVar

RELAX = new_dialect("R", "a Relax function (R.function)")


def _logical(name: str) -> Any:
    def build(*args: Any) -> Any:
        from irscript.relax import op

        return getattr(op, name)(*args)

    return build


register_bool_ops(RelaxExpr, _logical("logical_and"), _logical("logical_or"), _logical("logical_not"))


class MatchCastPair:
    """`R.match_cast(value, sinfo)`: bound by an assignment as a MatchCast."""

    __slots__ = ("value", "struct_info")

    def __init__(self, value: Any, struct_info: Any) -> None:
        self.value = value
        self.struct_info = struct_info


# ---------------------------------------------------------------------------------------------
# the parse context seen by the R namespace
# ---------------------------------------------------------------------------------------------


class _Context(threading.local):
    def __init__(self) -> None:
        self.parser: Parser | None = None
        self.cache: dict | None = None


_CTX = _Context()
_CACHE_KEY = object()


def context() -> _Context:
    """The Relax parse in progress on this thread (`parser` None outside a parse)."""
    return _CTX


def _enter_context(p: Parser) -> tuple[Any, Any]:
    saved = (_CTX.parser, _CTX.cache)
    _CTX.parser = p
    cache = p.state.get(_CACHE_KEY)
    if cache is None:
        cache = p.state[_CACHE_KEY] = {}
    _CTX.cache = cache
    return saved


def _exit_context(saved: tuple[Any, Any]) -> None:
    _CTX.parser, _CTX.cache = saved


def symbolic_var(name: str) -> Any:
    """What a string dim means: `"n"` is the symbolic var `n` in scope, else a new int64 var;
    an expression such as `"n * 2"` (as TVM prints it) is evaluated over such vars."""
    p = _CTX.parser
    if p is None:  # Python evaluating a decorated signature: the value is not used
        return TirVar(name if name.isidentifier() else "v", "int64")
    if not name.isidentifier():
        return _symbolic_expr(p, name)
    existing = p.vars.get(name)
    if isinstance(existing, TirVar):
        return existing
    var = TirVar(name, "int64")
    p.define(name, var)
    p.mark_bound(var)
    return var


def _symbolic_expr(p: Parser, text: str) -> Any:
    from irscript.doc import parse_expr, walk
    from irscript.errors import ScriptError

    try:
        expr = parse_expr(text)
        for node in walk(expr):
            if type(node) is D.Name and not isinstance(p.vars.get(node.id), TirVar):
                symbolic_var(node.id)
        value = p.eval(expr)
    except ScriptError as e:
        raise IRError(f"in the dim {text!r}: {e.message}") from None
    if not isinstance(value, (PrimExpr, int)):
        raise IRError(f"the dim {text!r} is {describe(value)}, not an integer expression")
    return value


# ---------------------------------------------------------------------------------------------
# functions
# ---------------------------------------------------------------------------------------------


def eval_struct_info(p: Parser, node: Any) -> StructInfo:
    """A struct info annotation (a bare `R.Tensor` / `R.Object` means a call without arguments)."""
    value = p.eval(node)
    if type(value) is ScriptFunc and value.is_type:
        try:
            value = value.fn()
        except Error as e:
            raise located(e, node) from None
    if isinstance(value, StructInfo):
        return value
    raise error_at(node, f"expected struct info such as R.Tensor((n, 4), \"float32\"), got {describe(value)}")


def _param_struct_info(p: Parser, param: Any) -> StructInfo:
    if not isinstance(param, D.Param):
        raise error_at(param, f"{param.what} is not allowed in a Relax function signature")
    if param.annotation is None:
        raise error_at(param, f"parameter `{param.name}` needs struct info, like "
                              f"`{param.name}: R.Tensor((n, 4), \"float32\")`")
    if param.default is not None:
        raise error_at(param.default, "parameters of a Relax function take no default values")
    return eval_struct_info(p, param.annotation)


def parse_function(p: Parser, node: Any, decorator: ScriptDecorator) -> Any:
    """`@R.function def f(...)`: a Relax function (into the module, the result, or — inside a
    function body — a local function bound to its name)."""
    if not isinstance(node, D.FunctionDef):
        raise error_at(header(node), f"{decorator.name} decorates a function")
    options = decorator.options
    saved = p.enter_dialect(RELAX)
    saved_ctx = _enter_context(p)
    p.push_scope(f"the function `{node.name}`")
    frame = R_builder.function(is_pure=bool(options.get("pure", True)), is_private=bool(options.get("private", False)))

    def body(_: Any) -> None:
        R_builder.func_name(node.name)
        for param in node.params:
            sinfo = _param_struct_info(p, param)
            try:
                var = R_builder.arg(param.name, sinfo)
            except IRError as e:
                raise located(e, param) from None
            p.define(param.name, var)
        if node.returns is not None:
            R_builder.func_ret_struct_info(eval_struct_info(p, node.returns))
        p.visit_body(node.body)
        if frame.output is None:
            raise error_at(header(node), f"the Relax function `{node.name}` ends without `return`: a Relax "
                                         "function returns a value")

    try:
        p.in_frame(frame, header(node), body)
    finally:
        p.pop_scope()
        _exit_context(saved_ctx)
        p.restore_dialect(saved)
    if frame.is_local:
        IRBuilder.name(node.name, frame.var)
        p.define(node.name, frame.var)
    return frame.result


def declare_function(p: Parser, node: D.FunctionDef, decorator: ScriptDecorator) -> GlobalVar:
    """The signature pass: the function's struct info from its annotations."""
    saved_ctx = _enter_context(p)
    p.push_scope()
    try:
        params = tuple(_param_struct_info(p, param) for param in node.params)
        ret = eval_struct_info(p, node.returns) if node.returns is not None else ObjectStructInfo()
    finally:
        p.pop_scope()
        _exit_context(saved_ctx)
    purity = bool(decorator.options.get("pure", True))
    return I_builder.decl_function(node.name, FuncStructInfo(params, ret, purity))


def call_global(gv: GlobalVar, args: list, kwargs: dict) -> Call:
    """`cls.f(x, y)` in a Relax function: a call of a module function."""
    if kwargs:
        raise IRError(f"a call of {gv.name_hint} takes positional arguments only")
    return Call(gv, tuple(_as_relax(a) for a in args))


RELAX.parse_definition = parse_function
RELAX.declare_function = declare_function
RELAX.call_global = call_global


# ---------------------------------------------------------------------------------------------
# bindings
# ---------------------------------------------------------------------------------------------


def _emit(p: Parser, name: str, value: Any, sinfo: StructInfo | None, node: Any, ann: Any) -> None:
    try:
        var = R_builder.emit(value, sinfo)
    except Error as e:
        if ann is not None and "annotation" in e.message:
            message = e.message[len("R.emit: "):] if e.message.startswith("R.emit: ") else e.message
            raise error_at(ann, message) from None
        raise located(e, node) from None
    IRBuilder.name(name, var)
    p.define(name, var)


def bind_value(p: Parser, target: D.Name, value: Any, sinfo: StructInfo | None = None, node: Any = None,
               ann: Any = None) -> None:
    """Bind `name = value` in a Relax function (see the module doc)."""
    name = target.id
    if isinstance(value, RelaxExpr):
        _emit(p, name, value, sinfo, node or target, ann)
        return
    t = type(value)
    if t is MatchCastPair:
        try:
            var = R_builder.emit_match_cast(value.value, value.struct_info)
        except Error as e:
            raise located(e, node or target) from None
        IRBuilder.name(name, var)
        p.define(name, var)
        return
    if (t is tuple or t is list) and value and any(isinstance(v, RelaxExpr) for v in value):
        _emit(p, name, value, sinfo, node or target, ann)
        return
    if sinfo is not None:
        raise error_at(ann, f"a struct info annotation applies to Relax values; `{name}` is {describe(value)}")
    if isinstance(value, TirVar) and not p.is_bound(value):
        existing = p.vars.get(name)
        if isinstance(existing, TirVar):
            if existing.dtype != value.dtype:
                raise error_at(node or target, f"`{name}` is a symbolic var of type {existing.dtype}, "
                                               f"declared again as {value.dtype}")
            return  # `n = T.int64()` refers to the symbolic var the signature introduced
        IRBuilder.name(name, value)
        p.mark_bound(value)
    p.define(name, value)


def _bind_plain(p: Parser, target: D.Name, value: Any) -> None:
    bind_value(p, target, value)


@register_handler(RELAX, D.Assign)
def _assign(p: Parser, node: D.Assign) -> None:
    target = node.target
    if node.value is None:
        raise error_at(node, "an annotation without a value binds nothing: write `x: sinfo = value`")
    value = p.eval(node.value)
    ann = node.annotation
    sinfo = eval_struct_info(p, ann) if ann is not None else None
    if type(target) is D.Name:
        bind_value(p, target, value, sinfo, node, ann)
        return
    if sinfo is not None:
        raise error_at(ann, "an annotated assignment binds one name")
    if type(target) is D.Subscript or type(target) is D.Attr:
        raise error_at(target, "Relax values cannot be assigned into; bind a new name instead")
    if isinstance(value, RelaxExpr):
        raise error_at(target, "a Relax value is unpacked with t[0], t[1], ...; bind it to one name")
    p.bind_target(target, value, _bind_plain)


@register_handler(RELAX, D.ExprStmt)
def _expr_stmt(p: Parser, node: D.ExprStmt) -> None:
    value = p.eval(node.value)
    if value is None or type(value) is str:
        return
    if isinstance(value, RelaxExpr):
        try:
            var = R_builder.emit(value)
        except Error as e:
            raise located(e, node) from None
        sinfo = var.struct_info
        if not (isinstance(sinfo, TupleStructInfo) and not sinfo.fields):
            raise error_at(node, "the value of this expression is not used: bind it to a name (x = ...)")
        IRBuilder.name("_", var)
        return
    raise error_at(node, f"the value of this expression ({describe(value)}) is not used")


@register_handler(RELAX, D.With)
def _with(p: Parser, node: D.With) -> None:
    if len(node.items) != 1:
        raise error_at(node, "a `with` in a Relax function takes one R.dataflow()")
    ctx, target = node.items[0]
    frame = p.eval(ctx)
    if not isinstance(frame, R_builder.DataflowFrame):
        raise error_at(ctx, f"`with` in a Relax function takes R.dataflow(), got {describe(frame)}")
    if target is not None:
        raise error_at(target, "`with R.dataflow()` binds no name")
    p.in_frame(frame, header(node), lambda _: p.visit_body(node.body))
    for old, new in zip(frame.outputs, frame.output_vars):
        if new is not old:
            p.define(new.name_hint, new)


@register_handler(RELAX, D.If)
def _if(p: Parser, node: D.If) -> None:
    cond = p.eval(node.cond)
    if type(cond) in (bool, int):
        p.visit_body(node.then_body if cond else node.else_body)
        return
    if not isinstance(cond, (RelaxExpr, PrimExpr)):
        raise error_at(node.cond, f"an `if` condition in a Relax function is a Relax value or a Python bool, "
                                  f"got {describe(cond)}")
    if not node.else_body:
        raise error_at(header(node), "an `if` in a Relax function needs an `else` branch (both branches bind the "
                                     "result)")
    try:
        frame = R_builder.If(cond)
    except Error as e:
        raise located(e, node.cond) from None
    line = node.span.line if node.span is not None else 0

    def branch(stmts: list, desc: str) -> None:
        p.push_scope(desc)
        try:
            p.visit_body(stmts)
        finally:
            p.pop_scope()

    def branches(_: Any) -> None:
        p.in_frame(R_builder.Then(), header(node), lambda _: branch(node.then_body, f"the `if` branch at line {line}"))
        p.in_frame(R_builder.Else(), header(node), lambda _: branch(node.else_body, f"the `else` branch at line {line}"))

    p.in_frame(frame, header(node), branches)
    p.define(frame.var.name_hint, frame.var)


@register_handler(RELAX, D.For)
def _for(p: Parser, node: D.For) -> None:
    it = p.eval(node.iter)
    try:
        values = python_iterable(it)
    except IRError as e:
        raise located(e, node.iter) from None
    if values is None:
        raise error_at(node.iter, "a `for` loop in a Relax function runs at parse time over a Python list, "
                                  f"tuple, range or other iterable; got {describe(it)}")
    for v in values:
        p.bind_target(node.target, v, _bind_plain)
        p.visit_body(node.body)


@register_handler(RELAX, D.Return)
def _return(p: Parser, node: D.Return) -> None:
    if node.value is None:
        raise error_at(node, "a Relax function returns a value: `return x`")
    value = p.eval(node.value)
    builder = IRBuilder.current()
    if not isinstance(builder.frames[-1], FunctionFrame):
        raise error_at(node, "`return` must be the last statement of the function body, "
                             "not inside `if` or `with R.dataflow()`")
    try:
        R_builder.func_ret_value(value)
    except Error as e:
        raise located(e, node.value) from None


@register_handler(RELAX, D.FunctionDef)
def _local_function(p: Parser, node: D.FunctionDef) -> None:
    deco = p.decorator_of(node)
    if deco is None or deco.dialect is not RELAX or deco.kind != "function":
        raise error_at(header(node), "only an @R.function can be defined inside a Relax function")
    parse_function(p, node, deco)


__all__ = [
    "RELAX", "MatchCastPair", "bind_value", "call_global", "context", "declare_function", "eval_struct_info",
    "parse_function", "symbolic_var",
]
