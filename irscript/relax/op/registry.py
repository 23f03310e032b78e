"""The Relax operator registry: one `OpEntry` per op drives every layer.

    relu = define_op(
        "relax.nn.relu",                    # the Op name; script spelling R.nn.relu
        args=[Arg("x")],                    # Relax-expression arguments, in Call.args order
        attrs=[],                           # typed attributes, in Call.attrs order
        infer=infer_unary,                  # infer(call, ctx) -> StructInfo
        legalize=lambda x: te.compute(...), # te tensors in, te tensor(s) out
        numpy_ref=lambda x: np.maximum(x, 0),
    )
    relu(x)          # the builder: a relax.Call with every attr filled, struct info deduced

`define_op` registers the `Op` (`irscript.ir.op.register_op`) with the attrs
`infer_struct_info`, `legalize`, `numpy_ref`, `pure`, `script_name` ("R.nn.relu")
and `entry` (the OpEntry), and makes the builder function (`entry.builder`,
also `entry(...)`).

Script side: `lookup_script("nn.relu")` finds an entry by its dotted name
under `R`; `entry.make_call(args, kwargs, span)` binds evaluated positional and
keyword arguments as Python does (Relax arguments first, then attributes in
declared order; keyword-only and variadic arguments as declared) and raises
`IRError("R.nn.conv2d: argument 'strides' expects a tuple of int, got str")`
style errors. Printer side: `get_entry(call.op)` and `entry.print_form(call)`
give the positional arguments and the keywords (keyword-only arguments, then
every attribute in declared order as a printable Python value).

Script functions: a few names under `R` are not ops but Python helpers that
build calls of ops (TVM's frontend helpers, e.g. `R.nn.linear` = permute_dims +
matmul + add). `define_script_function(path, fn)` registers one; `lookup_script`
finds it like an op entry and its `make_call(args, kwargs, span)` binds the
arguments to `fn` (errors name the script name and the argument). It has no Op,
so nothing of it remains in the IR but the calls it builds.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from irscript.errors import IRError
from irscript.ir.expr import RelaxExpr, StructInfo
from irscript.ir.op import Op, register_op
from irscript.relax.expr import Call
from irscript.relax.op.signature import Arg, Attr, AttrType, Mismatch, type_name

__all__ = [
    "OpEntry", "ScriptFunction", "call_from_script", "constant_value", "define_op", "define_script_function",
    "get_entry", "lookup_script", "registered_entries", "script_namespaces",
]

InferFn = Callable[[Call, Any], StructInfo]

_BY_NAME: dict[str, "OpEntry"] = {}
_BY_PATH: dict[str, "OpEntry | ScriptFunction"] = {}
_NAMESPACES: set[str] = set()


class OpEntry:
    """Everything about one op. Fields:

    * `name` ("relax.nn.relu"), `path` ("nn.relu": the name under `R`), `script_name`
      ("R.nn.relu"), `op` (the registered Op);
    * `args` (Arg), `attrs` (Attr): the signature;
    * `pure`; `infer(call, ctx) -> StructInfo`;
    * `legalize(*te_args, **attrs) -> te.Tensor | tuple`: the TIR computation (tensor args
      come as te placeholders, tuple args as lists of them, prim args as PrimExprs, shapes as
      tuples of PrimExprs); `legalize_name` names the PrimFunc;
    * `runtime`: instead of `legalize`, the name of the runtime builtin that executes it;
    * `numpy_ref(*values, **attrs)`: the reference implementation on numpy arrays;
    * `normalize_attrs(attrs) -> attrs`: canonicalizes converted attrs (may raise IRError);
    * `normalize_args(values) -> values`: rewrites the Python values a builder call binds (by
      argument / attribute name, only those given) before conversion, for TVM's builder-side
      defaults (`R.arange(10)` is `arange(0, 10, 1)`; `R.reshape` resolves -1);
    * `builder`: the builder function (`entry.builder(x, ...)` == `entry(x, ...)`).
    """

    __slots__ = (
        "name", "path", "script_name", "op", "args", "attrs", "pure", "infer", "legalize", "legalize_name",
        "runtime", "numpy_ref", "normalize_attrs", "normalize_args", "doc", "builder", "_n_fixed", "_variadic",
        "_n_optional",
    )

    def __init__(self, name: str, path: str, args: Sequence[Arg], attrs: Sequence[Attr], pure: bool,
                 infer: InferFn, legalize: Callable | None, legalize_name: str, runtime: str | None,
                 numpy_ref: Callable | None, normalize_attrs: Callable | None, doc: str) -> None:
        self.name = name
        self.path = path
        self.script_name = f"R.{path}"
        self.args = tuple(args)
        self.attrs = tuple(attrs)
        self.pure = pure
        self.infer = infer
        self.legalize = legalize
        self.legalize_name = legalize_name
        self.runtime = runtime
        self.numpy_ref = numpy_ref
        self.normalize_attrs = normalize_attrs
        self.normalize_args: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.doc = doc
        variadic = [i for i, a in enumerate(self.args) if a.variadic]
        self._variadic = variadic[0] if variadic else -1
        self._n_fixed = len(self.args) - len(variadic)
        self._n_optional = sum(a.optional for a in self.args)
        self.op: Op = None  # type: ignore[assignment]
        self.builder: Callable[..., Call] = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OpEntry({self.name!r})"

    def __call__(self, *args: Any, **kwargs: Any) -> Call:
        return self.make_call(args, kwargs)

    # -- inference -----------------------------------------------------------------------------
    def call_attrs(self, call: Call) -> dict[str, Any]:
        """The call's attributes checked against the signature: each converted by its type,
        missing ones with a default filled in; unknown, ill-typed or missing required ones are
        errors. Returns `call.attrs` itself when it is already complete."""
        attrs = call.attrs
        unknown = [k for k in attrs if all(a.name != k for a in self.attrs)]
        if unknown:
            raise self.error(f"unexpected attribute {unknown[0]!r}")
        filled: dict[str, Any] = {}
        changed = len(attrs) != len(self.attrs)
        for a in self.attrs:
            if a.name not in attrs:
                if a.required:
                    raise self.error(f"the call has no attribute {a.name!r}")
                filled[a.name] = a.default
                continue
            value = attrs[a.name]
            try:
                filled[a.name] = a.type.convert(value)
            except Mismatch as m:
                raise self.error(f"attribute {a.name!r} expects {m.expected}, got {type_name(value)}") from None
            changed = changed or type(filled[a.name]) is not type(value) or filled[a.name] != value
        return filled if changed else attrs

    def infer_call(self, call: Call, ctx: Any = None) -> StructInfo:
        """The op's struct info inference after checking the call against the signature (the
        number of arguments, `call_attrs`). This is the Op's `infer_struct_info`."""
        self.split_args(call)
        attrs = self.call_attrs(call)
        if attrs is not call.attrs:
            call = Call(call.op, call.args, attrs, call.sinfo_args, call.struct_info, span=call.span)
        return self.infer(call, ctx)

    # -- building calls ------------------------------------------------------------------------
    def error(self, message: str) -> IRError:
        return IRError(f"{self.script_name}: {message}")

    def make_call(self, args: Sequence[Any], kwargs: dict[str, Any], span: Any = None) -> Call:
        """A call of this op from Python / script arguments (bound as Python binds a
        `def op(args..., attrs...)`), with every attr filled and struct info deduced when all
        arguments have struct info."""
        exprs, attrs = self._bind(list(args), dict(kwargs))
        call = Call(self.op, tuple(exprs), attrs, (), None, span=span)
        if all(getattr(a, "struct_info", None) is not None for a in call.args):
            sinfo = self.infer_call(call, None)
            call = Call(self.op, call.args, attrs, (), sinfo, span=span)
        return call

    def _bind(self, args: list[Any], kwargs: dict[str, Any]) -> tuple[list[RelaxExpr], dict[str, Any]]:
        values: dict[str, Any] = {}
        positional = [a for a in self.args if not a.kw_only]
        slots: list[Arg | Attr] = list(positional)
        if self._variadic < 0:
            slots.extend(self.attrs)
        pos = 0
        for slot in slots:
            if pos >= len(args):
                break
            if isinstance(slot, Arg) and slot.variadic:
                values[slot.name] = args[pos:]
                pos = len(args)
                break
            values[slot.name] = args[pos]
            pos += 1
        if pos < len(args):
            raise self.error(f"takes at most {pos} positional argument(s) ({self._slot_names(slots)}), "
                             f"got {len(args)}")
        for key, value in kwargs.items():
            target = self._slot(key)
            if target is None:
                raise self.error(f"unexpected keyword argument {key!r}")
            if key in values:
                raise self.error(f"argument {key!r} is given twice")
            if isinstance(target, Arg) and target.variadic:
                value = list(value) if isinstance(value, (list, tuple)) else [value]
            values[key] = value
        if self.normalize_args is not None:
            values = self.normalize_args(values)
        return self._convert_args(values), self._convert_attrs(values)

    @staticmethod
    def _slot_names(slots: Sequence[Arg | Attr]) -> str:
        return ", ".join(("*" if isinstance(s, Arg) and s.variadic else "") + s.name for s in slots)

    def _slot(self, name: str) -> Arg | Attr | None:
        for a in self.args:
            if a.name == name:
                return a
        for a in self.attrs:
            if a.name == name:
                return a
        return None

    def _convert_args(self, values: dict[str, Any]) -> list[RelaxExpr]:
        out: list[RelaxExpr] = []
        omitted = None
        for a in self.args:
            if a.name in values:
                given = values[a.name]
            elif a.variadic:
                given = []
            elif a.has_default:
                given = a.default
            else:
                raise self.error(f"missing argument {a.name!r}")
            if a.optional and given is None:
                omitted = omitted or a.name
                continue
            if a.optional and omitted is not None:
                raise self.error(f"argument {a.name!r} needs argument {omitted!r} (optional arguments are "
                                 "positional: give every one before it)")
            items = given if a.variadic else [given]
            for v in items:
                try:
                    out.append(a.kind.convert(v))
                except Mismatch as m:
                    raise self.error(f"argument {a.name!r} expects {m.expected}, got {type_name(v)}") from None
        return out

    def _convert_attrs(self, values: dict[str, Any]) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        for a in self.attrs:
            if a.name not in values:
                if a.required:
                    raise self.error(f"missing argument {a.name!r}")
                attrs[a.name] = a.default
                continue
            value = values[a.name]
            try:
                attrs[a.name] = a.type.convert(value)
            except Mismatch as m:
                raise self.error(f"argument {a.name!r} expects {m.expected}, got {type_name(value)}") from None
        if self.normalize_attrs is not None:
            attrs = self.normalize_attrs(attrs)
        return attrs

    # -- reading calls -------------------------------------------------------------------------
    def split_args(self, call: Call) -> dict[str, Any]:
        """The call's arguments by name (a variadic argument as a tuple of expressions, an optional
        one that the call leaves out as None)."""
        args = call.args
        n_var = len(args) - self._n_fixed
        if self._n_optional and -self._n_optional <= n_var <= 0:
            n_var = 0  # trailing optional arguments left out
        elif n_var < 0 or (self._variadic < 0 and n_var != 0):
            least = "at least " if self._variadic >= 0 else ""
            fewest = self._n_fixed - self._n_optional
            count = f"{fewest} to {self._n_fixed}" if self._n_optional else f"{least}{self._n_fixed}"
            raise self.error(f"takes {count} argument(s), the call has {len(args)}")
        out: dict[str, Any] = {}
        i = 0
        for a in self.args:
            if i >= len(args) and a.optional:
                out[a.name] = None
            elif a.variadic:
                out[a.name] = tuple(args[i:i + n_var])
                i += n_var
            else:
                out[a.name] = args[i]
                i += 1
        return out

    def arg_name(self, index: int, call: Call | None = None) -> str:
        """The name of the argument at position `index` of `call.args`."""
        n_var = len(call.args) - self._n_fixed if call is not None and self._variadic >= 0 else 0
        i = 0
        for a in self.args:
            width = n_var if a.variadic else 1
            if index < i + width:
                return a.name
            i += width
        return f"#{index}"

    def attr_types(self) -> dict[str, AttrType]:
        return {a.name: a.type for a in self.attrs}

    def print_form(self, call: Call) -> tuple[list[RelaxExpr], list[tuple[str, Any]]]:
        """How a printer writes `call`: positional Relax arguments (variadic ones expanded), then
        keywords: keyword-only Relax arguments (Relax expressions) and every attribute in declared
        order as a Python literal (dtypes as strings, int tuples as lists)."""
        split = self.split_args(call)
        positional: list[RelaxExpr] = []
        keywords: list[tuple[str, Any]] = []
        for a in self.args:
            if split[a.name] is None:
                continue  # an optional argument left out
            if a.kw_only:
                keywords.append((a.name, split[a.name]))
            elif a.variadic:
                positional.extend(split[a.name])
            else:
                positional.append(split[a.name])
        for a in self.attrs:
            keywords.append((a.name, a.type.script_value(call.attrs.get(a.name, a.default))))
        return positional, keywords

    def run_numpy(self, call: Call, *values: Any) -> Any:
        """The numpy reference on `values` (one per Relax argument, a variadic one expanded) with
        the call's attrs as keyword arguments."""
        if self.numpy_ref is None:
            raise self.error("has no numpy reference implementation")
        return self.numpy_ref(*values, **self.call_attrs(call))


