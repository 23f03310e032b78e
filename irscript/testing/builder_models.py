"""IRModules built with the IRBuilder, for tests across the project.

* `mlp_module()` — a 2-layer MLP in Relax with a symbolic batch dim `n`, calling
  symbolic TIR kernels (dense with spatial/reduce axes and init, bias-add+relu,
  bias-add) through `R.call_tir` in a dataflow block.
* `tir_kitchen_sink_module()` — every TIR statement and expression kind: all loop
  kinds, thread binding, while, if/else, let, assert, allocate, decl_buffer, attr,
  launch_thread/env_thread, blocks with where/init/alloc_buffer/match_buffer/
  annotations, a root block, vector loads/stores.
* `relax_kitchen_sink_module()` — every Relax expression kind: match_cast, If,
  tuples, shapes, prim values, strings, dtypes, constants, extern functions via
  call_packed / call_dps_packed, call_tir_inplace, a local function, calls between
  module functions declared ahead with `I.decl_function`.
* `all_builder_modules()` — all of the above.

Each function builds a fresh module (new vars every call).
"""

from __future__ import annotations

import numpy as np

from irscript import relax, tir
from irscript.ir.expr import GlobalVar, Range
from irscript.ir.module import IRModule
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import ir as I
from irscript.irbuilder import relax as R
from irscript.irbuilder import tir as T
from irscript.relax import op as rop
from irscript.tir import op as top

name = IRBuilder.name


def _tensor(shape: tuple, dtype: str = "float32") -> relax.TensorStructInfo:
    return relax.TensorStructInfo(shape, dtype)


def _prim_signature(n_params: int) -> tir.PrimFunc:
    """A stand-in PrimFunc for `I.decl_function` (only the parameter list matters)."""
    return tir.PrimFunc(tuple(tir.Var(f"p{i}", "handle") for i in range(n_params)), tir.Evaluate(0))


# ---------------------------------------------------------------------------------------------
# MLP
# ---------------------------------------------------------------------------------------------


def _dense_kernel() -> None:
    """C[n, m] = A[n, k] @ B[k, m], all dims symbolic."""
    with T.prim_func():
        T.func_name("dense")
        T.func_attr({"tir.noalias": True})
        a, b, c = (T.arg(x, T.handle()) for x in ("a", "b", "c"))
        n, k, m = (name(x, T.int64()) for x in ("n", "k", "m"))
        A = name("A", T.match_buffer(a, (n, k), "float32"))
        B = name("B", T.match_buffer(b, (k, m), "float32"))
        C = name("C", T.match_buffer(c, (n, m), "float32"))
        with T.grid(n, m, k) as (i, j, kk):
            with T.block("dense"):
                vi = name("vi", T.axis.spatial(n, i))
                vj = name("vj", T.axis.spatial(m, j))
                vk = name("vk", T.axis.reduce(k, kk))
                T.reads(A[vi, vk], B[vk, vj])
                T.writes(C[vi, vj])
                with T.init():
                    C[vi, vj] = T.float32(0)
                C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]


def _bias_kernel(func_name: str, relu: bool) -> None:
    """C[n, m] = A[n, m] + B[m] (then max with 0 when `relu`)."""
    with T.prim_func():
        T.func_name(func_name)
        a, b, c = (T.arg(x, T.handle()) for x in ("a", "b", "c"))
        n = name("n", T.int64())
        m = name("m", T.int64())
        A = name("A", T.match_buffer(a, (n, m), "float32"))
        B = name("B", T.match_buffer(b, (m,), "float32"))
        C = name("C", T.match_buffer(c, (n, m), "float32"))
        with T.grid(n, m) as (i, j):
            with T.block(func_name):
                vi, vj = T.axis.remap("SS", [i, j])
                T.reads(A[vi, vj], B[vj])
                T.writes(C[vi, vj])
                value = A[vi, vj] + B[vj]
                C[vi, vj] = top.max(value, T.float32(0)) if relu else value


def mlp_module() -> IRModule:
    """main(x: (n, 784), w1: (784, 128), b1: (128,), w2: (128, 10), b2: (10,)) -> (n, 10)."""
    with IRBuilder() as ib:
        with I.ir_module():
            dense = I.decl_function("dense", _prim_signature(3))
            bias_relu = I.decl_function("bias_relu", _prim_signature(3))
            bias_add = I.decl_function("bias_add", _prim_signature(3))
            with R.function():
                R.func_name("main")
                n = name("n", T.int64())
                x = R.arg("x", _tensor((n, 784)))
                w1 = R.arg("w1", _tensor((784, 128)))
                b1 = R.arg("b1", _tensor((128,)))
                w2 = R.arg("w2", _tensor((128, 10)))
                b2 = R.arg("b2", _tensor((10,)))
                R.func_ret_struct_info(_tensor((n, 10)))
                with R.dataflow():
                    lv0 = name("lv0", R.emit(rop.call_tir(dense, (x, w1), _tensor((n, 128)))))
                    lv1 = name("lv1", R.emit(rop.call_tir(bias_relu, (lv0, b1), _tensor((n, 128)))))
                    lv2 = name("lv2", R.emit(rop.call_tir(dense, (lv1, w2), _tensor((n, 10)))))
                    gv = name("gv", R.emit(rop.call_tir(bias_add, (lv2, b2), _tensor((n, 10)))))
                    R.output(gv)
                R.func_ret_value(gv)
            _dense_kernel()
            _bias_kernel("bias_relu", relu=True)
            _bias_kernel("bias_add", relu=False)
    return ib.get()


