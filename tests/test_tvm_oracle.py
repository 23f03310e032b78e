"""Apache TVM 0.25 as an oracle for irscript's TVM compatibility (docs/tvm-oracle.md).

TVM runs out of process (`irscript.testing.tvm_oracle`; irscript never imports TVM), all of
this file's requests in one batch (the `answers` fixture), so TVM is imported once. Without a
TVM 0.25 Python the file is skipped, and the reason says how to install one.

* Printer compatibility: every IR value the examples define and every IRBuilder model (the
  module and each function alone), printed with syntax="tvm-0.25", parses in TVM; TVM's re-print
  (`mod.script(show_meta=True)`) parses in irscript and is structurally equal to the original.
* Statement forms: the same check on one small kernel per TIR statement form, so that each
  difference shows up as one named case.
* Block access regions: kernels written without T.reads / T.writes. TVM infers the regions
  when it parses and prints them; irscript's parse of that re-print must equal irscript's
  parse of the original, whose regions irscript inferred (irscript/tir/analysis.py).
* Numerics: Relax models compiled by TVM (`tvm.compile(mod, target="llvm")`, relax VM) give
  the results of `irscript.run`.

Known TVM differences are handled where they occur, each with a comment naming it:
`_as_tvm_reprints` (SizeVar parameters), `_irscript_metadata` (TVM's metadata section), and
the values TVM cannot express at all (`NOT_FOR_TVM`, `_refers_to_globals`). Known irscript
bugs are strict xfails (`KNOWN_BUGS`) that name the bug, so each one fails loudly once fixed.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_roundtrip_examples import EXAMPLES, example_ir, load_example

import irscript
from irscript import relax, tir
from irscript.ir import GlobalVar, IRModule, collect, replace, to_json
from irscript.script import ir as I
from irscript.script import relax as R
from irscript.script import tir as T
from irscript.testing.builder_models import all_builder_modules, mlp_module
from irscript.testing.tvm_oracle import (
    ENV_VAR,
    OracleResult,
    ParseRequest,
    RunRequest,
    TVMOracle,
    TVMOracleError,
    find_tvm_python,
)
from irscript.tir.arith.substitute import substitute

TVM_PYTHON = find_tvm_python()
pytestmark = pytest.mark.skipif(
    TVM_PYTHON is None,
    reason="no Python with Apache TVM 0.25: set IRSCRIPT_TVM_PYTHON=/path/to/python, or create "
           "tvm25-venv/ in or next to the repository (python3 -m venv tvm25-venv; tvm25-venv/bin/pip "
           "install apache-tvm==0.25.0 apache-tvm-ffi==0.1.12; see docs/tvm-oracle.md)")

_DECL_BUFFER_SCOPED = ("irscript bug: the tvm-0.25 printer prints a DeclBuffer / LetStmt that has more "
                       "statements after it as `with T.decl_buffer(...) as b:` / `with T.LetStmt(...) as v:`, "
                       "which TVM 0.25 rejects (it has only the flat forms `b = T.decl_buffer(...)`, "
                       "`v: T.int32 = ...`)")
_NONLEAF_BODY = ("irscript normal-form difference (irscript/relax/normalize.py): TVM binds a non-leaf SeqExpr "
                 "body to a fresh var (an If branch's `r = R.add(x, x)` becomes `r_else = R.add(x, x)`, a "
                 "function's `return R.multiply(r, r)` becomes `gv = R.multiply(r, r); return gv`); irscript "
                 "keeps the call as the body, so TVM's re-print has bindings the original lacks")
_KITCHEN_SINK = ("irscript bug: the TIR kitchen sink holds the forms marked below (form:decl_buffer_scoped, "
                 "form:let_stmt_scoped), whose tvm-0.25 print TVM rejects")
KNOWN_BUGS: dict[str, str] = {
    "print:builder1": _KITCHEN_SINK,
    "print:builder1.loops": _KITCHEN_SINK,
    "form:decl_buffer_scoped": _DECL_BUFFER_SCOPED,
    "form:let_stmt_scoped": _DECL_BUFFER_SCOPED,
    "form:allocate": "irscript bug: in TVM 0.25 text a function-level `C = T.alloc_buffer(...)` is an allocation "
                     "statement (TVM prints root-block buffers as `T.sblock_alloc_buffer`); irscript.parse reads it "
                     "as a root block's alloc_buffer, so Allocate+DeclBuffer comes back as a BlockRealize",
    "print:builder2": _NONLEAF_BODY,
    "form:relax_nonleaf_bodies": _NONLEAF_BODY,
    "region:two_iter_vars_one_buffer": "irscript bug (irscript/tir/analysis.py): a region whose bounds do not "
                                       "simplify gets the extent `hi - lo + 1`; TVM builds `hi + 1 - lo` "
                                       "(A[T.min(vi, vj):T.min(vi, vj) + (T.max(vi, vj) + 1 - T.min(vi, vj))])",
    "metadata:direct": "irscript gap: irscript.parse cannot read TVM's metadata section "
                       "`metadata = tvm.ir.load_json(\"\"\"<TVM object-graph JSON>\"\"\")`",
}

# IR that TVM cannot read by design, not by a bug on either side.
NOT_FOR_TVM = {"stencil_dialect": "examples/stencil_dialect.py defines its own dialect `S`, which only irscript knows"}


def _refers_to_globals(node: Any) -> bool:
    """A standalone Relax function that calls module functions: TVM 0.25's script has no spelling
    for a GlobalVar outside a module (TVM prints a bare name, which its own parser rejects;
    irscript prints `I.GlobalVar("f")`), so only the module form of such a function is checked."""
    return isinstance(node, relax.Function) and bool(collect(node, GlobalVar))


def _param(label: str) -> Any:
    reason = KNOWN_BUGS.get(label)
    return pytest.param(label, id=label, marks=pytest.mark.xfail(strict=True, reason=reason)) if reason else label


# ---------------------------------------------------------------------------------------------
# the IR under test
# ---------------------------------------------------------------------------------------------
def _printer_items() -> dict[str, Any]:
    items: dict[str, Any] = {}
    for path in sorted(EXAMPLES.glob("*.py")):
        if path.stem not in NOT_FOR_TVM:
            for var, node in example_ir(path.stem).items():
                items[f"print:{path.stem}.{var}"] = node
    for i, mod in enumerate(all_builder_modules()):
        items[f"print:builder{i}"] = mod
        for gv, func in mod.functions.items():
            if not _refers_to_globals(func):
                items[f"print:builder{i}.{gv.name_hint}"] = func
    items["print:RowShift"] = RowShift  # this file's own model (call_tir, a constant), also run below
    return items

_FORM_HEAD = ('@T.prim_func\ndef f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32"), n: T.int32):\n')
FORMS: dict[str, str] = {
    "decl_buffer_scoped": """
    with T.decl_buffer((1,), "int32", scope="local") as buf:
        buf[0] = n
    B[0] = A[0]
