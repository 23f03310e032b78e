"""Hypothesis strategies that generate small, random, WELL-FORMED IR with node constructors.

Well-formed means: every variable and buffer used is defined in scope (loop
vars inside their loop, block bodies use only their block's iter vars plus
function-level vars, Relax dataflow vars stay in their block, symbolic dims
are defined by a parameter's struct info, a buffer shape or a MatchCast),
dtypes are consistent (integer indices, stored values of the buffer's dtype),
names are plausible, and inside a module every `call_tir` matches its
PrimFunc's signature. It is also canonical (what the IRBuilder builds), so
`parse(print(m))` gives it back exactly. Sizes are small so examples are
fast; over a few hundred examples every node type of the core dialects appears.

    prim_exprs(vars, dtype)       TIR expressions over the given vars (and buffers)
    tir_stmts(vars, buffers)      TIR statements over the given vars and buffers
    prim_funcs()                  PrimFuncs: symbolic buffer shapes, loops of every kind, blocks, ...
    relax_functions(gvars)        Relax functions: dataflow blocks, call_tir, match_cast, if, constants
    ir_modules()                  IRModules mixing both; call_tir names module PrimFuncs by GlobalVar
    gen_module(source)            the module ir_modules draws, from a Source (replay one by its seed)
    numpy_arrays()                numpy arrays of many dtypes (float16, bfloat16, float8, bool, ints)

The generators themselves (`irscript.testing.gen_tir`, `gen_relax`) are
plain functions of a `Source` of random choices seeded by one hypothesis
draw, so a whole module costs one draw (fast; failures replay from the seed
but do not shrink inside the module).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from irscript import relax, tir
from irscript.ir import DataType, GlobalVar, IRModule
from irscript.testing.gen_relax import ARRAY_DTYPES, any_of, gen_array, gen_relax_function
from irscript.testing.gen_tir import INDEX_DTYPES, TirScope, gen_expr, gen_kernel, gen_prim_func, gen_stmt
from irscript.testing.source import Source

__all__ = [
    "ARRAY_DTYPES", "SETTINGS", "TirScope", "gen_module", "ir_modules", "numpy_arrays", "prim_exprs", "prim_funcs",
    "relax_functions", "tir_stmts",
]

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Settings for tests that draw whole functions or modules (no deadline; big draws are fine)."""


def _index_dtype(vars: Sequence[tir.Var]) -> DataType:
    return next((v.dtype for v in vars if v.dtype in INDEX_DTYPES), INDEX_DTYPES[0])


@st.composite
def prim_exprs(
    draw: Any, vars: Sequence[tir.Var] = (), dtype: Any = "int32", *,
    buffers: Sequence[tir.Buffer] = (), max_depth: int = 3,
) -> tir.PrimExpr:
    """TIR expressions of `dtype` (scalar or vector) that use only `vars` and `buffers`."""
    src = Source(draw)
    return gen_expr(src, TirScope(_index_dtype(vars), vars, buffers), DataType(dtype), max_depth)


@st.composite
def tir_stmts(
    draw: Any, vars: Sequence[tir.Var] = (), buffers: Sequence[tir.Buffer] = (), *, max_depth: int = 3,
) -> tir.Stmt:
    """TIR statements that use only `vars` and `buffers` (and what they define themselves)."""
    return gen_stmt(Source(draw), TirScope(_index_dtype(vars), vars, buffers), max_depth)


@st.composite
def prim_funcs(draw: Any, name: str = "main", max_depth: int = 3) -> tir.PrimFunc:
    """PrimFuncs: buffer params with symbolic shapes (+ a scalar param), and a body with loops
    of every kind, blocks (iter vars, reads/writes, init, predicate, alloc and match buffers),
    stores and loads, if/let/assert/attr/while, allocations and declared buffers."""
    return gen_prim_func(Source(draw), name, max_depth)


@st.composite
def numpy_arrays(draw: Any, dtypes: Sequence[str] = ARRAY_DTYPES, max_elems: int = 6) -> np.ndarray:
    """Small numpy arrays (0-d, empty, 1-d, 2-d) of `dtypes` with arbitrary bit patterns."""
    src = Source(draw)
    return gen_array(src, src.pick(dtypes), max_elems)