# ---------------------------------------------------------------------------------------------
# TIR kitchen sink
# ---------------------------------------------------------------------------------------------


def _loops_kernel() -> None:
    with T.prim_func():
        T.func_name("loops")
        A = T.arg("A", T.Buffer((16,), "float32"))
        B = T.arg("B", T.Buffer((16,), "float32"))
        n = T.arg("n", T.int32())
        m = T.arg("m", T.int32(is_size_var=True))
        with T.serial(16) as i:
            B[i] = A[i] + T.float32(1)
        with T.parallel(0, 16, annotations={"pragma": "p"}) as i:
            B[i] = top.cast("float32", i) * A[i]
        with T.vectorized(4) as i:
            B[i] = A[i] - A[i]
        with T.unroll(2, 6) as i:
            B[i] = A[i] / T.float32(2)
        with T.thread_binding(16, thread="threadIdx.x") as tx:
            B[tx] = top.min(top.max(A[tx], T.float32(0)), T.float32(6))
        with T.grid(4, 4) as (i, j):
            B[i * 4 + j] = A[top.floordiv(i * 4 + j, 2) + top.floormod(j, 2) + top.truncmod(i, 2)]
        _loops_control(A, B, n, m)


def _loops_control(A: tir.Buffer, B: tir.Buffer, n: tir.Var, m: tir.Var) -> None:
    with T.decl_buffer((1,), "int32", scope="local") as cnt:
        cnt[0] = 0
        with T.While(top.logical_and(cnt[0] < 16, top.logical_not(cnt[0] == m))):
            cnt[0] = cnt[0] + 1
    with T.If(top.logical_or(n > 0, n != m)):
        with T.Then():
            B[0] = tir.Select(top.less_equal(n, m), A[0], A[1])
        with T.Else():
            B[0] = top.if_then_else(n >= 3, A[2], T.float32(0))
    with T.LetStmt(n * 2) as v:
        with T.Assert(v >= 0, "v must be non-negative"):
            B[1] = top.cast("float32", top.truncdiv(v, 3))
    with T.allocate((16,), "float32", "global") as ptr:
        with T.decl_buffer((16,), "float32", data=ptr) as C:
            C[0] = A[0]
            B[2] = C[0]
    B[0:4] = tir.Broadcast(T.float32(1), 4)
    B[4:8] = A[tir.Ramp(T.int32(0), T.int32(1), 4)]
    w = tir.Var("w", "int32")
    B[8] = top.cast("float32", T.let(w, 1, w + n))
    lhs, rhs = tir.Var("x", "float32"), tir.Var("y", "float32")
    reducer = tir.CommReducer((lhs,), (rhs,), (lhs + rhs,), (T.float32(0),))
    with T.attr(reducer, "reduce_scope", top.reinterpret("handle", T.uint64(0))):
        T.evaluate(top.call_extern("int32", "printf", tir.StringImm("%f"), A[0]))
    tx = name("tx", T.env_thread("threadIdx.x"))
    with T.launch_thread(tx, 16):
        B[tx] = A[tx]
    with T.launch_thread("blockIdx.x", 1) as bx:
        B[bx] = A[bx]


def _blocks_kernel() -> None:
    with T.prim_func():
        T.func_name("blocks")
        T.func_attr({"tir.noalias": True})
        a = T.arg("a", T.handle())
        b = T.arg("b", T.handle())
        A = name("A", T.match_buffer(a, (16, 16), "float32"))
        B = name("B", T.match_buffer(b, (16,), "float32", offset_factor=1))
        scratch = name("scratch", T.alloc_buffer((16,), "float32"))
        with T.grid(16, 16) as (i, j):
            with T.block("reduce"):
                vi = name("vi", T.axis.spatial(16, i))
                vj = name("vj", T.axis.reduce((0, 16), j))
                T.where(i * 16 + j < 256)
                T.reads(A[vi, 0:16])
                T.writes(scratch[vi])
                T.block_attr({"schedule_rule": "none"})
                with T.init():
                    scratch[vi] = T.float32(0)
                local = name("local", T.alloc_buffer((1,), "float32", scope="local"))
                row = name("row", T.match_buffer(A[vi, 0:16], (16,), "float32"))
                local[0] = row[vj]
                scratch[vi] = scratch[vi] + local[0]
        with T.serial(16) as i:
            with T.block("scan"):
                vs = name("vs", T.axis.scan(Range(T.int32(0), T.int32(16)), i))
                vo = name("vo", T.axis.opaque(16, i))
                B[vs] = scratch[vo]
        with T.block("no_realize", no_realize=True):
            B[0] = B[0]


