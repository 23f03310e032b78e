"""Apache TVM 0.25 as a test oracle, run out of process (irscript itself never imports TVM).

    python = find_tvm_python()            # None when no TVM Python is configured or found
    oracle = TVMOracle(python)
    [a, b] = oracle.batch([ParseRequest(text1), RunRequest(text2, "main", (x, y))])
    a.script        # TVM's `mod.script(show_meta=True)` of its parse of text1 (a.error if it failed)
    b.outputs       # the outputs of `tvm.compile(mod, target="llvm")` run on (x, y)

Finding the Python: the environment variable IRSCRIPT_TVM_PYTHON, when set, decides alone (a
path that is not an executable file, or an empty value, means "no TVM"); otherwise
`tvm25-venv/bin/python` in the repository root or in its parent directory. docs/tvm-oracle.md
says how to install one.

Each `batch` call starts ONE subprocess (importing TVM takes seconds), running the standalone
worker `irscript/testing/_tvm_worker.py`; requests and results go through a temporary
directory (JSON plus .npy files). A request that TVM rejects gives a result with `.error`; a
worker that dies, hangs or runs the wrong TVM raises `TVMOracleError` naming the request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ENV_VAR = "IRSCRIPT_TVM_PYTHON"
TVM_VERSION = "0.25"
_REPO_ROOT = Path(__file__).resolve().parents[2]
_VENV_PYTHON = Path("tvm25-venv") / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
_WORKER = Path(__file__).resolve().with_name("_tvm_worker.py")


class TVMOracleError(RuntimeError):
    """The TVM worker could not answer: it crashed, timed out, or runs another TVM version."""


def _usable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_tvm_python() -> str | None:
    """The Python interpreter that has TVM 0.25, or None (see the module docstring)."""
    if ENV_VAR in os.environ:
        explicit = os.environ[ENV_VAR].strip()
        return explicit if explicit and _usable(Path(explicit)) else None
    for root in (_REPO_ROOT, _REPO_ROOT.parent):
        candidate = root / _VENV_PYTHON
        if _usable(candidate):
            return str(candidate)
    return None


@dataclass(frozen=True)
class ParseRequest:
    """Parse `text` with `tvm.script.from_source`, answer `parsed.script(show_meta=show_meta)`."""

    text: str
    show_meta: bool = True
    check_well_formed: bool = True
    label: str = ""


@dataclass(frozen=True)
class RunRequest:
    """Parse `text`, `tvm.compile` it for `target` and call `func` on `inputs`.

    A module with Relax functions runs in `tvm.relax.VirtualMachine` and answers the returned
    tensors (tuples flattened); a TIR-only module answers the arguments after the call (TIR
    functions write their outputs into their buffer arguments)."""

    text: str
    func: str = "main"
    inputs: tuple[np.ndarray, ...] = ()
    target: str = "llvm"
    check_well_formed: bool = True
    label: str = ""


@dataclass(frozen=True)
class OracleResult:
    """One request's answer: `error` is None on success. `script` and `metadata` answer a
    ParseRequest: `metadata[kind][i]` is `metadata["<kind>"][i]` of TVM's metadata section
    (`metadata = tvm.ir.load_json(...)`, printed with show_meta=True), decoded by TVM: the
    array of a tensor constant, or the TVM type name of any other object. `outputs`,
    `compile_seconds` and `run_seconds` answer a RunRequest."""

    error: str | None = None
    script: str | None = None
    metadata: dict[str, list[np.ndarray | str]] = field(default_factory=dict)
    outputs: list[np.ndarray] = field(default_factory=list)
    compile_seconds: float = 0.0
    run_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


Request = ParseRequest | RunRequest


class TVMOracle:
    """Runs batches of requests in a TVM 0.25 Python (`python`, e.g. from `find_tvm_python()`)."""

    __slots__ = ("python", "timeout")

    def __init__(self, python: str, timeout: float = 900.0) -> None:
        self.python = python
        self.timeout = timeout

    def batch(self, requests: Sequence[Request]) -> list[OracleResult]:
        """Answer `requests` in order, all in one subprocess."""
        if not requests:
            return []
        with tempfile.TemporaryDirectory(prefix="irscript-tvm-") as tmp:
            batch_dir = Path(tmp)
            (batch_dir / "requests.json").write_text(json.dumps(_encode(requests, batch_dir)), encoding="utf-8")
            proc = self._spawn(batch_dir, requests)
            answer_path = batch_dir / "responses.json"
            if proc.returncode != 0 or not answer_path.exists():
                raise TVMOracleError(_crash_message(proc, batch_dir, requests, self.python))
            answer = json.loads(answer_path.read_text(encoding="utf-8"))
            version = str(answer.get("tvm_version", "?"))
            if version != TVM_VERSION and not version.startswith(TVM_VERSION + "."):
                raise TVMOracleError(f"{self.python} runs TVM {version}; the oracle needs TVM {TVM_VERSION} "
                                     "(see docs/tvm-oracle.md)")
            responses = answer.get("responses", [])
            if len(responses) != len(requests):
                raise TVMOracleError(f"the TVM worker ({self.python}) answered {len(responses)} of "
                                     f"{len(requests)} requests")
            return [_decode(resp, batch_dir) for resp in responses]

    def parse(self, texts: Sequence[str], show_meta: bool = True) -> list[OracleResult]:
        """TVM's re-print of each text (one subprocess for all)."""
        return self.batch([ParseRequest(t, show_meta=show_meta) for t in texts])

    def _spawn(self, batch_dir: Path, requests: Sequence[Request]) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run([self.python, str(_WORKER), str(batch_dir)], cwd=batch_dir,
                                  capture_output=True, text=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            where = _progress(batch_dir, requests)
            raise TVMOracleError(f"the TVM worker ({self.python}) took over {self.timeout:g} s{where}") from None
        except OSError as e:
            raise TVMOracleError(f"cannot start the TVM worker with {self.python}: {e}") from None


def _encode(requests: Sequence[Request], batch_dir: Path) -> list[dict[str, object]]:
    encoded: list[dict[str, object]] = []
    for i, req in enumerate(requests):
        if isinstance(req, ParseRequest):
            encoded.append({"kind": "parse", "text": req.text, "show_meta": req.show_meta,
                            "check_well_formed": req.check_well_formed})
        elif isinstance(req, RunRequest):
            names = []
            for k, array in enumerate(req.inputs):
                name = f"in_{i}_{k}.npy"
                np.save(batch_dir / name, np.asarray(array), allow_pickle=False)
                names.append(name)
            encoded.append({"kind": "run", "text": req.text, "func": req.func, "inputs": names,
                            "target": req.target, "check_well_formed": req.check_well_formed})
        else:
            raise TypeError(f"TVMOracle.batch takes ParseRequest / RunRequest, got {type(req).__name__}")
    return encoded


def _decode(resp: dict[str, Any], batch_dir: Path) -> OracleResult:
    if not resp.get("ok"):
        return OracleResult(error=str(resp.get("error", "unknown error")))
    outputs = [np.load(batch_dir / str(name), allow_pickle=False) for name in resp.get("outputs", ())]
    metadata = {kind: [np.load(batch_dir / e["npy"], allow_pickle=False) if "npy" in e else str(e["type"])
                       for e in entries] for kind, entries in resp.get("metadata", {}).items()}
    return OracleResult(script=resp.get("script"), metadata=metadata, outputs=outputs,
                        compile_seconds=float(resp.get("compile_seconds", 0.0)),
                        run_seconds=float(resp.get("run_seconds", 0.0)))


def _progress(batch_dir: Path, requests: Sequence[Request]) -> str:
    try:
        index = int((batch_dir / "progress").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return " before it started on the first request"
    req = requests[index]
    kind = "parse" if isinstance(req, ParseRequest) else f"run {req.func!r}"
    label = f" {req.label!r}" if req.label else ""
    first = next((line.strip() for line in req.text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    return f" on request #{index} ({kind}{label}; text starts {first[:60]!r})"


def _crash_message(proc: subprocess.CompletedProcess[str], batch_dir: Path, requests: Sequence[Request],
                   python: str) -> str:
    code = proc.returncode
    how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
    tail = "\n".join((proc.stderr or proc.stdout or "").strip().splitlines()[-25:])
    return f"the TVM worker ({python}) {how}{_progress(batch_dir, requests)}\n--- worker output (tail) ---\n{tail}"


__all__ = ["ENV_VAR", "OracleResult", "ParseRequest", "RunRequest", "TVMOracle", "TVMOracleError",
           "find_tvm_python"]
