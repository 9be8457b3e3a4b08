"""The offline demo web: Kota Bandar Lampung's sites, portals and broken sites on 127.0.0.1."""

from __future__ import annotations

from spbe_crawler.demo.server import DemoWeb

__all__ = ["DemoWeb"]
