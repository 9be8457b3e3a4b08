"""Service inventory: declarative signature rules turn crawled pages into findings.

Pure: imports neither Scrapy nor httpx nor the store. See :mod:`inventory.engine`.
"""

from __future__ import annotations

from inventory.engine import Match, Pack, default_pack, load_catalog, load_pack
from inventory.history import diff
from inventory.page import PageData
from inventory.rules import LEVELS, RuleError
from inventory.view import build_view

__all__ = [
    "LEVELS",
    "Match",
    "Pack",
    "PageData",
    "RuleError",
    "build_view",
    "default_pack",
    "diff",
    "load_catalog",
    "load_pack",
]
