"""A third dialect defined outside irscript: 1-D stencil kernels (`S`), called from Relax.

    @I.ir_module
    class Module:
        @S.stencil
        def blur(a: S.Field("float32")):
            return (a[-1] + a[0] * T.float32(2) + a[1]) * T.float32(0.25)

        @R.function
        def main(x: R.Tensor(("n",), "float32")) -> R.Tensor(("n",), "float32"):
            cls = Module
            y = R.stencil.apply(cls.blur, x)
            return y

A stencil computes each cell of its output from cells of its input fields at fixed offsets
(`a[-1]` is the left neighbour; at the edges the nearest cell is used). Everything a dialect
plugs in is here, in one file, through the registration points the built-in T and R use
(docs/adding-a-dialect.md walks through it):

1. node types: `Field`, `Tap`, `StencilKernel` (JSON and structural equality come free);
2. the script namespace `S` and the parser hooks of the dialect `STENCIL`;
3. printer handlers (`PRINT_STENCIL`);
4. the well-formedness checker of `StencilKernel`;
5. the Relax op `R.stencil.apply` (op registry) and its interpreter kernel.

    python examples/stencil_dialect.py      # parse, print, reparse, JSON, run; compare with numpy
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

import irscript
from irscript import tir
from irscript.doc import nodes as D
from irscript.errors import IRError
from irscript.interp import register_relax_op
from irscript.interp.errors import fail
from irscript.ir.dtype import DataType
from irscript.ir.expr import GlobalVar, PrimExpr
from irscript.ir.functor import handles
from irscript.ir.module import BaseFunc
from irscript.ir.node import DEF, IGNORE, Node, field
from irscript.ir.well_formed import CheckVisitor, attr_step, register_checker
from irscript.irbuilder.base import IRBuilder
from irscript.irbuilder.ir import IRModuleFrame, decl_function, def_function
from irscript.printer import Dialect as PrinterDialect
from irscript.printer import register as register_printer
from irscript.printer.ir import function_site
from irscript.relax.op.registry import define_op
from irscript.relax.op.signature import ANY, Arg
from irscript.relax.struct_info import TensorStructInfo
from irscript.script import ir as I
from irscript.script import relax as R
from irscript.script import tir as T
from irscript.script.parser import ScriptDecorator, ScriptFunc, new_dialect, register_handler, register_namespace
from irscript.script.parser.core import header
from irscript.script.parser.errors import error_at

MAX_REACH = 8  # the farthest offset a stencil may read


# ---------------------------------------------------------------------------------------------
# 1. node types
# ---------------------------------------------------------------------------------------------
class Field(Node, type_key="stencil.Field"):
    """A parameter of a stencil kernel: a 1-D array of `dtype` (a binding object, like a var)."""

    __slots__ = ()
    _binding = "var"
    name_hint: str = field(role=IGNORE)
    dtype: DataType

    def __getitem__(self, offset: int) -> Tap:
        if type(offset) is not int:
            raise IRError(f"a field is indexed by a constant int offset, got {type(offset).__name__}")
        return Tap(self.dtype, self, offset)


class Tap(tir.PrimExprWithOp, type_key="stencil.Tap"):
    """`a[offset]`: the cell of field `a` that is `offset` cells away from the one computed."""

    __slots__ = ()
    field: Field
    offset: int


class StencilKernel(BaseFunc, type_key="stencil.Kernel"):
    """A stencil: each output cell is `body` (a scalar expression of Taps) at that cell."""

    __slots__ = ()
    params: tuple[Field, ...] = field(role=DEF)
    body: PrimExpr
    attrs: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# 2. the script side: the namespace S and the parser hooks
# ---------------------------------------------------------------------------------------------
STENCIL = new_dialect("S", "an S.stencil")
_RESULT = "stencil.result"


def parse_stencil(p: Any, node: Any, decorator: ScriptDecorator) -> StencilKernel:
    """`@S.stencil def f(a: S.Field("float32"), ...): ... return expr` (into the module or as the
    result)."""
    if not isinstance(node, D.FunctionDef):
        raise error_at(header(node), "S.stencil decorates a function")
    saved = p.enter_dialect(STENCIL)
    p.push_scope(f"the S.stencil `{node.name}`")
    try:
        params = tuple(_param(p, prm) for prm in node.params)
        p.state.pop(_RESULT, None)
        p.visit_body(node.body)
        if _RESULT not in p.state:
            raise error_at(header(node), "an S.stencil ends with `return <expression>`")
        body = p.state.pop(_RESULT)
    finally:
        p.pop_scope()
        p.restore_dialect(saved)
    private = bool(decorator.options.get("private"))
    kernel = StencilKernel(params, body, {} if private else {"global_symbol": node.name}, span=header(node).span)
    builder = IRBuilder.current()
    if builder.find_frame(IRModuleFrame) is not None:
        def_function(node.name, kernel)
    else:
        builder.set_result(kernel)
    return kernel


def _param(p: Any, prm: Any) -> Field:
    if not isinstance(prm, D.Param) or prm.annotation is None or prm.default is not None:
        raise error_at(prm, "a parameter of an S.stencil is `name: S.Field(dtype)`")
    spec = p.eval(prm.annotation)
    if not isinstance(spec, Field):
        raise error_at(prm.annotation, "a parameter of an S.stencil is `name: S.Field(dtype)`")
    f = Field(prm.name, spec.dtype, span=prm.span)
    p.define(prm.name, f)
    return f


def declare_stencil(p: Any, node: Any, decorator: ScriptDecorator) -> GlobalVar:
    """The module's signature pass: a stand-in kernel, so functions can refer to it."""
    return decl_function(node.name, StencilKernel((), tir.FloatImm("float32", 0.0)))