_NO_VALUE = object()


def constant_value(expr: RelaxExpr, default: Any = _NO_VALUE) -> Any:
    """The Python value of a constant non-tensor argument, as numpy references take it: a
    PrimValue of a constant as an int / float / bool, a StringImm as a str, a DataTypeImm as a
    DataType, a ShapeExpr of constants as a tuple of ints, a Tuple of such values as a tuple.
    Otherwise `default` (or IRError)."""
    from irscript.relax.expr import Constant, DataTypeImm, PrimValue, ShapeExpr, StringImm, Tuple
    from irscript.tir.expr import FloatImm, IntImm

    if isinstance(expr, PrimValue) and isinstance(expr.value, (IntImm, FloatImm)):
        v = expr.value
        return bool(v.value) if v.dtype.is_bool else v.value
    if isinstance(expr, (StringImm, DataTypeImm)):
        return expr.value
    if isinstance(expr, ShapeExpr) and all(isinstance(d, IntImm) for d in expr.values):
        return tuple(int(d.value) for d in expr.values)
    if isinstance(expr, Tuple) and not any(isinstance(f, (Constant, Tuple)) for f in expr.fields):
        missing = object()  # a tuple of constant PrimValues (strided_slice's begin, ...) as a tuple
        values = tuple(constant_value(f, missing) for f in expr.fields)
        if all(v is not missing for v in values):
            return values
    if default is _NO_VALUE:
        raise IRError(f"{getattr(expr, 'type_key', type(expr).__name__)} is not a constant argument value")
    return default


