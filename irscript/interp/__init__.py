"""irscript.interp: the reference interpreter — run any IRModule on numpy arrays.

    import irscript.interp as interp
    out = interp.run(mod, "main", x, w)                 # or irscript.run(...)
    out = interp.Interpreter(mod)["main"](x, w)

    @interp.register_func("my.lib.gemm")                # R.call_dps_packed / R.call_packed / R.ExternFunc
    def gemm(a, b, out): np.matmul(a, b, out=out)

    @interp.register_extern("my_clamp")                 # T.call_extern("float32", "my_clamp", x)
    def my_clamp(x): return min(max(x, 0), 1)

Relax: bindings run in order over numpy values, each checked against its
var's struct info; `match_cast` checks and binds symbolic vars; `call_tir`
allocates outputs from `out_sinfo` and runs the PrimFunc in the TIR
interpreter; registered ops run through their numpy references; library
functions come from `register_func`. A Relax function's arguments are checked
against its signature, the caller's arrays are never modified, results are
numpy arrays (tuples for tuples). A PrimFunc called directly runs in
destination-passing style on the given arrays.

TIR semantics (both the scalar and the vectorized path):

* values are numpy scalars of their exact dtype; int/uint arithmetic wraps
  (two's complement, int64 too); float16 / bfloat16 / float8 values are numpy /
  ml_dtypes scalars and round in their dtype (their math runs in float32);
* `//` (`FloorDiv`) and `%` (`FloorMod`) round toward minus infinity;
  `T.truncdiv` / `T.truncmod` (`Div` / `Mod` on integers) toward zero; on
  floats `Div` is true division, `Mod` C's fmod, `FloorMod` `a - floor(a/b)*b`;
  integer division by zero is an ExecutionError, float division gives inf/nan;
* casts are numpy's `astype`: float to int truncates toward zero; an
  out-of-range or NaN float-to-int cast (undefined in C) gives what numpy gives
  on the host (on x86, the minimum integer); int to narrower int wraps;
* `Min` / `Max` on floats are `np.minimum` / `np.maximum` (NaN propagates);
  `T.round` rounds half to even; `T.erf` is `math.erf` in float64, rounded;
* `T.if_then_else`, `And`, `Or` evaluate their lazy operand only where needed;
  `Select` evaluates both sides;
* loops of every kind run sequentially in order; allocations are zero-filled;
* an out-of-bounds access, a failed `T.Assert`, an iter var outside its
  domain: an ExecutionError naming the buffer / indices / values and carrying
  the IR path of the statement.

Loop nests the vectorizer proves safe run as numpy array operations with
bit-identical results (`tir_vectorize` states the rule).

Extension points (one per dialect, see `registry`): `register_tir`,
`register_intrinsic`, `register_tir_call`, `register_relax`,
`register_relax_op`.

Modules: `values` (runtime values, dtype helpers), `errors`, `registry`,
`tir_core` (closure compiler), `tir_expr` / `tir_intrinsics` / `tir_stmt`
(TIR handlers), `tir_memory` (buffers as views of memory), `tir_func`
(PrimFunc calls), `tir_vectorize` (the fast path), `relax_match` (struct info
checks), `relax` / `relax_ops` (Relax handlers), `interpreter` (the API).
"""

from irscript.interp.interpreter import Interpreter, run
from irscript.interp.registry import (
    register_extern,
    register_func,
    register_intrinsic,
    register_relax,
    register_relax_op,
    register_tir,
    register_tir_call,
)
from irscript.interp.tir_func import run_prim_func
from irscript.interp.values import ShapeTuple

__all__ = [
    "Interpreter", "ShapeTuple", "register_extern", "register_func", "register_intrinsic", "register_relax",
    "register_relax_op", "register_tir", "register_tir_call", "run", "run_prim_func",
]