@st.composite
def relax_functions(draw: Any, gvars: Sequence[GlobalVar] | None = None, name: str = "main") -> relax.Function:
    """Relax functions: params with symbolic dims shared across params; dataflow and plain
    blocks of VarBindings (tuples, tuple items, shapes, prim values, strings, dtypes, numpy
    constants, call_tir / call_tir_inplace into `gvars` with explicit out struct info, packed
    calls, if/else with SeqExpr branches) and MatchCasts that bind new symbolic dims."""
    src = Source(draw)
    if not gvars:
        gvars = [GlobalVar(src.pick(("add", "matmul", "relu")))]
    return gen_relax_function(src, any_of(gvars), name)


_KERNEL_NAMES = ("matmul", "add", "relu", "softmax", "reduce_sum", "transpose", "layer_norm", "gelu")


class _Kernels:
    """The PrimFuncs of a module being generated, made on demand for each call_tir signature
    (and sometimes reused by a later call with the same signature)."""

    def __init__(self) -> None:
        self.funcs: dict[GlobalVar, tir.PrimFunc] = {}
        self.by_signature: dict[Any, GlobalVar] = {}

    def name(self, src: Source) -> str:
        base = src.pick(_KERNEL_NAMES)
        taken = {gv.name_hint for gv in self.funcs}
        return next(n for n in [base] + [f"{base}{k}" for k in range(1, len(taken) + 2)] if n not in taken)

    def __call__(self, src: Source, tensors: list, n_scalars: int) -> GlobalVar:
        key = _signature(tensors, n_scalars)
        gv = self.by_signature.get(key)
        if gv is not None and src.bool():
            return gv
        gv = GlobalVar(self.name(src))
        self.funcs[gv] = gen_kernel(src, gv.name_hint, tensors, n_scalars)
        self.by_signature[key] = gv
        return gv


def _signature(tensors: list, n_scalars: int) -> Any:
    """A key equal for signatures one kernel can serve: same dtypes, constant dims and pattern of
    repeated symbolic dims (a compound dim such as `n * 2` never matches)."""
    seen: dict[int, int] = {}
    key: list[Any] = [n_scalars]
    for sinfo in tensors:
        dims = []
        for d in sinfo.values:
            if isinstance(d, tir.IntImm):
                dims.append(d.value)
            elif isinstance(d, tir.Var):
                dims.append(("v", seen.setdefault(id(d), len(seen))))
            else:
                dims.append(("e", id(d)))
        key.append((str(sinfo.dtype), tuple(dims)))
    return tuple(key)


@st.composite
def ir_modules(draw: Any, max_prim_funcs: int = 2, max_relax_functions: int = 2) -> IRModule:
    """IRModules of Relax functions (0..`max_relax_functions`), the PrimFuncs their call_tir
    calls need (named by the same GlobalVar objects the calls use) and 0..`max_prim_funcs`
    further PrimFuncs; at least one function. Function order is shuffled."""
    return gen_module(Source(draw), max_prim_funcs, max_relax_functions)


def gen_module(src: Source, max_prim_funcs: int = 2, max_relax_functions: int = 2) -> IRModule:
    """The module `ir_modules` draws, from a `Source` (for replaying one example by its seed)."""
    kernels = _Kernels()
    relax_funcs = {}
    for i in range(src.int(0, max_relax_functions)):
        name = "main" if i == 0 else f"forward{i}"
        relax_funcs[GlobalVar(name)] = gen_relax_function(src, kernels, name)
    items = list(relax_funcs.items()) + list(kernels.funcs.items())
    for _ in range(src.int(0 if items else 1, max_prim_funcs)):
        gv = GlobalVar(kernels.name(src))
        kernels.funcs[gv] = gen_prim_func(src, gv.name_hint, max_depth=2)
        items.append((gv, kernels.funcs[gv]))
    order = src.permutation(len(items))
    attrs = {} if src.bool() else {"system_lib_prefix": "lib_", "opt_level": 2}
    return IRModule({items[i][0]: items[i][1] for i in order}, attrs)