# ---------------------------------------------------------------------------------------------
# registration and lookup
# ---------------------------------------------------------------------------------------------
def _default_path(name: str) -> str:
    return name[len("relax."):] if name.startswith("relax.") else name


def define_op(
    name: str,
    *,
    args: Sequence[Arg | str] = ("x",),
    attrs: Sequence[Attr] = (),
    infer: InferFn,
    legalize: Callable | None = None,
    numpy_ref: Callable | None = None,
    pure: bool = True,
    runtime: str | None = None,
    script_name: str | None = None,
    legalize_name: str | None = None,
    normalize_attrs: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    normalize_args: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    doc: str = "",
) -> OpEntry:
    """Register the op `name` from its one entry and return the OpEntry (see the module doc).

    `args` are Arg specs (a plain string is a tensor argument of that name); `script_name`
    is the dotted name under `R` (default: `name` without the "relax." prefix). Redefining a
    registered name is an error."""
    if name in _BY_NAME:
        raise IRError(f"operator {name!r} is already defined")
    path = script_name[2:] if script_name and script_name.startswith("R.") else (script_name or _default_path(name))
    _check_path_free(path)
    arg_specs = tuple(Arg(a) if isinstance(a, str) else a for a in args)
    _check_signature(name, arg_specs, attrs)
    entry = OpEntry(name, path, arg_specs, attrs, pure, infer, legalize,
                    legalize_name or path.rsplit(".", 1)[-1], runtime, numpy_ref, normalize_attrs, doc)
    entry.normalize_args = normalize_args
    entry.op = register_op(
        name, infer_struct_info=entry.infer_call, legalize=legalize, numpy_ref=numpy_ref, pure=pure,
        script_name=entry.script_name, entry=entry, dialect="relax", runtime=runtime,
    )
    entry.builder = _make_builder(entry)
    _BY_NAME[name] = entry
    _BY_PATH[path] = entry
    parts = path.split(".")
    for i in range(1, len(parts)):
        _NAMESPACES.add(".".join(parts[:i]))
    return entry


