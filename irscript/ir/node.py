"""The IR node base class: declared, typed fields; a registry of node types by type key.

A node class declares its fields once, as annotations with optional `field()`
specs, and names its stable type key::

    class For(Stmt, type_key="tir.For"):
        loop_var: Var = field(role=DEF)
        min: PrimExpr
        extent: PrimExpr
        body: Stmt
        annotations: dict[str, Any] = field(default_factory=dict)

The metaclass turns the declaration into `__slots__`, a generated `__init__`
(coercing friendly inputs and rejecting ill-typed ones) and `_fields`.
Everything generic — structural equality and hashing, JSON, copying,
visiting and mutating — reads `_fields`; no node writes its own.

Nodes are immutable: change one with `replace(node, field=value)`. Every node
has an optional `span` that equality, hashing and JSON ignore.

Binding objects: classes with `_binding = "var"` (variables) are mapped to
each other by structural equality where they are defined (fields with role
DEF); classes with `_binding = "auto"` (buffers) are mapped at their first
occurrence wherever it is.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from irscript.errors import IRError
from irscript.ir.dtype import _CACHE as _DTYPE_CACHE
from irscript.ir.dtype import DataType
from irscript.ir.fieldtype import (
    AnySpec,
    DictSpec,
    DTypeSpec,
    EnumSpec,
    Mismatch,
    NodeSpec,
    OptionalSpec,
    PrimSpec,
    Spec,
    TupleSpec,
    UnionSpec,
    compile_spec,
)
from irscript.ir.span import _LOCATION

PLAIN = "plain"
"""Field role: compared structurally."""
DEF = "def"
"""Field role: a binding site; vars found here are defined (mapped to each other)."""
IGNORE = "ignore"
"""Field role: not compared or hashed (name hints, derived caches). Still stored in JSON."""

_MISSING: Any = object()
_REQUIRED: Any = type("_Required", (), {"__repr__": lambda self: "<required>"})()


class Field:
    """The declaration of one node field."""

    __slots__ = ("name", "annotation", "module", "role", "default", "default_factory", "spec", "owner")

    def __init__(
        self,
        *,
        default: Any = _MISSING,
        default_factory: Callable[[], Any] | None = None,
        role: str = PLAIN,
    ) -> None:
        canonical = {PLAIN: PLAIN, DEF: DEF, IGNORE: IGNORE}.get(role)
        if canonical is None:
            raise ValueError(f"unknown field role {role!r}")
        self.name = ""
        self.annotation: Any = None
        self.module = ""
        self.role = canonical  # the module constant, so `role is DEF` holds
        self.default = default
        self.default_factory = default_factory
        self.spec: Spec | None = None
        self.owner: type | None = None

    @property
    def required(self) -> bool:
        return self.default is _MISSING and self.default_factory is None

    def __repr__(self) -> str:
        return f"Field({self.name!r}, role={self.role})"


def field(
    *, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None, role: str = PLAIN
) -> Any:
    """Declare a field with a default, a default factory or a role (PLAIN, DEF, IGNORE)."""
    return Field(default=default, default_factory=default_factory, role=role)


_REGISTRY: dict[str, type] = {}


def node_type(type_key: str) -> type:
    """The node class registered under `type_key`; raises KeyError if none."""
    return _REGISTRY[type_key]


def registered_node_types() -> dict[str, type]:
    """All registered node classes by type key."""
    return dict(_REGISTRY)


class NodeMeta(type):
    """Builds slots, field declarations and the constructor of node classes."""

    def __new__(mcls, name: str, bases: tuple, ns: dict, type_key: str | None = None, **kw: Any):
        annotations = ns.get("__annotations__", {})
        inherited: list[Field] = []
        for base in bases:
            for f in getattr(base, "_fields", ()):
                if all(f.name != g.name for g in inherited):
                    inherited.append(f)
        own: list[Field] = []
        overrides: dict[str, Field] = {}
        for fname, ann in annotations.items():
            if _is_classvar(ann):
                continue
            spec = ns.pop(fname, _MISSING)
            decl = spec if isinstance(spec, Field) else Field(default=spec)
            decl.name = fname
            decl.annotation = ann
            decl.module = ns.get("__module__", "")
            if any(f.name == fname for f in inherited):
                overrides[fname] = decl
            else:
                own.append(decl)
        slots = tuple(ns.get("__slots__", ())) + tuple(f.name for f in own)
        ns["__slots__"] = slots
        custom_init = "__init__" in ns or any(getattr(b, "_custom_init", False) for b in bases)
        cls = super().__new__(mcls, name, bases, ns, **kw)
        fields = []
        for f in inherited:
            g = overrides.get(f.name)
            if g is not None:
                g.owner = f.owner
                fields.append(g)
            else:
                fields.append(f)
        for f in own:
            f.owner = cls
            fields.append(f)
        cls._fields = tuple(fields)
        cls._field_names = tuple(f.name for f in fields)
        cls._compiled = False
        cls._custom_init = custom_init
        if "_binding" not in ns:
            cls._binding = getattr(cls, "_binding", None)
        if type_key is not None:
            cls.type_key = type_key
            old = _REGISTRY.get(type_key)
            if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
                raise IRError(f"node type key {type_key!r} is already registered by {old.__qualname__}")
            _REGISTRY[type_key] = cls
        else:
            cls.type_key = None
        # Each class gets its own stubs, so a compiled parent never serves a child.
        cls._set_fields = _stub_set_fields
        if not custom_init:
            cls.__init__ = _stub_init
        return cls


def _is_classvar(ann: Any) -> bool:
    if isinstance(ann, str):
        return ann.startswith(("ClassVar", "typing.ClassVar"))
    return getattr(ann, "__origin__", None) is ClassVar or ann is ClassVar


def _stub_set_fields(self, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    _compile(cls)
    cls._set_fields(self, *args, **kwargs)


def _stub_init(self, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    _compile(cls)
    cls.__init__(self, *args, **kwargs)


def _resolve_annotation(f: Field, cls: type) -> Any:
    ann = f.annotation
    if not isinstance(ann, str):
        return ann
    for module_name in (f.module, cls.__module__):
        module = sys.modules.get(module_name)
        if module is None:
            continue
        try:
            # Annotations are our own declarations, never user input.
            value = eval(ann, vars(module), {})
            while isinstance(value, str):  # a quoted annotation under `from __future__ import annotations`
                value = eval(value, vars(module), {})
            return value
        except NameError:
            continue
    raise IRError(f"cannot resolve the annotation {ann!r} of field {cls.__qualname__}.{f.name}")


def field_specs(cls: type) -> tuple[Spec, ...]:
    """The compiled specs of a node class's fields (compiling the class if needed)."""
    _compile(cls)
    return tuple(f.spec for f in cls._fields)  # type: ignore[misc]


