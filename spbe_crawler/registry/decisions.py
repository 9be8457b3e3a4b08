"""A person's decision on a discovered website: confirm it for a unit, or reject it."""

from __future__ import annotations

from sqlmodel import Session

from spbe_crawler.registry.results import RegistryError
from spbe_crawler.registry.urls import host_of, normalise_url
from spbe_crawler.store.models import Website, utcnow
from spbe_crawler.store.registry_queries import unit_exists, website_of_unit
from spbe_crawler.vocab import WebsiteState


def decide_website(session: Session, unit_code: str, url: str, confirm: bool, who: str = "") -> Website:
    """Confirm (``confirm=True``) or reject a website of a unit.

    Confirming a URL the unit does not have yet (e.g. an ambiguous discovery candidate) adds it as
    confirmed. A declared website stays declared when confirmed; any website can be rejected.
    """
    if not unit_exists(session, unit_code):
        raise RegistryError(f"Unit {unit_code} tidak ada di registri")
    try:
        url = normalise_url(url)
    except ValueError as exc:
        raise RegistryError(str(exc)) from exc
    website = website_of_unit(session, unit_code, url)
    if website is None:
        if not confirm:
            raise RegistryError(f"Unit {unit_code} tidak punya situs {url} untuk ditolak")
        website = Website(unit_code=unit_code, url=url, host=host_of(url), state=WebsiteState.CONFIRMED.value, source="konfirmasi")
    if confirm:
        website.state = (WebsiteState.DECLARED if website.state == WebsiteState.DECLARED else WebsiteState.CONFIRMED).value
        website.confidence = 1.0
    else:
        website.state = WebsiteState.REJECTED.value
    note = f"{'dikonfirmasi' if confirm else 'ditolak'}{' oleh ' + who if who else ''}"
    website.evidence = f"{website.evidence}; {note}" if website.evidence else note
    website.updated_at = utcnow()
    session.add(website)
    return website
