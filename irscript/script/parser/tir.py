"""The tensor-level dialect `T`: statement handlers that turn a `@T.prim_func` body into
IRBuilder calls (`irscript.irbuilder.tir`).

Binding rules (as in TVMScript):
* `x = v`: a fresh var (`T.int64()`, `T.env_thread(...)`, a block axis) or a buffer
  gets the name; a frame (`T.allocate(...)`, `T.decl_buffer(...)`,
  `T.launch_thread(...)`) is entered for the rest of the body and its value named;
  `T.meta_var(v)` binds the Python value; any other PrimExpr or number makes a
  LetStmt for the rest of the body; other Python values are bound as they are.
* `x: T.int32 = v` is a LetStmt; `A[i, j] = v` a buffer store; `A[i] += v` too.
* `for` over a loop frame (`range`, `T.serial`, `T.grid`, ...) is a loop; over a
  Python list / tuple it is unrolled at parse time. `with` enters frames. `if` on a
  PrimExpr is an IfThenElse, on a Python bool it is decided at parse time. `assert`
  guards the rest of the body (its message a string or TVM 0.25's `(kind, [parts])`).
  `return v` is `T.evaluate(T.ret(v))`.
* A buffer slice used as a value (stored, an operand, a T.* helper's argument) is a vector
  load: `A[i * 4:i * 4 + 4]` reads `A[T.Ramp(i * 4, 1, 4)]` (`region_as_load`).
"""

from __future__ import annotations

import functools
from typing import Any

from irscript.doc import nodes as D
from irscript.doc.nodes import Op
from irscript.errors import Error, IRError
from irscript.ir.expr import GlobalVar, PrimExpr
from irscript.irbuilder import ir as I_builder
from irscript.irbuilder import tir as T_builder
from irscript.irbuilder.base import IRBuilder, IRBuilderFrame
from irscript.irbuilder.tir_frame import ForFrame
from irscript.script.parser.core import Parser, header, python_iterable
from irscript.script.parser.dialect import ScriptDecorator, ScriptFunc, new_dialect, register_handler
from irscript.script.parser.errors import error_at, located
from irscript.script.parser.evaluator import apply_operator, describe, register_operators
from irscript.tir import op as _op
from irscript.tir.buffer import Buffer, BufferRegion
from irscript.tir.expr import BufferLoad, IterVar, StringImm
from irscript.tir.expr import Var as TirVar
from irscript.tir.function import PrimFunc
from irscript.tir.stmt import Evaluate

TIR = new_dialect("T", "a T.prim_func")

_NUMBERS = (PrimExpr, int, float, bool)


def _eq(a: Any, b: Any) -> Any:
    return _op.equal(a, b) if isinstance(a, _NUMBERS) and isinstance(b, _NUMBERS) else a == b


def _ne(a: Any, b: Any) -> Any:
    return _op.not_equal(a, b) if isinstance(a, _NUMBERS) and isinstance(b, _NUMBERS) else a != b


def region_as_load(region: BufferRegion) -> BufferLoad:
    """A slice of a buffer read as a value (`A[0:4]`, `A[i * 4:i * 4 + 4]`): the vector load
    TVM makes of it, a Ramp (stride 1) per sliced dimension and the start where a slice has
    one element. Each length must simplify to a constant."""
    buffer = region.buffer
    if len(region.region) != len(buffer.shape):
        raise IRError(f"buffer {buffer.name!r} has {len(buffer.shape)} dimensions but is read with "
                      f"{len(region.region)} indices")
    from irscript.tir.arith import simplify

    indices = [T_builder.ramp_index(r.min, simplify(r.extent), None, f"the slice of {buffer.name!r} from {r.min}")
               for r in region.region]
    return BufferLoad(buffer, indices)


def read_slices(fn: Any) -> Any:
    """`fn` taking buffer slices among its arguments as vector loads (`region_as_load`)."""

    @functools.wraps(fn)
    def apply(*args: Any, **kwargs: Any) -> Any:
        if any(type(a) is BufferRegion for a in args):
            args = tuple(region_as_load(a) if type(a) is BufferRegion else a for a in args)
        if kwargs and any(type(a) is BufferRegion for a in kwargs.values()):
            kwargs = {k: region_as_load(a) if type(a) is BufferRegion else a for k, a in kwargs.items()}
        return fn(*args, **kwargs)

    return apply


