"""The R dialect: every graph-level construct of LANGUAGE.md (except the op set, which the op
registry's tests cover) parsed from text, compared with the same IR built by the IRBuilder."""

from __future__ import annotations

import numpy as np

import irscript
from irscript import relax, tir
from irscript.ir import GlobalVar
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import relax as R
from irscript.irbuilder import tir as T
from irscript.relax import op as rop
from irscript.testing.builder_models import mlp_module, relax_kitchen_sink_module
from irscript.testing.diagnostics import parse_text

name = IRBuilder.name


def rfunc(body, fname="f", pure=True, private=False):
    """A Relax function built with the IRBuilder: `body()` adds params, bindings and the return."""
    with IRBuilder() as ib:
        with R.function(is_pure=pure, is_private=private):
            R.func_name(fname)
            body()
    return ib.get()


def Tn(shape=None, dtype="float32", ndim=-1):
    return relax.TensorStructInfo(shape, dtype, ndim)


def check(src, expected):
    irscript.assert_structural_equal(parse_text(src), expected)


def emit(var_name, value, sinfo=None):
    return name(var_name, R.emit(value, sinfo))


# ---------------------------------------------------------------------------------------------
# signatures and struct info


def test_struct_info_annotations_of_every_kind():
    def body():
        n = name("n", T.int64())
        a = R.arg("a", Tn((2, 3)))
        b = R.arg("b", Tn((2, 3), "float16"))
        R.arg("c", Tn(dtype="int32", ndim=2))
        R.arg("d", relax.TensorStructInfo())
        R.arg("e", relax.ShapeStructInfo([n, 3]))
        R.arg("g", relax.ShapeStructInfo(ndim=2))
        R.arg("h", relax.TupleStructInfo((Tn((2,)), relax.ObjectStructInfo())))
        R.arg("i", relax.ObjectStructInfo())
        R.arg("j", relax.PrimStructInfo("int64"))
        R.arg("p", relax.PrimStructInfo(value=n))
        R.arg("k", relax.FuncStructInfo((Tn((2,)),), Tn((2,)), True))
        R.arg("q", relax.FuncStructInfo(None, relax.ObjectStructInfo(), False))
        R.arg("s", relax.ShapeStructInfo())
        R.func_ret_struct_info(relax.TupleStructInfo((Tn((2, 3)), Tn((2, 3), "float16"))))
        R.func_ret_value(relax.Tuple((a, b)))

    check("""
        @R.function
        def f(a: R.Tensor((2, 3), "float32"), b: R.Tensor((2, 3), dtype="float16"), c: R.Tensor(dtype="int32", ndim=2),
              d: R.Tensor, e: R.Shape(["n", 3]), g: R.Shape(ndim=2), h: R.Tuple(R.Tensor((2,), "float32"), R.Object),
              i: R.Object, j: R.Prim("int64"), p: R.Prim(value=n),
              k: R.Callable((R.Tensor((2,), "float32"),), R.Tensor((2,), "float32"), True),
              q: R.Callable(None, R.Object, False), s: R.Shape) -> R.Tuple(R.Tensor((2, 3), "float32"),
                                                                           R.Tensor((2, 3), "float16")):
            return (a, b)
    """, rfunc(body))


def test_symbolic_vars_shared_across_params_and_expressions():
    def body():
        n = name("n", T.int64())
        m = name("m", T.int64())
        x = R.arg("x", Tn((n, m)))
        R.arg("y", Tn((m, n * 2)))
        R.func_ret_struct_info(Tn((n, m)))
        R.func_ret_value(x)

    expected = rfunc(body)
    check("""
        @R.function
        def f(x: R.Tensor(("n", "m"), "float32"), y: R.Tensor((m, n * 2), "float32")) -> R.Tensor(("n", "m"), "float32"):
            n = T.int64()
            m = T.int64()
            return x
    """, expected)
    check("""
        @R.function
        def f(x: R.Tensor(("n", "m"), "float32"), y: R.Tensor(("m", n * 2), "float32")) -> R.Tensor((n, m), "float32"):
            return x
    """, expected)


