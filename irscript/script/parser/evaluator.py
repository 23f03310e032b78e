"""Expression evaluation: a Doc expression to a Python value, by walking the Doc (no eval/exec).

`EVAL[type(node)](parser, node)` evaluates one node; `Parser.eval` wraps it so
that an irscript error raised inside becomes a ScriptError at the innermost
node being evaluated. What each node means:

* Name: a script var (the parser's scoped table), else, for decorated Python
  only, the closure / caller locals / globals, else a dialect namespace or a
  safe builtin. Dunder names are refused.
* Attr: `getattr`, refusing dunder attributes everywhere; in text scripts also
  private (`_x`) attributes, `str.format`, any module that is not a registered
  namespace, and attributes of anything but namespaces, IR nodes and plain data
  (`register_attribute_type`) — a text script reaches only I, T, R and IR values.
* Call: positional and keyword arguments; a `ScriptFunc` is checked against the
  dialect in force; other callees go through `SPECIAL_CALLS` (macros,
  GlobalVars) or are called directly. A lambda argument is allowed only for a
  ScriptFunc marked `lambda_args` (T.comm_reducer).
* Subscript / Slice; literals; Tuple / List / Dict.
* BinOp / UnaryOp / Compare: the Python operators on the values (IR values
  overload them); BoolOp and `not`: Python semantics for Python values, the
  registered logical ops for IR values (`register_bool_ops`); IfExp on a
  Python condition.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from irscript.doc import nodes as D
from irscript.doc.nodes import Op
from irscript.errors import Error, IRError, ScriptError
from irscript.ir.dtype import DataType
from irscript.ir.expr import GlobalVar
from irscript.ir.node import Node
from irscript.script.parser.dialect import ScriptFunc, is_namespace
from irscript.script.parser.errors import PYTHON_ERRORS, error_at, from_python, located

MISSING: Any = object()

Evaluator = Callable[[Any, Any], Any]
EVAL: dict[type, Evaluator] = {}

# callee type -> fn(parser, call_node, callee, args, kwargs): macros, GlobalVars, ...
SPECIAL_CALLS: dict[type, Callable[..., Any]] = {}


def evaluates(*classes: type) -> Callable[[Evaluator], Evaluator]:
    def deco(fn: Evaluator) -> Evaluator:
        for cls in classes:
            EVAL[cls] = fn
        return fn

    return deco


# ---------------------------------------------------------------------------------------------
# operators on IR values
# ---------------------------------------------------------------------------------------------


class Operators:
    """The operator table a dialect registers for its values (`cls`): Doc `Op` -> builder."""

    __slots__ = ("cls", "table")

    def __init__(self, cls: type, table: dict[Op, Callable[..., Any]]) -> None:
        self.cls = cls
        self.table = table


_OPERATORS: list[Operators] = []


def register_operators(cls: type, table: dict[Op, Callable[..., Any]]) -> None:
    """Operators on values of `cls` build what `table` says: binary and comparison ops take
    (lhs, rhs) — used when either side is a `cls`, the other may be a Python number —,
    `Op.And` / `Op.Or` fold `and` / `or`, unary ops (`Op.Not`, `Op.USub`, `Op.Invert`) take
    one value. Python values keep Python semantics (and short-circuiting)."""
    _OPERATORS.append(Operators(cls, dict(table)))


def operators_of(value: Any) -> dict[Op, Callable[..., Any]] | None:
    for o in _OPERATORS:
        if isinstance(value, o.cls):
            return o.table
    return None


def register_bool_ops(cls: type, and_: Callable, or_: Callable, not_: Callable) -> None:
    """Shorthand: `and`, `or`, `not` on values of `cls`."""
    register_operators(cls, {Op.And: and_, Op.Or: or_, Op.Not: not_})


def apply_operator(op: Op, a: Any, b: Any) -> Any:
    """`a op b` with the registered operators of IR values, else Python's."""
    table = operators_of(a) or operators_of(b)
    if table is not None:
        fn = table.get(op)
        if fn is not None:
            return fn(a, b)
    return _PYTHON_OPS[op](a, b)


