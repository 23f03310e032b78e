"""Property tests of irscript.tir.arith on random expression trees.

Trees over a few int64 vars (non-negative SizeVars and signed Vars) and small
constants, with + - * floordiv floormod truncdiv truncmod min max. For each:
simplification preserves the value under random assignments (where the
original is defined: no division by zero), is idempotent and keeps the dtype;
`const_int_bound` contains every value; proven comparisons hold.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irscript import structural_equal, tir
from irscript.errors import ExecutionError
from irscript.tir import op as O
from irscript.tir.arith import Analyzer, evaluate

N = tir.SizeVar("n", "int64")
M = tir.SizeVar("m", "int64")
X = tir.Var("x", "int64")
Y = tir.Var("y", "int64")
VARS = (N, M, X, Y)
I32 = (tir.SizeVar("p", "int32"), tir.Var("q", "int32"))

OPS = {
    "add": O.add, "sub": O.sub, "mul": O.mul, "floordiv": O.floordiv, "floormod": O.floormod,
    "truncdiv": O.truncdiv, "truncmod": O.truncmod, "min": O.min, "max": O.max,
}
DIVISIONS = ("floordiv", "floormod", "truncdiv", "truncmod")

leaves = st.one_of(
    st.tuples(st.just("var"), st.integers(0, 3)),
    st.tuples(st.just("const"), st.integers(-6, 6)),
)
divisors = st.tuples(st.just("const"), st.sampled_from([-4, -3, -2, -1, 1, 2, 3, 4, 6, 8]))


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    general = st.tuples(st.sampled_from(sorted(OPS)), children, children)
    by_const = st.tuples(st.sampled_from(DIVISIONS), children, divisors)
    return st.one_of(general, by_const, by_const)


trees = st.recursive(leaves, _extend, max_leaves=12)
assignments = st.lists(
    st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(-12, 12), st.integers(-12, 12)),
    min_size=4, max_size=8,
)
CORNERS = [(0, 0, 0, 0), (1, 0, -1, 1), (0, 1, 1, -1), (7, 3, -5, 4), (12, 12, 12, -12)]


def build(tree: tuple, vars: tuple = VARS, dtype: str = "int64") -> tir.PrimExpr:
    tag = tree[0]
    if tag == "var":
        return vars[tree[1] % len(vars)]
    if tag == "const":
        return tir.const(tree[1], dtype)
    return OPS[tag](build(tree[1], vars, dtype), build(tree[2], vars, dtype))


def value(e: tir.PrimExpr, env: dict) -> int | None:
    try:
        return evaluate(e, env)
    except ExecutionError:  # a division by zero in the original: nothing to compare
        return None


def envs(values: list) -> list[dict]:
    return [dict(zip(VARS, v)) for v in values + CORNERS]


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(SETTINGS, max_examples=80)


@SETTINGS
@given(trees, assignments)
def test_simplify_preserves_value_and_is_idempotent(tree: tuple, values: list) -> None:
    e = build(tree)
    az = Analyzer()
    s = az.simplify(e)
    assert s.dtype == e.dtype
    assert structural_equal(az.simplify(s), s, map_free_vars=False)
    assert structural_equal(Analyzer().simplify(s), s, map_free_vars=False)
    lo, hi = az.const_int_bound(e)
    for env in envs(values):
        v = value(e, env)
        if v is None:
            continue
        assert value(s, env) == v, env
        assert lo <= v <= hi, env


@SETTINGS
@given(trees, trees, assignments)
def test_proofs_hold(tree_a: tuple, tree_b: tuple, values: list) -> None:
    a, b = build(tree_a), build(tree_b)
    az = Analyzer()
    shifted = az.simplify(a) + 1  # a comparison that is often provable
    for cond in (a == b, a < b, a <= b, a != b, a >= b, a < shifted, a == az.simplify(a)):
        proven, refuted = az.can_prove(cond), az.can_prove(tir.Not(cond))
        assert not (proven and refuted)
        for env in envs(values):
            v = value(cond, env)
            if v is None:
                continue
            assert not proven or v, (cond, env)
            assert not refuted or not v, (cond, env)
    assert az.can_prove(a == az.simplify(a))
    if az.can_prove_equal(a, b):
        for env in envs(values):
            va, vb = value(a, env), value(b, env)
            assert va is None or vb is None or va == vb


@FEWER
@given(trees, assignments)
def test_with_bounds_from_the_analyzer(tree: tuple, values: list) -> None:
    e = build(tree)
    az = Analyzer()
    az.update_bound(X, -5, 5)
    az.update_bound(N, 1, 8)
    s = az.simplify(e)
    lo, hi = az.const_int_bound(e)
    for env in envs(values):
        env[X] = max(-5, min(5, env[X]))
        env[N] = max(1, min(8, env[N]))
        v = value(e, env)
        if v is None:
            continue
        assert value(s, env) == v, env
        assert lo <= v <= hi, env


@FEWER
@given(trees, st.lists(st.tuples(st.integers(0, 9), st.integers(-9, 9)), min_size=3, max_size=6))
def test_int32_expressions(tree: tuple, values: list) -> None:
    e = build(tree, I32, "int32")
    s = Analyzer().simplify(e)
    assert s.dtype == "int32"
    for p, q in values:
        env = dict(zip(I32, (p, q)))
        v = value(e, env)
        if v is not None:
            assert value(s, env) == v