def _compile(cls: type) -> None:
    """Resolve field annotations and generate the constructor of `cls`."""
    if cls.__dict__.get("_compiled"):
        return
    for f in cls._fields:
        if f.spec is None:
            f.spec = compile_spec(_resolve_annotation(f, cls))
    names = cls._field_names
    env: dict[str, Any] = {"_dtype_cache": _DTYPE_CACHE, "_REQUIRED": _REQUIRED, "_fail": _coerce_failed, "_missing": _missing, "_cls": cls}
    lines = [f"def _set_fields(self, {', '.join(names + ('span=None',))}):"]
    for i, f in enumerate(cls._fields):
        spec = f.spec
        env[f"_spec{i}"] = spec
        env[f"_set{i}"] = _slot_setter(cls, f.name)
        lines.extend(_fast_check(spec, f.name, i, env))
        lines.append(f"    _set{i}(self, {f.name})")
    env["_setspan"] = _slot_setter(cls, "span")
    lines.append("    _setspan(self, span)")
    params = []
    body = []
    for i, f in enumerate(cls._fields):
        if f.default_factory is not None:
            env[f"_factory{i}"] = f.default_factory
            params.append(f"{f.name}=_REQUIRED")
            body.append(f"    if {f.name} is _REQUIRED: {f.name} = _factory{i}()")
        elif f.default is not _MISSING:
            env[f"_default{i}"] = f.default
            params.append(f"{f.name}=_default{i}")
        else:
            params.append(f"{f.name}=_REQUIRED")
            body.append(f"    if {f.name} is _REQUIRED: _missing(_cls, {f.name!r})")
    sig = ", ".join(["self"] + params + (["*", "span=None"]))
    lines.append(f"def __init__({sig}):")
    lines.extend(body)
    lines.append(f"    _set_fields(self, {', '.join(names + ('span',))})")
    exec("\n".join(lines), env)
    cls._set_fields = env["_set_fields"]
    if cls.__dict__.get("__init__") is _stub_init:
        init = env["__init__"]
        init.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = init
    cls._compiled = True


