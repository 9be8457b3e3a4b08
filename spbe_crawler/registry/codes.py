"""Kemendagri region codes: the depth of a code gives its level, its prefix its parent and its pemda."""

from __future__ import annotations

import re

from spbe_crawler.vocab import UnitKind

_CODE = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$")
_PEMDA_CODE = re.compile(r"^\d{2}\.\d{2}$")
_LEVEL_KINDS = {1: UnitKind.PROVINSI.value, 2: UnitKind.PEMDA.value, 3: UnitKind.KECAMATAN.value}
_VILLAGE_KINDS = {"1": UnitKind.KELURAHAN.value, "2": UnitKind.DESA.value, "3": UnitKind.DESA.value}  # 3xxx: desa adat


def is_region_code(code: str) -> bool:
    return bool(_CODE.match(code))


def is_pemda_code(code: str) -> bool:
    """True for a kabupaten/kota code such as ``18.71``."""
    return bool(_PEMDA_CODE.match(code))


def region_kind(code: str) -> str:
    """The unit kind of a code; raises ``ValueError`` (Bahasa message) for a malformed code."""
    if not is_region_code(code):
        raise ValueError(f"kode wilayah '{code}' tidak sah (contoh: 18, 18.71, 18.71.01, 18.71.01.1003)")
    parts = code.split(".")
    if len(parts) in _LEVEL_KINDS:
        return _LEVEL_KINDS[len(parts)]
    kind = _VILLAGE_KINDS.get(parts[3][0])
    if kind is None:
        raise ValueError(f"kode wilayah '{code}': bagian terakhir harus 1xxx (kelurahan), 2xxx (desa) atau 3xxx (desa adat)")
    return kind


def parent_of(code: str) -> str | None:
    """The code one level up, None for a province."""
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def pemda_of(code: str) -> str | None:
    """The kabupaten/kota code a region belongs to (itself for a kab/kota), None for a province."""
    parts = code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None
