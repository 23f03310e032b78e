"""TIR buffers -> Doc: uses (`A`), regions (`A[i, 0:16]`) and declarations
(`T.Buffer(...)` parameters, `T.match_buffer`, `T.alloc_buffer`, `T.decl_buffer`).

A declaration prints only what the builder would not rebuild by default: the
dtype (always in `T.Buffer`, otherwise unless "float32"), `data=` (unless the
data var is a new handle of the buffer's dtype and scope, which the builder
makes), `strides=`, `elem_offset=` (unless 0 in the index dtype, or a new var
that `offset_factor=` makes), `scope=`, `align=`, `offset_factor=`,
`axis_separators=`. Vars that the buffer defines (new symbolic dims, strides,
offsets) are declared just before it (`n = T.int64()`), as TVM prints them.
A buffer's implicit data var prints as `A.data`.
"""

from __future__ import annotations

from typing import Any

from irscript.doc import nodes as D
from irscript.ir.dtype import DataType
from irscript.ir.expr import Range
from irscript.ir.functor import pre_order
from irscript.printer.core import IRDocsifier, register
from irscript.printer.tir_expr import INT32, TIR, declare_var, explicit_int, stop_doc, var_creation
from irscript.tir import expr as E
from irscript.tir.buffer import DEFAULT_ALIGNMENT, Buffer, BufferRegion, MatchBufferRegion

FLOAT32 = DataType("float32")
HANDLE = DataType("handle")


def buffer_doc(p: IRDocsifier, buf: Buffer) -> D.Expr:
    """A use of a buffer (an undefined one is named once and reported)."""
    name = p.names.get(buf)
    if name is None:
        name = p.undefined(buf, buf.name, lambda n: _declare_free_buffer(p, buf, n))
    return D.Name(name)


register(Buffer)(buffer_doc)


def _declare_free_buffer(p: IRDocsifier, buf: Buffer, name: str) -> D.Stmt:
    outer = p.body
    p.body = p.preamble  # the vars it defines are declared before it
    args, kwargs = buffer_args(p, buf, "param", name)
    p.body = outer
    return D.Assign(D.Name(name), p.call(TIR, "Buffer", args, kwargs))


def index_dtype(buf: Buffer) -> DataType:
    return buf.shape[0].dtype if buf.shape else INT32


def _is_new_var(p: IRDocsifier, e: Any) -> bool:
    return type(e) in (E.Var, E.SizeVar) and p.names.get(e) is None


def _implicit_data(p: IRDocsifier, buf: Buffer) -> bool:
    """Whether the builder's default data var (a new handle to dtype in scope) stands for it."""
    data = buf.data
    ann = data.type_annotation
    return (type(data) is E.Var and data.dtype is HANDLE and ann is not None
            and ann.element_type is buf.dtype and p.names.get(data) is None)


def _implicit_offset(p: IRDocsifier, buf: Buffer) -> bool:
    """Whether `offset_factor=` alone rebuilds the elem_offset (a new var of the index dtype)."""
    off = buf.elem_offset
    return type(off) is E.Var and off.dtype is index_dtype(buf) and p.names.get(off) is None


def declare_new_vars(p: IRDocsifier, buf: Buffer, skip: Any = None) -> None:
    """Declare (into p.body) the vars first defined by the buffer's shape, strides and offset
    (all but an offset that `offset_factor=` makes). Idempotent: call it before naming the buffer
    so that names number in text order."""
    if skip is None and _implicit_offset(p, buf):
        skip = buf.elem_offset
    for e in (*buf.shape, *buf.strides, buf.elem_offset):
        if e is skip or type(e) is E.IntImm:
            continue
        if type(e) in (E.Var, E.SizeVar):
            if p.names.get(e) is None:
                p.body.append(declare_var(p, e, p.define(e, e.name_hint)))
            continue
        for n in pre_order(e):
            if type(n) in (E.Var, E.SizeVar) and p.names.get(n) is None:
                p.body.append(declare_var(p, n, p.define(n, n.name_hint)))