def _fast_check(spec: Spec, name: str, i: int, env: dict[str, Any]) -> list[str]:
    """Generated lines that accept a value already of the right type without a call, and send
    anything else to the slow path (`_fail`: coerce or raise)."""
    slow = f"{name} = _fail(_cls, {i}, {name})"
    if isinstance(spec, NodeSpec):
        env[f"_cls{i}"] = spec.cls
        return [f"    if not isinstance({name}, _cls{i}): {slow}"]
    if isinstance(spec, OptionalSpec):
        inner = _fast_check(spec.inner, name, i, env)
        if inner != [f"    {slow}"]:
            return [f"    if {name} is not None:"] + ["    " + line for line in inner]
    if isinstance(spec, UnionSpec) and all(isinstance(o, NodeSpec) for o in spec.options):
        env[f"_cls{i}"] = tuple(o.cls for o in spec.options)
        return [f"    if not isinstance({name}, _cls{i}): {slow}"]
    if isinstance(spec, (PrimSpec, EnumSpec)):
        env[f"_cls{i}"] = spec.cls
        return [f"    if type({name}) is not _cls{i}: {slow}"]
    if isinstance(spec, DTypeSpec):
        env[f"_cls{i}"] = DataType
        return [
            f"    if type({name}) is not _cls{i}:",
            f"        if type({name}) is str and {name} in _dtype_cache: {name} = _dtype_cache[{name}]",
            f"        else: {slow}",
        ]
    if isinstance(spec, TupleSpec) and isinstance(spec.elem, NodeSpec):
        env[f"_cls{i}"] = spec.elem.cls
        return [
            f"    if type({name}) is tuple:",
            f"        for _e in {name}:",
            f"            if not isinstance(_e, _cls{i}):",
            f"                {slow}",
            "                break",
            f"    else: {slow}",
        ]
    if isinstance(spec, (DictSpec, AnySpec)):
        # empty dicts (the common default) are taken as they are; others are copied and checked
        return [f"    if type({name}) is not dict or {name}: {slow}"] if isinstance(spec, DictSpec) else [f"    {slow}"]
    return [f"    {slow}"]


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    for klass in cls.__mro__:
        desc = klass.__dict__.get(name)
        if desc is not None and hasattr(desc, "__set__"):
            return desc.__set__
    raise IRError(f"{cls.__qualname__} has no slot for field {name!r}")


def _missing(cls: type, name: str) -> None:
    raise IRError(f"{cls.type_key or cls.__name__}.{name} is required: {cls.__name__}() got no {name!r} argument")


def _coerce_failed(cls: type, index: int, value: Any) -> Any:
    """Coerce `value` for field `index` of `cls`, or raise a clear IRError."""
    f = cls._fields[index]
    try:
        return f.spec.coerce(value)
    except Mismatch as exc:
        got = _describe_value(exc.value)
        raise IRError(
            f"{cls.type_key or cls.__name__}.{f.name} expects {exc.expected}, got {got}"
        ) from None


def _describe_value(value: Any) -> str:
    text = repr(value) if not isinstance(value, Node) else (value.type_key or type(value).__name__)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}" if not isinstance(value, Node) else text


def _rebuild(cls: type, values: tuple, span: Any) -> "Node":
    obj = cls.__new__(cls)
    set_fields_raw(obj, values, span)
    return obj


