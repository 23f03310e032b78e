"""The Relax operator set. `base` holds the call-into-tensor-level and library ops."""

from irscript.relax.op.base import call_dps_packed, call_packed, call_pure_packed, call_tir, call_tir_inplace

__all__ = ["call_dps_packed", "call_packed", "call_pure_packed", "call_tir", "call_tir_inplace"]
