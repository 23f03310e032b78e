"""Golden printouts where the exact text is the contract: a TIR kernel, the Relax MLP, TVM 0.25's
spelling, underlining, the metadata section and the short repr."""

from __future__ import annotations

import ml_dtypes
import numpy as np

from irscript import relax, tir
from irscript.doc import Assign, Call, Literal, parse_python
from irscript.ir import IRModule, ObjectPath, from_json, structural_equal
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as T
from irscript.printer import print_script, short_repr
from irscript.printer.api import REPR_MAX_LINES
from irscript.testing.builder_models import mlp_module, tir_kitchen_sink_module

name = IRBuilder.name


def matmul_kernel() -> tir.PrimFunc:
    """C[n, 64] = A[n, 128] @ B[128, 64] with a symbolic n (match_buffer) and a reduction block."""
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name("matmul")
            T.func_attr({"tir.noalias": True})
            a = T.arg("a", T.handle())
            B = T.arg("B", T.Buffer((128, 64), "float32"))
            c = T.arg("c", T.handle())
            n = name("n", T.int64())
            A = name("A", T.match_buffer(a, (n, 128), "float32"))
            C = name("C", T.match_buffer(c, (n, 64), "float32"))
            with T.grid(n, 64, 128) as (i, j, k):
                IRBuilder.name_many(["i", "j", "k"], [i, j, k])
                with T.block("matmul"):
                    vi, vj, vk = IRBuilder.name_many(["vi", "vj", "vk"], T.axis.remap("SSR", [i, j, k]))
                    T.reads(A[vi, vk], B[vk, vj])
                    T.writes(C[vi, vj])
                    with T.init():
                        C[vi, vj] = T.float32(0)
                    C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
    return ib.get()


MATMUL = '''\
# from irscript.script import tir as T

@T.prim_func
def matmul(a: T.handle, B: T.Buffer((128, 64), "float32"), c: T.handle):
    T.func_attr({"tir.noalias": True})
    n = T.int64()
    A = T.match_buffer(a, (n, 128))
    C = T.match_buffer(c, (n, 64))
    # with T.block("root"):
    for i, j, k in T.grid(n, 64, 128):
        with T.block("matmul"):
            vi, vj, vk = T.axis.remap("SSR", [i, j, k])
            T.reads(A[vi, vk], B[vk, vj])
            T.writes(C[vi, vj])
            with T.init():
                C[vi, vj] = T.float32(0.0)
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]'''

MATMUL_TVM = '''\
# from tvm.script import tirx as T

@T.prim_func(s_tir=True)
def matmul(a: T.handle, B: T.Buffer((128, 64), "float32"), c: T.handle):
    T.func_attr({"tirx.noalias": True})
    n = T.int64()
    A = T.match_buffer(a, (n, 128))
    C = T.match_buffer(c, (n, 64))
    # with T.sblock("root"):
    for i, j, k in T.grid(n, 64, 128):
        with T.sblock("matmul"):
            vi, vj, vk = T.axis.remap("SSR", [i, j, k])
            T.reads(A[vi, vk], B[vk, vj])
            T.writes(C[vi, vj])
            with T.init():
                C[vi, vj] = T.float32(0.0)
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]'''