def _check_path_free(path: str) -> None:
    taken = _BY_PATH.get(path)
    if taken is not None:
        raise IRError(f"the script name R.{path} is already taken by "
                      f"{taken.name if isinstance(taken, OpEntry) else taken.script_name!r}")


def _check_signature(name: str, args: Sequence[Arg], attrs: Sequence[Attr]) -> None:
    names = [a.name for a in args] + [a.name for a in attrs]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise IRError(f"operator {name!r}: duplicate argument name(s) {sorted(dup)}")
    if sum(a.variadic for a in args) > 1:
        raise IRError(f"operator {name!r}: at most one variadic argument")
    if any(a.variadic for a in args) and any(a.optional for a in args):
        raise IRError(f"operator {name!r}: a variadic argument and optional arguments do not mix")
    seen_default = False
    seen_optional = False
    for a in args:
        if seen_optional and not a.optional:
            raise IRError(f"operator {name!r}: argument {a.name!r} follows an optional argument; "
                          "optional arguments (default None) come last")
        seen_optional = seen_optional or a.optional
        if a.kw_only or a.variadic:
            continue
        if a.has_default:
            seen_default = True
        elif seen_default:
            raise IRError(f"operator {name!r}: argument {a.name!r} without a default follows one with a default")


def _make_builder(entry: OpEntry) -> Callable[..., Call]:
    def builder(*args: Any, **kwargs: Any) -> Call:
        return entry.make_call(args, kwargs)

    short = entry.path.rsplit(".", 1)[-1]
    builder.__name__ = short
    builder.__qualname__ = short
    builder.__doc__ = entry.doc or f"{entry.script_name}: build a call of the Relax operator {entry.name}."
    builder.__signature__ = _signature(entry)  # type: ignore[attr-defined]
    builder.entry = entry  # type: ignore[attr-defined]
    return builder


