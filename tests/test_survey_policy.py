"""Private addresses are never fetched unless allow-listed: by DNS (connect-to), IP literal or redirect.

Runs the spider the plain Scrapy way (`python -m scrapy crawl survey`) from the project root.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import Session, select

from spbe_crawler.config import PROJECT_ROOT
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import SiteCheck, Unit, UnitOutcome, Website
from tests.http_support import HTML, answer

PAGE = (
    "<!doctype html><html lang='id'><head><title>Kelurahan Contoh</title></head><body><h1>Kelurahan Contoh</h1>"
    + "<p>Layanan administrasi kependudukan, surat pengantar dan informasi publik kelurahan.</p>" * 20
    + "<a href='/profil'>Profil</a> <a href='/kontak'>Kontak</a></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:  # noqa: N802
        if self.headers.get("Host", "").startswith("kosong."):  # 200 with no body and no content type
            answer(self, 200)
        elif self.headers.get("Host", "").startswith("alih.") and self.path == "/":
            answer(self, 302, headers={"Location": self.target})
        else:
            answer(self, 200, PAGE.encode(), HTML)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture()
def servers():
    started = []
    for address in ("127.0.0.1", "127.0.0.2"):
        server = ThreadingHTTPServer((address, 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
    Handler.target = f"http://127.0.0.1:{started[0].server_address[1]}/"
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


SITES = {
    "99.01.01.1001": "http://intranet.contoh.go.id/",  # resolves (connect-to) to 127.0.0.1: not allowed
    "99.01.01.1002": "http://10.255.255.1/",  # a private IP literal
    "99.01.01.1003": "http://alih.contoh.go.id/",  # allowed host that redirects to 127.0.0.1
    "99.01.01.1004": "http://publik.contoh.go.id/",  # allowed: 127.0.0.2 is in SPBE_ALLOWED_NETWORKS
    "99.01.01.1005": "http://kosong.contoh.go.id/",  # allowed, answers 200 with an empty body
}


def test_private_addresses_are_refused_and_an_empty_body_is_empty(servers, tmp_path) -> None:
    low, high = (s.server_address[1] for s in servers)
    with Session(get_engine(f"sqlite:///{tmp_path / 'spbe.sqlite3'}")) as session:
        session.add(Unit(code="99.01", name="Kota Contoh", kind="pemda", pemda_code="99.01"))
        session.add(Unit(code="99.01.01", name="Contoh", kind="kecamatan", parent_code="99.01", pemda_code="99.01"))
        for code, url in SITES.items():
            session.add(Unit(code=code, name=f"Kel {code[-4:]}", kind="kelurahan", parent_code="99.01.01", pemda_code="99.01"))
            session.add(Website(unit_code=code, url=url, host=url.split("/")[2]))
        session.commit()
    env = {
        **os.environ,
        "SPBE_HOME": str(tmp_path),
        "SPBE_CONNECT_TO": f"intranet.contoh.go.id:80:127.0.0.1:{low},*.contoh.go.id:80:127.0.0.2:{high}",
        "SPBE_ALLOWED_NETWORKS": "127.0.0.2/32",
        "SPBE_AUTOTHROTTLE": "0",
        "SPBE_DOWNLOAD_TIMEOUT": "3",
        "SPBE_RETRY_TIMES": "0",
        "SPBE_CLOAK_CHECK": "0",
    }
    env.pop("SPBE_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "survey", "-a", "pemda=99.01", "-s", "LOG_LEVEL=WARNING"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with Session(get_engine(f"sqlite:///{tmp_path / 'spbe.sqlite3'}")) as session:
        status = {c.unit_code: c for c in session.exec(select(SiteCheck)).all()}
        outcomes = session.exec(select(UnitOutcome)).all()
    for code in ("99.01.01.1001", "99.01.01.1002", "99.01.01.1003"):
        assert status[code].status == "address_blocked", (code, status[code].detail)
        assert "terlarang" in status[code].detail
    assert status["99.01.01.1004"].status == "ok", status["99.01.01.1004"].detail
    assert status["99.01.01.1005"].status == "empty"
    assert len(outcomes) == 7  # pemda, kecamatan (no website) and the five kelurahan
