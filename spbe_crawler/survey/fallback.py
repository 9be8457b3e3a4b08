"""Fallbacks for messy registries: which homepage URL to try next when the registered one fails.

Registries hold stale deep links (``/index.php`` that now answers 404 while the site root works),
the wrong scheme (``https://`` for a host that serves plain HTTP only) and ``www.`` where the site
lives on the bare name (or the reverse). The verdict is about the *site*, so before a site is
called broken these are tried, in this order, each at most once (:data:`MAX_HOMEPAGE_URLS` URLs
per site in all):

1. the registered URL answers **4xx** (after the browser retry of 401/403) and has a path → the
   site root of the same origin;
2. an ``https://`` URL is **refused**, or its TLS handshake shows a **plain-HTTP server** on the TLS
   port → the same URL over ``http://``;
3. the host **does not resolve**, **refuses** or **cannot be reached** → the ``www.`` / bare variant
   of the host name.

A fallback that works makes the site a working site: the registered URL's failure is kept as data
(:func:`registry_fix`) and the report says "perbaiki alamat di registri"; a site that works only
over HTTP is marked "tanpa HTTPS". When every fallback fails, the registered URL's failure is the
verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from spbe_crawler.health.status import Status
from spbe_crawler.survey.site import Attempt

MAX_HOMEPAGE_URLS = 4
NO_HTTPS_MARK = "tanpa HTTPS"
REGISTRY_ADVICE = "perbaiki alamat di registri"
# What OpenSSL says when the other side answers a ClientHello in plain HTTP.
PLAIN_HTTP_MARKERS = ("wrong version number", "packet length too long", "unknown protocol", "http request", "record layer failure")
UNREACHABLE = frozenset({Status.DNS_ERROR, Status.CONNECT_REFUSED, Status.CONNECT_ERROR})


def next_homepage(failed: Attempt, tried: Sequence[str], error_text: str = "") -> str | None:
    """The next homepage URL to try after ``failed``, or None to conclude with the failure.

    ``tried`` are the homepage URLs already requested (the registered one first); ``error_text``
    is the full text of a network error (TLS alert texts tell a plain-HTTP port).
    """
    if len(tried) >= MAX_HOMEPAGE_URLS:
        return None
    seen = {_normal(url) for url in tried}
    for candidate in _candidates(failed, error_text):
        if candidate is not None and _normal(candidate) not in seen:
            return candidate
    return None


def _candidates(failed: Attempt, error_text: str) -> list[str | None]:
    parts = urlsplit(failed.url)
    if failed.status == Status.HTTP_ERROR and failed.http_status is not None and 400 <= failed.http_status < 500:
        return [root_of(failed.url)] if parts.path not in ("", "/") or parts.query else []
    candidates: list[str | None] = []
    if parts.scheme == "https" and (
        failed.status == Status.CONNECT_REFUSED or (failed.status == Status.TLS_ERROR and plain_http_port(error_text))
    ):
        candidates.append(urlunsplit(("http", _netloc(parts.hostname or "", parts.port, "https"), parts.path, parts.query, "")))
    if failed.status in UNREACHABLE:
        candidates.append(www_variant(failed.url))
    return candidates


def plain_http_port(error_text: str) -> bool:
    """Does a TLS failure look like a server answering in plain HTTP on the TLS port?"""
    lowered = error_text.lower()
    return any(marker in lowered for marker in PLAIN_HTTP_MARKERS)


def root_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def www_variant(url: str) -> str | None:
    """The URL on ``www.<host>`` for a bare host, on the bare host for ``www.<host>``; None for an IP."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return None
    other = host[4:] if host.startswith("www.") else f"www.{host}"
    if "." not in other:
        return None
    return urlunsplit((parts.scheme, _netloc(other, parts.port, parts.scheme), parts.path, parts.query, ""))


def _netloc(host: str, port: int | None, scheme: str) -> str:
    default = 443 if scheme == "https" else 80
    return host if port in (None, default) else f"{host}:{port}"


def _normal(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def registry_fix(registered: str, working: str, attempts: Sequence[Attempt]) -> dict[str, Any]:
    """The data a report needs to tell the webmaster to fix the registry (stored in the site check)."""
    fix: dict[str, Any] = {
        "registered_url": registered,
        "working_url": working,
        "tried": [{"url": a.url, "status": a.status.value, "detail": a.detail, "http_status": a.http_status} for a in attempts],
        "advice": REGISTRY_ADVICE,
    }
    if urlsplit(registered).scheme == "https" and urlsplit(working).scheme == "http":
        fix["mark"] = NO_HTTPS_MARK
    return fix


def fix_sentence(fix: dict[str, Any]) -> str:
    """One line for the site check's detail: what failed, what works, what to do."""
    first = fix["tried"][0] if fix["tried"] else {"detail": "gagal"}
    return f"alamat terdaftar {fix['registered_url']} gagal ({first['detail']}); situs berfungsi di {fix['working_url']}: {REGISTRY_ADVICE}"
