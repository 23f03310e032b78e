"""Names in printed scripts: unique in scope, readable, never shadowing the namespaces, keywords or
script builtins; undefined vars are marked; Relax symbolic vars follow TVM 0.25's layout."""

from __future__ import annotations

from irscript import relax, tir
from irscript.ir import GlobalVar, IRModule
from irscript.printer import print_script
from irscript.printer.namer import Namer, sanitize

I32 = "int32"


def _loop(var: tir.Var, extent: int, body: tir.Stmt) -> tir.For:
    return tir.For(var, tir.IntImm(I32, 0), tir.IntImm(I32, extent), tir.ForKind.SERIAL, body)


def _func(params, body, buffer_map=None) -> tir.PrimFunc:
    return tir.PrimFunc(tuple(params), body, "void", buffer_map or {}, {"global_symbol": "f"})


def test_collisions_get_suffixes_and_sibling_scopes_reuse_names():
    i = tir.Var("i", I32)
    A = tir.Buffer(None, "int32", (4, 4), name="A")
    a = tir.Var("a", "handle")
    outer1, inner1, outer2, inner2 = (tir.Var("i", I32) for _ in range(4))
    nest1 = _loop(outer1, 4, _loop(inner1, 4, tir.BufferStore(A, outer1 + inner1 + i, (outer1, inner1))))
    nest2 = _loop(outer2, 4, tir.For(inner2, tir.IntImm(I32, 0), outer2 + 1, tir.ForKind.SERIAL,
                                     tir.BufferStore(A, inner2, (outer2, inner2))))
    text = print_script(_func([i, a], tir.SeqStmt((nest1, nest2)), {a: A}))
    assert 'def f(i: T.int32, A: T.Buffer((4, 4), "int32")):' in text
    assert "    for i_1, i_2 in T.grid(4, 4):\n        A[i_1, i_2] = i_1 + i_2 + i\n" in text
    # the second nest reuses the released names; its inner extent uses the outer var: no T.grid
    assert text.endswith("    for i_1 in range(4):\n        for i_2 in range(i_1 + 1):\n            A[i_1, i_2] = i_2")


def test_reserved_and_illegal_hints():
    hints = ["T", "R", "I", "cls", "Module", "metadata", "lambda", "range", "float", "", "0abc", "a.b", "x y", "é"]
    vars_ = [tir.Var(h, I32) for h in hints]
    A = tir.Buffer(None, "int32", (len(hints),), name="A")
    a = tir.Var("a", "handle")
    body = tir.SeqStmt(tuple(tir.BufferStore(A, v, (tir.IntImm(I32, k),)) for k, v in enumerate(vars_)))
    text = print_script(_func([*vars_, a], body, {a: A}))
    expected = ["T_1", "R_1", "I_1", "cls_1", "Module_1", "metadata_1", "lambda_1", "range_1", "float_1", "v",
                "_0abc", "a_b", "x_y", "_"]
    params = ", ".join(f"{n}: T.int32" for n in expected)
    assert f'def f({params}, A: T.Buffer((14,), "int32")):' in text
    for k, n in enumerate(expected):
        assert f"    A[{k}] = {n}\n" in text + "\n"


def test_namer_unit():
    names = Namer()
    a, b, c = object(), object(), object()
    assert names.define(a, "x") == "x"
    names.push()
    assert names.define(b, "x") == "x_1"
    assert names.get(a) == "x" and names.get(b) == "x_1"
    names.pop()
    assert names.get(b) is None and names.define(c, "x") == "x_1"  # same scope as a: next suffix
    assert names.fresh("x_1") == "x_1_1"
    assert sanitize("a-b") == "a_b" and sanitize("9") == "_9" and sanitize("ok") == "ok"


def test_buffer_and_var_names_do_not_clash():
    a = tir.Var("A", "handle")
    A = tir.Buffer(None, "float32", (tir.Var("A", "int64"),), name="A")
    text = print_script(_func([a], tir.Evaluate(0), {a: A}))
    assert "def f(A: T.handle):\n    A_1 = T.int64()\n    A_2 = T.match_buffer(A, (A_1,))" in text


def test_undefined_vars_are_marked_in_functions():
    x = tir.Var("x", I32)
    A = tir.Buffer(None, "int32", (4,), name="A")
    a = tir.Var("a", "handle")
    i = tir.Var("i", I32)
    body = _loop(i, 4, tir.BufferStore(A, x + i, (i,)))
    text = print_script(_func([a], body, {a: A}))
    assert "        A[i] = x + i  # undefined: x" in text
    # an undefined buffer too, and a var that collides with a defined name keeps one name throughout
    B = tir.Buffer(None, "int32", (4,), name="A")
    other_i = tir.Var("i", I32)
    body = tir.SeqStmt((_loop(i, 4, tir.BufferStore(B, other_i, (i,))), tir.BufferStore(B, other_i, (other_i,))))
    text = print_script(_func([a], body, {a: A}))
    assert "        A_1[i] = i_1  # undefined: A_1, i_1" in text
    assert "    A_1[i_1] = i_1  # undefined: A_1, i_1" in text