# the same builders as the Python operators of PrimExprs, called with the operands in written
# order (Python would try `m.__ge__(n)` first for `n <= m` when m's class derives from n's); a
# buffer slice among the operands is a vector load
_OPERATOR_TABLE = {op: read_slices(fn) for op, fn in {
    Op.Add: _op.add, Op.Sub: _op.sub, Op.Mult: _op.mul, Op.Div: _op.truediv, Op.FloorDiv: _op.floordiv,
    Op.Mod: _op.floormod, Op.Pow: _op.power, Op.LShift: _op.shift_left, Op.RShift: _op.shift_right,
    Op.BitAnd: _op.bitwise_and, Op.BitOr: _op.bitwise_or, Op.BitXor: _op.bitwise_xor,
    Op.Eq: _eq, Op.NotEq: _ne, Op.Lt: _op.less, Op.LtE: _op.less_equal, Op.Gt: _op.greater,
    Op.GtE: _op.greater_equal, Op.And: _op.logical_and, Op.Or: _op.logical_or, Op.Not: _op.logical_not,
    Op.USub: _op.neg, Op.Invert: _op.bitwise_not,
}.items()}
register_operators(PrimExpr, _OPERATOR_TABLE)
register_operators(BufferRegion, _OPERATOR_TABLE)


