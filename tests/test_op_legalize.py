"""Legalized TIR of every op agrees with its numpy reference.

Each legalized PrimFunc runs through the TIR interpreter (irscript.interp) on
small arrays; the result must match the op's numpy reference. Also: every legalized PrimFunc is well-formed, private and
`tir.noalias`, and `legalize_call` passes undecidable shape vars as tir_vars.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from irscript import relax, tir
from irscript.errors import IRError
from irscript.interp import run_prim_func
from irscript.ir import from_json, structural_equal, to_json
from irscript.ir.well_formed import check_well_formed
from irscript.relax import op as R
from irscript.relax.op import FunctionTable, get_entry, legalize_call
from irscript.relax.op.legalize import legalize_to_prim_func
from irscript.relax.op.registry import constant_value

# ---------------------------------------------------------------------------------------------
# cases: (name, builder of the call from relax vars, input arrays, symbolic dims per input)
# ---------------------------------------------------------------------------------------------
rng = np.random.default_rng(7)


def _f(*shape: int, dtype: str = "float32", lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def _i(*shape: int, dtype: str = "int32", lo: int = -9, hi: int = 10) -> np.ndarray:
    return rng.integers(lo, hi, size=shape).astype(dtype)


def _nz(a: np.ndarray) -> np.ndarray:
    return np.where(a == 0, 3, a).astype(a.dtype)


BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "maximum", "minimum", "equal", "not_equal",
          "less", "less_equal", "greater", "greater_equal"]
UNARY = ["exp", "sqrt", "rsqrt", "log", "tanh", "sigmoid", "negative", "abs", "sin", "cos", "erf", "floor",
         "ceil", "round"]

CASES: list[tuple[str, Any, list[np.ndarray], bool]] = []
for _name in BINARY:
    CASES.append((f"{_name}-broadcast", getattr(R, _name), [_f(3, 4), _nz(_f(1, 4))], True))
    CASES.append((f"{_name}-int", getattr(R, _name), [_i(2, 3), _nz(_i(3))], False))
CASES += [
    ("power", R.power, [_f(2, 3, lo=0.5, hi=2.0), _f(2, 3)], True),
    ("logical_and", R.logical_and, [_i(4, dtype="bool", lo=0, hi=2), _i(4, dtype="bool", lo=0, hi=2)], False),
    ("logical_or-int", R.logical_or, [_i(2, 2, lo=0, hi=2), _i(2, 2, lo=0, hi=2)], False),
    ("logical_not", R.logical_not, [_i(5, dtype="bool", lo=0, hi=2)], False),
    ("round-halves", R.round, [np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.4], "float32")], False),
    ("clip", lambda x: R.clip(x, -1, 1), [_f(3, 4)], True),
    ("astype", lambda x: R.astype(x, "int32"), [_f(3, 4, lo=-5, hi=5)], True),
    ("astype-bool", lambda x: R.astype(x, "bool"), [_i(6, lo=-1, hi=2)], False),
    ("add-prim", lambda x: R.add(x, relax.PrimValue(tir.FloatImm("float32", 1.5))), [_f(2, 3)], True),
    ("matmul", R.matmul, [_f(3, 4), _f(4, 5)], True),
    ("matmul-batch-broadcast", R.matmul, [_f(2, 1, 3, 4), _f(3, 4, 2)], False),
    ("matmul-vec-mat", R.matmul, [_f(4), _f(2, 4, 3)], False),
    ("matmul-mat-vec", R.matmul, [_f(2, 3, 4), _f(4)], False),
    ("matmul-out-dtype", lambda a, b: R.matmul(a, b, out_dtype="float32"), [_f(2, 3, dtype="float16"),
                                                                            _f(3, 2, dtype="float16")], False),
    ("matmul-int", R.matmul, [_i(2, 3), _i(3, 2)], False),
    ("argmax-ties", lambda x: R.argmax(x, axis=1), [np.array([[1, 3, 3], [2, 2, 1]], "float32")], False),
    ("argmin-ties-keepdims", lambda x: R.argmin(x, axis=0, keepdims=True),
     [np.array([[1, 0, 3], [1, 2, 0]], "int32")], False),
    ("argmax-all", R.argmax, [_f(3, 4)], True),
]
for _name in UNARY:
    CASES.append((_name, getattr(R, _name), [_f(2, 3, lo=0.1, hi=3.0)], True))
CASES.append(("negative-int", R.negative, [_i(4)], False))
CASES.append(("floor-int", R.floor, [_i(4)], False))
for _name in ["sum", "mean", "max", "min", "prod", "variance"]:
    CASES.append((f"{_name}-axis", lambda x, n=_name: getattr(R, n)(x, axis=[1, -1]), [_f(2, 3, 4)], True))
    CASES.append((f"{_name}-all-keepdims", lambda x, n=_name: getattr(R, n)(x, keepdims=True), [_f(2, 3)], False))
    CASES.append((f"{_name}-int", lambda x, n=_name: getattr(R, n)(x, axis=0), [_i(3, 2, lo=-4, hi=5)], False))


def _vars(arrays: list[np.ndarray], symbolic: bool) -> tuple[list[relax.Var], dict[str, tir.Var]]:
    """Relax vars for the arrays; with `symbolic`, the leading dim of a rank >= 2 input is `n`
    (shared by every input whose leading dim has the same size) and shapes are otherwise static."""
    n = tir.Var("n", "int64")
    lead = arrays[0].shape[0] if arrays[0].ndim >= 2 else None
    out = []
    for k, a in enumerate(arrays):
        dims: list[Any] = list(a.shape)
        if symbolic and lead is not None and a.ndim >= 2 and a.shape[0] == lead:
            dims[0] = n
        out.append(relax.Var(f"x{k}", relax.TensorStructInfo(dims, str(a.dtype))))
    return out, {"n": n}


def _close(got: np.ndarray, want: np.ndarray, dtype: np.dtype) -> None:
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape, got.dtype, want.dtype)
    if dtype.kind == "f":
        rtol = 2e-3 if dtype == np.float16 else 1e-5
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("symbolic", [False, True], ids=["static", "symbolic"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_legalized_tir_matches_numpy_reference(case: Any, symbolic: bool) -> None:
    _, build, arrays, has_symbolic = case
    if symbolic and not has_symbolic:
        symbolic = False  # the case has a static variant only
    vars_, _ = _vars(arrays, symbolic)
    call = build(*vars_)
    entry = get_entry(call.op)
    func, args, out_sinfo, tir_vars = legalize_to_prim_func(call)
    assert check_well_formed(func) == []
    assert func.attrs == {"tir.noalias": True} and func.is_private
    assert structural_equal(from_json(to_json(func)), func)
    feed = iter(arrays)
    values = [next(feed) if isinstance(a.struct_info, relax.TensorStructInfo) else constant_value(a) for a in call.args]
    want = np.asarray(entry.run_numpy(call, *values))
    out = np.zeros(want.shape, np.dtype(out_sinfo.dtype.numpy_dtype()))
    run_prim_func(func, [*arrays, out, *[arrays[0].shape[0] for _ in tir_vars]])
    _close(out, want, want.dtype)


# ---------------------------------------------------------------------------------------------
# legalize_call
# ---------------------------------------------------------------------------------------------
def test_legalize_call_makes_call_tir_and_reuses_equal_functions() -> None:
    n = tir.Var("n", "int64")
    x = relax.Var("x", relax.TensorStructInfo((n, 4), "float32"))
    y = relax.Var("y", relax.TensorStructInfo((n, 4), "float32"))
    table = FunctionTable()
    first = legalize_call(R.add(x, y), table)
    second = legalize_call(R.add(y, x), table)
    third = legalize_call(R.multiply(x, y), table)
    assert first.op.name == "relax.call_tir"
    assert first.args[0] is second.args[0]  # the same PrimFunc is reused
    assert [gv.name_hint for gv in table.functions] == ["add", "multiply"]
    assert third.args[0].name_hint == "multiply"
    assert [a.name_hint for a in first.args[1].fields] == ["x", "y"]
    assert first.struct_info.values[0] is n and first.struct_info.dtype == "float32"


def test_legalize_call_names_are_unique_against_the_module() -> None:
    from irscript.ir import IRModule

    x = relax.Var("x", relax.TensorStructInfo((2,), "float32"))
    dummy = relax.Function([x], relax.SeqExpr((), x), relax.TensorStructInfo((2,), "float32"))
    table = FunctionTable(IRModule({"exp": dummy}))
    assert legalize_call(R.exp(x), table).args[0].name_hint == "exp1"


def test_vars_not_readable_from_buffers_pass_as_tir_vars() -> None:
    n = tir.Var("n", "int64")
    x = relax.Var("x", relax.TensorStructInfo((n * 2, 3), "float32"))
    call = legalize_call(R.sum(x, axis=[0]), FunctionTable())
    assert len(call.args) == 3 and call.args[2].values[0] is n
    func, _, _, tir_vars = legalize_to_prim_func(R.sum(x, axis=[0]))
    assert tir_vars == [n] and len(func.params) == 3 and func.params[2].dtype == "int64"
    a = _f(4, 3)
    out = np.zeros(3, "float32")
    run_prim_func(func, [a, out, 2])
    np.testing.assert_allclose(out, a.sum(axis=0), rtol=1e-5)


def test_runtime_ops_are_left_alone_and_unknown_shapes_are_refused() -> None:
    x = relax.Var("x", relax.TensorStructInfo((2,), "float32"))
    call = R.shape_of(x)
    assert legalize_call(call, FunctionTable()) is call
    u = relax.Var("u", relax.TensorStructInfo(None, "float32", 2))
    with pytest.raises(IRError, match=r"cannot legalize R.exp: argument 'x' has an unknown shape"):
        legalize_call(R.exp(u), FunctionTable())
    v = relax.Var("v", relax.TensorStructInfo((2, 3), "void"))
    with pytest.raises(IRError, match="unknown dtype"):
        legalize_call(R.negative(v), FunctionTable())


def test_undecidable_broadcast_is_refused_at_legalization() -> None:
    n, m = tir.Var("n", "int64"), tir.Var("m", "int64")
    x = relax.Var("x", relax.TensorStructInfo((n,), "float32"))
    y = relax.Var("y", relax.TensorStructInfo((m,), "float32"))
    with pytest.raises(IRError, match="cannot decide how dims n and m broadcast"):
        legalize_call(R.add(x, y), FunctionTable())


def test_every_op_of_these_families_has_a_numeric_case() -> None:
    families = {"irscript.relax.op.elementwise", "irscript.relax.op.reduction", "irscript.relax.op.linalg"}
    want = {e.name for e in R.registered_entries() if e.legalize is not None and e.legalize.__module__ in families}
    have = set()
    for _, build, arrays, _ in CASES:
        have.add(build(*_vars(arrays, False)[0]).op.name)
    assert want - have == set()
    assert len(want) >= 40


def test_hand_built_calls_get_their_default_attrs() -> None:
    from irscript.ir import Op

    x = relax.Var("x", relax.TensorStructInfo((2, 3), "float32"))
    call = legalize_call(relax.Call(Op.get("relax.sum"), (x,)), FunctionTable())
    assert call.struct_info.values == ()
    with pytest.raises(IRError, match="R.astype: the call has no attribute 'dtype'"):
        legalize_call(relax.Call(Op.get("relax.astype"), (x,)), FunctionTable())
