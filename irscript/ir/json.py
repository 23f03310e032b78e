"""JSON serialization of IR: `to_json`, `from_json`, `save_json`, `load_json`.

The format (documented in docs/json-format.md) is a versioned envelope::

    {"format": "irscript.ir", "version": 1, "root": <value>,
     "nodes": [{"type": "tir.Var", "fields": {...}}, ...],
     "arrays": [{"dtype": "float32", "shape": [2, 3], "data": "<base64>"}, ...]}

Every node is stored once, children before parents, and referenced as
`{"ref": i}`, so sharing and variable identity survive a round trip. Type
names are the stable type keys, not Python class names. Decoding checks every
field against its declared type; problems raise JSONFormatError naming the
JSON path (e.g. `nodes[12](tir.For).fields.body`).
"""

from __future__ import annotations

import base64
import enum
import json
import math
import os
from typing import Any

import numpy as np

from irscript.errors import Error, JSONFormatError
from irscript.fileio import atomic_write
from irscript.ir.dtype import DataType
from irscript.ir.fieldtype import EnumSpec, Mismatch, OptionalSpec, PrimSpec, Spec
from irscript.ir.node import Node, field_specs, registered_node_types, set_fields_raw
from irscript.ir.structural import deep_recursion

FORMAT = "irscript.ir"
VERSION = 1
SUPPORTED_VERSIONS = (1,)


class _Writer:
    def __init__(self) -> None:
        self.nodes: list[dict] = []
        self.arrays: list[dict] = []
        self.memo: dict[int, int] = {}
        self.array_memo: dict[int, int] = {}
        self.keep: list[Any] = []  # keeps encoded objects alive so ids stay unique

    def value(self, v: Any) -> Any:
        if isinstance(v, Node):
            return {"ref": self.node(v)}
        t = type(v)
        if v is None or t is bool or t is int or t is str:
            return v
        if t is float:
            return v if math.isfinite(v) else {"float": repr(v)}
        if t is tuple or t is list:
            return [self.value(x) for x in v]
        if t is dict:
            if all(type(k) is str for k in v):
                return {"dict": {k: self.value(x) for k, x in v.items()}}
            return {"map": [[self.value(k), self.value(x)] for k, x in v.items()]}
        if t is DataType:
            return {"dtype": str(v)}
        if isinstance(v, enum.Enum):
            return v.name
        if t is np.ndarray:
            return {"array": self.array(v)}
        raise JSONFormatError(f"cannot serialize a value of type {t.__name__}: {v!r:.60}")

    def node(self, n: Node) -> int:
        idx = self.memo.get(id(n))
        if idx is not None:
            return idx
        cls = type(n)
        if cls.type_key is None:
            raise JSONFormatError(f"{cls.__qualname__} has no type key and cannot be serialized")
        fields = {name: self.value(getattr(n, name)) for name in cls._field_names}
        idx = len(self.nodes)
        self.nodes.append({"type": cls.type_key, "fields": fields})
        self.memo[id(n)] = idx
        self.keep.append(n)
        return idx

    def array(self, a: np.ndarray) -> int:
        self.keep.append(a)
        key = id(a)
        idx = self.array_memo.get(key)
        if idx is not None:
            return idx
        dtype = DataType.from_numpy(a.dtype)
        data = np.ascontiguousarray(a)
        if data.dtype.byteorder == ">":
            data = data.astype(data.dtype.newbyteorder("<"))
        idx = len(self.arrays)
        self.arrays.append(
            {"dtype": str(dtype), "shape": list(a.shape), "data": base64.b64encode(data.tobytes()).decode("ascii")}
        )
        self.array_memo[key] = idx
        return idx


def to_json(obj: Any, indent: int | None = None) -> str:
    """Serialize a node (or a value holding nodes) to JSON text."""
    w = _Writer()
    with deep_recursion():
        root = w.value(obj)
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "root": root, "nodes": w.nodes}
    if w.arrays:
        doc["arrays"] = w.arrays
    return json.dumps(doc, indent=indent, ensure_ascii=False, allow_nan=False)


