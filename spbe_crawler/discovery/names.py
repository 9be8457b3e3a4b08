"""Unit names in the forms they take in host names and link texts.

Everything is folded to lowercase ASCII tokens first ("Ma'rang" -> marang, "Kel.Penarukan" -> kel
penarukan), so that spelling drift is left to the fuzzy scores and punctuation never is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from spbe_crawler.discovery.rules import DiscoveryRules, load_rules

_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc\u02bb]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MIN_ABBREVIATED_TAIL = 4


@dataclass(frozen=True, slots=True)
class NameForm:
    """One joined spelling of a unit name, possibly followed by a ``suffix`` (its kecamatan or
    kabupaten, as in ``sukaresmi-rancabali.desa.id``). ``base`` is the name without its trailing
    extension word ("sukarame" for "sukaramebaru"), used to tell a sibling unit from a drift."""

    head: str
    base: str | None = None
    suffix: str = ""

    @property
    def text(self) -> str:
        return self.head + self.suffix


def fold(text: str) -> str:
    """Lowercase ASCII with apostrophes dropped and any other punctuation turned into spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()
    return " ".join(_NON_ALNUM.sub(" ", _APOSTROPHES.sub("", ascii_text.lower())).split())


def raw_tokens(text: str) -> list[str]:
    return fold(text).split()


def tokens(name: str, rules: DiscoveryRules | None = None) -> list[str]:
    """The name's tokens without leading unit-type words: ``Kel. Way Halim`` -> ``[way, halim]``."""
    rules = rules or load_rules()
    words = raw_tokens(name)
    while len(words) > 1 and words[0] in rules.kind_of_word:
        words = words[1:]
    return words


def normalise(name: str, rules: DiscoveryRules | None = None) -> str:
    """``Kelurahan Way Halim`` -> ``wayhalim``; ``Desa Ma'rang`` -> ``marang``."""
    return "".join(tokens(name, rules))


def pemda_label(name: str, rules: DiscoveryRules | None = None) -> str:
    """The host label of a kabupaten/kota name: ``KOTA BANDAR LAMPUNG`` -> ``bandarlampung``."""
    rules = rules or load_rules()
    words = raw_tokens(name)
    while len(words) > 1 and words[0] in rules.pemda_words:
        words = words[1:]
    return "".join(words)


def pemda_root_guess(name: str, rules: DiscoveryRules | None = None) -> str | None:
    """The usual portal domain of a pemda: ``Kabupaten Malang`` -> ``malangkab.go.id``,
    ``Kota Bandar Lampung`` -> ``bandarlampungkota.go.id`` (None for other names)."""
    first = (raw_tokens(name) or [""])[0]
    suffix = {"kabupaten": "kab", "kab": "kab", "kota": "kota"}.get(first)
    label = pemda_label(name, rules)
    return f"{label}{suffix}.go.id" if suffix and label else None


def root_stem(root: str, rules: DiscoveryRules | None = None) -> str:
    """``bandarlampungkota.go.id`` -> ``bandarlampung``; ``bandungkab.go.id`` -> ``bandung``."""
    rules = rules or load_rules()
    first = (root or "").lower().strip(".").split(".")[0]
    for suffix in rules.root_suffixes:
        if first.endswith(suffix) and len(first) > len(suffix):
            return first[: -len(suffix)]
    return first


def numeral_spellings(words: list[str], rules: DiscoveryRules) -> list[list[str]]:
    """The token list with its trailing numeral in every spelling (II, 2, dua), the original first."""
    spellings = [words]
    if len(words) < 2:
        return spellings
    for group in rules.numerals:
        if words[-1] in group:
            spellings += [words[:-1] + [alt] for alt in group if alt != words[-1]]
            break
    return spellings


def abbreviation(words: list[str], rules: DiscoveryRules) -> str | None:
    """Initials of all parts but the last, then the last word: Tanjungkarang Barat -> ``tkbarat``.

    Glued compounds are split at known heads first (tanjungkarang -> tanjung karang); names of
    fewer than three parts give no abbreviation, since two letters and a word guess too much.
    """
    parts = [part for word in words for part in _split_compound(word, rules)]
    if len(parts) < 3 or len(parts[-1]) < MIN_ABBREVIATED_TAIL:
        return None
    return "".join(part[0] for part in parts[:-1]) + parts[-1]


def _split_compound(word: str, rules: DiscoveryRules) -> list[str]:
    for head in rules.compound_heads:
        rest = word[len(head) :]
        if word.startswith(head) and len(rest) >= 3:
            return [head, rest]
    return [word]


def name_forms(name: str, rules: DiscoveryRules | None = None, abbreviations: bool = False) -> list[NameForm]:
    """Joined spellings of a name for scoring, each with its base; abbreviations only for host labels."""
    rules = rules or load_rules()
    forms: list[NameForm] = []
    for words in numeral_spellings(tokens(name, rules), rules):
        if not words:
            continue
        base = "".join(words[:-1]) if len(words) > 1 and words[-1] in rules.extension_words else None
        forms.append(NameForm("".join(words), base))
    short = abbreviation(tokens(name, rules), rules) if abbreviations else None
    if short:
        forms.append(NameForm(short))
    return _unique_forms(forms)


def _unique_forms(forms: list[NameForm]) -> list[NameForm]:
    seen: set[str] = set()
    unique = []
    for form in forms:
        if form.text not in seen:
            seen.add(form.text)
            unique.append(form)
    return unique


def host_label_variants(name: str, rules: DiscoveryRules | None = None) -> list[str]:
    """Host labels a site of this unit may use, most likely first.

    ``Panarukan`` -> ``[panarukan]``; ``Panarukan Baru`` -> ``[panarukanbaru, panarukan-baru]``;
    ``Jagabaya II`` adds ``jagabaya2``, ``jagabaya-2``, ``jagabayadua`` ...; ``Tanjungkarang Barat``
    ends with ``tkbarat``.
    """
    rules = rules or load_rules()
    labels: list[str] = []
    for words in numeral_spellings(tokens(name, rules), rules):
        labels += ["".join(words), "-".join(words)]
    short = abbreviation(tokens(name, rules), rules)
    if short:
        labels.append(short)
    return [label for label in dict.fromkeys(labels) if _LABEL.match(label)]


def is_host_label(label: str) -> bool:
    return bool(_LABEL.match(label))


def drift_variants(label: str, rules: DiscoveryRules | None = None, limit: int | None = None) -> list[str]:
    """Spellings of a host label one drift rewrite away: every rule's first variant, then every rule's
    second ... (rules in data order, positions left to right).

    ``segalamider`` -> ``segalamidar`` (e -> a) among others; ``sukaraja`` -> ``sukaradja`` (j -> dj).
    One rewrite per variant: drift is a letter or two, and each variant costs a DNS lookup.
    """
    rules = rules or load_rules()
    per_rule: list[list[str]] = []
    for old, new in rules.spelling_drift:
        found = []
        start = label.find(old)
        while start >= 0:
            found.append(label[:start] + new + label[start + len(old) :])
            start = label.find(old, start + 1)
        per_rule.append(found)
    variants: list[str] = []
    for rank in range(max((len(f) for f in per_rule), default=0)):
        for found in per_rule:
            candidate = found[rank] if rank < len(found) else None
            if candidate and candidate != label and candidate not in variants and _LABEL.match(candidate):
                variants.append(candidate)
                if limit is not None and len(variants) >= limit:
                    return variants
    return variants