""",
    "let_stmt_scoped": """
    with T.LetStmt(n * 2) as v:
        B[1] = T.Cast("float32", v)
    B[0] = A[0]
""",
    "let_stmt_last": """
    B[0] = A[0]
    with T.LetStmt(n * 2) as v:
        B[1] = T.Cast("float32", v)
""",
    "decl_buffer_local": """
    with T.decl_buffer((1,), "int32", scope="local") as buf:
        buf[0] = n
        B[0] = T.Cast("float32", buf[0])
""",
    "allocate": """
    data = T.allocate([4], "float32", "global")
    C = T.decl_buffer((4,), data=data)
    C[0] = A[0]
    B[0] = C[0]
""",
    "assert": """
    assert n >= 0, "n must be non-negative"
    B[0] = A[0]
""",
    "vector_const": """
    B[4:8] = A[T.Ramp(0, 1, 4)]
""",
    "vector_symbolic": """
    for i in range(4):
        B[T.Ramp(i * 4, 1, 4)] = A[T.Ramp(i * 4, 1, 4)]
""",
    "broadcast": """
    B[0:4] = T.Broadcast(T.float32(1.0), 4)
""",
    "attr_no_node": """
    with T.attr(0, "pragma_x", 1):
        B[0] = A[0]
    B[1] = A[1]
