"""TIR expressions -> Doc: vars, constants, arithmetic, comparisons, logic, loads, calls.

Spelling (classic TVMScript): `a + b`, `a // b`, `a % b` (floordiv/floormod),
`a / b` for float Div, `T.truncdiv`/`T.truncmod` for integer Div/Mod,
`T.min`/`T.max`, `a * -1`, `and`/`or`/`not`, comparisons as operators,
`T.Select`, `T.Cast("float32", x)`, `T.Ramp`, `T.Broadcast`, `A[i, j]`,
intrinsics by their op's `script_name` (`T.exp(x)`), `T.call_extern("int32",
"f", ...)`, and `T.call_intrin(dtype, name, ...)` for calls the specific
builders would not rebuild exactly.

Literals: int32 and bool constants print bare (`3`, `True`); other integer
dtypes are wrapped (`T.int64(3)`) except where the dtype is implied — an
operand of an arithmetic operator whose other operand is not a literal
(`n + 1` with `n` int64). Comparisons never start with a bare literal
(Python would swap the operands), and two literal operands never both print
bare (Python would fold them), and operands of `and` / `or` / `not` are never
bare (`T.bool(True) or x`: Python would decide the bare form itself). Floats
are always wrapped (`T.float32(0.5)`).
"""

from __future__ import annotations

from irscript.doc import nodes as D
from irscript.ir.dtype import DataType, int_range
from irscript.ir.expr import Range
from irscript.ir.op import Op
from irscript.printer.core import Dialect, IRDocsifier, register
from irscript.tir import expr as E
from irscript.tir import op as top

TIR = Dialect("tir", "T", tvm_name="tirx", order=1)
"""The tensor-level namespace `T`."""

INT32 = DataType("int32")
INT64 = DataType("int64")
BOOL = DataType("bool")
HANDLE = DataType("handle")


# ---------------------------------------------------------------------------------------------
# vars and constants
# ---------------------------------------------------------------------------------------------
def var_creation(p: IRDocsifier, v: E.Var) -> D.Expr:
    """The expression that makes a fresh var like `v`: `T.int32()`, `T.int64(is_size_var=True)`,
    `T.handle()`, `T.handle("float32", "shared")`."""
    dt = v.dtype
    kwargs = [("is_size_var", D.Literal(True))] if type(v) is E.SizeVar else []
    if dt is HANDLE:
        ann = v.type_annotation
        args: list[D.Expr] = []
        if ann is not None:
            args.append(D.Literal(str(ann.element_type)))
            if ann.storage_scope != "global":
                args.append(D.Literal(ann.storage_scope))
        return p.call(TIR, "handle", args, kwargs)
    return p.call(TIR, str(dt), [], kwargs)


def declare_var(p: IRDocsifier, v: E.Var, name: str) -> D.Stmt:
    """`name = T.int32()`: the statement that declares a fresh var."""
    return D.Assign(D.Name(name), var_creation(p, v))


def var_doc(p: IRDocsifier, v: E.Var) -> D.Expr:
    """A use of a TIR var (an undefined one is named once and reported)."""
    name = p.names.get(v)
    if name is None:
        name = p.undefined(v, v.name_hint, lambda n: declare_var(p, v, n))
    return D.Name(name)


register(E.Var)(var_doc)


def dtype_call(p: IRDocsifier, dt: DataType, value: object) -> D.Expr:
    """`T.int64(3)`, `T.float32(0.5)`."""
    return p.call(TIR, str(dt), [D.Literal(value)])


def int_literal(e: E.IntImm) -> D.Literal:
    return D.Literal(bool(e.value)) if e.dtype is BOOL else D.Literal(e.value)


def explicit_int(p: IRDocsifier, e: E.IntImm) -> D.Expr:
    """An integer constant with its dtype spelled out (`T.int32(3)`, `T.bool(True)`)."""
    return dtype_call(p, e.dtype, bool(e.value) if e.dtype is BOOL else e.value)


@register(E.IntImm)
def _int_imm(p: IRDocsifier, e: E.IntImm) -> D.Expr:
    dt = e.dtype
    if (dt is INT32 or dt is BOOL) and not p.explicit:
        return int_literal(e)
    return explicit_int(p, e)