def test_func_attr_pure_false_and_private():
    def body():
        R.func_attr({"num_input": 1, "tag": "x"})
        x = R.arg("x", Tn((4,)))
        gv = emit("gv", rop.call_packed("my.print", x, sinfo_args=relax.ObjectStructInfo()))
        R.func_ret_value(gv)

    check("""
        @R.function(pure=False, private=True)
        def f(x: R.Tensor((4,), "float32")):
            R.func_attr({"num_input": 1, "tag": "x"})
            gv: R.Object = R.call_packed("my.print", x, sinfo_args=R.Object)
            return gv
    """, rfunc(body, pure=False, private=True))


# ---------------------------------------------------------------------------------------------
# bindings


def test_bindings_dataflow_output_and_ops():
    def body():
        n = name("n", T.int64())
        x = R.arg("x", Tn((n, 4)))
        R.func_ret_struct_info(Tn((n, 4)))
        with R.dataflow() as df:
            a = emit("a", rop.add(x, x))
            b = emit("b", rop.multiply(a, x), Tn((n, 4)))
            R.output(b)
        (b_out,) = df.output_vars
        c = emit("c", rop.nn.relu(b_out))
        R.func_ret_value(c)

    check("""
        @R.function
        def f(x: R.Tensor(("n", 4), "float32")) -> R.Tensor(("n", 4), "float32"):
            n = T.int64()
            with R.dataflow():
                a = R.add(x, x)
                b: R.Tensor((n, 4), "float32") = R.multiply(a, x)
                R.output(b)
            c = R.nn.relu(b)
            return c
    """, rfunc(body))


def test_match_cast_tuple_and_get_item():
    def body():
        x = R.arg("x", Tn(dtype="float32", ndim=2))
        m = name("m", T.int64())
        k = name("k", T.int64())
        y = name("y", R.emit_match_cast(x, Tn((m, k))))
        t = emit("t", relax.Tuple((y, x)))
        z = emit("z", relax.TupleGetItem(t, 0))
        R.func_ret_value(z)

    check("""
        @R.function
        def f(x: R.Tensor(dtype="float32", ndim=2)):
            m = T.int64()
            k = T.int64()
            y = R.match_cast(x, R.Tensor((m, k), "float32"))
            t: R.Tuple(R.Tensor((m, k), "float32"), R.Tensor(dtype="float32", ndim=2)) = (y, x)
            z = t[0]
            return z
    """, rfunc(body))


def test_if_else_on_prim_bool_and_on_a_tensor():
    def body():
        c = R.arg("c", relax.PrimStructInfo("bool"))
        x = R.arg("x", Tn((4,)))
        with R.If(c) as frame:
            with R.Then():
                y = emit("y", rop.add(x, x))
                emit("r", rop.multiply(y, y))
            with R.Else():
                emit("r", x)
        r = frame.var
        cond = emit("cond", rop.greater(x, rop.zeros((4,), "float32")))
        with R.If(cond) as frame2:
            with R.Then():
                emit("s", r)
            with R.Else():
                emit("s", rop.negative(r))
        R.func_ret_value(frame2.var)

    check("""
        @R.function
        def f(c: R.Prim("bool"), x: R.Tensor((4,), "float32")):
            if c:
                y = R.add(x, x)
                r = R.multiply(y, y)
            else:
                r = x
            cond = R.greater(x, R.zeros((4,), "float32"))
            if cond:
                s = r
            else:
                s = R.negative(r)
            return s
    """, rfunc(body))


def test_literals():
    def body():
        n = name("n", T.int64())
        R.arg("x", Tn((n,)))
        emit("a", relax.Constant(np.array(3, dtype="int32")))
        emit("b", relax.Constant(np.array([1.5, 2.0], dtype="float32")))
        emit("c", relax.Constant(np.array([[1, 2], [3, 4]], dtype="int64")))
        emit("d", relax.Constant(np.array([np.nan, np.inf, -np.inf], dtype="float32")))
        emit("e", relax.ShapeExpr((2, n)))
        emit("g", relax.PrimValue(tir.IntImm("int64", 3)))
        emit("h", relax.PrimValue(n * 2))
        emit("i", relax.StringImm("hi"))
        emit("j", relax.DataTypeImm("float16"))
        k = emit("k", rop.null_value())
        R.func_ret_value(k)

    check("""
        @R.function
        def f(x: R.Tensor(("n",), "float32")):
            n = T.int64()
            a = R.const(3)
            b = R.const([1.5, 2.0])
            c = R.const([[1, 2], [3, 4]], "int64")
            d = R.const([float("nan"), float("inf"), float("-inf")], "float32")
            e = R.shape([2, n])
            g = R.prim_value(3)
            h = R.prim_value(n * 2)
            i = R.str("hi")
            j = R.dtype("float16")
            k = R.null_value()
            return k
    """, rfunc(body))