""",
    "attr_reducer": """
    with T.attr(T.comm_reducer(lambda x, y: x + y, [T.float32(0)]), "reduce_scope", T.reinterpret("handle", T.uint64(0))):
        T.evaluate(T.call_extern("int32", "printf", "%f", A[0]))
""",
    "launch_thread": """
    with T.launch_thread("threadIdx.x", 16) as tx:
        B[tx] = A[tx]
""",
    "let_expr": """
    w = T.int32()
    B[8] = T.Cast("float32", T.Let(w + n, where={w: 1}))
""",
    "if_else_select": """
    if n > 0:
        B[0] = T.Select(n <= 3, A[0], A[1])
    else:
        B[0] = T.if_then_else(n >= 3, A[2], T.float32(0))
""",
    "while": """
    while B[0] < T.float32(16) and n > 0:
        B[0] = B[0] + T.float32(1)
""",
    "loop_kinds": """
    for i in T.parallel(16, annotations={"pragma": "p"}):
        B[i] = T.Cast("float32", i) * A[i]
    for i in T.vectorized(4):
        B[i] = A[i] - A[i]
    for i in T.unroll(2, 6):
        B[i] = A[i] / T.float32(2)
    for i in T.thread_binding(16, thread="threadIdx.x"):
        B[i] = T.min(T.max(A[i], T.float32(0)), T.float32(6))
""",
    "math_and_int_ops": """
    for i in range(16):
        B[i] = T.exp(A[i]) + T.sqrt(A[i]) + T.Cast("float32", T.truncmod(n, 2) + T.floormod(i, 3) + i // 2)
""",
}
WHOLE_FORMS: dict[str, str] = {
    # TVM 0.25 prints a SizeVar parameter without is_size_var (see _as_tvm_reprints).
    "size_var_param": """@T.prim_func
def f(a: T.handle, m: T.int32(is_size_var=True)):
    A = T.match_buffer(a, (m,))
    for i in range(m):
        A[i] = T.float32(0)
""",
    "relax_nonleaf_bodies": """@R.function
def f(x: R.Tensor((4,), "float32"), c: R.Prim("bool")) -> R.Tensor((4,), "float32"):
    if c:
        r = x
    else:
        r = R.add(x, x)
    return R.multiply(r, r)
""",
    # TVM prints any non-scalar constant in its metadata section (see _irscript_metadata).
    "relax_constant": """@R.function
def f(x: R.Tensor((4,), "float32")) -> R.Tensor((4,), "float32"):
    with R.dataflow():
        y = R.add(x, R.const([0.5, -1.0, 2.0, 0.25], "float32"))
        R.output(y)
    return y
""",
}

REGION_KERNELS: dict[str, str] = {
    "elementwise": """
def f(A: T.Buffer((16, 16), "float32"), B: T.Buffer((16, 16), "float32")):
    for i, j in T.grid(16, 16):
        with T.block("scale"):
            vi, vj = T.axis.remap("SS", [i, j])
            B[vi, vj] = A[vi, vj] * T.float32(2)
""",
    "reduction_with_init": """
def f(A: T.Buffer((8, 16), "float32"), B: T.Buffer((16, 4), "float32"), C: T.Buffer((8, 4), "float32")):
    for i, j, k in T.grid(8, 4, 16):
        with T.block("matmul"):
            vi, vj, vk = T.axis.remap("SSR", [i, j, k])
            with T.init():
                C[vi, vj] = T.float32(0)
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
""",
    "loop_inside_block": """
def f(A: T.Buffer((64,), "float32"), B: T.Buffer((4,), "float32")):
    for i in range(4):
        with T.block("strided_sum"):
            vi = T.axis.spatial(4, i)
            B[vi] = T.float32(0)
            for k in range(8):
                B[vi] = B[vi] + A[vi * 16 + k * 2]
""",
    "if_on_loop_var": """
def f(A: T.Buffer((8, 16), "float32"), B: T.Buffer((8,), "float32")):
    for i in range(8):
        with T.block("head_sum"):
            vi = T.axis.spatial(8, i)
            B[vi] = T.float32(0)
            for k in range(16):
                if k < 4:
                    B[vi] = B[vi] + A[vi, k]
""",
    "if_on_two_loop_vars": """
def f(A: T.Buffer((2, 8, 8), "float32"), B: T.Buffer((2,), "float32")):
    for b in range(2):
        with T.block("triangle"):
            vb = T.axis.spatial(2, b)
            for i, j in T.grid(8, 8):
                if i + j < 4:
                    B[vb] = B[vb] + A[vb, i, j]
""",
    "if_else_on_iter_var": """
def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32")):
    for i in range(16):
        with T.block("swap_halves"):
            vi = T.axis.spatial(16, i)
            if vi < 8:
                B[vi] = A[vi + 8]
            else:
                B[vi] = A[vi - 8]
""",
    "match_buffer_subregion": """
def f(A: T.Buffer((16, 16), "float32"), B: T.Buffer((16,), "float32")):
    for i in range(4):
        with T.block("tile"):
            vi = T.axis.spatial(4, i)
            sub = T.match_buffer(A[vi * 4:vi * 4 + 4, 0:16], (4, 16))
            for k in range(4):
                B[vi * 4 + k] = sub[k, 0] + sub[k, 15]
""",
    "nested_blocks": """
def f(A: T.Buffer((8, 8), "float32"), B: T.Buffer((8, 8), "float32")):
    for i in range(8):
        with T.block("outer"):
            vi = T.axis.spatial(8, i)
            for j in range(8):
                with T.block("inner"):
                    vj = T.axis.spatial(8, j)
                    B[vi, vj] = A[vj, vi] + T.float32(1)
""",
    "symbolic_shapes": """
def f(a: T.handle, b: T.handle):
    n, m = T.int64(), T.int64()
    A = T.match_buffer(a, (n, m), "float32")
    B = T.match_buffer(b, (n,), "float32")
    for i in range(n):
        with T.block("row_sum"):
            vi = T.axis.spatial(n, i)
            B[vi] = T.float32(0)
            for k in range(m):
                B[vi] = B[vi] + A[vi, k]
""",
    "stencil_and_floordiv": """
def f(A: T.Buffer((18,), "float32"), C: T.Buffer((8,), "float32"), B: T.Buffer((16, 16), "float32")):
    for i, j in T.grid(16, 16):
        with T.block("blur_up"):
            vi, vj = T.axis.remap("SS", [i, j])
            B[vi, vj] = A[vi] + A[vi + 2] + C[vj // 2]
""",
    "two_iter_vars_one_buffer": """
def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16, 16), "float32")):
    for i, j in T.grid(16, 16):
        with T.block("outer_sum"):
            vi, vj = T.axis.remap("SS", [i, j])
            B[vi, vj] = A[vi] + A[vj]
