"""Round trips of the printed forms that the suite-wide check (tests/conftest.py) found broken,
each built the way users build it (IRBuilder or script text), in both printer syntaxes, plus a
check of that suite-wide recorder itself."""

from __future__ import annotations

import inspect

import conftest
import pytest

import irscript
from irscript import relax, tir
from irscript.ir import GlobalVar, IRModule
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import relax as RB
from irscript.irbuilder import tir as T
from irscript.printer import print_script
from irscript.relax.struct_info import FuncStructInfo
from irscript.script import relax as R
from irscript.testing.roundtrip import check_roundtrip
from irscript.tir import op as top

SYNTAXES = ("classic", "tvm-0.25")
F4 = relax.TensorStructInfo((4,), "float32")


def prim(body, name: str = "f", ret: str | None = None) -> tir.PrimFunc:
    with IRBuilder() as ib:
        with T.prim_func():
            T.func_name(name)
            if ret is not None:
                T.func_ret(ret)
            body()
    return ib.get()


def relax_function(body, pure: bool = True) -> relax.Function:
    with IRBuilder() as ib:
        with RB.function(is_pure=pure):
            RB.func_name("main")
            body()
    return ib.get()


def check_both(node):
    for syntax in SYNTAXES:
        check_roundtrip(node, syntax=syntax)
    return print_script(node)


def test_opaque_callables_keep_their_purity():
    """A bare `R.Callable` is pure (the parser's default, as in TVM): impure prints `purity=False`."""
    def body():
        RB.arg("f", FuncStructInfo.opaque())
        RB.arg("g", FuncStructInfo.opaque(purity=True))
        h = RB.arg("h", FuncStructInfo.opaque(F4, False))
        RB.func_ret_value(h)

    text = check_both(relax_function(body))
    assert "f: R.Callable(purity=False), g: R.Callable, " in text
    assert 'h: R.Callable(ret=R.Tensor((4,), dtype="float32"), purity=False)' in text
    assert irscript.parse(text).params[1].struct_info.purity


def test_library_function_values_and_calls_with_sinfo_args():
    """`f = R.ExternFunc(...)` then `f(x, sinfo_args=(...,))`: a call of a Relax value takes a tuple."""
    def body():
        x = RB.arg("x", F4)
        f = RB.emit(relax.ExternFunc("lib.scale"))
        y = RB.emit(relax.Call(f, (x,), sinfo_args=(F4,)))
        RB.func_ret_value(y)

    text = check_both(relax_function(body, pure=False))
    assert 'f(x, sinfo_args=(R.Tensor((4,), dtype="float32"),))' in text.replace("gv(", "f(").replace("gv = ", "f = ")


def test_item_of_a_tuple_literal():
    """`(x, x)[1]` would index a Python tuple when parsed: it prints as `R.tuple(x, x)[1]`."""
    def body():
        x = RB.arg("x", F4)
        t = relax.Tuple([x, x])
        y = RB.emit(relax.TupleGetItem(t, 1))
        RB.func_ret_value(y)

    func = relax_function(body)
    assert isinstance(func.body.blocks[0].bindings[0].value.tuple_value, relax.Tuple)
    assert "R.tuple(x, x)[1]" in check_both(func)


def test_calls_between_prim_funcs_keep_their_dtype():
    """A call of another PrimFunc prints its dtype unless void: `cls.sq(v, dtype="int32")`."""
    def callee():
        x = T.arg("x", T.int32())
        T.evaluate(top.ret(x * x + 1))

    gv = GlobalVar("sq")

    def caller():
        A = T.arg("A", T.Buffer((3,), "int32"))
        with T.serial(3) as i:
            A[i] = top.call_tir_function(gv, i, dtype="int32")
            T.evaluate(top.call_tir_function(gv, i))

    main = prim(caller, "main")
    assert 'I.GlobalVar("sq")(v, dtype="int32")' in check_both(main)
    text = check_both(IRModule({gv: prim(callee, "sq", ret="int32"), GlobalVar("main"): main}))
    assert 'A[v] = sq(v, dtype="int32")\n            sq(v)' in text


