"""Host names a unit's website may have, from the patterns of data/discovery/host_patterns.yaml.

Pure: the survey spider resolves and fetches the guesses and confirms them with
``page_matches_unit``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from spbe_crawler.discovery.names import host_label_variants, is_host_label, normalise, pemda_label, root_stem
from spbe_crawler.discovery.rules import DiscoveryRules, load_rules
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
) -> list[Guess]:
    """Guesses for one unit, most likely first, deduplicated, at most ``max_guesses`` hosts.

    ``unit`` is a ``UnitRef``, a ``(code, name, kind, parent_code)`` tuple or a Unit row;
    ``parent_name`` the kecamatan of a kelurahan/desa; ``kabupaten_name`` defaults to the stem of
    the root (bandarlampungkota.go.id -> bandarlampung). A kind without patterns gives no guesses.
    """
    rules = rules or load_rules()
    ref = as_unit_ref(unit)
    root = pemda_root.lower().strip(".")
    values = {
        "root": root,
        "kabupaten": pemda_label(kabupaten_name, rules) if kabupaten_name else root_stem(root, rules),
        "parent": normalise(parent_name, rules) if parent_name else "",
    }
    guesses: list[Guess] = []
    seen: set[str] = set()
    for label in host_label_variants(ref.name, rules):
        for pattern in rules.patterns.get(ref.kind, ()):
            host = _fill(pattern.template, label, values)
            if host is None or host in seen:
                continue
            seen.add(host)
            guesses.append(Guess(f"https://{host}/", pattern.id))
            if len(guesses) >= rules.max_guesses:
                return guesses
    return guesses


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
