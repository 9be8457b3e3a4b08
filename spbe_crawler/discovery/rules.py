"""The data that drives discovery: name vocabulary, host patterns and thresholds (data/discovery/*.yaml).

Loaded and checked once per data directory; a bad file raises ``DiscoveryDataError`` naming the file
and the entry (``names.yaml: kinds.kelurahan.words: ...``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from spbe_crawler import config
from spbe_crawler.vocab import UnitKind
from spbe_crawler.yamlfile import load_yaml

UNIT_KINDS = tuple(kind.value for kind in UnitKind)

PLACEHOLDERS = frozenset({"name", "root", "kabupaten", "parent"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_WORD = re.compile(r"^[a-z0-9]+$")
_PREFIX = re.compile(r"^[a-z0-9]+-?$")
THRESHOLD_KEYS = (
    "link_accept",
    "ambiguity_margin",
    "runner_up_floor",
    "host_weight",
    "text_weight",
    "text_informative",
    "extension_cap",
    "page_accept",
)
COUNT_KEYS = ("page_text_chars", "evidence_text_chars")


class DiscoveryDataError(ValueError):
    """A discovery data file is missing or malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class KindVocab:
    kind: str
    label: str
    words: tuple[str, ...]
    host_prefixes: tuple[str, ...]


@dataclass(frozen=True)
class HostPattern:
    id: str
    template: str


@dataclass(frozen=True)
class Thresholds:
    link_accept: float
    ambiguity_margin: float
    runner_up_floor: float
    host_weight: float
    text_weight: float
    text_informative: float
    extension_cap: float
    page_accept: float
    page_text_chars: int
    evidence_text_chars: int


@dataclass(frozen=True)
class DiscoveryRules:
    kinds: dict[str, KindVocab]
    kind_of_word: dict[str, str]
    pemda_words: frozenset[str]
    root_suffixes: tuple[str, ...]
    extension_words: frozenset[str]
    institution_words: frozenset[str]
    numerals: tuple[tuple[str, ...], ...]
    compound_heads: tuple[str, ...]
    patterns: dict[str, tuple[HostPattern, ...]]
    max_guesses: int
    thresholds: Thresholds
    spelling_drift: tuple[tuple[str, str], ...] = ()
    max_drift_guesses: int = 0
    max_lookups_per_run: int = 3000
    negative_cache_days: int = 7

    def label(self, kind: str) -> str:
        """The Bahasa label of a kind ("Kelurahan"), or the kind itself capitalised."""
        vocab = self.kinds.get(kind)
        return vocab.label if vocab else kind.capitalize()


def load_rules(data_dir: str | Path | None = None) -> DiscoveryRules:
    """The discovery rules of ``<data_dir>/discovery`` (default ``config.DATA_DIR``), loaded once."""
    base = Path(data_dir) if data_dir is not None else Path(config.DATA_DIR)
    return _load(base.expanduser().resolve() / "discovery")