@register_handler(STENCIL, D.Assign)
def _assign(p: Any, node: Any) -> None:
    if type(node.target) is not D.Name:
        raise error_at(node.target, "an S.stencil assigns names only")
    p.define(node.target.id, p.eval(node.value))


@register_handler(STENCIL, D.Return)
def _return(p: Any, node: Any) -> None:
    value = p.eval(node.value) if node.value is not None else None
    if not isinstance(value, PrimExpr):
        raise error_at(node, "an S.stencil returns a scalar expression of its fields (like `a[-1] + a[1]`)")
    p.state[_RESULT] = value


STENCIL.parse_definition = parse_stencil
STENCIL.declare_function = declare_stencil

S = register_namespace(SimpleNamespace(
    stencil=ScriptDecorator(STENCIL, "S.stencil", "function", {"private": False, "check_well_formed": True}),
    Field=ScriptFunc(lambda dtype="float32": Field("field", dtype), "S.Field", STENCIL),
), alias="S")


# ---------------------------------------------------------------------------------------------
# 3. printing
# ---------------------------------------------------------------------------------------------
PRINT_STENCIL = PrinterDialect("stencil", "S", module="stencil_dialect", order=10)


@register_printer(StencilKernel)
def _print_kernel(p: Any, k: StencilKernel) -> D.Stmt:
    name, private, _attrs, _top = function_site(p, k)
    prev = p.enter_dialect(PRINT_STENCIL)
    outer = p.open_body()
    params = [D.Param(p.define(f, f.name_hint), p.call(PRINT_STENCIL, "Field", [D.Literal(str(f.dtype))]))
              for f in k.params]
    p.emit(D.Return(p.expr(k.body)))
    body = p.close_body(outer)
    p.exit_dialect(prev)
    deco: D.Expr = p.ns(PRINT_STENCIL, "stencil")
    if private:
        deco = D.Call(deco, [], [("private", D.Literal(True))])
    return p.emit(D.FunctionDef(name, params, None, [deco], body))


@register_printer(Tap)
def _print_tap(p: Any, t: Tap) -> D.Expr:
    name = p.names.get(t.field) or p.undefined(t.field, t.field.name_hint)
    return D.Subscript(D.Name(name), [D.Literal(t.offset)])


# ---------------------------------------------------------------------------------------------
# 4. well-formedness
# ---------------------------------------------------------------------------------------------
class _StencilChecker(CheckVisitor):
    def __init__(self, ctx: Any, kernel: StencilKernel) -> None:
        super().__init__(ctx)
        self.params = {id(f) for f in kernel.params}

    @handles(Tap)
    def _tap(self, t: Tap) -> None:
        if id(t.field) not in self.params:
            self.report_once(t.field, f"field `{t.field.name_hint}` is not a parameter of this stencil")
        if abs(t.offset) > MAX_REACH:
            self.report(f"offset {t.offset} reaches farther than {MAX_REACH} cells")


def check_stencil(kernel: StencilKernel, ctx: Any) -> None:
    """The rules of a stencil kernel, reported with their IR paths."""
    if not kernel.params:
        ctx.report("a stencil reads at least one field", ())
    dtypes = {f.dtype for f in kernel.params}
    if len(dtypes) > 1:
        ctx.report(f"the fields of a stencil share one dtype, got {', '.join(sorted(map(str, dtypes)))}",
                   (attr_step("params"),))
    elif dtypes and kernel.body.dtype not in dtypes:
        ctx.report(f"the stencil computes {kernel.body.dtype} from {next(iter(dtypes))} fields",
                   (attr_step("body"),))
    checker = _StencilChecker(ctx, kernel)
    checker.visit_field(kernel, "body")


