"""DataType: spelling round trips, components, numpy mapping, errors, equality, hashing, pickling."""

from __future__ import annotations

import copy
import pickle

import ml_dtypes
import numpy as np
import pytest

from irscript import IRError
from irscript.ir import DataType

SPELLINGS = {
    # spelling: (code, bits, lanes)
    "float32": ("float", 32, 1),
    "int64": ("int", 64, 1),
    "bool": ("bool", 8, 1),
    "bfloat16": ("bfloat", 16, 1),
    "float8_e4m3fn": ("float8_e4m3fn", 8, 1),
    "float16x4": ("float", 16, 4),
    "handle": ("handle", 64, 1),
    "void": ("void", 0, 1),
    "uint8": ("uint", 8, 1),
    "int32x8": ("int", 32, 8),
    "float8_e5m2x2": ("float8_e5m2", 8, 2),
    "boolx4": ("bool", 8, 4),
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_parse_print_round_trip(spelling):
    dt = DataType(spelling)
    assert str(dt) == spelling
    assert DataType(str(dt)) is dt  # interned
    assert (dt.code, dt.bits, dt.lanes) == SPELLINGS[spelling]
    assert DataType.make(dt.code, dt.bits, dt.lanes) is dt
    assert repr(dt) == f"DataType({spelling!r})"


def test_components_and_queries():
    v = DataType("float16x4")
    assert v.is_vector and not v.is_scalar and v.is_float
    assert v.element_of() is DataType("float16") and v.itemsize == 8
    assert DataType("int32").with_lanes(8) is DataType("int32x8")
    assert DataType("int32").with_bits(64) is DataType("int64")
    assert DataType("uint8").is_uint and DataType("uint8").is_integer and not DataType("uint8").is_int
    assert DataType("bool").is_bool and not DataType("bool").is_integer
    assert DataType("bfloat16").is_float and DataType("float8_e4m3fn").is_float
    assert DataType("handle").is_handle and DataType("void").is_void
    assert DataType("int32x8").itemsize == 32 and DataType("float4_e2m1fn").itemsize == 1


@pytest.mark.parametrize(
    "spelling, np_dtype",
    [("float32", np.float32), ("float64", np.float64), ("float16", np.float16), ("int8", np.int8),
     ("int64", np.int64), ("uint8", np.uint8), ("uint64", np.uint64), ("bool", np.bool_),
     ("bfloat16", ml_dtypes.bfloat16), ("float8_e4m3fn", ml_dtypes.float8_e4m3fn),
     ("float8_e5m2", ml_dtypes.float8_e5m2)],
)
def test_numpy_mapping(spelling, np_dtype):
    dt = DataType(spelling)
    assert dt.numpy_dtype() == np.dtype(np_dtype)
    assert DataType.from_numpy(np_dtype) is dt
    assert DataType(np.dtype(np_dtype)) is dt
    assert DataType.from_numpy(np.zeros(2, np_dtype).dtype) is dt
    assert DataType(spelling + "x4").numpy_dtype() == np.dtype(np_dtype)  # one lane's dtype


def test_numpy_mapping_errors():
    with pytest.raises(IRError, match="handle has no numpy counterpart"):
        DataType("handle").numpy_dtype()
    with pytest.raises(IRError, match="float8 needs a format"):
        DataType("float8").numpy_dtype()
    with pytest.raises(IRError, match="'complex64' has no irscript DataType"):
        DataType.from_numpy(np.complex64)
    with pytest.raises(IRError, match="not a data type: None"):
        DataType(None)  # numpy would read None as float64
    assert DataType(np.dtype(">f4")) is DataType("float32")  # byte order does not matter


@pytest.mark.parametrize(
    "bad", ["float", "int", "float32x", "floatx4", "Float32", "", " float32", "float32 ", "int0", "int32x0",
            "handlex4", "voidx2", "complex64", "float8_e4m3fnz", "i32", "int-8", "float32\n"],
)
def test_bad_spellings(bad):
    with pytest.raises(IRError, match="data type"):
        DataType(bad)


def test_equality_with_strings_and_hashing():
    dt = DataType("float32")
    assert dt == "float32" and "float32" == dt and dt != "float16" and dt != "not a type"
    assert not (dt != "float32")
    assert dt == DataType("float32") and dt != DataType("float64")
    assert dt != 32 and dt != None  # noqa: E711
    for spelling in SPELLINGS:
        assert hash(DataType(spelling)) == hash(spelling)
    table = {"int32": 1, DataType("float16"): 2}
    assert table[DataType("int32")] == 1 and table["float16"] == 2
    # only the canonical spelling is equal, so equal values always hash equal
    alias = DataType("int32x1")
    assert alias is DataType("int32") and alias != "int32x1"


def test_pickle_and_copy_keep_identity():
    for spelling in SPELLINGS:
        dt = DataType(spelling)
        assert pickle.loads(pickle.dumps(dt)) is dt
        assert copy.copy(dt) is dt and copy.deepcopy(dt) is dt


def test_immutable():
    dt = DataType("int8")
    with pytest.raises(AttributeError, match="immutable"):
        dt.bits = 16
    assert dt.bits == 8