""",
    "block_local_buffer": """
def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32")):
    for i in range(4):
        with T.block("reverse_tiles"):
            vi = T.axis.spatial(4, i)
            tmp = T.alloc_buffer((4,), "float32", scope="local")
            for k in range(4):
                tmp[k] = A[vi * 4 + k] * T.float32(2)
            for k in range(4):
                B[vi * 4 + 3 - k] = tmp[k]
""",
    "gather": """
def f(A: T.Buffer((16,), "float32"), idx: T.Buffer((8,), "int32"), B: T.Buffer((8,), "float32")):
    for i in range(8):
        with T.block("gather"):
            vi = T.axis.spatial(8, i)
            B[vi] = A[idx[vi]]
""",
}
_CLASSIC_HEAD = "# from irscript.script import tir as T\n\n@T.prim_func\n"
# A data-pointer access: neither side can infer regions (each asks for T.reads / T.writes).
OPAQUE_KERNEL = """
def f(A: T.Buffer((16,), "float32"), B: T.Buffer((16,), "float32")):
    for i in range(16):
        with T.block("touch"):
            vi = T.axis.spatial(16, i)
            T.evaluate(T.call_extern("int32", "touch", A.data, vi))
            B[vi] = T.float32(1)
"""


@I.ir_module
class RowShift:
    """call_tir into a hand-written symbolic reduction, plus high-level ops and a constant."""

    @T.prim_func(private=True)
    def row_sum(a: T.handle, out: T.handle):
        n = T.int64()
        A = T.match_buffer(a, (n, 4), "float32")
        S = T.match_buffer(out, (n, 1), "float32")
        for i, k in T.grid(n, 4):
            with T.block("sum"):
                vi, vk = T.axis.remap("SR", [i, k])
                with T.init():
                    S[vi, 0] = T.float32(0)
                S[vi, 0] = S[vi, 0] + A[vi, vk]

    @R.function
    def main(x: R.Tensor(("n", 4), "float32")) -> R.Tensor(("n", 4), "float32"):
        n = T.int64()
        cls = RowShift
        with R.dataflow():
            s = R.call_tir(cls.row_sum, (x,), out_sinfo=R.Tensor((n, 1), "float32"))
            scaled = R.multiply(x, R.const([0.5, -1.0, 2.0, 0.25], "float32"))
            y = R.nn.relu(R.subtract(scaled, s))
            R.output(y)
        return y


def _numeric_cases() -> dict[str, tuple[Any, list[np.ndarray]]]:
    rng = np.random.default_rng(7)
    mlp, cnn, transformer = (load_example(n) for n in ("mlp", "cnn", "transformer"))
    # examples/mixed.py is left out: it calls a Python function registered with irscript
    # (`example.gemm`, R.call_dps_packed), which TVM's runtime does not have.
    return {
        "run:mlp": (mlp.MLP, mlp.random_inputs(batch=3)),
        "run:cnn": (cnn.CNN, cnn.random_inputs(batch=2)),
        "run:transformer": (transformer.TransformerBlock, transformer.random_inputs(seq=5)),
        "run:builder_mlp": (mlp_module(), mlp.random_inputs(batch=2, seed=1)),
        "run:row_shift": (RowShift, [rng.standard_normal((3, 4)).astype("float32")]),
    }


PRINTER_ITEMS = _printer_items()
NUMERIC_CASES = _numeric_cases()


# ---------------------------------------------------------------------------------------------
# one batch for the whole file
# ---------------------------------------------------------------------------------------------
def _without_regions(text: str) -> str:
    """irscript's tvm-0.25 print minus its T.reads / T.writes lines (one of each per block)."""
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(("T.reads(", "T.writes("))]
    blocks = sum(1 for line in text.splitlines() if line.lstrip().startswith("with T.sblock("))
    assert blocks and len(text.splitlines()) - len(kept) == 2 * blocks, f"unexpected region lines in\n{text}"
    return "\n".join(kept) + "\n"


