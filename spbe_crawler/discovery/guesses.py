"""Host names a unit's website may have, from the patterns of data/discovery/host_patterns.yaml.

Pure: the survey spider resolves and fetches the guesses and confirms them with
``page_matches_unit``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from spbe_crawler.discovery.learn import LearnedKind
from spbe_crawler.discovery.names import drift_variants, host_label_variants, is_host_label, normalise, pemda_label, root_stem
from spbe_crawler.discovery.rules import DiscoveryRules, HostPattern, load_rules
from spbe_crawler.discovery.units import as_unit_ref

MAX_HOST_LENGTH = 253


class Guess(NamedTuple):
    """A guessed site: ``url`` is the https:// address, ``pattern`` the id of the host pattern."""

    url: str
    pattern: str

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[1].rstrip("/")

    @property
    def http_url(self) -> str:
        """The plain-http address to try when the https one does not answer."""
        return f"http://{self.host}/"


def guess_hosts(
    unit: Any,
    parent_name: str | None,
    pemda_root: str,
    kabupaten_name: str | None = None,
    rules: DiscoveryRules | None = None,
    learned: LearnedKind | None = None,
) -> list[Guess]:
    """Guesses for one unit, most likely first, deduplicated: at most ``max_guesses`` hosts from the
    patterns, then at most ``max_drift_guesses`` spelling-drift variants on the first pattern.

    ``unit`` is a ``UnitRef``, a ``(code, name, kind, parent_code)`` tuple or a Unit row;
    ``parent_name`` the kecamatan of a kelurahan/desa; ``kabupaten_name`` defaults to the stem of
    the root (bandarlampungkota.go.id -> bandarlampung). ``learned`` holds the templates and name
    style of the pemda's known sites of this kind (:func:`spbe_crawler.discovery.learn.learn_patterns`):
    they go first, and multi-word names are written the way the pemda writes them.
    """
    rules = rules or load_rules()
    ref = as_unit_ref(unit)
    root = pemda_root.lower().strip(".")
    values = {
        "root": root,
        "kabupaten": pemda_label(kabupaten_name, rules) if kabupaten_name else root_stem(root, rules),
        "parent": normalise(parent_name, rules) if parent_name else "",
    }
    patterns = _patterns(rules.patterns.get(ref.kind, ()), learned, values["root"])
    labels = host_label_variants(ref.name, rules)
    if learned is not None and learned.prefers_dashed:
        labels = sorted(labels, key=lambda label: "-" not in label)
    guesses: list[Guess] = []
    seen: set[str] = set()
    for pattern in patterns[: len(learned.templates) if learned else 0]:  # the pemda's own habits first
        _add(guesses, seen, pattern, labels[:1], values, rules.max_guesses)
    for label in labels:
        for pattern in patterns:
            _add(guesses, seen, pattern, [label], values, rules.max_guesses)
    if patterns and labels and rules.max_drift_guesses:
        # Drift on the pemda's spelling of the name; with a mixed habit, glued and dashed take turns.
        forms = labels[:1] if (learned is not None and learned.style) or "-" not in "".join(labels[:2]) else labels[:2]
        per_form = [drift_variants(form, rules) for form in forms]
        drifted = [v for rank in zip(*per_form, strict=False) for v in rank]
        drifted = [v for v in drifted if _fill(patterns[0].template, v, values) not in seen]
        budget = len(guesses) + rules.max_drift_guesses
        first = HostPattern(f"{patterns[0].id}+ejaan", patterns[0].template)
        _add(guesses, seen, first, drifted, values, budget)
    return guesses


def _patterns(static: tuple[HostPattern, ...], learned: LearnedKind | None, root: str) -> list[HostPattern]:
    """Learned templates (most used first) before the static ones they do not repeat."""
    own = [HostPattern(f"pola-pemda:{t}", t) for t in (learned.ranked() if learned else [])]
    known = {p.template for p in own}
    return own + [p for p in static if p.template not in known]


def _add(guesses: list[Guess], seen: set[str], pattern: HostPattern, labels: list[str], values: dict[str, str], limit: int) -> None:
    for label in labels:
        if len(guesses) >= limit:
            return
        host = _fill(pattern.template, label, values)
        if host is None or host in seen:
            continue
        seen.add(host)
        guesses.append(Guess(f"https://{host}/", pattern.id))


def _fill(template: str, label: str, values: dict[str, str]) -> str | None:
    """The host of one pattern, or None when a placeholder has no value, the host is not valid, or a
    glued prefix meets a dashed name (``kecamatantanjungkarang-barat`` is written by nobody)."""
    glued_prefix = template.split("{name}", 1)[0][-1:].isalnum()
    if (
        (glued_prefix and "-" in label)
        or ("{parent}" in template and not values["parent"])
        or ("{kabupaten}" in template and not values["kabupaten"])
    ):
        return None
    host = template.format(name=label, **values)
    if len(host) > MAX_HOST_LENGTH or not all(is_host_label(part) for part in host.split(".")):
        return None
    return host
