"""What each demo host answers: one handler per behaviour, around one content function per kind.

``DemoApp.respond`` is all the HTTP servers call; it never raises for a request a client can make.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

from spbe_crawler.demo import traps
from spbe_crawler.demo.content import Renderer
from spbe_crawler.demo.messages import HTML, TEXT, Request, Response, html, plain, redirect
from spbe_crawler.demo.region import Region, SiteSpec
from spbe_crawler.demo.static import file_response, tree_file

RATE_LIMIT_WINDOW = 30.0  # seconds: a URL answers 429, then 200 while requested within this window
ROBOTS_OK = "User-agent: *\nDisallow: /admin/\n"
ROBOTS_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
COOKIE_CHECK = "cek_pengunjung=1"  # the cookie of the cookie_check behaviour (name=value)


class RateLimiter:
    """429 on the first request for a URL, then 200 as long as the next request comes within
    ``window`` seconds of the previous one (thread-safe). The window slides, so a crawl slowed down by
    a busy machine (a late retry, a late re-fetch of the homepage) is not rate limited a second time."""

    def __init__(self, window: float = RATE_LIMIT_WINDOW):
        self.window = window
        self._limited_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def should_limit(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            last = self._limited_at.get(key)
            if last is not None and now - last < self.window:
                self._limited_at[key] = now
                return False
            if len(self._limited_at) > 10_000:
                self._limited_at.clear()
            self._limited_at[key] = now
            return True


class DemoApp:
    def __init__(self, region: Region, today: Callable[[], date] = date.today):
        self.region = region
        self.today = today
        self.renderer = Renderer(region)
        self.limiter = RateLimiter()

    def respond(self, request: Request) -> Response:
        spec = self.region.sites.get(request.host)
        if spec is None:
            return html(
                404, self.renderer.simple("Situs tidak dikenal", [f"Host {request.host or '(kosong)'} tidak dilayani oleh web demo SPBE."])
            )
        return BEHAVIOURS[spec.behaviour](self, spec, request)

    # --- content, by what the site holds ---------------------------------------------------------
    def content(self, spec: SiteSpec, request: Request) -> Response:
        if spec.content == "portal":
            return self._tree(spec, request)
        if spec.content == "problem_page":
            if request.path == "/robots.txt":
                return self.not_found()
            assert spec.asset is not None
            return file_response(spec.asset)
        if request.path == "/robots.txt":
            return plain(200, ROBOTS_OK)
        if spec.content == "national":
            return html(200, self.renderer.national_page(spec, request.path))
        return self._unit(spec, request)

    def _unit(self, spec: SiteSpec, request: Request) -> Response:
        today = self.today()
        if spec.traps:
            trapped = traps.respond(spec.traps, request, today, self.renderer.simple)
            if trapped is not None:
                return trapped
        path = request.path.rstrip("/") or "/"
        if path in ("/index.php", "/index.html", "/beranda"):
            path = "/"
        extra = {"traps": traps.trap_links(spec.traps, today)} if spec.traps and path == "/" else None
        page = self.renderer.unit_page(spec, path, today, extra)
        return html(200, page) if page is not None else self.not_found()

    def _tree(self, spec: SiteSpec, request: Request) -> Response:
        assert spec.asset is not None
        found = tree_file(spec.asset, request.path)
        return file_response(found) if found else self.not_found()

    def not_found(self) -> Response:
        return html(
            404,
            self.renderer.simple(
                "404 Not Found", ["Halaman yang Anda cari tidak ditemukan."], heading="Halaman tidak ditemukan", footer="nginx"
            ),
        )

    def gambling(self, spec: SiteSpec) -> Response:
        if spec.asset is not None and spec.asset.is_file():
            return file_response(spec.asset)
        return html(200, self.renderer.render("judi.html", site=spec))


def _content(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    return app.content(spec, request)


def _rate_limited(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    if app.limiter.should_limit(f"{spec.host}{request.target}"):
        response = html(429, app.renderer.simple("429 Too Many Requests", ["Terlalu banyak permintaan. Silakan coba lagi sesaat lagi."]))
        response.headers.append(("Retry-After", "1"))
        return response
    return app.content(spec, request)


def _http_500(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    return html(
        500,
        app.renderer.simple(
            "500 Internal Server Error",
            ["Error establishing a database connection.", "Terjadi kesalahan pada server. Silakan hubungi administrator."],
            footer="Apache/2.4.41 (Ubuntu)",
        ),
    )


def _http_404(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    return app.not_found()


def _redirect_loop(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    return redirect(f"https://{spec.loop_partner}{request.target}", 301)


def _redirect_to_parent(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    return redirect(f"https://{app.region.root}/")


def _https_redirect(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    if request.scheme == "http":
        return redirect(f"https://{spec.host}{request.target}", 301)
    return app.content(spec, request)


def _cookie_check(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    """A visitor check without JavaScript, as some hosting panels and firewalls do: a request without
    the cookie is sent back to the same address with it; a browser follows and gets the page."""
    if COOKIE_CHECK not in request.headers.get("cookie", ""):
        return Response(302, b"", HTML, [("Location", request.target), ("Set-Cookie", f"{COOKIE_CHECK}; Path=/; HttpOnly")])
    return app.content(spec, request)


def _blocked(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    if request.is_crawler():
        return html(
            403,
            app.renderer.simple(
                "403 Forbidden",
                ["Akses ditolak. Permintaan Anda diblokir oleh sistem keamanan situs.", "Request rejected by web application firewall."],
            ),
        )
    return app.content(spec, request)


def _robots_disallowed(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    if request.path == "/robots.txt":
        return Response(200, ROBOTS_DISALLOW_ALL.encode(), TEXT)
    return app.content(spec, request)


def _hacked_cloaked(app: DemoApp, spec: SiteSpec, request: Request) -> Response:
    if request.is_search_bot() and request.path != "/robots.txt":
        return app.gambling(spec)
    if spec.browser_asset is not None and request.path in ("/", "/index.php", "/index.html"):
        return file_response(spec.browser_asset)
    return app.content(spec, request)


# Network behaviours (unrouted, refused, blackhole, drip) never reach the HTTP servers through the
# routes; a client that sends their Host header straight to a server gets the site's normal pages.
BEHAVIOURS: dict[str, Callable[[DemoApp, SiteSpec, Request], Response]] = {
    "ok": _content,
    "stale": _content,
    "unrouted": _content,
    "refused": _content,
    "blackhole": _content,
    "drip": _content,
    "tls_expired": _content,
    "tls_self_signed": _content,
    "tls_wrong_host": _content,
    "rate_limited": _rate_limited,
    "http_500": _http_500,
    "http_404": _http_404,
    "redirect_loop": _redirect_loop,
    "redirect_to_parent": _redirect_to_parent,
    "blocked": _blocked,
    "robots_disallowed": _robots_disallowed,
    "hacked_cloaked": _hacked_cloaked,
    "http_only": _content,  # its :443 route goes to the refused port (manifest.Ports.targets)
    "https_redirect": _https_redirect,
    "cookie_check": _cookie_check,
}
