# from tvm.script import ir as I
# from tvm.script import tirx as T
# from tvm.tirx.layout import Axis
# from tvm.script import relax as R

@I.ir_module
class Module:
    @R.function
    def main(x: R.Tensor(("n", 16), dtype="float32"), gamma: R.Tensor((16,), dtype="float32"), beta: R.Tensor((16,), dtype="float32"), w1: R.Tensor((16, 32), dtype="float32"), b1: R.Tensor((32,), dtype="float32"), w2: R.Tensor((32, 16), dtype="float32")) -> R.Tensor(("n", 16), dtype="float32"):
        n = T.int64()
        R.func_attr({"num_input": 1})
        with R.dataflow():
            h: R.Tensor((n, 16), dtype="float32") = R.nn.layer_norm(x, gamma, beta, axes=[-1], epsilon=1.0000000000000001e-05, center=True, scale=True)
            a: R.Tensor((n, 32), dtype="float32") = R.matmul(h, w1, out_dtype="void")
            b: R.Tensor((n, 32), dtype="float32") = R.add(a, b1)
            g: R.Tensor((n, 32), dtype="float32") = R.nn.gelu(b)
            o: R.Tensor((n, 16), dtype="float32") = R.matmul(g, w2, out_dtype="void")
            y: R.Tensor((n, 16), dtype="float32") = R.add(o, x)
            R.output(y)
        return y