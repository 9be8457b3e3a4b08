"""The Starlette application of ``spbe serve``: routes, session cookie, security headers, errors."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spbe_crawler import config
from spbe_crawler.web import pages_assessment as assess
from spbe_crawler.web import pages_auth as auth
from spbe_crawler.web import pages_overview as overview
from spbe_crawler.web import pages_public as public
from spbe_crawler.web import pages_registry as registry
from spbe_crawler.web import pages_units as units
from spbe_crawler.web.core import make_environment
from spbe_crawler.web.figure_cache import TtlCache
from spbe_crawler.web.fmt import zone_name
from spbe_crawler.web.settings import WebSettings

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "spbe_sesi"

# No inline script or style anywhere: every script and stylesheet is a file under /static.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Adds the headers above to every response; pages (not static files) are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


ERROR_TITLES = {
    400: "Permintaan tidak sah",
    401: "Perlu masuk",
    403: "Akses ditolak",
    404: "Tidak ditemukan",
    405: "Metode tidak diizinkan",
}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    env = request.app.state.env
    html = env.get_template("error.html.j2").render(
        request=request,
        user=None,
        flashes=[],
        zone=zone_name(None),
        title=ERROR_TITLES.get(exc.status_code, "Galat"),
        message=exc.detail,
        status=exc.status_code,
    )
    return HTMLResponse(html, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def routes() -> list[Route | Mount]:
    pemda = "/pemda/{pemda}"
    return [
        Route("/", auth.home),
        Route("/masuk", auth.login_page, methods=["GET"]),
        Route("/masuk", auth.login_submit, methods=["POST"]),
        Route("/keluar", auth.logout, methods=["POST"]),
        Route("/admin/pengguna", auth.users_page, methods=["GET"]),
        Route("/admin/pengguna", auth.users_add, methods=["POST"]),
        Route("/admin/pengguna/{username}", auth.users_update, methods=["POST"]),
        Route(pemda, overview.overview_page),
        Route(pemda + "/unit", units.units_page),
        Route(pemda + "/unit.csv", units.units_csv),
        Route(pemda + "/situs/{website_id:int}", overview.site_page),
        Route(pemda + "/inventaris", assess.inventory_page),
        Route(pemda + "/penilaian", assess.assessment_page, methods=["GET"]),
        Route(pemda + "/penilaian/{indicator:int}", assess.review_submit, methods=["POST"]),
        Route(pemda + "/penemuan", registry.discovery_page, methods=["GET"]),
        Route(pemda + "/penemuan", registry.discovery_submit, methods=["POST"]),
        Route(pemda + "/pemantauan", registry.monitoring_page),
        Route("/badge/{key}.svg", public.badge),
        Route("/metrics", public.metrics),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def create_app(settings: WebSettings | None = None, database_url: str | None = None) -> Starlette:
    """The workspace over the store at ``database_url`` (default: the configured one)."""
    settings = settings or WebSettings.from_env()
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=settings.signing_key(),
            session_cookie=SESSION_COOKIE,
            max_age=settings.session_hours * 3600,
            same_site="lax",
            https_only=settings.secure_cookies,
        ),
    ]
    app = Starlette(routes=routes(), middleware=middleware, exception_handlers={HTTPException: http_error})
    app.state.settings = settings
    app.state.database_url = database_url or config.database_url()
    app.state.env = make_environment()
    app.state.figures = TtlCache(settings.public_cache)
    return app
