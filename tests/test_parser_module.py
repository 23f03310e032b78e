"""Module level: `@I.ir_module`, module attrs, metadata, the decorators on Python code, the
entry points, and text printed by Apache TVM 0.25."""

from __future__ import annotations

import inspect
import pathlib
import textwrap

import numpy as np
import pytest

import irscript
from irscript import relax, tir
from irscript.errors import ScriptError
from irscript.script import ir as I
from irscript.script import parse, parse_file
from irscript.script import relax as R
from irscript.script import tir as T
from irscript.testing.diagnostics import assert_diag, parse_text


def test_module_attrs_global_infos_and_function_order():
    mod = parse_text("""
        from irscript.script import ir as I, tir as T, relax as R

        @I.ir_module()
        class Module:
            I.module_attrs({"target": "c", "opt": 2})
            I.module_global_infos({"devices": []})

            @R.function
            def main(x: R.Tensor((4,), "float32")):
                y = Module.helper(x)
                return y

            @R.function(private=True)
            def helper(x: R.Tensor((4,), "float32")) -> R.Tensor((4,), "float32"):
                return x
    """)
    assert mod.attrs == {"target": "c", "opt": 2}
    assert mod.global_infos == {"devices": ()}
    assert [gv.name_hint for gv in mod.functions] == ["main", "helper"]
    y = mod["main"].body.blocks[0].bindings[0]
    assert y.value.op.name_hint == "helper" and y.var.struct_info.shape.values[0].value == 4


def test_import_aliases():
    f = parse_text("""
        from irscript.script import tir as TT

        @TT.prim_func
        def f(A: TT.Buffer((4,), "float32")):
            A[0] = TT.float32(1.0)
    """)
    assert isinstance(f, tir.PrimFunc)


def test_check_well_formed_option():
    text = """
        @I.ir_module{option}
        class Module:
            @T.prim_func
            def k(A: T.Buffer((4,), "float32")):
                A[0] = T.float32(0.0)

            @R.function
            def main(x: R.Tensor((4,), "float32")):
                y = R.call_tir(Module.k, (x,), out_sinfo=R.Tensor((4,), "float32"))
                return y
    """
    err = assert_diag(text.format(option=""), "not well-formed: call_tir to 'k' passes 1 argument and 1 output", 9, 9)
    assert any("in function `main`" in n for n in err.__notes__)
    assert isinstance(parse_text(text.format(option="(check_well_formed=False)")), irscript.IRModule)
    assert isinstance(parse_text(text.format(option=""), check_well_formed=False), irscript.IRModule)


def test_metadata_section():
    const = relax.Constant(np.arange(12, dtype="float32").reshape(3, 4))
    meta = irscript.to_json({"relax.expr.Constant": [const]})
    text = textwrap.dedent('''
        # from irscript.script import ir as I, tir as T, relax as R

        @I.ir_module
        class Module:
            @R.function
            def main(x: R.Tensor((3, 4), dtype="float32")) -> R.Tensor((3, 4), dtype="float32"):
                y: R.Tensor((3, 4), dtype="float32") = R.add(x, metadata["relax.expr.Constant"][0])
                return y

        # Metadata
        metadata = I.metadata("""{meta}""")
    ''').format(meta=meta)
    mod = parse(text)
    data = mod["main"].body.blocks[0].bindings[0].value.args[1].data
    np.testing.assert_array_equal(data, const.data)


# Text in the spelling Apache TVM 0.25 prints (written for this test, in the style of its printer).
TVM_TEXT = '''# from tvm.script import ir as I
# from tvm.script import tirx as T
# from tvm.tirx.layout import Axis
# from tvm.script import relax as R

@I.ir_module
class Module:
    @T.prim_func(private=True, s_tir=True)
    def scale_add(var_x: T.handle, w: T.Buffer((T.int64(8),), "float32"), var_out: T.handle):
        T.func_attr({"tirx.noalias": True})
        seq = T.int64()
        x = T.match_buffer(var_x, (seq, T.int64(8)))
        out = T.match_buffer(var_out, (seq, T.int64(8)))
        # with T.sblock("root"):
        tmp = T.sblock_alloc_buffer((seq, T.int64(8)))
        for ax0, ax1 in T.grid(seq, T.int64(8)):
            with T.sblock("scale"):
                v_ax0, v_ax1 = T.axis.remap("SS", [ax0, ax1])
                T.reads(x[v_ax0, v_ax1], w[v_ax1])
                T.writes(tmp[v_ax0, v_ax1])
                T.sblock_attr({"schedule_rule": "none"})
                tmp[v_ax0, v_ax1] = x[v_ax0, v_ax1] * w[v_ax1]
        for ax0, ax1 in T.grid(seq, T.int64(8)):
            with T.sblock("add"):
                v_ax0, v_ax1 = T.axis.remap("SS", [ax0, ax1])
                T.reads(tmp[v_ax0, v_ax1], x[v_ax0, v_ax1])
                T.writes(out[v_ax0, v_ax1])
                out[v_ax0, v_ax1] = tmp[v_ax0, v_ax1] + x[v_ax0, v_ax1]

    @R.function
    def forward(x: R.Tensor(("seq", 8), dtype="float32"), w: R.Tensor((8,), dtype="float32"), m: R.Tensor((8, 8), dtype="float32")) -> R.Tensor(("seq", 8), dtype="float32"):
        seq = T.int64()
        R.func_attr({"num_input": 1})
        cls = Module
        with R.dataflow():
            lv = R.call_tir(cls.scale_add, (x, w), out_sinfo=R.Tensor((seq, 8), dtype="float32"))
            mm: R.Tensor((seq, 8), dtype="float32") = R.matmul(lv, m, out_dtype="void")
            gv: R.Tensor((seq, 8), dtype="float32") = R.nn.relu(mm)
            R.output(gv)
        return gv
'''


