"""Queries of the registry: units, the units a survey covers, and their websites."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case
from sqlmodel import Session, col, select

from spbe_crawler.store.models import Unit, Website
from spbe_crawler.store.unit_rows import QUERY_CHUNK, chunks
from spbe_crawler.vocab import UnitKind, WebsiteRole, WebsiteState

# the order a survey's units are listed in: the pemda, its OPD, kecamatan, then kelurahan/desa
KIND_ORDER: dict[str, int] = {
    UnitKind.PEMDA.value: 0,
    UnitKind.OPD.value: 1,
    UnitKind.KECAMATAN.value: 2,
    UnitKind.KELURAHAN.value: 3,
    UnitKind.DESA.value: 3,
}


def unit_exists(session: Session, code: str) -> bool:
    return session.get(Unit, code) is not None


def website_of_unit(session: Session, unit_code: str, url: str) -> Website | None:
    """The stored website ``url`` of one unit, whatever its state."""
    return session.exec(select(Website).where(Website.unit_code == unit_code, Website.url == url)).first()


def units_in_scope(session: Session, pemda_code: str) -> list[Unit]:
    """The pemda, its OPD, kecamatan, then kelurahan/desa, each group ordered by code."""
    rank = case(KIND_ORDER, value=col(Unit.kind), else_=4)
    statement = select(Unit).where(Unit.pemda_code == pemda_code, col(Unit.kind).in_(list(KIND_ORDER))).order_by(rank, col(Unit.code))
    return list(session.exec(statement).all())


def websites_of(session: Session, unit_codes: Iterable[str]) -> dict[str, list[Website]]:
    """The non-rejected websites of each unit (an empty list for a unit without any), oldest first."""
    codes = list(dict.fromkeys(unit_codes))
    found: dict[str, list[Website]] = {code: [] for code in codes}
    for batch in chunks(codes, QUERY_CHUNK):
        statement = (
            select(Website)
            .where(col(Website.unit_code).in_(batch), Website.state != WebsiteState.REJECTED.value)
            .order_by(col(Website.unit_code), col(Website.id))
        )
        for website in session.exec(statement):
            found[website.unit_code].append(website)
    return found


def unit(session: Session, code: str) -> Unit | None:
    return session.get(Unit, code)


def units_by_code(session: Session, codes: Iterable[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for batch in chunks(set(codes), QUERY_CHUNK):
        found.update({u.code: u for u in session.exec(select(Unit).where(col(Unit.code).in_(batch)))})
    return found


def units_of_kind(session: Session, pemda_code: str, kind: UnitKind) -> list[Unit]:
    """The pemda's units of one kind, by code."""
    statement = select(Unit).where(Unit.pemda_code == pemda_code, Unit.kind == kind.value).order_by(col(Unit.code))
    return list(session.exec(statement))


def website_by_url(session: Session, url: str) -> Website | None:
    """The first stored website with this exact URL (any unit, any state)."""
    return session.exec(select(Website).where(Website.url == url)).first()


def units_of_pemda(session: Session, pemda_code: str) -> list[Unit]:
    """Every unit under the pemda (any kind), by code."""
    return list(session.exec(select(Unit).where(Unit.pemda_code == pemda_code).order_by(col(Unit.code))))


def websites_in_state(session: Session, state: WebsiteState, role: WebsiteRole | None = None) -> list[Website]:
    """Every stored website in ``state`` (of ``role``), by id."""
    statement = select(Website).where(Website.state == state.value)
    if role is not None:
        statement = statement.where(Website.role == role.value)
    return list(session.exec(statement.order_by(col(Website.id))))
