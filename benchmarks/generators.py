"""Realistic large IR for the benchmarks, built with node constructors.

    build_prim_funcs_module(n=1000)        n PrimFuncs (fused matmul, elementwise, reduction
                                           kernels of ~30 printed lines each: blocks in T.grid
                                           loops with reads/writes, init, alloc_buffers)
    build_relax_bindings_function(n=10000) a Relax function whose dataflow block has n bindings
                                           (call_tir into a few kernels over a symbolic batch dim,
                                           with tuple, tuple-item and match_cast bindings)
    build_relax_module(n=10000)            that function in an IRModule with its kernels

Names and sizes vary with the function index so no two functions are alike.
The builders use node constructors directly (the IRBuilder may replace them
later: keep these signatures).
"""

from __future__ import annotations

from collections.abc import Sequence

from irscript import relax, tir
from irscript.ir import GlobalVar, IRModule, Range
from irscript.relax.op import call_tir

F32 = "float32"
_ZERO = 0.0
_SIZES = (16, 32, 48, 64, 96, 128, 256)


# ---------------------------------------------------------------------------------------------
# TIR kernels
# ---------------------------------------------------------------------------------------------
def _buffer(name: str, shape: Sequence[object], dtype: str = F32) -> tir.Buffer:
    return tir.Buffer(None, dtype, shape, name=name)


def _block_nest(name: str, extents: Sequence[object], kinds: str, make_body, alloc=()) -> tir.Stmt:
    """`for ... in T.grid(extents): with T.block(name): v... = T.axis.remap(kinds, ...)` around
    the block that `make_body(block_vars)` returns as (reads, writes, body, init)."""
    extents = [tir.op.convert(e) for e in extents]
    loops = [tir.Var(f"i{k}", e.dtype) for k, e in enumerate(extents)]
    vs = [tir.Var(f"v_{name.lower()}{k}", e.dtype) for k, e in enumerate(extents)]
    iter_vars = tuple(
        tir.IterVar(Range(tir.IntImm(e.dtype, 0), e), v,
                    tir.IterVarType.COMM_REDUCE if kind == "R" else tir.IterVarType.DATA_PAR)
        for e, v, kind in zip(extents, vs, kinds)
    )
    reads, writes, body, init_stmt = make_body(vs)
    block = tir.Block(iter_vars, tuple(reads), tuple(writes), name, body, init_stmt, tuple(alloc))
    stmt: tir.Stmt = tir.BlockRealize(tuple(loops), tir.IntImm("bool", 1), block)
    for loop, extent in reversed(list(zip(loops, extents))):
        stmt = tir.For(loop, tir.IntImm(extent.dtype, 0), extent, tir.ForKind.SERIAL, stmt)
    return stmt


def _point(buf: tir.Buffer, idx: Sequence[tir.PrimExpr]) -> tir.BufferRegion:
    return tir.BufferRegion.from_indices(buf, tuple(idx))


def _root(name: str, params: dict[tir.Var, tir.Buffer], stmts: list[tir.Stmt], alloc=()) -> tir.PrimFunc:
    """The PrimFunc with a root block allocating `alloc` around `stmts`."""
    root = tir.Block((), (), (), "root", tir.SeqStmt.flatten(stmts), None, tuple(alloc))
    body = tir.BlockRealize((), tir.IntImm("bool", 1), root)
    return tir.PrimFunc(tuple(params), body, "void", params, {"global_symbol": name, "tir.noalias": True})


def matmul_bias_relu(name: str, m: int, n: int, k: int) -> tir.PrimFunc:
    """C = relu(A @ B + bias) through an intermediate buffer: three blocks."""
    A, B, bias, C = _buffer("A", (m, k)), _buffer("B", (k, n)), _buffer("bias", (n,)), _buffer("C", (m, n))
    T = _buffer("matmul", (m, n))
    params = {tir.Var(b.name.lower(), "handle"): b for b in (A, B, bias, C)}

    def mm(v):
        i, j, r = v
        return ([_point(A, (i, r)), _point(B, (r, j))], [_point(T, (i, j))],
                tir.BufferStore(T, T[i, j] + A[i, r] * B[r, j], (i, j)), tir.BufferStore(T, _ZERO, (i, j)))

    def add_bias(v):
        i, j = v
        return ([_point(T, (i, j)), _point(bias, (j,))], [_point(T, (i, j))],
                tir.BufferStore(T, T[i, j] + bias[j], (i, j)), None)

    def relu(v):
        i, j = v
        return ([_point(T, (i, j))], [_point(C, (i, j))], tir.BufferStore(C, tir.op.max(T[i, j], _ZERO), (i, j)), None)

    stmts = [_block_nest("matmul", (m, n, k), "SSR", mm), _block_nest("bias_add", (m, n), "SS", add_bias),
             _block_nest("relu", (m, n), "SS", relu)]
    return _root(name, params, stmts, alloc=(T,))


