# from tvm.script import ir as I
# from tvm.script import tirx as T
# from tvm.tirx.layout import Axis
# from tvm.script import relax as R

@I.ir_module
class Module:
    @T.prim_func(private=True, s_tir=True)
    def add(var_a: T.handle, b1: T.Buffer((T.int64(32),), "float32"), var_T_add: T.handle):
        T.func_attr({"tirx.noalias": True})
        n = T.int64()
        a = T.match_buffer(var_a, (n, T.int64(32)))
        T_add = T.match_buffer(var_T_add, (n, T.int64(32)))
        # with T.sblock("root"):
        for ax0, ax1 in T.grid(n, T.int64(32)):
            with T.sblock("T_add"):
                v_ax0, v_ax1 = T.axis.remap("SS", [ax0, ax1])
                T.reads(a[v_ax0, v_ax1], b1[v_ax1])
                T.writes(T_add[v_ax0, v_ax1])
                T_add[v_ax0, v_ax1] = a[v_ax0, v_ax1] + b1[v_ax1]

    @T.prim_func(private=True, s_tir=True)
    def add1(var_o: T.handle, var_x: T.handle, var_T_add: T.handle):
        T.func_attr({"tirx.noalias": True})
        n = T.int64()
        o = T.match_buffer(var_o, (n, T.int64(16)))
        x = T.match_buffer(var_x, (n, T.int64(16)))
        T_add = T.match_buffer(var_T_add, (n, T.int64(16)))
        # with T.sblock("root"):
        for ax0, ax1 in T.grid(n, T.int64(16)):
            with T.sblock("T_add"):
                v_ax0, v_ax1 = T.axis.remap("SS", [ax0, ax1])
                T.reads(o[v_ax0, v_ax1], x[v_ax0, v_ax1])
                T.writes(T_add[v_ax0, v_ax1])
                T_add[v_ax0, v_ax1] = o[v_ax0, v_ax1] + x[v_ax0, v_ax1]

    @T.prim_func(private=True, s_tir=True)
    def gelu(var_b: T.handle, var_T_multiply: T.handle):
        T.func_attr({"tirx.noalias": True})
        n = T.int64()
        b = T.match_buffer(var_b, (n, T.int64(32)))
        T_multiply = T.match_buffer(var_T_multiply, (n, T.int64(32)))
        # with T.sblock("root"):
        T_multiply_1 = T.sblock_alloc_buffer((n, T.int64(32)))
        compute = T.sblock_alloc_buffer((n, T.int64(32)))
        T_multiply_2 = T.sblock_alloc_buffer((n, T.int64(32)))
        T_add = T.sblock_alloc_buffer((n, T.int64(32)))
        for ax0, ax1 in T.grid(n, T.int64(32)):
            with T.sblock("T_multiply"):
                v_ax0, v_ax1 = T.axis.remap("SS", [ax0, ax1])
                T.reads(b[v_ax0, v_ax1])
                T.writes(T_multiply_1[v_ax0, v_ax1])
                T_multiply_1[v_ax0, v_ax1] = b[v_ax0, v_ax1] * T.float32(0.70710678118654757)
        for i0, i1 in T.grid(n, T.int64(32)):
            with T.sblock("compute"):
                v_i0, v_i1 = T.axis.remap("SS", [i0, i1])
                T.reads(T_multiply_1[v_i0, v_i1])
                T.writes(compute[v_i0, v_i1])
                compute[v_i0, v_i1] = T.erf(T_multiply_1[v_i0, v_i1])
        for ax0, ax1 in T.grid(n, T.int64(32)):
            with T.sblock("T_multiply_1"):
                v_ax0, v_ax1 = T.axis.remap("SS", [ax0, ax1])
                T.reads(compute[v_ax0, v_ax1])
                T.writes(T_multiply_2[v_ax0, v_ax1])
                T_multiply_2[v_ax0, v_ax1] = compute[v_ax0, v_ax1] * T.float32(0.5)
        for ax0, ax1 in T.grid(n, T.int64(32)):
            with T.sblock("T_add"):
                v_ax0, v_ax1 = T.axis.remap("SS", [ax0, ax1])
                T.reads(T_multiply_2[v_ax0, v_ax1])
                T.writes(T_add[v_ax0, v_ax1])
                T_add[v_ax0, v_ax1] = T.float32(0.5) + T_multiply_2[v_ax0, v_ax1]
        for ax0, ax1 in T.grid(n, T.int64(32)):
            with T.sblock("T_multiply_2"):
                v_ax0, v_ax1 = T.axis.remap("SS", [ax0, ax1])
                T.reads(b[v_ax0, v_ax1], T_add[v_ax0, v_ax1])
                T.writes(T_multiply[v_ax0, v_ax1])
                T_multiply[v_ax0, v_ax1] = b[v_ax0, v_ax1] * T_add[v_ax0, v_ax1]

    @T.prim_func(private=True, s_tir=True)
    def layer_norm(var_x: T.handle, gamma: T.Buffer((T.int64(16),), "float32"), beta: T.Buffer((T.int64(16),), "float32"), var_T_layer_norm: T.handle):
        T.func_attr({"tirx.noalias": True})
        n = T.int64()
        x = T.match_buffer(var_x, (n, T.int64(16)))
        T_layer_norm = T.match_buffer(var_T_layer_norm, (n, T.int64(16)))
        # with T.sblock("root"):
        x_sum = T.sblock_alloc_buffer((n,))
        x_mean = T.sblock_alloc_buffer((n,))
        x_var_sum = T.sblock_alloc_buffer((n,))
        for ax0, k1 in T.grid(n, T.int64(16)):
            with T.sblock("x_sum"):
                v_ax0, v_k1 = T.axis.remap("SR", [ax0, k1])
                T.reads(x[v_ax0, v_k1])
                T.writes(x_sum[v_ax0])
                with T.init():
                    x_sum[v_ax0] = T.float32(0.0)
                x_sum[v_ax0] = x_sum[v_ax0] + x[v_ax0, v_k1]
        for ax0 in range(n):
            with T.sblock("x_mean"):
                v_ax0 = T.axis.spatial(n, ax0)
                T.reads(x_sum[v_ax0])
                T.writes(x_mean[v_ax0])
                x_mean[v_ax0] = x_sum[v_ax0] / T.float32(16.0)
        for ax0, k1 in T.grid(n, T.int64(16)):
            with T.sblock("x_var_sum"):
                v_ax0, v_k1 = T.axis.remap("SR", [ax0, k1])
                T.reads(x[v_ax0, v_k1], x_mean[v_ax0])
                T.writes(x_var_sum[v_ax0])
                with T.init():
                    x_var_sum[v_ax0] = T.float32(0.0)
                x_var_sum[v_ax0] = x_var_sum[v_ax0] + (x[v_ax0, v_k1] - x_mean[v_ax0]) * (x[v_ax0, v_k1] - x_mean[v_ax0])
        for ax0, ax1 in T.grid(n, T.int64(16)):
            with T.sblock("T_layer_norm"):
                v_ax0, v_ax1 = T.axis.remap("SS", [ax0, ax1])
                T.reads(x[v_ax0, v_ax1], x_mean[v_ax0], x_var_sum[v_ax0], gamma[v_ax1], beta[v_ax1])
                T.writes(T_layer_norm[v_ax0, v_ax1])
                T_layer_norm[v_ax0, v_ax1] = (x[v_ax0, v_ax1] - x_mean[v_ax0]) * T.rsqrt(x_var_sum[v_ax0] / T.float32(16.0) + T.float32(1.0000000000000001e-05)) * gamma[v_ax1] + beta[v_ax1]

    @T.prim_func(private=True, s_tir=True)
    def matmul(var_h: T.handle, w1: T.Buffer((T.int64(16), T.int64(32)), "float32"), var_matmul: T.handle):
        T.func_attr({"tirx.noalias": True})
        n = T.int64()
        h = T.match_buffer(var_h, (n, T.int64(16)))
        matmul = T.match_buffer(var_matmul, (n, T.int64(32)))
        # with T.sblock("root"):
        for i0, i1, k in T.grid(n, T.int64(32), T.int64(16)):
            with T.sblock("matmul"):
                v_i0, v_i1, v_k = T.axis.remap("SSR", [i0, i1, k])
                T.reads(h[v_i0, v_k], w1[v_k, v_i1])
                T.writes(matmul[v_i0, v_i1])
                with T.init():
                    matmul[v_i0, v_i1] = T.float32(0.0)
                matmul[v_i0, v_i1] = matmul[v_i0, v_i1] + h[v_i0, v_k] * w1[v_k, v_i1]

    @T.prim_func(private=True, s_tir=True)
    def matmul1(var_g: T.handle, w2: T.Buffer((T.int64(32), T.int64(16)), "float32"), var_matmul: T.handle):
        T.func_attr({"tirx.noalias": True})
        n = T.int64()
        g = T.match_buffer(var_g, (n, T.int64(32)))
        matmul = T.match_buffer(var_matmul, (n, T.int64(16)))
        # with T.sblock("root"):
        for i0, i1, k in T.grid(n, T.int64(16), T.int64(32)):
            with T.sblock("matmul"):
                v_i0, v_i1, v_k = T.axis.remap("SSR", [i0, i1, k])
                T.reads(g[v_i0, v_k], w2[v_k, v_i1])
                T.writes(matmul[v_i0, v_i1])
                with T.init():
                    matmul[v_i0, v_i1] = T.float32(0.0)
                matmul[v_i0, v_i1] = matmul[v_i0, v_i1] + g[v_i0, v_k] * w2[v_k, v_i1]

    @R.function
    def main(x: R.Tensor(("n", 16), dtype="float32"), gamma: R.Tensor((16,), dtype="float32"), beta: R.Tensor((16,), dtype="float32"), w1: R.Tensor((16, 32), dtype="float32"), b1: R.Tensor((32,), dtype="float32"), w2: R.Tensor((32, 16), dtype="float32")) -> R.Tensor(("n", 16), dtype="float32"):
        n = T.int64()
        R.func_attr({"num_input": 1})
        cls = Module
        with R.dataflow():
            h = R.call_tir(cls.layer_norm, (x, gamma, beta), out_sinfo=R.Tensor((n, 16), dtype="float32"))
            a = R.call_tir(cls.matmul, (h, w1), out_sinfo=R.Tensor((n, 32), dtype="float32"))
            b = R.call_tir(cls.add, (a, b1), out_sinfo=R.Tensor((n, 32), dtype="float32"))
            g = R.call_tir(cls.gelu, (b,), out_sinfo=R.Tensor((n, 32), dtype="float32"))
            o = R.call_tir(cls.matmul1, (g, w2), out_sinfo=R.Tensor((n, 16), dtype="float32"))
            y = R.call_tir(cls.add1, (o, x), out_sinfo=R.Tensor((n, 16), dtype="float32"))
            R.output(y)
        return y