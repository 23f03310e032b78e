"""IR core benchmark: build, structural hash, structural equality and JSON on large modules.

Two workloads (benchmarks/generators.py): a module of 1,000 PrimFuncs (~30
printed lines each) and a Relax function of 10,000 bindings with its
kernels. Baselines, measured in the same run on the same module:
`copy.deepcopy` for build / structural_hash / structural_equal (a generic
walk that rebuilds every node), `pickle.dumps` for to_json, `pickle.loads`
for from_json, pickle's byte size for the JSON size.

    python -m benchmarks [--quick] ir        or   python -m benchmarks.bench_ir [--quick]
"""

from __future__ import annotations

import copy
import pickle
import sys
from collections.abc import Callable

from benchmarks import Row, best_time
from benchmarks.generators import build_prim_funcs_module, build_relax_module
from irscript.ir import IRModule, from_json, pre_order, structural_equal, structural_hash, to_json

DEEPCOPY = "copy.deepcopy"


def _workload(label: str, build: Callable[[], IRModule], repeat: int) -> list[Row]:
    t_build, mod = best_time(build, repeat)
    nodes = sum(1 for _ in pre_order(mod))
    t_copy, dup = best_time(lambda: copy.deepcopy(mod), repeat)
    t_hash, h = best_time(lambda: structural_hash(mod), repeat)
    t_equal, same = best_time(lambda: structural_equal(mod, dup), repeat)
    t_pdump, blob = best_time(lambda: pickle.dumps(mod, pickle.HIGHEST_PROTOCOL), repeat)
    t_dump, text = best_time(lambda: to_json(mod), repeat)
    t_pload, _ = best_time(lambda: pickle.loads(blob), repeat)
    t_load, back = best_time(lambda: from_json(text), repeat)
    if not same or structural_hash(back) != h:  # the round trip must hold (not timed)
        raise AssertionError(f"{label}: JSON round trip or deepcopy is not structurally equal")
    ms = 1e3
    return [
        Row(f"{label}: nodes", nodes, "nodes"),
        Row(f"{label}: build", t_build * ms, "ms", DEEPCOPY, t_copy * ms),
        Row(f"{label}: structural_hash", t_hash * ms, "ms", DEEPCOPY, t_copy * ms),
        Row(f"{label}: structural_equal (to a deepcopy)", t_equal * ms, "ms", DEEPCOPY, t_copy * ms),
        Row(f"{label}: to_json", t_dump * ms, "ms", "pickle.dumps", t_pdump * ms),
        Row(f"{label}: from_json", t_load * ms, "ms", "pickle.loads", t_pload * ms),
        Row(f"{label}: JSON size", len(text.encode()) / 1e6, "MB", "pickle size", len(blob) / 1e6),
    ]


def run(scale: float = 1.0, repeat: int = 3) -> list[Row]:
    """The rows of both workloads at `scale` (1.0: 1,000 PrimFuncs and 10,000 bindings)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    n_funcs = max(3, round(1000 * scale))
    n_bindings = max(10, round(10000 * scale))
    rows = _workload(f"{n_funcs:,} PrimFuncs", lambda: build_prim_funcs_module(n_funcs), repeat)
    rows += _workload(f"Relax {n_bindings:,} bindings", lambda: build_relax_module(n_bindings), repeat)
    return rows


if __name__ == "__main__":
    from benchmarks.run import main

    sys.exit(main(sys.argv[1:] + ["bench_ir"]))