def _signature(entry: OpEntry) -> inspect.Signature:
    P = inspect.Parameter
    params = []
    kw_only = []
    for a in entry.args:
        if a.variadic:
            params.append(P(a.name, P.VAR_POSITIONAL))
        elif a.kw_only:
            kw_only.append(P(a.name, P.KEYWORD_ONLY, default=a.default if a.has_default else P.empty))
        else:
            params.append(P(a.name, P.POSITIONAL_OR_KEYWORD, default=a.default if a.has_default else P.empty))
    kind = P.KEYWORD_ONLY if entry._variadic >= 0 else P.POSITIONAL_OR_KEYWORD
    for at in entry.attrs:
        default = P.empty if at.required else at.type.script_value(at.default)
        (kw_only if kind is P.KEYWORD_ONLY else params).append(P(at.name, kind, default=default))
    try:
        return inspect.Signature(params + kw_only)
    except ValueError:  # a required attr after a default: show the attrs as keyword-only
        fixed = [p.replace(kind=P.KEYWORD_ONLY) if any(p.name == at.name for at in entry.attrs) else p
                 for p in params]
        return inspect.Signature([p for p in fixed if p.kind is not P.KEYWORD_ONLY]
                                 + [p for p in fixed if p.kind is P.KEYWORD_ONLY] + kw_only)


