"""Which units a survey of one pemda covers, and their websites."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case
from sqlmodel import Session, col, select

from spbe_crawler.registry.unit_store import QUERY_CHUNK, chunks
from spbe_crawler.store.models import Unit, Website

KIND_ORDER = {"pemda": 0, "opd": 1, "kecamatan": 2, "kelurahan": 3, "desa": 3}


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
            .where(col(Website.unit_code).in_(batch), Website.state != "rejected")
            .order_by(col(Website.unit_code), col(Website.id))
        )
        for website in session.exec(statement):
            found[website.unit_code].append(website)
    return found
