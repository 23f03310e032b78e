"""Text printed by Apache TVM 0.25 (fixtures under tests/data/tvm-0.25, made by TVM itself with
generate.py there): irscript parses it, round-trips it, and its `syntax="tvm-0.25"` printer
writes the same text back, line for line."""

from __future__ import annotations

from pathlib import Path

import pytest

import irscript
from irscript.testing.roundtrip import check_roundtrip
from irscript.testing.text import assert_same_lines

FIXTURES = Path(__file__).resolve().parent / "data" / "tvm-0.25"
TEXTS = sorted(p for p in FIXTURES.glob("mlp__*.py"))


def test_the_fixtures_are_there():
    assert [p.name for p in TEXTS] == ["mlp__fused.py", "mlp__legalized.py", "mlp__relax.py"]


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_tvm_text_parses_and_round_trips(path: Path):
    mod = irscript.parse_file(path)
    assert isinstance(mod, irscript.IRModule) and "main" in [gv.name_hint for gv in mod.functions]
    check_roundtrip(mod)  # print/parse and JSON round trips, and the printed text is stable


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_tvm_spelling_reprints_tvm_text(path: Path):
    theirs = path.read_text()
    # TVM 0.25 adds an import of its layout helper to the header of every tirx module; nothing
    # in these texts uses it, and irscript's header lists only the namespaces the text uses
    theirs = theirs.replace("# from tvm.tirx.layout import Axis\n", "")
    ours = irscript.print_script(irscript.parse_file(path), syntax="tvm-0.25")
    assert_same_lines(ours, theirs, path.name)
