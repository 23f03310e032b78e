"""Unit tests of irscript.tir.arith: canonical simplification, proving, bounds, binding,
printed order, substitute and evaluate."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap

import pytest

from irscript import IRError, structural_equal, tir
from irscript.errors import ExecutionError
from irscript.ir.expr import Range
from irscript.tir import arith
from irscript.tir import op as O
from irscript.tir.arith import Analyzer, evaluate, prove_equal, simplify, substitute

n = tir.SizeVar("n", "int64")
m = tir.SizeVar("m", "int64")
x = tir.Var("x", "int64")
y = tir.Var("y", "int64")
i = tir.Var("i", "int32")


def c64(v: int) -> tir.IntImm:
    return tir.const(v, "int64")


def same(a, b) -> bool:
    return structural_equal(a, b, map_free_vars=False)


def check(expr, expected, analyzer: Analyzer | None = None) -> None:
    out = (analyzer or Analyzer()).simplify(expr)
    assert same(out, expected), f"{out!r}\n!=\n{expected!r}"
    assert out.dtype == expr.dtype


# -- the identities of the brief ---------------------------------------------------------------
IDENTITIES = [
    ("n*2 == n+n", lambda: (n * 2, n + n, n * 2)),
    ("(n*4)//2", lambda: ((n * 4) // 2, n * 2, n * 2)),
    ("floormod(n*4, 2)", lambda: (O.floormod(n * 4, 2), c64(0), c64(0))),
    ("(n+1)^2", lambda: ((n + 1) * (n + 1), n * n + 2 * n + 1, n * n + n * 2 + 1)),
    ("n - n", lambda: (n - n, c64(0), c64(0))),
    ("(n*8+4)//4", lambda: ((n * 8 + 4) // 4, n * 2 + 1, n * 2 + 1)),
    ("floormod(n*6+3, 3)", lambda: (O.floormod(n * 6 + 3, 3), c64(0), c64(0))),
    ("min(n, n)", lambda: (O.min(n, n), n, n)),
    ("max(n, n+1)", lambda: (O.max(n, n + 1), n + 1, n + 1)),
    ("floordiv(n, 1)", lambda: (n // 1, n, n)),
    ("max(n, 0)", lambda: (O.max(n, 0), n, n)),
    ("n//4*4 + n%4", lambda: (n // 4 * 4 + n % 4, n, n)),
    ("n - n//4*4", lambda: (n - n // 4 * 4, n % 4, n % 4)),
    ("x//4//8", lambda: (x // 4 // 8, x // 32, x // 32)),
    ("(x//4 + 1)//2", lambda: ((x // 4 + 1) // 2, (x + 4) // 8, (x + 4) // 8)),
    ("x%8%4", lambda: (x % 8 % 4, x % 4, x % 4)),
    ("(x-3)*(x+3)", lambda: ((x - 3) * (x + 3), x * x - 9, x * x - 9)),
    ("n*m*4//m", lambda: (n * m * 4 // m, n * 4, n * 4)),
    ("min commutes", lambda: (O.min(n, m), O.min(m, n), O.min(m, n))),
    ("min nested", lambda: (O.min(O.min(n, m), n), O.min(m, n), O.min(m, n))),
    ("min offset", lambda: (O.min(n + 2, m + 3), O.min(n, m + 1) + 2, O.min(m + 1, n) + 2)),
    ("max scale", lambda: (O.max(n * 4, m * 4), O.max(m, n) * 4, O.max(m, n) * 4)),
    ("truncdiv of non-negative", lambda: (O.truncdiv(n * 4 + 2, 2), n * 2 + 1, n * 2 + 1)),
    ("truncmod of non-negative", lambda: (O.truncmod(n + 5, 5), n % 5, n % 5)),
    ("floormod(n, 4) in [0, 4)", lambda: (O.floordiv(n % 4, 4), c64(0), c64(0))),
    ("floordiv by -1", lambda: (x // -1, x * -1, x * -1)),
]


@pytest.mark.parametrize("make", [f for _, f in IDENTITIES], ids=[name for name, _ in IDENTITIES])
def test_identities(make) -> None:
    expr, equal_to, canonical = make()
    assert prove_equal(expr, equal_to)
    assert Analyzer().can_prove(expr == equal_to)
    check(expr, canonical)
    check(equal_to, canonical)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_constant_folding(dtype: str) -> None:
    def k(v: int) -> tir.IntImm:
        return tir.const(v, dtype)

    az = Analyzer()
    for a in range(-9, 10):
        for b in [-4, -3, -2, -1, 1, 2, 3, 5]:
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b > 0) else -1)
            cases = {
                O.floordiv(k(a), k(b)): a // b,
                O.floormod(k(a), k(b)): a % b,
                O.truncdiv(k(a), k(b)): q,
                O.truncmod(k(a), k(b)): a - b * q,
                O.min(k(a), k(b)): min(a, b),
                O.max(k(a), k(b)): max(a, b),
                k(a) * k(b) - k(b) + k(a): a * b - b + a,
            }
            for expr, want in cases.items():
                out = az.simplify(expr)
                assert isinstance(out, tir.IntImm) and out.value == want and out.dtype == dtype
    assert same(az.simplify(O.floordiv(x, 0) * 0 + 1), c64(1))  # the division is dropped with its term
    assert not isinstance(az.simplify(O.floordiv(x, 0)), tir.IntImm)  # a division by zero is not folded


def test_symbolic_negative_divisor_matches_floor_semantics() -> None:
    for expr in [x // -3, x % -3, (x * 2 + 1) // -2, O.floormod(x + 7, -4), O.truncdiv(x, -3), O.truncmod(x, 3)]:
        s = simplify(expr)
        for v in range(-13, 14):
            assert evaluate(s, {x: v}) == evaluate(expr, {x: v}), (expr, v)


# -- printed order -----------------------------------------------------------------------------
def test_canonical_order() -> None:
    check(1 + 2 * n, n * 2 + 1)
    check(m * n + n * m, m * n * 2)
    check(n - 1 + m * m, m * m + n - 1)
    check(1 - n * 2, 1 - n * 2)
    check(n * 2 - 1, n * 2 - 1)
    check(c64(0) - n - m, m * -1 - n)
    check(n // 2 + m + n, m + n + n // 2)
    check(O.max(n, 1) * 3 + n * n, n * n + O.max(n, 1) * 3)
    check(c64(5) - n, 5 - n)


def test_same_name_vars_order_by_first_seen() -> None:
    a1, a2 = tir.Var("a", "int64"), tir.Var("a", "int64")
    az = Analyzer()
    az.simplify(a1 + 1)  # a1 is met first
    check(a2 + a1, a1 + a2, az)
    check(a1 + a2, a1 + a2, az)


def test_order_is_deterministic_across_runs() -> None:
    script = textwrap.dedent("""
        import gc
        from irscript import tir, to_json
        from irscript.tir.arith import simplify
        junk = [tir.Var("j", "int64") for _ in range(__import__("random").randrange(50))]
        b, a, c = tir.Var("b", "int64"), tir.Var("a", "int64"), tir.SizeVar("c", "int64")
        e = (c + b) * (a - c) + tir.op.min(b, a) // 2 + (a * 7 + 3) % 4 + b * b
        print(to_json(simplify(e)))
    """)
    outs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
        outs.add(run.stdout)
    assert len(outs) == 1


def test_simplify_is_idempotent_on_examples() -> None:
    for expr, _, _ in (f() for _, f in IDENTITIES):
        once = simplify(expr)
        assert same(simplify(once), once)


# -- dtypes ------------------------------------------------------------------------------------
def test_int32_stays_int32() -> None:
    out = simplify(i * 2 + i + 1)
    assert same(out, i * 3 + 1)
    assert out.dtype == "int32" and out.b.dtype == "int32"


def test_widening_cast_distributes() -> None:
    out = simplify(O.cast("int64", i + 1) * 2)
    assert same(out, O.cast("int64", i) * 2 + 2)
    assert prove_equal(O.cast("int64", i * 2), O.cast("int64", i) + O.cast("int64", i))
    assert prove_equal(i * 2, O.cast("int64", i) * 2)  # int32 meets int64 by widening


def test_overflowing_constant_leaves_expression_alone() -> None:
    big = i * 65536 * 65536  # the folded coefficient does not fit int32
    out = simplify(big)
    assert out is big


# -- proving -----------------------------------------------------------------------------------
def test_proofs_from_non_negativity() -> None:
    az = Analyzer()
    assert az.can_prove(n % 4 < 4)
    assert az.can_prove(n % 4 >= 0)
    assert az.can_prove(x % 4 >= 0)
    assert az.can_prove(n + 1 > n)
    assert az.can_prove(x + 1 > x)
    assert az.can_prove(n * 2 >= n)
    assert az.can_prove(n * m >= 0)
    assert az.can_prove(x * x >= 0)
    assert az.can_prove(n * 2 != n * 2 + 1)  # parity
    assert az.can_prove(tir.And(n >= 0, n + 1 != n))
    assert az.can_prove(tir.Or(n < 0, n >= 0))
    assert az.can_prove(tir.Not(n < 0))
    assert az.can_prove(tir.const(True))


def test_cannot_prove() -> None:
    az = Analyzer()
    assert not az.can_prove(n == m)
    assert not az.can_prove(n != m)
    assert not az.can_prove(n * 2 == n)
    assert not az.can_prove(n // 2 * 2 == n)
    assert not az.can_prove(x * 2 >= x)
    assert not az.can_prove(n - m >= 0)
    assert not az.can_prove(n < 4)
    assert not az.can_prove(O.max(x, 0) == x)
    assert not az.can_prove(tir.Or(n < 4, m < 4))
    assert not az.can_prove(tir.Var("flag", "bool"))
    assert not az.can_prove(tir.const(False))
    assert not az.can_prove_equal(n, m)
    assert not az.can_prove_equal(n // 2 * 2, n)


def test_bounds_make_proofs() -> None:
    az = Analyzer()
    az.update_bound(n, 0, 0)
    assert az.can_prove(n * 2 == n)
    az = Analyzer()
    az.non_negative([x])
    assert az.can_prove(x * 2 >= x)
    assert same(az.simplify(O.max(x, 0)), x)
    assert not Analyzer().can_prove(x * 2 >= x)


def test_const_int_bound() -> None:
    az = Analyzer()
    assert az.const_int_bound(x) == (-math.inf, math.inf)
    assert az.const_int_bound(n) == (0, math.inf)
    assert az.const_int_bound(x % 4) == (0, 3)
    assert az.const_int_bound(c64(7)) == (7, 7)
    assert az.const_int_bound(n * -2 + 3) == (-math.inf, 3)
    assert az.const_int_bound(x * x) == (0, math.inf)
    az.update_bound(x, -3, 10)
    assert az.const_int_bound(x // 4) == (-1, 2)
    assert az.const_int_bound(O.min(x, n) + 1) == (-2, 11)
    assert az.const_int_bound(x * x) == (0, 100)
    assert az.const_int_bound(n < 0) == (0, 0)
    assert az.const_int_bound(x < 11) == (1, 1)
    assert az.const_int_bound(x < 5) == (0, 1)


def test_bind_range_and_value() -> None:
    az = Analyzer()
    az.bind(x, Range(c64(0), c64(16)))
    assert az.const_int_bound(x) == (0, 15)
    check(x // 16, c64(0), az)
    check(x % 16, x, az)
    assert az.can_prove(x < 16)
    az.bind(y, m * 2)
    check(y + m, m * 3, az)
    assert az.can_prove_equal(y // 2, m)
    az.bind(y, m * 2)  # binding the same value again is fine
    with pytest.raises(IRError, match="already bound"):
        az.bind(y, m)
    az.bind(y, m, allow_override=True)
    check(y, m, az)
    with pytest.raises(IRError, match="contains it"):
        az.bind(n, n + 1)
    with pytest.raises(IRError, match="type"):
        az.bind(n, i)
    with pytest.raises(IRError, match="empty bound"):
        az.update_bound(x, 5, 1)
    with pytest.raises(IRError, match="tir.Var"):
        az.bind(c64(1), 3)


def test_assume_scope() -> None:
    az = Analyzer()
    with az.assume(tir.And(x >= 1, x < 8)):
        check(O.max(x, 1), x, az)
        check(x // 8, c64(0), az)
    assert not az.can_prove(x >= 1)
    with az.assume(4 <= y):
        assert az.can_prove(y > 3)


# -- opaque atoms ------------------------------------------------------------------------------
def test_opaque_subexpressions_compare_structurally() -> None:
    f1 = O.call_extern("int64", "f", n + n)
    f2 = O.call_extern("int64", "f", n * 2)
    f3 = O.call_extern("int64", "g", n * 2)
    assert prove_equal(f1, f2)
    assert not prove_equal(f1, f3)
    check(f1 - f2, c64(0))
    buf = tir.Buffer(dtype="int64", shape=(16,), name="A")
    load1 = tir.BufferLoad(buf, [x + x])
    load2 = tir.BufferLoad(buf, [x * 2])
    check(load1 * 3 - load2, tir.BufferLoad(buf, [x * 2]) * 2)
    other = tir.Buffer(dtype="int64", shape=(16,), name="A")
    assert not prove_equal(load1, tir.BufferLoad(other, [x * 2]))


def test_select_and_logic() -> None:
    check(O.if_then_else(n >= 0, n, m), n)
    check(O.if_then_else(n < 0, n, m), m)
    check(O.select(n < 0, n, m), m)
    check(O.select(x < 0, n + 1, 1 + n), n + 1)
    out = simplify(O.select(x < 0, x + x, m) + 0)
    assert same(out, O.select(x < 0, x * 2, m))
    assert Analyzer().const_int_bound(O.select(x < 0, n % 4, m % 8 + 1)) == (0, 8)
    assert same(simplify(n + 1 > n), tir.const(True))
    assert same(simplify(n < 0), tir.const(False))
    assert same(simplify(tir.And(x < 3, n >= 0)), x < 3)
    assert same(simplify(n + n == m), n * 2 == m)


def test_non_integer_expressions_pass_through() -> None:
    f = tir.Var("f", "float32")
    out = simplify(f * tir.const(2.0) + tir.Cast("float32", n + n))
    assert same(out, f * tir.const(2.0) + tir.Cast("float32", n * 2))


def test_deep_and_wide_expressions() -> None:
    e = n
    for k in range(3000):  # deep: needs more than the default recursion limit
        e = e + (k % 3)
    assert same(simplify(e), n + 3000)
    assert evaluate(e, {n: 1}) == 3001
    p = n + 1
    for _ in range(40):  # repeated squaring: expansion is capped, not exponential
        p = p * p
    assert simplify(p).dtype == "int64"


# -- substitute and evaluate -------------------------------------------------------------------
def test_substitute() -> None:
    e = n * 2 + m
    assert same(substitute(e, {n: m + 1}), (m + 1) * 2 + m)
    assert substitute(e, {x: c64(1)}) is e
    assert same(substitute(e, {n: 3}), c64(3) * 2 + m)
    assert same(simplify(substitute(e, {n: m})), m * 3)
    stmt = tir.Evaluate(n + 1)
    assert same(substitute(stmt, {n: m}), tir.Evaluate(m + 1))
    with pytest.raises(IRError, match="type"):
        substitute(e, {n: i})
    with pytest.raises(IRError, match="keys must be"):
        substitute(e, {"n": c64(1)})


def test_evaluate() -> None:
    env = {x: -7, n: 3}
    assert evaluate(x // 2, env) == -4
    assert evaluate(x % 2, env) == 1
    assert evaluate(O.truncdiv(x, 2), env) == -3
    assert evaluate(O.truncmod(x, 2), env) == -1
    assert evaluate(O.max(x, n) * 2, env) == 6
    assert evaluate(tir.And(x < 0, n > 2), env) is True
    assert evaluate(O.cast("int8", n * 100), env) == 44  # wraps to the target width
    with pytest.raises(ExecutionError, match="no value"):
        evaluate(x + y, env)
    with pytest.raises(ExecutionError, match="by zero"):
        evaluate(x // (n - 3), env)


def test_module_level_helpers() -> None:
    assert arith.can_prove(n >= 0)
    assert arith.const_int_bound(n % 8) == (0, 7)
    assert prove_equal(n * 2, 2 * n)
    assert prove_equal(4, c64(4))
    with pytest.raises(IRError):
        simplify(object())
