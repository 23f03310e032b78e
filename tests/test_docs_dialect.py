"""The third dialect of docs/adding-a-dialect.md (examples/stencil_dialect.py), end to end: it
lives outside the package and plugs into the parser, printer, JSON, structural equality, the
well-formedness checker and the interpreter through the same registration points as T and R.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import irscript
from irscript.ir.module import IRModule
from irscript.ir.well_formed import check_well_formed
from irscript.testing.roundtrip import check_roundtrip

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "stencil_dialect.py"


def _load():
    key = "irscript_example_stencil_dialect"  # the key every test that imports an example uses (one import)
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, EXAMPLE)
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


sd = _load()

TEXT = '''\
# from irscript.script import ir as I, tir as T, relax as R
# from stencil_dialect import stencil as S

@I.ir_module
class Module:
    @S.stencil
    def sharpen(a: S.Field("float32"), b: S.Field("float32")):
        d = a[0] - b[0]
        return a[0] + d * T.float32(0.5) - (a[-2] + a[2]) * T.float32(0.125)

    @S.stencil(private=True)
    def shift(a: S.Field("float32")):
        return a[1]

    @R.function
    def main(x: R.Tensor(("n",), "float32"), y: R.Tensor(("n",), "float32")) -> R.Tensor(("n",), "float32"):
        cls = Module
        s = R.stencil.apply(cls.sharpen, x, y)
        t = R.stencil.apply(cls.shift, s)
        return t
'''


def sharpen_reference(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    idx = np.arange(x.size)

    def at(a: np.ndarray, k: int) -> np.ndarray:
        return a[np.clip(idx + k, 0, a.size - 1)]

    s = x + (x - y) * np.float32(0.5) - (at(x, -2) + at(x, 2)) * np.float32(0.125)
    return at(s, 1)


def test_text_parses_prints_back_and_round_trips():
    mod = irscript.parse(TEXT)
    assert isinstance(mod, IRModule)
    kinds = {gv.name_hint: type(f).__name__ for gv, f in mod.functions.items()}
    assert kinds == {"sharpen": "StencilKernel", "shift": "StencilKernel", "main": "Function"}
    check_roundtrip(mod)
    assert "@S.stencil(private=True)\n    def shift" in mod.script()
    assert mod.script().startswith("# from irscript.script import ir as I, tir as T, relax as R\n"
                                   "# from stencil_dialect import stencil as S\n")


def test_json_and_structural_equality_come_free():
    mod = irscript.parse(TEXT)
    text = irscript.to_json(mod)
    assert '"stencil.Kernel"' in text and '"stencil.Tap"' in text
    back = irscript.from_json(text)
    irscript.assert_structural_equal(back, mod)
    assert irscript.structural_hash(back) == irscript.structural_hash(mod)
    renamed = irscript.parse(TEXT.replace("a:", "u:").replace("a[", "u["))  # alpha-equivalent
    irscript.assert_structural_equal(renamed, mod)
    other = irscript.parse(TEXT.replace("a[2]", "a[3]"))
    assert not irscript.structural_equal(other, mod)
    assert irscript.structural_hash(other) != irscript.structural_hash(mod)


@pytest.mark.parametrize("n", [1, 2, 9])
def test_the_interpreter_runs_it(n):
    mod = irscript.from_json(irscript.to_json(irscript.parse(TEXT)))
    rng = np.random.default_rng(n)
    x, y = rng.standard_normal(n).astype("float32"), rng.standard_normal(n).astype("float32")
    out = irscript.run(mod, "main", x, y)
    assert out.dtype == np.float32 and out.shape == (n,)
    np.testing.assert_allclose(out, sharpen_reference(x, y), rtol=1e-6, atol=1e-6)


def test_the_decorated_model_matches_numpy():
    x = np.linspace(-1, 1, 11, dtype="float32") ** 3
    np.testing.assert_allclose(irscript.run(sd.Smooth, "main", x), sd.numpy_reference(x), rtol=1e-6)
    check_roundtrip(sd.Smooth)


def test_the_checker_reports_with_ir_paths():
    kernel = irscript.parse("@S.stencil\ndef f(a: S.Field('float32')):\n    return a[1]\n")
    stray = sd.Field("z", "float32")
    bad = sd.StencilKernel(kernel.params, stray[2] + kernel.body, {"global_symbol": "f"})
    problems = check_well_formed(IRModule({"f": bad}))
    assert [(p.message, str(p.path)) for p in problems] == [
        ("field `z` is not a parameter of this stencil", 'functions["f"].body.a')]
    with pytest.raises(irscript.ScriptError, match="offset -9 reaches farther than 8 cells"):
        irscript.parse("@S.stencil\ndef f(a: S.Field('float32')):\n    return a[-9]\n")
    with pytest.raises(irscript.ScriptError, match="share one dtype"):
        irscript.parse("@S.stencil\ndef f(a: S.Field('float32'), b: S.Field('int32')):\n    return a[0]\n")


@pytest.mark.parametrize("source,message,line", [
    ("@S.stencil\ndef f(a: S.Field('float32')):\n    for i in range(2):\n        pass\n    return a[0]\n",
     "a `for` loop is not allowed in an S.stencil", 3),
    ("@S.stencil\ndef f(a: S.Field('float32')):\n    b = a[0]\n", "ends with `return <expression>`", 2),
    ("@S.stencil\ndef f(a):\n    return a[0]\n", "is `name: S.Field(dtype)`", 2),
    ("@S.stencil\ndef f(a: S.Field('float32')):\n    return a[0.5]\n", "constant int offset", 3),
    ("@T.prim_func\ndef f(A: T.Buffer((1,), 'float32')):\n    A[0] = S.Field('float32')\n",
     "S.Field cannot be used in a T.prim_func", 3),
])
def test_script_errors_are_located(source, message, line):
    with pytest.raises(irscript.ScriptError) as info:
        irscript.parse(source)
    assert message in info.value.message and info.value.span.line == line


def test_run_time_errors():
    mod = irscript.parse(TEXT.replace("t = R.stencil.apply(cls.shift, s)", "t = R.stencil.apply(cls.sharpen, s)"))
    with pytest.raises(irscript.ExecutionError, match="takes 2 field"):
        irscript.run(mod, "main", np.ones(3, "float32"), np.ones(3, "float32"))
    with pytest.raises(irscript.ScriptError, match="the fields must be 1-D tensors"):
        irscript.parse(TEXT.replace('R.Tensor(("n",), "float32"), y', 'R.Tensor(("n", 2), "float32"), y'))


def test_the_example_runs_as_a_program():
    proc = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "matches numpy: True" in proc.stdout


# ---------------------------------------------------------------------------------------------
# docs/adding-a-dialect.md shows the example as it is
# ---------------------------------------------------------------------------------------------
DOC = ROOT / "docs" / "adding-a-dialect.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```$", DOC.read_text(), re.M | re.S)


def test_the_doc_quotes_the_example_verbatim():
    source = EXAMPLE.read_text()
    quoted = [b for b in BLOCKS if not b.startswith("# from")]
    assert len(quoted) >= 8
    for block in quoted:
        for piece in block.split("\n\n\n"):  # pieces the page puts together
            assert piece.strip() in source, piece


def test_the_doc_scripts_parse_and_round_trip():
    scripts = [b for b in BLOCKS if b.startswith("# from")]
    assert scripts
    for text in scripts:
        check_roundtrip(irscript.parse(text))


def test_a_namespace_alias_is_taken_once():
    from irscript.errors import IRError
    from irscript.script.parser import register_namespace
    from irscript.script.parser.dialect import text_namespaces

    assert text_namespaces()["S"] is sd.S
    assert register_namespace(sd.S, alias="S") is sd.S  # registering the same object again is harmless
    for alias in ("S", "T", "I", "R"):
        with pytest.raises(IRError, match="already taken"):
            register_namespace(object(), alias=alias)
    with pytest.raises(IRError, match="must be an identifier"):
        register_namespace(object(), alias="not valid")
