"""Attribute links found on pemda pages to the units whose websites they may be.

``UnitIndex`` is built once per pemda from its kecamatan, kelurahan and desa. A link is scored by its
host label (``kel-penarukan`` -> kelurahan "penarukan") and by its text ("Kel. Penarukan"), against
every unit of the kinds the prefixes allow. The caller confirms an accepted link by fetching it and
calling ``confirm_page``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from spbe_crawler.discovery.evidence import quote, score_text, unit_phrase
from spbe_crawler.discovery.fuzzy import NameTable, Segment, segments, windows
from spbe_crawler.discovery.hosts import LinkedSite, bare_host, label_readings, linked_site
from spbe_crawler.discovery.names import NameForm, fold, name_forms, normalise, pemda_label, root_stem, tokens
from spbe_crawler.discovery.page import PageMatch, judge_page, page_matches_unit
from spbe_crawler.discovery.rules import DiscoveryRules, load_rules
from spbe_crawler.discovery.units import UnitRef, as_unit_ref
from spbe_crawler.vocab import UnitKind

__all__ = ["LinkMatch", "UnitIndex", "page_matches_unit"]
CACHE_SIZE = 8192


class LinkMatch(NamedTuple):
    url: str  # scheme://host/ of the linked site
    best: tuple[str, float]  # (unit code, score 0..1)
    runner_up: tuple[str, float] | None
    ambiguous: bool
    evidence: str


class _Candidate(NamedTuple):
    owner: int
    score: float


class UnitIndex:
    """The discoverable units of one pemda, ready to score links and pages.

    ``units``: ``UnitRef``s, ``(code, name, kind, parent_code)`` tuples or Unit rows; the pemda row
    (kind ``pemda``), when present, names the kabupaten used in ``<desa>-<kabupaten>.desa.id``.
    ``known_hosts``: hosts (or URLs) already registered as websites; links to them are ignored.
    """

    def __init__(
        self,
        units: Iterable[Any],
        pemda_root: str,
        known_hosts: Iterable[str] = (),
        rules: DiscoveryRules | None = None,
    ):
        self.rules = rules or load_rules()
        self.root = pemda_root.lower().strip(".")
        refs = [as_unit_ref(unit) for unit in units]
        names_by_code = {ref.code: ref.name for ref in refs}
        pemda = next((ref for ref in refs if ref.kind == UnitKind.PEMDA), None)
        kabupaten = pemda_label(pemda.name, self.rules) if pemda else root_stem(self.root, self.rules)
        self.units: list[UnitRef] = [r for r in refs if r.kind in self.rules.kinds and normalise(r.name, self.rules)]
        self._names = [(unit.name, unit.kind) for unit in self.units]
        self._by_code = {unit.code: unit for unit in self.units}
        self._owner_of = {unit.code: owner for owner, unit in enumerate(self.units)}
        self._parent_names = [names_by_code.get(u.parent_code or "", "") for u in self.units]
        self._parents = [normalise(name, self.rules) for name in self._parent_names]
        self._own_forms = [[form.text for form in name_forms(u.name, self.rules)] for u in self.units]
        self._max_words = max((len(tokens(u.name, self.rules)) for u in self.units), default=0) + 1
        self._text_table = NameTable(self.rules)
        self._host_table = NameTable(self.rules)
        for owner, unit in enumerate(self.units):
            self._text_table.add(owner, unit.kind, name_forms(unit.name, self.rules))
            self._host_table.add(owner, unit.kind, self._host_forms(owner, kabupaten))
        self._known = {bare_host(host) for host in known_hosts}
        self._cache: dict[tuple[str, str], LinkMatch | None] = {}

    def _host_forms(self, owner: int, kabupaten: str) -> list[NameForm]:
        """Name spellings plus the ``<name><kecamatan>`` and ``<name><kabupaten>`` labels of desa sites."""
        unit = self.units[owner]
        forms = name_forms(unit.name, self.rules, abbreviations=True)
        suffixes = [self._parents[owner]] + ([kabupaten] if unit.kind == UnitKind.DESA else [])
        plain = name_forms(unit.name, self.rules)
        return forms + [NameForm(form.head, form.base, suffix) for form in plain for suffix in suffixes if suffix and suffix != form.head]

    def add_known_host(self, host_or_url: str) -> None:
        """Ignore links to this host from now on (e.g. a site just confirmed)."""
        self._known.add(bare_host(host_or_url))

    def unit(self, code: str) -> UnitRef | None:
        return self._by_code.get(code)

    def match_link(self, href: str, text: str = "") -> LinkMatch | None:
        """The unit an absolute link most likely points to, or None when it is off-pemda, to a known
        host, or no unit scores ``link_accept``. Ambiguous matches are returned, flagged."""
        site = linked_site(href, self.root)
        if site is None or bare_host(site.host) in self._known or not self.units:
            return None
        key = (site.url, fold(text))
        if key not in self._cache:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = self._match(site, text)
        return self._cache[key]

    def _match(self, site: LinkedSite, text: str) -> LinkMatch | None:
        """Read the label next to the zone (the name the pemda or PANDI assigned; ``ppid.kel-x`` is
        kel-x's). The label in front of it wins only when it names a unit of the kecamatan that
        label names (``sukarame.kedaton.<root>``): short service labels (sid., ppid.) never match."""
        segs = segments(text, self.rules)
        outer = self._match_label(site, site.labels[-1], text, segs)
        if outer is None or len(site.labels) < 2:
            return outer
        inner = self._match_label(site, site.labels[-2], text, segs)
        if inner is not None and self._by_code[inner.best[0]].parent_code == outer.best[0]:
            return inner
        return outer

    def _match_label(self, site: LinkedSite, label: str, text: str, segs: list[Segment]) -> LinkMatch | None:
        kinds = self._allowed_kinds(site, label, segs)
        if not kinds:
            return None
        host_scores = self._host_scores(label, kinds)
        text_hits = self._text_table.window_scores(windows(segs, self.rules, self._max_words), self._floor, kinds)
        ranked = self._rank(host_scores, {owner: hit.score for owner, hit in text_hits.items()})
        if not ranked:
            return None
        if ranked[0].score < self.rules.thresholds.link_accept:
            return self._sibling_tie(site, label, text, ranked)
        return self._decide(site, text, ranked)

    def _sibling_tie(self, site: LinkedSite, label: str, text: str, ranked: list[_Candidate]) -> LinkMatch | None:
        """A bare name shared by sibling units ("Campang" for Campang Raya and Campang Jaya) scores
        the extension cap for each: not attributable, but worth listing for a person to assign.
        A third sibling name (``kampungbaru-jaya`` beside Kampung Baru and Kampung Baru Raya) is not
        a bare name of both, and stays refused."""
        limits = self.rules.thresholds
        tied = [c for c in ranked if c.score >= limits.extension_cap and ranked[0].score - c.score <= limits.ambiguity_margin + 1e-9]
        stems = {reading.observed for reading in label_readings(label, self.rules)}
        extends = [c for c in tied if any(normalise(self.units[c.owner].name, self.rules).startswith(stem) for stem in stems)]
        if len(tied) < 2 or len(extends) != len(tied):
            return None
        match = self._decide(site, text, ranked)
        return match._replace(ambiguous=True, runner_up=match.runner_up or (self.units[tied[1].owner].code, tied[1].score))

    @property
    def _floor(self) -> float:
        return self.rules.thresholds.runner_up_floor

    def _allowed_kinds(self, site: LinkedSite, label: str, segs: list[Segment]) -> set[str]:
        """Kinds the link may name: desa.id hosts are desa; a dashed host prefix wins over a type word
        in the link text ("Kecamatan ..."), which wins over nothing."""
        kinds = {unit.kind for unit in self.units}
        if site.zone == "desa":
            kinds &= {UnitKind.DESA.value}
        definite = [r.kind for r in label_readings(label, self.rules) if r.definite]
        text_kind = next((seg.kind for seg in segs if seg.kind), None)
        hint = definite[0] if definite else text_kind
        return kinds & {hint} if hint else kinds

    def _host_scores(self, label: str, kinds: set[str]) -> dict[int, float]:
        best: dict[int, float] = {}
        for reading in label_readings(label, self.rules):
            allowed = kinds & {reading.kind} if reading.kind else kinds
            for owner, score in self._host_table.scores(reading.observed, self._floor, allowed).items():
                best[owner] = max(score, best.get(owner, 0.0))
        return best

    def _rank(self, host: dict[int, float], text: dict[int, float]) -> list[_Candidate]:
        """Host and text combined: weighted when the text names some unit, the host alone otherwise."""
        limits = self.rules.thresholds
        informative = max(text.values(), default=0.0) >= limits.text_informative
        scores = {
            owner: (limits.host_weight * score + limits.text_weight * text.get(owner, 0.0)) if informative else score
            for owner, score in host.items()
        }
        ranked = [_Candidate(owner, round(score, 4)) for owner, score in scores.items()]
        return sorted(ranked, key=lambda c: (-c.score, self.units[c.owner].code))

    def _decide(self, site: LinkedSite, text: str, ranked: list[_Candidate]) -> LinkMatch:
        """Pick the best; within the ambiguity margin, a unit whose kecamatan is named in the host or
        the text wins, else the match is ambiguous."""
        margin = self.rules.thresholds.ambiguity_margin
        close = [c for c in ranked if ranked[0].score - c.score <= margin + 1e-9]
        chosen, ambiguous, by_parent = ranked[0], len(close) > 1, False
        if ambiguous:
            named = [c for c in close if self._parent_named(c.owner, site, text)]
            if len(named) == 1:
                chosen, ambiguous, by_parent = named[0], False, True
        others = [c for c in ranked if c.owner != chosen.owner and c.score >= self._floor]
        runner = others[0] if others else None
        evidence = self._evidence(site, text, chosen, runner if ambiguous else None, by_parent)
        return LinkMatch(
            url=site.url,
            best=(self.units[chosen.owner].code, chosen.score),
            runner_up=(self.units[runner.owner].code, runner.score) if runner else None,
            ambiguous=ambiguous,
            evidence=evidence,
        )

    def _parent_named(self, owner: int, site: LinkedSite, text: str) -> bool:
        """The unit's kecamatan appears in the host labels or the link text, once its own name is
        taken out (so kelurahan Sukarame of kecamatan Sukarame is not self-confirming)."""
        parent = self._parents[owner]
        if not parent:
            return False
        for haystack in ("".join(site.labels).replace("-", ""), "".join(fold(text).split())):
            rests = [haystack.replace(form, "", 1) for form in self._own_forms[owner] if form in haystack]
            if any(parent in rest for rest in rests or [haystack]):
                return True
        return False

    def _evidence(self, site: LinkedSite, text: str, chosen: _Candidate, rival: _Candidate | None, by_parent: bool) -> str:
        limit = self.rules.thresholds.evidence_text_chars
        quoted = quote(text, limit)
        head = f"tautan '{quoted}' ke {site.host}" if quoted else f"tautan ke {site.host}"
        sentence = f"{head} cocok dengan {self._phrase(chosen.owner)} (skor {score_text(chosen.score)})"
        if rival is not None:
            sentence += f"; ambigu: juga cocok dengan {self._phrase(rival.owner)} (skor {score_text(rival.score)})"
        if by_parent:
            parent = unit_phrase(self.rules.label("kecamatan"), self._parent_names[chosen.owner])
            sentence += f"; dipilih karena {parent} disebut di alamat atau teks tautan"
        return sentence

    def _phrase(self, owner: int) -> str:
        unit = self.units[owner]
        return unit_phrase(self.rules.label(unit.kind), unit.name)

    def confirm_page(self, unit_code: str, title: str, text: str) -> PageMatch:
        """``page_matches_unit`` for an indexed unit, with every other unit of the pemda as rival."""
        owner = self._owner_of.get(unit_code)
        if owner is None:
            return PageMatch(False, 0.0, f"unit {unit_code} tidak ada di indeks pemda ini")
        return judge_page(self._text_table, self._names, owner, title, text, self._max_words, self.rules)
