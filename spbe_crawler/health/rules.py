"""The content-status rule engine: YAML rules under ``data/health_rules/<status>/<id>.yaml``.

Rules are data (see ``data/health_rules/schema.json`` for their one shape); this module loads and
compiles them once and evaluates them over a :class:`PageFacts`. A rule file that is wrong fails
loading with its file name and id. At evaluation time every rule runs on its own: one that breaks
is reported in the evaluation's ``errors`` and the others still decide the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from spbe_crawler import config
from spbe_crawler.health.page import PageFacts
from spbe_crawler.health.status import Status, info
from spbe_crawler.health.verdict import Verdict
from spbe_crawler.matching import HEALTH, NUMERIC_PARTS, PART_LABELS, Condition, Hit, SpecError, compile_condition
from spbe_crawler.matching.screen import Screen, entry_gates
from spbe_crawler.yamlfile import load_yaml

RULE_STATUSES = frozenset(
    {
        Status.DEFAULT_PAGE,
        Status.DIRECTORY_LISTING,
        Status.HOSTING_SUSPENDED,
        Status.DOMAIN_SUSPENDED,
        Status.PARKED,
        Status.UNDER_CONSTRUCTION,
        Status.EMPTY,
        Status.HACKED_GAMBLING,
        Status.DEFACED,
    }
)
REQUIRED_KEYS = ("id", "status", "description", "reference", "priority", "match", "examples")


def default_directory() -> Path:
    return config.DATA_DIR / "health_rules"


class RuleError(ValueError):
    """A rule file that cannot be loaded; the message names the file and the rule id."""

    def __init__(self, path: Path, rule_id: str, message: str) -> None:
        super().__init__(f"{path} (aturan {rule_id!r}): {message}")
        self.path = path
        self.rule_id = rule_id


@dataclass(frozen=True)
class Rule:
    id: str
    status: str
    description: str
    reference: str
    priority: int
    match: Condition
    examples: dict[str, tuple[str, ...]]
    source: Path

    def evaluate(self, facts: PageFacts) -> Hit | None:
        """The hit that shows this rule applies to the page, or ``None``."""
        hits = self.match.hits(facts, limit=1, every_any=False)
        if not hits:
            return None
        # The most telling hit: a text match rather than a numeric condition.
        return next((h for h in hits if h.part not in NUMERIC_PARTS), hits[0])

    def verdict(self, hit: Hit) -> Verdict:
        detail = self.description
        if hit.count > 1:
            detail += f" ({hit.count} kecocokan pada {PART_LABELS.get(hit.part, hit.part)})"
        return Verdict(self.status, self.id, detail, hit.snippet)


@dataclass(frozen=True)
class Evaluation:
    verdict: Verdict | None
    matched: tuple[str, ...]  # ids of every rule that applied, best first
    errors: tuple[str, ...]  # one line per rule that broke


class RuleSet:
    """Compiled rules; ``classify`` picks the verdict of the highest-priority, most severe match."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = tuple(rules)
        self._screen = Screen((rule, entry_gates(rule.match)) for rule in self.rules)
        self._subsets: dict[frozenset[str], RuleSet] = {}

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def only(self, *statuses: str) -> RuleSet:
        """The rules that conclude one of ``statuses`` (e.g. the gambling rules for cloaking)."""
        wanted = frozenset(Status(s).value for s in statuses)
        subset = self._subsets.get(wanted)
        if subset is None:  # compiled once per rule set: the cloaking check asks for every site
            subset = self._subsets[wanted] = RuleSet(rule for rule in self.rules if rule.status in wanted)
        return subset

    def evaluate(self, facts: PageFacts) -> Evaluation:
        found: list[tuple[Rule, Hit]] = []
        errors: list[str] = []
        for rule in self._screen.candidates(facts):  # the others cannot hold on this page
            try:
                hit = rule.evaluate(facts)
            except Exception as exc:  # one broken check never sinks the page
                errors.append(f"pemeriksaan {rule.id} gagal: {type(exc).__name__}: {exc}"[:300])
                continue
            if hit is not None:
                found.append((rule, hit))
        found.sort(key=lambda pair: (pair[0].priority, info(pair[0].status).severity), reverse=True)
        verdict = found[0][0].verdict(found[0][1]) if found else None
        if verdict is not None and errors:
            verdict = Verdict(verdict.status, verdict.rule_id, f"{verdict.detail}; {'; '.join(errors)}"[:1000], verdict.snippet)
        return Evaluation(verdict, tuple(rule.id for rule, _ in found), tuple(errors))

    def classify(self, facts: PageFacts) -> Verdict | None:
        """The content status of a page that answered, or ``None`` when no rule applies."""
        return self.evaluate(facts).verdict