class _Reader:
    def __init__(self, doc: dict) -> None:
        self.doc = doc
        self.nodes: list[Node] = []
        self.arrays: list[np.ndarray | None] = []
        self.types = registered_node_types()

    def run(self) -> Any:
        arrays = self.doc.get("arrays", [])
        if not isinstance(arrays, list):
            raise JSONFormatError("'arrays' must be a list", path="arrays")
        self.arrays = [self.array(a, f"arrays[{i}]") for i, a in enumerate(arrays)]
        nodes = self.doc.get("nodes", [])
        if not isinstance(nodes, list):
            raise JSONFormatError("'nodes' must be a list", path="nodes")
        for i, entry in enumerate(nodes):
            self.nodes.append(self.node(entry, f"nodes[{i}]"))
        if "root" not in self.doc:
            raise JSONFormatError("missing 'root'", path="root")
        return self.value(self.doc["root"], "root", None)

    def node(self, entry: Any, path: str) -> Node:
        if not isinstance(entry, dict):
            raise JSONFormatError("a node entry must be an object", path=path)
        type_key = entry.get("type")
        if not isinstance(type_key, str):
            raise JSONFormatError("a node entry needs a string 'type'", path=f"{path}.type")
        cls = self.types.get(type_key)
        if cls is None:
            raise JSONFormatError(f"unknown node type {type_key!r}", path=f"{path}.type")
        where = f"{path}({type_key})"
        fields = entry.get("fields", {})
        if not isinstance(fields, dict):
            raise JSONFormatError("'fields' must be an object", path=f"{where}.fields")
        unknown = [k for k in fields if k not in cls._field_names]
        if unknown:
            raise JSONFormatError(f"{type_key} has no field {unknown[0]!r}", path=f"{where}.fields.{unknown[0]}")
        specs = field_specs(cls)
        values = []
        for f, spec in zip(cls._fields, specs):
            fpath = f"{where}.fields.{f.name}"
            if f.name not in fields:
                if f.required:
                    raise JSONFormatError(f"{type_key} is missing field {f.name!r}", path=fpath)
                values.append(f.default_factory() if f.default_factory is not None else f.default)
                continue
            values.append(self.value(fields[f.name], fpath, spec))
        hook = getattr(cls, "_from_json_check", None)
        obj = cls.__new__(cls)
        set_fields_raw(obj, tuple(values))
        if hook is not None:
            problem = hook(obj)
            if problem:
                raise JSONFormatError(problem, path=where)
        canonical = getattr(cls, "_canonical", None)  # interned kinds (Op) load as the registered object
        return obj if canonical is None else canonical(obj)

    def value(self, v: Any, path: str, spec: Spec | None) -> Any:
        out = self.decode(v, path, spec)
        if spec is None:
            return out
        if spec.check(out):
            return out
        if isinstance(spec, OptionalSpec):
            spec = spec.inner
        if isinstance(spec, EnumSpec) or (isinstance(spec, PrimSpec) and spec.cls is float):
            try:
                return spec.coerce(out)
            except Mismatch:
                pass
        raise JSONFormatError(f"expected {spec.describe()}, got {_describe(out)}", path=path)

    def decode(self, v: Any, path: str, spec: Spec | None) -> Any:
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            elem = getattr(spec, "elem", None) if spec is not None else None
            if elem is None and spec is not None and hasattr(spec, "inner"):
                elem = getattr(spec.inner, "elem", None)
            return tuple(self.value(x, f"{path}[{i}]", elem) for i, x in enumerate(v))
        if isinstance(v, dict) and len(v) == 1:
            (tag, payload), = v.items()
            if tag == "ref":
                if not isinstance(payload, int) or isinstance(payload, bool):
                    raise JSONFormatError("a node reference must be an integer", path=path)
                if not 0 <= payload < len(self.nodes):
                    raise JSONFormatError(
                        f"dangling reference to node {payload} (only {len(self.nodes)} nodes are defined before it)",
                        path=path,
                    )
                return self.nodes[payload]
            if tag == "dtype":
                try:
                    return DataType(payload)
                except (Error, TypeError):
                    raise JSONFormatError(f"unknown data type {payload!r}", path=path) from None
            if tag == "float":
                if payload not in ("nan", "inf", "-inf"):
                    raise JSONFormatError(f"bad float {payload!r}", path=path)
                return float(payload)
            if tag == "array":
                if not isinstance(payload, int) or not 0 <= payload < len(self.arrays):
                    raise JSONFormatError(f"dangling array reference {payload!r}", path=path)
                return self.arrays[payload]
            if tag == "dict":
                if not isinstance(payload, dict):
                    raise JSONFormatError("'dict' needs an object", path=path)
                kspec, vspec = _dict_specs(spec)
                return {k: self.value(x, f"{path}[{k!r}]", vspec) for k, x in payload.items()}
            if tag == "map":
                if not isinstance(payload, list) or not all(isinstance(p, list) and len(p) == 2 for p in payload):
                    raise JSONFormatError("'map' needs a list of [key, value] pairs", path=path)
                kspec, vspec = _dict_specs(spec)
                out = {}
                for i, (k, x) in enumerate(payload):
                    key = self.value(k, f"{path}.map[{i}][0]", kspec)
                    try:
                        out[key] = self.value(x, f"{path}.map[{i}][1]", vspec)
                    except TypeError:
                        raise JSONFormatError("unhashable map key", path=f"{path}.map[{i}][0]") from None
                return out
        raise JSONFormatError(f"unrecognized value {json.dumps(v)[:60]}", path=path)

    def array(self, entry: Any, path: str) -> np.ndarray:
        if not isinstance(entry, dict):
            raise JSONFormatError("an array entry must be an object", path=path)
        try:
            dtype = DataType(entry["dtype"])
            np_dtype = dtype.numpy_dtype()
            shape = tuple(entry["shape"])
            raw = base64.b64decode(entry["data"], validate=True)
        except KeyError as exc:
            raise JSONFormatError(f"array entry is missing {exc.args[0]!r}", path=path) from None
        except (Error, TypeError, ValueError) as exc:
            raise JSONFormatError(f"bad array entry: {exc}", path=path) from None
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise JSONFormatError("array shape must be non-negative integers", path=f"{path}.shape")
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if len(raw) != count * np_dtype.itemsize:
            raise JSONFormatError(
                f"array data has {len(raw)} bytes, {count * np_dtype.itemsize} expected for {dtype}{list(shape)}",
                path=f"{path}.data",
            )
        return np.frombuffer(raw, dtype=np_dtype.newbyteorder("<")).astype(np_dtype).reshape(shape)


