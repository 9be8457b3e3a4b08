"""Sign in, sign out, the list of pemda, and the accounts page of the admin."""

from __future__ import annotations

import secrets

from starlette.exceptions import HTTPException
from starlette.responses import Response

from spbe_crawler.store import web_queries as q
from spbe_crawler.store.models_web import WebRole
from spbe_crawler.web.accounts import ROLE_LABELS, AccountError, add_user, authenticate, parse_role, session_version, update_user
from spbe_crawler.web.core import Ctx, redirect, safe_next, view


@view(None)
def login_page(ctx: Ctx) -> Response:
    if ctx.user is not None:
        return redirect(safe_next(ctx.arg("lanjut", "/")))
    return ctx.render("login.html.j2", next=safe_next(ctx.arg("lanjut", "/")), username="", error="")


@view(None)
def login_submit(ctx: Ctx) -> Response:
    username, password = ctx.field("username"), ctx.field("password")
    client = ctx.request.client.host if ctx.request.client else "?"
    target = safe_next(ctx.field("next", "/"))
    result = authenticate(ctx.db, username, password, client, ctx.settings)
    if result.user is None:
        return ctx.render(
            "login.html.j2", status_code=401 if "salah" in result.message else 429, next=target, username=username, error=result.message
        )
    session = ctx.request.session
    session.clear()  # a new session for the new account (no fixation, fresh CSRF token)
    session.update(uid=result.user.id, ver=session_version(result.user), csrf=secrets.token_urlsafe(32))
    return redirect(target)


@view(None)
def logout(ctx: Ctx) -> Response:
    ctx.request.session.clear()
    return redirect("/masuk")


@view()
def home(ctx: Ctx) -> Response:
    units = q.pemda_with_data(ctx.db)
    if len(units) == 1:
        return redirect(f"/pemda/{units[0].code}")
    return ctx.render("home.html.j2", units=units)


@view(WebRole.ADMIN)
def users_page(ctx: Ctx) -> Response:
    return ctx.render("users.html.j2", users=q.all_users(ctx.db), roles=[(r.value, ROLE_LABELS[r]) for r in WebRole])


@view(WebRole.ADMIN)
def users_add(ctx: Ctx) -> Response:
    try:
        user = add_user(
            ctx.db,
            ctx.field("username"),
            ctx.field("password"),
            parse_role(ctx.field("role", "viewer")),
            ctx.field("name"),
            ctx.field("pemda").replace(";", ",").split(","),
        )
    except AccountError as exc:
        ctx.flash(str(exc), "error")
    else:
        ctx.flash(f"Akun {user.username} dibuat ({ROLE_LABELS[WebRole(user.role)]}).")
    return redirect("/admin/pengguna")


@view(WebRole.ADMIN)
def users_update(ctx: Ctx) -> Response:
    username = str(ctx.request.path_params["username"])
    if ctx.user is not None and username == ctx.user.username and ctx.field("active", "1") != "1":
        raise HTTPException(400, "Admin tidak dapat menonaktifkan akunnya sendiri.")
    try:
        update_user(
            ctx.db,
            username,
            role=parse_role(ctx.field("role")) if ctx.field("role") else None,
            pemda_codes=ctx.field("pemda").replace(";", ",").split(",") if ctx.form is not None and "pemda" in ctx.form else None,
            active=ctx.field("active", "1") == "1",
            password=ctx.field("password") or None,
        )
    except AccountError as exc:
        ctx.flash(str(exc), "error")
    else:
        ctx.flash(f"Akun {username} diperbarui.")
    return redirect("/admin/pengguna")
