"""The `irscript` command line on bad input: every command with a missing file, a syntax error and
corrupt JSON, `run` with wrong input shapes and bad specs, bad usage. Each ends with exit code 1
(a problem in the input) or 2 (bad usage) and a message of at most 24 lines with no Python
traceback, saying what is wrong and where; no output file is left half-written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_cli import EXAMPLES, SCRIPT, run_cli

import irscript
from irscript import tir
from irscript.cli import app
from irscript.ir.module import IRModule

COMMANDS = {  # the extra arguments each command needs
    "print": [], "check": [], "to-json": [], "from-json": [], "show": [], "stats": [],
    "run": ["--random-inputs", "--shape", "n=2"],
}


@pytest.fixture
def cli(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    def call(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        return run_cli(*args, stdin=stdin, monkeypatch=monkeypatch, capsys=capsys)

    return call


@pytest.fixture
def bad(tmp_path: Path) -> dict[str, Path]:
    """Files with problems."""
    files = {
        "syntax": ("bad_syntax.py", "from irscript.script import relax as R\n\n@R.function\ndef f(x: R.Tensor((2,), "
                                    '"float32")):\n    return R.add(x, x\n'),
        "unknown_name": ("unknown.py", "from irscript.script import relax as R\n\n@R.function\ndef f(x: R.Tensor((2,)"
                                       ', "float32")):\n    return R.add(x, y)\n'),
        "json_syntax": ("corrupt.json", '{"format": "irscript.ir", "version": 1, "root": '),
        "json_dangling": ("dangling.json", '{"format": "irscript.ir", "version": 1, "root": {"ref": 5}, "nodes": []}'),
        "json_version": ("future.json", '{"format": "irscript.ir", "version": 99, "root": null}'),
        "json_field": ("field.json", None),
        "binary": ("binary.py", None),
    }
    out = {}
    for key, (name, text) in files.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        out[key] = path
    good = json.loads(irscript.to_json(irscript.parse(SCRIPT)))
    for node in good["nodes"]:
        if node["type"] == "tir.For":
            node["fields"]["extent"] = "sixteen"  # a string where a PrimExpr belongs
    out["json_field"].write_text(json.dumps(good))
    out["binary"].write_bytes(b"\xff\xfe\x00garbage\x80")
    (tmp_path / "model.py").write_text(SCRIPT)
    out["model"] = tmp_path / "model.py"
    out["dir"] = tmp_path
    return out


def assert_clean_failure(code: int, out: str, err: str, expected_code: int, *fragments: str) -> None:
    """The exit code, a short message on stderr without a traceback, nothing on stdout."""
    assert code == expected_code, err
    assert out == ""
    assert err.strip(), "no message"
    assert len(err.rstrip("\n").split("\n")) <= app.MAX_MESSAGE_LINES, err
    assert "Traceback" not in err and 'File "' not in err, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in:\n{err}"


# ---------------------------------------------------------------------------------------------
# every command: missing file, syntax error, corrupt JSON
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", list(COMMANDS))
def test_missing_file(cli, bad, command):
    missing = str(bad["dir"] / "nope.py")
    assert_clean_failure(*cli(command, missing, *COMMANDS[command]), 1, "cannot read", "nope.py",
                         "No such file or directory")


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "from-json"])
def test_syntax_error_is_a_located_diagnostic(cli, bad, command):
    code, out, err = cli(command, str(bad["syntax"]), *COMMANDS[command])
    assert_clean_failure(code, out, err, 1, "error:", f"{bad['syntax']}:5:", "^")
    code, out, err = cli(command, str(bad["unknown_name"]), *COMMANDS[command])
    assert_clean_failure(code, out, err, 1, "unknown name `y`", f"{bad['unknown_name']}:5:21", "return R.add(x, y)")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_corrupt_json(cli, bad, command):
    extra = COMMANDS[command]
    assert_clean_failure(*cli(command, str(bad["json_syntax"]), *extra), 1, "not valid JSON")
    assert_clean_failure(*cli(command, str(bad["json_dangling"]), *extra), 1, "dangling reference",
                         "at JSON path root")
    assert_clean_failure(*cli(command, str(bad["json_version"]), *extra), 1, "unsupported version 99")
    assert_clean_failure(*cli(command, str(bad["json_field"]), *extra), 1, "tir.For", "extent",
                         "at JSON path nodes[")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_unreadable_input(cli, bad, command):
    extra = COMMANDS[command]
    assert_clean_failure(*cli(command, str(bad["binary"]), *extra), 1, "not UTF-8")
    assert_clean_failure(*cli(command, str(bad["dir"]), *extra), 1, "is a directory")
    assert_clean_failure(*cli(command, "-", *extra, stdin=""), 1)  # empty standard input


def test_from_json_of_a_script_is_not_json(cli, bad):
    assert_clean_failure(*cli("from-json", str(bad["model"])), 1, "not valid JSON")


# ---------------------------------------------------------------------------------------------
# run: wrong inputs
# ---------------------------------------------------------------------------------------------
def test_run_wrong_input_shape(cli, bad):
    d = bad["dir"]
    np.save(d / "x.npy", np.zeros((5, 7), "float32"))
    np.save(d / "w.npy", np.zeros((4, 3), "float32"))
    code, out, err = cli("run", str(bad["model"]), "--input", str(d / "x.npy"), str(d / "w.npy"))
    assert_clean_failure(code, out, err, 1, "argument 'x'", "(5, 7)", "dim 1 is 7, expected 4",
                         'at IR path functions["main"].params[0]')
    np.save(d / "x.npy", np.zeros((5, 4), "int32"))
    assert_clean_failure(*cli("run", str(bad["model"]), "--input", str(d / "x.npy"), str(d / "w.npy")), 1,
                         "int32")


def test_run_wrong_number_of_inputs(cli, bad):
    d = bad["dir"]
    np.save(d / "x.npy", np.zeros((5, 4), "float32"))
    assert_clean_failure(*cli("run", str(bad["model"]), "--input", str(d / "x.npy")), 1, "takes 2 argument")


def test_run_bad_input_files(cli, bad):
    d = bad["dir"]
    assert_clean_failure(*cli("run", str(bad["model"]), "--input", str(d / "none.npy")), 1, "cannot read",
                         "none.npy")
    (d / "junk.npy").write_bytes(b"not an array")
    assert_clean_failure(*cli("run", str(bad["model"]), "--input", str(d / "junk.npy")), 1, "junk.npy")


def test_run_unknown_function(cli, bad):
    assert_clean_failure(*cli("run", str(bad["model"]), "--func", "nope", "--random-inputs", "--shape", "n=1"), 1,
                         "no function `nope`", "scale, main")


def test_run_a_runtime_failure(cli):
    # mixed.py calls a library function that only the Python program registers (other tests load
    # that program into this process: take its registration away for this test)
    from irscript.interp.registry import packed_function, register_func, unregister_func

    registered = packed_function("example.gemm")
    if registered is not None:
        unregister_func("example.gemm")
    try:
        assert_clean_failure(*cli("run", str(EXAMPLES / "mixed.py"), "--random-inputs", "--shape", "n=2"), 1,
                             "no library function 'example.gemm'", "at IR path")
    finally:
        if registered is not None:
            register_func("example.gemm", registered)


def test_run_without_a_module(cli, bad):
    expr = bad["dir"] / "expr.json"
    expr.write_text(irscript.to_json(tir.Var("n", "int32") + 1))
    assert_clean_failure(*cli("run", str(expr)), 1, "holds a tir.Add, not a module or a function")


@pytest.mark.parametrize("args,message", [
    (["--random-inputs"], "uses n: pass --shape n=INT"),
    (["--random-inputs", "--shape", "m=2"], "uses n: pass --shape n=INT"),
    (["--random-inputs", "--shape", "n"], "'n' is not NAME=INT"),
    (["--random-inputs", "--shape", "n=two"], "must be an integer"),
    (["--random-inputs", "--shape", "n=-3"], "must be >= 0"),
    (["--shape", "n=2"], "add --random-inputs"),
    (["--seed", "x"], "invalid int value"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_run_bad_usage(cli, bad, args, message):
    assert_clean_failure(*cli("run", str(bad["model"]), *args), 2, message, "usage: irscript run")


# ---------------------------------------------------------------------------------------------
# bad usage of every command, outputs, ill-formed IR, programs
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args,message", [
    ([], "required: COMMAND"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["print"], "required: FILE"),
    (["print", "a.py", "--syntax", "tvm-1"], "invalid choice: 'tvm-1'"),
    (["print", "a.py", "--indent", "0"], "expected a positive integer"),
    (["check"], "required: FILE"),
    (["to-json"], "required: FILE"),
    (["to-json", "a.py", "-o"], "expected one argument"),
    (["from-json"], "required: IN.json"),
    (["show", "a.py", "--colour"], "unrecognized arguments"),
    (["stats", "a.py", "b.py"], "unrecognized arguments: b.py"),
    (["run"], "required: FILE"),
])
def test_bad_usage(cli, args, message):
    assert_clean_failure(*cli(*args), 2, message, "usage: irscript")


def test_outputs_are_written_atomically(cli, bad):
    d = bad["dir"]
    target = d / "out.json"
    target.write_text("previous")
    assert_clean_failure(*cli("to-json", str(bad["syntax"]), "-o", str(target)), 1, "error:")
    assert target.read_text() == "previous"
    assert_clean_failure(*cli("to-json", str(bad["model"]), "-o", str(d / "missing" / "x.json")), 1,
                         "cannot write")
    assert_clean_failure(*cli("print", str(bad["model"]), "-o", str(d)), 1, "cannot write")
    leftovers = [p.name for p in d.rglob(".irscript-*")]
    assert leftovers == []


def test_check_ill_formed_json_lists_problems_with_ir_paths(cli, bad):
    func = tir.PrimFunc((), tir.SeqStmt([tir.Evaluate(tir.Var(f"x{i}", "int32") + 1) for i in range(12)]))
    path = bad["dir"] / "ill.json"
    path.write_text(irscript.to_json(IRModule({"f": func})))
    code, out, err = cli("check", str(path), str(bad["model"]))
    assert code == 1
    assert out.startswith("ok") and str(bad["model"]) in out  # the good file is still checked
    assert_clean_failure(code, "", err, 1, "is not well-formed (12 problems)", "in `f`",
                         'functions["f"].body', "and 4 more")
    assert_clean_failure(*cli("print", str(path)), 1, "is not well-formed")
    code, out, err = cli("print", str(path), "--no-check")  # still printable for a look
    assert code == 0 and "T.evaluate(x11 + 1)" in out


def test_python_programs(cli, bad):
    d = bad["dir"]
    uses_global = d / "uses_global.py"
    uses_global.write_text("import numpy as np\nfrom irscript.script import relax as R\n\nN = 4\n\n@R.function\n"
                           "def f(x: R.Tensor((N,), \"float32\")):\n    return x\n")
    assert_clean_failure(*cli("print", str(uses_global)), 1, "unknown name `N`", "uses_global.py:7:",
                         "without running it")
    two = d / "two.py"
    two.write_text("import os\nfrom irscript.script import tir as T\n\n@T.prim_func\ndef f():\n    T.evaluate(0)\n\n"
                   "@T.prim_func\ndef g():\n    T.evaluate(0)\n")
    assert_clean_failure(*cli("check", str(two)), 1, "several script definitions (`f`, `g`)", "two.py:9:")
    none = d / "none.py"
    none.write_text("import os\n\nprint(os.getcwd())\n")
    assert_clean_failure(*cli("stats", str(none)), 1, "no script definition")


def test_an_internal_error_is_reported_as_a_bug(cli, bad, monkeypatch):
    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "cmd_print", broken)
    monkeypatch.setattr(app, "build_parser", _parser_with(broken))
    code, out, err = cli("print", str(bad["model"]))
    assert code == app.EXIT_INTERNAL and "internal error: RuntimeError: boom" in err and "Traceback" not in err
    code, out, err = cli("--traceback", "print", str(bad["model"]))
    assert code == app.EXIT_INTERNAL and "Traceback" in err


def _parser_with(handler):
    original = app.build_parser

    def build():
        parser = original()
        for action in parser._subparsers._group_actions:
            action.choices["print"].set_defaults(handler=handler)
        return parser

    return build


def test_long_messages_are_clipped():
    text = "\n".join(f"line {i}" for i in range(100))
    clipped = app.clip(text)
    assert len(clipped.split("\n")) == app.MAX_MESSAGE_LINES and clipped.endswith("(77 more lines)")
    assert app.clip("short") == "short"


def test_the_console_script_fails_cleanly(bad):
    """The real process: exit code and stderr of `python -m irscript.cli` on a syntax error."""
    proc = subprocess.run([sys.executable, "-m", "irscript.cli", "run", str(bad["syntax"])],
                          capture_output=True, text=True, timeout=120)
    assert_clean_failure(proc.returncode, proc.stdout, proc.stderr, 1, f"{bad['syntax']}:5:")