# ---------------------------------------------------------------------------------------------
# names and attributes
# ---------------------------------------------------------------------------------------------


@evaluates(D.Name)
def _name(p: Any, node: D.Name) -> Any:
    v = p.vars.get(node.id, MISSING)
    if v is not MISSING:
        return v
    return p.lookup_outer(node)


def describe(value: Any) -> str:
    """A short description of a value for messages ("a relax.Var `x`", "an int")."""
    key = getattr(type(value), "type_key", None)
    if key is not None:
        name = getattr(value, "name_hint", None) or getattr(value, "name", None)
        return f"a {key} `{name}`" if isinstance(name, str) and name else f"a {key}"
    if isinstance(value, ScriptFunc):
        return value.name
    if isinstance(value, ModuleType):
        return f"the namespace {value.__name__}"
    tname = type(value).__name__
    return f"an {tname}" if tname[:1] in "aeiou" else f"a {tname}"


def _dotted(node: Any) -> str:
    from irscript.doc.render import render

    try:
        return render(node)
    except Exception:  # pragma: no cover - rendering a parsed expression does not fail
        return "this expression"


# Types whose attributes a text script may read (besides namespaces); dialects add theirs.
_TEXT_ATTRIBUTE_TYPES: list[type] = [Node, DataType, str, int, float, bool, list, tuple, dict, np.ndarray]
_text_types: tuple[type, ...] = tuple(_TEXT_ATTRIBUTE_TYPES)


def register_attribute_type(cls: type) -> None:
    """Let text scripts read attributes of `cls` values (e.g. `cls.f` of a module reference)."""
    global _text_types
    _TEXT_ATTRIBUTE_TYPES.append(cls)
    _text_types = tuple(_TEXT_ATTRIBUTE_TYPES)


_PUBLIC: dict[int, frozenset[str]] = {}


def _public_names(module: ModuleType) -> frozenset[str]:
    names = _PUBLIC.get(id(module))
    if names is None:
        names = _PUBLIC[id(module)] = frozenset(getattr(module, "__all__", ()))
    return names


@evaluates(D.Attr)
def _attr(p: Any, node: D.Attr) -> Any:
    obj = p.eval(node.value)
    name = node.name
    if name[:1] == "_":
        if name[:2] == "__":
            raise error_at(node, f"access to the special attribute `{name}` is not allowed in scripts")
        if p.restricted:
            raise error_at(node, f"access to the private attribute `{name}` is not allowed in scripts")
    if p.restricted and not isinstance(obj, _text_types) and not is_namespace(obj):
        raise error_at(node.value, f"attributes of {describe(obj)} are not accessible in scripts")
    try:
        value = getattr(obj, name)
    except AttributeError as e:
        raise error_at(node, _no_attribute(obj, node, e)) from None
    if p.restricted:
        _check_restricted(node, obj, name, value)
    return value


def _no_attribute(obj: Any, node: D.Attr, err: AttributeError) -> str:
    text = str(err)
    if is_namespace(obj):
        if text.startswith(("R.", "T.", "I.")) or "not a" in text:
            return text
        return f"unknown name `{_dotted(node)}`"
    if text and not text.startswith("'") and "object has no attribute" not in text:
        return text  # a message of the object's own __getattr__
    return f"{describe(obj)} has no attribute `{node.name}`"


def _check_restricted(node: D.Attr, obj: Any, name: str, value: Any) -> None:
    """What a text script may reach: namespace members, attributes of IR values and plain data."""
    if type(obj) is ModuleType:
        if not is_namespace(obj):  # pragma: no cover - a module is never reached in a text script
            raise error_at(node, "scripts may only use I, T, R and IR values")
        if type(value) is not ScriptFunc and name not in _public_names(obj) and not is_namespace(value):
            raise error_at(node, f"`{_dotted(node)}` is not part of the script namespace")
    elif type(obj) is str and name in ("format", "format_map"):
        raise error_at(node, f"`str.{name}` is not allowed in scripts")
    if type(value) is ModuleType and not is_namespace(value):
        raise error_at(node, f"`{_dotted(node)}` is a Python module: scripts may only use I, T, R and IR values")


