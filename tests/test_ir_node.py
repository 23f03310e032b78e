"""The node base: declarations, construction checks, immutability, copying, traversal,
PrimExpr operators, buffer indexing, IntImm ranges and the IRModule API."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from irscript import IRError, relax, tir
from irscript.ir import (
    DEF,
    IGNORE,
    PLAIN,
    DataType,
    GlobalVar,
    IRModule,
    Mutator,
    Node,
    Op,
    PrimExpr,
    Span,
    Visitor,
    collect,
    field,
    handles,
    make_node,
    node_type,
    pre_order,
    registered_node_types,
    replace,
    structural_equal,
)


class Pair(Node, type_key="testnode.Pair"):
    """A node declared the way a user dialect would, to test the generated constructor."""

    __slots__ = ()
    a: PrimExpr
    b: int = 3
    tags: tuple[str, ...] = ()
    dtype: DataType = DataType("int8")
    extra: dict[str, Any] = field(default_factory=dict)
    label: str = field(default="", role=IGNORE)


def core_types() -> dict[str, type]:
    core = ("irscript.ir.", "irscript.tir.", "irscript.relax.")
    return {k: c for k, c in registered_node_types().items() if c.__module__.startswith(core)}


# ---------------------------------------------------------------------------------------------
# declarations
# ---------------------------------------------------------------------------------------------
def test_every_node_class_is_slotted():
    for key, cls in core_types().items():
        obj = cls.__new__(cls)
        assert not hasattr(obj, "__dict__"), f"{key} instances have a __dict__"
    assert not hasattr(Pair(1), "__dict__")


def test_fields_order_and_roles():
    assert tir.For._field_names == ("loop_var", "min", "extent", "kind", "body", "thread_binding", "annotations")
    roles = {f.name: f.role for f in tir.For._fields}
    assert roles["loop_var"] is DEF and roles["body"] is PLAIN
    # inherited fields come first, in base-class order; roles are the module constants
    assert tir.Var._field_names == ("dtype", "name_hint", "type_annotation")
    assert {f.name: f.role for f in tir.Var._fields}["name_hint"] is IGNORE
    assert tir.SizeVar._field_names == tir.Var._field_names
    assert tir.Add._field_names == ("dtype", "a", "b")
    assert [f.name for f in tir.Buffer._fields if f.role is DEF] == ["data", "shape", "strides", "elem_offset"]
    assert relax.MatchCast._field_names == ("var", "value", "struct_info")
    assert relax.Call._field_names[-1] == "struct_info"
    assert Pair._field_names == ("a", "b", "tags", "dtype", "extra", "label")
    with pytest.raises(ValueError, match="unknown field role"):
        field(role="sometimes")


def test_type_key_registry():
    assert node_type("tir.For") is tir.For
    assert node_type("testnode.Pair") is Pair
    assert tir.For.type_key == "tir.For"
    with pytest.raises(KeyError):
        node_type("tir.NoSuchNode")


def test_duplicate_type_key_is_rejected():
    with pytest.raises(IRError, match="'tir.For' is already registered by For"):

        class Impostor(Node, type_key="tir.For"):
            __slots__ = ()
            x: int

    assert node_type("tir.For") is tir.For


def test_generated_init_defaults_and_coercions():
    p = Pair(5)  # int -> IntImm through the tir coercion
    assert isinstance(p.a, tir.IntImm) and p.a.value == 5 and p.a.dtype == "int32"
    assert p.b == 3 and p.tags == () and p.extra == {} and p.label == ""
    assert Pair(1).extra is not Pair(1).extra  # a fresh default per node
    p = Pair(1.5, tags=["x", "y"], dtype="float16")
    assert isinstance(p.a, tir.FloatImm) and p.a.dtype == "float32"
    assert p.tags == ("x", "y") and type(p.tags) is tuple  # list -> tuple
    assert p.dtype is DataType("float16")  # str -> DataType
    assert isinstance(Pair(True).a, tir.IntImm) and Pair(True).a.dtype == "bool"
    seq = tir.SeqStmt([tir.Evaluate(0), tir.Evaluate(1)])
    assert type(seq.seq) is tuple
    loop = tir.For(tir.Var("i"), 0, 10, "serial", tir.Evaluate(0))
    assert loop.kind is tir.ForKind.SERIAL and isinstance(loop.extent, tir.IntImm)
    assert tir.For(tir.Var("i"), 0, 4, 2, tir.Evaluate(0)).kind is tir.ForKind.VECTORIZED


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Pair(), r"testnode\.Pair\.a is required"),
        (lambda: tir.Evaluate(), r"tir\.Evaluate\.value is required"),
        (lambda: Pair("text"), r"testnode\.Pair\.a expects PrimExpr, got str 'text'"),
        (lambda: Pair(1, b=True), r"testnode\.Pair\.b expects int, got bool True"),
        (lambda: Pair(1, tags=["ok", 2]), r"testnode\.Pair\.tags expects str, got int 2"),
        (lambda: Pair(1, dtype="float33x"), r"testnode\.Pair\.dtype expects a data type"),
        (lambda: Pair(1, extra={"k": object()}), r"testnode\.Pair\.extra expects an attribute value .*, got object"),
        (lambda: tir.For(tir.Var("i"), 0, 4, "sideways", tir.Evaluate(0)), r"tir\.For\.kind expects one of SERIAL"),
        (lambda: tir.For(tir.Var("i"), 0, 4, "serial", "body"), r"tir\.For\.body expects Stmt, got str"),
        (lambda: tir.SeqStmt([tir.Evaluate(0), 5]), r"tir\.SeqStmt\.seq expects Stmt, got int 5"),
        (lambda: tir.Var("x", "flot32"), r"tir\.Var\.dtype expects a data type, got str 'flot32'"),
        (lambda: relax.TupleGetItem(relax.Var("t"), "0"), r"relax\.TupleGetItem\.index expects int"),
        (lambda: relax.Call(relax.Var("f"), [1]), r"relax\.Call\.args expects RelaxExpr, got int 1"),
        (lambda: tir.Var("x", None), r"tir\.Var\.dtype expects a data type, got NoneType None"),
    ],
)
def test_generated_init_rejects_bad_arguments(build, message):
    with pytest.raises(IRError, match=message):
        build()


def test_make_node_is_generic_and_checked():
    x = tir.Var("x")
    add = make_node(tir.Add, {"dtype": "int32", "a": x, "b": 1})
    assert isinstance(add, tir.Add) and add.a is x and add.b.value == 1
    with pytest.raises(IRError, match=r"tir\.Add needs fields \['b'\]"):
        make_node(tir.Add, {"dtype": "int32", "a": x})
    with pytest.raises(IRError, match=r"tir\.Add\.b expects PrimExpr"):
        make_node(tir.Add, {"dtype": "int32", "a": x, "b": "y"})


# ---------------------------------------------------------------------------------------------
# immutability and replace
# ---------------------------------------------------------------------------------------------
def test_nodes_are_immutable():
    x = tir.Var("x")
    with pytest.raises(IRError, match="immutable.*replace"):
        x.name_hint = "y"
    with pytest.raises(IRError, match="immutable"):
        x.anything = 1
    with pytest.raises(IRError, match="immutable"):
        del x.dtype
    assert x.name_hint == "x"


def test_replace_changes_one_field_and_rechecks():
    i = tir.Var("i")
    body = tir.Evaluate(0)
    loop = tir.For(i, 0, 10, "serial", body, annotations={"k": 1})
    longer = replace(loop, extent=20)
    assert isinstance(longer.extent, tir.IntImm) and longer.extent.value == 20  # coerced
    assert longer.loop_var is i and longer.body is body and longer.min is loop.min
    assert loop.extent.value == 10  # the original is untouched
    with pytest.raises(IRError, match=r"tir\.For\.body expects Stmt"):
        replace(loop, body="x")
    with pytest.raises(IRError, match="tir.For has no field 'bogus'"):
        replace(loop, bogus=1)
    span = Span("k.py", 3, 4)
    assert replace(loop, span=span).span is span and replace(replace(loop, span=span), extent=3).span is span


# ---------------------------------------------------------------------------------------------
# copying and pickling
# ---------------------------------------------------------------------------------------------
def _shared_func() -> tir.PrimFunc:
    n = tir.SizeVar("n")
    A = tir.Buffer(None, "float32", (n,), name="A")
    a = tir.Var("a", "handle")
    i = tir.Var("i")
    twice = i + i  # `i` used twice
    store = tir.BufferStore(A, A[i] + A[i], (i,))
    body = tir.For(i, 0, n, "serial", tir.SeqStmt([store, store, tir.Evaluate(twice)]), span=Span("f.py", 2, 0))
    return tir.PrimFunc((a,), body, buffer_map={a: A})


def _check_copy_keeps_sharing(orig: tir.PrimFunc, dup: tir.PrimFunc) -> None:
    assert dup is not orig and structural_equal(orig, dup)
    loop = dup.body
    assert loop.loop_var is not orig.body.loop_var  # a real copy ...
    first, second, ev = loop.body.seq
    assert first is second  # ... that keeps a statement used twice as one object
    assert ev.value.a is ev.value.b is loop.loop_var  # and one var object everywhere
    assert first.value.a.buffer is first.buffer is dup.buffer_map[dup.params[0]]
    assert first.buffer.shape[0] is loop.extent
    assert first.value.a.dtype is DataType("float32")
    assert loop.span is not None and str(loop.span) == "f.py:2:1"  # spans survive too


def test_deepcopy_keeps_structure_and_sharing():
    f = _shared_func()
    _check_copy_keeps_sharing(f, copy.deepcopy(f))


def test_pickle_keeps_structure_and_sharing():
    f = _shared_func()
    _check_copy_keeps_sharing(f, pickle.loads(pickle.dumps(f)))


def test_shallow_copy_shares_fields():
    f = _shared_func()
    g = copy.copy(f)
    assert g is not f and g.body is f.body and g.params is f.params and g.span is f.span


def test_ops_stay_interned_through_copies():
    call = tir.op.exp(tir.Var("x", "float32"))
    assert copy.deepcopy(call).op is Op.get("tir.exp")
    assert pickle.loads(pickle.dumps(call)).op is Op.get("tir.exp")


# ---------------------------------------------------------------------------------------------
# traversal
# ---------------------------------------------------------------------------------------------
def test_visitor_base_class_handler_serves_subclasses():
    x, y = tir.Var("x"), tir.Var("y")
    expr = tir.Select(x < y, x * 2, y + 1)

    class CountBinary(Visitor):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        @handles(tir.BinaryOp, tir.CmpOp)
        def binary(self, node: Any) -> None:
            self.seen.append(node.type_key)
            self.visit_children(node)

    v = CountBinary()
    v.visit(expr)
    assert v.seen == ["tir.LT", "tir.Mul", "tir.Add"]


def test_visitor_handler_stops_descent_unless_asked_and_tracks_paths():
    x = tir.Var("x")
    expr = tir.Add(tir.Mul(x, 2), x)

    class Vars(Visitor):
        track_path = True

        def __init__(self) -> None:
            super().__init__()
            self.paths: list[str] = []

        @handles(tir.Var)
        def var(self, node: Any) -> None:
            self.paths.append(str(self.current_path()))

        @handles(tir.Mul)
        def mul(self, node: Any) -> None:  # no visit_children: the x inside is not seen
            pass

    v = Vars()
    v.visit(expr)
    assert v.paths == ["b"]


def test_mutator_keeps_unchanged_subtrees_and_rewrites_shared_nodes_once():
    x, y, z = tir.Var("x"), tir.Var("y"), tir.Var("z")
    shared = x * 3
    untouched = z + 1
    expr = tir.Add(tir.Add(shared, shared), untouched)
    calls = []

    class Rename(Mutator):
        @handles(tir.Mul)
        def mul(self, node: Any) -> Any:
            calls.append(node)
            return self.mutate_children(node)

        @handles(tir.Var)
        def var(self, node: Any) -> Any:
            return y if node is x else node

    out = Rename().visit(expr)
    assert len(calls) == 1  # the shared Mul is rewritten once
    assert out.a.a is out.a.b and out.a.a.a is y  # and stays shared
    assert out.b is untouched  # an unchanged subtree is kept as is
    assert Rename().visit(untouched) is untouched
    assert out.span is expr.span and expr.a.a.a is x  # the input is not modified


def test_mutator_rebuilds_tuples_and_dicts():
    i, j = tir.Var("i"), tir.Var("j")
    seq = tir.SeqStmt([tir.Evaluate(i), tir.Evaluate(0)])
    loop = tir.For(i, 0, 4, "serial", seq, annotations={"hint": i})

    class Swap(Mutator):
        @handles(tir.Var)
        def var(self, node: Any) -> Any:
            return j if node is i else node

    out = Swap().visit(loop)
    assert out.loop_var is j and out.body.seq[0].value is j and out.annotations["hint"] is j
    assert out.body.seq[1] is seq.seq[1]


def test_pre_order_and_collect():
    x = tir.Var("x")
    shared = x + 1
    expr = tir.Mul(shared, shared)
    order = list(pre_order(expr))
    assert order[0] is expr
    assert len(order) == len({id(n) for n in order}) == 4  # Mul, Add, Var, IntImm: each once
    assert order.index(shared) < order.index(x)
    assert collect(expr, tir.Var) == [x]
    assert collect(expr, (tir.Add, tir.IntImm)) == [shared, shared.b]


# ---------------------------------------------------------------------------------------------
# PrimExpr operators
# ---------------------------------------------------------------------------------------------
def test_operators_build_nodes_with_dtypes():
    A = tir.Buffer(None, "float32", (8,), name="A")
    i = tir.Var("i")
    e = A[i] * 2 + 1
    assert isinstance(e, tir.Add) and isinstance(e.a, tir.Mul) and isinstance(e.a.a, tir.BufferLoad)
    assert isinstance(e.a.b, tir.FloatImm) and e.a.b.value == 2.0
    assert (e.dtype, e.a.dtype, e.a.b.dtype, e.b.dtype) == ("float32",) * 4
    assert isinstance(e.b, tir.FloatImm) and e.b.value == 1.0
    B = tir.Buffer(None, "int8", (8,), name="B")
    f = B[i] * 2 + 1
    assert f.dtype == "int8" and isinstance(f.b, tir.IntImm) and f.b.dtype == "int8"
    r = 2 - i
    assert isinstance(r, tir.Sub) and r.a.value == 2 and r.b is i
    assert isinstance(-i, tir.Mul) and (-i).b.value == -1
    assert isinstance(i // 2, tir.FloorDiv) and isinstance(i % 2, tir.FloorMod)
    assert isinstance(i.astype("int64"), tir.Cast) and i.astype("int32") is i


def test_operator_type_promotion():
    x, y = tir.Var("x", "int32"), tir.Var("y", "int64")
    s = x + y
    assert s.dtype == "int64" and isinstance(s.a, tir.Cast) and s.a.value is x and s.b is y
    f = x + 1.5
    assert f.dtype == "float32" and isinstance(f.a, tir.Cast) and f.a.value is x
    assert isinstance(f.b, tir.FloatImm) and f.b.value == 1.5
    u = x + tir.Var("u", "uint32")  # int with uint: the signed type of the larger width
    assert u.dtype == "int32" and u.a is x and u.b.dtype == "int32"
    w = tir.Var("w", "uint8") * tir.Var("v", "int16")
    assert w.dtype == "int16"
    assert (tir.Var("h", "float16") * tir.Var("g", "float32")).dtype == "float32"
    assert (x + (x < 1)).dtype == "int32"  # bool joins as the other type
    assert (x + 2**40).dtype == "int64"  # a constant too big for int32
    with pytest.raises(IRError, match="cannot combine values of types int32 and handle"):
        x + tir.Var("p", "handle")


def test_integer_true_division_is_an_error():
    with pytest.raises(IRError, match="`/` on integers is ambiguous"):
        tir.Var("x") / 2
    assert isinstance(tir.Var("f", "float32") / 2, tir.Div)


def test_comparisons_and_truth():
    x, y = tir.Var("x"), tir.Var("y")
    eq = x == y
    assert isinstance(eq, tir.EQ) and eq.dtype == "bool" and eq.a is x and eq.b is y
    assert isinstance(x != y, tir.NE)
    assert bool(x == x) is True and bool(x == y) is False
    assert bool(x != y) is True and bool(x != x) is False
    for cmp in (x < y, x <= y, x > y, x >= y, tir.And(x < y, x > 0)):
        with pytest.raises(IRError, match="cannot decide the truth"):
            bool(cmp)
    assert (x == None) is False and (x != None) is True  # noqa: E711 - plain identity for non-values
    assert x in [y, x] and x not in [y]
    assert bool(tir.IntImm("int32", 3)) and not bool(tir.IntImm("bool", 0))


def test_expressions_hash_by_identity():
    x, y = tir.Var("x"), tir.Var("x")
    table = {x: 1, y: 2}
    assert table[x] == 1 and table[y] == 2 and len(table) == 2
    a, b = x + 1, x + 1  # structurally equal, still distinct keys
    assert len({a: 0, b: 0}) == 2 and {a: 5}[a] == 5
    assert hash(x) == object.__hash__(x)


def test_buffer_indexing():
    A = tir.Buffer(None, "float32", (4, 8), name="A")
    i = tir.Var("i")
    load = A[i, 2]
    assert isinstance(load, tir.BufferLoad) and load.indices[0] is i and load.indices[1].value == 2
    with pytest.raises(IRError, match="buffer 'A' has 2 dimensions but is indexed with 1"):
        A[i]
    with pytest.raises(IRError, match="indexed with 3"):
        A[i, i, i]
    region = A[i, 0:4]
    assert isinstance(region, tir.BufferRegion) and region.region[1].extent.value == 4
    assert region.region[0].min is i and region.region[0].extent.value == 1
    scalar = tir.Buffer(None, "int8", (), name="s")
    assert scalar[()].indices == () and scalar[()].dtype == "int8"
    assert A.ndim == 2 and A.scope() == "global"
    assert tir.Buffer(None, "float32", (4,), scope="shared").scope() == "shared"


@pytest.mark.parametrize(
    "dtype, ok, bad",
    [("int8", (-128, 127), (-129, 128)), ("uint8", (0, 255), (-1, 256)), ("bool", (0, 1), (-1, 2)),
     ("int32", (-(2**31), 2**31 - 1), (-(2**31) - 1, 2**31)), ("int64", (-(2**63), 2**63 - 1), (2**63,))],
)
def test_intimm_range_checks(dtype, ok, bad):
    for v in ok:
        assert tir.IntImm(dtype, v).value == v
    for v in bad:
        with pytest.raises(IRError, match=f"{v} does not fit in {dtype}"):
            tir.IntImm(dtype, v)


def test_intimm_and_floatimm_dtype_checks():
    with pytest.raises(IRError, match="IntImm needs a scalar integer or bool type, got float32"):
        tir.IntImm("float32", 1)
    with pytest.raises(IRError, match="IntImm needs a scalar"):
        tir.IntImm("int32x4", 1)
    with pytest.raises(IRError, match="FloatImm needs a scalar float type, got int32"):
        tir.FloatImm("int32", 1.0)
    assert tir.const(2**31).dtype == "int64" and tir.const(True).dtype == "bool"


# ---------------------------------------------------------------------------------------------
# IRModule
# ---------------------------------------------------------------------------------------------
def _func(tag: int) -> tir.PrimFunc:
    return tir.PrimFunc((), tir.Evaluate(tag))


def test_irmodule_lookup():
    gv = GlobalVar("main")
    f, g = _func(0), _func(1)
    mod = IRModule({gv: f, "helper": g})
    assert mod["main"] is f and mod[gv] is f and mod[GlobalVar("main")] is f  # GlobalVars by name
    assert mod.get_global_var("main") is gv and mod["helper"] is g
    assert "helper" in mod and GlobalVar("helper") in mod and "other" not in mod
    assert len(mod) == 2 and [v.name_hint for v in mod] == ["main", "helper"]
    assert [v.name_hint for v in mod.get_global_vars()] == ["main", "helper"]
    with pytest.raises(IRError, match="IRModule has no function named 'other'"):
        mod["other"]
    with pytest.raises(IRError, match="no function named 'other'"):
        mod.get_global_var("other")


def test_irmodule_rejects_duplicate_names():
    with pytest.raises(IRError, match="two functions named 'main'"):
        IRModule({GlobalVar("main"): _func(0), "main": _func(1)})
    with pytest.raises(IRError, match="keys must be GlobalVars or names"):
        IRModule({3: _func(0)})


def test_irmodule_functional_updates_keep_order():
    mod = IRModule({"a": _func(0), "b": _func(1), "c": _func(2)}, attrs={"k": 1})
    new_b = _func(9)
    updated = mod.with_function("b", new_b)
    assert [gv.name_hint for gv in updated] == ["a", "b", "c"] and updated["b"] is new_b
    assert mod["b"] is not new_b  # the original module is unchanged
    assert updated.get_global_var("b") is mod.get_global_var("b")
    added = mod.with_function(GlobalVar("d"), _func(3))
    assert [gv.name_hint for gv in added] == ["a", "b", "c", "d"]
    removed = mod.without_function("b")
    assert [gv.name_hint for gv in removed] == ["a", "c"] and removed.attrs == {"k": 1}
    assert mod.with_attrs(opt=2).attrs == {"k": 1, "opt": 2}
    assert IRModule.from_expr(_func(0))["main"].body.value.value == 0