@register(E.FloatImm)
def _float_imm(p: IRDocsifier, e: E.FloatImm) -> D.Expr:
    return dtype_call(p, e.dtype, e.value)


@register(E.StringImm)
def _string_imm(p: IRDocsifier, e: E.StringImm) -> D.Expr:
    if p.explicit:
        return p.call(TIR, "StringImm", [D.Literal(e.value)])
    return D.Literal(e.value)


# ---------------------------------------------------------------------------------------------
# operators
# ---------------------------------------------------------------------------------------------
def operands(p: IRDocsifier, a: object, b: object, compare: bool) -> tuple[D.Expr, D.Expr]:
    """Docs of two operands of a Python operator, with literals bare only where implied."""
    a_lit = type(a) is E.IntImm
    if a_lit:
        la = int_literal(a) if type(b) is not E.IntImm and not compare else explicit_int(p, a)
    else:
        la = p.expr(a)
    lb = int_literal(b) if type(b) is E.IntImm else p.expr(b)
    return la, lb


def _binary(op: D.Op):
    def handler(p: IRDocsifier, e: E.BinaryOp) -> D.Expr:
        la, lb = operands(p, e.a, e.b, False)
        return D.BinOp(op, la, lb)

    return handler


def _compare(op: D.Op):
    def handler(p: IRDocsifier, e: E.CmpOp) -> D.Expr:
        la, lb = operands(p, e.a, e.b, True)
        return D.Compare([op], [la, lb])

    return handler


def _function(name: str):
    def handler(p: IRDocsifier, e: E.BinaryOp) -> D.Expr:
        return p.call(TIR, name, [p.expr(e.a), p.expr(e.b)])

    return handler


for _cls, _op in ((E.Add, D.Op.Add), (E.Sub, D.Op.Sub), (E.Mul, D.Op.Mult), (E.FloorDiv, D.Op.FloorDiv),
                  (E.FloorMod, D.Op.Mod)):
    register(_cls)(_binary(_op))
for _cls, _op in ((E.EQ, D.Op.Eq), (E.NE, D.Op.NotEq), (E.LT, D.Op.Lt), (E.LE, D.Op.LtE), (E.GT, D.Op.Gt),
                  (E.GE, D.Op.GtE)):
    register(_cls)(_compare(_op))
register(E.Min)(_function("min"))
register(E.Max)(_function("max"))
register(E.Mod)(_function("truncmod"))
_truncdiv = _function("truncdiv")
_float_div = _binary(D.Op.Div)


@register(E.Div)
def _div(p: IRDocsifier, e: E.Div) -> D.Expr:
    return _float_div(p, e) if e.dtype.is_float else _truncdiv(p, e)


def _bool_chain(cls: type, op: D.Op):
    def handler(p: IRDocsifier, e: E.PrimExpr) -> D.Expr:
        values = [e.b]
        a = e.a
        while type(a) is cls:  # a and b and c: flatten the left spine
            values.append(a.b)
            a = a.a
        values.append(a)
        values.reverse()
        return D.BoolOp(op, [_logic_operand(p, v) for v in values])

    return handler


register(E.And)(_bool_chain(E.And, D.Op.And))
register(E.Or)(_bool_chain(E.Or, D.Op.Or))


def _logic_operand(p: IRDocsifier, e: object) -> D.Expr:
    """An operand of `and` / `or` / `not`: a constant spelled `T.bool(True)`, since Python would
    evaluate `True or x` itself."""
    return explicit_int(p, e) if type(e) is E.IntImm else p.expr(e)


@register(E.Not)
def _not(p: IRDocsifier, e: E.Not) -> D.Expr:
    return D.UnaryOp(D.Op.Not, _logic_operand(p, e.a))


@register(E.Select)
def _select(p: IRDocsifier, e: E.Select) -> D.Expr:
    return p.call(TIR, "Select", [p.expr(e.condition), p.expr(e.true_value), p.expr(e.false_value)])


@register(E.Cast)
def _cast(p: IRDocsifier, e: E.Cast) -> D.Expr:
    return p.call(TIR, "Cast", [D.Literal(str(e.dtype)), p.expr(e.value)])