def test_void_expression_statement():
    def body():
        x = R.arg("x", Tn((4,)))
        name("_", R.emit(rop.print(x, format="x={}")))
        R.func_ret_value(x)

    check("""
        @R.function(pure=False)
        def f(x: R.Tensor((4,), "float32")):
            R.print(x, format="x={}")
            return x
    """, rfunc(body, pure=False))


def test_local_function_with_closure():
    def body():
        x = R.arg("x", Tn((4,)))
        with R.function() as inner:
            R.func_name("inner")
            y = R.arg("y", Tn((4,)))
            R.func_ret_struct_info(Tn((4,)))
            z = emit("z", rop.add(x, y))
            R.func_ret_value(z)
        w = emit("w", relax.Call(inner.var, (x,)))
        R.func_ret_value(w)

    check("""
        @R.function
        def f(x: R.Tensor((4,), "float32")):
            @R.function
            def inner(y: R.Tensor((4,), "float32")) -> R.Tensor((4,), "float32"):
                z = R.add(x, y)
                return z

            w = inner(x)
            return w
    """, rfunc(body))


# ---------------------------------------------------------------------------------------------
# calls into the tensor level, libraries and other functions


CALLS = """
    @I.ir_module
    class Module:
        @T.prim_func
        def add1(A: T.Buffer((4,), "float32"), B: T.Buffer((4,), "float32")):
            for i in range(4):
                B[i] = A[i] + T.float32(1.0)

        @T.prim_func
        def scale(a: T.handle, b: T.handle, k: T.int64):
            n = T.int64()
            A = T.match_buffer(a, (n,))
            B = T.match_buffer(b, (n,))
            for i in range(n):
                B[i] = A[i] * T.Cast("float32", k)

        @T.prim_func
        def inc(A: T.Buffer((4,), "float32")):
            for i in range(4):
                A[i] = A[i] + T.float32(1.0)

        @R.function(pure=False)
        def main(x: R.Tensor((4,), "float32")) -> R.Tensor((4,), "float32"):
            cls = Module
            a = R.call_tir(cls.add1, (x,), out_sinfo=R.Tensor((4,), "float32"))
            b = R.call_tir(cls.scale, (a,), out_sinfo=R.Tensor((4,), "float32"), tir_vars=R.shape([2]))
            c = R.call_tir_inplace(cls.inc, (b,), inplace_indices=[0], out_sinfo=R.Tensor((4,), "float32"))
            d = R.call_dps_packed("lib.neg", (c,), out_sinfo=R.Tensor((4,), "float32"))
            e = R.call_packed("lib.log", d, R.str("x"), sinfo_args=(R.Object,))
            f = R.call_pure_packed(R.ExternFunc("lib.id"), d, sinfo_args=R.Tensor((4,), "float32"))
            g = cls.helper(f)
            h = R.ExternFunc("lib.other")
            return g

        @R.function(private=True)
        def helper(y: R.Tensor(("m",), "float32")) -> R.Tensor(("m",), "float32"):
            return y
"""


