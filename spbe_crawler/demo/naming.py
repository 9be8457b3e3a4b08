"""Host labels from unit names, written the ways Indonesian local sites write them."""

from __future__ import annotations

import re

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def joined(name: str) -> str:
    """``Tanjungkarang Barat`` -> ``tanjungkarangbarat``."""
    return _NON_ALNUM.sub("", name.lower())


def dashed(name: str) -> str:
    """``Tanjungkarang Barat`` -> ``tanjungkarang-barat``."""
    return _NON_ALNUM.sub("-", name.lower()).strip("-")


def label(pattern: str, name: str) -> str:
    """Fill a plan host pattern such as ``kec-{joined}`` for ``name``."""
    return pattern.format(joined=joined(name), dashed=dashed(name))


def host_under(label_or_host: str, root: str) -> str:
    """A label becomes ``<label>.<root>``; a name that already ends in the root is kept."""
    value = label_or_host.lower().strip(".")
    if value == root or value.endswith("." + root):
        return value
    return f"{value}.{root}"
