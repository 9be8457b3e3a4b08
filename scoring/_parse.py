"""Small typed readers for YAML mappings that fail with a located, human message.

Both the framework and the rubric loaders use them, so a bad data file always names the place
("groups.aspect[2].weight") and the problem; the loaders add the file name and id.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


class DataFileError(ValueError):
    """A data file (framework, rubric) is malformed; the message is shown to users as-is."""


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DataFileError(f"{where}: harus berupa pemetaan (mapping)")
    return value


def sequence(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise DataFileError(f"{where}: harus berupa daftar (list)")
    return value


def require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] is None:
        raise DataFileError(f"{where}: kunci '{key}' tidak ada")
    return data[key]


def text(data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    if default is not None and data.get(key) is None:
        return default
    value = require(data, key, where)
    if not isinstance(value, str) or not value.strip():
        raise DataFileError(f"{where}.{key}: harus berupa teks yang tidak kosong")
    return value.strip()


def integer(data: Mapping[str, Any], key: str, where: str) -> int:
    value = require(data, key, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataFileError(f"{where}.{key}: harus bilangan bulat, berisi {value!r}")
    return value


def decimal(data: Mapping[str, Any], key: str, where: str) -> Decimal:
    """A number as an exact Decimal (YAML floats go through ``str`` so 1.3 stays 1.3)."""
    value = require(data, key, where)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise DataFileError(f"{where}.{key}: harus berupa angka, berisi {value!r}")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise DataFileError(f"{where}.{key}: harus berupa angka, berisi {value!r}") from None
    if not result.is_finite():
        raise DataFileError(f"{where}.{key}: harus berupa angka terhingga, berisi {value!r}")
    return result


def probability(data: Mapping[str, Any], key: str, where: str) -> float:
    value = decimal(data, key, where)
    if not Decimal(0) <= value <= Decimal(1):
        raise DataFileError(f"{where}.{key}: harus antara 0 dan 1, berisi {value}")
    return float(value)


def int_list(data: Mapping[str, Any], key: str, where: str) -> tuple[int, ...]:
    items = sequence(require(data, key, where), f"{where}.{key}")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int):
            raise DataFileError(f"{where}.{key}: semua anggota harus bilangan bulat, ada {item!r}")
    return tuple(items)


def str_list(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = sequence(require(data, key, where), f"{where}.{key}")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise DataFileError(f"{where}.{key}: semua anggota harus teks, ada {item!r}")
    return tuple(item.strip() for item in items)