@register(E.Ramp)
def _ramp(p: IRDocsifier, e: E.Ramp) -> D.Expr:
    return p.call(TIR, "Ramp", [p.expr(e.base), p.expr(e.stride), D.Literal(e.lanes)])


@register(E.Broadcast)
def _broadcast(p: IRDocsifier, e: E.Broadcast) -> D.Expr:
    return p.call(TIR, "Broadcast", [p.expr(e.value), D.Literal(e.lanes)])


@register(E.BufferLoad)
def _load(p: IRDocsifier, e: E.BufferLoad) -> D.Expr:
    if e.predicate is not None:
        return p.call(TIR, "BufferLoad", [p.expr(e.buffer), D.List([p.expr(i) for i in e.indices]),
                                          p.expr(e.predicate)])
    return D.Subscript(p.expr(e.buffer), [p.expr(i) for i in e.indices])


@register(E.Let)
def _let(p: IRDocsifier, e: E.Let) -> D.Expr:
    """`T.let(v, value, body)` with `v = T.int32()` declared before the statement
    (TVM 0.25: `T.Let(body, where={v: value})`)."""
    value = p.expr(e.value)
    name = p.define(e.var, e.var.name_hint)
    p.body.append(declare_var(p, e.var, name))
    body = p.expr(e.body)
    if p.opts.tvm:
        return D.Call(p.ns(TIR, "Let"), [body], [("where", D.Dict([D.Name(name)], [value]))])
    return p.call(TIR, "let", [D.Name(name), value, body])


# ---------------------------------------------------------------------------------------------
# calls
# ---------------------------------------------------------------------------------------------
def _plain(p: IRDocsifier, c: E.Call, name: str) -> D.Expr:
    return p.call(TIR, name, [p.expr(a) for a in c.args])


def _expected_dtype(name: str, c: E.Call) -> DataType | None:
    """The dtype the script builder `T.<name>(args)` gives this call, or None if unsure."""
    args = c.args
    short = name[4:]
    if short in top.MATH or short in ("bitwise_and", "bitwise_or", "bitwise_xor", "shift_left", "shift_right",
                                      "bitwise_not", "likely", "ret"):
        if not args or any(a.dtype is not args[0].dtype for a in args):
            return None
        dt = args[0].dtype
        if short in ("isnan", "isinf", "isfinite"):
            return BOOL.with_lanes(dt.lanes)
        if short.startswith(("bitwise", "shift")) and dt.is_bool:
            return None  # the builder makes And/Or/Not of booleans
        return dt
    if short == "if_then_else":
        if len(args) != 3 or args[1].dtype is not args[2].dtype or not args[0].dtype.is_bool:
            return None
        return args[1].dtype
    if short == "address_of":
        return HANDLE if len(args) == 1 and type(args[0]) is E.BufferLoad else None
    return None


def _extern(p: IRDocsifier, c: E.Call, name: str) -> D.Expr | None:
    args = c.args
    if not args or type(args[0]) is not E.StringImm:
        return None
    return p.call(TIR, name, [D.Literal(str(c.dtype)), D.Literal(args[0].value)] + [p.expr(a) for a in args[1:]])


def _call_packed(p: IRDocsifier, c: E.Call, name: str) -> D.Expr | None:
    args = c.args
    if not args or type(args[0]) is not E.StringImm:
        return None
    kwargs = [] if c.dtype is INT32 else [("dtype", D.Literal(str(c.dtype)))]
    return p.call(TIR, name, [D.Literal(args[0].value)] + [p.expr(a) for a in args[1:]], kwargs)


def _reinterpret(p: IRDocsifier, c: E.Call, name: str) -> D.Expr | None:
    if len(c.args) != 1:
        return None
    return p.call(TIR, name, [D.Literal(str(c.dtype)), p.expr(c.args[0])])


_SPECIAL = {
    "tir.call_extern": _extern,
    "tir.call_pure_extern": _extern,
    "tir.call_packed": _call_packed,
    "tir.reinterpret": _reinterpret,
}


