"""The examples of the documentation cannot rot.

docs/language.md: every ```python block is parsed with `irscript.parse` (which also checks
well-formedness) and must print and parse back to the same IR — or, when it is a Python program
(it imports something besides the script namespaces), it runs as one and exits 0. The page also
covers every construct of the language checklist: each `T.`/`R.`/`I.` name it lists appears in
some example.

docs/adding-an-op.md: its Python blocks run, in order, as one program in a fresh process (an op
can be defined once per process); its script block parses.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import irscript
from irscript.testing.roundtrip import check_roundtrip

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)
SCRIPT_IMPORT = re.compile(r"^from (irscript|tvm)\.script import ", re.M)
OTHER_IMPORT = re.compile(r"^(import \w|from (?!irscript\.script |tvm\.script )[\w.]+ import )", re.M)


def python_blocks(name: str) -> list[str]:
    return BLOCK.findall((DOCS / name).read_text())


def is_program(block: str) -> bool:
    return bool(OTHER_IMPORT.search(block))


LANGUAGE = python_blocks("language.md")
SCRIPTS = [b for b in LANGUAGE if not is_program(b)]
PROGRAMS = [b for b in LANGUAGE if is_program(b)]


def _title(block: str) -> str:
    m = re.search(r"^(?:class|def) (\w+)", block, re.M)
    return m.group(1) if m else "block"


@pytest.mark.parametrize("block", SCRIPTS, ids=[_title(b) for b in SCRIPTS])
def test_language_examples_parse_and_round_trip(block):
    node = irscript.parse(block)
    check_roundtrip(node)


@pytest.mark.parametrize("block", PROGRAMS, ids=[_title(b) for b in PROGRAMS])
def test_language_programs_run(block, tmp_path):
    path = tmp_path / "example.py"  # decorated code needs a file: irscript reads its source
    path.write_text(block)
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_the_page_has_scripts_and_programs():
    assert len(SCRIPTS) >= 25 and len(PROGRAMS) >= 1


# the names of the language checklist, each of which some example must use
CHECKLIST = """
I.ir_module I.module_attrs I.module_global_infos I.metadata
T.int8 T.int16 T.int32 T.int64 T.uint8 T.uint16 T.float16 T.float32 T.float64 T.bfloat16 T.bool T.handle
T.Buffer T.func_attr T.match_buffer T.serial T.parallel T.vectorized T.unroll T.thread_binding T.grid
T.block T.sblock T.axis.spatial T.axis.reduce T.axis.scan T.axis.opaque T.axis.remap T.reads T.writes
T.where T.init T.block_attr T.sblock_attr T.alloc_buffer T.sblock_alloc_buffer T.evaluate T.let T.Assert
T.attr T.allocate T.decl_buffer T.launch_thread T.env_thread T.address_of T.floordiv T.floormod T.truncdiv
T.truncmod T.min T.max T.abs T.exp T.log T.sqrt T.rsqrt T.tanh T.sigmoid T.erf T.pow T.floor T.ceil T.round
T.Cast T.cast T.Select T.if_then_else T.likely T.Ramp T.Broadcast T.call_extern T.call_packed T.max_value
T.min_value T.ceildiv T.comm_reducer T.meta_var T.macro
R.Tensor R.Shape R.Tuple R.Object R.Prim R.Callable R.function R.func_attr R.dataflow R.output R.match_cast
R.call_tir R.call_tir_inplace R.call_dps_packed R.call_packed R.ExternFunc R.const R.shape R.prim_value R.str
R.dtype R.null_value R.add R.subtract R.multiply R.divide R.floor_divide R.power R.maximum R.minimum R.equal
R.not_equal R.less R.less_equal R.greater R.greater_equal R.logical_and R.logical_or R.logical_not R.exp
R.log R.sqrt R.rsqrt R.tanh R.sigmoid R.negative R.abs R.sin R.cos R.erf R.floor R.ceil R.round R.clip
R.astype R.matmul R.sum R.mean R.max R.min R.prod R.variance R.argmax R.argmin R.reshape R.permute_dims
R.expand_dims R.squeeze R.flatten R.concat R.split R.broadcast_to R.strided_slice R.take R.where R.repeat
R.tile R.zeros R.ones R.full R.zeros_like R.ones_like R.full_like R.arange R.tril R.triu R.nn.relu R.nn.gelu
R.nn.gelu_tanh R.nn.silu R.nn.softmax R.nn.log_softmax R.nn.layer_norm R.nn.rms_norm R.nn.group_norm
R.nn.batch_norm R.nn.dropout R.nn.conv1d R.nn.conv2d R.nn.conv2d_transpose R.nn.max_pool2d R.nn.avg_pool2d
R.nn.adaptive_avg_pool2d R.nn.attention R.nn.linear R.nn.pad R.image.resize2d R.print R.assert_op
R.shape_of R.builtin.alloc_tensor R.memory.alloc_storage R.memory.alloc_tensor
""".split()


def test_every_construct_of_the_checklist_has_an_example():
    text = "\n".join(LANGUAGE)
    missing = [name for name in CHECKLIST if not re.search(re.escape(name) + r"\b", text)]
    assert missing == []
    for construct in ("while ", "if ", "else:", "with T.init():", "with R.dataflow():", "assert ", "cls = Module",
                      "private=True", "pure=False", "check_well_formed=False", '"float32x4"', "scope=",
                      "strides=", "elem_offset=", "align=", "offset_factor=", "annotations=", "tir_vars=",
                      "inplace_indices=", "sinfo_args=", "out_sinfo=", "keepdims=", "metadata[", "lambda x, y"):
        assert construct in text, construct


def test_adding_an_op_examples_run(tmp_path):
    blocks = python_blocks("adding-an-op.md")
    scripts = [b for b in blocks if b.lstrip().startswith(("@T.prim_func", "@R.function", "@I.ir_module", "# from"))]
    program = "\n\n".join(b for b in blocks if b not in scripts)
    assert scripts and "define_op(" in program
    for script in scripts:
        irscript.parse(script)
    path = tmp_path / "adding_an_op.py"
    path.write_text(program)
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
