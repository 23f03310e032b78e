"""Quickstart: build a tiny tensor-level function, save it as JSON, load it back, compare."""

import os
import tempfile

import irscript
from irscript import tir

n = 16
A = tir.Buffer(None, "float32", (n,), name="A")
B = tir.Buffer(None, "float32", (n,), name="B")
a, b = tir.Var("a", "handle"), tir.Var("b", "handle")
i = tir.Var("i")
body = tir.For(i, 0, n, tir.ForKind.SERIAL, tir.BufferStore(B, A[i] * 2.0 + 1.0, (i,)))
func = tir.PrimFunc((a, b), body, buffer_map={a: A, b: B}, attrs={"global_symbol": "scale"})
mod = irscript.IRModule({"scale": func})

path = os.path.join(tempfile.mkdtemp(), "scale.json")
irscript.save_json(mod, path)
loaded = irscript.load_json(path)
irscript.assert_structural_equal(mod, loaded)
print(f"saved and reloaded {path}: structurally equal, hash {irscript.structural_hash(mod):016x}")
