"""Every route of ``spbe serve`` for every role, including the refusals (Starlette TestClient)."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Mount, Route
from test_scoring_seed import PEMDA
from web_support import OTHER_PEMDA, WebSeed, client_for, web_app, web_seed, web_template  # noqa: F401  (fixtures)

from spbe_crawler.web.app import routes

ROLES = [None, "pembaca", "penilai", "metro", "admin"]  # anonymous, viewer, assessor, assessor of another pemda, admin
READ_PAGES = ["", "/unit", "/unit.csv", "/inventaris", "/penilaian", "/penemuan", "/pemantauan"]


def _expected_read(role: str | None) -> int:
    return 303 if role is None else 200


@pytest.mark.parametrize("role", ROLES)
def test_read_pages_for_each_role(web_app, web_seed: WebSeed, role: str | None) -> None:
    client, _ = client_for(web_app, role)
    pages = [f"/pemda/{PEMDA}{p}" for p in READ_PAGES] + [f"/pemda/{PEMDA}/situs/{web_seed.hacked_site}", "/"]
    for path in pages:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == _expected_read(role), (role, path, response.text[:300])
        if role is None:
            assert response.headers["location"].startswith("/masuk?lanjut=")
    users = client.get("/admin/pengguna", follow_redirects=False)
    assert users.status_code == {None: 303, "admin": 200}.get(role, 403)


@pytest.mark.parametrize("role", ROLES)
def test_review_post_for_each_role(web_app, role: str | None) -> None:
    client, csrf = client_for(web_app, role)
    response = client.post(f"/pemda/{PEMDA}/penilaian/35", data={"csrf": csrf, "level": "2", "peran": "first"}, follow_redirects=False)
    expected = {None: 401, "pembaca": 403, "metro": 403}.get(role, 303)
    assert response.status_code == expected, response.text[:300]
    if expected == 403:
        assert "Akses ditolak" in response.text


@pytest.mark.parametrize("role", ROLES)
def test_registry_and_account_posts_for_each_role(web_app, role: str | None) -> None:
    client, csrf = client_for(web_app, role)
    decision = {"csrf": csrf, "unit": "18.71.01.1001", "url": "https://kel-bakung.bandarlampungkota.go.id/", "keputusan": "konfirmasi"}
    new_user = {"csrf": csrf, "username": "baru", "password": "sandi-baru-12345", "role": "viewer", "pemda": ""}
    change = {"csrf": csrf, "role": "viewer", "active": "1"}
    posts = [(f"/pemda/{PEMDA}/penemuan", decision), ("/admin/pengguna", new_user), ("/admin/pengguna/pembaca", change)]
    for path, data in posts:
        response = client.post(path, data=data, follow_redirects=False)
        assert response.status_code == {None: 401, "admin": 303}.get(role, 403), (role, path)


@pytest.mark.parametrize("role", ["pembaca", "admin"])
def test_logout_for_each_role(web_app, role: str) -> None:
    client, csrf = client_for(web_app, role)
    assert client.post("/keluar", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get(f"/pemda/{PEMDA}", follow_redirects=False).status_code == 303


def test_unknown_pemda_site_and_indicator_are_404(web_app, web_seed: WebSeed) -> None:
    client, csrf = client_for(web_app, "admin")
    assert client.get("/pemda/99.99").status_code == 404
    assert client.get(f"/pemda/{PEMDA}/situs/999999").status_code == 404
    # a website of 18.71 seen through the other pemda's URL is not there
    assert client.get(f"/pemda/{OTHER_PEMDA}/situs/{web_seed.hacked_site}").status_code == 404
    assert "Tidak ditemukan" in client.get("/tidak-ada").text
    bad = client.post(
        f"/pemda/{PEMDA}/penemuan", data={"csrf": csrf, "unit": "18.72", "url": "https://x.go.id/", "keputusan": "konfirmasi"}
    )
    assert bad.status_code == 404


def test_login_page_and_static_files_are_open(web_app) -> None:
    client, _ = client_for(web_app, None)
    assert client.get("/masuk").status_code == 200
    css = client.get("/static/app.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert client.get("/static/app.js").status_code == 200


def test_every_route_is_covered_by_these_tests() -> None:
    """A new route must be added to the role tests above."""
    paths = {r.path for r in routes() if isinstance(r, (Route, Mount))}
    covered = {
        "/",
        "/masuk",
        "/keluar",
        "/admin/pengguna",
        "/admin/pengguna/{username}",
        "/pemda/{pemda}",
        "/pemda/{pemda}/unit",
        "/pemda/{pemda}/unit.csv",
        "/pemda/{pemda}/situs/{website_id:int}",
        "/pemda/{pemda}/inventaris",
        "/pemda/{pemda}/penilaian",
        "/pemda/{pemda}/penilaian/{indicator:int}",
        "/pemda/{pemda}/penemuan",
        "/pemda/{pemda}/pemantauan",
        "/badge/{key}.svg",
        "/metrics",
        "/static",
    }
    assert paths == covered


def test_home_lists_the_pemda_with_data(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    page = client.get("/").text
    assert re.search(r'href="/pemda/18\.71"', page) and re.search(r'href="/pemda/18\.72"', page)


@pytest.mark.parametrize("role", ROLES)
def test_badges_and_metrics_need_no_account(web_app, role: str | None) -> None:
    client, _ = client_for(web_app, role)
    status = client.get("/badge/bandarlampungkota.go.id.svg")
    assert status.status_code == 200 and status.headers["content-type"].startswith("image/svg+xml")
    assert "status: terganggu" in status.text  # the portal's last probe timed out
    uptime = client.get("/badge/bandarlampungkota.go.id-uptime.svg")
    assert "uptime 30 hari: 85,71%" in uptime.text
    assert client.get("/badge/tidak-ada.go.id.svg").status_code == 404
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert re.search(r'spbe_site_up\{[^}]*url="https://bandarlampungkota.go.id/"[^}]*\} 0', metrics.text)
    assert "kota metro" not in client.get("/metrics", params={"pemda": OTHER_PEMDA}).text.lower()


def test_metrics_token(web_seed: WebSeed) -> None:
    from starlette.testclient import TestClient
    from web_support import make_app

    client = TestClient(make_app(web_seed, metrics_token="rahasia-metrik"))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer salah"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer rahasia-metrik"}).status_code == 200


def test_public_figures_are_computed_once_per_cache_period(web_seed: WebSeed, monkeypatch) -> None:
    """Badges and /metrics share a pemda's figures for SPBE_WEB_PUBLIC_CACHE seconds; 0 turns it off."""
    from starlette.testclient import TestClient
    from web_support import make_app

    from spbe_crawler.web import pages_public

    calls: list[str] = []
    real = pages_public.monitor_figures
    monkeypatch.setattr(pages_public, "monitor_figures", lambda db, scope: calls.append(scope) or real(db, scope))
    cached = TestClient(make_app(web_seed))
    for _ in range(3):
        response = cached.get("/badge/bandarlampungkota.go.id.svg")
        assert "status: terganggu" in response.text and response.headers["cache-control"] == "max-age=60"
    cached.get("/metrics")
    cached.get("/metrics")
    assert calls == ["18.71", "all"]
    uncached = TestClient(make_app(web_seed, public_cache=0))
    uncached.get("/badge/bandarlampungkota.go.id.svg")
    uncached.get("/badge/bandarlampungkota.go.id.svg")
    assert calls[2:] == ["18.71", "18.71"]


def test_ttl_cache_expires_and_keeps_the_most_recent_scopes() -> None:
    from spbe_crawler.web.figure_cache import TtlCache

    now = [100.0]
    cache: TtlCache[int] = TtlCache(60, size=2, clock=lambda: now[0])
    computed: list[str] = []

    def value(key: str) -> int:
        return cache.get(key, lambda: computed.append(key) or len(computed))

    assert value("a") == 1 and value("a") == 1  # fresh: not computed again
    now[0] += 61
    assert value("a") == 2  # expired
    value("b")
    value("c")  # "a" is now the least recently used of three: dropped
    assert value("c") == 4 and value("a") == 5 and computed == ["a", "a", "b", "c", "a"]
