"""Errors of the store that the command line reports (kept free of heavy imports)."""

from __future__ import annotations


class SchemaError(RuntimeError):
    """The database's schema is not the one this version uses; the message tells what to do."""
