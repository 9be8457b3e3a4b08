"""The unit shape discovery works on: (code, name, kind, parent_code), from a tuple or a table row."""

from __future__ import annotations

from typing import Any, NamedTuple


class UnitRef(NamedTuple):
    code: str
    name: str
    kind: str
    parent_code: str | None = None


def as_unit_ref(unit: Any) -> UnitRef:
    """Accept a ``UnitRef``, a plain ``(code, name, kind, parent_code)`` tuple or any object with those
    attributes (such as a ``store.models.Unit`` row)."""
    if isinstance(unit, UnitRef):
        return unit
    if isinstance(unit, (tuple, list)):
        return UnitRef(*unit)
    return UnitRef(unit.code, unit.name, unit.kind, getattr(unit, "parent_code", None))
