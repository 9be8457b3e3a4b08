"""Files other helpers drop into the demo: problem pages and static service-portal trees.

* ``problem_pages/<status>[--variant].html`` (area ``health``): a page whose content the survey must
  classify as ``<status>``; the demo serves each file on a host of its own. A cloaking pair
  ``cloaked--bot.html`` / ``cloaked--browser.html`` is one host: the first for search-engine
  User-Agents, the second for everyone else.
* ``portals/<host>/...`` plus ``portals/manifest.yaml`` (area ``inventory``): a static tree served
  as the site ``<host>``; the manifest gives the unit and the services of each host.

Both directories are listed once, at start-up; a missing directory simply contributes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from spbe_crawler.health.status import Status
from spbe_crawler.yamlfile import load_yaml

PACKAGE_DIR = Path(__file__).resolve().parent
PROBLEM_PAGES_DIR = PACKAGE_DIR / "problem_pages"
PORTALS_DIR = PACKAGE_DIR / "portals"
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
# Longest first, so "hacked_gambling_x" is not read as a shorter status that prefixes it.
_STATUSES = sorted((s.value for s in Status), key=len, reverse=True)
# File-name words that stand for a status: "cloaked--bot.html" is hacked_cloaked.
_ALIASES = {"cloaked": Status.HACKED_CLOAKED.value}


class AssetError(ValueError):
    """A portal manifest that cannot be used (names the file and the host)."""


@dataclass(frozen=True)
class ProblemPage:
    path: Path
    status: str
    variant: str

    @property
    def label(self) -> str:
        """The file stem as a host label: ``default_page_nginx`` -> ``default-page-nginx``."""
        return re.sub(r"[^a-z0-9]+", "-", self.path.stem.lower()).strip("-")


@dataclass(frozen=True)
class PortalTree:
    host: str
    root: Path
    unit_code: str | None = None
    services: list[str] = field(default_factory=list)
    expected_status: str = Status.OK.value


def status_of_file(stem: str) -> tuple[str, str] | None:
    """``(status, variant)`` of a problem-page file stem, or None when it names no status.

    ``default_page--nginx`` -> ``("default_page", "nginx")``; ``cloaked--bot`` -> ``("hacked_cloaked", "bot")``.
    """
    lowered = stem.lower()
    for word in [*_STATUSES, *_ALIASES]:
        if lowered == word or (lowered.startswith(word) and lowered[len(word)] in "_-."):
            return _ALIASES.get(word, word), lowered[len(word) :].lstrip("_-.")
    return None


def scan_problem_pages(directory: Path = PROBLEM_PAGES_DIR) -> list[ProblemPage]:
    """Every ``<status>*.html`` file of the directory, sorted by name; other files are ignored."""
    if not directory.is_dir():
        return []
    pages = []
    for path in sorted(directory.glob("*.html")):
        parsed = status_of_file(path.stem)
        if parsed and path.is_file():
            pages.append(ProblemPage(path, *parsed))
    return pages


def scan_portals(directory: Path = PORTALS_DIR) -> list[PortalTree]:
    """Every ``<host>/`` tree of the directory, with what ``manifest.yaml`` says about it."""
    if not directory.is_dir():
        return []
    manifest = _read_portal_manifest(directory / "manifest.yaml")
    trees = []
    for path in sorted(directory.iterdir()):
        host = path.name.lower()
        if not path.is_dir() or not _HOST.match(host):
            continue
        entry = manifest.get(host, {})
        trees.append(
            PortalTree(
                host=host,
                root=path,
                unit_code=entry.get("unit_code"),
                services=[str(s) for s in entry.get("services") or []],
                expected_status=str(entry.get("expected_status") or Status.OK.value),
            )
        )
    return trees


def _read_portal_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """host -> entry; accepts ``{host: {...}}``, ``{portals|hosts: ...}`` or a list of ``{host: ...}``."""
    if not path.is_file():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise AssetError(f"{path}: tidak dapat dibaca: {exc}") from exc
    if isinstance(data, dict) and set(data) & {"portals", "hosts"} and len(data) <= 2:
        data = data.get("portals", data.get("hosts"))
    if isinstance(data, list):
        if not all(isinstance(item, dict) and item.get("host") for item in data):
            raise AssetError(f"{path}: setiap butir daftar harus berupa pemetaan dengan kunci host")
        data = {str(item["host"]): item for item in data}
    if not isinstance(data, dict):
        raise AssetError(f"{path}: harus berupa pemetaan host -> {{unit_code, services}}")
    result = {}
    for host, entry in data.items():
        if not isinstance(entry, dict):
            raise AssetError(f"{path}: {host}: entri harus berupa pemetaan")
        status = entry.get("expected_status")
        if status is not None and status not in {s.value for s in Status}:
            raise AssetError(f"{path}: {host}: expected_status tidak dikenal: {status!r}")
        result[str(host).lower()] = entry
    return result
