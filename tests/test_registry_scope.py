"""units_in_scope / websites_of: what a survey of one pemda covers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from spbe_crawler.registry.opd import load_opd
from spbe_crawler.registry.scope import units_in_scope, websites_of
from spbe_crawler.registry.wilayah import load_pemda
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Website

RANK = {"pemda": 0, "opd": 1, "kecamatan": 2, "kelurahan": 3, "desa": 3}


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    with Session(get_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")) as db:
        load_pemda(db, "18.72")  # a neighbour, to be left out of the scope
        load_pemda(db, "18.71")
        load_opd(db, "18.71")
        db.commit()
        yield db


def test_units_in_scope_order_and_content(session: Session) -> None:
    units = units_in_scope(session, "18.71")
    assert len(units) == 1 + 39 + 20 + 126
    assert units[0].code == "18.71" and units[0].kind == "pemda"
    keys = [(RANK[u.kind], u.code) for u in units]
    assert keys == sorted(keys)
    assert {u.pemda_code for u in units} == {"18.71"}
    assert all(u.kind != "provinsi" for u in units)
    assert units_in_scope(session, "99.99") == []


def test_websites_of_skips_rejected(session: Session) -> None:
    dinkes = session.exec(select(Website).where(Website.unit_code == "18.71/dinkes")).one()
    dinkes.state = "rejected"
    session.add(
        Website(
            unit_code="18.71/dinkes",
            url="https://dinkes2.bandarlampungkota.go.id/",
            host="dinkes2.bandarlampungkota.go.id",
            state="discovered",
            first_seen=dinkes.first_seen,
            updated_at=dinkes.updated_at,
        )
    )
    session.commit()
    found = websites_of(session, ["18.71/dinkes", "18.71/bappeda", "18.71/setwan", "18.71/dinkes"])
    assert list(found) == ["18.71/dinkes", "18.71/bappeda", "18.71/setwan"]
    assert [w.url for w in found["18.71/dinkes"]] == ["https://dinkes2.bandarlampungkota.go.id/"]
    assert [w.host for w in found["18.71/bappeda"]] == ["bappeda.bandarlampungkota.go.id"]
    assert found["18.71/setwan"] == []
