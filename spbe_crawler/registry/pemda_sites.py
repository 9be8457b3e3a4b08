"""Declared portal websites of pemda (``data/pemda_websites.csv``: code,website,note)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlmodel import Session

from spbe_crawler import config
from spbe_crawler.registry.urls import normalise_url
from spbe_crawler.store.unit_rows import insert_websites, stored_website_pairs, website_claims

SOURCE = "pemda-list"


def load_pemda_websites(session: Session, pemda_code: str, path: Path | None = None) -> int:
    """Declare the portal of ``pemda_code`` if the bundled list has it; returns websites added."""
    path = path or Path(config.DATA_DIR) / "pemda_websites.csv"
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        urls = [normalise_url(row["website"]) for row in csv.DictReader(handle) if row["code"].strip() == pemda_code]
    stored = stored_website_pairs(session, [pemda_code])
    claims = website_claims(session, urls)
    new = [(pemda_code, url) for url in urls if (pemda_code, url) not in stored and not (claims.get(url, set()) - {pemda_code})]
    return insert_websites(session, new, SOURCE)


def load_bundled(session: Session, pemda_code: str) -> None:
    """Everything the project ships for a pemda: Kemendagri units, portal address, OPD list (idempotent)."""
    from spbe_crawler.registry.opd import load_opd
    from spbe_crawler.registry.wilayah import load_pemda

    load_pemda(session, pemda_code)
    load_pemda_websites(session, pemda_code)
    load_opd(session, pemda_code)
