"""Which linked hosts can be a unit's site, and what their unit label says.

Only hosts under the pemda root (``kel-penarukan.bandarlampungkota.go.id``) or under ``desa.id``
qualify. The unit label is the one next to that zone (``sid.kalisemo.desa.id`` -> ``kalisemo``), so
service subdomains in front of it do not hide the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from spbe_crawler.discovery.rules import DiscoveryRules

DESA_ZONE = "desa.id"
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class LinkedSite:
    url: str  # scheme://host[:port]/
    host: str  # the linked host, lowercase
    labels: tuple[str, ...]  # labels between an optional www. and the zone
    zone: str  # "root" or "desa"


@dataclass(frozen=True, slots=True)
class LabelReading:
    observed: str  # the label without prefix and hyphens
    kind: str | None  # the kind its prefix hints at
    definite: bool  # a dashed prefix (kel-) is certain; a glued one (kelurahan...) is a guess


def bare_host(host_or_url: str) -> str:
    """``https://WWW.Kel-X.Root.go.id:8443/a`` -> ``kel-x.root.go.id``."""
    value = (host_or_url or "").strip().lower()
    try:
        value = (urlsplit(value if "://" in value else "//" + value).hostname or "").rstrip(".")
    except ValueError:
        return ""
    return value.removeprefix("www.")


def linked_site(href: str, root: str) -> LinkedSite | None:
    """The site a link points to, when it lies under ``root`` (not the root itself) or ``desa.id``."""
    try:
        parts = urlsplit((href or "").strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    bare = host.removeprefix("www.")
    for zone, suffix in (("root", root), ("desa", DESA_ZONE)):
        if bare.endswith("." + suffix):
            labels = tuple(bare[: -len(suffix) - 1].split("."))
            if all(labels):
                netloc = host if port in (None, DEFAULT_PORTS[parts.scheme.lower()]) else f"{host}:{port}"
                return LinkedSite(f"{parts.scheme.lower()}://{netloc}/", host, labels, zone)
    return None


def label_readings(label: str, rules: DiscoveryRules) -> list[LabelReading]:
    """Ways to read a unit label: as written, and without each kind prefix it starts with.

    ``kel-penarukan`` -> only ``penarukan`` (kelurahan, definite); ``kelurahanpanarukan`` -> both
    ``kelurahanpanarukan`` and ``panarukan`` (kelurahan, guessed); ``puskesmas-kedaton`` -> none,
    an institution in the unit's area is not the unit's site.
    """
    parts = label.split("-")
    if len(parts) > 1 and any(part.rstrip("0123456789") in rules.institution_words for part in parts):
        return []
    prefixes = sorted(
        ((prefix, vocab.kind) for vocab in rules.kinds.values() for prefix in vocab.host_prefixes),
        key=lambda item: (not item[0].endswith("-"), -len(item[0])),
    )
    readings = [LabelReading(label.replace("-", ""), None, False)]
    for prefix, kind in prefixes:
        rest = label[len(prefix) :].replace("-", "")
        if label.startswith(prefix) and rest:
            if prefix.endswith("-"):
                return [LabelReading(rest, kind, True)]
            readings.append(LabelReading(rest, kind, False))
    return readings