@lru_cache(maxsize=8)
def _load(folder: Path) -> DiscoveryRules:
    names = _read(folder / "names.yaml")
    patterns = _read(folder / "host_patterns.yaml")
    thresholds = _read(folder / "thresholds.yaml")
    kinds = _kinds(names, "names.yaml")
    host_patterns = _patterns(patterns, "host_patterns.yaml")
    for kind in host_patterns:
        if kind not in kinds:
            raise _fail("host_patterns.yaml", f"kinds.{kind}", "jenis unit tidak ada di names.yaml")
    return DiscoveryRules(
        kinds=kinds,
        kind_of_word={word: vocab.kind for vocab in kinds.values() for word in vocab.words},
        pemda_words=frozenset(_words(names, "pemda_words", "names.yaml")),
        root_suffixes=tuple(_words(names, "root_suffixes", "names.yaml")),
        extension_words=frozenset(_words(names, "extension_words", "names.yaml")),
        institution_words=frozenset(_words(names, "institution_words", "names.yaml")),
        numerals=_numerals(names, "names.yaml"),
        compound_heads=tuple(_words(names, "compound_heads", "names.yaml")),
        patterns=host_patterns,
        max_guesses=_count(patterns, "max_guesses", "host_patterns.yaml"),
        thresholds=_thresholds(thresholds, "thresholds.yaml"),
        spelling_drift=_drift(names, "names.yaml"),
        max_drift_guesses=_count(patterns, "max_drift_guesses", "host_patterns.yaml", minimum=0),
        max_lookups_per_run=_count(patterns, "max_lookups_per_run", "host_patterns.yaml"),
        negative_cache_days=_count(patterns, "negative_cache_days", "host_patterns.yaml", minimum=0),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DiscoveryDataError(f"{path.name}: berkas tidak dapat dibaca ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise DiscoveryDataError(f"{path.name}: YAML tidak sah ({exc})") from None
    if not isinstance(data, dict):
        raise DiscoveryDataError(f"{path.name}: isi berkas harus berupa pemetaan (mapping)")
    return data


def _fail(file: str, entry: str, problem: str) -> DiscoveryDataError:
    return DiscoveryDataError(f"{file}: {entry}: {problem}")


def _words(data: dict[str, Any], key: str, file: str, pattern: re.Pattern[str] = _WORD) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise _fail(file, key, "harus berupa daftar yang tidak kosong")
    words = [str(item) if isinstance(item, (str, int)) else None for item in value]
    for word in words:
        if word is None or not pattern.match(word):
            raise _fail(file, key, f"entri {word!r} tidak sah (huruf kecil/angka saja)")
    return words  # type: ignore[return-value]


def _kinds(data: dict[str, Any], file: str) -> dict[str, KindVocab]:
    raw = data.get("kinds")
    if not isinstance(raw, dict) or not raw:
        raise _fail(file, "kinds", "harus berupa pemetaan jenis unit yang tidak kosong")
    kinds: dict[str, KindVocab] = {}
    for kind, entry in raw.items():
        entry_id = f"kinds.{kind}"
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            raise _fail(file, entry_id, "harus memuat label, words dan host_prefixes")
        if kind not in UNIT_KINDS:
            raise _fail(file, entry_id, f"jenis unit tidak dikenal (yang ada: {', '.join(UNIT_KINDS)})")
        kinds[kind] = KindVocab(
            kind=kind,
            label=entry["label"],
            words=tuple(_words(entry, "words", f"{file}: {entry_id}")),
            host_prefixes=tuple(_words(entry, "host_prefixes", f"{file}: {entry_id}", _PREFIX)),
        )
    return kinds


def _numerals(data: dict[str, Any], file: str) -> tuple[tuple[str, ...], ...]:
    raw = data.get("numerals")
    if not isinstance(raw, list) or not raw:
        raise _fail(file, "numerals", "harus berupa daftar kelompok penulisan angka")
    groups = []
    for index, group in enumerate(raw):
        if not isinstance(group, list) or len(group) < 2:
            raise _fail(file, f"numerals[{index}]", "harus berupa daftar minimal dua penulisan")
        groups.append(tuple(_words({"g": group}, "g", f"{file}: numerals[{index}]")))
    return tuple(groups)


def _patterns(data: dict[str, Any], file: str) -> dict[str, tuple[HostPattern, ...]]:
    raw = data.get("kinds")
    if not isinstance(raw, dict) or not raw:
        raise _fail(file, "kinds", "harus berupa pemetaan jenis unit ke daftar pola")
    result: dict[str, tuple[HostPattern, ...]] = {}
    seen: set[str] = set()
    for kind, entries in raw.items():
        if not isinstance(entries, list) or not entries:
            raise _fail(file, f"kinds.{kind}", "harus berupa daftar pola yang tidak kosong")
        result[kind] = tuple(_pattern(entry, f"kinds.{kind}[{i}]", file, seen) for i, entry in enumerate(entries))
    return result


def _pattern(entry: Any, where: str, file: str, seen: set[str]) -> HostPattern:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not isinstance(entry.get("host"), str):
        raise _fail(file, where, "pola harus memuat id dan host")
    pattern_id, template = entry["id"], entry["host"]
    if pattern_id in seen:
        raise _fail(file, pattern_id, "id pola muncul lebih dari sekali")
    seen.add(pattern_id)
    used = set(_PLACEHOLDER.findall(template))
    if not used <= PLACEHOLDERS:
        raise _fail(file, pattern_id, f"placeholder tidak dikenal: {sorted(used - PLACEHOLDERS)}")
    if "name" not in used:
        raise _fail(file, pattern_id, "pola harus memuat {name}")
    return HostPattern(pattern_id, template)


def _count(data: dict[str, Any], key: str, file: str, minimum: int = 1) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(file, key, f"harus berupa bilangan bulat paling sedikit {minimum}")
    return value


def _drift(data: dict[str, Any], file: str) -> tuple[tuple[str, str], ...]:
    """``spelling_drift``: directed rewrites [from, to] of lowercase letters (optional, may be empty)."""
    raw = data.get("spelling_drift", [])
    if not isinstance(raw, list):
        raise _fail(file, "spelling_drift", "harus berupa daftar pasangan [dari, ke]")
    pairs = []
    for index, pair in enumerate(raw):
        ok = isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) and _WORD.match(p) for p in pair)
        if not ok or pair[0] == pair[1]:
            raise _fail(file, f"spelling_drift[{index}]", "harus berupa dua tulisan berbeda (huruf kecil/angka)")
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def _thresholds(data: dict[str, Any], file: str) -> Thresholds:
    unknown = set(data) - set(THRESHOLD_KEYS) - set(COUNT_KEYS)
    if unknown:
        raise _fail(file, min(unknown), "kunci tidak dikenal")
    values: dict[str, Any] = {}
    for key in THRESHOLD_KEYS:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise _fail(file, key, "harus berupa angka antara 0 dan 1")
        values[key] = float(value)
    for key in COUNT_KEYS:
        values[key] = _count(data, key, file)
    if abs(values["host_weight"] + values["text_weight"] - 1) > 1e-9:
        raise _fail(file, "host_weight", "host_weight + text_weight harus 1")
    return Thresholds(**values)
