"""The print/parse round trip over the example models and the IRBuilder models, in both
printer syntaxes: classic (the default) and "tvm-0.25" (Apache TVM 0.25's spelling, which
`irscript.parse` reads too). Each check is `parse(print(m)) == m` structurally and
`print(parse(print(m))) == print(m)` character for character (`check_roundtrip`).

Every examples/*.py file is imported and every IRModule, PrimFunc and Relax Function it
defines at module level is checked, so a new example is covered without editing this file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from irscript import relax, tir
from irscript.ir import IRModule
from irscript.testing.builder_models import all_builder_modules
from irscript.testing.roundtrip import check_roundtrip

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SYNTAXES = ("classic", "tvm-0.25")
_IR = (IRModule, tir.PrimFunc, relax.Function)


def load_example(name: str) -> ModuleType:
    """Import examples/<name>.py once per process, under the key test_examples uses (an example
    that registers a dialect or an op must not register it twice)."""
    key = f"irscript_example_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[key]
            raise
    return sys.modules[key]


def example_ir(name: str) -> dict[str, object]:
    """The IR values an example defines at module level, by variable name (one per object)."""
    found: dict[str, object] = {}
    seen: set[int] = set()
    for var, value in vars(load_example(name)).items():
        if isinstance(value, _IR) and id(value) not in seen:
            seen.add(id(value))
            found[var] = value
    return found


@pytest.mark.parametrize("syntax", SYNTAXES)
@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.py")))
def test_example_modules_round_trip(name: str, syntax: str) -> None:
    found = example_ir(name)
    assert found, f"examples/{name}.py defines no IRModule, PrimFunc or Relax Function at module level"
    for var, node in found.items():
        try:
            check_roundtrip(node, syntax=syntax)
        except AssertionError as e:
            raise AssertionError(f"examples/{name}.py: `{var}` ({syntax}): {e}") from None


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_builder_models_round_trip_in_both_syntaxes(syntax: str) -> None:
    for mod in all_builder_modules():
        check_roundtrip(mod, syntax=syntax)
        for func in mod.functions.values():  # each function alone too (standalone form)
            check_roundtrip(func, syntax=syntax)