class ScriptFunction:
    """A script-level helper `R.<path>(...)`: a Python function `fn` that builds Relax
    expressions from registered ops (see the module doc). `builder` is `fn` itself."""

    __slots__ = ("path", "script_name", "fn", "doc", "_signature")

    def __init__(self, path: str, fn: Callable[..., RelaxExpr], doc: str) -> None:
        self.path = path
        self.script_name = f"R.{path}"
        self.fn = fn
        self.doc = doc or (fn.__doc__ or "")
        self._signature = inspect.signature(fn)

    @property
    def builder(self) -> Callable[..., RelaxExpr]:
        return self.fn

    def __repr__(self) -> str:
        return f"ScriptFunction({self.script_name!r})"

    def __call__(self, *args: Any, **kwargs: Any) -> RelaxExpr:
        return self.make_call(args, kwargs)

    def make_call(self, args: Sequence[Any], kwargs: dict[str, Any], span: Any = None) -> RelaxExpr:
        """`fn(*args, **kwargs)`; arguments that do not bind are an IRError naming the helper. The
        span goes to the outermost expression built."""
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise IRError(f"{self.script_name}: {e}") from None
        result = self.fn(*bound.args, **bound.kwargs)
        if span is not None and isinstance(result, RelaxExpr):
            from irscript.ir.node import replace

            result = replace(result, span=span)
        return result


def define_script_function(path: str, fn: Callable[..., RelaxExpr], doc: str = "") -> ScriptFunction:
    """Register the helper `fn` under the script name `R.<path>` ("nn.linear"). The name must not
    be taken by an op or another helper."""
    path = path[2:] if path.startswith("R.") else path
    _check_path_free(path)
    helper = ScriptFunction(path, fn, doc)
    _BY_PATH[path] = helper
    parts = path.split(".")
    for i in range(1, len(parts)):
        _NAMESPACES.add(".".join(parts[:i]))
    return helper


def get_entry(op: Any) -> OpEntry | None:
    """The entry of an Op (or of an op name), or None for ops without one (call_tir, ...)."""
    if isinstance(op, Op):
        return _BY_NAME.get(op.name)
    if isinstance(op, str):
        return _BY_NAME.get(op)
    return None


def lookup_script(path: str) -> OpEntry | ScriptFunction | None:
    """The entry spelled `R.<path>` in scripts ("add", "nn.relu", "image.resize2d"), a script
    function ("nn.linear"), or None. Both have `make_call(args, kwargs, span)`."""
    return _BY_PATH.get(path[2:] if path.startswith("R.") else path)


def script_namespaces() -> frozenset[str]:
    """The dotted prefixes that are namespaces under `R` ("nn", "image", ...)."""
    return frozenset(_NAMESPACES)


def registered_entries() -> list[OpEntry]:
    """Every defined op entry, in definition order."""
    return list(_BY_NAME.values())


def call_from_script(path: str, args: Sequence[Any], kwargs: dict[str, Any], span: Any = None) -> RelaxExpr:
    """`R.<path>(*args, **kwargs)` as a Call (an expression, for a script function); IRError for
    an unknown op or bad arguments."""
    entry = lookup_script(path)
    if entry is None:
        raise IRError(f"R.{path} is not a registered operator")
    return entry.make_call(args, kwargs, span)
