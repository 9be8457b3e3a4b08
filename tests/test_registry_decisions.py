"""A person confirms or rejects discovered websites; declared ones keep their state."""

from __future__ import annotations

import pytest
from sqlmodel import Session, SQLModel, create_engine, select

from spbe_crawler.registry.decisions import decide_website
from spbe_crawler.registry.results import RegistryError
from spbe_crawler.store.models import Unit, Website


@pytest.fixture()
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'd.sqlite3'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Unit(code="18.71.13.1010", name="Beringin Raya", kind="kelurahan", parent_code="18.71.13"))
        session.add(
            Website(
                unit_code="18.71.13.1010",
                url="https://kel-beringin.kota.go.id/",
                host="kel-beringin.kota.go.id",
                state="discovered",
                confidence=0.9,
                evidence="tautan",
            )
        )
        session.add(Website(unit_code="18.71.13.1010", url="https://beringinraya.kota.go.id/", host="beringinraya.kota.go.id"))
        session.commit()
        yield session


def test_confirm_discovered_and_new_url(session) -> None:
    confirmed = decide_website(session, "18.71.13.1010", "kel-beringin.kota.go.id", True, "Ani")
    assert confirmed.state == "confirmed" and confirmed.confidence == 1.0 and "dikonfirmasi oleh Ani" in confirmed.evidence
    added = decide_website(session, "18.71.13.1010", "https://Baru.kota.go.id", True)
    assert added.state == "confirmed" and added.url == "https://baru.kota.go.id/"


def test_declared_stays_declared_and_reject_marks_rejected(session) -> None:
    assert decide_website(session, "18.71.13.1010", "https://beringinraya.kota.go.id/", True).state == "declared"
    assert decide_website(session, "18.71.13.1010", "https://kel-beringin.kota.go.id/", False).state == "rejected"
    session.commit()
    states = {w.url: w.state for w in session.exec(select(Website)).all()}
    assert states["https://kel-beringin.kota.go.id/"] == "rejected"


@pytest.mark.parametrize(
    "unit, url, confirm, message",
    [
        ("99.99", "https://a.go.id", True, "tidak ada"),
        ("18.71.13.1010", "ftp://x", True, "skema"),
        ("18.71.13.1010", "https://lain.go.id", False, "tidak punya"),
    ],
)
def test_bad_decisions_are_refused(session, unit, url, confirm, message) -> None:
    with pytest.raises(RegistryError, match=message):
        decide_website(session, unit, url, confirm)