MLP = '''\
# from irscript.script import ir as I, tir as T, relax as R

@I.ir_module
class Module:
    @T.prim_func
    def dense(a: T.handle, b: T.handle, c: T.handle):
        T.func_attr({"tir.noalias": True})
        n = T.int64()
        k = T.int64()
        A = T.match_buffer(a, (n, k))
        m = T.int64()
        B = T.match_buffer(b, (k, m))
        C = T.match_buffer(c, (n, m))
        # with T.block("root"):
        for v, v_1, v_2 in T.grid(n, m, k):
            with T.block("dense"):
                vi, vj, vk = T.axis.remap("SSR", [v, v_1, v_2])
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
        # with T.block("root"):
        for v, v_1 in T.grid(n, m):
            with T.block("bias_relu"):
                v_2, v_3 = T.axis.remap("SS", [v, v_1])
                T.reads(A[v_2, v_3], B[v_3])
                T.writes(C[v_2, v_3])
                C[v_2, v_3] = T.max(A[v_2, v_3] + B[v_3], T.float32(0.0))

    @T.prim_func
    def bias_add(a: T.handle, b: T.handle, c: T.handle):
        n = T.int64()
        m = T.int64()
        A = T.match_buffer(a, (n, m))
        B = T.match_buffer(b, (m,))
        C = T.match_buffer(c, (n, m))
        # with T.block("root"):
        for v, v_1 in T.grid(n, m):
            with T.block("bias_add"):
                v_2, v_3 = T.axis.remap("SS", [v, v_1])
                T.reads(A[v_2, v_3], B[v_3])
                T.writes(C[v_2, v_3])
                C[v_2, v_3] = A[v_2, v_3] + B[v_3]

    @R.function
    def main(x: R.Tensor(("n", 784), dtype="float32"), w1: R.Tensor((784, 128), dtype="float32"), \
b1: R.Tensor((128,), dtype="float32"), w2: R.Tensor((128, 10), dtype="float32"), \
b2: R.Tensor((10,), dtype="float32")) -> R.Tensor(("n", 10), dtype="float32"):
        n = T.int64()
        cls = Module
        with R.dataflow():
            lv0 = R.call_tir(cls.dense, (x, w1), out_sinfo=R.Tensor((n, 128), dtype="float32"))
            lv1 = R.call_tir(cls.bias_relu, (lv0, b1), out_sinfo=R.Tensor((n, 128), dtype="float32"))
            lv2 = R.call_tir(cls.dense, (lv1, w2), out_sinfo=R.Tensor((n, 10), dtype="float32"))
            gv = R.call_tir(cls.bias_add, (lv2, b2), out_sinfo=R.Tensor((n, 10), dtype="float32"))
            R.output(gv)
        return gv'''


def test_tir_kernel_golden():
    assert print_script(matmul_kernel()) == MATMUL


def test_relax_mlp_golden():
    assert mlp_module().script() == MLP


def test_tvm_spelling_of_a_kernel():
    assert matmul_kernel().script(syntax="tvm-0.25") == MATMUL_TVM


def test_tvm_spelling_of_a_module():
    text = mlp_module().script(syntax="tvm-0.25")
    assert text.startswith("# from tvm.script import ir as I\n# from tvm.script import tirx as T\n"
                           "# from tvm.script import relax as R\n\n@I.ir_module\nclass Module:\n")
    assert text.count("@T.prim_func(s_tir=True)") == 3
    assert '"tirx.noalias": True' in text and "T.sblock(" in text and "T.block(" not in text
    blocks = tir_kitchen_sink_module().script(syntax="tvm-0.25")
    assert 'scratch = T.sblock_alloc_buffer((16,))' in blocks
    assert 'T.sblock_attr({"schedule_rule": "none"})' in blocks
    assert 'local = T.sblock_alloc_buffer((1,), scope="local")' in blocks
    assert "T.Let(" in blocks and "where=" in blocks  # TVM's spelling of a Let expression
    private = print_script(tir.PrimFunc((), tir.Evaluate(0)), syntax="tvm-0.25")
    assert "@T.prim_func(private=True, s_tir=True)\ndef main():" in private


def _caret_columns(text: str, marked_line: str) -> tuple[int, int]:
    lines = text.split("\n")
    i = next(k for k, line in enumerate(lines) if line == marked_line)
    carets = lines[i + 1]
    start = len(carets) - len(carets.lstrip())
    return start, len(carets.rstrip())


def test_underline_an_expression_a_region_and_a_param():
    f = matmul_kernel()
    block = ObjectPath.root().attr("body").attr("block").attr("body").attr("body").attr("body").attr("body")
    block = block.attr("block")
    load = block.attr("body").attr("value").attr("b").attr("a")  # A[vi, vk] in the update
    text = f.script(path_to_underline=[load])
    line = "            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]"
    start, end = _caret_columns(text, line)
    assert line[start:end] == "A[vi, vk]"
    assert text.replace("\n" + " " * start + "^" * (end - start), "") == MATMUL

    text = f.script(path_to_underline=[block.attr("reads").index(1), ObjectPath.root().attr("params").index(0)])
    start, end = _caret_columns(text, "            T.reads(A[vi, vk], B[vk, vj])")
    assert (start, end) == (31, 40)
    start, end = _caret_columns(text, 'def matmul(a: T.handle, B: T.Buffer((128, 64), "float32"), c: T.handle):')
    assert (start, end) == (11, 22)


def test_underline_a_relax_argument_inside_a_module():
    mod = mlp_module()
    call = ObjectPath.root().map_value("main").attr("body").attr("blocks").index(0).attr("bindings").index(1)
    text = mod.script(path_to_underline=[call.attr("value").attr("args").index(1).attr("fields").index(0)])
    line = '            lv1 = R.call_tir(cls.bias_relu, (lv0, b1), out_sinfo=R.Tensor((n, 128), dtype="float32"))'
    start, end = _caret_columns(text, line)
    assert line[start:end] == "lv0"
    text = mod.script(path_to_underline=[call])  # a whole binding: its line
    start, end = _caret_columns(text, line)
    assert line[start:end] == line.strip()


