"""The one place where the spider calls the pure analysers (health rules, usage signals, inventory).

Every call goes through :func:`_guarded`, so one broken check never sinks a site: its error is logged
and the check counts as "found nothing".
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from scrapy.http import TextResponse

from inventory.engine import load_pack
from inventory.page import PageData
from spbe_crawler.health.cloaking import compare_cloaked
from spbe_crawler.health.page import PageFacts, parse_page
from spbe_crawler.health.rules import load_rules
from spbe_crawler.health.status import Status
from spbe_crawler.health.usage import UsageTally, is_stale
from spbe_crawler.net.tls_inspect import inspect_certificate
from spbe_crawler.survey.site import SiteState, Verdict

logger = logging.getLogger(__name__)
T = TypeVar("T")
MAX_LINKS_STORED = 300


def _guarded(name: str, default: T, func: Callable[..., T], *args: Any) -> T:
    try:
        return func(*args)
    except Exception:
        logger.exception("Pemeriksaan %s gagal", name)
        return default


def _add_page(tally: UsageTally, facts: PageFacts) -> bool:
    tally.add(facts)
    return True


def _verdict(found: Any) -> Verdict | None:
    if not found:
        return None
    return Verdict(Status(found.status), found.detail, rule=found.rule_id, snippet=found.snippet)


def describe_certificate(cert: Any, now: datetime | None = None) -> str:
    """What is wrong with a certificate, in the words a webmaster needs to fix it."""
    now = now or datetime.now(UTC)
    expires = cert.expires_at if cert.expires_at.tzinfo else cert.expires_at.replace(tzinfo=UTC)
    problems = []
    if expires < now:
        problems.append(f"sertifikat kedaluwarsa sejak {cert.expires_at:%d-%m-%Y}")
    if cert.self_signed:
        problems.append("sertifikat self-signed (ditandatangani sendiri)")
    if not cert.hostname_matches:
        problems.append(f"nama host tidak cocok dengan sertifikat ({cert.subject})")
    if not problems and cert.verify_error:
        problems.append(cert.verify_error)
    return "; ".join(problems) or "sertifikat tidak dipercaya"


class Analyzer:
    def __init__(self, stale_days: int):
        self.stale_days = stale_days
        self.rules = load_rules()
        self.pack = load_pack()

    # --- health ----------------------------------------------------------------------------------
    def facts(self, response: TextResponse, earlier: PageFacts | None = None) -> PageFacts:
        """The one parse of a fetched page; every analyser below reads what it returns (``earlier``: a
        copy of the same page fetched before, reused when the markup is the same).

        The charset is found by :func:`~spbe_crawler.health.decode.decode_body` (BOM, header, meta,
        then the bytes), not by Scrapy's ``response.encoding``: that property looks for the same
        declarations again on every access (and decodes the whole body to guess an undeclared one).
        """
        return parse_page(response.url, response.status, response.headers, response.body, earlier=earlier)

    def links(self, facts: Any) -> list[tuple[str, str]]:
        return [(link.href, link.text) for link in facts.links]

    def content_verdict(self, facts: Any) -> Verdict | None:
        evaluation = _guarded("aturan konten", None, self.rules.evaluate, facts)
        if evaluation is None:
            return None
        for error in evaluation.errors:
            logger.warning("Aturan kesehatan gagal pada %s: %s", facts.url, error)
        return _verdict(evaluation.verdict)

    def cloak_verdict(self, browser: Any, bot: Any) -> Verdict | None:
        return _verdict(_guarded("cloaking", None, compare_cloaked, browser, bot))

    def tally_usage(self, site: SiteState, facts: PageFacts) -> None:
        """Count one analysed page towards its site's checklist and freshness."""
        if _guarded("penggunaan", False, _add_page, site.usage, facts) is False:
            site.usage_failed = True

    def usage(self, site: SiteState) -> tuple[dict[str, Any], Verdict | None]:
        today = date.today()
        signals = None if site.usage_failed else _guarded("penggunaan", None, site.usage.signals, today)
        if signals is None:
            return {}, None
        stale = _verdict(_guarded("kesegaran", None, is_stale, signals, today, self.stale_days))
        return signals.as_dict(), stale

    def inspect_tls(self, host: str, port: int, policy: Any, timeout: float) -> dict[str, Any] | None:
        cert = _guarded("sertifikat TLS", None, inspect_certificate, host, port, policy, timeout)
        if cert is None:
            return None
        return {
            "detail": "TLS: " + describe_certificate(cert),
            "snippet": f"penerbit: {cert.issuer}; subjek: {cert.subject}; berlaku s.d. {cert.expires_at:%d-%m-%Y}",
            "expires_at": cert.expires_at if cert.expires_at.tzinfo else cert.expires_at.replace(tzinfo=UTC),
            "issuer": cert.issuer,
        }

    # --- pages -----------------------------------------------------------------------------------
    def page_summary(self, response: TextResponse, facts: Any) -> dict[str, Any]:
        body = response.body
        return {
            "url": response.request.url if response.request else response.url,
            "final_url": response.url,
            "status": response.status,
            "redirect_chain": list(response.meta.get("chain", [])),
            "title": (facts.title or "")[:300] or None,
            "language": facts.lang,
            "content_type": (response.headers.get(b"Content-Type") or b"").decode("latin-1")[:100] or None,
            "content_hash": hashlib.sha256(body).hexdigest(),
            "size": len(body),
            "published_dates": [d.isoformat() for d in facts.dates][:50],
            "links": [[link.href, (link.text or "")[:120]] for link in facts.links[:MAX_LINKS_STORED]],
            "body": body,
        }

    # --- inventory ---------------------------------------------------------------------------------
    def _page_data(self, facts: PageFacts, site: SiteState) -> PageData:
        """The inventory's view of a page: the same one parse (``facts``), no second parse."""
        return PageData(
            url=facts.url, status=facts.status, headers=facts.headers, unit_code=site.unit_code, website_id=site.website_id, facts=facts
        )

    def match_page(self, facts: PageFacts, site: SiteState) -> list[dict[str, Any]]:
        matches: list[Any] = _guarded("inventaris", [], self.pack.match_page, self._page_data(facts, site))
        return [_finding(m) for m in matches]

    def probe_requests(self, site_url: str, site: SiteState) -> Iterable[tuple[str, str]]:
        return _guarded("probe inventaris", [], self.pack.probe_requests, site_url)

    def match_probe(self, rule_id: str, facts: PageFacts, site: SiteState) -> list[dict[str, Any]]:
        matches: list[Any] = _guarded("probe inventaris", [], self.pack.match_probe, rule_id, self._page_data(facts, site))
        return [_finding(m) for m in matches]


def _finding(match: Any) -> dict[str, Any]:
    return {
        "rule_id": match.rule_id,
        "service": match.service,
        "indicators": dict(match.indicators),
        "url": match.url,
        "kind": match.kind,
        "snippet": match.snippet,
        "signals": list(match.signals),
        "confidence": float(match.confidence),
    }
