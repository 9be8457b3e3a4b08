"""Bulk reads and writes of unit and website rows, for the region, OPD-list and CSV loaders.

Rows go in with SQLAlchemy core ``insert()``/``update()`` executemany in chunks (loading the whole
country must take seconds, not minutes) and come back as plain dicts keyed by column name; nothing
here commits, the caller's session does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session

from spbe_crawler.store.models import Unit, Website
from spbe_crawler.vocab import WebsiteRole, WebsiteState

UnitRow = dict[str, Any]  # a ``unit`` row by column name

CLAIMING_STATES = (WebsiteState.DECLARED.value, WebsiteState.CONFIRMED.value)
QUERY_CHUNK = 500
FULL_SCAN_ABOVE = 20 * QUERY_CHUNK
WRITE_CHUNK = 5000

_UNITS = Unit.__table__  # type: ignore[attr-defined]
_WEBSITES = Website.__table__  # type: ignore[attr-defined]


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _by_code(result: Any) -> dict[str, UnitRow]:
    keys = list(result.keys())
    at = keys.index("code")
    return {row[at]: dict(zip(keys, row, strict=True)) for row in result}


def existing_units(session: Session, codes: Iterable[str]) -> dict[str, UnitRow]:
    """The stored units among ``codes``, keyed by code."""
    wanted = set(codes)
    connection = session.connection()
    if len(wanted) > FULL_SCAN_ABOVE:  # one table scan beats hundreds of IN (...) queries
        return {code: row for code, row in _by_code(connection.execute(select(_UNITS))).items() if code in wanted}
    found: dict[str, UnitRow] = {}
    for batch in chunks(wanted, QUERY_CHUNK):
        found.update(_by_code(connection.execute(select(_UNITS).where(_UNITS.c.code.in_(batch)))))
    return found


def units_of_pemdas(session: Session, pemda_codes: Iterable[str] | None = None) -> dict[str, UnitRow]:
    """Stored units keyed by code: all of them, or those of the given pemda codes."""
    connection = session.connection()
    if pemda_codes is None:
        return _by_code(connection.execute(select(_UNITS)))
    found: dict[str, UnitRow] = {}
    for batch in chunks(set(pemda_codes), QUERY_CHUNK):
        found.update(_by_code(connection.execute(select(_UNITS).where(_UNITS.c.pemda_code.in_(batch)))))
    return found


def stored_pemda_codes(session: Session) -> set[str]:
    """Every distinct ``pemda_code`` the units are stored under."""
    return {code for (code,) in session.connection().execute(select(_UNITS.c.pemda_code).distinct()) if code}


def insert_units(session: Session, rows: Sequence[UnitRow]) -> None:
    connection = session.connection()
    for batch in chunks(rows, WRITE_CHUNK):
        connection.execute(insert(_UNITS), batch)


def update_units(session: Session, rows: Sequence[UnitRow], fields: Sequence[str]) -> None:
    """Set ``fields`` of each unit of ``rows`` (matched by ``code``) to the row's values."""
    if not rows:
        return
    statement = update(_UNITS).where(_UNITS.c.code == bindparam("b_code")).values({name: bindparam(f"b_{name}") for name in fields})
    params = ({f"b_{name}": row[name] for name in ("code", *fields)} for row in rows)
    connection = session.connection()
    for batch in chunks(params, WRITE_CHUNK):
        connection.execute(statement, batch)
    session.expire_all()  # ORM objects loaded before the core update must not show old values


def delete_units(session: Session, unit_codes: Sequence[str]) -> None:
    connection = session.connection()
    for batch in chunks(unit_codes, QUERY_CHUNK):
        connection.execute(delete(_UNITS).where(_UNITS.c.code.in_(batch)))


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
    from spbe_crawler.registry.urls import host_of  # the registry package imports this module

    now = _now_for(_WEBSITES.c.first_seen)
    rows = [
        {
            "unit_code": code,
            "url": url,
            "host": host_of(url),
            "state": WebsiteState.DECLARED.value,
            "role": WebsiteRole.UNIT.value,
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