def buffer_args(p: IRDocsifier, buf: Buffer, kind: str, name: str,
                data: D.Expr | None = None) -> tuple[list[D.Expr], list[tuple[str, D.Expr]]]:
    """Arguments of `T.Buffer` (kind "param"), `T.match_buffer` ("match"), `T.alloc_buffer`
    ("alloc") or `T.decl_buffer` ("decl", with the `data` doc or None for an allocating one)
    that rebuild `buf` named `name`; declares the new vars it defines first."""
    implicit_offset = _implicit_offset(p, buf)
    declare_new_vars(p, buf, buf.elem_offset if implicit_offset else None)
    args: list[D.Expr] = [D.Tuple([p.expr(d) for d in buf.shape])]
    if kind == "param" or buf.dtype is not FLOAT32:
        args.append(D.Literal(str(buf.dtype)))
    kwargs: list[tuple[str, D.Expr]] = []
    implicit = False
    if kind == "decl":
        implicit = data is None
        if data is not None:
            kwargs.append(("data", data))
    elif _implicit_data(p, buf):
        implicit = True
    else:
        kwargs.append(("data", _data_doc(p, buf, name)))
    if implicit:
        p.names.define_as(buf.data, f"{name}.data")
    if buf.strides:
        kwargs.append(("strides", D.Tuple([p.expr(s) for s in buf.strides])))
    off = buf.elem_offset
    if implicit_offset:
        p.names.define_as(off, f"{name}.elem_offset")
    elif not (type(off) is E.IntImm and off.value == 0 and off.dtype is index_dtype(buf) and buf.offset_factor == 1):
        kwargs.append(("elem_offset", explicit_int(p, off) if type(off) is E.IntImm else p.expr(off)))
    if implicit:
        scope = buf.data.type_annotation.storage_scope
        if scope != "global":
            kwargs.append(("scope", D.Literal(scope)))
    if buf.data_alignment != DEFAULT_ALIGNMENT:
        kwargs.append(("align", D.Literal(buf.data_alignment)))
    if buf.offset_factor != 1 or implicit_offset:
        kwargs.append(("offset_factor", D.Literal(buf.offset_factor)))
    if buf.axis_separators:
        kwargs.append(("axis_separators", D.List([D.Literal(a) for a in buf.axis_separators])))
    return args, kwargs


def _data_doc(p: IRDocsifier, buf: Buffer, name: str) -> D.Expr:
    """`data=` of a declaration: the var's name, declaring a new one first if needed."""
    data = buf.data
    known = p.names.get(data)
    if known is not None:
        return D.Name(known)
    var_name = p.define(data, f"{name}_data")
    p.body.append(D.Assign(D.Name(var_name), var_creation(p, data)))
    return D.Name(var_name)


def is_simple_param_buffer(p: IRDocsifier, param: E.Var, buf: Buffer) -> bool:
    """Whether `param: T.Buffer(shape, dtype)` rebuilds the buffer and its handle (TVM's rule:
    constant shape, compact, zero offset, default alignment and offset factor, global scope)."""
    if type(param) is not E.Var or param.type_annotation is not None or param.dtype is not HANDLE:
        return False
    if buf.strides or buf.axis_separators or buf.data_alignment != DEFAULT_ALIGNMENT or buf.offset_factor != 1:
        return False
    off = buf.elem_offset
    if type(off) is not E.IntImm or off.value != 0 or off.dtype is not index_dtype(buf):
        return False
    if any(type(d) is not E.IntImm for d in buf.shape):
        return False
    ann = buf.data.type_annotation
    return _implicit_data(p, buf) and ann.storage_scope == "global" and p.names.get(buf) is None


def define_buffer(p: IRDocsifier, buf: Buffer, hint: str | None = None) -> str:
    """Declare the vars the buffer defines, then name the buffer."""
    declare_new_vars(p, buf)
    return p.define(buf, hint or buf.name)


# ---------------------------------------------------------------------------------------------
# regions
# ---------------------------------------------------------------------------------------------
def range_index(p: IRDocsifier, r: Range) -> D.Expr:
    """One dimension of a region: the index for an extent-1 range, else `start:stop`."""
    lo, ext = r.min, r.extent
    if type(ext) is E.IntImm and ext.value == 1 and ext.dtype is (lo.dtype if lo.dtype.is_integer else INT32):
        return p.expr(lo)
    return D.Slice(p.expr(lo), stop_doc(p, lo, ext))


def region_doc(p: IRDocsifier, region: BufferRegion) -> D.Expr:
    """`A[i, 0:16]`."""
    doc = D.Subscript(buffer_doc(p, region.buffer), [range_index(p, r) for r in region.region])
    p.note(region, doc)
    return doc


register(BufferRegion)(region_doc)


@register(MatchBufferRegion)
def _match_buffer_region(p: IRDocsifier, m: MatchBufferRegion) -> D.Stmt:
    return match_buffer_stmt(p, m)


def match_buffer_stmt(p: IRDocsifier, m: MatchBufferRegion) -> D.Stmt:
    """`B = T.match_buffer(A[i, 0:16], (16,))` inside a block."""
    source = region_doc(p, m.source)
    buf = m.buffer
    name = define_buffer(p, buf)
    args, kwargs = buffer_args(p, buf, "match", name)
    lhs = D.Name(name)
    p.note(buf, lhs)
    return p.emit(D.Assign(lhs, p.call(TIR, "match_buffer", [source, *args], kwargs)))


__all__ = ["buffer_args", "buffer_doc", "declare_new_vars", "define_buffer", "index_dtype",
           "is_simple_param_buffer", "match_buffer_stmt", "range_index", "region_doc"]
