"""Every registered Relax op through the interpreter, twice:

1. as a high-level call in a Relax function: the interpreter's result equals the
   op's numpy reference called directly (same bits, dtype and shape);
2. legalized (`legalize_call` → `R.call_tir` of the op's PrimFunc): the TIR
   interpreter's result matches the numpy reference (dtype tolerance), and the
   vectorized and the scalar TIR paths agree bit for bit.

Cases have static and symbolic variants (symbolic dims become shape vars of
the Relax function, resolved from the inputs at run time). A test fails if a
registered op has no case here: new ops need one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from irscript import relax, tir
from irscript.interp import Interpreter
from irscript.ir import IRModule
from irscript.relax import op as R
from irscript.relax.op import FunctionTable, get_entry, image, legalize_call, memory, nn, registered_entries
from irscript.relax.op.builtin import alloc_tensor as builtin_alloc_tensor
from irscript.relax.op.registry import constant_value
from irscript.tir.arith import evaluate

rng = np.random.default_rng(2024)


def f(*shape: int, dtype: str = "float32", lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def i(*shape: int, dtype: str = "int32", lo: int = -9, hi: int = 10) -> np.ndarray:
    return rng.integers(lo, hi, size=shape).astype(dtype)


def nz(a: np.ndarray) -> np.ndarray:
    return np.where(a == 0, 3, a).astype(a.dtype)


Sym = dict[int, dict[int, str]]


class Case:
    def __init__(self, name: str, build: Callable[..., relax.Expr], arrays: list[np.ndarray],
                 sym: Sym | None = None, rtol: float = 1e-5) -> None:
        self.name, self.build, self.arrays, self.sym, self.rtol = name, build, arrays, sym, rtol


CASES: list[Case] = []


def case(name: str, build: Callable[..., Any], arrays: list[np.ndarray], sym: Sym | None = None,
         rtol: float = 1e-5) -> None:
    CASES.append(Case(name, build, arrays, None, rtol))
    if sym:
        CASES.append(Case(name + "-sym", build, arrays, sym, rtol))


def dim(x: relax.Var, d: int) -> Any:
    return x.struct_info.values[d]


N0: Sym = {0: {0: "n"}}
N01: Sym = {0: {0: "n"}, 1: {0: "n"}}

# elementwise
for _name in ["add", "subtract", "multiply", "divide", "floor_divide", "maximum", "minimum", "equal", "not_equal",
              "less", "less_equal", "greater", "greater_equal", "power"]:
    _lo = 0.5 if _name == "power" else -2.0
    case(_name, getattr(R, _name), [f(3, 4, lo=_lo), nz(f(1, 4))], N0)
    if _name != "power":
        case(f"{_name}-int", getattr(R, _name), [i(2, 3), nz(i(3))])
for _name in ["logical_and", "logical_or"]:
    case(_name, getattr(R, _name), [i(4, dtype="bool", lo=0, hi=2), i(3, 4, dtype="bool", lo=0, hi=2)])
case("logical_not", R.logical_not, [i(5, dtype="bool", lo=0, hi=2)])
for _name in ["exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "sin", "cos", "erf", "negative", "abs", "floor",
              "ceil", "round"]:
    case(_name, getattr(R, _name), [f(2, 3, lo=0.1, hi=3.0)], N0)
case("exp-f16", R.exp, [f(2, 3, dtype="float16")], rtol=2e-3)
case("round-halves", R.round, [np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.4], "float32")])
case("negative-int", R.negative, [i(4)])
case("clip", lambda x: R.clip(x, -1, 1), [f(3, 4)], N0)
case("astype", lambda x: R.astype(x, "int32"), [f(3, 4, lo=-5, hi=5)], N0)
case("astype-f16", lambda x: R.astype(x, "float16"), [f(3, 4)], rtol=2e-3)
case("matmul", R.matmul, [f(3, 4), f(4, 5)], N0)
case("matmul-batch", R.matmul, [f(2, 1, 3, 4), f(3, 4, 2)])
case("matmul-int", R.matmul, [i(2, 3), i(3, 2)])

# reductions
for _name in ["sum", "mean", "max", "min", "prod", "variance"]:
    case(f"{_name}-axis", lambda x, n=_name: getattr(R, n)(x, axis=[1, -1]), [f(2, 3, 4)], N0)
    case(f"{_name}-all", lambda x, n=_name: getattr(R, n)(x, keepdims=True), [f(2, 3)])
case("argmax", lambda x: R.argmax(x, axis=1), [np.array([[1, 3, 3], [2, 2, 1]], "float32")], N0)
case("argmin", lambda x: R.argmin(x, axis=0, keepdims=True), [i(3, 4)], {0: {1: "m"}})

# manipulation
case("reshape", lambda x: R.reshape(x, (dim(x, 0) * 2, 3)), [f(2, 6)], N0)
case("reshape-minus1", lambda x: R.reshape(x, (-1, 4)), [f(2, 6)])
case("permute_dims", lambda x: R.permute_dims(x, [1, 0, 2]), [f(2, 3, 4)], N0)
case("permute_dims-default", R.permute_dims, [f(2, 3)])
case("expand_dims", lambda x: R.expand_dims(x, [0, 2]), [f(2, 3)], N0)
case("squeeze", lambda x: R.squeeze(x, [1]), [f(2, 1, 3)], N0)
case("flatten", R.flatten, [f(2, 3, 4)], N0)
case("broadcast_to", lambda x: R.broadcast_to(x, (2, dim(x, 0), 4)), [f(3, 1)], N0)
case("concat", lambda a, b: R.concat([a, b], axis=1), [f(2, 3), f(2, 2)], N01)
case("split", lambda x: R.split(x, 3, axis=1), [f(2, 6)], N0)
case("split-indices", lambda x: R.split(x, [1, 4], axis=1), [f(2, 6)])
case("repeat", lambda x: R.repeat(x, 2, axis=1), [f(2, 3)], N0)
case("tile", lambda x: R.tile(x, [2, 1, 2]), [f(2, 3)], N0)

# indexing
case("strided_slice", lambda x: R.strided_slice(x, [1], [1], [5], [2]), [f(3, 6)], N0)
case("strided_slice-neg", lambda x: R.strided_slice(x, [0, 1], [-1, 4], [0, 0], [-1, -2]), [f(4, 6)])
case("take", lambda x, k: R.take(x, k, axis=1), [f(3, 5), i(2, 2, lo=0, hi=5)], N0)
case("take-wrap", lambda x, k: R.take(x, k, axis=0, mode="wrap"), [f(4, 2), i(3, lo=-6, hi=6)])
case("take-clip", lambda x, k: R.take(x, k, mode="clip"), [f(5), i(4, lo=-3, hi=9)])
case("where", R.where, [i(3, 1, dtype="bool", lo=0, hi=2), f(3, 4), f(1, 4)], {1: {0: "n"}, 0: {0: "n"}})

# creation
case("full", lambda v: R.full((2, 3), v, "float32"), [np.array(1.5, "float32")])
case("full_like", lambda x, v: R.full_like(x, v), [f(2, 3), np.array(2, "int32")], N0)
case("zeros", lambda: R.zeros((2, 3), "int32"), [])
case("ones", lambda: R.ones((3,), "float16"), [])
case("zeros_like", R.zeros_like, [f(2, 3)], N0)
case("ones_like", lambda x: R.ones_like(x, "int64"), [f(2, 3)], N0)
case("arange", lambda: R.arange(1, 10, 2), [])
case("arange-float", lambda: R.arange(0.5, 3.0, 0.5, dtype="float32"), [])
case("tril", lambda x: R.tril(x, 1), [f(3, 4)], N0)
case("triu", lambda x: R.triu(x, -1), [f(2, 3, 4)], N0)

# nn
for _name in ["relu", "gelu", "gelu_tanh", "silu"]:
    case(_name, getattr(nn, _name), [f(3, 4)], N0)
case("softmax", lambda x: nn.softmax(x, axis=0), [f(3, 2)], N0)
case("log_softmax", lambda x: nn.log_softmax(x, axis=-1), [f(2, 3, 4)], N0)
case("attention", nn.attention, [f(1, 3, 2, 4), f(1, 4, 2, 4), f(1, 4, 2, 3)])
case("attention-causal-bias", lambda q, k, v, b: nn.attention(q, k, v, b, scale=0.5, causal_mask="TopLeft"),
     [f(2, 3, 4, 2), f(2, 2, 2, 2), f(2, 2, 2, 3), f(1, 4, 3, 2)])
case("attention-sym", lambda q, k, v: nn.attention(q, k, v, causal_mask="BottomRight"),
     [f(1, 2, 2, 3), f(1, 3, 2, 3), f(1, 3, 2, 2)], {0: {1: "s"}, 1: {1: "t"}, 2: {1: "t"}})
case("conv1d", lambda x, k: nn.conv1d(x, k, strides=2, padding=1, dilation=2), [f(1, 2, 7), f(3, 2, 2)],
     {0: {0: "n", 2: "w"}})
case("conv2d", lambda x, k: nn.conv2d(x, k, padding=1), [f(1, 2, 5, 4), f(3, 2, 3, 3)], {0: {2: "h", 3: "w"}})
case("conv2d-groups", lambda x, k: nn.conv2d(x, k, strides=2, padding=1, groups=2), [f(1, 4, 5, 4), f(2, 2, 3, 3)])
case("conv2d-nhwc", lambda x, k: nn.conv2d(x, k, padding=(1, 0), dilation=(1, 2), data_layout="NHWC",
                                           kernel_layout="HWIO", out_layout="NCHW"), [f(1, 3, 5, 2), f(2, 2, 2, 3)])
case("conv2d-int", lambda x, k: nn.conv2d(x, k, padding=1), [i(1, 1, 3, 3), i(1, 1, 2, 2)])
case("conv2d_transpose", lambda x, k: nn.conv2d_transpose(x, k, strides=2, padding=1, output_padding=1),
     [f(1, 2, 3, 3), f(2, 2, 3, 3)], {0: {2: "h"}})
case("pad", lambda x: nn.pad(x, [1, 2, 0, 1], "constant", 1.5), [f(3, 3)], N0)
case("pad-reflect", lambda x: nn.pad(x, [2, 1, 1, 0], "reflect"), [f(3, 2)], N0)
case("pad-edge", lambda x: nn.pad(x, [1, 1, 2, 0], "replicate"), [f(2, 3)])
case("dropout", nn.dropout, [f(2, 3)], N0)
case("layer_norm", lambda x, g, b: nn.layer_norm(x, g, b, axes=[-1]), [f(3, 4), f(4), f(4)], N0)
case("rms_norm", nn.rms_norm, [f(3, 4), f(4)], N0)
case("group_norm", lambda x, g, b: nn.group_norm(x, g, b, num_groups=2, channel_axis=1, axes=[2]),
     [f(2, 4, 3), f(4), f(4)], N0)
case("batch_norm", lambda *a: nn.batch_norm(*a, axis=1, training=False),
     [f(2, 3, 2), f(3), f(3), f(3), f(3, lo=0.5, hi=2.0)], N0)
case("batch_norm-training", lambda *a: nn.batch_norm(*a, axis=-1, momentum=0.3),
     [f(4, 2), f(2), f(2), f(2), f(2, lo=0.5, hi=2.0)])
case("max_pool2d", lambda x: nn.max_pool2d(x, 3, 2, padding=1), [f(1, 2, 5, 4)], {0: {2: "h"}})
case("max_pool2d-int", lambda x: nn.max_pool2d(x, 2, padding=1), [i(1, 1, 3, 3)])
case("avg_pool2d", lambda x: nn.avg_pool2d(x, 2, 2, ceil_mode=True, count_include_pad=True), [f(1, 1, 5, 5)],
     {0: {0: "n", 2: "h"}})
case("avg_pool2d-pad", lambda x: nn.avg_pool2d(x, 3, 1, padding=1), [f(1, 2, 4, 4)])
case("adaptive_avg_pool2d", lambda x: nn.adaptive_avg_pool2d(x, (2, 3)), [f(1, 2, 5, 4)], {0: {2: "h", 3: "w"}})
case("resize2d", lambda x: image.resize2d(x, (3, 5)), [f(1, 2, 2, 3)])
case("resize2d-nearest", lambda x: image.resize2d(x, (4, 2), method="nearest_neighbor", layout="NHWC"),
     [f(1, 3, 2, 2)], {0: {1: "h", 2: "w"}})
case("resize2d-cubic", lambda x: image.resize2d(x, (3, 3), method="cubic"), [f(1, 1, 4, 4)])


# ---------------------------------------------------------------------------------------------
# running a case
# ---------------------------------------------------------------------------------------------
def relax_vars(arrays: list[np.ndarray], sym: Sym | None, env: dict | None = None) -> list[relax.Var]:
    """Relax vars for the arrays; dims named in `sym` become shared shape vars (their values go
    into `env`)."""
    shape_vars: dict[str, tir.Var] = {}
    out = []
    for k, a in enumerate(arrays):
        dims: list[Any] = list(a.shape)
        for d, name in (sym or {}).get(k, {}).items():
            dims[d] = shape_vars.setdefault(name, tir.Var(name, "int64"))
            if env is not None:
                env[dims[d]] = a.shape[d]
        out.append(relax.Var(f"x{k}", relax.TensorStructInfo(dims, str(a.dtype))))
    return out


def function(params: list[relax.Var], value: relax.Expr) -> relax.Function:
    y = relax.Var("y", value.struct_info)
    body = relax.SeqExpr([relax.BindingBlock([relax.VarBinding(y, value)])], y)
    return relax.Function(params, body, value.struct_info)


def reference_value(arg: Any, feed: dict[int, np.ndarray], env: dict) -> Any:
    """The value the numpy reference gets for a call argument (shapes evaluated with `env`)."""
    if isinstance(arg, relax.Var):
        return feed[id(arg)]
    if isinstance(arg, relax.Tuple) and any(isinstance(a, relax.Var) for a in arg.fields):
        return tuple(reference_value(a, feed, env) for a in arg.fields)
    if isinstance(arg, relax.ShapeExpr):
        return tuple(int(evaluate(d, env)) for d in arg.values)
    return constant_value(arg)


def same_bits(a: Any, b: Any) -> None:
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            same_bits(x, y)
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
    assert a.tobytes() == b.tobytes(), f"bits differ:\n{a}\n{b}"


def close(got: Any, want: Any, rtol: float) -> None:
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            close(g, w, rtol)
        return
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape, got.dtype, want.dtype)
    if want.dtype.kind == "f" or want.dtype.kind == "V":
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_op_through_the_interpreter_and_its_legalized_tir(c: Case) -> None:
    env: dict = {}
    params = relax_vars(c.arrays, c.sym, env)
    call = c.build(*params)
    entry = get_entry(call.op)
    feed = {id(p): a for p, a in zip(params, c.arrays)}
    with np.errstate(all="ignore"):
        want = entry.run_numpy(call, *[reference_value(a, feed, env) for a in call.args])
    want = tuple(want) if isinstance(want, (tuple, list)) else np.asarray(want)
    got = Interpreter(IRModule({"main": function(params, call)}))["main"](*c.arrays)
    same_bits(got, want)
    table = FunctionTable()
    lowered = legalize_call(call, table)
    assert lowered is not call and not lowered.op.name.startswith("relax.") or lowered.op.name == "relax.call_tir" \
        or isinstance(lowered, relax.Tuple)
    mod = IRModule({"main": function(params, lowered), **table.functions})
    vec = Interpreter(mod)["main"](*c.arrays)
    scalar = Interpreter(mod, vectorize=False)["main"](*c.arrays)
    same_bits(vec, scalar)
    close(vec, want, c.rtol)


def test_every_registered_op_has_a_case() -> None:
    covered = {c.build(*relax_vars(c.arrays, None)).op.name for c in CASES}
    covered |= RUNTIME_OPS
    builtin = {e.name for e in registered_entries() if e.infer.__module__.startswith("irscript.")}  # not tests' ops
    missing = builtin - covered
    assert missing == set(), f"ops without an interpreter case: {sorted(missing)}"


# ---------------------------------------------------------------------------------------------
# ops that run as runtime builtins (no TIR legalization)
# ---------------------------------------------------------------------------------------------
RUNTIME_OPS = {"relax.print", "relax.assert_op", "relax.shape_of", "relax.null_value", "relax.builtin.alloc_tensor",
               "relax.memory.alloc_storage", "relax.memory.alloc_tensor", "relax.memory.kill_storage",
               "relax.memory.kill_tensor"}


def _bindings_function(params: list[relax.Var], values: list[Callable[..., relax.Expr]]) -> relax.Function:
    """A function binding `values[k](*earlier vars)` in turn and returning the last var."""
    vars_: list[relax.Var] = []
    bindings = []
    for k, make in enumerate(values):
        value = make(*params, *vars_)
        var = relax.Var(f"v{k}", value.struct_info)
        bindings.append(relax.VarBinding(var, value))
        vars_.append(var)
    return relax.Function(params, relax.SeqExpr([relax.BindingBlock(bindings)], vars_[-1]), vars_[-1].struct_info,
                          is_pure=False)


def test_runtime_ops(capsys: pytest.CaptureFixture) -> None:
    from irscript.errors import ExecutionError

    x = relax.Var("x", relax.TensorStructInfo((tir.Var("n", "int64"), 3), "float32"))
    a = f(2, 3)
    shape = Interpreter(IRModule({"main": _bindings_function([x], [lambda x: R.shape_of(x)])}))["main"](a)
    assert shape == (2, 3)
    fn = _bindings_function([x], [lambda x: R.print(x, R.shape_of(x), format="x={} s={}"), lambda x, p: R.null_value()])
    assert Interpreter(IRModule({"main": fn}))["main"](a) is None
    assert capsys.readouterr().out.startswith("x=[[")
    cond = relax.Var("c", relax.TensorStructInfo((), "bool"))
    check = _bindings_function([cond], [lambda c: R.assert_op(c, relax.StringImm("hi"), format="bad {}")])
    assert Interpreter(IRModule({"main": check}))["main"](np.array(True)) == ()
    with pytest.raises(ExecutionError, match="bad hi") as info:
        Interpreter(IRModule({"main": check}))["main"](np.array(False))
    assert str(info.value.path) == 'functions["main"].body.blocks[0].bindings[0].value'


def test_memory_ops_alias_their_storage() -> None:
    def storage(*_: Any) -> relax.Expr:
        return memory.alloc_storage(relax.ShapeExpr([64]), relax.PrimValue(tir.IntImm("int64", 0)),
                                    relax.StringImm("global"), relax.DataTypeImm("uint8"))

    values = [
        storage,
        lambda s: memory.alloc_tensor(s, relax.PrimValue(tir.IntImm("int64", 0)), relax.ShapeExpr([2, 2]),
                                      relax.DataTypeImm("float32")),
        lambda s, t: memory.alloc_tensor(s, relax.PrimValue(tir.IntImm("int64", 0)), relax.ShapeExpr([4]),
                                         relax.DataTypeImm("float32")),
        lambda s, t, u: builtin_alloc_tensor(relax.ShapeExpr([3]), relax.DataTypeImm("int32"),
                                             relax.PrimValue(tir.IntImm("int64", 0))),
        lambda s, t, u, w: memory.kill_tensor(t),
        lambda s, t, u, w, k: memory.kill_storage(s),
        lambda s, t, u, w, k, k2: relax.Tuple([t, u, w]),
    ]
    t, u, w = Interpreter(IRModule({"main": _bindings_function([], values)}))["main"]()
    assert t.shape == (2, 2) and u.shape == (4,) and w.dtype == np.int32 and not w.any()