def load_rules(directory: Path | str | None = None) -> RuleSet:
    """Load and compile every ``<status>/<id>.yaml`` under ``directory`` (default: data/health_rules)."""
    root = Path(directory) if directory is not None else default_directory()
    paths = sorted(p for p in root.glob("*/*.y*ml") if p.suffix in (".yaml", ".yml"))
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in paths:
        rule = load_rule_file(path)
        if rule.id in seen:
            raise RuleError(path, rule.id, f"id sudah dipakai di {seen[rule.id]}")
        seen[rule.id] = path
        rules.append(rule)
    if not rules:
        raise RuleError(root, "-", "tidak ada berkas aturan")
    return RuleSet(rules)


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The project's rules, loaded and compiled once per process."""
    return load_rules()


def load_rule_file(path: Path) -> Rule:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError(path, path.stem, f"tidak dapat dibaca: {exc}") from exc
    rule_id = str(data.get("id", path.stem)) if isinstance(data, dict) else path.stem
    try:
        return _build_rule(path, data)
    except SpecError as exc:
        raise RuleError(path, rule_id, str(exc)) from exc


def _build_rule(path: Path, data: Any) -> Rule:
    if not isinstance(data, dict):
        raise SpecError("isi berkas harus berupa mapping")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    unknown = sorted(set(data) - set(REQUIRED_KEYS))
    if missing or unknown:
        raise SpecError(f"kunci wajib tidak ada: {missing}; kunci tidak dikenal: {unknown}")
    _check_identity(path, data)
    return Rule(
        id=data["id"],
        status=data["status"],
        description=data["description"].strip(),
        reference=str(data["reference"]).strip(),
        priority=data["priority"],
        match=compile_condition(data["match"], HEALTH),
        examples=_examples(data["examples"]),
        source=path,
    )


def _check_identity(path: Path, data: dict[str, Any]) -> None:
    if not isinstance(data["id"], str) or data["id"] != path.stem:
        raise SpecError(f"id harus sama dengan nama berkas ({path.stem!r})")
    if data["status"] not in {s.value for s in RULE_STATUSES}:
        raise SpecError(f"status {data['status']!r} bukan status konten yang dikenal")
    if data["status"] != path.parent.name:
        raise SpecError(f"status {data['status']!r} harus sama dengan nama folder ({path.parent.name!r})")
    if not isinstance(data["priority"], int) or isinstance(data["priority"], bool):
        raise SpecError("priority harus bilangan bulat")
    for key in ("description", "reference"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise SpecError(f"{key} harus berupa teks yang tidak kosong")


def _examples(data: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(data, dict) or set(data) != {"positive", "negative"}:
        raise SpecError("examples harus berisi 'positive' dan 'negative'")
    result = {}
    for kind in ("positive", "negative"):
        paths = data[kind]
        if not isinstance(paths, list) or not paths or not all(_is_page_path(p) for p in paths):
            raise SpecError(f"examples.{kind} harus daftar path berkas .html yang tidak kosong")
        result[kind] = tuple(paths)
    return result


def _is_page_path(path: Any) -> bool:
    return isinstance(path, str) and path.endswith(".html") and not path.endswith("/.html")