# ---------------------------------------------------------------------------------------------
# calls
# ---------------------------------------------------------------------------------------------


@evaluates(D.Call)
def _call(p: Any, node: D.Call) -> Any:
    f = p.eval(node.func)
    tf = type(f)
    lambdas = False
    if tf is ScriptFunc:
        d = f.dialect
        if d is not None and d is not p.dialect and not f.anywhere:
            raise error_at(node.func, f"{f.name} cannot be used in {p.dialect_title()}")
        lambdas = f.lambda_args
        fn = f.fn
    else:
        fn = f
    args = [_lambda_arg(p, a, f, lambdas) if type(a) is D.Lambda else p.eval(a) for a in node.args]
    kwargs: dict[str, Any] = {}
    if node.kwargs:
        for key, v in node.kwargs:
            if key is None:
                raise error_at(v, "a ** argument is not part of the script language")
            kwargs[key] = _lambda_arg(p, v, f, lambdas) if type(v) is D.Lambda else p.eval(v)
    special = SPECIAL_CALLS.get(tf)
    if special is not None:
        return special(p, node, f, args, kwargs)
    try:
        return fn(*args, **kwargs)
    except ScriptError as e:
        if e.span is None:
            e.span = node.span
        raise
    except Error as e:
        raise located(e, _argument_node(node, e.message)) from None
    except PYTHON_ERRORS as e:
        err = call_error(node, f, fn, args, kwargs, e)
        raise err from err.__cause__


def _lambda_arg(p: Any, node: D.Lambda, f: Any, allowed: bool) -> Any:
    if not allowed:
        raise error_at(node, "a lambda is only allowed as the combiner of T.comm_reducer")
    return ScriptLambda(p, node)


def _argument_node(node: D.Call, message: str) -> Any:
    """The keyword argument a registry message names ("argument 'strides' ..."), else the call."""
    for key, value in node.kwargs:
        if key is not None and (f"argument '{key}'" in message or f"attribute '{key}'" in message):
            return value
    return node


def callee_name(node: D.Call, f: Any) -> str:
    if isinstance(f, ScriptFunc):
        return f.name
    return _dotted(node.func)


def call_error(node: D.Call, f: Any, fn: Any, args: list, kwargs: dict, exc: BaseException) -> ScriptError:
    """A ScriptError for a Python exception raised by a call: the arity/keyword message when
    the arguments do not fit the signature, else the exception (kept as the cause)."""
    import inspect

    name = callee_name(node, f)
    if not callable(fn):
        return error_at(node.func, f"`{name}` is {describe(f)}, not a function")
    if isinstance(exc, TypeError):
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            sig = None
        if sig is not None:
            try:
                sig.bind(*args, **kwargs)
            except TypeError as bind_error:
                return error_at(node, f"{name}(): {bind_error}")
    return from_python(exc, node, name)


def _call_global(p: Any, node: D.Call, gv: GlobalVar, args: list, kwargs: dict) -> Any:
    """`cls.f(...)`: what the dialect in force builds for a call of a module function."""
    hook = p.dialect.call_global if p.dialect is not None else None
    if hook is None:
        raise error_at(node, f"function `{gv.name_hint}` cannot be called in {p.dialect_title()}")
    try:
        return hook(gv, args, kwargs)
    except Error as e:
        raise located(e, node) from None


SPECIAL_CALLS[GlobalVar] = _call_global


@evaluates(D.Lambda)
def _lambda(p: Any, node: D.Lambda) -> Any:
    raise error_at(node, "a lambda is only allowed as the combiner of T.comm_reducer")