def _dict_specs(spec: Spec | None) -> tuple[Spec | None, Spec | None]:
    if spec is None:
        return None, None
    if isinstance(spec, OptionalSpec):
        spec = spec.inner
    return getattr(spec, "key", None), getattr(spec, "value", None)


def _describe(v: Any) -> str:
    if isinstance(v, Node):
        return f"a {v.type_key} node"
    text = repr(v)
    return f"{type(v).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _reject_constant(name: str) -> Any:
    raise JSONFormatError(
        f"not valid JSON: {name} is not a JSON value (non-finite floats are written {{\"float\": \"nan\"}})",
        path="<text>",
    )


def from_json(text: str) -> Any:
    """Load IR from JSON text produced by `to_json` (any supported version)."""
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise JSONFormatError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", path="<text>") from None
    except (TypeError, UnicodeDecodeError) as exc:
        raise JSONFormatError(f"not valid JSON: {exc}", path="<text>") from None
    if not isinstance(doc, dict):
        raise JSONFormatError("the top level must be an object", path="<root>")
    if doc.get("format") != FORMAT:
        raise JSONFormatError(f"not an irscript IR document (format {doc.get('format')!r})", path="format")
    version = doc.get("version")
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(map(str, SUPPORTED_VERSIONS))
        raise JSONFormatError(f"unsupported version {version!r} (this irscript reads version {supported})", path="version")
    with deep_recursion():
        return _Reader(doc).run()


def save_json(obj: Any, path: str | os.PathLike, indent: int | None = None) -> None:
    """Write `obj` as JSON to `path` atomically: a failure never leaves a half-written file."""
    text = to_json(obj, indent=indent)
    atomic_write(os.fspath(path), lambda fh: fh.write(text))


def load_json(path: str | os.PathLike) -> Any:
    """Read IR saved by `save_json`."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise JSONFormatError(f"cannot read {os.fspath(path)}: {exc.strerror}", path="<file>") from None
    except UnicodeDecodeError:
        raise JSONFormatError(f"{os.fspath(path)} is not UTF-8 text", path="<file>") from None
    return from_json(text)
