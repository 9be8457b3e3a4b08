"""Serving files: static portal trees and problem pages (read from disk on each request)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from spbe_crawler.demo.messages import HTML, Response

_TYPES = {
    ".html": HTML,
    ".htm": HTML,
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".pdf": "application/pdf",
}


def content_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def tree_file(root: Path, url_path: str) -> Path | None:
    """The file of a tree for a URL path: ``/`` -> index.html; ``/x`` -> x, x.html, x/index.html, x.json."""
    parts = [p for p in unquote(url_path.split(";", 1)[0]).split("/") if p not in ("", ".")]
    if ".." in parts or any("\\" in p or "\0" in p for p in parts):
        return None
    base = root.joinpath(*parts)
    if not parts or url_path.endswith("/"):
        candidates = [base / "index.html"]
    else:
        candidates = [base, base.with_name(base.name + ".html"), base / "index.html", base.with_name(base.name + ".json")]
    resolved_root = root.resolve()
    for candidate in candidates:
        if candidate.is_file() and candidate.resolve().is_relative_to(resolved_root):
            return candidate
    return None


def file_response(path: Path, status: int = 200) -> Response:
    return Response(status, path.read_bytes(), content_type(path))
