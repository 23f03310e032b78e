"""JSON: round trips of every node type, sharing and identity, exact arrays, the error model
with JSON paths, atomic saving, and the format document."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import irscript
import irscript.ir.json as json_module
from irscript import JSONFormatError, relax, tir
from irscript.ir import (
    DataType,
    GlobalVar,
    IRModule,
    Op,
    collect,
    from_json,
    load_json,
    pre_order,
    registered_node_types,
    save_json,
    structural_equal,
    to_json,
)
from irscript.testing import check_json_roundtrip
from irscript.testing.strategies import SETTINGS, ir_modules, numpy_arrays, prim_exprs, tir_stmts

DOC = Path(__file__).resolve().parent.parent / "docs" / "json-format.md"


def core_type_keys() -> set[str]:
    core = ("irscript.ir.", "irscript.tir.", "irscript.relax.")
    return {k for k, c in registered_node_types().items() if c.__module__.startswith(core)}


# ---------------------------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------------------------
@settings(SETTINGS, max_examples=60)
@given(ir_modules())
def test_module_round_trip(mod):
    loaded = check_json_roundtrip(mod)
    assert [gv.name_hint for gv in loaded] == [gv.name_hint for gv in mod]  # function order kept


def test_every_node_type_round_trips_on_its_own():
    samples: dict[str, list[Any]] = {}

    @settings(SETTINGS, max_examples=150, derandomize=True, database=None)
    @given(ir_modules())
    def gather(mod):
        for node in pre_order(mod):
            bucket = samples.setdefault(node.type_key, [])
            if len(bucket) < 3:
                bucket.append(node)

    gather()
    assert core_type_keys() <= set(samples), sorted(core_type_keys() - set(samples))
    for key, nodes in samples.items():
        for node in nodes:  # fragments may use vars defined outside them: map free vars
            loaded = check_json_roundtrip(node, map_free_vars=True)
            assert type(loaded) is type(node), key


@settings(SETTINGS, max_examples=60)
@given(st.data())
def test_fragments_round_trip_with_free_vars_kept_apart(data):
    i, j = tir.Var("i"), tir.Var("j", "int64")
    A = tir.Buffer(None, "float32", (8, 8), name="A")
    expr = data.draw(prim_exprs([i, j], data.draw(st.sampled_from(["int32", "float32", "bool", "float32x4"])),
                                buffers=[A]))
    stmt = data.draw(tir_stmts([i], [A]))
    for node in (expr, stmt):
        loaded = check_json_roundtrip(node, map_free_vars=True)
        # as many distinct vars and buffers as before: none merged, none split
        assert len(collect(loaded, (tir.Var, tir.Buffer))) == len(collect(node, (tir.Var, tir.Buffer)))


def test_sharing_is_kept():
    x = tir.Var("x")
    shared = x + 1
    expr = tir.Mul(shared, shared)
    doc = json.loads(to_json(expr))
    assert [n["type"] for n in doc["nodes"]] == ["tir.Var", "tir.IntImm", "tir.Add", "tir.Mul"]
    loaded = from_json(to_json(expr))
    assert loaded.a is loaded.b and loaded.a.a is not x


def test_var_and_buffer_identity_is_kept():
    n = tir.SizeVar("n")
    A = tir.Buffer(None, "float32", (n,), name="A")
    a, i, twin = tir.Var("a", "handle"), tir.Var("i"), tir.Var("i")
    body = tir.For(i, 0, n, "serial", tir.SeqStmt([tir.BufferStore(A, A[i] + 1.0, (i,)),
                                                     tir.LetStmt(twin, i, tir.Evaluate(twin))]))
    func = tir.PrimFunc((a,), body, buffer_map={a: A})
    out = check_json_roundtrip(func)
    (key, buf), = out.buffer_map.items()
    assert key is out.params[0]
    store, let = out.body.body.seq
    assert store.buffer is buf and store.value.a.buffer is buf and buf.shape[0] is out.body.extent
    assert store.indices[0] is out.body.loop_var is let.value
    assert let.var is not out.body.loop_var and let.body.value is let.var  # same name, distinct vars


def test_ops_load_as_the_registered_objects():
    call = tir.op.exp(tir.Var("x", "float32"))
    assert from_json(to_json(call)).op is Op.get("tir.exp")
    relax_call = relax.op.call_tir(GlobalVar("k"), (), relax.ObjectStructInfo())
    assert from_json(to_json(relax_call)).op is Op.get("relax.call_tir")


def test_value_encodings():
    i = tir.Var("i")
    loop = tir.For(i, 0, 4, "unrolled", tir.Evaluate(tir.FloatImm("float32", float("-inf"))),
                   annotations={"nan": float("nan"), "list": [1, "a", None, True], "dtype": DataType("int8")})
    doc = json.loads(to_json(loop))
    assert doc["format"] == "irscript.ir" and doc["version"] == 1 and doc["root"] == {"ref": len(doc["nodes"]) - 1}
    fields = doc["nodes"][-1]["fields"]
    assert fields["kind"] == "UNROLLED" and fields["thread_binding"] is None
    assert fields["annotations"] == {"dict": {"nan": {"float": "nan"}, "list": [1, "a", None, True],
                                              "dtype": {"dtype": "int8"}}}
    floats = [n for n in doc["nodes"] if n["type"] == "tir.FloatImm"]
    assert floats[0]["fields"]["value"] == {"float": "-inf"}
    mod_doc = json.loads(to_json(IRModule({"f": tir.PrimFunc((i,), tir.Evaluate(i))})))
    (key, value), = mod_doc["nodes"][-1]["fields"]["functions"]["map"]  # GlobalVar keys: a "map"
    assert mod_doc["nodes"][key["ref"]] == {"type": "ir.GlobalVar", "fields": {"name_hint": "f"}}
    assert mod_doc["nodes"][value["ref"]]["type"] == "tir.PrimFunc"
    assert json.loads(to_json({1: "a"}))["root"] == {"map": [[1, "a"]]}  # non-string keys


# ---------------------------------------------------------------------------------------------
# arrays
# ---------------------------------------------------------------------------------------------
ALL_ARRAY_DTYPES = ["float16", "bfloat16", "float8_e4m3fn", "float8_e5m2", "bool", "int8", "int16", "int32",
                    "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"]


def _np_dtype(name: str) -> np.dtype:
    return np.dtype(getattr(ml_dtypes, name)) if name.startswith(("bfloat", "float8")) else np.dtype(name)


@pytest.mark.parametrize("dtype", ALL_ARRAY_DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 4)])
def test_arrays_are_exact(dtype, shape):
    np_dtype = _np_dtype(dtype)
    rng = np.random.default_rng(7)
    count = int(np.prod(shape))
    if np_dtype == np.bool_:
        data = rng.integers(0, 2, count).astype(bool).reshape(shape)
    else:
        data = np.frombuffer(rng.bytes(count * np_dtype.itemsize), dtype=np_dtype).reshape(shape).copy()
    out = from_json(to_json(relax.Constant(data))).data
    assert out.dtype == np_dtype and out.shape == shape and out.tobytes() == data.tobytes()
    assert out.flags.writeable and out.dtype.byteorder in "=|"


def test_special_float_bits_are_exact():
    bits = np.array([0x7FC00001, 0xFFC00000, 0x7F800001, 0x80000000, 0x00000001, 0x7F800000], dtype="<u4")
    floats = bits.view("float32")  # NaN payloads, signalling NaN, -0.0, a denormal, inf
    out = from_json(to_json(relax.Constant(floats))).data
    assert out.view("uint32").tolist() == bits.tolist()
    half = np.array([0x7E01, 0x8000, 0xFC00], dtype="<u2").view("float16")
    assert from_json(to_json(relax.Constant(half))).data.view("uint16").tolist() == [0x7E01, 0x8000, 0xFC00]
    bf = np.array([0x7FC1, 0x8000], dtype="<u2").view(ml_dtypes.bfloat16)
    assert from_json(to_json(relax.Constant(bf))).data.view("uint16").tolist() == [0x7FC1, 0x8000]


def test_arrays_in_any_layout_or_byte_order():
    base = np.arange(12, dtype="float64").reshape(3, 4)
    for variant in (base.T, base[:, ::2], base.astype(">f8"), np.asfortranarray(base)):
        out = from_json(to_json(relax.Constant(variant))).data
        assert out.dtype == np.dtype("float64") and np.array_equal(out, variant)
    doc = json.loads(to_json(relax.Constant(np.array([1], dtype=">i4"))))
    assert doc["arrays"][0] == {"dtype": "int32", "shape": [1], "data": "AQAAAA=="}  # little-endian


def test_a_shared_array_is_stored_once():
    data = np.ones((2, 2), "float32")
    pair = relax.Tuple([relax.Constant(data), relax.Constant(data)])
    doc = json.loads(to_json(pair))
    assert len(doc["arrays"]) == 1
    loaded = from_json(to_json(pair))
    assert loaded.fields[0].data is loaded.fields[1].data


@settings(SETTINGS, max_examples=80)
@given(numpy_arrays())
def test_random_arrays_round_trip(data):
    out = from_json(to_json(relax.Constant(data))).data
    assert (out.dtype, out.shape, out.tobytes()) == (data.dtype, data.shape, data.tobytes())


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
def _doc() -> dict:
    """A small document: a Constant with one array, then Add(Var x, IntImm 1) under a For."""
    x = tir.Var("x")
    loop = tir.For(x, 0, 4, "serial", tir.Evaluate(x + 1), annotations={"k": [1, 2]})
    const = relax.Constant(np.arange(6, dtype="float32").reshape(2, 3))
    return json.loads(to_json((const, loop)))


def _node(doc: dict, type_key: str) -> dict:
    return next(n for n in doc["nodes"] if n["type"] == type_key)


def _index(doc: dict, type_key: str) -> int:
    return next(i for i, n in enumerate(doc["nodes"]) if n["type"] == type_key)


def _set(path: str, value: Any):
    def mutate(doc: dict) -> None:
        *parents, last = path.split("/")
        obj: Any = doc
        for p in parents:
            obj = _node(doc, p) if "." in p and not p.isdigit() else obj[int(p) if p.isdigit() else p]
        if value is _DELETE:
            del obj[last]
        else:
            obj[int(last) if last.isdigit() else last] = value
    return mutate


_DELETE = object()


def _corruptions() -> list[tuple[str, Any, str, str]]:
    """(label, mutate(doc) or raw text, expected JSON path, message regex)."""
    d = _doc()
    add = f"nodes[{_index(d, 'tir.Add')}](tir.Add)"
    intimm = f"nodes[{_index(d, 'tir.IntImm')}](tir.IntImm)"
    fr = f"nodes[{_index(d, 'tir.For')}](tir.For)"
    const = f"nodes[{_index(d, 'relax.Constant')}](relax.Constant)"
    return [
        ("not json", "{nope", "<text>", r"not valid JSON: Expecting property name"),
        ("nan literal", '{"format": "irscript.ir", "version": 1, "root": NaN}', "<text>", "NaN is not a JSON value"),
        ("top level list", "[1, 2]", "<root>", "the top level must be an object"),
        ("wrong format", _set("format", "onnx"), "format", "not an irscript IR document"),
        ("no format", _set("format", _DELETE), "format", "not an irscript IR document"),
        ("future version", _set("version", 99), "version", r"unsupported version 99 \(this irscript reads version 1\)"),
        ("version as text", _set("version", "1"), "version", "unsupported version '1'"),
        ("nodes not a list", _set("nodes", {}), "nodes", "'nodes' must be a list"),
        ("missing root", _set("root", _DELETE), "root", "missing 'root'"),
        ("node not an object", _set("nodes/0", 5), "nodes[0]", "a node entry must be an object"),
        ("unknown type", _set("tir.Add/type", "tir.Plus"), f"{add.split('(')[0]}.type", "unknown node type 'tir.Plus'"),
        ("type not a string", _set("tir.Add/type", 3), f"{add.split('(')[0]}.type", "needs a string 'type'"),
        ("fields not an object", _set("tir.Add/fields", []), f"{add}.fields", "'fields' must be an object"),
        ("unknown field", _set("tir.Add/fields/c", 1), f"{add}.fields.c", "tir.Add has no field 'c'"),
        ("missing field", _set("tir.Add/fields/b", _DELETE), f"{add}.fields.b", "tir.Add is missing field 'b'"),
        ("string for a ref", _set("tir.Add/fields/a", "x"), f"{add}.fields.a", "expected PrimExpr, got str 'x'"),
        ("dangling ref", _set("tir.Add/fields/b", {"ref": 99}), f"{add}.fields.b", "dangling reference to node 99"),
        ("forward ref", _set("tir.Add/fields/b", {"ref": _index(d, "tir.Add")}), f"{add}.fields.b", "dangling reference"),
        ("bool ref", _set("tir.Add/fields/b", {"ref": True}), f"{add}.fields.b", "must be an integer"),
        ("two-key object", _set("tir.Add/fields/b", {"ref": 0, "x": 1}), f"{add}.fields.b", "unrecognized value"),
        ("bad dtype", _set("tir.Add/fields/dtype", {"dtype": "int33x"}), f"{add}.fields.dtype", "unknown data type"),
        ("null dtype", _set("tir.Add/fields/dtype", {"dtype": None}), f"{add}.fields.dtype", "unknown data type None"),
        ("dtype as plain text", _set("tir.Add/fields/dtype", "int32"), f"{add}.fields.dtype", "expected a data type"),
        ("bool for int", _set("tir.IntImm/fields/value", True), f"{intimm}.fields.value", "expected int, got bool"),
        ("int out of range", _set("tir.IntImm/fields/value", 2**70), intimm, "does not fit in int64"),
        ("bad enum", _set("tir.For/fields/kind", "SIDEWAYS"), f"{fr}.fields.kind", "expected one of SERIAL"),
        ("bad float tag", _set("tir.For/fields/annotations", {"dict": {"k": {"float": "1.5"}}}),
         f"{fr}.fields.annotations['k']", "bad float '1.5'"),
        ("bad list element", _set("tir.For/fields/annotations", {"dict": {"k": [1, {"what": 2}]}}),
         f"{fr}.fields.annotations['k'][1]", "unrecognized value"),
        ("unknown op", lambda doc: doc["nodes"].append({"type": "ir.Op", "fields": {"name": "no.such"}}),
         f"nodes[{len(d['nodes'])}](ir.Op)", "unknown operator 'no.such'"),
        ("arrays not a list", _set("arrays", {}), "arrays", "'arrays' must be a list"),
        ("short array data", _set("arrays/0/data", "AAAA"), "arrays[0].data", "array data has 3 bytes, 24 expected"),
        ("bad base64", _set("arrays/0/data", "@@@@"), "arrays[0]", "bad array entry"),
        ("array without shape", _set("arrays/0/shape", _DELETE), "arrays[0]", "missing 'shape'"),
        ("negative dim", _set("arrays/0/shape", [-2, -3]), "arrays[0].shape", "non-negative integers"),
        ("array dtype", _set("arrays/0/dtype", "handle"), "arrays[0]", "handle has no numpy counterpart"),
        ("dangling array", _set("relax.Constant/fields/data", {"array": 4}), f"{const}.fields.data",
         "dangling array reference 4"),
        ("ndarray field given a list", _set("relax.Constant/fields/data", [1, 2]), f"{const}.fields.data",
         "expected a numpy array"),
    ]


def _run_corruption(mutate: Any) -> Any:
    if isinstance(mutate, str):
        return from_json(mutate)
    doc = _doc()
    mutate(doc)
    return from_json(json.dumps(doc))


@pytest.mark.parametrize("label, mutate, path, message", _corruptions(), ids=[c[0] for c in _corruptions()])
def test_corrupt_json_reports_the_json_path(label, mutate, path, message):
    with pytest.raises(JSONFormatError) as info:
        _run_corruption(mutate)
    assert info.value.path == path, str(info.value)
    assert re.search(message, info.value.message), info.value.message
    assert str(info.value).endswith(f"(at JSON path {path})")


def test_a_node_of_the_wrong_kind_is_rejected():
    doc = _doc()
    add = _node(doc, "tir.Add")
    add["fields"]["a"] = {"ref": _index(doc, "relax.TensorStructInfo")}  # defined earlier, wrong type
    with pytest.raises(JSONFormatError, match="expected PrimExpr, got a relax.TensorStructInfo node") as info:
        from_json(json.dumps(doc))
    assert info.value.path == f"nodes[{_index(doc, 'tir.Add')}](tir.Add).fields.a"


def test_the_untouched_document_loads():
    const, loop = from_json(json.dumps(_doc()))
    assert isinstance(loop, tir.For) and loop.annotations == {"k": (1, 2)} and const.data.shape == (2, 3)


# ---------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------
def _module() -> IRModule:
    i = tir.Var("i")
    return IRModule({"f": tir.PrimFunc((i,), tir.Evaluate(i))})


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".irscript-"))


def test_save_and_load(tmp_path):
    target = tmp_path / "m.json"
    save_json(_module(), target, indent=2)
    assert target.read_text(encoding="utf-8") == to_json(_module(), indent=2)
    assert structural_equal(load_json(target), _module())
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saved_files_get_normal_permissions(tmp_path):
    target = tmp_path / "m.json"
    save_json(_module(), target)
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    target.chmod(0o640)
    save_json(_module(), target)  # replacing a file keeps its permissions
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def _fail_serialization(*args: Any, **kwargs: Any) -> str:
    raise JSONFormatError("cannot serialize (injected)")


class _BrokenFile:
    """Writes half of the text, then fails like a full disk."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __enter__(self) -> _BrokenFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.real.close()

    def write(self, text: str) -> int:
        self.real.write(text[: len(text) // 2])
        self.real.flush()
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("failure", ["serialize", "write", "rename"])
@pytest.mark.parametrize("existing", [True, False])
def test_save_json_is_atomic(tmp_path, monkeypatch, failure, existing):
    target = tmp_path / "m.json"
    if existing:
        target.write_text("previous content", encoding="utf-8")
    if failure == "serialize":
        monkeypatch.setattr(json_module, "to_json", _fail_serialization)
    elif failure == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(json_module.os, "fdopen", lambda *a, **k: _BrokenFile(real_fdopen(*a, **k)))
    else:
        def no_rename(src: Any, dst: Any) -> None:
            raise OSError(18, "Invalid cross-device link")
        monkeypatch.setattr(json_module.os, "replace", no_rename)
    with pytest.raises(irscript.Error):
        save_json(_module(), target)
    monkeypatch.undo()
    if existing:
        assert target.read_text(encoding="utf-8") == "previous content"
    else:
        assert not target.exists()
    assert _leftovers(tmp_path) == []


def test_load_json_errors(tmp_path):
    with pytest.raises(JSONFormatError, match="cannot read .*missing.json") as info:
        load_json(tmp_path / "missing.json")
    assert info.value.path == "<file>"
    with pytest.raises(JSONFormatError, match="cannot read"):
        load_json(tmp_path)  # a directory
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(JSONFormatError, match="not UTF-8 text"):
        load_json(binary)
    truncated = tmp_path / "truncated.json"
    truncated.write_text(to_json(_module())[:-10], encoding="utf-8")
    with pytest.raises(JSONFormatError, match="not valid JSON") as info:
        load_json(truncated)
    assert info.value.path == "<text>"


# ---------------------------------------------------------------------------------------------
# the format document
# ---------------------------------------------------------------------------------------------
def test_doc_type_table_is_current():
    script = DOC.parent / "gen_json_types.py"  # in a fresh process: only the core registry counts
    out = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("<!-- type-table:begin -->"):text.index("<!-- type-table:end -->")]
    for key in core_type_keys():
        assert f"| `{key}` |" in table


def test_doc_example_is_exact():
    text = DOC.read_text(encoding="utf-8")
    example = re.search(r"<!-- example:begin -->\n```json\n(.*?)```", text, re.S).group(1)
    loaded = from_json(example)
    i = tir.Var("i")
    A = tir.Buffer(None, "float32", (4,), name="A")
    a = tir.Var("a", "handle")
    body = tir.For(i, 0, 4, "serial", tir.BufferStore(A, A[i] * 2.0, (i,)))
    expected = tir.PrimFunc((a,), body, buffer_map={a: A}, attrs={"global_symbol": "double"})
    assert structural_equal(loaded, expected)
    assert json.loads(to_json(expected)) == json.loads(example)


def test_duplicate_function_names_in_json_are_rejected():
    mod = irscript.IRModule({"f": relax.Function([], relax.SeqExpr([], relax.Tuple([])))})
    doc = json.loads(irscript.to_json(mod))
    root_index = doc["root"]["ref"]
    assert root_index == len(doc["nodes"]) - 1  # nothing refers to the module entry
    module_entry = doc["nodes"].pop()
    doc["nodes"].append({"type": "ir.GlobalVar", "fields": {"name_hint": "f"}})
    pairs = module_entry["fields"]["functions"]["map"]
    pairs.append([{"ref": len(doc["nodes"]) - 1}, pairs[0][1]])
    doc["nodes"].append(module_entry)
    doc["root"] = {"ref": len(doc["nodes"]) - 1}
    with pytest.raises(JSONFormatError, match="two functions named 'f'"):
        irscript.from_json(json.dumps(doc))


def test_save_json_to_missing_directory_is_an_irscript_error(tmp_path):
    target = tmp_path / "missing" / "out.json"
    with pytest.raises(irscript.Error, match="cannot write"):
        irscript.save_json(irscript.IRModule(), target)
    assert not target.parent.exists()