class ScriptLambda:
    """A script `lambda` passed to a function that takes one: calling it binds the parameters
    in a new scope and evaluates the body."""

    __slots__ = ("parser", "node")

    def __init__(self, parser: Any, node: D.Lambda) -> None:
        self.parser = parser
        self.node = node

    @property
    def params(self) -> list[str]:
        return list(self.node.params)

    def __call__(self, *args: Any) -> Any:
        params = self.node.params
        if len(args) != len(params):
            raise IRError(f"the lambda takes {len(params)} argument(s), got {len(args)}")
        p = self.parser
        p.push_scope("a lambda")
        try:
            for name, value in zip(params, args):
                p.define(name, value)
            return p.eval(self.node.body)
        finally:
            p.pop_scope()


# ---------------------------------------------------------------------------------------------
# subscripts, literals, containers
# ---------------------------------------------------------------------------------------------


def _slice_value(p: Any, s: D.Slice) -> slice:
    return slice(None if s.start is None else p.eval(s.start), None if s.stop is None else p.eval(s.stop),
                 None if s.step is None else p.eval(s.step))


@evaluates(D.Subscript)
def _subscript(p: Any, node: D.Subscript) -> Any:
    value = p.eval(node.value)
    indices = node.indices
    if len(indices) == 1:
        i = indices[0]
        key = _slice_value(p, i) if type(i) is D.Slice else p.eval(i)
    else:
        key = tuple(_slice_value(p, i) if type(i) is D.Slice else p.eval(i) for i in indices)
    try:
        return value[key]
    except Error as e:
        raise located(e, node) from None
    except (LookupError, TypeError, ValueError) as e:
        raise error_at(node, f"cannot index {describe(value)} with [{_dotted_indices(node)}]: {e}") from None


def _dotted_indices(node: D.Subscript) -> str:
    return ", ".join(_dotted(i) for i in node.indices)


@evaluates(D.Slice)
def _slice(p: Any, node: D.Slice) -> Any:
    raise error_at(node, "a slice (a:b) is only allowed inside [...]")


@evaluates(D.Literal)
def _literal(p: Any, node: D.Literal) -> Any:
    return node.value


@evaluates(D.Tuple)
def _tuple(p: Any, node: D.Tuple) -> tuple:
    ev = p.eval
    return tuple([ev(e) for e in node.elts])


@evaluates(D.List)
def _list(p: Any, node: D.List) -> list:
    ev = p.eval
    return [ev(e) for e in node.elts]


@evaluates(D.Dict)
def _dict(p: Any, node: D.Dict) -> dict:
    ev = p.eval
    out = {}
    for k, v in zip(node.keys, node.values):
        key = ev(k)
        try:
            out[key] = ev(v)
        except TypeError as e:  # unhashable key
            raise error_at(k, f"cannot use {describe(key)} as a dict key: {e}") from None
    return out


@evaluates(D.Unsupported)
def _unsupported(p: Any, node: D.Unsupported) -> Any:
    raise error_at(node, f"{node.what} is not part of the script language")


# ---------------------------------------------------------------------------------------------
# operators
# ---------------------------------------------------------------------------------------------

_PYTHON_OPS: dict[Op, Callable[[Any, Any], Any]] = {
    Op.Add: operator.add, Op.Sub: operator.sub, Op.Mult: operator.mul, Op.Div: operator.truediv,
    Op.FloorDiv: operator.floordiv, Op.Mod: operator.mod, Op.Pow: operator.pow, Op.LShift: operator.lshift,
    Op.RShift: operator.rshift, Op.BitAnd: operator.and_, Op.BitOr: operator.or_, Op.BitXor: operator.xor,
    Op.MatMult: operator.matmul,
    Op.Eq: operator.eq, Op.NotEq: operator.ne, Op.Lt: operator.lt, Op.LtE: operator.le, Op.Gt: operator.gt,
    Op.GtE: operator.ge, Op.Is: operator.is_, Op.IsNot: operator.is_not,
    Op.In: lambda a, b: a in b, Op.NotIn: lambda a, b: a not in b,
}