@register(E.Call)
def _call(p: IRDocsifier, c: E.Call) -> D.Expr:
    op = c.op
    if type(op) is not Op:  # a call of another PrimFunc: `cls.f(a, b, dtype="int32")` (void by default)
        kwargs = [] if c.dtype.is_void else [("dtype", D.Literal(str(c.dtype)))]
        return D.Call(p.expr(op), [p.expr(a) for a in c.args], kwargs)
    name = op.name
    special = _SPECIAL.get(name)
    if special is not None:
        doc = special(p, c, op.get_attr("script_name") or name[4:])
        if doc is not None:
            return doc
    elif name.startswith("tir.") and _expected_dtype(name, c) is c.dtype:
        return _plain(p, c, op.get_attr("script_name") or name[4:])
    intrin = name[4:] if name.startswith("tir.") else name
    return p.call(TIR, "call_intrin", [D.Literal(str(c.dtype)), D.Literal(intrin)] + [p.expr(a) for a in c.args])


# ---------------------------------------------------------------------------------------------
# other TIR nodes printed on their own
# ---------------------------------------------------------------------------------------------
@register(Range)
def _range(p: IRDocsifier, r: Range) -> D.Expr:
    return p.call(TIR, "Range", [p.expr(r.min), stop_doc(p, r.min, r.extent)])


def stop_doc(p: IRDocsifier, start: object, extent: object) -> D.Expr:
    """`start + extent` as the builder reads it back (`region_extent(start, stop)`): the
    extent itself from 0, a folded constant, else `start + extent`."""
    if type(start) is E.IntImm:
        if start.value == 0 and start.dtype is getattr(extent, "dtype", None):
            return p.expr(extent)
        if type(extent) is E.IntImm and extent.dtype is start.dtype:
            lo, hi = int_range(start.dtype)
            if lo <= start.value + extent.value <= hi:
                return p.expr(E.IntImm(start.dtype, start.value + extent.value))
    la, lb = operands(p, start, extent, False)
    return D.BinOp(D.Op.Add, la, lb)


_ITER_TYPE_NAMES = {
    E.IterVarType.DATA_PAR: "DataPar", E.IterVarType.THREAD_INDEX: "ThreadIndex",
    E.IterVarType.COMM_REDUCE: "CommReduce", E.IterVarType.ORDERED: "Ordered", E.IterVarType.OPAQUE: "Opaque",
    E.IterVarType.UNROLLED: "Unrolled", E.IterVarType.VECTORIZED: "Vectorized",
    E.IterVarType.PARALLELIZED: "Parallelized", E.IterVarType.TENSORIZED: "Tensorized",
}


@register(E.IterVar)
def _iter_var(p: IRDocsifier, iv: E.IterVar) -> D.Expr:
    """`T.iter_var(v, T.Range(0, n), "ThreadIndex", "threadIdx.x")` (TVM's spelling)."""
    dom = D.Literal(None) if iv.dom is None else p.expr(iv.dom)
    return p.call(TIR, "iter_var", [p.expr(iv.var), dom, D.Literal(_ITER_TYPE_NAMES[iv.iter_type]),
                                    D.Literal(iv.thread_tag)])


@register(E.CommReducer)
def _comm_reducer(p: IRDocsifier, r: E.CommReducer) -> D.Expr:
    """`T.comm_reducer(lambda x, y: x + y, [T.float32(0.0)])`."""
    p.names.push()
    params = [p.define(v, v.name_hint) for v in (*r.lhs, *r.rhs)]
    results = [p.expr(x) for x in r.result]
    p.names.pop()
    body: D.Expr = results[0] if len(results) == 1 else D.Tuple(results)
    identity = D.List([p.expr(x) for x in r.identity_element])
    return p.call(TIR, "comm_reducer", [D.Lambda(params, body), identity])


@register(E.PointerType)
def _pointer_type(p: IRDocsifier, t: E.PointerType) -> D.Expr:
    args: list[D.Expr] = [D.Literal(str(t.element_type))]
    if t.storage_scope != "global":
        args.append(D.Literal(t.storage_scope))
    return p.call(TIR, "handle", args)


__all__ = ["TIR", "declare_var", "dtype_call", "explicit_int", "int_literal", "operands", "stop_doc",
           "var_creation", "var_doc"]
