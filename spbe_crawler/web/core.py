"""The request plumbing every page shares: the signed-in account, role checks, CSRF, rendering.

A page is a plain synchronous function ``(ctx) -> Response`` wrapped by :func:`view`, which runs it
in a worker thread with an open store session (committed on success), after checking the role and,
for every POST, the CSRF token of the session.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from spbe_crawler.health.status import Status, info
from spbe_crawler.reports.templating import safe_url
from spbe_crawler.store.db import session_scope
from spbe_crawler.store.models import Unit
from spbe_crawler.store.models_web import WebRole, WebUser
from spbe_crawler.vocab import UnitKind
from spbe_crawler.web import fmt
from spbe_crawler.web.accounts import ROLE_LABELS, can_review, has_role, role_of, session_version
from spbe_crawler.web.settings import WebSettings

CSRF_FIELD = "csrf"


def _status_label(status: str | None) -> str:
    if not status:
        return "Belum diperiksa"
    return info(status).label if status in Status._value2member_map_ else status


def status_tone(status: str | None) -> str:
    """CSS class of a status: ok, warn (works but not well), bad, hacked, none."""
    if not status or status not in Status._value2member_map_:
        return "none"
    if status in (Status.HACKED_GAMBLING, Status.HACKED_CLOAKED, Status.DEFACED):
        return "hacked"
    if status == Status.NO_WEBSITE.value:
        return "none"
    if status == Status.OK.value:
        return "ok"
    return "warn" if info(status).works else "bad"


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("spbe_crawler.web", "templates"),
        autoescape=select_autoescape(["html", "j2", "svg"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=fmt.angka,
        pct=fmt.persen,
        ms=fmt.ms,
        day=fmt.day,
        site_state=fmt.site_state,
        href=safe_url,
        status_label=_status_label,
        tone=status_tone,
        q=lambda v: quote(str(v), safe=""),
    )
    env.globals.update(role_labels={r.value: label for r, label in ROLE_LABELS.items()})
    return env


@dataclass
class Ctx:
    """What a page gets: the request, its parsed form, the store session, the account."""

    request: Request
    form: FormData | None
    db: Session
    user: WebUser | None
    settings: WebSettings
    env: Environment
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def csrf(self) -> str:
        return csrf_token(self.request)

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else default

    def arg(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default).strip()

    def flash(self, message: str, kind: str = "ok") -> None:
        self.request.session.setdefault("flash", []).append([kind, message])

    def pemda(self) -> Unit:
        """The pemda of the URL, or 404."""
        code = str(self.request.path_params.get("pemda", ""))
        unit = self.db.get(Unit, code)
        if unit is None or unit.kind not in (UnitKind.PEMDA, UnitKind.PROVINSI):
            raise HTTPException(404, f"Pemda {code} tidak ada di registri.")
        return unit

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        flashes = self.request.session.pop("flash", [])
        html = self.env.get_template(template).render(
            request=self.request,
            user=self.user,
            role=role_of(self.user).value if self.user else None,
            is_admin=has_role(self.user, WebRole.ADMIN),
            csrf=self.csrf,
            csrf_field=CSRF_FIELD,
            flashes=flashes,
            zone=fmt.zone_name(self.pemda_code),
            when=self.when,
            settings=self.settings,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)

    @property
    def pemda_code(self) -> str:
        """The pemda of the URL: its zone (WIB/WITA/WIT) is the zone of every time shown."""
        return str(self.request.path_params.get("pemda") or "")

    def when(self, value: Any, with_date: bool = True) -> str:
        return fmt.waktu(value, self.pemda_code, with_date)

    def can_review(self, pemda_code: str) -> bool:
        return can_review(self.user, pemda_code)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def _csrf_ok(request: Request, form: FormData) -> bool:
    expected = request.session.get("csrf")
    given = form.get(CSRF_FIELD)
    if not expected or not isinstance(given, str):
        return False
    return secrets.compare_digest(given.encode(), str(expected).encode())


def _same_origin(request: Request) -> bool:
    """A browser's Origin header, when sent, must name this server (defence beside the token)."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    return origin != "null" and urlsplit(origin).netloc == request.url.netloc  # scheme may differ behind a TLS proxy


def current_user(request: Request, db: Session) -> WebUser | None:
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = db.get(WebUser, uid)
    if user is None or not user.active or request.session.get("ver") != session_version(user):
        request.session.pop("uid", None)
        return None
    return user


Page = Callable[[Ctx], Response]


def view(minimum: WebRole | None = WebRole.VIEWER) -> Callable[[Page], Callable[[Request], Any]]:
    """Wrap a page: sign-in and role check (``None``: open to everyone), CSRF on POST."""

    def wrap(page: Page) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            form = None
            if request.method == "POST":
                form = await request.form(max_files=0, max_fields=200)
                if not _csrf_ok(request, form) or not _same_origin(request):
                    raise HTTPException(
                        403, "Formulir ditolak: token keamanan (CSRF) tidak ada atau tidak cocok. Muat ulang halaman lalu coba lagi."
                    )
            return await run_in_threadpool(_run, page, request, form, minimum)

        endpoint.__name__ = page.__name__
        return endpoint

    return wrap


def _run(page: Page, request: Request, form: FormData | None, minimum: WebRole | None) -> Response:
    state = request.app.state
    with session_scope(state.database_url) as db:
        user = current_user(request, db)
        if minimum is not None:
            if user is None:
                if request.method != "GET":
                    raise HTTPException(401, "Sesi berakhir; silakan masuk lagi.")
                return RedirectResponse(f"/masuk?lanjut={quote(_local_path(request), safe='/')}", status_code=303)
            if not has_role(user, minimum):
                raise HTTPException(403, "Peran akun Anda tidak mengizinkan tindakan ini.")
        ctx = Ctx(request, form, db, user, state.settings, state.env)
        return page(ctx)


def _local_path(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def safe_next(target: str) -> str:
    """Only a path on this server may follow the login (no ``//host`` or ``https://`` redirects)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)
