"""Suite-wide check of the script format's round trip over all IR the tests build.

Every IRModule, PrimFunc and Relax Function that any test (or an example it loads, or a
module-level definition in a test file) builds through the main construction paths is
round-tripped through the printer and the parser with the default options
(`irscript.testing.roundtrip.check_roundtrip`). All those paths end in `IRBuilder.get()`:

    IRBuilder users           with IRBuilder() as ib: ...; ib.get()
    decorators                @I.ir_module / @T.prim_func / @R.function  (parse, then ib.get())
    text                      irscript.parse / parse_file                 (parse, then ib.get())

so this plugin wraps `IRBuilder.get` for the session and records each result together with
where it was built (the innermost frame in tests/ or examples/). After each test, the records
of that test (and of anything built while collecting) are checked; a module that does not round
trip is an error at that test's teardown naming the file and line that built it. Each
structurally distinct module is checked once per session (deduplicated by structural_hash).

Not checked, by rule rather than by list:
* results of the parse inside `check_roundtrip` itself (their round trip was just checked);
* modules that are not well-formed (`check_well_formed` reports problems): the parser checks
  well-formedness, so `parse(print(m))` rejects them by design — tests of the checker build them.
Known exceptions, by test id with the reason: `KNOWN_UNPRINTABLE` (tests that register a node type
or an op with no script form, to test another layer). `pytest -vv` lists the not well-formed ones.

`pytest --no-ir-roundtrip` switches the check off (e.g. when profiling one test).
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import CodeType
from typing import Any

import pytest

from irscript import relax, tir
from irscript.ir import IRModule, structural_hash
from irscript.ir.well_formed import check_well_formed
from irscript.irbuilder import IRBuilder
from irscript.relax import well_formed as _relax_checks  # noqa: F401  (registers the Relax checker)
from irscript.testing import roundtrip
from irscript.tir import well_formed as _tir_checks  # noqa: F401  (registers the TIR checker)

ROOT = Path(__file__).resolve().parent.parent
_SOURCES = (str(ROOT / "tests") + "/", str(ROOT / "examples") + "/")
_KINDS = (IRModule, tir.PrimFunc, relax.Function)

KNOWN_UNPRINTABLE: dict[str, str] = {
    "tests/test_interp_registry.py::test_a_user_tir_node_runs_on_both_paths":
        "uses a test-local TIR node type that registers an interpreter kernel only (no printer or parser "
        "handler), to test the interpreter registry",
    "tests/test_irbuilder_relax.py::test_op_struct_info_comes_from_the_op_attribute":
        "calls a test-local Op registered with register_op only (no op entry, so no `R.` script form), "
        "to test struct info inference from the Op attribute",
    "tests/test_irbuilder_relax.py::test_op_without_inference_needs_an_annotation":
        "calls a test-local Op registered with register_op only (no op entry, so no `R.` script form)",
}
"""Test ids whose built IR is not round-tripped, each with the reason. Only IR that no script can
spell belongs here: node types or ops a test registers without a printer and parser form."""


class Recorder:
    """The IR built since the last check, with where each piece was built."""

    __slots__ = ("enabled", "pending", "seen", "built", "checked", "ill_formed", "skip_code")

    def __init__(self, skip_code: CodeType) -> None:
        self.enabled = True
        self.pending: list[tuple[Any, str]] = []
        self.seen: set[int] = set()  # structural hashes already checked this session
        self.built = self.checked = 0
        self.ill_formed: list[str] = []  # where each distinct, not well-formed result was built
        self.skip_code = skip_code

    def record(self, result: Any) -> None:
        if not self.enabled or not isinstance(result, _KINDS):
            return
        origin = "?"
        frame = sys._getframe(2)
        while frame is not None:
            code = frame.f_code
            if code is self.skip_code:
                return  # the parse inside check_roundtrip: checked by the caller
            if origin == "?" and code.co_filename.startswith(_SOURCES):
                origin = f"{Path(code.co_filename).relative_to(ROOT)}:{frame.f_lineno}"
            frame = frame.f_back
        self.pending.append((result, origin))

    def check_pending(self) -> list[str]:
        """Round-trip the recorded IR not seen before; the failure messages."""
        pending, self.pending = self.pending, []
        failures = []
        for node, origin in pending:
            self.built += 1
            h = structural_hash(node)
            if h in self.seen:
                continue
            self.seen.add(h)
            if check_well_formed(node):
                self.ill_formed.append(origin)
                continue
            self.checked += 1
            try:
                roundtrip.check_roundtrip(node)
            except Exception as e:  # a printer or parser crash is a failure too
                kind = type(node).__name__
                failures.append(f"the {kind} built at {origin} does not round-trip: {type(e).__name__}: {e}")
        return failures


RECORDER = Recorder(roundtrip.check_roundtrip.__code__)
_ORIGINAL_GET = IRBuilder.get


def _recording_get(self: IRBuilder) -> Any:
    result = _ORIGINAL_GET(self)
    RECORDER.record(result)
    return result


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--no-ir-roundtrip", action="store_true",
                     help="do not round-trip every IRModule/PrimFunc/Function the tests build")


def pytest_configure(config: pytest.Config) -> None:
    RECORDER.enabled = not config.getoption("--no-ir-roundtrip")
    if RECORDER.enabled:
        IRBuilder.get = _recording_get  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    IRBuilder.get = _ORIGINAL_GET  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _round_trip_built_ir(request: pytest.FixtureRequest) -> Any:
    """After the test: every IR it built (and anything built while collecting) round-trips."""
    start = len(RECORDER.pending)
    yield
    if not RECORDER.enabled:
        return
    if request.node.nodeid in KNOWN_UNPRINTABLE:
        del RECORDER.pending[start:]  # what this test built; what collection built is still checked
    failures = RECORDER.check_pending()
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    r = RECORDER
    if not (r.enabled and r.built):
        return
    write = terminalreporter.write_line
    write(f"IR round trip: {r.built} results of IRBuilder.get() by tests, {len(r.seen)} distinct, "
          f"{r.checked} round-tripped, {len(r.ill_formed)} not well-formed (not checked)")
    if config.getoption("verbose") > 0:
        for origin in r.ill_formed:
            write(f"  not well-formed, built at {origin}")
