"""Security of the workspace: CSRF, cookies, login throttle, sessions, escaping, CSP, redirects."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient
from test_scoring_seed import HOSTILE, PEMDA
from web_support import (  # noqa: F401  (fixtures)
    PASSWORDS,
    WebSeed,
    client_for,
    csrf_of,
    login,
    make_app,
    web_app,
    web_seed,
    web_template,
)

from spbe_crawler.store.db import session_scope
from spbe_crawler.store.models import Review
from spbe_crawler.store.models_web import LoginThrottle
from spbe_crawler.web.accounts import authenticate, update_user
from spbe_crawler.web.core import safe_next
from spbe_crawler.web.settings import WebSettings


def _reviews(url: str) -> int:
    with session_scope(url) as session:
        return len(session.exec(select(Review)).all())


def test_post_without_or_with_a_wrong_csrf_token_is_refused(web_app, web_seed: WebSeed) -> None:
    client, csrf = client_for(web_app, "admin")
    before = _reviews(web_seed.url)
    for data in ({"level": "3"}, {"level": "3", "csrf": "palsu"}, {"level": "3", "csrf": csrf[:-1]}):
        response = client.post(f"/pemda/{PEMDA}/penilaian/35", data=data, follow_redirects=False)
        assert response.status_code == 403 and "CSRF" in response.text
    assert _reviews(web_seed.url) == before
    ok = client.post(f"/pemda/{PEMDA}/penilaian/35", data={"level": "3", "csrf": csrf}, follow_redirects=False)
    assert ok.status_code == 303 and _reviews(web_seed.url) == before + 1


def test_login_itself_needs_the_csrf_token(web_app) -> None:
    client = TestClient(web_app)
    response = client.post("/masuk", data={"username": "admin", "password": PASSWORDS["admin"]}, follow_redirects=False)
    assert response.status_code == 403


def test_a_post_from_another_origin_is_refused_even_with_the_token(web_app) -> None:
    client, csrf = client_for(web_app, "admin")
    response = client.post(f"/pemda/{PEMDA}/penilaian/35", data={"level": "3", "csrf": csrf}, headers={"Origin": "https://jahat.example"})
    assert response.status_code == 403
    same = client.post(
        f"/pemda/{PEMDA}/penilaian/35", data={"level": "3", "csrf": csrf}, headers={"Origin": "http://testserver"}, follow_redirects=False
    )
    assert same.status_code == 303


def test_session_cookie_is_httponly_samesite_and_secure_when_asked(web_seed: WebSeed) -> None:
    plain = TestClient(make_app(web_seed)).get("/masuk").headers["set-cookie"].lower()
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
    secure = TestClient(make_app(web_seed, secure_cookies=True), base_url="https://testserver").get("/masuk")
    assert "secure" in secure.headers["set-cookie"].lower()


def test_security_headers_on_every_page(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    for path in ("/masuk", f"/pemda/{PEMDA}", f"/pemda/{PEMDA}/unit", "/tidak-ada"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"


def test_no_inline_script_or_style_in_any_page(web_app, web_seed: WebSeed) -> None:
    """The CSP forbids inline code, so no page may rely on it."""
    client, _ = client_for(web_app, "admin")
    paths = ["/", "/masuk", "/admin/pengguna", f"/pemda/{PEMDA}/situs/{web_seed.hacked_site}"]
    paths += [f"/pemda/{PEMDA}{p}" for p in ("", "/unit", "/inventaris", "/penilaian", "/penilaian?mode=kedua", "/penemuan", "/pemantauan")]
    for path in paths:
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle=", html) and "<style" not in html, path
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html), path  # no event-handler attribute in any tag


def test_crawled_script_is_shown_as_text(web_app, web_seed: WebSeed) -> None:
    client, _ = client_for(web_app, "pembaca")
    site = client.get(f"/pemda/{PEMDA}/situs/{web_seed.hacked_site}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in site and HOSTILE not in site
    assert "onerror=&#34;alert(2)&#34;" in site or "onerror=&quot;alert(2)&quot;" in site
    inventory = client.get(f"/pemda/{PEMDA}/inventaris").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in inventory and HOSTILE not in inventory
    assert 'href="javascript:' not in inventory  # a crawled javascript: link is never a link


def test_wrong_password_then_lockout_by_user_and_by_address(web_seed: WebSeed) -> None:
    app = make_app(web_seed, login_limit=3)
    client = TestClient(app)
    for _ in range(3):
        page = client.get("/masuk")
        bad = client.post("/masuk", data={"csrf": csrf_of(page.text), "username": "admin", "password": "salah"}, follow_redirects=False)
        assert bad.status_code == 401 and "Nama pengguna atau kata sandi salah" in bad.text
    page = client.get("/masuk")
    locked = client.post("/masuk", data={"csrf": csrf_of(page.text), "username": "admin", "password": PASSWORDS["admin"]})
    assert locked.status_code == 429 and "Terlalu banyak percobaan" in locked.text
    # the address is locked too: another account cannot be tried from it
    other = client.post("/masuk", data={"csrf": csrf_of(page.text), "username": "pembaca", "password": PASSWORDS["pembaca"]})
    assert other.status_code == 429


def test_unknown_user_gets_the_same_message_and_counts(web_seed: WebSeed) -> None:
    settings = WebSettings(secret="x" * 32, login_limit=2)
    with session_scope(web_seed.url) as session:
        first = authenticate(session, "tidakada", "apa-saja", "10.0.0.1", settings)
        assert first.user is None and first.message == "Nama pengguna atau kata sandi salah."
        authenticate(session, "tidakada", "apa-saja", "10.0.0.1", settings)
        rows = {row.key: row for row in session.exec(select(LoginThrottle))}
    assert rows["user:tidakada"].locked_until is not None and rows["ip:10.0.0.1"].locked_until is not None


def test_lock_ends_after_the_lockout_and_success_clears_failures(web_seed: WebSeed) -> None:
    settings = WebSettings(secret="x" * 32, login_limit=2, lockout_minutes=15)
    now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    with session_scope(web_seed.url) as session:
        assert authenticate(session, "admin", "salah", "10.0.0.2", settings, now).user is None
        authenticate(session, "admin", "salah", "10.0.0.2", settings, now)
        assert authenticate(session, "admin", PASSWORDS["admin"], "10.0.0.2", settings, now + timedelta(minutes=14)).user is None
        assert authenticate(session, "admin", PASSWORDS["admin"], "10.0.0.2", settings, now + timedelta(minutes=16)).user is not None
        assert session.get(LoginThrottle, "user:admin") is None


def test_deactivated_account_and_changed_password_end_sessions(web_app, web_seed: WebSeed) -> None:
    client, _ = client_for(web_app, "pembaca")
    assert client.get(f"/pemda/{PEMDA}", follow_redirects=False).status_code == 200
    with session_scope(web_seed.url) as session:
        update_user(session, "pembaca", password="sandi-baru-yang-panjang")
    assert client.get(f"/pemda/{PEMDA}", follow_redirects=False).status_code == 303
    login(client, "pembaca", "sandi-baru-yang-panjang")
    with session_scope(web_seed.url) as session:
        update_user(session, "pembaca", active=False)
    assert client.get(f"/pemda/{PEMDA}", follow_redirects=False).status_code == 303


def test_session_cookie_is_signed(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    cookie = client.cookies.get("spbe_sesi")
    assert cookie
    forged = TestClient(web_app)
    forged.cookies.set("spbe_sesi", cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"))
    assert forged.get(f"/pemda/{PEMDA}", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/pemda/18.71/unit?jenis=opd", "/pemda/18.71/unit?jenis=opd"),
        ("//jahat.example/", "/"),
        ("https://jahat.example/", "/"),
        ("/\\jahat", "/"),
    ],
)
def test_login_only_returns_to_a_local_path(target: str, expected: str) -> None:
    assert safe_next(target) == expected


def test_login_returns_to_the_page_asked_for(web_app) -> None:
    client = TestClient(web_app)
    first = client.get(f"/pemda/{PEMDA}/unit?jenis=opd", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/masuk?lanjut=/pemda/18.71/unit%3Fjenis%3Dopd"
    page = client.get(first.headers["location"])
    assert 'value="/pemda/18.71/unit?jenis=opd"' in page.text
    done = client.post(
        "/masuk",
        data={"csrf": csrf_of(page.text), "username": "pembaca", "password": PASSWORDS["pembaca"], "next": "/pemda/18.71/unit?jenis=opd"},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/pemda/18.71/unit?jenis=opd"
