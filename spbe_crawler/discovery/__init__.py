"""Discovery of unit websites: name normalisation, host guesses, link attribution, page confirmation.

Pure functions over plain data (no Scrapy, httpx or store imports); the survey spider fetches.
"""

from __future__ import annotations

from spbe_crawler.discovery.guesses import Guess, guess_hosts
from spbe_crawler.discovery.match import LinkMatch, UnitIndex
from spbe_crawler.discovery.names import host_label_variants, normalise, tokens
from spbe_crawler.discovery.page import PageMatch, page_matches_unit
from spbe_crawler.discovery.rules import DiscoveryDataError, DiscoveryRules, load_rules
from spbe_crawler.discovery.units import UnitRef

__all__ = [
    "DiscoveryDataError",
    "DiscoveryRules",
    "Guess",
    "LinkMatch",
    "PageMatch",
    "UnitIndex",
    "UnitRef",
    "guess_hosts",
    "host_label_variants",
    "load_rules",
    "normalise",
    "page_matches_unit",
    "tokens",
]