def _operator_error(node: Any, symbol: str, exc: BaseException, *values: Any) -> ScriptError:
    if isinstance(exc, Error):
        return located(exc, node)
    if isinstance(exc, TypeError):
        kinds = " and ".join(describe(v) for v in values)
        return error_at(node, f"cannot apply `{symbol}` to {kinds}")
    return from_python(exc, node, f"`{symbol}`")


@evaluates(D.BinOp)
def _binop(p: Any, node: D.BinOp) -> Any:
    spine = []
    n: Any = node
    while type(n) is D.BinOp:  # long `a + b + c + ...` chains are deep on the left
        spine.append(n)
        n = n.lhs
    ev = p.eval
    acc = ev(n)
    for b in reversed(spine):
        rhs = ev(b.rhs)
        try:
            acc = apply_operator(b.op, acc, rhs)
        except (Error, *PYTHON_ERRORS) as e:
            err = _operator_error(b, b.op.symbol, e, acc, rhs)
            raise err from err.__cause__
    return acc


@evaluates(D.UnaryOp)
def _unaryop(p: Any, node: D.UnaryOp) -> Any:
    v = p.eval(node.operand)
    op = node.op
    try:
        ops = operators_of(v)
        if ops is not None and op in ops:
            return ops[op](v)
        if op is Op.Not:
            return not v
        if op is Op.USub:
            return -v
        if op is Op.UAdd:
            return +v
        return ~v
    except (Error, *PYTHON_ERRORS) as e:
        err = _operator_error(node, op.symbol, e, v)
        raise err from err.__cause__


@evaluates(D.Compare)
def _compare(p: Any, node: D.Compare) -> Any:
    ev = p.eval
    operands = node.operands
    left = ev(operands[0])
    if len(node.ops) == 1:
        op = node.ops[0]
        right = ev(operands[1])
        try:
            return apply_operator(op, left, right)
        except (Error, *PYTHON_ERRORS) as e:
            err = _operator_error(node, op.symbol, e, left, right)
            raise err from err.__cause__
    result: Any = MISSING
    for i, op in enumerate(node.ops):
        right = ev(operands[i + 1])
        try:
            r = apply_operator(op, left, right)
        except (Error, *PYTHON_ERRORS) as e:
            err = _operator_error(node, op.symbol, e, left, right)
            raise err from err.__cause__
        if result is MISSING:
            result = r
        else:
            ops = operators_of(result) or operators_of(r)
            result = (result and r) if ops is None or Op.And not in ops else ops[Op.And](result, r)
        if operators_of(result) is None and not result:
            return result  # a Python chain stops at the first false comparison
        left = right
    return result


@evaluates(D.BoolOp)
def _boolop(p: Any, node: D.BoolOp) -> Any:
    ev = p.eval
    is_and = node.op is Op.And
    values = node.values
    acc = ev(values[0])
    key = node.op
    for v in values[1:]:
        ops = operators_of(acc)
        if ops is None or key not in ops:
            if is_and and not acc:
                return acc
            if not is_and and acc:
                return acc
            acc = ev(v)
            continue
        rhs = ev(v)
        try:
            acc = ops[key](acc, rhs)
        except (Error, *PYTHON_ERRORS) as e:
            err = _operator_error(node, node.op.symbol, e, acc, rhs)
            raise err from err.__cause__
    return acc


@evaluates(D.IfExp)
def _ifexp(p: Any, node: D.IfExp) -> Any:
    cond = p.eval(node.cond)
    if operators_of(cond) is not None:
        raise error_at(node, "a conditional expression (x if c else y) needs a Python condition; "
                             "for IR values use T.Select(c, x, y) or T.if_then_else(c, x, y)")
    return p.eval(node.then_value if cond else node.else_value)


__all__ = [
    "EVAL", "MISSING", "SPECIAL_CALLS", "ScriptLambda", "apply_operator", "call_error", "callee_name", "describe",
    "evaluates", "operators_of", "register_attribute_type", "register_bool_ops", "register_operators",
]
