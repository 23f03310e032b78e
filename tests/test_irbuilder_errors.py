"""Misuse of the IRBuilder raises IRError with a clear one-line message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from irscript import relax, tir
from irscript.errors import IRError
from irscript.ir import GlobalVar
from irscript.irbuilder import IRBuilder
from irscript.irbuilder import ir as I
from irscript.irbuilder import relax as R
from irscript.irbuilder import tir as T
from irscript.relax import op as rop


def Tn(shape):
    return relax.TensorStructInfo(shape, "float32")


@contextmanager
def raises(message: str) -> Iterator[None]:
    """Expect an IRError whose one-line message contains `message`."""
    with pytest.raises(IRError, match=re.escape(message)) as info:
        yield
    assert "\n" not in str(info.value), f"message is not one line: {info.value}"


def packed(*args):
    return rop.call_pure_packed("f", *args, sinfo_args=Tn((4,)))


# ---------------------------------------------------------------------------------------------
# the frame protocol and the builder
# ---------------------------------------------------------------------------------------------


def test_frame_closed_twice():
    with IRBuilder():
        frame = T.prim_func()
        frame.__enter__()
        frame.__exit__(None, None, None)
        with raises("the T.prim_func frame was already closed; each frame is closed once"):
            frame.__exit__(None, None, None)


def test_frame_entered_twice_and_closed_unentered():
    with IRBuilder():
        frame = I.ir_module()
        with frame:
            pass
        with raises("the I.ir_module frame was already entered"):
            frame.__enter__()
        with raises("the R.dataflow frame was closed without being entered"):
            R.dataflow().__exit__(None, None, None)


def test_frames_closed_out_of_order():
    with IRBuilder():
        func = T.prim_func()
        func.__enter__()
        loop = T.serial(4)
        loop.__enter__()
        with raises("frames must close innermost first: closing T.prim_func while T.serial is still open"):
            func.__exit__(None, None, None)


def test_no_active_builder():
    with raises("no IRBuilder is active: build IR inside `with IRBuilder() as ib:`"):
        T.evaluate(0)


def test_get_before_finished_and_with_nothing_built():
    with IRBuilder() as ib:
        with raises("IRBuilder.get(): nothing was built"):
            ib.get()
        with T.prim_func():
            with raises("IRBuilder.get(): the builder has not finished; frames still open: T.prim_func"):
                ib.get()
    assert isinstance(ib.get(), tir.PrimFunc)


def test_second_top_level_result():
    with IRBuilder():
        with T.prim_func():
            pass
        with raises("the IRBuilder already holds a result"):
            with T.prim_func():
                pass


def test_exception_in_flight_skips_finalisation():
    with IRBuilder() as ib:
        with pytest.raises(ZeroDivisionError):
            with T.prim_func():
                with T.serial(4):
                    1 / 0  # noqa: B018
        assert ib.frames == []
    with raises("nothing was built"):
        ib.get()


# ---------------------------------------------------------------------------------------------
# modules
# ---------------------------------------------------------------------------------------------


def test_functions_without_names_inside_a_module():
    with IRBuilder():
        with I.ir_module():
            with raises("a T.prim_func inside I.ir_module needs a name: call T.func_name(...)"):
                with T.prim_func():
                    pass
    with IRBuilder():
        with I.ir_module():
            with raises("a R.function inside I.ir_module needs a name: call R.func_name(...)"):
                with R.function():
                    R.func_ret_value(relax.ShapeExpr(()))


def test_two_functions_with_the_same_name():
    with IRBuilder():
        with I.ir_module():
            with T.prim_func():
                T.func_name("f")
            with raises("the module already has a function named 'f'"):
                with R.function():
                    R.func_name("f")
                    R.func_ret_value(relax.ShapeExpr(()))


def test_declarations():
    sig = relax.FuncStructInfo.opaque()
    with IRBuilder(), raises("function 'g' was declared with I.decl_function but never defined"):
        with I.ir_module():
            I.decl_function("g", sig)
            with raises("function 'g' is already declared in this module"):
                I.decl_function("g", sig)
            with raises("the signature must be a function or a function struct info, got int"):
                I.decl_function("h", 3)
            I.decl_function("p", tir.PrimFunc((), tir.Evaluate(0)))
            with raises("function 'p' was declared as a tir.PrimFunc but is defined as a relax.Function"):
                with R.function():
                    R.func_name("p")
                    R.func_ret_value(relax.ShapeExpr(()))
    with IRBuilder():
        with raises("I.decl_function must be called inside I.ir_module()"):
            I.decl_function("g", sig)


def test_module_attrs_once_and_nesting():
    with IRBuilder():
        with I.ir_module():
            I.module_attrs({"a": 1})
            with raises("I.module_attrs was already called for this module"):
                I.module_attrs({"b": 1})
            I.module_global_infos({})
            with raises("I.module_global_infos was already called for this module"):
                I.module_global_infos({})
            with raises("I.ir_module must be the outermost frame, but it is opened inside I.ir_module"):
                with I.ir_module():
                    pass


# ---------------------------------------------------------------------------------------------
# TIR
# ---------------------------------------------------------------------------------------------


def test_statement_outside_any_function():
    with IRBuilder():
        with raises("T.evaluate must be used inside a T.prim_func"):
            T.evaluate(0)
        with raises("a buffer store must be used inside a T.prim_func"):
            T.Buffer((4,), "float32")[0] = 1.0
        with raises("T.serial must be used inside a T.prim_func"):
            with T.serial(4):
                pass
        with I.ir_module():
            with raises("T.block must be used inside a T.prim_func"):
                with T.block("b"):
                    pass


def test_axis_outside_a_block():
    with IRBuilder():
        with T.prim_func():
            with T.serial(4) as i:
                with raises("T.axis.spatial must be used directly inside a T.block"):
                    T.axis.spatial(4, i)
                with raises("T.axis.remap must be used directly inside a T.block"):
                    T.axis.remap("S", [i])
                with T.block("b"):
                    with T.serial(2):
                        with raises("T.axis.reduce must be used directly inside a T.block"):
                            T.axis.reduce(4, i)
                    with raises("T.axis.remap: 'v' is not the var of an enclosing loop"):
                        T.axis.remap("S", [T.int32()])
                    with raises("T.axis.remap: 2 kinds ('SS') for 1 loop vars"):
                        T.axis.remap("SS", [i])
                    with raises("T.axis.remap: unknown axis kind 'X' (use 'S' or 'R')"):
                        T.axis.remap("X", [i])


def test_then_else_placement():
    with IRBuilder():
        with T.prim_func():
            with raises("T.Then must be used inside T.If"):
                with T.Then():
                    pass
            with T.If(T.bool(True)):
                with raises("T.Else must follow a T.Then() frame"):
                    with T.Else():
                        pass
                with raises("T.evaluate inside T.If must be in a T.Then() or T.Else() frame"):
                    T.evaluate(0)
                with T.Then():
                    with raises("T.Then must be directly inside T.If; other frames were opened since"):
                        with T.Then():
                            pass
                with raises("T.If already has a T.Then() frame"):
                    with T.Then():
                        pass
                with T.Else():
                    pass
                with raises("T.If already has a T.Else() frame"):
                    with T.Else():
                        pass
            with raises("T.If needs a T.Then() frame"):
                with T.If(T.bool(False)):
                    pass


def test_block_declarations_once():
    with IRBuilder():
        with T.prim_func():
            with T.block("b"):
                with T.init():
                    pass
                with raises("block 'b' already has a T.init"):
                    with T.init():
                        pass
                T.where(T.bool(True))
                with raises("block 'b' already has a T.where predicate"):
                    T.where(T.bool(True))
                with raises("T.reads takes buffer regions like A[i, 0:16], got int"):
                    T.reads(3)
                T.reads()
                with raises("block 'b' already has T.reads"):
                    T.reads()
                T.writes()
                with raises("block 'b' already has T.writes"):
                    T.writes()
                T.block_attr({})
                with raises("block 'b' already has T.block_attr"):
                    T.block_attr({})
            with raises("T.init must be used directly inside a T.block"):
                with T.init():
                    pass
            with raises("T.where must be used inside a T.block"):
                T.where(T.bool(True))


def test_no_realize_block_rejects_bindings():
    with IRBuilder():
        with T.prim_func():
            with raises("block 'b': axis bindings are not allowed with no_realize=True"):
                with T.block("b", no_realize=True):
                    T.axis.spatial(4, 0)


def test_prim_func_misuse():
    with IRBuilder():
        with T.prim_func(private=True):
            T.func_name("f")
            with raises("T.func_name was already called for this function ('f')"):
                T.func_name("g")
            T.func_attr({"a": 1})
            with raises("T.func_attr: duplicate function attribute 'a'"):
                T.func_attr({"a": 2})
            with raises("a private T.prim_func cannot have a global_symbol attribute"):
                T.func_attr({"global_symbol": "f"})
            T.func_ret("int32")
            with raises("T.func_ret was already called for this function (int32)"):
                T.func_ret("int32")
            with raises("T.arg('x', ...) takes a Var or a Buffer, got int"):
                T.arg("x", 3)
            with raises("T.match_buffer: 'v' is not a parameter of this T.prim_func"):
                T.match_buffer(T.handle(), (4,))
            h = T.arg("h", T.handle())
            T.match_buffer(h, (4,))
            with raises("T.match_buffer: parameter 'h' is already bound to a buffer"):
                T.match_buffer(h, (4,))
            with raises("T.prim_func must be at the top level or directly inside I.ir_module, not inside T.prim_func"):
                with T.prim_func():
                    pass
            with T.serial(4):
                with raises("T.alloc_buffer must be used directly inside a T.block or a T.prim_func"):
                    T.alloc_buffer((4,))
                with raises("T.match_buffer of a buffer region must be used inside a T.block"):
                    T.match_buffer(T.Buffer((4,))[0:2], (2,))
            with raises("T.launch_thread: 'x' is not a thread var made by T.env_thread"):
                T.launch_thread(tir.Var("x"), 4)
            tx = T.env_thread("threadIdx.x")
            with T.launch_thread(tx, 4):
                pass
            with raises("T.launch_thread: thread 'threadIdx.x' was launched with another extent"):
                T.launch_thread(tx, 8)
            buf = T.Buffer((4, 4), "float32")
            with raises("buffer 'buffer' has 2 dimensions but is stored with 1 indices"):
                T.buffer_store(buf, 1.0, [0])
            with raises("a vector store slice needs constant bounds, like A[0:4]"):
                buf[0, 0:T.int32()] = 1.0
            with raises("cannot store a float32x4 value into float32x2 elements of buffer 'buffer'"):
                buf[0, 0:2] = tir.Broadcast(tir.FloatImm("float32", 0), 4)
            with raises("T.thread_binding needs a thread tag"):
                T.thread_binding(4, thread=None)
            with raises("loop bounds must be scalar integers, got float32"):
                T.serial(1.5)


# ---------------------------------------------------------------------------------------------
# Relax
# ---------------------------------------------------------------------------------------------


def test_output_outside_a_dataflow_block():
    with IRBuilder():
        with R.function():
            x = R.arg("x", Tn((4,)))
            with raises("R.output must be used directly inside a R.dataflow() block"):
                R.output(x)
            R.func_ret_value(x)


def test_output_misuse_and_bindings_after_output():
    with IRBuilder():
        with R.function():
            x = R.arg("x", Tn((4,)))
            with R.dataflow():
                lv = R.emit(packed(x))
                with raises("R.output: 'x' is not bound in this dataflow block"):
                    R.output(x)
                R.output(lv)
                with raises("R.output was already called for this dataflow block"):
                    R.output(lv)
                with raises("no bindings may follow R.output in a dataflow block"):
                    R.emit(packed(x))
                with raises("R.dataflow blocks cannot be nested"):
                    with R.dataflow():
                        pass
                with raises("R.func_ret_value cannot be used inside a dataflow block"):
                    R.func_ret_value(x)
                with raises("R.If cannot be used inside a dataflow block"):
                    with R.If(x):
                        pass
            R.func_ret_value(x)


def test_non_output_dataflow_var_after_its_block():
    with IRBuilder():
        with R.function():
            x = R.arg("x", Tn((4,)))
            with R.dataflow():
                hidden = IRBuilder.name("hidden", R.emit(packed(x)))
                out = R.emit(packed(hidden))
                R.output(out)
            with raises(
                "variable 'hidden' is not visible here: it is a dataflow var that is not an output (R.output) of its "
                "dataflow block"
            ):
                R.emit(packed(hidden))
            with raises("variable 'hidden' is not visible here"):
                R.func_ret_value(hidden)
            R.func_ret_value(out)


def test_emit_outside_any_function():
    with IRBuilder():
        with raises("R.emit must be used inside a R.function"):
            R.emit(relax.ShapeExpr(()))
        with I.ir_module():
            with raises("R.emit_match_cast must be used inside a R.function"):
                R.emit_match_cast(relax.ShapeExpr(()), relax.ShapeStructInfo(ndim=0))
    with IRBuilder():
        with T.prim_func():
            with raises("R.dataflow must be used inside a R.function"):
                with R.dataflow():
                    pass


def test_func_ret_value_twice_and_bindings_after_it():
    with IRBuilder():
        with R.function():
            x = R.arg("x", Tn((4,)))
            R.func_ret_value(x)
            with raises("R.func_ret_value was already called for this function"):
                R.func_ret_value(x)
            with raises("no bindings may follow R.func_ret_value in a function"):
                R.emit(x)
            with raises("no bindings may follow R.func_ret_value in a function"):
                with R.dataflow():
                    pass


def test_function_misuse():
    with IRBuilder():
        with raises("R.function '' has no return value: call R.func_ret_value(...)"):
            with R.function():
                pass
    with IRBuilder():
        with R.function(is_private=True):
            R.func_name("f")
            with raises("R.func_name was already called for this function ('f')"):
                R.func_name("g")
            with raises("a private R.function cannot have a global_symbol attribute"):
                R.func_attr({"global_symbol": "f"})
            R.func_attr({"k": 1})
            with raises("R.func_attr: duplicate function attribute 'k'"):
                R.func_attr({"k": 1})
            with raises("R.arg('x', ...) needs struct info, got tuple"):
                R.arg("x", (4,))
            R.func_ret_struct_info(Tn((4,)))
            with raises("R.func_ret_struct_info was already called for this function"):
                R.func_ret_struct_info(Tn((4,)))
            x = R.arg("x", Tn((5,)))
            with R.dataflow():
                with raises("R.arg must be used directly inside R.function, before its bindings"):
                    R.arg("y", Tn((4,)))
            with raises("R.function 'f' returns R.Tensor((5,), \"float32\"), which contradicts its declared return"):
                with R.function():
                    R.func_name("f")
                    R.func_ret_struct_info(Tn((4,)))
                    R.func_ret_value(R.arg("x", Tn((5,))))
            R.func_ret_value(R.emit(packed(x)))
    with IRBuilder():
        with T.prim_func():
            with raises("R.function must be at the top level, directly inside I.ir_module or inside a Relax function body, not inside T.prim_func"):
                with R.function():
                    pass


def test_if_misuse():
    with IRBuilder():
        with R.function():
            c = R.arg("c", relax.PrimStructInfo("bool"))
            with raises("R.Then must be used directly inside R.If"):
                with R.Then():
                    pass
            with R.If(c):
                with raises("R.emit inside R.If must be in a R.Then() or R.Else() frame"):
                    R.emit(c)
                with raises("R.Else must follow a R.Then() frame"):
                    with R.Else():
                        pass
                with raises("the R.Then branch is empty: its last binding gives the branch's value"):
                    with R.Then():
                        pass
                with R.Then():
                    R.emit(c)
                with R.Else():
                    R.emit(c)
            R.func_ret_value(c)
    with IRBuilder():
        with R.function():
            c = R.arg("c", relax.PrimStructInfo("bool"))
            with raises("both branches of R.If must end by binding the same variable: R.Then binds 'a', R.Else binds 'b'"):
                with R.If(c):
                    with R.Then():
                        IRBuilder.name("a", R.emit(c))
                    with R.Else():
                        IRBuilder.name("b", R.emit(c))
            R.func_ret_value(c)
    with IRBuilder():
        with R.function():
            c = R.arg("c", relax.PrimStructInfo("bool"))
            with raises("R.If needs both a R.Then() and a R.Else() frame"):
                with R.If(c):
                    with R.Then():
                        R.emit(c)
            R.func_ret_value(c)


def test_binding_misuse():
    with IRBuilder():
        with R.function():
            x = R.arg("x", Tn((4,)))
            with raises("R.match_cast: a value of struct info R.Tensor((4,), \"float32\") can never match R.Shape(ndim=1)"):
                R.emit_match_cast(x, relax.ShapeStructInfo(ndim=1))
            with raises("R.match_cast needs struct info, got int"):
                R.emit_match_cast(x, 1)
            with raises("the DataflowVar 'd' can only be bound inside a dataflow block"):
                R.emit_var_binding(relax.VarBinding(relax.DataflowVar("d", Tn((4,))), x))
            with raises("R.emit_var_binding takes a VarBinding, got Var"):
                R.emit_var_binding(x)
            with raises("expected a Relax expression, got str"):
                R.emit("x")
            with raises("the Relax var 'u' has no struct info"):
                R.emit(relax.Var("u"))
            with raises("cannot deduce the struct info of a call to 'nowhere': it is not a function of the enclosing module"):
                R.emit(relax.Call(GlobalVar("nowhere"), (x,)))
            with raises("cannot take item 0 of a value of struct info R.Tensor((4,), \"float32\"): not a tuple"):
                R.emit(relax.TupleGetItem(x, 0))
            R.func_ret_value(x)


def test_building_continues_after_a_caught_error():
    with IRBuilder() as ib:
        with R.function():
            R.func_name("f")
            x = R.arg("x", Tn((4,)))
            with raises("R.function 'inner' has no return value"):
                with R.function():
                    R.func_name("inner")
                    R.arg("y", Tn((4,)))
                    R.emit(packed(x))
            with pytest.raises(ZeroDivisionError):
                with R.dataflow():
                    R.emit(packed(x))
                    1 / 0  # noqa: B018
            with raises("R.emit: the annotation"):
                R.emit(x, relax.ShapeStructInfo(ndim=1))
            y = R.emit(packed(x))
            R.func_ret_value(y)
    func = ib.get()
    assert len(func.body.blocks) == 1 and len(func.body.blocks[0].bindings) == 1