def test_undefined_vars_in_fragments():
    n = tir.Var("n", "int64")
    A = tir.Buffer(None, "float32", (n,), name="A")
    store = tir.BufferStore(A, tir.FloatImm("float32", 0.0), (n - 1,))
    assert print_script(store) == "A[n - 1] = T.float32(0.0)  # undefined: A, n"
    assert print_script(store, verbose_expr=True) == 'n = T.int64()\nA = T.Buffer((n,), "float32")\nA[n - 1] = T.float32(0.0)'
    assert print_script(n + 1) == "n + 1"  # an expression's free vars are its inputs
    assert print_script(n + 1, verbose_expr=True) == "n = T.int64()\nn + 1"
    x = relax.Var("x", relax.TensorStructInfo((4,), "float32"))
    binding = relax.VarBinding(relax.Var("y", x.struct_info), x)
    assert print_script(binding) == 'y: R.Tensor((4,), dtype="float32") = x  # undefined: x'
    assert print_script(binding, verbose_expr=True) == (
        'x: R.Tensor((4,), dtype="float32")\ny: R.Tensor((4,), dtype="float32") = x')


def _relax_func(params, body_var, bindings, ret) -> relax.Function:
    body = relax.SeqExpr([relax.BindingBlock(bindings)] if bindings else [], body_var)
    return relax.Function(tuple(params), body, ret, True, {"global_symbol": "main"})


def test_relax_symbolic_vars_in_the_signature_and_body():
    n, m, k = (tir.Var(s, "int64") for s in ("n", "m", "k"))
    x = relax.Var("x", relax.TensorStructInfo((n, n, m), "float32"))
    y = relax.Var("y", relax.TensorStructInfo((m, n * 2), "float32"))
    z = relax.Var("z", relax.TensorStructInfo((k, m), "float32"))
    cast = relax.MatchCast(z, y, z.struct_info)
    f = _relax_func([x, y], y, [cast], relax.TensorStructInfo((m, n * 2), "float32"))
    text = print_script(f)
    # as Apache TVM prints it: in the signature every dim using a var it introduces is a string
    assert ('def main(x: R.Tensor(("n", "n", "m"), dtype="float32"), y: R.Tensor(("m", "n * 2"), dtype="float32"))'
            ' -> R.Tensor(("m", "n * 2"), dtype="float32"):') in text
    assert "    n = T.int64()\n    m = T.int64()\n    k = T.int64()\n" in text
    assert "# undefined" not in text  # k is bound by the match_cast
    # a compound dim introducing a var prints stringified, as TVM prints it
    w = relax.Var("w", relax.TensorStructInfo((k * 2,), "float32"))
    h = _relax_func([w], w, [], w.struct_info)
    assert 'def main(w: R.Tensor(("k * 2",), dtype="float32")) -> R.Tensor(("k * 2",), dtype="float32"):' in (
        print_script(h))
    # a symbolic var first met outside the signature, a match_cast or an annotation is undefined
    pv = relax.Var("pv", relax.PrimStructInfo("int64"))
    j = tir.Var("j", "int64")
    g = _relax_func([x], pv, [relax.VarBinding(pv, relax.PrimValue(j))], relax.PrimStructInfo("int64"))
    assert "    j = T.int64()  # undefined\n" in print_script(g)


def test_relax_names_in_bodies_and_branches():
    s = relax.TensorStructInfo((4,), "float32")
    cond = relax.Var("cond", relax.PrimStructInfo("bool"))
    x = relax.Var("x", s)
    inner = relax.Var("x", s)  # shadows the parameter's hint inside a branch
    then = relax.SeqExpr([relax.BindingBlock([relax.VarBinding(inner, x)])], inner)
    out = relax.Var("x", s)
    branch = relax.If(cond, then, relax.SeqExpr([], x), s)
    f = _relax_func([x, cond], out, [relax.VarBinding(out, branch)], s)
    text = print_script(f)
    assert "    if cond:\n        x_2: R.Tensor((4,), dtype=\"float32\") = x\n" in text
    assert "        x_1: R.Tensor((4,), dtype=\"float32\") = x_2\n    else:\n" in text
    assert text.endswith("        x_1: R.Tensor((4,), dtype=\"float32\") = x\n    return x_1")


def test_module_function_names_and_cls():
    s = relax.TensorStructInfo((4,), "float32")
    x = relax.Var("cls", s)  # a var may not take the name `cls`
    gv = relax.Var("gv", s)
    a = relax.Var("a", s)
    helper = relax.Function((a,), relax.SeqExpr([], a), s, True, {})
    call = relax.Call(GlobalVar("helper"), (x,))
    main = _relax_func([x], gv, [relax.VarBinding(gv, call)], s)
    text = print_script(IRModule({"main": main, "helper": helper}))
    assert "    def main(cls_1: R.Tensor((4,), dtype=\"float32\"))" in text
    assert "        cls = Module\n        gv: R.Tensor((4,), dtype=\"float32\") = cls.helper(cls_1)\n" in text
    assert "    @R.function(private=True)\n    def helper(" in text
    alone = print_script(main)  # outside a module the callee is named explicitly
    assert 'gv: R.Tensor((4,), dtype="float32") = I.GlobalVar("helper")(cls_1)' in alone
    assert "cls = Module" not in alone