register_checker(StencilKernel, check_stencil)


# ---------------------------------------------------------------------------------------------
# 5. the Relax op that applies a stencil, and its interpreter kernel
# ---------------------------------------------------------------------------------------------
def _infer_apply(call: Any, ctx: Any) -> TensorStructInfo:
    fields = call.args[1:]
    sinfos = [f.struct_info for f in fields]
    for s in sinfos:
        if not isinstance(s, TensorStructInfo) or s.ndim not in (1, -1):
            raise IRError("R.stencil.apply: the fields must be 1-D tensors")
    if len({s.dtype for s in sinfos}) > 1:
        raise IRError("R.stencil.apply: the fields must share one dtype")
    return sinfos[0]


APPLY = define_op("stencil.apply", args=[Arg("kernel", ANY), Arg("fields", variadic=True)], infer=_infer_apply,
                  doc="R.stencil.apply(kernel, *fields): run the S.stencil `kernel` over 1-D tensors.")

_NUMPY_OPS = {tir.Add: np.add, tir.Sub: np.subtract, tir.Mul: np.multiply, tir.Div: np.divide,
              tir.Min: np.minimum, tir.Max: np.maximum}


def evaluate(e: Any, cells: dict[int, np.ndarray], dtype: np.dtype) -> Any:
    """The value of a stencil body at every cell (numpy, elementwise)."""
    t = type(e)
    if t is Tap:
        a = cells[id(e.field)]
        return a[np.clip(np.arange(a.size) + e.offset, 0, a.size - 1)]
    if t is tir.FloatImm or t is tir.IntImm:
        return dtype.type(e.value)
    op = _NUMPY_OPS.get(t)
    if op is None:
        raise IRError(f"a stencil body cannot hold a {e.type_key}")
    return op(evaluate(e.a, cells, dtype), evaluate(e.b, cells, dtype)).astype(dtype)


@register_relax_op("stencil.apply", raw=True)
def _run_apply(interp: Any, call: Any, path: Any) -> np.ndarray:
    gv = call.args[0]
    kernel = interp.function_of(gv.name_hint, path)
    if not isinstance(kernel, StencilKernel):
        raise fail(f"R.stencil.apply: `{gv.name_hint}` is not an S.stencil", path)
    args = [interp.eval(a, path.attr("args").index(i + 1)) for i, a in enumerate(call.args[1:])]
    if len(args) != len(kernel.params):
        raise fail(f"R.stencil.apply: `{gv.name_hint}` takes {len(kernel.params)} field(s), got {len(args)}", path)
    cells = {id(f): a for f, a in zip(kernel.params, args)}
    return np.asarray(evaluate(kernel.body, cells, args[0].dtype))


# ---------------------------------------------------------------------------------------------
# a model that uses it
# ---------------------------------------------------------------------------------------------
@I.ir_module
class Smooth:
    @S.stencil
    def blur(a: S.Field("float32")):
        return (a[-1] + a[0] * T.float32(2) + a[1]) * T.float32(0.25)

    @S.stencil
    def gradient(a: S.Field("float32")):
        return (a[1] - a[-1]) * T.float32(0.5)

    @R.function
    def main(x: R.Tensor(("n",), "float32")) -> R.Tensor(("n",), "float32"):
        cls = Smooth
        with R.dataflow():
            smooth = R.stencil.apply(cls.blur, x)
            slope = R.stencil.apply(cls.gradient, smooth)
            R.output(slope)
        return slope


def numpy_reference(x: np.ndarray) -> np.ndarray:
    padded = np.concatenate([x[:1], x, x[-1:]])
    smooth = (padded[:-2] + padded[1:-1] * 2 + padded[2:]) * np.float32(0.25)
    padded = np.concatenate([smooth[:1], smooth, smooth[-1:]])
    return (padded[2:] - padded[:-2]) * np.float32(0.5)


def main() -> None:
    text = Smooth.script()
    again = irscript.parse(text)
    irscript.assert_structural_equal(again, Smooth)
    loaded = irscript.from_json(irscript.to_json(Smooth))
    irscript.assert_structural_equal(loaded, Smooth)
    x = np.linspace(0, 1, 8, dtype="float32") ** 2
    out = irscript.run(loaded, "main", x)
    np.testing.assert_allclose(out, numpy_reference(x), rtol=1e-6)
    print(text)
    print(f"stencil dialect: printed, parsed back, saved and loaded; main({x.shape}) -> {out.shape} {out.dtype}, "
          f"matches numpy: {np.allclose(out, numpy_reference(x))}")


if __name__ == "__main__":
    main()