def set_fields_raw(obj: "Node", values: tuple, span: Any = None) -> None:
    """Set all field slots of a fresh node without coercion (the caller has checked them)."""
    setter = object.__setattr__
    for name, value in zip(type(obj)._field_names, values):
        setter(obj, name, value)
    setter(obj, "span", span)


class Node(metaclass=NodeMeta):
    """Base class of all IR nodes."""

    __slots__ = ("span", "__weakref__")

    type_key: ClassVar[str | None]
    _fields: ClassVar[tuple[Field, ...]]
    _field_names: ClassVar[tuple[str, ...]]
    _binding: ClassVar[str | None] = None

    def __setattr__(self, name: str, value: Any) -> None:
        raise IRError(f"{type(self).__name__} nodes are immutable; use irscript.ir.replace(node, {name}=...)")

    def __delattr__(self, name: str) -> None:
        raise IRError(f"{type(self).__name__} nodes are immutable")

    def __reduce__(self):
        return (_rebuild, (type(self), self.field_values(), self.span))

    def __copy__(self) -> "Node":
        return _rebuild(type(self), self.field_values(), self.span)

    def field_values(self) -> tuple:
        """The values of the declared fields, in declaration order."""
        return tuple([getattr(self, n) for n in self._field_names])

    def items(self) -> Iterator[tuple[str, Any]]:
        """(field name, value) pairs in declaration order."""
        for n in self._field_names:
            yield n, getattr(self, n)

    # printing -----------------------------------------------------------------------
    def script(self, **options: Any) -> str:
        """This node as script text (see irscript.print_script for the options)."""
        from irscript.printer import print_script

        return print_script(self, **options)

    def show(self, **options: Any) -> None:
        """Print the script text, highlighted when standard output is a terminal."""
        from irscript.printer import show

        show(self, **options)

    def __repr__(self) -> str:
        try:
            from irscript.printer import short_repr
        except ImportError:
            return generic_repr(self)
        return short_repr(self)


def generic_repr(node: Node, depth: int = 3) -> str:
    """A field-by-field repr, independent of the printer."""
    if depth <= 0:
        return f"{node.type_key or type(node).__name__}(...)"

    def fmt(v: Any) -> str:
        if isinstance(v, Node):
            return generic_repr(v, depth - 1)
        if isinstance(v, tuple):
            inner = ", ".join(fmt(x) for x in v[:8])
            return f"({inner}{', ...' if len(v) > 8 else ''})"
        return repr(v)

    parts = ", ".join(f"{n}={fmt(v)}" for n, v in node.items() if n != "span")
    return f"{node.type_key or type(node).__name__}({parts})"


def replace(node: Node, **changes: Any) -> Node:
    """A copy of `node` with some fields changed (coerced and checked like a constructor)."""
    cls = type(node)
    for name in changes:
        if name not in cls._field_names and name != "span":
            raise IRError(f"{cls.type_key or cls.__name__} has no field {name!r}")
    values = [changes.get(n, getattr(node, n)) for n in cls._field_names]
    obj = cls.__new__(cls)
    cls._set_fields(obj, *values, span=changes.get("span", node.span))
    return obj


def make_node(cls: type, values: dict[str, Any], span: Any = None) -> Node:
    """Build a node of `cls` from a field dict, bypassing a custom `__init__` (generic code)."""
    obj = cls.__new__(cls)
    missing = [f.name for f in cls._fields if f.name not in values and f.required]
    if missing:
        raise IRError(f"{cls.type_key or cls.__name__} needs fields {missing}")
    args = []
    for f in cls._fields:
        if f.name in values:
            args.append(values[f.name])
        elif f.default_factory is not None:
            args.append(f.default_factory())
        else:
            args.append(f.default)
    cls._set_fields(obj, *args, span=span)
    return obj


_set_span = Node.__dict__["span"].__set__


def stamp_span(node: Node) -> Node:
    """Give a freshly built `node` the current source span (`irscript.ir.span.current_span`)
    unless it already has one. Spans are not part of a node's value (equality, hashing and
    JSON ignore them), so stamping after construction does not break immutability."""
    if node.span is None:
        span = _LOCATION.span
        if span is not None:
            _set_span(node, span)
    return node