def tir_kitchen_sink_module() -> IRModule:
    with IRBuilder() as ib:
        with I.ir_module():
            I.module_attrs({"kind": "tir kitchen sink"})
            _loops_kernel()
            _blocks_kernel()
    return ib.get()


# ---------------------------------------------------------------------------------------------
# Relax kitchen sink
# ---------------------------------------------------------------------------------------------


def _helper_signature() -> relax.Function:
    """Signature of helper(x: (n, 4)) -> (n, 8)."""
    n = name("n", T.int64())
    x = relax.Var("x", _tensor((n, 4)))
    return relax.Function((x,), relax.SeqExpr((), x), _tensor((n, 8)))


def _relax_main(helper: GlobalVar, add_inplace: GlobalVar) -> None:
    with R.function(is_pure=False):
        R.func_name("main")
        R.func_attr({"num_input": 2})
        m = name("m", T.int64())
        x = R.arg("x", _tensor((m, 4)))
        c = R.arg("c", relax.PrimStructInfo("bool"))
        y = name("y", R.emit(relax.Call(helper, (x,))))
        k = name("k", T.int64())
        z = name("z", R.emit_match_cast(y, _tensor((k, 8))))
        t = name("t", R.emit(relax.Tuple((x, z))))
        t0 = name("t0", R.emit(relax.TupleGetItem(t, 0)))
        shape = name("shape", R.emit(relax.ShapeExpr((m, 4))))
        pv = name("pv", R.emit(relax.PrimValue(m)))
        const = name("const", R.emit(relax.Constant(np.arange(4, dtype="float32"))))
        R.emit(rop.call_packed("vm.builtin.print", relax.StringImm("hi"), relax.DataTypeImm("float32"), pv, shape))
        with R.dataflow() as df:
            d0 = name("d0", R.emit(rop.call_dps_packed("my.lib.scale", (t0, const), _tensor((m, 4)))))
            d1 = name("d1", R.emit(rop.call_tir_inplace(add_inplace, (d0, const), 0, _tensor((m, 4)))))
            R.output(d1)
        with R.function() as local_func:
            R.func_name("local")
            p = R.arg("p", _tensor((m, 4)))
            R.func_ret_value(p)
        local = name("local", R.emit(relax.Call(local_func.var, (df.output_vars[0],))))
        with R.If(c) as branch:
            with R.Then():
                name("r", R.emit(local))
            with R.Else():
                name("r", R.emit(rop.call_pure_packed("my.lib.neg", local, sinfo_args=_tensor((m, 4)))))
        R.func_ret_value(relax.Tuple((branch.var, z)))


def _helper_function() -> None:
    with R.function(is_private=True):
        R.func_name("helper")
        n = name("n", T.int64())
        x = R.arg("x", _tensor((n, 4)))
        R.func_ret_struct_info(_tensor((n, 8)))
        with R.dataflow():
            cat = name("cat", R.emit(rop.call_pure_packed("my.lib.concat", x, x, sinfo_args=_tensor((n, 8)))))
            R.output(cat)
        R.func_ret_value(cat)


def _add_inplace_kernel() -> None:
    with T.prim_func(private=True):
        T.func_name("add_inplace")
        m = name("m", T.int64())
        A = T.arg("A", T.Buffer((m, 4), "float32"))
        B = T.arg("B", T.Buffer((4,), "float32"))
        with T.grid(m, 4) as (i, j):
            with T.block("add"):
                vi, vj = T.axis.remap("SS", [i, j])
                A[vi, vj] = A[vi, vj] + B[vj]


def relax_kitchen_sink_module() -> IRModule:
    with IRBuilder() as ib:
        with I.ir_module():
            I.module_global_infos({"devices": []})
            I.decl_function("main", relax.FuncStructInfo.opaque())  # a struct info also declares
            helper = I.decl_function("helper", _helper_signature())
            add_inplace = I.decl_function("add_inplace", _prim_signature(2))
            _relax_main(helper, add_inplace)
            _helper_function()
            _add_inplace_kernel()
    return ib.get()


def all_builder_modules() -> list[IRModule]:
    """Every module built in this file."""
    return [mlp_module(), tir_kitchen_sink_module(), relax_kitchen_sink_module()]


__all__ = ["all_builder_modules", "mlp_module", "relax_kitchen_sink_module", "tir_kitchen_sink_module"]