def test_tvm_printed_text_parses_and_equals_its_classic_spelling():
    mod = parse(TVM_TEXT)
    assert mod["scale_add"].attrs == {"tir.noalias": True}  # private: no global_symbol; "tirx." read as "tir."
    assert mod["forward"].attrs["num_input"] == 1
    classic = (TVM_TEXT.replace("T.sblock_alloc_buffer(", "T.alloc_buffer(").replace("T.sblock_attr(", "T.block_attr(")
               .replace("T.sblock(", "T.block(").replace(", s_tir=True", "").replace("tirx.noalias", "tir.noalias")
               .replace("tvm.script", "irscript.script"))
    irscript.assert_structural_equal(mod, parse(classic))
    blocks = [n for n in irscript.ir.pre_order(mod["scale_add"]) if isinstance(n, tir.Block)]
    assert [b.name_hint for b in blocks] == ["root", "scale", "add"]


def test_parse_file_and_missing_file(tmp_path):
    path = tmp_path / "f.py"
    path.write_text('@T.prim_func\ndef f(A: T.Buffer((4,), "float32")):\n    A[0] = T.float32(1.0)\n')
    assert isinstance(parse_file(path), tir.PrimFunc)
    with pytest.raises(ScriptError, match="cannot read"):
        parse_file(tmp_path / "missing.py")


# ---------------------------------------------------------------------------------------------
# decorators on Python code


@I.ir_module
class PyModule:
    I.module_attrs({"from": "python"})

    @T.prim_func
    def add_one(A: T.Buffer((8,), "float32"), B: T.Buffer((8,), "float32")):
        for i in range(8):
            with T.block("add"):
                vi = T.axis.spatial(8, i)
                B[vi] = A[vi] + T.float32(1.0)

    @R.function
    def main(x: R.Tensor(("n",), "float32")) -> R.Tensor(("n",), "float32"):
        n = T.int64()  # noqa: F841  (script code: declares the symbolic var)
        cls = PyModule
        with R.dataflow():
            y = R.add(x, x)
            R.output(y)
        z = cls.helper(y)
        return z

    @R.function(private=True)
    def helper(x: R.Tensor(("m",), "float32")) -> R.Tensor(("m",), "float32"):
        return x


def _class_source(class_name: str) -> str:
    """The text of a decorated top-level class of this file."""
    lines = pathlib.Path(__file__).read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"class {class_name}")) - 1
    end = next(i for i in range(start + 2, len(lines)) if lines[i].strip() and not lines[i].startswith((" ", "#")))
    return "".join(lines[start:end])


def test_decorated_class_equals_its_text():
    assert isinstance(PyModule, irscript.IRModule)
    assert PyModule.attrs == {"from": "python"}
    irscript.assert_structural_equal(PyModule, parse(_class_source("PyModule")))


def test_standalone_decorated_functions_and_spans():
    @T.prim_func
    def f(A: T.Buffer((4,), "float32")):
        A[0] = T.float32(2.0)

    @R.function(pure=False)
    def g(x: R.Tensor((4,), "float32")):
        return x

    assert isinstance(f, tir.PrimFunc) and f.attrs["global_symbol"] == "f"
    assert isinstance(g, relax.Function) and not g.is_pure

    def bad():
        @T.prim_func
        def h(A: T.Buffer((4,), "float32")):
            A[0] = undefined_name  # noqa: F821

    line = inspect.getsourcelines(bad)[1] + 3
    err = assert_diag(bad, "unknown name `undefined_name`", line, 20)
    assert err.span.source_name == __file__
    assert "A[0] = undefined_name" in str(err)


def test_source_that_cannot_be_read():
    code = textwrap.dedent("""
        from irscript.script import tir as T

        @T.prim_func
        def f(A: T.Buffer((4,), "float32")):
            A[0] = T.float32(1.0)
    """)
    with pytest.raises(ScriptError, match="cannot read the source of function `f`.*interactive prompt or run with exec"):
        exec(compile(code, "<stdin>", "exec"), {})


def test_decorator_options_are_checked():
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        T.prim_func(bogus=True)
    assert_diag("""
        @T.prim_func(bogus=True)
        def f(A: T.Buffer((4,), "float32")):
            A[0] = T.float32(1.0)
    """, "T.prim_func() got an unexpected keyword argument 'bogus'", 1, 2)


def test_dunder_access_is_refused_in_decorated_python_too():
    with pytest.raises(ScriptError, match="access to the special attribute `__class__` is not allowed"):
        @T.prim_func
        def f(A: T.Buffer((4,), "float32")):
            A[0] = A.__class__


@pytest.mark.parametrize("syntax", ["classic", "tvm-0.25"])
def test_printed_builder_models_parse_back(syntax):
    from irscript.printer import print_script
    from irscript.testing.builder_models import all_builder_modules

    for mod in all_builder_modules():
        text = print_script(mod, syntax=syntax)
        parsed = parse(text)
        irscript.assert_structural_equal(mod, parsed)
        assert print_script(parsed, syntax=syntax) == text