def elementwise(name: str, m: int, n: int) -> tir.PrimFunc:
    """D = exp(A + B) * scale, with a clipped variant: three blocks."""
    A, B, D = _buffer("A", (m, n)), _buffer("B", (m, n)), _buffer("D", (m, n))
    S = _buffer("sum", (m, n))
    E = _buffer("exp", (m, n))
    params = {tir.Var(b.name.lower(), "handle"): b for b in (A, B, D)}

    def add(v):
        i, j = v
        return [_point(A, (i, j)), _point(B, (i, j))], [_point(S, (i, j))], tir.BufferStore(S, A[i, j] + B[i, j], (i, j)), None

    def exp(v):
        i, j = v
        return [_point(S, (i, j))], [_point(E, (i, j))], tir.BufferStore(E, tir.op.exp(S[i, j]), (i, j)), None

    def scale(v):
        i, j = v
        value = tir.op.min(E[i, j] * 0.5, 6.0)
        return [_point(E, (i, j))], [_point(D, (i, j))], tir.BufferStore(D, value, (i, j)), None

    stmts = [_block_nest("add", (m, n), "SS", add), _block_nest("exp", (m, n), "SS", exp),
             _block_nest("scale", (m, n), "SS", scale)]
    return _root(name, params, stmts, alloc=(S, E))


def reduction(name: str, m: int, n: int) -> tir.PrimFunc:
    """Row mean and variance (two reductions with init, two elementwise blocks)."""
    A, mean, var = _buffer("A", (m, n)), _buffer("mean", (m,)), _buffer("var", (m,))
    total, sq = _buffer("total", (m,)), _buffer("sq", (m,))
    params = {tir.Var(b.name.lower(), "handle"): b for b in (A, mean, var)}

    def row_sum(v):
        i, r = v
        return ([_point(A, (i, r))], [_point(total, (i,))],
                tir.BufferStore(total, total[i] + A[i, r], (i,)), tir.BufferStore(total, _ZERO, (i,)))

    def row_sq(v):
        i, r = v
        return ([_point(A, (i, r))], [_point(sq, (i,))],
                tir.BufferStore(sq, sq[i] + A[i, r] * A[i, r], (i,)), tir.BufferStore(sq, _ZERO, (i,)))

    def div(v):
        (i,) = v
        return [_point(total, (i,))], [_point(mean, (i,))], tir.BufferStore(mean, total[i] * (1.0 / n), (i,)), None

    def variance(v):
        (i,) = v
        value = sq[i] * (1.0 / n) - mean[i] * mean[i]
        return [_point(sq, (i,)), _point(mean, (i,))], [_point(var, (i,))], tir.BufferStore(var, value, (i,)), None

    stmts = [_block_nest("sum", (m, n), "SR", row_sum), _block_nest("sum_sq", (m, n), "SR", row_sq),
             _block_nest("mean", (m,), "S", div), _block_nest("var", (m,), "S", variance)]
    return _root(name, params, stmts, alloc=(total, sq))


_KINDS = (("fused_matmul", 3), ("elementwise", 2), ("reduce_mean_var", 2))


def _kernel(i: int) -> tuple[str, tir.PrimFunc]:
    kind, _ = _KINDS[i % len(_KINDS)]
    a, b, c = (_SIZES[(i + k * 3) % len(_SIZES)] for k in range(3))
    name = f"{kind}_{i}"
    if kind == "fused_matmul":
        return name, matmul_bias_relu(name, a, b, c)
    if kind == "elementwise":
        return name, elementwise(name, a, b)
    return name, reduction(name, a, b)


