"""DataType: the scalar/vector element types of IR values ("float32", "int64x4", "bool", ...).

A DataType is an immutable value (code, bits, lanes), interned per spelling,
equal to another DataType or to its canonical string spelling (`str(dt)`). It knows its numpy
counterpart, using ml_dtypes for bfloat16 and the float8 formats.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from irscript.errors import IRError

# Type codes, spelled as they print ("float8_e4m3fn16" never prints: float8 kinds have fixed bits).
INT = "int"
UINT = "uint"
FLOAT = "float"
BFLOAT = "bfloat"
BOOL = "bool"
HANDLE = "handle"
VOID = "void"
# Fixed-width minifloats: spelling -> bits.
_MINIFLOATS = {
    "float8_e4m3fn": 8,
    "float8_e5m2": 8,
    "float8_e4m3fnuz": 8,
    "float8_e5m2fnuz": 8,
    "float8_e4m3": 8,
    "float8_e8m0fnu": 8,
    "float6_e2m3fn": 6,
    "float6_e3m2fn": 6,
    "float4_e2m1fn": 4,
}

_PATTERN = re.compile(r"^(int|uint|float|bfloat)(\d+)(?:x(\d+))?$")
_MINI_PATTERN = re.compile(r"^([a-z0-9_]+?)(?:x(\d+))?$")
_CACHE: dict[Any, "DataType"] = {}


class DataType:
    """An element type: `code` ("int", "uint", "float", "bfloat", "bool", "handle", "void" or a
    minifloat spelling such as "float8_e4m3fn"), `bits` and `lanes`."""

    __slots__ = ("code", "bits", "lanes", "_str", "_hash")

    code: str
    bits: int
    lanes: int

    def __new__(cls, spec: "str | DataType | np.dtype | type") -> "DataType":
        if isinstance(spec, DataType):
            return spec
        hit = _CACHE.get(spec) if isinstance(spec, str) else None
        if hit is not None:
            return hit
        if not isinstance(spec, str):
            return DataType.from_numpy(spec)
        code, bits, lanes = _parse(spec)
        return cls.make(code, bits, lanes, spec)

    @classmethod
    def make(cls, code: str, bits: int, lanes: int = 1, _alias: str | None = None) -> "DataType":
        """The interned DataType with these components."""
        key = (code, bits, lanes)
        hit = _CACHE.get(key)
        if hit is None:
            hit = object.__new__(cls)
            object.__setattr__(hit, "code", code)
            object.__setattr__(hit, "bits", bits)
            object.__setattr__(hit, "lanes", lanes)
            text = _format(code, bits, lanes)
            object.__setattr__(hit, "_str", text)
            object.__setattr__(hit, "_hash", hash(text))
            _CACHE[key] = hit
            _CACHE[text] = hit
        if _alias is not None:
            _CACHE[_alias] = hit
        return hit

    # value semantics -------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("DataType is immutable")

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        return f"DataType({self._str!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DataType):
            return self is other
        if isinstance(other, str):  # the canonical spelling only, so hashes agree with str's
            return other == self._str
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        return (DataType, (self._str,))

    def __copy__(self) -> "DataType":
        return self

    def __deepcopy__(self, memo: dict) -> "DataType":
        return self

    # queries ----------------------------------------------------------------------
    @property
    def is_int(self) -> bool:
        return self.code == INT

    @property
    def is_uint(self) -> bool:
        return self.code == UINT

    @property
    def is_bool(self) -> bool:
        return self.code == BOOL

    @property
    def is_integer(self) -> bool:
        """int or uint (not bool)."""
        return self.code in (INT, UINT)

    @property
    def is_float(self) -> bool:
        """Any floating-point kind: float, bfloat or a minifloat."""
        return self.code in (FLOAT, BFLOAT) or self.code in _MINIFLOATS

    @property
    def is_handle(self) -> bool:
        return self.code == HANDLE

    @property
    def is_void(self) -> bool:
        return self.code == VOID

    @property
    def is_scalar(self) -> bool:
        return self.lanes == 1

    @property
    def is_vector(self) -> bool:
        return self.lanes > 1

    def element_of(self) -> "DataType":
        """The scalar type of one lane."""
        return self if self.lanes == 1 else DataType.make(self.code, self.bits, 1)

    def with_lanes(self, lanes: int) -> "DataType":
        return DataType.make(self.code, self.bits, lanes)

    def with_bits(self, bits: int) -> "DataType":
        return DataType.make(self.code, bits, self.lanes)

    @property
    def itemsize(self) -> int:
        """Bytes of one element (all lanes), rounded up."""
        return (self.bits * self.lanes + 7) // 8

    # numpy ------------------------------------------------------------------------
    def numpy_dtype(self) -> np.dtype:
        """The numpy dtype of one lane; raises IRError for types numpy cannot hold."""
        return _to_numpy(self.element_of())

    @staticmethod
    def from_numpy(dtype: Any) -> "DataType":
        """The DataType of a numpy dtype (ml_dtypes types included)."""
        if dtype is None:  # np.dtype(None) would be float64
            raise IRError("not a data type: None")
        try:
            np_dtype = np.dtype(dtype)
        except TypeError as exc:
            raise IRError(f"not a data type: {dtype!r}") from exc
        name = np_dtype.name
        if name == "bool":
            return DataType("bool")
        try:
            return DataType(name)
        except IRError:
            raise IRError(f"numpy dtype {name!r} has no irscript DataType") from None


_INT_RANGES: dict[DataType, tuple[int, int]] = {}


def int_range(dtype: DataType) -> tuple[int, int]:
    """The (min, max) values of an integer, unsigned or bool type."""
    hit = _INT_RANGES.get(dtype)
    if hit is None:
        if dtype.is_bool:
            hit = (0, 1)
        elif dtype.is_uint:
            hit = (0, (1 << dtype.bits) - 1)
        else:
            hit = (-(1 << (dtype.bits - 1)), (1 << (dtype.bits - 1)) - 1)
        _INT_RANGES[dtype] = hit
    return hit


def _parse(text: str) -> tuple[str, int, int]:
    if text == "bool":
        return BOOL, 8, 1
    if text in ("handle", "void"):
        return (HANDLE, 64, 1) if text == "handle" else (VOID, 0, 1)
    m = _PATTERN.fullmatch(text)
    if m is not None:
        code, bits, lanes = m.group(1), int(m.group(2)), int(m.group(3) or 1)
        if bits <= 0 or lanes <= 0:
            raise IRError(f"invalid data type {text!r}")
        return code, bits, lanes
    m = _MINI_PATTERN.fullmatch(text)
    if m is not None:
        base = m.group(1)
        lanes = int(m.group(2) or 1)
        if base in _MINIFLOATS:
            return base, _MINIFLOATS[base], lanes
        if base == "bool":
            return BOOL, 8, lanes
    raise IRError(f"unknown data type {text!r}")


def _format(code: str, bits: int, lanes: int) -> str:
    if code in (HANDLE, VOID):
        base = code
    elif code == BOOL or code in _MINIFLOATS:
        base = code
    else:
        base = f"{code}{bits}"
    return base if lanes == 1 else f"{base}x{lanes}"


def _to_numpy(dt: DataType) -> np.dtype:
    if dt.code == BOOL:
        return np.dtype(np.bool_)
    if dt.code in (INT, UINT, FLOAT) and dt.bits in (8, 16, 32, 64):
        if dt.code == FLOAT and dt.bits == 8:
            raise IRError("float8 needs a format: use float8_e4m3fn or float8_e5m2")
        return np.dtype(f"{dt.code}{dt.bits}")
    if dt.code == BFLOAT and dt.bits == 16 or dt.code in _MINIFLOATS:
        import ml_dtypes

        name = "bfloat16" if dt.code == BFLOAT else dt.code
        if hasattr(ml_dtypes, name):
            return np.dtype(getattr(ml_dtypes, name))
    raise IRError(f"data type {dt} has no numpy counterpart")


# Common types as module constants.
int8 = DataType("int8")
int16 = DataType("int16")
int32 = DataType("int32")
int64 = DataType("int64")
uint8 = DataType("uint8")
float16 = DataType("float16")
float32 = DataType("float32")
float64 = DataType("float64")
bfloat16 = DataType("bfloat16")
boolean = DataType("bool")
handle = DataType("handle")
void = DataType("void")