def test_a_thread_launched_twice_is_one_env_thread():
    def body():
        A = T.arg("A", T.Buffer((16,), "float32"))
        tx = IRBuilder.name("tx", T.env_thread("threadIdx.x"))
        for value in (0, 1):
            with T.launch_thread(tx, 8):
                A[tx] = T.float32(value)

    text = check_both(prim(body))
    assert text.count('T.env_thread("threadIdx.x")') == 1 and text.count("T.launch_thread(tx, 8)") == 2


@pytest.mark.parametrize("ptr_name", ["v", "buffer", "B"])
def test_allocation_names_are_stable_when_buffer_names_collide(ptr_name):
    """The data var of `T.decl_buffer(..., data=ptr)` keeps its name through print and parse, also
    when the buffer's own name is taken and when the var has the builder's initial buffer name."""
    def body():
        O = T.arg("O", T.Buffer((6,), "float32"))
        with T.decl_buffer((6,), "float32", data=O.data) as flat:
            flat[0] = T.float32(1)
        with T.allocate((8,), "float32", "global") as ptr:
            IRBuilder.name(ptr_name, ptr)
            with T.decl_buffer((2, 4), "float32", data=ptr) as grid:
                with T.decl_buffer((3,), "float32", data=ptr, strides=[2], elem_offset=1) as odd:
                    grid[1, 1] = odd[2]

    check_both(prim(body))


def test_minifloat_literals_parse():
    def body():
        A = T.arg("A", T.Buffer((4,), "float8_e4m3fn"))
        B = T.arg("B", T.Buffer((4,), "float8_e5m2"))
        A[0] = T.float8_e4m3fn(1.5)
        B[1] = tir.Cast("float8_e5m2", A[0]) + tir.FloatImm("float8_e5m2", -0.25)

    assert "T.float8_e4m3fn(1.5)" in check_both(prim(body))


# ---------------------------------------------------------------------------------------------
# the suite-wide recorder (tests/conftest.py)
# ---------------------------------------------------------------------------------------------
class Opaque(tir.PrimExprWithOp, type_key="test_roundtrip.Opaque"):
    """A node type with no printer or parser: IR that uses it cannot round-trip."""

    __slots__ = ()
    value: tir.PrimExpr

    def __init__(self, value: tir.PrimExpr) -> None:
        self._set_fields(value.dtype, value)


def test_recorder_sees_every_construction_path_and_reports_failures(monkeypatch):
    rec = conftest.Recorder(conftest.RECORDER.skip_code)
    monkeypatch.setattr(conftest, "RECORDER", rec)
    monkeypatch.setattr(IRBuilder, "get", conftest._recording_get)

    def ok():
        A = T.arg("A", T.Buffer((4,), "float32"))
        A[0] = T.float32(1)

    built = prim(ok)  # the IRBuilder

    @R.function
    def g(x: R.Tensor((4,), "float32")) -> R.Tensor((4,), "float32"):  # a decorator
        return x

    irscript.parse(g.script())  # text
    check_roundtrip(built)  # its internal parse is not recorded: it was just checked
    assert [type(n) for n, _ in rec.pending] == [tir.PrimFunc, relax.Function, relax.Function]
    # where: the innermost frame in tests/ (the helper's `ib.get()`, the decorator, the parse call)
    files, lines = zip(*(o.rsplit(":", 1) for _, o in rec.pending))
    assert set(files) == {"tests/test_roundtrip_forms.py"}
    src, first = inspect.getsourcelines(prim)
    assert int(lines[0]) == first + next(i for i, text in enumerate(src) if "ib.get()" in text)
    start = test_recorder_sees_every_construction_path_and_reports_failures.__code__.co_firstlineno
    assert start < int(lines[1]) < int(lines[2])
    assert rec.check_pending() == [] and rec.checked == 2 and len(rec.seen) == 2  # g and its parse are equal

    def bad():
        A = T.arg("A", T.Buffer((4,), "float32"))
        A[0] = Opaque(A[1])

    prim(bad)
    prim(bad)  # the same structure again: checked once
    failures = rec.check_pending()
    assert len(failures) == 1 and "the PrimFunc built at tests/test_roundtrip_forms.py:" in failures[0]
    assert "does not round-trip" in failures[0] and rec.built == 5 and rec.checked == 3
