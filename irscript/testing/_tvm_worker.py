"""The worker that `irscript.testing.tvm_oracle` runs in a Python that has Apache TVM 0.25.

    <tvm-python> _tvm_worker.py <batch-dir>

Standalone on purpose: it imports only the standard library, numpy and tvm (never irscript,
which the TVM Python usually does not have). It reads `<batch-dir>/requests.json`, handles the
requests in order and writes `<batch-dir>/responses.json`; arrays travel as .npy files in the
batch directory. Before each request it writes the request's index to `<batch-dir>/progress`,
so that when TVM kills the process (a segfault, an abort) the bridge can say which request did it.

Request kinds (dicts with a "kind" key):

    {"kind": "parse", "text": str, "show_meta": bool, "check_well_formed": bool}
        -> {"ok": true, "script": <TVM's re-print of the parsed object>,
            "metadata": {kind: [{"npy": name} | {"type": type key}, ...]}}
    {"kind": "run", "text": str, "func": str, "inputs": [npy names], "target": str}
        -> {"ok": true, "outputs": [npy names], "compile_seconds": float, "run_seconds": float}

"metadata" decodes the section TVM prints with show_meta=True (`metadata = tvm.ir.load_json(<TVM's
object-graph JSON as a string>)`): each tensor constant as a .npy file, any other object by its
TVM type key. A request that fails answers {"ok": false, "error": "<ExceptionType>: <message>"}; the batch
goes on with the next one.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
import traceback
from typing import Any

if __name__ != "__main__":  # irscript never imports TVM: this file only runs as a script
    raise ImportError("irscript.testing._tvm_worker runs as a script under TVM's Python; it is not imported")

if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # the script's own directory (irscript/testing) must not shadow any import

import numpy as np
import tvm


def _error(exc: BaseException) -> dict[str, Any]:
    message = str(exc).strip() or "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {"ok": False, "error": f"{type(exc).__name__}: {message}"}


def _parse(text: str, check_well_formed: bool = True) -> Any:
    return tvm.script.from_source(text, check_well_formed=check_well_formed)


def _handle_parse(req: dict[str, Any], batch_dir: str, index: int) -> dict[str, Any]:
    parsed = _parse(req["text"], req.get("check_well_formed", True))
    script = parsed.script(show_meta=req.get("show_meta", True))
    return {"ok": True, "script": script, "metadata": _metadata(script, batch_dir, index)}


def _metadata_json(script: str) -> str | None:
    """The JSON text of the top-level `metadata = tvm.ir.load_json("...")` of a TVM printout."""
    if "metadata = " not in script:
        return None
    try:
        body = ast.parse(script).body
    except SyntaxError:
        return None
    for stmt in body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "metadata" and isinstance(stmt.value, ast.Call) and stmt.value.args
                and isinstance(stmt.value.args[0], ast.Constant) and isinstance(stmt.value.args[0].value, str)):
            return stmt.value.args[0].value
    return None


def _metadata(script: str, batch_dir: str, index: int) -> dict[str, list[dict[str, str]]]:
    blob = _metadata_json(script)
    if blob is None:
        return {}
    decoded: dict[str, list[dict[str, str]]] = {}
    for kind, objects in tvm.ir.load_json(blob).items():
        entries = decoded[str(kind)] = []
        for k, obj in enumerate(objects):
            if isinstance(obj, tvm.relax.Constant):
                name = f"meta_{index}_{len(decoded)}_{k}.npy"
                np.save(os.path.join(batch_dir, name), obj.data.numpy())
                entries.append({"npy": name})
            else:
                entries.append({"type": type(obj).__name__})
    return decoded


def _as_module(parsed: Any) -> Any:
    if isinstance(parsed, tvm.IRModule):
        return parsed
    name = "main"
    if parsed.attrs is not None and "global_symbol" in parsed.attrs:
        name = str(parsed.attrs["global_symbol"])
    return tvm.IRModule({name: parsed})


def _flatten(value: Any) -> list[np.ndarray]:
    if isinstance(value, (list, tuple)) or type(value).__name__ in ("Array", "List", "Tuple"):
        return [a for item in value for a in _flatten(item)]
    if hasattr(value, "numpy"):
        return [value.numpy()]
    return [np.asarray(value)]


def _handle_run(req: dict[str, Any], batch_dir: str, index: int) -> dict[str, Any]:
    mod = _as_module(_parse(req["text"], req.get("check_well_formed", True)))
    start = time.perf_counter()
    exe = tvm.compile(mod, target=req.get("target", "llvm"))
    compiled = time.perf_counter()
    args = [tvm.runtime.tensor(np.load(os.path.join(batch_dir, name))) for name in req["inputs"]]
    if any(isinstance(f, tvm.relax.Function) for f in mod.functions.values()):
        vm = tvm.relax.VirtualMachine(exe, tvm.cpu())
        result = _flatten(vm[req["func"]](*args))
    else:  # a TIR-only module: destination-passing style, the outputs are written into the args
        exe[req["func"]](*args)
        result = [a.numpy() for a in args]
    ran = time.perf_counter()
    outputs = []
    for k, array in enumerate(result):
        name = f"out_{index}_{k}.npy"
        np.save(os.path.join(batch_dir, name), array)
        outputs.append(name)
    return {"ok": True, "outputs": outputs, "compile_seconds": compiled - start, "run_seconds": ran - compiled}


_HANDLERS = {"parse": _handle_parse, "run": _handle_run}


def main(batch_dir: str) -> None:
    with open(os.path.join(batch_dir, "requests.json"), encoding="utf-8") as f:
        requests = json.load(f)
    responses = []
    for index, req in enumerate(requests):
        with open(os.path.join(batch_dir, "progress"), "w", encoding="utf-8") as f:
            f.write(str(index))
        handler = _HANDLERS.get(req.get("kind"))
        if handler is None:
            responses.append({"ok": False, "error": f"unknown request kind {req.get('kind')!r}"})
            continue
        try:
            responses.append(handler(req, batch_dir, index))
        except Exception as exc:  # one failing request does not end the batch
            responses.append(_error(exc))
    answer = {"tvm_version": tvm.__version__, "responses": responses}
    with open(os.path.join(batch_dir, "responses.json"), "w", encoding="utf-8") as f:
        json.dump(answer, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: _tvm_worker.py <batch-dir>")
    main(sys.argv[1])