def test_calls_into_tir_libraries_and_module_functions():
    mod = parse_text(CALLS)
    assert [gv.name_hint for gv in mod.functions] == ["add1", "scale", "inc", "main", "helper"]

    def body():
        x = R.arg("x", Tn((4,)))
        R.func_ret_struct_info(Tn((4,)))
        t4 = Tn((4,))
        a = emit("a", rop.call_tir(GlobalVar("add1"), (x,), t4))
        b = emit("b", rop.call_tir(GlobalVar("scale"), (a,), t4, relax.ShapeExpr((2,))))
        c = emit("c", rop.call_tir_inplace(GlobalVar("inc"), (b,), [0], t4))
        d = emit("d", rop.call_dps_packed("lib.neg", (c,), t4))
        emit("e", rop.call_packed("lib.log", d, relax.StringImm("x"), sinfo_args=(relax.ObjectStructInfo(),)))
        f = emit("f", rop.call_pure_packed(relax.ExternFunc("lib.id"), d, sinfo_args=t4))
        g = emit("g", relax.Call(GlobalVar("helper"), (f,)), t4)
        emit("h", relax.ExternFunc("lib.other"))
        R.func_ret_value(g)

    irscript.assert_structural_equal(mod["main"], rfunc(body, "main", pure=False))


