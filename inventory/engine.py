"""The one generic engine: a pack of signature rules, loaded and compiled once, run over pages.

A rule *finds* a service on a page in one of two ways:

* on the page itself (host, URL, title, markup, meta, headers, scripts, form fields): the page is
  the service's own page, its evidence URL is the page, and the rule's maturity ``signals`` are
  evaluated on it;
* through a link (``link_href`` / ``link_text``): the page points to the service elsewhere; the
  evidence URL is the link target, the finding only shows that the service exists
  (``informasi``) and its confidence is lowered by the pack's ``link`` factor.

Probe responses (a cheap active check such as CKAN's ``package_search``) go through
:meth:`Pack.match_probe` and count like the service's own page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from inventory.page import PageData
from inventory.rules import Rule, RuleError, compile_rule
from spbe_crawler import config
from spbe_crawler.health.page import PageFacts
from spbe_crawler.matching import Hit
from spbe_crawler.matching.screen import Screen, entry_gates
from spbe_crawler.patterns import PatternError, compile_bounded
from spbe_crawler.yamlfile import load_yaml

PACK_FILE = "pack.yaml"
MAX_LINK_EVIDENCE = 5
"""At most this many distinct link targets are reported per rule per page."""
MENU = "menu"
"""Evidence kind of a link within the same site that only names a service: "mungkin ada layanan"."""


def default_directory() -> Path:
    """``$SPBE_DATA_DIR/signatures`` (:data:`spbe_crawler.config.DATA_DIR`, as the health rules)."""
    return config.DATA_DIR / "signatures"


@dataclass(frozen=True, slots=True)
class Match:
    """One finding: service ``service`` (rule ``rule_id``) evidenced at ``url``."""

    rule_id: str
    service: str
    name: str
    indicators: Mapping[str, tuple[int, ...]]
    url: str
    kind: str
    snippet: str
    signals: tuple[str, ...]
    confidence: float
    unit_code: str | None = None
    website_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The columns of the store's ``Finding`` table that a match fills."""
        data = asdict(self)
        data.pop("name")
        data["indicators"] = {k: list(v) for k, v in self.indicators.items()}
        data["signals"] = list(self.signals)
        return data


