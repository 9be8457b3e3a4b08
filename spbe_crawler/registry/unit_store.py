"""Insert or update units from a loader's rows (Kemendagri, OPD list), leaving other sources' units alone.

The rows go to the store in bulk (:mod:`spbe_crawler.store.unit_rows`); nothing here commits, the
caller's session does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from spbe_crawler.registry.results import LoadStats, Named
from spbe_crawler.store.unit_rows import UnitRow, existing_units, insert_units, update_units

UNIT_FIELDS = ("code", "name", "kind", "category", "parent_code", "pemda_code", "source", "note")
COMPARED_FIELDS = ("name", "kind", "category", "parent_code", "pemda_code")


def same_name(left: str, right: str) -> bool:
    """Names equal up to case and spacing (``KOTA  X`` and ``Kota X`` are one name)."""
    return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()


def upsert_units(session: Session, units: Sequence[dict[str, Any]], source: str, stored: dict[str, UnitRow] | None = None) -> LoadStats:
    """Insert new units, update changed units of the same ``source``; never touch other sources' units.

    A unit stored by another source (a user's import, say) whose name or kind differs is counted
    in ``kept`` and left as it is. ``stored``: the stored units, when the caller has just read them.
    """
    stats = LoadStats()
    if stored is None:
        stored = existing_units(session, (unit["code"] for unit in units))
    new, changed = [], []
    for unit in units:
        row: dict[str, Any] = {name: unit.get(name) for name in UNIT_FIELDS} | {"source": source}
        old = stored.get(row["code"])
        if old is None:
            new.append(row)
        elif old["source"] != source:
            if same_name(old["name"], row["name"]) and old["kind"] == row["kind"]:
                stats.unchanged += 1
            else:
                stats.kept.append(row["code"])
        elif any(old[name] != row[name] for name in COMPARED_FIELDS):
            changed.append(row)
            if not same_name(old["name"], row["name"]):
                stats.renamed.append(Named(row["code"], row["name"], old["name"]))
        else:
            stats.unchanged += 1
    insert_units(session, new)
    update_units(session, changed, COMPARED_FIELDS)
    stats.added, stats.updated = len(new), len(changed)
    return stats