def _form_source(label: str) -> str:
    return WHOLE_FORMS[label] if label in WHOLE_FORMS else _FORM_HEAD + FORMS[label].lstrip("\n")


def _originals() -> dict[str, Any]:
    """Every parse-and-compare case: label -> the irscript IR that TVM's re-print must equal."""
    originals = dict(PRINTER_ITEMS)
    for label in [*FORMS, *WHOLE_FORMS]:
        originals[f"form:{label}"] = irscript.parse(_form_source(label))
    for label, body in REGION_KERNELS.items():
        originals[f"region:{label}"] = irscript.parse(_CLASSIC_HEAD + body.lstrip("\n"))
    return originals


@pytest.fixture(scope="module")
def originals() -> dict[str, Any]:
    return _originals()


@pytest.fixture(scope="module")
def answers(originals: dict[str, Any]) -> dict[str, OracleResult]:
    labels: list[str] = []
    requests: list[ParseRequest | RunRequest] = []
    for label, node in originals.items():
        text = irscript.print_script(node, syntax="tvm-0.25")
        if label.startswith("region:"):
            text = _without_regions(text)
        labels.append(label)
        requests.append(ParseRequest(text, show_meta=True, label=label))
    labels.append("region-opaque")
    requests.append(ParseRequest(_tvm_spelling_of(OPAQUE_KERNEL), label="region-opaque"))
    for label, (mod, inputs) in NUMERIC_CASES.items():
        labels.append(label)
        requests.append(RunRequest(irscript.print_script(mod, syntax="tvm-0.25"), "main", tuple(inputs), label=label))
    assert TVM_PYTHON is not None
    return dict(zip(labels, TVMOracle(TVM_PYTHON).batch(requests)))