def build_prim_funcs_module(n: int = 1000) -> IRModule:
    """An IRModule of `n` PrimFuncs cycling through fused matmul, elementwise and reduction
    kernels of varying sizes."""
    return IRModule(dict(_kernel(i) for i in range(n)))


# ---------------------------------------------------------------------------------------------
# Relax
# ---------------------------------------------------------------------------------------------
def _batched_kernel(name: str, n: tir.Var, width: int, ninputs: int) -> tir.PrimFunc:
    """out[b, j] = sum of inputs[b, j] over a symbolic batch dim `n` (one block)."""
    ins = [_buffer(f"x{k}", (n, width)) for k in range(ninputs)]
    out = _buffer("out", (n, width))
    params = {tir.Var(b.name, "handle"): b for b in ins + [out]}

    def body(v):
        b, j = v
        value = ins[0][b, j]
        for buf in ins[1:]:
            value = value + buf[b, j]
        return [_point(x, (b, j)) for x in ins], [_point(out, (b, j))], tir.BufferStore(out, value, (b, j)), None

    return _root(name, params, [_block_nest("compute", (n, width), "SS", body)])


def relax_kernels(width: int = 64) -> dict[GlobalVar, tir.PrimFunc]:
    """The kernels the Relax benchmark function calls: unary, binary and ternary."""
    out = {}
    for name, ninputs in (("unary", 1), ("binary", 2), ("ternary", 3)):
        n = tir.SizeVar("n", "int64")
        out[GlobalVar(name)] = _batched_kernel(name, n, width, ninputs)
    return out


def build_relax_bindings_function(
    n: int = 10000, kernels: Sequence[GlobalVar] | None = None, width: int = 64
) -> relax.Function:
    """`main(x: R.Tensor((n, width)))` with one dataflow block of `n` bindings: mostly call_tir
    into `kernels` (unary/binary/ternary by position), every 10th a tuple of two earlier values,
    every 10th+1 an item of that tuple, every 50th a match_cast to a fresh symbolic dim."""
    gvars = list(kernels) if kernels is not None else [GlobalVar(g) for g in ("unary", "binary", "ternary")]
    batch = tir.Var("n", "int64")
    sinfo = relax.TensorStructInfo((batch, width), F32)
    x = relax.Var("x", sinfo)
    values: list[relax.Var] = [x]
    bindings: list = []
    while len(bindings) < n - 1:
        i = len(bindings)
        var = relax.DataflowVar(f"lv{i}", sinfo)
        if i % 10 == 0 and len(values) > 2:  # a tuple (not a tensor: not passed to kernels)
            pair = relax.Tuple([values[-1], values[-2]])
            bindings.append(relax.VarBinding(relax.DataflowVar(f"lv{i}", pair.struct_info), pair))
            continue
        if i % 10 == 1 and isinstance(bindings[-1].var.struct_info, relax.TupleStructInfo):
            bindings.append(relax.VarBinding(var, relax.TupleGetItem(bindings[-1].var, 0, sinfo)))
        elif i % 50 == 2:  # to a fresh dim and back
            k = tir.Var(f"k{i}", "int64")
            cast = relax.TensorStructInfo((k, width), F32)
            bindings.append(relax.MatchCast(relax.DataflowVar(f"lv{i}", cast), values[-1], cast))
            if len(bindings) == n - 1:
                break
            bindings.append(relax.MatchCast(var, bindings[-1].var, sinfo))
        else:
            arity = 1 + i % 3
            args = [values[-1 - (k * 7) % len(values)] for k in range(arity)]
            bindings.append(relax.VarBinding(var, call_tir(gvars[arity - 1], args, sinfo)))
        values.append(var)
    result = relax.Var("gv", sinfo)
    bindings.append(relax.VarBinding(result, call_tir(gvars[0], [values[-1]], sinfo)))
    body = relax.SeqExpr([relax.DataflowBlock(bindings)], result)
    return relax.Function((x,), body, sinfo, True, {"global_symbol": "main"})


def build_relax_module(n: int = 10000, width: int = 64) -> IRModule:
    """`build_relax_bindings_function(n)` as `main` next to the kernels it calls."""
    kernels = relax_kernels(width)
    main = build_relax_bindings_function(n, list(kernels), width)
    return IRModule({**kernels, GlobalVar("main"): main})