class MetaVar:
    """`T.meta_var(value)`: a Python value bound as is (no LetStmt), or iterated at parse time."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"T.meta_var({self.value!r})"


def meta_var(value: Any) -> MetaVar:
    """Mark a Python value to be bound as is by an assignment (metaprogramming)."""
    return MetaVar(value)


def range_sugar(start: Any, stop: Any = None, step: Any = None, *, annotations: dict | None = None) -> ForFrame:
    """`range(...)` inside a T.prim_func: a serial loop (step 1 only)."""
    if step is not None and not (isinstance(step, int) and step == 1):
        raise IRError("range() in a T.prim_func takes no step other than 1")
    return T_builder.serial(start, stop, annotations=annotations)


RANGE = ScriptFunc(range_sugar, "range", TIR)


# ---------------------------------------------------------------------------------------------
# functions
# ---------------------------------------------------------------------------------------------


def parse_prim_func(p: Parser, node: Any, decorator: ScriptDecorator) -> PrimFunc:
    """`@T.prim_func def f(...)`: a PrimFunc (into the enclosing module, or the result)."""
    if not isinstance(node, D.FunctionDef):
        raise error_at(header(node), f"{decorator.name} decorates a function")
    saved = p.enter_dialect(TIR)
    p.push_scope(f"the T.prim_func `{node.name}`")
    frame = T_builder.prim_func(private=bool(decorator.options.get("private", False)))
    try:
        for name, value in TIR.prelude.items():
            p.define(name, value)

        def body(_: Any) -> None:
            T_builder.func_name(node.name)
            for param in node.params:
                _param(p, param)
            if node.returns is not None:
                try:
                    T_builder.func_ret(eval_annotation(p, node.returns))
                except IRError as e:
                    raise located(e, node.returns) from None
            p.visit_body(node.body)

        p.in_frame(frame, header(node), body)
    finally:
        p.pop_scope()
        p.restore_dialect(saved)
    return frame.result


def _param(p: Parser, param: Any) -> None:
    if not isinstance(param, D.Param):
        raise error_at(param, f"{param.what} is not allowed in a T.prim_func signature")
    if param.annotation is None:
        raise error_at(param, f"parameter `{param.name}` needs a type: T.handle, a dtype like T.int32, "
                              "or T.Buffer(shape, dtype)")
    if param.default is not None:
        raise error_at(param.default, "parameters of a T.prim_func take no default values")
    value = eval_annotation(p, param.annotation)
    if not isinstance(value, (Buffer, TirVar)):
        raise error_at(param.annotation, f"parameter `{param.name}` needs a type: T.handle, a dtype like "
                                         f"T.int32, or T.Buffer(shape, dtype); got {describe(value)}")
    try:
        T_builder.arg(param.name, value)
    except IRError as e:
        raise located(e, param) from None
    p.define(param.name, value)
    p.mark_bound(value)


def eval_annotation(p: Parser, node: Any) -> Any:
    """A type annotation: a bare `T.int32` / `T.handle` means `T.int32()` / `T.handle()`."""
    value = p.eval(node)
    if type(value) is ScriptFunc and value.is_type:
        try:
            value = value.fn()
        except Error as e:
            raise located(e, node) from None
    return value


def declare_prim_func(p: Parser, node: D.FunctionDef, decorator: ScriptDecorator) -> GlobalVar:
    """The signature pass: a stand-in PrimFunc with one handle per parameter."""
    params = tuple(TirVar(getattr(prm, "name", "p"), "handle") for prm in node.params)
    return I_builder.decl_function(node.name, PrimFunc(params, Evaluate(0)))


def call_global(gv: GlobalVar, args: list, kwargs: dict) -> Any:
    """`cls.f(a, b)` / `f(a, b)` in a T.prim_func: a call of another PrimFunc."""
    dtype = kwargs.pop("dtype", "void")
    if kwargs:
        raise IRError(f"a call of {gv.name_hint} takes only a `dtype` keyword")
    return _op.call_tir_function(gv, *args, dtype=dtype)


TIR.parse_definition = parse_prim_func
TIR.declare_function = declare_prim_func
TIR.call_global = call_global
TIR.prelude["range"] = RANGE


# ---------------------------------------------------------------------------------------------
# binding
# ---------------------------------------------------------------------------------------------


def _name_and_define(p: Parser, name: str, value: Any) -> Any:
    IRBuilder.name(name, value)
    p.define(name, value)
    p.mark_bound(value)
    return value


def bind_assign(p: Parser, target: D.Name, value: Any) -> None:
    """`name = value` in a T.prim_func (see the module doc)."""
    name = target.id
    if isinstance(value, MetaVar):
        p.define(name, value.value)
    elif isinstance(value, IRBuilderFrame):
        try:
            entered = p.enter_implicit(value, target)
        except Error as e:
            raise located(e, target) from None
        _bind_with(p, target, entered)
    elif isinstance(value, (Buffer, IterVar)) or (isinstance(value, TirVar) and not p.is_bound(value)):
        _name_and_define(p, name, value)
    elif isinstance(value, PrimExpr) or type(value) in (int, float, bool):
        frame = T_builder.LetStmt(value)
        var = p.enter_implicit(frame, target)
        _name_and_define(p, name, var)
    elif isinstance(value, list) and value and all(isinstance(v, (TirVar, Buffer)) for v in value):
        raise error_at(target, f"this gives {len(value)} values: bind them to as many names (a, b = ...)")
    else:
        p.define(name, value)


def _bind_with(p: Parser, target: D.Name, value: Any) -> None:
    """`with ... as name` / loop vars: name a var or buffer, bind anything else as is."""
    if isinstance(value, (TirVar, Buffer, IterVar)):
        _name_and_define(p, target.id, value)
    else:
        p.define(target.id, value)


def _bind_python(p: Parser, target: D.Name, value: Any) -> None:
    p.define(target.id, value)


@register_handler(TIR, D.Assign)
def _assign(p: Parser, node: D.Assign) -> None:
    target = node.target
    if node.value is None:
        raise error_at(node, f"`{_text(target)}: ...` declares nothing: give it a value")
    if node.annotation is not None:
        _let(p, node)
        return
    if type(target) is D.Subscript:
        value = p.eval(node.value)
        if type(value) is BufferRegion:
            try:
                value = region_as_load(value)
            except Error as e:
                raise located(e, node.value) from None
        _store(p, target, value)
        return
    p.bind_target(target, p.eval(node.value), bind_assign)


def _let(p: Parser, node: D.Assign) -> None:
    """`x: T.int32 = value`: a LetStmt over the rest of the body."""
    if type(node.target) is not D.Name:
        raise error_at(node.target, "an annotated assignment binds one name")
    var = eval_annotation(p, node.annotation)
    if not isinstance(var, TirVar) or p.is_bound(var):
        raise error_at(node.annotation, f"the annotation of a LetStmt is a dtype like T.int32, got {describe(var)}")
    value = p.eval(node.value)
    try:
        frame = T_builder.LetStmt(value, var=var)
    except Error as e:
        raise located(e, node.value) from None
    p.enter_implicit(frame, node)
    _name_and_define(p, node.target.id, var)


def _indices(p: Parser, target: D.Subscript) -> list:
    out = []
    for i in target.indices:
        if type(i) is D.Slice:
            out.append(slice(None if i.start is None else p.eval(i.start), None if i.stop is None else p.eval(i.stop),
                             None if i.step is None else p.eval(i.step)))
        else:
            out.append(p.eval(i))
    return out


def _store(p: Parser, target: D.Subscript, value: Any, buffer: Any = None, indices: list | None = None) -> None:
    if buffer is None:
        buffer = p.eval(target.value)
        if not isinstance(buffer, Buffer):
            raise error_at(target.value, f"only buffer elements can be assigned: `{_text(target.value)}` is "
                                         f"{describe(buffer)}")
        indices = _indices(p, target)
    try:
        T_builder.buffer_store(buffer, value, indices)
    except Error as e:
        raise located(e, target) from None


@register_handler(TIR, D.AugAssign)
def _aug_assign(p: Parser, node: D.AugAssign) -> None:
    target = node.target
    op = node.op

    def fn(a: Any, b: Any) -> Any:
        return apply_operator(op, a, b)

    if type(target) is D.Subscript:
        buffer = p.eval(target.value)
        if not isinstance(buffer, Buffer):
            raise error_at(target.value, f"only buffer elements can be assigned: `{_text(target.value)}` is "
                                         f"{describe(buffer)}")
        indices = _indices(p, target)
        try:
            value = fn(buffer[tuple(indices)], p.eval(node.value))
        except Error as e:
            raise located(e, node) from None
        _store(p, target, value, buffer, indices)
        return
    if type(target) is not D.Name:
        raise error_at(target, f"cannot assign to `{_text(target)}`")
    current = p.eval(target)
    try:
        value = fn(current, p.eval(node.value))
    except Error as e:
        raise located(e, node) from None
    except TypeError:
        raise error_at(node, f"cannot apply `{node.op.symbol}=` to {describe(current)}") from None
    bind_assign(p, target, value)


def _text(node: Any) -> str:
    from irscript.doc.render import render

    return render(node)


# ---------------------------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------------------------


@register_handler(TIR, D.ExprStmt)
def _expr_stmt(p: Parser, node: D.ExprStmt) -> None:
    value = p.eval(node.value)
    if value is None or type(value) is str:
        return
    if isinstance(value, IRBuilderFrame):
        try:
            p.enter_implicit(value, node)
        except Error as e:
            raise located(e, node) from None
    elif isinstance(value, PrimExpr):
        T_builder.evaluate(value)
    elif type(value) in (int, bool):
        T_builder.evaluate(_op.const(value))
    else:
        raise error_at(node, f"the value of this expression ({describe(value)}) is not used")


@register_handler(TIR, D.With)
def _with(p: Parser, node: D.With) -> None:
    p.push_scope(f"the `with` block at line {_line(node)}")
    entered: list[tuple[Any, Any]] = []
    try:
        for ctx, target in node.items:
            frame = p.eval(ctx)
            if not isinstance(frame, IRBuilderFrame):
                raise error_at(ctx, f"`with` needs a T frame such as T.block(...), T.init() or T.allocate(...), "
                                    f"got {describe(frame)}")
            try:
                value = frame.__enter__()
            except Error as e:
                raise located(e, ctx) from None
            entered.append((frame, ctx))
            if target is not None:
                p.bind_target(target, value, _bind_with)
        p.visit_body(node.body)
    except BaseException as e:
        for frame, _ in reversed(entered):
            frame.__exit__(type(e), e, e.__traceback__)
        raise
    finally:
        p.pop_scope()
    for frame, _ctx in reversed(entered):
        try:
            frame.__exit__(None, None, None)
        except Error as e:
            raise located(e, header(node)) from None


def _line(node: Any) -> int:
    span = node.span
    return span.line if span is not None else 0


@register_handler(TIR, D.For)
def _for(p: Parser, node: D.For) -> None:
    it = p.eval(node.iter)
    if isinstance(it, MetaVar):
        it = it.value
    if isinstance(it, ForFrame):
        desc = f"the `for` loop at line {_line(node)}"

        def body(value: Any) -> None:
            p.push_scope(desc)
            try:
                p.bind_target(node.target, value, _bind_with)
                p.visit_body(node.body)
            finally:
                p.pop_scope()

        p.in_frame(it, node.iter, body)
        return
    try:
        values = python_iterable(it)
    except IRError as e:
        raise located(e, node.iter) from None
    if values is not None:
        for v in values:
            p.push_scope()
            try:
                p.bind_target(node.target, v, _bind_python)
                p.visit_body(node.body)
            finally:
                p.pop_scope()
        return
    raise error_at(node.iter, "a `for` loop in a T.prim_func runs over range(...), T.serial / T.parallel / "
                              "T.vectorized / T.unroll(...), T.grid(...), T.thread_binding(...) or a Python "
                              f"list; got {describe(it)}")


@register_handler(TIR, D.While)
def _while(p: Parser, node: D.While) -> None:
    cond = p.eval(node.cond)
    try:
        frame = T_builder.While(cond)
    except Error as e:
        raise located(e, node.cond) from None
    p.in_frame(frame, header(node), lambda _: _scoped_body(p, node.body, f"the `while` loop at line {_line(node)}"))


def _scoped_body(p: Parser, body: list, desc: str | None = None) -> None:
    p.push_scope(desc)
    try:
        p.visit_body(body)
    finally:
        p.pop_scope()


@register_handler(TIR, D.If)
def _if(p: Parser, node: D.If) -> None:
    cond = p.eval(node.cond)
    if isinstance(cond, PrimExpr):
        try:
            frame = T_builder.If(cond)
        except Error as e:
            raise located(e, node.cond) from None
        line = _line(node)

        def branches(_: Any) -> None:
            p.in_frame(T_builder.Then(), header(node),
                       lambda _: _scoped_body(p, node.then_body, f"the `if` branch at line {line}"))
            if node.else_body:
                p.in_frame(T_builder.Else(), header(node),
                           lambda _: _scoped_body(p, node.else_body, f"the `else` branch at line {line}"))

        p.in_frame(frame, header(node), branches)
        return
    if type(cond) in (bool, int):
        _scoped_body(p, node.then_body if cond else node.else_body)
        return
    raise error_at(node.cond, f"an `if` condition in a T.prim_func is a boolean expression or a Python bool, "
                              f"got {describe(cond)}")


@register_handler(TIR, D.Assert)
def _assert(p: Parser, node: D.Assert) -> None:
    cond = p.eval(node.cond)
    msg = _assert_message(p, node.msg)
    if isinstance(cond, PrimExpr):
        try:
            frame = T_builder.Assert(cond, msg)
            p.enter_implicit(frame, node)
        except Error as e:
            raise located(e, node) from None
        return
    if type(cond) in (bool, int):
        if not cond:
            raise error_at(node, f"assertion failed: {msg}" if msg else "assertion failed")
        return
    raise error_at(node.cond, f"an `assert` condition is a boolean expression, got {describe(cond)}")


def _assert_message(p: Parser, node: Any) -> Any:
    """The message of `assert c, msg`: a string, or TVM 0.25's `(kind, [parts...])`, whose parts
    TVM joins when the assertion fails; irscript's assert has the kind "RuntimeError" only."""
    if node is None:
        return ""
    msg = p.eval(node)
    if not isinstance(msg, tuple):
        return msg
    elts = node.elts if type(node) is D.Tuple and len(node.elts) == len(msg) else [node] * len(msg)
    if len(msg) != 2:
        raise error_at(node, f"an assert message tuple is (kind, [parts...]), like (\"RuntimeError\", [\"msg\"]); "
                             f"got {len(msg)} elements")
    kind, parts = msg
    kind = kind.value if isinstance(kind, StringImm) else kind
    if kind != "RuntimeError":
        what = repr(kind) if type(kind) is str else describe(kind)
        raise error_at(elts[0], f"the error kind of an assert is \"RuntimeError\" in irscript (an assert has no "
                                f"other kind), got {what}")
    texts = []
    for part in parts if isinstance(parts, (list, tuple)) else [parts]:
        part = part.value if isinstance(part, StringImm) else part
        if type(part) is not str:
            raise error_at(elts[1], f"the message parts of an assert are strings, got {describe(part)}")
        texts.append(part)
    return "".join(texts)


@register_handler(TIR, D.Return)
def _return(p: Parser, node: D.Return) -> None:
    if node.value is None:
        raise error_at(node, "`return` in a T.prim_func needs a value (the function's result)")
    value = p.eval(node.value)
    try:
        T_builder.evaluate(_op.ret(value))
    except Error as e:
        raise located(e, node.value) from None


@register_handler(TIR, D.FunctionDef)
def _nested_def(p: Parser, node: D.FunctionDef) -> None:
    raise error_at(header(node), "functions cannot be defined inside a T.prim_func "
                                 "(define a @T.macro in Python and call it)")


__all__ = [
    "RANGE", "TIR", "MetaVar", "bind_assign", "eval_annotation", "meta_var", "parse_prim_func", "range_sugar",
    "read_slices", "region_as_load",
]