def test_builder_model_modules_as_text():
    check("""
        # from irscript.script import ir as I, tir as T, relax as R

        @I.ir_module
        class Module:
            @R.function
            def main(x: R.Tensor(("n", 784), dtype="float32"), w1: R.Tensor((784, 128), dtype="float32"),
                     b1: R.Tensor((128,), dtype="float32"), w2: R.Tensor((128, 10), dtype="float32"),
                     b2: R.Tensor((10,), dtype="float32")) -> R.Tensor(("n", 10), dtype="float32"):
                n = T.int64()
                cls = Module
                with R.dataflow():
                    lv0: R.Tensor((n, 128), dtype="float32") = R.call_tir(cls.dense, (x, w1), out_sinfo=R.Tensor((n, 128), dtype="float32"))
                    lv1: R.Tensor((n, 128), dtype="float32") = R.call_tir(cls.bias_relu, (lv0, b1), out_sinfo=R.Tensor((n, 128), dtype="float32"))
                    lv2: R.Tensor((n, 10), dtype="float32") = R.call_tir(cls.dense, (lv1, w2), out_sinfo=R.Tensor((n, 10), dtype="float32"))
                    gv: R.Tensor((n, 10), dtype="float32") = R.call_tir(cls.bias_add, (lv2, b2), out_sinfo=R.Tensor((n, 10), dtype="float32"))
                    R.output(gv)
                return gv

            @T.prim_func
            def dense(a: T.handle, b: T.handle, c: T.handle):
                T.func_attr({"tir.noalias": True})
                n = T.int64()
                k = T.int64()
                m = T.int64()
                A = T.match_buffer(a, (n, k))
                B = T.match_buffer(b, (k, m))
                C = T.match_buffer(c, (n, m))
                for i, j, kk in T.grid(n, m, k):
                    with T.block("dense"):
                        vi = T.axis.spatial(n, i)
                        vj = T.axis.spatial(m, j)
                        vk = T.axis.reduce(k, kk)
                        T.reads(A[vi, vk], B[vk, vj])
                        T.writes(C[vi, vj])
                        with T.init():
                            C[vi, vj] = T.float32(0.0)
                        C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]

            @T.prim_func
            def bias_relu(a: T.handle, b: T.handle, c: T.handle):
                n = T.int64()
                m = T.int64()
                A = T.match_buffer(a, (n, m))
                B = T.match_buffer(b, (m,))
                C = T.match_buffer(c, (n, m))
                for i, j in T.grid(n, m):
                    with T.block("bias_relu"):
                        vi, vj = T.axis.remap("SS", [i, j])
                        T.reads(A[vi, vj], B[vj])
                        T.writes(C[vi, vj])
                        C[vi, vj] = T.max(A[vi, vj] + B[vj], T.float32(0.0))

            @T.prim_func
            def bias_add(a: T.handle, b: T.handle, c: T.handle):
                n = T.int64()
                m = T.int64()
                A = T.match_buffer(a, (n, m))
                B = T.match_buffer(b, (m,))
                C = T.match_buffer(c, (n, m))
                for i, j in T.grid(n, m):
                    with T.block("bias_add"):
                        vi, vj = T.axis.remap("SS", [i, j])
                        T.reads(A[vi, vj], B[vj])
                        T.writes(C[vi, vj])
                        C[vi, vj] = A[vi, vj] + B[vj]
    """, mlp_module())
    check("""
        @I.ir_module
        class Module:
            I.module_global_infos({"devices": []})

            @R.function(pure=False)
            def main(x: R.Tensor(("m", 4), dtype="float32"), c: R.Prim("bool")):
                m = T.int64()
                R.func_attr({"num_input": 2})
                cls = Module
                y: R.Tensor((m, 8), dtype="float32") = cls.helper(x)
                k = T.int64()
                z: R.Tensor((k, 8), dtype="float32") = R.match_cast(y, R.Tensor((k, 8), dtype="float32"))
                t: R.Tuple(R.Tensor((m, 4), dtype="float32"), R.Tensor((k, 8), dtype="float32")) = (x, z)
                t0: R.Tensor((m, 4), dtype="float32") = t[0]
                shape: R.Shape([m, 4]) = R.shape([m, 4])
                pv: R.Prim(value=m) = R.prim_value(m)
                const: R.Tensor((4,), dtype="float32") = R.const([0.0, 1.0, 2.0, 3.0], "float32")
                gv: R.Object = R.call_packed("vm.builtin.print", R.str("hi"), R.dtype("float32"), pv, shape)
                with R.dataflow():
                    d0: R.Tensor((m, 4), dtype="float32") = R.call_dps_packed("my.lib.scale", (t0, const), out_sinfo=R.Tensor((m, 4), dtype="float32"))
                    d1: R.Tensor((m, 4), dtype="float32") = R.call_tir_inplace(cls.add_inplace, (d0, const), inplace_indices=[0], out_sinfo=R.Tensor((m, 4), dtype="float32"))
                    R.output(d1)

                @R.function
                def local(p: R.Tensor((m, 4), dtype="float32")) -> R.Tensor((m, 4), dtype="float32"):
                    return p

                local_1: R.Tensor((m, 4), dtype="float32") = local(d1)
                if c:
                    r: R.Tensor((m, 4), dtype="float32") = local_1
                else:
                    r: R.Tensor((m, 4), dtype="float32") = R.call_pure_packed("my.lib.neg", local_1, sinfo_args=(R.Tensor((m, 4), dtype="float32"),))
                return (r, z)

            @R.function(private=True)
            def helper(x: R.Tensor(("n", 4), dtype="float32")) -> R.Tensor(("n", 8), dtype="float32"):
                n = T.int64()
                with R.dataflow():
                    cat: R.Tensor((n, 8), dtype="float32") = R.call_pure_packed("my.lib.concat", x, x, sinfo_args=(R.Tensor((n, 8), dtype="float32"),))
                    R.output(cat)
                return cat

            @T.prim_func(private=True)
            def add_inplace(var_A: T.handle, B: T.Buffer((4,), "float32")):
                m = T.int64()
                A = T.match_buffer(var_A, (m, 4))
                # with T.block("root"):
                for i, j in T.grid(m, 4):
                    with T.block("add"):
                        vi, vj = T.axis.remap("SS", [i, j])
                        T.reads(A[vi, vj], B[vj])
                        T.writes(A[vi, vj])
                        A[vi, vj] = A[vi, vj] + B[vj]
    """, relax_kitchen_sink_module())


def test_standalone_function_and_global_symbol():
    f = parse_text("""
        @R.function
        def main(x: R.Tensor((4,), "float32")):
            return x
    """)
    assert isinstance(f, relax.Function) and f.attrs["global_symbol"] == "main"
    g = parse_text("""
        @R.function(private=True)
        def main(x: R.Tensor((4,), "float32")):
            return x
    """)
    assert "global_symbol" not in g.attrs


def test_tvm_string_dim_expressions_and_printer_forms():
    def body():
        n = name("n", T.int64())
        x = R.arg("x", Tn((n, n * 2)))
        empty = emit("e", relax.Tuple(()))
        g = emit("g", rop.call_tir(GlobalVar("k"), (x,), Tn((n,))))
        R.func_ret_value(relax.Tuple((g, empty)))

    check("""
        @R.function
        def f(x: R.Tensor(("n", "n * 2"), "float32")):
            n = T.int64()
            e = R.tuple()
            g = R.call_tir(I.GlobalVar("k"), (x,), out_sinfo=R.Tensor((n,), "float32"))
            return (g, e)
    """, rfunc(body))
