"""A person's decision on a discovered website: confirm it for a unit, or reject it."""

from __future__ import annotations

from sqlmodel import Session, select

from spbe_crawler.registry.results import RegistryError
from spbe_crawler.registry.urls import host_of, normalise_url
from spbe_crawler.store.models import Unit, Website, utcnow


def decide_website(session: Session, unit_code: str, url: str, confirm: bool, who: str = "") -> Website:
    """Confirm (``confirm=True``) or reject a website of a unit.

    Confirming a URL the unit does not have yet (e.g. an ambiguous discovery candidate) adds it as
    confirmed. A declared website stays declared when confirmed; any website can be rejected.
    """
    if session.get(Unit, unit_code) is None:
        raise RegistryError(f"Unit {unit_code} tidak ada di registri")
    try:
        url = normalise_url(url)
    except ValueError as exc:
        raise RegistryError(str(exc)) from exc
    website = session.exec(select(Website).where(Website.unit_code == unit_code, Website.url == url)).first()
    if website is None:
        if not confirm:
            raise RegistryError(f"Unit {unit_code} tidak punya situs {url} untuk ditolak")
        website = Website(unit_code=unit_code, url=url, host=host_of(url), state="confirmed", source="konfirmasi")
    if confirm:
        website.state = "declared" if website.state == "declared" else "confirmed"
        website.confidence = 1.0
    else:
        website.state = "rejected"
    note = f"{'dikonfirmasi' if confirm else 'ditolak'}{' oleh ' + who if who else ''}"
    website.evidence = f"{website.evidence}; {note}" if website.evidence else note
    website.updated_at = utcnow()
    session.add(website)
    return website