def _tvm_spelling_of(kernel: str) -> str:
    """A kernel irscript refuses to parse, spelled for TVM 0.25 by hand."""
    return "@T.prim_func(s_tir=True)\n" + kernel.lstrip("\n").replace("T.block(", "T.sblock(")


# ---------------------------------------------------------------------------------------------
# the comparison
# ---------------------------------------------------------------------------------------------
def _as_tvm_reprints(node: Any) -> Any:
    """`node` as TVM 0.25's re-print can show it. TVM difference: TVM's printer drops
    is_size_var on PrimFunc scalar parameters (`m: T.int32(is_size_var=True)` prints as
    `m: T.int32`, while declared shape vars keep it), so those parameters read back as plain
    Vars. Nothing else is changed."""
    def plain_params(func: Any) -> Any:
        if not isinstance(func, tir.PrimFunc):
            return func
        mapping = {p: tir.Var(p.name_hint, p.dtype) for p in func.params if isinstance(p, tir.SizeVar)}
        return substitute(func, mapping) if mapping else func

    if isinstance(node, IRModule):
        return replace(node, functions={gv: plain_params(f) for gv, f in node.functions.items()})
    return plain_params(node)


def _irscript_metadata(result: OracleResult) -> str:
    """TVM's re-print with its metadata section in irscript's spelling. TVM difference: with
    show_meta=True TVM prints constants as `metadata["relax.expr.Constant"][i]` references plus
    a section `metadata = tvm.ir.load_json(<TVM object-graph JSON>)`, a format irscript
    does not read (KNOWN_BUGS["metadata:direct"]). The worker decodes the section with TVM
    itself; here the same constants are written as irscript's `I.metadata(...)` section. The
    references in the text stay exactly as TVM printed them."""
    script = result.script or ""
    if not result.metadata:
        return script
    tables: dict[str, list[relax.Constant]] = {}
    for kind, objects in result.metadata.items():
        others = [o for o in objects if isinstance(o, str)]
        assert not others, f"TVM's metadata holds {others} under {kind!r}; only tensor constants are translated"
        tables[kind] = [relax.Constant(a) for a in objects]
    section = next(s for s in ast.parse(script).body
                   if isinstance(s, ast.Assign) and getattr(s.targets[0], "id", None) == "metadata")
    lines = script.splitlines()
    lines[section.lineno - 1:section.end_lineno] = [f"metadata = I.metadata({to_json(tables)!r})"]
    return "\n".join(lines) + "\n"


def _check_tvm_roundtrip(label: str, original: Any, result: OracleResult) -> None:
    sent = irscript.print_script(original, syntax="tvm-0.25")
    assert result.ok, f"TVM 0.25 rejects irscript's tvm-0.25 print of {label}:\n{result.error}\n--- sent ---\n{sent}"
    text = _irscript_metadata(result)
    try:
        back = irscript.parse(text)
    except irscript.Error as e:
        raise AssertionError(f"irscript cannot parse TVM's re-print of {label}: {e}\n--- TVM ---\n{text}") from None
    try:
        irscript.assert_structural_equal(_as_tvm_reprints(original), back)
    except AssertionError as e:
        raise AssertionError(f"TVM's re-print of {label} differs: {e}\n--- sent ---\n{sent}\n--- TVM ---\n{text}") from None


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("label", [_param(k) for k in PRINTER_ITEMS])
def test_printed_ir_parses_in_tvm_and_tvm_reprint_reads_back(label: str, originals: dict, answers: dict) -> None:
    _check_tvm_roundtrip(label, originals[label], answers[label])


@pytest.mark.parametrize("label", [_param(f"form:{k}") for k in [*FORMS, *WHOLE_FORMS]])
def test_statement_form_round_trips_through_tvm(label: str, originals: dict, answers: dict) -> None:
    _check_tvm_roundtrip(label, originals[label], answers[label])


