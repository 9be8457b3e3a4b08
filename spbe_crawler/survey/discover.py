"""Spider-side bookkeeping of unit-website discovery: which hosts to try for which units.

The matching itself is pure (:mod:`spbe_crawler.discovery`); here we decide what to fetch and keep
each host and each unit from being tried or found twice in one crawl.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from spbe_crawler.discovery import UnitIndex, guess_hosts, page_matches_unit
from spbe_crawler.discovery.names import pemda_root_guess
from spbe_crawler.survey.links import site_key


@dataclass(frozen=True)
class Attempt:
    url: str
    unit_codes: tuple[str, ...]  # candidates, best first
    source: str  # "tautan" or "tebakan:<pattern>"
    evidence: str
    ambiguous: bool = False
    portal: bool = False  # a service portal of the pemda (ppid., jdih., satudata. ...): no name check


class Discoverer:
    KINDS = ("kecamatan", "kelurahan", "desa")

    def __init__(self, units: list[Any], hosts_by_unit: dict[str, set[str]], pemda_code: str):
        pemda_hosts = sorted(hosts_by_unit.get(pemda_code, set()), key=len)
        self.units = {u.code: u for u in units}
        pemda = self.units.get(pemda_code)
        # Without a known portal, guess the usual one (<nama>kab.go.id / <nama>kota.go.id) and try it.
        self.root_guess = None if pemda_hosts or pemda is None else pemda_root_guess(pemda.name)
        self.root = pemda_hosts[0] if pemda_hosts else (self.root_guess or "")
        self.missing = {u.code for u in units if u.kind in self.KINDS and not hosts_by_unit.get(u.code)}
        # OPD sites follow <slug>.<root> (dinkes.bandarlampungkota.go.id): matched on the slug.
        self.opd_hosts = {
            f"{u.code.split('/', 1)[1]}.{self.root}": u.code
            for u in units
            if u.kind == "opd" and "/" in u.code and self.root and not hosts_by_unit.get(u.code)
        }
        known = {host for hosts in hosts_by_unit.values() for host in hosts}
        self.index = UnitIndex(units, self.root, known_hosts=known) if self.root else None
        self.tried_hosts: set[str] = set(known)
        self.found: set[str] = set()

    def guesses(self) -> list[Attempt]:
        """Host-pattern guesses for every unit without a website (nothing without a pemda root)."""
        if self.index is None:
            return []
        pemda = next((u for u in self.units.values() if u.kind == "pemda"), None)
        attempts = []
        if self.root_guess and pemda is not None and self.root_guess not in self.tried_hosts:
            self.tried_hosts.add(self.root_guess)
            evidence = f"tebakan domain pemda: {self.root_guess}"
            attempts.append(Attempt(f"https://{self.root_guess}/", (pemda.code,), "tebakan:pemda-root", evidence))
        for code in sorted(self.missing):
            unit = self.units[code]
            parent = self.units.get(unit.parent_code or "")
            for guess in guess_hosts(unit, parent.name if parent else None, self.root, pemda.name if pemda else None):
                host = site_key(guess.host)
                if host in self.tried_hosts:
                    continue
                self.tried_hosts.add(host)
                attempts.append(Attempt(guess.url, (code,), f"tebakan:{guess.pattern}", f"tebakan pola {guess.pattern}: {guess.host}"))
        for host, code in sorted(self.opd_hosts.items()):
            if host not in self.tried_hosts:
                self.tried_hosts.add(host)
                attempts.append(Attempt(f"https://{host}/", (code,), "tebakan:opd-slug", f"tebakan pola <slug>.<root>: {host}"))
        return attempts

    def from_link(self, href: str, text: str) -> Attempt | None:
        """An attempt for a link to an unknown site that names a unit without a website."""
        if self.index is None:
            return None
        host = site_key(urlsplit(href).hostname or "")
        if not host or host in self.tried_hosts:
            return None
        if host in self.opd_hosts:
            self.tried_hosts.add(host)
            quoted = " ".join(text.split())[:80]
            return Attempt(f"https://{host}/", (self.opd_hosts[host],), "tautan", f"tautan '{quoted}' ke {host} cocok dengan slug OPD")
        match = self.index.match_link(href, text)
        if match is None:
            return None
        codes = tuple(c for c, _ in filter(None, [match.best, match.runner_up]) if c in self.missing and c not in self.found)
        if not codes:
            return None
        self.tried_hosts.add(host)
        if not match.ambiguous:
            codes = codes[:1]
        return Attempt(match.url, codes, "tautan", match.evidence, ambiguous=match.ambiguous)

    def portal(self, url: str, service: str, found_on: str) -> Attempt | None:
        """An attempt for a service portal under the pemda root that an inventory finding links to."""
        host = site_key(urlsplit(url).hostname or "")
        if not self.root or not host.endswith("." + self.root) or host in self.tried_hosts:
            return None
        self.tried_hosts.add(host)
        pemda = next((u.code for u in self.units.values() if u.kind == "pemda"), None)
        if pemda is None:
            return None
        evidence = f"layanan {service} ditautkan dari {found_on}"
        return Attempt(f"https://{host}/", (pemda,), f"portal:{service}", evidence, portal=True)

    def confirm(self, attempt: Attempt, title: str, text: str) -> tuple[str, float, str] | None:
        """The first candidate unit the fetched page confirms, with score and evidence."""
        if self.index is None:
            return None
        for code in attempt.unit_codes:
            if code in self.found:
                continue
            unit = self.units[code]
            if unit.kind in ("opd", "pemda"):
                verdict = page_matches_unit(title, text, unit.name, unit.kind)
            else:
                verdict = self.index.confirm_page(code, title, text)
            if verdict.confirmed:
                self.found.add(code)
                return code, verdict.score, f"{attempt.evidence}; {verdict.evidence}"
        return None
