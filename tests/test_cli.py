"""The `irscript` command line, what works: every command on scripts, Python programs, JSON and
standard input; outputs checked against the library (parse, JSON, the interpreter); the
progress display; the console script itself.

Bad input (missing files, syntax errors, corrupt JSON, wrong shapes, bad usage) is in
tests/test_cli_errors.py, which uses the helpers defined here.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import irscript
from irscript.cli import main
from irscript.cli.inputs import parse_shape_spec
from irscript.cli.progress import Activity

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

SCRIPT = '''\
from irscript.script import ir as I, tir as T, relax as R

@I.ir_module
class Module:
    @T.prim_func
    def scale(a: T.handle, b: T.handle):
        n = T.int64()
        A = T.match_buffer(a, (n,), "float32")
        B = T.match_buffer(b, (n,), "float32")
        for i in range(n):
            with T.block("scale"):
                vi = T.axis.spatial(n, i)
                B[vi] = A[vi] * T.float32(2) + T.float32(1)

    @R.function
    def main(x: R.Tensor(("n", 4), "float32"), w: R.Tensor((4, 3), "float32")) -> R.Tensor(("n", 3), "float32"):
        n = T.int64()
        cls = Module
        with R.dataflow():
            y = R.matmul(x, w)
            z = R.nn.relu(y)
            R.output(z)
        return z
'''

PRIM_FUNC = '''\
from irscript.script import tir as T

@T.prim_func
def add_one(A: T.Buffer((4,), "int32"), B: T.Buffer((4,), "int32")):
    for i in range(4):
        B[i] = A[i] + 1
'''


def run_cli(*args: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None,
            capsys: pytest.CaptureFixture | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `irscript args...` run in this process."""
    assert capsys is not None
    capsys.readouterr()
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    def call(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        return run_cli(*args, stdin=stdin, monkeypatch=monkeypatch, capsys=capsys)

    return call


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A script, the same module as JSON, a PrimFunc script, and an input array."""
    script = tmp_path / "model.py"
    script.write_text(SCRIPT)
    mod = irscript.parse(SCRIPT)
    as_json = tmp_path / "model.json"
    irscript.save_json(mod, as_json)
    prim = tmp_path / "add_one.py"
    prim.write_text(PRIM_FUNC)
    rng = np.random.default_rng(1)
    np.save(tmp_path / "x.npy", rng.standard_normal((5, 4)).astype("float32"))
    np.save(tmp_path / "w.npy", rng.standard_normal((4, 3)).astype("float32"))
    return {"script": script, "json": as_json, "prim": prim, "dir": tmp_path}


# ---------------------------------------------------------------------------------------------
# print / from-json / to-json / show
# ---------------------------------------------------------------------------------------------
def test_print_gives_the_canonical_text_that_parses_back(cli, files):
    code, out, err = cli("print", str(files["script"]))
    assert code == 0 and err == ""
    mod = irscript.parse(SCRIPT)
    assert out == irscript.print_script(mod) + "\n"
    irscript.assert_structural_equal(irscript.parse(out), mod)


def test_print_reads_json_and_standard_input(cli, files):
    want = irscript.print_script(irscript.parse(SCRIPT)) + "\n"
    assert cli("print", str(files["json"]))[1] == want
    assert cli("print", "-", stdin=SCRIPT)[1] == want
    assert cli("print", "-", stdin=files["json"].read_text())[1] == want  # sniffed as JSON


def test_print_tvm_syntax_and_output_file(cli, files):
    out_file = files["dir"] / "tvm.py"
    code, out, _ = cli("print", str(files["script"]), "--syntax", "tvm-0.25", "-o", str(out_file))
    assert code == 0 and out == ""
    text = out_file.read_text()
    assert "from tvm.script import" in text and "T.sblock(" in text
    irscript.assert_structural_equal(irscript.parse(text), irscript.parse(SCRIPT))  # TVM's spelling parses too
    code, out, _ = cli("print", str(files["script"]), "--indent", "2")
    assert code == 0 and "\n  @R.function" in out


def test_print_reads_the_definition_of_a_python_program(cli):
    code, out, err = cli("print", str(EXAMPLES / "mlp.py"))
    assert code == 0, err
    spec = _import_example("mlp")
    irscript.assert_structural_equal(irscript.parse(out), spec.MLP)


def test_to_json_and_from_json_round_trip(cli, files):
    target = files["dir"] / "out.json"
    code, out, err = cli("to-json", str(files["script"]), "-o", str(target))
    assert (code, out, err) == (0, "", "")
    mod = irscript.parse(SCRIPT)
    irscript.assert_structural_equal(irscript.load_json(target), mod)
    code, out, _ = cli("to-json", str(files["script"]), "--indent", "1")
    assert code == 0 and json.loads(out)["format"] == "irscript.ir"
    irscript.assert_structural_equal(irscript.from_json(out), mod)
    code, out, _ = cli("from-json", str(target))
    assert code == 0 and out == irscript.print_script(mod) + "\n"
    code, out, _ = cli("from-json", "-", stdin=target.read_text())
    assert code == 0 and out == irscript.print_script(mod) + "\n"


def test_show_is_plain_when_piped_and_highlighted_on_request(cli, files):
    code, plain, _ = cli("show", str(files["script"]))
    assert code == 0 and plain == irscript.print_script(irscript.parse(SCRIPT)) + "\n"
    code, colored, _ = cli("show", str(files["json"]), "--color")
    assert code == 0 and "\x1b[" in colored
    stripped = "".join(re.split(r"\x1b\[[0-9;]*m", colored))
    assert stripped.rstrip("\n") == plain.rstrip("\n")  # every line whole, however long


# ---------------------------------------------------------------------------------------------
# check / stats
# ---------------------------------------------------------------------------------------------
def test_check_reports_each_file(cli, files):
    code, out, err = cli("check", str(files["script"]), str(files["json"]), str(EXAMPLES / "cnn.py"))
    assert code == 0 and err == ""
    lines = out.strip().split("\n")
    assert len(lines) == 3 and all(line.startswith("ok") for line in lines)
    assert "IRModule with 2 functions (scale, main)" in lines[0]
    assert cli("check", "-q", str(files["script"]))[1:] == ("", "")


def test_stats_counts_functions_bindings_ops_and_nodes(cli, files):
    code, out, _ = cli("stats", str(files["json"]), "--json")
    assert code == 0
    stats = json.loads(out)
    funcs = {f["name"]: f for f in stats["functions"]}
    assert funcs["scale"]["kind"] == "tir.PrimFunc" and funcs["main"]["kind"] == "relax.Function"
    assert funcs["main"]["bindings"] == 2 and stats["bindings"] == 2 and funcs["main"]["params"] == 2
    assert stats["ops"] == {"relax.matmul": 1, "relax.nn.relu": 1}
    assert stats["nodes"]["tir.For"] == 1 and stats["nodes"]["relax.VarBinding"] == 2
    assert stats["total_nodes"] == sum(stats["nodes"].values())
    code, table, _ = cli("stats", str(files["script"]))
    assert code == 0 and "relax.nn.relu" in table and "2 functions, 2 bindings" in table


# ---------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------
def test_run_with_input_files_matches_the_interpreter(cli, files):
    d = files["dir"]
    code, out, err = cli("run", str(files["script"]), "--input", str(d / "x.npy"), str(d / "w.npy"),
                         "--save", str(d / "out.npz"))
    assert code == 0, err
    assert "[5, 3]" in out and "float32" in out and "ran main in" in out and "saved 1 output" in out
    x, w = np.load(d / "x.npy"), np.load(d / "w.npy")
    want = irscript.run(irscript.parse(SCRIPT), "main", x, w)
    with np.load(d / "out.npz") as saved:
        assert saved.files == ["output"]
        np.testing.assert_array_equal(saved["output"], want)


def test_run_with_random_inputs_fills_symbolic_dims(cli, files):
    d = files["dir"]
    code, out, err = cli("run", str(EXAMPLES / "mlp.py"), "--random-inputs", "--shape", "n=3", "--seed", "7",
                         "--save", str(d / "probs.npz"))
    assert code == 0, err
    assert "[3, 784]" in out and "random (seed 7)" in out
    with np.load(d / "probs.npz") as saved:
        probs = saved["output"]
    assert probs.shape == (3, 10) and np.allclose(probs.sum(-1), 1, atol=1e-5)
    # the first input from a file, the rest random; the same seed gives the same result
    np.save(d / "x3.npy", np.zeros((3, 784), "float32"))
    code, out, err = cli("run", str(EXAMPLES / "mlp.py"), "--input", str(d / "x3.npy"), "--random-inputs",
                         "--shape", "n=3", "--save", str(d / "a.npz"))
    assert code == 0, err
    assert "x3.npy" in out
    cli("run", str(EXAMPLES / "mlp.py"), "--input", str(d / "x3.npy"), "--random-inputs", "--shape", "n=3",
        "--save", str(d / "b.npz"))
    with np.load(d / "a.npz") as a, np.load(d / "b.npz") as b:
        np.testing.assert_array_equal(a["output"], b["output"])


def test_run_a_prim_func_shows_its_buffers_after_the_call(cli, files):
    d = files["dir"]
    np.save(d / "a.npy", np.arange(4, dtype="int32"))
    np.save(d / "b.npy", np.zeros(4, dtype="int32"))
    code, out, err = cli("run", str(files["prim"]), "--input", str(d / "a.npy"), str(d / "b.npy"),
                         "--save", str(d / "o.npz"))
    assert code == 0, err
    with np.load(d / "o.npz") as saved:
        assert saved.files == ["A", "B"]
        np.testing.assert_array_equal(saved["B"], np.arange(1, 5))


def test_run_picks_a_function_and_reads_npz_inputs(cli, files):
    d = files["dir"]
    np.savez(d / "in.npz", a=np.ones(6, "float32"), b=np.zeros(6, "float32"))
    code, out, err = cli("run", str(files["script"]), "--func", "scale", "--input", str(d / "in.npz"),
                         "--save", str(d / "o.npz"))
    assert code == 0, err
    with np.load(d / "o.npz") as saved:
        np.testing.assert_array_equal(saved["B"], np.full(6, 3.0, "float32"))


def test_run_random_inputs_of_every_kind(cli, tmp_path):
    script = tmp_path / "kinds.py"
    script.write_text('''\
from irscript.script import relax as R

@R.function
def main(a: R.Tensor(("n", 2), "int8"), b: R.Tensor((3,), "bool"), c: R.Tensor(("n * 2",), "float16"),
         t: R.Tuple(R.Tensor((2,), "uint8"), R.Prim("int64")), s: R.Shape(["n", 4])):
    return (a, b, c, t, s)
''')
    code, out, err = cli("run", str(script), "--random-inputs", "--shape", "n=2", "--save", str(tmp_path / "o.npz"))
    assert code == 0, err
    with np.load(tmp_path / "o.npz") as o:
        assert o["output_0"].dtype == np.int8 and o["output_0"].shape == (2, 2)
        assert o["output_1"].dtype == np.bool_ and o["output_2"].dtype == np.float16 and o["output_2"].shape == (4,)
        assert o["output_3_0"].dtype == np.uint8 and o["output_3_1"].shape == ()
        assert o["output_4"].tolist() == [2, 4]
        assert (-8 <= o["output_0"]).all() and (o["output_0"] < 8).all()


def test_shape_specs():
    assert parse_shape_spec("n=8") == {"n": 8}
    assert parse_shape_spec("n=8, m = 4") == {"n": 8, "m": 4}
    for bad in ("n", "n=x", "=3", "n=-1", "1n=2", "n=8,"):
        with pytest.raises(ValueError):
            parse_shape_spec(bad)


# ---------------------------------------------------------------------------------------------
# usage, progress, the console script
# ---------------------------------------------------------------------------------------------
def test_help_on_every_command(cli):
    code, out, _ = cli("--help")
    assert code == 0
    commands = ("print", "check", "to-json", "from-json", "run", "show", "stats")
    assert all(c in out for c in commands)
    for command in commands:
        code, out, _ = cli(command, "--help")
        assert code == 0 and out.startswith(f"usage: irscript {command}") and len(out.split("\n")) > 8
    assert cli("--version")[:2] == (0, f"irscript {irscript.__version__}\n")


def test_progress_shows_only_for_slow_work_on_a_terminal():
    from rich.console import Console

    buf = io.StringIO()
    terminal = Console(file=buf, force_terminal=True, width=80)
    slow = Activity(terminal, delay=0.05)
    with slow.phase("parsing"):
        time.sleep(0.4)
    slow.close()
    assert slow.shown and "parsing" in buf.getvalue()
    assert buf.getvalue().endswith("\x1b[2K")  # transient: erased when the work ends

    buf = io.StringIO()
    fast = Activity(Console(file=buf, force_terminal=True), delay=5)
    with fast.phase("parsing"):
        pass
    fast.close()
    assert not fast.shown and buf.getvalue() == ""

    piped = Activity(None, delay=0)  # what the CLI makes when stdout is not a terminal
    with piped.phase("parsing"):
        time.sleep(0.05)
    piped.close()
    assert not piped.shown


def test_commands_show_the_bar_on_a_terminal_only(files, monkeypatch, capsys):
    from irscript.cli import progress, running

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    real_execute = running.execute

    def slow_execute(*args, **kwargs):
        time.sleep(0.5)
        return real_execute(*args, **kwargs)

    monkeypatch.setattr(running, "execute", slow_execute)
    monkeypatch.setattr(progress, "DELAY", 0.05)
    run = ["run", str(files["script"]), "--random-inputs", "--shape", "n=2"]
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(run) == 0
    shown = terminal.getvalue()
    assert "running main" in shown and "\x1b[2K" in shown and "ran main in" in shown
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # piped: the same slow run, no bar
    piped = sys.stdout
    assert main(run) == 0
    assert "running main" not in piped.getvalue() and "\x1b[" not in piped.getvalue()
    assert "ran main in" in piped.getvalue()


def test_piped_output_has_nothing_extra(files):
    proc = subprocess.run([sys.executable, "-m", "irscript.cli", "print", str(files["script"])],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == irscript.print_script(irscript.parse(SCRIPT)) + "\n"


def test_the_console_script_is_installed(files):
    exe = Path(sys.executable).with_name("irscript")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "irscript.cli"]
    proc = subprocess.run(cmd + ["check", str(files["json"])], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("ok")


def _import_example(name: str):
    import importlib.util

    key = f"irscript_example_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module
