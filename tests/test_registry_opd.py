"""Loading a pemda's OPD list: 39 OPD of Kota Bandar Lampung with their declared websites."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from spbe_crawler import config
from spbe_crawler.registry.opd import load_opd, opd_list_path
from spbe_crawler.registry.results import RegistryError
from spbe_crawler.registry.wilayah import load_pemda
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Unit, Website
from spbe_crawler.store.unit_rows import insert_websites


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    with Session(get_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")) as db:
        load_pemda(db, "18.71")
        db.commit()
        yield db


def opd_rows() -> list[dict[str, str]]:
    with opd_list_path("18.71").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_opd_list_becomes_units_and_websites(session: Session) -> None:
    stats = load_opd(session, "18.71")
    session.commit()
    opd = session.exec(select(Unit).where(Unit.kind == "opd")).all()
    assert len(opd) == 39 == stats.added
    assert all(u.parent_code == "18.71" and u.pemda_code == "18.71" and u.source == "opd-list" for u in opd)
    dinkes = session.get(Unit, "18.71/dinkes")
    assert (dinkes.name, dinkes.category) == ("Dinas Kesehatan", "dinas")
    sites = session.exec(select(Website)).all()
    assert len(sites) == stats.websites_added == sum(1 for row in opd_rows() if row["website"].strip())
    site = session.exec(select(Website).where(Website.unit_code == "18.71/bag-hukum")).one()
    assert (site.url, site.host, site.state, site.source, site.role) == (
        "https://jdih.bandarlampungkota.go.id/",
        "jdih.bandarlampungkota.go.id",
        "declared",
        "opd-list",
        "unit",
    )
    assert session.exec(select(Website).where(Website.unit_code == "18.71/setwan")).first() is None


def test_opd_load_is_idempotent(session: Session) -> None:
    load_opd(session, "18.71")
    session.commit()
    again = load_opd(session, "18.71")
    session.commit()
    assert (again.added, again.updated, again.unchanged, again.websites_added) == (0, 0, 39, 0)
    assert session.exec(select(func.count()).select_from(Website)).one() == len([r for r in opd_rows() if r["website"]])


def test_no_list_means_nothing_happens(session: Session) -> None:
    load_pemda(session, "35.07")
    stats = load_opd(session, "35.07")
    assert (stats.added, stats.websites_added, stats.skipped) == (0, 0, [])
    assert session.exec(select(func.count()).select_from(Unit).where(Unit.kind == "opd")).one() == 0


def test_pemda_must_be_loaded_first(tmp_path: Path) -> None:
    with Session(get_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")) as db, pytest.raises(RegistryError, match="belum dimuat"):
        load_opd(db, "18.71")


def test_bad_lines_and_claimed_websites_are_reported(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    insert_websites(session, [("18.71.01", "https://kedaton.bandarlampungkota.go.id/")], "registry")
    (tmp_path / "opd").mkdir()
    (tmp_path / "opd" / "18.71.csv").write_text(
        "slug,name,category,website\n"
        "dinkes,Dinas Kesehatan,dinas,dinkes.bandarlampungkota.go.id\n"
        "Bad Slug,Dinas X,dinas,\n"
        "dinsos,,dinas,\n"
        "dlh,Dinas Lingkungan Hidup,dinas,ftp://dlh.bandarlampungkota.go.id\n"
        "camat,Kantor Camat,dinas,https://kedaton.bandarlampungkota.go.id\n"
        "dinkes,Dinas Kesehatan Lagi,dinas,\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(config, "DATA_DIR", tmp_path)
    stats = load_opd(session, "18.71")
    assert [(p.line, p.column) for p in stats.skipped] == [(3, "slug"), (4, "name"), (5, "website"), (7, "slug"), (6, "website")]
    assert stats.added == 2  # dinkes and camat; camat's website belongs to kecamatan Kedaton
    assert session.get(Unit, "18.71/camat") is not None
    owners = session.exec(select(Website.unit_code).where(Website.url == "https://kedaton.bandarlampungkota.go.id/")).all()
    assert owners == ["18.71.01"]
