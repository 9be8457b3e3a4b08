"""What a real crawl asks a site for: the link depth across redirects, and the language.

Most real homepages redirect (http -> https, / -> /beranda, /layanan -> /layanan/). Scrapy's
DepthMiddleware counted every redirect the spider follows as one more level, so on such sites the
pages two links from the homepage were never fetched. And Scrapy asks for English by default, so a
bilingual site that negotiates the language showed the survey its English pages. One crawl of one
site against a local server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import Session, select

from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Page, Unit, Website
from tests.http_support import HTML, answer

REDIRECTS = {"/": "/beranda", "/layanan": "/layanan/"}
LINKS = {
    "/beranda": ["/profil", "/layanan"],  # depth 0 (the homepage, reached through a redirect)
    "/profil": ["/profil/sejarah"],  # depth 1
    "/layanan/": ["/layanan/izin"],  # depth 1, reached through a redirect
    "/profil/sejarah": ["/profil/sejarah/arsip"],  # depth 2: fetched, its links are not followed
    "/layanan/izin": [],
    "/profil/sejarah/arsip": [],  # depth 3: beyond SPBE_SITE_MAX_DEPTH=2
}


class Handler(BaseHTTPRequestHandler):
    languages: list[str] = []  # the Accept-Language of every request

    def do_GET(self) -> None:  # noqa: N802
        self.languages.append(self.headers.get("Accept-Language", ""))
        if self.path in REDIRECTS:
            answer(self, 301, headers={"Location": REDIRECTS[self.path]})
        elif self.path not in LINKS:
            answer(self, 404)
        else:
            anchors = "".join(f"<li><a href='{href}'>{href.strip('/')}</a></li>" for href in LINKS[self.path])
            body = (
                f"<!doctype html><html lang='id'><head><title>Kelurahan Contoh {self.path}</title></head><body>"
                f"<p>{'Informasi pelayanan publik kelurahan. ' * 20}</p><ul>{anchors}</ul></body></html>"
            )
            answer(self, 200, body.encode(), HTML)

    def log_message(self, *args: object) -> None:
        return


@pytest.mark.e2e
def test_redirects_do_not_count_as_link_depth_and_indonesian_is_asked_for(tmp_path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    database = f"sqlite:///{tmp_path / 'spbe.sqlite3'}"
    with Session(get_engine(database)) as session:
        session.add(Unit(code="99.01", name="Kota Contoh", kind="pemda", pemda_code="99.01"))
        session.add(Unit(code="99.01.01", name="Contoh", kind="kecamatan", parent_code="99.01", pemda_code="99.01"))
        session.add(Unit(code="99.01.01.1001", name="Kel Contoh", kind="kelurahan", parent_code="99.01.01", pemda_code="99.01"))
        session.add(Website(unit_code="99.01.01.1001", url="http://kel.contoh.go.id/", host="kel.contoh.go.id"))
        session.commit()
    env = {
        **os.environ,
        "SPBE_HOME": str(tmp_path),
        "SPBE_CONNECT_TO": f"kel.contoh.go.id:80:127.0.0.1:{server.server_address[1]}",
        "SPBE_ALLOWED_NETWORKS": "127.0.0.1/32",
        "SPBE_AUTOTHROTTLE": "0",
        "SPBE_RETRY_TIMES": "0",
        "SPBE_CLOAK_CHECK": "0",
        "SPBE_SITE_MAX_DEPTH": "2",
    }
    env.pop("SPBE_DATABASE_URL", None)
    survey = "from spbe_crawler.survey.job import run_survey; run_survey('99.01', overrides={'LOG_LEVEL': 'WARNING'})"
    try:
        done = subprocess.run(
            [sys.executable, "-c", survey],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr[-3000:]
    with Session(get_engine(database)) as session:
        paths = {page.url.removeprefix("http://kel.contoh.go.id") for page in session.exec(select(Page)).all()}
    assert paths == {"/beranda", "/profil", "/layanan/", "/profil/sejarah", "/layanan/izin"}
    assert len(Handler.languages) >= len(paths) and all(language.startswith("id") for language in Handler.languages)
