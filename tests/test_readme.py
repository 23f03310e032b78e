"""The README's commands work: every ```bash block and every ```python block of README.md runs, in
document order, in one copy of the repository, and exits 0.

How it runs, and why:

* The copy holds the files git knows (tracked, plus untracked files that are not ignored), so
  the commands see what a fresh clone sees, and nothing they write lands in the working tree.
* The test command (the README block that equals the last line of `.ci/run`) is not run: it is
  this test suite, and CI runs it from a clean clone by executing `.ci/run`. The test checks
  that the README shows exactly that command.
* `pip install -e .` (and `'.[test]'`) is replaced by a check that `irscript` imports from the
  copy (PYTHONPATH points at it). A real editable install of the copy would take tens of seconds
  and change the environment the rest of the suite runs in; the install itself is exercised by
  CI, whose first step is the README's own `pip install -e '.[test]'`.
* `irscript` is a shim on PATH that runs `python -m irscript.cli`, the same `main` the console
  script calls (tests/test_cli.py runs the installed console script itself), so the commands use
  the copy's code.
* `python -m benchmarks` gets `--scale 0.001 --repeat 1`: every benchmark module runs and the
  one table is printed, at a size that takes seconds instead of minutes.
* A ```python block preceded by `<!-- file: NAME.py -->` is saved as NAME.py (later commands use
  it by that name), any other as readme_block_K.py; each is run with `python FILE`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"(?:<!-- file: (?P<file>[\w.-]+) -->\n)?^```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S)
INSTALL = re.compile(r"pip install -e (?:\.|'\.\[\w+\]'|\"\.\[\w+\]\")(?=\s|$)")
BENCHMARKS = re.compile(r"python -m benchmarks(?=\s*(?:#.*)?$)", re.M)
IMPORT_CHECK = ("python -c \"import irscript, pathlib; "
                "assert pathlib.Path(irscript.__file__).resolve().is_relative_to(pathlib.Path.cwd().resolve()), "
                "irscript.__file__\"")


def ci_test_command() -> str:
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")][-1]


def readme_blocks() -> list[tuple[str, str, str | None]]:
    """(language, body, file name) of every fenced block, in order."""
    return [(m["lang"], m["body"], m["file"]) for m in BLOCK.finditer(README.read_text())]


JUNK = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis", ".ruff_cache",
                               "build", "dist", ".venv", "*.so")


def copy_repository(dest: Path) -> None:
    """The files of a fresh clone (tracked + untracked-but-not-ignored) copied to `dest`; without
    git (an unpacked source archive), the tree minus caches and build outputs."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        shutil.copytree(ROOT, dest, ignore=JUNK)
        return
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def prepare(body: str) -> str:
    """A bash block as the test runs it (see the module doc)."""
    body = INSTALL.sub(IMPORT_CHECK, body)
    return BENCHMARKS.sub("python -m benchmarks --scale 0.001 --repeat 1", body)


def test_readme_starts_with_the_two_commands():
    blocks = readme_blocks()
    assert [lang for lang, _, _ in blocks[:2]] == ["bash", "bash"]
    first, second = (body.strip() for _, body, _ in blocks[:2])
    assert first.startswith("pip install -e . && irscript ")
    assert second == ci_test_command()  # .ci/run runs exactly the README's test command
    text = README.read_text()
    assert text.index("```bash") < text.index("irscript is")  # the commands come first


def test_readme_links_resolve():
    for target in re.findall(r"\]\(([^)#]+)\)", README.read_text()):
        if "://" not in target:
            assert (ROOT / target).exists(), target


def test_every_readme_command_runs(tmp_path: Path):
    repo = tmp_path / "repo"
    copy_repository(repo)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "irscript"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m irscript.cli "$@"\n')
    shim.chmod(0o755)
    python = bin_dir / "python"  # a script, not a symlink: a venv's python must keep its own path
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    env = {**os.environ, "PYTHONPATH": str(repo), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "120"}
    test_command = ci_test_command()
    ran = 0
    for k, (lang, body, name) in enumerate(readme_blocks()):
        if lang == "python":
            script = repo / (name or f"readme_block_{k}.py")
            script.write_text(body)
            cmd = ["python", script.name]
        elif lang in ("bash", "sh", "shell"):
            if body.strip() == test_command:
                continue
            cmd = ["bash", "-e", "-o", "pipefail", "-c", prepare(body)]
        else:
            continue
        proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"README block {k} ({lang}) failed:\n{body}\n--- stdout ---\n" \
                                     f"{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
        ran += 1
    assert ran >= 4
    assert (repo / "model.json").exists() and (repo / "out.npz").exists()  # the tour's files were made
