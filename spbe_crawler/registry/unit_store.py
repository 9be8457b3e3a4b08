"""Bulk writes of units and declared websites, shared by the Kemendagri, OPD-list and CSV loaders.

Units go in with SQLAlchemy core ``insert()``/``update()`` executemany in chunks (loading the whole
country must take seconds, not minutes); nothing here commits, the caller's session does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from spbe_crawler.registry.results import LoadStats, Named
from spbe_crawler.registry.urls import host_of
from spbe_crawler.store.models import Unit, Website

UNIT_FIELDS = ("code", "name", "kind", "category", "parent_code", "pemda_code", "source", "note")
COMPARED_FIELDS = ("name", "kind", "category", "parent_code", "pemda_code")
CLAIMING_STATES = ("declared", "confirmed")
QUERY_CHUNK = 500
FULL_SCAN_ABOVE = 20 * QUERY_CHUNK
WRITE_CHUNK = 5000

_UNITS = Unit.__table__  # type: ignore[attr-defined]
_WEBSITES = Website.__table__  # type: ignore[attr-defined]


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def existing_units(session: Session, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored units among ``codes``, as plain dicts keyed by code."""
    wanted = set(codes)
    if len(wanted) > FULL_SCAN_ABOVE:  # one table scan beats hundreds of IN (...) queries
        result = session.connection().execute(select(_UNITS))
        keys = list(result.keys())
        at = keys.index("code")
        return {row[at]: dict(zip(keys, row, strict=True)) for row in result if row[at] in wanted}
    found: dict[str, dict[str, Any]] = {}
    for batch in chunks(wanted, QUERY_CHUNK):
        result = session.connection().execute(select(_UNITS).where(_UNITS.c.code.in_(batch)))
        keys = list(result.keys())
        found.update({row[keys.index("code")]: dict(zip(keys, row, strict=True)) for row in result})
    return found


def same_name(left: str, right: str) -> bool:
    """Names equal up to case and spacing (``KOTA  X`` and ``Kota X`` are one name)."""
    return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()


def upsert_units(
    session: Session, units: Sequence[dict[str, Any]], source: str, stored: dict[str, dict[str, Any]] | None = None
) -> LoadStats:
    """Insert new units, update changed units of the same ``source``; never touch other sources' units.

    A unit stored by another source (a user's import, say) whose name or kind differs is counted
    in ``kept`` and left as it is. ``stored``: the stored units, when the caller has just read them.
    """
    stats = LoadStats()
    if stored is None:
        stored = existing_units(session, (unit["code"] for unit in units))
    new, changed = [], []
    for unit in units:
        row = {name: unit.get(name) for name in UNIT_FIELDS} | {"source": source}
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
    _insert_units(session, new)
    _update_units(session, changed)
    stats.added, stats.updated = len(new), len(changed)
    return stats


def _insert_units(session: Session, rows: list[dict[str, Any]]) -> None:
    connection = session.connection()
    for batch in chunks(rows, WRITE_CHUNK):
        connection.execute(insert(_UNITS), batch)


def _update_units(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    statement = (
        update(_UNITS).where(_UNITS.c.code == bindparam("b_code")).values({name: bindparam(f"b_{name}") for name in COMPARED_FIELDS})
    )
    params = ({f"b_{name}": row[name] for name in ("code", *COMPARED_FIELDS)} for row in rows)
    connection = session.connection()
    for batch in chunks(params, WRITE_CHUNK):
        connection.execute(statement, batch)
    session.expire_all()  # ORM objects loaded before the core update must not show old names


def website_claims(session: Session, urls: Iterable[str]) -> dict[str, set[str]]:
    """For each URL, the units it is declared (or confirmed) for."""
    claims: dict[str, set[str]] = defaultdict(set)
    for batch in chunks(set(urls), QUERY_CHUNK):
        statement = select(_WEBSITES.c.url, _WEBSITES.c.unit_code).where(_WEBSITES.c.url.in_(batch), _WEBSITES.c.state.in_(CLAIMING_STATES))
        for url, unit_code in session.connection().execute(statement):
            claims[url].add(unit_code)
    return dict(claims)


def stored_website_pairs(session: Session, unit_codes: Iterable[str]) -> set[tuple[str, str]]:
    """(unit_code, url) of every stored website of these units, whatever its state."""
    pairs: set[tuple[str, str]] = set()
    for batch in chunks(set(unit_codes), QUERY_CHUNK):
        statement = select(_WEBSITES.c.unit_code, _WEBSITES.c.url).where(_WEBSITES.c.unit_code.in_(batch))
        pairs.update((code, url) for code, url in session.connection().execute(statement))
    return pairs


def insert_websites(session: Session, pairs: Sequence[tuple[str, str]], source: str) -> int:
    """Insert declared websites (unit_code, normalised url); the caller has checked they are new."""
    now = _now_for(_WEBSITES.c.first_seen)
    rows = [
        {
            "unit_code": code,
            "url": url,
            "host": host_of(url),
            "state": "declared",
            "role": "unit",
            "source": source,
            "confidence": 1.0,
            "evidence": None,
            "first_seen": now,
            "updated_at": now,
        }
        for code, url in pairs
    ]
    for batch in chunks(rows, WRITE_CHUNK):
        session.connection().execute(insert(_WEBSITES), batch)
    return len(rows)


def _now_for(column: Any) -> datetime:
    """The current UTC time, aware or naive as the column type wants it.

    SQLModel >= 0.0.50 maps ``datetime`` fields to a timezone-aware type that refuses naive values;
    a ``NaiveDatetime`` field (or an older SQLModel) stores naive UTC.
    """
    now = datetime.now(UTC)
    return now if getattr(column.type, "timezone", False) else now.replace(tzinfo=None)