@pytest.mark.parametrize("label", [_param(f"region:{k}") for k in REGION_KERNELS])
def test_inferred_block_regions_agree_with_tvm(label: str, originals: dict, answers: dict) -> None:
    result = answers[label]
    assert result.ok, f"TVM 0.25 rejects {label} without T.reads/T.writes: {result.error}"
    assert "T.reads(" in (result.script or ""), "TVM's re-print carries no regions to compare"
    _check_tvm_roundtrip(label, originals[label], result)


def test_both_refuse_to_infer_regions_through_a_data_pointer(answers: dict) -> None:
    with pytest.raises(irscript.ScriptError, match="data pointer"):
        irscript.parse(_CLASSIC_HEAD + OPAQUE_KERNEL.lstrip("\n"))
    result = answers["region-opaque"]
    assert not result.ok and "access region" in (result.error or ""), result.error or result.script


def test_tvm_prints_constants_in_its_metadata_section(answers: dict) -> None:
    """The premise of _irscript_metadata, so that its translation is exercised."""
    result = answers["form:relax_constant"]
    assert result.ok and 'metadata["relax.expr.Constant"][0]' in (result.script or ""), result.error or result.script
    [constant] = result.metadata["relax.expr.Constant"]
    np.testing.assert_array_equal(constant, np.array([0.5, -1.0, 2.0, 0.25], "float32"))


@pytest.mark.xfail(strict=True, raises=irscript.Error, reason=KNOWN_BUGS["metadata:direct"])
def test_tvm_metadata_section_parses_directly(originals: dict, answers: dict) -> None:
    script = answers["form:relax_constant"].script or ""
    irscript.assert_structural_equal(originals["form:relax_constant"], irscript.parse(script))


def test_finder_honours_an_explicit_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for nowhere in (str(tmp_path / "no-such-python"), "", str(tmp_path)):  # missing, empty, a directory
        monkeypatch.setenv(ENV_VAR, nowhere)
        assert find_tvm_python() is None
    monkeypatch.setenv(ENV_VAR, TVM_PYTHON)
    assert find_tvm_python() == TVM_PYTHON


def _fake_python(tmp_path: Path, body: str) -> str:
    """An executable standing in for the TVM Python: run as `<it> <worker> <batch-dir>`."""
    path = tmp_path / "fake-python"
    path.write_text(f"#!{sys.executable}\nimport json, os, signal, sys\nbatch = sys.argv[2]\n{body}\n")
    path.chmod(0o755)
    return str(path)


def test_a_crashing_worker_is_reported_with_the_request_it_was_on(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, 'open(os.path.join(batch, "progress"), "w").write("1")\n'
                                    'print("segfault in TVM", file=sys.stderr, flush=True)\n'
                                    "os.kill(os.getpid(), signal.SIGSEGV)")
    requests = [ParseRequest("@T.prim_func\ndef a(): pass", label="first"),
                ParseRequest("# header\n@T.prim_func\ndef b(): pass", label="second")]
    with pytest.raises(TVMOracleError, match=r"killed by signal 11 on request #1 \(parse 'second'; text starts "
                                             r"'@T.prim_func'\)(.|\n)*segfault in TVM"):
        TVMOracle(python).batch(requests)


def test_a_worker_with_another_tvm_version_is_refused(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, 'json.dump({"tvm_version": "0.24.0", "responses": [{"ok": True}]}, '
                                    'open(os.path.join(batch, "responses.json"), "w"))')
    with pytest.raises(TVMOracleError, match="runs TVM 0.24.0; the oracle needs TVM 0.25"):
        TVMOracle(python).batch([ParseRequest("x")])


@pytest.mark.parametrize("label", list(NUMERIC_CASES))
def test_tvm_compiled_model_matches_the_interpreter(label: str, answers: dict) -> None:
    mod, inputs = NUMERIC_CASES[label]
    result = answers[label]
    assert result.ok, f"TVM could not compile and run {label}: {result.error}"
    expected = irscript.run(mod, "main", *inputs)
    expected = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    assert len(result.outputs) == len(expected)
    for got, want in zip(result.outputs, expected):
        assert np.ptp(want) > 0, f"{label}: the expected output is constant, so the comparison proves little"
        assert got.shape == np.shape(want) and got.dtype == np.asarray(want).dtype
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
