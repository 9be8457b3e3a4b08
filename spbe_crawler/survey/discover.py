"""Spider-side bookkeeping of unit-website discovery: which hosts to try for which units.

The matching itself is pure (:mod:`spbe_crawler.discovery`); here we decide what to fetch and keep
each host and each unit from being tried or found twice in one crawl.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from spbe_crawler.discovery import UnitIndex, guess_hosts, page_matches_unit
from spbe_crawler.discovery.learn import KnownSite, LearnedKind, learn_patterns
from spbe_crawler.discovery.names import pemda_root_guess
from spbe_crawler.discovery.rules import load_rules
from spbe_crawler.survey.links import site_key
from spbe_crawler.vocab import KIND_LABELS, VILLAGE_KINDS, UnitKind

logger = logging.getLogger(__name__)
TRIED_SHOWN = 6  # names listed in a no_website outcome; the rest are counted


@dataclass(frozen=True)
class Attempt:
    url: str
    unit_codes: tuple[str, ...]  # candidates, best first
    source: str  # "tautan" or "tebakan:<pattern>"
    evidence: str
    ambiguous: bool = False
    portal: bool = False  # a service portal of the pemda (ppid., jdih., satudata. ...): no name check


class DnsCache:
    """Guessed hosts that did not resolve, with the day they failed: not looked up again for ``days``.

    A small JSON file (``$SPBE_HOME/cache/discovery-dns.json``); a broken or missing file is an empty
    cache, never an error. ``path=None`` keeps the cache in memory only.
    """

    def __init__(self, path: Path | None, days: int, now: datetime | None = None):
        self.path, self.days = path, days
        self.now = now or datetime.now(UTC)
        self.failed: dict[str, str] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.failed = {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
            except (OSError, ValueError):
                logger.warning("Cache DNS penemuan %s rusak; diabaikan.", path)

    def fresh(self, host: str) -> bool:
        when = self.failed.get(host)
        if when is None or self.days <= 0:
            return False
        try:
            return self.now - datetime.fromisoformat(when) < timedelta(days=self.days)
        except ValueError:
            return False

    def record(self, host: str) -> None:
        self.failed[host] = self.now.isoformat(timespec="seconds")

    def forget(self, host: str) -> None:
        self.failed.pop(host, None)

    def save(self) -> None:
        if self.path is None:
            return
        cutoff = self.now - timedelta(days=max(self.days, 0))
        keep = {h: t for h, t in self.failed.items() if _parse(t) is not None and _parse(t) >= cutoff}  # type: ignore[operator]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(keep, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            logger.warning("Cache DNS penemuan tidak dapat ditulis (%s).", exc)


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def discovery_budget(setting: Any = None) -> tuple[int, int]:
    """``(lookups per run, negative-cache days)``: SPBE_DISCOVERY_LOOKUPS when set, else the data."""
    rules = load_rules()
    text = str(setting or "").strip()
    lookups = int(text) if text.isdigit() else rules.max_lookups_per_run
    if text and not text.isdigit():
        logger.warning("SPBE_DISCOVERY_LOOKUPS=%r bukan bilangan bulat; dipakai %d.", text, lookups)
    return lookups, rules.negative_cache_days


@dataclass
class Budget:
    """DNS lookups (guessed hosts) of one run: allowed, used, and guesses left out when it ran out."""

    limit: int
    used: int = 0
    skipped: int = 0
    cached: int = 0


@dataclass
class TriedNames:
    """The guessed hosts of one unit and what became of them, for its ``no_website`` outcome."""

    hosts: list[str] = field(default_factory=list)
    cached: int = 0
    skipped: int = 0

    def sentence(self) -> str:
        """``dicoba 8 nama host (…): kel-x.root, …`` in Bahasa Indonesia, bounded."""
        if not self.hosts and not self.skipped:
            return ""
        shown = ", ".join(self.hosts[:TRIED_SHOWN])
        more = f" dan {len(self.hosts) - TRIED_SHOWN} lainnya" if len(self.hosts) > TRIED_SHOWN else ""
        text = f"dicoba {len(self.hosts)} nama host tanpa hasil: {shown}{more}" if self.hosts else ""
        if self.cached:
            text += f" ({self.cached} dari cache DNS: tidak ada sejak survei sebelumnya)"
        if self.skipped:
            text += ("; " if text else "") + f"{self.skipped} tebakan lain tidak dicoba karena anggaran pencarian DNS habis"
        return text


class Discoverer:
    KINDS = (UnitKind.KECAMATAN, *VILLAGE_KINDS)

    def __init__(
        self,
        units: list[Any],
        hosts_by_unit: dict[str, set[str]],
        pemda_code: str,
        max_lookups: int | None = None,
        cache: DnsCache | None = None,
    ):
        rules = load_rules()
        self.budget = Budget(max_lookups if max_lookups is not None else rules.max_lookups_per_run)
        self.cache = cache or DnsCache(None, rules.negative_cache_days)
        self.tried: dict[str, TriedNames] = {}
        self.guess_owner: dict[str, str] = {}  # guessed host -> unit code
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
            if u.kind == UnitKind.OPD and "/" in u.code and self.root and not hosts_by_unit.get(u.code)
        }
        known = {host for hosts in hosts_by_unit.values() for host in hosts}
        self.index = UnitIndex(units, self.root, known_hosts=known) if self.root else None
        self.tried_hosts: set[str] = set(known)
        self.found: set[str] = set()
        self.learned = self._learn(hosts_by_unit)

    def _learn(self, hosts_by_unit: dict[str, set[str]]) -> dict[str, LearnedKind]:
        """The naming habits of this pemda, from the sites its kecamatan/kelurahan/desa already have."""
        known = []
        for code, hosts in hosts_by_unit.items():
            unit = self.units.get(code)
            if unit is None or unit.kind not in self.KINDS:
                continue
            parent = self.units.get(unit.parent_code or "")
            known += [KnownSite(unit.name, unit.kind, parent.name if parent else None, host) for host in sorted(hosts)]
        return learn_patterns(known, self.root) if self.root else {}

    @property
    def planned(self) -> int:
        """Guessed hosts the run will look up (known once :meth:`guesses` ran)."""
        return self.budget.used

    def guesses(self) -> list[Attempt]:
        """Host-pattern guesses for every unit without a website (nothing without a pemda root)."""
        if self.index is None:
            return []
        pemda = next((u for u in self.units.values() if u.kind == UnitKind.PEMDA), None)
        attempts = []
        if self.root_guess and pemda is not None and self.root_guess not in self.tried_hosts:
            self.tried_hosts.add(self.root_guess)
            evidence = f"tebakan domain pemda: {self.root_guess}"
            attempts.append(Attempt(f"https://{self.root_guess}/", (pemda.code,), "tebakan:pemda-root", evidence))
        per_unit = []
        for code in sorted(self.missing):
            unit = self.units[code]
            parent = self.units.get(unit.parent_code or "")
            learned = self.learned.get(unit.kind)
            guesses = guess_hosts(unit, parent.name if parent else None, self.root, pemda.name if pemda else None, learned=learned)
            per_unit.append((code, guesses))
        # Units take turns (every unit's best guess, then every unit's second ...): a budget that runs
        # out leaves the least likely names untried, never whole units.
        for rank in range(max((len(g) for _, g in per_unit), default=0)):
            for code, guesses in per_unit:
                if rank < len(guesses):
                    attempt = self._guess_attempt(code, guesses[rank])
                    if attempt is not None:
                        attempts.append(attempt)
        for host, code in sorted(self.opd_hosts.items()):
            if host not in self.tried_hosts:
                self.tried_hosts.add(host)
                attempts.append(Attempt(f"https://{host}/", (code,), "tebakan:opd-slug", f"tebakan pola <slug>.<root>: {host}"))
        return attempts

    def _guess_attempt(self, code: str, guess: Any) -> Attempt | None:
        host = site_key(guess.host)
        if host in self.tried_hosts:
            return None
        self.tried_hosts.add(host)
        tried = self.tried.setdefault(code, TriedNames())
        if self.cache.fresh(host):
            tried.hosts.append(host)
            tried.cached += 1
            self.budget.cached += 1
            return None
        if self.budget.used >= self.budget.limit:
            tried.skipped += 1
            self.budget.skipped += 1
            return None
        self.budget.used += 1
        tried.hosts.append(host)
        self.guess_owner[host] = code
        return Attempt(guess.url, (code,), f"tebakan:{guess.pattern}", f"tebakan pola {guess.pattern}: {guess.host}")

    def dns_failed(self, url: str) -> None:
        """A guessed host did not resolve: remember it for the next runs."""
        host = site_key(urlsplit(url).hostname or "")
        if host in self.guess_owner:
            self.cache.record(host)

    def resolved(self, url: str) -> None:
        host = site_key(urlsplit(url).hostname or "")
        self.cache.forget(host)

    def tried_sentences(self) -> dict[str, str]:
        """unit code -> what was tried for it, for units still without a website."""
        return {code: t.sentence() for code, t in self.tried.items() if code not in self.found and t.sentence()}

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
        pemda = next((u.code for u in self.units.values() if u.kind == UnitKind.PEMDA), None)
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
            if unit.kind in (UnitKind.OPD, UnitKind.PEMDA):
                verdict = page_matches_unit(title, text, unit.name, unit.kind)
            else:
                verdict = self.index.confirm_page(code, title, text)
            if verdict.confirmed:
                self.found.add(code)
                return code, verdict.score, f"{attempt.evidence}; {verdict.evidence}"
        return None


def preview(units: list[Any], hosts_by_unit: dict[str, set[str]], pemda_code: str, lookups: int, cache: DnsCache) -> list[str]:
    """What a run will do about units without a known site, said before it starts (Bahasa Indonesia).

    Runs the guessing itself (pure, no network) to give the exact number of host names to look up.
    """
    kinds = {kind.value: KIND_LABELS[kind.value][0] for kind in (UnitKind.KECAMATAN, *VILLAGE_KINDS, UnitKind.OPD)}
    scoped = [u for u in units if u.kind in kinds]
    missing = [u for u in scoped if not hosts_by_unit.get(u.code)]
    if not missing:
        return []
    counts = ", ".join(f"{sum(u.kind == k for u in missing)} {label}" for k, label in kinds.items() if any(u.kind == k for u in missing))
    discoverer = Discoverer(units, hosts_by_unit, pemda_code, max_lookups=lookups, cache=cache)
    discoverer.guesses()
    budget = discoverer.budget
    lines = [
        f"{len(missing)} dari {len(scoped)} unit belum punya situs yang diketahui ({counts}).",
        f"Penemuan situs akan menebak {budget.used} nama host (anggaran {lookups} pencarian DNS per survei, "
        f"SPBE_DISCOVERY_LOOKUPS; {budget.cached} dilewati karena tercatat tidak ada di cache DNS"
        + (f", {budget.skipped} tebakan lain tidak dicoba" if budget.skipped else "")
        + ").",
    ]
    if len(missing) * 2 > len(scoped):
        lines.append(
            "Punya daftar situs unit? Impor dulu agar tidak perlu ditebak: "
            "spbe registry import daftar-situs.csv (kolom code,name,kind,parent_code,website)."
        )
    return lines
