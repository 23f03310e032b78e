"""Source spans on parsed IR: the parser stamps statements and bindings with the line they come
from, so problems found later in the IR (the well-formedness checker) point at the user's line;
spans never take part in a node's value."""

from __future__ import annotations

import copy
import inspect
import pickle

import irscript
from irscript import relax, tir
from irscript.ir.node import replace
from irscript.ir.path import ObjectPath
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import tir as TB
from irscript.script import relax as R
from irscript.script import tir as T
from irscript.testing.diagnostics import assert_diag, parse_text

MODEL = """
    from irscript.script import ir as I, tir as T, relax as R

    @I.ir_module
    class Module:
        @T.prim_func
        def scale(A: T.Buffer((4, 8), "float32"), B: T.Buffer((4, 8), "float32")):
            for i, j in T.grid(4, 8):
                with T.block("scale"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    B[vi, vj] = A[vi, vj] * T.float32(2)
            for k in range(4):
                B[k, 0] = T.float32(0)

        @R.function
        def main(x: R.Tensor((4, 8), "float32")):
            with R.dataflow():
                y = R.add(R.multiply(x, x), x)
                z = R.call_tir(Module.scale, (y,), out_sinfo=R.Tensor((4, 8), "float32"))
                R.output(z)
            if R.const(True, "bool"):
                w = R.add(z, z)
            else:
                w = z
            return w
"""


def _line(span) -> int:
    assert span is not None
    return span.line


def test_statements_and_bindings_carry_their_source_line():
    mod = parse_text(MODEL)
    scale = mod["scale"]
    root = scale.body.block
    loops, zero_loop = root.body.seq
    assert _line(loops.span) == 7  # `for i, j in T.grid(4, 8):` (its header line only)
    assert loops.span.end_line == 7
    realize = loops.body.body
    assert _line(realize.span) == 8  # `with T.block("scale"):`
    assert _line(realize.block.body.span) == 10  # the store
    assert _line(zero_loop.span) == 11 and _line(zero_loop.body.span) == 12

    main = mod["main"]
    product, total, call = main.body.blocks[0].bindings
    # the nested call was flattened into its own binding, located at the statement it came from
    assert isinstance(product.value, relax.Call) and product.value.op.name == "relax.multiply"
    assert _line(product.span) == _line(total.span) == 17
    assert _line(call.span) == 18
    if_binding = main.body.blocks[1].bindings[0]
    assert isinstance(if_binding.value, relax.If)
    assert _line(if_binding.span) == 20  # the `if` line, not the last line of its branches


def test_spans_point_into_the_decorated_file():
    @T.prim_func
    def f(A: T.Buffer((4,), "float32")):
        for i in range(4):
            A[i] = T.float32(1)

    first = inspect.getsourcelines(test_spans_point_into_the_decorated_file)[1]
    loop = f.body
    assert loop.span.source_name == __file__
    assert loop.span.line == first + 3 and loop.body.span.line == first + 4


def test_spans_are_not_part_of_the_value():
    mod = parse_text(MODEL)
    assert mod["main"].body.blocks[0].bindings[0].span is not None
    again = irscript.from_json(irscript.to_json(mod))  # JSON has no spans
    assert again["main"].body.blocks[0].bindings[0].span is None
    irscript.assert_structural_equal(mod, again)
    assert irscript.structural_hash(mod) == irscript.structural_hash(again)
    for copied in (copy.deepcopy(mod), pickle.loads(pickle.dumps(mod))):
        assert copied["main"].body.blocks[0].bindings[0].span.line == 17
        irscript.assert_structural_equal(mod, copied)
    binding = mod["main"].body.blocks[0].bindings[1]
    assert replace(binding, var=relax.Var("t", binding.var.struct_info)).span is binding.span


def test_ir_built_from_python_has_no_spans():
    with IRBuilder() as ib:
        with TB.prim_func():
            A = TB.arg("A", TB.Buffer((4,), "float32"))
            with TB.serial(4) as i:
                A[i] = TB.float32(0)
    f = ib.get()
    assert f.body.span is None and f.body.body.span is None


def test_innermost_span_walks_the_path():
    mod = parse_text(MODEL)
    path = ObjectPath.root().map_value("main").attr("body").attr("blocks").index(0).attr("bindings").index(2)
    assert path.innermost_span(mod).line == 18
    deeper = path.attr("value").attr("args").index(1).index(0)  # an expression: no span of its own
    assert deeper.innermost_span(mod).line == 18
    assert ObjectPath.root().map_value("main").attr("no_such_field").innermost_span(mod) is None


def test_checker_problem_is_reported_at_the_statement():
    assert_diag("""
        from irscript.script import ir as I, tir as T, relax as R

        @I.ir_module
        class Module:
            @T.prim_func
            def k(A: T.Buffer((4,), "float32"), B: T.Buffer((4,), "float32")):
                B[0] = A[0]

            @R.function
            def main(x: R.Tensor((4,), "float32")):
                y = R.add(x, x)
                z = R.call_tir(Module.k, (y,), out_sinfo=R.Tensor((5,), "float32"))
                return z
    """, "not well-formed: call_tir output 0 has shape (5,) but buffer 'B' of 'k' expects (4,)", 12, 9)


def test_checker_problem_inside_a_dataflow_block_is_at_its_binding():
    err = assert_diag("""
        from irscript.script import relax as R

        @R.function
        def main(x: R.Tensor((4,), "float32")):
            with R.dataflow():
                y = R.add(x, x)
                z = R.call_packed("ext", y, sinfo_args=R.Tensor((4,), "float32"))
                R.output(z)
            return z
    """, "impure call to 'R.call_packed(\"ext\")' inside a dataflow block", 7, 9)
    assert "z = R.call_packed" in str(err)  # the rendered source line is the call


def test_checker_problem_in_decorated_code_is_at_the_file_line():
    def build():
        @R.function
        def main(x: R.Tensor((4,), "float32")):
            with R.dataflow():
                z = R.call_packed("ext", x, sinfo_args=R.Tensor((4,), "float32"))
                R.output(z)
            return z

        return main

    first = inspect.getsourcelines(build)[1]
    assert_diag(build, "impure call", first + 4, 17, source_name=__file__)


def test_unlocated_problem_falls_back_to_the_definition():
    # a problem whose path reaches no stamped node is reported at the function's header line
    from irscript.doc import parse_python
    from irscript.errors import ScriptError
    from irscript.script.parser.entry import check_result

    f = tir.PrimFunc((), tir.Evaluate(tir.Var("free", "int32") + 1))
    problems = irscript.check_well_formed(f)
    assert problems and problems[0].path.innermost_span(f) is None
    doc = parse_python("x = 1\n\ndef f():\n    pass\n").body[-1]
    try:
        check_result(f, doc)
    except ScriptError as err:
        assert "not well-formed" in err.message and "free" in err.message
        assert (err.span.line, err.span.col, err.span.end_line) == (3, 0, 3)
    else:
        raise AssertionError("the ill-formed function passed the check")
