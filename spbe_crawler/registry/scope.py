"""Which units a survey of one pemda covers, and their websites (asked of the store)."""

from __future__ import annotations

from spbe_crawler.store.registry_queries import KIND_ORDER, units_in_scope, websites_of

__all__ = ["KIND_ORDER", "units_in_scope", "websites_of"]