def test_underline_marks_the_use_a_path_names_not_the_definition():
    mod = mlp_module()
    call = ObjectPath.root().map_value("main").attr("body").attr("blocks").index(0).attr("bindings").index(2)
    text = mod.script(path_to_underline=[call.attr("value").attr("args").index(1).attr("fields").index(1)])
    assert text.count("^") == 2  # `w2` in the call, not the parameter `w2`
    start, end = _caret_columns(text, '            lv2 = R.call_tir(cls.dense, (lv1, w2), out_sinfo=R.Tensor((n, 10), '
                                      'dtype="float32"))')
    assert (end - start) == 2
    params = ObjectPath.root().map_value("main").attr("params").index(3)
    text = mod.script(path_to_underline=[params])  # the definition itself
    assert text.count("^") == len('w2: R.Tensor((128, 10), dtype="float32")')


def _constant_module(data: np.ndarray) -> IRModule:
    const = relax.Constant(data)
    x = relax.Var("x", const.struct_info)
    c = relax.Var("c", const.struct_info)
    body = relax.SeqExpr([relax.BindingBlock([relax.VarBinding(c, const)])], c)
    return IRModule({"main": relax.Function((x,), body, const.struct_info, True, {"global_symbol": "main"})})


def test_metadata_section_holds_large_constants_exactly():
    data = np.arange(20, dtype="float32").reshape(4, 5)
    mod = _constant_module(data)
    text = mod.script()
    assert 'c: R.Tensor((4, 5), dtype="float32") = metadata["relax.expr.Constant"][0]' in text
    assert "\n\n# Metadata\nmetadata = I.metadata(" in text
    section = parse_python(text).body[-1]
    assert isinstance(section, Assign) and isinstance(section.value, Call)
    (arg,) = section.value.args
    assert isinstance(arg, Literal)
    table = from_json(arg.value)
    original = mod["main"].body.blocks[0].bindings[0].value
    assert list(table) == ["relax.expr.Constant"] and len(table["relax.expr.Constant"]) == 1
    assert structural_equal(table["relax.expr.Constant"][0], original)

    hidden = mod.script(show_meta=False)
    assert hidden.endswith("# Metadata omitted (not parseable): print with show_meta=True to include it")
    assert "I.metadata" not in hidden
    inline = mod.script(inline_constant_limit=20)
    assert "R.const([[0.0, 1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0, 9.0]" in inline and "# Metadata" not in inline


def test_small_constants_inline_only_when_exact():
    small = _constant_module(np.array([1.5, -0.0, np.inf, np.nan], dtype="float32")).script()
    assert 'R.const([1.5, -0.0, float("inf"), float("nan")], "float32")' in small
    payload = np.array([np.nan], dtype="float32").view("uint32") | np.uint32(1)  # a NaN with a payload
    assert "metadata[" in _constant_module(payload.view("float32")).script()
    assert "metadata[" in _constant_module(np.zeros((0, 3), "int8")).script()  # `[]` would lose the shape
    assert 'R.const(7, "int64")' in _constant_module(np.array(7, "int64")).script()
    assert 'R.const([True, False], "bool")' in _constant_module(np.array([True, False])).script()
    bf16 = _constant_module(np.array([0.5, 3.0]).astype(ml_dtypes.bfloat16)).script()
    assert 'R.const([0.5, 3.0], "bfloat16")' in bf16


def test_short_repr():
    n = tir.Var("n", "int64")
    assert repr(n) == "n"
    assert repr(n * 2 + 1) == "n * 2 + 1"
    assert repr(tir.IntImm("int64", 3)) == "T.int64(3)"
    assert repr(relax.TensorStructInfo((n, 4), "float16")) == 'R.Tensor((n, 4), dtype="float16")'
    store = tir.BufferStore(tir.Buffer(None, "float32", (16,), name="A"), tir.FloatImm("float32", 1.0), (n,))
    assert repr(store) == "A[n] = T.float32(1.0)  # undefined: A, n"
    mod = mlp_module()
    lines = repr(mod).split("\n")
    assert len(lines) == REPR_MAX_LINES + 1 and lines[-1].startswith("# ... ") and lines[-1].endswith(" more lines")
    assert lines[0] == "@I.ir_module"  # no header in a repr
    assert short_repr(mod) == repr(mod)