@dataclass(frozen=True)
class Catalog:
    """Pack-wide data: the service keys with their display names, and the confidence factors."""

    services: Mapping[str, str]
    via_factors: Mapping[str, float]
    kind_factors: Mapping[str, float]
    not_evidence: tuple[re.Pattern[str], ...] = ()

    def is_evidence_page(self, url: str) -> bool:
        """False for news articles, contact and profile pages (``not_evidence`` of pack.yaml): what
        they say about a service is not the service."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return not any(pattern.search(target) for pattern in self.not_evidence)


class Pack:
    """Compiled rules plus the pack catalog. Build with :func:`load_pack`."""

    def __init__(self, rules: list[Rule], catalog: Catalog) -> None:
        self.rules = tuple(sorted(rules, key=lambda r: r.id))
        self.catalog = catalog
        self._by_id = {rule.id: rule for rule in self.rules}
        self._screen = Screen((rule, entry_gates(rule.match)) for rule in self.rules)

    def rule(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]

    def match_page(self, page: PageData) -> list[Match]:
        """Every finding on ``page``; pages that did not answer 2xx yield none."""
        if not page.ok or not self.catalog.is_evidence_page(page.url):
            return []
        parsed = page.parsed
        found: list[Match] = []
        for rule in self._screen.candidates(parsed):  # the rules that can hold on this page
            hits = rule.match.hits(parsed)
            if hits:
                found.extend(self._findings(rule, page, parsed, hits))
        return found

    def probe_requests(self, site_url: str) -> list[tuple[str, str]]:
        """``(rule_id, url)`` of each probe that applies to the site at ``site_url``."""
        try:
            parts = urlsplit(site_url)
            host = (parts.hostname or "").lower()
        except ValueError:
            return []
        if not parts.scheme or not host:
            return []
        root = f"{parts.scheme}://{parts.netloc}/"
        return [
            (rule.id, urljoin(root, rule.probe.path))
            for rule in self.rules
            if rule.probe is not None and (rule.probe.host is None or rule.probe.host.search(host))
        ]

    def match_probe(self, rule_id: str, page: PageData) -> list[Match]:
        """The finding of probe ``rule_id`` when its response ``page`` meets the expectation."""
        rule = self._by_id[rule_id]
        if rule.probe is None or not page.ok:
            return []
        parsed = page.parsed
        hits = rule.probe.expect.hits(parsed)
        if not hits:
            return []
        return [self._own(rule, page, parsed, hits[0], via="probe")]

    def _findings(self, rule: Rule, page: PageData, parsed: PageFacts, hits: list[Hit]) -> list[Match]:
        own = [hit for hit in hits if not hit.href]
        found = [self._own(rule, page, parsed, own[0], via="page")] if own else []
        seen: set[tuple[str, str]] = set()
        for hit in hits:
            key = _location(hit.href) if hit.href else None
            if key is None or key in seen or len(seen) >= MAX_LINK_EVIDENCE:
                continue
            if own and key[0] == parsed.parts.host:
                continue  # a link to itself on the service's own site adds nothing
            if not self.catalog.is_evidence_page(hit.href):
                continue  # a headline or a contact page that names the service is not the service
            seen.add(key)
            if key[0] == parsed.parts.host:  # a menu entry of the same site: it only names the service
                hit = replace(hit, kind=MENU)
            found.append(self._match(rule, page, hit.href, hit, ("informasi",), "link"))
        return found

    def _own(self, rule: Rule, page: PageData, parsed: PageFacts, hit: Hit, via: str) -> Match:
        return self._match(rule, page, page.url, hit, tuple(rule.signal_levels(parsed)), via)

    def _match(self, rule: Rule, page: PageData, url: str, hit: Hit, signals: tuple[str, ...], via: str) -> Match:
        factor = self.catalog.via_factors.get(via, 1.0) * self.catalog.kind_factors.get(hit.kind, 1.0)
        return Match(
            rule_id=rule.id,
            service=rule.service,
            name=rule.name,
            indicators=rule.indicators,
            url=url,
            kind=hit.kind,
            snippet=hit.snippet,
            signals=signals,
            confidence=round(rule.confidence / 100 * factor, 3),
            unit_code=page.unit_code,
            website_id=page.website_id,
        )


def _location(href: str) -> tuple[str, str]:
    """Host and first path segment: links to /x/lelang and /x/nontender are one service location."""
    try:
        parts = urlsplit(href)
        host = parts.hostname or ""
    except ValueError:
        return (href, "")
    return (host, parts.path.strip("/").split("/", 1)[0].lower())


def load_catalog(directory: Path | str | None = None) -> Catalog:
    """Read ``pack.yaml`` (service names, confidence factors) without compiling the rules."""
    path = Path(directory or default_directory()) / PACK_FILE
    raw = _read_yaml(path, None)
    try:
        services = raw["services"]
        factors = raw["confidence"]
        if not isinstance(services, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in services.items()
        ):
            raise ValueError("services must map service keys to display names")
        return Catalog(
            services=dict(services),
            via_factors=_factors(factors.get("via", {}), "confidence.via"),
            kind_factors=_factors(factors.get("kind", {}), "confidence.kind"),
            not_evidence=tuple(compile_bounded(p) for p in (raw.get("not_evidence") or {}).get("url", [])),
        )
    except (KeyError, TypeError, AttributeError, ValueError, PatternError) as exc:
        raise RuleError(path, None, f"bad pack file: {exc}") from None


def load_pack(directory: Path | str | None = None) -> Pack:
    """Load, check and compile every rule under ``directory`` (default :func:`default_directory`).

    Rules live in ``<directory>/<group>/<id>.yaml``; a bad rule raises :class:`RuleError` naming
    its file and id, so a broken pack never half-loads.
    """
    root = Path(directory or default_directory())
    catalog = load_catalog(root)
    rules: dict[str, Rule] = {}
    for path in sorted(p for p in root.rglob("*.yaml") if p.parent != root):
        rule = compile_rule(_read_yaml(path, path.stem), path)
        if rule.service not in catalog.services:
            raise RuleError(path, rule.id, f"unknown service key {rule.service!r}; add it to {PACK_FILE}")
        if rule.id in rules:
            raise RuleError(path, rule.id, f"duplicate id (also in {rules[rule.id].source})")
        rules[rule.id] = rule
    if not rules:
        raise RuleError(root, None, "no rules found")
    return Pack(list(rules.values()), catalog)


@lru_cache(maxsize=1)
def default_pack() -> Pack:
    """The pack of :func:`default_directory`, compiled once per process."""
    return load_pack()


def _read_yaml(path: Path, rule_id: str | None) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return load_yaml(handle)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RuleError(path, rule_id, f"cannot read YAML: {exc}") from None


def _factors(value: Any, where: str) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a mapping")
    result = {}
    for key, factor in value.items():
        if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 0 <= factor <= 1:
            raise ValueError(f"{where}.{key} must be a number 0..1")
        result[str(key)] = float(factor)
    return result
