"""Host patterns learned from the sites a pemda already has: its own habits, not a national list.

A known site ``kel-penarukan.bandarlampungkota.go.id`` of Kelurahan Penarukan teaches the template
``kel-{name}.{root}``; ``kelurahanwayhalimpermai.…`` of Kelurahan Way Halim Permai teaches
``kelurahan{name}.{root}`` *and* that this pemda glues multi-word names. A template is learned from
any host in which a spelling of the unit's name stands as a whole run between separators (or after a
glued prefix); the rest of the host is kept as it is, so a prefix, suffix or kecamatan part nobody
listed in the data is learned too.

Pure: no network, no store. :func:`learn_patterns` gives per unit kind the templates, most used
first, and the name style (glued or dashed) the pemda prefers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from spbe_crawler.discovery.hosts import bare_host
from spbe_crawler.discovery.names import host_label_variants, is_host_label, normalise, tokens
from spbe_crawler.discovery.rules import DiscoveryRules, load_rules

DESA_ZONE = "desa.id"
# The fixed part around the name: letters, digits, dashes and dots only, short (a prefix, not a name).
_FIXED = re.compile(r"^[a-z0-9.-]{0,24}$")


@dataclass(frozen=True, slots=True)
class KnownSite:
    """A site the pemda already has: unit name and kind, its kecamatan's name (or None), its host."""

    name: str
    kind: str
    parent_name: str | None
    host: str


@dataclass
class LearnedKind:
    """What the known sites of one unit kind teach."""

    templates: Counter[str] = field(default_factory=Counter)
    glued: int = 0  # multi-word names written without separator (wayhalimpermai)
    dashed: int = 0  # multi-word names written with dashes (way-halim-permai)

    def ranked(self) -> list[str]:
        """Templates most used first; ties in alphabetical order (stable across runs)."""
        return [template for template, _ in sorted(self.templates.items(), key=lambda item: (-item[1], item[0]))]

    @property
    def style(self) -> str | None:
        """``dashed`` or ``glued`` when the pemda clearly writes multi-word names one way (two to
        one at least), else None: a mixed habit, both spellings are tried."""
        if self.dashed >= 2 * max(self.glued, 1):
            return "dashed"
        if self.glued >= 2 * max(self.dashed, 1):
            return "glued"
        return None

    @property
    def prefers_dashed(self) -> bool:
        return self.style == "dashed"


def template_of(site: KnownSite, root: str, rules: DiscoveryRules | None = None) -> tuple[str, str] | None:
    """``(template, style)`` learned from one known site, or None when its host does not spell the name.

    ``style`` is ``glued``, ``dashed`` or ``single`` (a one-word name shows no style).
    """
    rules = rules or load_rules()
    host = bare_host(site.host)
    root = root.lower().strip(".")
    if root and host.endswith("." + root):
        zone, front = "{root}", host[: -len(root) - 1]
    elif host.endswith("." + DESA_ZONE):
        zone, front = DESA_ZONE, host[: -len(DESA_ZONE) - 1]
    else:
        return None
    words = tokens(site.name, rules)
    for label in host_label_variants(site.name, rules):
        position = _whole_run(front, label)
        if position is None:
            continue
        before, after = front[:position], front[position + len(label) :]
        after = _parent_placeholder(after, site.parent_name, rules)
        if not (_FIXED.match(before) and _FIXED.match(after.replace("{parent}", ""))):
            return None
        style = "single" if len(words) < 2 else ("dashed" if "-" in label else "glued")
        return f"{before}{{name}}{after}.{zone}", style
    return None


def _whole_run(front: str, label: str) -> int | None:
    """Where ``label`` stands in ``front`` with a separator or the end on its right and a separator,
    the start, or a glued alphabetic prefix on its left (``kelurahan`` + ``kaliawi``)."""
    start = front.find(label)
    while start >= 0:
        end = start + len(label)
        right_ok = end == len(front) or front[end] in ".-"
        left_ok = start == 0 or front[start - 1] in ".-" or front[:start].split(".")[-1].split("-")[-1].isalpha()
        if right_ok and left_ok:
            return start
        start = front.find(label, start + 1)
    return None


def _parent_placeholder(after: str, parent_name: str | None, rules: DiscoveryRules) -> str:
    """``-tanjungkarangbarat`` -> ``-{parent}`` when the rest of the host spells the kecamatan."""
    if not parent_name:
        return after
    parent = normalise(parent_name, rules)
    parts = re.split(r"([.-])", after)
    if parent and len(parent) >= 3 and parent in parts:
        parts[parts.index(parent)] = "{parent}"
    return "".join(parts)


def learn_patterns(known: Iterable[KnownSite], root: str, rules: DiscoveryRules | None = None) -> dict[str, LearnedKind]:
    """Per unit kind, the templates and name style taught by the known sites."""
    rules = rules or load_rules()
    learned: dict[str, LearnedKind] = {}
    for site in known:
        found = template_of(site, root, rules)
        if found is None:
            continue
        template, style = found
        if not all(is_host_label(part) for part in _sample(template)):
            continue
        entry = learned.setdefault(site.kind, LearnedKind())
        entry.templates[template] += 1
        if style == "glued":
            entry.glued += 1
        elif style == "dashed":
            entry.dashed += 1
    return learned


def _sample(template: str) -> list[str]:
    """The labels of a template filled with sample values (to reject hosts no guess could produce)."""
    host = template.replace("{name}", "nama").replace("{parent}", "induk").replace("{root}", "root.go.id")
    return host.split(".")
