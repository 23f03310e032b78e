"""Property tests over generated IR: JSON, deepcopy and pickle round trips keep modules
structurally equal and hash-equal; the strategies cover every node type and generate
well-formed IR."""

from __future__ import annotations

import copy
import pickle

from hypothesis import Phase, given, settings

from irscript.ir import from_json, pre_order, registered_node_types, structural_hash, to_json
from irscript.ir.well_formed import check_well_formed
from irscript.relax import well_formed as relax_well_formed
from irscript.testing import check_hash_consistency, check_json_roundtrip
from irscript.testing.strategies import SETTINGS, ir_modules, prim_funcs, relax_functions
from irscript.tir import well_formed as tir_well_formed

CHECKERS = (relax_well_formed, tir_well_formed)  # importing them registers the dialect checkers
CORE = ("irscript.ir.", "irscript.tir.", "irscript.relax.")


@settings(SETTINGS, max_examples=150)
@given(ir_modules())
def test_module_round_trips(mod):
    h = structural_hash(mod)
    loaded = check_json_roundtrip(mod)
    assert structural_hash(loaded) == h
    for dup in (copy.deepcopy(mod), pickle.loads(pickle.dumps(mod))):
        assert check_hash_consistency(mod, dup)
        assert structural_hash(dup) == h


@settings(SETTINGS, max_examples=40)
@given(prim_funcs())
def test_prim_func_round_trips(func):
    check_json_roundtrip(func)
    assert check_hash_consistency(func, copy.deepcopy(func))


@settings(SETTINGS, max_examples=40)
@given(relax_functions())
def test_relax_function_round_trips(func):
    check_json_roundtrip(func, map_free_vars=False)  # the callee GlobalVars compare by name
    assert check_hash_consistency(func, pickle.loads(pickle.dumps(func)))


def test_strategies_cover_every_node_type():
    seen: set[str] = set()

    @settings(SETTINGS, max_examples=300, database=None, derandomize=True, phases=[Phase.generate])
    @given(ir_modules())
    def gather(mod):
        seen.update(node.type_key for node in pre_order(mod))

    gather()
    core = {k for k, c in registered_node_types().items() if c.__module__.startswith(CORE)}
    assert core - seen == set()


@settings(SETTINGS, max_examples=80)
@given(ir_modules())
def test_generated_modules_are_well_formed(mod):
    assert check_well_formed(mod) == []
    assert check_well_formed(from_json(to_json(mod))) == []
