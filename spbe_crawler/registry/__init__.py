"""The unit registry: Kemendagri regions, OPD lists and user CSV imports, and the scope queries."""

from __future__ import annotations

from spbe_crawler.registry.csv_import import import_registry_csv
from spbe_crawler.registry.opd import load_opd
from spbe_crawler.registry.results import ImportReport, LoadStats, RegistryError, RowError
from spbe_crawler.registry.scope import units_in_scope, websites_of
from spbe_crawler.registry.urls import normalise_url
from spbe_crawler.registry.wilayah import load_country, load_pemda

__all__ = [
    "ImportReport",
    "LoadStats",
    "RegistryError",
    "RowError",
    "import_registry_csv",
    "load_country",
    "load_opd",
    "load_pemda",
    "normalise_url",
    "units_in_scope",
    "websites_of",
]
